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
    """One scoring error: what kind, where, and the text around it.

    Frozen (an item is a record of what was found): scoring makes hundreds of
    thousands, and the ones :func:`error_item` builds share their set of fields set.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

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


class ErrorSpec(NamedTuple):
    """The arguments of :func:`error_item` for one error, kept instead of the item until it is needed.

    Scoring finds hundreds of thousands of errors and the reports show a sample:
    :meth:`build` makes the item :func:`error_item` would have made from them.
    """

    level: ErrorLevel
    kind: ErrorKind
    doc_id: str
    text: str | None
    gold: ErrorSide | None = None
    pred: ErrorSide | None = None
    detail: str | None = None

    def build(self) -> ErrorItem:
        """The error item (with its snippet), as ``error_item(level, kind, doc_id, text, gold=, pred=, detail=)``."""
        return error_item(
            self.level, self.kind, self.doc_id, self.text, gold=self.gold, pred=self.pred, detail=self.detail
        )

    @classmethod
    def unmatched(
        cls, level: ErrorLevel, doc_id: str, text: str | None, side: ErrorSide, *, gold: bool, detail: str | None = None
    ) -> ErrorSpec:
        """The spec of :func:`unmatched_item`'s item: ``missed`` when ``gold``, else ``spurious``."""
        if gold:
            return cls(level, "missed", doc_id, text, gold=side, detail=detail)
        return cls(level, "spurious", doc_id, text, pred=side, detail=detail)


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

    The item is built without pydantic's validation (scoring makes hundreds of
    thousands): the caller passes ``level`` and ``kind`` from their literals and
    sides whose ids, types and roles are str or None and offsets int or None, so
    the item equals what ``ErrorItem.model_validate`` would give for the same
    values (tested), fields set included. Offsets of another type (a NumPy
    integer) go through ``model_validate``, which converts or refuses them.
    """
    near: str | None = None
    if gold is not None:
        g_id, g_type, g_start, g_end, g_role = gold
        if pred is not None:
            p_id, p_type, p_start, p_end, p_role = pred
            if text is not None:
                near = snippet(text, min(g_start or 0, p_start or 0), max(g_end or 0, p_end or 0))
            keys = _SET_BOTH
        else:
            p_id = p_type = p_start = p_end = p_role = None
            near = None if text is None else snippet(text, g_start, g_end)
            keys = _SET_GOLD
    else:
        g_id = g_type = g_start = g_end = g_role = None
        if pred is not None:
            p_id, p_type, p_start, p_end, p_role = pred
            near = None if text is None else snippet(text, p_start, p_end)
            keys = _SET_PRED
        else:
            p_id = p_type = p_start = p_end = p_role = None
            keys = _SET_NONE
    values = {
        "level": level,
        "kind": kind,
        "doc_id": doc_id,
        "gold_id": g_id,
        "pred_id": p_id,
        "gold_type": g_type,
        "pred_type": p_type,
        "gold_start": g_start,
        "gold_end": g_end,
        "pred_start": p_start,
        "pred_end": p_end,
        "role": g_role,
        "pred_role": p_role,
        "detail": detail,
        "snippet": near,
    }
    if {type(g_start), type(g_end), type(p_start), type(p_end)} <= _OFFSET_TYPES:
        return _unchecked(values, keys)
    return ErrorItem.model_validate(values)


_OFFSET_TYPES = frozenset({int, type(None)})
# the fields set of each shape of item, one set shared by every item of that shape (items are frozen)
_SET_NONE = {"level", "kind", "doc_id", "detail", "snippet"}
_SET_GOLD = _SET_NONE | {"gold_id", "gold_type", "gold_start", "gold_end", "role"}
_SET_PRED = _SET_NONE | {"pred_id", "pred_type", "pred_start", "pred_end", "pred_role"}
_SET_BOTH = _SET_GOLD | _SET_PRED


def _unchecked(values: dict[str, str | int | None], fields_set: set[str]) -> ErrorItem:
    """An ErrorItem holding ``values`` (every field, in field order) as they are: ``model_construct``
    without its per-field bookkeeping (a third of the cost of ``model_validate``)."""
    item = ErrorItem.__new__(ErrorItem)
    _set = object.__setattr__
    _set(item, "__dict__", values)
    _set(item, "__pydantic_fields_set__", fields_set)
    _set(item, "__pydantic_extra__", None)
    _set(item, "__pydantic_private__", None)
    return item


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
