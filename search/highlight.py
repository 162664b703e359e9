"""Marking the words a query matched, in titles and in snippets of long bodies.

Running every word of a 2,000-word body through the analyzer, as whoosh's
highlighter does, costs milliseconds per hit. Instead a regular expression finds
candidate words (those starting like a matched stem) and only candidates are
analysed, so the marks still agree with what the index matched.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from .analysis import terms_of

SNIPPET_CHARS = 200
CONTEXT_CHARS = 60  # shown before the first match
ELLIPSIS = "…"
# The stemmer rewrites at most the last two letters of what it keeps (happy -> happi,
# ability -> abl), so every word with a given stem starts with the stem minus two letters.
STEM_REWRITE_CHARS = 2


class Marker:
    def __init__(self, stems: set[str]) -> None:
        """`stems`: the terms the query matched in the stemmed text fields."""
        self._stems = stems
        prefixes = {stem[: max(1, len(stem) - STEM_REWRITE_CHARS)] for stem in stems}
        # A prefix query can expand to hundreds of stems; their shared prefixes keep the regex small.
        shortest = {p for p in prefixes if not any(q != p and p.startswith(q) for q in prefixes)}
        alternatives = "|".join(sorted(map(re.escape, shortest)))
        self._candidates = re.compile(rf"\b(?:{alternatives})\w*", re.IGNORECASE) if stems else None

    def whole(self, text: str) -> str:
        """All of `text`, escaped, with matched words in <mark>."""
        return self._mark(text, 0, len(text))

    def snippet(self, text: str) -> str | None:
        """About SNIPPET_CHARS of `text` from just before its first matched word, or None."""
        first = next(self._matches(text, 0, len(text)), None)
        if first is None:
            return None
        start = max(0, first.start() - CONTEXT_CHARS)
        if start > 0:  # begin at a word
            space = text.find(" ", start, first.start())
            start = first.start() if space == -1 else space + 1
        end = max(start + SNIPPET_CHARS, first.end())
        if end < len(text):  # end after a word
            space = text.rfind(" ", first.end(), end)
            end = end if space == -1 else space
        lead = ELLIPSIS if start > 0 else ""
        tail = ELLIPSIS if end < len(text) else ""
        return lead + self._mark(text, start, end) + tail

    def _mark(self, text: str, start: int, end: int) -> str:
        parts = []
        for match in self._matches(text, start, end):
            parts.append(html.escape(text[start : match.start()]))
            parts.append(f"<mark>{html.escape(match.group())}</mark>")
            start = match.end()
        parts.append(html.escape(text[start:end]))
        return "".join(parts)

    def _matches(self, text: str, start: int, end: int) -> Iterator[re.Match]:
        if self._candidates is None:
            return
        for match in self._candidates.finditer(text, start, end):
            if not self._stems.isdisjoint(terms_of(match.group())):
                yield match
