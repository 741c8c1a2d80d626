"""BIO encoding and decoding, checked against seqeval as an independent reference."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities

from eventgold.export.bio import bio_labels, decode_bio, encode_bio


def seqeval_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """seqeval's entities as (start, end exclusive, label)."""
    return sorted((start, end + 1, label) for label, start, end in get_entities(tags))


def test_encode_and_decode() -> None:
    tags = encode_bio(6, [(0, 2, "PERSON"), (3, 4, "STATE"), (4, 6, "STATE")])
    assert tags == ["B-PERSON", "I-PERSON", "O", "B-STATE", "B-STATE", "I-STATE"]
    assert decode_bio(tags) == [(0, 2, "PERSON"), (3, 4, "STATE"), (4, 6, "STATE")]
    assert decode_bio(tags) == seqeval_spans(tags)


@pytest.mark.parametrize(
    ("spans", "problem"),
    [([(0, 0, "X")], "empty"), ([(2, 5, "X")], "outside"), ([(0, 2, "X"), (1, 3, "Y")], "overlaps")],
)
def test_encode_refuses_bad_spans(spans: list[tuple[int, int, str]], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        encode_bio(4, spans)


def test_labels() -> None:
    assert bio_labels(["PERSON", "STATE"]) == ["O", "B-PERSON", "I-PERSON", "B-STATE", "I-STATE"]


@st.composite
def non_overlapping(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, str]]]:
    n = draw(st.integers(0, 30))
    spans = []
    i = 0
    while i < n:
        if draw(st.booleans()):
            length = draw(st.integers(1, 4))
            end = min(n, i + length)
            spans.append((i, end, draw(st.sampled_from(["PERSON", "STATE", "ARMED_GROUP"]))))
            i = end
        else:
            i += 1
    return n, spans


@settings(max_examples=300, deadline=None)
@given(non_overlapping())
def test_round_trip_and_seqeval_agree(case: tuple[int, list[tuple[int, int, str]]]) -> None:
    n, spans = case
    tags = encode_bio(n, spans)
    assert decode_bio(tags) == spans
    assert seqeval_spans(tags) == spans


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["O", "B-A", "I-A", "B-B", "I-B"]), max_size=25))
def test_decoding_any_tag_sequence_matches_seqeval(tags: list[str]) -> None:
    assert decode_bio(tags) == seqeval_spans(tags)
