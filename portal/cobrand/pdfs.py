"""Making a partner's co-branded PDF: the brand checks, the cache, the render (outside any
transaction, so SQLite's write lock is not held meanwhile) and the record of it."""
from dataclasses import dataclass

from portal.cobrand import collateral
from portal.cobrand import services as kits
from portal.cobrand.models import ActivityKind, CobrandedPdf, CobrandTemplate, TemplateVersion
from portal.core.database import end_transaction
from portal.core.models import User
from portal.extensions import db


class NotReady(Exception):
    """The brand checks fail: the kit changed since the partner's page was loaded."""


@dataclass(frozen=True)
class Made:
    template: CobrandTemplate  # loaded again when rendering ended the transaction
    pdf: CobrandedPdf
    from_cache: bool


def make_pdf(user: User, template: CobrandTemplate, typed: collateral.Typed) -> Made:
    """The user's org's PDF of the template's current version with this text: the cached one,
    or a new render, stored and recorded. Raises NotReady, or pdf.RenderFailed."""
    version, kit = template.current, kits.kit_for(user.org)
    design = collateral.design_of(version)
    if collateral.problems(design, kit, typed):
        raise NotReady()
    key = collateral.cache_key(version, user.org, kit, typed)
    pdf = collateral.cached_pdf(key)
    if pdf is not None:
        collateral.record(user, pdf, ActivityKind.reused)
        return Made(template, pdf, from_cache=True)
    values = collateral.slot_values(kit, typed, collateral.pdf_logo_url(kit))
    title, version_id = template.title, version.id
    end_transaction()
    rendered = collateral.render_timed(design, values, title)
    template = collateral.get_template(user, template.id)
    pdf = collateral.store_pdf(user, db.session.get(TemplateVersion, version_id), key, typed, rendered)
    return Made(template, pdf, from_cache=False)
