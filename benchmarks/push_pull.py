"""Push and pull against a real Label Studio, side by side with bare label_studio_sdk calls.

1. push N seed-sized tasks with 20 pre-annotated regions each through `push_articles` into one
   project, and the same tasks (same payload) with one bare `label_studio_sdk` bulk import into
   another project on the same server; print both times and the ratio (goal: <= 1.2).
2. create one annotation per task (through the import API, with `completed_by`), then time
   `pull_snapshot` + `read_snapshot` (pull and convert) against the bare full-JSON export call
   (goal: <= 1.5).

Usage: .venv/bin/python benchmarks/push_pull.py [--tasks 5000] [--url URL --api-key KEY]
Without --url a throw-away server is started with eventgold's own server code.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from eventgold.config import Connection  # noqa: E402
from eventgold.labelstudio import server  # noqa: E402
from eventgold.labelstudio.client import LabelStudioClient  # noqa: E402
from eventgold.labelstudio.convert import annotation_to_results, article_to_task_data  # noqa: E402
from eventgold.labelstudio.label_config import render_label_config  # noqa: E402
from eventgold.labelstudio.pull import pull_snapshot  # noqa: E402
from eventgold.labelstudio.push import prediction_payload, push_articles  # noqa: E402
from eventgold.labelstudio.snapshot import read_snapshot  # noqa: E402
from eventgold.models import Article, DocumentAnnotation, Event, Mention, Origin, Span  # noqa: E402
from eventgold.ontology import load_ontology  # noqa: E402
from eventgold.resources import packaged_samples  # noqa: E402

SEEDS = sorted((packaged_samples() / "articles").glob("*.txt"))


def make_corpus(n: int) -> tuple[list[Article], dict[str, list[DocumentAnnotation]]]:
    texts = [p.read_text(encoding="utf-8").replace("\r\n", "\n") for p in SEEDS]
    articles, preds = [], {}
    origin = Origin(kind="extractor", name="bench", version="1")
    for i in range(n):
        text = f"Report {i}. " + texts[i % len(texts)]
        article = Article(id=f"bench-{i:05d}", title=f"Bench {i}", text=text, source="bench")
        words = [(m, m + 7) for m in range(20, len(text) - 8, max(1, (len(text) - 30) // 20))][:20]
        mentions = [
            Mention(id=f"m{j}", type="PERSON", start=s, end=e, text=text[s:e]) for j, (s, e) in enumerate(words[:15])
        ]
        events = [
            Event(id=f"e{j}", type="CONSULT", trigger=Span(start=s, end=e, text=text[s:e]), mode="visit",
                  actors=[mentions[0].id])
            for j, (s, e) in enumerate(words[15:20])
        ]
        articles.append(article)
        preds[article.id] = [DocumentAnnotation(doc_id=article.id, origin=origin, mentions=mentions, events=events)]
    return articles, preds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--url")
    parser.add_argument("--api-key")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="eventgold-bench-"))
    started = False
    if args.url:
        conn = Connection(url=args.url, api_key=args.api_key, source="flags")
    else:
        token = secrets.token_hex(20)
        state = server.start(tmp / "ls", username="bench@example.org", password=secrets.token_urlsafe(12), token=token)
        started = True
        conn = Connection(url=state.url, api_key=token, source="bench")
    client = LabelStudioClient(conn, timeout=600)
    ontology = load_ontology()
    xml = render_label_config(ontology)
    articles, preds = make_corpus(args.tasks)
    suffix = secrets.token_hex(3)
    try:
        # -- push -------------------------------------------------------
        t0 = time.perf_counter()
        result = push_articles(
            client, articles, project_title=f"bench ours {suffix}", label_config=xml, instructions="",
            ontology=ontology, predictions=preds,
        )
        ours_push = time.perf_counter() - t0
        assert result.created == len(articles)

        from label_studio_sdk import LabelStudio

        sdk = LabelStudio(base_url=conn.url, api_key=conn.api_key, timeout=600)
        project = sdk.projects.create(title=f"bench bare {suffix}", label_config=xml)
        payload = [
            {"data": article_to_task_data(a), "predictions": [prediction_payload(preds[a.id][0], a, [])]}
            for a in articles
        ]
        t0 = time.perf_counter()
        sdk.projects.import_tasks(id=project.id, request=payload, return_task_ids=True)
        bare_push = time.perf_counter() - t0
        print(f"push {len(articles)} tasks x 20 regions: ours {ours_push:.1f}s, bare SDK import {bare_push:.1f}s, "
              f"ratio {ours_push / bare_push:.2f} (goal <= 1.2)")

        # -- pull -------------------------------------------------------
        me = client.whoami()["id"]
        annotated = f"bench annotated {suffix}"
        proj = client.post_json("/api/projects", {"title": annotated, "label_config": xml})
        tasks = []
        for a in articles:
            ann = preds[a.id][0]
            tasks.append({"data": article_to_task_data(a),
                          "annotations": [{"result": annotation_to_results(ann, a.text), "completed_by": me}]})
        for i in range(0, len(tasks), 1000):
            client.import_tasks(int(proj["id"]), tasks[i : i + 1000])

        t0 = time.perf_counter()
        resp = client.request("GET", f"/api/projects/{proj['id']}/export",
                              params={"exportType": "JSON", "download_all_tasks": "true"}, timeout=600)
        size = len(resp.content)
        bare_pull = time.perf_counter() - t0

        t0 = time.perf_counter()
        pulled = pull_snapshot(client, annotated, tmp / "raw", export_timeout=600)
        snap = read_snapshot(pulled.path)
        ours_pull = time.perf_counter() - t0
        assert len(snap.annotations) == len(articles) and not snap.problems
        print(f"pull + convert {len(articles)} annotated tasks ({size / 1e6:.0f} MB): ours {ours_pull:.1f}s, "
              f"bare export {bare_pull:.1f}s, ratio {ours_pull / bare_pull:.2f} (goal <= 1.5)")
    finally:
        if started:
            server.stop(tmp / "ls")


if __name__ == "__main__":
    main()
