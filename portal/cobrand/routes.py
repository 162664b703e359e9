"""The brand kit page: partners edit (or read) their org's kit, vendor staff read any
partner's; the live preview of the contact block; the logo, served by content hash."""
from urllib.parse import quote

from flask import abort, flash, redirect, url_for
from flask_login import current_user

from portal.assets.files import FileKind, FileRejected
from portal.cobrand import bp, services
from portal.cobrand.forms import BrandKitForm
from portal.cobrand.logos import PreparedLogo, prepare_logo
from portal.cobrand.models import BrandKit
from portal.core.access import partner_required, signed_in
from portal.core.database import end_transaction, reads_only
from portal.core.models import Organization
from portal.storage import send_blob
from portal.web.actions import domain_action
from portal.web.htmx import render

LOGO_MAX_AGE = 3600  # seconds; pages link the logo with its hash in the URL, so a new logo is a new URL


def _editable_org() -> Organization:
    """The current partner user's org, when they may edit its kit. Vendor staff have no kit of
    their own (they read partners' kits at /brand-kit/<partner id>): the gate keeps them out."""
    org = current_user.org
    if not services.may_edit(current_user, org):
        abort(403)  # they may read this kit, so it exists for them: 403, not 404
    return org


# --- pages ---------------------------------------------------------------------------------


@bp.get("/brand-kit")
@partner_required
def kit():
    return _page(current_user.org)


@bp.get("/brand-kit/<int:partner_id>")
@signed_in
def partner_kit(partner_id: int):
    """Any partner's kit for vendor staff (read-only); a partner's own org's kit for its people."""
    return _page(services.get_kit_org(current_user, partner_id))


def _page(org: Organization, form: BrandKitForm | None = None, status: int = 200, block: str | None = None):
    """The kit page. `form` is a submitted form (422, or the preview): the preview then shows
    its values; otherwise the saved kit."""
    kit = services.kit_for(org)
    editor = services.may_edit(current_user, org)
    shown = kit if form is None else services.preview_kit(org, form.to_input(valid_only=True))
    if editor and form is None:
        form = BrandKitForm(formdata=None)
        form.fill_from(kit)
    if form is not None:
        form.logo.label.text = "Upload a new logo" if kit.has_logo else "Upload your logo"
    return render("cobrand/kit.html", block, status=status, org=org, kit=kit, editor=editor,
                  form=form if editor else None, **_preview(org, shown))


def _preview(org: Organization, shown: BrandKit) -> dict:
    color = shown.accent_color
    return {
        "shown": shown,
        "checks": services.brand_checks(shown),
        "warning": services.contrast_warning(color),
        "ratio": services.format_ratio(services.contrast_on_white(color)) if color else None,
        "accent_sample": _accent_sample(color) if color else None,
        "accent_rule": _accent_rule(color) if color else None,
        "logo_url": url_for("cobrand.logo", partner_id=org.id, v=shown.logo_sha256[:16]) if shown.logo_sha256 else None,
    }


def _accent_sample(color: str) -> str:
    """A data: SVG of a fixed sample heading in the accent colour. The page's CSP
    allows no inline styles, and an image from a data: URI is the simplest way to paint a
    colour that is only known at run time. `color` is a checked '#RRGGBB'; no partner text goes in."""
    svg = ("<svg xmlns='http://www.w3.org/2000/svg' width='320' height='40' viewBox='0 0 320 40'>"
           "<text x='0' y='30' font-family='system-ui, -apple-system, Segoe UI, Roboto, Arial, sans-serif' "
           f"font-size='26' font-weight='700' fill='{color}'>Sample heading</text></svg>")
    return _svg_uri(svg)


def _accent_rule(color: str) -> str:
    """The accent colour as a rule across the top of the contact block (stretched by CSS)."""
    return _svg_uri("<svg xmlns='http://www.w3.org/2000/svg' width='100' height='8' viewBox='0 0 100 8' "
                    f"preserveAspectRatio='none'><rect width='100' height='8' fill='{color}'/></svg>")


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml," + quote(svg, safe="")


# --- editing -------------------------------------------------------------------------------


@bp.post("/brand-kit")
@partner_required
def save():
    _editable_org()  # editors only, before the upload is read
    form = BrandKitForm()
    valid = form.validate_on_submit()
    logo = _checked_logo(form.logo)
    if valid and not form.logo.errors:
        org = _editable_org()  # read again: checking the logo ended the transaction
        with domain_action():
            saved = services.save_kit(current_user, org, form.to_input(), logo)
        flash("Brand kit saved." if saved else "Nothing had changed, so nothing was saved.")
        return redirect(url_for("cobrand.kit"), 303)
    if logo is not None:
        form.logo.errors = [*form.logo.errors, "Your logo was fine, but nothing was saved because of the "
                                               "fields marked below: choose the logo again when you fix them."]
    return _page(_editable_org(), form, status=422)


def _checked_logo(field) -> PreparedLogo | None:
    """Check and re-encode an uploaded logo, outside any database transaction (decoding a
    large image takes a moment). A refused file adds its message to the field; nothing is
    stored here either way (save_kit stores an accepted logo)."""
    if not field.data:
        return None
    data = field.data.read()
    end_transaction()
    try:
        return prepare_logo(data)
    except FileRejected as error:
        field.errors = [*field.errors, str(error)]
        return None


@bp.post("/brand-kit/preview")
@partner_required
@reads_only
def preview():
    """The live preview: the contact block and checks for the values being typed."""
    org = _editable_org()
    form = BrandKitForm()
    form.validate()
    return _page(org, form, block="kit_preview")


@bp.post("/brand-kit/logo/remove")
@partner_required
def remove_logo():
    org = _editable_org()
    with domain_action():
        removed = services.remove_logo(current_user, org)
    if removed:
        flash("Logo removed. Co-branded material made from now on carries no logo until you add one.")
    else:
        flash("There was no logo to remove.")
    return redirect(url_for("cobrand.kit"), 303)


# --- the logo ------------------------------------------------------------------------------


@bp.get("/brand-kit/<int:partner_id>/logo")
@signed_in
def logo(partner_id: int):
    kit = services.kit_for(services.get_kit_org(current_user, partner_id))
    if kit.logo_sha256 is None:
        abort(404)
    response = send_blob(kit.logo_sha256, mimetype=FileKind(kit.logo_kind).mime, max_age=LOGO_MAX_AGE,
                         etag=kit.logo_sha256)
    response.cache_control.private = True
    return response
