"""`cli.py move-install`: a single-machine install copied onto PostgreSQL (in CI and here
the source is SQLite in one run of the suite and PostgreSQL in the other)."""
import os

import pytest
import sqlalchemy as sa

from helpers import login
from portal import create_app
from portal.core.models import Organization, User
from portal.extensions import db

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
TARGET = f"{SERVER}/test_move"


@pytest.fixture
def target():
    """An empty PostgreSQL database to move into."""
    try:
        server = sa.create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        with server.connect() as conn:
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = 'test_move'")):
                conn.exec_driver_sql("CREATE DATABASE test_move")
    except sa.exc.OperationalError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no PostgreSQL at 127.0.0.1:5432 to move into")
    engine = sa.create_engine(TARGET, poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    yield engine
    engine.dispose()


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_demo_moves_whole_and_works_there(app, demo, runner, target):
    result = runner.invoke(args=["move-install", "--database", TARGET])
    assert result.exit_code == 0, result.output
    assert "the count check passed" in result.output and "postgres@127.0.0.1" in result.output
    with app.app_context():
        users = db.session.scalar(sa.select(sa.func.count(User.id)))
    assert _count(target, User.__table__) == users > 0

    moved = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": TARGET, "DATA_DIR": app.config["DATA_DIR"]})
    client = moved.test_client()
    login(client, "sales@gold.demo")
    assert "Battlecard" in client.get("/search?q=battlecard").get_data(as_text=True)
    with moved.app_context():  # the id sequences continue after the moved rows
        db.session.add(Organization(name="Moved Later Ltd", kind=db.session.get(Organization, 1).kind))
        db.session.commit()
        db.engine.dispose()


def test_a_dry_run_writes_nothing(app, demo, runner, target):
    result = runner.invoke(args=["move-install", "--database", TARGET, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written." in result.output
    assert not sa.inspect(target).has_table("organizations")


def test_a_database_with_data_is_refused(app, demo, runner, target):
    assert runner.invoke(args=["move-install", "--database", TARGET]).exit_code == 0
    again = runner.invoke(args=["move-install", "--database", TARGET])
    assert again.exit_code != 0 and "already holds data" in again.output


def test_an_unreachable_database_is_a_clear_error(app, runner):
    result = runner.invoke(args=["move-install", "--database", "postgresql+psycopg://nobody:secret@127.0.0.1:1/none"])
    assert result.exit_code != 0 and "Error:" in result.output and "Traceback" not in result.output
