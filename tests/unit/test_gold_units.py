"""Unit ids and the alignment rule."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.gold.units import Item, align, iou, item_of, items_of, unit_id
from eventgold.models import Event, Mention, Span


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
    units = align([it("a", 0, 10), it("b", 0, 10), it("a", 12, 20), it("b", 12, 20), it("c", 8, 14)])
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


spans = st.tuples(st.sampled_from("abcd"), st.integers(0, 30), st.integers(1, 8), st.sampled_from(["P", "S"]))


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


def _align_every_unit(items: list[Item]) -> list[list[tuple[str, str]]]:
    """The alignment rule as the module doc states it, every formed unit tried for every group (the reference)."""
    from collections import defaultdict

    by_offsets: dict[tuple[int | None, int | None, str], list[Item]] = defaultdict(list)
    for item in items:
        by_offsets[(item.start, item.end, item.key)].append(item)
    groups: list[list[Item]] = []
    for same in by_offsets.values():
        same = sorted(same, key=lambda i: (i.label, i.annotator, i.record_id))
        while same:
            seen: set[str] = set()
            group, rest = [], []
            for item in same:
                (rest if item.annotator in seen else group).append(item)
                seen.add(item.annotator)
            groups.append(group)
            same = rest
    groups.sort(key=lambda g: (-len(g), g[0].start if g[0].start is not None else -1,
                               g[0].end if g[0].end is not None else -1, g[0].key, g[0].label))  # fmt: skip
    units: list[tuple[int | None, int | None, str, dict[str, Item]]] = []
    for group in groups:
        head, names = group[0], {i.annotator for i in group}
        best, best_score = None, 0.0
        for unit in units:
            if names & unit[3].keys():
                continue
            if head.has_span and unit[0] is not None and unit[1] is not None:
                score = iou(unit[0], unit[1], head.start, head.end)  # type: ignore[arg-type]
            elif not head.has_span and unit[0] is None and unit[2] == head.key:
                score = 1.0
            else:
                score = 0.0
            if score > best_score:
                best, best_score = unit, score
        if best is None:
            best = (head.start, head.end, head.key, {})
            units.append(best)
        for item in group:
            best[3][item.annotator] = item
    units.sort(key=lambda u: (u[0] is None, u[0] or 0, u[1] or 0, u[2]))
    return [sorted((n, i.record_id) for n, i in u[3].items()) for u in units]


def _check_align_against_every_unit(raw: list[tuple[str, int, int, str, str | None]]) -> None:
    """``align`` of items (annotator, start, length, label, key) gives the units of trying every unit."""
    items = [
        Item(w, "mention", lab, None, None, f"r{i}", key) if key else Item(w, "mention", lab, s, s + n, f"r{i}")
        for i, (w, s, n, lab, key) in enumerate(raw)
    ]
    got = [sorted((n, i.record_id) for n, i in u.members.items()) for u in align(items)]
    assert got == _align_every_unit(items)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abc"),
            st.integers(0, 30),
            st.integers(0, 8),
            st.sampled_from(["PERSON", "STATE"]),
            st.sampled_from([None, "id:IRQ", "id:USA"]),
        ),
        max_size=25,
    )
)
def test_align_equals_trying_every_unit(raw: list[tuple[str, int, int, str, str | None]]) -> None:
    """Looking only at anchors a span can overlap finds what trying every unit finds (zero-width spans too)."""
    _check_align_against_every_unit(raw)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcd"),
            st.integers(0, 400),
            st.integers(0, 12),
            st.sampled_from(["PERSON", "STATE"]),
            st.sampled_from([None, None, None, "id:IRQ", "text:x"]),
        ),
        max_size=40,
    )
)
def test_align_of_sparse_spans_equals_trying_every_unit(raw: list[tuple[str, int, int, str, str | None]]) -> None:
    """Spans far apart fall into separate clusters, each aligned on its own: the same units as the reference."""
    _check_align_against_every_unit(raw)


@pytest.mark.parametrize(
    ("mention", "event"),
    [
        (
            Mention(id="m1", type="PERSON", start=0, end=6),
            Event(id="e1", type="met", trigger=Span(start=8, end=11, text="met")),
        ),
        (Mention(id="m1", type="STATE", canonical_id="IRQ", text="Iraq"), Event(id="e1", type="met")),
        (
            Mention(id="m1", type="GROUP", text="Protesters"),
            Event(id="e1", type="met", trigger=Span(start=0, end=3, text="met")),
        ),
    ],
)
def test_items_of_equals_item_of(mention: Mention, event: Event) -> None:
    mentions, events = items_of("alice", [mention, mention], [event])
    assert mentions == [item_of("alice", mention)] * 2 and events == [item_of("alice", event)]
    assert all(type(i) is Item for i in (*mentions, *events))


def test_item_is_an_immutable_hashable_tuple() -> None:
    item = it("a", 0, 5)
    assert item.has_span and not Item("a", "mention", "X", None, None, "m", "id:x").has_span
    assert {item, it("a", 0, 5)} == {item}
    with pytest.raises(AttributeError):
        item.start = 3  # type: ignore[misc]
