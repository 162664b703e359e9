"""SearchIndex on PostgreSQL full text search, in tables of the application's own database.

search_documents holds one row per document: its text, its text search configuration (from
its language), a tsvector weighted title A > tags and product B > summary C > body D with a
GIN index, a shorter one to rank by (see RANKED_BODY_CHARS) and its words, unstemmed, for
"did you mean". search_words holds every word ever indexed, with a trigram index. Both
tables are created by the application's migrations (see TABLES).

A query is parsed once per configuration and each row is matched with the query parsed in
its own configuration: "chevaux" in a French document is the stem "cheval", which only the
French parse of the user's "cheval" produces, while an English or 'simple' parse would not.

Because the index is a table, a caller that changes its data in the same database can write
the documents in that transaction (write_in): a rollback then rolls the index back too.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from itertools import islice
from typing import NamedTuple

import sqlalchemy as sa

from .analysis import distinct_words
from .highlight import ELLIPSIS, SNIPPET_CHARS
from .interface import Document, Hit, IndexUnavailable, SearchIndex, SearchQuery, SearchResult
from .queries import FEW_RESULTS, spelling_correction, trailing_word
from .spelling import Vocabulary

TABLES = ("search_documents", "search_words")  # created by migrations, not models of the application
# Document.language -> text search configuration; any other language is not stemmed.
LANGUAGE_CONFIGS = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish",
    "it": "italian", "nl": "dutch", "pt": "portuguese",
}
FALLBACK_CONFIG = "simple"
CONFIGS = sorted({*LANGUAGE_CONFIGS.values(), FALLBACK_CONFIG})
FACET_FIELDS = ("asset_type", "product")
BATCH = 500  # documents per INSERT while rebuilding
# Ranking reads a vector of every matching document. The whole text's vector is several KB,
# compressed out of line, and ranking thousands of them takes hundreds of milliseconds; so
# documents rank by a vector of their title, tags, product, summary and the body's start.
RANKED_BODY_CHARS = 1000
# ts_rank_cd weighs how close together the query's words are; on thousands of matches of a
# query with a prefix it costs ten times ts_rank. So every match is scored by ts_rank, and
# only the best RERANKED of them by ts_rank_cd, which orders them ahead of the rest. (Of the
# bench's first ten by ts_rank_cd over all matches, 300 keeps all but near-ties; 100 lost half.)
RERANKED = 300
# ts_headline parses all the text it is given, about 1.5 ms for a long body; so an excerpt
# comes from the field's opening (the text rank_vector ranks), and from the whole field only
# when the opening has no match and the field (its weight in vector) does match.
EXCERPT_OPENING_CHARS = RANKED_BODY_CHARS
FIELD_WEIGHTS = {"summary": "c", "body": "d"}  # as UPSERT weighs them
RANKING = "rough, score DESC, id"  # the reranked first, then the rest; equal scores by id, so pages stay stable
GIN_INDEXES = ("search_documents_vector", "search_documents_words", "search_words_trigrams")  # see migrations
REBUILD_PENDING_LIST, REBUILD_WORK_MEM = "1GB", "256MB"
SPELLING_CANDIDATES = 50  # the most similar words by trigrams, of which Vocabulary picks the nearest
# ts_headline marks matches with these; the text is escaped afterwards and they become
# <mark> tags. It would also drop whatever looks like an HTML tag from an excerpt, so it is
# given the text with < and > replaced too. These characters are removed from indexed text
# (with NUL, which PostgreSQL's text refuses).
START_MARK, STOP_MARK = "\x01", "\x02"
ANGLES = "\x03\x04"  # stand for "<" and ">"
UNSTORABLE = str.maketrans("", "", "\x00" + START_MARK + STOP_MARK + ANGLES)
HTML_OF_CONTROLS = {ANGLES[0]: "&lt;", ANGLES[1]: "&gt;", START_MARK: "<mark>", STOP_MARK: "</mark>"}
MARKS = f"StartSel={START_MARK}, StopSel={STOP_MARK}"
WHOLE_TEXT = f"{MARKS}, HighlightAll=true"
EXCERPT = f"{MARKS}, MaxWords=30, MinWords=15, ShortWord=3"  # about SNIPPET_CHARS

# The audience filter: a constant array, so PostgreSQL hashes it once per statement (as
# `IN (SELECT unnest(...))` also did, twice, taking about what the planner now spends estimating it).
ALLOWED = "d.id = ANY(CAST(:allowed_ids AS text[]))"

# The caller's current data decides; no other sync or rebuild may write meanwhile, while
# searches go on reading the committed rows.
SYNC_LOCK = "LOCK TABLE search_documents IN SHARE ROW EXCLUSIVE MODE"
# Taken before the rebuild reads any document: writers that committed earlier are read,
# later ones wait for the rebuild to commit and then write over it.
REBUILD_LOCK = "LOCK TABLE search_documents IN EXCLUSIVE MODE"
REBUILDING = "hashtext('partnerhouse search rebuild')"  # advisory lock: one rebuild at a time

UPSERT = sa.text(fr"""
    INSERT INTO search_documents (id, title, summary, body, tags, product, asset_type, language, config,
                                  vector, rank_vector, words)
    SELECT id, title, summary, body, tags, product, asset_type, language, config,
           head || setweight(to_tsvector(config, body), 'D'),
           head || setweight(to_tsvector(config, left(body, {RANKED_BODY_CHARS})), 'D'),
           array_to_tsvector(string_to_array(words, ' '))
    FROM unnest(CAST(:id AS text[]), CAST(:title AS text[]), CAST(:summary AS text[]), CAST(:body AS text[]),
                CAST(:tags AS text[]), CAST(:product AS text[]), CAST(:asset_type AS text[]),
                CAST(:language AS text[]), CAST(:config AS regconfig[]), CAST(:words AS text[]))
         AS doc(id, title, summary, body, tags, product, asset_type, language, config, words)
    CROSS JOIN LATERAL (
        SELECT setweight(to_tsvector(config, title), 'A') || setweight(to_tsvector(config, tags || ' ' || product), 'B')
               || setweight(to_tsvector(config, summary), 'C') AS head
    ) AS fields
    ORDER BY id
    ON CONFLICT (id) DO UPDATE SET
        title = excluded.title, summary = excluded.summary, body = excluded.body, tags = excluded.tags,
        product = excluded.product, asset_type = excluded.asset_type, language = excluded.language,
        config = excluded.config, vector = excluded.vector, rank_vector = excluded.rank_vector,
        words = excluded.words
""")
DELETE = sa.text("DELETE FROM search_documents WHERE id = ANY(CAST(:ids AS text[]))")
# Words are only added (in order, so concurrent writers never deadlock on them): a word
# whose documents are gone stays, harmlessly, since a suggestion must be in a visible document.
ADD_WORDS = r"""
    INSERT INTO search_words (word)
    SELECT DISTINCT word FROM search_documents, unnest(tsvector_to_array(words)) AS word
    WHERE word ~ '^\w+$' {documents}
    ORDER BY word
    ON CONFLICT DO NOTHING
"""
ADD_WORDS_OF = sa.text(ADD_WORDS.format(documents="AND id = ANY(CAST(:ids AS text[]))"))
ADD_ALL_WORDS = sa.text(ADD_WORDS.format(documents=""))


class PostgresIndex(SearchIndex):
    def __init__(self, engine: sa.Engine, lock_timeout: float = 30.0) -> None:
        self._engine = engine
        self._lock_timeout_ms = str(int(lock_timeout * 1000))

    # Writing

    def write_in(self, connection: sa.Connection, docs: Iterable[Document], deleted_ids: Iterable[str]) -> None:
        """Index `docs` and delete `deleted_ids` in the transaction `connection` is in."""
        docs = list(docs)
        if deleted := sorted(deleted_ids):
            connection.execute(DELETE, {"ids": deleted})
        if docs:
            connection.execute(UPSERT, _columns(docs))
            connection.execute(ADD_WORDS_OF, {"ids": [doc.id for doc in docs]})

    def index_documents(self, docs: Iterable[Document]) -> None:
        with self._writing() as connection:
            self.write_in(connection, docs, [])

    def delete_documents(self, ids: Iterable[str]) -> None:
        with self._writing() as connection:
            self.write_in(connection, [], ids)

    def sync(self, ids: Iterable[str], load: Callable[[list[str]], Iterable[Document]]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with self._writing() as connection:
            connection.exec_driver_sql(SYNC_LOCK)
            docs = list(load(ids))
            loaded = {doc.id for doc in docs}
            self.write_in(connection, docs, [doc_id for doc_id in ids if doc_id not in loaded])

    def rebuild(self, docs: Iterable[Document]) -> None:
        with self._writing() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({REBUILDING})")
            self._replace_all(connection, docs)

    def try_rebuild(self, docs_factory: Callable[[], Iterable[Document]]) -> bool:
        with self._writing() as connection:
            if not connection.exec_driver_sql(f"SELECT pg_try_advisory_xact_lock({REBUILDING})").scalar():
                return False
            self._replace_all(connection, docs_factory())
        return True

    def _replace_all(self, connection: sa.Connection, docs: Iterable[Document]) -> None:
        """Empty the tables and fill them again in one transaction: searches see the old
        rows until it commits."""
        connection.exec_driver_sql(REBUILD_LOCK)
        # The GIN indexes take the new entries into their pending lists, merged once at the
        # end: several times faster than merging every few megabytes.
        connection.exec_driver_sql(f"SET LOCAL gin_pending_list_limit = '{REBUILD_PENDING_LIST}'")
        connection.exec_driver_sql(f"SET LOCAL work_mem = '{REBUILD_WORK_MEM}'")
        connection.exec_driver_sql("DELETE FROM search_documents")
        connection.exec_driver_sql("DELETE FROM search_words")
        docs = iter(docs)
        while batch := list(islice(docs, BATCH)):
            connection.execute(UPSERT, _columns(batch))
        connection.execute(ADD_ALL_WORDS)
        for gin_index in GIN_INDEXES:
            connection.execute(sa.text("SELECT gin_clean_pending_list(CAST(:name AS regclass))"), {"name": gin_index})
        # The planner must know the new rows at once (e.g. to use the GIN index, not a scan).
        connection.exec_driver_sql("ANALYZE search_documents, search_words")

    @contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        with _available(), self._engine.begin() as connection:
            connection.execute(sa.text("SELECT set_config('lock_timeout', :ms, true)"), {"ms": self._lock_timeout_ms})
            yield connection

    # Reading

    def healthy(self) -> bool:
        try:
            with _available(), self._engine.connect() as connection:
                connection.exec_driver_sql("SELECT 1 FROM search_documents LIMIT 1")
        except IndexUnavailable:
            return False
        return True

    def search(self, query: SearchQuery) -> SearchResult:
        if not query.text.strip() or (query.allowed_ids is not None and not query.allowed_ids):
            return SearchResult.empty(query.page)
        with _available(), self._engine.connect() as connection:
            return _search(connection, query)


@contextmanager
def _available() -> Iterator[None]:
    """The tables missing (migrations not run) or a lock not had in time: IndexUnavailable."""
    try:
        yield
    except sa.exc.DBAPIError as exc:
        if _sqlstate(exc) in {"42P01", "55P03"}:  # undefined_table, lock_not_available
            raise IndexUnavailable(f"search tables unusable: {exc.orig!r}") from exc
        raise


def _sqlstate(exc: sa.exc.DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def _columns(docs: list[Document]) -> dict[str, list[str]]:
    """The documents as one array per column, for UPSERT; of several with one id, the last."""
    docs = [_storable(doc) for doc in {doc.id: doc for doc in docs}.values()]
    return {
        "id": [doc.id for doc in docs],
        "title": [doc.title for doc in docs],
        "summary": [doc.summary for doc in docs],
        "body": [doc.body for doc in docs],
        "tags": [" ".join(doc.tags) for doc in docs],
        "product": [doc.product for doc in docs],
        "asset_type": [doc.asset_type for doc in docs],
        "language": [doc.language for doc in docs],
        "config": [LANGUAGE_CONFIGS.get(doc.language, FALLBACK_CONFIG) for doc in docs],
        # As whoosh's spelling vocabulary, and much faster than PostgreSQL's parser.
        "words": [distinct_words(" ".join((doc.title, doc.summary, doc.body, *doc.tags, doc.product))) for doc in docs],
    }


def _text_array(values: Iterable[str]) -> str:
    """The values as a text[] literal: psycopg adapts a list element by element, about 6 ms
    for the 10,000 ids an audience may see, and joining them is a tenth of that."""
    values = list(values)
    if '"' in (whole := "".join(values)) or "\\" in whole:
        values = [value.replace("\\", "\\\\").replace('"', '\\"') for value in values]
    return '{"' + '","'.join(values) + '"}' if values else "{}"


def _storable(doc: Document) -> Document:
    def clean(text: str) -> str:
        return text.translate(UNSTORABLE)

    return replace(doc, title=clean(doc.title), summary=clean(doc.summary), body=clean(doc.body),
                   tags=[clean(tag) for tag in doc.tags], product=clean(doc.product))


# Searching


def _search(connection: sa.Connection, query: SearchQuery) -> SearchResult:
    found = _found(connection, query.text, query)
    suggestion = None
    if found.total < FEW_RESULTS:
        suggestion = spelling_correction(_VisibleWords(connection, query.allowed_ids), query.text)
    if suggestion is not None:
        corrected = _found(connection, suggestion, query)
        if not corrected.total:  # its words are in visible documents, but not together
            suggestion = None
        elif not found.total:  # show what the user most likely meant
            found = corrected
    return SearchResult(
        total=found.total,
        page=query.page,
        page_count=math.ceil(found.total / query.page_size),
        hits=found.hits,
        facets=found.facets,
        suggestion=suggestion,
    )


class _Found(NamedTuple):
    total: int
    facets: dict[str, list[tuple[str, int]]]
    hits: list[Hit]


def _matching(text: str, query: SearchQuery) -> tuple[str, dict]:
    """The WITH clause that defines `matched`: the visible documents matching `text`
    that pass the filters, each with the query parsed in its configuration."""
    params: dict = {"configs": CONFIGS, "text": text}
    parsed = "websearch_to_tsquery(config, :text)"
    trailing = trailing_word(text)
    if trailing is not None:  # search as you type: the last word also matches as a prefix
        parsed += " || (websearch_to_tsquery(config, :head) && to_tsquery(config, :prefix))"
        params |= {"head": text[: trailing.start()], "prefix": trailing["word"].lower() + ":*"}
    conditions = []
    if query.allowed_ids is not None:
        conditions.append(ALLOWED)
        params["allowed_ids"] = _text_array(query.allowed_ids)
    for name in FACET_FIELDS:
        if value := getattr(query, name):
            conditions.append(f"d.{name} = :{name}")
            params[name] = value
    # Most words parse alike in most configurations: one index scan per distinct query.
    sql = f"""
        WITH parsed AS MATERIALIZED (
            SELECT config, {parsed} AS query FROM unnest(CAST(:configs AS regconfig[])) AS config
        ), queries AS MATERIALIZED (
            SELECT query, array_agg(config) AS configs FROM parsed GROUP BY query
        ), matched AS (
            SELECT d.id, d.product, d.asset_type, d.config, queries.query,
                   ts_rank(d.rank_vector, queries.query) AS rough_score
            FROM queries JOIN search_documents AS d ON d.vector @@ queries.query AND d.config = ANY(queries.configs)
            {"WHERE " + " AND ".join(conditions) if conditions else ""}
        )"""
    return sql, params


def _found(connection: sa.Connection, text: str, query: SearchQuery) -> _Found:
    """The count, the facets (one grouped query) and the page of hits, best first (see
    RANKING), in one statement."""
    matching, params = _matching(text, query)
    counts, hits = connection.execute(sa.text(matching + f""", counted AS (
            SELECT GROUPING(product, asset_type) AS ungrouped, product, asset_type, count(*) AS n
            FROM matched GROUP BY GROUPING SETS ((), (product), (asset_type))
        ), reranked AS MATERIALIZED (
            SELECT best.id, best.config, best.query, ts_rank_cd(d.rank_vector, best.query) AS score
            FROM (SELECT id, config, query FROM matched ORDER BY rough_score DESC, id LIMIT :reranked) AS best
            JOIN search_documents AS d USING (id)
        ), page AS (
            (SELECT id, config, query, false AS rough, score FROM reranked
             ORDER BY score DESC, id LIMIT :reranked_limit OFFSET :offset)
            UNION ALL
            (SELECT id, config, query, true, rough_score FROM matched
             ORDER BY rough_score DESC, id LIMIT :rough_limit OFFSET :rough_offset)
        ), excerpts AS MATERIALIZED (
            SELECT page.*, d.title, d.summary, d.body, {_excerpt_of("body")} AS body_excerpt,
                   {_excerpt_of("summary")} AS summary_excerpt
            FROM page JOIN search_documents AS d USING (id)
            {_opening_join("body")} {_opening_join("summary")}
        ), hits AS (
            SELECT id, rough, score, ts_headline(config, translate(title, '<>', :angles), query, :whole) AS title,
                   {_excerpt_columns("body")}, {_excerpt_columns("summary")},
                   CASE WHEN summary <> '' THEN summary ELSE left(body, :snippet_chars) END AS fallback
            FROM excerpts
        )
        SELECT (SELECT json_agg(json_build_array(ungrouped, product, asset_type, n)) FROM counted),
               (SELECT json_agg(hits ORDER BY {RANKING}) FROM hits)
    """), params | _page_bounds(query) | {"whole": WHOLE_TEXT,
                    "excerpt": EXCERPT, "angles": ANGLES, "unmarked": ANGLES + START_MARK + STOP_MARK,
                    "snippet_chars": SNIPPET_CHARS, "reranked": RERANKED,
                    "opening_chars": EXCERPT_OPENING_CHARS, "start_mark": START_MARK}).one()
    total, facets = 0, {name: [] for name in FACET_FIELDS}
    for ungrouped, product, asset_type, count in counts or []:  # GROUPING: 1 bits for the columns not grouped by
        if ungrouped == 0b11:
            total = count
        elif ungrouped == 0b01 and product:
            facets["product"].append((product, count))
        elif ungrouped == 0b10 and asset_type:
            facets["asset_type"].append((asset_type, count))
    return _Found(
        total,
        {name: sorted(found, key=lambda item: (-item[1], item[0])) for name, found in facets.items()},
        [_to_hit(row) for row in hits or []],
    )


def _page_bounds(query: SearchQuery) -> dict[str, int]:
    """The page's part of the reranked matches and its part of the rest, which follow them
    in the order that chose the reranked (so a page never reads more than it shows)."""
    start = (query.page - 1) * query.page_size
    stop = start + query.page_size
    rough_offset = max(start, RERANKED)
    return {"offset": start, "reranked_limit": max(0, min(stop, RERANKED) - start),
            "rough_offset": rough_offset, "rough_limit": max(0, stop - rough_offset)}


def _to_hit(row: dict) -> Hit:
    return Hit(
        id=row["id"],
        score=float(row["score"]),
        title_highlight=_marked(row["title"]),
        snippet=_excerpt(row["body_excerpt"], row["body_at"], row["body_length"])
        or _excerpt(row["summary_excerpt"], row["summary_at"], row["summary_length"])
        or html.escape(row["fallback"]),
    )


def _opening_join(field: str) -> str:
    """ts_headline's excerpt of the field's opening (see EXCERPT_OPENING_CHARS), which ends
    before the word the cut falls in: a word's start may match where the word does not."""
    opening = f"regexp_replace(left(d.{field}, :opening_chars + 1), '\\w*$', '')"
    return f"CROSS JOIN LATERAL {_headline(opening)} AS {field}_opening(excerpt)"


def _excerpt_of(field: str) -> str:
    """The excerpt of the field's opening, or of the whole field if only the rest matches."""
    rest_matches = f"ts_filter(d.vector, '{{{FIELD_WEIGHTS[field]}}}') @@ page.query"
    return (f"CASE WHEN strpos({field}_opening.excerpt, :start_mark) > 0 OR NOT {rest_matches} "
            f"THEN {field}_opening.excerpt ELSE {_headline(f'd.{field}')} END")


def _headline(text: str) -> str:
    return f"ts_headline(page.config, translate({text}, '<>', :angles), page.query, :excerpt)"


def _excerpt_columns(field: str) -> str:
    """The field's excerpt, where it starts in the field (1-based; 0 if not found) and the field's length."""
    return (f"{field}_excerpt, strpos({field}, translate({field}_excerpt, :unmarked, '<>')) AS {field}_at, "
            f"length({field}) AS {field}_length")


def _excerpt(excerpt: str, at: int, length: int) -> str | None:
    """The excerpt as a snippet, with an ellipsis where it cuts the text; None if it matched nothing."""
    if START_MARK not in excerpt:
        return None
    shown = len(excerpt) - excerpt.count(START_MARK) - excerpt.count(STOP_MARK)
    lead = ELLIPSIS if at != 1 else ""
    tail = ELLIPSIS if at == 0 or at - 1 + shown < length else ""
    return lead + _marked(excerpt) + tail


def _marked(headline: str) -> str:
    """The headline escaped, its marks as <mark> tags."""
    escaped = html.escape(headline)
    for character, replacement in HTML_OF_CONTROLS.items():
        escaped = escaped.replace(character, replacement)
    return escaped


class _DocumentCount(NamedTuple):
    """A word's weight for Vocabulary, as whoosh's term info gives it."""

    documents: int

    def weight(self) -> float:
        return self.documents


class _VisibleWords:
    """The words of the documents a query may see, as spelling_correction asks about them.

    Candidates come from search_words by trigram similarity (its GIN index); only words that
    occur in a document the caller may see are considered, so hidden documents' words never leak."""

    # spelling_correction asks about \w+ words, and search_words holds only such words:
    # quoted, each is one lexeme of tsquery's syntax.
    WORD_IN = "search_documents AS d WHERE d.words @@ CAST(quote_literal(:word) AS tsquery)"
    PREFIX_IN = "search_documents AS d WHERE d.words @@ CAST(quote_literal(:word) || ':*' AS tsquery)"
    # Another form of a word the query found is no misspelling (chevaux for cheval, in French).
    STEM_IN = """search_documents AS d JOIN (
                     SELECT config, plainto_tsquery(config, :word) AS query
                     FROM unnest(CAST(:configs AS regconfig[])) AS config
                 ) AS parsed ON parsed.config = d.config
                 WHERE d.vector @@ parsed.query"""

    def __init__(self, connection: sa.Connection, allowed_ids: Collection[str] | None) -> None:
        self._connection = connection
        self._params: dict = {"configs": CONFIGS}
        self._visible = "TRUE"
        if allowed_ids is not None:
            self._visible = ALLOWED
            self._params["allowed_ids"] = _text_array(allowed_ids)

    def __contains__(self, word: str) -> bool:
        return self._in_a_visible_document(self.WORD_IN, word) or self._in_a_visible_document(self.STEM_IN, word)

    def begins_a_word(self, prefix: str) -> bool:
        return self._in_a_visible_document(self.PREFIX_IN, prefix)

    def nearest(self, word: str) -> str | None:
        """As Vocabulary.nearest, among the words of visible documents that pg_trgm finds
        similar (with the same first letter), each weighed by how many visible documents have it."""
        rows = self._connection.execute(sa.text(f"""
            SELECT word, documents FROM (
                SELECT w.word, (SELECT count(*) FROM search_documents AS d
                                WHERE d.words @@ CAST(quote_literal(w.word) AS tsquery) AND {self._visible})
                       AS documents
                FROM search_words AS w
                WHERE w.word % :word AND left(w.word, 1) = left(:word, 1)
                ORDER BY similarity(w.word, :word) DESC, w.word
                LIMIT :candidates
            ) AS candidate
            WHERE documents > 0
            ORDER BY word
        """), self._params | {"word": word, "candidates": SPELLING_CANDIDATES})
        return Vocabulary((row.word, _DocumentCount(row.documents)) for row in rows).nearest(word)

    def _in_a_visible_document(self, documents: str, word: str) -> bool:
        return self._connection.execute(
            sa.text(f"SELECT EXISTS (SELECT 1 FROM {documents} AND {self._visible})"),
            self._params | {"word": word},
        ).scalar()

