"""What `push` reports: predictions imported with new tasks vs added to existing ones; refusal advice."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventgold.cli import main
from eventgold.commands.options import FLAGS
from eventgold.config import Connection
from eventgold.errors import UserError
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.push import push_articles
from eventgold.models import Article, DocumentAnnotation, Origin
from eventgold.ontology import load_ontology

from .test_labelstudio_push_only_ids import STORIES, FakeLabelStudio


class PredictingLabelStudio(FakeLabelStudio):
    """The fake server, also keeping predictions (imported with tasks, or posted to one)."""

    def __init__(self) -> None:
        super().__init__()
        self.predictions: list[dict[str, Any]] = []
        self.prediction_lookups = 0
        """``GET /api/predictions?task=`` requests (one a task: the slow way)."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        if path == "/api/tasks" and "query" in request.url.params:  # the data manager's filter, as Label Studio
            (item,) = json.loads(request.url.params["query"])["filters"]["items"]
            assert (item["filter"], item["operator"]) == ("filter:tasks:predictions_model_versions", "not_contains")
            having = {p["task"] for p in self.predictions if any(v in p["model_version"] for v in item["value"])}
            rows = super().handler(request).json()["tasks"]
            return httpx.Response(200, json={"tasks": [t for t in rows if t["id"] not in having]})
        if re.fullmatch(r"/api/projects/\d+/import", path):
            first = len(self.tasks) + 1
            for offset, item in enumerate(json.loads(request.content)):
                for pred in item.get("predictions", []):
                    self.predictions.append({"task": first + offset, **pred})
        if re.fullmatch(r"/api/projects/\d+/model-versions", path):
            return httpx.Response(200, json={p["model_version"]: 1 for p in self.predictions})
        if path == "/api/predictions" and method == "GET":
            self.prediction_lookups += 1
            task = int(request.url.params["task"])
            return httpx.Response(200, json=[p for p in self.predictions if p["task"] == task])
        if path == "/api/predictions" and method == "POST":
            self.predictions.append(json.loads(request.content))
            return httpx.Response(201, json={"id": len(self.predictions)})
        return super().handler(request)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> PredictingLabelStudio:
    from eventgold.commands import labelstudio as ls_commands

    fake = PredictingLabelStudio()
    monkeypatch.setattr(ls_commands, "open_client", lambda _u, _k: _client(fake))
    return fake


def _client(fake: FakeLabelStudio) -> LabelStudioClient:
    return LabelStudioClient(
        Connection(url="http://ls.test", api_key="k" * 20, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(fake.handler)),
        retries=0,
    )


def _articles() -> list[Article]:
    return [Article(id=f"d{i}", text=text) for i, text in enumerate(STORIES[:3])]


def _predictions(path: Path, name: str, ids: list[str]) -> Path:
    write_jsonl(path, [DocumentAnnotation(doc_id=i, origin=Origin(kind="extractor", name=name)) for i in ids])
    return path


def test_push_reports_predictions_imported_with_new_tasks_and_added_to_existing(
    server: PredictingLabelStudio, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    articles = _articles()
    write_jsonl(corpus, articles[:2])
    ids = [a.id for a in articles]
    rules = _predictions(tmp_path / "rules.jsonl", "rules", ids[:2])
    args = ["push", str(corpus), "--predictions", str(rules), "--project", "NEW", "--json", str(tmp_path / "s.json")]
    assert main(args) == 0
    summary = json.loads((tmp_path / "s.json").read_text())
    assert (summary["created"], summary["predictions_imported"], summary["predictions_added"]) == (2, 2, 0)
    out = " ".join(capsys.readouterr().out.split())
    assert "2 task(s) created" in out and "2 prediction(s) imported with new tasks, 0 added to existing tasks" in out
    # a third article and a second extractor: 1 new task with 2 predictions, 2 existing tasks get 1 each
    write_jsonl(corpus, articles)
    rules = _predictions(tmp_path / "rules.jsonl", "rules", ids)
    gaz = _predictions(tmp_path / "gaz.jsonl", "gazetteer", ids)
    assert main([*args, "--predictions", str(gaz)]) == 0
    summary = json.loads((tmp_path / "s.json").read_text())
    assert (summary["created"], summary["predictions_imported"], summary["predictions_added"]) == (1, 2, 2)
    assert "2 prediction(s) imported with new tasks, 2 added to existing tasks" in " ".join(
        capsys.readouterr().out.split()
    )
    assert len(server.predictions) == 6


@pytest.mark.parametrize(
    ("annotated", "replace_unannotated", "suggests_flag"),
    [(False, False, True), (True, False, False), (True, True, False)],
)
def test_refused_change_suggests_the_flag_only_when_it_was_not_given_and_would_help(
    annotated: bool, replace_unannotated: bool, suggests_flag: bool
) -> None:
    fake = FakeLabelStudio()
    ontology = load_ontology()
    kwargs: dict[str, Any] = {"project_title": "p", "label_config": render_label_config(ontology),
                              "instructions": "", "ontology": ontology}
    client = _client(fake)
    (article,) = _articles()[:1]
    push_articles(client, [article], **kwargs)
    if annotated:
        next(iter(fake.tasks.values()))["total_annotations"] = 1
    changed = Article(id=article.id, text=article.text + " Edited.")
    with pytest.raises(UserError, match="changed text") as info:
        push_articles(client, [changed], replace_unannotated=replace_unannotated, **kwargs)
    message, cli_message = str(info.value), info.value.render(FLAGS)
    assert ("use replace_unannotated=True to replace" in message) == suggests_flag
    assert ("use --replace-unannotated to replace" in cli_message) == suggests_flag
    if not suggests_flag:
        assert "new project (project_title)" in message
        assert "new project (--project)" in cli_message


@pytest.mark.parametrize(
    ("first", "lookups"),
    [
        pytest.param(["rules", "other", "other"], 0, id="one-filtered-listing"),
        pytest.param(["rules", "rules-v2", "other"], 3, id="a-version-within-another-looks-per-task"),
    ],
)
def test_repush_adds_a_prediction_only_to_the_tasks_lacking_its_version(first: list[str], lookups: int) -> None:
    fake = PredictingLabelStudio()
    ontology = load_ontology()
    kwargs: dict[str, Any] = {"project_title": "p", "label_config": render_label_config(ontology),
                              "instructions": "", "ontology": ontology}
    client = _client(fake)
    articles = _articles()

    def preds(names: list[str]) -> dict[str, list[DocumentAnnotation]]:
        return {a.id: [DocumentAnnotation(doc_id=a.id, origin=Origin(kind="extractor", name=n))]
                for a, n in zip(articles, names, strict=True)}

    push_articles(client, articles, predictions=preds(first), **kwargs)
    result = push_articles(client, articles, predictions=preds(["rules"] * 3), **kwargs)
    assert (result.unchanged, result.predictions_added) == (3, 2)  # the 2nd task's "rules-v2" is not "rules"
    versions = {t: sorted(p["model_version"] for p in fake.predictions if p["task"] == t) for t in (1, 2, 3)}
    assert versions == {1: ["rules"], 2: sorted([first[1], "rules"]), 3: ["other", "rules"]}
    assert fake.prediction_lookups == lookups
    assert push_articles(client, articles, predictions=preds(["rules"] * 3), **kwargs).predictions_added == 0


@pytest.mark.parametrize("batch_size", [1, 2, 3, 5])
def test_batches_are_imported_in_corpus_order_with_payloads_built_ahead(batch_size: int) -> None:
    fake = PredictingLabelStudio()
    ontology = load_ontology()
    articles = _articles()
    shown: list[list[str]] = []

    def progress(batches: Any, total: int) -> Any:
        for batch in batches:
            shown.append([a.id for a in batch])
            yield batch

    preds = {a.id: [DocumentAnnotation(doc_id=a.id, origin=Origin(kind="extractor", name="rules"))] for a in articles}
    result = push_articles(_client(fake), articles, project_title="p", label_config=render_label_config(ontology),
                           instructions="", ontology=ontology, predictions=preds, batch_size=batch_size,
                           progress=progress)
    ids = [a.id for a in articles]
    assert (result.created, result.predictions_imported) == (3, 3)
    assert [fake.tasks[t]["data"]["doc_id"] for t in sorted(fake.tasks)] == ids
    assert shown == [ids[i : i + batch_size] for i in range(0, 3, batch_size)]
    assert sorted(p["task"] for p in fake.predictions) == [1, 2, 3]
