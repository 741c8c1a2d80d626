"""The counting inside the majority vote: plurality and the voted attributes of a unit."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.gold.majority import EVENT_ATTRS, MENTION_ATTRS, attribute_row, plurality, plurality_of, unit_attribute
from eventgold.models import Event, Mention

from .strategies import annotations


def counter_plurality(values: dict[str, Hashable]) -> tuple[bool, Hashable]:
    """The rule as first written: rank with a Counter; a tie at the top is undecided."""
    ranked = Counter(values.values()).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return False, None
    return True, ranked[0][0]


voter_values = st.one_of(
    st.none(),
    st.sampled_from(["PERSON", "STATE", "GOV"]),
    st.integers(0, 3),
    st.tuples(st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.sampled_from(["a", "b"])),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["ana", "ben", "cy", "dee", "eve"]), voter_values, min_size=1))
def test_plurality_is_the_counter_ranking(values: dict[str, Hashable]) -> None:
    assert plurality(values) == counter_plurality(values)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"a": "X"}, (True, "X")),
        ({"a": "X", "b": "X", "c": "Y"}, (True, "X")),
        ({"a": "Y", "b": "X", "c": "X"}, (True, "X")),
        ({"a": "X", "b": "Y"}, (False, None)),
        ({"a": None, "b": None, "c": "X"}, (True, None)),
        ({"a": "X", "b": "Y", "c": "Z"}, (False, None)),
        ({"a": 1, "b": True, "c": 2}, (True, 1)),  # equal values count together, the first one stands
    ],
)
def test_plurality_cases(values: dict[str, Hashable], expected: tuple[bool, Hashable]) -> None:
    assert plurality(values) == expected == counter_plurality(values)


@settings(max_examples=60, deadline=None)
@given(annotations())
def test_attribute_row_is_every_voted_attribute(drawn: tuple[object, object]) -> None:
    _, ann = drawn
    units: list[Mention | Event] = [*ann.mentions, *ann.events]  # type: ignore[attr-defined]
    for unit in units:
        names = MENTION_ATTRS if isinstance(unit, Mention) else EVENT_ATTRS
        assert attribute_row(unit) == tuple(unit_attribute(unit, name) for name in names)


def test_attribute_row_of_units_without_offsets() -> None:
    spanless = Mention(id="m", type="PERSON", canonical_id="kazemi")
    assert attribute_row(spanless) == (None, "PERSON", "kazemi", None, None)
    no_trigger = Event(id="e", type="CONSULT", contexts=["b", "a"], flags=["z", "y"])
    assert attribute_row(no_trigger) == (None, "CONSULT", None, None, ("a", "b"), ("y", "z"))


@settings(max_examples=300, deadline=None)
@given(st.lists(voter_values, min_size=1, max_size=5))
def test_plurality_of_values_in_order_is_the_counter_ranking(given_values: list[Hashable]) -> None:
    by_voter = {f"voter{i}": value for i, value in enumerate(given_values)}
    assert plurality_of(given_values) == counter_plurality(by_voter) == plurality(by_voter)


@pytest.mark.parametrize(
    ("given_values", "expected"),
    [
        (["PERSON"], (True, "PERSON")),
        (["PERSON", "PERSON"], (True, "PERSON")),
        (["PERSON", "STATE"], (False, None)),
        (["PERSON", "STATE", "PERSON"], (True, "PERSON")),
        (["STATE", "PERSON", "PERSON"], (True, "PERSON")),
        (["PERSON", "STATE", None], (False, None)),
        ([None, None, "STATE"], (True, None)),
        ([(0, 6), (0, 6), (0, 7), (0, 7)], (False, None)),
    ],
)
def test_plurality_of_edge_cases(given_values: list[Hashable], expected: tuple[bool, Hashable]) -> None:
    assert plurality_of(given_values) == expected
