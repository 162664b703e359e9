"""The search index follows the database: asset changes are noted at flush, dropped on
rollback and written after commit. The database is the truth; the index is derived.

Writes reload the changed assets inside the index's write lock, so when two workers
commit changes to one asset, whichever writes last writes the newest state.

With the PostgreSQL backend (SEARCH_BACKEND) the index is tables of the same database, so
the changed assets' documents are written just before commit, in the same transaction: a
rollback takes them back too, and there is nothing to catch up on. The asset rows that
transaction changed stay locked until it commits, so the documents it writes are the newest.
"""
import logging
import threading
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, selectinload

from portal.assets.models import Asset, AssetVersion
from portal.config import SettingsError
from portal.core.database import read_only
from portal.extensions import db
from search import Document, IndexUnavailable, PostgresIndex, SearchIndex, WhooshIndex

log = logging.getLogger(__name__)
PENDING = "partnerhouse.assets_to_index"
BATCH = 500


def init_app(app: Flask) -> None:
    app.extensions["search_index"] = _open_index(app)
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "before_commit", _write_in_transaction)
        event.listen(Session, "after_commit", _write_changes)
        event.listen(Session, "after_rollback", _forget_changes)


def _open_index(app: Flask) -> SearchIndex:
    """The SEARCH_BACKEND's index; by default PostgreSQL's full text search on a PostgreSQL
    database, else whoosh's files under the data dir."""
    with app.app_context():
        engine = db.engine
    on_postgres = engine.dialect.name == "postgresql"
    backend = app.config["SEARCH_BACKEND"] or ("postgres" if on_postgres else "whoosh")
    if backend not in ("whoosh", "postgres"):
        raise SettingsError(f"Partnerhouse will not start: PORTAL_SEARCH_BACKEND is {backend!r}; "
                            "it must be whoosh or postgres.")
    if backend == "postgres" and not on_postgres:
        raise SettingsError("Partnerhouse will not start: PORTAL_SEARCH_BACKEND is postgres, which needs a "
                            f"PostgreSQL database, and the database is {engine.dialect.name}.")
    app.config["SEARCH_BACKEND"] = backend
    if backend == "postgres":
        return PostgresIndex(engine)
    return WhooshIndex(Path(app.config["DATA_DIR"]) / "search")


def search_index() -> SearchIndex:
    return current_app.extensions["search_index"]


def _note_changes(session: Session, _flush_context) -> None:
    pending = session.info.setdefault(PENDING, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Asset):
            pending.add(obj.id)
        elif isinstance(obj, AssetVersion):
            pending.add(obj.asset_id)


def _write_in_transaction(session: Session) -> None:
    index = search_index()
    if not isinstance(index, PostgresIndex):
        return
    session.flush()  # commit would flush after this hook: note the last changes now
    changed = session.info.pop(PENDING, None)
    if not changed:
        return
    ids = [str(asset_id) for asset_id in changed]
    connection = session.connection()
    with Session(bind=connection) as reader:  # reads this transaction's rows, not the session's objects
        docs = _documents(reader, ids)
    loaded = {doc.id for doc in docs}
    index.write_in(connection, docs, [doc_id for doc_id in ids if doc_id not in loaded])


def _forget_changes(session: Session) -> None:
    session.info.pop(PENDING, None)


def _write_changes(session: Session) -> None:
    changed = session.info.pop(PENDING, None)
    if changed:
        sync(changed)


def sync(asset_ids: Iterable[int]) -> None:
    """Bring these assets' index entries in line with the database (deleted ones go)."""
    try:
        search_index().sync([str(asset_id) for asset_id in asset_ids], _load_documents)
    except IndexUnavailable as exc:
        # Nothing is lost: the rebuild that the next search starts reads the database.
        log.warning("search index not updated (%s)", exc)


def _load_documents(ids: list[str]) -> list[Document]:
    with Session(read_only(db.engine)) as session:
        return _documents(session, ids)


def _documents(session: Session, ids: list[str]) -> list[Document]:
    stmt = _with_text(sa.select(Asset).where(Asset.id.in_([int(i) for i in ids])))
    return [to_document(asset) for asset in session.scalars(stmt)]


def all_documents() -> Iterator[Document]:
    """Every asset as a search document, read in batches on a session of its own."""
    with Session(read_only(db.engine)) as session:
        last_id = 0
        while True:
            stmt = _with_text(sa.select(Asset).where(Asset.id > last_id).order_by(Asset.id).limit(BATCH))
            batch = session.scalars(stmt).all()
            if not batch:
                return
            yield from (to_document(asset) for asset in batch)
            last_id = batch[-1].id
            session.expunge_all()


def _with_text(stmt):
    return stmt.options(selectinload(Asset.current), selectinload(Asset.product))


def to_document(asset: Asset) -> Document:
    return Document(
        id=str(asset.id),
        title=asset.title,
        summary=asset.summary,
        body=without_heading(asset.title, asset.current.text) if asset.current else "",
        tags=asset.tag_list,
        product=asset.product.name if asset.product else "",
        asset_type=asset.asset_type.value,
        language=asset.language,
    )


HEADING_REACH = 40  # characters before the title that may still be the file's heading (a kicker, a logo's text)


def without_heading(title: str, text: str) -> str:
    """A file's text without the heading that repeats its title (a document usually opens
    with it): a snippet would show the title twice. The title itself is indexed anyway."""
    at = text.casefold().find(title.casefold(), 0, len(title) + HEADING_REACH)
    return text[at + len(title):].lstrip(" \n:—–-") if title and at >= 0 else text


def rebuild() -> None:
    """Rebuild the whole index from the database: whoosh's into a new directory, then swapped
    in; PostgreSQL's tables in one transaction. Searches go on meanwhile."""
    search_index().rebuild(all_documents())


def heal(app: Flask) -> None:
    """Start a rebuild in the background unless one is already running (in any process)."""

    def run():
        with app.app_context():
            try:
                search_index().try_rebuild(all_documents)
            except Exception:
                log.exception("rebuilding the search index failed")

    threading.Thread(target=run, name="search-heal", daemon=True).start()
