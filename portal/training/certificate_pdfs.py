"""A certificate's PDF, kept as a blob in the file store and made again only when what it
shows changes.

The PDF shows the holder, org, certification, dates, code, status (with the day it was
revoked or expired, never "today") and the verification URL (PORTAL_BASE_URL, else the host it is served from). Its key is
the hash of the HTML made from those and the layout version, so an expired certificate's
PDF is the same blob every day. A certificate keeps the latest PDF only: the one from before
it expired or was revoked is no longer named by any row, and `collect-files` removes it.

The cache is portal/pdf_cache.py's (the one write a GET makes). With a queue (PORTAL_REDIS_URL) a GET that misses the cache does not render: it starts the
`training.certificate_pdf` job, or reuses the one already unfinished for that certificate,
so however often viewers ask there is one render on its way at a time.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import render_template

from portal import jobs, pdf_cache
from portal.core import clock
from portal.core.access import get_or_404
from portal.extensions import db
from portal.pdf import RenderFailed
from portal.training.models import Certificate
from portal.web.urls import path_for

# Raise when the PDF changes in a way its HTML does not show (the static logo, its CSS files).
LAYOUT_VERSION = "2"
RENDER_JOB = "training.certificate_pdf"
# A render has 20 s (portal.pdf); the trainee is watching, so a dead worker's job is retried soon.
RENDER_TIMEOUT = timedelta(seconds=60)
GONE = "This certificate no longer exists."


def certificate_pdf(certificate: Certificate, base_url: str) -> str:
    """The SHA-256 of the certificate's PDF in the store, rendered now (outside any
    transaction) if it has none for what it shows today. `base_url` starts the verification
    link (see portal.web.urls.base_url). Raises pdf.RenderFailed."""
    html, key = _html_and_key(certificate, base_url)
    return pdf_cache.stored_pdf(certificate, html, key)


def cached_pdf(certificate: Certificate, base_url: str) -> str | None:
    """The SHA-256 of the certificate's PDF for what it shows today, if one is stored."""
    return pdf_cache.cached(certificate, _html_and_key(certificate, base_url)[1])


def _html_and_key(certificate: Certificate, base_url: str) -> tuple[str, str]:
    html = certificate_html(certificate, base_url)
    return html, pdf_cache.key_of(html, LAYOUT_VERSION)


# --- as a job, when a queue is configured ---------------------------------------------------------


def preparing(certificate: Certificate, base_url: str) -> jobs.Job:
    """The unfinished job that makes this certificate's PDF: the one already on its way, or a
    new one. Every viewer's GET reuses it, so a GET adds at most one job per certificate.
    The worker has no request to take the host from: the job carries `base_url`."""
    job = db.session.scalar(_render_jobs(certificate.id).where(jobs.Job.status.in_(jobs.UNFINISHED))
                            .order_by(jobs.Job.id).limit(1))
    return job or jobs.enqueue(RENDER_JOB, certificate_id=certificate.id, base_url=base_url)


def get_render_job(certificate: Certificate, job_id: int) -> jobs.Job:
    """A job making this certificate's PDF (the caller checked that the user sees the
    certificate); any other id is a 404."""
    return get_or_404(_render_jobs(certificate.id), jobs.Job, job_id)


def _render_jobs(certificate_id: int) -> sa.Select:
    return sa.select(jobs.Job).where(jobs.Job.kind == RENDER_JOB,
                                     jobs.Job.args["certificate_id"].as_integer() == certificate_id)


@jobs.kind(RENDER_JOB, timeout=RENDER_TIMEOUT)
def render_certificate_pdf(job: jobs.Job) -> dict:
    certificate = db.session.get(Certificate, job.args["certificate_id"])
    if certificate is None:
        raise jobs.JobFailed(GONE)
    try:
        return {"pdf_sha256": certificate_pdf(certificate, job.args["base_url"])}
    except RenderFailed as error:
        raise jobs.JobFailed(str(error)) from None


def certificate_html(certificate: Certificate, base_url: str) -> str:
    verify_url = base_url + path_for("training.verify", code=certificate.code)
    return render_template("training/certificate_pdf.html", certificate=certificate,
                           status=certificate.status_at(clock.now()), verify_url=verify_url)
