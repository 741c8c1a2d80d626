"""Benchmark for `eventgold pull`'s conversion of a snapshot (issue 20): streamed versus read whole.

After downloading, ``pull`` converts the snapshot into records, writes the annotations
(``--jsonl``) and prints a summary. This script generates a seeded Label Studio snapshot
like the one ``pull`` stores (the generator of ``benchmarks/gold_agree.py``: seed-sized
texts of ~3 kB, 3 annotators each marking ~20 regions; ~28 kB a task) and runs, each in
its own subprocess so that its peak RSS is its own:

(a) ``whole``: what ``pull`` did before: :func:`read_snapshot` (every record in memory),
    the summary from its lists and :func:`write_jsonl` of every annotation;
(b) ``stream``: what ``pull`` does now: :func:`summarise_snapshot` (ijson, one task at a
    time, the JSONL written as it goes).

It prints wall time, CPU time and peak RSS (``wait4``'s ``ru_maxrss`` of that child) of each,
checks that both give the same summary and the same JSONL bytes, and the ratios.
The goal: the streamed conversion of 100,000 tasks under 500 MB peak RSS. Reading
100,000 tasks whole takes some 20 GB here, so (a) runs only up to ``--whole-max`` tasks.

Run: .venv/bin/python benchmarks/pull_stream.py [--docs 20000,100000] [--whole-max 20000] [--keep DIR]

``--keep DIR`` caches the generated snapshots there (one file per size), so a second run skips
generating them; without it they are written to a temporary folder and removed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # gold_agree's generator

GOAL_MB = 500.0


def _sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def child(mode: str, snapshot: Path, jsonl: Path) -> None:
    """Convert ``snapshot`` the ``mode`` way (``whole`` or ``stream``); print the summary's figures as JSON."""
    from eventgold.jsonl import write_jsonl
    from eventgold.labelstudio.snapshot import read_snapshot
    from eventgold.labelstudio.snapshot_stream import SnapshotSummary, summarise_snapshot

    start = time.perf_counter()
    if mode == "whole":
        snap = read_snapshot(snapshot)
        write_jsonl(jsonl, snap.annotations)
        summary = SnapshotSummary.of(snap)
    else:
        summary = summarise_snapshot(snapshot, jsonl=jsonl)
    wall = time.perf_counter() - start
    figures = {
        "tasks": summary.task_count,
        "annotations": sum(summary.per_annotator.values()),
        "skipped": sum(summary.skipped.values()),
        "predictions": summary.predictions,
        "per_annotator": summary.annotators(),
        "problems": [p.model_dump(mode="json") for p in summary.problems],
        "repairs": [r.model_dump(mode="json") for r in summary.repairs],
        "sha256": summary.sha256,
    }
    digest = hashlib.sha256(json.dumps(figures, sort_keys=True).encode()).hexdigest()
    print(json.dumps({"wall": wall, "summary": digest, "tasks": summary.task_count}))


def _run(mode: str, snapshot: Path, work: Path) -> dict[str, Any]:
    """One conversion in a subprocess: its wall time, CPU time and peak RSS (MB), summary and JSONL digests."""
    jsonl = work / f"{mode}.jsonl"
    cmd = [sys.executable, __file__, "--child", mode, str(snapshot), str(jsonl)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{mode} failed ({proc.returncode})")
    result = json.loads(out)
    result.update(
        total=time.perf_counter() - start,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        jsonl=_sha(jsonl),
    )
    jsonl.unlink()
    return result


def main() -> None:
    """Generate snapshots of the sizes asked for and compare the two conversions on each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", default="20000,100000", help="Comma-separated snapshot sizes (tasks).")
    parser.add_argument("--whole-max", type=int, default=20_000, help="Largest size read whole (a).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="Folder caching the generated snapshots.")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SNAPSHOT", "JSONL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child and args.child[0] == "generate":
        from gold_agree import make_snapshot

        make_snapshot(Path(args.child[1]), int(args.child[2]), args.seed)
        return
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    # this process stays small: a child's peak RSS counts the pages it shared with its parent at fork
    backend = subprocess.run(
        [sys.executable, "-c", "import ijson; print(ijson.backend)"], capture_output=True, text=True, check=True
    ).stdout.strip()
    print(f"ijson backend: {backend}; python {sys.version.split()[0]}; {os.cpu_count()} cores")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pull-stream-"))
    try:
        for docs in (int(x) for x in args.docs.split(",")):
            snapshot = folder / f"pull-stream-{docs}-{args.seed}.json"
            if not snapshot.is_file():
                start = time.perf_counter()
                gen = [sys.executable, __file__, "--seed", str(args.seed), "--child", "generate", str(snapshot)]
                gen.append(str(docs))
                subprocess.run(gen, check=True)
                print(f"generated {docs} tasks in {time.perf_counter() - start:.0f} s", end="; ")
            print(f"{snapshot.name}: {snapshot.stat().st_size / 1e6:.0f} MB")
            runs = {"stream": _run("stream", snapshot, folder)}
            if docs <= args.whole_max:
                runs["whole"] = _run("whole", snapshot, folder)
            for mode, r in runs.items():
                print(
                    f"  {mode:6} {r['tasks']:>7} tasks: wall {r['total']:6.1f} s (conversion {r['wall']:6.1f} s), "
                    f"cpu {r['cpu']:6.1f} s, peak RSS {r['rss_mb']:7.0f} MB"
                )
            stream = runs["stream"]
            verdict = "under" if stream["rss_mb"] < GOAL_MB else "OVER"
            print(f"  stream peak RSS {stream['rss_mb']:.0f} MB: {verdict} the {GOAL_MB:.0f} MB goal")
            if "whole" in runs:
                whole = runs["whole"]
                same = whole["summary"] == stream["summary"] and whole["jsonl"] == stream["jsonl"]
                print(
                    f"  whole/stream: peak RSS {whole['rss_mb'] / stream['rss_mb']:.1f}x, "
                    f"wall {whole['total'] / stream['total']:.2f}x; same summary and JSONL: {same}"
                )
            if args.keep is None:
                for suffix in ("", ".meta.json", ".predictions.json", ".sha256"):
                    Path(f"{snapshot}{suffix}").unlink(missing_ok=True)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"(this process: peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
