"""Push and pull against a real Label Studio, side by side with bare label_studio_sdk calls (issue #20).

a. push N seed-sized tasks with 20 pre-annotated regions each through `push_articles` into one
   project, and the same payload through bare `label_studio_sdk` `projects.import_tasks` into
   another project on the same server (one request when the payload fits Label Studio's request
   limit, DATA_UPLOAD_MAX_MEMORY_SIZE = 250 MB; else the fewest equal batches under 200 MB);
   both times and the ratio (goal: <= 1.1).
b. push the same corpus again through `push_articles` (nothing new; goal at 100k: < 60 s), listing
   the project's tasks as `eventgold push` does (only those updated since the first push, from the
   listing it kept), then again with a full listing (`push --full-listing`) for reference.
c. import one annotation per task into a third project (tasks import API, 1,000 a request), then
   `eventgold pull --project ... --jsonl ...` in its own process (``--method auto``: the
   synchronous export up to 5,000 tasks, an export snapshot above; streamed conversion to JSONL),
   its wall time and peak RSS (/usr/bin/time), against Label Studio's own export of the same
   project called bare: export snapshot create, poll, download, delete (and, with
   ``--sync-export``, the synchronous ``GET /api/projects/<id>/export``). Goal: <= 1.2, RSS < 500 MB.

Usage: .venv/bin/python benchmarks/push_pull.py [--tasks 5000] [--database sqlite|postgresql]
       [--sync-export] [--push-only] [--url URL --api-key KEY]
Without --url a throw-away server is started: SQLite with eventgold's server code, or PostgreSQL
the way a user does (`eventgold server start --database postgresql` in a temporary .eventgold/,
as benchmarks/scale.py); it is stopped and its folder removed at the end, also on failure.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

from eventgold.cli import main as eventgold_main  # noqa: E402
from eventgold.config import Connection, load_credentials  # noqa: E402
from eventgold.labelstudio import postgres, server  # noqa: E402
from eventgold.labelstudio.client import LabelStudioClient  # noqa: E402
from eventgold.labelstudio.convert import annotation_to_results, article_to_task_data  # noqa: E402
from eventgold.labelstudio.label_config import render_label_config  # noqa: E402
from eventgold.labelstudio.push import prediction_payload, push_articles  # noqa: E402
from eventgold.labelstudio.task_listing import ListingCache  # noqa: E402
from eventgold.models import Argument, Article, DocumentAnnotation, Event, Mention, Origin, Span  # noqa: E402
from eventgold.ontology import load_ontology  # noqa: E402
from eventgold.resources import packaged_samples  # noqa: E402

SEEDS = sorted((packaged_samples() / "articles").glob("*.txt"))
REQUEST_LIMIT = 200 * 1024 * 1024  # under Label Studio's DATA_UPLOAD_MAX_MEMORY_SIZE (250 MB)
CLI = f"import sys; sys.path.insert(0, {str(SRC)!r}); from eventgold.cli import main; sys.exit(main(sys.argv[1:]))"


def say(line: str) -> None:
    """Print at once (the 100k run is followed through its log)."""
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}] {line}", flush=True)


def make_corpus(n: int) -> tuple[list[Article], dict[str, list[DocumentAnnotation]]]:
    """N seed-sized articles, each with one prediction of 15 mentions and 5 events."""
    texts = [p.read_text(encoding="utf-8").replace("\r\n", "\n") for p in SEEDS]
    articles, preds = [], {}
    origin = Origin(kind="extractor", name="bench", version="1")
    for i in range(n):
        text = f"Report {i}. " + texts[i % len(texts)]
        article = Article(id=f"bench-{i:06d}", title=f"Bench {i}", text=text, source="bench")
        words = [(m, m + 7) for m in range(20, len(text) - 8, max(1, (len(text) - 30) // 20))][:20]
        mentions = [
            Mention(id=f"m{j}", type="PERSON", start=s, end=e, text=text[s:e]) for j, (s, e) in enumerate(words[:15])
        ]
        events = [
            Event(id=f"e{j}", type="CONSULT", trigger=Span(start=s, end=e, text=text[s:e]), mode="visit",
                  arguments=[Argument(role="actor", mention=mentions[0].id)])
            for j, (s, e) in enumerate(words[15:20])
        ]
        articles.append(article)
        preds[article.id] = [DocumentAnnotation(doc_id=article.id, origin=origin, mentions=mentions, events=events)]
    return articles, preds


def start_postgresql(root: Path) -> Connection:
    """`eventgold server start --database postgresql` with ``root/.eventgold`` as home (as scale.py does)."""
    root.chmod(0o711)  # not mkdtemp's 0700: under root the cluster runs as the postgres user
    os.environ["EVENTGOLD_HOME"] = str(root / ".eventgold")
    os.environ.pop("LABEL_STUDIO_URL", None)
    os.environ.pop("LABEL_STUDIO_API_KEY", None)
    postgres.bin_dir()  # one clear error when PostgreSQL is not installed
    if eventgold_main(["server", "start", "--database", "postgresql"]) != 0:
        raise SystemExit("server start failed")
    creds = load_credentials(root / ".eventgold" / "credentials")
    state = server.read_state(root / ".eventgold" / "labelstudio")
    assert creds is not None and state is not None
    return Connection(url=state.url, api_key=creds.token, source="bench")


def sdk_batches(payload: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The payload in one piece when it fits :data:`REQUEST_LIMIT`, else the fewest equal pieces under it."""
    size = sum(len(json.dumps(t)) for t in payload[:200]) / max(1, min(200, len(payload))) * len(payload)
    parts = int(size // REQUEST_LIMIT) + 1
    step = -(-len(payload) // parts)
    return [payload[i : i + step] for i in range(0, len(payload), step)]


def bare_snapshot(sdk: Any, project_id: int, target: Path) -> float:
    """Label Studio's export snapshot called bare (create, poll, download to ``target``, delete); seconds."""
    t0 = time.perf_counter()
    export = sdk.projects.exports.create(id=project_id, title=f"bare {secrets.token_hex(3)}")
    while export.status not in ("completed", "failed"):
        time.sleep(0.5)
        export = sdk.projects.exports.get(id=project_id, export_pk=export.id)
    assert export.status == "completed", export
    with target.open("wb") as out:
        for chunk in sdk.projects.exports.download(id=project_id, export_pk=export.id, export_type="JSON"):
            out.write(chunk)
    took = time.perf_counter() - t0
    sdk.projects.exports.delete(id=project_id, export_pk=export.id)
    return took


def annotated_tasks(articles: list[Article], preds: dict[str, list[DocumentAnnotation]], me: int) -> Iterator[
        dict[str, Any]]:
    """Each article as a task with one annotation (the prediction's regions), by user ``me``."""
    for a in articles:
        yield {"data": article_to_task_data(a),
               "annotations": [{"result": annotation_to_results(preds[a.id][0], a.text), "completed_by": me}]}


def _push_steps(
    client: LabelStudioClient, sdk: Any, articles: list[Article], preds: dict[str, Any], xml: str, ontology: Any,
    suffix: str, tmp: Path,
) -> dict[str, Any]:
    """Steps a and b: push ours vs the bare SDK import, then push the same corpus again."""
    n = len(articles)
    rows: dict[str, Any] = {}
    cache = ListingCache(tmp / "listings")  # as `eventgold push` keeps it in .eventgold/listings/
    # a. push, ours vs bare SDK
    t0 = time.perf_counter()
    result = push_articles(client, articles, project_title=f"bench ours {suffix}", label_config=xml,
                           instructions="", ontology=ontology, predictions=preds, listing_cache=cache)
    rows["push_ours"] = time.perf_counter() - t0
    assert result.created == n, result
    say(f"push ours: {rows['push_ours']:.1f}s")
    project = sdk.projects.create(title=f"bench bare {suffix}", label_config=xml)
    payload = [{"data": article_to_task_data(a), "predictions": [prediction_payload(preds[a.id][0], a, [])]}
               for a in articles]
    batches = sdk_batches(payload)
    assert project.id is not None
    t0 = time.perf_counter()
    for batch in batches:
        sdk.projects.import_tasks(id=project.id, request=cast(Any, batch), return_task_ids=True)
    rows["push_sdk"] = time.perf_counter() - t0
    rows["sdk_requests"] = len(batches)
    del payload, batches
    say(f"push {n} tasks x 20 regions: ours {rows['push_ours']:.1f}s, bare SDK import ({rows['sdk_requests']} "
        f"request(s)) {rows['push_sdk']:.1f}s, ratio {rows['push_ours'] / rows['push_sdk']:.2f} (goal <= 1.1)")

    # b. the same corpus again: as `eventgold push` does (incremental listing), then with --full-listing
    for key, listing_cache in (("repush", cache), ("repush_full_listing", None)):
        t0 = time.perf_counter()
        again = push_articles(client, articles, project_title=f"bench ours {suffix}", label_config=xml,
                              instructions="", ontology=ontology, predictions=preds, listing_cache=listing_cache)
        rows[key] = time.perf_counter() - t0
        assert again.created == 0 and again.unchanged == n and again.predictions_added == 0, again
        assert again.listing == ("incremental" if listing_cache else "full"), again
        rows[f"{key}_note"] = again.listing_note
    say(f"push again (nothing new): {rows['repush']:.1f}s (goal < 60 s at 100k; {rows['repush_note']}); with "
        f"--full-listing {rows['repush_full_listing']:.1f}s")

    return rows


def run(args: argparse.Namespace, conn: Connection, tmp: Path) -> None:
    """Steps a, b and c against the server at ``conn``."""
    from label_studio_sdk import LabelStudio

    client = LabelStudioClient(conn, timeout=1800)
    sdk = LabelStudio(base_url=conn.url, api_key=conn.api_key, timeout=1800)
    ontology = load_ontology()
    xml = render_label_config(ontology)
    articles, preds = make_corpus(args.tasks)
    n = len(articles)
    suffix = secrets.token_hex(3)
    rows: dict[str, Any] = {"tasks": n, "database": args.database}

    if not args.pull_only:
        rows.update(_push_steps(client, sdk, articles, preds, xml, ontology, suffix, tmp))

    if args.push_only:
        say("RESULT " + json.dumps(rows, default=str))
        return

    # c. annotate, then pull + convert vs Label Studio's export
    me = int(client.whoami()["id"])
    annotated = f"bench annotated {suffix}"
    proj = client.post_json("/api/projects", {"title": annotated, "label_config": xml})
    t0 = time.perf_counter()
    chunk: list[dict[str, Any]] = []
    for task in annotated_tasks(articles, preds, me):
        chunk.append(task)
        if len(chunk) == 1000:
            client.import_tasks(int(proj["id"]), chunk)
            chunk = []
    if chunk:
        client.import_tasks(int(proj["id"]), chunk)
    say(f"imported {n} annotated tasks in {time.perf_counter() - t0:.0f}s")
    del articles, preds

    bare = tmp / "bare.json"
    rows["ls_snapshot"] = bare_snapshot(sdk, int(proj["id"]), bare)
    rows["export_mb"] = bare.stat().st_size / 1e6
    bare.unlink()
    say(f"Label Studio export snapshot (create, poll, download): {rows['ls_snapshot']:.1f}s, "
        f"{rows['export_mb']:.0f} MB")
    if args.sync_export:
        t0 = time.perf_counter()
        with bare.open("wb") as out:
            for part in client.stream_bytes(f"/api/projects/{proj['id']}/export", timeout=1800,
                                            params={"exportType": "JSON", "download_all_tasks": "true"}):
                out.write(part)
        rows["ls_sync"] = time.perf_counter() - t0
        bare.unlink()
        say(f"Label Studio synchronous export: {rows['ls_sync']:.1f}s")

    summary = tmp / "pull.json"
    cmd = ["/usr/bin/time", "-f", "maxrss_kb=%M", sys.executable, "-c", CLI, "pull", "--project", annotated,
           "-o", str(tmp / "raw"), "--jsonl", str(tmp / "ann.jsonl"), "--url", conn.url, "--api-key",
           str(conn.api_key), "--json", str(summary)]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    rows["pull_ours"] = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"eventgold pull failed ({done.returncode}): {done.stderr[-2000:]}")
    rss = [line for line in done.stderr.splitlines() if line.startswith("maxrss_kb=")]
    rows["pull_rss_mb"] = int(rss[-1].split("=")[1]) / 1024 if rss else float("nan")
    lines = sum(1 for _ in (tmp / "ann.jsonl").open(encoding="utf-8"))
    assert lines == n, (lines, n)
    rows["pull_summary"] = {k: v for k, v in json.loads(summary.read_text()).items() if not isinstance(v, list | dict)}
    say(f"pull + convert {n} annotated tasks ({rows['export_mb']:.0f} MB): ours (eventgold pull --jsonl, own "
        f"process) {rows['pull_ours']:.1f}s, peak RSS {rows['pull_rss_mb']:.0f} MB; LS snapshot "
        f"{rows['ls_snapshot']:.1f}s, ratio {rows['pull_ours'] / rows['ls_snapshot']:.2f} (goal <= 1.2, RSS < 500 MB)")
    if "ls_sync" in rows:
        say(f"  vs the synchronous export: ratio {rows['pull_ours'] / rows['ls_sync']:.2f}")
    say("RESULT " + json.dumps(rows, default=str))


def main() -> None:
    """Parse the options, start (or reach) the server, run the steps, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sync-export", action="store_true", help="also time Label Studio's synchronous export")
    parser.add_argument("--push-only", action="store_true", help="steps a and b only (push, push again)")
    parser.add_argument("--pull-only", action="store_true", help="step c only (annotate, pull + convert)")
    parser.add_argument("--url")
    parser.add_argument("--api-key")
    args = parser.parse_args()
    if not args.url and not server.is_installed():
        raise SystemExit("Label Studio is not installed: run `eventgold server install` first")

    tmp = Path(tempfile.mkdtemp(prefix="eventgold-pushpull-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the servers
    data_dir: Path | None = None
    try:
        if args.url:
            conn = Connection(url=args.url, api_key=args.api_key, source="flags")
        elif args.database == "postgresql":
            data_dir = tmp / ".eventgold" / "labelstudio"
            conn = start_postgresql(tmp)
        else:
            token = secrets.token_hex(20)
            data_dir = tmp / "ls"
            state = server.start(data_dir, username="bench@example.org", password=secrets.token_urlsafe(12),
                                 token=token)
            conn = Connection(url=state.url, api_key=token, source="bench")
        say(f"server at {conn.url} ({args.database}), folder {tmp}")
        run(args, conn, tmp)
    finally:
        if data_dir is not None:
            server.stop(data_dir)  # Label Studio, then its PostgreSQL cluster
            if args.database == "postgresql" and postgres.cluster_running(tmp / ".eventgold" / "postgresql"):
                print("warning: the PostgreSQL cluster still runs after `server stop`")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
