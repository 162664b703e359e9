"""The program's definition: tiers (core's Tier rows, ordered by rank) and the benefits each
tier gets. Other modules read benefits here (deal approval: the tier's protection days)."""
import re
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from portal.core import audit
from portal.core.errors import DomainError
from portal.core.models import Audience, Organization, Tier, User
from portal.core.tiers import all_tiers, forget_tiers
from portal.extensions import db
from portal.program.models import Benefit, BenefitKind, BenefitUse, TierBenefit
from portal.training import program as training_program

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
    if any(tier.key == data.key for tier in all_tiers()):
        raise ProgramError("Another tier has this key.", field="key")
    _check_unique(data, None)
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
    if (after := _tier_facts(tier)) != before:
        audit.record(actor, "program.tier_changed", tier, f"Tier {tier.name} changed", before=before, after=after,
                     org=actor.org)


def delete_tier(actor: User, tier: Tier) -> None:
    """Only a tier nobody holds and no content is shown by; its requirements and benefits go with it."""
    holders = db.session.scalar(sa.select(sa.func.count(Organization.id)).where(Organization.tier_id == tier.id))
    if holders:
        raise ProgramError(f"{_partners(holders)} {'holds' if holders == 1 else 'hold'} {tier.name}: "
                           "move them to another tier first.")
    audiences = db.session.scalar(sa.select(sa.func.count(Audience.id)).where(
        sa.or_(Audience.min_tier_id == tier.id, Audience.tiers.op("&")(tier.bit) != 0)))
    if audiences:
        raise ProgramError(f"{audiences} piece{'s' if audiences != 1 else ''} of content name {tier.name} in "
                           "who sees them: change their audience first.")
    training_program.drop_requirements_of(tier)
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
