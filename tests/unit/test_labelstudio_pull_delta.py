"""``pull --since``: what is asked of Label Studio, what the delta's sidecar says, and mistakes in one line."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.labelstudio.pull import pull_snapshot
from eventgold.labelstudio.snapshot import meta_path, predictions_path

from .test_labelstudio_pull import FakeLabelStudio, serve

CLOCK = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.UTC)
NEW = {"id": 3, "project": 1, "data": {"doc_id": "d3", "title": "T", "text": "Iraq."}, "annotations": []}


class DeltaLabelStudio(FakeLabelStudio):
    """Tasks 1 and 2 at the base's pull; then task 1 deleted (unless not ``task_1_deleted``) and task 3 added
    (the only one changed)."""

    def __init__(self) -> None:
        super().__init__()
        self.clock: dt.datetime | None = CLOCK
        self.after_base = False
        self.task_1_deleted = True
        self.made = "2026-11-01T08:00:00.000000Z"
        self.queries: list[dict[str, Any]] = []

    def server_time(self) -> dt.datetime | None:  # type: ignore[override]
        return self.clock

    def iter_tasks_by_id(
        self, project_id: int, filters: list[dict[str, Any]], *, fields: str = "all", page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        self.queries.append({"filters": {"items": filters}})
        yield NEW

    def task_ids(self, project_id: int) -> list[int]:
        self.queries.append({"ids": True})
        return self.ids()

    def ids(self) -> list[int]:
        if not self.after_base:
            return [1, 2]
        return [2, 3] if self.task_1_deleted else [1, 2, 3]

    def find_project(self, title: str) -> dict[str, Any]:
        return {**super().find_project(title), "created_at": self.made}

    def project(self, project_id: int) -> dict[str, Any]:
        return {"id": project_id, "task_number": len(self.ids())}


@pytest.fixture
def ls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DeltaLabelStudio:
    client = DeltaLabelStudio()
    serve(client, tmp_path, monkeypatch)
    return client


def _base(ls: DeltaLabelStudio) -> Path:
    assert main(["pull", "--project", "P", "-o", "raw", "--json", "base.json"]) == 0
    ls.after_base = True
    return Path(json.loads(Path("base.json").read_text(encoding="utf-8"))["snapshot"])


def test_a_delta_holds_the_changed_tasks_and_lists_the_deleted_ones(
    ls: DeltaLabelStudio, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(ls)
    assert json.loads(meta_path(base).read_text(encoding="utf-8"))["server_time"] == CLOCK.isoformat()
    capsys.readouterr()
    assert main(["pull", "--project", "P", "-o", "raw", "--since", str(base), "--json", "d.json"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    summary = json.loads(Path("d.json").read_text(encoding="utf-8"))
    delta = Path(summary["snapshot"])
    assert json.loads(delta.read_text(encoding="utf-8")) == [NEW]
    assert not predictions_path(delta).exists()  # paged tasks carry theirs inline
    link = json.loads(meta_path(delta).read_text(encoding="utf-8"))["delta"]
    assert link == summary["delta"]
    assert link["base"] == base.name and link["changed_tasks"] == 1 and link["deleted_tasks"] == [1]
    assert link["task_ids"] == [[2, 3]]  # every task the project has, as ranges
    assert link["since"] == (CLOCK - dt.timedelta(seconds=120)).isoformat()  # the default margin
    query, ids = ls.queries  # Label Studio counts fewer tasks than the base and the delta hold: ids listed
    assert ids == {"ids": True}
    assert query["filters"]["items"] == [
        {
            "filter": "filter:tasks:updated_at",
            "operator": "greater",
            "type": "Datetime",
            "value": "2026-12-01T08:58:00.000000Z",
        }
    ]
    assert summary["method"] == "paged" and summary["tasks"] == 1
    assert f"delta of {base.name}: 1 task(s) updated since 2026-12-01T08:58:00+00:00, 1 deleted" in out
    assert f"eventgold gold build {base} {delta}" in out


def test_without_a_deletion_the_task_ids_are_not_listed(ls: DeltaLabelStudio) -> None:
    ls.task_1_deleted = False
    base = _base(ls)
    assert main(["pull", "--project", "P", "-o", "raw", "--since", str(base), "--json", "d.json"]) == 0
    link = json.loads(Path("d.json").read_text(encoding="utf-8"))["delta"]
    assert link["task_ids"] == [[1, 3]] and link["deleted_tasks"] == []
    assert {"ids": True} not in ls.queries  # the base's ids and the updated one make Label Studio's count


def test_a_base_without_label_studios_clock_starts_from_its_export_time_less_half_an_hour(
    ls: DeltaLabelStudio, tmp_path: Path
) -> None:
    ls.clock = None  # a server whose answers carry no Date header
    base = pull_snapshot(ls, "P", tmp_path / "raw", now=lambda: CLOCK)  # type: ignore[arg-type]
    ls.after_base = True
    result = pull_snapshot(ls, "P", tmp_path / "raw", since=base.path, since_margin=5)  # type: ignore[arg-type]
    assert result.delta is not None and result.delta.since == CLOCK - dt.timedelta(minutes=30)


def test_a_chain_lists_as_deleted_what_any_earlier_file_held(ls: DeltaLabelStudio, tmp_path: Path) -> None:
    base = pull_snapshot(ls, "P", tmp_path / "raw", now=lambda: CLOCK)  # type: ignore[arg-type]
    ls.after_base = True
    first = pull_snapshot(ls, "P", tmp_path / "raw", since=base.path)  # type: ignore[arg-type]
    second = pull_snapshot(ls, "P", tmp_path / "raw", since=first.path)  # type: ignore[arg-type]
    assert first.delta is not None and second.delta is not None
    assert first.delta.deleted_tasks == (1,) and second.delta.deleted_tasks == ()  # 1 was gone already
    assert second.delta.base == first.path.name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "raw/nope.json"], "snapshot not found"),
        (["--since", "{base}.meta.json"], "this is a snapshot's sidecar; pass the snapshot itself"),
        (["--since", "{base}", "--method", "export"], "cannot use --method export (leave it out)"),
        (["--since", "{base}", "--since-margin", "-1"], "margin must be a number of seconds >= 0"),
        (["--since", "{base}", "--since-margin", "nan"], "margin must be a number of seconds >= 0"),
        (["--since", "{other}"], "is a snapshot of project 'Q' (id 9), not of 'P' (id 1)"),
        (["--since", "{edited}"], "changed since it was pulled"),
        (["--since", "raw"], "a folder; give one earlier snapshot in it"),
        (["--since", "{bare}"], "no bare.json.meta.json beside it, so not a snapshot `eventgold pull` wrote"),
        (["--since", "{base}", "-o", "elsewhere"], "a delta is written beside its base: leave -o out or give -o raw"),
    ],
)
def test_mistakes_are_one_line_and_exit_2(
    ls: DeltaLabelStudio, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    base = _base(ls)
    other = base.with_name("other.json")
    other.write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    meta_path(other).write_text(json.dumps({"project_id": 9, "project_title": "Q"}), encoding="utf-8")
    edited = base.with_name("edited.json")
    edited.write_text("[]", encoding="utf-8")
    edited.with_name("edited.json.sha256").write_text(f"{'0' * 64}  edited.json\n", encoding="utf-8")
    meta_path(edited).write_text(meta_path(base).read_text(encoding="utf-8"), encoding="utf-8")
    bare = base.with_name("bare.json")
    bare.write_text(base.read_text(encoding="utf-8"), encoding="utf-8")
    capsys.readouterr()
    before = sorted(Path("raw").iterdir())
    filled = [a.format(base=base, other=other, edited=edited, bare=bare) for a in args]
    assert main(["pull", "--project", "P", "-o", "raw", *filled]) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split()) and "Traceback" not in err
    assert sorted(Path("raw").iterdir()) == before and not Path("elsewhere").exists()  # nothing written
    assert ls.queries == []


def test_a_base_of_an_earlier_project_with_the_same_id_is_refused(
    ls: DeltaLabelStudio, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(ls)
    assert json.loads(meta_path(base).read_text(encoding="utf-8"))["project_created_at"] == ls.made
    ls.made = "2026-12-01T10:00:00.000000Z"  # Label Studio set up again: a new project 1
    capsys.readouterr()
    assert main(["pull", "--project", "P", "-o", "raw", "--since", str(base)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{base} is a snapshot of an earlier project with id 1 (made 2026-11-01T08:00:00.000000Z" in err
    assert "Label Studio was set up again); pull a full snapshot (without --since)" in err
    assert ls.queries == []

