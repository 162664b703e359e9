"""The program's tiers as every module reads them: a short list, loaded once per request
(or app context) and forgotten when the program changes them."""
import hashlib

import sqlalchemy as sa
from flask import g

from portal.core.models import Tier
from portal.extensions import db


def all_tiers() -> list[Tier]:
    """Every tier, lowest rank first."""
    if "tiers" not in g:
        g.tiers = db.session.scalars(sa.select(Tier).order_by(Tier.rank)).all()
    return g.tiers


def forget_tiers() -> None:
    """After a change to the tiers: the next all_tiers() reads them again."""
    g.pop("tiers", None)


def tier_by_key(key: str) -> Tier | None:
    return next((tier for tier in all_tiers() if tier.key == key), None)


def tier_by_id(tier_id: int | None) -> Tier | None:
    return next((tier for tier in all_tiers() if tier.id == tier_id), None)


def tiers_from(floor: Tier) -> list[Tier]:
    """The floor and every tier ranked above it."""
    return [tier for tier in all_tiers() if tier.rank >= floor.rank]


def next_tier(tier: Tier | None) -> Tier | None:
    """The tier ranked just above `tier` (the lowest tier for an org without one)."""
    return next((candidate for candidate in all_tiers() if tier is None or candidate.rank > tier.rank), None)


def tiers_in_mask(mask: int) -> list[Tier]:
    return [tier for tier in all_tiers() if mask & tier.bit]



def tier_styles_version() -> str:
    """Changes when a tier's key or colour does (the tier badges' stylesheet is linked with it)."""
    return hashlib.sha256(repr([(tier.key, tier.colour) for tier in all_tiers()]).encode()).hexdigest()[:12]
