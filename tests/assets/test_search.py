"""Search through HTTP: language features, facets, paging, audience, and the index following the DB."""
import re
import time
from pathlib import Path

import pytest

from helpers import htmx_get, post
from portal.assets import indexing
from portal.assets.models import Asset, AssetType
from portal.core.access import AudienceSpec
from portal.core.models import Region
from portal.extensions import db

EMEA_ONLY = AudienceSpec(regions=frozenset({Region.EMEA}))


def hit_titles(html: str) -> list[str]:
    titles = re.findall(r'<h3><a href="/assets/\d+">(.*?)</a></h3>', html)
    return [re.sub(r"</?mark>", "", title) for title in titles]


def search(client, query: str, **headers) -> str:
    return client.get("/search", query_string={"q": query}, headers=headers).get_data(as_text=True)


@pytest.fixture
def corpus(add_asset):
    """Made-up words the demo library never uses, so the demo assets stay out of the way."""
    return {
        "transmogrify": add_asset(title="Transmogrifier Guide", text="Transmogrifying workloads, step by step.",
                                  asset_type=AssetType.presentation),
        "quokka": add_asset(title="Quokka Vault Brief", text="The quokka vault defeats lockers. Wombat ready.",
                            asset_type=AssetType.brochure),
        "wombat": add_asset(title="Wombat Tariff Sheet", text="Wombat tariffs explained for partners.",
                            asset_type=AssetType.price_list),
        "narwhal": add_asset(title="EMEA Narwhal Battlecard", text="Narwhal clusters win against rivals.",
                             asset_type=AssetType.battlecard, spec=EMEA_ONLY),
    }


def test_search_stems_and_highlights(corpus, indexed, login_as):
    html = search(login_as("sales@gold.demo"), "transmogrify")
    assert hit_titles(html) == ["Transmogrifier Guide"]
    assert "<mark>Transmogrifying</mark>" in html


def test_a_snippet_does_not_repeat_the_heading_that_repeats_the_title(add_asset, indexed, login_as):
    add_asset(title="Pangolin Pricing Playbook", text="ACME CLOUD Pangolin Pricing Playbook\nDiscount bands for pangolins.")
    html = search(login_as("sales@gold.demo"), "pangolin")
    snippet = re.search(r'<p class="snippet">(.*?)</p>', html, re.S).group(1)
    assert "Playbook" not in snippet and "Discount bands" in snippet


def test_heading_is_cut_only_where_it_opens_the_text():
    assert indexing.without_heading("Price List", "ACME · Price List: 2026 prices") == "2026 prices"
    far = "x" * 60 + " Price List again"
    assert indexing.without_heading("Price List", far) == far
    assert indexing.without_heading("Price List", "") == ""


def test_phrase_prefix_and_fuzzy(corpus, indexed, login_as):
    client = login_as("sales@gold.demo")
    assert hit_titles(search(client, '"quokka vault"')) == ["Quokka Vault Brief"]
    assert hit_titles(search(client, '"vault quokka"')) == []
    assert hit_titles(search(client, "quok")) == ["Quokka Vault Brief"]  # still typing
    assert hit_titles(search(client, "quokke")) == ["Quokka Vault Brief"]  # misspelt


def test_did_you_mean(corpus, indexed, login_as):
    html = search(login_as("sales@gold.demo"), "tarif wombt")
    assert "Did you mean" in html and "tariff wombat" in html


def test_search_never_reveals_hidden_assets(corpus, indexed, login_as):
    gold_na = login_as("sales@gold.demo")
    html = search(gold_na, "narwhal")
    assert hit_titles(html) == [] and "0 results" in html
    assert "Battlecard" not in html  # no facet, count or suggestion gives it away
    assert "Did you mean" not in search(gold_na, "narwhol")
    assert hit_titles(search(login_as("sales@silver.demo"), "narwhal")) == ["EMEA Narwhal Battlecard"]
    assert hit_titles(search(login_as("channel@vendor.demo"), "narwhal")) == ["EMEA Narwhal Battlecard"]


def test_facets_count_only_visible_assets_and_filter(corpus, indexed, login_as):
    client = login_as("sales@gold.demo")
    html = search(client, "wombat OR narwhal OR quokka")
    assert set(hit_titles(html)) == {"Wombat Tariff Sheet", "Quokka Vault Brief"}
    assert "Battlecard</a>" not in html
    assert re.search(r'Price list</a>\s*<span class="count">1</span>', html)
    filtered = client.get("/search", query_string={"q": "wombat OR quokka", "type": "price_list"}).get_data(as_text=True)
    assert hit_titles(filtered) == ["Wombat Tariff Sheet"]
    assert "(remove)" in filtered


def test_search_pages(app, add_asset, login_as):
    for n in range(13):
        add_asset(title=f"Paging Sheet {n}", text="Quarterly zqpaging words.")
    with app.app_context():
        indexing.rebuild()
    client = login_as("sales@gold.demo")
    first = search(client, "zqpaging")
    assert "13 results" in first and "Page 1 of 2" in first and len(hit_titles(first)) == 10
    second = client.get("/search", query_string={"q": "zqpaging", "page": 2}).get_data(as_text=True)
    assert len(hit_titles(second)) == 3 and not set(hit_titles(first)) & set(hit_titles(second))


def test_expired_assets_never_show_for_partners(app, add_asset, indexed, login_as):
    from datetime import timedelta

    from portal.core import clock

    add_asset(title="Retired Price List", text="legacy zqtariff", expire_at=clock.now() - timedelta(hours=1),
              publish_at=clock.now() - timedelta(days=5))
    assert hit_titles(search(login_as("sales@gold.demo"), "zqtariff")) == []
    vendor_html = search(login_as("admin@vendor.demo"), "zqtariff")
    assert hit_titles(vendor_html) == ["Retired Price List"] and "status-expired" in vendor_html


def test_active_search_fragment_and_full_page(corpus, indexed, login_as):
    client = login_as("marketing@gold.demo")
    fragment = htmx_get(client, "/search?q=quokka").get_data(as_text=True)
    assert "<html" not in fragment and "Quokka Vault Brief" in hit_titles(fragment)
    full = search(client, "quokka")
    assert "<html" in full and 'value="quokka"' in full  # the box keeps the query on reload
    assert "Type in the search box" in search(client, "")


def test_the_index_follows_commits(app, add_asset, indexed, login_as):
    vendor = login_as("admin@vendor.demo")
    asset = add_asset(title="Fresh Flamingo Sheet", text="flamingo")
    assert hit_titles(search(vendor, "flamingo")) == ["Fresh Flamingo Sheet"]

    post(vendor, f"/assets/{asset}/edit", {"title": "Pelican Sheet", "summary": "", "asset_type": "datasheet",
                                           "product_id": "0", "tags": "", "language": "en",
                                           "publish_at": "2026-01-01T09:00"})
    assert hit_titles(search(vendor, "pelican")) == ["Pelican Sheet"]

    post(vendor, f"/assets/{asset}/delete")
    assert hit_titles(search(vendor, "pelican")) == [] and hit_titles(search(vendor, "flamingo")) == []


def test_a_rolled_back_change_never_reaches_the_index(app, add_asset, indexed, login_as):
    asset = add_asset(title="Steady Sheet", text="steady")
    with app.app_context():
        row = db.session.get(Asset, asset)
        row.title = "Zqphantom Sheet"
        db.session.flush()
        db.session.rollback()
        db.session.add(Asset(title="Zqnevermore", asset_type=AssetType.datasheet, audience_id=row.audience_id))
        db.session.flush()
        db.session.rollback()
    vendor = login_as("admin@vendor.demo")
    assert hit_titles(search(vendor, "zqphantom")) == [] and hit_titles(search(vendor, "zqnevermore")) == []
    assert hit_titles(search(vendor, "steady")) == ["Steady Sheet"]


@pytest.mark.search_backend("whoosh")  # its files can go missing or break; PostgreSQL's tables follow migrations
def test_a_missing_index_says_rebuilding_and_heals(app, corpus, login_as):
    client = login_as("sales@gold.demo")  # no index was ever built in this data dir
    html = search(client, "quokka")
    assert "being rebuilt" in html
    assert client.get("/assets").status_code == 200
    _wait_for(lambda: hit_titles(search(client, "quokka")) == ["Quokka Vault Brief"])


@pytest.mark.search_backend("whoosh")
def test_a_broken_index_heals(app, corpus, indexed, login_as):
    base = Path(app.config["DATA_DIR"]) / "search"
    live = base / (base / "CURRENT").read_text().strip()
    for path in live.iterdir():
        path.write_bytes(b"garbage")
    client = login_as("sales@gold.demo")
    assert "being rebuilt" in search(client, "quokka")
    _wait_for(lambda: hit_titles(search(client, "quokka")) == ["Quokka Vault Brief"])


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the index did not heal"
        time.sleep(0.1)


def test_search_follows_audience_changes_and_the_clock_at_once(app, add_asset, indexed, login_as):
    from datetime import timedelta

    from portal.core import clock

    asset = add_asset(title="Zqshifting Sheet", text="zqshifting", expire_at=clock.now() + timedelta(days=2))
    gold, vendor = login_as("sales@gold.demo"), login_as("admin@vendor.demo")
    assert hit_titles(search(gold, "zqshifting")) == ["Zqshifting Sheet"]  # now cached for Gold NA sales

    post(vendor, f"/assets/{asset}/edit", {"title": "Zqshifting Sheet", "summary": "", "asset_type": "datasheet",
                                           "product_id": "0", "tags": "", "language": "en",
                                           "publish_at": "2026-01-01T09:00", "audience-regions": "EMEA"})
    assert hit_titles(search(gold, "zqshifting")) == []
    assert hit_titles(search(login_as("sales@silver.demo"), "zqshifting")) == ["Zqshifting Sheet"]

    post(vendor, f"/assets/{asset}/edit", {"title": "Zqshifting Sheet", "summary": "", "asset_type": "datasheet",
                                           "product_id": "0", "tags": "", "language": "en",
                                           "publish_at": "2026-01-01T09:00",
                                           "expire_at": (clock.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    assert hit_titles(search(gold, "zqshifting")) == ["Zqshifting Sheet"]
    with clock.travel(timedelta(days=3)):
        assert hit_titles(search(gold, "zqshifting")) == []
