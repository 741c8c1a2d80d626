"""Review push without a server: conflicts files, naming, and the push against an in-memory Label Studio.

The real server round trip (adjudication winning in ``gold build``) is in
tests/integration/test_gold_loop.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventgold.commands.options import FLAGS
from eventgold.config import Connection
from eventgold.errors import InputError, RecordError, UserError
from eventgold.gold.adjudicate import Conflict, ConflictIssue
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.review import (
    META_KEY,
    REVIEW_MARKER,
    articles_from_label_studio,
    is_review_project,
    issue_summary,
    push_review,
    read_articles,
    read_conflicts,
    review_instructions,
    review_model_version,
)
from eventgold.models import LabelStudioRef
from eventgold.ontology import load_ontology

from .gold_fixtures import TEXT, ann, article, event, mention

ONTOLOGY = load_ontology()
DATA = Path(__file__).parent / "data"


def _conflict(doc_id: str = "d1", task: int | None = 7, mode_b: str = "phone") -> Conflict:
    ref = LabelStudioRef(project=1, task=task, annotation=3) if task is not None else None
    return Conflict(
        doc_id=doc_id,
        policy="majority",
        issues=[
            ConflictIssue(
                kind="event",
                field="mode",
                reason="the annotators who have the unit are split evenly",
                start=7,
                end=10,
                text="met",
                values={"ana": "visit", "ben": mode_b},
            )
        ],
        versions=[
            ann("ana", doc_id, [mention("m1", "Kazemi")], [event("e1", "met", mode="visit", actors=["m1"])],
                labelstudio=ref),
            ann("ben", doc_id, [mention("m1", "Kazemi")], [event("e1", "met", mode=mode_b, actors=["m1"])],
                labelstudio=ref),
        ],
    )


# ---------------------------------------------------------------------------
# conflicts files and names
# ---------------------------------------------------------------------------


def test_conflicts_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "conflicts.jsonl"
    write_jsonl(path, [_conflict("d1"), _conflict("d2")])
    assert [c.doc_id for c in read_conflicts(path)] == ["d1", "d2"]
    write_jsonl(path, [])
    assert read_conflicts(path) == []


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([_conflict("d1"), _conflict("d1")], "two conflict lines"),
        ([_conflict("d1").model_copy(update={"versions": []})], "no annotator versions"),
        (
            [_conflict("d1").model_copy(update={"versions": [ann("ana", "d2")]})],
            "a version is for document 'd2'",
        ),
    ],
)
def test_bad_conflicts_files_are_refused_with_their_line(
    tmp_path: Path, rows: list[Conflict], message: str
) -> None:
    path = tmp_path / "conflicts.jsonl"
    write_jsonl(path, rows)
    with pytest.raises(RecordError, match=message) as info:
        read_conflicts(path)
    assert str(path) in str(info.value)


def test_conflicts_file_that_is_no_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "conflicts.jsonl"
    path.write_text('{"doc_id": "d1"\n', encoding="utf-8")
    with pytest.raises(RecordError, match=r"conflicts\.jsonl:1: invalid JSON"):
        read_conflicts(path)


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [("annotator", "ana@example.org", "ana@example.org"), ("adjudicator", "ada", "adjudicator:ada")],
)
def test_model_version_names_the_person(kind: str, name: str, expected: str) -> None:
    assert review_model_version(ann(name, kind=kind)) == expected


def test_issue_summary_says_what_and_who() -> None:
    line = issue_summary(_conflict().issues[0])
    assert line == (
        "event 'met' mode: the annotators who have the unit are split evenly (ana: visit; ben: phone)"
    )
    missing = ConflictIssue(kind="mention", field="presence", reason="a tie", start=0, end=6, values={"a": None})
    assert issue_summary(missing) == "mention 0..6 presence: a tie (a: —)"


@pytest.mark.parametrize(
    ("description", "expected"),
    [(f"Adjudication {REVIEW_MARKER}", True), ("", False), (None, False), ("review", False)],
)
def test_review_projects_are_recognised_by_their_marker(description: str | None, expected: bool) -> None:
    assert is_review_project({"description": description}) is expected


def test_review_instructions_keep_the_guidelines() -> None:
    text = review_instructions("<h2>Guide</h2>")
    assert text.endswith("<h2>Guide</h2>") and "prediction" in text


# ---------------------------------------------------------------------------
# articles
# ---------------------------------------------------------------------------


def test_articles_from_a_corpus_or_a_snapshot(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, [article("d1")])
    assert read_articles(corpus)["d1"].text == TEXT
    snapshot = tmp_path / "snap.json"
    shutil.copy(DATA / "ls_export_golden.json", snapshot)
    assert sorted(read_articles(snapshot)) == ["000_87d7f54058e42e0b", "emoji-crlf"]


def _client(handler: Any) -> LabelStudioClient:
    return LabelStudioClient(
        Connection(url="http://ls.test", api_key="k" * 20, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        retries=0,
    )


def test_articles_come_from_the_source_tasks() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        if request.url.path == "/api/tasks/7":
            return httpx.Response(404, json={"detail": "Not found."})
        return httpx.Response(200, json={"id": 8, "data": {"doc_id": "d1", "text": TEXT, "title": "T"}})

    conflict = _conflict()
    conflict.versions[1] = conflict.versions[1].model_copy(update={"labelstudio": LabelStudioRef(task=8)})
    got = articles_from_label_studio(_client(handler), [conflict])
    assert got["d1"].text == TEXT and got["d1"].title == "T"
    assert asked == ["/api/tasks/7", "/api/tasks/8"]
    # a known article costs no request
    asked.clear()
    assert articles_from_label_studio(_client(handler), [conflict], {"d1": article("d1")})["d1"].text == TEXT
    assert asked == []


def test_articles_that_cannot_be_found_are_a_clear_error() -> None:
    def missing(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"detail": "Not found."})

    with pytest.raises(InputError, match=r"with known=read_articles\(PATH\)$") as info:
        articles_from_label_studio(_client(missing), [_conflict()])
    assert info.value.render(FLAGS).endswith("; pass the corpus or snapshot with --articles")
    with pytest.raises(InputError, match="name no Label Studio task"):
        articles_from_label_studio(_client(missing), [_conflict(task=None)])


# ---------------------------------------------------------------------------
# push_review against an in-memory Label Studio
# ---------------------------------------------------------------------------


class FakeLabelStudio:
    """Just the endpoints a review push uses, kept in dicts."""

    def __init__(self) -> None:
        self.projects: dict[int, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.predictions: dict[int, dict[str, Any]] = {}
        self.calls: list[str] = []

    def _new_id(self, table: dict[int, Any]) -> int:
        return max(table, default=0) + 1

    def handler(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        self.calls.append(f"{method} {path}")
        body: Any = json.loads(request.content) if request.content else {}
        params = request.url.params
        if path == "/api/projects" and method == "GET":
            return httpx.Response(200, json={"results": list(self.projects.values()), "next": None})
        if path == "/api/projects" and method == "POST":
            pid = self._new_id(self.projects)
            self.projects[pid] = {"id": pid, "description": "", "show_collab_predictions": False, **body}
            return httpx.Response(201, json=self.projects[pid])
        if m := re.fullmatch(r"/api/projects/(\d+)", path):
            project = self.projects[int(m.group(1))]
            if method == "PATCH":
                project.update(body)
            project["task_number"] = sum(1 for t in self.tasks.values() if t["project"] == project["id"])
            return httpx.Response(200, json=project)
        if m := re.fullmatch(r"/api/projects/(\d+)/import", path):
            ids = []
            for item in body:
                tid = self._new_id(self.tasks)
                self.tasks[tid] = {"id": tid, "project": int(m.group(1)), "data": item["data"],
                                   "meta": item.get("meta", {}), "total_annotations": 0}
                for pred in item.get("predictions", []):
                    self.predictions[self._new_id(self.predictions)] = {"task": tid, **pred}
                ids.append(tid)
            return httpx.Response(201, json={"task_ids": ids})
        if path == "/api/tasks":
            rows = [t for t in self.tasks.values() if t["project"] == int(params["project"])]
            return httpx.Response(200, json={"tasks": rows if params.get("page") == "1" else []})
        if path == "/api/predictions" and method == "GET":
            pid = int(params["project"])
            rows = [{"id": k, **p} for k, p in self.predictions.items() if self.tasks[p["task"]]["project"] == pid]
            return httpx.Response(200, json=rows)
        if path == "/api/predictions" and method == "POST":
            self.predictions[self._new_id(self.predictions)] = body
            return httpx.Response(201, json=body)
        if m := re.fullmatch(r"/api/predictions/(\d+)", path):
            self.predictions[int(m.group(1))].update(body)
            return httpx.Response(200, json=self.predictions[int(m.group(1))])
        return httpx.Response(404, json={"detail": f"no fake for {method} {path}"})


def _push(fake: FakeLabelStudio, conflicts: list[Conflict], title: str = "review", text: str = TEXT) -> Any:
    return push_review(
        _client(fake.handler),
        conflicts,
        {c.doc_id: article(c.doc_id, text) for c in conflicts},
        project_title=title,
        label_config="<View/>",
        instructions=review_instructions("guide"),
        ontology=ONTOLOGY,
        candidates=lambda a: [{"value": "kazemi_mustafa — Mustafa Al-Kazemi"}],
    )


def test_push_creates_tasks_with_every_version_then_nothing_more() -> None:
    fake = FakeLabelStudio()
    first = _push(fake, [_conflict("d1"), _conflict("d2")])
    assert (first.documents, first.created, first.predictions_added) == (2, 2, 4)
    (project,) = fake.projects.values()
    assert is_review_project(project) and project["show_collab_predictions"] is True
    task = next(t for t in fake.tasks.values() if t["data"]["doc_id"] == "d1")
    assert task["meta"][META_KEY]["versions"] == ["ana", "ben"]
    assert task["meta"][META_KEY]["issues"] == [issue_summary(_conflict().issues[0])]
    assert task["data"]["actor_candidates"] == [{"value": "kazemi_mustafa — Mustafa Al-Kazemi"}]
    versions = sorted(p["model_version"] for p in fake.predictions.values() if p["task"] == task["id"])
    assert versions == ["ana", "ben"]

    again = _push(fake, [_conflict("d1"), _conflict("d2")])
    assert (again.created, again.unchanged, again.predictions_added, again.predictions_unchanged) == (0, 2, 0, 4)
    assert len(fake.tasks) == 2 and len(fake.predictions) == 4

    changed = _push(fake, [_conflict("d1", mode_b="third-party")])
    assert (changed.predictions_updated, changed.predictions_unchanged) == (1, 1)
    assert len(fake.predictions) == 4


def test_an_annotation_project_is_never_used_for_review() -> None:
    fake = FakeLabelStudio()
    fake.projects[1] = {"id": 1, "title": "main", "description": "", "label_config": "<View/>"}
    fake.tasks[1] = {"id": 1, "project": 1, "data": {"doc_id": "x"}}
    fake.projects[1]["task_number"] = 1
    with pytest.raises(UserError, match="not an eventgold review project"):
        _push(fake, [_conflict()], title="main")
    assert len(fake.tasks) == 1


def test_an_empty_project_is_adopted_as_review_project() -> None:
    fake = FakeLabelStudio()
    fake.projects[1] = {"id": 1, "title": "empty", "description": "", "label_config": "<View/>", "task_number": 0}
    assert _push(fake, [_conflict()], title="empty").created == 1
    assert is_review_project(fake.projects[1])


def test_versions_are_checked_before_anything_is_sent() -> None:
    fake = FakeLabelStudio()
    with pytest.raises(RecordError, match="not the stored span text"):
        _push(fake, [_conflict()], text="Somebody met someone else here, in another text entirely.")
    bad = _conflict()
    bad.versions[1] = bad.versions[1].model_copy(update={"origin": bad.versions[0].origin})
    with pytest.raises(RecordError, match="same person"):
        _push(fake, [bad])
    assert fake.calls == []


def test_an_edited_article_under_a_review_task_is_refused() -> None:
    fake = FakeLabelStudio()
    _push(fake, [_conflict()])
    edited = TEXT + " More."
    with pytest.raises(UserError, match="different text"):
        _push(fake, [_conflict()], text=edited)
