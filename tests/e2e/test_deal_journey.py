"""A partner sales rep registers a deal from the sales room: the live conflict check answers
as she types (without a page reload), inline validation catches a bad email as she leaves
the field, and she submits. The channel manager approves it from the review queue; the
rep then sees the protection date and one unread notification."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from e2e_support import sign_in
from portal.core import clock
from portal.core.auth import find_user
from portal.core.models import Product
from portal.deals import services
from portal.deals.models import DealStage
from portal.extensions import db
from portal.notifications.services import mark_all_read

pytestmark = pytest.mark.e2e

HOLDER_COMPANY = "Pemberton Orchards Ltd"  # held by Harborline IT (Silver), a competitor of the rep
HOLDER_PARTNER = "Harborline IT"
HOLDER_REP = "Sean Byrne"
FRESH_COMPANY = "Zephyrine Kelp Farms"  # nothing in the demo data resembles it


@pytest.fixture
def protected_customer(app, live_server):
    """Another partner's approved (protected) registration, and a rep with no unread news."""
    with app.app_context():
        products = db.session.scalars(sa.select(Product.id).order_by(Product.name)).all()
        holder = services.create_deal(find_user("sales@silver.demo"), services.DealInput(
            customer_company=HOLDER_COMPANY, customer_website="pemberton-orchards.example", contact_name="Hugh Pym",
            contact_email="hugh@pemberton-orchards.example", contact_phone=None, country="GB",
            product_ids=products[:2], amount=75_000, currency="GBP",
            close_date=clock.now().date() + timedelta(days=45), stage=DealStage.proposal, notes="",
        ), submit_now=True)
        services.approve(find_user("channel@vendor.demo"), holder)
        mark_all_read(find_user("sales@gold.demo"))  # the demo's history; the journey counts from zero
        db.session.commit()


def test_rep_registers_a_deal_with_live_checks_and_the_channel_manager_approves_it(
        app, page, new_page, protected_customer):
    # The rep starts in her sales room, where the deals widget loads after the page.
    sign_in(page, "sales@gold.demo")
    expect(page).to_have_url(re.compile(r"/rooms/sales$"))
    widget = page.locator("#room-deals")
    expect(widget.get_by_role("heading", name="My deals")).to_be_visible()
    widget.get_by_role("link", name="Register a deal").click()
    expect(page).to_have_url(re.compile(r"/deals/new$"))
    expect(page.get_by_role("heading", name="Register a deal", level=1)).to_be_visible()
    page.evaluate("window.__notReloaded = true")  # lost if the page reloads

    # A customer another partner already protects: red, without naming that partner.
    conflict = page.locator("#conflict")
    expect(conflict.get_by_role("heading", name="Conflict check")).to_be_visible()
    page.get_by_label("Customer company").press_sequentially("Pemberton Orchards", delay=30)
    page.get_by_label("Website or email domain").fill("www.pemberton-orchards.example")
    expect(conflict.get_by_role("heading", name="Already protected")).to_be_visible()
    expect(conflict).to_contain_text("same domain")
    expect(conflict).not_to_contain_text(HOLDER_PARTNER)
    expect(conflict).not_to_contain_text(HOLDER_REP)
    assert page.evaluate("window.__notReloaded") is True

    # Another domain: the name alone still matches.
    page.get_by_label("Website or email domain").fill("zephyrine-kelp.example")
    expect(conflict.locator(".reasons")).to_have_text("Same company name")
    expect(conflict.get_by_role("heading", name="Already protected")).to_be_visible()

    # A customer nobody holds: green. The company input was re-rendered by its inline
    # validation when she left it; the check must still follow it.
    page.get_by_label("Customer company").fill(FRESH_COMPANY)
    page.get_by_label("Customer company").press("Tab")
    expect(conflict.get_by_role("heading", name="No conflict found")).to_be_visible()
    expect(conflict).not_to_contain_text("protected registration")
    expect(page.get_by_label("Customer company")).to_have_value(FRESH_COMPANY)
    expect(page.get_by_label("Website or email domain")).to_have_value("zephyrine-kelp.example")

    # Inline validation: the message appears as she leaves the field, and goes once fixed.
    page.get_by_label("Contact name").fill("Zoe Marsh")
    email = page.get_by_label("Contact email")
    email.fill("zoe.marsh@")
    email.press("Tab")
    message = page.locator("#contact_email-error")
    expect(message).to_have_text("Invalid email address.")
    expect(page.get_by_label("Contact email")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Contact email")).to_have_attribute("aria-describedby", "contact_email-error")
    page.get_by_label("Contact email").fill("zoe.marsh@zephyrine-kelp.example")
    page.get_by_label("Contact email").press("Tab")
    expect(message).to_have_count(0)
    expect(conflict.get_by_role("heading", name="No conflict found")).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True

    page.get_by_label("Country").select_option(label="New Zealand")
    page.get_by_label("Acme Backup").check()
    page.get_by_label("Estimated value").fill("48000")
    page.get_by_label("Expected close date").fill((clock.now().date() + timedelta(days=60)).isoformat())
    page.get_by_role("button", name="Submit for review").click()

    expect(page).to_have_url(re.compile(r"/deals/\d+$"))
    deal_url = page.url
    expect(page.get_by_role("heading", name=FRESH_COMPANY, level=1)).to_be_visible()
    state = page.locator(".deal-state")
    expect(state.locator(".status")).to_have_text("Submitted")
    expect(page.locator("#flash")).to_contain_text("Deal submitted for review.")

    # The channel manager, in another browser, approves it from the review queue.
    vendor = new_page()
    sign_in(vendor, "channel@vendor.demo")
    expect(vendor).to_have_url(re.compile(r"/partners/$"))
    vendor.get_by_role("navigation", name="Main").get_by_role("link", name="Deals").click()
    expect(vendor.get_by_role("heading", name="Review queue", level=1)).to_be_visible()
    vendor.locator("#queue").get_by_role("link", name=FRESH_COMPANY).click()
    expect(vendor).to_have_url(deal_url)
    expect(vendor.get_by_role("heading", name=FRESH_COMPANY, level=1)).to_be_visible()
    vendor.get_by_role("button", name=re.compile(r"^Approve: protect for 90 days")).click()
    expect(vendor.locator(".deal-state")).to_contain_text("Approved until")

    # Back to the rep: the protection date, and the bell says one unread.
    until = (clock.now() + timedelta(days=90)).strftime("%d %b %Y")
    page.reload()
    expect(state.locator(".status")).to_have_text("Approved")
    expect(state).to_contain_text(f"Approved until {until}")
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell.locator(".count-pill")).to_have_text("1")
    expect(bell).to_have_accessible_name("Notifications 1 unread")

    bell.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    unread = page.locator(".notifications .is-unread")
    expect(unread).to_have_count(1)
    expect(unread.get_by_role("link", name=f"Deal approved: {FRESH_COMPANY}")).to_be_visible()


DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_rep_fixes_errors_types_a_date_and_is_told_her_team_has_the_customer(new_page, viewport):
    page = new_page(viewport=viewport)
    sign_in(page, "sales@gold.demo")
    page.goto("/deals/new")

    # Submitting nothing: the banner names the failing fields and the first takes focus.
    page.get_by_role("button", name="Submit for review").click()
    banner = page.locator("#deal-form-errors")
    expect(banner).to_contain_text("Customer company")
    expect(banner).to_contain_text("Expected close date")
    expect(page.get_by_label("Customer company")).to_be_focused()

    # The customer her own team registered: said plainly, with a link to that deal.
    page.get_by_label("Customer company").press_sequentially("Lakeshore Foods", delay=20)
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("Your team already registered this customer")
    expect(conflict.get_by_role("link", name=re.compile(r"^deal #\d+$"))).to_be_visible()

    # A date typed digit by digit, as people do: the field keeps every keystroke.
    close = page.get_by_label("Expected close date")
    close.focus()  # as by Tab: the month comes first (a click lands on whichever part is under it)
    close.press_sequentially("06302027", delay=40)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # Chromium: the first Tab reaches the field's own calendar button
    expect(close).to_have_value("2027-06-30")
    expect(page.locator("#close_date-error")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_reviewer_decides_and_goes_on_to_the_next_in_queue(new_page, viewport):
    vendor = new_page(viewport=viewport)
    sign_in(vendor, "channel@vendor.demo")
    vendor.goto("/deals/review")
    first = vendor.locator("#queue td.customer a").first
    first_name = first.inner_text()
    first.click()
    vendor.get_by_role("button", name=re.compile(r"^Approve: protect for 90 days")).click()
    expect(vendor.locator(".deal-state")).to_contain_text("Approved until")
    expect(vendor.get_by_role("link", name="Back to queue")).to_be_visible()
    vendor.get_by_role("link", name="Next in queue").click()
    expect(vendor.get_by_role("heading", level=1)).not_to_have_text(first_name)
    expect(vendor.get_by_role("button", name=re.compile(r"^Approve: protect for 90 days"))).to_be_visible()
    assert vendor.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
