"""Onboarding: each partner type's checklist, and each new partner's way through it. A step
completes itself from the portal's data (other domains' queries), never from a partner
ticking a box; custom steps are confirmed by the vendor. Pages show progress measured live;
`tick` records when each step completed (a compare-and-set: once; the moment itself where
the data has it), the moment the whole checklist did, and reminds about a step stalled for
7 days (once per step)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from portal.agreements import services as agreements
from portal.cobrand import collateral, services as cobrand
from portal.core import audit, clock, workflow
from portal.core.errors import DomainError
from portal.core.models import Organization, PartnerType, Role, User
from portal.deals import services as deals
from portal.extensions import db
from portal.notifications.services import notify
from portal.onboarding.models import Checklist, ChecklistStep, Onboarding, StepKind, StepProgress
from portal.training import certificates

STALLED_AFTER = timedelta(days=7)


class ChecklistError(DomainError):
    pass


def step_title(step: ChecklistStep) -> str:
    """What the partner reads: "Invite 3 people", "2 people certified “Sales Fundamentals”"."""
    if step.title:
        return step.title
    if step.kind is StepKind.team:
        return f"Have {step.target} people on the team"
    if step.kind is StepKind.certified:
        name = (step.path.certification_name or step.path.title) if step.path else "a learning path"
        return f"{step.target} {'person' if step.target == 1 else 'people'} certified “{name}”"
    return step.kind.label


# --- the checklists -----------------------------------------------------------------------------


def checklists() -> list[Checklist]:
    return db.session.scalars(sa.select(Checklist).order_by(Checklist.partner_type.is_not(None),
                                                            Checklist.partner_type)).all()


def checklist_for(partner_type: PartnerType | None) -> Checklist | None:
    """The type's own checklist, else the one for every type."""
    rows = {c.partner_type: c for c in db.session.scalars(sa.select(Checklist).where(
        sa.or_(Checklist.partner_type == partner_type, Checklist.partner_type.is_(None))))}
    return rows.get(partner_type) or rows.get(None)


def get_or_create_checklist(actor: User, partner_type: PartnerType | None) -> Checklist:
    checklist = db.session.scalar(sa.select(Checklist).where(
        Checklist.partner_type.is_(None) if partner_type is None else Checklist.partner_type == partner_type))
    if checklist is None:
        checklist = Checklist(partner_type=partner_type)
        db.session.add(checklist)
        db.session.flush()
        audit.record(actor, "onboarding.checklist_created", checklist,
                     f"Onboarding checklist for {partner_type.label if partner_type else 'every partner type'}")
    return checklist


@dataclass
class StepInput:
    kind: StepKind
    target: int
    path_id: int | None
    title: str


def add_step(actor: User, checklist: Checklist, data: StepInput) -> ChecklistStep:
    if data.kind is StepKind.certified and data.path_id is None:
        raise ChecklistError("Choose the learning path whose certification counts.", field="path_id")
    if data.kind is StepKind.custom and not data.title:
        raise ChecklistError("Say what the partner does; the channel team confirms it.", field="title")
    step = ChecklistStep(checklist=checklist, kind=data.kind, target=data.target,
                         path_id=data.path_id if data.kind is StepKind.certified else None, title=data.title,
                         position=max((s.position for s in checklist.steps), default=0) + 1)
    db.session.add(step)
    db.session.flush()
    for org_id in _onboarding_orgs_following(checklist):
        db.session.add(StepProgress(org_id=org_id, step_id=step.id))
    audit.record(actor, "onboarding.step_added", step, f"Onboarding step added: {step_title(step)}")
    return step


def remove_step(actor: User, step: ChecklistStep) -> None:
    audit.record(actor, "onboarding.step_removed", step, f"Onboarding step removed: {step_title(step)}")
    db.session.delete(step)
    db.session.flush()


def move_step(actor: User, step: ChecklistStep, earlier: bool) -> None:
    steps = step.checklist.steps
    index = steps.index(step)
    other = index - 1 if earlier else index + 1
    if 0 <= other < len(steps):
        steps[index].position, steps[other].position = steps[other].position, steps[index].position
        audit.record(actor, "onboarding.step_moved", step,
                     f"Onboarding step “{step_title(step)}” moved {'earlier' if earlier else 'later'}")


def _onboarding_orgs_following(checklist: Checklist) -> list[int]:
    """The orgs still onboarding whose steps come from this checklist."""
    rows = db.session.execute(sa.select(Onboarding.org_id, Organization.partner_type)
                              .join(Organization, Organization.id == Onboarding.org_id)
                              .where(Onboarding.completed_at.is_(None))).all()
    follows = {partner_type: checklist_for(partner_type) is checklist for partner_type in {t for _, t in rows}}
    return [org_id for org_id, partner_type in rows if follows[partner_type]]


# --- one org's onboarding -----------------------------------------------------------------------------


def start(org: Organization, application_id: int | None, at: datetime | None = None) -> Onboarding:
    """The org's onboarding begins (at its approval), with a row for each step of its checklist."""
    onboarding = Onboarding(org_id=org.id, application_id=application_id, started_at=at or clock.now())
    db.session.add(onboarding)
    db.session.flush()
    checklist = checklist_for(org.partner_type)
    for step in checklist.steps if checklist else []:
        db.session.add(StepProgress(org_id=org.id, step_id=step.id))
    return onboarding


@dataclass(frozen=True)
class StepState:
    step: ChecklistStep
    progress: StepProgress
    done: bool
    title: str

    @property
    def custom(self) -> bool:
        return self.step.kind is StepKind.custom


@dataclass(frozen=True)
class Progress:
    onboarding: Onboarding
    steps: list[StepState]

    @property
    def done(self) -> int:
        return sum(state.done for state in self.steps)

    @property
    def next_step(self) -> StepState | None:
        return next((state for state in self.steps if not state.done), None)

    @property
    def complete(self) -> bool:
        return self.onboarding.completed_at is not None or self.next_step is None


def progress_of(org: Organization) -> Progress | None:
    """The org's checklist as it stands now (measured live), or None if it is not onboarding."""
    onboarding = db.session.get(Onboarding, org.id)
    if onboarding is None:
        return None
    return _progress({org.id: onboarding})[org.id]


def _progress(onboardings: dict[int, Onboarding]) -> dict[int, Progress]:
    return {org_id: progress for org_id, (progress, _) in _measured(onboardings).items()}


def _measured(onboardings: dict[int, Onboarding]) -> dict[int, tuple[Progress, dict[int, datetime]]]:
    """Each org's progress, and when each open step it has done was done (by step id)."""
    rows = db.session.scalars(
        sa.select(StepProgress).join(ChecklistStep, ChecklistStep.id == StepProgress.step_id)
        .where(StepProgress.org_id.in_(onboardings)).order_by(ChecklistStep.position, ChecklistStep.id)).all()
    by_org: dict[int, list[StepProgress]] = defaultdict(list)
    for row in rows:
        by_org[row.org_id].append(row)
    done_at = _measure(rows)
    result = {}
    for org_id, onboarding in onboardings.items():
        states = [StepState(row.step, row, row.completed_at is not None or (org_id, row.step_id) in done_at,
                            step_title(row.step)) for row in by_org[org_id]]
        result[org_id] = (Progress(onboarding, states),
                          {step_id: at for (org, step_id), at in done_at.items() if org == org_id})
    return result


def _measure(rows: list[StepProgress]) -> dict[tuple[int, int], datetime]:
    """The (org, step) pairs the portal's data shows done, with when: the moment itself where
    the data has it (the first acceptance of an agreement, a first deal or PDF), else now. One grouped
    query per kind of step."""
    open_rows = [row for row in rows if row.completed_at is None and row.step.kind is not StepKind.custom]
    org_ids = {row.org_id for row in open_rows}
    if not org_ids:
        return {}
    now, kinds = clock.now(), {row.step.kind for row in open_rows}
    found: dict[StepKind, dict] = {}
    if StepKind.agreement in kinds:
        found[StepKind.agreement] = agreements.first_acceptances(org_ids)
    if StepKind.brand_kit in kinds:
        found[StepKind.brand_kit] = dict.fromkeys(cobrand.ready_kits(org_ids), now)
    if StepKind.team in kinds:
        found[StepKind.team] = dict(db.session.execute(
            sa.select(User.org_id, sa.func.count(User.id)).where(User.org_id.in_(org_ids), User.active.is_(True))
            .group_by(User.org_id)).all())
    if StepKind.certified in kinds:
        found[StepKind.certified] = certificates.certified_counts(now, org_ids)
    if StepKind.first_deal in kinds:
        found[StepKind.first_deal] = deals.first_registrations(org_ids)
    if StepKind.first_cobrand_pdf in kinds:
        found[StepKind.first_cobrand_pdf] = collateral.first_pdfs(org_ids)
    done = {}
    for row in open_rows:
        at = _done_at(row, found[row.step.kind], now)
        if at is not None:
            done[row.org_id, row.step_id] = at
    return done


def _done_at(row: StepProgress, found: dict, now: datetime) -> datetime | None:
    step = row.step
    if step.kind is StepKind.team:
        return now if found.get(row.org_id, 0) >= step.target else None
    if step.kind is StepKind.certified:
        return now if found.get((row.org_id, step.path_id), 0) >= step.target else None
    return found.get(row.org_id)


def confirm_step(actor: User, org: Organization, progress: StepProgress) -> None:
    """The vendor confirms a custom step for the org (once: a second confirmation is refused)."""
    if progress.step.kind is not StepKind.custom:
        raise ChecklistError("This step completes itself from the portal's data.")
    if not workflow.compare_and_set(progress, StepProgress.completed_at.is_(None),
                                    {"completed_at": clock.now(), "confirmed_by_id": actor.id}):
        raise ChecklistError(f"{progress.confirmed_by.name if progress.confirmed_by else 'Someone'} confirmed "
                             f"it on {clock.as_text(progress.completed_at)} already.")
    audit.record(actor, "onboarding.step_confirmed", org, f"{org.name}: “{step_title(progress.step)}” confirmed",
                 org=org)
    _record({org.id: db.session.get(Onboarding, org.id)})


# --- tick ----------------------------------------------------------------------------------------------


def record_progress() -> int:
    """From `tick`: write down the steps done since the last run and the onboardings now
    complete; how many steps completed."""
    return _record(_unfinished())


def _unfinished() -> dict[int, Onboarding]:
    return {o.org_id: o for o in db.session.scalars(sa.select(Onboarding).where(Onboarding.completed_at.is_(None)))}


def _record(onboardings: dict[int, Onboarding]) -> int:
    completed = 0
    for progress, done_at in _measured(onboardings).values():
        for state in progress.steps:
            if state.progress.step_id in done_at:
                completed += workflow.compare_and_set(state.progress, StepProgress.completed_at.is_(None),
                                                      {"completed_at": done_at[state.progress.step_id]})
        last = max((s.progress.completed_at for s in progress.steps if s.progress.completed_at), default=None)
        if progress.next_step is None and workflow.compare_and_set(
                progress.onboarding, Onboarding.completed_at.is_(None), {"completed_at": last or clock.now()}):
            org = progress.onboarding.org
            audit.record(None, "onboarding.completed", org, f"{org.name} completed its onboarding", org=org)
    return completed


def send_reminders() -> int:
    """From `tick`: tell an onboarding org's admins about its next step once it has waited
    7 days (since the onboarding began or the step before it completed); once per step."""
    sent, now = 0, clock.now()
    for org_id, progress in _progress(_unfinished()).items():
        state = progress.next_step
        if state is None or state.progress.reminded_at is not None:
            continue
        if now - _waiting_since(progress) < STALLED_AFTER:
            continue
        if workflow.compare_and_set(state.progress, StepProgress.reminded_at.is_(None), {"reminded_at": now}):
            org = progress.onboarding.org
            for admin in db.session.scalars(sa.select(User).where(User.org_id == org_id,
                                                                  User.role == Role.partner_admin,
                                                                  User.active.is_(True))):
                notify(admin, f"Onboarding: {state.title}",
                       f"{org.name}'s next onboarding step has waited a week: {state.title}. "
                       "The onboarding checklist shows what is done and what is left.", "onboarding.progress")
            sent += 1
    return sent


def _waiting_since(progress: Progress) -> datetime:
    """Since when the next step has waited: the onboarding's start or the last completion."""
    return max([progress.onboarding.started_at, *(s.progress.completed_at for s in progress.steps
                                                  if s.progress.completed_at)])
