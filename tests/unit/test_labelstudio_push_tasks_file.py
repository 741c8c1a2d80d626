"""``eventgold push tasks.json``: a Label Studio tasks file as push input (the ``export --format labelstudio`` output).

No server: the push goes to an in-memory Label Studio (httpx's MockTransport) through the real
command, which keeps the import bodies as sent, so what is tested is that ``push`` sends exactly
the file's tasks (data, annotations with ``ground_truth``, predictions), idempotently, and that
bad tasks files are refused in one line before any server is contacted.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventgold.cli import main
from eventgold.config import Connection
from eventgold.errors import RecordError, UserError
from eventgold.export.labelstudio import TASKS_FILE
from eventgold.export.run import export_gold
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.tasks_file import is_tasks_file, read_tasks_file

from .export_fixtures import ONTOLOGY, write_gold
from .test_export_labelstudio import emoji, load_tasks, no_units, overlapping


class FakeLabelStudio:
    """The endpoints a push uses; keeps the import bodies as sent."""

    def __init__(self) -> None:
        self.projects: dict[int, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}
        self.imported: list[dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        body: Any = json.loads(request.content) if request.content else {}
        if path == "/api/projects" and method == "GET":
            return httpx.Response(200, json={"results": list(self.projects.values()), "next": None})
        if path == "/api/projects" and method == "POST":
            pid = len(self.projects) + 1
            self.projects[pid] = {"id": pid, **body}
            return httpx.Response(201, json=self.projects[pid])
        if (m := re.fullmatch(r"/api/projects/(\d+)", path)) and method == "PATCH":
            self.projects[int(m.group(1))].update(body)
            return httpx.Response(200, json=self.projects[int(m.group(1))])
        if (m := re.fullmatch(r"/api/projects/(\d+)/model-versions", path)) and method == "GET":
            versions = Counter(
                p["model_version"] for t in self.tasks.values() if t["project"] == int(m.group(1))
                for p in t["predictions"]
            )  # fmt: skip
            return httpx.Response(200, json=dict(versions))
        if path == "/api/predictions" and method == "GET":
            task = self.tasks[int(request.url.params["task"])]
            return httpx.Response(200, json=task["predictions"])
        if m := re.fullmatch(r"/api/projects/(\d+)/import", path):
            self.imported.extend(body)
            ids = []
            for item in body:
                tid = len(self.tasks) + 1
                n = len(item.get("annotations", []))
                self.tasks[tid] = {
                    "id": tid,
                    "project": int(m.group(1)),
                    "data": item["data"],
                    "total_annotations": n,
                    "predictions": item.get("predictions", []),
                }
                ids.append(tid)
            return httpx.Response(201, json={"task_ids": ids})
        if path == "/api/tasks":
            rows = [t for t in self.tasks.values() if t["project"] == int(request.url.params["project"])]
            if "query" in request.url.params:  # the data manager's predictions_model_versions not_contains filter
                (item,) = json.loads(request.url.params["query"])["filters"]["items"]
                rows = [t for t in rows if not any(v in p["model_version"] for p in t["predictions"]
                                                   for v in item["value"])]
            return httpx.Response(200, json={"tasks": rows if request.url.params.get("page") == "1" else []})
        return httpx.Response(404, json={"detail": f"no fake for {method} {path}"})


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeLabelStudio:
    from eventgold.commands import labelstudio as ls_commands

    server = FakeLabelStudio()

    def client(_url: str | None, _api_key: str | None) -> LabelStudioClient:
        return LabelStudioClient(
            Connection(url="http://ls.test", api_key="k" * 20, source="test"),
            http=httpx.Client(transport=httpx.MockTransport(server.handler)),
            retries=0,
        )

    monkeypatch.setattr(ls_commands, "open_client", client)
    return server


@pytest.mark.parametrize("as_predictions", [False, True], ids=["annotations", "predictions"])
def test_push_sends_exactly_the_exported_tasks(
    tmp_path: Path, fake: FakeLabelStudio, as_predictions: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = [*overlapping(), *emoji(), *no_units()]
    gold = write_gold(tmp_path / "gold" / "v1", docs)
    export_gold(gold, "labelstudio", tmp_path / "ls", as_predictions=as_predictions)
    tasks_json = tmp_path / "ls" / TASKS_FILE
    out = tmp_path / "push.json"
    assert main(["push", str(tasks_json), "--project", "gold v1", "--json", str(out)]) == 0
    assert fake.imported == load_tasks(tmp_path / "ls")  # same data, same result JSON, ground truth kept
    payload = json.loads(out.read_text())
    assert payload["created"] == 3
    assert payload["annotations_imported"] == (0 if as_predictions else 3) and payload["annotations_skipped"] == 0
    capsys.readouterr()
    assert main(["push", str(tasks_json), "--project", "gold v1", "--json", str(out)]) == 0  # idempotent
    payload = json.loads(out.read_text())
    assert (payload["created"], payload["unchanged"], payload["annotations_imported"]) == (0, 3, 0)
    assert payload["annotations_skipped"] == 0 and len(fake.imported) == 3
    assert "warning" not in capsys.readouterr().err


def test_push_of_a_tasks_file_into_a_project_pushed_from_the_corpus(
    tmp_path: Path, fake: FakeLabelStudio, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = overlapping()
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, [d.article for d in docs])
    assert main(["push", str(corpus), "--project", "p"]) == 0
    export_gold(write_gold(tmp_path / "gold", docs), "labelstudio", tmp_path / "ls")
    capsys.readouterr()
    out = tmp_path / "push.json"
    assert main(["push", str(tmp_path / "ls" / TASKS_FILE), "--project", "p", "--json", str(out)]) == 0
    payload = json.loads(out.read_text())
    assert (payload["unchanged"], payload["annotations_imported"], payload["annotations_skipped"]) == (1, 0, 1)
    err = " ".join(capsys.readouterr().err.split())
    assert "warning: 1 annotation(s)" in err and "already exist" in err


def test_tasks_file_keeps_its_candidates_and_other_files_get_the_dictionarys(tmp_path: Path) -> None:
    text = "Pompeo met Al-Kazemi."
    tasks = [
        {"data": {"doc_id": "a", "text": text, "actor_candidates": [{"value": "x — X"}]}},
        {"data": {"doc_id": "b", "text": text}},
    ]
    path = tmp_path / "t.json"
    path.write_text(json.dumps(tasks))
    read = read_tasks_file(path, ONTOLOGY)
    pick = read.candidates_or(lambda _a: [{"value": "dict — D"}])
    assert pick(read.articles["a"]) == [{"value": "x — X"}]
    assert pick(read.articles["b"]) == [{"value": "dict — D"}]
    assert is_tasks_file(path) and not is_tasks_file(tmp_path / "corpus.jsonl")


def _region(start: int, end: int, text: str, label: str, rid: str = "r1") -> dict[str, Any]:
    value = {"start": start, "end": end, "text": text, "labels": [label]}
    return {"id": rid, "from_name": "actor", "to_name": "text", "type": "labels", "value": value}


def _one_task(kind: str, region: dict[str, Any]) -> str:
    return json.dumps([{"data": {"doc_id": "a", "text": "Iraq"}, kind: [{"result": [region]}]}])


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ("{}", UserError, "expected a JSON list of Label Studio tasks"),
        ("[1]", UserError, "expected a JSON list of Label Studio tasks"),
        ('[{"data": {"doc_id": "a", "text": "x"}}] trailing', UserError, "not valid JSON"),
        ('[{"data": {"doc_id": "a", "text": "x"}, "annotations": [{"lead_time": NaN, "result": []}]}]',
         UserError, "NaN is not a JSON number"),
        ('[{"data": {"text": "x"}}]', RecordError, r"task #1.*no data.doc_id"),
        ('[{"data": {"doc_id": "a", "text": "x"}}, {"data": {"doc_id": "a", "text": "y"}}]',
         RecordError, r"task #2.*two tasks hold this document id"),
        ('[{"data": {"doc_id": "a", "text": "x", "actor_candidates": ["IRQ"]}}]',
         RecordError, "actor_candidates must be a list"),
        (_one_task("annotations", _region(0, 9, "Iraqxxxxx", "STATE")), RecordError, r"task #1.*document 'a'"),
        (_one_task("predictions", _region(0, 4, "Iraq", "NOT_A_TYPE")), RecordError, r"task #1.*NOT_A_TYPE"),
    ],
    ids=["object", "not-tasks", "bad-json", "nan", "no-doc-id", "doc-twice", "candidates", "bad-offsets", "label"],
)
def test_bad_tasks_files_are_refused(tmp_path: Path, content: str, error: type[Exception], message: str) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(content)
    with pytest.raises(error, match=message) as caught:
        read_tasks_file(path, ONTOLOGY)
    assert "\n" not in str(caught.value)


def test_push_of_a_bad_tasks_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tasks.json"
    path.write_text('[{"data": {"doc_id": "a", "text": "x"}}, {"data": {"doc_id": "a", "text": "y"}}]')
    assert main(["push", str(path), "--project", "p"]) == 2  # refused before any server is contacted
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "two tasks hold this document id" in err[0]
