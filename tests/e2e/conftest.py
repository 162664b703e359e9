"""Browser fixtures for the e2e journeys: a live server over the test app, one Chromium
for the session, and a fresh browser context per page (so per test)."""
import pytest
from playwright.sync_api import sync_playwright

from e2e_support import launch_browser, serve

VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture
def live_server(app, demo):
    """The base URL of the app (with the demo data) served on a free local port."""
    with serve(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        try:
            browser, error = launch_browser(playwright), None
        except Exception as exc:  # a missing browser must fail CI, never skip
            browser, error = None, exc
        if error is not None:
            pytest.fail(f"Cannot start Chromium for the e2e tests: {error}", pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a new, isolated browser context (its own cookies): new_page()."""
    contexts = []

    def _new_page(**options):
        options.setdefault("viewport", VIEWPORT)
        context = browser.new_context(base_url=live_server, **options)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        for page in context.pages:
            page.close()
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
