from urllib.parse import urlsplit

import sqlalchemy as sa

from helpers import htmx_get, post
from portal.core.models import AuditEvent, Organization, OutboxEmail, User
from portal.extensions import db


def _org_id(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(Organization.id).where(Organization.name == name))


def test_partner_list_filters_and_searches(login_as):
    client = login_as("channel@vendor.demo")
    html = client.get("/partners/").get_data(as_text=True)
    assert "Summit Peak Systems" in html and "Harborline IT" in html
    assert "Acme Cloud</a>" not in html  # the vendor is not a partner
    emea = client.get("/partners/?region=EMEA").get_data(as_text=True)
    assert "Harborline IT" in emea and "Summit Peak Systems" not in emea
    fragment = htmx_get(client, "/partners/?q=harb").get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="results"') and "Harborline IT" in fragment
    assert "Summit" not in fragment
    assert "No partner matches" in client.get("/partners/?q=%25_nothing").get_data(as_text=True)


def test_partner_list_ignores_bad_filter_values(login_as):
    assert login_as("channel@vendor.demo").get("/partners/?tier=diamond&page=-3").status_code == 200


def test_partner_list_paginates(app, login_as):
    from portal.demo.generated import seed_generated_partners

    with app.app_context():
        seed_generated_partners(app.config["PAGE_SIZE"] + 5)
    client = login_as("channel@vendor.demo")
    assert "Page 1 of 2" in client.get("/partners/").get_data(as_text=True)
    assert "Page 2 of 2" in htmx_get(client, "/partners/?page=2").get_data(as_text=True)


def test_partner_detail_shows_people_tier_and_resellers(app, login_as):
    client = login_as("channel@vendor.demo")
    html = client.get(f"/partners/{_org_id(app, 'Meridian Distribution')}").get_data(as_text=True)
    assert "Platinum" in html and "Lakeside Tech" in html and "Dario Conti" in html
    # channel managers see, but do not change
    assert "Change status" not in html
    assert "Standing and tier changes" in html  # tiers change in the program, with a reason


def test_partners_console_is_vendor_only(app, login_as):
    org_id = _org_id(app, "Summit Peak Systems")
    for email in ["admin@gold.demo", "sales@gold.demo"]:
        client = login_as(email)
        assert client.get("/partners/").status_code == 403
        assert client.get(f"/partners/{org_id}").status_code == 403


def test_vendor_org_is_not_a_partner(app, login_as):
    assert login_as("admin@vendor.demo").get(f"/partners/{_org_id(app, 'Acme Cloud')}").status_code == 404


def test_suspending_a_partner_locks_its_people_out(app, login_as):
    leaver_client = login_as("sales@silver.demo")
    admin = login_as("admin@vendor.demo")
    org_id = _org_id(app, "Harborline IT")
    assert post(admin, f"/partners/{org_id}/status", {"status": "suspended"}).status_code == 303
    assert leaver_client.get("/rooms/sales").status_code == 302
    response = post(app.test_client(), "/login", {"email": "sales@silver.demo", "password": "partnerhouse"})
    assert response.status_code == 422


def test_create_partner_invites_its_admin(app, login_as):
    client = login_as("admin@vendor.demo")
    meridian = _org_id(app, "Meridian Distribution")
    form = {"name": "Northwind Traders", "tier": "silver", "partner_type": "reseller", "region": "LATAM",
            "parent_id": str(meridian), "admin_name": "Nora North", "admin_email": "Nora@Northwind.example"}
    response = post(client, "/partners/new", form)
    assert response.status_code == 303
    with app.app_context():
        org = db.session.scalar(sa.select(Organization).where(Organization.name == "Northwind Traders"))
        admin = db.session.scalar(sa.select(User).where(User.email == "nora@northwind.example"))
        assert org.parent_id == meridian and admin.org_id == org.id and admin.password_hash is None
        mail = db.session.scalar(sa.select(OutboxEmail).where(OutboxEmail.to == "nora@northwind.example"))
        assert "/password/invite/" in mail.body
    link = urlsplit(mail.body.split("here: ")[1].split()[0]).path
    newcomer = app.test_client()
    assert "Welcome, Nora North" in newcomer.get(link).get_data(as_text=True)
    response = post(newcomer, link, {"password": "northwind rocks", "confirm": "northwind rocks"})
    assert response.status_code == 303 and response.headers["Location"] == "/rooms/sales"


def test_create_partner_errors_are_422(app, login_as):
    client = login_as("admin@vendor.demo")
    form = {"name": "harborline it", "tier": "silver", "partner_type": "reseller", "region": "NA",
            "parent_id": "", "admin_name": "X", "admin_email": "sales@gold.demo"}
    response = post(client, "/partners/new", form)
    assert response.status_code == 422
    assert "exists already" in response.get_data(as_text=True)
    form["name"] = "Brand New Co"
    response = post(client, "/partners/new", form)
    assert response.status_code == 422 and "already has an account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Organization.id).where(Organization.name == "Brand New Co")) is None


def test_recent_changes_name_the_deal_they_are_about(app, login_as):
    from portal.deals.models import Deal

    with app.app_context():
        deal_id = db.session.scalar(sa.select(Deal.id).where(Deal.customer_company == "Lakeshore Foods Co."))
    admin = login_as("admin@vendor.demo")
    assert post(admin, f"/deals/{deal_id}/approve", {}).status_code == 303
    expected = f'<a href="/deals/{deal_id}">Lakeshore Foods Co.</a>: Approved; protected until'
    assert expected in admin.get(f"/partners/{_org_id(app, 'Summit Peak Systems')}").get_data(as_text=True)
    assert expected in admin.get("/audit?action=deal.approve").get_data(as_text=True)
