"""The foundation's journey: sign in, land in your room, switch rooms, go back, sign out."""
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_sign_in_switch_rooms_go_back_and_sign_out(page):
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Email", exact=True).fill("sales@gold.demo")
    page.get_by_label("Password", exact=True).fill("partnerhouse")
    page.get_by_label("Password", exact=True).press("Enter")

    expect(page).to_have_url(re.compile(r"/rooms/sales$"))
    expect(page.get_by_role("heading", name="Sales room", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to Partnerhouse")).to_be_visible()

    rooms = page.get_by_role("navigation", name="Rooms")
    current = rooms.locator('[aria-current="page"]')
    expect(current).to_have_attribute("href", "/rooms/sales")
    rooms.get_by_role("link", name="Marketing", exact=True).click()
    expect(page).to_have_url(re.compile(r"/rooms/marketing$"))
    expect(page.get_by_role("heading", name="Marketing room", level=1)).to_be_visible()
    expect(current).to_have_attribute("href", "/rooms/marketing")

    page.go_back()
    expect(page).to_have_url(re.compile(r"/rooms/sales$"))
    expect(page.get_by_role("heading", name="Sales room", level=1)).to_be_visible()
    expect(current).to_have_attribute("href", "/rooms/sales")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_text("You are signed out.")).to_be_visible()

    page.goto("/rooms/sales")
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)rooms(/|%2F)sales$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
