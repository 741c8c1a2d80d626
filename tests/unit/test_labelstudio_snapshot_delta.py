"""Delta snapshots: a base read with its deltas equals one full snapshot taken at the delta's time."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventgold.errors import InputError
from eventgold.fileio import sha256_file
from eventgold.gold.inputs import merge_snapshots
from eventgold.labelstudio.snapshot import Snapshot, read_snapshot
from eventgold.labelstudio.snapshot_delta import (
    chain_of,
    delta_of,
    group_chains,
    id_ranges,
    known_task_ids,
    read_snapshots,
)
from eventgold.ontology import load_ontology

USERS = {"1": "ana@example.org", "2": "ben@example.org", "3": "cid@example.org"}
WORDS = ["Iraq ", "met ", "Iran ", "\U0001f600 ", "Baghdad ", "Quds Force ", ". "]
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
URL = "http://127.0.0.1:8080"
Task = dict[str, Any]


def _region(draw: st.DrawFn, text: str, rid: int) -> dict[str, Any]:
    """A region, sometimes one the reader must repair or list as a problem."""
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text) + 1))
    return {
        "id": f"r{rid}",
        "from_name": draw(st.sampled_from(["actor", "actor", "event"])),
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": start,
            "end": end,
            "text": text[start:end],
            "labels": [draw(st.sampled_from(["PERSON", "STATE", "CONSULT", "NOPE"]))],
        },
    }


class Ids:
    """Fresh ids for annotations, predictions and regions (as Label Studio hands them out)."""

    def __init__(self) -> None:
        self.n = 1000

    def __call__(self) -> int:
        self.n += 1
        return self.n


def _annotation(draw: st.DrawFn, text: str, ids: Ids) -> dict[str, Any]:
    return {
        "id": ids(),
        "completed_by": draw(st.sampled_from([1, 2, 3])),
        "was_cancelled": draw(st.booleans()),
        "ground_truth": draw(st.booleans()),
        "lead_time": draw(st.sampled_from([1.5, 12.0, None])),
        "created_at": (T0 + dt.timedelta(seconds=draw(st.integers(0, 99)))).isoformat(),
        "result": [_region(draw, text, ids()) for _ in range(draw(st.integers(0, 2)))],
    }


def _task(draw: st.DrawFn, task_id: int, ids: Ids) -> Task:
    text = "".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6)))
    return {
        "id": task_id,
        "project": 7,
        "data": {"doc_id": f"d{task_id}", "text": text},
        "annotations": [_annotation(draw, text, ids) for _ in range(draw(st.integers(0, 3)))],
        "predictions": [
            {"id": ids(), "model_version": "rules@0.1", "result": [_region(draw, text, ids())]}
            for _ in range(draw(st.integers(0, 1)))
        ],
    }


def _edit(draw: st.DrawFn, tasks: dict[int, Task], ids: Ids, next_task: list[int]) -> set[int]:
    """Random edits between two pulls, as annotators make them; returns the ids of the tasks they touched."""
    touched: set[int] = set()
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["annotate", "update", "delete_annotation", "delete_task", "new_task", "predict"]))
        if kind == "new_task" or not tasks:
            next_task[0] += 1
            tasks[next_task[0]] = _task(draw, next_task[0], ids)
            touched.add(next_task[0])
            continue
        task_id = draw(st.sampled_from(sorted(tasks)))
        task = tasks[task_id]
        text = task["data"]["text"]
        if kind == "delete_task":
            del tasks[task_id]
            touched.discard(task_id)
            continue
        annotations = task["annotations"]
        if kind == "annotate" or not annotations:
            annotations.append(_annotation(draw, text, ids))
        elif kind == "update":
            i = draw(st.integers(0, len(annotations) - 1))
            annotations[i] = {**annotations[i], "result": [_region(draw, text, ids())], "was_cancelled": False}
        elif kind == "delete_annotation":
            del annotations[draw(st.integers(0, len(annotations) - 1))]
        else:
            task["predictions"] = [{"id": ids(), "model_version": "rules@0.2", "result": []}]
        touched.add(task_id)
    return touched


def _write_full(path: Path, tasks: dict[int, Task], when: dt.datetime) -> Path:
    path.write_text(json.dumps([tasks[i] for i in sorted(tasks)]), encoding="utf-8")
    meta = {"project_id": 7, "users": USERS, "exported_at": when.isoformat(), "server_time": when.isoformat()}
    meta["label_studio_url"] = URL
    (path.parent / f"{path.name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def _write_delta(
    path: Path, base: Path, tasks: dict[int, Task], changed: set[int], known: set[int], when: dt.datetime
) -> Path:
    """A delta as ``pull --since`` writes it: the changed tasks as they are now, the deleted ids."""
    listed = sorted(changed & set(tasks))
    path.write_text(json.dumps([tasks[i] for i in listed]), encoding="utf-8")
    delta = {
        "base": base.name,
        "base_sha256": sha256_file(base),
        "since": when.isoformat(),
        "changed_tasks": len(listed),
        "deleted_tasks": sorted(known - set(tasks)),
        "task_ids": [list(r) for r in id_ranges(tasks)],
    }
    meta = {"project_id": 7, "users": USERS, "exported_at": when.isoformat(), "delta": delta, "label_studio_url": URL}
    (path.parent / f"{path.name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return path


def _records(snap: Snapshot) -> dict[str, Any]:
    """What gold building takes from a snapshot, with the file each finding names left out."""
    return {
        "articles": snap.articles,
        "annotations": snap.annotations,
        "predictions": snap.predictions,
        "problems": [p.model_copy(update={"snapshot": None}) for p in snap.problems],
        "repairs": [r.model_copy(update={"snapshot": None}) for r in snap.repairs],
        "tasks": snap.task_count,
    }


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[int, Task]], list[set[int]], list[bool]]:
    """A project's tasks at three pulls, the tasks touched between them, and whether each delta also lists
    some untouched tasks (a margin wider than the edits, as ``since`` less a margin gives)."""
    ids = Ids()
    tasks = {i: _task(draw, i, ids) for i in range(1, draw(st.integers(0, 4)) + 1)}
    next_task = [len(tasks)]
    states, touched, extra = [copy.deepcopy(tasks)], [], []
    for _ in range(2):
        touched.append(_edit(draw, tasks, ids, next_task))
        states.append(copy.deepcopy(tasks))
        extra.append(draw(st.booleans()))
    return states, touched, extra


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_a_base_and_its_deltas_read_as_the_full_snapshot_of_the_same_time(
    tmp_path_factory: pytest.TempPathFactory, history: tuple[list[dict[int, Task]], list[set[int]], list[bool]]
) -> None:
    states, touched, extra = history
    folder = tmp_path_factory.mktemp("delta")
    base = _write_full(folder / "p-1.json", states[0], T0)
    chain = [base]
    known = set(states[0])
    fulls: list[Path] = []
    for n, (state, changed, wide) in enumerate(zip(states[1:], touched, extra, strict=True), start=2):
        when = T0 + dt.timedelta(hours=n)
        listed = changed | (set(state) if wide else set())
        chain.append(_write_delta(folder / f"p-{n}.json", chain[-1], state, listed, known, when))
        known = set(state)
        full = _write_full(folder / f"full-{n}.json", state, when)
        fulls.append(full)
        (got,) = read_snapshots(chain)
        assert _records(got) == _records(read_snapshot(full))
        assert got.parts == [(p.name, sha256_file(p)) for p in chain]
        assert known_task_ids(chain[-1]) == known_task_ids(full) == set(state)
        (everything,) = read_snapshots([*fulls, *chain])  # one project: the latest state, whatever the mix
        assert _records(everything) == _records(read_snapshot(full))
        onto = load_ontology()
        merged, whole = merge_snapshots([got], onto), merge_snapshots([read_snapshot(full)], onto)
        assert (merged.annotations, merged.cancelled, merged.superseded) == (
            whole.annotations,
            whole.cancelled,
            whole.superseded,
        )
        assert [name for name, _ in merged.sources] == [p.name for p in chain]


def _chain(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A base, a delta of it and a delta of that delta: one task each time."""
    tasks = {1: {"id": 1, "project": 7, "data": {"doc_id": "d1", "text": "Iraq met Iran."}, "annotations": []}}
    base = _write_full(tmp_path / "p-1.json", tasks, T0)
    second = {2: {"id": 2, "project": 7, "data": {"doc_id": "d2", "text": "Iran."}, "annotations": []}}
    d1 = _write_delta(tmp_path / "p-2.json", base, {**tasks, **second}, {2}, {1}, T0 + dt.timedelta(hours=1))
    d2 = _write_delta(tmp_path / "p-3.json", d1, second, set(), {1, 2}, T0 + dt.timedelta(hours=2))
    return base, d1, d2


def test_snapshots_group_by_project_in_export_order(tmp_path: Path) -> None:
    base, d1, d2 = _chain(tmp_path)
    other = _write_full(tmp_path / "q.json", {}, T0)
    meta = json.loads((tmp_path / "q.json.meta.json").read_text(encoding="utf-8"))
    (tmp_path / "q.json.meta.json").write_text(json.dumps({**meta, "project_id": 8}), encoding="utf-8")
    globbed = sorted(tmp_path.glob("*.json"))  # sidecars too, as a shell glob gives them
    assert group_chains([d2, other, *globbed]) == [[base, d1, d2], [other]]
    assert chain_of(d2) == [base, d1, d2] and chain_of(base) == [base]
    assert [len(s.articles) for s in read_snapshots([base, d1, d2])] == [1]  # d1 (1 and 2) less d2's deleted 1
    assert list(read_snapshots([base, d1, d2])[0].articles) == ["d2"]


def _one_task(annotations: list[dict[str, Any]]) -> dict[int, Task]:
    text = "Iraq met Iran."
    return {1: {"id": 1, "project": 7, "data": {"doc_id": "d1", "text": text}, "annotations": annotations}}


def test_a_later_full_snapshot_of_the_project_wins_so_deleted_annotations_stay_gone(tmp_path: Path) -> None:
    kept = {"id": 5, "completed_by": 1, "result": []}
    deleted = {"id": 6, "completed_by": 2, "result": []}
    first = _write_full(tmp_path / "p-1.json", _one_task([kept, deleted]), T0)
    later = _write_full(tmp_path / "p-2.json", _one_task([kept]), T0 + dt.timedelta(hours=1))
    (got,) = read_snapshots([later, first])  # the order given does not matter: export times do
    assert [a.labelstudio.annotation for a in got.annotations if a.labelstudio] == [5]
    assert [name for name, _ in got.parts] == ["p-1.json", "p-2.json"]


def test_snapshots_without_a_project_in_their_sidecar_are_read_alone_and_merged_as_before(tmp_path: Path) -> None:
    first = _write_full(tmp_path / "p-1.json", _one_task([{"id": 5, "completed_by": 1, "result": []}]), T0)
    later = _write_full(tmp_path / "p-2.json", _one_task([]), T0 + dt.timedelta(hours=1))
    for path in (first, later):
        (tmp_path / f"{path.name}.meta.json").write_text(json.dumps({"users": USERS}), encoding="utf-8")
    assert group_chains([first, later]) == [[first], [later]]
    assert [len(s.annotations) for s in read_snapshots([first, later])] == [1, 0]


def _made(path: Path, created_at: str | None) -> Path:
    """Give a snapshot's sidecar the project's creation time (None: a sidecar from before eventgold kept it)."""
    meta_file = path.parent / f"{path.name}.meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta_file.write_text(json.dumps({**meta, "project_created_at": created_at} if created_at else meta),
                         encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("made", "groups"),
    [
        (("2026-11-01T08:00:00Z", "2026-11-01T08:00:00Z"), [[0, 1]]),
        ((None, "2026-11-01T08:00:00Z"), [[0, 1]]),
        (("2026-11-01T08:00:00Z", "2026-12-01T08:00:00Z"), [[0], [1]]),
    ],
    ids=["one project", "one from before creation times were kept", "a server set up again"],
)
def test_projects_made_at_different_times_are_not_one_project(
    tmp_path: Path, made: tuple[str | None, str], groups: list[list[int]]
) -> None:
    old = _made(_write_full(tmp_path / "p-1.json", _one_task([{"id": 5, "completed_by": 1, "result": []}]), T0),
                made[0])
    new = _made(_write_full(tmp_path / "p-2.json", _one_task([]), T0 + dt.timedelta(hours=1)), made[1])
    files = [old, new]
    assert group_chains(files) == [[files[i] for i in g] for g in groups]
    # the later project's snapshot does not hide the earlier one's annotation
    assert [len(s.annotations) for s in read_snapshots(files)] == ([0] if len(groups) == 1 else [1, 0])


def test_a_snapshot_that_cannot_say_which_of_two_projects_it_is_refused(tmp_path: Path) -> None:
    first = _made(_write_full(tmp_path / "p-1.json", _one_task([]), T0), "2026-11-01T08:00:00Z")
    second = _made(_write_full(tmp_path / "p-2.json", _one_task([]), T0), "2026-12-01T08:00:00Z")
    unknown = _write_full(tmp_path / "p-0.json", _one_task([]), T0 - dt.timedelta(hours=1))
    with pytest.raises(InputError, match=r"p-0\.json: pulled before eventgold recorded when a project was made, "
                       r"among snapshots of 2 projects with id 7 at http"):
        group_chains([first, second, unknown])


def test_a_delta_exported_before_its_base_is_refused(tmp_path: Path) -> None:
    base, d1, _ = _chain(tmp_path)
    meta = json.loads((tmp_path / "p-2.json.meta.json").read_text(encoding="utf-8"))
    meta["exported_at"] = (T0 - dt.timedelta(hours=1)).isoformat()
    (tmp_path / "p-2.json.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(InputError, match="exported before its base"):
        group_chains([base, d1])


@pytest.mark.parametrize(
    ("ids", "ranges"),
    [([], ()), ([3, 1, 2, 7], ((1, 3), (7, 7))), ([5, 5, 6], ((5, 6),)), ([-1, 0, 2], ((-1, 0), (2, 2)))],
)
def test_id_ranges(ids: list[int], ranges: tuple[tuple[int, int], ...]) -> None:
    assert id_ranges(ids) == ranges
    assert {i for a, b in ranges for i in range(a, b + 1)} == set(ids)


def test_a_delta_without_its_base_names_the_base_to_give(tmp_path: Path) -> None:
    _, d1, _ = _chain(tmp_path)
    with pytest.raises(InputError, match=r"a delta of p-1\.json; give its base too"):
        read_snapshots([d1])


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_base_missing_or_changed_since_is_one_clear_error(tmp_path: Path, damage: str) -> None:
    base, d1, d2 = _chain(tmp_path)
    if damage == "missing":
        shutil.move(base, tmp_path / "elsewhere")
        with pytest.raises(InputError, match=r"not in .*put the base back"):
            chain_of(d2)
    else:
        base.write_text(base.read_text(encoding="utf-8") + " ", encoding="utf-8")
        with pytest.raises(InputError, match="changed since the delta was pulled"):
            read_snapshots([base, d1])


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        ("x", "must be an object"),
        ({"base": "../p.json", "base_sha256": "0" * 64, "since": "2026-12-01T09:00:00Z"}, "base must be"),
        ({"base": "p.json", "base_sha256": "zz", "since": "2026-12-01T09:00:00Z"}, "base_sha256 must be"),
        ({"base": "p.json", "base_sha256": "0" * 64, "since": "soon"}, "since must be an ISO time"),
        (
            {"base": "p.json", "base_sha256": "0" * 64, "since": "2026-12-01T09:00:00Z", "deleted_tasks": ["1"]},
            "deleted_tasks must be a list of task ids",
        ),
        (
            {"base": "p.json", "base_sha256": "0" * 64, "since": "2026-12-01T09:00:00Z", "changed_tasks": -1},
            "changed_tasks must be a count",
        ),
        ({"base": "p.json", "base_sha256": "0" * 64, "since": "2026-12-01T09:00:00Z"}, "task_ids must be a list"),
        (
            {"base": "p.json", "base_sha256": "0" * 64, "since": "2026-12-01T09:00:00Z", "task_ids": [[3, 1]]},
            "task_ids must be a list of",
        ),
    ],
)
def test_a_malformed_delta_link_names_the_field(tmp_path: Path, delta: Any, message: str) -> None:
    with pytest.raises(InputError, match=message):
        delta_of({"delta": delta}, tmp_path / "d.json")


def test_a_full_snapshot_has_no_delta_link(tmp_path: Path) -> None:
    assert delta_of({"project_id": 7}, tmp_path / "p.json") is None
