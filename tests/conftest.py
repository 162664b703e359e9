"""Fixtures: a fresh app and database per test, on SQLite by default or on Postgres with
PORTAL_TEST_DATABASE_URL. The schema comes from the migrations, built once per session, and
the demo is seeded once per session: a test that uses `demo` starts from a copy of it (the
SQLite file or a Postgres database cloned from a template, plus the files and search
folders), with the clock where it stood right after the seed."""
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import profiles

os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key")

from portal import create_app  # noqa: E402
from portal.core import clock  # noqa: E402
from portal.extensions import db  # noqa: E402
from helpers import login  # noqa: E402

DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
# Tests sign in hundreds of times; at production's argon2 cost that would be a large part
# of the run. test_auth checks that production keeps its cost.
TEST_CONFIG = {"TESTING": True, "SERVER_NAME": "portal.test", "PASSWORD_HASH_PARAMETERS": profiles.CHEAPEST}


@dataclass(frozen=True)
class Template:
    """What a test's data starts as: a data folder to copy (on SQLite it holds portal.db) and,
    on Postgres, a database to clone (None: the test database itself, emptied after the test)."""
    folder: Path
    database: str | None = None
    seeded_at: datetime | None = None

    def clock_shift(self) -> timedelta:
        """Moves now() back to the end of the seed, as if the test had just seeded."""
        return self.seeded_at - clock.now() if self.seeded_at else timedelta(0)


def _sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'portal.db'}"


def _postgres_url(database: str) -> str:
    return sa.make_url(DATABASE_URL).set(database=database).render_as_string(hide_password=False)


def _derived_name(suffix: str) -> str:
    """A database named after the test database, so parallel checkouts do not meet."""
    return f"{sa.make_url(DATABASE_URL).database}_{suffix}"


def _on_server(*statements: str) -> None:
    """CREATE / DROP DATABASE, run from the test database (they cannot run in a transaction)."""
    engine = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def _migrate(url: str, data_dir: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(data_dir)})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> Template:
    """The migrated, empty database."""
    os.environ["PORTAL_DATA_DIR"] = str(tmp_path_factory.mktemp("environment"))  # apps made from the env
    folder = tmp_path_factory.mktemp("schema")
    _migrate(DATABASE_URL or _sqlite_url(folder), folder)
    return Template(folder)


@pytest.fixture(scope="session")
def demo_template(schema_template, tmp_path_factory):
    """The README's demo data, seeded once per session."""
    from portal.demo import seed_demo

    folder = tmp_path_factory.mktemp("demo")
    if DATABASE_URL:
        database = _derived_name("seeded")
        _on_server(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"')
        url = _postgres_url(database)
        _migrate(url, folder)
    else:
        database = None
        shutil.copy(schema_template.folder / "portal.db", folder)
        url = _sqlite_url(folder)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(folder)})
    with app.app_context():
        seed_demo()
        seeded_at = clock.now()
        db.session.remove()
        db.engine.dispose()  # a template database must have no connections
    yield Template(folder, database, seeded_at)
    if database:
        _on_server(f'DROP DATABASE "{database}" WITH (FORCE)')


def _start_from(template: Template, data_dir: Path) -> str:
    """Copy the template into data_dir (and clone its database); returns the database URL."""
    # Real copies: tests overwrite files in place (a broken index, say).
    shutil.copytree(template.folder, data_dir, dirs_exist_ok=True, copy_function=shutil.copy)
    if not DATABASE_URL:
        return _sqlite_url(data_dir)
    if template.database is None:
        return DATABASE_URL
    clone = _derived_name("demo")
    _on_server(f'DROP DATABASE IF EXISTS "{clone}" WITH (FORCE)',
               f'CREATE DATABASE "{clone}" TEMPLATE "{template.database}"')
    return _postgres_url(clone)


def _clean_up(app, url: str) -> None:
    with app.app_context():
        db.session.remove()
        if url == DATABASE_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.engine.dispose()
    if DATABASE_URL and url != DATABASE_URL:
        _on_server(f'DROP DATABASE "{sa.make_url(url).database}" WITH (FORCE)')


@pytest.fixture
def app(request, tmp_path):
    """The app on a copy of the schema, or of the seeded demo when the test uses `demo`."""
    template = request.getfixturevalue("demo_template" if "demo" in request.fixturenames else "schema_template")
    url = _start_from(template, tmp_path)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(tmp_path)})
    with clock.travel(template.clock_shift()):
        yield app
    _clean_up(app, url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The README's demo data: `app` started from the session's seed, so this seeds only
    when the fixture was requested late (request.getfixturevalue)."""
    from portal.demo import seed_demo

    with app.app_context():
        seed_demo()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


@pytest.fixture
def login_as(app, demo):
    """A new test client signed in as a demo user: login_as("sales@gold.demo")."""

    def _login(email):
        client = app.test_client()
        login(client, email)
        return client

    return _login


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a missing browser or database must not pass quietly."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; failing the run.", red=True)
        session.exitstatus = 1
