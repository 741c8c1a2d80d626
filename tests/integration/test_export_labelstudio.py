"""A gold version through a real Label Studio and back: export -> push -> pull -> gold build.

``eventgold export GOLD --format labelstudio`` writes tasks.json; ``eventgold push tasks.json``
imports it into a new project (the gold as ground-truth annotations, or as predictions with
``--as-predictions``); ``pull`` and ``gold build --policy ground-truth`` must give the original
gold's units again. What Label Studio 1.23 does on import (read in its source,
``tasks/serializers.py``, and checked here): it keeps ``ground_truth`` (a missing one is taken as
true), and ``completed_by`` becomes the user whose API key imports.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.gold.adjudicate import gold_units
from eventgold.gold.dataset import read_gold_version
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import GoldDocument
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_samples
from tests.conftest import LiveServer
from tests.unit.export_fixtures import write_gold
from tests.unit.test_export_labelstudio import ORDER, carried, emoji, no_units, overlapping, spanless, units

pytestmark = pytest.mark.integration

SAMPLE = packaged_samples() / "gold" / "v1"
ONTOLOGY = load_ontology()


def _run(*args: str) -> None:
    assert main(list(args)) == 0, args


def _json_of(*args: str) -> dict[str, Any]:
    out = Path(f"out-{uuid.uuid4().hex[:8]}.json")
    _run(*args, "--json", str(out))
    payload: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return payload


def _export_and_push(gold: Path, title: str, *extra: str) -> dict[str, Any]:
    _run("export", str(gold), "-f", "labelstudio", "-o", "ls", *extra)
    return _json_of("push", "ls/tasks.json", "--project", title)


def _task_annotations(live: LiveServer, title: str) -> list[dict[str, Any]]:
    client = live.client()
    project = client.find_project(title)
    assert project is not None
    rows: list[dict[str, Any]] = []
    for task in existing_tasks(client, int(project["id"])).values():
        rows.extend(client.get_json(f"/api/tasks/{task.id}/annotations"))
    return rows


def test_gold_round_trips_as_ground_truth(ls_env: LiveServer) -> None:
    title = f"gold export {uuid.uuid4().hex[:6]}"
    original = read_gold_version(SAMPLE, ONTOLOGY)
    pushed = _export_and_push(SAMPLE, title)
    assert (pushed["created"], pushed["annotations_imported"], pushed["annotations_skipped"]) == (5, 5, 0)

    # Label Studio kept ground_truth and recorded the importing user (the admin) as the annotator
    imported = _task_annotations(ls_env, title)
    assert len(imported) == 5 and all(a["ground_truth"] is True and not a["was_cancelled"] for a in imported)
    admin = next(u["id"] for u in ls_env.client().users() if u.get("email") == ls_env.email)
    assert {a["completed_by"] for a in imported} == {admin}

    pulled = _json_of("pull", "--project", title, "-o", "raw")
    assert (pulled["tasks"], pulled["annotations"], pulled["problems"], pulled["repairs"]) == (5, 5, [], [])
    snapshot = read_snapshot(Path(pulled["snapshot"]))
    assert {(a.origin.name, a.ground_truth) for a in snapshot.annotations} == {(ls_env.email, True)}

    built = _json_of(
        "gold", "build", pulled["snapshot"], "-o", "rebuilt", "--policy", "ground-truth", "--previous", str(SAMPLE)
    )
    counts = built["manifest"]["counts"]
    assert (counts["decisions"], counts["conflicts"], counts["problems"]) == ({"ground-truth": 5}, 0, 0)
    assert built["manifest"]["splits"]["kept_from_previous"] == 5
    rebuilt = read_gold_version(Path("rebuilt"), ONTOLOGY)
    assert [d.doc_id for d in rebuilt.documents] == [d.doc_id for d in original.documents]
    by_id = {d.doc_id: d for d in rebuilt.documents}
    for doc in original.documents:
        again = by_id[doc.doc_id]
        assert units(again.mentions, again.events) == units(doc.mentions, doc.events)
        # unit ids derive from the units themselves, so they come back too; --previous kept the split
        assert (again.mentions, again.events, again.split) == (doc.mentions, doc.events, doc.split)
        assert again.article.text == doc.article.text and again.article.content_sha == doc.article.content_sha
        assert {p.decision for p in again.provenance.values()} <= {f"ground-truth:{ls_env.email}"}

    # pushing the file again into the same project adds nothing
    again_pushed = _json_of("push", "ls/tasks.json", "--project", title)
    assert (again_pushed["created"], again_pushed["unchanged"], again_pushed["annotations_imported"]) == (0, 5, 0)
    assert len(_task_annotations(ls_env, title)) == 5


def test_gold_round_trips_as_predictions(ls_env: LiveServer) -> None:
    title = f"gold predictions {uuid.uuid4().hex[:6]}"
    original = read_gold_version(SAMPLE, ONTOLOGY)
    pushed = _export_and_push(SAMPLE, title, "--as-predictions")
    assert (pushed["created"], pushed["annotations_imported"]) == (5, 0)
    assert _task_annotations(ls_env, title) == []

    pulled = _json_of("pull", "--project", title, "-o", "raw", "--predictions")
    assert (pulled["annotations"], pulled["predictions"], pulled["problems"]) == (0, 5, [])
    snapshot = read_snapshot(Path(pulled["snapshot"]))
    predictions = {p.doc_id: p for p in snapshot.predictions}
    assert {(p.origin.name, p.origin.version) for p in predictions.values()} == {("gold", "v1")}
    for doc in original.documents:
        assert gold_units(doc.doc_id, predictions[doc.doc_id], ORDER) == (doc.mentions, doc.events)


@pytest.mark.parametrize("as_predictions", [False, True], ids=["annotations", "predictions"])
def test_edge_cases_survive_label_studio(ls_env: LiveServer, tmp_path: Path, as_predictions: bool) -> None:
    """Emoji and non-ASCII offsets, overlapping and nested regions, a document without units, spanless units."""
    docs: list[GoldDocument] = sorted([*emoji(), *overlapping(), *no_units(), *spanless()], key=lambda d: d.doc_id)
    gold = write_gold(tmp_path / "gold" / "v2", docs, version="v2")
    title = f"gold edges {uuid.uuid4().hex[:6]}"
    pushed = _export_and_push(gold, title, *(["--as-predictions"] if as_predictions else []))
    assert pushed["created"] == len(docs)
    pulled = _json_of("pull", "--project", title, "-o", "raw", *(["--predictions"] if as_predictions else []))
    assert (pulled["problems"], pulled["repairs"]) == ([], [])
    expected = {d.doc_id: carried(d) for d in docs}
    if as_predictions:
        snapshot = read_snapshot(Path(pulled["snapshot"]))
        back = {p.doc_id: units(*gold_units(p.doc_id, p)) for p in snapshot.predictions}
    else:
        _run("gold", "build", pulled["snapshot"], "-o", "rebuilt", "--policy", "ground-truth")
        rebuilt = read_gold_version(Path("rebuilt"), ONTOLOGY)
        back = {d.doc_id: units(d.mentions, d.events) for d in rebuilt.documents}
    assert back == expected
