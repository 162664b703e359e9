"""The program's definition: tiers (core's Tier rows, ordered by rank), the benefits and the
criteria of each, the settings and the exchange rates. Other modules read benefits here
(deal approval: the tier's protection days)."""
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.core import audit
from portal.core.errors import DomainError
from portal.core.models import Audience, Organization, PartnerType, Tier, User
from portal.core.tiers import all_tiers, forget_tiers
from portal.extensions import db
from portal.program.models import (
    Benefit, BenefitKind, BenefitUse, Criterion, CriterionKind, ExchangeRate, ProgramSettings, PromotionPolicy,
    TierBenefit,
)
from portal.training.models import LearningPath

KEY = re.compile(r"[a-z][a-z0-9-]{0,39}")
COLOUR = re.compile(r"#[0-9a-f]{6}")
MAX_AMOUNT = Decimal("1000000")


class ProgramError(DomainError):
    pass


@dataclass(frozen=True)
class TierInput:
    key: str
    name: str
    rank: int
    colour: str
    description: str


@dataclass(frozen=True)
class TierRow:
    tier: Tier
    holders: int  # partner orgs that hold it


def tiers_with_holders() -> list[TierRow]:
    """Every tier, highest first, with how many partner orgs hold it (one grouped query)."""
    held = dict(db.session.execute(sa.select(Organization.tier_id, sa.func.count(Organization.id))
                                   .where(Organization.tier_id.is_not(None)).group_by(Organization.tier_id)).all())
    return [TierRow(tier, held.get(tier.id, 0)) for tier in reversed(all_tiers())]


def create_tier(actor: User, data: TierInput) -> Tier:
    _check_unique(data, None)
    if any(tier.key == data.key for tier in all_tiers()):
        raise ProgramError("Another tier has this key.", field="key")
    tier = Tier(key=data.key, name=data.name, rank=data.rank, colour=data.colour, description=data.description,
                slot=_free_slot())
    db.session.add(tier)
    _flush_unique()
    audit.record(actor, "program.tier_created", tier, f"Tier {tier.name} created (rank {tier.rank})",
                 after=_tier_facts(tier), org=actor.org)
    return tier


def update_tier(actor: User, tier: Tier, data: TierInput) -> None:
    """Name, rank, colour and description; the key stays (URLs, filters and the API use it)."""
    _check_unique(data, tier)
    before = _tier_facts(tier)
    tier.name, tier.rank, tier.colour, tier.description = data.name, data.rank, data.colour, data.description
    _flush_unique()
    check_definition(field="rank")
    if (after := _tier_facts(tier)) != before:
        audit.record(actor, "program.tier_changed", tier, f"Tier {tier.name} changed", before=before, after=after,
                     org=actor.org)


def delete_tier(actor: User, tier: Tier) -> None:
    """Only a tier nobody holds and no content is shown by; its criteria and benefits go with it."""
    holders = db.session.scalar(sa.select(sa.func.count(Organization.id)).where(Organization.tier_id == tier.id))
    if holders:
        raise ProgramError(f"{_partners(holders)} {'holds' if holders == 1 else 'hold'} {tier.name}: "
                           f"move {'it' if holders == 1 else 'them'} to another tier first.")
    audiences = db.session.scalar(sa.select(sa.func.count(Audience.id)).where(
        sa.or_(Audience.min_tier_id == tier.id, Audience.tiers.op("&")(tier.bit) != 0)))
    if audiences:
        raise ProgramError(f"{audiences} piece{'s' if audiences != 1 else ''} of content name {tier.name} in "
                           "who sees them: change their audience first.")
    db.session.execute(sa.delete(Criterion).where(Criterion.tier_id == tier.id))
    db.session.execute(sa.delete(TierBenefit).where(TierBenefit.tier_id == tier.id))
    audit.record(actor, "program.tier_deleted", tier, f"Tier {tier.name} deleted", before=_tier_facts(tier),
                 org=actor.org)
    db.session.delete(tier)
    db.session.flush()
    forget_tiers()


def _partners(count: int) -> str:
    return f"{count} partner{'s' if count != 1 else ''}"


def _check_unique(data: TierInput, tier: Tier | None) -> None:
    others = [other for other in all_tiers() if other is not tier]
    if any(other.name.casefold() == data.name.casefold() for other in others):
        raise ProgramError("Another tier has this name.", field="name")
    if clash := next((other for other in others if other.rank == data.rank), None):
        raise ProgramError(f"{clash.name} has rank {data.rank}; each tier needs its own.", field="rank")


def _flush_unique() -> None:
    """Flush; a tier another admin saved meanwhile with the same rank or name is a refusal, not a 500."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ProgramError("Another tier was saved with this name or rank just now; reload and try again.",
                           field="rank") from None
    forget_tiers()


def _free_slot() -> int:
    used = {tier.slot for tier in all_tiers()}
    free = next((slot for slot in range(Tier.MAX_SLOTS) if slot not in used), None)
    if free is None:
        raise ProgramError(f"A program has at most {Tier.MAX_SLOTS} tiers.")
    return free


def _tier_facts(tier: Tier) -> dict:
    return {"key": tier.key, "name": tier.name, "rank": tier.rank, "colour": tier.colour}


# --- benefits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenefitInput:
    name: str
    kind: BenefitKind
    use: BenefitUse | None


def benefits() -> list[Benefit]:
    return db.session.scalars(sa.select(Benefit).order_by(Benefit.position, Benefit.id)).all()


def create_benefit(actor: User, data: BenefitInput) -> Benefit:
    if db.session.scalar(sa.select(Benefit.id).where(sa.func.lower(Benefit.name) == data.name.lower())):
        raise ProgramError("The catalogue has a benefit with this name.", field="name")
    if data.use is not None:
        if db.session.scalar(sa.select(Benefit.name).where(Benefit.use == data.use)):
            raise ProgramError(f"The catalogue has the {data.use.label.lower()} benefit already.", field="use")
        if data.kind is not data.use.kind:
            raise ProgramError(f"{data.use.label} is {data.use.kind.label.lower()}.", field="kind")
    position = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Benefit.position), 0))) + 1
    benefit = Benefit(name=data.name, kind=data.kind, use=data.use, position=position)
    db.session.add(benefit)
    db.session.flush()
    audit.record(actor, "program.benefit_created", benefit, f"Benefit {benefit.name} added to the catalogue",
                 org=actor.org)
    return benefit


def delete_benefit(actor: User, benefit: Benefit) -> None:
    audit.record(actor, "program.benefit_deleted", benefit, f"Benefit {benefit.name} removed from the catalogue",
                 org=actor.org)
    db.session.execute(sa.delete(TierBenefit).where(TierBenefit.benefit_id == benefit.id))
    db.session.delete(benefit)


def tier_benefits(tier: Tier) -> dict[int, TierBenefit]:
    """The tier's benefits by benefit id."""
    rows = db.session.scalars(sa.select(TierBenefit).where(TierBenefit.tier_id == tier.id)).all()
    return {row.benefit_id: row for row in rows}


def benefit_grid() -> dict[tuple[int, int], TierBenefit]:
    """Every tier's benefits, by (tier id, benefit id): the program's table."""
    return {(row.tier_id, row.benefit_id): row for row in db.session.scalars(sa.select(TierBenefit))}


def set_tier_benefits(actor: User, tier: Tier, values: dict[int, str]) -> None:
    """`values` by benefit id, as typed; an empty value removes the benefit from the tier."""
    current = tier_benefits(tier)
    changes = {}
    for benefit in benefits():
        typed = values.get(benefit.id, "").strip()
        row = current.get(benefit.id)
        if not typed:
            if row is not None:
                db.session.delete(row)
                changes[benefit.name] = None
            continue
        amount, text = _parse_benefit(benefit, typed)
        if row is None:
            row = TierBenefit(tier_id=tier.id, benefit_id=benefit.id, benefit=benefit)
            db.session.add(row)
        elif (row.amount, row.text) == (amount, text):
            continue
        row.amount, row.text = amount, text
        changes[benefit.name] = typed
    if changes:
        db.session.flush()
        audit.record(actor, "program.benefits_changed", tier, f"{tier.name}'s benefits changed", after=changes,
                     org=actor.org)


def _parse_benefit(benefit: Benefit, typed: str) -> tuple[Decimal | None, str]:
    field = f"benefit_{benefit.id}"
    if benefit.kind is BenefitKind.text:
        if len(typed) > 500:
            raise ProgramError("At most 500 characters.", field=field)
        return None, typed
    try:
        amount = Decimal(typed.removesuffix("%").strip())
    except ArithmeticError:
        raise ProgramError("Enter a number, e.g. 12.5.", field=field) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ProgramError("Enter a number from 0 to 1,000,000.", field=field)
    if benefit.kind is BenefitKind.percent and amount > 100:
        raise ProgramError("A percentage is at most 100.", field=field)
    if benefit.kind is not BenefitKind.percent and amount != amount.to_integral_value():
        raise ProgramError("Enter a whole number.", field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ProgramError("At most two decimals.", field=field)
    return amount.quantize(Decimal("0.01")), ""


def benefit_amount(tier: Tier | None, use: BenefitUse) -> Decimal | None:
    """What `tier` gets of the benefit other modules read (None: the tier has none of it)."""
    if tier is None:
        return None
    return db.session.scalar(sa.select(TierBenefit.amount).join(Benefit, Benefit.id == TierBenefit.benefit_id)
                             .where(TierBenefit.tier_id == tier.id, Benefit.use == use))


# --- criteria ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    kind: CriterionKind
    target: int
    partner_type: PartnerType | None = None
    path_id: int | None = None
    window_months: int = 12
    name: str = ""


def criteria_by_tier() -> dict[int, list[Criterion]]:
    rows = db.session.scalars(sa.select(Criterion).order_by(Criterion.kind, Criterion.id)).all()
    result: dict[int, list[Criterion]] = {}
    for criterion in rows:
        result.setdefault(criterion.tier_id, []).append(criterion)
    return result


def add_criterion(actor: User, tier: Tier, data: CriterionInput) -> Criterion:
    if data.target < 0:
        raise ProgramError("A target cannot be negative.", field="target")
    path = None
    if data.kind is CriterionKind.certified_people:
        path = db.session.get(LearningPath, data.path_id) if data.path_id else None
        if path is None or not path.certifies:
            raise ProgramError("Choose a certification.", field="path_id")
    elif data.kind is CriterionKind.evidence and not data.name:
        raise ProgramError("Say what the partner shows, e.g. “Signed annual business plan”.", field="name")
    criterion = Criterion(tier=tier, tier_id=tier.id, kind=data.kind, partner_type=data.partner_type, path=path,
                          path_id=path.id if path else None,
                          target=1 if data.kind is CriterionKind.evidence else data.target,
                          window_months=data.window_months,
                          name=data.name if data.kind is CriterionKind.evidence else "")
    db.session.add(criterion)
    db.session.flush()
    check_definition(field="target")
    audit.record(actor, "program.criterion_added", tier, f"{tier.name} asks for: {_criterion_text(criterion)}",
                 org=actor.org)
    return criterion


def delete_criterion(actor: User, criterion: Criterion) -> None:
    tier = criterion.tier
    audit.record(actor, "program.criterion_removed", tier,
                 f"{tier.name} no longer asks for: {_criterion_text(criterion)}", org=actor.org)
    db.session.delete(criterion)
    db.session.flush()


def _criterion_text(criterion: Criterion) -> str:
    return f"{criterion.description} ≥ {criterion.target:,}"


def check_definition(field: str | None = None) -> None:
    """Refuse a program where a lower tier asks for more of a measure than a higher tier."""
    ranked = {tier.id: tier for tier in all_tiers()}
    by_measure: dict[tuple, list[Criterion]] = {}
    for criterion in db.session.scalars(sa.select(Criterion)):
        by_measure.setdefault(criterion.measure, []).append(criterion)
    for criteria in by_measure.values():
        for lower, higher in itertools.permutations(criteria, 2):
            low, high = ranked[lower.tier_id], ranked[higher.tier_id]
            if low.rank < high.rank and lower.target > higher.target:
                raise ProgramError(f"{low.name} asks for {lower.target:,} ({_criterion_text(lower)}), more than "
                                   f"{high.name} above it ({higher.target:,}): a lower tier may not ask for more.",
                                   field=field)


# --- settings and exchange rates ------------------------------------------------------------


def settings() -> ProgramSettings:
    """The program's one settings row (the migrations write it)."""
    return db.session.get(ProgramSettings, ProgramSettings.ONLY)


@dataclass(frozen=True)
class SettingsInput:
    currency: str
    promotions: PromotionPolicy
    grace_days: int


def update_settings(actor: User, data: SettingsInput) -> None:
    row = settings()
    before = {"currency": row.currency, "promotions": row.promotions.value, "grace_days": row.grace_days}
    row.currency, row.promotions, row.grace_days = data.currency, data.promotions, data.grace_days
    after = {"currency": row.currency, "promotions": row.promotions.value, "grace_days": row.grace_days}
    if after != before:
        audit.record(actor, "program.settings_changed", row, "Program settings changed", before=before, after=after,
                     org=actor.org)


def exchange_rates() -> list[ExchangeRate]:
    return db.session.scalars(sa.select(ExchangeRate).order_by(ExchangeRate.currency)).all()


def set_exchange_rate(actor: User, currency: str, rate: Decimal) -> None:
    if currency == settings().currency:
        raise ProgramError(f"{currency} is the program's currency: its rate is 1.", field="currency")
    if not rate.is_finite() or rate <= 0 or rate > MAX_AMOUNT or rate != rate.quantize(Decimal("0.00000001")):
        raise ProgramError("A rate above 0, at most 1,000,000, with at most 8 decimals.", field="rate")
    row = db.session.scalar(sa.select(ExchangeRate).where(ExchangeRate.currency == currency))
    before = {"rate": str(row.rate)} if row else None
    if row is None:
        row = ExchangeRate(currency=currency)
        db.session.add(row)
    row.rate = rate
    db.session.flush()
    audit.record(actor, "program.rate_set", row, f"1 {currency} = {rate.normalize():f} {settings().currency}",
                 before=before, after={"rate": str(rate)}, org=actor.org)


def delete_exchange_rate(actor: User, rate: ExchangeRate) -> None:
    audit.record(actor, "program.rate_removed", rate, f"No rate for {rate.currency} any more: its revenue is not counted",
                 org=actor.org)
    db.session.delete(rate)
