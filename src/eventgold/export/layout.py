"""One gold document laid out on tokens: aligned spans, the spans a tag scheme can hold, and cuts.

Every token-level export (CoNLL, spaCy, Hugging Face) starts here, so they all
agree on tokens, sentences and which gold spans could not be carried over:

- tokens are the tokenizer's, split wherever a gold span edge (a mention's
  or trigger's start or end) falls inside one (:func:`gold_tokens`), so the
  tokenizer never loses a gold span: "Albanian rebel" in "Albanian
  rebel-held" makes ``rebel`` + ``-held``. Sentences are found on the
  tokenizer's tokens, so these splits never move a sentence break;
- a span is *aligned* when a token starts exactly at its start and a token
  ends exactly at its end; it then maps back to the gold text exactly;
- a span is *cut* when it cannot be aligned: an edge lies in whitespace
  (``whitespace``: the span has leading or trailing blanks) or it covers no
  token at all (``empty``). Such a span splits no token. (``boundary``, an
  edge inside a token, cannot happen on these tokens: it would mean a bug);
- a tag sequence (BIO, ``doc.ents``) holds non-overlapping spans only: the
  longest span wins, then the earliest, then by label and id; the others are
  reported as ``overlap`` by the formats that lose them. A span identical to a
  kept one (same offsets and label, e.g. two events on one trigger) loses
  nothing and is not reported.

Spans are never trimmed, widened or moved: what is exported is exactly what
the gold holds, and what could not be exported is listed in ``cut_spans.jsonl``.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from eventgold.export.sentences import split_sentences
from eventgold.export.tokenize import Token, split_tokens, tokenize
from eventgold.models import GoldDocument
from eventgold.offsets import span_fields

Kind = Literal["mention", "trigger", "argument"]
"""``argument``: an event argument on its mention's tokens (the CoNLL argument column), labelled ``<event>:<role>``."""
CutReason = Literal["boundary", "whitespace", "empty", "overlap"]
CUT_REASONS: tuple[CutReason, ...] = ("boundary", "whitespace", "empty", "overlap")


class SpanUnit(BaseModel):
    """A gold span: an actor mention or an event trigger (or, in CoNLL, an argument on its mention)."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    id: str
    label: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Aligned:
    """A gold span that sits exactly on tokens ``tok_start`` .. ``tok_end`` (end exclusive)."""

    unit: SpanUnit
    tok_start: int
    tok_end: int


class _Where(BaseModel):
    """The document a cut span is in: the first fields of a ``cut_spans.jsonl`` line."""

    doc_id: str
    split: str | None


class CutSpan(SpanUnit, _Where):
    """A gold span an export could not carry over (one line of ``cut_spans.jsonl``).

    Its fields are the document's (:class:`_Where`), then the span's (:class:`SpanUnit`),
    then why it was cut.
    """

    model_config = ConfigDict(extra="forbid", frozen=False)

    reason: CutReason
    detail: str
    covering_start: int | None = None
    """Start of the tokens the span touches (None when it touches none)."""
    covering_end: int | None = None
    covering_text: str | None = None

    @classmethod
    def of(
        cls,
        unit: SpanUnit,
        doc_id: str,
        split: str | None,
        reason: CutReason,
        detail: str,
        **covering: int | str | None,
    ) -> CutSpan:
        """The record of ``unit`` not carried over, for ``reason``."""
        return cls(doc_id=doc_id, split=split, **dict(unit), reason=reason, detail=detail, **covering)


@dataclass
class DocLayout:
    """A gold document on tokens and sentences, with its aligned and cut spans."""

    doc: GoldDocument
    tokens: list[Token]
    sentences: list[tuple[int, int]]
    mentions: list[Aligned]
    """Every aligned actor mention, in gold order."""
    triggers: list[Aligned]
    """Every aligned event trigger, in gold order."""
    ner: list[Aligned]
    """The non-overlapping mentions a tag sequence holds, in text order."""
    trigger_tags: list[Aligned]
    """The non-overlapping triggers a tag sequence holds, in text order."""
    cut: list[CutSpan]
    """Spans that could not be aligned (boundary, whitespace, empty)."""
    mention_overlaps: list[CutSpan]
    trigger_overlaps: list[CutSpan]
    by_id: dict[str, Aligned] = field(default_factory=dict)
    """Aligned mentions by mention id and aligned triggers by event id."""
    split_tokens: int = 0
    """How many of the tokenizer's tokens were split at gold span edges."""

    @property
    def text(self) -> str:
        """The article text every offset refers to."""
        return self.doc.article.text

    def token_of_char(self) -> dict[int, int]:
        """Token index by start offset (for mapping char offsets back to tokens)."""
        return {t.start: i for i, t in enumerate(self.tokens)}


def span_units(doc: GoldDocument) -> tuple[list[SpanUnit], list[SpanUnit]]:
    """The anchored mentions and the event triggers of ``doc`` as span units, in gold order."""
    text = doc.article.text
    mentions = [
        SpanUnit(kind="mention", id=m.id, label=m.type, start=m.start, end=m.end, text=text[m.start : m.end])
        for m in doc.mentions
        if m.start is not None and m.end is not None
    ]
    triggers = [
        SpanUnit(kind="trigger", id=e.id, label=e.type, **span_fields(e.trigger))
        for e in doc.events
        if e.trigger is not None
    ]
    return mentions, triggers


class _Aligner:
    """Token lookup by offsets for one text."""

    def __init__(self, text: str, tokens: Sequence[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.starts = [t.start for t in tokens]
        self.ends = [t.end for t in tokens]
        self.by_start = {t.start: i for i, t in enumerate(tokens)}
        self.by_end = {t.end: i for i, t in enumerate(tokens)}

    def covering(self, start: int, end: int) -> tuple[int, int] | None:
        """Token range (end exclusive) of the tokens that overlap ``start..end``; None if none."""
        first = bisect.bisect_right(self.ends, start)
        last = bisect.bisect_left(self.starts, end)
        return (first, last) if first < last else None

    def edge_problem(self, offset: int, *, is_start: bool) -> tuple[CutReason, str] | None:
        """Why ``offset`` is not a token edge, or None when it is."""
        table = self.by_start if is_start else self.by_end
        if offset in table:
            return None
        which = "start" if is_start else "end"
        i = bisect.bisect_right(self.starts, offset) - 1
        if 0 <= i < len(self.tokens) and self.tokens[i].start < offset < self.tokens[i].end:
            tok = self.tokens[i]
            return "boundary", f"{which} {offset} falls inside token {tok.text!r} ({tok.start}..{tok.end})"
        return "whitespace", f"{which} {offset} is in whitespace, not at a token edge (blank at the span's edge)"

    def align(self, unit: SpanUnit, doc_id: str, split: str | None) -> Aligned | CutSpan:
        """The unit on tokens, or why it cannot be put on tokens."""
        cover = self.covering(unit.start, unit.end)

        def cut(reason: CutReason, detail: str) -> CutSpan:
            return CutSpan.of(
                unit,
                doc_id,
                split,
                reason,
                detail,
                covering_start=self.tokens[cover[0]].start if cover else None,
                covering_end=self.tokens[cover[1] - 1].end if cover else None,
                covering_text=self.text[self.tokens[cover[0]].start : self.tokens[cover[1] - 1].end] if cover else None,
            )

        if cover is None or unit.start >= unit.end:
            return cut("empty", "the span covers no token (it is empty or blank)")
        problems = [
            p
            for p in (
                self.edge_problem(unit.start, is_start=True),
                self.edge_problem(unit.end, is_start=False),
            )
            if p is not None
        ]
        if problems:
            reason: CutReason = "whitespace" if any(r == "whitespace" for r, _ in problems) else "boundary"
            return cut(reason, "; ".join(d for _, d in problems))
        return Aligned(unit, self.by_start[unit.start], self.by_end[unit.end] + 1)


def select_non_overlapping(
    aligned: Iterable[Aligned], doc_id: str, split: str | None
) -> tuple[list[Aligned], list[CutSpan]]:
    """Spans a tag sequence can hold (longest, then earliest first) and the overlapping rest.

    A span with the same offsets and label as a kept one is dropped silently: the
    tags lose nothing.
    """
    order = sorted(
        aligned,
        key=lambda a: (-(a.unit.end - a.unit.start), a.unit.start, a.unit.label, a.unit.id),
    )
    kept: list[Aligned] = []
    taken: dict[int, Aligned] = {}
    seen: set[tuple[int, int, str]] = set()
    lost: list[CutSpan] = []
    for a in order:
        key = (a.tok_start, a.tok_end, a.unit.label)
        if key in seen:
            continue
        clash = next((taken[i] for i in range(a.tok_start, a.tok_end) if i in taken), None)
        if clash is not None:
            lost.append(
                CutSpan.of(
                    a.unit,
                    doc_id,
                    split,
                    "overlap",
                    f"overlaps {clash.unit.kind} {clash.unit.id!r} {clash.unit.label} "
                    f"{clash.unit.text!r} ({clash.unit.start}..{clash.unit.end}), which is kept",
                )
            )
            continue
        seen.add(key)
        kept.append(a)
        for i in range(a.tok_start, a.tok_end):
            taken[i] = a
    kept.sort(key=lambda a: a.tok_start)
    lost.sort(key=lambda c: (c.start, c.end, c.label, c.id))
    return kept, lost


def _token_at(starts: Sequence[int], tokens: Sequence[Token], offset: int) -> int | None:
    """Index of the token holding the character at ``offset``, or None (whitespace, outside)."""
    i = bisect.bisect_right(starts, offset) - 1
    return i if 0 <= i < len(tokens) and offset < tokens[i].end else None


def gold_tokens(text: str, units: Iterable[SpanUnit]) -> tuple[list[Token], list[Token]]:
    """The tokenizer's tokens of ``text``, and those tokens split at the edges of ``units``.

    A span whose first and last characters lie in tokens gets a token edge at
    its start and at its end (the pieces keep the original characters, like
    spaCy's retokenizer). A span that starts or ends in whitespace, or is
    empty, splits nothing: it is cut anyway. Returns ``(tokenizer tokens,
    split tokens)``.
    """
    base = tokenize(text)
    starts = [t.start for t in base]
    edges: set[int] = set()
    for unit in units:
        if unit.start < unit.end and (
            _token_at(starts, base, unit.start) is not None and _token_at(starts, base, unit.end - 1) is not None
        ):
            edges.update((unit.start, unit.end))
    return base, split_tokens(base, edges)


def _parents(base: Sequence[Token], tokens: Sequence[Token]) -> list[int]:
    """For each of ``tokens`` (pieces of ``base``), the index of the ``base`` token it comes from."""
    base_starts = [t.start for t in base]
    return [bisect.bisect_right(base_starts, t.start) - 1 for t in tokens]


def _sentences(
    text: str, base: Sequence[Token], tokens: Sequence[Token], keep_together: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Sentences over ``tokens`` (pieces of ``base``), found on ``base`` so splits move no break."""
    if len(base) == len(tokens):
        return split_sentences(text, tokens, keep_together)
    parent = _parents(base, tokens)
    first_piece: dict[int, int] = {}
    for i, p in enumerate(parent):
        first_piece.setdefault(p, i)
    first_piece[len(base)] = len(tokens)
    on_base = [(parent[a], parent[b - 1] + 1) for a, b in keep_together]
    return [(first_piece[a], first_piece[b]) for a, b in split_sentences(text, base, on_base)]


def layout_document(doc: GoldDocument) -> DocLayout:
    """Tokenize ``doc`` (tokens split at gold span edges), align its spans, choose the taggable ones, find sentences."""
    text = doc.article.text
    mention_units, trigger_units = span_units(doc)
    base, tokens = gold_tokens(text, (*mention_units, *trigger_units))
    aligner = _Aligner(text, tokens)
    mentions: list[Aligned] = []
    triggers: list[Aligned] = []
    cut: list[CutSpan] = []
    for units, bucket in ((mention_units, mentions), (trigger_units, triggers)):
        for unit in units:
            result = aligner.align(unit, doc.doc_id, doc.split)
            if isinstance(result, Aligned):
                bucket.append(result)
            else:
                cut.append(result)
    ner, mention_overlaps = select_non_overlapping(mentions, doc.doc_id, doc.split)
    trigger_tags, trigger_overlaps = select_non_overlapping(triggers, doc.doc_id, doc.split)
    sentences = _sentences(text, base, tokens, [(a.tok_start, a.tok_end) for a in (*ner, *trigger_tags)])
    by_id = {a.unit.id: a for a in (*mentions, *triggers)}
    return DocLayout(
        doc=doc,
        tokens=tokens,
        sentences=sentences,
        mentions=mentions,
        triggers=triggers,
        ner=ner,
        trigger_tags=trigger_tags,
        cut=cut,
        mention_overlaps=mention_overlaps,
        trigger_overlaps=trigger_overlaps,
        by_id=by_id,
        split_tokens=sum(1 for n in Counter(_parents(base, tokens)).values() if n > 1),
    )
