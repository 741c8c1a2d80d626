"""The streamed snapshot conversion (``eventgold pull``) gives what :func:`read_snapshot` gives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventgold.errors import InputError, RecordError
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.snapshot import TaskConversion, predictions_path, read_snapshot
from eventgold.labelstudio.snapshot_stream import (
    SnapshotStream,
    SnapshotSummary,
    StreamRestart,
    stream_snapshot,
    summarise_snapshot,
)

GOLDEN = Path(__file__).parent / "data" / "ls_export_golden.json"
USERS = {"1": "ana@example.org", "2": "ben@example.org"}
WORDS = ["Iraq", "met", "Iran", "\U0001f600", "Baghdad", "\r\n", " ", "Quds Force", "."]


def _conversions(stream: SnapshotStream) -> list[TaskConversion]:
    """Every conversion of a complete iteration (iterating again after a StreamRestart, as consumers do)."""
    for _ in range(5):
        try:
            return list(stream)
        except StreamRestart:
            continue
    raise AssertionError("the stream restarted more than 4 times")


def _write(folder: Path, tasks: Any, predictions: list[dict[str, Any]] | None, *, nan: bool = False) -> Path:
    path = folder / "snap.json"
    path.write_text(json.dumps(tasks, allow_nan=nan), encoding="utf-8")
    (folder / "snap.json.meta.json").write_text(json.dumps({"users": USERS}), encoding="utf-8")
    if predictions is not None:
        predictions_path(path).write_text(json.dumps(predictions), encoding="utf-8")
    return path


def assert_same_as_read_snapshot(path: Path) -> None:
    """Records, figures, summary and JSONL of the streamed conversion equal read_snapshot's."""
    snap = read_snapshot(path)
    stream = stream_snapshot(path)
    convs = _conversions(stream)
    articles = {}
    for conv in convs:
        articles[conv.article.id] = conv.article
    assert list(articles.items()) == list(snap.articles.items())
    assert [a for c in convs for a in c.annotations] == snap.annotations
    assert [p for c in convs for p in c.predictions] == snap.predictions
    assert [p for c in convs for p in c.problems] == snap.problems
    assert [r for c in convs for r in c.repairs] == snap.repairs
    assert sum(c.predictions_not_fetched for c in convs) == snap.predictions_not_fetched
    assert (stream.task_count, stream.sha256, stream.exported_at) == (snap.task_count, snap.sha256, snap.exported_at)
    out = path.parent / "streamed.jsonl"
    assert summarise_snapshot(path, jsonl=out) == SnapshotSummary.of(snap)
    write_jsonl(path.parent / "whole.jsonl", snap.annotations)
    assert out.read_bytes() == (path.parent / "whole.jsonl").read_bytes()


def test_golden_export_streams_to_the_same_records(tmp_path: Path) -> None:
    for suffix in ("", ".meta.json"):
        shutil.copy(f"{GOLDEN}{suffix}", tmp_path / f"{GOLDEN.name}{suffix}")
    path = tmp_path / GOLDEN.name
    assert_same_as_read_snapshot(path)
    assert len(_conversions(stream_snapshot(path))) == 2


@st.composite
def snapshots(draw: st.DrawFn) -> tuple[list[Any], list[dict[str, Any]] | None, bool]:
    """Tasks of a Label Studio export (regions good and bad, cancelled annotations, repeated ids and
    listings, predictions inline / in the sidecar / missing, NaN lead times), the sidecar, and NaN or not."""
    tasks: list[Any] = []
    sidecar: list[dict[str, Any]] = []
    next_id = iter(range(100, 10_000))
    for n in range(draw(st.integers(0, 4))):
        text = "".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)))
        annotations = []
        for _ in range(draw(st.integers(0, 3))):
            start = draw(st.integers(-1, len(text)))
            end = draw(st.integers(start, len(text) + 2))
            region = {
                "id": f"r{next(next_id)}",
                "from_name": draw(st.sampled_from(["actor", "event", "nope"])),
                "to_name": "text",
                "type": "labels",
                "value": {
                    "start": start,
                    "end": end,
                    "text": draw(st.sampled_from([text[max(start, 0) : end], "x"])),
                    "labels": [draw(st.sampled_from(["PERSON", "STATE", "CONSULT", "NOPE"]))],
                },
            }
            annotations.append(
                {
                    "id": draw(st.sampled_from([next(next_id), 1])),  # 1: an id listed twice in a task
                    "completed_by": draw(st.sampled_from([1, 2, 99])),
                    "was_cancelled": draw(st.booleans()),
                    "lead_time": draw(st.sampled_from([1.5, 12, None, float("nan")])),
                    "result": [region],
                }
            )
        predicted = [next(next_id) for _ in range(draw(st.integers(0, 2)))]
        for pid in predicted:
            if draw(st.booleans()):
                sidecar.append({"id": pid, "task": n + 1, "model_version": "rules@0.1", "result": []})
        inline = [{"id": p, "model_version": "m@1", "result": []} for p in predicted]
        task = {
            "id": n + 1,
            "project": 7,
            "data": {"doc_id": f"d{n}", "text": text},
            "annotations": annotations,
            "predictions": inline if draw(st.booleans()) else predicted,
        }
        tasks.append(task)
        if draw(st.integers(0, 4)) == 0:  # the same task listed again, later, with other annotations
            tasks.append({**task, "annotations": [{"id": next(next_id), "completed_by": 2, "result": []}]})
    if draw(st.booleans()):
        tasks.append({"data": {"doc_id": "no_id", "text": "Iraq."}, "annotations": []})  # a task without an id
    nan = any(a.get("lead_time") != a.get("lead_time") for t in tasks for a in t.get("annotations", []))
    return tasks, (sidecar if draw(st.booleans()) else None), nan


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=snapshots())
def test_generated_snapshots_stream_to_the_same_records(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[list[Any], list[dict[str, Any]] | None, bool]
) -> None:
    tasks, sidecar, nan = case
    folder = tmp_path_factory.mktemp("snap")
    assert_same_as_read_snapshot(_write(folder, tasks, sidecar, nan=nan))


TASK = {"id": 1, "data": {"doc_id": "d1", "text": "Iraq met Iran."}, "annotations": []}


@pytest.mark.parametrize(
    ("tasks", "sidecar"),
    [
        ([], None),
        ([TASK], None),
        ([TASK], []),
        ([{**TASK, "annotations": [{"id": 5, "completed_by": 1, "was_cancelled": True, "result": []}]}], None),
        ([{**TASK, "predictions": [9]}], [{"id": 9, "task": 1, "model_version": "m@1", "result": []}]),
        ([{**TASK, "predictions": [9]}], None),  # listed by id only, not fetched
        ([TASK, {**TASK, "annotations": [{"id": 5, "completed_by": 2, "result": []}]}], None),  # a task twice
        ([TASK, {**TASK, "id": 2}], None),  # two tasks, one document
    ],
    ids=["empty", "one task", "empty sidecar", "cancelled", "predictions", "not fetched", "task twice", "doc twice"],
)
def test_small_snapshots_stream_to_the_same_records(
    tmp_path: Path, tasks: list[Any], sidecar: list[dict[str, Any]] | None
) -> None:
    assert_same_as_read_snapshot(_write(tmp_path, tasks, sidecar))


@pytest.mark.parametrize(
    "text",
    ["\ufeff" + json.dumps([TASK]), "\n  " + json.dumps([TASK, TASK]) + "\n"],
    ids=["byte-order mark", "whitespace around"],
)
def test_files_label_studio_never_writes_are_read_as_read_snapshot_reads_them(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path, [], None)
    path.write_text(text, encoding="utf-8")
    assert_same_as_read_snapshot(path)


TASK_TEXT = json.dumps(TASK)


@pytest.mark.parametrize(
    "content",
    [
        f"[{TASK_TEXT}, {TASK_TEXT.replace('d1', 'd2')}, {{",  # cut off mid-file
        f"[{TASK_TEXT}, {{'id': 2}}]",  # not JSON mid-file
        f"[{TASK_TEXT}] trailing",
        f"[{TASK_TEXT}, 3]",  # an item that is not a task
        json.dumps({"tasks": [TASK]}),  # not a list
        "",
    ],
    ids=["cut off", "not json", "trailing text", "not an object", "not a list", "empty file"],
)
def test_unreadable_snapshots_give_read_snapshots_error_and_no_jsonl(tmp_path: Path, content: str) -> None:
    path = _write(tmp_path, [], None)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as expected:
        read_snapshot(path)
    assert str(path) in str(expected.value)
    out = tmp_path / "out.jsonl"
    out.write_text("old\n", encoding="utf-8")
    with pytest.raises(InputError) as got:
        summarise_snapshot(path, jsonl=out)
    assert str(got.value) == str(expected.value)
    assert out.read_text(encoding="utf-8") == "old\n"  # an earlier output stays whole
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_missing_snapshot_is_read_snapshots_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as expected:
        read_snapshot(tmp_path / "nope.json")
    with pytest.raises(InputError) as got:
        summarise_snapshot(tmp_path / "nope.json", jsonl=tmp_path / "out.jsonl")
    assert str(got.value) == str(expected.value)
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(
    "tasks",
    [
        [TASK, {**TASK, "id": 2, "data": {"doc_id": "d1", "text": "Other text."}}],  # one doc_id, two texts
        [TASK, {**TASK, "data": {"doc_id": "d1", "text": "Other text."}}],  # one task id, two data
        [TASK, {"id": 2, "data": {"text": "No doc id."}}],
    ],
    ids=["doc_id with two texts", "task listed with two data", "no doc_id"],
)
def test_bad_task_after_good_ones_is_read_snapshots_error_and_leaves_no_jsonl(
    tmp_path: Path, tasks: list[Any]
) -> None:
    path = _write(tmp_path, tasks, None)
    with pytest.raises(RecordError) as expected:
        read_snapshot(path)
    with pytest.raises(RecordError) as got:
        summarise_snapshot(path, jsonl=tmp_path / "out.jsonl")
    assert str(got.value) == str(expected.value)
    assert [p.name for p in tmp_path.iterdir() if "out.jsonl" in p.name] == []


def test_a_repeated_task_restarts_an_iteration_then_streams_right(tmp_path: Path) -> None:
    again = {**TASK, "annotations": [{"id": 5, "completed_by": 2, "result": []}]}
    other = {**TASK, "id": 2, "data": {"doc_id": "d2", "text": "x"}}
    stream = stream_snapshot(_write(tmp_path, [TASK, other, again], None))
    with pytest.raises(StreamRestart):
        list(stream)
    convs = list(stream)
    assert [c.article.id for c in convs] == ["d1", "d2"]
    assert [r.kind for r in convs[0].repairs] == ["duplicate_task"]
    assert stream.task_count == 2


def test_pull_reports_what_read_snapshot_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``eventgold pull --json --jsonl`` (the server faked): the figures and JSONL of the snapshot read whole."""
    import contextlib
    from types import SimpleNamespace

    import eventgold.commands.labelstudio as ls_commands
    import eventgold.labelstudio.pull as pull_module
    from eventgold.cli import main

    annotated = {**TASK, "annotations": [{"id": 5, "completed_by": 1, "result": []}]}
    other = {**TASK, "id": 2, "data": {"doc_id": "d2", "text": "Iran."}, "predictions": [9]}  # by id only
    tasks = [annotated, other, {**annotated, "annotations": []}]
    tasks[1]["annotations"] = [{"id": 6, "completed_by": 2, "was_cancelled": True, "result": [{"type": "labels"}]}]
    path = _write(tmp_path, tasks, None)
    snap = read_snapshot(path)

    def fake_pull(client: object, project: str, output: Path, **kw: object) -> SimpleNamespace:
        return SimpleNamespace(
            path=path, sha256="ab", method="export", annotation_kind="annotator", predictions=None, delta=None
        )

    monkeypatch.setattr(pull_module, "pull_snapshot", fake_pull)
    monkeypatch.setattr(ls_commands, "open_client", lambda url, api_key: contextlib.nullcontext())
    args = ["pull", "-o", str(tmp_path), "--jsonl", str(tmp_path / "a.jsonl"), "--json", str(tmp_path / "p.json")]
    assert main(args) == 0
    payload = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    write_jsonl(tmp_path / "whole.jsonl", snap.annotations)
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "whole.jsonl").read_bytes()
    assert payload["tasks"] == snap.task_count == 2
    assert (payload["annotations"], payload["skipped"]) == (1, 1)
    assert payload["predictions_not_fetched"] == snap.predictions_not_fetched == 1
    assert payload["per_annotator"] == {
        "ana@example.org": {"annotations": 1, "skipped": 0},
        "ben@example.org": {"annotations": 0, "skipped": 1},
    }
    assert payload["problems"] == [p.model_dump(mode="json") for p in snap.problems] != []
    assert payload["repairs"] == [r.model_dump(mode="json") for r in snap.repairs] != []
