"""Ranking articles by extractor disagreement (hand-computed references)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.cli import main
from eventgold.errors import InputError
from eventgold.extractors.suggest import (
    DocSummary,
    format_id_list,
    pair_f1,
    rank,
    read_id_list,
    write_id_list,
)
from eventgold.jsonl import write_jsonl
from eventgold.models import Article, DocumentAnnotation, Event, Mention, Origin, Span

units = st.frozensets(st.tuples(st.sampled_from("ab"), st.integers(0, 5)), max_size=6)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (set(), set(), 1.0),  # both empty: agree (documented choice)
        ({1}, set(), 0.0),
        ({1, 2}, {2, 3}, 0.5),  # tp=1: 2*1/(2+2)
        ({1, 2, 3}, {1}, 0.5),  # 2*1/(3+1)
        ({1, 2}, {1, 2}, 1.0),
    ],
)
def test_pair_f1_table(a: set, b: set, expected: float) -> None:
    assert pair_f1(frozenset(a), frozenset(b)) == expected


@given(units, units)
def test_pair_f1_symmetric_and_bounded(a: frozenset, b: frozenset) -> None:
    assert pair_f1(a, b) == pair_f1(b, a)
    assert 0.0 <= pair_f1(a, b) <= 1.0


def s(units: set[int], events: int = 0) -> DocSummary:
    return DocSummary(units=frozenset((u,) for u in units), events=events)


def test_rank_hand_computed() -> None:
    x = {"d1": s({1, 2}, 3), "d2": s({1}, 1), "d3": s(set())}
    y = {"d1": s({2, 3}, 1), "d2": s({1}, 1), "d3": s({9}, 0)}
    ranked = rank(["d1", "d2", "d3", "d4"], [x, y])
    assert [r.doc_id for r in ranked] == ["d1", "d3", "d2", "d4"]
    d1 = ranked[0]
    assert d1.disagreement == 0.5 and d1.candidate_events == 3
    assert d1.score == pytest.approx(0.5 * math.log2(5), abs=1e-6)
    assert ranked[1].disagreement == 1.0 and ranked[1].score == 1.0  # log2(2 + 0) = 1
    assert ranked[1].units == (0, 1)
    assert rank(["d1", "d2", "d3", "d4"], [x, y], n=1)[0].doc_id == "d1"


def test_rank_with_one_extractor_uses_events() -> None:
    x = {"d1": s({1}, 1), "d2": s({1}, 4)}
    assert [r.doc_id for r in rank(["d1", "d2"], [x])] == ["d2", "d1"]


def test_read_id_list(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("# done\na1\n\n  a2  \n", encoding="utf-8")
    assert read_id_list(path) == ["a1", "a2"]


def ann(doc_id: str, name: str, mentions: list[Mention], events: list[Event] = ()) -> DocumentAnnotation:  # type: ignore[assignment]
    return DocumentAnnotation(doc_id=doc_id, origin=Origin(kind="extractor", name=name),
                              mentions=mentions, events=list(events))


def test_suggest_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "Pompeo met Kazemi."
    articles = [Article(id=f"a{i}", text=text) for i in range(4)]
    articles.append(Article(id="dup", text=text, duplicate_of="a0"))
    write_jsonl(tmp_path / "corpus.jsonl", articles)
    p = Mention(id="m1", type="PERSON", start=0, end=6, text="Pompeo")
    k = Mention(id="m2", type="PERSON", start=11, end=17, text="Kazemi")
    met = Event(id="e1", type="CONSULT", trigger=Span(start=7, end=10, text="met"))
    write_jsonl(tmp_path / "x.jsonl", [ann("a0", "x", [p, k], [met]), ann("a1", "x", [p]),
                                       ann("a2", "x", [p]), ann("dup", "x", [])])
    write_jsonl(tmp_path / "y.jsonl", [ann("a0", "y", [p]), ann("a1", "y", [p]),
                                       ann("a2", "y", [k]), ann("dup", "y", [p])])
    (tmp_path / "done.txt").write_text("a1\n", encoding="utf-8")
    rc = main([
        "suggest", str(tmp_path / "corpus.jsonl"), "--pred", f"{tmp_path}/x.jsonl,{tmp_path}/y.jsonl",
        "-n", "2", "--exclude-ids", str(tmp_path / "done.txt"), "-o", str(tmp_path / "next.txt"),
        "--json", str(tmp_path / "s.json"),
    ])
    assert rc == 0
    assert (tmp_path / "next.txt").read_text() == "a2\na0\n"
    payload = json.loads((tmp_path / "s.json").read_text())
    assert payload["schema_version"] and payload["considered"] == 3 and payload["excluded"] == 2
    assert [s["doc_id"] for s in payload["suggestions"]] == ["a2", "a0"]
    assert payload["suggestions"][1]["disagreement"] == pytest.approx(1 - 2 / 4)
    assert any("a3" not in w and "1 of 3" in w for w in payload["warnings"])


def test_suggest_cli_bad_format(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus.jsonl", [Article(id="a", text="t")])
    rc = main(["suggest", str(tmp_path / "corpus.jsonl"), "--pred", "x.jsonl", "--format", "csv"])
    assert rc == 2


# ---------------------------------------------------------------------------
# id lists: what `suggest -o` (and its stdout) writes, `push --only-ids` reads back
# ---------------------------------------------------------------------------

ROUND_TRIP_IDS = [
    "a1",
    "doc 1",  # a space inside
    "Zo\u00eb report",
    "\u062e\u0628\u0631-\u0663",  # Arabic
    "\ud55c\uad6d-\ub274\uc2a4",  # Hangul
    "export#12",
    "x" * 120,  # longer than a terminal line
    "[bold]not markup[/bold] :smile:",  # never read as markup or emoji
]


def test_id_list_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    write_id_list(path, ROUND_TRIP_IDS)
    assert path.read_text(encoding="utf-8") == "".join(f"{i}\n" for i in ROUND_TRIP_IDS)
    assert read_id_list(path) == ROUND_TRIP_IDS


@pytest.mark.parametrize(
    ("content", "known", "expected"),
    [
        ("a1\r\n\r\n  a2  \n", None, ["a1", "a2"]),  # CRLF, blank lines, surrounding spaces
        ("\ufeffa1\na2\n", None, ["a1", "a2"]),  # a byte-order mark
        ("Zoe\u0308\n", None, ["Zo\u00eb"]),  # NFD typed: read in NFC
        ("# a comment\n#12\na1\n", None, ["a1"]),
        ("# a comment\n#12\na1\n", ["#12", "a1"], ["#12", "a1"]),  # a known id may start with #
        ("a1\na1\nZo\u00eb\nZoe\u0308\n", None, ["a1", "Zo\u00eb"]),  # each once
    ],
)
def test_read_id_list_table(tmp_path: Path, content: str, known: list[str] | None, expected: list[str]) -> None:
    path = tmp_path / "ids.txt"
    path.write_text(content, encoding="utf-8", newline="")
    assert read_id_list(path, known=known) == expected


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\u2028b", "tab\there", "", "  "])
def test_write_id_list_refuses_ids_that_cannot_read_back(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "ids.txt"
    path.write_text("earlier\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be written one id per line"):
        write_id_list(path, ["a1", bad])
    assert path.read_text(encoding="utf-8") == "earlier\n"


def test_read_id_list_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="id list not found"):
        read_id_list(tmp_path / "missing.txt")
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9\n")
    with pytest.raises(InputError, match="not UTF-8"):
        read_id_list(tmp_path / "latin.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_id_list(tmp_path)


def test_suggest_stdout_is_an_id_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    articles = [Article(id=i, text="Pompeo met Kazemi.") for i in ROUND_TRIP_IDS]
    write_jsonl(tmp_path / "corpus.jsonl", articles)
    write_jsonl(tmp_path / "x.jsonl", [ann(i, "x", []) for i in ROUND_TRIP_IDS])
    capsys.readouterr()
    assert main(["suggest", str(tmp_path / "corpus.jsonl"), "--pred", str(tmp_path / "x.jsonl")]) == 0
    out = capsys.readouterr().out
    (tmp_path / "ids.txt").write_text(out, encoding="utf-8")
    assert sorted(read_id_list(tmp_path / "ids.txt")) == sorted(ROUND_TRIP_IDS)
    assert out == format_id_list(sorted(ROUND_TRIP_IDS))  # ranked equal: by id


def test_suggest_refuses_to_write_an_id_with_a_line_break(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_jsonl(tmp_path / "corpus.jsonl", [Article(id="a\nb", text="t"), Article(id="c", text="t")])
    write_jsonl(tmp_path / "x.jsonl", [ann("a\nb", "x", []), ann("c", "x", [])])
    out = tmp_path / "next.txt"
    assert main(["suggest", str(tmp_path / "corpus.jsonl"), "--pred", str(tmp_path / "x.jsonl"), "-o", str(out)]) == 2
    assert "'a\\nb' holds a line break or control character (U+000A)" in capsys.readouterr().err
    assert not out.exists()


def test_suggest_excludes_ids_in_any_unicode_form(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus.jsonl", [Article(id="Zo\u00eb", text="t"), Article(id="b", text="t")])
    write_jsonl(tmp_path / "x.jsonl", [ann("Zo\u00eb", "x", []), ann("b", "x", [])])
    (tmp_path / "done.txt").write_text("Zoe\u0308\n", encoding="utf-8")
    out = tmp_path / "next.txt"
    assert main(["suggest", str(tmp_path / "corpus.jsonl"), "--pred", str(tmp_path / "x.jsonl"),
                 "--exclude-ids", str(tmp_path / "done.txt"), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "b\n"
