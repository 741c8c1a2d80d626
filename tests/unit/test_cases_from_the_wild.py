"""The snapshot cases of ``../shared/cases`` (copied to ``data/cases``), through the real CLI and files.

Each case is one example of a kind of fault (README of the cases): UTF-16
offsets, relations without a role, a task listed twice with a superseded copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.resources import packaged_samples

CASES = Path(__file__).parent / "data" / "cases"


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    out = tmp_path / "cases"
    shutil.copytree(CASES, out)
    return out


def _agree(path: Path, tmp_path: Path) -> dict[str, Any]:
    out = tmp_path / f"{path.stem}.agree.json"
    assert main(["agree", str(path), "--json", str(out)]) == 0
    return dict(json.loads(out.read_text(encoding="utf-8")))


def _f1(report: dict[str, Any], kind: str) -> float | None:
    return next(s["macro_f1"] for s in report["spans"] if s["kind"] == kind and s["matching"] == "strict")


def test_utf16_offsets_are_repaired_and_recorded(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = cases / "utf16-offsets.json"
    report = _agree(snapshot, tmp_path)
    assert _f1(report, "mention") == 1.0 and _f1(report, "event") == 1.0 and report["roles"]["macro_f1"] == 1.0
    assert report["problems"] == []
    repairs = {(r["region"], r["kind"], r["old_start"], r["new_start"]) for r in report["repairs"]}
    assert repairs == {("m1", "utf16", 36, 35), ("e1", "utf16", 19, 18)}
    assert "2 repair(s)" in capsys.readouterr().err
    out = tmp_path / "gold"
    assert main(["gold", "build", str(snapshot), "-o", str(out), "--policy", "majority"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["repairs"] == {"utf16": 2} and manifest["counts"]["problems"] == 0
    lines = (out / "repairs.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["annotator"] for line in lines) == ["ann.two@example.org"] * 2
    (gold,) = [json.loads(line) for line in (out / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    text = gold["article"]["text"]
    assert {text[m["start"] : m["end"]] for m in gold["mentions"]} == {"Baghdad"}
    assert "repairs: utf16 2" in (out / "README.md").read_text(encoding="utf-8")


def test_relations_without_a_role_are_listed_by_every_reader(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = cases / "relation-without-role.json"
    expected = {("doc-rel", "ann.three@example.org", 3, "e1->m1"), ("doc-rel", "ann.three@example.org", 3, "e1->m2")}

    def located(problems: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        assert all("no role" in p["problem"] and "pick one role" in p["action"] for p in problems)
        assert all(p["snapshot"] == snapshot.name and p["task"] == 1 for p in problems)
        return {(p["doc_id"], p["annotator"], p["annotation"], p["relation"]) for p in problems}

    # the reader behind `pull`
    assert located([p.model_dump() for p in read_snapshot(snapshot).problems]) == expected
    # agree reports and goes on; annotator 2's relations (drawn mention -> trigger) count
    report = _agree(snapshot, tmp_path)
    assert located(report["problems"]) == expected
    assert "2 problem(s)" in capsys.readouterr().err
    # gold build refuses, then builds with --allow-problems and lists them
    out = tmp_path / "gold"
    assert main(["gold", "build", str(snapshot), "-o", str(out), "--policy", "majority"]) == 2
    err = capsys.readouterr().err
    assert "2 problem(s)" in err and "--allow-problems" in err and "Traceback" not in err
    assert not out.exists()
    args = ["gold", "build", str(snapshot), "-o", str(out), "--policy", "majority", "--allow-problems"]
    assert main(args) == 0
    listed = [json.loads(line) for line in (out / "problems.jsonl").read_text(encoding="utf-8").splitlines()]
    assert located(listed) == expected
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["problems"] == 2
    assert "Problems: 2" in (out / "README.md").read_text(encoding="utf-8")


def test_a_task_listed_twice_and_a_corrected_copy_count_once(cases: Path, tmp_path: Path) -> None:
    report = _agree(cases / "annotation-copy.json", tmp_path)
    stats = {s["name"]: s for s in report["annotator_stats"]}
    one, two = stats["ann.one@example.org"], stats["ann.two@example.org"]
    assert (one["tasks"], one["superseded"], one["cancelled"]) == (1, 1, 0)
    assert (two["tasks"], two["superseded"], two["cancelled"]) == (1, 0, 0)
    assert report["annotations"] == 2
    assert [r["kind"] for r in report["repairs"]] == ["duplicate_task"]


def test_lead_times_come_from_the_kept_annotations(cases: Path, tmp_path: Path) -> None:
    path = cases / "annotation-copy.json"
    tasks = json.loads(path.read_text(encoding="utf-8"))
    for task in tasks:
        for ann in task["annotations"]:
            ann["lead_time"] = {1: 100.0, 2: 20.0, 3: 7.0}[ann["id"]]
    path.write_text(json.dumps(tasks), encoding="utf-8")
    stats = {s["name"]: s for s in _agree(path, tmp_path)["annotator_stats"]}
    assert stats["ann.one@example.org"]["median_lead_time"] == 7.0  # annotation 3, not 1
    assert stats["ann.two@example.org"]["median_lead_time"] == 20.0


def test_an_annotation_in_two_snapshots_is_read_and_reported_once(cases: Path, tmp_path: Path) -> None:
    first = cases / "relation-without-role.json"
    again = cases / "relation-without-role-again.json"
    shutil.copy(first, again)
    shutil.copy(cases / "relation-without-role.json.meta.json", cases / "relation-without-role-again.json.meta.json")
    out = tmp_path / "agree.json"
    assert main(["agree", str(first), str(again), "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["annotations"] == 3
    assert {s["name"]: s["tasks"] for s in report["annotator_stats"]} == dict.fromkeys(
        ["ann.one@example.org", "ann.three@example.org", "ann.two@example.org"], 1
    )
    assert sorted((p["snapshot"], p["relation"]) for p in report["problems"]) == [
        (again.name, "e1->m1"),
        (again.name, "e1->m2"),
    ]


@pytest.mark.parametrize("verb", ["agree", "gold build", "gold diff"])
def test_json_on_stdout_is_only_json(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    snapshot = str(cases / "utf16-offsets.json")
    gold = packaged_samples() / "gold" / "v1"
    args = {
        "agree": ["agree", snapshot],
        "gold build": ["gold", "build", snapshot, "-o", str(tmp_path / "g"), "--policy", "majority"],
        "gold diff": ["gold", "diff", str(gold), str(gold)],
    }[verb]
    assert main([*args, "--json", "-"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["schema_version"]


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ('{"users": "oops"}', "users must be an object"),
        ('{"users": {"one": "x@y.org"}}', "users keys must be Label Studio user ids"),
        ("[1, 2]", "not snapshot metadata"),
    ],
)
def test_a_bad_metadata_sidecar_is_one_line(
    cases: Path, capsys: pytest.CaptureFixture[str], meta: str, message: str
) -> None:
    (cases / "utf16-offsets.json.meta.json").write_text(meta, encoding="utf-8")
    assert main(["agree", str(cases / "utf16-offsets.json")]) == 2
    err = capsys.readouterr().err
    assert message in err and "utf16-offsets.json.meta.json" in err and "Traceback" not in err


def test_a_snapshot_without_tasks_builds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    assert main(["gold", "build", str(empty), "-o", str(tmp_path / "g")]) == 2
    assert "no tasks" in capsys.readouterr().err and not (tmp_path / "g").exists()
    assert main(["agree", str(empty)]) == 2


@pytest.mark.parametrize("verb", ["ingest", "extract", "agree", "gold build", "score"])
def test_an_output_that_is_an_input_is_refused(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    samples = packaged_samples()
    articles = tmp_path / "articles"
    shutil.copytree(samples / "articles", articles)
    corpus = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(articles), "-o", str(corpus)]) == 0
    gold = samples / "gold" / "v1"
    snapshot = cases / "utf16-offsets.json"
    first = sorted(articles.iterdir())[0]
    args, victim = {
        "ingest": (["ingest", str(first), "-o", str(first)], first),
        "extract": (["extract", str(corpus), "-e", "rules", "-o", str(corpus)], corpus),
        "agree": (["agree", str(snapshot), "--json", str(snapshot)], snapshot),
        "gold build": (["gold", "build", str(snapshot), "-o", str(tmp_path / "g"), "--json", str(snapshot)], snapshot),
        "score": (["score", "--gold", str(gold), "--pred", str(corpus), "--json", str(corpus)], corpus),
    }[verb]
    before = victim.read_bytes()
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "is also an input" in err and "Traceback" not in err
    assert victim.read_bytes() == before


@pytest.mark.parametrize("verb", ["ingest", "extract"])
def test_an_output_file_that_is_a_folder_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], verb: str
) -> None:
    samples = packaged_samples()
    corpus = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(samples / "articles"), "-o", str(corpus)]) == 0
    folder = tmp_path / "out"
    folder.mkdir()
    args = {"ingest": ["ingest", str(samples / "articles")], "extract": ["extract", str(corpus), "-e", "rules"]}[verb]
    capsys.readouterr()
    assert main([*args, "-o", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "Traceback" not in err and list(folder.iterdir()) == []
