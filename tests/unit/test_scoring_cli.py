"""``eventgold score``: exit codes, --fail-under, --json, user errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.models import Event
from eventgold.resources import packaged_samples

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
    assert main(["score", "--gold", str(tmp_path), "--pred", str(FIXTURE / "pred_tagger.jsonl")]) == 2
    assert "gold.jsonl" in capsys.readouterr().err


def _as_plover(line: str) -> list[dict[str, object]]:
    """The coder fixture's events as PLOVER records (actors by text only, no offsets)."""
    doc = json.loads(line)
    text = {m["id"]: m["text"] for m in doc["mentions"]}
    events = [Event.model_validate(e) for e in doc["events"]]  # either schema
    return [
        {
            "id": e.id,
            "doc_id": doc["doc_id"],
            "event": e.type,
            "mode": e.mode,
            "actor": [{"entity_text": text[i]} for i in e.mentions_in(["actor"])],
            "recipient": [{"entity_text": text[i]} for i in e.mentions_in(["recipient"])],
            "coder": "coder",
        }
        for e in events
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


# --- the tool's own PLOVER export scores against its own gold with no options (round two) ---

ROOT = Path(__file__).resolve().parents[2]
PLOVER_CASE = Path(__file__).parent / "data" / "cases" / "plover-roundtrip" / "gold"
SAMPLE_GOLD = packaged_samples() / "gold" / "v1"
PERFECT = [  # what a PLOVER record carries back: events, roles, actor ids, and the mentions it names
    "event.trigger_id.f1",
    "event.trigger_cls.f1",
    "event.arg_id.f1",
    "event.arg_cls.f1",
    "coder.tuple.f1",
    "coder.type_actor.f1",
    "coder.type.f1",
    "coder.quad.f1",
    "mention.strict.precision",
    "mention.type.precision",
    "actor.set.precision",
]


def _gold_docs(gold: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (gold / "gold.jsonl").read_text(encoding="utf-8").splitlines()]


def _plover_export(gold: Path, out: Path) -> Path:
    assert main(["export", str(gold), "--format", "plover", "-o", str(out)]) == 0
    return out


def _score(gold: Path, pred: Path, split: str, tmp_path: Path, *extra: str) -> dict[str, float]:
    report = tmp_path / f"{pred.stem}.{split}.score.json"
    args = ["score", "--gold", str(gold), "--pred", str(pred), "--split", split, "--bootstrap", "0"]
    assert main([*args, "--json", str(report), *extra]) == 0
    metrics: dict[str, float] = json.loads(report.read_text())["extractors"][0]["metrics"]
    return metrics


def _mention_recall(gold: Path, split: str) -> float:
    """Anchored gold mentions that some event names (what PLOVER records carry) over all anchored ones."""
    named = anchored = 0
    for doc in _gold_docs(gold):
        if doc["split"] != split:
            continue
        roles = {i for e in doc["events"] for _, i in Event.model_validate(e).role_ids()}
        spans = [m for m in doc["mentions"] if m["start"] is not None]
        anchored += len(spans)
        named += sum(m["id"] in roles for m in spans)
    return named / anchored


@pytest.mark.parametrize(
    ("gold", "split"),
    [(PLOVER_CASE, "test"), (SAMPLE_GOLD, "train"), (SAMPLE_GOLD, "dev"), (SAMPLE_GOLD, "test")],
    ids=["case-test", "samples-train", "samples-dev", "samples-test"],
)
def test_own_plover_export_scores_1_against_its_gold(
    tmp_path: Path, gold: Path, split: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _plover_export(gold, tmp_path / "plover")
    pred = out / f"{split}.jsonl"
    assert pred.read_text(encoding="utf-8"), f"{gold} has no events in {split}: parametrize splits with events"
    metrics = _score(gold, pred, split, tmp_path)
    assert "--doc-key" not in capsys.readouterr().err
    for name in PERFECT:
        assert metrics[name] == 1.0, name
    assert metrics["mention.strict.recall"] == pytest.approx(_mention_recall(gold, split))
    if gold == SAMPLE_GOLD:  # every sample mention takes part in an event: nothing is lost
        for name in ("mention.strict.f1", "actor.set.f1", "actor.id.accuracy", "event.mode.accuracy"):
            assert metrics[name] == 1.0, name


def _rekey(record: dict[str, Any], variant: str) -> dict[str, Any]:
    doc_id = record["doc_id"]
    out = {k: v for k, v in record.items() if k != "doc_id"}
    if variant == "citation-only":  # what the export wrote before: the id only in cite_info.citation
        return out
    if variant == "other-name":
        out["cite_info"] = {**out["cite_info"], "citation": None}
        return {**out, "story": {"ref": doc_id}}
    if variant == "decoy-doc_id":  # a doc_id naming no gold document; the id sits in meta.article
        return {**out, "doc_id": "elsewhere-" + doc_id, "meta": {"article": doc_id}}
    if variant == "none":
        out["cite_info"] = {**out["cite_info"], "citation": None}
        return out
    return record


@pytest.mark.parametrize(
    ("variant", "extra"),
    [
        ("as-exported", []),
        ("citation-only", []),
        ("other-name", []),
        ("decoy-doc_id", []),
        ("decoy-doc_id", ["--doc-key", "meta.article"]),
    ],
)
def test_the_document_key_of_plover_records_is_detected(tmp_path: Path, variant: str, extra: list[str]) -> None:
    out = _plover_export(PLOVER_CASE, tmp_path / "plover")
    lines = (out / "test.jsonl").read_text(encoding="utf-8").splitlines()
    pred = tmp_path / f"{variant}.jsonl"
    pred.write_text("".join(json.dumps(_rekey(json.loads(line), variant)) + "\n" for line in lines), encoding="utf-8")
    metrics = _score(PLOVER_CASE, pred, "test", tmp_path, *extra)
    assert metrics["coder.tuple.f1"] == metrics["event.arg_cls.f1"] == 1.0


def test_plover_records_without_a_document_key_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _plover_export(PLOVER_CASE, tmp_path / "plover")
    lines = (out / "test.jsonl").read_text(encoding="utf-8").splitlines()
    pred = tmp_path / "none.jsonl"
    pred.write_text("".join(json.dumps(_rekey(json.loads(line), "none")) + "\n" for line in lines), encoding="utf-8")
    capsys.readouterr()
    assert main(["score", "--gold", str(PLOVER_CASE), "--pred", str(pred), "--bootstrap", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'doc_id'" in err[0] and "--doc-key" in err[0]
