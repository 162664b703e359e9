"""The contract suite: every test that takes `index`, `module_index` or `open_index` runs
against each backend. PostgreSQL is used when PORTAL_TEST_DATABASE_URL names one (its schema
comes from the migrations, as for the portal's tests); otherwise only whoosh's tests are
collected, and the run's summary says so. (Not skipped: in CI a skipped test fails the run,
and CI runs this suite on both databases anyway.) A test of one backend's own machinery uses
`built_whoosh_index` or makes its WhooshIndex itself."""
import os

import pytest
import sqlalchemy as sa

from search import Document, PostgresIndex, WhooshIndex

DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith("postgresql")
BACKENDS = ["whoosh", "postgres"] if ON_POSTGRES else ["whoosh"]

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


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def open_index(request, backend, tmp_path):
    """`open_index()`: a new handle on this test's one index, as another worker would open it.
    It starts empty: for whoosh never built, for PostgreSQL empty tables."""
    if backend == "whoosh":
        yield lambda: WhooshIndex(tmp_path / "search", lock_timeout=10)
        return
    engine = _postgres_engine(request)
    yield lambda: PostgresIndex(engine, lock_timeout=10)
    engine.dispose()


@pytest.fixture
def index(open_index):
    ix = open_index()
    ix.rebuild(CORPUS)
    return ix


@pytest.fixture
def missing_index(request, backend, tmp_path):
    """An index that was never built: for whoosh no files, for PostgreSQL no tables."""
    if backend == "whoosh":
        yield WhooshIndex(tmp_path / "never-built")
        return
    request.getfixturevalue("schema_template")
    engine = sa.create_engine(DATABASE_URL, connect_args={"options": "-c search_path=never_migrated"})
    yield PostgresIndex(engine)
    engine.dispose()


@pytest.fixture
def built_whoosh_index(tmp_path):
    ix = WhooshIndex(tmp_path / "search", lock_timeout=10)
    ix.rebuild(CORPUS)
    return ix


@pytest.fixture(scope="module", params=BACKENDS)
def module_index(request, tmp_path_factory):
    """For read-only tests that run many times, such as hypothesis tests."""
    if request.param == "whoosh":
        ix = WhooshIndex(tmp_path_factory.mktemp("search"), lock_timeout=10)
        ix.rebuild(CORPUS)
        yield ix
        return
    engine = _postgres_engine(request)
    ix = PostgresIndex(engine, lock_timeout=10)
    ix.rebuild(CORPUS)
    yield ix
    engine.dispose()


def _postgres_engine(request) -> sa.Engine:
    """An engine on the test database, migrated once per session, with the search tables emptied."""
    request.getfixturevalue("schema_template")
    engine = sa.create_engine(DATABASE_URL)
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM search_documents; DELETE FROM search_words")
    return engine


def pytest_generate_tests(metafunc):
    """A test taking `portal_backend` runs on the portal's app once per backend."""
    if "portal_backend" in metafunc.fixturenames:
        metafunc.parametrize("portal_backend", [pytest.param(name, marks=pytest.mark.search_backend(name))
                                                for name in BACKENDS])


def pytest_terminal_summary(terminalreporter):
    if not ON_POSTGRES:
        terminalreporter.write_line("search contract suite: whoosh only; PostgresIndex runs when "
                                    "PORTAL_TEST_DATABASE_URL is a postgresql+psycopg:// URL", yellow=True)
