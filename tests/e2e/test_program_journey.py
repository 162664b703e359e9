"""The partner program from both sides: a partner admin reads the forecast and ticks an open
deal in the what-if (no page reload); the vendor approves the promotion waiting in the queue;
the partner then sees its new tier and benefits."""
import re

import pytest
from playwright.sync_api import expect

from e2e_support import sign_in

pytestmark = pytest.mark.e2e


def test_a_partner_admin_sees_the_forecast_and_uses_the_what_if(new_page):
    page = new_page()
    sign_in(page, "admin@registered.demo")
    page.goto("/program/")
    expect(page.get_by_role("heading", name="Your program")).to_be_visible()
    expect(page.locator("#forecast")).to_contain_text("Built from certificate expiry dates")  # loaded after the page
    page.evaluate("window.__marker = 1")
    result = page.locator("#what-if-result")
    expect(result).to_contain_text("Tick deals to see where they would take you")
    deal = page.get_by_label(re.compile("Harbourview Dental"))
    deal.focus()
    page.keyboard.press("Space")  # as a keyboard user ticks it
    expect(result).to_contain_text("would qualify for Silver (up from Registered)")
    page.keyboard.press("Space")
    expect(result).to_contain_text("Tick deals to see where they would take you")
    assert page.evaluate("window.__marker") == 1, "the what-if reloaded the page"


def test_the_vendor_approves_the_queued_promotion_and_the_partner_sees_its_new_tier(new_page):
    vendor = new_page()
    sign_in(vendor, "channel@vendor.demo")
    vendor.goto("/program/changes")
    change = vendor.locator(".change").filter(has_text="Lakeside Tech")
    expect(change).to_contain_text("Registered → Silver")
    expect(change).to_contain_text("Won revenue, trailing 12 months: USD 41,040.00 of USD 40,000")
    change.get_by_role("button", name="Approve: Lakeside Tech becomes Silver").click()
    expect(vendor.locator("#flash")).to_contain_text("Lakeside Tech is now Silver.")
    expect(vendor.get_by_text("No promotion waits for review.")).to_be_visible()

    partner = new_page()
    sign_in(partner, "admin@tier2.demo")
    partner.goto("/program/")
    expect(partner.locator(".lead")).to_contain_text("Lakeside Tech is Silver; next: Gold.")
    benefits = partner.locator("table")
    expect(benefits.get_by_role("columnheader", name="Silver")).to_be_visible()
    expect(benefits.locator("tr").filter(has_text="Partner discount")).to_contain_text("10 %")
    expect(partner.get_by_text("Registered → Silver")).to_be_visible()
