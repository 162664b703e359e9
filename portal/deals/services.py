"""Deal registration's rules: who sees which deal, the conflict check, the workflow,
expiry and reminders. Routes, the API and the CLI all come through here."""
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from portal.core import audit, clock, workflow
from portal.core.access import get_or_404, resellers_visible_to
from portal.core.models import AuditEvent, Organization, Product, Region, Role, Tier, User
from portal.deals import matching
from portal.deals.matching import Assessment, Claim, Customer, Reason
from portal.deals.models import Deal, DealStage, DealStatus, ExtensionRequest, HouseAccount
from portal.extensions import db
from portal.notifications.services import notify
from portal.program import services as program
from portal.program.models import BenefitUse

REMINDER_DAYS = (14, 3)  # before protection ends
REVIEW_SLA = timedelta(hours=48)
OPEN_STATUSES = (DealStatus.draft, DealStatus.submitted, DealStatus.approved)
CLAIMING_STATUSES = (DealStatus.submitted, DealStatus.approved, DealStatus.won)
# Any 64-bit number unique to this lock: Postgres advisory locks are keyed by integers.
REGISTRATION_LOCK = 0x5048_4445_414C  # "PHDEAL"


WorkflowError = workflow.WorkflowError


@dataclass
class DealInput:
    customer_company: str
    customer_website: str | None
    contact_name: str
    contact_email: str | None
    contact_phone: str | None
    country: str
    product_ids: list[int]
    amount: int
    currency: str
    close_date: date
    stage: DealStage
    notes: str
    name_distributor: bool = False  # a reseller lets its distributor follow the deal

    @property
    def customer(self) -> Customer:
        return Customer(self.customer_company, self.customer_website, self.contact_email, self.contact_phone)


def protection_period(org: Organization) -> timedelta:
    """The deal protection days of the org's tier (a benefit of the program), else the portal's default."""
    days = program.benefit_amount(org.tier, BenefitUse.deal_protection)
    return timedelta(days=int(days) if days is not None else current_app.config["DEAL_PROTECTION_DAYS"])


# --- who sees what -----------------------------------------------------------------------


def deals_visible_to(user: User):
    """The one scoped query for deals: vendor staff see all, a partner admin the org's,
    a partner user their own."""
    stmt = sa.select(Deal)
    if user.is_vendor:
        return stmt
    if user.role is Role.partner_admin:
        return stmt.where(Deal.org_id == user.org_id)
    return stmt.where(Deal.owner_id == user.id)


def get_deal(user: User, deal_id: int) -> Deal:
    return get_or_404(deals_visible_to(user), Deal, deal_id)


def reseller_deals_visible_to(user: User):
    """Read only, for a distributor's admins: their resellers' registrations (a draft stays
    the reseller's own until it is submitted). Nobody else has any."""
    resellers = resellers_visible_to(user).with_only_columns(Organization.id)
    return sa.select(Deal).where(Deal.org_id.in_(resellers), Deal.status != DealStatus.draft)


def get_reseller_deal(user: User, deal_id: int) -> Deal:
    return get_or_404(reseller_deals_visible_to(user), Deal, deal_id)


def with_status(status: DealStatus, now: datetime):
    """A WHERE clause for the status as of `now` (see Deal.status_at)."""
    lapsed = sa.and_(Deal.status == DealStatus.approved, Deal.protected_until <= now)
    if status is DealStatus.expired:
        return sa.or_(Deal.status == DealStatus.expired, lapsed)
    if status is DealStatus.approved:
        return sa.and_(Deal.status == DealStatus.approved, Deal.protected_until > now)
    return Deal.status == status


@dataclass
class DealFilters:
    status: DealStatus | None = None
    text: str = ""
    org_id: int | None = None
    region: Region | None = None
    tier: Tier | None = None


def deal_list(user: User, filters: DealFilters):
    return _filtered(deals_visible_to(user), filters).order_by(Deal.updated_at.desc(), Deal.id.desc())


def reseller_deal_list(user: User, filters: DealFilters):
    """A distributor's view of its resellers' deals (filters.org_id: one reseller's)."""
    return _filtered(reseller_deals_visible_to(user), filters).order_by(Deal.updated_at.desc(), Deal.id.desc())


def review_queue(user: User, filters: DealFilters):
    """Submitted deals, oldest first: the review SLA runs from submission."""
    filters = DealFilters(DealStatus.submitted, filters.text, filters.org_id, filters.region, filters.tier)
    return _filtered(deals_visible_to(user), filters).order_by(Deal.submitted_at, Deal.id)


def _filtered(stmt, filters: DealFilters):
    stmt = stmt.options(selectinload(Deal.owner), selectinload(Deal.org))
    if filters.status:
        stmt = stmt.where(with_status(filters.status, clock.now()))
    if filters.text:
        stmt = stmt.where(Deal.customer_company.icontains(filters.text, autoescape=True))
    if filters.org_id:
        stmt = stmt.where(Deal.org_id == filters.org_id)
    if filters.region or filters.tier:
        orgs = sa.select(Organization.id)
        if filters.region:
            orgs = orgs.where(Organization.region == filters.region)
        if filters.tier:
            orgs = orgs.where(Organization.tier_id == filters.tier.id)
        stmt = stmt.where(Deal.org_id.in_(orgs))
    return stmt


def sla_overdue(deal: Deal, now: datetime) -> bool:
    return deal.submitted_at is not None and now - deal.submitted_at > REVIEW_SLA


def timeline(deal: Deal) -> list[AuditEvent]:
    stmt = sa.select(AuditEvent).options(selectinload(AuditEvent.actor)).where(
        AuditEvent.subject_type == "Deal", AuditEvent.subject_id == deal.id
    ).order_by(AuditEvent.at, AuditEvent.id)
    return db.session.scalars(stmt).all()


# --- the conflict check ------------------------------------------------------------------


def check(customer: Customer, product_ids: frozenset[int], exclude_deal_id: int | None = None) -> Assessment:
    """How `customer` compares with every registration that claims a customer and with the
    vendor's house accounts. Each criterion is an index lookup; one that matches more than
    matching.TOO_MANY rows does not discriminate and is ignored."""
    keys = matching.keys_for(customer)
    criteria = _criteria(keys)
    if not criteria:
        return matching.assess(keys, product_ids, ())
    now = clock.now()
    claiming = Deal.status.in_(CLAIMING_STATUSES)
    if exclude_deal_id is not None:
        claiming = sa.and_(claiming, Deal.id != exclude_deal_id)
    deal_hits = _candidates(Deal, criteria, claiming)
    house_hits = _candidates(HouseAccount, criteria, sa.true())
    counts = {reason: 0 for reason, _, _ in criteria}
    for reason, _ in deal_hits + house_hits:
        counts[reason] += 1
    deals = db.session.scalars(sa.select(Deal).options(selectinload(Deal.products))
                               .where(Deal.id.in_({deal_id for _, deal_id in deal_hits}))).all()
    houses = db.session.scalars(sa.select(HouseAccount).where(HouseAccount.id.in_({i for _, i in house_hits}))).all()
    claims = [_claim_of_deal(deal, now) for deal in deals]
    claims += [Claim(house.id, house.keys, frozenset(), house.created_at, True, house=True) for house in houses]
    return matching.assess(keys, product_ids, claims, matching.too_broad(counts))


@dataclass(frozen=True)
class OwnHolding:
    """The registration that holds a customer, when it is the rep's own organisation's."""
    deal_id: int
    protected_until: datetime | None  # None while it waits for review
    owner_name: str
    visible: bool  # the rep may open it (a partner user sees only their own deals)


def own_holding(user: User, assessment: Assessment) -> OwnHolding | None:
    """What the rep may be told about the holder: a deal of their own org, by number. Another
    partner's deal stays anonymous."""
    holder = assessment.holder
    if holder is None or holder.house or user.is_vendor:
        return None
    deal = db.session.get(Deal, holder.id)
    if deal.org_id != user.org_id:
        return None
    visible = db.session.scalar(deals_visible_to(user).where(Deal.id == deal.id).with_only_columns(Deal.id))
    return OwnHolding(deal.id, deal.protected_until, deal.owner.name, visible is not None)


def _criteria(keys: matching.Keys) -> list[tuple[Reason, str, str]]:
    """(reason, key column, the customer's value) for each key the customer has."""
    lookups = [
        (Reason.SAME_NAME, "key_company", keys.company),
        (Reason.SIMILAR_NAME, "key_token", keys.company_token),
        (Reason.SAME_DOMAIN, "key_domain", keys.domain),
        (Reason.SAME_EMAIL, "key_email", keys.email),
        (Reason.SAME_PHONE, "key_phone", keys.phone),
    ]
    return [(reason, column, value) for reason, column, value in lookups if value]


def _candidates(model, criteria, where) -> list[tuple[Reason, int]]:
    """(criterion, id) of the rows each criterion finds, at most TOO_MANY + 1 per criterion
    (enough to tell that it finds too many), in one statement."""
    per_criterion = [
        sa.select(sa.literal(reason.name).label("reason"), model.id.label("id"))
        .where(getattr(model, column) == value, where)
        .limit(matching.TOO_MANY + 1)
        .subquery()
        for reason, column, value in criteria
    ]
    union = sa.union_all(*(sa.select(sub.c.reason, sub.c.id) for sub in per_criterion))
    return [(Reason[reason], row_id) for reason, row_id in db.session.execute(union)]


def _claim_of_deal(deal: Deal, now: datetime) -> Claim:
    protected = deal.status_at(now) in (DealStatus.submitted, DealStatus.approved)
    return Claim(deal.id, deal.keys, frozenset(p.id for p in deal.products), deal.submitted_at or deal.created_at,
                 protected)


def _lock_registrations() -> None:
    """Serialise submissions so that of two at the same moment exactly one is first.
    SQLite already runs writing transactions one at a time (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(REGISTRATION_LOCK)))


# --- registering -------------------------------------------------------------------------


def _apply(deal: Deal, data: DealInput) -> None:
    for name in ("customer_company", "customer_website", "contact_name", "contact_email", "contact_phone",
                 "country", "amount", "currency", "close_date", "stage", "notes"):
        setattr(deal, name, getattr(data, name))
    deal.products = db.session.scalars(sa.select(Product).where(Product.id.in_(data.product_ids))).all()
    deal.keys = matching.keys_for(data.customer)
    deal.distributor = distributor_of(deal.org) if data.name_distributor else None


def distributor_of(org: Organization) -> Organization | None:
    """The distributor a reseller may name on its deals: its own, while active (no other org)."""
    distributor = org.parent
    return distributor if distributor is not None and distributor.is_active else None


def _snapshot(deal: Deal) -> dict:
    return {"customer": deal.customer_company, "amount": f"{deal.amount} {deal.currency}",
            "close_date": deal.close_date.isoformat(), "stage": deal.stage.value,
            "products": [p.name for p in deal.products], "status": deal.status.value,
            "distributor": deal.distributor.name if deal.distributor else None}


def create_deal(actor: User, data: DealInput, submit_now: bool) -> Deal:
    deal = _new_deal(Deal(org=actor.org, owner=actor, status=DealStatus.draft), data)
    audit.record(actor, "deal.create", deal, f"Registered {deal.customer_company} as a draft", after=_snapshot(deal),
                 org=actor.org)
    if submit_now:
        submit(actor, deal)
    return deal


def register_on_behalf(actor: User, reseller: Organization, owner: User, data: DealInput) -> Deal:
    """A distributor's person registers (and submits) a deal for one of its resellers: the
    deal is the reseller's, owned by `owner` there, and the audit names who registered it.
    The caller has checked that the reseller is the actor's (program.distribution)."""
    data = replace(data, name_distributor=True)
    deal = _new_deal(Deal(org=reseller, owner=owner, registered_by=actor, status=DealStatus.draft), data)
    audit.record(actor, "deal.create", deal,
                 f"Registered {deal.customer_company} on behalf of {reseller.name} ({actor.org.name})",
                 after={**_snapshot(deal), "registered_by": actor.name}, org=reseller)
    submit(actor, deal)
    notify(owner, f"Deal registered for you: {deal.customer_company}",
           f"{actor.name} of {actor.org.name} registered {deal.customer_company} for {reseller.name} and submitted "
           "it for review. It is yours to follow up.", "deals.detail", deal_id=deal.id)
    return deal


def _new_deal(deal: Deal, data: DealInput) -> Deal:
    _apply(deal, data)
    db.session.add(deal)
    db.session.flush()
    return deal


def update_draft(actor: User, deal: Deal, data: DealInput, submit_now: bool) -> None:
    _move(deal, DealStatus.draft, DealStatus.draft)  # holds the draft: a submission at the same moment waits
    before = _snapshot(deal)
    _apply(deal, data)
    audit.record(actor, "deal.update", deal, f"Edited the draft for {deal.customer_company}", before=before,
                 after=_snapshot(deal), org=deal.org)
    if submit_now:
        submit(actor, deal)


def submit(actor: User, deal: Deal) -> Assessment:
    _lock_registrations()
    _move(deal, DealStatus.draft, DealStatus.submitted, submitted_at=clock.now())
    assessment = check(_customer_of(deal), frozenset(p.id for p in deal.products), exclude_deal_id=deal.id)
    deal.conflict_level = assessment.level
    deal.conflict_reasons = ",".join(reason.name for reason in assessment.reasons)
    holder = assessment.holder
    deal.conflict_deal_id = holder.id if holder and not holder.house else None
    deal.conflict_house_id = holder.id if holder and holder.house else None
    audit.record(actor, "deal.submit", deal, f"Submitted for review ({assessment.explain()})", org=deal.org,
                 after={"conflict": assessment.level.value, "reasons": [r.value for r in assessment.reasons]})
    return assessment


def _customer_of(deal: Deal) -> Customer:
    return Customer(deal.customer_company, deal.customer_website, deal.contact_email, deal.contact_phone)


def delete_draft(actor: User, deal: Deal) -> None:
    _move(deal, DealStatus.draft, DealStatus.draft)
    audit.record(actor, "deal.delete", deal, f"Deleted the draft for {deal.customer_company}", org=deal.org,
                 before=_snapshot(deal))
    db.session.delete(deal)


def _move(deal: Deal, expected: DealStatus | tuple[DealStatus, ...], to: DealStatus, **values) -> None:
    """The one way a deal changes status: a compare-and-set on its status as of now (an
    approval past its protection date counts as expired)."""
    now = clock.now()
    expected = (expected,) if isinstance(expected, DealStatus) else expected
    workflow.transition(deal, expected, to, values, when=sa.or_(*(with_status(s, now) for s in expected)),
                        state=lambda row: row.status_at(now))


# --- deciding ----------------------------------------------------------------------------


def approve(actor: User, deal: Deal) -> None:
    now = clock.now()
    _move(deal, DealStatus.submitted, DealStatus.approved, decided_at=now, decided_by_id=actor.id,
          protected_until=now + protection_period(deal.org), reminded_days=None)
    until = deal.protected_until.date()
    audit.record(actor, "deal.approve", deal, f"Approved; protected until {clock.as_text(until)}", org=deal.org,
                 after={"protected_until": until.isoformat()})
    _tell_owner(deal, f"Deal approved: {deal.customer_company}",
                f"Your registration for {deal.customer_company} is approved and protected until {clock.as_text(until)}.")
    _tell_distributor(deal, f"was approved; it is protected until {clock.as_text(until)}")


def reject(actor: User, deal: Deal, reason: str) -> None:
    if not reason.strip():
        raise WorkflowError("Give a reason for the rejection; the rep will see it.")
    _move(deal, DealStatus.submitted, DealStatus.rejected, decided_at=clock.now(), decided_by_id=actor.id,
          rejection_reason=reason.strip())
    audit.record(actor, "deal.reject", deal, f"Rejected: {deal.rejection_reason}", org=deal.org)
    _tell_owner(deal, f"Deal rejected: {deal.customer_company}",
                f"Your registration for {deal.customer_company} was rejected.\nReason: {deal.rejection_reason}")
    _tell_distributor(deal, f"was rejected.\nReason: {deal.rejection_reason}")


def decide_many(actor: User, deal_ids: list[int], approved: bool, reason: str = "") -> tuple[int, list[str]]:
    """Approve or reject several submitted deals; returns (how many, problems by customer)."""
    done, problems = 0, []
    deals = db.session.scalars(deals_visible_to(actor).where(Deal.id.in_(deal_ids)).order_by(Deal.id)).all()
    for deal in deals:
        try:
            approve(actor, deal) if approved else reject(actor, deal, reason)
            done += 1
        except WorkflowError as error:
            problems.append(f"{deal.customer_company}: {error}")
    return done, problems


def close(actor: User, deal: Deal, won: bool) -> None:
    """The rep reports the outcome of an approved deal."""
    _move(deal, DealStatus.approved, DealStatus.won if won else DealStatus.lost, closed_at=clock.now())
    audit.record(actor, f"deal.{deal.status.value}", deal, f"Marked {deal.status.value}", org=deal.org)
    _tell_distributor(deal, f"was marked {deal.status.value} by {actor.name}")


# --- extensions --------------------------------------------------------------------------


def request_extension(actor: User, deal: Deal, reason: str) -> ExtensionRequest:
    if not reason.strip():
        raise WorkflowError("Say why the deal needs more time.")
    _move(deal, DealStatus.approved, DealStatus.approved)  # holds the deal: a second request waits, then sees this one
    if db.session.scalar(_pending(deal)) is not None:
        raise WorkflowError("An extension request for this deal is already waiting for a decision.")
    request = ExtensionRequest(requested_by_id=actor.id, reason=reason.strip())
    deal.extensions.append(request)
    audit.record(actor, "deal.extension_request", deal, f"Asked for an extension: {request.reason}", org=deal.org)
    return request


def _pending(deal: Deal):
    return sa.select(ExtensionRequest).where(ExtensionRequest.deal_id == deal.id, ExtensionRequest.decided_at.is_(None))


def decide_extension(actor: User, deal: Deal, approved: bool, new_until: date | None = None) -> None:
    request = db.session.scalar(_pending(deal))
    now = clock.now()
    until = datetime.combine(new_until, datetime.min.time()) if approved and new_until else None
    if request is not None and approved and (until is None or until <= max(now, deal.protected_until or now)):
        raise WorkflowError("The new date must be later than the current protection date.")
    decided = {"decided_at": now, "decided_by_id": actor.id, "approved": approved, "new_until": until}
    if request is None or not workflow.compare_and_set(request, ExtensionRequest.decided_at.is_(None), decided):
        raise WorkflowError("There is no extension request waiting for a decision.")
    if approved:
        # An approval that lapsed while the request waited is approved again.
        _move(deal, (DealStatus.approved, DealStatus.expired), DealStatus.approved, protected_until=until,
              reminded_days=None)
        audit.record(actor, "deal.extension_approve", deal, f"Extended until {clock.as_text(until)}",
                     org=deal.org)
        _tell_owner(deal, f"Extension approved: {deal.customer_company}",
                    f"Protection for {deal.customer_company} now runs until {clock.as_text(until)}.")
        _tell_distributor(deal, f"was extended; it is protected until {clock.as_text(until)}")
    else:
        audit.record(actor, "deal.extension_decline", deal, "Declined the extension request", org=deal.org)
        _tell_owner(deal, f"Extension declined: {deal.customer_company}",
                    f"Your extension request for {deal.customer_company} was declined.")
        _tell_distributor(deal, "did not get the extension it asked for")


def _tell_owner(deal: Deal, subject: str, body: str) -> None:
    notify(deal.owner, subject, body, "deals.detail", deal_id=deal.id)


def _tell_distributor(deal: Deal, news: str) -> None:
    """Tell the admins of the distributor following the deal what was decided."""
    distributor = deal.followed_by
    if distributor is None or not distributor.is_active:
        return
    admins = db.session.scalars(sa.select(User).where(User.org_id == distributor.id, User.role == Role.partner_admin,
                                                      User.active.is_(True)).order_by(User.id))
    for admin in admins:
        notify(admin, f"Reseller deal update: {deal.customer_company}",
               f"{deal.org.name}'s registration for {deal.customer_company} {news}.", "program.reseller_deal",
               deal_id=deal.id)


# --- time passing: `cli.py tick` ---------------------------------------------------------


def expire_lapsed() -> int:
    """Write down the expiry of approvals whose protection has ended (reads already show it)."""
    now = clock.now()
    lapsed = db.session.scalars(sa.select(Deal).where(Deal.status == DealStatus.approved,
                                                      Deal.protected_until <= now)).all()
    expired = 0
    for deal in lapsed:
        try:
            workflow.transition(deal, DealStatus.approved, DealStatus.expired, when=Deal.protected_until <= now)
        except WorkflowError:
            continue  # extended or closed a moment ago
        expired += 1
        audit.record(None, "deal.expire", deal, "Protection period ended", org=deal.org)
        _tell_owner(deal, f"Deal protection expired: {deal.customer_company}",
                    f"Protection for {deal.customer_company} ended on {clock.as_text(deal.protected_until)}.")
        _tell_distributor(deal, f"expired: its protection ended on {clock.as_text(deal.protected_until)}")
    return expired


def send_reminders() -> int:
    """Remind reps 14 and 3 days before protection ends; each reminder once. Nearest first,
    so a deal first seen with under 3 days left gets the 3-day reminder only."""
    now, sent = clock.now(), 0
    for days in sorted(REMINDER_DAYS):
        not_yet = sa.or_(Deal.reminded_days.is_(None), Deal.reminded_days > days)
        due = db.session.scalars(sa.select(Deal).where(
            Deal.status == DealStatus.approved,
            Deal.protected_until > now,
            Deal.protected_until <= now + timedelta(days=days),
            not_yet,
        )).all()
        for deal in due:
            if not workflow.compare_and_set(deal, not_yet, {"reminded_days": days}):
                continue  # another run of the job sent it
            left = (deal.protected_until.date() - now.date()).days
            _tell_owner(deal, f"Deal protection ends in {left} days: {deal.customer_company}",
                        f"Protection for {deal.customer_company} ends on {clock.as_text(deal.protected_until)}. "
                        "Close it, or ask for an extension.")
            sent += 1
    return sent


# --- the sales room widget ---------------------------------------------------------------


def open_deals(user: User, limit: int = 5) -> list[Deal]:
    stmt = deals_visible_to(user).where(Deal.owner_id == user.id, Deal.status.in_(OPEN_STATUSES))
    stmt = stmt.where(sa.not_(with_status(DealStatus.expired, clock.now())))
    return db.session.scalars(stmt.order_by(Deal.updated_at.desc()).limit(limit)).all()


def expiring_soon(user: User, within_days: int = REMINDER_DAYS[0], limit: int = 5) -> list[Deal]:
    now = clock.now()
    stmt = deals_visible_to(user).where(Deal.status == DealStatus.approved, Deal.protected_until > now,
                                        Deal.protected_until <= now + timedelta(days=within_days))
    return db.session.scalars(stmt.order_by(Deal.protected_until).limit(limit)).all()


# --- house accounts ----------------------------------------------------------------------


def house_accounts():
    return sa.select(HouseAccount).order_by(HouseAccount.company, HouseAccount.id)


def house_account_with_domain(domains: Collection[str]) -> HouseAccount | None:
    """The vendor's own account at one of these (normalised) domains, if any."""
    return db.session.scalar(sa.select(HouseAccount).where(HouseAccount.key_domain.in_(domains))
                             .order_by(HouseAccount.id).limit(1))


def add_house_account(actor: User, company: str, website: str | None) -> HouseAccount:
    account = HouseAccount(company=company, website=website)
    account.keys = matching.keys_for(Customer(company, website))
    db.session.add(account)
    db.session.flush()
    audit.record(actor, "house_account.create", account, f"Added house account {company}", org=actor.org)
    return account


def remove_house_account(actor: User, account: HouseAccount) -> None:
    audit.record(actor, "house_account.delete", account, f"Removed house account {account.company}", org=actor.org)
    db.session.delete(account)


def customers_named_in(events: list[AuditEvent]) -> dict[int, str]:
    """Deal id -> customer company, for the deals these audit events are about (one query):
    lists that mix events of several deals name each one."""
    deal_ids = {event.subject_id for event in events if event.subject_type == Deal.__name__}
    if not deal_ids:
        return {}
    return dict(db.session.execute(sa.select(Deal.id, Deal.customer_company).where(Deal.id.in_(deal_ids))).all())


# --- what the program measures ----------------------------------------------------------------


def won_revenue(since: datetime, until: datetime, org_ids: Collection[int] | None = None) -> dict[tuple[int, str], int]:
    """Whole units of each currency won by each org, closed in (since, until], by (org id,
    currency): one grouped query, exact (the program converts with its rate table)."""
    stmt = (sa.select(Deal.org_id, Deal.currency, sa.func.sum(Deal.amount))
            .where(Deal.status == DealStatus.won, Deal.closed_at > since, Deal.closed_at <= until)
            .group_by(Deal.org_id, Deal.currency))
    if org_ids is not None:
        stmt = stmt.where(Deal.org_id.in_(org_ids))
    return {(org_id, currency): int(total) for org_id, currency, total in db.session.execute(stmt)}


# Registrations that were approved: those still protected, and those that were won, lost or lapsed since.
WAS_APPROVED = (DealStatus.approved, DealStatus.won, DealStatus.lost, DealStatus.expired)


def approved_registrations(since: datetime, until: datetime, org_ids: Collection[int] | None = None) -> dict[int, int]:
    """How many registrations each org had approved in (since, until]: one grouped query."""
    stmt = (sa.select(Deal.org_id, sa.func.count(Deal.id))
            .where(Deal.status.in_(WAS_APPROVED), Deal.decided_at > since, Deal.decided_at <= until)
            .group_by(Deal.org_id))
    if org_ids is not None:
        stmt = stmt.where(Deal.org_id.in_(org_ids))
    return dict(db.session.execute(stmt).all())


def first_registrations(org_ids: Collection[int]) -> dict[int, datetime]:
    """When each of these orgs first submitted a deal registration (onboarding)."""
    stmt = first_registration_by_org()
    return dict(db.session.execute(sa.select(stmt.c.org_id, stmt.c.first_at).where(stmt.c.org_id.in_(org_ids))).all())


def first_registration_by_org():
    """A subquery (org_id, first_at): when each org first submitted a registration (reports join it)."""
    return (sa.select(Deal.org_id, sa.func.min(Deal.submitted_at).label("first_at"))
            .where(Deal.submitted_at.is_not(None)).group_by(Deal.org_id).subquery("first_registrations"))


def counted_since(org_id: int, since: datetime) -> list[tuple[datetime, datetime | None]]:
    """For forecasts: (decided_at, closed_at if won) of the org's approved registrations decided
    after `since`: the moments each leaves a trailing window."""
    return db.session.execute(
        sa.select(Deal.decided_at, sa.case((Deal.status == DealStatus.won, Deal.closed_at)))
        .where(Deal.org_id == org_id, Deal.status.in_(WAS_APPROVED), Deal.decided_at > since)).all()


def open_for_what_if(user: User):
    """The approved, still protected deals of the user's org that could yet be won (newest first)."""
    return (deals_visible_to(user).where(Deal.org_id == user.org_id, with_status(DealStatus.approved, clock.now()))
            .order_by(Deal.close_date, Deal.id))
