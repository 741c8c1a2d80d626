"""error_item/unmatched_item build, without validation, exactly the items ``ErrorItem.model_validate`` gives."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from eventgold.evaluation.error_items import ErrorItem, ErrorSide, error_item, snippet, unmatched_item

TEXT = "Officials said [[the]] minister met\na delegation in the capital on Monday after talks broke down."
GOLD = ErrorSide("m1", "PERSON", 15, 22)
PRED = ErrorSide("p1", "STATE", 10, 24, "recipient")
ROLE = ErrorSide("m2", "ASSAULT", 30, 38, "actor")


def _validated(level: str, kind: str, doc_id: str, text: str | None, **kw: Any) -> ErrorItem:
    """What error_item gave before it skipped validation: model_validate of the given fields."""
    gold, pred, detail = kw.get("gold"), kw.get("pred"), kw.get("detail")
    fields: dict[str, Any] = {}
    if gold is not None:
        fields.update(gold_id=gold.id, gold_type=gold.type, gold_start=gold.start, gold_end=gold.end, role=gold.role)
    if pred is not None:
        fields.update(pred_id=pred.id, pred_type=pred.type, pred_start=pred.start, pred_end=pred.end)
        fields.update(pred_role=pred.role)
    near = None
    if text is not None and gold is not None and pred is not None:
        near = snippet(text, min(gold.start or 0, pred.start or 0), max(gold.end or 0, pred.end or 0))
    elif text is not None:
        side = gold if gold is not None else pred
        near = snippet(text, side.start, side.end) if side is not None else None
    return ErrorItem.model_validate(
        {"level": level, "kind": kind, "doc_id": doc_id, **fields, "detail": detail, "snippet": near}
    )


CASES = [
    ("mention", "boundary", {"gold": GOLD, "pred": PRED}),
    ("mention", "wrong_type", {"gold": GOLD, "pred": GOLD._replace(type="STATE", id="p2")}),
    ("argument", "wrong_role", {"gold": ROLE, "pred": ROLE._replace(role="recipient")}),
    ("trigger", "missed", {"gold": GOLD}),
    ("trigger", "spurious", {"pred": PRED}),
    ("coder", "missed", {"gold": ErrorSide("e1", "ASSAULT"), "detail": "ASSAULT: ['IRN'] -> ['IRQ']"}),
    ("coder", "spurious", {"pred": ErrorSide("e2", None), "detail": "x"}),
    ("mention", "missed", {}),
    ("mention", "boundary_and_type", {"gold": ErrorSide(None, None, None, None), "pred": PRED}),
]


@pytest.mark.parametrize("text", [TEXT, None, "[[x]] ]]" * 20])
@pytest.mark.parametrize(("level", "kind", "kw"), CASES)
def test_items_equal_the_validated_ones(level: str, kind: str, kw: dict[str, Any], text: str | None) -> None:
    fast = error_item(level, kind, "doc-1", text, **kw)  # type: ignore[arg-type]
    slow = _validated(level, kind, "doc-1", text, **kw)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump() and list(fast.model_dump()) == list(ErrorItem.model_fields)
    assert fast.model_dump_json() == slow.model_dump_json()
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump(exclude_unset=True) == slow.model_dump(exclude_unset=True)
    assert fast.model_copy(deep=True) == fast and hash(fast) == hash(slow)


@pytest.mark.parametrize("gold", [True, False])
def test_unmatched_items_equal_the_validated_ones(gold: bool) -> None:
    side = PRED
    fast = unmatched_item("argument", "d", TEXT, side, gold=gold, detail="no trigger")
    slow = _validated(
        "argument",
        "missed" if gold else "spurious",
        "d",
        TEXT,
        detail="no trigger",
        **{"gold" if gold else "pred": side},
    )
    assert fast == slow and fast.model_fields_set == slow.model_fields_set


def test_other_offsets_are_validated() -> None:
    item = error_item("mention", "missed", "d", TEXT, gold=ErrorSide("m", "P", np.int64(3), np.int64(5)))  # type: ignore[arg-type]
    assert type(item.gold_start) is int and item == error_item(
        "mention", "missed", "d", TEXT, gold=ErrorSide("m", "P", 3, 5)
    )
    with pytest.raises(ValidationError):  # as before: not an offset (without a text to cut a snippet from)
        error_item("mention", "missed", "d", None, gold=ErrorSide("m", "P", "three", 5))  # type: ignore[arg-type]


def test_items_are_frozen_and_share_nothing_mutable() -> None:
    a = error_item("mention", "missed", "d", TEXT, gold=GOLD)
    b = error_item("mention", "missed", "e", TEXT, gold=GOLD)
    with pytest.raises(ValidationError):
        a.detail = "changed"  # type: ignore[misc]
    assert a.detail is None and b.model_fields_set == a.model_fields_set
    c = a.model_copy(update={"detail": "x"})
    assert c.detail == "x" and "detail" in c.model_fields_set and a.detail is None
