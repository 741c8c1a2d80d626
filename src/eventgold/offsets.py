"""Region offsets checked against the task text, repaired only where unambiguous.

eventgold's offsets are Python code points on the article text (the unit of
Label Studio's Text tag). Regions from the wild sometimes count otherwise:

- **UTF-16 code units** (older Label Studio front ends, many browser tools):
  every character outside the Basic Multilingual Plane (an emoji) counts two;
- **line breaks as one character** where the task text holds ``\\r\\n`` (a
  browser's text model);
- the region's stored text equals the task text at its offsets **up to
  whitespace** (collapsed or trimmed runs).

:func:`resolve_span` tries the stated offsets first; only if they do not slice
the region's own text does it try each other unit. Exactly one distinct
reading that fits is taken and recorded as a repair; none or two are an
:class:`OffsetProblem`. Blanks at the edges of the region are then trimmed
(also recorded). The task text always wins: a repaired unit holds the task
text at its new offsets.

Example::

    >>> text = "\\U0001F600 Iraq met Iran"
    >>> r = resolve_span(text, 3, 7, "Iraq")   # UTF-16: the emoji counted twice
    >>> (r.start, r.end, [s.kind for s in r.steps])
    (2, 6, ['utf16'])
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict

from eventgold.errors import EventgoldWarning, RecordError
from eventgold.models import DocumentAnnotation, Span
from eventgold.problems import RepairKind

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class SpanLike(Protocol):
    """Anything with ``start``..``end`` offsets into a text (code points, end exclusive) and the ``text`` there."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def text(self) -> str: ...


class SpanFields(TypedDict):
    """The keywords a span-carrying record (a Mention, a cut span) takes for its offsets and text."""

    start: int
    end: int
    text: str


def span_fields(span: SpanLike) -> SpanFields:
    """``span``'s offsets and text as keywords for another record: ``Mention(**span_fields(match), ...)``.

    Args:
        span: any object with ``start``, ``end`` (code-point offsets, end exclusive) and ``text``.

    Returns:
        ``{"start": span.start, "end": span.end, "text": span.text}``.

    Example:
        >>> from eventgold.models import Span
        >>> span_fields(Span(start=0, end=4, text="Iraq"))
        {'start': 0, 'end': 4, 'text': 'Iraq'}
    """
    return {"start": span.start, "end": span.end, "text": span.text}


class OffsetProblem(ValueError):
    """Offsets that fit no known unit, or fit two; the message says which and what was found."""


@dataclass(frozen=True)
class Step:
    """One repair applied to a span: its kind and the offsets before and after."""

    kind: RepairKind
    old_start: int
    old_end: int
    new_start: int
    new_end: int


@dataclass
class ResolvedSpan:
    """Code-point offsets on the task text, and the repairs that led to them (empty: as given)."""

    start: int
    end: int
    steps: list[Step] = field(default_factory=list)


def _collapse(value: str) -> str:
    return " ".join(value.split())


def _utf16_offsets(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Code-point offsets of UTF-16 offsets ``start..end``, or None if they split a character."""
    if not _ASTRAL.search(text):
        return None
    boundaries = [0]
    for char in text:
        boundaries.append(boundaries[-1] + (2 if ord(char) > 0xFFFF else 1))
    out = []
    for unit in (start, end):
        i = bisect.bisect_left(boundaries, unit)
        if i >= len(boundaries) or boundaries[i] != unit:
            return None
        out.append(i)
    return out[0], out[1]


def _crlf_offsets(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Offsets on ``text`` of offsets that counted each ``\\r\\n`` as one character."""
    if "\r\n" not in text:
        return None
    breaks = [m.start() for m in re.finditer("\r\n", text)]
    out = []
    for pos in (start, end):
        shift = 0
        for b in breaks:  # collapsed position of the break b is b - shift
            if b - shift < pos:
                shift += 1
            else:
                break
        out.append(pos + shift)
    if out[1] > len(text):
        return None
    return out[0], out[1]


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    return start + lead, start + lead + len(piece.strip())


def _fits(text: str, start: int, end: int, stated: str) -> bool:
    piece = text[start:end]
    return piece == stated or piece.replace("\r\n", "\n") == stated.replace("\r\n", "\n")


def resolve_span(text: str, start: Any, end: Any, stated: Any) -> ResolvedSpan:
    """Code-point offsets on ``text`` for a region stated as ``start..end`` holding ``stated``.

    Args:
        text: the task text (code points; what annotators saw).
        start, end: the region's offsets as stored (ints; end exclusive).
        stated: the region's own text as stored, or None when the source gives none
            (then the offsets are taken as given, when in range).

    Returns:
        A :class:`ResolvedSpan`; ``steps`` lists each repair (``utf16``, ``crlf``,
        ``whitespace``, ``trim``) with the offsets before and after.

    Raises:
        OffsetProblem: offsets that are not integers, run backwards or past the
            text in every unit, fit no unit, fit two units differently, or hold
            only whitespace.
    """
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or not 0 <= start <= end:
        raise OffsetProblem(f"offsets {start!r}..{end!r} are not a valid span")
    in_range = end <= len(text)
    steps: list[Step] = []
    if isinstance(stated, str) and not (in_range and text[start:end] == stated):
        readings: dict[tuple[int, int], RepairKind] = {}
        for kind, convert in (("utf16", _utf16_offsets), ("crlf", _crlf_offsets)):
            pos = convert(text, start, end)
            if pos is not None and pos != (start, end) and _fits(text, pos[0], pos[1], stated):
                readings.setdefault(pos, kind)  # type: ignore[arg-type]
        if in_range and _collapse(text[start:end]) == _collapse(stated) and _collapse(stated):
            readings.setdefault((start, end), "whitespace")
        if not readings:
            if not in_range:
                raise OffsetProblem(
                    f"offsets {start}..{end} run past the end of the text ({len(text)} characters) "
                    f"and fit no other offset unit for {stated!r}"
                )
            raise OffsetProblem(
                f"offsets {start}..{end} slice {text[start:end]!r} from the task text, but the region "
                f"says {stated!r}, and no other offset unit (UTF-16, CRLF, whitespace) fits"
            )
        if len({_trimmed(text, s, e) for s, e in readings}) > 1:
            found = ", ".join(f"{k} {s}..{e}" for (s, e), k in sorted(readings.items()))
            raise OffsetProblem(f"offsets {start}..{end} fit several readings ({found}); ambiguous")
        (new_start, new_end), kind = next(iter(readings.items()))  # all end alike: the first, most specific
        steps.append(Step(kind, start, end, new_start, new_end))
        start, end = new_start, new_end
    elif not in_range:
        raise OffsetProblem(f"offsets {start}..{end} run past the end of the text ({len(text)} characters)")
    if start < end and not text[start:end].strip():
        raise OffsetProblem(f"region {start}..{end} holds only whitespace")
    new_start, new_end = _trimmed(text, start, end)
    if (new_start, new_end) != (start, end):
        steps.append(Step("trim", start, end, new_start, new_end))
    return ResolvedSpan(new_start, new_end, steps)


class RepairedSpansWarning(EventgoldWarning):
    """Spans of a file were read after an unambiguous offset repair (the message counts them by kind)."""


def repair_spans(annotation: DocumentAnnotation, text: str) -> tuple[DocumentAnnotation, list[Step]]:
    """``annotation`` with every mention and trigger span resolved on ``text`` (:func:`resolve_span`).

    Args:
        annotation: a record whose spans carry their own text (predictions, annotations).
        text: the article text its offsets refer to.

    Returns:
        ``(annotation, steps)``: the same object and ``[]`` when every span fits as given,
        else a copy with repaired offsets (the unit's text taken from ``text``) and each repair.

    Raises:
        RecordError: a span fits no offset unit, or fits two (document, record id, field).
    """
    steps: list[Step] = []
    mentions = []
    n = len(text)
    for m in annotation.mentions:
        start, end, stated = m.start, m.end, m.text
        if start is None or end is None:
            mentions.append(m)
            continue
        if type(start) is int and type(end) is int and 0 <= start <= end <= n:  # _as_given, inlined: most spans
            piece = text[start:end]
            if (stated is None or piece == stated) and piece.strip() == piece:
                mentions.append(m)
                continue
        start, end = _resolved(annotation.doc_id, m.id, text, start, end, stated, steps)
        changed = (start, end) != (m.start, m.end)
        mentions.append(m.model_copy(update={"start": start, "end": end, "text": text[start:end]}) if changed else m)
    events = []
    for e in annotation.events:
        if e.trigger is None or _as_given(text, n, e.trigger.start, e.trigger.end, e.trigger.text):
            events.append(e)
            continue
        start, end = _resolved(annotation.doc_id, e.id, text, e.trigger.start, e.trigger.end, e.trigger.text, steps)
        if (start, end) == (e.trigger.start, e.trigger.end):
            events.append(e)
        else:
            events.append(e.model_copy(update={"trigger": Span(start=start, end=end, text=text[start:end])}))
    if not steps:
        return annotation, []
    return annotation.model_copy(update={"mentions": mentions, "events": events}), steps


def _as_given(text: str, n: int, start: int, end: int, stated: str | None) -> bool:
    """Whether :func:`resolve_span` would take ``start..end`` as given, without a repair (the common case)."""
    if type(start) is not int or type(end) is not int or not 0 <= start <= end <= n:
        return False
    piece = text[start:end]
    return (stated is None or piece == stated) and piece.strip() == piece


def _resolved(
    doc_id: str, record_id: str, text: str, start: int, end: int, stated: str | None, steps: list[Step]
) -> tuple[int, int]:
    try:
        found = resolve_span(text, start, end, stated)
    except OffsetProblem as exc:
        raise RecordError(str(exc), doc_id=doc_id, record_id=record_id, field="start") from exc
    steps.extend(found.steps)
    return found.start, found.end
