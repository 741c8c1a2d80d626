"""`eventgold export` and export_gold: output, idempotence, atomic replacement, user errors."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from eventgold.cli import main
from eventgold.errors import ConfigError
from eventgold.export import FORMATS
from eventgold.export import conll as conll_module
from eventgold.export.run import export_gold
from eventgold.export.writer import ExportContext, FormatResult
from eventgold.models import GoldDocument
from eventgold.resources import packaged_label_config

from .export_fixtures import fixture_docs, fixture_gold, train_doc, word_golds, write_gold
from .extras import HAS_SPACY, needs_spacy

INSTALLED_FORMATS = sorted(fmt for fmt in FORMATS if fmt != "spacy" or HAS_SPACY)
"""The formats whose libraries are installed (the spacy format needs the optional spaCy)."""


def tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_cli_export_with_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = fixture_gold(tmp_path)
    out = tmp_path / "out"
    report = tmp_path / "export.json"
    assert main(["export", str(gold), "--format", "conll", "-o", str(out), "--json", str(report)]) == 0
    captured = capsys.readouterr()
    assert "conll export of gold v1" in captured.out and "wrote" in captured.out
    assert "1 gold spans not carried over" in captured.err and "cut_spans.jsonl" in captured.err
    payload = json.loads(report.read_text())
    assert payload["schema_version"] and payload["format"] == "conll" and payload["status"] == "written"
    assert payload["gold_version"] == "v1" and payload["cut_reasons"] == {"overlap": 1}
    assert payload["splits"]["test"] == {
        "documents": 2,
        "tokens": 884,  # 882 tokenizer tokens, "Iraqi" and "visits" split at gold span edges
        "mentions": 12,
        "events": 5,
        "records": 47,
        "cut": 0,
        "split_tokens": 2,
    }
    assert main(["export", str(gold), "-f", "plover", "-o", str(tmp_path / "p"), "--split", "dev", "--json", "-"]) == 0
    stdout = capsys.readouterr().out
    assert json.loads(stdout)["splits"] == {
        "dev": {"documents": 1, "tokens": 0, "mentions": 4, "events": 2, "records": 2, "cut": 0, "split_tokens": 0}
    }


@pytest.mark.parametrize(
    "fmt",
    [pytest.param(fmt, marks=needs_spacy) if fmt == "spacy" else fmt for fmt in sorted(FORMATS)],
)
def test_exports_are_byte_identical_between_runs(tmp_path: Path, fmt: str) -> None:
    gold = fixture_gold(tmp_path)
    first = export_gold(gold, fmt, tmp_path / "a")
    second = export_gold(gold, fmt, tmp_path / "b")
    assert first.status == second.status == "written"
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert export_gold(gold, fmt, tmp_path / "a").status == "unchanged"
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["format"] == fmt and manifest["gold"]["version"] == "v1"
    assert set(manifest["files"]) == set(first.files) - {"manifest.json"}


def test_an_earlier_export_is_replaced_whole(tmp_path: Path) -> None:
    gold = fixture_gold(tmp_path)
    out = tmp_path / "out"
    export_gold(gold, "conll", out)
    summary = export_gold(gold, "conll", out, ["dev"])
    assert summary.status == "written"
    assert sorted(p.name for p in out.iterdir()) == [
        "cut_spans.jsonl",
        "dev.conll",
        "dev.offsets.jsonl",
        "manifest.json",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold", "out"]  # no temporary or old folders left


def test_a_failed_export_leaves_the_earlier_one_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gold = fixture_gold(tmp_path)
    out = tmp_path / "out"
    export_gold(gold, "conll", out)
    before = tree(out)

    def broken(ctx: ExportContext, folder: Path) -> FormatResult:
        (folder / "train.conll").write_text("half a file")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(conll_module, "write", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_gold(gold, "conll", out)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gold", "out"]


def test_warnings_for_unsplit_documents_empty_splits_and_another_ontology(tmp_path: Path) -> None:
    docs = [train_doc(), fixture_docs()[0].model_copy(update={"split": None})]
    gold = write_gold(tmp_path / "gold", docs)
    ontology = tmp_path / "ontology.yaml"
    packaged = (packaged_label_config() / "ontology.yaml").read_text()
    ontology.write_text(packaged.replace('version: "0.8"', 'version: "9"'))
    from eventgold.ontology import load_ontology

    summary = export_gold(gold, "conll", tmp_path / "out", ontology=load_ontology(ontology))
    assert summary.unsplit_documents == 1
    assert summary.splits["train"].documents == 1
    text = "\n".join(summary.warnings)
    assert "1 gold documents have no split" in text
    assert "split 'dev' has no documents" in text and "split 'test' has no documents" in text
    assert "differs from the one gold v1 was built with" in text
    assert (tmp_path / "out" / "dev.conll").read_text() == ""


def _no_manifest(tmp_path: Path) -> list[str]:
    (tmp_path / "bare").mkdir()
    (tmp_path / "bare" / "gold.jsonl").write_text("")
    return [str(tmp_path / "bare"), "-f", "conll", "-o", str(tmp_path / "out")]


def _bad_record(tmp_path: Path) -> list[str]:
    doc = train_doc()
    bad = doc.model_copy(update={"mentions": [m.model_copy(update={"type": "WIZARD"}) for m in doc.mentions][:1],
                                 "events": []})  # fmt: skip
    gold = write_gold(tmp_path / "g", [GoldDocument.model_validate(bad.model_dump())])
    return [str(gold), "-f", "conll", "-o", str(tmp_path / "out")]


def _occupied(tmp_path: Path) -> list[str]:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    return [str(fixture_gold(tmp_path)), "-f", "conll", "-o", str(tmp_path / "out")]


def _a_file(tmp_path: Path) -> list[str]:
    (tmp_path / "out").write_text("mine")
    return [str(fixture_gold(tmp_path)), "-f", "conll", "-o", str(tmp_path / "out")]


def _inside_gold(tmp_path: Path) -> list[str]:
    gold = fixture_gold(tmp_path)
    return [str(gold), "-f", "conll", "-o", str(gold / "conll")]


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda p: [str(p / "nowhere"), "-f", "conll", "-o", str(p / "out")], "not a gold version folder"),
        (_no_manifest, "manifest.json: missing"),
        (lambda p: [str(fixture_gold(p)), "-f", "xml", "-o", str(p / "out")], "unknown export format 'xml'"),
        (
            lambda p: [str(fixture_gold(p)), "-f", "hf", "-o", str(p / "out"), "--split", "train,validation"],
            "unknown split 'validation'; choose from train, dev, test",
        ),
        (_bad_record, "unknown actor type"),
        (_occupied, "is not an eventgold export"),
        (_a_file, "exists and is not a folder"),
        (_inside_gold, "inside the gold version folder"),
        (
            lambda p: [str(fixture_gold(p)), "-f", "plover", "-o", str(p / "out"), "--actors", str(p / "none.yaml")],
            "actor dictionary not found",
        ),
    ],
    ids=["missing-gold", "missing-manifest", "format", "split", "record", "occupied", "file", "inside", "actors"],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_args: object, message: str
) -> None:
    args = make_args(tmp_path)  # type: ignore[operator]
    assert main(["export", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    out = tmp_path / "out"
    assert not out.exists() or out.is_file() or [p.name for p in out.iterdir()] == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_the_library_raises_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="choose from conll, spacy, hf, plover"):
        export_gold(fixture_gold(tmp_path), "csv", tmp_path / "out")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word_golds())
def test_generated_gold_exports_identically_twice(docs: list[GoldDocument]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gold = write_gold(Path(tmp) / "gold", docs)
        for fmt in INSTALLED_FORMATS:
            export_gold(gold, fmt, Path(tmp) / f"{fmt}-1")
            export_gold(gold, fmt, Path(tmp) / f"{fmt}-2")
            assert tree(Path(tmp) / f"{fmt}-1") == tree(Path(tmp) / f"{fmt}-2")
