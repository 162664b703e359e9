"""A partner marketer searches as she types, opens an asset and downloads it."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from e2e_support import sign_in
from portal.assets import indexing
from portal.assets.models import Download
from portal.core.auth import find_user
from portal.extensions import db

pytestmark = pytest.mark.e2e


@pytest.fixture
def search_ready(app, live_server):
    with app.app_context():
        indexing.rebuild()


def test_marketer_searches_as_she_types_opens_an_asset_and_downloads_it(app, page, search_ready):
    sign_in(page, "marketing@gold.demo")
    expect(page).to_have_url(re.compile(r"/rooms/marketing$"))
    page.evaluate("window.__notReloaded = true")  # lost if the page reloads

    box = page.get_by_role("searchbox", name="Search the library")
    box.press_sequentially("campaign", delay=40)

    expect(page).to_have_url(re.compile(r"/search\?q=campaign$"))
    results = page.locator(".search-results")
    result = results.get_by_role("link", name="Marketing Campaign Kit")
    expect(result).to_be_visible()
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True
    expect(results.get_by_role("link", name="EMEA Competitive Battlecard")).to_have_count(0)

    result.click()
    expect(page.get_by_role("heading", name="Marketing Campaign Kit", level=1)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile(r"^Download")).click()
    download = info.value
    assert download.suggested_filename
    assert download.path().stat().st_size > 0

    with app.app_context():
        user = find_user("marketing@gold.demo")
        assert db.session.scalar(sa.select(sa.func.count(Download.id)).where(Download.user_id == user.id)) >= 1

    page.go_back()
    expect(page).to_have_url(re.compile(r"/search\?q=campaign$"))
    expect(page.locator(".search-results").get_by_role("link", name="Marketing Campaign Kit")).to_be_visible()
