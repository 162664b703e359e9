"""Turning what a user typed into whoosh queries, and spelling suggestions."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import And, NullQuery, Or, Prefix, Query

from .spelling import Vocabulary

SEARCH_FIELD_BOOSTS = {"title": 5.0, "summary": 2.0, "tags": 2.0, "product_text": 1.0, "body": 1.0}
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
PARSED_QUERIES_KEPT = 512
MIN_PREFIX_CHARS = 2  # shorter prefixes expand to much of the lexicon
FEW_RESULTS = 3  # below this many matches a spelling suggestion is worth offering
WORD = re.compile(r"\w+")
# A trailing word the user may still be typing: not followed by a space, not inside quotes.
TRAILING_WORD = re.compile(rf"(?P<word>\w{{{MIN_PREFIX_CHARS},}})$")


class QueryBuilder:
    def __init__(self, schema: Schema) -> None:
        syntax = [qparser.PhrasePlugin(), qparser.GroupPlugin(), qparser.OperatorsPlugin()]
        self._syntax_parser = _multifield_parser(schema, syntax)
        self._plain_parser = _multifield_parser(schema, [])
        # whoosh's parser takes about a millisecond; what people type repeats a lot.
        self.build = lru_cache(maxsize=PARSED_QUERIES_KEPT)(self._build)

    def _build(self, text: str) -> Query:
        """Parse `text`; the last word also matches as a prefix (search as you type).
        Callers share the answer and must not modify it."""
        # whoosh leaves a word containing "*" unanalysed (a wildcard without the plugin),
        # so it would match nothing.
        text = text.replace("*", " ")
        query = self._parse(text)
        trailing = trailing_word(text)
        if trailing is None:
            return query
        head = self._parse(text[: trailing.start()])
        word = trailing["word"].lower()
        prefix = Or([Prefix(name, word, boost=boost) for name, boost in SEARCH_FIELD_BOOSTS.items()])
        completed = prefix if head is NullQuery else And([head, prefix])
        return Or([query, completed]).normalize()

    def _parse(self, text: str) -> Query:
        try:
            query = self._syntax_parser.parse(text)
        except Exception:  # whoosh's parser has no documented error type; user input must never fail
            query = NullQuery
        if query is NullQuery:  # e.g. a lone operator or bracket: retry as plain words
            query = self._plain_parser.parse(text)
        return query


def spelling_correction(vocabulary: Vocabulary, text: str) -> str | None:
    """`text` with unknown words replaced by their nearest indexed word, or None if unchanged."""
    trailing = trailing_word(text)

    def correct(match: re.Match) -> str:
        word = match.group()
        lowered = word.lower()
        if word in OPERATORS or lowered in vocabulary:
            return word
        is_being_typed = trailing is not None and match.start() == trailing.start()
        if is_being_typed and vocabulary.begins_a_word(lowered):
            return word
        return vocabulary.nearest(lowered) or word

    corrected = WORD.sub(correct, text)
    return corrected if corrected != text else None


def trailing_word(text: str) -> re.Match | None:
    """The last word, if the user may still be typing it (every backend also matches it as a prefix)."""
    match = TRAILING_WORD.search(text)
    if match is None or match["word"] in OPERATORS or text.count('"') % 2:
        return None
    return match


def _multifield_parser(schema: Schema, plugins: list) -> qparser.QueryParser:
    parser = qparser.QueryParser(None, schema, plugins=plugins)
    parser.add_plugin(qparser.MultifieldPlugin(list(SEARCH_FIELD_BOOSTS), SEARCH_FIELD_BOOSTS))
    return parser
