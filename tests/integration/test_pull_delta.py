"""``pull --since`` against a real Label Studio: a delta of only the changed tasks, and gold built from the
base and its delta equal to gold built from one full snapshot pulled at the same time."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.gold.dataset import read_gold_version
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.snapshot import read_snapshot, read_snapshot_meta
from eventgold.labelstudio.task_listing import existing_tasks
from tests.conftest import LiveServer

from .scenario import seed_articles
from .test_gold_loop import ANA, BEN, CID, D0, D1, D2, D4, JUDGE, annotated_project, doc4

pytestmark = pytest.mark.integration

PROJECT = "pull delta"


def _gold(snapshots: list[Path], out: Path) -> list[dict[str, Any]]:
    assert main(["gold", "build", *map(str, snapshots), "-o", str(out), "--policy", "majority,single"]) == 0
    docs = [d.model_dump(mode="json") for d in read_gold_version(out).documents]
    return sorted(docs, key=lambda d: d["article"]["id"])


def test_a_delta_holds_the_changed_tasks_and_builds_the_same_gold(live_server: LiveServer, tmp_path: Path) -> None:
    url = ["--url", live_server.url, "--api-key", live_server.token]
    articles, users, client = annotated_project(live_server, tmp_path, PROJECT, [ANA, BEN, CID, JUDGE])
    raw = tmp_path / "raw"
    assert main(["pull", "--project", PROJECT, "-o", str(raw), "--json", str(tmp_path / "base.json"), *url]) == 0
    base = Path(json.loads((tmp_path / "base.json").read_text())["snapshot"])
    assert read_snapshot_meta(base)["server_time"]  # Label Studio's clock, where the next delta starts
    assert read_snapshot_meta(base)["project_created_at"]  # tells this project from a later one with its id
    time.sleep(2)  # Label Studio's Date header is to the second: edits below are strictly after the base

    project = client.find_project(PROJECT)
    assert project is not None
    tasks = existing_tasks(client, int(project["id"]))
    listed = {t["id"]: t for t in client.iter_tasks(int(project["id"]), fields="all")}
    by_who = {
        (tasks[doc].id, a["completed_by"]): a["id"] for doc in (D0, D2) for a in listed[tasks[doc].id]["annotations"]
    }
    text4 = articles[D4].text
    client.post_json(  # a new annotation
        f"/api/tasks/{tasks[D4].id}/annotations",
        {"result": annotation_to_results(doc4(text4, CID), text4), "completed_by": users[CID]},
    )
    client.patch_json(f"/api/annotations/{by_who[(tasks[D0].id, users[BEN])]}", {"result": []})  # an update
    client.request("DELETE", f"/api/annotations/{by_who[(tasks[D2].id, users[ANA])]}")  # a deleted annotation
    client.request("DELETE", f"/api/tasks/{tasks[D1].id}")  # a deleted task
    extra = seed_articles()[5]
    write_jsonl(tmp_path / "more.jsonl", [extra])
    assert main(["push", str(tmp_path / "more.jsonl"), "--project", PROJECT, *url]) == 0  # a new task

    delta_json = tmp_path / "delta.json"
    since = ["--since", str(base), "--since-margin", "0"]
    assert main(["pull", "--project", PROJECT, "-o", str(raw), *since, "--json", str(delta_json), *url]) == 0
    summary = json.loads(delta_json.read_text())
    delta = Path(summary["snapshot"])
    new_id = existing_tasks(client, int(project["id"]))[extra.id].id
    changed = {t["id"] for t in json.loads(delta.read_text())}
    assert changed == {tasks[D4].id, tasks[D0].id, tasks[D2].id, new_id}  # only what changed
    assert summary["delta"]["deleted_tasks"] == [tasks[D1].id]
    assert summary["delta"]["base"] == base.name and summary["method"] == "paged"

    assert main(["pull", "--project", PROJECT, "-o", str(raw), "--json", str(tmp_path / "full.json"), *url]) == 0
    full = Path(json.loads((tmp_path / "full.json").read_text())["snapshot"])
    expected = _gold([full], tmp_path / "g-full")
    assert _gold([base, delta], tmp_path / "g-delta") == expected
    assert _gold(sorted(raw.glob("*.json")), tmp_path / "g-all") == expected  # deleted stays deleted
    assert _gold([base, full], tmp_path / "g-two-full") == expected  # the later full snapshot wins
    assert len(read_snapshot(full).articles) == len(articles)  # D1 deleted, one pushed
    by_id = [t["id"] for t in client.iter_tasks_by_id(int(project["id"]), [], fields="task_only", page_size=2)]
    assert by_id == sorted(t.id for t in existing_tasks(client, int(project["id"])).values())  # pages of 2, by id


def test_since_another_projects_snapshot_is_one_line(
    live_server: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = ["--url", live_server.url, "--api-key", live_server.token]
    write_jsonl(tmp_path / "c.jsonl", seed_articles()[:1])
    for title in ("delta a", "delta b"):
        assert main(["push", str(tmp_path / "c.jsonl"), "--project", title, *url]) == 0
    assert main(["pull", "--project", "delta a", "-o", str(tmp_path), "--json", str(tmp_path / "a.json"), *url]) == 0
    snapshot = json.loads((tmp_path / "a.json").read_text())["snapshot"]
    capsys.readouterr()
    assert main(["pull", "--project", "delta b", "-o", str(tmp_path), "--since", snapshot, *url]) == 2
    err = capsys.readouterr().err
    assert "is a snapshot of project 'delta a'" in err and "Traceback" not in err
    assert main(["pull", "--project", "delta a", "--since", snapshot, "--method", "export", *url]) == 2
    assert "cannot use --method export" in capsys.readouterr().err
