"""Where one partner stands: against its tier and the next, a dated forecast built from what
is known already (certificates expiring, deals and registrations ageing out of the window),
and a what-if with open deals counted as won."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from portal.core import clock
from portal.core.clock import months_after, months_before
from portal.core.models import Organization, Tier
from portal.core.tiers import next_tier, tier_by_id
from portal.deals import services as deals
from portal.extensions import db
from portal.program import evaluation
from portal.program.evaluation import Definition, Measures, Reading, WonDeal
from portal.program.models import ChangeStatus, CriterionKind, OrgStanding, TierChange
from portal.training import certificates

FORECAST_MONTHS = 12
FORECAST_MOMENTS = 12  # the soonest moments the forecast re-measures at


@dataclass
class Standing:
    org: Organization
    definition: Definition
    tier: Tier | None
    qualified: Tier | None  # what the criteria say today
    next_tier: Tier | None
    current: list[Reading]
    next: list[Reading]
    grace: OrgStanding | None
    pending: TierChange | None

    @property
    def currency(self) -> str:
        return self.definition.settings.currency

    def line(self, reading: Reading, tier: Tier) -> str:
        """What is missing in words: "2 more people certified “Technical Specialist” → Gold"."""
        return f"{what_is_missing(reading, self.currency)} → {tier.name}"

    @property
    def next_step(self) -> str | None:
        """The one next step: the first unmet criterion of the tier at risk, else of the next tier."""
        if self.grace is not None:
            unmet = [r for r in self.current if not r.met]
            if unmet:
                return f"{what_is_missing(unmet[0], self.currency)} to keep {self.tier.name}"
        unmet = [r for r in self.next if not r.met]
        if self.next_tier and unmet:
            return self.line(unmet[0], self.next_tier)
        if self.next_tier and self.pending is not None:
            return f"You qualify for {self.pending.to_tier_name}: the promotion is being reviewed"
        return None


def what_is_missing(reading: Reading, currency: str) -> str:
    criterion, missing = reading.criterion, reading.missing
    if reading.met:
        return "Met"
    kind = criterion.kind
    if kind is CriterionKind.certified_people:
        name = criterion.path.certification_name or criterion.path.title
        return f"{missing} more {'person' if missing == 1 else 'people'} certified “{name}”"
    if kind is CriterionKind.won_revenue:
        return f"{currency} {money(missing)} more won revenue (trailing {criterion.window_months} months)"
    if kind is CriterionKind.approved_deals:
        return (f"{missing} more approved deal registration{'s' if missing != 1 else ''} "
                f"(trailing {criterion.window_months} months)")
    return f"{criterion.name or 'Evidence'}: not confirmed yet"


def money(amount: Decimal | int) -> str:
    """Whole units with thousands separators, rounded up (a target is met at the next unit)."""
    whole = int(-(-Decimal(amount) // 1))
    return f"{whole:,}"


def standing_of(org: Organization, at: datetime | None = None,
                won_extra: dict[int, list[WonDeal]] | None = None) -> Standing:
    at = at or clock.now()
    definition = evaluation.load_definition()
    measures = evaluation.measure(definition, at, [org.id], won_extra)[org.id]
    return _standing(org, definition, measures)


def _standing(org: Organization, definition: Definition, measures: Measures) -> Standing:
    tier = tier_by_id(org.tier_id)
    following = next_tier(tier)
    standing = db.session.get(OrgStanding, org.id)
    pending = db.session.scalar(sa.select(TierChange).where(TierChange.org_id == org.id,
                                                            TierChange.status == ChangeStatus.pending))
    return Standing(
        org, definition, tier, evaluation.qualified_tier(definition, org.partner_type, measures), following,
        evaluation.readings(definition, tier, org.partner_type, measures) if tier else [],
        evaluation.readings(definition, following, org.partner_type, measures) if following else [],
        standing if standing and standing.grace_started_at else None,
        pending,
    )


def qualified_tiers(orgs: list[Organization]) -> dict[int, Tier | None]:
    """The tier each org's criteria give today, by org id (one evaluation for all of them)."""
    definition = evaluation.load_definition()
    measures = evaluation.measure(definition, clock.now(), [org.id for org in orgs])
    return {org.id: evaluation.qualified_tier(definition, org.partner_type, measures[org.id]) for org in orgs}


# --- the forecast ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fall:
    """On `on`, the org would qualify only for `to`: `reasons` are the criteria it stops meeting."""
    on: datetime
    frm: Tier
    to: Tier
    reasons: list[str] = field(default_factory=list)


def forecast(org: Organization, at: datetime | None = None) -> Fall | None:
    """The first moment within FORECAST_MONTHS at which, with nothing new (no renewal, no new
    win), the org qualifies for less than it does now; None when it keeps its standing."""
    at = at or clock.now()
    definition = evaluation.load_definition()
    now_measures = evaluation.measure(definition, at, [org.id])[org.id]
    today = evaluation.qualified_tier(definition, org.partner_type, now_measures)
    if today is None:
        return None
    until = months_after(at, FORECAST_MONTHS)
    lapses = certificates.lapses(org.id, at, until)
    for moment in _moments(org, definition, at, until, lapses):
        later = evaluation.measure(definition, moment, [org.id])[org.id]
        tier = evaluation.qualified_tier(definition, org.partner_type, later)
        if tier.rank < today.rank:
            return Fall(moment, today, tier, _reasons(definition, org, today, later, lapses, moment))
    return None


def _moments(org, definition: Definition, at: datetime, until: datetime, lapses) -> list[datetime]:
    """When a measure may drop: a certification lapsing, a registration or won deal leaving a window."""
    moments = {lapse.lapses_at for lapse in lapses}
    windows = definition.windows
    if windows:
        since = months_before(at, max(windows))
        for decided_at, closed_at in deals.counted_since(org.id, since):
            for window in windows:
                moments.update(months_after(moment, window) for moment in (decided_at, closed_at) if moment)
    return sorted(m for m in moments if at < m <= until)[:FORECAST_MOMENTS]


def _reasons(definition: Definition, org, tier: Tier, later: Measures, lapses, moment: datetime) -> list[str]:
    names = {}
    for lapse in lapses:
        if lapse.lapses_at <= moment:
            names.setdefault(lapse.path_id, []).append(lapse.holder)
    reasons = []
    for reading in evaluation.readings(definition, tier, org.partner_type, later):
        if reading.met:
            continue
        criterion = reading.criterion
        text = f"{criterion.description}: {_shown(reading)} of {_shown_target(reading)}"
        if criterion.kind is CriterionKind.certified_people and names.get(criterion.path_id):
            text += f", unless {_joined(names[criterion.path_id])} recertif{'ies' if len(names[criterion.path_id]) == 1 else 'y'}"
        reasons.append(text)
    return reasons


def _shown(reading: Reading) -> str:
    return money(reading.measured) if reading.criterion.kind is CriterionKind.won_revenue else str(reading.measured)


def _shown_target(reading: Reading) -> str:
    return money(reading.target) if reading.criterion.kind is CriterionKind.won_revenue else str(reading.target)


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
