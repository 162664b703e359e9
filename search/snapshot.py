"""An open searcher on one version of the index, with the lookups searches need.

Opening a whoosh index of thousands of documents takes far longer than a query,
and so does walking its id column, so a WhooshIndex keeps one Snapshot open and
replaces it only when the index changes. Queries are scored here rather than by
whoosh's collectors, which score every match through a tree of matchers in
Python: a term's scores are read once into an array over all docnums (0 where
the term is absent), and And/Or become array arithmetic.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
from whoosh.index import Index
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, MultiTerm, Or, Query, Term
from whoosh.reading import IndexReader

from .spelling import Vocabulary

# Memory for cached per-term score arrays (8 bytes per document each): 64 MB holds
# about 800 terms at 10,000 documents. A query word is a term in each of five
# fields, and a word being typed expands to every term it begins.
TERM_CACHE_BYTES = 64 * 2**20
MIN_CACHED_TERMS = 16
CACHED_ALLOWED_SETS = 32  # one per audience seen lately
# Every match must score above zero (BM25 does); whoosh's own matchers, used for
# phrases, are held to that too.
MIN_SCORE = 1e-9

Scores = np.ndarray  # float64 per docnum; 0 means "does not match"
Mask = np.ndarray  # bool per docnum


@dataclass(frozen=True)
class Facet:
    values: tuple[str, ...]  # the field's distinct values
    codes: np.ndarray  # per docnum, the index of its value in `values`


class Snapshot:
    def __init__(self, index_dir: Path, ix: Index, facet_fields: Iterable[str], spelling_field: str) -> None:
        self.index_dir = index_dir
        self.searcher = ix.searcher()
        self.reader: IndexReader = self.searcher.reader()
        self.size = self.reader.doc_count_all()
        self._facet_fields = tuple(facet_fields)
        self._spelling_field = spelling_field
        cached_terms = max(MIN_CACHED_TERMS, TERM_CACHE_BYTES // (8 * max(self.size, 1)))
        self._term_scores = lru_cache(maxsize=cached_terms)(self._score_term)
        self._expansions = lru_cache(maxsize=cached_terms)(self._expand)  # a search needs them twice
        self._cached_mask_of = lru_cache(maxsize=CACHED_ALLOWED_SETS)(self._mask_of)
        self._lengths: dict[str, np.ndarray] = {}

    def is_current(self, index_dir: Path) -> bool:
        return index_dir == self.index_dir and self.searcher.up_to_date()

    def close(self) -> None:
        self.searcher.close()

    @cached_property
    def live(self) -> Mask:
        """The documents not deleted."""
        return self._mask(self.reader.all_doc_ids())

    @cached_property
    def docnums(self) -> dict[str, int]:
        """Document id -> docnum, for live documents."""
        live = self.live
        return {doc_id: docnum for docnum, doc_id in enumerate(self._column("id")) if live[docnum]}

    def mask_of(self, ids: Collection[str]) -> Mask:
        """The live documents with these ids. A frozenset's answer is remembered:
        callers pass the same allowed set again and again (a frozenset keeps its hash)."""
        return self._cached_mask_of(ids) if isinstance(ids, frozenset) else self._mask_of(ids)

    def _mask_of(self, ids: Iterable[str]) -> Mask:
        docnums = self.docnums
        return self._mask(docnums[doc_id] for doc_id in ids if doc_id in docnums)

    def _mask(self, docnums: Iterable[int]) -> Mask:
        mask = np.zeros(self.size, dtype=bool)
        mask[np.fromiter(docnums, dtype=np.int64)] = True
        mask.flags.writeable = False  # shared by every search on this snapshot
        return mask

    @cached_property
    def facets(self) -> dict[str, Facet]:
        """Facet field -> its values and which docnum has which."""
        facets = {}
        for name in self._facet_fields:
            values: dict[str, int] = {}
            codes = [values.setdefault(value, len(values)) for value in self._column(name)]
            facets[name] = Facet(tuple(values), np.array(codes, dtype=np.int64).reshape(-1))
        return facets

    def facet_mask(self, name: str, value: str) -> Mask:
        facet = self.facets[name]
        if value not in facet.values:
            return np.zeros(self.size, dtype=bool)
        return facet.codes == facet.values.index(value)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The spelling field's words, for "did you mean"."""
        return Vocabulary(self.reader.iter_field(self._spelling_field))

    def _column(self, name: str) -> Iterable:
        # An index with no documents has no columns.
        return self.reader.column_reader(name) if self.reader.has_column(name) else ()

    def scores(self, query: Query) -> Scores:
        """Score per docnum of the documents matching `query` (0 elsewhere); do not modify it.

        Deleted documents may score: combine with `live`.

        Scores add up over Or and And and scale with boosts, like whoosh's own
        matchers; queries other than those and plain or expanding terms are scored by whoosh.
        """
        if type(query) is Term:
            return _boosted(self._term_scores(query.fieldname, _str(query.text)), query.boost)
        if isinstance(query, MultiTerm):  # a prefix or fuzzy term: the terms it expands to
            return self.scores(Or([Term(field, text) for field, text in self.terms(query)], query.boost))
        if type(query) in (Or, And):
            parts = [self.scores(sub) for sub in query.subqueries]
            combined = self._sum(parts)
            if type(query) is And:
                combined *= np.logical_and.reduce([part > 0 for part in parts])
            return _boosted(combined, query.boost)
        return self._scored_by_whoosh(query)

    def _sum(self, parts: list[Scores]) -> Scores:
        total = np.zeros(self.size)
        for part in parts:
            total += part
        return total

    def _scored_by_whoosh(self, query: Query) -> Scores:
        scores = np.zeros(self.size)
        for searcher, offset in self.searcher.leaf_searchers():
            matcher = query.matcher(searcher)
            while matcher.is_active():
                scores[matcher.id() + offset] = max(matcher.score(), MIN_SCORE)
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
        """What whoosh's BM25 scorer gives, but with field lengths from an array rather than the reader."""
        scores = np.zeros(self.size)
        if (fieldname, text) in self.reader:
            scorer = self.searcher.weighting.scorer(self.searcher, fieldname, text)
            for reader, offset in self.reader.leaf_readers():  # a matcher per segment is faster than one for all
                if (fieldname, text) in reader:
                    docnums, weights = _postings(reader, fieldname, text)
                    docnums += offset
                    # whoosh's BM25 scorer, vectorised: _score(weight, length) is its hook for this.
                    scores[docnums] = scorer._score(weights, self._field_lengths(fieldname)[docnums])
        scores.flags.writeable = False  # cached and shared
        return scores

    def _field_lengths(self, fieldname: str) -> np.ndarray:
        if fieldname not in self._lengths:
            length = self.reader.doc_field_length
            self._lengths[fieldname] = np.array([length(docnum, fieldname, 1) for docnum in range(self.size)],
                                                dtype=np.float64)
        return self._lengths[fieldname]


def _postings(reader: IndexReader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Docnums (within the segment) and weights of a term's postings."""
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):
        # Skips deleted documents, at twice the cost per posting; callers drop them anyway.
        matcher = matcher.child
    docnums, weights = [], []
    while matcher.is_active():
        docnums.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(docnums, dtype=np.int64), np.array(weights, dtype=np.float64)


def _str(text: str | bytes) -> str:
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _boosted(scores: Scores, boost: float) -> Scores:
    return scores if boost == 1.0 else scores * boost
