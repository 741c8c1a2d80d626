"""Benchmark: `eventgold ingest` over generated seed-like articles, side by side with references.

Generates N ``.txt`` articles from the five seeds (``samples/articles``), each with its
furniture (comment forms, share widgets, date lines) and its body words partly replaced
so every article is distinct; 2% are exact copies and 3% near copies (1% of words edited)
of an earlier article. Then, each in a fresh process (so peak RSS is that run's alone):

- ours: ``ingest_to_file`` (decode, normalise, clean, metadata, ids, exact + near dedupe,
  atomic JSONL) on the first 5,000 and on all N articles, and again with near-duplicate
  detection off, to see how much memory the index takes;
- reference: a naive loop (read each file as UTF-8, ``\\r\\n`` -> ``\\n``, strip, build the
  Article, write JSONL), i.e. the floor any ingest pays;
- HTML: M generated pages, ours vs ``trafilatura.extract`` alone.

Peak RSS comes from ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (the workers':
``RUSAGE_CHILDREN``, the largest one). Usage::

    .venv/bin/python benchmarks/ingest.py [--n 20000] [--small 5000] [--html 1000]
    .venv/bin/python benchmarks/ingest.py --n 1000000 --big [--data /tmp/articles-1m]
    .venv/bin/python benchmarks/ingest.py --check-workers 50000

``--big`` runs only the naive reference and ours (default workers) on all N articles, for
corpora of a million: the articles are ``.txt`` files (the kind the worker pool builds in
parallel; JSONL and CSV are streamed in the main process), 1,000 per sub-folder. ``--data``
keeps the generated folder (generated once, reused when it exists). ``--check-workers N``
ingests N articles with ``--workers 1`` and ``2`` and compares the outputs byte for byte.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"
PER_DIR = 1000


def _vocabulary(texts: list[str]) -> list[str]:
    return sorted({w for t in texts for w in re.findall(r"[A-Za-z][A-Za-z'-]+", t)})


def _mutate(text: str, rng: random.Random, vocab: list[str], rate: float) -> str:
    """Replace ``rate`` of the words of body lines (> 100 characters); furniture lines stay."""
    out = []
    for line in text.split("\n"):
        if len(line) > 100:
            words = line.split(" ")
            for i in range(len(words)):
                if rng.random() < rate:
                    words[i] = rng.choice(vocab)
            line = " ".join(words)
        out.append(line)
    return "\n".join(out)


def generate(folder: Path, n: int, seed: int = 7) -> None:
    """Write ``n`` seed-like articles under ``folder`` in sub-folders of 1,000."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    vocab = _vocabulary(seeds)
    rng = random.Random(seed)
    made: list[str] = []
    for i in range(n):
        roll = rng.random()
        if made and roll < 0.02:
            text = rng.choice(made)
        elif made and roll < 0.05:
            text = _mutate(rng.choice(made), rng, vocab, 0.01)
        else:
            text = _mutate(seeds[i % len(seeds)], rng, vocab, 0.3)
        if len(made) < 2000:
            made.append(text)
        else:
            made[rng.randrange(len(made))] = text
        sub = folder / f"part{i // PER_DIR:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"{i:06d}.txt").write_text(text, encoding="utf-8")


def generate_html(folder: Path, n: int) -> None:
    """Write ``n`` article pages (nav, scripts, share widgets, comments around the body)."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    vocab = _vocabulary(seeds)
    rng = random.Random(11)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = _mutate(seeds[i % len(seeds)], rng, vocab, 0.3)
        paragraphs = "".join(f"<p>{line}</p>\n" for line in body.split("\n") if line.strip())
        page = (
            f'<html lang="en"><head><title>Story {i} | Site</title><script>var ads = {i};</script>'
            "<style>p {margin: 0}</style></head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>Story number {i} about Iraq and Iran</h1>{paragraphs}</article>"
            "<aside>Related Articles <a href='/1'>One</a></aside><footer>Back to top button</footer></body></html>"
        )
        (folder / f"{i:05d}.html").write_text(page, encoding="utf-8")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(mode: str, paths: list[str], output: str, workers: int = 2) -> dict[str, float]:
    """Run one measured job in this (fresh) process and return its numbers."""
    from eventgold.models import Article, sha256_text

    rss_before = _peak_rss_mb()
    start = time.perf_counter()
    cpu = time.process_time()
    if mode.startswith("ours"):
        from eventgold.ingest import ingest_to_file

        threshold = 0.0 if "no-near" in mode else 0.8
        workers = 1 if "one" in mode else workers
        summary = ingest_to_file(
            [Path(p) for p in paths], Path(output), near_dup_threshold=threshold, workers=workers
        )
        count = summary.records_read
        extra = {"written": summary.articles_written, "exact": summary.exact_duplicates,
                 "near": summary.near_duplicates}
    elif mode == "naive":
        count = 0
        with open(output, "w", encoding="utf-8") as fh:
            for root in paths:
                for path in sorted(Path(root).rglob("*.txt")):
                    text = path.read_text(encoding="utf-8").replace("\r\n", "\n").strip()
                    rel = path.relative_to(root).with_suffix("").as_posix()
                    fh.write(Article(id=rel, text=text, content_sha=sha256_text(text)).model_dump_json() + "\n")
                    count += 1
        extra = {}
    elif mode == "trafilatura":
        import trafilatura

        count = 0
        with open(output, "w", encoding="utf-8") as fh:
            for root in paths:
                for path in sorted(Path(root).rglob("*.html")):
                    text = trafilatura.extract(path.read_text(encoding="utf-8")) or ""
                    fh.write(json.dumps({"id": path.stem, "text": text}) + "\n")
                    count += 1
        extra = {}
    else:
        raise SystemExit(f"unknown mode {mode}")
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"count": count, "seconds": elapsed, "rate": count / elapsed, "cpu": cpu, "rss_mb": _peak_rss_mb(),
            "workers_rss_mb": workers_rss,
            "rss_before_mb": rss_before, **extra}


def run(mode: str, paths: list[Path], output: Path, workers: int = 2) -> dict[str, float]:
    """Run ``child`` in a fresh interpreter and parse its JSON answer."""
    cmd = [sys.executable, __file__, "--child", mode, "--workers", str(workers), "--output", str(output),
           *map(str, paths)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _generated(folder: Path, n: int) -> list[Path]:
    """The sub-folders of ``n`` generated articles under ``folder`` (generated unless already there)."""
    done = folder / f".complete-{n}"
    if not done.exists():
        t0 = time.perf_counter()
        generate(folder, n)
        done.touch()
        print(f"generated {n} articles in {time.perf_counter() - t0:.1f} s", flush=True)
    parts = sorted(p for p in folder.iterdir() if p.is_dir())
    sample = parts[0]
    size = sum(p.stat().st_size for p in sample.glob("*.txt")) / max(1, len(list(sample.glob("*.txt"))))
    print(f"{n} articles under {folder} ({size:.0f} bytes on average)", flush=True)
    return parts


def check_workers(root: Path, n: int) -> bool:
    """Ingest ``n`` articles with 1 and with 2 workers; True when the outputs are byte-identical."""
    parts = _generated(root / f"articles-{n}", n)
    one = run("ours", parts, root / "w1.jsonl", workers=1)
    two = run("ours", parts, root / "w2.jsonl", workers=2)
    same = (root / "w1.jsonl").read_bytes() == (root / "w2.jsonl").read_bytes()
    print(f"{n} articles: --workers 1 {one['rate']:.0f} articles/s, --workers 2 {two['rate']:.0f} articles/s; "
          f"outputs byte-identical: {same}")
    return same


def big(root: Path, data: Path, n: int) -> None:
    """Only the naive reference and ours (default workers) on ``n`` articles, side by side."""
    parts = _generated(data, n)
    results = {
        "naive reference": run("naive", parts, root / "naive.jsonl"),
        f"ours, {n} articles": run("ours", parts, root / "ours.jsonl"),
    }
    _table(results)
    ours, naive = results[f"ours, {n} articles"], results["naive reference"]
    met = ours["rate"] >= 1000 and ours["rss_mb"] < 1500
    print(f"\nours vs naive read+write: {ours['rate']:.0f} vs {naive['rate']:.0f} articles/s (ours takes "
          f"{naive['rate'] / ours['rate']:.2f}x the time); peak RSS {ours['rss_mb']:.0f} MB (workers "
          f"{ours['workers_rss_mb']:.0f} MB each at most) vs {naive['rss_mb']:.0f} MB; goal >= 1,000 articles/s and "
          f"< 1,500 MB: {'met' if met else 'NOT met'} (load average now {os.getloadavg()[0]:.1f})")


def _table(results: dict[str, dict[str, float]]) -> None:
    print(f"\n{'run':<40} {'articles':>9} {'seconds':>8} {'art/s':>8} {'CPU s':>7} {'RSS MB':>7} {'worker':>7}  notes")
    for name, r in results.items():
        notes = ""
        if "written" in r:
            notes = f"written {r['written']}, exact dups {r['exact']}, near dups {r['near']}"
        print(f"{name:<40} {r['count']:>9.0f} {r['seconds']:>8.2f} {r['rate']:>8.0f} {r['cpu']:>7.2f} "
              f"{r['rss_mb']:>7.1f} {r['workers_rss_mb']:>7.1f}  {notes}")


def main() -> None:
    """Generate, run every job, print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--html", type=int, default=1_000)
    parser.add_argument("--big", action="store_true", help="only naive vs ours on all N (for a million)")
    parser.add_argument("--data", type=Path, help="folder for the generated articles (kept, reused)")
    parser.add_argument("--check-workers", type=int, default=0, metavar="N",
                        help="only: compare the outputs of --workers 1 and 2 on N articles")
    parser.add_argument("--child")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.paths, args.output, args.workers)))
        return
    if args.check_workers:
        with tempfile.TemporaryDirectory() as tmp:
            raise SystemExit(0 if check_workers(Path(tmp), args.check_workers) else 1)
    if args.big:
        with tempfile.TemporaryDirectory() as tmp:
            big(Path(tmp), args.data or Path(tmp) / "articles", args.n)
        return

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        parts = _generated(args.data or root / "articles", args.n)
        small = parts[: max(1, args.small // PER_DIR)]
        k = len(small) * PER_DIR
        results = {
            "naive reference": run("naive", parts, root / "naive.jsonl"),
            f"ours, {k} articles": run("ours", small, root / "small.jsonl"),
            f"ours, {args.n} articles": run("ours", parts, root / "ours.jsonl"),
            f"ours, {args.n}, 1 process": run("ours-one", parts, root / "ours1.jsonl"),
            f"ours, {k}, near-dup off": run("ours-no-near", small, root / "small-nn.jsonl"),
            f"ours, {args.n}, near-dup off": run("ours-no-near", parts, root / "ours-nn.jsonl"),
        }
        same = (root / "ours.jsonl").read_bytes() == (root / "ours1.jsonl").read_bytes()
        html = root / "html"
        generate_html(html, args.html)
        results[f"HTML: ours, {args.html} pages"] = run("ours", [html], root / "html.jsonl")
        results[f"HTML: trafilatura.extract alone, {args.html}"] = run("trafilatura", [html], root / "traf.jsonl")

    _table(results)
    ours = results[f"ours, {args.n} articles"]
    naive = results["naive reference"]
    small_r = results[f"ours, {k} articles"]
    nn_small = results[f"ours, {k}, near-dup off"]
    nn_big = results[f"ours, {args.n}, near-dup off"]
    extra_articles = max(1, args.n - k)
    html_ours = results[f"HTML: ours, {args.html} pages"]
    html_ref = results[f"HTML: trafilatura.extract alone, {args.html}"]
    print(f"\nours vs naive read+write: {ours['rate']:.0f} vs {naive['rate']:.0f} articles/s "
          f"(ours takes {naive['rate'] / ours['rate']:.2f}x the time); goal >= 500 articles/s: "
          f"{'met' if ours['rate'] >= 500 else 'NOT met'} (load average now {os.getloadavg()[0]:.1f})")
    one = results[f"ours, {args.n}, 1 process"]
    print(f"one process: {one['rate']:.0f} articles/s ({one['count'] / one['cpu']:.0f} per CPU second); "
          f"output identical to the 2-worker run: {same}")
    growth = ours["rss_mb"] - small_r["rss_mb"]
    growth_nn = nn_big["rss_mb"] - nn_small["rss_mb"]
    print(f"peak RSS {small_r['rss_mb']:.1f} MB at {k} -> {ours['rss_mb']:.1f} MB at {args.n}: "
          f"+{growth:.1f} MB ({growth * 1e6 / extra_articles:.0f} bytes per extra article, near-dup index included)")
    print(f"worker processes' peak RSS: {small_r['workers_rss_mb']:.1f} MB at {k} -> "
          f"{ours['workers_rss_mb']:.1f} MB at {args.n}")
    print(f"near-dup off: {nn_small['rss_mb']:.1f} -> {nn_big['rss_mb']:.1f} MB: +{growth_nn:.1f} MB "
          f"({growth_nn * 1e6 / extra_articles:.0f} bytes per extra article: ids and text digests)")
    print(f"HTML: ours {html_ours['rate']:.0f} pages/s vs trafilatura alone {html_ref['rate']:.0f} pages/s "
          f"(ratio {html_ref['rate'] / html_ours['rate']:.2f}x the time)")


if __name__ == "__main__":
    main()
