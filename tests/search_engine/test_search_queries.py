import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search import Document, SearchQuery
from search.postgres_index import EXCERPT_OPENING_CHARS


def ids(result):
    return {hit.id for hit in result.hits}


def test_stemming_matches_other_word_forms(index):
    assert "pricelist" in ids(index.search(SearchQuery("pricing")))
    assert "pricelist" in ids(index.search(SearchQuery("prices")))


def test_phrase_requires_adjacent_words(index):
    assert ids(index.search(SearchQuery("competitive battlecard"))) == {"battlecard", "webinar"}
    assert ids(index.search(SearchQuery('"competitive battlecard"'))) == {"battlecard"}


def test_last_word_is_also_a_prefix(index):
    assert ids(index.search(SearchQuery("battl"))) == {"battlecard", "webinar"}
    assert ids(index.search(SearchQuery("rival battl"))) == {"battlecard"}


def test_only_the_last_word_is_a_prefix(index):
    assert index.search(SearchQuery("battl rival")).total == 0


def test_title_match_ranks_above_body_match(index):
    index.index_documents(
        [
            Document(id="in-body", title="Setup notes", body="Zephyr guide"),
            Document(id="in-title", title="Zephyr guide", body="Setup notes"),
        ]
    )
    hits = index.search(SearchQuery("zephyr")).hits
    assert [hit.id for hit in hits] == ["in-title", "in-body"]


def test_misspelled_word_still_finds_documents(index):
    assert ids(index.search(SearchQuery("datashet"))) == {"datasheet"}


def test_misspelling_gets_a_suggestion_keeping_the_other_words(index):
    assert index.search(SearchQuery("widget datashet")).suggestion == "widget datasheet"


def test_correct_query_gets_no_suggestion(index):
    assert index.search(SearchQuery("datasheet")).suggestion is None


def test_word_being_typed_is_not_corrected(index):
    assert index.search(SearchQuery("specif")).suggestion is None


def test_hopeless_query_finds_nothing_and_suggests_nothing(index):
    result = index.search(SearchQuery("xylophone"))
    assert (result.total, result.hits, result.suggestion) == (0, [], None)


def test_highlights_mark_matches(index):
    (hit,) = index.search(SearchQuery("datasheet")).hits
    assert hit.title_highlight == "Widget Pro <mark>Datasheet</mark>"


def test_highlights_escape_html(index):
    index.index_documents(
        [Document(id="xss", title="<b>Exploit</b> kit", body='Run <script>alert("x")</script> exploit now')]
    )
    (hit,) = index.search(SearchQuery("exploit")).hits
    assert hit.title_highlight == "&lt;b&gt;<mark>Exploit</mark>&lt;/b&gt; kit"
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>exploit</mark>" in hit.snippet


def test_snippet_falls_back_to_summary_when_body_has_no_match(index):
    (hit,) = index.search(SearchQuery("specifications")).hits
    assert hit.snippet == "Technical <mark>specifications</mark>"


def test_title_without_match_is_returned_escaped_in_full(index):
    (hit,) = index.search(SearchQuery("latency")).hits
    assert hit.title_highlight == "Widget Pro Datasheet"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_query_returns_empty_result(index, text):
    result = index.search(SearchQuery(text))
    assert (result.total, result.page_count, result.hits, result.suggestion) == (0, 0, [], None)


@pytest.mark.parametrize(
    "text", ["AND", "OR", "NOT", "*", "(", ")", '"', "AND OR NOT", "^", "~", ":", "title:", "[a TO ]"]
)
def test_lone_operators_and_symbols_find_nothing(index, text):
    assert index.search(SearchQuery(text)).total == 0


@pytest.mark.parametrize(
    "text", ["datasheet AND", "(datasheet", "datasheet)", '"datasheet', "OR datasheet", "datasheet*"]
)
def test_malformed_query_falls_back_to_its_words(index, text):
    assert "datasheet" in ids(index.search(SearchQuery(text)))


def test_query_syntax_cannot_address_fields_directly(index):
    assert index.search(SearchQuery("asset_type:datasheet")).total == 0


@settings(max_examples=150, deadline=None, database=None)
@given(text=st.lists(st.sampled_from([*'ab "()*?~^:[]{}-+!\\/', " AND ", " OR ", " NOT ", "battl"])).map("".join))
def test_arbitrary_input_never_raises(module_index, text):
    assert module_index.search(SearchQuery(text)).total >= 0


def test_snippet_shows_a_match_deep_in_a_long_body(index):
    filler = "Routine paragraph about nothing in particular. " * 200
    index.index_documents([Document(id="long", title="Annual report", body=filler + "Zephyrs arrived late. " + filler)])
    (hit,) = index.search(SearchQuery("zephyr")).hits
    assert "<mark>Zephyrs</mark> arrived late." in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 300


def test_only_whole_words_are_marked_where_an_excerpt_window_ends(index):
    # PostgreSQL takes excerpts from the body's first EXCERPT_OPENING_CHARS; here that cut
    # would leave "pan" of "pangolins", which is a match for "pan" while "pangolins" is not.
    body = "a" * (EXCERPT_OPENING_CHARS - 4) + " pangolins roam"
    index.index_documents([Document(id="cut", title="Pan flute guide", body=body)])
    (hit,) = index.search(SearchQuery("pan flute")).hits
    assert "<mark>" not in hit.snippet


def test_highlights_mark_other_forms_and_the_word_being_typed(index):
    (hit,) = index.search(SearchQuery("rival battl")).hits
    assert hit.title_highlight == "Competitive <mark>Battlecard</mark>: Acme vs <mark>Rival</mark>"
    assert "<mark>Rival</mark> pricing" in hit.snippet


def test_operators_of_both_syntaxes(index):
    assert ids(index.search(SearchQuery("latency OR discount"))) == {"datasheet", "pricelist"}
    assert ids(index.search(SearchQuery("latency discount"))) == set()


def test_each_document_is_stemmed_in_its_language(index, backend):
    index.index_documents([Document(id="fr", title="Nos chevaux", language="fr"),
                           Document(id="es", title="Las cosechas", language="es")])
    horse, harvest = index.search(SearchQuery("cheval")), index.search(SearchQuery("cosecha"))
    assert (ids(horse), ids(harvest), harvest.suggestion) == ({"fr"}, {"es"}, None)
    expected = None  # French stemming: "chevaux" is the stem "cheval"
    if backend == "whoosh":  # stems every language as English: found only as a misspelling
        expected = "chevaux"
    assert horse.suggestion == expected


def test_control_characters_in_a_document_are_never_marks(index):
    index.index_documents([Document(id="odd", title="\x01Zephyr\x02 \x03b\x04 notes", body="nul\x00 zephyr")])
    (hit,) = index.search(SearchQuery("zephyr")).hits
    assert hit.title_highlight.count("<mark>") == hit.title_highlight.count("</mark>") == 1
    assert "<b>" not in hit.title_highlight
