"""``eventgold report`` and the --html/--markdown/--csv options of ``score`` and ``agree``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.commands import gold as gold_commands
from eventgold.gold.inputs import SnapshotLike
from eventgold.jsonl import read_jsonl, write_jsonl
from eventgold.models import DocumentAnnotation, Origin
from eventgold.models import GoldDocument as Gold

from .report_fixtures import FIXTURE
from .test_gold_dataset import snap

SCORE = [
    "score",
    "--gold",
    str(FIXTURE),
    "--pred",
    str(FIXTURE / "pred_tagger.jsonl"),
    "--pred",
    str(FIXTURE / "pred_coder.jsonl"),
    "--bootstrap",
    "50",
]


@pytest.fixture
def fake_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    def read(paths: Sequence[Path]) -> list[SnapshotLike]:
        return [snap(12) for _ in paths]

    monkeypatch.setattr(gold_commands, "_read_snapshots", read)


def test_score_writes_every_report_and_records_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "s.json"
    html, md, tables = tmp_path / "r.html", tmp_path / "r.md", tmp_path / "tables"
    argv = [*SCORE, "--json", str(out), "--html", str(html), "--markdown", str(md), "--csv", str(tables)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert f"wrote {html}" in printed and f"CSV tables to {tables}" in printed
    data = json.loads(out.read_text())
    assert data["kind"] == "score" and data["schema_version"]
    assert data["command"] == "eventgold " + " ".join(
        [*SCORE[:7], "--json", str(out), *SCORE[7:], "--html", str(html), "--markdown", str(md), "--csv", str(tables)]
    )
    assert data["gold_info"]["documents"] == {"dev": 1, "test": 2}
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert (tables / "summary.csv").is_file() and md.read_text().startswith("# Scoring report")


def test_report_rerenders_the_same_html_from_json(tmp_path: Path) -> None:
    out, first, again = tmp_path / "s.json", tmp_path / "a.html", tmp_path / "b.html"
    assert main([*SCORE, "--json", str(out), "--html", str(first)]) == 0
    assert main(["report", str(out), "--html", str(again)]) == 0
    assert first.read_text() == again.read_text()


def test_json_on_stdout_stays_pure(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    html = tmp_path / "r.html"
    assert main([*SCORE, "--json", "-", "--html", str(html)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["kind"] == "score"
    assert f"wrote {html}" in captured.err


def test_reports_are_written_when_fail_under_fails(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    assert main([*SCORE, "--fail-under", "mention.strict.f1=0.99", "--html", str(html)]) == 1
    assert html.is_file()


def test_score_against_a_gold_version_shows_its_manifest_and_agreement(tmp_path: Path, fake_reader: None) -> None:
    version = tmp_path / "v1"
    assert main(["gold", "build", "raw.json", "-o", str(version)]) == 0
    gold = list(read_jsonl(version / "gold.jsonl", Gold))
    preds = [
        DocumentAnnotation(
            doc_id=g.doc_id, origin=Origin(kind="extractor", name="copy"), mentions=g.mentions, events=g.events
        )
        for g in gold
    ]
    write_jsonl(tmp_path / "copy.jsonl", preds)
    out, html = tmp_path / "s.json", tmp_path / "r.html"
    argv = ["score", "--gold", str(version), "--pred", str(tmp_path / "copy.jsonl"), "--bootstrap", "20"]
    assert main([*argv, "--json", str(out), "--html", str(html)]) == 0
    info = json.loads(out.read_text())["gold_info"]
    assert info["version"] == "v1" and info["manifest"]["policy"] and info["created"]
    agreement = json.loads((version / "agreement.json").read_text())
    strict = next(s for s in agreement["spans"] if s["kind"] == "mention" and s["matching"] == "strict")
    assert info["agreement"]["mention span F1 (strict)"] == strict["macro_f1"]
    page = html.read_text()
    assert "<dt>Version</dt><dd>v1</dd>" in page and "mention span F1 (strict)" in page


def test_agree_html(tmp_path: Path, fake_reader: None, capsys: pytest.CaptureFixture[str]) -> None:
    html, out = tmp_path / "a.html", tmp_path / "a.json"
    assert main(["agree", "raw.json", "--json", str(out), "--html", str(html)]) == 0
    assert f"wrote {html}" in capsys.readouterr().out
    data = json.loads(out.read_text())
    assert data["kind"] == "agreement"
    assert data["command"] == f"eventgold agree raw.json --json {out} --html {html}"
    page = html.read_text()
    assert "eventgold agreement report" in page and "disagreement-table" in page
    md = tmp_path / "a.md"
    assert main(["report", str(out), "--markdown", str(md)]) == 0
    assert md.read_text().startswith("# Agreement report")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "nothing to write"),
        (["--html", "x.html"], "not found"),
    ],
)
def test_report_user_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "missing.json", *args]) == 2
    assert message in capsys.readouterr().err


def test_report_refuses_other_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "manifest.json"
    other.write_text('{"schema_version": "1.0", "version": "v1"}')
    assert main(["report", str(other), "--html", str(tmp_path / "x.html")]) == 2
    assert "neither a score report" in capsys.readouterr().err
    assert not (tmp_path / "x.html").exists()


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--help"]) == 0
    assert "Example:" in capsys.readouterr().out
