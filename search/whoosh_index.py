"""SearchIndex implemented on whoosh-reloaded, stored as files under one base directory."""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

from whoosh import highlight, index, sorting
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import And, NullQuery, Query, Term
from whoosh.reading import IndexReader
from whoosh.searching import Results, Searcher

from .interface import Document, Hit, IndexUnavailable, SearchIndex, SearchQuery, SearchResult
from .queries import QueryBuilder, fuzzy_variant, spelling_correction
from .storage import IndexStorage

T = TypeVar("T")

FACET_FIELDS = ("asset_type", "product")
FEW_RESULTS = 3  # below this many matches a spelling suggestion is worth offering
SNIPPET_CHARS = 200


def _schema() -> Schema:
    stemmed = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(stored=True, analyzer=stemmed),
        summary=TEXT(stored=True, analyzer=stemmed),
        body=TEXT(stored=True, analyzer=stemmed),
        tags=TEXT(analyzer=stemmed),
        product_text=TEXT(analyzer=stemmed),
        product=ID(sortable=True),
        asset_type=ID(sortable=True),
        # Unstemmed words of all searchable text: the vocabulary for "did you mean".
        spelling=TEXT(analyzer=RegexTokenizer() | LowercaseFilter()),
    )


def _fields(doc: Document) -> dict[str, str]:
    return {
        "id": doc.id,
        "title": doc.title,
        "summary": doc.summary,
        "body": doc.body,
        "tags": " ".join(doc.tags),
        "product_text": doc.product,
        "product": doc.product,
        "asset_type": doc.asset_type,
        "spelling": " ".join((doc.title, doc.summary, doc.body, *doc.tags, doc.product)),
    }


class MarkFormatter(highlight.Formatter):
    """Escapes all text as HTML and wraps matched terms in <mark>."""

    between = " … "

    def _text(self, text: str) -> str:
        return html.escape(text)

    def format_token(self, text: str, token, replace: bool = False) -> str:
        return f"<mark>{html.escape(highlight.get_text(text, token, replace))}</mark>"


TITLE_HIGHLIGHTER = highlight.Highlighter(fragmenter=highlight.WholeFragmenter(), formatter=MarkFormatter())
SNIPPET_HIGHLIGHTER = highlight.Highlighter(
    fragmenter=highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60), formatter=MarkFormatter()
)


class _TrackingStorage(FileStorage):
    """A FileStorage that remembers the files it opened.

    On damaged files whoosh raises without closing what it was reading; the
    leaked handles would otherwise surface later as ResourceWarnings.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self._opened: list = []

    def open_file(self, name, **kwargs):
        opened = super().open_file(name, **kwargs)
        self._opened.append(opened)
        return opened

    def close_opened_files(self) -> None:
        for opened in self._opened:
            if not opened.is_closed:
                opened.close()


@contextmanager
def _opened_index(index_dir: Path) -> Iterator[index.Index]:
    """Open the whoosh index in `index_dir`; any failure inside means it is unusable.

    whoosh signals damaged files with arbitrary exception types (TypeError,
    struct.error, EOFError, pickle errors...), hence the broad except.
    """
    storage = _TrackingStorage(index_dir)
    try:
        yield storage.open_index()
    except Exception as exc:
        storage.close_opened_files()
        raise IndexUnavailable(f"search index at {index_dir} is unusable: {exc!r}") from exc


class WhooshIndex(SearchIndex):
    def __init__(self, base_dir: str | os.PathLike, lock_timeout: float = 30.0) -> None:
        self._storage = IndexStorage(base_dir, lock_timeout)
        self._schema = _schema()
        self._queries = QueryBuilder(self._schema)

    # Writing

    def index_documents(self, docs: Iterable[Document]) -> None:
        self._write([{"upsert": asdict(doc)} for doc in docs])

    def delete_documents(self, ids: Iterable[str]) -> None:
        self._write([{"delete": doc_id} for doc_id in ids])

    def rebuild(self, docs: Iterable[Document]) -> None:
        """Build a fresh index beside the live one, then switch the CURRENT pointer to it.

        Writes that arrive during the build go to the live index and to a journal,
        which is replayed into the new index just before the switch.
        """
        with self._storage.rebuild_lock():
            with self._storage.write_lock():
                self._storage.start_journal()
            new_dir = self._storage.new_index_dir()
            try:
                self._build(new_dir, docs)
                with self._storage.write_lock(), _opened_index(new_dir) as new_index:
                    self._apply(new_index, self._storage.take_journal())
                    self._storage.switch_to(new_dir)
            except BaseException:
                self._storage.abandon_build(new_dir)
                raise
            self._storage.remove_index_dirs_except(new_dir)

    def _build(self, index_dir: Path, docs: Iterable[Document]) -> None:
        with index.create_in(index_dir, self._schema).writer() as writer:
            for doc in docs:
                writer.add_document(**_fields(doc))

    def _write(self, changes: list[dict]) -> None:
        if not changes:
            return
        with self._storage.write_lock():
            # Journal first: if the live index is broken the change still reaches the rebuild.
            self._storage.append_to_journal(changes)
            with _opened_index(self._storage.current_dir()) as ix:
                self._apply(ix, changes)

    def _apply(self, ix: index.Index, changes: list[dict]) -> None:
        # Within one writer, update/delete only see committed documents, so a second
        # change to the same id would leave a duplicate: apply just the last change per id.
        last_change = {_changed_id(change): change for change in changes}
        with ix.writer() as writer:
            for change in last_change.values():
                if "upsert" in change:
                    writer.update_document(**_fields(Document(**change["upsert"])))
                else:
                    writer.delete_by_term("id", change["delete"])

    # Reading

    def healthy(self) -> bool:
        try:
            self._read(lambda searcher: searcher.doc_count())
        except IndexUnavailable:
            return False
        return True

    def search(self, query: SearchQuery) -> SearchResult:
        if not query.text.strip():
            return SearchResult.empty(query.page)
        return self._read(lambda searcher: self._search(searcher, query))

    def _read(self, action: Callable[[Searcher], T]) -> T:
        index_dir = self._storage.current_dir()
        try:
            return _read_from(index_dir, action)
        except IndexUnavailable:
            if self._storage.current_dir() == index_dir:
                raise
        # A rebuild switched directories mid-read and may have deleted the old one.
        return _read_from(self._storage.current_dir(), action)

    def _search(self, searcher: Searcher, query: SearchQuery) -> SearchResult:
        visible = _visible_docnums(searcher, query)
        if visible is not None and not visible:
            return SearchResult.empty(query.page)
        parsed = self._queries.build(query.text)
        if parsed is NullQuery:
            return SearchResult.empty(query.page)
        results = _run(searcher, parsed, query, visible)
        suggestion = None
        if len(results) < FEW_RESULTS:
            suggestion = self._checked_suggestion(searcher, query, visible)
        if len(results) == 0:
            results = _run(searcher, fuzzy_variant(parsed), query, visible)
        return _to_result(results, query, suggestion)

    def _checked_suggestion(self, searcher: Searcher, query: SearchQuery, visible: set[int] | None) -> str | None:
        # The spelling vocabulary spans every document, so only offer a correction
        # that finds documents this user may see; otherwise it would leak hidden words.
        correction = spelling_correction(searcher.reader(), query.text)
        if correction is None:
            return None
        found = _run(searcher, self._queries.build(correction), query, visible)
        return correction if len(found) > 0 else None


def _changed_id(change: dict) -> str:
    return change["upsert"]["id"] if "upsert" in change else change["delete"]


def _read_from(index_dir: Path, action: Callable[[Searcher], T]) -> T:
    with _opened_index(index_dir) as ix, ix.searcher() as searcher:
        return action(searcher)


def _visible_docnums(searcher: Searcher, query: SearchQuery) -> set[int] | None:
    """Docnums the caller may see and that pass the filters; None means all documents.

    Returned as a set (not a query) so an empty set can be told apart from "no
    restriction": whoosh treats an empty filter as no filter at all.
    """
    visible = None
    if query.allowed_ids is not None:
        visible = _docnums_with_ids(searcher.reader(), set(query.allowed_ids))
    filters = [Term(name, getattr(query, name)) for name in FACET_FIELDS if getattr(query, name)]
    if filters:
        filtered = set(searcher.docs_for_query(And(filters)))
        visible = filtered if visible is None else visible & filtered
    return visible


def _docnums_with_ids(reader: IndexReader, ids: set[str]) -> set[int]:
    # One pass over the id column beats a query with thousands of Term clauses.
    # The column still holds deleted documents, hence the intersection.
    matching = {docnum for docnum, doc_id in enumerate(reader.column_reader("id")) if doc_id in ids}
    return matching & set(reader.all_doc_ids())


def _run(searcher: Searcher, parsed: Query, query: SearchQuery, visible: set[int] | None) -> Results:
    return searcher.search(
        parsed,
        limit=query.page * query.page_size,
        filter=visible,
        groupedby={name: sorting.FieldFacet(name, maptype=sorting.Count) for name in FACET_FIELDS},
        terms=True,
    )


def _to_result(results: Results, query: SearchQuery, suggestion: str | None) -> SearchResult:
    start = (query.page - 1) * query.page_size
    total = len(results)
    return SearchResult(
        total=total,
        page=query.page,
        page_count=math.ceil(total / query.page_size),
        hits=[_to_hit(hit) for hit in results[start : start + query.page_size]],
        facets={name: _facet_counts(results, name) for name in FACET_FIELDS},
        suggestion=suggestion,
    )


def _to_hit(hit) -> Hit:
    title = TITLE_HIGHLIGHTER.highlight_hit(hit, "title", minscore=0)
    snippet = (
        SNIPPET_HIGHLIGHTER.highlight_hit(hit, "body", top=2)
        or SNIPPET_HIGHLIGHTER.highlight_hit(hit, "summary", top=1)
        or html.escape(hit["summary"] or hit["body"][:SNIPPET_CHARS])
    )
    return Hit(id=hit["id"], score=hit.score, title_highlight=title, snippet=snippet)


def _facet_counts(results: Results, name: str) -> list[tuple[str, int]]:
    counts = [(value, count) for value, count in results.groups(name).items() if value]
    return sorted(counts, key=lambda item: (-item[1], item[0]))
