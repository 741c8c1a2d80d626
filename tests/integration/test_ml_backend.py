"""Live pre-annotation against the real Label Studio: the `rules` extractor served as an ML backend.

Push the seed corpus without predictions, start the backend (uvicorn in a thread), connect it
(twice: one backend), have Label Studio retrieve predictions for every task through its data
manager action, and read them back: each equals what `extract -e rules` and push's conversion
give for that article. A second backend, even interactive, is not the live one (Label Studio
asks the first). A stopped backend is then reported unreachable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eventgold.cli import main
from eventgold.errors import APIError
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio import ml, ml_status
from eventgold.labelstudio.push import prediction_payload
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import Article
from eventgold.records_io import read_annotations
from tests.conftest import LiveServer, running_backend

from .scenario import seed_articles

pytestmark = pytest.mark.integration

PROJECT = "ml backend"


def _ml(args: list[str]) -> dict[str, Any]:
    """Run ``eventgold ml ARGS --json -`` (the registered verb if there is one) and decode its output."""
    from eventgold.commands.ml import app

    result = CliRunner().invoke(app, [*args, "--json", "-"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def _connect(url: str, *extra: str, project: str = PROJECT) -> dict[str, Any]:
    """``ml connect`` (the session's server is started with loopback ML backends allowed: ``server.start``)."""
    return _ml(["connect", "--project", project, "--url", url, *extra])


def test_label_studio_retrieves_the_backends_predictions(ls_env: LiveServer, tmp_path: Path) -> None:
    articles = {a.id: a for a in seed_articles()}
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, list(articles.values()))
    assert main(["push", str(corpus), "--project", PROJECT]) == 0
    assert main(["extract", str(corpus), "-e", "rules", "-o", str(tmp_path / "rules.jsonl")]) == 0
    extracted = {a.doc_id: a for a in read_annotations(tmp_path / "rules.jsonl")}
    client = ls_env.client()
    project = client.find_project(PROJECT)
    assert project is not None
    project_id = int(project["id"])

    with running_backend() as url:
        first = _connect(url)
        second = _connect(url, "--interactive")
        assert (first["created"], second["created"]) == (True, False) and first["id"] == second["id"]
        assert second["state"] == "Connected" and second["live"] and second["interactive"]
        [listed] = ml.list_backends(client, project_id)
        assert listed["url"] == url and listed["model_version"] == second["model_version"]
        [row] = _ml(["status", "--project", PROJECT])["backends"]
        assert (row["reachable"], row["state"], row["eventgold"]) == (True, "Connected", True)

        assert ml_status.retrieve_predictions(client, PROJECT) == len(articles)
        assert _ml(["retrieve", "--project", PROJECT])["tasks_with_prediction"] == len(articles)  # none added

        # a second backend connected without --interactive leaves the live one as it was, also once removed
        with running_backend("gazetteer") as other:
            extra = _connect(other, "--title", "gazetteer")
            assert not extra["live"] and client.project(project_id)["model_version"] == second["title"]
            assert _ml(["disconnect", "--project", PROJECT, "--url", other])["removed"] == 1
        assert client.project(project_id)["model_version"] == second["title"]

        # a second backend connected --interactive is not live either: Label Studio asks the first (lowest id)
        with running_backend("gazetteer") as other:
            shadowed = _connect(other, "--title", "gazetteer", "--interactive")
            assert client.project(project_id)["model_version"] == "gazetteer"
            assert not shadowed["live"] and shadowed["live_backend"]["id"] == second["id"]
            rows = _ml(["status", "--project", PROJECT])["backends"]
            assert [(r["id"], r["live"]) for r in rows] == [(second["id"], True), (shadowed["id"], False)]
            task = client.get_json(f"/api/projects/{project_id}/next/")  # what an annotator opens
            assert {p["model_version"] for p in task["predictions"]} == {second["model_version"]}
            assert _ml(["disconnect", "--project", PROJECT, "--url", other])["removed"] == 1

    version = second["model_version"]
    assert version.startswith("rules@")
    tasks = existing_tasks(client, project_id)
    data = {t["id"]: t["data"] for t in client.iter_tasks(project_id, fields="all")}
    by_task: dict[int, list[dict[str, Any]]] = {}
    for prediction in client.get_json("/api/predictions/", project=project_id):
        by_task.setdefault(int(prediction["task"]), []).append(prediction)
    for doc_id, task in tasks.items():
        [got] = by_task[task.id]
        article: Article = articles[doc_id]
        want = prediction_payload(extracted[doc_id], article, data[task.id].get("actor_candidates") or [])
        assert got["model_version"] == version == want["model_version"], doc_id
        assert got["result"] == want["result"], doc_id
    assert any(a.mentions for a in extracted.values())  # the comparison is not vacuous

    # the backend is stopped now: Label Studio says so, and so does this machine
    [down] = _ml(["status", "--project", PROJECT])["backends"]
    assert (down["reachable"], down["state"], down["reachable_from_here"]) == (False, "Disconnected", False)
    assert _ml(["disconnect", "--project", PROJECT])["removed"] == 1
    assert _ml(["status", "--project", PROJECT])["backends"] == []
    assert client.get_json("/api/webhooks/", project=project_id) == []


def test_a_backend_with_a_key_needs_it(ls_env: LiveServer, tmp_path: Path) -> None:
    key = "integration-backend-key-7"
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, seed_articles()[:1])
    assert main(["push", str(corpus), "--project", "ml backend key"]) == 0
    with running_backend(api_key=key) as url:
        with pytest.raises(APIError, match="refused Label Studio's credentials") as caught:
            _connect(url, project="ml backend key")
        assert key not in str(caught.value)
        info = _connect(url, "--backend-api-key", key, project="ml backend key")
        assert info["auth"] and info["state"] == "Connected" and key not in json.dumps(info)
        assert ml_status.retrieve_predictions(ls_env.client(), "ml backend key") == 1
    assert _ml(["disconnect", "--project", "ml backend key", "--url", url])["removed"] == 1
