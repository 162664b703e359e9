"""Where partners stand, through the pages: the demo's stories, who sees what, the forecast,
the what-if, evidence, the room card, and the vendor's queue and overrides."""
import io
from datetime import timedelta

import sqlalchemy as sa

from helpers import htmx_get, post
from portal.core import clock
from portal.core.models import AuditEvent, Organization
from portal.deals.models import Deal, DealStatus
from portal.extensions import db
from portal.program.models import ChangeStatus, Criterion, Evidence, TierChange


def _org(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(Organization).where(Organization.name == name))


def _main(html: str) -> str:
    return html.split("<main", 1)[1]


def test_harborline_is_one_certification_short_of_gold(login_as):
    html = _main(login_as("admin@silver.demo").get("/program/").get_data(as_text=True))
    assert "Towards" in html and "1 more person certified “Sales Fundamentals”" in html
    assert html.count("○") == 1  # everything else of Gold is met
    assert "GBP" not in html and "USD 49,530 of 45,000" in html  # its GBP win, converted at the demo's rate


def test_summit_is_warned_inside_its_grace_period(login_as):
    html = _main(login_as("admin@gold.demo").get("/program/").get_data(as_text=True))
    assert "Summit Peak Systems no longer meets Gold." in html and "it moves to Silver" in html
    forecast = login_as("admin@gold.demo").get("/program/forecast").get_data(as_text=True)
    assert "unless Sam Rivera recertifies" in forecast


def test_partner_users_see_their_tier_and_benefits_not_the_numbers(login_as):
    html = _main(login_as("sales@gold.demo").get("/program/").get_data(as_text=True))
    assert "Benefits" in html and "15 %" in html and "20 %" in html  # Gold's discount, and Platinum's
    assert "Standing for" not in html and "What if" not in html and "Forecast" not in html
    rep = login_as("sales@gold.demo")
    for url in ("/program/forecast", "/program/what-if"):
        assert rep.get(url).status_code == 403


def test_a_partner_never_sees_another_partners_standing_or_the_vendor_pages(app, login_as):
    summit = _org(app, "Summit Peak Systems")
    client = login_as("admin@silver.demo")
    html = client.get("/program/").get_data(as_text=True)
    for other in ("Summit", "Sam Rivera", "Grace Holt", "Kestrel", "Meridian"):
        assert other not in _main(html)
    for url in (f"/program/partners/{summit.id}", "/program/changes", "/program/tiers", "/program/settings"):
        assert client.get(url).status_code == 403, url
    assert login_as("channel@vendor.demo").get("/program/").status_code == 404  # partners' own page


def test_the_what_if_counts_only_the_partners_own_open_deals(app, login_as):
    with app.app_context():
        mine = db.session.scalars(sa.select(Deal.id).join(Organization, Deal.org).where(
            Organization.name == "Summit Peak Systems", Deal.status == DealStatus.approved)).all()
        others = db.session.scalars(sa.select(Deal.id).join(Organization, Deal.org).where(
            Organization.name != "Summit Peak Systems")).all()
    client = login_as("admin@gold.demo")
    page = client.get("/program/").get_data(as_text=True)
    assert "Tick the open deals you expect to win" in page
    fragment = htmx_get(client, "/program/what-if?" + "&".join(f"deal={i}" for i in mine)).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="what-if-result"')
    assert f"Winning {len(mine)} deals" in fragment
    foreign = htmx_get(client, "/program/what-if?" + "&".join(f"deal={i}" for i in others[:5])
                       + "&deal=" + "9" * 30 + "&deal=x").get_data(as_text=True)
    assert "Tick deals to see where they would take you" in foreign  # none of them counts
    assert client.get("/program/what-if?deal=" + str(mine[0])).status_code == 200  # a page without htmx


def test_kestrel_would_make_silver_by_winning_its_open_deal(app, login_as):
    with app.app_context():
        open_deal = db.session.scalar(sa.select(Deal.id).where(Deal.customer_company == "Harbourview Dental"))
    client = login_as("admin@registered.demo")
    before = htmx_get(client, "/program/what-if").get_data(as_text=True)
    assert "Tick deals to see where they would take you" in before
    after = htmx_get(client, f"/program/what-if?deal={open_deal}").get_data(as_text=True)
    assert "would qualify for" in after and ">Silver<" in after and "(up from Registered)" in after


def test_the_room_card_shows_the_one_next_step(login_as):
    card = htmx_get(login_as("admin@silver.demo"), "/program/room-card").get_data(as_text=True)
    assert "Next step:" in card and "1 more person certified “Sales Fundamentals” → Gold" in card
    room = login_as("admin@silver.demo").get("/rooms/sales").get_data(as_text=True)
    assert "/program/room-card" in room


def test_evidence_is_sent_as_a_pdf_and_confirmed_by_the_vendor(app, login_as):
    kestrel_admin = login_as("admin@registered.demo")
    with app.app_context():
        plan = db.session.scalar(sa.select(Criterion).where(Criterion.name == "Signed annual business plan"))
    refused = post(kestrel_admin, f"/program/evidence/{plan.id}",
                   {f"evidence-{plan.id}-file": (io.BytesIO(b"MZ not a pdf"), "plan.pdf")}, content_type="multipart/form-data",
                   follow_redirects=True)
    assert "Send the document as a PDF." in refused.get_data(as_text=True)
    sent = post(kestrel_admin, f"/program/evidence/{plan.id}",
                {f"evidence-{plan.id}-file": (io.BytesIO(b"%PDF-1.4 plan"), "plan 2027.pdf")}, content_type="multipart/form-data")
    assert sent.status_code == 303
    kestrel = _org(app, "Kestrel Referral Co")
    with app.app_context():
        evidence = db.session.scalar(sa.select(Evidence).where(Evidence.org_id == kestrel.id))
        assert evidence.file_name == "plan 2027.pdf" and evidence.confirmed_at is None
    vendor = login_as("channel@vendor.demo")
    page = vendor.get(f"/program/partners/{kestrel.id}").get_data(as_text=True)
    assert "plan 2027.pdf" in page and "Confirm" in page
    download = vendor.get(f"/program/evidence/{evidence.id}/file")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")
    download.close()
    summit = _org(app, "Summit Peak Systems")
    assert post(vendor, f"/program/partners/{summit.id}/evidence/{evidence.id}/confirm").status_code == 404
    assert post(vendor, f"/program/partners/{kestrel.id}/evidence/{evidence.id}/confirm").status_code == 303
    again = post(vendor, f"/program/partners/{kestrel.id}/evidence/{evidence.id}/confirm", follow_redirects=True)
    assert "confirmed it" in again.get_data(as_text=True)


def test_the_vendor_approves_the_queued_promotion_and_the_partner_sees_it(app, login_as):
    vendor = login_as("channel@vendor.demo")
    queue = vendor.get("/program/changes").get_data(as_text=True)
    assert "Lakeside Tech" in queue and "Registered → Silver" in queue
    with app.app_context():
        change_id = db.session.scalar(sa.select(TierChange.id).where(TierChange.status == ChangeStatus.pending))
    assert post(vendor, f"/program/changes/{change_id}/approve").status_code == 303
    again = post(vendor, f"/program/changes/{change_id}/approve", follow_redirects=True).get_data(as_text=True)
    assert "This tier change is applied" in again
    partner = login_as("admin@tier2.demo").get("/program/").get_data(as_text=True)
    assert "Lakeside Tech is" in partner and ">Silver<" in partner and "Registered → Silver" in partner
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.summary).where(AuditEvent.action == "program.promotion")) \
            == "Lakeside Tech: Registered → Silver (promotion, by Chris Lindqvist)"


def test_declining_needs_a_reason_and_defer_a_future_date(app, login_as):
    vendor = login_as("channel@vendor.demo")
    with app.app_context():
        change_id = db.session.scalar(sa.select(TierChange.id).where(TierChange.status == ChangeStatus.pending))
    no_reason = post(vendor, f"/program/changes/{change_id}/decline", {f"decline-{change_id}-reason": " "},
                     follow_redirects=True)
    assert "Give a reason" in no_reason.get_data(as_text=True)
    past = post(vendor, f"/program/changes/{change_id}/defer", {f"defer-{change_id}-until": "2020-01-01"},
                follow_redirects=True)
    assert "Defer to a date after today." in past.get_data(as_text=True)
    later = (clock.now() + timedelta(days=30)).date().isoformat()
    assert post(vendor, f"/program/changes/{change_id}/defer", {f"defer-{change_id}-until": later}).status_code == 303
    assert "Deferred" in vendor.get("/program/changes").get_data(as_text=True)
    assert post(vendor, f"/program/changes/{change_id}/decline",
                {f"decline-{change_id}-reason": "Contract not signed"}).status_code == 303
    with app.app_context():
        assert db.session.get(TierChange, change_id).status is ChangeStatus.declined


def test_the_vendor_overrides_with_a_reason_and_a_pin(app, login_as):
    admin = login_as("admin@vendor.demo")
    summit = _org(app, "Summit Peak Systems")
    no_reason = post(admin, f"/program/partners/{summit.id}/override", {"tier": "gold", "reason": ""})
    assert no_reason.status_code == 422 and "Give a reason" in no_reason.get_data(as_text=True)
    until = (clock.now() + timedelta(days=60)).date().isoformat()
    pinned = post(admin, f"/program/partners/{summit.id}/override",
                  {"tier": "gold", "reason": "Certification booked for next week", "pinned_until": until})
    assert pinned.status_code == 303
    page = admin.get(f"/program/partners/{summit.id}").get_data(as_text=True)
    assert "In a grace period" not in page  # the pin ends it
    assert post(login_as("channel@vendor.demo"), f"/program/partners/{summit.id}/override",
                {"tier": "gold", "reason": "x"}).status_code == 403


def test_the_vendor_evaluates_every_partner_on_demand(login_as):
    admin = login_as("admin@vendor.demo")
    response = post(admin, "/program/evaluate", follow_redirects=True)
    assert "Evaluated: 5 partner(s) evaluated" in response.get_data(as_text=True)


def test_settings_and_rates_are_validated(app, login_as):
    admin = login_as("admin@vendor.demo")
    bad = post(admin, "/program/settings", {"currency": "dollars", "promotions": "automatic", "grace_days": "400"})
    assert bad.status_code == 422 and "Three letters" in bad.get_data(as_text=True) and "From 0 to 365." in \
        bad.get_data(as_text=True)
    assert post(admin, "/program/settings", {"currency": "usd", "promotions": "automatic",
                                             "grace_days": "60"}).status_code == 303
    for rate, message in (("0", "A rate above 0"), ("1.123456789", "at most 8 decimals"), ("x", "Not a valid")):
        response = post(admin, "/program/rates", {"rate-currency": "CHF", "rate-rate": rate})
        assert response.status_code == 422 and message in response.get_data(as_text=True), rate
    own = post(admin, "/program/rates", {"rate-currency": "USD", "rate-rate": "1"})
    assert own.status_code == 422 and "its rate is 1" in own.get_data(as_text=True)
    assert post(admin, "/program/rates", {"rate-currency": "chf", "rate-rate": "1.12"}).status_code == 303
    assert "1 CHF</strong> = 1.12 USD" in admin.get("/program/settings").get_data(as_text=True)
    assert post(admin, "/program/rates/CHF/delete").status_code == 303
    assert post(admin, "/program/rates/XYZ/delete").status_code == 404
