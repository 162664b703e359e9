"""The agreements' rules: drafts, publishing (a compare-and-set that retires the previous
version of the same partner type), each org's standing, acceptance, the public lookup.

Services take the acting user explicitly and never read the request; the route passes the
IP address the app decided for it (request.remote_addr).
"""
import hashlib
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload

from portal.agreements.models import EVERY_TYPE, Acceptance, Agreement, AgreementStatus
from portal.core import audit, clock
from portal.core.access import get_or_404
from portal.core.errors import DomainError
from portal.core.markdown import render_markdown
from portal.core.models import Organization, OrgKind, OrgStatus, PartnerType, Role, User
from portal.core.workflow import transition
from portal.extensions import db

DEFAULT_GRACE_DAYS = 30
MAX_GRACE_DAYS = 365
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L, as certificates
CODE_SHAPE = re.compile(r"[A-Z0-9-]{1,32}")


class AgreementError(DomainError):
    """An agreement rule refuses the action; the message is for the person acting."""


class NotEditable(AgreementError):
    """A published or retired agreement's text is fixed (the route answers 409)."""


def scope_of(partner_type: PartnerType | None) -> str:
    return partner_type.value if partner_type else EVERY_TYPE


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- the vendor's drafts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftInput:
    partner_type: PartnerType | None
    title: str
    body: str


def agreements_for_vendor():
    """Every agreement, newest version first within its partner type (vendor staff only: the
    routes' gates say who)."""
    return (sa.select(Agreement).order_by(Agreement.partner_type.is_not(None), Agreement.partner_type,
                                          Agreement.version.desc()))


def get_agreement(agreement_id: int) -> Agreement:
    # Agreements are the vendor's documents, not any org's rows: no tenancy to scope.
    return get_or_404(sa.select(Agreement), Agreement, agreement_id)


def latest_version(partner_type: PartnerType | None) -> Agreement | None:
    """The partner type's newest version (any status): a new draft starts from its text."""
    return db.session.scalar(sa.select(Agreement).where(Agreement.scope == scope_of(partner_type))
                             .order_by(Agreement.version.desc()).limit(1))


def create_draft(actor: User, data: DraftInput) -> Agreement:
    scope = scope_of(data.partner_type)
    if db.session.scalar(sa.select(Agreement.id).where(Agreement.scope == scope,
                                                       Agreement.status == AgreementStatus.draft)):
        raise AgreementError(f"{_scope_label(data.partner_type)} already has a draft: edit it, or delete it first.",
                             field="partner_type")
    version = (db.session.scalar(sa.select(sa.func.max(Agreement.version)).where(Agreement.scope == scope)) or 0) + 1
    agreement = Agreement(partner_type=data.partner_type, scope=scope, version=version, title=data.title,
                          body=data.body, body_html=render_markdown(data.body), created_by_id=actor.id,
                          status=AgreementStatus.draft)
    try:
        with db.session.begin_nested():
            db.session.add(agreement)
            db.session.flush()
    except IntegrityError:  # another draft of this type took the number a moment ago
        raise AgreementError(f"{_scope_label(data.partner_type)} already has a draft: edit it, or delete it first.",
                             field="partner_type") from None
    audit.record(actor, "agreement.drafted", agreement, f"Drafted {_name(agreement)}",
                 after={"title": agreement.title, "version": version, "partner_type": scope})
    return agreement


def update_draft(actor: User, agreement: Agreement, title: str, body: str) -> None:
    if not agreement.is_draft:
        raise NotEditable(f"Version {agreement.version} is {agreement.status.label.lower()}: its text cannot change. "
                          "Write a new draft instead.")
    # Still a draft now (held until commit, so a publisher waits and then hashes this text).
    transition(agreement, AgreementStatus.draft, AgreementStatus.draft)
    before = {"title": agreement.title, "body_sha256": sha256_of(agreement.body)}
    agreement.title, agreement.body, agreement.body_html = title, body, render_markdown(body)
    agreement.updated_at = clock.now()
    audit.record(actor, "agreement.edited", agreement, f"Edited the draft {_name(agreement)}", before=before,
                 after={"title": title, "body_sha256": sha256_of(body)})


def delete_draft(actor: User, agreement: Agreement) -> None:
    if not agreement.is_draft:
        raise NotEditable(f"Version {agreement.version} is {agreement.status.label.lower()}: "
                          "only a draft can be deleted.")
    name = _name(agreement)
    deleted = db.session.execute(sa.delete(Agreement).where(Agreement.id == agreement.id,
                                                            Agreement.status == AgreementStatus.draft)
                                 .execution_options(synchronize_session=False)).rowcount
    if deleted != 1:
        raise AgreementError("This draft was published or deleted a moment ago.")
    audit.record(actor, "agreement.deleted", agreement, f"Deleted the draft {name}")
    db.session.expunge(agreement)


def publish(actor: User, agreement: Agreement, grace_days: int) -> None:
    """Draft → published (compare-and-set: of two publishers one wins, the other is told it is
    published); the previously published version of the same partner type is retired."""
    now = clock.now()
    transition(agreement, AgreementStatus.draft, AgreementStatus.published,
               {"published_at": now, "published_by_id": actor.id, "grace_days": grace_days})
    agreement.text_sha256 = sha256_of(agreement.body)  # the row is reloaded and held: the text as published
    retired = db.session.scalars(sa.select(Agreement).where(
        Agreement.scope == agreement.scope, Agreement.status == AgreementStatus.published,
        Agreement.id != agreement.id)).all()
    for old in retired:
        transition(old, AgreementStatus.published, AgreementStatus.retired, {"retired_at": now})
    audit.record(actor, "agreement.published", agreement, f"Published {_name(agreement)}",
                 after={"version": agreement.version, "grace_days": grace_days, "text_sha256": agreement.text_sha256,
                        "retired": [old.version for old in retired]})


def accepted_counts() -> dict[int, int]:
    """{agreement id: how many orgs accepted it}, in one grouped query."""
    rows = db.session.execute(sa.select(Acceptance.agreement_id, sa.func.count()).group_by(Acceptance.agreement_id))
    return dict(rows.all())


def partner_org_count(partner_type: PartnerType | None) -> int:
    """The active partner orgs an agreement of this type applies to (as the current one or not)."""
    stmt = sa.select(sa.func.count()).select_from(Organization).where(
        Organization.kind == OrgKind.partner, Organization.status == OrgStatus.active)
    if partner_type is not None:
        stmt = stmt.where(Organization.partner_type == partner_type)
    return db.session.scalar(stmt)


def acceptances_of(agreement: Agreement):
    return (sa.select(Acceptance).where(Acceptance.agreement_id == agreement.id)
            .options(joinedload(Acceptance.org), joinedload(Acceptance.user))
            .order_by(Acceptance.accepted_at.desc(), Acceptance.id.desc()))


# --- an org's standing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementStanding:
    """Where an org stands with the current agreement: `state` is accepted | grace | required |
    none (no agreement applies: nothing to accept, the gate is open). `deadline` is the end of
    the grace period while state is grace; `previous` the org's latest earlier acceptance."""

    state: str
    agreement: Agreement | None = None
    acceptance: Acceptance | None = None
    deadline: datetime | None = None
    grace_ended: datetime | None = None  # required after a grace period: when it ended

    @property
    def is_open(self) -> bool:
        """May the org use the gated features now?"""
        return self.state in ("accepted", "grace", "none")


NONE = AgreementStanding("none")


def current_agreement_clause(partner_type: PartnerType | None):
    scopes = [EVERY_TYPE] if partner_type is None else [partner_type.value, EVERY_TYPE]
    return sa.and_(Agreement.status == AgreementStatus.published, Agreement.scope.in_(scopes))


def standing_of(org: Organization, now: datetime | None = None) -> AgreementStanding:
    """The org's standing with its current agreement (the latest published one for its
    partner type, else the latest published one for every type), in one query."""
    if org is None or org.kind is not OrgKind.partner:
        return NONE
    now = now or clock.now()
    own = sa.orm.aliased(Acceptance)
    earlier = (sa.select(sa.func.max(Acceptance.accepted_at)).where(Acceptance.org_id == org.id)
               .scalar_subquery())
    row = db.session.execute(
        sa.select(Agreement, own, earlier)
        .options(defer(Agreement.body), defer(Agreement.body_html))  # every partner page asks: not the text
        .outerjoin(own, sa.and_(own.agreement_id == Agreement.id, own.org_id == org.id))
        .where(current_agreement_clause(org.partner_type))
        .order_by(Agreement.partner_type.is_(None), Agreement.published_at.desc(), Agreement.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return NONE
    agreement, acceptance, last_accepted = row
    if acceptance is not None:
        return AgreementStanding("accepted", agreement, acceptance)
    if last_accepted is None:  # never accepted anything: no grace
        return AgreementStanding("required", agreement)
    deadline = agreement.grace_ends_at
    if now < deadline:
        return AgreementStanding("grace", agreement, deadline=deadline)
    return AgreementStanding("required", agreement, grace_ended=deadline)


def org_acceptances(org: Organization) -> list[Acceptance]:
    return db.session.scalars(
        sa.select(Acceptance).where(Acceptance.org_id == org.id).options(joinedload(Acceptance.agreement),
                                                                         joinedload(Acceptance.user))
        .order_by(Acceptance.accepted_at.desc(), Acceptance.id.desc())).all()


def org_admins(org: Organization) -> list[User]:
    return db.session.scalars(sa.select(User).where(User.org_id == org.id, User.role == Role.partner_admin,
                                                    User.active.is_(True)).order_by(User.name)).all()


def first_acceptances(org_ids: Collection[int]) -> dict[int, datetime]:
    """When each of these orgs first accepted an agreement (the onboarding step), in one query."""
    return dict(db.session.execute(sa.select(Acceptance.org_id, sa.func.min(Acceptance.accepted_at))
                                   .where(Acceptance.org_id.in_(org_ids)).group_by(Acceptance.org_id)).all())


def acceptances_visible_to(user: User):
    """Acceptances a user may read: vendor staff every one, partner people their org's."""
    stmt = sa.select(Acceptance).options(joinedload(Acceptance.agreement), joinedload(Acceptance.org))
    return stmt if user.is_vendor else stmt.where(Acceptance.org_id == user.org_id)


def get_acceptance(user: User, acceptance_id: int) -> Acceptance:
    return get_or_404(acceptances_visible_to(user), Acceptance, acceptance_id)


# --- accepting --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptInput:
    agreement_id: int
    typed_name: str


def accept(actor: User, data: AcceptInput, ip: str) -> Acceptance:
    """Record the actor's org's acceptance of its current agreement. The form names the
    version the admin read: a newer one published meanwhile is refused. Of two admins
    accepting at once, the unique (agreement, org) lets one insert win; the other is told
    who accepted and when, and nothing more is written."""
    if actor.role is not Role.partner_admin:
        raise AgreementError("Only a partner admin can accept the agreement for the organisation.")
    org = actor.org
    standing = standing_of(org)
    if standing.agreement is None:
        raise AgreementError("There is no agreement to accept.")
    if standing.agreement.id != data.agreement_id:
        raise AgreementError("A newer version of the agreement was published while you read it: read it below, "
                             "then accept it.")
    if standing.acceptance is not None:
        raise _already(standing.acceptance)
    agreement = standing.agreement
    acceptance = Acceptance(agreement_id=agreement.id, org_id=org.id, user_id=actor.id, typed_name=data.typed_name,
                            accepted_at=clock.now(), ip=(ip or "")[:45], version=agreement.version,
                            text_sha256=agreement.text_sha256 or sha256_of(agreement.body), code=new_code())
    try:
        with db.session.begin_nested():
            db.session.add(acceptance)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(sa.select(Acceptance).where(Acceptance.agreement_id == agreement.id,
                                                                 Acceptance.org_id == org.id))
        if existing is None:  # the code collided, not the acceptance: vanishingly rare
            raise AgreementError("Accepting failed; please try again.") from None
        raise _already(existing) from None
    audit.record(actor, "agreement.accepted", acceptance,
                 f"{org.name} accepted {_name(agreement)} (typed name “{data.typed_name}”)", org=org,
                 after={"agreement_id": agreement.id, "version": agreement.version, "typed_name": data.typed_name,
                        "ip": acceptance.ip, "text_sha256": acceptance.text_sha256, "code": acceptance.code})
    return acceptance


def _already(acceptance: Acceptance) -> AgreementError:
    return AgreementError(f"Version {acceptance.version} is already accepted by {acceptance.typed_name} on "
                          f"{clock.as_text(acceptance.accepted_at)}.")


def new_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        code = f"AGR-{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if db.session.scalar(sa.select(Acceptance.id).where(Acceptance.code == code)) is None:
            return code


def verify(code: str) -> Acceptance | None:
    """The acceptance with this public code, or None (the route answers a plain 404)."""
    code = (code or "").strip().upper()
    if not CODE_SHAPE.fullmatch(code):
        return None
    return db.session.scalar(sa.select(Acceptance).where(Acceptance.code == code)
                             .options(joinedload(Acceptance.agreement), joinedload(Acceptance.org)))


def _name(agreement: Agreement) -> str:
    return f"“{agreement.title}” v{agreement.version} ({agreement.type_label})"


def _scope_label(partner_type: PartnerType | None) -> str:
    return f"The {partner_type.label} agreement" if partner_type else "The agreement for every type"
