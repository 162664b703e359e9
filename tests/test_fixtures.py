"""The session's demo seed, copied per test, is what a fresh seed would give that test."""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from portal.core import clock
from portal.extensions import db

# The session seed may take a minute longer than this test's (it renders the demo's PDFs).
TOLERANCE = timedelta(minutes=2).total_seconds()
RANDOM_COLUMNS = {("users", "password_hash"), ("users", "session_token")}  # salted / random per seed
DATABASE_FILES = {"portal.db", "portal.db-wal", "portal.db-shm"}


@dataclass(eq=False)
class Age:
    """How long before "now" a stored time is; equal to another within TOLERANCE."""
    seconds: float

    def __eq__(self, other):
        return isinstance(other, Age) and abs(self.seconds - other.seconds) <= TOLERANCE


def _normal(value, now: datetime):
    if isinstance(value, datetime):
        return Age((now - value).total_seconds())
    if isinstance(value, dict):
        return {key: _normal(item, now) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item, now) for item in value]
    if isinstance(value, str) and value[:1].isdigit():
        try:  # audit events store times as ISO strings inside JSON
            return Age((now - datetime.fromisoformat(value)).total_seconds())
        except ValueError:
            return value
    return value


def _rows(app, now: datetime) -> dict[str, list]:
    with app.app_context():
        state = {}
        for table in db.metadata.sorted_tables:
            names = [column.name for column in table.columns]
            rows = db.session.execute(sa.select(table).order_by(*(table.primary_key.columns or table.columns)))
            state[table.name] = [
                {name: bool(value) if (table.name, name) in RANDOM_COLUMNS else _normal(value, now)
                 for name, value in zip(names, row)}
                for row in rows
            ]
        return state


def _files(data_dir: str) -> dict[str, str]:
    root = Path(data_dir)
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file() and path.name not in DATABASE_FILES}


def test_a_demo_test_starts_from_what_a_fresh_seed_gives(app, demo, app_on, schema_template, tmp_path_factory):
    from portal.demo import seed_demo

    copied_at = clock.now()
    copy = _rows(app, copied_at), _files(app.config["DATA_DIR"])
    with app_on(schema_template, tmp_path_factory.mktemp("fresh")) as fresh_app:
        with fresh_app.app_context():
            seed_demo()
            seeded_at = clock.now()
        fresh = _rows(fresh_app, seeded_at), _files(fresh_app.config["DATA_DIR"])

    assert copy[0]["users"] and copy[0] == fresh[0]
    assert any(name.startswith("files/") for name in copy[1]) and copy[1] == fresh[1]
