"""A partner admin deactivates a leaver (who loses access on the next request) and
invites a newcomer, both through htmx swaps of the team table."""
import re

import pytest
from playwright.sync_api import expect

from e2e_support import sign_in

pytestmark = pytest.mark.e2e


def _row(page, name):
    return page.locator("#team tbody tr").filter(has=page.get_by_text(name, exact=True))


def test_admin_deactivates_a_leaver_who_is_signed_out_at_once(new_page):
    leaver = new_page()
    sign_in(leaver, "sales@gold.demo")
    expect(leaver).to_have_url(re.compile(r"/rooms/sales$"))

    admin = new_page()
    sign_in(admin, "admin@gold.demo")
    admin.goto("/team/")
    expect(admin.get_by_role("heading", name="Summit Peak Systems team")).to_be_visible()
    admin.evaluate("window.__marker = 1")

    row = _row(admin, "Sam Rivera")
    expect(row.locator(".status")).to_have_text("active")
    row.get_by_text("Deactivate…").click()
    row.get_by_role("button", name="Deactivate Sam Rivera").click()

    expect(_row(admin, "Sam Rivera").locator(".status")).to_have_text("deactivated")
    expect(admin.locator("#flash")).to_contain_text("Sam Rivera is deactivated and signed out.")
    expect(admin.get_by_role("heading", name="People")).to_be_focused()  # the button is gone
    assert admin.evaluate("window.__marker") == 1, "the deactivation reloaded the whole page"

    leaver.reload()
    expect(leaver).to_have_url(re.compile(r"/login\?next=(/|%2F)rooms(/|%2F)sales$"))
    expect(leaver.get_by_role("heading", name="Sign in")).to_be_visible()


def test_admin_invites_someone_without_a_page_reload(new_page):
    admin = new_page()
    sign_in(admin, "admin@gold.demo")
    admin.goto("/team/")
    admin.evaluate("window.__marker = 1")

    form = admin.locator("#add-person")
    form.get_by_role("button", name="Send invitation").click()
    expect(form.get_by_label("Name", exact=True)).to_be_focused()  # the first field in error
    expect(form.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Name", exact=True).fill("Nia Newcomer")
    form.get_by_label("Email", exact=True).fill("nia@gold.demo")
    form.get_by_label("Room", exact=True).select_option(label="Marketing")
    form.get_by_label("Role", exact=True).select_option(label="Partner user")
    form.get_by_role("button", name="Send invitation").click()

    row = _row(admin, "Nia Newcomer")
    expect(row.locator(".status")).to_have_text("invited")
    expect(row).to_contain_text("nia@gold.demo")
    expect(row.get_by_label("Room for Nia Newcomer")).to_have_value("marketing")
    expect(admin.locator("#flash")).to_contain_text("Nia Newcomer is invited")
    expect(admin.get_by_role("heading", name="People")).to_be_focused()
    # The form came back blank (out-of-band swap) and the page was never reloaded.
    expect(admin.locator("#add-person").get_by_label("Name", exact=True)).to_have_value("")
    assert admin.evaluate("window.__marker") == 1, "inviting reloaded the whole page"

    # A changed room keeps focus on its select, so the next Tab goes on along the row.
    room = _row(admin, "Nia Newcomer").get_by_label("Room for Nia Newcomer")  # found again after each swap
    room.focus()
    room.select_option(label="Sales")
    expect(admin.locator("#flash")).to_contain_text("Nia Newcomer is now in the Sales room.")
    expect(room).to_be_focused()


PHONE = {"width": 390, "height": 844}


def test_on_a_phone_the_team_is_cards_and_the_links_fold_behind_a_menu_button(new_page):
    admin = new_page(viewport=PHONE)
    sign_in(admin, "admin@gold.demo")
    admin.goto("/team/")
    assert admin.locator("header.topbar").bounding_box()["height"] <= PHONE["height"] / 7
    team_link = admin.get_by_role("navigation", name="Main").get_by_role("link", name="Team", exact=True)
    expect(team_link).to_be_hidden()

    menu = admin.locator("summary", has_text="Menu")
    menu.focus()
    admin.keyboard.press("Enter")
    expect(team_link).to_be_visible()
    admin.keyboard.press("Enter")  # the button keeps focus: Enter folds the links again
    expect(team_link).to_be_hidden()

    deactivate = _row(admin, "Sam Rivera").get_by_text("Deactivate…")
    box = deactivate.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert admin.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
