"""Pages at a phone's width: what must stay in sight while someone works there."""
import re

import pytest
from playwright.sync_api import expect

from e2e_support import sign_in

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 600}  # the height left above an on-screen keyboard


def test_the_co_brand_preview_stays_in_sight_while_the_partner_types(new_page):
    page = new_page(viewport=PHONE)
    sign_in(page, "marketing@gold.demo")
    page.goto("/co-brand")
    page.get_by_role("link", name=re.compile("Product Overview Flyer")).first.click()
    preview = page.locator("iframe.cobrand-frame")
    message = page.get_by_label("Your message")
    message.click()
    page.keyboard.type("Colorado's Acme Cloud experts.")
    expect(message).to_be_in_viewport()
    expect(preview).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
