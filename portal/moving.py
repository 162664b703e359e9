"""Moving an install onto other engines (`cli.py move-install`): every row into another
database at the latest schema, every file the rows name into another file store, then a
count check of both. Typically a single-machine install (SQLite + local files) moving onto
PostgreSQL + an S3-compatible bucket; the source is only read.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import Connection, Engine

from portal.core.database import read_only
from portal.extensions import db
from portal.maintenance import referenced_blobs
from portal.storage import BlobNotFound, BlobStore, blob_store, current_store

BATCH = 1000


class MoveRefused(Exception):
    """The move cannot start: the message says why."""


@dataclass
class MoveReport:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows in the source
    files: int = 0  # files the rows name, found in the source store
    bytes: int = 0
    lost_files: list[str] = field(default_factory=list)  # named by a row, absent from the source store
    copied_files: int = 0  # of those, not in the target store yet
    mismatches: list[str] = field(default_factory=list)  # empty when the count check passed

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def move_install(target: Flask, *, dry_run: bool, echo: Callable[[str], None], shown_url: str) -> MoveReport:
    """From the current app into `target` (an app on the new engines): survey, refuse a target
    that holds data, then unless `dry_run` migrate it, copy rows and files, index the search
    and count again (report.mismatches)."""
    from portal.assets import indexing

    blobs = referenced_blobs()
    db.session.commit()  # on SQLite the session's transaction would hold the write lock
    source_engine, source_store = read_only(db.engine), current_store()
    report = survey(source_engine, source_store, blobs)
    echo(f"{report.total_rows} rows in {len(report.rows)} tables and {report.files} file(s) "
         f"({report.bytes / 1_048_576:.1f} MB) to move into {shown_url}.")
    if report.lost_files:
        echo(f"{len(report.lost_files)} file(s) named by rows are missing here already; they cannot be moved.")
    with target.app_context():
        try:
            refuse_unless_empty(db.engine)
            if dry_run:
                return report
            upgrade()
            copy_rows(source_engine, db.engine, progress=lambda table, rows: echo(f"  {table}: {rows} rows"))
            report.copied_files = copy_files(source_store, blob_store(target), blobs, report)
            indexing.rebuild()
            report.mismatches = check(report, db.engine, blob_store(target), blobs)
        finally:
            db.session.remove()
            db.engine.dispose()
    return report


# Tables the migrations write rows into (the default tiers, the program's settings): in the
# target, the source's rows replace them.
MIGRATIONS_FILL = frozenset({"tiers", "program_settings", "recruitment_settings"})


def tables() -> list[sa.Table]:
    """Parents before children."""
    return list(db.metadata.sorted_tables)


def survey(source: Engine, source_store: BlobStore, blobs: set[str]) -> MoveReport:
    """What a move would copy: rows per table, and the files the rows name."""
    report = MoveReport()
    with source.connect() as conn:
        report.rows = {table.name: _count(conn, table) for table in tables()}
    for sha in sorted(blobs):
        try:
            report.bytes += source_store.info(sha).size
        except BlobNotFound:
            report.lost_files.append(sha)
        else:
            report.files += 1
    return report


def refuse_unless_empty(target: Engine) -> None:
    """MoveRefused unless the target can be reached and holds no rows but the migrations' own
    (no tables yet is fine)."""
    try:
        with target.connect() as conn:
            present = set(sa.inspect(conn).get_table_names())
            filled = [table.name for table in tables()
                      if table.name in present and table.name not in MIGRATIONS_FILL and _count(conn, table)]
    except sa.exc.OperationalError as error:
        raise MoveRefused(f"Cannot reach the target database: {str(error.orig).strip().splitlines()[0]}") from None
    if filled:
        raise MoveRefused(f"The target database already holds data (in {', '.join(filled[:3])}"
                          f"{'…' if len(filled) > 3 else ''}): move into an empty database.")


def copy_rows(source: Engine, target: Engine, progress: Callable[[str, int], None] = lambda table, rows: None) -> None:
    """Every row of every table, parents first, in one transaction on the target."""
    with source.connect() as reading, target.begin() as writing:
        for table in reversed(tables()):
            if table.name in MIGRATIONS_FILL:
                writing.execute(table.delete())
        for table in tables():
            copied = 0
            # In key order: a row that names another row of its table (a deal's conflicting
            # deal) names an earlier one, which must be there first.
            ordered = sa.select(table).order_by(*table.primary_key.columns)
            result = reading.execution_options(yield_per=BATCH).execute(ordered)
            for rows in result.mappings().partitions():
                writing.execute(table.insert(), [dict(row) for row in rows])
                copied += len(rows)
            progress(table.name, copied)
        if target.dialect.name == "postgresql":
            _advance_sequences(writing)


def _advance_sequences(conn: Connection) -> None:
    """Rows came with their ids: each id sequence must continue after the largest one."""
    for table in tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and isinstance(column.type, sa.Integer)):
                conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"coalesce(max({column.name}), 1), max({column.name}) IS NOT NULL) FROM {table.name}"
                ), {"table": table.name, "column": column.name})


def copy_files(source_store: BlobStore, target_store: BlobStore, blobs: set[str], report: MoveReport) -> int:
    """Stream each named file the target lacks into it (not the lost ones); the number copied."""
    copied = 0
    for sha in sorted(blobs - set(report.lost_files)):
        if target_store.exists(sha):
            continue
        with source_store.open(sha) as stream:
            stored = target_store.put(stream)
        if stored != sha:
            raise RuntimeError(f"File {sha} changed while it was copied (stored as {stored}).")
        copied += 1
    return copied


def check(report: MoveReport, target: Engine, target_store: BlobStore, blobs: set[str]) -> list[str]:
    """Compare the target with the survey: what differs, one line each (empty: all moved)."""
    with target.connect() as conn:
        mismatches = [f"{table.name}: {report.rows[table.name]} rows in the source, {moved} in the target"
                      for table in tables() if (moved := _count(conn, table)) != report.rows[table.name]]
    missing = [sha for sha in sorted(blobs - set(report.lost_files)) if not target_store.exists(sha)]
    if missing:
        mismatches.append(f"{len(missing)} file(s) missing from the target store (e.g. {missing[0]})")
    return mismatches


def _count(conn: Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
