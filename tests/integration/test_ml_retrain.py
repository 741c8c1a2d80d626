"""``eventgold ml-backend --retrain N`` against the real Label Studio: annotations in, a retrained model served.

A tiny model trained from the packaged sample gold is served by the real CLI (a subprocess),
connected to a project holding the sample's articles; annotations posted through Label
Studio's API reach the backend as webhooks; after N of them the backend pulls the project,
builds a gold version, trains a candidate and swaps it in (it is not worse on dev: same
documents, same settings). Label Studio then retrieves the new model's predictions.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventgold.cli import main
from eventgold.gold.dataset import read_gold_version
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio import server
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import DocumentAnnotation, Origin
from eventgold.resources import packaged_samples
from tests.conftest import LiveServer
from tests.unit.extras import NEEDS_SPACY

pytestmark = pytest.mark.integration
spacy = pytest.importorskip("spacy", reason=NEEDS_SPACY)

PROJECT = "ml retrain"
SAMPLE = packaged_samples() / "gold" / "v1"
RUN_CLI = "import sys; from eventgold.cli import main; sys.exit(main(sys.argv[1:]))"


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from eventgold.training.api import train
    from eventgold.training.spans import SpanModelSettings

    out = tmp_path_factory.mktemp("retrain") / "models" / "tiny"
    train(SAMPLE, out, settings=SpanModelSettings.tiny(), seed=0)
    return out


@pytest.fixture()
def backend(model: Path, live_server: LiveServer, tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    """The real ``eventgold ml-backend -e model:... --retrain 5`` on a free port: its URL, retrain folder and log."""
    port = server.free_port()
    folder = tmp_path / "retrain"
    log = tmp_path / "backend.log"
    env = {**os.environ, "LABEL_STUDIO_API_KEY": live_server.token}
    cmd = [
        sys.executable, "-c", RUN_CLI, "ml-backend", "-e", f"model:{model}", "--port", str(port),
        "--retrain", "5", "--retrain-dir", str(folder), "--retrain-gold", str(SAMPLE), "--ls-url", live_server.url,
        "--log-level", "info",
    ]  # fmt: skip
    proc = server.spawn(cmd, log, env, tmp_path, what="the ML backend")
    url = f"http://127.0.0.1:{port}"
    try:
        server.wait_healthy(url, "the ML backend", str(log), 60, proc)
        yield url, folder, log
    finally:
        server.terminate(proc.pid)


def wait_for_rounds(folder: Path, count: int, timeout: float) -> list[dict[str, Any]]:
    path = folder / "rounds.jsonl"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file():
            rounds = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
            if len(rounds) >= count:
                return rounds
        time.sleep(0.5)
    raise AssertionError(f"no retraining round recorded in {path} within {timeout} s")


def test_new_annotations_retrain_the_served_model_and_label_studio_gets_its_predictions(
    backend: tuple[str, Path, Path], live_server: LiveServer, tmp_path: Path
) -> None:
    url, folder, log = backend
    gold = read_gold_version(SAMPLE).documents
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, [d.article for d in gold])
    ls = ["--url", live_server.url, "--api-key", live_server.token]
    assert main(["push", str(corpus), "--project", PROJECT, *ls]) == 0
    ls_flags = ["--ls-url", live_server.url, "--api-key", live_server.token]
    assert main(["ml", "connect", "--project", PROJECT, "--url", url, "--interactive", *ls_flags]) == 0
    before = httpx.get(f"{url}/health").json()["model_version"]
    assert before.startswith("model:tiny@")

    client = live_server.client()
    project = client.find_project(PROJECT)
    assert project is not None
    tasks = existing_tasks(client, int(project["id"]))
    for doc in gold:  # five annotations: the fifth webhook starts a round
        ann = DocumentAnnotation(
            doc_id=doc.article.id, origin=Origin(kind="annotator", name="x"), mentions=doc.mentions, events=doc.events
        )
        client.post_json(
            f"/api/tasks/{tasks[doc.article.id].id}/annotations",
            {"result": annotation_to_results(ann, doc.article.text)},
        )

    (done,) = wait_for_rounds(folder, 1, timeout=240)
    assert done["outcome"] == "accepted", done["message"]
    assert (done["project_id"], done["gold"], done["model"]) == (int(project["id"]), "gold/r1", "models/tiny-r1")
    assert (folder / "raw" / done["snapshot"]).is_file()  # the project's pull, as `eventgold pull` writes it
    pulled = read_gold_version(folder / "gold" / "r1").documents
    assert sorted(d.article.id for d in pulled) == sorted(d.article.id for d in gold)
    after = httpx.get(f"{url}/health").json()["model_version"]
    assert after.startswith("model:tiny-r1@") and after != before

    assert main(["ml", "retrieve", "--project", PROJECT, *ls_flags]) == 0
    predictions = client.get_json("/api/predictions", project=int(project["id"]))
    assert {p["model_version"] for p in predictions} >= {after}
    text = log.read_text()
    assert "retraining after every 5 new annotations of a project" in text
    assert "retraining round 1" in text and "now serving model:tiny-r1" in text
    splits = {d.article.id: d.split for d in gold}
    assert {d.article.id: d.split for d in pulled} == splits  # --retrain-gold: the model's splits kept
    assert live_server.token not in text
