"""axe-core (WCAG 2.1 A and AA, and axe's best practices) finds nothing on the main pages of
every persona, at desktop and phone widths. axe is added as an init script of the test's
browser context (Playwright adds it outside the page's CSP, which stays as it is)."""
import re

import pytest
from playwright.sync_api import expect

from a11y_pages import AXE_JS, checker, main_pages
from e2e_support import sign_in

pytestmark = pytest.mark.e2e

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


def axe_violations(page) -> list[str]:
    page.wait_for_load_state("networkidle")
    # lazy widgets and badges swapped in after the page loaded, then their settling
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(", ".join(node["target"]) for node in v["nodes"][:5])
            for v in results["violations"]]


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_nothing_on_the_main_pages_of_every_persona(app, browser, live_server, width):
    found = []
    for email, paths in main_pages(app).items():
        with browser.new_context(base_url=live_server, viewport=WIDTHS[width]) as context:
            context.add_init_script(path=checker(AXE_JS))
            page = context.new_page()
            if email:
                sign_in(page, email)
                page.wait_for_url(re.compile(r"/(rooms|partners)/"))  # where each persona lands
            for path in paths:
                page.goto(path)
                found += axe_violations(page)
    assert not found, "\n".join(found)
