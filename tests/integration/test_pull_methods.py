"""``pull --method export|snapshot|paged`` against a real Label Studio: the same records, no snapshot left listed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.labelstudio.annotators import add_annotators
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.project import guidelines_html
from eventgold.labelstudio.pull import pull_snapshot, task_count
from eventgold.labelstudio.push import push_articles
from eventgold.labelstudio.snapshot import predictions_path, read_snapshot
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import Origin
from eventgold.ontology import load_ontology
from tests.conftest import LiveServer

from .scenario import annotation_for, seed_articles

pytestmark = pytest.mark.integration

TITLE = "pull methods"


@pytest.fixture(scope="module")
def annotated(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> int:
    """A project with predictions, two annotators' annotations (relations, ground truth) and a skipped task."""
    ontology = load_ontology()
    client = live_server.client()
    articles = seed_articles()
    preds = {
        a.id: [annotation_for(a, "x", 0).model_copy(update={"origin": Origin(kind="extractor", name="rules")})]
        for a in articles
    }
    result = push_articles(
        client,
        articles,
        project_title=TITLE,
        label_config=render_label_config(ontology),
        instructions=guidelines_html("# Guide"),
        ontology=ontology,
        predictions=preds,
        overlap=2,
    )
    folder = tmp_path_factory.mktemp("pull-methods")
    made = add_annotators(client, ["pm.one@example.org", "pm.two@example.org"], folder / "pw.json")
    tasks = existing_tasks(client, result.project.id)
    for variant, who in enumerate(made):
        for n, article in enumerate(articles):
            skipped = variant == 1 and n == 0
            client.post_json(
                f"/api/tasks/{tasks[article.id].id}/annotations",
                {
                    "result": []
                    if skipped
                    else annotation_to_results(annotation_for(article, who.email, variant), article.text),
                    "completed_by": who.user_id,
                    "was_cancelled": skipped,
                    "ground_truth": variant == 0 and n == 1,
                    "lead_time": 10.0 + n,
                },
            )
    return result.project.id


def _records(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    snap = read_snapshot(path)
    assert snap.problems == []
    annotations = sorted(
        (a.model_dump(mode="json") for a in snap.annotations), key=lambda a: (a["doc_id"], a["origin"]["name"])
    )
    articles = {k: v.model_dump(mode="json") for k, v in snap.articles.items()}
    predictions = sorted((p.model_dump(mode="json") for p in snap.predictions), key=lambda p: p["doc_id"])
    return annotations, articles, predictions


def test_every_method_gives_the_same_records(live_server: LiveServer, annotated: int, tmp_path: Path) -> None:
    client = live_server.client()
    pulled = {m: pull_snapshot(client, TITLE, tmp_path / m, method=m) for m in ("export", "snapshot", "paged")}
    assert {m: r.method for m, r in pulled.items()} == {m: m for m in pulled}
    export, snapshot, paged = (_records(r.path) for r in pulled.values())
    annotations, articles, predictions = export
    assert len(annotations) == 2 * len(articles) and len(predictions) == len(articles)
    assert sum(a["cancelled"] for a in annotations) == 1 and sum(a["ground_truth"] for a in annotations) == 1
    assert any(e["arguments"] for a in annotations for e in a["events"])  # relations came through
    assert snapshot == export
    assert paged == export
    # the snapshot is the synchronous export's JSON, task for task
    assert json.loads(pulled["snapshot"].path.read_bytes()) == json.loads(pulled["export"].path.read_bytes())
    assert client.export_snapshots(annotated) == []  # deleted after the download
    # the project listing gives the task count ``auto`` goes by: a small project takes the synchronous export
    assert task_count(client.find_project(TITLE) or {}) == len(articles)
    assert pull_snapshot(client, TITLE, tmp_path / "auto").method == "export"
    for result in pulled.values():
        assert predictions_path(result.path).read_bytes() == predictions_path(pulled["export"].path).read_bytes()


def test_cli_method_snapshot_leaves_no_export_behind(
    ls_env: LiveServer, annotated: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pull", "--project", TITLE, "-o", "raw", "--method", "snapshot", "--json", "pull.json"]) == 0
    summary = json.loads(Path("pull.json").read_text(encoding="utf-8"))
    assert summary["method"] == "snapshot" and summary["skipped"] == 1
    assert "(snapshot, sha256" in " ".join(capsys.readouterr().out.split())
    assert ls_env.client().export_snapshots(annotated) == []
