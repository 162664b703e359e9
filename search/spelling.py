"""The indexed words, held in memory for "did you mean".

whoosh's corrector walks the on-disk term list with an automaton, per segment and
per edit distance: 15-30 ms per misspelt word at 10,000 documents. Comparing the
word with the indexed words of the same initial in C (rapidfuzz) takes well under
a millisecond.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

MAX_EDITS = 2  # typos further from every indexed word get no suggestion


class Vocabulary:
    def __init__(self, terms: Iterable[tuple[str | bytes, object]]) -> None:
        """`terms` as whoosh's reader.iter_field gives them: (text, terminfo) in text order."""
        self._frequency: dict[str, float] = {}
        for text, info in terms:
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            self._frequency[word] = self._frequency.get(word, 0) + info.weight()
        self._sorted = sorted(self._frequency)
        self._by_initial: dict[str, list[str]] = {}
        for word in self._sorted:
            self._by_initial.setdefault(word[0], []).append(word)

    def __contains__(self, word: str) -> bool:
        return word in self._frequency

    def begins_a_word(self, prefix: str) -> bool:
        at = bisect_left(self._sorted, prefix)
        return at < len(self._sorted) and self._sorted[at].startswith(prefix)

    def nearest(self, word: str) -> str | None:
        """The indexed word fewest edits away (a swap of two letters is one edit), with the
        same first letter; among equally near words the most frequent, then the first
        alphabetically. None if none is within MAX_EDITS."""
        if not word:
            return None
        candidates = process.extract(word, self._by_initial.get(word[0], []), scorer=OSA.distance,
                                     score_cutoff=MAX_EDITS, limit=None)
        if not candidates:
            return None
        fewest = min(edits for _, edits, _ in candidates)
        nearest = sorted(found for found, edits, _ in candidates if edits == fewest)
        return max(nearest, key=self._frequency.__getitem__)
