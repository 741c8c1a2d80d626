"""Unit ids and the alignment rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.gold.units import Item, align, iou, unit_id


def it(who: str, start: int, end: int, label: str = "PERSON", rid: str = "") -> Item:
    return Item(who, "mention", label, start, end, rid or f"{who}{start}")


def test_unit_id_is_stable_and_depends_on_the_unit() -> None:
    a = unit_id("d1", "mention", 0, 6, "PERSON")
    assert a == unit_id("d1", "mention", 0, 6, "PERSON")
    assert a.startswith("m_") and len(a) == 14
    assert unit_id("d1", "event", 0, 6, "PERSON").startswith("e_")
    assert (
        len(
            {
                a,
                unit_id("d2", "mention", 0, 6, "PERSON"),
                unit_id("d1", "mention", 0, 7, "PERSON"),
                unit_id("d1", "mention", 0, 6, "STATE"),
            }
        )
        == 4
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0, 10), (0, 10), 1.0),
        ((0, 10), (5, 15), 5 / 15),
        ((0, 5), (5, 10), 0.0),
        ((3, 3), (3, 3), 1.0),
        ((0, 10), (2, 4), 0.2),
    ],
)
def test_iou(a: tuple[int, int], b: tuple[int, int], expected: float) -> None:
    assert iou(*a, *b) == pytest.approx(expected)


def test_exact_spans_with_different_labels_form_one_unit() -> None:
    units = align([it("a", 0, 6, "PERSON"), it("b", 0, 6, "STATE"), it("c", 0, 6, "PERSON")])
    assert len(units) == 1 and units[0].annotators == ["a", "b", "c"]


def test_overlapping_spans_join_the_largest_exact_group() -> None:
    # a and b agree on 0..10; c marked 0..6: joins their unit
    units = align([it("a", 0, 10), it("b", 0, 10), it("c", 0, 6), it("c", 20, 25)])
    assert [(u.start, u.end, u.annotators) for u in units] == [
        (0, 10, ["a", "b", "c"]),
        (20, 25, ["c"]),
    ]


def test_one_span_per_annotator_per_unit() -> None:
    # a marked two overlapping spans: the second founds its own unit
    units = align([it("a", 0, 10, rid="x"), it("a", 5, 10, rid="y"), it("b", 5, 10)])
    assert [(u.start, u.end, sorted(i.record_id for i in u.members.values())) for u in units] == [
        (0, 10, ["x"]),
        (5, 10, ["b5", "y"]),
    ]


def test_best_iou_wins() -> None:
    # units 0..10 and 12..20 (a and b); c's 8..14 overlaps both: IoU 2/14 vs 2/12
    units = align(
        [it("a", 0, 10), it("b", 0, 10), it("a", 12, 20), it("b", 12, 20), it("c", 8, 14)]
    )
    assert {u.start: u.annotators for u in units} == {0: ["a", "b"], 12: ["a", "b", "c"]}


def test_any_overlap_with_the_anchor_joins() -> None:
    # the rule compares with the anchor (first group), so small overlaps still join
    units = align([it("a", 0, 10), it("b", 8, 20), it("c", 9, 20)])
    assert [u.annotators for u in units] == [["a", "b", "c"]]


def test_spanless_align_by_key_only() -> None:
    x = Item("a", "mention", "STATE", None, None, "m1", "id:IRQ")
    y = Item("b", "mention", "STATE", None, None, "m1", "id:IRQ")
    z = Item("c", "mention", "STATE", None, None, "m1", "id:USA")
    units = align([x, y, z, it("d", 0, 4)])
    assert [u.annotators for u in units] == [["d"], ["a", "b"], ["c"]]


spans = st.tuples(
    st.sampled_from("abcd"), st.integers(0, 30), st.integers(1, 8), st.sampled_from(["P", "S"])
)


@settings(max_examples=100, deadline=None)
@given(st.lists(spans, max_size=20), st.randoms())
def test_alignment_is_a_partition_independent_of_order(raw: list, rnd: object) -> None:
    items = [Item(w, "mention", lab, s, s + n, f"{w}{i}") for i, (w, s, n, lab) in enumerate(raw)]
    units = align(items)
    members = [m for u in units for m in u.members.values()]
    assert sorted(members, key=repr) == sorted(items, key=repr)
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    again = align(shuffled)
    assert [(u.start, u.end, sorted(u.members.values(), key=repr)) for u in units] == [
        (u.start, u.end, sorted(u.members.values(), key=repr)) for u in again
    ]
