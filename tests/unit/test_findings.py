"""FindingsFile: a list of problems or repairs kept on disk, equal to the list it holds."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.findings import FindingsFile
from eventgold.problems import Problem, Repair

KINDS = ["trim", "utf16", "crlf", "whitespace"]


def _repairs(n: int) -> list[Repair]:
    return [Repair(kind=KINDS[i % 4], doc_id=f"d{i}", task=i, new_text="ü" * (i % 3)) for i in range(n)]  # type: ignore[arg-type]


@given(n=st.integers(0, 40), keep=st.integers(0, 10))
def test_it_equals_the_list_it_holds_whatever_it_keeps_in_memory(n: int, keep: int) -> None:
    items = _repairs(n)
    found = FindingsFile(Repair, items, keep=keep)
    assert len(found) == n and list(found) == items and found == items and found == FindingsFile(Repair, items)
    assert [json.loads(t) for t in found.json_items()] == [r.model_dump(mode="json") for r in items]
    for stop in (0, 1, keep, keep + 1, n):
        assert found[:stop] == items[:stop]
    assert found[1::2] == items[1::2]
    if n:
        assert found[0] == items[0] and found[-1] == items[-1] and found[n - 1] == items[n - 1]


def test_adding_after_reading_keeps_every_record_in_order() -> None:
    found = FindingsFile(Problem, keep=1)
    first = Problem(doc_id="d1", problem="relation has no role", action="pick one role")
    found.append(first)
    assert list(found) == [first]
    second = first.model_copy(update={"doc_id": "d2"})
    found.extend([second])
    assert list(found) == [first, second] and found[:5] == [first, second]


@pytest.mark.parametrize("other", [[], None, "x"])
def test_it_is_not_equal_to_what_is_not_the_same_list(other: object) -> None:
    found = FindingsFile(Repair, _repairs(1))
    assert found != other
    assert "1 records" in repr(found)
