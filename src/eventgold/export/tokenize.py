"""A regex tokenizer that keeps character offsets (shared by the token-level exports).

Training data must map back to the gold text exactly, so every token carries
its ``start``/``end`` offsets into the article text (Python code points, the
unit of every span in eventgold) and ``text[start:end] == token.text`` always.
Whitespace is never part of a token; every other character belongs to exactly
one token.

Rules, first match wins at each position:

1. abbreviations of single letters with dots: ``U.S.``, ``U.S.A.``, ``A.M.``;
2. numbers with inner separators: ``10:50``, ``3.5``, ``1,000``, ``1/2``;
3. the possessive clitic ``'s`` / ``’s``;
4. words: letters, digits and combining marks (Arabic harakat, decomposed
   accents, ZWNJ/ZWJ), joined by inner hyphens or apostrophes: ``Al-Kazemi``,
   ``pro-Iran``, ``don’t`` (but ``Minister’s`` is ``Minister`` + ``’s``);
5. any other single character (punctuation, symbols).

The tokenizer looks only at the text, never at the annotations, so a model
sees the same tokens at prediction time. The exports then split a token where
a gold span edge falls inside it (:func:`split_tokens`, the way spaCy's
retokenizer splits: the pieces keep the original characters, with no space
between them), so no gold span is lost to the tokenizer.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

TOKENIZER = "eventgold-regex-1"
"""Name and version of the tokenization rules (recorded in every export manifest)."""


def _mark_class() -> str:
    """A regex character-class body holding every combining mark and ZWNJ/ZWJ."""
    ranges: list[tuple[int, int]] = []
    for cp in range(sys.maxunicode + 1):
        if unicodedata.category(chr(cp)) in ("Mn", "Mc", "Me") or cp in (0x200C, 0x200D):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges
    )


@functools.cache
def _token_re() -> re.Pattern[str]:
    """The token pattern (built on first use: scanning Unicode for marks takes ~0.3 s)."""
    marks = _mark_class()
    word = rf"\w[\w{marks}]*"
    return re.compile(
        rf"""
          (?:[^\W\d_]\.){{2,}}                               # U.S.  U.S.A.  A.M.
        | \d+(?:[.,:/]\d+)+                                  # 10:50  3.5  1,000
        | ['’][sS](?![\w{marks}])                             # possessive 's
        | {word}(?:(?:[-‐‑]|['’](?![sS](?![\w{marks}]))){word})*  # words with inner - and '
        | \S                                                 # anything else, one character
        """,
        re.VERBOSE,
    )


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its text and its character offsets into the article text."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens with offsets; ``text[t.start:t.end] == t.text`` for each."""
    return [Token(m.group(), m.start(), m.end()) for m in _token_re().finditer(text)]


def split_tokens(tokens: Sequence[Token], offsets: Iterable[int]) -> list[Token]:
    """``tokens`` split at every offset that falls strictly inside one of them.

    The pieces keep the original characters and offsets (their concatenation is
    the token, with no whitespace between them); offsets at a token edge or in
    whitespace change nothing. Tokens must be sorted and non-overlapping, as
    :func:`tokenize` gives them.
    """
    cuts = sorted(set(offsets))
    out: list[Token] = []
    for tok in tokens:
        lo = bisect.bisect_right(cuts, tok.start)
        hi = bisect.bisect_left(cuts, tok.end)
        if lo >= hi:
            out.append(tok)
            continue
        edges = [tok.start, *cuts[lo:hi], tok.end]
        out.extend(
            Token(tok.text[a - tok.start : b - tok.start], a, b) for a, b in itertools.pairwise(edges)
        )
    return out
