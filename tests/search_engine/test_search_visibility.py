"""Audience restriction (allowed_ids), filters, facets and pagination."""

import pytest

from search import Document, SearchQuery
from search.postgres_index import RERANKED


def ids(result):
    return {hit.id for hit in result.hits}


def test_facets_count_matching_documents(index):
    result = index.search(SearchQuery("competitive"))
    assert result.facets == {
        "asset_type": [("battlecard", 1), ("pricelist", 1), ("video", 1)],
        "product": [("Widget Lite", 2), ("Widget Pro", 1)],
    }


def test_hidden_document_never_counts(index):
    result = index.search(SearchQuery("competitive", allowed_ids={"pricelist", "webinar", "datasheet"}))
    assert ids(result) == {"pricelist", "webinar"}
    assert result.total == 2
    assert result.facets == {
        "asset_type": [("pricelist", 1), ("video", 1)],
        "product": [("Widget Lite", 2)],
    }


def test_no_restriction_when_allowed_ids_is_none(index):
    assert index.search(SearchQuery("competitive", allowed_ids=None)).total == 3


@pytest.mark.parametrize("allowed", [set(), {"not-indexed"}])
def test_nothing_visible_means_nothing_found(index, allowed):
    # whoosh ignores an empty filter, so this guards against falling back to "everything".
    result = index.search(SearchQuery("competitive", allowed_ids=allowed))
    assert (result.total, result.hits, result.facets["asset_type"]) == (0, [], [])


def test_filters_restrict_results_and_facets(index):
    result = index.search(SearchQuery("competitive", product="Widget Lite"))
    assert ids(result) == {"pricelist", "webinar"}
    assert result.facets["product"] == [("Widget Lite", 2)]

    result = index.search(SearchQuery("competitive", product="Widget Lite", asset_type="video"))
    assert ids(result) == {"webinar"}


def test_filters_combine_with_allowed_ids(index):
    result = index.search(SearchQuery("competitive", product="Widget Lite", allowed_ids={"battlecard", "pricelist"}))
    assert ids(result) == {"pricelist"}


def test_suggestion_never_reveals_words_only_in_hidden_documents(index):
    index.index_documents([Document(id="secret", title="Project Zeppelin roadmap")])
    assert index.search(SearchQuery("zepelin")).suggestion == "zeppelin"
    hidden = index.search(SearchQuery("zepelin", allowed_ids={"battlecard"}))
    assert (hidden.total, hidden.suggestion) == (0, None)


@pytest.fixture
def many(open_index):
    ix = open_index()
    ix.rebuild(Document(id=f"doc-{n:02}", title=f"Onboarding guide {n}", asset_type="guide") for n in range(45))
    return ix


@pytest.mark.parametrize(
    ("page", "expected_hits"),
    [(1, 20), (2, 20), (3, 5), (4, 0)],
)
def test_pagination(many, page, expected_hits):
    result = many.search(SearchQuery("onboarding", page=page, page_size=20))
    assert (result.total, result.page, result.page_count, len(result.hits)) == (45, page, 3, expected_hits)


def test_pages_partition_the_results(many):
    pages = [ids(many.search(SearchQuery("guide", page=page, page_size=7))) for page in range(1, 8)]
    assert sum(len(page) for page in pages) == 45
    assert set().union(*pages) == {f"doc-{n:02}" for n in range(45)}


def test_pages_partition_the_results_past_the_reranked(open_index):
    # PostgreSQL ranks its best RERANKED matches one way and the rest another: pages that
    # straddle the two still show each match exactly once.
    ix = open_index()
    everyone = [f"doc-{n:03}" for n in range(RERANKED + 30)]
    ix.rebuild(Document(id=doc_id, title=f"Guide {n}", body=" ".join(["onboarding"] * (1 + n % 7)))
               for n, doc_id in enumerate(everyone))
    pages = [[hit.id for hit in ix.search(SearchQuery("onboarding", page=page, page_size=7)).hits]
             for page in range(1, len(everyone) // 7 + 2)]
    assert sorted(doc_id for page in pages for doc_id in page) == everyone


def test_pagination_counts_only_allowed_documents(many):
    allowed = {f"doc-{n:02}" for n in range(0, 45, 3)}
    result = many.search(SearchQuery("onboarding", page=1, page_size=10, allowed_ids=allowed))
    assert (result.total, result.page_count, len(result.hits)) == (15, 2, 10)
    assert ids(result) <= allowed
    assert result.facets["asset_type"] == [("guide", 15)]


def test_exact_page_multiple_has_no_empty_trailing_page(many):
    assert many.search(SearchQuery("onboarding", page_size=15)).page_count == 3


@pytest.mark.parametrize("bad", [{"page": 0}, {"page_size": 0}])
def test_invalid_paging_is_rejected(bad):
    with pytest.raises(ValueError):
        SearchQuery("x", **bad)
