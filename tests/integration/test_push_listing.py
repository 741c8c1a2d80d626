"""``push`` against a real Label Studio lists only the tasks updated since the last push, and everything
when in doubt: the kept listing matches the server's tasks, a deletion is noticed, a changed article is
still refused or replaced."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.config import listings_path
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.convert import article_to_task_data
from eventgold.labelstudio.task_listing import ListingCache, existing_tasks
from eventgold.models import Article
from tests.conftest import LiveServer

from .scenario import seed_articles

pytestmark = pytest.mark.integration

PROJECT = "push listing"


def _push(corpus: Path, *options: str, code: int = 0) -> dict[str, Any]:
    out = corpus.with_suffix(".push.json")
    assert main(["push", str(corpus), "--project", PROJECT, "--json", str(out), *options]) == code
    return json.loads(out.read_text(encoding="utf-8")) if code == 0 else {}


def _kept(live_server: LiveServer, project_id: int) -> dict[str, int]:
    """The kept listing's ``doc_id`` -> task id."""
    record = ListingCache(listings_path()).load(live_server.url, project_id)
    assert record is not None
    return {doc_id: task_id for task_id, doc_id, _ in record["tasks"] if doc_id is not None}


def test_a_push_lists_only_what_changed_and_everything_when_in_doubt(
    ls_env: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    articles = seed_articles()
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, articles[:4])
    first = _push(corpus)
    assert (first["listing"], first["listing_note"], first["created"]) == ("full", "no earlier listing of this "
                                                                           "project", 4)
    client = ls_env.client()
    project_id = first["project"]["id"]
    tasks = {doc: t.id for doc, t in existing_tasks(client, project_id).items()}
    assert _kept(ls_env, project_id) == tasks  # the ids Label Studio gave each imported task, in order

    write_jsonl(corpus, articles)
    second = _push(corpus)
    assert (second["listing"], second["created"], second["unchanged"]) == ("incremental", 2, 4)

    client.post_json(f"/api/tasks/{tasks[articles[0].id]}/annotations", {"result": []})
    other = Article(id="pushed-elsewhere", title="Elsewhere", text="Iraq demanded that foreign forces leave.",
                    source="test")
    client.import_tasks(project_id, [{"data": article_to_task_data(other)}])  # someone else's import
    third = _push(corpus)
    assert (third["listing"], third["created"], third["unchanged"]) == ("incremental", 0, 6)
    assert _kept(ls_env, project_id) == {doc: t.id for doc, t in existing_tasks(client, project_id).items()}

    client.request("DELETE", f"/api/tasks/{tasks[articles[1].id]}")  # the counts differ: everything is listed
    fourth = _push(corpus)
    assert fourth["listing"] == "full" and fourth["listing_note"].startswith("Label Studio counts 6 task(s)")
    assert (fourth["created"], fourth["unchanged"]) == (1, 5)  # the deleted article pushed again

    changed = [Article(id=a.id, title=a.title, text=a.text + " More.", source=a.source)
               if a.id in (articles[0].id, articles[2].id) else a for a in articles]
    write_jsonl(corpus, changed)
    capsys.readouterr()
    _push(corpus, code=2)  # articles[0]'s task has an annotation: refused, from a full listing's counts
    refused = " ".join(capsys.readouterr().err.split())
    assert "2 article(s) changed text since they were pushed" in refused
    assert f"{articles[0].id} (task {tasks[articles[0].id]}, 1 annotation(s))" in refused
    write_jsonl(corpus, [a for a in changed if a.id != articles[0].id])
    fifth = _push(corpus, "--replace-unannotated")
    assert (fifth["listing"], fifth["listing_note"]) == ("full", "1 article(s) changed text: annotation counts are "
                                                                 "needed")
    assert (fifth["replaced"], fifth["created"]) == (1, 1)

    # a second task of one document, imported by hand: reported, and its article is never replaced
    twice = articles[3]
    client.import_tasks(project_id, [{"data": article_to_task_data(twice)}])
    capsys.readouterr()
    held = _push(corpus)["duplicate_tasks"]
    assert list(held) == [twice.id] and len(held[twice.id]) == 2
    assert "1 document(s) are held by several tasks of the project" in " ".join(capsys.readouterr().err.split())
    pushed = [a for a in changed if a.id != articles[0].id]
    write_jsonl(corpus, [Article(id=a.id, title=a.title, text=a.text + " Again.", source=a.source)
                         if a.id == twice.id else a for a in pushed])
    _push(corpus, "--replace-unannotated", code=2)
    ids = ", ".join(map(str, held[twice.id]))
    assert f"{twice.id} (tasks {ids}: several hold it; keep one)" in " ".join(capsys.readouterr().err.split())
    client.request("DELETE", f"/api/tasks/{held[twice.id][1]}")
    write_jsonl(corpus, pushed)

    sixth = _push(corpus, "--full-listing")
    assert (sixth["listing"], sixth["listing_note"], sixth["created"]) == ("full", "a full listing was asked for", 0)
    final = existing_tasks(client, project_id)
    assert sorted(final) == sorted([a.id for a in articles] + [other.id])
    assert _kept(ls_env, project_id) == {doc: t.id for doc, t in final.items()}
