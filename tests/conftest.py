"""Fixtures: a fresh app and database per test, on SQLite by default or on Postgres with
PORTAL_TEST_DATABASE_URL. The schema comes from the migrations, built once per session."""
import os
import shutil

import pytest

os.environ.setdefault("PORTAL_SECRET_KEY", "test-secret-key")

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from helpers import login  # noqa: E402

DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")


def _migrate(url: str, data_dir) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(data_dir)})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory):
    """SQLite: a migrated database file to copy per test. Postgres: the migrated URL."""
    data_dir = tmp_path_factory.mktemp("schema")
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    url = DATABASE_URL or f"sqlite:///{data_dir / 'template.db'}"
    _migrate(url, data_dir)
    return url


@pytest.fixture
def app(schema_template, tmp_path):
    if DATABASE_URL:
        url = DATABASE_URL
    else:
        shutil.copy(schema_template.removeprefix("sqlite:///"), tmp_path / "portal.db")
        url = f"sqlite:///{tmp_path / 'portal.db'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": str(tmp_path),
                      "SERVER_NAME": "portal.test"})
    yield app
    with app.app_context():
        db.session.remove()
        if DATABASE_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as conn:
                conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The README's demo data."""
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
