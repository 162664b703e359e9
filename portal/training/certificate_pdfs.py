"""A certificate's PDF, kept as a blob in the file store and made again only when what it
shows changes.

The PDF shows the holder, org, certification, dates, code, status (with the day it was
revoked or expired, never "today") and the verification URL (PORTAL_BASE_URL, else the host it is served from). Its key is
the hash of the HTML made from those and the layout version, so an expired certificate's
PDF is the same blob every day. A certificate keeps the latest PDF only: the one from before
it expired or was revoked is no longer named by any row, and `collect-files` removes it.

Filling this cache is the one write a GET makes; it is derived data, like the search index.
"""
import hashlib

import sqlalchemy as sa
from flask import render_template

from portal.core import clock
from portal.core.database import end_transaction
from portal.extensions import db
from portal.pdf import render_pdf
from portal.storage import current_store
from portal.training.models import Certificate
from portal.web.urls import absolute_url_for

# Raise when the PDF changes in a way its HTML does not show (the static logo, its CSS files).
LAYOUT_VERSION = "2"


def certificate_pdf(certificate: Certificate) -> str:
    """The SHA-256 of the certificate's PDF in the store, rendered now (outside any
    transaction) if it has none for what it shows today. Raises pdf.RenderFailed."""
    html = certificate_html(certificate)
    key = hashlib.sha256(f"{LAYOUT_VERSION}\0{html}".encode()).hexdigest()
    store = current_store()
    if certificate.pdf_key == key and store.exists(certificate.pdf_sha256):
        return certificate.pdf_sha256
    certificate_id = certificate.id
    end_transaction()
    sha = store.put(render_pdf(html, store=store))
    db.session.execute(sa.update(Certificate).where(Certificate.id == certificate_id)
                       .values(pdf_key=key, pdf_sha256=sha))
    return sha


def certificate_html(certificate: Certificate) -> str:
    verify_url = absolute_url_for("training.verify", code=certificate.code)
    return render_template("training/certificate_pdf.html", certificate=certificate,
                           status=certificate.status_at(clock.now()), verify_url=verify_url)
