"""BIO tags from token spans and back (shared by the CoNLL and Hugging Face exports).

Tags follow the IOB2 scheme of CoNLL-2003 as the ``seqeval`` library reads it:
``B-<label>`` opens a span, ``I-<label>`` continues it, ``O`` is outside. The
decoder is lenient the way seqeval's default (conlleval) mode is: an ``I-``
tag after ``O`` or after another label opens a new span.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

OUTSIDE = "O"


def encode_bio(n_tokens: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """Tags for ``n_tokens`` tokens from non-overlapping ``(start, end, label)`` token spans (end exclusive)."""
    tags = [OUTSIDE] * n_tokens
    for start, end, label in spans:
        if not 0 <= start < end <= n_tokens:
            raise ValueError(f"span {start}..{end} is empty or outside {n_tokens} tokens")
        if any(tag != OUTSIDE for tag in tags[start:end]):
            raise ValueError(f"span {start}..{end} overlaps another span")
        tags[start] = f"B-{label}"
        for i in range(start + 1, end):
            tags[i] = f"I-{label}"
    return tags


def decode_bio(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """The ``(start, end, label)`` token spans (end exclusive) that ``tags`` encode, in order."""
    spans: list[tuple[int, int, str]] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate(tags):
        prefix, _, name = tag.partition("-")
        if prefix == "I" and start is not None and name == label:
            continue
        if start is not None:
            spans.append((start, i, label))
            start = None
        if prefix in ("B", "I"):
            start, label = i, name
    if start is not None:
        spans.append((start, len(tags), label))
    return spans


def bio_labels(types: Iterable[str]) -> list[str]:
    """The tag list ``O, B-T1, I-T1, B-T2, I-T2, ...`` for types in the given order."""
    out = [OUTSIDE]
    for name in types:
        out.extend((f"B-{name}", f"I-{name}"))
    return out
