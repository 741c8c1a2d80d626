"""Offsets checked against the task text and repaired only where unambiguous (eventgold.offsets)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from eventgold.offsets import OffsetProblem, resolve_span


@pytest.mark.parametrize(
    ("text", "start", "end", "stated", "expected", "kinds"),
    [
        ("Iraq met Iran", 0, 4, "Iraq", (0, 4), []),
        ("Iraq met Iran", 9, 13, None, (9, 13), []),
        ("\U0001f600 Iraq met Iran", 3, 7, "Iraq", (2, 6), ["utf16"]),
        ("\U0001f600\U0001f1ee\U0001f1f6 Iraq", 7, 11, "Iraq", (4, 8), ["utf16"]),
        ("Line one\r\nIraq met", 9, 13, "Iraq", (10, 14), ["crlf"]),
        ("a\r\nb\r\nQuds Force", 4, 14, "Quds Force", (6, 16), ["crlf"]),
        ("one\r\ntwo", 0, 7, "one\ntwo", (0, 8), ["crlf"]),
        ("the Quds\nForce met", 4, 14, "Quds Force", (4, 14), ["whitespace"]),
        ("the Quds  Force met", 4, 15, "Quds Force", (4, 15), ["whitespace"]),
        ("Iraq met", 0, 5, "Iraq ", (0, 4), ["trim"]),
        ("met  Iraq", 3, 9, "  Iraq", (5, 9), ["trim"]),
        ("met Iraq ", 3, 9, None, (4, 8), ["trim"]),
        ("\U0001f600 Iraq met", 2, 7, " Iraq", (2, 6), ["utf16", "trim"]),
        ("", 0, 0, "", (0, 0), []),
    ],
)
def test_spans_resolve_to_code_points(
    text: str, start: int, end: int, stated: str | None, expected: tuple[int, int], kinds: list[str]
) -> None:
    got = resolve_span(text, start, end, stated)
    assert (got.start, got.end) == expected
    assert [s.kind for s in got.steps] == kinds
    if got.steps:
        assert (got.steps[0].old_start, got.steps[0].old_end) == (start, end)
        assert (got.steps[-1].new_start, got.steps[-1].new_end) == expected


@pytest.mark.parametrize(
    ("text", "start", "end", "stated", "message"),
    [
        ("Iraq met", 1, 5, "Iraq", "slice 'raq ' from the task text"),
        ("Iraq met", 5, 20, "met", "run past the end of the text (8 characters)"),
        ("Iraq met", 5, 20, None, "run past the end of the text"),
        ("Iraq met", -1, 3, "Ira", "not a valid span"),
        ("Iraq met", 4, 2, "", "not a valid span"),
        ("Iraq met", "0", 4, "Iraq", "not a valid span"),
        ("Iraq met", True, 4, "Iraq", "not a valid span"),
        ("Iraq met", 0, None, "Iraq", "not a valid span"),
        ("Iraq  met", 4, 6, "  ", "holds only whitespace"),
        ("Iraq  met", 4, 6, None, "holds only whitespace"),
        # UTF-16 gives 3..5 and CRLF 5..7: both slice "ab", so neither is taken
        ("\U0001f600\r\nabab", 4, 6, "ab", "ambiguous"),
        ("\U0001f600 Iraq", 2, 4, "\U0001f600", "no other offset unit"),  # splits nothing, fits nothing
    ],
)
def test_offsets_that_fit_no_unit_or_two_are_problems(
    text: str, start: Any, end: Any, stated: str | None, message: str
) -> None:
    with pytest.raises(OffsetProblem, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_span(text, start, end, stated)


PIECES = st.sampled_from(["Iraq", "met", " ", "\n", "\r\n", "\U0001f600", "\U0001f1ee\U0001f1f6", "é", "Baghdad", "."])


def _utf16(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-16-le")) // 2


@given(st.lists(PIECES, min_size=1, max_size=30), st.data())
def test_other_units_map_back_to_the_span_or_are_refused_as_ambiguous(pieces: list[str], data: st.DataObject) -> None:
    text = "".join(pieces)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    stated = text[start:end]
    assume(stated.strip() == stated and stated)
    for unit_start, unit_end, stated_as in (
        (_utf16(text, start), _utf16(text, end), stated),
        (start - text[:start].count("\r\n"), end - text[:end].count("\r\n"), stated.replace("\r\n", "\n")),
    ):
        try:
            got = resolve_span(text, unit_start, unit_end, stated_as)
        except OffsetProblem as exc:
            assert "ambiguous" in str(exc)
            continue
        assert text[got.start : got.end].replace("\r\n", "\n") == stated.replace("\r\n", "\n")
        assert got.steps == [] or got.steps[-1].new_start == got.start
