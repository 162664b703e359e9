"""The audience engine: may_see (Python) and audience_clause (SQL) agree, and mean what they say."""
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import make_announcement, make_partner, make_user
from portal.core.access import AudienceSpec, describe, may_see, visible
from portal.core.models import PartnerType, Persona, Region, Role, Tier
from portal.core.tiers import forget_tiers, tier_by_key
from portal.extensions import db
from portal.rooms.models import Announcement


TIER_KEYS = ["registered", "silver", "gold", "platinum"]  # the migrations' tiers, lowest first


def subsets(values):
    values = list(values)
    return st.frozensets(st.sampled_from(values), max_size=len(values))


specs = st.builds(
    AudienceSpec, tiers=subsets(TIER_KEYS), min_tier=st.none() | st.sampled_from(TIER_KEYS),
    partner_types=subsets(PartnerType), regions=subsets(Region), personas=subsets(Persona),
)


def expected(spec: AudienceSpec, org, user, room: Persona | None, named: bool) -> bool:
    """The rule, written out plainly."""
    persona_ok = user.role is Role.partner_admin or not spec.personas or user.persona in spec.personas
    room_ok = room is None or not spec.personas or room in spec.personas
    return (
        (not spec.tiers or org.tier.key in spec.tiers)
        and (spec.min_tier is None or org.tier.rank >= tier_by_key(spec.min_tier).rank)
        and (not spec.partner_types or org.partner_type in spec.partner_types)
        and (not spec.regions or org.region in spec.regions)
        and persona_ok and room_ok and named
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    audiences=st.lists(st.tuples(specs, st.sampled_from(["none", "mine", "other"])), min_size=1, max_size=6),
    tier=st.sampled_from(TIER_KEYS), ptype=st.sampled_from(list(PartnerType)),
    region=st.sampled_from(list(Region)), persona=st.sampled_from(list(Persona)),
    role=st.sampled_from([Role.partner_user, Role.partner_admin]),
    room=st.none() | st.sampled_from(list(Persona)),
)
def test_sql_and_python_agree_with_the_rule(ctx, audiences, tier, ptype, region, persona, role, room):
    try:
        org, other = make_partner(tier, ptype, region), make_partner()
        user = make_user(org, role=role, persona=persona)
        rows = {}
        for spec, named in audiences:
            org_ids = {"none": frozenset(), "mine": frozenset({org.id}), "other": frozenset({other.id})}[named]
            announcement = make_announcement(AudienceSpec(**{**spec.__dict__, "org_ids": org_ids}))
            rows[announcement.id] = (announcement, expected(spec, org, user, room, named != "other"))
        in_sql = set(db.session.scalars(visible(sa.select(Announcement.id), Announcement, user, room)))
        for announcement_id, (announcement, should_see) in rows.items():
            assert may_see(user, announcement.audience, room) is should_see
            assert (announcement_id in in_sql) is should_see
    finally:
        db.session.rollback()


def test_vendor_staff_see_everything(app, demo):
    with app.app_context():
        from portal.core.auth import find_user

        vendor = find_user("channel@vendor.demo")
        org = make_partner()
        hidden = make_announcement(AudienceSpec(org_ids=frozenset({org.id}), tiers=frozenset({"platinum"})))
        assert may_see(vendor, hidden.audience)
        assert hidden.id in set(db.session.scalars(visible(sa.select(Announcement.id), Announcement, vendor)))


def test_empty_audience_means_everyone(ctx):
    org = make_partner("registered", PartnerType.referral, Region.LATAM)
    user = make_user(org, persona=Persona.post_sales)
    assert may_see(user, make_announcement().audience, Persona.marketing)


def test_describe_names_a_tier_floor(ctx):
    assert describe(make_announcement(AudienceSpec.tier_floor("gold")).audience) == "Gold and above"
    assert describe(make_announcement().audience) == "Everyone"
    spec = AudienceSpec(tiers=frozenset({"silver"}), regions=frozenset({Region.EMEA}))
    assert describe(make_announcement(spec).audience) == "Silver · EMEA"


def test_a_tier_floor_works_on_rank_so_a_tier_added_above_is_in_it(ctx):
    gold_up = make_announcement(AudienceSpec.tier_floor("gold"))
    only_gold = make_announcement(AudienceSpec(tiers=frozenset({"gold"})))
    db.session.add(Tier(key="diamond", name="Diamond", rank=5, slot=4))
    db.session.flush()
    forget_tiers()
    diamond = make_user(make_partner("diamond"))
    assert may_see(diamond, gold_up.audience) and not may_see(diamond, only_gold.audience)
    in_sql = set(db.session.scalars(visible(sa.select(Announcement.id), Announcement, diamond)))
    assert gold_up.id in in_sql and only_gold.id not in in_sql
    assert not may_see(make_user(make_partner("silver")), gold_up.audience)


def test_an_unknown_tier_in_a_spec_is_refused(ctx):
    with pytest.raises(ValueError, match="no tier 'tin'"):
        make_announcement(AudienceSpec(tiers=frozenset({"tin"})))
