"""SearchIndex implemented on whoosh-reloaded, stored as files under one base directory."""

from __future__ import annotations

import html
import math
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from itertools import chain, islice
from pathlib import Path
from typing import TypeVar

import numpy as np

from whoosh import index
from whoosh.analysis import LowercaseFilter, RegexTokenizer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.query import NullQuery, Query

from .analysis import STEMMING_ANALYZER, distinct_words
from .highlight import SNIPPET_CHARS, Marker
from .interface import Document, Hit, IndexUnavailable, SearchIndex, SearchQuery, SearchResult
from .queries import FEW_RESULTS, QueryBuilder, spelling_correction
from .snapshot import Facet, Mask, Scores, Snapshot
from .storage import IndexStorage

T = TypeVar("T")

FACET_FIELDS = ("asset_type", "product")
SPELLING_FIELD = "spelling"
HIGHLIGHTED_FIELDS = ("title", "summary", "body")
# Building. Large builds are split between processes (whoosh's MpWriter), each
# writing its own segment. Each keeps its postings in memory (whoosh's default of
# 128 MB spills to disk long before 5,000 long documents) and writes them
# uncompressed, which is faster to write and to read.
BUILD_PROCESSES = 2
PARALLEL_BUILD_FROM = 1000  # documents; smaller builds take a few seconds in one process
BUILD_MEMORY_MB = 512  # per process
BUILD_CODEC_OPTIONS = {"compression": 0}


def _schema() -> Schema:
    stemmed = STEMMING_ANALYZER
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        title=TEXT(stored=True, analyzer=stemmed),
        summary=TEXT(stored=True, analyzer=stemmed),
        body=TEXT(stored=True, analyzer=stemmed),
        tags=TEXT(analyzer=stemmed),
        product_text=TEXT(analyzer=stemmed),
        product=ID(sortable=True),
        asset_type=ID(sortable=True),
        # Each unstemmed word of the searchable text once: the vocabulary for "did you mean".
        spelling=TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), phrase=False),
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
        SPELLING_FIELD: distinct_words(" ".join((doc.title, doc.summary, doc.body, *doc.tags, doc.product))),
    }


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
        self._kept = _KeptSnapshot()
        weakref.finalize(self, self._kept.replace, None)  # close its files with this object

    # Writing

    def index_documents(self, docs: Iterable[Document]) -> None:
        self._write([{"upsert": asdict(doc)} for doc in docs])

    def delete_documents(self, ids: Iterable[str]) -> None:
        self._write([{"delete": doc_id} for doc_id in ids])

    def sync(self, ids: Iterable[str], load: Callable[[list[str]], Iterable[Document]]) -> None:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return
        with self._storage.write_lock():
            docs = list(load(ids))
            loaded = {doc.id for doc in docs}
            deleted = [doc_id for doc_id in ids if doc_id not in loaded]
            self._commit([{"upsert": asdict(doc)} for doc in docs] + [{"delete": doc_id} for doc_id in deleted])

    def rebuild(self, docs: Iterable[Document]) -> None:
        with self._storage.rebuild_lock():
            self._rebuild(lambda: docs)

    def try_rebuild(self, docs_factory: Callable[[], Iterable[Document]]) -> bool:
        with self._storage.rebuild_lock(blocking=False) as acquired:
            if acquired:
                self._rebuild(docs_factory)
        return acquired

    def _rebuild(self, docs_factory: Callable[[], Iterable[Document]]) -> None:
        """Build a fresh index beside the live one, then switch the CURRENT pointer to it.

        The caller holds the rebuild lock. Writes that arrive during the build go to
        the live index and to a journal, which is replayed into the new index just
        before the switch; the documents are read only once the journal has started.
        """
        with self._storage.write_lock():
            self._storage.start_journal()
        new_dir = self._storage.new_index_dir()
        try:
            self._build(new_dir, docs_factory())
            with self._storage.write_lock(), _opened_index(new_dir) as new_index:
                self._apply(new_index, self._storage.take_journal())
                self._storage.switch_to(new_dir)
        except BaseException:
            self._storage.abandon_build(new_dir)
            raise
        self._storage.remove_index_dirs_except(new_dir)

    def _build(self, index_dir: Path, docs: Iterable[Document]) -> None:
        docs = iter(docs)
        first = list(islice(docs, PARALLEL_BUILD_FROM))
        processes = BUILD_PROCESSES if len(first) == PARALLEL_BUILD_FROM else 1
        new_index = index.create_in(index_dir, self._schema)
        writer = new_index.writer(
            procs=processes,
            multisegment=True,
            limitmb=BUILD_MEMORY_MB,
            codec=W3Codec(**BUILD_CODEC_OPTIONS),
            compound=False,
        )
        added = 0
        try:
            for doc in chain(first, docs):
                writer.add_document(**_fields(doc))
                added += 1
        finally:
            # Commit even when failing (the caller deletes the directory): MpWriter's
            # cancel() would leave its processes waiting for documents forever.
            writer.commit()
        # MpWriter does not report a failed process; it just leaves its documents out.
        if new_index.doc_count() != added:
            raise RuntimeError(f"only {new_index.doc_count()} of {added} documents were indexed")

    def _write(self, changes: list[dict]) -> None:
        if changes:
            with self._storage.write_lock():
                self._commit(changes)

    def _commit(self, changes: list[dict]) -> None:
        """Apply `changes` to the live index; the caller holds the write lock."""
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
            self._read(lambda snapshot: None)
        except IndexUnavailable:
            return False
        return True

    def search(self, query: SearchQuery) -> SearchResult:
        if not query.text.strip():
            return SearchResult.empty(query.page)
        return self._read(lambda snapshot: self._search(snapshot, query))

    def _read(self, action: Callable[[Snapshot], T]) -> T:
        with self._kept.lock:
            index_dir = self._storage.current_dir()
            try:
                return self._read_from(index_dir, action)
            except IndexUnavailable:
                if self._storage.current_dir() == index_dir:
                    raise
            # A rebuild switched directories mid-read and may have deleted the old one.
            return self._read_from(self._storage.current_dir(), action)

    def _read_from(self, index_dir: Path, action: Callable[[Snapshot], T]) -> T:
        kept = self._kept
        if kept.snapshot is None or not kept.snapshot.is_current(index_dir):
            kept.replace(_open_snapshot(index_dir))
        try:
            return action(kept.snapshot)
        except Exception as exc:  # as in _opened_index: damage shows up as any exception type
            kept.replace(None)
            raise IndexUnavailable(f"search index at {index_dir} is unusable: {exc!r}") from exc

    def _search(self, snapshot: Snapshot, query: SearchQuery) -> SearchResult:
        visible = _visible(snapshot, query)
        if not visible.any():
            return SearchResult.empty(query.page)
        parsed = self._queries.build(query.text)
        if parsed is NullQuery:
            return SearchResult.empty(query.page)
        scores, matched = _matching(snapshot, parsed, visible)
        suggestion = None
        if len(matched) < FEW_RESULTS:
            suggestion = spelling_correction(snapshot.vocabulary, query.text)
        if suggestion is not None:
            corrected = self._queries.build(suggestion)
            corrected_scores, corrected_matched = _matching(snapshot, corrected, visible)
            # The spelling vocabulary spans every document, so only offer a correction
            # that finds documents this user may see; otherwise it would leak hidden words.
            if not len(corrected_matched):
                suggestion = None
            elif not len(matched):  # show what the user most likely meant
                parsed, scores, matched = corrected, corrected_scores, corrected_matched
        return _to_result(snapshot, parsed, scores, matched, query, suggestion)


class _KeptSnapshot:
    """The Snapshot a WhooshIndex keeps open between searches."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        # A searcher is not safe to share between threads; the GIL serialises searches anyway.
        self.lock = threading.Lock()

    def replace(self, snapshot: Snapshot | None) -> None:
        if self.snapshot is not None:
            self.snapshot.close()
        self.snapshot = snapshot


def _changed_id(change: dict) -> str:
    return change["upsert"]["id"] if "upsert" in change else change["delete"]


def _open_snapshot(index_dir: Path) -> Snapshot:
    with _opened_index(index_dir) as ix:
        return Snapshot(index_dir, ix, FACET_FIELDS, SPELLING_FIELD)


def _visible(snapshot: Snapshot, query: SearchQuery) -> Mask:
    """The live documents the caller may see that pass the filters."""
    visible = snapshot.live
    if query.allowed_ids is not None:
        visible = visible & snapshot.mask_of(query.allowed_ids)
    for name in FACET_FIELDS:
        value = getattr(query, name)
        if value:
            visible = visible & snapshot.facet_mask(name, value)
    return visible


def _matching(snapshot: Snapshot, parsed: Query, visible: Mask) -> tuple[Scores, np.ndarray]:
    """Scores of the matching documents, and the docnums of those the caller may see (ascending)."""
    scores = snapshot.scores(parsed)
    return scores, np.flatnonzero((scores > 0) & visible)


def _to_result(
    snapshot: Snapshot, parsed: Query, scores: Scores, matched: np.ndarray, query: SearchQuery, suggestion: str | None
) -> SearchResult:
    start = (query.page - 1) * query.page_size
    ranked = _ranked(scores, matched, start + query.page_size)[start:]
    marker = Marker(_matched_stems(snapshot, parsed)) if len(ranked) else None
    return SearchResult(
        total=len(matched),
        page=query.page,
        page_count=math.ceil(len(matched) / query.page_size),
        hits=[_to_hit(snapshot, docnum, float(scores[docnum]), marker) for docnum in ranked.tolist()],
        facets={name: _facet_counts(snapshot.facets[name], matched) for name in FACET_FIELDS},
        suggestion=suggestion,
    )


def _ranked(scores: Scores, matched: np.ndarray, count: int) -> np.ndarray:
    """The best `count` of the matched docnums, highest score first; equal scores rank by
    docnum, as in whoosh, so pages stay stable."""
    if len(matched) > count:  # only those scoring at least the count-th best can make it
        cutoff = np.partition(scores[matched], len(matched) - count)[len(matched) - count]
        matched = matched[scores[matched] >= cutoff]
    return matched[np.lexsort((matched, -scores[matched]))][:count]


def _matched_stems(snapshot: Snapshot, parsed: Query) -> set[str]:
    return {text for field, text in snapshot.terms(parsed) if field in HIGHLIGHTED_FIELDS}


def _to_hit(snapshot: Snapshot, docnum: int, score: float, marker: Marker) -> Hit:
    stored = snapshot.searcher.stored_fields(docnum)
    title, summary, body = (stored.get(name, "") for name in HIGHLIGHTED_FIELDS)
    snippet = marker.snippet(body) or marker.snippet(summary) or html.escape(summary or body[:SNIPPET_CHARS])
    return Hit(id=stored["id"], score=score, title_highlight=marker.whole(title), snippet=snippet)


def _facet_counts(facet: Facet, matched: np.ndarray) -> list[tuple[str, int]]:
    counts = np.bincount(facet.codes[matched], minlength=len(facet.values))
    found = [(value, int(count)) for value, count in zip(facet.values, counts) if value and count]
    return sorted(found, key=lambda item: (-item[1], item[0]))
