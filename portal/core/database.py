"""Engine settings. SQLite gets WAL, a busy timeout, foreign keys, and BEGIN IMMEDIATE
for transactions that may write, so a read-then-write can never lose an update. And the
date functions reports need, written once for both databases."""
import sqlalchemy as sa
from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.ext.compiler import compiles

from portal.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def configure(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "busy_timeout=10000", "foreign_keys=ON", "synchronous=NORMAL"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        # GET requests never change state (house rule), so they read without taking the
        # write lock; everything else (POSTs, CLI, jobs) takes it up front.
        read_only = connection.get_execution_options().get("read_only") or (
            has_request_context() and (request.method in SAFE_METHODS or _view_reads_only())
        )
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reads_only(view):
    """Mark a POST view that never writes (e.g. a live check whose input should stay out of
    URLs and logs): on SQLite it reads without taking the write lock."""
    view.reads_only = True
    return view


def _view_reads_only() -> bool:
    return getattr(current_app.view_functions.get(request.endpoint), "reads_only", False)


def read_only(engine):
    """The engine for work that only reads (e.g. feeding the search index): on SQLite its
    transactions never take the write lock, however long they run."""
    return engine.execution_options(read_only=True)


def end_transaction() -> None:
    """End the session's transaction before slow work outside the database (e.g. reading an
    uploaded PDF), so SQLite's write lock is not held meanwhile. Loaded objects reload on use."""
    db.session.rollback()


# --- date arithmetic that runs on both databases (reports group and average in SQL) ---------


class month_of(sa.sql.functions.GenericFunction):
    """"2026-12" for a timestamp column."""

    type = sa.String()
    name = "month_of"
    inherit_cache = True


@compiles(month_of, "sqlite")
def _month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_of, "postgresql")
def _month_postgres(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class days_between(sa.sql.functions.GenericFunction):
    """Days (fractional) from the first timestamp to the second."""

    type = sa.Float()
    name = "days_between"
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(julianday({end}) - julianday({start}))"


@compiles(days_between, "postgresql")
def _days_postgres(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 86400.0)"
