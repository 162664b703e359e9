"""Search through HTTP: language features, facets, paging, audience, and the index following the DB."""
import re
import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import htmx_get, post
from portal.assets import indexing
from portal.assets.models import Asset, AssetType
from portal.core.access import AudienceSpec
from portal.core.models import Region, Tier
from portal.extensions import db

EMEA_ONLY = AudienceSpec(regions=frozenset({Region.EMEA}))


def hit_titles(html: str) -> list[str]:
    titles = re.findall(r'<h3><a href="/assets/\d+">(.*?)</a></h3>', html)
    return [re.sub(r"</?mark>", "", title) for title in titles]


def search(client, query: str, **headers) -> str:
    return client.get("/search", query_string={"q": query}, headers=headers).get_data(as_text=True)


@pytest.fixture
def corpus(add_asset):
    ids = {
        "migration": add_asset(title="Migration Guide", text="Migrating workloads to the cloud, step by step.",
                               asset_type=AssetType.presentation),
        "ransomware": add_asset(title="Ransomware Recovery Brief",
                                text="Immutable backups defeat ransomware. Zero trust everywhere.",
                                asset_type=AssetType.brochure),
        "egress": add_asset(title="Egress Pricing Sheet", text="Egress fees explained for partners.",
                            asset_type=AssetType.price_list),
        "emea": add_asset(title="EMEA Kubernetes Battlecard", text="Kubernetes clusters win against rivals.",
                          asset_type=AssetType.battlecard, spec=EMEA_ONLY),
    }
    return ids


def test_search_stems_and_highlights(corpus, indexed, login_as):
    html = search(login_as("sales@gold.demo"), "migrate")
    assert hit_titles(html) == ["Migration Guide"]
    assert "<mark>" in html


def test_phrase_prefix_and_fuzzy(corpus, indexed, login_as):
    client = login_as("sales@gold.demo")
    assert hit_titles(search(client, '"immutable backups"')) == ["Ransomware Recovery Brief"]
    assert hit_titles(search(client, '"backups immutable"')) == []
    assert "Ransomware Recovery Brief" in hit_titles(search(client, "ransom"))  # still typing
    assert "Ransomware Recovery Brief" in hit_titles(search(client, "ransomwere"))  # misspelt


def test_did_you_mean(corpus, indexed, login_as):
    html = search(login_as("sales@gold.demo"), "egres pricng")
    assert "Did you mean" in html and "egress pricing" in html


def test_search_never_reveals_hidden_assets(corpus, indexed, login_as):
    gold_na = login_as("sales@gold.demo")
    html = search(gold_na, "kubernetes")
    assert hit_titles(html) == [] and "0 results" in html
    assert "Battlecard" not in html  # no facet, count or suggestion gives it away
    assert "Did you mean" not in search(gold_na, "kubernetis")
    assert hit_titles(search(login_as("sales@silver.demo"), "kubernetes")) == ["EMEA Kubernetes Battlecard"]
    assert hit_titles(search(login_as("channel@vendor.demo"), "kubernetes")) == ["EMEA Kubernetes Battlecard"]


def test_facets_count_only_visible_assets_and_filter(corpus, indexed, login_as, add_asset):
    client = login_as("sales@gold.demo")
    html = search(client, "partners OR clusters OR backups OR cloud")
    assert 'Battlecard</a>' not in html
    assert re.search(r"Price list</a>\s*<span class=\"count\">1</span>", html)
    filtered = client.get("/search", query_string={"q": "partners OR backups", "type": "price_list"}).get_data(as_text=True)
    assert hit_titles(filtered) == ["Egress Pricing Sheet"]
    assert "(remove)" in filtered


def test_search_pages(app, add_asset, login_as):
    for n in range(13):
        add_asset(title=f"Paging Sheet {n}", text="Quarterly paging words.")
    with app.app_context():
        indexing.rebuild()
    client = login_as("sales@gold.demo")
    first = search(client, "paging")
    assert "13 results" in first and "Page 1 of 2" in first and len(hit_titles(first)) == 10
    second = client.get("/search", query_string={"q": "paging", "page": 2}).get_data(as_text=True)
    assert len(hit_titles(second)) == 3 and not set(hit_titles(first)) & set(hit_titles(second))


def test_expired_assets_never_show_for_partners(app, add_asset, indexed, login_as):
    from datetime import timedelta

    from portal.core import clock

    add_asset(title="Retired Price List", text="legacy tariff", expire_at=clock.now() - timedelta(hours=1),
              publish_at=clock.now() - timedelta(days=5))
    assert hit_titles(search(login_as("sales@gold.demo"), "tariff")) == []
    vendor_html = search(login_as("admin@vendor.demo"), "tariff")
    assert hit_titles(vendor_html) == ["Retired Price List"] and "status-expired" in vendor_html


def test_active_search_fragment_and_full_page(corpus, indexed, login_as):
    client = login_as("marketing@gold.demo")
    fragment = htmx_get(client, "/search?q=ransomware").get_data(as_text=True)
    assert "<html" not in fragment and "Ransomware Recovery Brief" in hit_titles(fragment)
    full = search(client, "ransomware")
    assert "<html" in full and 'value="ransomware"' in full  # the box keeps the query on reload
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
        row.title = "Phantom Sheet"
        db.session.flush()
        db.session.rollback()
        db.session.add(Asset(title="Never Committed", asset_type=AssetType.datasheet, audience_id=row.audience_id))
        db.session.flush()
        db.session.rollback()
    vendor = login_as("admin@vendor.demo")
    assert hit_titles(search(vendor, "phantom")) == [] and hit_titles(search(vendor, "never committed")) == []
    assert hit_titles(search(vendor, "steady")) == ["Steady Sheet"]


def test_a_missing_index_says_rebuilding_and_heals(app, corpus, login_as):
    client = login_as("sales@gold.demo")  # no index was ever built in this data dir
    html = search(client, "ransomware")
    assert "being rebuilt" in html
    assert client.get("/assets").status_code == 200
    _wait_for(lambda: hit_titles(search(client, "ransomware")) == ["Ransomware Recovery Brief"])


def test_a_broken_index_heals(app, corpus, indexed, login_as):
    base = Path(app.config["DATA_DIR"]) / "search"
    live = base / (base / "CURRENT").read_text().strip()
    for path in live.iterdir():
        path.write_bytes(b"garbage")
    client = login_as("sales@gold.demo")
    assert "being rebuilt" in search(client, "ransomware")
    _wait_for(lambda: hit_titles(search(client, "ransomware")) == ["Ransomware Recovery Brief"])


def _wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the index did not heal"
        time.sleep(0.1)
