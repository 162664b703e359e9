"""Measuring partners against the program's criteria, and the tier each qualifies for.

Every measure is one grouped query for all orgs at once (training counts certified people,
deals sums won revenue per currency and counts approved registrations; evidence is the
program's own), so evaluating thousands of partners is a handful of statements. Revenue is
converted exactly, with Decimal and the vendor's rate table, never with floats.

A partner qualifies for a tier when it meets every criterion of that tier that applies to its
partner type; it is evaluated at the highest tier it qualifies for (the lowest tier if none).
Each criterion is "measured >= target", so more of any measure never lowers the tier."""
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from portal.core.clock import months_before
from portal.core.models import PartnerType, Tier
from portal.core.tiers import all_tiers
from portal.deals import services as deals
from portal.extensions import db
from portal.program.models import Criterion, CriterionKind, Evidence, ExchangeRate, ProgramSettings
from portal.program.services import settings
from portal.training import certificates

WonDeal = tuple[int, str]  # (amount in whole units, currency)


@dataclass(frozen=True)
class Definition:
    """The program as one evaluation reads it: tiers lowest first, criteria by tier id, the
    settings and the exchange rates into the program's currency."""
    tiers: list[Tier]
    criteria: dict[int, list[Criterion]]
    settings: ProgramSettings
    rates: dict[str, Decimal]

    def criteria_for(self, tier: Tier, partner_type: PartnerType | None) -> list[Criterion]:
        return [c for c in self.criteria.get(tier.id, []) if c.applies_to(partner_type)]

    @property
    def windows(self) -> set[int]:
        return {c.window_months for cs in self.criteria.values() for c in cs if c.kind.windowed}

    def rate(self, currency: str) -> Decimal | None:
        return Decimal(1) if currency == self.settings.currency else self.rates.get(currency)


def load_definition() -> Definition:
    criteria = defaultdict(list)
    # The paths come along: every reading of a certification criterion names its path.
    for criterion in db.session.scalars(sa.select(Criterion).options(joinedload(Criterion.path))
                                        .order_by(Criterion.kind, Criterion.id)):
        criteria[criterion.tier_id].append(criterion)
    rates = {row.currency: row.rate for row in db.session.scalars(sa.select(ExchangeRate))}
    return Definition(all_tiers(), dict(criteria), settings(), rates)


@dataclass
class Measures:
    """One org's measures at one moment; windowed ones by window length in months."""
    certified: dict[int, int] = field(default_factory=dict)  # by path id
    revenue: dict[int, Decimal] = field(default_factory=dict)  # in the program's currency
    unconverted: dict[int, set[str]] = field(default_factory=dict)  # currencies without a rate
    approved: dict[int, int] = field(default_factory=dict)
    # Evidence by what it shows (criterion name; Gold's and Platinum's "business plan" are one
    # document): when it was last confirmed, up to the moment measured.
    evidence: dict[str, datetime] = field(default_factory=dict)
    at: datetime | None = None


def measure(definition: Definition, at: datetime, org_ids: Collection[int] | None = None,
            won_extra: dict[int, Iterable[WonDeal]] | None = None) -> dict[int, Measures]:
    """Every org's measures at `at` (or only `org_ids`'); `won_extra` counts more won deals,
    as if won at `at` (the what-if)."""
    result: dict[int, Measures] = defaultdict(lambda: Measures(at=at))
    for (org_id, path_id), count in certificates.certified_counts(at, org_ids).items():
        result[org_id].certified[path_id] = count
    for window in definition.windows:
        since = months_before(at, window)
        won = defaultdict(int, deals.won_revenue(since, at, org_ids))
        for org_id, extra in (won_extra or {}).items():
            for amount, currency in extra:
                won[org_id, currency] += amount
        for (org_id, currency), total in won.items():
            rate = definition.rate(currency)
            measures = result[org_id]
            if rate is None:
                measures.unconverted.setdefault(window, set()).add(currency)
            else:
                measures.revenue[window] = measures.revenue.get(window, Decimal(0)) + total * rate
        for org_id, count in deals.approved_registrations(since, at, org_ids).items():
            result[org_id].approved[window] = count
    for org_id, name, confirmed_at in _last_confirmed(at, org_ids):
        result[org_id].evidence[name] = confirmed_at
    return result


def _last_confirmed(at: datetime, org_ids: Collection[int] | None):
    """(org id, what it shows, when last confirmed) of evidence confirmed by `at`: one grouped query."""
    stmt = (sa.select(Evidence.org_id, Criterion.name, sa.func.max(Evidence.confirmed_at))
            .join(Criterion, Criterion.id == Evidence.criterion_id)
            .where(Evidence.confirmed_at.is_not(None), Evidence.confirmed_at <= at)
            .group_by(Evidence.org_id, Criterion.name))
    if org_ids is not None:
        stmt = stmt.where(Evidence.org_id.in_(org_ids))
    return db.session.execute(stmt).all()


@dataclass(frozen=True)
class Reading:
    """One criterion measured for one org: what it is, what was measured, the target."""
    criterion: Criterion
    measured: Decimal | int
    note: str = ""  # e.g. revenue not counted for want of an exchange rate

    @property
    def target(self) -> int:
        return self.criterion.target

    @property
    def met(self) -> bool:
        return self.measured >= self.target

    @property
    def missing(self) -> Decimal | int:
        return max(self.target - self.measured, 0)

    def record(self, tier: Tier, currency: str) -> dict:
        """As stored with a tier change (JSON): exact numbers as text, money with its currency."""
        money = self.criterion.kind is CriterionKind.won_revenue
        return {"tier": tier.name, "criterion": self.criterion.description,
                "measured": f"{currency} {self.measured:,.2f}" if money else f"{self.measured:,}",
                "target": f"{currency} {self.target:,}" if money else f"{self.target:,}", "met": self.met,
                "note": self.note}


def reading(criterion: Criterion, measures: Measures) -> Reading:
    kind, window = criterion.kind, criterion.window_months
    if kind is CriterionKind.certified_people:
        return Reading(criterion, measures.certified.get(criterion.path_id, 0))
    if kind is CriterionKind.won_revenue:
        missing_rates = sorted(measures.unconverted.get(window, ()))
        note = f"Not counted, for want of an exchange rate: {', '.join(missing_rates)}." if missing_rates else ""
        return Reading(criterion, measures.revenue.get(window, Decimal(0)), note)
    if kind is CriterionKind.approved_deals:
        return Reading(criterion, measures.approved.get(window, 0))
    confirmed = measures.evidence.get(criterion.name)
    return Reading(criterion, 1 if confirmed and confirmed > months_before(measures.at, window) else 0)


def readings(definition: Definition, tier: Tier, partner_type: PartnerType | None,
             measures: Measures) -> list[Reading]:
    return [reading(criterion, measures) for criterion in definition.criteria_for(tier, partner_type)]


def qualified_tier(definition: Definition, partner_type: PartnerType | None, measures: Measures) -> Tier | None:
    """The highest tier whose criteria the org meets (the lowest tier when it meets none)."""
    for tier in reversed(definition.tiers):
        if all(r.met for r in readings(definition, tier, partner_type, measures)):
            return tier
    return definition.tiers[0] if definition.tiers else None
