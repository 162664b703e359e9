"""Co-branded collateral: who sees which vendor template, saving templates as versions,
the checks before a partner may make a PDF, making it (or finding it in the cache), and
the record of every generation and download.

Rendering is slow next to everything else here, so the routes call `sample_render` and
`render` outside any database transaction (SQLite's write lock is never held meanwhile).
"""
import functools
import hashlib
import json
import time
from collections.abc import Collection
from importlib import metadata
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal import pdf as renderer
from portal.assets.files import FileKind
from portal.assets.uploads import make_preview, pdf_page_count
from portal.cobrand import services as kits
from portal.cobrand.designs import (
    MAX_PAGES, PARTNER_TYPED, SLOTS, TEXT_SLOTS, Design, SlotValues, design_problems, document,
    static_file_sha256,
)
from portal.cobrand.models import (
    ActivityKind, BrandKit, CobrandActivity, CobrandedPdf, CobrandTemplate, PageSize, TemplateVersion,
)
from portal.core import audit
from portal.core.access import AudienceSpec, apply_audience, describe, get_or_404, visible
from portal.core.errors import DomainError
from portal.core.models import Audience, Organization, Persona, User
from portal.extensions import db
from portal.storage import current_store

SAMPLE_LOGO = "img/cobrand/sample-partner-logo.png"
SAMPLE_VALUES = SlotValues(
    partner_name="Northwind Partners",
    tagline="Your cloud, our expertise",
    contact_lines=("northwind.example", "hello@northwind.example", "+44 20 7946 0321",
                   "12 Harbour Street", "London EC2A 4NE"),
    logo_url=f"{renderer.STATIC_URL}{SAMPLE_LOGO}",
    custom_message="This is where the partner's own message goes: up to a few sentences about why "
                   "customers should talk to them, in their words.",
    offer="Free migration assessment for the first 20 customers",
    accent_color="#3454D1",
)
RENDER_TIMEOUT = 20.0  # seconds


# --- who sees which template ------------------------------------------------------------------


def templates_for(user: User, persona: Persona | None = None):
    """The one scoped query for templates: partners see published ones whose audience
    includes them (in this persona's room, if given); vendor staff see all, drafts too."""
    stmt = sa.select(CobrandTemplate).where(CobrandTemplate.version > 0)
    if not user.is_vendor:
        stmt = stmt.where(CobrandTemplate.is_live.is_(True))
    return visible(stmt, CobrandTemplate, user, persona).order_by(CobrandTemplate.title, CobrandTemplate.id)


def with_listing(stmt):
    """Load what a list of templates shows (current version, audience) in a few statements,
    not a few per template."""
    return stmt.options(selectinload(CobrandTemplate.current),
                        selectinload(CobrandTemplate.audience).selectinload(Audience.orgs))


def get_template(user: User, template_id: int) -> CobrandTemplate:
    return get_or_404(templates_for(user), CobrandTemplate, template_id)


def pdfs_visible_to(user: User):
    """Co-branded PDFs: an org's people see their org's, vendor staff every partner's."""
    stmt = sa.select(CobrandedPdf)
    return stmt if user.is_vendor else stmt.where(CobrandedPdf.org_id == user.org_id)


def get_pdf(user: User, pdf_id: int) -> CobrandedPdf:
    return get_or_404(pdfs_visible_to(user), CobrandedPdf, pdf_id)


def first_pdfs(org_ids: Collection[int]) -> dict[int, datetime]:
    """When each of these orgs made its first co-branded PDF (the onboarding step)."""
    return dict(db.session.execute(sa.select(CobrandedPdf.org_id, sa.func.min(CobrandedPdf.created_at))
                                   .where(CobrandedPdf.org_id.in_(org_ids)).group_by(CobrandedPdf.org_id)).all())


def recent_pdfs(user: User, template: CobrandTemplate, limit: int = 5) -> list[CobrandedPdf]:
    """The org's latest PDFs of this template, newest first."""
    stmt = (pdfs_visible_to(user).where(CobrandedPdf.template_id == template.id)
            .order_by(CobrandedPdf.created_at.desc(), CobrandedPdf.id.desc()).limit(limit))
    return db.session.scalars(stmt).all()


def design_of(version: TemplateVersion) -> Design:
    return Design(version.html, version.css, version.page_size.value, dict(version.slot_limits))


# --- the vendor's side: saving templates ------------------------------------------------------


@dataclass(frozen=True)
class TemplateInput:
    title: str
    description: str
    audience: AudienceSpec
    design: Design


@dataclass(frozen=True)
class SampleRender:
    """A design rendered with the sample kit: proof that it renders, its page count and a
    thumbnail of page 1."""

    pages: int
    thumbnail: bytes | None
    pdf: bytes


class DesignRejected(DomainError):
    """A design that may not be saved; `problems` maps form fields to messages."""

    def __init__(self, problems: dict[str, list[str]]) -> None:
        super().__init__("; ".join(message for messages in problems.values() for message in messages))
        self.problems = problems


def sample_render(design: Design, title: str) -> SampleRender:
    """Check and render a design with the sample kit (outside any transaction: it takes a
    moment). Raises DesignRejected, with the reason per form field."""
    problems = design_problems(design)
    if problems:
        raise DesignRejected(problems)
    try:
        data = render(design, SAMPLE_VALUES, title)
    except renderer.RenderFailed as error:
        raise DesignRejected({"html": [str(error)]}) from None
    pages = pdf_page_count(data)
    if not 1 <= pages <= MAX_PAGES:
        raise DesignRejected({"html": [f"With the sample kit this design runs to {pages} pages; a template has "
                                       f"1 to {MAX_PAGES}. Check that each <section class=\"page\"> fits its paper."]})
    return SampleRender(pages=pages, thumbnail=make_preview(FileKind.pdf, data), pdf=data)


def render(design: Design, values: SlotValues, title: str) -> bytes:
    """The PDF (house rule 8: through the one safe renderer). Raises renderer.RenderFailed."""
    return renderer.render_pdf(document(design, values, title=title), store=current_store(),
                               timeout=RENDER_TIMEOUT)


def snapshot(template: CobrandTemplate) -> dict:
    return {"title": template.title, "description": template.description, "audience": describe(template.audience),
            "version": template.version, "is_live": template.is_live}


def save_template(actor: User, template: CobrandTemplate | None, data: TemplateInput,
                  sample: SampleRender | None) -> CobrandTemplate:
    """Create (template=None) or update a template. A changed design becomes a new version
    (`sample` is its render); the title, description and audience change in place."""
    before = snapshot(template) if template else None
    if template is None:
        template = CobrandTemplate(audience=Audience(), created_by_id=actor.id)
        db.session.add(template)
    template.title, template.description = data.title, data.description
    apply_audience(template.audience, data.audience)
    if design_changed(template, data.design):
        if sample is None:
            raise ValueError("A new design needs its sample render")
        _add_version(actor, template, data.design, sample)
    db.session.flush()
    action = "cobrand_template.updated" if before else "cobrand_template.created"
    after = snapshot(template)
    if before != after:
        audit.record(actor, action, template, f"Template “{template.title}”", before=before, after=after)
    return template


def _add_version(actor: User, template: CobrandTemplate, design: Design, sample: SampleRender) -> None:
    latest = db.session.scalar(sa.select(sa.func.max(TemplateVersion.number))
                               .where(TemplateVersion.template_id == template.id)) if template.id else None
    number = (latest or 0) + 1
    thumbnail = current_store().put(sample.thumbnail) if sample.thumbnail else None
    db.session.add(TemplateVersion(
        template=template, number=number, html=design.html, css=design.css, page_size=PageSize(design.page_size),
        slot_limits=design.limits, content_sha256=design.content_sha256, pages=sample.pages,
        thumbnail_sha256=thumbnail, created_by_id=actor.id))
    template.version = number


def design_changed(template: CobrandTemplate | None, design: Design) -> bool:
    return template is None or template.current is None or template.current.content_sha256 != design.content_sha256


def set_live(actor: User, template: CobrandTemplate, live: bool) -> bool:
    """Publish a template (a new one is a draft) or take it back to a draft; False when it
    already was. PDFs made from it stay downloadable."""
    if template.is_live == live:
        return False
    before = snapshot(template)
    template.is_live = live
    db.session.flush()
    audit.record(actor, "cobrand_template.published" if live else "cobrand_template.withdrawn", template,
                 f"Template “{template.title}”", before=before, after=snapshot(template))
    return True


# --- the partner's side: checks, the cache, making the PDF --------------------------------------


@dataclass(frozen=True)
class Typed:
    """What the partner types for one PDF."""

    custom_message: str = ""
    offer: str = ""

    def fields(self) -> dict[str, str]:
        return {"custom_message": self.custom_message, "offer": self.offer}


@dataclass(frozen=True)
class Problem:
    message: str
    fix: str  # "kit": fix it in the brand kit; "form": in the fields on this page


def slot_values(kit: BrandKit, typed: Typed, logo_url: str | None) -> SlotValues:
    return SlotValues(partner_name=kit.display_name, tagline=kit.tagline, contact_lines=contact_lines(kit),
                      logo_url=logo_url if kit.logo_sha256 else None, custom_message=typed.custom_message,
                      offer=typed.offer, accent_color=kits.normalize_color(kit.accent_color))


def contact_lines(kit: BrandKit) -> tuple[str, ...]:
    lines = [kit.website_label, kit.email, kit.phone, *kit.address_lines]
    return tuple(line for line in lines if line)


def pdf_logo_url(kit: BrandKit) -> str | None:
    return f"{renderer.BLOB_URL}{kit.logo_sha256}" if kit.logo_sha256 else None


def problems(design: Design, kit: BrandKit, typed: Typed) -> list[Problem]:
    """The brand checks for this template: what to fix before the PDF may be made, [] when
    ready. Only the slots the design uses are checked."""
    found = [Problem(message, "kit") for message in
             kits.brand_checks(kit, design.slots, design.limits, uses_accent="--partner-accent" in design.css)]
    for name in PARTNER_TYPED:
        text, limit = getattr(typed, name), design.limits.get(name, TEXT_SLOTS[name][0])
        if name in design.slots and len(text) > limit:
            found.append(Problem(f"{SLOTS[name]} is {len(text)} characters; this template has room for {limit}. "
                                 "Shorten it.", "form"))
    return found


def cache_key(version: TemplateVersion, org: Organization, kit: BrandKit, typed: Typed) -> str:
    """The hash of everything a PDF is made from: the same inputs give the same PDF."""
    design = design_of(version)
    payload = {
        "version": [version.id, version.content_sha256],
        "org": org.id,
        "kit": kits.snapshot(kit),
        "typed": [typed.custom_message, typed.offer],
        "files": {name: static_file_sha256(name) for name in design.static_files()},
        "renderer": renderer_version(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


@functools.cache
def renderer_version() -> str:
    """WeasyPrint's version: part of the cache key (read once; it changes only with a deploy)."""
    return metadata.version("weasyprint")


def cached_pdf(key: str) -> CobrandedPdf | None:
    """A PDF made from exactly these inputs, if its file is still there."""
    pdf = db.session.scalar(sa.select(CobrandedPdf).where(CobrandedPdf.cache_key == key))
    return pdf if pdf is not None and current_store().exists(pdf.sha256) else None


@dataclass(frozen=True)
class Rendered:
    data: bytes
    render_ms: int


def render_for(version: TemplateVersion, kit: BrandKit, typed: Typed, title: str) -> Rendered:
    """Render a partner's PDF. Raises renderer.RenderFailed."""
    return render_timed(design_of(version), slot_values(kit, typed, pdf_logo_url(kit)), title)


def render_timed(design: Design, values: SlotValues, title: str) -> Rendered:
    """Render a PDF and time it (outside any transaction). Raises renderer.RenderFailed."""
    started = time.perf_counter()
    data = render(design, values, title)
    return Rendered(data, round((time.perf_counter() - started) * 1000))


def store_pdf(actor: User, version: TemplateVersion, key: str, typed: Typed, rendered: Rendered) -> CobrandedPdf:
    """Keep a rendered PDF under its cache key and record the generation. When the same PDF
    was stored meanwhile (two clicks at once), that one is used and recorded as reused."""
    sha = current_store().put(rendered.data)
    pdf = CobrandedPdf(cache_key=key, org_id=actor.org_id, template_id=version.template_id, version_id=version.id,
                       custom_message=typed.custom_message, offer=typed.offer, sha256=sha, size=len(rendered.data),
                       pages=pdf_page_count(rendered.data), render_ms=rendered.render_ms, created_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(pdf)
    except IntegrityError:
        pdf = db.session.scalar(sa.select(CobrandedPdf).where(CobrandedPdf.cache_key == key))
        record(actor, pdf, ActivityKind.reused)
        return pdf
    record(actor, pdf, ActivityKind.rendered)
    return pdf


def record(user: User, pdf: CobrandedPdf, kind: ActivityKind) -> None:
    db.session.add(CobrandActivity(kind=kind, pdf_id=pdf.id, template_id=pdf.template_id,
                                   version_number=pdf.version.number, user_id=user.id, org_id=pdf.org_id))


# --- the vendor's view of who co-brands what ----------------------------------------------------


def activity_by_partner(template_id: int | None = None):
    """Per template and partner org: PDFs made (rendered or reused), downloads, last activity."""
    made = sa.func.sum(sa.case((CobrandActivity.kind != ActivityKind.downloaded, 1), else_=0))
    downloads = sa.func.sum(sa.case((CobrandActivity.kind == ActivityKind.downloaded, 1), else_=0))
    stmt = (sa.select(CobrandTemplate.id.label("template_id"), CobrandTemplate.title, Organization.id.label("org_id"),
                      Organization.name.label("partner"), made.label("made"), downloads.label("downloads"),
                      sa.func.count(sa.distinct(CobrandActivity.user_id)).label("people"),
                      sa.func.max(CobrandActivity.at).label("last_at"))
            .join(CobrandTemplate, CobrandTemplate.id == CobrandActivity.template_id)
            .join(Organization, Organization.id == CobrandActivity.org_id)
            .group_by(CobrandTemplate.id, CobrandTemplate.title, Organization.id, Organization.name)
            .order_by(sa.func.max(CobrandActivity.at).desc(), CobrandTemplate.title, Organization.name))
    if template_id is not None:
        stmt = stmt.where(CobrandActivity.template_id == template_id)
    return stmt


def template_totals() -> dict[int, tuple[int, int]]:
    """Per template id: (partner orgs that made a PDF, downloads)."""
    rows = db.session.execute(
        sa.select(CobrandActivity.template_id, sa.func.count(sa.distinct(CobrandActivity.org_id)),
                  sa.func.sum(sa.case((CobrandActivity.kind == ActivityKind.downloaded, 1), else_=0)))
        .group_by(CobrandActivity.template_id))
    return {template_id: (orgs, downloads or 0) for template_id, orgs, downloads in rows}


def version_pdf_counts(template: CobrandTemplate) -> dict[int, int]:
    """Per version number: how many PDFs were made from it."""
    rows = db.session.execute(
        sa.select(TemplateVersion.number, sa.func.count(CobrandedPdf.id))
        .join(CobrandedPdf, CobrandedPdf.version_id == TemplateVersion.id)
        .where(TemplateVersion.template_id == template.id).group_by(TemplateVersion.number))
    return dict(rows.all())
