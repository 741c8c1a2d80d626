"""Ranking articles by extractor disagreement and a model's uncertainty (hand-computed references)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.cli import main
from eventgold.errors import InputError
from eventgold.extractors.suggest import (
    DocSummary,
    Suggestion,
    format_id_list,
    fractional_ranks,
    fuse,
    pair_f1,
    parse_by,
    rank,
    rank_uncertainty,
    read_id_list,
    suggest,
    write_id_list,
)
from eventgold.jsonl import write_jsonl
from eventgold.models import Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.training.model import TrainedModel
from eventgold.training.spans import DocSpans

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


# ---------------------------------------------------------------------------
# --by: uncertainty of a trained model, fused with disagreement, without near duplicates
# ---------------------------------------------------------------------------

AMBIGUOUS = DocSpans(event_top2=[(0.55, 0.5), (0.05, 0.0)], actor_probs=[0.5, 0.02])  # margins small, p near 0.5
CLEAR = DocSpans(event_top2=[(0.98, 0.01)], actor_probs=[0.99])
NOTHING = DocSpans()
NEWS = "The foreign ministers met in Vienna on Monday to discuss the nuclear deal and sanctions relief."


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("disagreement", ("disagreement",)),
        ("uncertainty", ("uncertainty",)),
        ("disagreement, uncertainty", ("uncertainty", "disagreement")),
        (["disagreement", "uncertainty", "uncertainty"], ("uncertainty", "disagreement")),
    ],
)
def test_parse_by(by: str | list[str], expected: tuple[str, ...]) -> None:
    assert parse_by(by) == expected


@pytest.mark.parametrize(
    ("by", "message"),
    [
        ("entropy", "unknown ranking 'entropy' in --by; use uncertainty or disagreement, or both"),
        ("uncertainty,Disagreement", "unknown ranking 'Disagreement'"),
        ("", "--by names no ranking; use uncertainty or disagreement"),
        (" , ", "--by names no ranking"),
    ],
)
def test_parse_by_refuses_unknown_names(by: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_by(by)


def test_rank_uncertainty_puts_the_ambiguous_article_first() -> None:
    ranked = rank_uncertainty(["clear", "nothing", "ambiguous"], [CLEAR, NOTHING, AMBIGUOUS])
    assert [s.doc_id for s in ranked] == ["ambiguous", "clear", "nothing"]
    # ambiguous: candidates 1 - (0.55 - 0.5) = 0.95 and 1 - 2*|0.5 - 0.5| = 1.0, 0.04 (0.05 is below the floor)
    assert ranked[0].uncertainty == ranked[0].score == pytest.approx((1.0 + 0.95 + 0.04) / 3, abs=1e-6)
    assert ranked[1].uncertainty == pytest.approx((0.03 + 0.02) / 2, abs=1e-6)
    assert ranked[2].uncertainty == 0.0 and ranked[2].candidate_events == 0
    assert ranked[0].disagreement is None and ranked[0].units == ()


def test_fractional_ranks_share_positions_between_ties() -> None:
    assert fractional_ranks([("a", 3), ("b", 2), ("c", 2), ("d", 1)]) == {"a": 1.0, "b": 2.5, "c": 2.5, "d": 4.0}
    assert fractional_ranks([]) == {}


def _sug(doc_id: str, score: float, uncertainty: float | None = None) -> Suggestion:
    return Suggestion(doc_id=doc_id, score=score, disagreement=score if uncertainty is None else None,
                      candidate_events=1, units=(1, 1), uncertainty=uncertainty)


def test_fuse_by_mean_rank_hand_computed() -> None:
    uncertain = [_sug("a", 0.9, 0.9), _sug("b", 0.8, 0.8), _sug("c", 0.2, 0.2), _sug("d", 0.1, 0.1)]  # a1 b2 c3 d4
    disagreeing = [_sug("b", 1.0), _sug("c", 0.5), _sug("a", 0.0), _sug("d", 0.0)]  # b1 c2, a and d tied: 3.5
    fused = fuse(uncertain, disagreeing)
    # mean ranks: a (1 + 3.5) / 2 = 2.25, b 1.5, c 2.5, d 3.75; score = 1 - (mean - 1) / 3
    assert [s.doc_id for s in fused] == ["b", "a", "c", "d"]
    assert [s.score for s in fused] == pytest.approx([1 - 0.5 / 3, 1 - 1.25 / 3, 0.5, 1 - 2.75 / 3], abs=1e-6)
    assert fused[0].uncertainty == 0.8 and fused[0].disagreement == 1.0 and fused[0].units == (1, 1)


def test_fuse_breaks_equal_mean_ranks_by_id() -> None:
    uncertain = [_sug("z", 0.9, 0.9), _sug("a", 0.1, 0.1)]
    disagreeing = [_sug("a", 1.0), _sug("z", 0.0)]
    assert [s.doc_id for s in fuse(uncertain, disagreeing)] == ["a", "z"]


class FakeSpanModel:
    """A span model answering from a table of texts (the lead's end-to-end test trains a real one)."""

    def __init__(self, by_text: dict[str, DocSpans]) -> None:
        self.by_text = by_text

    def predict(self, texts: Iterable[str], *, batch_size: int = 32) -> Iterator[DocSpans]:
        for text in texts:
            yield self.by_text[text]


@pytest.fixture
def model_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A corpus (ambiguous, its near copy, clear, empty, done) and ``TrainedModel.load`` answering a fake model."""
    texts = {"ambiguous": NEWS, "copy": NEWS.replace("Monday", "Tuesday"),
             "clear": "Protesters clashed with police outside the parliament.", "empty": "Nothing happened.",
             "done": "An article someone annotated."}
    write_jsonl(tmp_path / "corpus.jsonl", [Article(id=i, text=t) for i, t in texts.items()])
    (tmp_path / "done.txt").write_text("done\n", encoding="utf-8")
    spans = {NEWS: AMBIGUOUS, texts["copy"]: AMBIGUOUS, texts["clear"]: CLEAR, texts["empty"]: NOTHING,
             texts["done"]: NOTHING}
    loaded: list[tuple[object, object]] = []

    def load(path: object, ontology: object = None) -> Any:
        loaded.append((path, ontology))
        return SimpleNamespace(spans=FakeSpanModel(spans))

    monkeypatch.setattr(TrainedModel, "load", load)
    return {"dir": tmp_path, "corpus": tmp_path / "corpus.jsonl", "loaded": loaded}


def test_suggest_by_uncertainty_puts_the_ambiguous_article_first(model_corpus: dict[str, Any]) -> None:
    calls: list[tuple[int, int]] = []
    result = suggest(model_corpus["corpus"], model="models/m", by="uncertainty", exclude_ids=["done"],
                     progress=lambda done, total: calls.append((done, total)))
    assert [s.doc_id for s in result.suggestions] == ["ambiguous", "clear", "empty"]  # its near copy left out
    assert result.considered == 4 and result.excluded == 1
    assert any("left out 1 article(s)" in w for w in result.warnings)
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert model_corpus["loaded"] == [("models/m", None)]
    assert [s.doc_id for s in suggest(model_corpus["corpus"], model="m", by="uncertainty", n=1).suggestions] == [
        "ambiguous"
    ]


def test_suggest_fuses_uncertainty_with_disagreement(model_corpus: dict[str, Any]) -> None:
    d = model_corpus["dir"]
    p = Mention(id="m1", type="PERSON", start=0, end=7, text="Nothing")
    write_jsonl(d / "x.jsonl", [ann("empty", "x", [p])])
    write_jsonl(d / "y.jsonl", [ann("empty", "y", [])])
    result = suggest(model_corpus["corpus"], [d / "x.jsonl", d / "y.jsonl"], model="m",
                     by=("uncertainty", "disagreement"), exclude_ids=["done"])
    # uncertainty: ambiguous 1.5 (tied with its copy), clear 3, empty 4; disagreement: empty 1, the rest tied at 3
    # mean ranks: ambiguous 2.25, copy 2.25, empty 2.5, clear 3; the copy is then left out as a near duplicate
    assert [s.doc_id for s in result.suggestions] == ["ambiguous", "empty", "clear"]
    assert result.suggestions[1].disagreement == 1.0 and result.suggestions[1].uncertainty == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "entropy"}, "unknown ranking 'entropy'"),
        ({"by": "uncertainty"}, "ranking by uncertainty needs a trained model"),
        ({"by": "disagreement", "predictions": ()}, "ranking by disagreement needs prediction files"),
        ({"by": "disagreement", "model": "m"}, "--model m is only used to rank by uncertainty"),
        ({"by": "uncertainty", "model": "m"}, "--pred files are only used to rank by disagreement"),
        ({"by": "uncertainty", "model": "m", "predictions": (), "diversity": 0.0}, "diversity=0.0"),
    ],
)
def test_suggest_refuses_inputs_the_rankings_do_not_fit(
    model_corpus: dict[str, Any], kwargs: dict[str, Any], message: str
) -> None:
    kwargs = {"predictions": [model_corpus["dir"] / "x.jsonl"], **kwargs}
    with pytest.raises(InputError, match=re.escape(message)):
        suggest(model_corpus["corpus"], **kwargs)
    assert model_corpus["loaded"] == []  # refused before loading the model


def test_suggest_cli_by_uncertainty(model_corpus: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    d = model_corpus["dir"]
    rc = main(["suggest", str(model_corpus["corpus"]), "--model", str(d / "models" / "m"),
               "--exclude-ids", str(d / "done.txt"), "-o", str(d / "next.txt"), "--json", str(d / "s.json")])
    assert rc == 0
    assert (d / "next.txt").read_text() == "ambiguous\nclear\nempty\n"
    payload = json.loads((d / "s.json").read_text())
    assert payload["by"] == ["uncertainty"] and payload["predictions"] == []
    assert [s["uncertainty"] for s in payload["suggestions"]] == pytest.approx([0.663333, 0.025, 0.0], abs=1e-6)
    assert payload["suggestions"][0]["disagreement"] is None
    out = capsys.readouterr().out
    assert "uncertainty" in out and "0.663" in out and "wrote 3 ids" in out
    assert model_corpus["loaded"][0][1] is not None  # the ontology is passed to the model


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "entropy", "--pred", "x.jsonl"], "unknown ranking 'entropy' in --by"),
        ([], "give at least one prediction file (--pred), or a trained model"),
        (["--model", "m", "--by", "disagreement"], "--by disagreement needs prediction files (--pred a.jsonl,b.jsonl)"),
        (["--by", "uncertainty"], "ranking by uncertainty needs a trained model"),
    ],
)
def test_suggest_cli_by_messages(
    model_corpus: dict[str, Any], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["suggest", str(model_corpus["corpus"]), *args]) == 2
    assert message in " ".join(capsys.readouterr().err.split())


def test_suggest_cli_without_model_has_no_uncertainty(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "corpus.jsonl", [Article(id="a", text="t"), Article(id="b", text="t")])
    write_jsonl(tmp_path / "x.jsonl", [ann("a", "x", []), ann("b", "x", [])])
    write_jsonl(tmp_path / "y.jsonl", [ann("a", "y", []), ann("b", "y", [])])
    assert main(["suggest", str(tmp_path / "corpus.jsonl"), "--pred", f"{tmp_path}/x.jsonl,{tmp_path}/y.jsonl",
                 "--json", str(tmp_path / "s.json")]) == 0
    payload = json.loads((tmp_path / "s.json").read_text())
    assert payload["by"] == ["disagreement"]
    # the same text twice, both kept: no diversity step without uncertainty
    assert [(s["doc_id"], s["uncertainty"]) for s in payload["suggestions"]] == [("a", None), ("b", None)]


def test_a_model_with_one_prediction_file_ranks_by_uncertainty_alone(
    model_corpus: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One file measures no disagreement: fusing it would rank by candidate events; the model ranks alone."""
    preds = tmp_path / "one.jsonl"
    write_jsonl(preds, [])
    out = tmp_path / "s.json"
    args = ["suggest", str(model_corpus["corpus"]), "--model", "m", "--pred", str(preds), "--json", str(out)]
    assert main(args) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["by"] == ["uncertainty"] and payload["predictions"] == []
    assert "one prediction file measures no disagreement" in " ".join(capsys.readouterr().err.split())


def test_exclude_ids_takes_a_gold_version_folder(model_corpus: dict[str, Any], tmp_path: Path) -> None:
    """The documents already in a gold version are left out (the annotate -> gold -> train -> suggest loop)."""
    from eventgold.gold.dataset import read_gold_version
    from eventgold.resources import packaged_samples

    gold = packaged_samples() / "gold" / "v1"
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, [d.article for d in read_gold_version(gold).documents])
    out = tmp_path / "s.json"
    assert main(["suggest", str(corpus), "--model", "m", "--exclude-ids", str(gold), "--json", str(out)]) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["suggestions"] == [] and payload["excluded"] == 5
