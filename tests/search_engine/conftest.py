import pytest

from search import Document, WhooshIndex

CORPUS = [
    Document(
        id="battlecard",
        title="Competitive Battlecard: Acme vs Rival",
        summary="How to win deals against Rival",
        body="Lead with total cost of ownership. Rival pricing hides support fees.",
        tags=["sales", "competition"],
        product="Widget Pro",
        asset_type="battlecard",
        language="en",
    ),
    Document(
        id="datasheet",
        title="Widget Pro Datasheet",
        summary="Technical specifications",
        body="Throughput, latency and power figures for the Widget Pro appliance.",
        tags=["specs"],
        product="Widget Pro",
        asset_type="datasheet",
        language="en",
    ),
    Document(
        id="pricelist",
        title="Price list 2024",
        summary="Partner prices",
        body="Discount tiers for registered partners. A competitive edge in every deal.",
        tags=["pricing"],
        product="Widget Lite",
        asset_type="pricelist",
        language="en",
    ),
    Document(
        id="webinar",
        title="Onboarding webinar recording",
        summary="Competitive positioning and battlecard walkthrough",
        body="We cover the battlecard, then the demo. Competitive questions at the end.",
        tags=["training"],
        product="Widget Lite",
        asset_type="video",
        language="en",
    ),
]


@pytest.fixture
def index(tmp_path):
    ix = WhooshIndex(tmp_path / "search", lock_timeout=10)
    ix.rebuild(CORPUS)
    return ix


@pytest.fixture(scope="module")
def module_index(tmp_path_factory):
    """For read-only tests that run many times, such as hypothesis tests."""
    ix = WhooshIndex(tmp_path_factory.mktemp("search"), lock_timeout=10)
    ix.rebuild(CORPUS)
    return ix
