"""A row's PDF kept as a blob in the file store and made again only when what it shows
changes: its key is the hash of the HTML and a layout version, stored on the row beside the
blob's SHA-256 (`pdf_key`, `pdf_sha256`). Certificates and agreement acceptances use it.

Filling this cache is the one write a download's GET makes; it is derived data, like the
search index. Rendering runs outside any transaction (SQLite's write lock is never held
meanwhile)."""
import hashlib

import sqlalchemy as sa

from portal.core.database import end_transaction
from portal.extensions import db
from portal.pdf import render_pdf
from portal.storage import current_store


def key_of(html: str, layout_version: str) -> str:
    """Raise the layout version when the PDF changes in a way its HTML does not show."""
    return hashlib.sha256(f"{layout_version}\0{html}".encode()).hexdigest()


def cached(row, key: str) -> str | None:
    """The SHA-256 of the row's stored PDF for `key`, if there is one."""
    if row.pdf_key == key and row.pdf_sha256 and current_store().exists(row.pdf_sha256):
        return row.pdf_sha256
    return None


def stored_pdf(row, html: str, key: str) -> str:
    """The SHA-256 of the row's PDF of `html`: the stored one, or rendered now and noted on the
    row (raises pdf.RenderFailed)."""
    if (sha := cached(row, key)) is not None:
        return sha
    model, row_id = type(row), row.id
    end_transaction()
    store = current_store()
    sha = store.put(render_pdf(html, store=store))
    db.session.execute(sa.update(model).where(model.id == row_id).values(pdf_key=key, pdf_sha256=sha))
    return sha
