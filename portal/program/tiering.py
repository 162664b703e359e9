"""Tier changes: the evaluation's decisions, the vendor's queue, overrides, pins and deferrals.

`evaluate` decides for every partner: a promotion applies at once or waits in the vendor's
queue (a program setting); a demotion waits out a grace period, with a warning when it starts
and 14 days before it ends; a partner back at its tier's criteria leaves its grace period. Every
change is stored with the evidence behind it (each criterion's measured value and target) and
audited. A decision that is already made is not made again, so a second run the same day
changes nothing and sends nothing. Every status change is a compare-and-set."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from portal.core import audit, clock, workflow
from portal.core.errors import DomainError
from portal.core.models import Organization, OrgKind, OrgStatus, Role, Tier, User
from portal.core.tiers import tier_by_id
from portal.extensions import db
from portal.notifications.services import notify
from portal.program import evaluation
from portal.program.models import ChangeKind, ChangeStatus, OrgStanding, ProgramSettings, PromotionPolicy, TierChange

GRACE_REMINDER = timedelta(days=14)


class TierChangeError(DomainError):
    pass


@dataclass
class Outcome:
    """What one evaluation did, by org name."""
    evaluated: int = 0
    promoted: list[str] = field(default_factory=list)
    queued: list[str] = field(default_factory=list)
    grace_started: list[str] = field(default_factory=list)
    grace_reminded: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    demoted: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """"200 partners evaluated: 1 promoted, 2 queued, …" (only what happened)."""
        done = [f"{len(names)} {label}" for label, names in (
            ("promoted", self.promoted), ("queued for review", self.queued), ("given a grace period",
             self.grace_started), ("reminded", self.grace_reminded), ("back at their tier", self.recovered),
            ("demoted", self.demoted), ("withdrawn from the queue", self.withdrawn)) if names]
        return f"{self.evaluated} partner(s) evaluated" + (f": {', '.join(done)}" if done else ", nothing changed")


def evaluate_daily() -> Outcome | None:
    """From `cli.py tick`: the day's evaluation, once a day across hosts (the first tick of the
    day claims it with a compare-and-set on the settings row)."""
    today = clock.now().date()
    claimed = db.session.execute(sa.update(ProgramSettings).where(
        ProgramSettings.id == ProgramSettings.ONLY,
        sa.or_(ProgramSettings.evaluated_on.is_(None), ProgramSettings.evaluated_on < today),
    ).values(evaluated_on=today).execution_options(synchronize_session=False)).rowcount
    return evaluate() if claimed else None


def evaluate(actor: User | None = None, at: datetime | None = None) -> Outcome:
    """Evaluate every active partner against every tier and act on what it finds."""
    at = at or clock.now()
    definition = evaluation.load_definition()
    outcome = Outcome()
    if not definition.tiers:
        return outcome
    orgs = db.session.scalars(sa.select(Organization).where(Organization.kind == OrgKind.partner,
                                                            Organization.status == OrgStatus.active)).all()
    measures = evaluation.measure(definition, at)
    standings = {s.org_id: s for s in db.session.scalars(sa.select(OrgStanding))}
    pending = {c.org_id: c for c in db.session.scalars(sa.select(TierChange).where(
        TierChange.status == ChangeStatus.pending))}
    admins: dict[int, list[User]] = {}
    for admin in db.session.scalars(_admins()):  # told of what happens to their org: one query for all
        admins.setdefault(admin.org_id, []).append(admin)
    for org in orgs:
        outcome.evaluated += 1
        _decide(Decision(org, definition, measures[org.id], standings.get(org.id), pending.get(org.id), at, actor,
                         admins.get(org.id, [])), outcome)
    return outcome


@dataclass
class Decision:
    org: Organization
    definition: evaluation.Definition
    measures: evaluation.Measures
    standing: OrgStanding | None
    pending: TierChange | None
    at: datetime
    actor: User | None
    admins: list[User] | None = None  # the org's partner admins, told of what happens (None: look them up)

    @property
    def qualified(self) -> Tier:
        return evaluation.qualified_tier(self.definition, self.org.partner_type, self.measures)

    def evidence(self, *tiers: Tier | None) -> list[dict]:
        """Each criterion of these tiers, measured: what a change is decided on."""
        currency = self.definition.settings.currency
        return [r.record(tier, currency) for tier in dict.fromkeys(t for t in tiers if t)
                for r in evaluation.readings(self.definition, tier, self.org.partner_type, self.measures)]

    @property
    def pinned(self) -> bool:
        return bool(self.standing and self.standing.pinned_until and self.standing.pinned_until >= self.at.date())


def _decide(d: Decision, outcome: Outcome) -> None:
    current, qualified = tier_by_id(d.org.tier_id), d.qualified
    if d.pinned or qualified is None:
        return
    if current is None or qualified.rank > current.rank:
        _end_grace(d, recovered=False)
        _promote(d, current, qualified, outcome)
        return
    if d.pending is not None:
        _withdraw(d.pending, d.at)
        outcome.withdrawn.append(d.org.name)
    if qualified.rank == current.rank:
        if _end_grace(d, recovered=True):
            outcome.recovered.append(d.org.name)
        return
    _fall_towards(d, current, qualified, outcome)


def _promote(d: Decision, current: Tier | None, qualified: Tier, outcome: Outcome) -> None:
    pending = d.pending
    if pending is not None:
        if pending.to_tier_id == qualified.id:
            return  # already in the queue (deferred or not)
        _withdraw(pending, d.at)
    change = _new_change(d, ChangeKind.promotion, current, qualified)
    if d.definition.settings.promotions is PromotionPolicy.automatic:
        _apply(change, d.actor, automatic=True, admins=d.admins)
        outcome.promoted.append(d.org.name)
    else:
        audit.record(d.actor, "program.promotion_queued", d.org,
                     f"{d.org.name} qualifies for {qualified.name}: the promotion waits for review", org=d.org)
        outcome.queued.append(d.org.name)


def _fall_towards(d: Decision, current: Tier, qualified: Tier, outcome: Outcome) -> None:
    """Below its tier's criteria: start the grace period, remind 14 days before it ends, then demote."""
    standing = d.standing or _standing_of(d.org)
    grace_days = d.definition.settings.grace_days
    if standing.grace_started_at is None:
        standing.grace_started_at, standing.grace_ends_at = d.at, d.at + timedelta(days=grace_days)
        standing.grace_tier_id, standing.grace_reminded = qualified.id, False
        standing.grace_evidence = d.evidence(current)
        if grace_days:
            audit.record(d.actor, "program.grace_started", d.org,
                         f"{d.org.name} no longer meets {current.name}: grace period until "
                         f"{clock.as_text(standing.grace_ends_at)}", after={"falls_to": qualified.name}, org=d.org)
            _tell_admins(d.org, f"Your {current.name} tier is at risk",
                         f"{d.org.name} no longer meets the criteria of {current.name}. Unless it meets them again "
                         f"by {clock.as_text(standing.grace_ends_at)}, it moves to {qualified.name}.", d.admins)
            outcome.grace_started.append(d.org.name)
    standing.grace_tier_id = qualified.id
    if d.at >= standing.grace_ends_at:
        change = _new_change(d, ChangeKind.demotion, current, qualified)
        _apply(change, d.actor, automatic=True, admins=d.admins)
        _clear_grace(standing)
        outcome.demoted.append(d.org.name)
    elif d.at >= standing.grace_ends_at - GRACE_REMINDER and not standing.grace_reminded:
        standing.grace_reminded = True
        _tell_admins(d.org, f"14 days left to keep {current.name}",
                     f"{d.org.name}'s grace period ends on {clock.as_text(standing.grace_ends_at)}; then it moves to "
                     f"{qualified.name} unless it meets the criteria of {current.name} again.", d.admins)
        outcome.grace_reminded.append(d.org.name)


def _end_grace(d: Decision, recovered: bool) -> bool:
    standing = d.standing
    if standing is None or standing.grace_started_at is None:
        return False
    _clear_grace(standing)
    if recovered:
        audit.record(d.actor, "program.grace_ended", d.org, f"{d.org.name} meets {d.org.tier.name} again: "
                     "the grace period ends", org=d.org)
        _tell_admins(d.org, f"You keep {d.org.tier.name}",
                     f"{d.org.name} meets the criteria of {d.org.tier.name} again; the grace period is over.", d.admins)
    return True


def _clear_grace(standing: OrgStanding) -> None:
    standing.grace_started_at = standing.grace_ends_at = standing.grace_tier_id = None
    standing.grace_reminded, standing.grace_evidence = False, []


def _standing_of(org: Organization) -> OrgStanding:
    standing = db.session.get(OrgStanding, org.id)
    if standing is None:
        standing = OrgStanding(org_id=org.id, pin_reason="", grace_reminded=False, grace_evidence=[])
        db.session.add(standing)
    return standing


def _new_change(d: Decision, kind: ChangeKind, current: Tier | None, to: Tier) -> TierChange:
    change = TierChange(org=d.org, org_id=d.org.id, kind=kind, status=ChangeStatus.pending, from_tier_id=current and
                        current.id, to_tier_id=to.id, from_tier_name=current.name if current else "",
                        to_tier_name=to.name, evidence=d.evidence(current, to), evaluated_at=d.at, automatic=False,
                        reason="")
    db.session.add(change)
    db.session.flush()
    return change


def _withdraw(change: TierChange, at: datetime) -> None:
    """A queued promotion the partner no longer qualifies for (or qualifies past) goes."""
    workflow.transition(change, ChangeStatus.pending, ChangeStatus.withdrawn, {"decided_at": at})


def _apply(change: TierChange, actor: User | None, *, automatic: bool, admins: list[User] | None = None) -> None:
    """Move the org from the change's tier to its target: a compare-and-set on both rows."""
    org = change.org
    workflow.transition(change, ChangeStatus.pending, ChangeStatus.applied,
                        {"decided_at": clock.now(), "decided_by_id": actor.id if actor else None,
                         "automatic": automatic})
    held = (Organization.tier_id.is_(None) if change.from_tier_id is None
            else Organization.tier_id == change.from_tier_id)
    if not workflow.compare_and_set(org, held, {"tier_id": change.to_tier_id}):
        raise TierChangeError(f"{org.name}'s tier changed meanwhile; evaluate again.")
    how = "automatically" if automatic else f"by {actor.name}" if actor else ""
    audit.record(actor, f"program.{change.kind.value}", org,
                 f"{org.name}: {change.from_tier_name or 'no tier'} → {change.to_tier_name} ({change.kind.value}, {how})",
                 before={"tier": change.from_tier_name}, after={"tier": change.to_tier_name, "change": change.id},
                 org=org)
    _tell_admins(org, f"{org.name} is now {change.to_tier_name}",
                 f"{org.name} moved from {change.from_tier_name or 'no tier'} to {change.to_tier_name}. "
                 "The program page shows the criteria behind it and your new benefits.", admins)


def _admins():
    return sa.select(User).where(User.role == Role.partner_admin, User.active.is_(True)).order_by(User.id)


def _tell_admins(org: Organization, subject: str, body: str, admins: list[User] | None = None) -> None:
    """Notify (and email) the org's active partner admins (an evaluation loads them for every org at once)."""
    if admins is None:
        admins = db.session.scalars(_admins().where(User.org_id == org.id)).all()
    for admin in admins:
        notify(admin, subject, body, "program.index")


# --- the vendor's decisions --------------------------------------------------------------------


def queue():
    """The promotions waiting for review, oldest first."""
    return (sa.select(TierChange).where(TierChange.status == ChangeStatus.pending)
            .order_by(TierChange.evaluated_at, TierChange.id))


def history(org: Organization | None = None):
    stmt = sa.select(TierChange).where(TierChange.status != ChangeStatus.pending).order_by(
        TierChange.decided_at.desc(), TierChange.id.desc())
    return stmt.where(TierChange.org_id == org.id) if org is not None else stmt


def approve(actor: User, change: TierChange) -> None:
    _apply(change, actor, automatic=False)


def decline(actor: User, change: TierChange, reason: str) -> None:
    if not reason:
        raise TierChangeError("Give a reason; the partner's admins see it.", field="reason")
    workflow.transition(change, ChangeStatus.pending, ChangeStatus.declined,
                        {"decided_at": clock.now(), "decided_by_id": actor.id, "reason": reason})
    audit.record(actor, "program.promotion_declined", change.org,
                 f"{change.org.name}: promotion to {change.to_tier_name} declined: {reason}", org=change.org)
    _tell_admins(change.org, f"Promotion to {change.to_tier_name} declined",
                 f"{change.org.name} met the criteria of {change.to_tier_name}, but the promotion was declined: "
                 f"{reason}")


def defer(actor: User, change: TierChange, until: date) -> None:
    if until <= clock.now().date():
        raise TierChangeError("Defer to a date after today.", field="until")
    workflow.transition(change, ChangeStatus.pending, ChangeStatus.pending, {"deferred_until": until})
    audit.record(actor, "program.promotion_deferred", change.org,
                 f"{change.org.name}: promotion to {change.to_tier_name} deferred to {clock.as_text(until)}",
                 org=change.org)


def ready_for_review(change: TierChange, today: date) -> bool:
    return change.deferred_until is None or change.deferred_until <= today


def override(actor: User, org: Organization, tier: Tier, reason: str, pinned_until: date | None) -> TierChange | None:
    """The vendor sets the org's tier with a reason (audited), optionally pinned until a date
    so evaluations leave it alone; any queued promotion and grace period end."""
    if not reason:
        raise TierChangeError("Give a reason; it is kept with the change and the partner sees it.", field="reason")
    if pinned_until is not None and pinned_until <= clock.now().date():
        raise TierChangeError("Pin until a date after today.", field="pinned_until")
    current = org.tier
    pending = db.session.scalar(sa.select(TierChange).where(TierChange.org_id == org.id,
                                                            TierChange.status == ChangeStatus.pending))
    if pending is not None:
        _withdraw(pending, clock.now())
    standing = _standing_of(org)
    _clear_grace(standing)
    standing.pinned_until, standing.pin_reason = pinned_until, reason if pinned_until else ""
    if current is not None and current.id == tier.id:
        if pinned_until is None:
            raise TierChangeError(f"{org.name} is {tier.name} already.", field="tier")
        audit.record(actor, "program.pinned", org, f"{org.name} pinned at {tier.name} until "
                     f"{clock.as_text(pinned_until)}: {reason}", org=org)
        return None
    definition = evaluation.load_definition()
    measures = evaluation.measure(definition, clock.now(), [org.id])[org.id]
    d = Decision(org, definition, measures, standing, None, clock.now(), actor)
    change = _new_change(d, ChangeKind.override, current, tier)
    change.reason = reason
    _apply(change, actor, automatic=False)
    return change
