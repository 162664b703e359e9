"""An acceptance's PDF: the agreement's text as accepted, the acceptance record and the public
verification code, kept by portal/pdf_cache.py (as training's certificates): made again only
when what it shows changes (the verification link's base URL, the layout). (No job queue
path yet: an acceptance PDF is one page or a few, asked for rarely.)"""
from flask import render_template

from portal import pdf_cache
from portal.agreements.models import Acceptance
from portal.core.markdown import as_markup
from portal.web.urls import path_for

LAYOUT_VERSION = "1"


def acceptance_pdf(acceptance: Acceptance, base_url: str) -> str:
    """The SHA-256 of the acceptance's PDF in the store, rendered now if none is stored for
    what it shows. Raises pdf.RenderFailed."""
    html = acceptance_html(acceptance, base_url)
    return pdf_cache.stored_pdf(acceptance, html, pdf_cache.key_of(html, LAYOUT_VERSION))


def acceptance_html(acceptance: Acceptance, base_url: str) -> str:
    verify_url = base_url + path_for("agreements.verify", code=acceptance.code)
    return render_template("agreements/acceptance_pdf.html", acceptance=acceptance, agreement=acceptance.agreement,
                           body=as_markup(acceptance.agreement.body_html), verify_url=verify_url)
