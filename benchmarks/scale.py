"""Many annotators at once on the PostgreSQL-backed Label Studio (issue #20).

1. Start a throw-away server the way a user does (``eventgold server start --database postgresql``
   in a temporary ``.eventgold/``: its own PostgreSQL cluster and Label Studio), push N seed-sized
   tasks with ``eventgold push``.
2. Create the annotator accounts (``add_annotators``); one thread per annotator submits M
   annotations (``POST /api/tasks/<id>/annotations``, one mention each, ``completed_by`` the
   annotator) on tasks drawn from a shared pool, so that about ``--overlap`` annotators hit each
   task; every annotation id the server returns is recorded.
3. While they submit, ``eventgold push`` (the corpus again plus new articles: the old ones must be
   matched, the new ones created) and ``eventgold pull --method auto`` run at the same time, each as
   its own process; when all annotators are done, a final pull.
4. Check the final snapshot, both in its raw JSON and through ``read_snapshot``: every returned
   annotation id is there exactly once, on its task and annotator (lost = doubled = 0), no annotation
   that no annotator was given an id for, one task per article, as many tasks as pushed.

Usage: .venv/bin/python benchmarks/scale.py [--tasks 2000] [--annotators 10] [--per-annotator 100]
Exit code 1 when anything is lost, doubled, misplaced or a push/pull failed. The server, its cluster
and the temporary folder are removed at the end, also on failure (``--keep`` keeps the folder).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
sys.path.insert(0, str(SRC))

from eventgold.cli import main as eventgold_main  # noqa: E402
from eventgold.config import Connection, load_credentials  # noqa: E402
from eventgold.errors import EventgoldError  # noqa: E402
from eventgold.jsonl import write_jsonl  # noqa: E402
from eventgold.labelstudio import postgres, server  # noqa: E402
from eventgold.labelstudio.annotators import add_annotators  # noqa: E402
from eventgold.labelstudio.client import LabelStudioClient  # noqa: E402
from eventgold.labelstudio.convert import annotation_to_results  # noqa: E402
from eventgold.labelstudio.snapshot import iter_tasks, read_snapshot  # noqa: E402
from eventgold.labelstudio.task_listing import existing_tasks  # noqa: E402
from eventgold.models import Article, DocumentAnnotation, Mention, Origin  # noqa: E402
from eventgold.resources import packaged_samples  # noqa: E402

SEEDS = sorted((packaged_samples() / "articles").glob("*.txt"))
PROJECT = "scale bench"
# Each command in its own process, as users run them (and out of the annotator threads' GIL).
RUNNING: list[subprocess.Popen[bytes]] = []  # commands to end if the benchmark stops early
CLI = f"import sys; sys.path.insert(0, {str(SRC)!r}); from eventgold.cli import main; sys.exit(main(sys.argv[1:]))"


def make_articles(start: int, n: int) -> list[Article]:
    """``n`` seed-sized articles ``scale-<start>`` … (the packaged seeds in turn, each with its own first line)."""
    texts = [p.read_text(encoding="utf-8").replace("\r\n", "\n") for p in SEEDS]
    return [
        Article(id=f"scale-{i:06d}", title=f"Scale {i}", text=f"Report {i}. " + texts[i % len(texts)], source="bench")
        for i in range(start, start + n)
    ]


def one_mention_results(article: Article, email: str) -> list[dict[str, Any]]:
    """The Label Studio ``result`` of an annotation marking one PERSON mention (the word "Report")."""
    ann = DocumentAnnotation(
        doc_id=article.id,
        origin=Origin(kind="annotator", name=email),
        mentions=[Mention(id="m0", type="PERSON", start=0, end=6, text=article.text[:6])],
    )
    return annotation_to_results(ann, article.text)


@dataclass
class Annotator:
    """One simulated annotator: its tasks, and what happened to each submission."""

    email: str
    user_id: int
    tasks: list[tuple[int, list[dict[str, Any]]]]  # (task id, result) in submission order
    returned: list[tuple[int, int]] = field(default_factory=list)  # (annotation id, task id)
    latencies: list[float] = field(default_factory=list)  # seconds per POST, retries included
    retries: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def run(self, conn: Connection) -> None:
        """Submit every task's annotation in turn with its own client (retries of 5xx counted)."""

        def counted_sleep(s: float) -> None:
            self.retries += 1
            time.sleep(s)

        t0 = time.perf_counter()
        with LabelStudioClient(conn, timeout=120, sleep=counted_sleep) as client:
            for task_id, result in self.tasks:
                body = {"result": result, "completed_by": self.user_id, "lead_time": 1.0}
                t1 = time.perf_counter()
                try:
                    answer = client.post_json(f"/api/tasks/{task_id}/annotations", body)
                except EventgoldError as exc:
                    self.failures.append(f"task {task_id}: {exc}")
                    continue
                finally:
                    self.latencies.append(time.perf_counter() - t1)
                if isinstance(answer, dict) and isinstance(answer.get("id"), int):
                    self.returned.append((answer["id"], task_id))
                else:
                    self.failures.append(f"task {task_id}: no annotation id in the answer {str(answer)[:120]}")
        self.seconds = time.perf_counter() - t0


@dataclass
class Command:
    """An ``eventgold`` command run in its own process, its --json answer and times."""

    name: str
    args: list[str]
    folder: Path
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    ended: float = 0.0
    code: int | None = None

    @property
    def json_path(self) -> Path:
        return self.folder / f"{self.name}.json"

    def start(self) -> Command:
        out = (self.folder / f"{self.name}.log").open("wb")
        cmd = [sys.executable, "-c", CLI, *self.args, "--json", str(self.json_path)]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=self.folder)
        RUNNING.append(self.proc)
        out.close()
        return self

    def wait(self) -> dict[str, Any]:
        """Wait for the command; its --json payload ({} when it failed, the log tail is printed)."""
        assert self.proc is not None
        self.code = self.proc.wait()
        self.ended = time.perf_counter()
        if self.code != 0 or not self.json_path.is_file():
            tail = (self.folder / f"{self.name}.log").read_text(errors="replace").strip().splitlines()[-5:]
            print(f"  {self.name} FAILED (exit {self.code}): " + " | ".join(tail))
            return {}
        payload: dict[str, Any] = json.loads(self.json_path.read_text())
        return payload

    def run(self) -> dict[str, Any]:
        return self.start().wait()


def choose_tasks(task_ids: list[int], annotators: int, per: int, overlap: int, rng: random.Random) -> list[list[int]]:
    """Per annotator, ``per`` distinct tasks from a pool sized so that ~``overlap`` annotators share a task."""
    pool_size = min(len(task_ids), max(per, annotators * per // max(1, overlap)))
    pool = task_ids[:pool_size]
    if per > len(pool):
        raise SystemExit(f"--per-annotator {per} is more than the {len(pool)} tasks pushed")
    return [rng.sample(pool, per) for _ in range(annotators)]


@dataclass
class Check:
    """The final snapshot against what the annotators were told."""

    lost: list[int]
    doubled: list[int]
    extra: list[int]
    misplaced: list[int]
    doubled_tasks: list[str]
    task_count: int
    records: int
    problems: int


def check_snapshot(path: Path, returned: dict[int, tuple[int, int]], told_twice: list[int]) -> Check:
    """Compare the snapshot at ``path`` with ``returned`` (annotation id -> (task id, user id))."""
    seen: Counter[int] = Counter()
    where: dict[int, tuple[int, int | None]] = {}
    docs: Counter[str] = Counter()
    task_count = 0
    for task in iter_tasks(path):
        task_count += 1
        docs[str(task.get("data", {}).get("doc_id"))] += 1
        for ann in task.get("annotations") or []:
            seen[ann["id"]] += 1
            who = ann.get("completed_by")
            where[ann["id"]] = (task["id"], who.get("id") if isinstance(who, dict) else who)
    snap = read_snapshot(path)
    in_records = Counter(a.labelstudio.annotation for a in snap.annotations if a.labelstudio is not None)
    lost = sorted(i for i in returned if seen[i] == 0 or in_records[i] == 0)
    twice = {i for i, n in seen.items() if n > 1} | {i for i, n in in_records.items() if i is not None and n > 1}
    doubled = sorted(twice | set(told_twice))
    return Check(
        lost=lost,
        doubled=doubled,
        extra=sorted(i for i in seen if i not in returned),
        misplaced=sorted(i for i, place in returned.items() if i in where and where[i] != place),
        doubled_tasks=sorted(d for d, n in docs.items() if n > 1),
        task_count=task_count,
        records=len(snap.annotations),
        problems=len(snap.problems),
    )


def run(args: argparse.Namespace, root: Path) -> int:
    """The benchmark in ``root`` (its ``.eventgold/`` is the server's); returns the exit code."""
    home = root / ".eventgold"
    t0 = time.perf_counter()
    if eventgold_main(["server", "start", "--database", "postgresql"]) != 0:
        print("server start failed")
        return 1
    creds = load_credentials(home / "credentials")
    state = server.read_state(home / "labelstudio")
    assert creds is not None and state is not None
    print(f"server (PostgreSQL cluster in {home / 'postgresql'}) up in {time.perf_counter() - t0:.0f}s at {state.url}")
    conn = Connection(url=state.url, api_key=creds.token, source="bench")
    url = ["--url", state.url, "--api-key", creds.token]

    articles = make_articles(0, args.tasks)
    more = make_articles(args.tasks, args.new)
    write_jsonl(root / "corpus.jsonl", articles)
    write_jsonl(root / "corpus2.jsonl", articles + more)
    first = Command("push1", ["push", str(root / "corpus.jsonl"), "--project", PROJECT, *url], root)
    pushed = first.run()
    print(f"push {args.tasks} tasks: {first.ended - first.started:.1f}s (created {pushed.get('created')})")
    if first.code != 0:
        return 1

    admin = LabelStudioClient(conn, timeout=300)
    emails = [f"annotator{i:02d}@example.org" for i in range(args.annotators)]
    made = add_annotators(admin, emails, root / "passwords.json")
    users = {a.email: int(a.user_id) for a in made if a.user_id is not None}
    project = admin.find_project(PROJECT)
    assert project is not None and len(users) == len(emails)
    by_doc = existing_tasks(admin, int(project["id"]))
    text_of = {by_doc[a.id].id: a for a in articles}
    rng = random.Random(args.seed)
    plans = choose_tasks(sorted(text_of), args.annotators, args.per_annotator, args.overlap, rng)
    team = [
        Annotator(e, users[e], [(t, one_mention_results(text_of[t], e)) for t in plan])
        for e, plan in zip(emails, plans, strict=True)
    ]
    per_task = Counter(t for plan in plans for t in plan)
    print(
        f"{args.annotators} annotators x {args.per_annotator} annotations on {len(per_task)} tasks "
        f"(up to {max(per_task.values())} annotators on one task)"
    )

    threads = [threading.Thread(target=a.run, args=(conn,), name=a.email, daemon=True) for a in team]
    total = args.annotators * args.per_annotator
    t_ann = time.perf_counter()
    for th in threads:
        th.start()
    # The second push and the pull start once a tenth of the annotations are in, both at once.
    while sum(len(a.returned) + len(a.failures) for a in team) < total // 10 and any(t.is_alive() for t in threads):
        time.sleep(0.02)
    push2 = Command("push2", ["push", str(root / "corpus2.jsonl"), "--project", PROJECT, *url], root).start()
    pull1 = Command(
        "pull1", ["pull", "--project", PROJECT, "-o", str(root / "raw"), "--method", "auto", *url], root
    ).start()
    mid_push, mid_pull = push2.wait(), pull1.wait()
    for th in threads:
        th.join()
    ann_seconds = time.perf_counter() - t_ann
    t_done = t_ann + ann_seconds

    final = Command("pull2", ["pull", "--project", PROJECT, "-o", str(root / "raw"), "--method", "auto", *url], root)
    last = final.run()
    admin.close()
    if final.code != 0:
        return 1

    returned: dict[int, tuple[int, int]] = {}
    told_twice = []
    for a in team:
        for ann_id, task_id in a.returned:
            if ann_id in returned:
                told_twice.append(ann_id)
            returned[ann_id] = (task_id, a.user_id)
    check = check_snapshot(Path(last["snapshot"]), returned, told_twice)
    # The mid-run snapshot holds some of the annotations: each once, each one an annotator was given.
    mid = check_snapshot(Path(mid_pull["snapshot"]), {}, []) if mid_pull else None
    mid_bad = mid is None or bool(mid.doubled or mid.doubled_tasks) or any(i not in returned for i in mid.extra)

    submitted = sum(len(a.returned) for a in team)
    failures = [f for a in team for f in a.failures]
    retries = sum(a.retries for a in team)
    lat = sorted(x for a in team for x in a.latencies)
    rates = [len(a.returned) / a.seconds for a in team if a.seconds > 0]
    expected_tasks = args.tasks + args.new

    def overlap(cmd: Command) -> str:
        busy = max(0.0, min(cmd.ended, t_done) - max(cmd.started, t_ann))
        return f"{cmd.ended - cmd.started:.1f}s, {busy / max(1e-9, cmd.ended - cmd.started):.0%} of it while annotating"

    print(f"annotations submitted: {submitted} of {total} in {ann_seconds:.1f}s")
    print(
        f"throughput: {submitted / ann_seconds:.1f} annotations/s overall, "
        f"{statistics.mean(rates) if rates else 0:.2f}/s per annotator (mean); "
        f"POST latency p50 {lat[len(lat) // 2] * 1000:.0f} ms, p95 {lat[int(len(lat) * 0.95)] * 1000:.0f} ms, "
        f"max {lat[-1] * 1000:.0f} ms"
    )
    print(f"errors: {len(failures)} failed submissions, {retries} retried requests")
    for f in failures[:5]:
        print(f"  {f}")
    print(
        f"mid-run push of {expected_tasks} articles ({args.new} new): created {mid_push.get('created')}, "
        f"{overlap(push2)}"
    )
    print(
        f"mid-run pull: method {mid_pull.get('method')}, {mid_pull.get('tasks')} tasks, "
        f"{mid_pull.get('annotations')} annotations, {overlap(pull1)}"
    )
    if mid is not None:
        print(
            f"  mid-run snapshot: {len(set(mid.extra) - set(returned))} annotations no annotator was given, "
            f"{len(mid.doubled)} twice, {len(mid.doubled_tasks)} articles with two tasks, {mid.records} records, "
            f"{mid.problems} problems"
        )
    print(
        f"final pull: method {last.get('method')}, {last.get('tasks')} tasks, {last.get('annotations')} annotations, "
        f"{final.ended - final.started:.1f}s; read_snapshot: {check.records} annotation records, "
        f"{check.problems} problems"
    )
    print(
        f"lost = {len(check.lost)}, doubled = {len(check.doubled)}, never returned but stored = {len(check.extra)}, "
        f"on another task/annotator = {len(check.misplaced)}"
    )
    print(
        f"tasks: {check.task_count} in the snapshot, {expected_tasks} pushed, "
        f"{len(check.doubled_tasks)} articles with two tasks"
    )
    for name, ids in (
        ("lost", check.lost),
        ("doubled", check.doubled),
        ("extra", check.extra),
        ("misplaced", check.misplaced),
        ("doubled tasks", check.doubled_tasks),
    ):
        if ids:
            print(f"  {name}: {ids[:10]}")
    bad = (
        check.lost
        or check.doubled
        or check.extra
        or check.misplaced
        or check.doubled_tasks
        or check.task_count != expected_tasks
        or push2.code != 0
        or pull1.code != 0
        or mid_bad
    )
    print("FAIL" if bad else "OK: nothing lost or doubled")
    return 1 if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=2000, help="tasks pushed first")
    parser.add_argument("--new", type=int, help="new articles in the mid-run push (default: tasks / 10)")
    parser.add_argument("--annotators", type=int, default=10)
    parser.add_argument("--per-annotator", type=int, default=100, help="annotations each annotator submits")
    parser.add_argument("--overlap", type=int, default=3, help="about this many annotators per annotated task")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (snapshots, logs)")
    args = parser.parse_args()
    if args.new is None:
        args.new = max(1, args.tasks // 10)
    if not server.is_installed():
        raise SystemExit("Label Studio is not installed: run `eventgold server install` first")
    postgres.bin_dir()  # one clear error when PostgreSQL is not installed

    # Not mode 0700 (mkdtemp's): under root the cluster runs as the postgres user, who must reach .eventgold/.
    root = Path(tempfile.mkdtemp(prefix="eventgold-scale-"))
    root.chmod(0o711)
    os.environ["EVENTGOLD_HOME"] = str(root / ".eventgold")
    os.environ.pop("LABEL_STUDIO_URL", None)
    os.environ.pop("LABEL_STUDIO_API_KEY", None)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that `finally` stops the servers
    code = 1
    try:
        code = run(args, root)
    finally:
        for proc in RUNNING:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)
        server.stop(root / ".eventgold" / "labelstudio")  # Label Studio, then its PostgreSQL cluster
        if postgres.cluster_running(root / ".eventgold" / "postgresql"):
            print("warning: the PostgreSQL cluster still runs after `server stop`")
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
