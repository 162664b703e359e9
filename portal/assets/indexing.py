"""The search index follows the database: asset changes are noted at flush, dropped on
rollback and written after commit. The database is the truth; the index is derived.

Writes reload the changed assets inside the index's write lock, so when two workers
commit changes to one asset, whichever writes last writes the newest state.
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
from portal.core.database import read_only
from portal.extensions import db
from search import Document, IndexUnavailable, SearchIndex, WhooshIndex

log = logging.getLogger(__name__)
PENDING = "partnerhouse.assets_to_index"
BATCH = 500


def init_app(app: Flask) -> None:
    app.extensions["search_index"] = WhooshIndex(Path(app.config["DATA_DIR"]) / "search")
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "after_commit", _write_changes)
        event.listen(Session, "after_rollback", _forget_changes)


def search_index() -> SearchIndex:
    return current_app.extensions["search_index"]


def _note_changes(session: Session, _flush_context) -> None:
    pending = session.info.setdefault(PENDING, set())
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Asset):
            pending.add(obj.id)
        elif isinstance(obj, AssetVersion):
            pending.add(obj.asset_id)


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
        body=asset.current.text if asset.current else "",
        tags=asset.tag_list,
        product=asset.product.name if asset.product else "",
        asset_type=asset.asset_type.value,
        language=asset.language,
    )


def rebuild() -> None:
    """Rebuild the whole index from the database into a new directory, then swap it in."""
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
