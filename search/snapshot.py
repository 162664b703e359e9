"""An open searcher on one version of the index, with the lookups searches need.

Opening a whoosh index of thousands of documents takes far longer than a query,
and so does walking its id column, so a WhooshIndex keeps one Snapshot open and
replaces it only when the index changes. Queries are scored here rather than by
whoosh's collectors: those score every match through a tree of matchers in
Python, whereas combining cached per-term scores is mostly dict and set work.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cached_property, lru_cache
from operator import add
from pathlib import Path

from whoosh.index import Index
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, MultiTerm, Or, Query, Term
from whoosh.reading import IndexReader

# Per-term scores of the most recently used terms (a query word is a term in each of
# five fields, and a prefix expands to many); a term found in every one of
# 10,000 documents takes about 1 MB.
CACHED_TERMS = 256
CACHED_ALLOWED_SETS = 32  # one per audience seen lately

Scores = dict[int, float]


class Snapshot:
    def __init__(self, index_dir: Path, ix: Index, facet_fields: Iterable[str]) -> None:
        self.index_dir = index_dir
        self.searcher = ix.searcher()
        self.reader: IndexReader = self.searcher.reader()
        self._facet_fields = tuple(facet_fields)
        self._term_scores = lru_cache(maxsize=CACHED_TERMS)(self._score_term)
        self._expansions = lru_cache(maxsize=CACHED_TERMS)(self._expand)  # a search needs them twice
        self._cached_docnums_of = lru_cache(maxsize=CACHED_ALLOWED_SETS)(self._docnums_of)
        self._lengths: dict[str, list[int]] = {}

    def is_current(self, index_dir: Path) -> bool:
        return index_dir == self.index_dir and self.searcher.up_to_date()

    def close(self) -> None:
        self.searcher.close()

    @cached_property
    def live(self) -> frozenset[int]:
        """Docnums of the documents not deleted."""
        return frozenset(self.reader.all_doc_ids())

    @cached_property
    def docnums(self) -> dict[str, int]:
        """Document id -> docnum, for live documents."""
        live = self.live
        return {doc_id: docnum for docnum, doc_id in enumerate(self._column("id")) if docnum in live}

    def docnums_of(self, ids: Collection[str]) -> frozenset[int]:
        """Docnums of the live documents with these ids. A frozenset's answer is remembered:
        callers pass the same allowed set again and again (a frozenset keeps its hash)."""
        return self._cached_docnums_of(ids) if isinstance(ids, frozenset) else self._docnums_of(ids)

    def _docnums_of(self, ids: Iterable[str]) -> frozenset[int]:
        docnums = set(map(self.docnums.get, ids))
        docnums.discard(None)  # ids not in the index
        return frozenset(docnums)

    @cached_property
    def facets(self) -> dict[str, dict[str, frozenset[int]]]:
        """Facet field -> value -> docnums of the live documents with that value."""
        live = self.live
        facets = {}
        for name in self._facet_fields:
            groups: dict[str, set[int]] = {}
            for docnum, value in enumerate(self._column(name)):
                if docnum in live:
                    groups.setdefault(value, set()).add(docnum)
            facets[name] = {value: frozenset(docnums) for value, docnums in groups.items()}
        return facets

    def _column(self, name: str) -> Iterable:
        # An index with no documents has no columns.
        return self.reader.column_reader(name) if self.reader.has_column(name) else ()

    def scores(self, query: Query) -> Scores:
        """Docnum -> score of the documents matching `query`; the caller must not modify it.

        Deleted documents may be included: intersect with `live`.

        Scores add up over Or and And and scale with boosts, like whoosh's own
        matchers; queries other than those and plain or expanding terms are scored by whoosh.
        """
        if type(query) is Term:
            return _boosted(self._term_scores(query.fieldname, _str(query.text)), query.boost)
        if isinstance(query, MultiTerm):  # a prefix or fuzzy term: the terms it expands to
            return self.scores(Or([Term(field, text) for field, text in self.terms(query)], query.boost))
        if type(query) in (Or, And):
            parts = sorted((self.scores(sub) for sub in query.subqueries), key=len, reverse=True)
            return _boosted(_union(parts) if type(query) is Or else _intersection(parts), query.boost)
        scores = {}
        for searcher, offset in self.searcher.leaf_searchers():
            matcher = query.matcher(searcher)
            while matcher.is_active():
                scores[matcher.id() + offset] = matcher.score()
                matcher.next()
        return scores

    def terms(self, query: Query) -> set[tuple[str, str]]:
        """The (field, text) terms that the leaves of `query` stand for, prefixes expanded."""
        terms = set()
        for leaf in query.leaves():
            if isinstance(leaf, MultiTerm):
                terms.update(self._expansions(leaf))
            else:
                terms.update((field, _str(text)) for field, text in leaf.expanded_terms(self.reader))
        return terms

    def _expand(self, query: MultiTerm) -> frozenset[tuple[str, str]]:
        # Per segment: across segments whoosh merges whole term lists in Python.
        segments = [reader for reader, _ in self.reader.leaf_readers()]
        return frozenset((field, _str(text)) for reader in segments for field, text in query.expanded_terms(reader))

    def _score_term(self, fieldname: str, text: str) -> Scores:
        """What whoosh's BM25 scorer gives, but with field lengths from a list rather than the reader."""
        if (fieldname, text) not in self.reader:
            return {}
        scorer = self.searcher.weighting.scorer(self.searcher, fieldname, text)
        lengths = self._field_lengths(fieldname)
        scores = {}
        for reader, offset in self.reader.leaf_readers():  # a matcher per segment is faster than one for all
            if (fieldname, text) not in reader:
                continue
            matcher = reader.postings(fieldname, text)
            if isinstance(matcher, FilterMatcher):
                # Skips deleted documents, at twice the cost per posting; callers drop them anyway.
                matcher = matcher.child
            while matcher.is_active():
                docnum = matcher.id() + offset
                scores[docnum] = scorer._score(matcher.weight(), lengths[docnum])  # whoosh's hook for scorers
                matcher.next()
        return scores

    def _field_lengths(self, fieldname: str) -> list[int]:
        if fieldname not in self._lengths:
            length = self.reader.doc_field_length
            self._lengths[fieldname] = [length(docnum, fieldname, 1) for docnum in range(self.reader.doc_count_all())]
        return self._lengths[fieldname]


def _str(text: str | bytes) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _boosted(scores: Scores, boost: float) -> Scores:
    return scores if boost == 1.0 else dict(zip(scores, map(boost.__mul__, scores.values())))


# Combining scores is done with map() and set operations: a Python loop over
# thousands of docnums would cost more than the rest of a search.


def _union(parts: list[Scores]) -> Scores:
    if not parts:
        return {}
    combined = dict(parts[0])  # the largest
    for part in parts[1:]:
        shared = list(part.keys() & combined.keys())
        sums = list(map(add, map(combined.__getitem__, shared), map(part.__getitem__, shared)))
        combined.update(part)
        combined.update(zip(shared, sums))
    return combined


def _intersection(parts: list[Scores]) -> Scores:
    common = list(set(parts[-1]).intersection(*parts[:-1])) if parts else []
    sums = [0.0] * len(common)
    for part in parts:
        sums = list(map(add, sums, map(part.__getitem__, common)))
    return dict(zip(common, sums))
