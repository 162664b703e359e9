"""Making a partner's co-branded PDF: the brand checks and the cache at once, the render as a
job (portal.jobs: on a worker with a queue, else before the answer), outside any
transaction, so SQLite's write lock is not held meanwhile, and the record of it."""
from dataclasses import dataclass
from datetime import timedelta

from portal import jobs
from portal import pdf as renderer
from portal.cobrand import collateral
from portal.cobrand import services as kits
from portal.cobrand.models import ActivityKind, BrandKit, CobrandedPdf, CobrandTemplate, TemplateVersion
from portal.core.database import end_transaction
from portal.core.models import Organization, User
from portal.extensions import db

RENDER_JOB = "cobrand.pdf"
KIT_CHANGED = ("The brand checks no longer pass (your brand kit changed meanwhile): check the preview, "
               "then make the PDF again.")
WITHDRAWN = "This template is no longer available to you."
# A render has 20 s (portal.pdf); a partner is watching, so a dead worker's job is retried soon.
RENDER_TIMEOUT = timedelta(seconds=60)


class NotReady(Exception):
    """The brand checks fail: the kit changed since the partner's page was loaded."""


@dataclass(frozen=True)
class Made:
    template: CobrandTemplate
    pdf: CobrandedPdf
    from_cache: bool


def request_pdf(user: User, template: CobrandTemplate, typed: collateral.Typed) -> Made | jobs.Job:
    """The user's org's PDF of the template's current version with this text: the cached one
    at once (recorded as reused), or the job that renders it. Raises NotReady."""
    version = template.current
    key = _checked_key(version, user.org, kits.kit_for(user.org), typed)
    pdf = collateral.cached_pdf(key)
    if pdf is not None:
        collateral.record(user, pdf, ActivityKind.reused)
        return Made(template, pdf, from_cache=True)
    return jobs.enqueue(RENDER_JOB, requested_by=user, version_id=version.id, **typed.fields())


def _checked_key(version: TemplateVersion, org: Organization, kit: BrandKit, typed: collateral.Typed) -> str:
    if collateral.problems(collateral.design_of(version), kit, typed):
        raise NotReady()
    return collateral.cache_key(version, org, kit, typed)


@jobs.kind(RENDER_JOB, timeout=RENDER_TIMEOUT)
def render_pdf(job: jobs.Job) -> dict:
    """The job: render and store the PDF of the version the partner saw (or find it made
    meanwhile). Fails with the reason when the brand checks or the render fail."""
    user, args = job.requested_by, job.args
    version = db.session.get(TemplateVersion, args["version_id"])
    if user is None or version is None or not _still_visible(user, version.template_id):
        raise jobs.JobFailed(WITHDRAWN)
    typed, kit = collateral.Typed(args["custom_message"], args["offer"]), kits.kit_for(user.org)
    try:
        key = _checked_key(version, user.org, kit, typed)
    except NotReady:
        raise jobs.JobFailed(KIT_CHANGED) from None
    pdf = collateral.cached_pdf(key)
    if pdf is not None:
        collateral.record(user, pdf, ActivityKind.reused)
        return {"pdf_id": pdf.id, "from_cache": True}
    design, values, title, version_id = (collateral.design_of(version), collateral.slot_values(
        kit, typed, collateral.pdf_logo_url(kit)), version.template.title, version.id)
    end_transaction()
    try:
        rendered = collateral.render_timed(design, values, title)
    except renderer.RenderFailed as error:
        raise jobs.JobFailed(str(error)) from None
    pdf = collateral.store_pdf(user, db.session.get(TemplateVersion, version_id), key, typed, rendered)
    return {"pdf_id": pdf.id, "from_cache": False}


def _still_visible(user: User, template_id: int) -> bool:
    return db.session.scalar(collateral.templates_for(user).where(CobrandTemplate.id == template_id)) is not None


def made_by(job: jobs.Job) -> CobrandedPdf | None:
    """The PDF a finished render job made (None until then)."""
    return db.session.get(CobrandedPdf, job.result["pdf_id"]) if job.status is jobs.JobStatus.done else None
