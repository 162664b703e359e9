"""Tier evaluation: the rule (property tests over measures), the grace period, idempotent
ticks, definition changes, exact revenue conversion, and the vendor's queue, overrides and
pins (compare-and-set, raced on Postgres)."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

import portal.models  # noqa: F401  (every model mapped: the rule's tests make rows without a database)
from concurrency import all_have_read, run_at_once
from factories import make_partner, make_user
from portal.core import clock
from portal.core.auth import find_user
from portal.core.errors import DomainError
from portal.core.models import AuditEvent, Organization, OrgKind, Role, Tier
from portal.core.tiers import tier_by_key
from portal.deals.models import Deal, DealStage, DealStatus
from portal.extensions import db
from portal.notifications.models import Notification
from portal.program import evaluation, services, tiering
from portal.program.evaluation import Definition, Measures
from portal.program.evidence import confirm
from portal.program.models import (
    ChangeStatus, Criterion, CriterionKind, Evidence, ExchangeRate, OrgStanding, ProgramSettings, PromotionPolicy, TierChange,
)

# --- the rule, without a database ------------------------------------------------------------

AT = datetime(2027, 1, 15, 12)
PATHS, PLAN = (1, 2), "Signed plan"
TIERS = [Tier(id=rank, key=key, name=key.title(), rank=rank, slot=rank - 1)
         for rank, key in enumerate(("registered", "silver", "gold", "platinum"), start=1)]


def _criteria(targets):
    """targets: per tier above the lowest, (people per path, revenue, registrations, plan?)."""
    criteria, next_id = {}, iter(range(1, 1000))
    for tier, (people, revenue, registrations, plan) in zip(TIERS[1:], targets):
        rows = [Criterion(id=next(next_id), tier_id=tier.id, kind=CriterionKind.certified_people, path_id=path,
                          target=count, window_months=12, name="") for path, count in zip(PATHS, people)]
        rows += [Criterion(id=next(next_id), tier_id=tier.id, kind=CriterionKind.won_revenue, target=revenue,
                           window_months=12, name=""),
                 Criterion(id=next(next_id), tier_id=tier.id, kind=CriterionKind.approved_deals, target=registrations,
                           window_months=12, name="")]
        if plan:
            rows.append(Criterion(id=next(next_id), tier_id=tier.id, kind=CriterionKind.evidence, target=1,
                                  window_months=12, name=PLAN))
        criteria[tier.id] = rows
    return Definition(TIERS, criteria, ProgramSettings(currency="USD"), {})


counts = st.integers(0, 6)
definitions = st.lists(st.tuples(st.tuples(counts, counts), st.integers(0, 500_000), counts, st.booleans()),
                       min_size=3, max_size=3).map(_criteria)
measure_values = st.tuples(st.tuples(counts, counts), st.integers(0, 600_000), counts, st.booleans())


def _measures(values) -> Measures:
    (first, second), revenue, registrations, plan = values
    return Measures(certified={1: first, 2: second}, revenue={12: Decimal(revenue)}, approved={12: registrations},
                    evidence={PLAN: AT - timedelta(days=30)} if plan else {}, at=AT)


def _more(values, extra):
    (first, second), revenue, registrations, plan = values
    (more_first, more_second), more_revenue, more_registrations, more_plan = extra
    return ((first + more_first, second + more_second), revenue + more_revenue, registrations + more_registrations,
            plan or more_plan)


@settings(max_examples=300, deadline=None)
@given(definition=definitions, values=measure_values, extra=measure_values)
def test_more_of_any_measure_never_lowers_the_tier(definition, values, extra):
    before = evaluation.qualified_tier(definition, None, _measures(values))
    after = evaluation.qualified_tier(definition, None, _measures(_more(values, extra)))
    assert after.rank >= before.rank


@settings(max_examples=300, deadline=None)
@given(definition=definitions, values=measure_values)
def test_the_tier_is_the_highest_whose_every_criterion_is_met(definition, values):
    measures = _measures(values)
    tier = evaluation.qualified_tier(definition, None, measures)
    met = [t for t in TIERS if all(r.met for r in evaluation.readings(definition, t, None, measures))]
    assert tier is (met[-1] if met else TIERS[0])


def test_evidence_counts_for_its_window_only():
    definition = _criteria([((0, 0), 0, 0, True)] * 3)
    fresh = Measures(evidence={PLAN: AT - timedelta(days=300)}, at=AT)
    stale = Measures(evidence={PLAN: AT - timedelta(days=400)}, at=AT)
    assert evaluation.qualified_tier(definition, None, fresh).key == "platinum"
    assert evaluation.qualified_tier(definition, None, stale).key == "registered"


# --- on the database -----------------------------------------------------------------------------


def _deal(org, owner, *, decided_days_ago, won_days_ago=None, amount=10_000, currency="USD"):
    now = clock.now()
    deal = Deal(org_id=org.id, owner_id=owner.id, customer_company=f"Customer {org.id}-{decided_days_ago}-{amount}",
                contact_name="Pat", country="US", amount=amount, currency=currency, close_date=now.date(),
                stage=DealStage.commit, status=DealStatus.won if won_days_ago is not None else DealStatus.approved,
                submitted_at=now - timedelta(days=decided_days_ago + 1),
                decided_at=now - timedelta(days=decided_days_ago),
                protected_until=now + timedelta(days=60),
                closed_at=now - timedelta(days=won_days_ago) if won_days_ago is not None else None,
                key_company=f"customer {org.id} {decided_days_ago} {amount}", key_token="customer")
    db.session.add(deal)
    db.session.flush()
    return deal


def _program(silver=1, gold=3, promotions=PromotionPolicy.automatic, grace_days=30):
    """Silver, Gold and Platinum ask for approved registrations; promotions and grace as given."""
    for key, target in (("silver", silver), ("gold", gold), ("platinum", 100)):
        db.session.add(Criterion(tier=tier_by_key(key), kind=CriterionKind.approved_deals, target=target,
                                 window_months=12, name=""))
    row = services.settings()
    row.promotions, row.grace_days = promotions, grace_days
    db.session.flush()


def _partner(tier="silver", deals=1):
    org = make_partner(tier)
    admin = make_user(org, role=Role.partner_admin)
    for i in range(deals):
        _deal(org, admin, decided_days_ago=10 + i)
    return org, admin


def _vendor_admin():
    vendor = Organization(name="The vendor", kind=OrgKind.vendor)
    db.session.add(vendor)
    return make_user(vendor, role=Role.admin)


def _notices(user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.subject).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_an_automatic_promotion_applies_with_its_evidence_and_is_audited(ctx):
    _program()
    org, admin = _partner("silver", deals=3)
    outcome = tiering.evaluate()
    assert org.name in outcome.promoted and org.tier.key == "gold"
    change = db.session.scalar(sa.select(TierChange).where(TierChange.org_id == org.id))
    assert (change.status, change.automatic, change.from_tier_name, change.to_tier_name) == (
        ChangeStatus.applied, True, "Silver", "Gold")
    assert {"tier": "Gold", "criterion": "Approved deal registrations, trailing 12 months", "measured": "3",
            "target": "3", "met": True, "note": ""} in change.evidence
    assert db.session.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "program.promotion")) == \
        f"{org.name}: Silver → Gold (promotion, automatically)"
    assert _notices(admin) == [f"{org.name} is now Gold"]


def test_evaluating_twice_the_same_day_changes_nothing_and_sends_nothing(ctx):
    _program(promotions=PromotionPolicy.reviewed)
    promoted, promoted_admin = _partner("silver", deals=3)
    falling, falling_admin = _partner("gold", deals=1)
    first = tiering.evaluate()
    assert first.queued == [promoted.name] and first.grace_started == [falling.name]
    rows = db.session.scalar(sa.select(sa.func.count(TierChange.id)))
    sent = _notices(promoted_admin) + _notices(falling_admin)
    second = tiering.evaluate()
    assert second.summary().endswith("nothing changed")
    assert db.session.scalar(sa.select(sa.func.count(TierChange.id))) == rows
    assert _notices(promoted_admin) + _notices(falling_admin) == sent


def test_tick_evaluates_once_a_day(app, runner):
    with app.app_context():
        _program(promotions=PromotionPolicy.reviewed)
        org, _ = _partner("silver", deals=3)
        db.session.commit()
    first = runner.invoke(args=["tick"])
    assert "partner(s) evaluated: 1 queued for review" in first.output, first.output
    assert "Tiers: evaluated already today." in runner.invoke(args=["tick"]).output
    with clock.travel(timedelta(days=1)):
        assert "nothing changed" in runner.invoke(args=["tick"]).output


def test_a_demotion_waits_out_the_grace_period_with_two_warnings(ctx):
    _program(grace_days=30)
    org, admin = _partner("gold", deals=1)  # meets Silver, not Gold
    assert tiering.evaluate().grace_started == [org.name]
    standing = db.session.get(OrgStanding, org.id)
    assert standing.grace_tier.key == "silver" and org.tier.key == "gold"
    assert _notices(admin) == ["Your Gold tier is at risk"]
    with clock.travel(timedelta(days=10)):
        assert tiering.evaluate().summary().endswith("nothing changed")
    with clock.travel(timedelta(days=17)):
        assert tiering.evaluate().grace_reminded == [org.name]
        assert tiering.evaluate().grace_reminded == []
    assert org.tier.key == "gold"
    with clock.travel(timedelta(days=30, minutes=1)):
        assert tiering.evaluate().demoted == [org.name]
    assert org.tier.key == "silver"
    assert _notices(admin) == ["Your Gold tier is at risk", "14 days left to keep Gold", f"{org.name} is now Silver"]
    change = db.session.scalar(sa.select(TierChange).where(TierChange.org_id == org.id))
    assert change.kind.value == "demotion" and any(not e["met"] for e in change.evidence)


def test_back_at_the_criteria_the_grace_period_ends(ctx):
    _program(grace_days=30)
    org, admin = _partner("gold", deals=1)
    tiering.evaluate()
    for i in range(2):
        _deal(org, admin, decided_days_ago=1 + i, amount=20_000 + i)
    assert tiering.evaluate().recovered == [org.name]
    assert db.session.get(OrgStanding, org.id).grace_started_at is None and org.tier.key == "gold"
    assert _notices(admin)[-1] == "You keep Gold"


def test_registrations_age_out_of_the_window(ctx):
    _program(grace_days=0)
    org, _ = _partner("silver", deals=0)
    admin = make_user(org, role=Role.partner_admin)
    _deal(org, admin, decided_days_ago=300)
    assert tiering.evaluate().summary().endswith("nothing changed")
    with clock.travel(timedelta(days=70)):
        assert tiering.evaluate().demoted == [org.name]
    assert org.tier.key == "registered"


def test_a_definition_change_re_evaluates_without_losing_history(app, login_as):
    client = login_as("admin@vendor.demo")
    with app.app_context():
        before = {c.id: c.status for c in db.session.scalars(sa.select(TierChange))}
        silver = tier_by_key("silver").id
    from helpers import post

    response = post(client, f"/program/tiers/{silver}/criteria", {"kind": "approved_deals", "target": "1",
                                                                 "window_months": "6"})
    assert response.status_code == 303
    with app.app_context():
        after = {c.id: c.status for c in db.session.scalars(sa.select(TierChange))}
        assert set(before) <= set(after)  # the history stays
        assert db.session.scalar(sa.select(AuditEvent.summary).where(
            AuditEvent.action == "program.criterion_added")) == "Silver asks for: Approved deal registrations, " \
                                                                "trailing 6 months ≥ 1"


def test_a_lower_tier_may_not_ask_for_more_than_a_higher_one(app, login_as):
    from helpers import post

    client = login_as("admin@vendor.demo")
    with app.app_context():
        silver, gold = tier_by_key("silver").id, tier_by_key("gold").id
    # the demo's Gold asks for 4 approved registrations in 12 months
    response = post(client, f"/program/tiers/{silver}/criteria", {"kind": "approved_deals", "target": "9",
                                                                 "window_months": "12"})
    assert response.status_code == 422
    assert "a lower tier may not ask for more" in response.get_data(as_text=True)
    negative = post(client, f"/program/tiers/{gold}/criteria", {"kind": "approved_deals", "target": "-1",
                                                               "window_months": "12"})
    assert negative.status_code == 422 and "A target cannot be negative." in negative.get_data(as_text=True)
    no_path = post(client, f"/program/tiers/{gold}/criteria", {"kind": "certified_people", "target": "1",
                                                              "window_months": "12"})
    assert no_path.status_code == 422 and "Choose a certification." in no_path.get_data(as_text=True)
    swap = post(client, f"/program/tiers/{silver}", {"name": "Silver", "rank": 9, "colour": "#98a2b3"})
    assert swap.status_code == 422 and "a lower tier may not ask for more" in swap.get_data(as_text=True)


def test_revenue_converts_exactly_and_says_what_it_could_not(ctx):
    db.session.add(Criterion(tier=tier_by_key("silver"), kind=CriterionKind.won_revenue, target=1000,
                             window_months=12, name=""))
    db.session.add(ExchangeRate(currency="EUR", rate=Decimal("1.10000001")))
    org, admin = _partner("silver", deals=0)
    _deal(org, admin, decided_days_ago=20, won_days_ago=5, amount=333, currency="EUR")
    _deal(org, admin, decided_days_ago=21, won_days_ago=6, amount=100, currency="USD")
    _deal(org, admin, decided_days_ago=22, won_days_ago=7, amount=5000, currency="NOK")
    definition = evaluation.load_definition()
    measures = evaluation.measure(definition, clock.now(), [org.id])[org.id]
    [reading] = evaluation.readings(definition, tier_by_key("silver"), org.partner_type, measures)
    assert reading.measured == Decimal("100") + Decimal("333") * Decimal("1.10000001")
    assert reading.note == "Not counted, for want of an exchange rate: NOK."


def test_a_pinned_partner_is_left_alone_until_the_date(ctx):
    _program(grace_days=0)
    org, _ = _partner("gold", deals=0)
    vendor = _vendor_admin()
    tiering.override(vendor, org, tier_by_key("gold"), "Strategic account", (clock.now() + timedelta(days=30)).date())
    assert tiering.evaluate().demoted == []
    with clock.travel(timedelta(days=31)):
        assert tiering.evaluate().demoted == [org.name]


def test_an_override_needs_a_reason_and_is_kept_with_the_change(ctx):
    org, _ = _partner("silver", deals=0)
    vendor = _vendor_admin()
    with pytest.raises(DomainError, match="Give a reason"):
        tiering.override(vendor, org, tier_by_key("platinum"), "", None)
    change = tiering.override(vendor, org, tier_by_key("platinum"), "Acquired a Platinum partner", None)
    assert org.tier.key == "platinum"
    assert (change.kind.value, change.reason, change.automatic) == ("override", "Acquired a Platinum partner", False)


def test_two_reviewers_approving_one_promotion_apply_it_once(app, demo):
    with app.app_context():
        change_id = db.session.scalar(sa.select(TierChange.id).where(TierChange.status == ChangeStatus.pending))

    def approving(email):
        def run():
            user, change = find_user(email), db.session.get(TierChange, change_id)
            all_have_read()
            tiering.approve(user, change)
            db.session.commit()
        return run

    outcomes = run_at_once(app, approving("channel@vendor.demo"), approving("admin@vendor.demo"))
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1 and "This tier change is applied" in str(errors[0]), errors
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "program.promotion")) == 1
        assert db.session.scalar(sa.select(Organization).where(
            Organization.name == "Lakeside Tech")).tier.key == "silver"


def test_approving_and_declining_one_promotion_at_once_decides_it_once(app, demo):
    with app.app_context():
        change_id = db.session.scalar(sa.select(TierChange.id).where(TierChange.status == ChangeStatus.pending))

    def deciding(decide):
        def run():
            user, change = find_user("admin@vendor.demo"), db.session.get(TierChange, change_id)
            all_have_read()
            decide(user, change)
            db.session.commit()
        return run

    outcomes = run_at_once(app, deciding(tiering.approve),
                           deciding(lambda user, change: tiering.decline(user, change, "Not this quarter")))
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1 and "This tier change is" in str(errors[0]), errors
    with app.app_context():
        change = db.session.get(TierChange, change_id)
        lakeside = db.session.scalar(sa.select(Organization).where(Organization.name == "Lakeside Tech"))
        assert change.status in (ChangeStatus.applied, ChangeStatus.declined)
        assert lakeside.tier.key == ("silver" if change.status is ChangeStatus.applied else "registered")
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.in_(
            ("program.promotion", "program.promotion_declined")))) == 1


def test_two_hosts_ticking_at_once_evaluate_the_day_once(app, demo):
    with app.app_context():
        db.session.get(ProgramSettings, ProgramSettings.ONLY).evaluated_on = None
        db.session.commit()

    def ticking():
        outcome = tiering.evaluate_daily()
        db.session.commit()
        return outcome

    outcomes = run_at_once(app, ticking, ticking)
    assert [o.error for o in outcomes] == [None, None]
    assert sorted(o.value is not None for o in outcomes) == [False, True]


def test_two_reviewers_confirming_one_piece_of_evidence_confirm_it_once(app, demo):
    with app.app_context():
        org = db.session.scalar(sa.select(Organization).where(Organization.name == "Lakeside Tech"))
        criterion = db.session.scalars(sa.select(Criterion).where(Criterion.kind == CriterionKind.evidence)).first()
        item = Evidence(org=org, criterion=criterion, submitted_at=clock.now())
        db.session.add(item)
        db.session.commit()
        evidence_id = item.id

    def confirming(email):
        def run():
            user, item = find_user(email), db.session.get(Evidence, evidence_id)
            all_have_read()
            confirm(user, item)
            db.session.commit()
        return run

    outcomes = run_at_once(app, confirming("channel@vendor.demo"), confirming("admin@vendor.demo"))
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1 and "confirmed it" in str(errors[0]), errors
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "program.evidence_confirmed", AuditEvent.subject_id == evidence_id)) == 1
