"""Brand kits: whose kit a user may see or edit, saving it, colour contrast, and the
checks a kit must pass before co-branded material is made from it.

For later co-branding work: `kit_for(org)` is an org's kit (an empty, unsaved one when it
has none), `brand_checks(kit)` lists what to fix first, `contrast_on_white(colour)` gives
the rest. Reach the org through `get_kit_org(user, org_id)` or
`visible_kit_orgs(user)`: they hold the tenancy rule.
"""
import math
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa

from portal.cobrand.designs import PARTNER_TYPED, SLOTS
from portal.cobrand.logos import MIN_PRINT_EDGE, PreparedLogo
from portal.cobrand.models import BrandKit
from portal.core import audit, clock
from portal.core.access import get_or_404, partners_visible_to
from portal.core.models import Organization, Persona, Role, User
from portal.extensions import db
from portal.storage import current_store

# The brand kit's parts a template can print (the slots less what is typed per PDF).
KIT_SLOTS = frozenset(SLOTS) - frozenset(PARTNER_TYPED)
# WCAG 2 level AA asks 4.5:1 for body text.
MIN_CONTRAST = 4.5
WHITE = "#FFFFFF"


@dataclass(frozen=True)
class KitInput:
    """A brand kit's text, already checked and normalised by the form."""

    display_name: str
    website: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    tagline: str = ""
    accent_color: str | None = None


# --- who sees and edits which kit ----------------------------------------------------------


def visible_kit_orgs(user: User):
    """The one scoped query for brand kits, over their orgs: vendor staff may look at every
    partner's kit; partner people only at their own org's."""
    if user.is_vendor:
        return partners_visible_to(user)
    return sa.select(Organization).where(Organization.id == user.org_id)


def get_kit_org(user: User, org_id: int) -> Organization:
    """The org whose kit the user asked for; 404 for any org outside their scope."""
    return get_or_404(visible_kit_orgs(user), Organization, org_id)


def may_edit(user: User, org: Organization | None = None) -> bool:
    """Editors: the org's partner admin, and its partner users in the marketing room.
    Everyone else (other personas, vendor staff) reads it."""
    if not user.is_authenticated or user.is_vendor or (org is not None and org.id != user.org_id):
        return False
    return user.role is Role.partner_admin or (user.role is Role.partner_user and user.persona is Persona.marketing)


def kit_for(org: Organization) -> BrandKit:
    """The org's brand kit; when it has none yet, an empty unsaved one (id None) whose
    display name is the org's name. Tenancy is the caller's: get the org via get_kit_org."""
    kit = db.session.scalar(sa.select(BrandKit).where(BrandKit.org_id == org.id))
    return kit if kit is not None else _empty_kit(org)


def ready_kits(org_ids: Collection[int]) -> set[int]:
    """Which of these orgs have a brand kit ready for co-branded material (the onboarding step)."""
    kits = db.session.scalars(sa.select(BrandKit).where(BrandKit.org_id.in_(org_ids)))
    return {kit.org_id for kit in kits if not brand_checks(kit)}


def _empty_kit(org: Organization) -> BrandKit:
    return BrandKit(org_id=org.id, org=org, display_name=org.name, website="", email="", phone="", address="",
                    tagline="", accent_color=None, logo_sha256=None, logo_kind=None, logo_width=None,
                    logo_height=None)


def preview_kit(org: Organization, data: KitInput) -> BrandKit:
    """An unsaved kit showing `data` with the org's current logo: what saving would give."""
    saved = kit_for(org)
    kit = _empty_kit(org)
    _apply(kit, data)
    kit.logo_sha256, kit.logo_kind = saved.logo_sha256, saved.logo_kind
    kit.logo_width, kit.logo_height = saved.logo_width, saved.logo_height
    return kit


# --- writing -------------------------------------------------------------------------------


def snapshot(kit: BrandKit) -> dict:
    """The kit for the audit trail: its text and the logo's hash and size, never its bytes."""
    return {
        "display_name": kit.display_name, "website": kit.website, "email": kit.email, "phone": kit.phone,
        "address": kit.address, "tagline": kit.tagline, "accent_color": kit.accent_color,
        "logo": {"sha256": kit.logo_sha256, "kind": kit.logo_kind, "width": kit.logo_width,
                 "height": kit.logo_height} if kit.logo_sha256 else None,
    }


def _apply(kit: BrandKit, data: KitInput) -> None:
    for name, value in asdict(data).items():
        setattr(kit, name, value)


def _locked_kit(org: Organization) -> BrandKit:
    """The kit to change, after locking the org's row (Postgres; SQLite's write transaction
    already serialises), so two first saves at once make one kit, not a unique-key error."""
    db.session.execute(sa.select(Organization.id).where(Organization.id == org.id).with_for_update())
    return kit_for(org)


def save_kit(actor: User, org: Organization, data: KitInput, logo: PreparedLogo | None = None) -> BrandKit | None:
    """Save the kit's details and (if given) its new logo, with an audit event.
    Returns the kit, or None when nothing changed (then nothing is written)."""
    kit = _locked_kit(org)
    before = snapshot(kit) if kit.id else None
    _apply(kit, data)
    if logo is not None:
        kit.logo_sha256 = current_store().put(logo.data)
        kit.logo_kind, kit.logo_width, kit.logo_height = logo.kind.value, logo.width, logo.height
    after = snapshot(kit)
    if before == after:
        db.session.expire(kit)  # forget the no-op assignments
        return None
    kit.updated_by_id = actor.id
    kit.updated_at = clock.now()
    if kit.id is None:
        db.session.add(kit)
    db.session.flush()
    action = "brand_kit.created" if before is None else "brand_kit.updated"
    audit.record(actor, action, kit, f"Brand kit of {org.name}{_logo_note(before, after)}", before=before, after=after)
    return kit


def _logo_note(before: dict | None, after: dict) -> str:
    if after["logo"] and (before is None or before["logo"] != after["logo"]):
        return ": new logo"
    return ""


def remove_logo(actor: User, org: Organization) -> bool:
    """Take the logo off the kit (the file stays: blobs are content-addressed and may be
    shared). False when there was no logo."""
    kit = _locked_kit(org)
    if kit.id is None or not kit.logo_sha256:
        return False
    before = snapshot(kit)
    kit.logo_sha256 = kit.logo_kind = kit.logo_width = kit.logo_height = None
    kit.updated_by_id = actor.id
    kit.updated_at = clock.now()
    db.session.flush()
    audit.record(actor, "brand_kit.logo_removed", kit, f"Brand kit of {org.name}: logo removed",
                 before=before, after=snapshot(kit))
    return True


# --- colour --------------------------------------------------------------------------------

HEX_COLOR = re.compile(r"#?([0-9A-Fa-f]{6})")


def normalize_color(value: str | None) -> str | None:
    """'#1f6feb' or '1F6FEB' -> '#1F6FEB'; None for anything else."""
    match = HEX_COLOR.fullmatch((value or "").strip())
    return f"#{match.group(1).upper()}" if match else None


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour '#RRGGBB': 0 for black, 1 for white.
    The linearising threshold is the sRGB standard's 0.04045 (WCAG's text says 0.03928, a
    figure from an old draft; no 8-bit value falls between the two, so both agree)."""
    rgb = normalize_color(color)
    if rgb is None:
        raise ValueError(f"Not a #RRGGBB colour: {color!r}")

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(rgb[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio between two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_on_white(color: str) -> float:
    return contrast_ratio(color, WHITE)


def format_ratio(ratio: float) -> str:
    """'2.1:1', '21:1'. One decimal, or two where one would round a ratio just short of the
    4.5 target up to it ('4.48:1', never a misleading '4.5:1')."""
    for digits in (1, 2):
        text = f"{ratio:.{digits}f}"
        if not ratio < MIN_CONTRAST <= float(text):
            break
    else:
        text = f"{math.floor(ratio * 100) / 100:.2f}"
    return f"{text.removesuffix('.0')}:1"


def contrast_warning(color: str | None) -> str | None:
    """A warning (not an error: the colour is still allowed) when text in this colour
    would be hard to read on white."""
    if not color or normalize_color(color) is None:
        return None
    ratio = contrast_on_white(color)
    if ratio >= MIN_CONTRAST:
        return None
    return (f"Text in this colour will be hard to read on white "
            f"({format_ratio(ratio)}; aim for {format_ratio(MIN_CONTRAST)}).")


# --- ready to co-brand? --------------------------------------------------------------------


def brand_checks(kit: BrandKit, slots: frozenset[str] = KIT_SLOTS, limits: dict[str, int] | None = None,
                 uses_accent: bool = True) -> list[str]:
    """What to fix in the kit before co-branded material is made from it; [] when ready.
    A template passes the slots it uses, their length limits and whether it prints the
    accent colour, so only what it needs is checked."""
    problems = []
    if "partner_name" in slots and not (kit.display_name or "").strip():
        problems.append("Add the name to print on co-branded material.")
    if "logo" in slots and not kit.logo_sha256:
        problems.append("Add your logo.")
    elif "logo" in slots and max(kit.logo_width or 0, kit.logo_height or 0) < MIN_PRINT_EDGE:
        problems.append(f"Your logo is {kit.logo_width} × {kit.logo_height} px, too small to print sharply: "
                        f"upload one at least {MIN_PRINT_EDGE} px on its longer side.")
    if "contact_block" in slots and not (kit.email or kit.phone or kit.website):
        problems.append("Add a way to reach you: an email address, a phone number or a website.")
    for name, label, text in (("partner_name", "The name to print", kit.display_name or ""),
                              ("tagline", "Your tagline", kit.tagline or "")):
        limit = (limits or {}).get(name)
        if name in slots and limit is not None and len(text) > limit:
            problems.append(f"{label} is {len(text)} characters; this template has room for {limit}. Shorten it.")
    warning = contrast_warning(kit.accent_color) if uses_accent else None
    if warning:
        problems.append(f"Choose a darker accent colour. {warning}")
    return problems


# --- contact details -----------------------------------------------------------------------

_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+(?:[^\W\d_]{2,}|xn--[a-z0-9-]+)")
_PHONE = re.compile(r"\+?[\d\s().\-/]+(?:\s*(?:ext\.?|x)\s*\d{1,6})?", re.IGNORECASE)
MAX_ADDRESS_LINES = 6


def normalize_website(value: str) -> str | None:
    """'summitpeak.example' -> 'https://summitpeak.example'; None unless it is an http(s)
    address of a named host (no user names, no spaces)."""
    value = (value or "").strip()
    if not value or any(char.isspace() for char in value):
        return None
    if "://" not in value:
        value = f"https://{value}"
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        return None
    host = parts.hostname or ""
    if parts.scheme.lower() not in ("http", "https") or "@" in parts.netloc or not port_ok:
        return None
    if not _HOST.fullmatch(host):
        return None
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def is_phone(value: str) -> bool:
    return bool(_PHONE.fullmatch(value.strip())) and 7 <= sum(char.isdigit() for char in value) <= 20


def normalize_address(value: str) -> str:
    """One line per line as typed, trimmed, blank lines dropped."""
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())
