"""`eventgold extract` and `eventgold extractors` end to end (in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.jsonl import read_jsonl, write_jsonl
from eventgold.models import Article, DocumentAnnotation
from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    articles = [Article(id=p.stem, text=p.read_text(encoding="utf-8").replace("\r\n", "\n"))
                for p in sorted(SEEDS.glob("*.txt"))]
    path = tmp_path / "corpus.jsonl"
    write_jsonl(path, articles)
    return path


def test_extract_rules_writes_valid_predictions(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "predictions" / "rules.jsonl"
    rc = main(["extract", str(corpus), "--extractor", "rules", "-o", str(out), "--json", "-"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    anns = list(read_jsonl(out, DocumentAnnotation))
    assert summary["documents"] == len(anns) == 5
    assert summary["events"] == sum(len(a.events) for a in anns) > 0
    assert summary["schema_version"]


@pytest.mark.parametrize("in_project", [False, True])
def test_extract_default_output_path(corpus: Path, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, in_project: bool) -> None:
    """exports/predictions/NAME.jsonl of the project (from any subfolder of it), else of the working directory."""
    from eventgold.project import init_project

    root = tmp_path / "proj"
    if in_project:
        init_project(root, samples=False)
    work = root / "notes" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert main(["extract", str(corpus), "-e", "gazetteer"]) == 0
    expected = (root if in_project else work) / "exports" / "predictions" / "gazetteer.jsonl"
    assert expected.is_file()
    assert not (work / "predictions").exists()


def test_extract_bad_corpus_leaves_earlier_output(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"id": "a", "text": "Pompeo"}\n{"id": "b"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    assert main(["extract", str(corpus), "-e", "gazetteer", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "corpus.jsonl:2" in err and "text" in err
    assert out.read_text(encoding="utf-8") == "old\n"


def test_extract_unknown_extractor(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extract", str(corpus), "-e", "nope"]) == 2
    assert "unknown extractor 'nope'" in capsys.readouterr().err


def test_extractors_lists_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["extractors", "--json", "-"]) == 0
    payload = json.loads(capsys.readouterr().out)
    names = [e["name"] for e in payload["extractors"]]
    assert names[:4] == ["gazetteer", "rules", "spacy:<pipeline>", "model:<folder>"]
    assert all("BASELINE" in e["description"] for e in payload["extractors"][:2])
    assert main(["extractors"]) == 0
    assert "baseline" in capsys.readouterr().out.lower()


@pytest.mark.parametrize("command", [["extract"], ["extractors"], ["suggest"],
                                     ["actors", "pending"]])
def test_help_has_an_example(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--help"]) == 0
    assert "Example:" in capsys.readouterr().out
