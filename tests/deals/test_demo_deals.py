"""The demo's deals (every status, one conflict pair, one house-account hit, real histories)
and the generated deals for benchmarks."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from portal.core import clock
from portal.core.auth import find_user
from portal.core.models import AuditEvent, Organization, OrgKind, User
from portal.deals import matching, services
from portal.deals.matching import Level, Reason
from portal.deals.models import Deal, DealStatus, HouseAccount, deal_products
from portal.demo.deals import CONFLICT_CUSTOMER, HOUSE_ACCOUNT
from portal.demo.generated import seed_generated_deals, seed_generated_partners
from portal.extensions import db
from portal.notifications.models import Notification

GOLD, SILVER = "Summit Peak Systems", "Harborline IT"


def deals_of(org_name: str) -> dict[str, Deal]:
    stmt = sa.select(Deal).join(Organization, Deal.org).where(Organization.name == org_name)
    return {deal.customer_company: deal for deal in db.session.scalars(stmt)}


def days_ago(moment) -> float:
    return (clock.now() - moment) / timedelta(days=1)


@pytest.mark.parametrize("org_name", [GOLD, SILVER])
def test_the_demo_has_a_deal_in_every_status_for_gold_and_silver(ctx, demo, org_name):
    now = clock.now()
    assert {deal.status_at(now) for deal in deals_of(org_name).values()} == set(DealStatus)


def test_demo_statuses_as_of_now(ctx, demo):
    now = clock.now()
    gold = deals_of(GOLD)
    status = {company: deal.status_at(now) for company, deal in (gold | deals_of(SILVER)).items()}
    assert status["Tidewater Marine Services"] is DealStatus.draft
    assert status["Maplewood School District"] is status["Lakeshore Foods Co."] is DealStatus.submitted
    assert not services.sla_overdue(gold["Maplewood School District"], now)
    assert services.sla_overdue(gold["Lakeshore Foods Co."], now)
    assert status["Redstone Mining Corp"] is status["Rivage Hôtels SA"] is DealStatus.rejected
    assert gold["Redstone Mining Corp"].rejection_reason.startswith("No confirmed project")
    assert status["Quarry Hill Insurance"] is status["Dunmore Veterinary Group"] is DealStatus.won
    assert status["Prairie Wind Energy"] is status["Van der Berg Logistiek B.V."] is DealStatus.lost
    # `cli.py tick` ran daily, so the lapsed approvals are written down as expired, not only read so
    expired = [gold["Copperleaf Hotels"], deals_of(SILVER)["Sørensen Tandklinik ApS"]]
    assert [deal.status for deal in expired] == [DealStatus.expired] * 2
    # approved: one with plenty of time, two within the reminder window, one of them asking for more
    sales = find_user("sales@gold.demo")
    expiring = [deal.customer_company for deal in services.expiring_soon(sales)]
    assert expiring == ["Ironbridge Credit Union", "Cascade Regional Health"]
    assert status["Bluewater Logistics Inc."] is DealStatus.approved
    assert gold["Bluewater Logistics Inc."].protected_until - now > timedelta(days=60)
    assert gold["Ironbridge Credit Union"].pending_extension is not None
    assert all(deal.pending_extension is None for company, deal in gold.items() if company != "Ironbridge Credit Union")


def test_the_conflict_pair_is_red_with_golds_deal_as_holder(ctx, demo):
    gold, silver = deals_of(GOLD)["Bluewater Logistics Inc."], deals_of(SILVER)[CONFLICT_CUSTOMER]
    assert silver.conflict_level is Level.red and silver.conflict_deal_id == gold.id
    assert {Reason.SAME_DOMAIN, Reason.SAME_NAME} <= set(silver.reasons)
    assert gold.conflict_level is Level.green
    # the live check agrees today
    customer = matching.Customer(CONFLICT_CUSTOMER, silver.customer_website, silver.contact_email, silver.contact_phone)
    assessment = services.check(customer, frozenset(p.id for p in silver.products), exclude_deal_id=silver.id)
    assert assessment.level is Level.red and assessment.holder.id == gold.id and not assessment.holder.house


def test_the_house_account_deal_is_red_with_the_house_account_as_holder(ctx, demo):
    house = db.session.scalar(sa.select(HouseAccount).where(HouseAccount.company == HOUSE_ACCOUNT[0]))
    hits = db.session.scalars(sa.select(Deal).where(Deal.conflict_house_id.is_not(None))).all()
    assert [(deal.customer_company, deal.conflict_house_id) for deal in hits] == [("Northwind Traders Ltd", house.id)]
    deal = hits[0]
    assert deal.conflict_level is Level.red and deal.conflict_deal_id is None
    assert deal.status is DealStatus.submitted and deal.owner.email == "admin@gold.demo"


def test_the_other_demo_deals_are_green(ctx, demo):
    levels = {deal.customer_company: deal.conflict_level for deal in db.session.scalars(sa.select(Deal))}
    assert {company for company, level in levels.items() if level is Level.red} == {
        CONFLICT_CUSTOMER, "Northwind Traders Ltd"}
    assert {company for company, level in levels.items() if level is None} == {
        "Tidewater Marine Services", "Fjordline Shipping AS", "Ostara Bakeries Ltd"}  # the drafts
    assert Level.amber not in levels.values()


def test_demo_histories_happened_in_the_past_through_the_services(ctx, demo):
    deal = deals_of(GOLD)["Copperleaf Hotels"]
    timeline = [(event.action, round(days_ago(event.at))) for event in services.timeline(deal)]
    assert timeline == [("deal.create", 101), ("deal.submit", 101), ("deal.approve", 100), ("deal.expire", 10)]
    assert round(days_ago(deal.created_at)) == 101 and round(days_ago(deal.decided_at)) == 100
    subjects = db.session.scalars(sa.select(Notification.subject).where(Notification.user_id == deal.owner_id)
                                  .order_by(Notification.created_at)).all()
    told = [subject.split(" in ")[0].split(":")[0] for subject in subjects if "Copperleaf" in subject]
    assert told == ["Deal approved", "Deal protection ends", "Deal protection ends", "Deal protection expired"]


def test_generated_deals_carry_the_services_match_keys(ctx, demo):
    before = db.session.scalar(sa.select(sa.func.max(Deal.id)))
    events = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert seed_generated_deals(500) == 500
    deals = db.session.scalars(sa.select(Deal).where(Deal.id > before)).all()
    assert len(deals) == 500
    for deal in deals:
        # as DealInput.customer: the website, else the email's domain
        customer = matching.Customer(deal.customer_company, deal.customer_website or deal.contact_email,
                                     deal.contact_email, deal.contact_phone)
        assert deal.keys == matching.keys_for(customer), deal.customer_company
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events  # no audit trail for them
    with_products = db.session.scalar(sa.select(sa.func.count(sa.distinct(deal_products.c.deal_id)))
                                      .where(deal_products.c.deal_id > before))
    assert with_products == 500


def test_generated_deals_look_like_a_real_pipeline(ctx, demo):
    before = db.session.scalar(sa.select(sa.func.max(Deal.id)))
    seed_generated_deals(4000)
    deals = db.session.scalars(sa.select(Deal).where(Deal.id > before)).all()
    now = clock.now()
    statuses = {status: sum(deal.status_at(now) is status for deal in deals) for status in DealStatus}
    assert all(statuses.values()), statuses
    assert statuses[DealStatus.won] + statuses[DealStatus.lost] + statuses[DealStatus.expired] > len(deals) / 2
    assert all((deal.conflict_level is None) == (deal.status is DealStatus.draft) for deal in deals)
    assert all((deal.submitted_at is None) == (deal.status is DealStatus.draft) for deal in deals)
    # red means an earlier registration of the same customer holds it
    red = [deal for deal in deals if deal.conflict_level is Level.red]
    assert red and all(deal.conflict_deal.submitted_at < deal.submitted_at for deal in red)
    assert all(deal.conflict_deal.key_company == deal.key_company for deal in red)
    # most customers are unique; a few very common first words exceed the check's limit
    tokens = sa.select(Deal.key_token, sa.func.count().label("n")).where(Deal.id > before).group_by(Deal.key_token)
    counts = [n for _, n in db.session.execute(tokens)]
    assert max(counts) > matching.TOO_MANY and sorted(counts)[len(counts) // 2] <= 2
    owners = db.session.scalars(sa.select(Organization.kind).distinct().join(User, User.org_id == Organization.id)
                                .join(Deal, Deal.owner_id == User.id).where(Deal.id > before)).all()
    assert owners == [OrgKind.partner]  # no generated partners: the demo partners' people


def test_generated_deals_belong_to_the_generated_partners(ctx, demo):
    seed_generated_partners(3)
    before = db.session.scalar(sa.select(sa.func.max(Deal.id)))
    seed_generated_deals(100)
    emails = db.session.scalars(sa.select(User.email).join(Deal, Deal.owner_id == User.id)
                                .where(Deal.id > before)).all()
    assert len(emails) == 100 and all(email.endswith("@generated.demo") for email in emails)
