"""Two-tier distribution: a distributor's admins, their resellers and the resellers' deals
(read only), naming the distributor on a registration, its notifications, and registering a
deal on a reseller's behalf."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from deal_support import deal_input, form_data
from factories import make_partner, make_user
from helpers import DEMO_PASSWORD, htmx_get, post
from portal.core import clock, tokens
from portal.core.auth import find_user
from portal.assets.services import products
from portal.core.models import AuditEvent, Organization, OrgStatus, OutboxEmail, PartnerType, Role
from portal.core.passwords import hash_password
from portal.deals import services
from portal.deals.models import Deal, DealStatus
from portal.extensions import db
from portal.notifications.models import Notification

MERIDIAN, LAKESIDE = "Meridian Distribution", "Lakeside Tech"
DISTRIBUTOR, RESELLER = "admin@distributor.demo", "admin@tier2.demo"
PAGES = ["/program/resellers", "/program/resellers/{reseller}", "/program/resellers/deals/{deal}",
         "/program/resellers/register"]


def product_ids() -> list[int]:
    return [product.id for product in products()[:2]]


def org_id(name: str) -> int:
    return db.session.scalar(sa.select(Organization.id).where(Organization.name == name))


def deal_id(company: str) -> int:
    return db.session.scalar(sa.select(Deal.id).where(Deal.customer_company == company))


@pytest.fixture
def ids(app, demo) -> dict:
    with app.app_context():
        return {"reseller": org_id(LAKESIDE), "deal": deal_id("Nordsee Fisch AG"),
                "draft": deal_id("Ostara Bakeries Ltd"), "own": deal_id("Alpenrand Logistik GmbH"),
                "meridian": org_id(MERIDIAN)}


@pytest.fixture
def register(app, demo):
    """Register and submit a deal through the services as `email`; returns its id."""

    def _register(email, company="Quokka Analytics GmbH", **overrides) -> int:
        with app.app_context():
            deal = services.create_deal(find_user(email), deal_input(product_ids(), customer_company=company,
                                                                     **overrides), True)
            db.session.commit()
            return deal.id

    return _register


@pytest.fixture
def other_distributor(app, demo) -> dict:
    """Distributor B: its admin (who can sign in), its reseller and a deal of that reseller."""
    with app.app_context():
        distributor = make_partner(name="Orion Channel Supply", partner_type=PartnerType.distributor)
        admin = make_user(distributor, Role.partner_admin, email="admin@orion.example",
                          password_hash=hash_password(DEMO_PASSWORD))
        reseller = make_partner(name="Pinecrest Systems", parent=distributor)
        rep = make_user(reseller, Role.partner_admin)
        customer = dict(customer_company="Yak Yards Ltd", customer_website="yak-yards.example",
                        contact_email="y@yak-yards.example", contact_phone="+44 20 5550 7788")
        deal = services.create_deal(rep, deal_input(product_ids(), **customer), True)
        db.session.commit()
        return {"email": admin.email, "reseller": reseller.id, "deal": deal.id}


def pages(ids: dict) -> list[str]:
    return [page.format(**ids) for page in PAGES]


def notifications_of(email: str) -> list[Notification]:
    user = find_user(email)
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


# --- the resellers list and pages ----------------------------------------------------------


def test_a_distributor_admin_lists_its_resellers_with_tier_standing_and_counts(login_as):
    client = login_as(DISTRIBUTOR)
    page = client.get("/program/resellers")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and LAKESIDE in html and 'class="cards"' in html
    assert 'data-label="Tier"><span class="tier tier-registered">Registered</span>' in html
    assert 'data-label="Standing">Meets Silver<' in html  # its criteria give Silver; the promotion is queued
    # Nordsee (approved), Hollis & Crane and Castellan (submitted) are open; Alpenblick won
    assert 'data-label="Open deals">3<' in html and 'data-label="Registered deals">4<' in html
    assert 'href="/program/resellers"' in html and ">Resellers</a>" in html  # the nav link
    fragment = htmx_get(client, "/program/resellers").get_data(as_text=True)
    assert 'id="reseller-rows"' in fragment and "<html" not in fragment


def test_a_distributor_without_resellers_sees_the_empty_state(app, login_as, other_distributor):
    with app.app_context():
        lonely = make_partner(name="Solo Distribution", partner_type=PartnerType.distributor)
        make_user(lonely, Role.partner_admin, email="admin@solo.example", password_hash=hash_password(DEMO_PASSWORD))
        db.session.commit()
    client = login_as("admin@solo.example")
    html = client.get("/program/resellers").get_data(as_text=True)
    assert "No reseller buys through Solo Distribution yet" in html and "Pinecrest" not in html


def test_the_reseller_page_lists_its_registered_deals_read_only(app, login_as, ids):
    client = login_as(DISTRIBUTOR)
    html = client.get(f"/program/resellers/{ids['reseller']}").get_data(as_text=True)
    for company in ("Nordsee Fisch AG", "Alpenblick Hotels GmbH", "Castellan Legal LLP", "Hollis &amp; Crane"):
        assert company in html
    assert "Ostara Bakeries" not in html  # a draft stays the reseller's own
    assert "Alpenrand" not in html  # Meridian's own deal is not a reseller's
    assert 'data-label="Following">Named you<' in html and 'data-label="Following">Registered by you<' in html
    fragment = htmx_get(client, f"/program/resellers/{ids['reseller']}?status=won").get_data(as_text=True)
    assert 'id="deal-rows"' in fragment and "<html" not in fragment
    assert "Alpenblick" in fragment and "Nordsee" not in fragment
    assert "No deal matches these filters" in client.get(
        f"/program/resellers/{ids['reseller']}?q=nothing-like-it").get_data(as_text=True)
    assert client.get(f"/program/resellers/{ids['reseller']}?status=bogus&page=-2").status_code == 200


def test_the_reseller_deal_list_pages(app, login_as, ids):
    app.config["PAGE_SIZE"] = 3
    client = login_as(DISTRIBUTOR)
    first = client.get(f"/program/resellers/{ids['reseller']}").get_data(as_text=True)
    assert "Page 1 of 2 · 4 in all" in first
    second = htmx_get(client, f"/program/resellers/{ids['reseller']}?page=2").get_data(as_text=True)
    assert second.count('class="customer"') == 1 and "<html" not in second


def test_a_reseller_without_deals_shows_the_empty_state(app, login_as):
    with app.app_context():
        quiet = make_partner(name="Quiet Reseller", parent=db.session.get(Organization, org_id(MERIDIAN)))
        db.session.commit()
        quiet_id = quiet.id
    html = login_as(DISTRIBUTOR).get(f"/program/resellers/{quiet_id}").get_data(as_text=True)
    assert "Quiet Reseller has not registered a deal yet." in html


def test_the_read_only_deal_page_shows_the_follow_and_no_actions(login_as, ids):
    client = login_as(DISTRIBUTOR)
    html = client.get(f"/program/resellers/deals/{ids['deal']}").get_data(as_text=True)
    assert "Nordsee Fisch AG" in html and "Meridian Distribution follows this deal" in html
    assert "Approved until" in html and "Timeline" in html
    assert "Backup for the processing plant" not in html  # the notes are the reseller's and the vendor's
    assert "<form method=\"post\" action=\"/deals/" not in html and "Mark won" not in html
    for action in ("outcome", "extension", "submit", "delete", "edit"):
        assert post(client, f"/deals/{ids['deal']}/{action}", {"outcome": "won", "reason": "x"}).status_code == 404
    assert client.get(f"/deals/{ids['deal']}").status_code == 404  # the reseller's own page stays its own
    assert client.get(f"/program/resellers/deals/{ids['draft']}").status_code == 404
    # the deal it registered for Lakeside shows its notes to Meridian, who wrote them
    with client.application.app_context():
        hollis = deal_id("Hollis & Crane Architects")
    assert "Meridian found the lead" in client.get(f"/program/resellers/deals/{hollis}").get_data(as_text=True)


@pytest.mark.parametrize("email", [RESELLER, "admin@gold.demo", "sales@gold.demo", "channel@vendor.demo"])
def test_the_distributor_pages_do_not_exist_for_anyone_else(login_as, ids, email):
    client = login_as(email)
    for url in pages(ids):
        assert client.get(url).status_code == 404, url
    refused = post(client, "/program/resellers/register", form_data([1], reseller_id=str(ids["reseller"])))
    assert refused.status_code == 404
    assert ">Resellers</a>" not in client.get("/deals").get_data(as_text=True)


def test_a_distributors_partner_user_has_no_reseller_pages(app, login_as, ids):
    with app.app_context():
        make_user(db.session.get(Organization, ids["meridian"]), Role.partner_user, email="rep@distributor.example",
                  password_hash=hash_password(DEMO_PASSWORD))
        db.session.commit()
    client = login_as("rep@distributor.example")
    for url in pages(ids):
        assert client.get(url).status_code == 404, url


# --- tenancy -------------------------------------------------------------------------------


def test_distributors_never_see_each_others_resellers_or_deals(login_as, ids, other_distributor):
    meridian, orion = login_as(DISTRIBUTOR), login_as(other_distributor["email"])
    theirs = {"reseller": other_distributor["reseller"], "deal": other_distributor["deal"]}
    for client, others, own in ((meridian, theirs, ids), (orion, ids, theirs)):
        for url in pages(others)[1:3]:
            assert client.get(url).status_code == 404, url
        for url in pages(own)[1:3]:
            assert client.get(url).status_code == 200, url
    assert "Pinecrest" not in meridian.get("/program/resellers").get_data(as_text=True)
    orion_list = orion.get("/program/resellers").get_data(as_text=True)
    assert "Pinecrest Systems" in orion_list and LAKESIDE not in orion_list
    refused = post(orion, "/program/resellers/register", form_data([1], reseller_id=str(ids["reseller"])))
    assert refused.status_code == 422 and "Choose one of your active resellers." in refused.get_data(as_text=True)


def test_a_reseller_never_sees_its_distributors_own_deals(login_as, ids):
    client = login_as(RESELLER)
    assert "Alpenrand" not in client.get("/deals").get_data(as_text=True)
    assert client.get(f"/deals/{ids['own']}").status_code == 404
    assert "Alpenrand" not in client.get("/deals.csv").get_data(as_text=True)


def test_a_plain_partner_sees_none_of_the_distribution_deals(login_as, ids):
    client = login_as("admin@gold.demo")
    listing = client.get("/deals").get_data(as_text=True)
    assert "Nordsee Fisch" not in listing and "Alpenrand" not in listing
    assert client.get(f"/deals/{ids['deal']}").status_code == 404


# --- naming the distributor ----------------------------------------------------------------


def test_a_reseller_names_its_distributor_on_the_form(app, login_as, ids):
    client = login_as(RESELLER)
    form = client.get("/deals/new").get_data(as_text=True)
    assert "Let Meridian Distribution follow this deal" in form
    with app.app_context():
        response = post(client, "/deals/new", form_data(product_ids(), name_distributor="y"))
    assert response.status_code == 303
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "Meridian Distribution follows this deal" in client.get(f"/deals/{new_id}").get_data(as_text=True)
    with app.app_context():
        deal = db.session.get(Deal, new_id)
        assert deal.distributor_id == ids["meridian"]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.subject_id == new_id,
                                                              AuditEvent.action == "deal.create"))
        assert event.after["distributor"] == MERIDIAN
    assert "Quokka" in login_as(DISTRIBUTOR).get(f"/program/resellers/deals/{new_id}").get_data(as_text=True)


def test_editing_a_draft_keeps_or_drops_the_distributor(app, login_as, ids):
    with app.app_context():
        draft = services.create_deal(find_user(RESELLER), deal_input(product_ids(), name_distributor=True), False)
        db.session.commit()
        draft_id, catalogue = draft.id, product_ids()
    client = login_as(RESELLER)
    form = client.get(f"/deals/{draft_id}/edit").get_data(as_text=True)
    assert 'checked id="name_distributor"' in form
    assert post(client, f"/deals/{draft_id}/edit", form_data(catalogue, action="draft")).status_code == 303
    with app.app_context():
        assert db.session.get(Deal, draft_id).distributor_id is None
        edited = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.subject_id == draft_id,
                                                               AuditEvent.action == "deal.update"))
        assert (edited.before["distributor"], edited.after["distributor"]) == (MERIDIAN, None)


def test_an_org_without_a_distributor_cannot_name_one(app, login_as, register):
    assert "follow this deal" not in login_as("admin@gold.demo").get("/deals/new").get_data(as_text=True)
    new_id = register("admin@gold.demo", name_distributor=True)
    with app.app_context():
        assert db.session.get(Deal, new_id).distributor_id is None


def test_a_suspended_distributor_is_not_offered(app, login_as, ids):
    with app.app_context():
        db.session.get(Organization, ids["meridian"]).status = OrgStatus.suspended
        db.session.commit()
    assert "follow this deal" not in login_as(RESELLER).get("/deals/new").get_data(as_text=True)


def test_the_api_names_the_distributor_too(app, client, ids):
    with app.app_context():
        _, secret = tokens.create_token(find_user(RESELLER), "script")
        db.session.commit()
        catalogue = product_ids()
    body = {"customer_company": "Quokka Analytics GmbH", "customer_website": "quokka-analytics.example",
            "contact_name": "Quinn Q", "country": "DE", "product_ids": catalogue, "amount": 42000,
            "currency": "EUR", "close_date": (clock.now().date() + timedelta(days=60)).isoformat(),
            "stage": "proposal"}
    headers = {"Authorization": f"Bearer {secret}"}
    named = client.post("/api/v1/deals", json={**body, "name_distributor": True}, headers=headers)
    unnamed = client.post("/api/v1/deals", json={**body, "customer_company": "Other Co", "name_distributor": False},
                          headers=headers)
    assert named.status_code == unnamed.status_code == 201
    with app.app_context():
        assert db.session.get(Deal, named.json["id"]).distributor_id == ids["meridian"]
        assert db.session.get(Deal, unnamed.json["id"]).distributor_id is None


# --- following: the distributor is told of the decisions -----------------------------------


def test_the_following_distributor_is_told_of_each_decision(app, login_as, register):
    named = register(RESELLER, name_distributor=True)
    unnamed = register(RESELLER, company="Unnamed Widgets Ltd", customer_website="unnamed-widgets.example",
                       contact_email="u@unnamed-widgets.example", contact_phone="+44 20 5550 4411")
    with app.app_context():
        before = len(notifications_of(DISTRIBUTOR))
        for deal_id_ in (named, unnamed):
            services.approve(find_user("channel@vendor.demo"), db.session.get(Deal, deal_id_))
        services.close(find_user(RESELLER), db.session.get(Deal, named), won=True)
        db.session.commit()
        news = notifications_of(DISTRIBUTOR)[before:]
        assert [n.subject for n in news] == ["Reseller deal update: Quokka Analytics GmbH"] * 2
        assert all(n.link == f"/program/resellers/deals/{named}" for n in news)
    client = login_as(DISTRIBUTOR)
    assert client.get(f"/program/resellers/deals/{named}").status_code == 200
    with app.app_context():
        bodies = [m.body for m in _outbox_to(DISTRIBUTOR)]
    assert any("Lakeside Tech's registration for Quokka Analytics GmbH was approved" in b for b in bodies)
    assert any("was marked won by Lena Fischer" in b for b in bodies)


def test_the_distributor_is_told_of_a_rejection_and_an_expiry(app, register):
    rejected = register(RESELLER, name_distributor=True)
    expiring = register(RESELLER, company="Expiring Estates Ltd", customer_website="expiring-estates.example",
                        contact_email="e@expiring-estates.example", contact_phone="+44 20 5550 9911",
                        name_distributor=True)
    with app.app_context():
        channel = find_user("channel@vendor.demo")
        services.reject(channel, db.session.get(Deal, rejected), "No budget yet.")
        services.approve(channel, db.session.get(Deal, expiring))
        db.session.commit()
        with clock.travel(timedelta(days=app.config["DEAL_PROTECTION_DAYS"] + 1)):
            assert services.expire_lapsed() >= 1
            db.session.commit()
        bodies = [m.body for m in _outbox_to(DISTRIBUTOR)]
    assert any("was rejected.\nReason: No budget yet." in b for b in bodies)
    assert any("Expiring Estates Ltd expired: its protection ended" in b for b in bodies)


def test_a_former_distributor_is_no_longer_told(app, register, ids):
    named = register(RESELLER, name_distributor=True)
    with app.app_context():
        db.session.get(Organization, ids["reseller"]).parent_id = None
        db.session.commit()
        before = len(notifications_of(DISTRIBUTOR))
        services.approve(find_user("channel@vendor.demo"), db.session.get(Deal, named))
        db.session.commit()
        assert len(notifications_of(DISTRIBUTOR)) == before
        assert db.session.get(Deal, named).followed_by is None


# --- registering on a reseller's behalf ----------------------------------------------------


def test_a_distributor_registers_a_deal_for_its_reseller(app, login_as, ids):
    client = login_as(DISTRIBUTOR)
    form = client.get(f"/program/resellers/register?reseller={ids['reseller']}").get_data(as_text=True)
    assert f'<option selected value="{ids["reseller"]}">Lakeside Tech</option>' in form
    assert "follow this deal" not in form  # the distributor follows it anyway
    with app.app_context():
        response = post(client, "/program/resellers/register",
                        form_data(product_ids(), reseller_id=str(ids["reseller"])))
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"] == f"/program/resellers/deals/{new_id}"
    with app.app_context():
        deal = db.session.get(Deal, new_id)
        assert deal.org.name == LAKESIDE and deal.owner.email == RESELLER
        assert deal.registered_by.email == DISTRIBUTOR and deal.distributor_id == ids["meridian"]
        assert deal.status is DealStatus.submitted
        created = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.subject_id == new_id,
                                                                AuditEvent.action == "deal.create"))
        assert created.actor.email == DISTRIBUTOR and created.org_id == ids["reseller"]
        assert created.summary == "Registered Quokka Analytics GmbH on behalf of Lakeside Tech (Meridian Distribution)"
        assert created.after["registered_by"] == "Dario Conti"
        assert [n.subject for n in notifications_of(RESELLER)][-1] == "Deal registered for you: Quokka Analytics GmbH"
    reseller_page = login_as(RESELLER).get(f"/deals/{new_id}").get_data(as_text=True)
    assert "Dario Conti of Meridian Distribution, on Lakeside Tech's behalf" in reseller_page
    assert "Meridian Distribution follows this deal" in reseller_page


def test_the_on_behalf_choice_is_only_the_distributors_active_resellers(app, login_as, ids, other_distributor):
    with app.app_context():
        meridian = db.session.get(Organization, ids["meridian"])
        suspended = make_partner(name="Dormant Reseller", parent=meridian, status=OrgStatus.suspended)
        make_user(suspended, Role.partner_admin)
        no_admin = make_partner(name="Adminless Reseller", parent=meridian)
        make_user(no_admin, Role.partner_user)
        db.session.commit()
        catalogue, suspended_id, no_admin_id = product_ids(), suspended.id, no_admin.id
        count = db.session.scalar(sa.select(sa.func.count(Deal.id)))
    client = login_as(DISTRIBUTOR)
    form = client.get("/program/resellers/register").get_data(as_text=True)
    assert "Lakeside Tech</option>" in form and "Dormant Reseller" not in form and "Pinecrest" not in form
    cases = {str(other_distributor["reseller"]): "Choose one of your active resellers.",
             str(ids["meridian"]): "Choose one of your active resellers.",
             str(suspended_id): "Choose one of your active resellers.",
             "": "Choose one of your active resellers.", "nonsense": "Choose one of your active resellers.",
             str(no_admin_id): "Adminless Reseller has no active admin to own the deal"}
    for value, message in cases.items():
        response = post(client, "/program/resellers/register", form_data(catalogue, reseller_id=value))
        assert response.status_code == 422, value
        assert message in response.get_data(as_text=True), value
    invalid = post(client, "/program/resellers/register",
                   form_data(catalogue, reseller_id=str(ids["reseller"]), customer_company=""))
    assert invalid.status_code == 422 and "Customer company" in invalid.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Deal.id))) == count


def test_register_for_reseller_is_refused_without_csrf(login_as, ids):
    client = login_as(DISTRIBUTOR)
    assert client.post("/program/resellers/register", data={"reseller_id": str(ids["reseller"])}).status_code == 400


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_distributor_follows_lakesides_deals(ctx, demo):
    lakeside = {deal.customer_company: deal for deal in db.session.scalars(
        sa.select(Deal).where(Deal.org_id == org_id(LAKESIDE)))}
    now = clock.now()
    assert {company: deal.status_at(now) for company, deal in lakeside.items()} == {
        "Nordsee Fisch AG": DealStatus.approved, "Alpenblick Hotels GmbH": DealStatus.won,
        "Castellan Legal LLP": DealStatus.submitted, "Hollis & Crane Architects": DealStatus.submitted,
        "Ostara Bakeries Ltd": DealStatus.draft}
    followed = {company for company, deal in lakeside.items() if deal.followed_by}
    assert followed == {"Nordsee Fisch AG", "Alpenblick Hotels GmbH", "Hollis & Crane Architects"}
    assert lakeside["Hollis & Crane Architects"].registered_by.email == DISTRIBUTOR
    visible = db.session.scalars(services.reseller_deals_visible_to(find_user(DISTRIBUTOR))
                                 .with_only_columns(Deal.customer_company)).all()
    assert set(visible) == set(lakeside) - {"Ostara Bakeries Ltd"}
    subjects = [n.subject for n in notifications_of(DISTRIBUTOR)]
    assert subjects.count("Reseller deal update: Alpenblick Hotels GmbH") == 2  # approved, then won


def _outbox_to(email):
    return db.session.scalars(sa.select(OutboxEmail).where(OutboxEmail.to == email).order_by(OutboxEmail.id)).all()
