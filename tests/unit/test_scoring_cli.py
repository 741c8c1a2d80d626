"""``eventgold score``: exit codes, --fail-under, --json, user errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventgold.cli import main

FIXTURE = Path(__file__).resolve().parents[2] / "samples" / "fixture"
BASE = [
    "score",
    "--gold",
    str(FIXTURE),
    "--pred",
    str(FIXTURE / "pred_tagger.jsonl"),
    "--bootstrap",
    "50",
]


def test_prints_tables_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--split", "test", "--by", "type,split"]) == 0
    out = capsys.readouterr().out
    assert "mention.strict.f1" in out and "ARMED_GROUP" in out and "by split" in out


def test_json_output_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    pred2 = str(FIXTURE / "pred_coder.jsonl")
    assert main([*BASE, "--pred", pred2, "--json", "-", "--zero-division", "nan"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema_version"] and len(data["extractors"]) == 2 and data["tests"]


def test_json_file(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main([*BASE, "--json", str(out)]) == 0
    assert json.loads(out.read_text())["extractors"][0]["name"] == "tagger"


@pytest.mark.parametrize(("bound", "rc"), [("0.6", 0), ("0.7", 1)])
def test_fail_under(bound: str, rc: int, capsys: pytest.CaptureFixture[str]) -> None:
    # tagger on the test split: trigger classification F1 = 2/3
    assert main([*BASE, "--split", "test", "--fail-under", f"event.trigger_cls.f1={bound}"]) == rc
    if rc:
        assert "event.trigger_cls.f1" in capsys.readouterr().err


def test_unknown_metric_lists_close_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--fail-under", "event.trigger_class.f1=0.5"]) == 2
    assert "event.trigger_cls.f1" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [["--zero-division", "2"], ["--by", "colour"], ["--fail-under", "mention.strict.f1"]],
)
def test_user_errors_exit_2(extra: list[str]) -> None:
    assert main([*BASE, *extra]) == 2


def test_missing_gold_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["score", "--gold", str(tmp_path), "--pred", str(FIXTURE / "pred_tagger.jsonl")]) == 2
    )
    assert "gold.jsonl" in capsys.readouterr().err


def _as_plover(line: str) -> list[dict[str, object]]:
    """The coder fixture's events as PLOVER records (actors by text only, no offsets)."""
    doc = json.loads(line)
    text = {m["id"]: m["text"] for m in doc["mentions"]}
    return [
        {
            "id": e["id"],
            "doc_id": doc["doc_id"],
            "event": e["type"],
            "mode": e["mode"],
            "actor": [{"entity_text": text[i]} for i in e["actors"]],
            "recipient": [{"entity_text": text[i]} for i in e["recipients"]],
            "coder": "coder",
        }
        for e in doc["events"]
    ]


def test_plover_records_are_detected_and_scored_like_our_jsonl(tmp_path: Path) -> None:
    """The same coder output as PLOVER records: event-type scores equal the JSONL's."""
    lines = (FIXTURE / "pred_coder.jsonl").read_text(encoding="utf-8").splitlines()
    plover = tmp_path / "coder.plover.jsonl"
    plover.write_text("".join(json.dumps(r) + "\n" for line in lines for r in _as_plover(line)), encoding="utf-8")
    reports = []
    for pred in (FIXTURE / "pred_coder.jsonl", plover):
        out = tmp_path / f"{pred.name}.json"
        args = ["score", "--gold", str(FIXTURE), "--pred", str(pred), "--bootstrap", "0", "--json", str(out)]
        assert main(args) == 0
        reports.append(json.loads(out.read_text())["extractors"][0]["metrics"])
    assert reports[1]["coder.type.f1"] == pytest.approx(reports[0]["coder.type.f1"])
    assert reports[1]["coder.type.tp"] == reports[0]["coder.type.tp"] > 0
