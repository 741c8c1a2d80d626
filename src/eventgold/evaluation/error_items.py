"""Error items and context snippets: one scoring error, and the text around a span.

A matched pair that is not correct is ``wrong_type`` (same boundaries),
``boundary`` (same type, overlapping boundaries), ``boundary_and_type`` or,
for arguments, ``wrong_role``; unmatched gold units are ``missed`` and
unmatched predictions ``spurious``. Snippets mark the span with ``[[`` and
``]]`` (agreement disagreements use them too).
"""

from __future__ import annotations

from typing import Literal, NamedTuple, TypeAlias

from pydantic import BaseModel, ConfigDict

ErrorKind = Literal["missed", "spurious", "boundary", "wrong_type", "boundary_and_type", "wrong_role"]
ErrorLevel = Literal["mention", "trigger", "argument", "coder"]

SNIPPET_WIDTH = 40
ZWSP = "\u200b"

UnitId: TypeAlias = str | None
"""The id of one side's unit (for an argument: its mention's); None on the side without a unit."""
UnitType: TypeAlias = str | None
"""The type of one side's unit (for an argument: its event's type)."""
Offset: TypeAlias = int | None
"""A character offset of one side's unit (end exclusive); None when the side has no offsets."""
Role: TypeAlias = str | None
"""The role of one side's argument (arguments only)."""


class ErrorItem(BaseModel):
    """One scoring error: what kind, where, and the text around it."""

    model_config = ConfigDict(extra="forbid")

    level: ErrorLevel
    kind: ErrorKind
    doc_id: str
    gold_id: UnitId = None
    pred_id: UnitId = None
    gold_type: UnitType = None
    pred_type: UnitType = None
    gold_start: Offset = None
    gold_end: Offset = None
    pred_start: Offset = None
    pred_end: Offset = None
    role: Role = None
    """The gold argument's role."""
    pred_role: Role = None
    """The predicted argument's role."""
    detail: str | None = None
    snippet: str | None = None
    """The text around the unit, the unit itself between ``[[`` and ``]]``."""


class ErrorSide(NamedTuple):
    """One side (gold or predicted) of an error: unit id, type, offsets (end exclusive), role."""

    id: str | None
    type: str | None
    start: int | None = None
    end: int | None = None
    role: str | None = None


def error_item(
    level: ErrorLevel,
    kind: ErrorKind,
    doc_id: str,
    text: str | None,
    *,
    gold: ErrorSide | None = None,
    pred: ErrorSide | None = None,
    detail: str | None = None,
) -> ErrorItem:
    """The error of ``kind`` on ``gold`` and/or ``pred`` in document ``doc_id``, with its snippet.

    ``text`` is the document's text (None: no snippet). The snippet covers
    the given side, or both sides from the first start to the last end.
    """
    fields: dict[str, str | int | None] = {}
    if gold is not None:
        fields.update(gold_id=gold.id, gold_type=gold.type, gold_start=gold.start, gold_end=gold.end, role=gold.role)
    if pred is not None:
        fields.update(pred_id=pred.id, pred_type=pred.type, pred_start=pred.start, pred_end=pred.end)
        fields.update(pred_role=pred.role)
    near: str | None = None
    if text is not None and gold is not None and pred is not None:
        start, end = min(gold.start or 0, pred.start or 0), max(gold.end or 0, pred.end or 0)
        near = snippet(text, start, end)
    elif text is not None:
        side = gold if gold is not None else pred
        near = snippet(text, side.start, side.end) if side is not None else None
    return ErrorItem.model_validate(
        {"level": level, "kind": kind, "doc_id": doc_id, **fields, "detail": detail, "snippet": near}
    )


def unmatched_item(
    level: ErrorLevel, doc_id: str, text: str | None, side: ErrorSide, *, gold: bool, detail: str | None = None
) -> ErrorItem:
    """A unit left unmatched: ``missed`` when ``gold`` (``side`` is the gold unit), else ``spurious``."""
    if gold:
        return error_item(level, "missed", doc_id, text, gold=side, detail=detail)
    return error_item(level, "spurious", doc_id, text, pred=side, detail=detail)


def _defuse(part: str) -> str:
    """Break every ``[[`` and ``]]`` in ``part`` with a zero-width space (invisible when shown)."""
    while "[[" in part or "]]" in part:
        part = part.replace("[[", f"[{ZWSP}[").replace("]]", f"]{ZWSP}]")
    return part


def snippet(text: str, start: int | None, end: int | None, width: int = SNIPPET_WIDTH) -> str | None:
    """``width`` characters either side of ``text[start:end]``, the span marked with [[ ]].

    Offsets are characters, end exclusive; None when either is None.
    Brackets in the text that would make the markers ambiguous are broken with
    a zero-width space, so the first ``[[`` and the last ``]]`` are always the
    markers (what reports rely on to highlight the span). Newlines become
    spaces; ``…`` marks text cut at either end.
    """
    if start is None or end is None:
        return None
    left = _defuse(text[max(0, start - width) : start])
    left += ZWSP if left.endswith("[") else ""
    right = _defuse(text[end : end + width])
    right = (ZWSP if right.startswith("]") else "") + right
    out = f"{'…' if start > width else ''}{left}[[{_defuse(text[start:end])}]]{right}"
    out += "…" if end + width < len(text) else ""
    return out.replace("\n", " ")
