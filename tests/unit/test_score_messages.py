"""One-line messages for a wrong metric, split or prediction file, and a corpus reader given other files."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.commands.score import METRIC_FAMILIES
from eventgold.errors import InputError
from eventgold.records_io import load_corpus, sniff_records
from eventgold.resources import packaged_samples

FIXTURE = Path(__file__).resolve().parents[2] / "samples" / "fixture"
BASE = ["score", "--gold", str(FIXTURE), "--pred", str(FIXTURE / "pred_tagger.jsonl"), "--bootstrap", "0"]
SAMPLE_GOLD = packaged_samples() / "gold" / "v1" / "gold.jsonl"
ARTICLE = {"id": "a1", "title": None, "text": "Protesters gathered in Baghdad."}


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0].removeprefix("error: ")


def _expand(pattern: str) -> list[str]:
    parts = re.split(r"(\{[^}]*\})", pattern)
    options = [[o.strip() for o in p[1:-1].split(",")] if p.startswith("{") else [p] for p in parts]
    return ["".join(combo) for combo in itertools.product(*options)]


def test_metric_families_name_every_metric() -> None:
    from eventgold.scoring.metrics import METRIC_NAMES

    expanded = [name for family in METRIC_FAMILIES for name in _expand(family)]
    assert sorted(expanded) == sorted(METRIC_NAMES)


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("foo=1", "--fail-under: unknown metric 'foo'; metric names are mention.{strict, exact, partial, type}."),
        (
            "mention.strict.f=1",
            "--fail-under: unknown metric 'mention.strict.f'; did you mean mention.strict.f1",
        ),
        ("kappa=1", "did you mean actor_type.kappa, event_type.kappa? (all names: `eventgold score --help`)"),
    ],
)
def test_unknown_metric_names_the_valid_ones(
    capsys: pytest.CaptureFixture[str], bound: str, expected: str
) -> None:
    assert main([*BASE, "--fail-under", bound]) == 2
    line = _one_error_line(capsys)
    assert expected in line and "README" not in line


@pytest.mark.parametrize(
    ("split", "expected"),
    [
        ("tset", f"unknown split 'tset'; the gold's splits are dev, test in {FIXTURE / 'gold.jsonl'}"),
        ("train", f"no gold documents in split train in {FIXTURE / 'gold.jsonl'}; the gold's splits are dev, test"),
    ],
)
def test_a_split_without_documents_names_the_golds_splits(
    capsys: pytest.CaptureFixture[str], split: str, expected: str
) -> None:
    assert main([*BASE, "--split", split]) == 2
    assert _one_error_line(capsys) == expected


def test_a_corpus_given_as_predictions_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    assert main(["score", "--gold", str(FIXTURE), "--pred", str(corpus), "--bootstrap", "0"]) == 2
    line = _one_error_line(capsys)
    assert line.startswith(
        f"{corpus}: looks like a corpus (articles with text, no mentions or events), not predictions"
    )
    assert f"`eventgold extract {corpus} --extractor rules -o exports/predictions/rules.jsonl`" in line


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (json.dumps(ARTICLE), "corpus"),
        (SAMPLE_GOLD.read_text(encoding="utf-8").splitlines()[0], "gold"),
        (json.dumps({"doc_id": "a1", "origin": {"kind": "extractor", "name": "x"}, "mentions": []}), "annotations"),
        (json.dumps({"data": {"text": "x"}}), "labelstudio"),
        ("not json", None),
        ("", None),
    ],
)
def test_sniff_records(tmp_path: Path, content: str, kind: str | None) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(content + "\n", encoding="utf-8")
    assert sniff_records(path) == kind


TAIL = "give a corpus JSONL (from `eventgold ingest`); push also takes a Label Studio tasks.json"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p.mkdir(), "{p}: is a folder; " + TAIL),
        (
            lambda p: p.write_bytes(SAMPLE_GOLD.read_bytes()),
            "{p}: looks like a gold file (records with article, mentions, events and split, from `eventgold gold "
            "build`), not a corpus; " + TAIL,
        ),
        (
            lambda p: p.write_text(json.dumps({"doc_id": "a", "origin": {"kind": "extractor", "name": "x"}}) + "\n"),
            "{p}: looks like predictions or annotations (records with doc_id and origin), not a corpus; " + TAIL,
        ),
    ],
)
def test_the_corpus_reader_says_what_it_was_given(tmp_path: Path, make: object, expected: str) -> None:
    path = tmp_path / "given"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError) as info:
        load_corpus(path)
    assert str(info.value) == expected.format(p=path)


def test_push_of_a_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["push", str(tmp_path), "--project", "x"]) == 2
    assert _one_error_line(capsys) == f"{tmp_path}: is a folder; " + TAIL


def _examples(command: object) -> list[str]:
    doc = getattr(command, "__doc__", None) or ""
    return re.findall(r"\[bold\](.*?)\[/bold\]", doc, flags=re.S)


def _owned_commands() -> list[tuple[str, object]]:
    from eventgold import cli
    from eventgold.commands import export, gold, init, score

    return [
        ("root", cli._root),
        ("config render", cli.config_render),
        ("config validate", cli.config_validate),
        ("init", init.init),
        ("score", score.score),
        ("agree", gold.agree),
        *((f"gold {c.name}", c.callback) for c in gold.app.registered_commands),
        ("export", export.export),
    ]


@pytest.mark.parametrize(("name", "command"), _owned_commands())
def test_help_examples_use_the_project_paths(name: str, command: object) -> None:
    examples = _examples(command)
    assert examples, f"{name}: no Example"
    for example in examples:
        words = example.split()
        for word in words:
            if word.endswith((".jsonl", ".json", ".html")) or "predictions/" in word:
                assert word.startswith(("exports/", "samples/gold/", "label_config/")), (name, word)
        assert "samples/fixture" not in example
