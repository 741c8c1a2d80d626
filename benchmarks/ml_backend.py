"""Benchmark: the ML backend's ``/predict`` for one seed-size task vs the same work in process.

Starts ``eventgold.mlbackend.serve`` with an extractor (default ``rules``) in a subprocess on a
free loopback port, POSTs one task (a packaged seed article, as ``push`` writes it, in Label
Studio 1.23's request shape) ``--n`` times with httpx over one keep-alive connection, and
times the same article through ``run_extractor`` + ``prediction_payload`` (push's conversion)
in this process. Prints median and p95 latency of both and their ratio. Goal: ``/predict``
under 300 ms. Usage::

    .venv/bin/python benchmarks/ml_backend.py [--n 50] [--extractor rules] [--seed 004] [--api-key KEY] [--batch 1]
"""

from __future__ import annotations

import argparse
import base64
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

from eventgold.extractors.base import load_extractor, run_extractor
from eventgold.extractors.gazetteer import actor_candidates, load_gazetteer
from eventgold.labelstudio.label_config import render_label_config
from eventgold.labelstudio.push import prediction_payload
from eventgold.labelstudio.task_data import article_to_task_data
from eventgold.models import Article
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_samples

GOAL_MS = 300.0
SERVER = """
import sys
from eventgold.extractors.base import load_extractor
from eventgold.mlbackend import serve
from eventgold.ontology import load_ontology
ontology = load_ontology()
serve(load_extractor(sys.argv[1], ontology=ontology), ontology, port=int(sys.argv[2]),
      api_key=sys.argv[3] or None, log_level="warning")
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (the server binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seed_article(prefix: str) -> Article:
    """The packaged seed article whose file name starts with ``prefix``."""
    (path,) = (packaged_samples() / "articles").glob(f"{prefix}_*.txt")
    return Article(id=path.stem, text=path.read_text(encoding="utf-8").replace("\r\n", "\n"))


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    """Median and 95th percentile (inclusive method) of ``samples_ms``."""
    return statistics.median(samples_ms), statistics.quantiles(samples_ms, n=20, method="inclusive")[18]


def timed(fn: Callable[[], Any], n: int) -> list[float]:
    """Milliseconds of each of ``n`` calls of ``fn``."""
    out: list[float] = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def wait_up(client: httpx.Client, proc: subprocess.Popen[bytes], timeout: float = 60.0) -> float:
    """Seconds until ``/health`` answers UP; raises if the server exits or never answers."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the backend exited with code {proc.returncode}")
        try:
            if client.get("/health").json().get("status") == "UP":
                return time.perf_counter() - start
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the backend did not answer /health within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50, help="requests (and in-process runs) timed")
    parser.add_argument("--extractor", default="rules")
    parser.add_argument("--seed", default="004", help="seed article prefix (004 is the longest)")
    parser.add_argument("--api-key", default="", help="serve behind this key (Basic auth on every request)")
    parser.add_argument(
        "--batch", type=int, default=1, help="tasks per request (Label Studio sends a selection at once)"
    )
    args = parser.parse_args()

    ontology = load_ontology()
    extractor = load_extractor(args.extractor, ontology=ontology)
    article = seed_article(args.seed)
    candidates = actor_candidates(article, load_gazetteer())
    data = article_to_task_data(article, candidates)
    tasks = [{"id": i + 1, "data": data, "project": 1, "annotations": [], "drafts": []} for i in range(args.batch)]
    body = {
        "tasks": tasks,
        "project": "1.1764583200",
        "label_config": render_label_config(ontology),
        "params": {"login": None, "password": None, "context": None},
    }

    def in_process() -> list[dict[str, Any]]:
        out = []
        for _ in range(args.batch):
            (annotation,) = run_extractor(extractor, [article], ontology)
            out.append(prediction_payload(annotation, article, candidates))
        return out

    expected = in_process()
    for _ in range(5):
        in_process()
    local = timed(in_process, args.n)

    port = free_port()
    headers = {}
    if args.api_key:
        headers["Authorization"] = "Basic " + base64.b64encode(f"ls:{args.api_key}".encode()).decode()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, args.extractor, str(port), args.api_key], env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=30.0) as client:
            startup = wait_up(client, proc)
            first = client.post("/predict", json=body)
            first.raise_for_status()
            assert first.json()["results"] == expected, "the backend's predictions differ from push's"
            for _ in range(5):
                client.post("/predict", json=body).raise_for_status()

            def request() -> None:
                client.post("/predict", json=body).raise_for_status()

            served = timed(request, args.n)
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    regions = sum(1 for r in expected[0]["result"] if r.get("type") == "labels")
    print(
        f"task: seed {article.id}, {len(article.text):,} characters, {regions} predicted regions, "
        f"{len(expected[0]['result'])} result items; extractor {extractor.name}@{extractor.version}; "
        f"{args.batch} task(s) per request"
    )
    print(f"backend start (process + imports + first /health): {startup:.1f} s")
    served_med, served_p95 = percentiles(served)
    local_med, local_p95 = percentiles(local)
    print(f"{'':<46} {'median':>9} {'p95':>9}")
    print(f"{'POST /predict (httpx -> uvicorn subprocess)':<46} {served_med:7.1f}ms {served_p95:7.1f}ms")
    print(f"{'in process: run_extractor + prediction_payload':<46} {local_med:7.1f}ms {local_p95:7.1f}ms")
    print(f"{'ratio served / in process':<46} {served_med / local_med:8.2f}x {served_p95 / local_p95:8.2f}x")
    print(f"overhead of serving (median): {served_med - local_med:.1f} ms")
    if args.batch == 1:
        verdict = "met" if served_p95 < GOAL_MS else "NOT met"
        print(
            f"goal /predict < {GOAL_MS:.0f} ms for one task (p95 {served_p95:.1f} ms over {args.n} requests): {verdict}"
        )


if __name__ == "__main__":
    main()
