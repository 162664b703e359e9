"""Turning text into indexed terms.

Indexing thousands of long documents spends most of its time analysing text, so
the stemming analyzer does in one generator what whoosh's StemmingAnalyzer does
with a chain of four (tokenize, lowercase, drop stop words, stem), with the same result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import STOP_WORDS, Analyzer, Token
from whoosh.lang.porter import stem

WORD = re.compile(r"\w+(?:\.?\w+)*")  # whoosh's default tokenizer pattern
WHOLE = re.compile(r".+", re.DOTALL)  # for tokenize=False
MIN_WORD_CHARS = 2

_stem = lru_cache(maxsize=65536)(stem)


class StemmingAnalyzer(Analyzer):
    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # As in whoosh, words after the first kept one are numbered as if the stop
        # words were not there, so "price of gold" is the phrase "price gold".
        kept_pos = None
        # Like whoosh's tokenizers, yield one Token object, updated for each word.
        for pos, match in enumerate((WORD if tokenize else WHOLE).finditer(value)):
            text = match.group().lower()
            token.stopped = len(text) < MIN_WORD_CHARS or text in STOP_WORDS
            if token.stopped and removestops:
                continue
            token.text = text if token.stopped else _stem(text)
            token.boost = 1.0
            if keeporiginal:
                token.original = match.group()
            if positions:
                if token.stopped:
                    token.pos = start_pos + pos
                else:
                    kept_pos = start_pos + pos if kept_pos is None else kept_pos + 1
                    token.pos = kept_pos
            if chars:
                token.startchar, token.endchar = start_char + match.start(), start_char + match.end()
            yield token


STEMMING_ANALYZER = StemmingAnalyzer()


@lru_cache(maxsize=65536)
def terms_of(word: str) -> tuple[str, ...]:
    """The terms the stemming analyzer makes of `word`: usually one, none for a stop word."""
    return tuple(token.text for token in STEMMING_ANALYZER(word))


def distinct_words(text: str) -> str:
    """Each word of `text` once, lowercased: all a spelling vocabulary needs."""
    return " ".join(dict.fromkeys(WORD.findall(text.lower())))
