"""Who may reach what: the login guard, role checks, the audience engine and tenancy.

Every partner-owned or audience-targeted row is read through a query built here, so
the rules live in one place. Another org's row is a 404, never a 403.
"""
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache, wraps

import sqlalchemy as sa
from flask import abort, redirect, request, url_for, current_app
from flask_login import current_user

from portal.core.models import (
    Audience,
    Tier,
    Organization,
    OrgKind,
    PartnerType,
    Persona,
    Region,
    Role,
    User,
    audience_orgs,
)
from portal.core.tiers import all_tiers, tier_by_id, tier_by_key, tiers_in_mask
from portal.extensions import db

# --- the login guard and role gates ----------------------------------------------------
#
# Every view declares exactly one gate (a decorator below), recorded on the function as
# `view.gate`; tests walk app.url_map and check each endpoint has one and that it refuses
# the roles it does not admit. require_login stays as the default-deny safety net.


@dataclass(frozen=True)
class Gate:
    """Who a view admits: `roles` None means any signed-in user; `partner_types`, if given,
    narrows partners to orgs of those types; `refusal` is the status everyone else gets (404
    where a page must look absent to them, else 403)."""

    name: str
    roles: frozenset[Role] | None = None
    refusal: int = 403
    partner_types: frozenset[PartnerType] | None = None

    def admits(self, user: User) -> bool:
        if self.roles is not None and user.role not in self.roles:
            return False
        return self.partner_types is None or user.org.partner_type in self.partner_types


PUBLIC = Gate("public")
SIGNED_IN = Gate("signed_in")
# Blueprints with a guard of their own: the JSON API authenticates by bearer token, never
# by the session, so this guard must not look at the session for it.
API_TOKEN = Gate("api_token")
OWN_GUARD_BLUEPRINTS = frozenset({"api"})


def _declare(view, gate: Gate):
    if hasattr(view, "gate"):
        raise TypeError(f"{view.__name__} already has the gate {view.gate.name!r}: a view has exactly one")
    view.gate = gate
    return view


def gate_of(app, endpoint: str) -> Gate | None:
    """The endpoint's gate: its declared one, else its blueprint's own guard (if any)."""
    view = app.view_functions[endpoint]
    blueprint = endpoint.rpartition(".")[0]
    return getattr(view, "gate", API_TOKEN if blueprint in OWN_GUARD_BLUEPRINTS else None)


def is_public(view) -> bool:
    return getattr(view, "gate", None) is PUBLIC


def public(view):
    """Mark a view as reachable without logging in (everything else requires it)."""
    return _declare(view, PUBLIC)


def _to_login():
    login_url = url_for("auth.login", next=request.full_path.rstrip("?"))
    if request.headers.get("HX-Request") == "true":
        return "", 401, {"HX-Redirect": login_url}
    return redirect(login_url)


def require_login():
    """before_request: default deny for every endpoint not marked @public."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    if OWN_GUARD_BLUEPRINTS.intersection(request.blueprints):
        return None
    if is_public(current_app.view_functions.get(request.endpoint)) or current_user.is_authenticated:
        return None
    return _to_login()


def _gated(gate: Gate):
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_login()
            if not gate.admits(current_user):
                abort(gate.refusal)
            return view(*args, **kwargs)

        return _declare(wrapped, gate)

    return decorate


signed_in = _gated(SIGNED_IN)


def roles_required(*roles: Role, name: str | None = None, refusal: int = 403):
    """Admit only these roles; everyone else gets `refusal`."""
    return _gated(Gate(name or "+".join(role.value for role in roles), frozenset(roles), refusal))


VENDOR_ROLES = (Role.admin, Role.channel_manager)
PARTNER_ROLES = (Role.partner_admin, Role.partner_user)
vendor_required = roles_required(*VENDOR_ROLES, name="vendor")
vendor_admin_required = roles_required(Role.admin, name="vendor_admin")
partner_admin_required = roles_required(Role.partner_admin, name="partner_admin")
# Partners' own things (their deals, brand kit, training to take): vendor staff have none,
# so for them these pages do not exist.
partner_required = roles_required(*PARTNER_ROLES, name="partner", refusal=404)
# A distributor's admins manage its tier-2 resellers; to everyone else those pages do not exist.
DISTRIBUTOR_ADMIN = Gate("distributor_admin", frozenset({Role.partner_admin}), refusal=404,
                         partner_types=frozenset({PartnerType.distributor}))
distributor_admin_required = _gated(DISTRIBUTOR_ADMIN)


def manages_resellers(user: User) -> bool:
    """Is this user a distributor's admin (the nav's Resellers link)?"""
    return DISTRIBUTOR_ADMIN.admits(user)


# --- the audience engine ---------------------------------------------------------------

# Each is a bitmask column of Audience: one bit per enum member, or per tier (Tier.bit).
MASKS = ("tiers", "partner_types", "regions", "personas")


def bit(member) -> int:
    return 1 << list(type(member)).index(member)


def to_mask(members: Iterable) -> int:
    mask = 0
    for member in members:
        mask |= bit(member)
    return mask


def from_mask(enum_cls, mask: int) -> list:
    return [member for member in enum_cls if mask & bit(member)]


@dataclass(frozen=True)
class AudienceSpec:
    """An audience as plain values (from a form, the seed or an API). Tiers, by key, are either
    a set (`tiers`) or a floor (`min_tier`: it and every tier ranked above it), not both."""

    tiers: frozenset[str] = field(default_factory=frozenset)
    min_tier: str | None = None
    partner_types: frozenset[PartnerType] = field(default_factory=frozenset)
    regions: frozenset[Region] = field(default_factory=frozenset)
    personas: frozenset[Persona] = field(default_factory=frozenset)
    org_ids: frozenset[int] = field(default_factory=frozenset)

    @classmethod
    def tier_floor(cls, floor: str, **rest) -> "AudienceSpec":
        return cls(min_tier=floor, **rest)


def audience_columns(spec: AudienceSpec) -> dict:
    """The spec as Audience's columns, but for the named orgs (a ValueError for an unknown tier)."""
    def tier(key: str) -> Tier:
        if (found := tier_by_key(key)) is None:
            raise ValueError(f"no tier {key!r}")
        return found

    tier_mask = 0
    for key in spec.tiers:
        tier_mask |= tier(key).bit
    return {"tiers": tier_mask, "min_tier_id": tier(spec.min_tier).id if spec.min_tier else None,
            **{dimension: to_mask(getattr(spec, dimension)) for dimension in MASKS if dimension != "tiers"}}


def apply_audience(audience: Audience, spec: AudienceSpec) -> Audience:
    for column, value in audience_columns(spec).items():
        setattr(audience, column, value)
    audience.orgs = (
        db.session.scalars(
            sa.select(Organization).where(
                Organization.id.in_(spec.org_ids), Organization.kind == OrgKind.partner
            )
        ).all()
        if spec.org_ids
        else []
    )
    audience.has_orgs = bool(audience.orgs)
    return audience


def _user_facts(user: User, persona: Persona | None) -> dict:
    """The bit each mask must contain for this user (None: the dimension is open to them),
    and the tier floors they stand on (ids of the tiers ranked at or below theirs)."""
    org = user.org
    tier = tier_by_id(org.tier_id)  # from the request's tier list: no query per org
    persona_bit = None if user.role is Role.partner_admin else bit(user.persona)
    return {
        "tiers": tier.bit if tier else 0,
        "floors": frozenset(t.id for t in all_tiers() if tier and t.rank <= tier.rank),
        "partner_types": bit(org.partner_type) if org.partner_type else 0,
        "regions": bit(org.region) if org.region else 0,
        "personas": persona_bit,
        "room": bit(persona) if persona else None,
    }


def may_see(user: User, audience: Audience | None, persona: Persona | None = None) -> bool:
    """May this user see content with this audience (in this persona's room, if given)?"""
    if user.is_vendor or audience is None:
        return True
    facts = _user_facts(user, persona)
    for dimension in MASKS:
        mask, needed = getattr(audience, dimension), facts[dimension]
        if mask and needed is not None and not mask & needed:
            return False
    if audience.min_tier_id is not None and audience.min_tier_id not in facts["floors"]:
        return False
    if facts["room"] and audience.personas and not audience.personas & facts["room"]:
        return False
    return not audience.has_orgs or any(org.id == user.org_id for org in audience.orgs)


def audience_key(user: User) -> tuple:
    """Everything the audience engine asks of a user: two users with the same key see the
    same content (used to share cached answers between them)."""
    return (*_user_facts(user, None).items(), user.org_id)


def audience_clause(user: User, persona: Persona | None = None):
    """The SQL twin of may_see, over the Audience table (join it to use it)."""
    if user.is_vendor:
        return sa.true()
    facts = _user_facts(user, persona)
    return _clause_for(tuple(facts.items()), user.org_id)


@lru_cache(maxsize=4096)
def _clause_for(facts: tuple, org_id: int):
    # Expressions are immutable, so one clause per distinct (facts, org) is built once per
    # process: building it costs more than running the query. Correctness never depends on it.
    facts = dict(facts)
    conditions = []
    for dimension in MASKS:
        needed = facts[dimension]
        if needed is not None:
            column = getattr(Audience, dimension)
            conditions.append(sa.or_(column == 0, column.op("&")(needed) != 0))
    conditions.append(sa.or_(Audience.min_tier_id.is_(None), Audience.min_tier_id.in_(sorted(facts["floors"]))))
    if facts["room"]:
        conditions.append(sa.or_(Audience.personas == 0, Audience.personas.op("&")(facts["room"]) != 0))
    named = sa.exists().where(audience_orgs.c.audience_id == Audience.id, audience_orgs.c.org_id == org_id)
    conditions.append(sa.or_(Audience.has_orgs.is_(False), named))
    return sa.and_(*conditions)


def visible(stmt, model, user: User, persona: Persona | None = None):
    """Restrict a select over an audience-targeted model to what the user may see."""
    if user.is_vendor:
        return stmt
    return stmt.join(Audience, model.audience_id == Audience.id).where(audience_clause(user, persona))


# --- tenancy ---------------------------------------------------------------------------


def partners_visible_to(user: User):
    """Partner orgs a user may look at: vendor staff see the channel, partners none."""
    stmt = sa.select(Organization).where(Organization.kind == OrgKind.partner)
    return stmt if user.is_vendor else stmt.where(sa.false())


def resellers_visible_to(user: User):
    """A distributor's tier-2 resellers, for the distributor's admins; nobody else has any
    (vendor staff look at resellers in the partner console)."""
    stmt = sa.select(Organization).where(Organization.kind == OrgKind.partner)
    if not manages_resellers(user):
        return stmt.where(sa.false())
    return stmt.where(Organization.parent_id == user.org_id)


def people_visible_to(user: User):
    """Users a user may look at: vendor staff everyone, a partner admin their org, others themselves."""
    stmt = sa.select(User)
    if user.is_vendor:
        return stmt
    if user.role is Role.partner_admin:
        return stmt.where(User.org_id == user.org_id)
    return stmt.where(User.id == user.id)


def get_or_404(stmt, model, object_id: int):
    """One row of a scoped query by id; a row outside the scope is simply not found."""
    row = db.session.scalars(stmt.where(model.id == object_id)).first()
    if row is None:
        abort(404)
    return row


def describe(audience: Audience | None) -> str:
    """A short human label: 'Everyone', or e.g. 'Gold and above · EMEA · Marketing'."""
    if audience is None:
        return "Everyone"
    parts = []
    if audience.min_tier_id is not None:
        parts.append(f"{tier_by_id(audience.min_tier_id).label} and above")
    elif tiers := tiers_in_mask(audience.tiers):
        parts.append(" or ".join(t.label for t in tiers))
    for enum_cls, mask in (
        (PartnerType, audience.partner_types),
        (Region, audience.regions),
        (Persona, audience.personas),
    ):
        if mask:
            parts.append(", ".join(m.label for m in from_mask(enum_cls, mask)))
    if audience.has_orgs:
        count = len(audience.orgs)
        parts.append(f"{count} named partner{'' if count == 1 else 's'}")
    return " · ".join(parts) or "Everyone"
