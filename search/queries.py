"""Turning what a user typed into whoosh queries, and spelling suggestions."""

from __future__ import annotations

import re

from whoosh import qparser
from whoosh.fields import Schema
from whoosh.query import And, FuzzyTerm, NullQuery, Or, Prefix, Query, Term
from whoosh.reading import IndexReader

SEARCH_FIELD_BOOSTS = {"title": 5.0, "summary": 2.0, "tags": 2.0, "product_text": 1.0, "body": 1.0}
SPELLING_FIELD = "spelling"
OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
MIN_PREFIX_CHARS = 2  # shorter prefixes expand to much of the lexicon
WORD = re.compile(r"\w+")
# A trailing word the user may still be typing: not followed by a space, not inside quotes.
TRAILING_WORD = re.compile(rf"(?P<word>\w{{{MIN_PREFIX_CHARS},}})$")


class QueryBuilder:
    def __init__(self, schema: Schema) -> None:
        syntax = [qparser.PhrasePlugin(), qparser.GroupPlugin(), qparser.OperatorsPlugin()]
        self._syntax_parser = _multifield_parser(schema, syntax)
        self._plain_parser = _multifield_parser(schema, [])

    def build(self, text: str) -> Query:
        """Parse `text`; the last word also matches as a prefix (search as you type)."""
        query = self._parse(text)
        trailing = _trailing_word(text)
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


def fuzzy_variant(query: Query) -> Query:
    """The same query with every plain term widened to near spellings."""

    def widen(node: Query) -> Query:
        if type(node) is Term:
            maxdist = 1 if len(node.text) < 6 else 2
            return FuzzyTerm(node.fieldname, node.text, boost=node.boost, maxdist=maxdist)
        return node

    return query.accept(widen)


def spelling_correction(reader: IndexReader, text: str) -> str | None:
    """`text` with unknown words replaced by their nearest indexed word, or None if unchanged."""
    corrector = reader.corrector(SPELLING_FIELD)
    trailing = _trailing_word(text)

    def correct(match: re.Match) -> str:
        word = match.group()
        lowered = word.lower()
        if word in OPERATORS or (SPELLING_FIELD, lowered) in reader:
            return word
        is_being_typed = trailing is not None and match.start() == trailing.start()
        if is_being_typed and _starts_an_indexed_word(reader, lowered):
            return word
        for maxdist in (1, 2):  # nearest first: the corrector ranks by frequency only
            suggestions = corrector.suggest(lowered, limit=1, maxdist=maxdist, prefix=1)
            if suggestions:
                return suggestions[0]
        return word

    corrected = WORD.sub(correct, text)
    return corrected if corrected != text else None


def _starts_an_indexed_word(reader: IndexReader, prefix: str) -> bool:
    return next(iter(reader.expand_prefix(SPELLING_FIELD, prefix)), None) is not None


def _trailing_word(text: str) -> re.Match | None:
    match = TRAILING_WORD.search(text)
    if match is None or match["word"] in OPERATORS or text.count('"') % 2:
        return None
    return match


def _multifield_parser(schema: Schema, plugins: list) -> qparser.QueryParser:
    parser = qparser.QueryParser(None, schema, plugins=plugins)
    parser.add_plugin(qparser.MultifieldPlugin(list(SEARCH_FIELD_BOOSTS), SEARCH_FIELD_BOOSTS))
    return parser
