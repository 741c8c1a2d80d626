"""The Label Studio loop against a real server: push, predictions, annotators, pull, resume."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.errors import LabelStudioError, UserError
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio import server
from eventgold.labelstudio.annotators import add_annotators
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.project import guidelines_html
from eventgold.labelstudio.pull import pull_snapshot, verify_snapshot
from eventgold.labelstudio.push import push_articles
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import DocumentAnnotation, Origin
from eventgold.ontology import load_ontology
from tests.conftest import LiveServer

from .scenario import annotation_for, seed_articles

pytestmark = pytest.mark.integration

ONTOLOGY = load_ontology()
XML = render_label_config(ONTOLOGY)


def _push(live: LiveServer, title: str, articles: list[Any], **kw: Any) -> Any:
    return push_articles(
        live.client(),
        articles,
        project_title=title,
        label_config=XML,
        instructions=guidelines_html("# Guide\n\nTag **actors**."),
        ontology=ONTOLOGY,
        **kw,
    )


def _strip(annotation: DocumentAnnotation) -> dict[str, Any]:
    data = annotation.model_dump(exclude={"labelstudio", "created", "lead_time", "origin", "ground_truth"})
    return data


def test_server_accepts_the_rendered_label_config(live_server: LiveServer) -> None:
    result = _push(live_server, "config check", [])
    project = live_server.client().project(result.project.id)
    assert project["label_config"].strip() == XML.strip()
    assert project["show_instruction"] is True
    assert "<b>actors</b>" in project["expert_instruction"]


def test_push_twice_creates_no_duplicates(live_server: LiveServer) -> None:
    articles = seed_articles()
    first = _push(live_server, "push twice", articles, overlap=2)
    assert first.created == len(articles)
    second = _push(live_server, "push twice", articles, overlap=2)
    assert (second.created, second.unchanged) == (0, len(articles))
    tasks = existing_tasks(live_server.client(), first.project.id)
    assert sorted(tasks) == sorted(a.id for a in articles)
    project = live_server.client().project(first.project.id)
    assert project["maximum_annotations"] == 2


def test_changed_text_is_refused_unless_unannotated_and_asked(live_server: LiveServer) -> None:
    articles = seed_articles()[:2]
    result = _push(live_server, "changed text", articles)
    edited = [articles[0].model_copy(update={"text": articles[0].text + " Edited.", "content_sha": ""})]
    edited = [type(articles[0]).model_validate(edited[0].model_dump())]
    with pytest.raises(UserError, match="changed text"):
        _push(live_server, "changed text", edited)
    replaced = _push(live_server, "changed text", edited, replace_unannotated=True)
    assert (replaced.created, replaced.replaced) == (1, 1)
    tasks = existing_tasks(live_server.client(), result.project.id)
    assert tasks[articles[0].id].content_sha == edited[0].content_sha
    # now annotate it: a further change is refused even with the flag
    client = live_server.client()
    client.post_json(f"/api/tasks/{tasks[articles[0].id].id}/annotations", {"result": []})
    again = [type(articles[0]).model_validate({**edited[0].model_dump(), "text": "x", "content_sha": ""})]
    with pytest.raises(UserError, match="annotation"):
        _push(live_server, "changed text", again, replace_unannotated=True)


def test_predictions_come_back_as_extractor_annotations(live_server: LiveServer) -> None:
    articles = seed_articles()
    preds = {}
    for a in articles:
        ann = annotation_for(a, "x", 0)
        preds[a.id] = [ann.model_copy(update={"origin": Origin(kind="extractor", name="rules", version="0.1")})]
    result = _push(live_server, "with predictions", articles, predictions=preds)
    pulled = pull_snapshot(live_server.client(), "with predictions", live_server.data_dir / "raw")  # by default
    assert pulled.predictions == len(articles)
    snap = read_snapshot(pulled.path)
    assert snap.problems == []
    assert len(snap.predictions) == len(articles) and snap.predictions_not_fetched == 0
    # without them, the export still lists each prediction by id: counted, so the summary can say so
    skipped = pull_snapshot(
        live_server.client(), "with predictions", live_server.data_dir / "raw", with_predictions=False
    )
    assert skipped.predictions is None
    without = read_snapshot(skipped.path)
    assert without.predictions == [] and without.predictions_not_fetched == len(articles)
    for got in snap.predictions:
        assert got.origin == Origin(kind="extractor", name="rules", version="0.1")
        want = preds[got.doc_id][0]
        assert _strip(got) == _strip(want)
    # a second push with the same predictions adds nothing
    again = _push(live_server, "with predictions", articles, predictions=preds)
    assert (again.created, again.predictions_added) == (0, 0)
    assert result.created == len(articles)


def test_two_annotators_round_trip_exactly(live_server: LiveServer, tmp_path: Path) -> None:
    client = live_server.client()
    articles = seed_articles()
    result = _push(live_server, "two annotators", articles, overlap=2)
    made = add_annotators(client, ["ann.one@example.org", "ann.two@example.org"], tmp_path / "pw.json")
    assert all(a.user_id for a in made)
    assert (tmp_path / "pw.json").stat().st_mode & 0o777 == 0o600
    tasks = existing_tasks(client, result.project.id)
    expected: dict[tuple[str, str], DocumentAnnotation] = {}
    for variant, who in enumerate(made):
        for article in articles:
            ann = annotation_for(article, who.email, variant)
            expected[(article.id, who.email)] = ann
            client.post_json(
                f"/api/tasks/{tasks[article.id].id}/annotations",
                {
                    "result": annotation_to_results(ann, article.text),
                    "completed_by": who.user_id,
                    "lead_time": 30.5 + variant,
                    "ground_truth": variant == 0 and article.id.startswith("000"),
                },
            )
    pulled = pull_snapshot(client, "two annotators", tmp_path / "raw")
    assert verify_snapshot(pulled.path)
    snap = read_snapshot(pulled.path)
    assert snap.problems == []
    assert len(snap.annotations) == 2 * len(articles)
    for got in snap.annotations:
        want = expected[(got.doc_id, got.origin.name)]
        assert _strip(got) == _strip(want), got.doc_id
        assert got.origin.kind == "annotator"
        assert got.lead_time in (30.5, 31.5)
        assert got.ground_truth == (got.lead_time == 30.5 and got.doc_id.startswith("000"))
        article = snap.articles[got.doc_id]
        for m in got.mentions:
            assert article.text[m.start : m.end] == m.text  # type: ignore[index]
    emoji = snap.articles["emoji-crlf"]
    assert "\r\n" in emoji.text and "😀" in emoji.text
    # pulling again never overwrites
    second = pull_snapshot(client, "two annotators", tmp_path / "raw")
    assert second.path != pulled.path and pulled.path.exists()


def test_cli_push_pull_and_annotators(ls_env: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, seed_articles()[:3])
    assert main(["push", str(corpus), "--project", "cli loop", "--json", "out.json"]) == 0
    assert json.loads(Path("out.json").read_text())["created"] == 3
    assert main(["push", str(corpus), "--project", "cli loop", "--json", "out.json"]) == 0
    assert json.loads(Path("out.json").read_text())["created"] == 0
    assert main(["annotators", "add", "cli.ann@example.org"]) == 0
    out = capsys.readouterr()
    assert ls_env.token not in out.out + out.err
    # the new annotator annotates two tasks: `annotators list` counts them (not 0)
    client = ls_env.client()
    project = client.find_project("cli loop")
    assert project is not None
    tasks = existing_tasks(client, int(project["id"]))
    user_id = {str(u["email"]): int(u["id"]) for u in client.users()}["cli.ann@example.org"]
    for article in seed_articles()[:2]:
        ann = annotation_for(article, "cli.ann@example.org", 0)
        client.post_json(
            f"/api/tasks/{tasks[article.id].id}/annotations",
            {"result": annotation_to_results(ann, article.text), "completed_by": user_id},
        )
    # the cheap listing (no annotation bodies) names the annotators on this server: no fallback needed
    cheap = list(client.iter_tasks(int(project["id"]), fields="task_only", review="true"))
    assert sorted(uid for task in cheap for uid in task["annotators"]) == [user_id, user_id]
    assert all("annotations" not in task for task in cheap)
    assert main(["annotators", "list", "--json", "ann.json"]) == 0
    listed = {a["email"]: a for a in json.loads(Path("ann.json").read_text())["annotators"]}
    assert (listed["cli.ann@example.org"]["tasks_done"], listed["cli.ann@example.org"]["by_project"]) == (
        2,
        {"cli loop": 2},
    )
    assert main(["annotators", "list"]) == 0
    assert "cli.ann@example.org" in capsys.readouterr().out
    assert main(["pull", "--project", "cli loop", "-o", "raw", "--json", "pull.json"]) == 0
    summary = json.loads(Path("pull.json").read_text())
    assert summary["tasks"] == 3 and summary["schema_version"]
    assert summary["predictions_fetched"] == 0 and summary["predictions_not_fetched"] == 0  # pushed without any
    assert "fetched 0 predictions" in " ".join(capsys.readouterr().out.split())
    assert main(["pull", "--project", "cli loop", "-o", "raw", "--no-predictions", "--json", "pull.json"]) == 0
    assert json.loads(Path("pull.json").read_text())["predictions_fetched"] is None
    assert main(["pull", "--project", "no such project"]) == 2


def test_killed_server_mid_push_resumes_without_duplicates(live_server: LiveServer) -> None:
    articles = [a.model_copy(update={"id": f"{a.id}-{i}"}) for i in range(40) for a in seed_articles()[:5]]
    title = "resume after kill"
    seen_batches: list[int] = []
    killed = threading.Event()

    def progress(batches: Any, total: int) -> Any:
        for i, batch in enumerate(batches):
            seen_batches.append(i)
            if i == 2 and not killed.is_set():
                server.stop(live_server.data_dir)
                killed.set()
            yield batch

    with pytest.raises(LabelStudioError, match=r"(?i)reach|refused|broke"):
        _push(live_server, title, articles, batch_size=20, progress=progress)
    assert killed.is_set()
    live_server.restart()
    result = _push(live_server, title, articles, batch_size=20)
    tasks = existing_tasks(live_server.client(), result.project.id)
    assert sorted(tasks) == sorted(a.id for a in articles)
    listed = list(live_server.client().iter_tasks(result.project.id))
    assert len(listed) == len(articles)
    assert result.created + result.unchanged == len(articles)


def test_pull_and_agree_list_repairs_and_problems_from_a_real_export(
    ls_env: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Regions as they come in the wild (UTF-16 offsets, relations without a role) through a real export."""
    client = ls_env.client()
    article = next(a for a in seed_articles() if a.id == "emoji-crlf")
    result = _push(ls_env, "wild regions", [article], overlap=2)
    made = add_annotators(client, ["wild.one@example.org", "wild.two@example.org"], tmp_path / "pw.json")
    task = existing_tasks(client, result.project.id)[article.id].id
    text = article.text
    ann = annotation_for(article, made[0].email, 0)
    clean = annotation_to_results(ann, text)
    utf16 = json.loads(json.dumps(clean))
    for item in utf16:  # offsets in UTF-16 code units, as older front ends count them
        value = item.get("value", {})
        if "start" in value:
            value["start"], value["end"] = (len(text[: value[k]].encode("utf-16-le")) // 2 for k in ("start", "end"))
    roleless = [dict(item, labels=[]) if item.get("type") == "relation" else item for item in clean]
    relations = sum(1 for item in clean if item.get("type") == "relation")
    assert relations and any(item != other for item, other in zip(utf16, clean, strict=True))
    for who, results in ((made[0], utf16), (made[1], roleless)):
        client.post_json(f"/api/tasks/{task}/annotations", {"result": results, "completed_by": who.user_id})
    assert main(["pull", "--project", "wild regions", "-o", "raw", "--json", "pull.json"]) == 0
    summary = json.loads(Path("pull.json").read_text())
    assert {p["annotator"] for p in summary["problems"]} == {"wild.two@example.org"}
    assert len(summary["problems"]) == relations
    assert all("no role" in p["problem"] and p["relation"] for p in summary["problems"])
    assert summary["repairs"] and {r["kind"] for r in summary["repairs"]} == {"utf16"}
    assert {r["annotator"] for r in summary["repairs"]} == {"wild.one@example.org"}
    assert f"{relations} problem(s)" in capsys.readouterr().err
    snapshot = summary["snapshot"]
    assert main(["agree", snapshot, "--json", "agree.json"]) == 0
    report = json.loads(Path("agree.json").read_text())
    assert len(report["problems"]) == relations and report["repairs"] == summary["repairs"]
    mention_f1 = next(s["macro_f1"] for s in report["spans"] if s["kind"] == "mention" and s["matching"] == "strict")
    assert mention_f1 == 1.0  # the repaired regions agree with the other annotator's
    assert main(["gold", "build", snapshot, "-o", "gold"]) == 2
    assert not Path("gold").exists()
