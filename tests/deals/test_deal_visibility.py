"""Who sees which deal: lists, pages, actions, export, the review queue and the room widget."""
import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from helpers import htmx_get, post
from portal.core import clock
from portal.core.auth import find_user
from portal.deals import services
from portal.deals.models import Deal
from portal.extensions import db


def test_a_rep_sees_their_own_deals_an_admin_the_orgs_the_vendor_all(login_as, register):
    own = register("sales@gold.demo", customer_company="Wombat Works")
    colleague = register("admin@gold.demo", customer_company="Narwhal Labs")
    other_org = register("sales@silver.demo", customer_company="Zebu Systems")
    cases = {
        "sales@gold.demo": ({own}, {colleague, other_org}),
        "admin@gold.demo": ({own, colleague}, {other_org}),
        "admin@silver.demo": ({other_org}, {own, colleague}),
        "channel@vendor.demo": ({own, colleague, other_org}, set()),
    }
    names = {own: "Wombat Works", colleague: "Narwhal Labs", other_org: "Zebu Systems"}
    for email, (visible, hidden) in cases.items():
        client = login_as(email)
        listing = client.get("/deals").get_data(as_text=True)
        for deal_id in visible:
            assert names[deal_id] in listing, (email, deal_id)
            assert client.get(f"/deals/{deal_id}").status_code == 200
        for deal_id in hidden:
            assert names[deal_id] not in listing, (email, deal_id)
            assert client.get(f"/deals/{deal_id}").status_code == 404, (email, deal_id)


def test_another_orgs_deal_is_404_for_every_action(login_as, register):
    deal_id = register("sales@silver.demo", submit=False)
    client = login_as("admin@gold.demo")
    assert client.get(f"/deals/{deal_id}/edit").status_code == 404
    for action, data in [("submit", {}), ("delete", {}), ("outcome", {"outcome": "won"}),
                         ("extension", {"reason": "x"}), ("edit", {})]:
        assert post(client, f"/deals/{deal_id}/{action}", data).status_code == 404, action


def test_the_list_filters_and_pages_as_a_fragment(login_as, register):
    register(customer_company="Wombat Works")
    register(customer_company="Narwhal Labs", submit=False)
    client = login_as("sales@gold.demo")
    fragment = htmx_get(client, "/deals?status=draft").get_data(as_text=True)
    assert fragment.startswith('\n<div id="deal-rows"') or 'id="deal-rows"' in fragment
    assert "<html" not in fragment and "Narwhal Labs" in fragment and "Wombat Works" not in fragment
    assert "Narwhal Labs" not in client.get("/deals?q=wombat").get_data(as_text=True)
    assert "No deal matches these filters" in client.get("/deals?q=nothing-like-it").get_data(as_text=True)
    assert "No deal matches these filters" in client.get("/deals?q=%25").get_data(as_text=True)  # % is literal
    assert "Wombat Works" in client.get("/deals?q=WOMBAT").get_data(as_text=True)
    assert client.get("/deals?status=bogus&page=-3").status_code == 200


def test_empty_state_invites_the_first_registration(login_as, demo):
    html = login_as("trainee@registered.demo").get("/deals").get_data(as_text=True)
    assert "Register your first deal" in html


def test_csv_export_holds_exactly_the_visible_deals_and_defuses_formulas(app, login_as, register):
    register("sales@gold.demo", customer_company="=HYPERLINK(\"http://evil\")")
    register("sales@silver.demo", customer_company="Zebu Systems")
    response = login_as("sales@gold.demo").get("/deals.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    with app.app_context():
        visible = set(db.session.scalars(services.deals_visible_to(find_user("sales@gold.demo")).with_only_columns(Deal.id)))
    assert {int(row["id"]) for row in rows} == visible
    evil = next(row for row in rows if "HYPERLINK" in row["customer"])
    assert evil["customer"] == "'=HYPERLINK(\"http://evil\")"
    assert evil["status"] == "submitted" and evil["partner"] == "Summit Peak Systems"
    vendor_csv = login_as("channel@vendor.demo").get("/deals.csv").get_data(as_text=True)
    assert {"'=HYPERLINK(\"http://evil\")", "Zebu Systems"} <= {row["customer"] for row in csv.DictReader(io.StringIO(vendor_csv))}


def test_the_review_queue_is_oldest_first_with_an_sla_badge(app, login_as, register):
    with clock.travel(timedelta(hours=-50)):
        old = register("sales@silver.demo", customer_company="Zebu Systems")
    register("sales@gold.demo", customer_company="Wombat Works")
    register("sales@gold.demo", customer_company="Narwhal Labs", submit=False)
    vendor = login_as("channel@vendor.demo")
    html = vendor.get("/deals/review").get_data(as_text=True)
    assert html.index("Zebu Systems") < html.index("Wombat Works") and "Narwhal Labs" not in html
    rows = html.split("<tr>")
    zebu, wombat = (next(row for row in rows if name in row) for name in ("Zebu Systems", "Wombat Works"))
    assert "Over SLA" in zebu and "2 d 2 h" in zebu
    assert "In SLA" in wombat
    assert "Wombat" not in htmx_get(vendor, "/deals/review?tier=silver").get_data(as_text=True)
    assert post(login_as("admin@gold.demo"), "/deals/review", {"deal_id": [old], "decision": "approve"}).status_code == 403
    assert login_as("admin@gold.demo").get("/deals/review").status_code == 403


def test_bulk_approve_and_bulk_reject_needs_a_reason(app, login_as, register):
    first = register("sales@silver.demo", customer_company="Zebu Systems")
    second = register("sales@gold.demo", customer_company="Wombat Works")
    vendor = login_as("channel@vendor.demo")
    response = post(vendor, "/deals/review", {"deal_id": [str(first), str(second)], "decision": "reject"},
                    follow_redirects=True)
    assert "Give a reason for rejecting" in response.get_data(as_text=True)
    response = post(vendor, "/deals/review", {"deal_id": [str(first), str(second)], "decision": "approve"},
                    follow_redirects=True)
    assert "2 deals approved." in response.get_data(as_text=True)
    with app.app_context():
        assert {db.session.get(Deal, deal_id).status.value for deal_id in (first, second)} == {"approved"}


def test_the_side_by_side_conflict_view_is_the_vendors_alone(login_as, register):
    holder = register("sales@silver.demo")
    later = register("sales@gold.demo")
    vendor = login_as("channel@vendor.demo")
    html = vendor.get(f"/deals/{later}/conflict").get_data(as_text=True)
    assert "Harborline IT" in html and "Summit Peak Systems" in html and f"/deals/{holder}" in html
    assert vendor.get(f"/deals/{holder}/conflict").status_code == 404  # nothing held it
    assert login_as("admin@gold.demo").get(f"/deals/{later}/conflict").status_code == 403
    rep_page = login_as("sales@gold.demo").get(f"/deals/{later}").get_data(as_text=True)
    assert "Harborline" not in rep_page and "Compare side by side" not in rep_page


def test_the_sales_room_lazy_loads_my_deals(login_as, register, decide):
    deal_id = register()
    decide(services.approve, deal_id)
    client = login_as("sales@gold.demo")
    assert "/rooms/sales/deals" in client.get("/rooms/sales").get_data(as_text=True)
    with clock.travel(timedelta(days=80)):
        widget = htmx_get(client, "/rooms/sales/deals").get_data(as_text=True)
    assert "<html" not in widget and "Protection ends soon" in widget and "Quokka Analytics GmbH" in widget
    assert "Register a deal" in widget
    assert htmx_get(client, "/rooms/marketing/deals").status_code == 404
    assert "/rooms/marketing/deals" not in client.get("/rooms/marketing").get_data(as_text=True)


def test_notifications_page_and_mark_all_read(login_as, register, decide):
    decide(services.approve, register())
    client = login_as("sales@gold.demo")
    html = client.get("/notifications").get_data(as_text=True)
    assert "Deal approved: Quokka Analytics GmbH" in html and "is-unread" in html
    assert post(client, "/notifications/read").status_code == 303
    assert "is-unread" not in client.get("/notifications").get_data(as_text=True)
    assert "count-pill" not in htmx_get(client, "/notifications/badge").get_data(as_text=True)


def test_house_accounts_are_managed_by_the_vendor_admin(app, login_as):
    admin = login_as("admin@vendor.demo")
    assert post(admin, "/deals/house-accounts", {"company": "", "website": ""}).status_code == 422
    assert post(admin, "/deals/house-accounts", {"company": "Quokka", "website": "gmail.com"}).status_code == 422
    assert post(admin, "/deals/house-accounts", {"company": "Quokka Analytics", "website": "quokka.example"}).status_code == 303
    html = admin.get("/deals/house-accounts").get_data(as_text=True)
    assert "Quokka Analytics" in html and "quokka.example" in html
    from portal.deals.models import HouseAccount

    with app.app_context():
        account_id = db.session.scalar(sa.select(HouseAccount.id).where(HouseAccount.company == "Quokka Analytics"))
    assert post(admin, f"/deals/house-accounts/{account_id}/delete").status_code == 303
    assert "quokka.example" not in admin.get("/deals/house-accounts").get_data(as_text=True)
    assert login_as("channel@vendor.demo").get("/deals/house-accounts").status_code == 403
