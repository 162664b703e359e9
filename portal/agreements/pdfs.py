"""An acceptance's PDF: the agreement's text as accepted, the acceptance record and the public
verification code, made by portal/pdf.py and kept as a blob in the file store (as training's
certificates). Its key is the hash of the HTML and the layout version, so it is made again
only when what it shows changes (the verification link's base URL, the layout).

Filling this cache is the one write the download's GET makes; it is derived data. Rendering
runs outside any transaction. (No job queue path yet: an acceptance PDF is one page or a
few, asked for rarely; see the report in the branch.)"""
import hashlib

import sqlalchemy as sa
from flask import render_template

from portal.agreements.models import Acceptance
from portal.core.database import end_transaction
from portal.core.markdown import as_markup
from portal.extensions import db
from portal.pdf import render_pdf
from portal.storage import current_store
from portal.web.urls import path_for

LAYOUT_VERSION = "1"


def acceptance_pdf(acceptance: Acceptance, base_url: str) -> str:
    """The SHA-256 of the acceptance's PDF in the store, rendered now if none is stored for
    what it shows. Raises pdf.RenderFailed."""
    html = acceptance_html(acceptance, base_url)
    key = hashlib.sha256(f"{LAYOUT_VERSION}\0{html}".encode()).hexdigest()
    store = current_store()
    if acceptance.pdf_key == key and acceptance.pdf_sha256 and store.exists(acceptance.pdf_sha256):
        return acceptance.pdf_sha256
    acceptance_id = acceptance.id
    end_transaction()
    sha = store.put(render_pdf(html, store=store))
    db.session.execute(sa.update(Acceptance).where(Acceptance.id == acceptance_id).values(pdf_key=key, pdf_sha256=sha))
    return sha


def acceptance_html(acceptance: Acceptance, base_url: str) -> str:
    verify_url = base_url + path_for("agreements.verify", code=acceptance.code)
    return render_template("agreements/acceptance_pdf.html", acceptance=acceptance, agreement=acceptance.agreement,
                           body=as_markup(acceptance.agreement.body_html), verify_url=verify_url)
