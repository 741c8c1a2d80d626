"""A model's uncertainty about an article, and the diversity step (hand-computed references)."""

from __future__ import annotations

import doctest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.errors import ConfigError
from eventgold.ingest.dedupe import shingle_hashes
from eventgold.training import uncertainty
from eventgold.training.spans import DocSpans
from eventgold.training.uncertainty import (
    actor_uncertainty,
    diverse,
    doc_uncertainty,
    jaccard,
    trigger_uncertainty,
)

probs = st.floats(0.0, 1.0)


def spans(actors: list[float] = (), triggers: list[tuple[float, float]] = ()) -> DocSpans:  # type: ignore[assignment]
    return DocSpans(actor_probs=list(actors), event_top2=list(triggers))


@pytest.mark.parametrize(
    ("actors", "triggers", "k", "expected"),
    [
        ([], [], 5, 0.0),  # no candidate: 0
        ([0.5], [], 5, 1.0),  # 1 - 2*|0.5 - 0.5|
        ([0.9], [], 5, 0.2),  # 1 - 2*0.4
        ([0.1], [], 5, 0.2),  # symmetric around 0.5
        ([1.0, 0.0], [], 5, 0.0),  # sure either way
        ([], [(0.6, 0.4)], 5, 0.8),  # 1 - (0.6 - 0.4)
        ([], [(0.4, 0.6)], 5, 0.8),  # the order of the pair does not matter
        ([], [(0.95, 0.0)], 5, 0.05),  # one clear type
        ([], [(0.9, 0.85)], 5, 0.95),  # two types almost tied
        ([], [(0.2, 0.19)], 5, 0.0),  # best below the floor (0.3): not counted
        ([], [(0.3, 0.0)], 5, 0.7),  # at the floor: counted
        ([0.5, 0.99], [(0.6, 0.4), (0.1, 0.0)], 2, 0.9),  # top 2 of (1.0, 0.02, 0.8): (1.0 + 0.8) / 2
        ([0.5, 0.99], [(0.6, 0.4)], 5, 0.606667),  # fewer than k: all three, (1.0 + 0.02 + 0.8) / 3
        ([0.5, 0.5, 0.5, 0.5, 0.5, 0.0], [], 5, 1.0),  # the sixth (0.0) is not among the top 5
        ([0.5, 0.75], [(0.9, 0.1)], 1, 1.0),  # k=1: the most uncertain candidate
        ([1.0000001], [(1.0000001, -0.0000001)], 5, 0.0),  # a hair outside [0, 1]: clipped
    ],
)
def test_doc_uncertainty_hand_computed(
    actors: list[float], triggers: list[tuple[float, float]], k: int, expected: float
) -> None:
    assert doc_uncertainty(spans(actors, triggers), k=k) == pytest.approx(expected, abs=1e-6)


def test_doc_uncertainty_floor_is_a_parameter() -> None:
    assert doc_uncertainty(spans(triggers=[(0.2, 0.1)]), floor=0.1) == pytest.approx(0.9)
    assert doc_uncertainty(spans(triggers=[(0.6, 0.0)]), floor=0.7) == 0.0


@pytest.mark.parametrize("k", [0, -1])
def test_doc_uncertainty_refuses_k_below_one(k: int) -> None:
    with pytest.raises(ConfigError, match=f"k={k}"):
        doc_uncertainty(spans([0.5]), k=k)


@given(st.lists(probs, max_size=8), st.lists(st.tuples(probs, probs), max_size=8), st.integers(1, 6))
def test_doc_uncertainty_is_in_the_unit_interval(
    actors: list[float], triggers: list[tuple[float, float]], k: int
) -> None:
    assert 0.0 <= doc_uncertainty(spans(actors, triggers), k=k) <= 1.0


@given(probs)
def test_actor_uncertainty_peaks_at_one_half(p: float) -> None:
    assert actor_uncertainty(p) <= actor_uncertainty(0.5) == 1.0
    assert actor_uncertainty(p) == pytest.approx(actor_uncertainty(1.0 - p), abs=1e-6)


@given(probs, probs)
def test_trigger_uncertainty_is_symmetric(p1: float, p2: float) -> None:
    assert trigger_uncertainty(p1, p2) == trigger_uncertainty(p2, p1)


NEWS = "The foreign ministers met in Vienna on Monday to discuss the nuclear deal and sanctions relief."
OTHER = "Protesters clashed with police outside the parliament building after the vote on the budget."


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("a b c d", "a b c e", 1 / 3),  # 3-grams {abc, bcd} and {abc, bce}: 1 shared of 3
        ("a b c d", "A B C D", 1.0),  # lower-cased
        (NEWS, NEWS + " today", 14 / 15),  # one 3-gram more
        (NEWS, OTHER, 0.0),
        ("", "", 0.0),  # texts without words are never near duplicates
        ("", "a b c", 0.0),
    ],
)
def test_jaccard_of_word_3grams(a: str, b: str, expected: float) -> None:
    assert jaccard(shingle_hashes(a), shingle_hashes(b)) == pytest.approx(expected)


def test_diverse_keeps_the_first_of_two_near_duplicates_and_drops_the_second() -> None:
    texts = {"first": NEWS, "copy": NEWS.replace("Monday", "Tuesday"), "other": OTHER}
    assert diverse(["first", "copy", "other"], texts, 3) == ["first", "other"]
    assert diverse(["copy", "first", "other"], texts, 3) == ["copy", "other"]  # whichever ranks higher stays


def test_diverse_stops_at_n_and_reads_no_further() -> None:
    texts = {"a": NEWS, "b": OTHER}  # "missing" has no text: never reached
    assert diverse(["a", "b", "missing"], texts, 2) == ["a", "b"]
    assert diverse(["a", "b"], texts, 0) == []
    assert diverse([], texts, 5) == []


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        (0.3, ["a", "c"]),  # b shares 1 of 3 3-grams with a (1/3 >= 0.3): left out
        (0.34, ["a", "b", "c"]),  # 1/3 < 0.34: kept
        (1.0, ["a", "b", "c"]),  # only copies are left out
    ],
)
def test_diverse_threshold(threshold: float, expected: list[str]) -> None:
    texts = {"a": "x y z w", "b": "x y z v", "c": "p q r s"}
    assert diverse(["a", "b", "c"], texts, 3, threshold=threshold) == expected


def test_diverse_leaves_out_exact_copies_and_keeps_empty_texts() -> None:
    texts = {"a": NEWS, "b": NEWS, "e1": "", "e2": "  "}
    assert diverse(["a", "b", "e1", "e2"], texts, 10, threshold=1.0) == ["a", "e1", "e2"]


@pytest.mark.parametrize(("n", "threshold", "message"), [(-1, 0.5, "n=-1"), (1, 0.0, "threshold=0.0"),
                                                         (1, 1.5, "threshold=1.5")])
def test_diverse_refuses_bad_arguments(n: int, threshold: float, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        diverse(["a"], {"a": "t"}, n, threshold=threshold)


def test_docstring_examples_run() -> None:
    result = doctest.testmod(uncertainty)
    assert result.attempted > 0 and result.failed == 0
