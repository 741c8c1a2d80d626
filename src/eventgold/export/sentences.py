"""Rule-based sentence splitting over offset-keeping tokens (shared by the exports).

A sentence ends

- at a line break (scraped articles put one paragraph, heading or boilerplate
  line per line, often without a final full stop), and
- after ``.``, ``!``, ``?`` or ``…`` (with any closing quotes or brackets right
  after it) when whitespace follows and the next token does not start with a
  lower-case letter — unless the full stop ends a known abbreviation
  (a capitalised ``Mr.``, ``Gen.``, ``Jan.``, not followed by a closing quote) or a
  single-letter initial (``John F. Kennedy``).

Callers may pass spans (token ranges) that must stay inside one sentence: a
break that would cut one is not made. The exports pass the gold spans they
label, so a missed abbreviation never splits a name across two sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eventgold.export.tokenize import Token

TERMINALS = frozenset({".", "!", "?", "…", "。", "؟"})
CLOSERS = frozenset({'"', "'", "”", "’", ")", "]", "}", "»"})
ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cpt", "sgt", "adm",
        "cmdr", "sen", "rep", "gov", "pres", "amb", "rev", "st", "jr", "sr", "no", "nos", "inc", "ltd",
        "co", "corp", "dept", "approx", "est", "fig", "vol", "jan", "feb",
        "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft",
    }
)  # fmt: skip


def _is_break(text: str, tokens: Sequence[Token], i: int) -> tuple[bool, int]:
    """Whether a sentence ends at token ``i`` (a terminal); returns the last token of the sentence."""
    j = i
    while j + 1 < len(tokens) and tokens[j + 1].start == tokens[j].end and (
        tokens[j + 1].text in TERMINALS or tokens[j + 1].text in CLOSERS
    ):
        j += 1
    if j + 1 >= len(tokens):
        return True, j
    nxt = tokens[j + 1]
    if nxt.start == tokens[j].end:  # "Iraq.He" or "3.5" split oddly: no whitespace, no break
        return False, j
    if nxt.text[0].islower():
        return False, j
    if tokens[i].text == "." and j == i and i > 0 and tokens[i - 1].end == tokens[i].start:
        prev = tokens[i - 1].text
        if prev[0].isupper() and (prev.lower() in ABBREVIATIONS or len(prev) == 1):
            return False, j
    return True, j


def split_sentences(
    text: str, tokens: Sequence[Token], keep_together: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Sentences as ``(first token, end token)`` ranges (end exclusive) covering every token in order.

    ``keep_together`` holds token ranges (end exclusive) that no sentence break may cut.
    """
    n = len(tokens)
    if n == 0:
        return []
    breaks: set[int] = set()  # a break at b means a sentence starts at token b
    i = 0
    while i < n - 1:
        if "\n" in text[tokens[i].end : tokens[i + 1].start]:
            breaks.add(i + 1)
            i += 1
            continue
        if tokens[i].text in TERMINALS:
            is_break, last = _is_break(text, tokens, i)
            if is_break and last + 1 < n:
                breaks.add(last + 1)
            i = last + 1
            continue
        i += 1
    for start, end in keep_together:
        for b in range(start + 1, end):
            breaks.discard(b)
    starts = [0, *sorted(breaks)]
    return [(a, b) for a, b in zip(starts, [*starts[1:], n], strict=True)]
