"""Benchmark for `eventgold score` (issues 6 and 17).

1. Library, from records: mention matching + counting (what nervaluate does) on 10,000
   documents x 30 gold mentions with a noisy prediction set, ours (from the Mention records:
   span arrays, matching, counts) and nervaluate's (building its dicts + Evaluator.evaluate())
   on the same in-memory data in one run; the counts (all four schemes, overall and per type)
   must agree; prints the ratio (goal: ours >= 50x faster).
2. Whole CLI from files: `eventgold score --gold G --pred P --json OUT --bootstrap 0` as a
   subprocess (the venv's console script) against nervaluate's in-process
   Evaluator.evaluate() on the same spans, timed in the same run; the counts in the CLI's JSON
   must equal nervaluate's; prints the ratio (goal: the CLI >= 5x faster).
3. The whole `score` in process from files (gold + predictions JSONL, 5 events per document),
   without and with 1,000 bootstrap resamples (one extractor; then two, with paired tests).

4. The floor of a columnar CLI path (issue 17; ``--parts floor``, not run by default): in a fresh
   interpreter each, best of 3: Python start-up, importing numpy + msgspec, decoding both files into
   msgspec Structs + building the span arrays, + the bulk invariant checks, + strict/exact mention
   counts (checked against nervaluate's), against the same 5x budget as part 2.

Noise is unambiguous (no span overlaps two spans of the other side) so nervaluate's greedy
matching and our optimal matching must give identical counts.

Run: .venv/bin/python benchmarks/score.py [--docs 10000] [--parts library,cli,floor,inprocess]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import tempfile
import time
import warnings
from collections import deque
from operator import attrgetter
from pathlib import Path
from typing import Any

from nervaluate import Evaluator
from score_floor import floor_part

from eventgold.jsonl import write_jsonl
from eventgold.models import Article, DocumentAnnotation, Event, GoldDocument, Mention, Origin, Span
from eventgold.scoring.api import score
from eventgold.scoring.inputs import load_gold, load_predictions
from eventgold.scoring.mentions import build_rows, score_mentions

TYPES = ["PERSON", "ORGANIZATION", "STATE", "ARMED_GROUP", "GROUP", "LOCATION"]
EVENTS = ["CONSULT", "ASSAULT", "RETREAT", "ACCUSE", "SUPPORT"]
NER = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def make_doc(
    rnd: random.Random, i: int, n_mentions: int, n_events: int, name: str
) -> tuple[GoldDocument, DocumentAnnotation]:
    """One gold document and a noisy prediction for it."""
    words: list[str] = []
    gold_m: list[Mention] = []
    pred_m: list[Mention] = []
    pos = 0

    def add(text: str) -> int:
        nonlocal pos
        start = pos
        words.append(text)
        pos += len(text)
        return start

    for k in range(n_mentions):
        add("filler words here ")
        text = rnd.choice(["Iraq", "Mike Pompeo", "the Quds Force", "Baghdad", "protesters"])
        s = add(text)
        e = s + len(text)
        t = rnd.choice(TYPES)
        gold_m.append(Mention(id=f"m{k}", type=t, start=s, end=e, text=text, canonical_id=f"a{k % 7}"))
        r = rnd.random()
        if r < 0.6:
            pred_m.append(Mention(id=f"p{k}", type=t, start=s, end=e, text=text, canonical_id=f"a{k % 7}"))
        elif r < 0.7:
            pred_m.append(Mention(id=f"p{k}", type=rnd.choice(TYPES), start=s, end=e, text=text))
        elif r < 0.8 and e - s > 2:
            pred_m.append(Mention(id=f"p{k}", type=t, start=s + 1, end=e, text=text[1:]))
        elif r < 0.85:
            pred_m.append(Mention(id=f"p{k}", type=t, start=s - 1, end=e, text=" " + text))
        # else: missed
        add(" and ")
    for k in range(n_mentions // 10):  # spurious, in the filler
        s = add("spurious ")
        pred_m.append(Mention(id=f"s{k}", type=rnd.choice(TYPES), start=s, end=s + 8, text="spurious"))
    gold_e: list[Event] = []
    pred_e: list[Event] = []
    for k in range(n_events):
        add(" ")
        s = add("attacked")
        trig = Span(start=s, end=s + 8, text="attacked")
        et = rnd.choice(EVENTS)
        a, b = rnd.sample(range(n_mentions), 2)
        gold_e.append(Event(id=f"e{k}", type=et, trigger=trig, actors=[f"m{a}"], recipients=[f"m{b}"]))
        pa = f"p{a}" if any(m.id == f"p{a}" for m in pred_m) else None
        if rnd.random() < 0.8:
            pred_e.append(
                Event(
                    id=f"v{k}",
                    type=et if rnd.random() < 0.8 else rnd.choice(EVENTS),
                    trigger=trig,
                    actors=[pa] if pa else [],
                )
            )
    text = "".join(words)
    article = Article(id=f"d{i:05d}", text=text, source=f"src{i % 3}")
    gold = GoldDocument(article=article, mentions=gold_m, events=gold_e, split=("train", "dev", "test")[i % 3])  # type: ignore[arg-type]
    pred = DocumentAnnotation(
        doc_id=article.id,
        origin=Origin(kind="extractor", name=name),
        mentions=pred_m,
        events=pred_e,
    )
    return gold, pred


def perturb(rnd: random.Random, pred: DocumentAnnotation) -> DocumentAnnotation:
    """A second extractor: the first one with 10% of unreferenced mentions dropped and
    10% of mention types changed."""
    used = {i for e in pred.events for _, i in e.role_ids()}
    mentions = []
    for m in pred.mentions:
        r = rnd.random()
        if r < 0.1 and m.id not in used:
            continue
        mentions.append(m.model_copy(update={"type": rnd.choice(TYPES)}) if r < 0.2 else m)
    return pred.model_copy(update={"mentions": mentions, "origin": Origin(kind="extractor", name="other")})


def check_counts(ref: dict[str, Any], overall: Any, per_type: Any, what: str) -> None:
    """Assert that our counts equal nervaluate's ``ref``, overall and per type, for all four schemes.

    ``overall(scheme)`` and ``per_type(scheme, tag)`` give our (cor, inc, par, mis, spu).
    """
    for scheme, theirs in NER.items():
        r = ref["overall"][theirs]
        assert overall(scheme) == (r.correct, r.incorrect, r.partial, r.missed, r.spurious), (what, scheme)
        for tag in TYPES:
            r = ref["entities"][tag][theirs]
            expected = (r.correct, r.incorrect, r.partial, r.missed, r.spurious)
            assert per_type(scheme, tag) == expected, (what, scheme, tag)


def eventgold_command() -> list[str]:
    """The eventgold console script next to this interpreter (the venv's), else the CLI through ``-c``."""
    script = Path(sys.executable).with_name("eventgold")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from eventgold.cli import main; sys.exit(main())"]


def nervaluate_spans(gold: list[GoldDocument], pred: list[DocumentAnnotation]) -> tuple[list[Any], list[Any]]:
    """nervaluate's dicts (end inclusive) of the gold and predicted mentions."""
    true = [[{"label": m.type, "start": m.start, "end": m.end - 1} for m in g.mentions] for g in gold]  # type: ignore[operator]
    prd = [[{"label": m.type, "start": m.start, "end": m.end - 1} for m in p.mentions] for p in pred]  # type: ignore[operator]
    return true, prd


def library_part(gold: list[GoldDocument], pred: list[DocumentAnnotation]) -> None:
    """Part 1: mention scoring from records, ours and nervaluate's, on the same in-memory mentions."""
    t0 = time.perf_counter()
    codes: dict[str, int] = {}
    g_rows = build_rows([g.mentions for g in gold], codes)
    p_rows = build_rows([p.mentions for p in pred], codes)
    t_build = time.perf_counter() - t0
    ours = score_mentions(g_rows, p_rows, len(gold), sorted(codes, key=codes.__getitem__))
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    true, prd = nervaluate_spans(gold, pred)
    t_conv = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = Evaluator(true, prd, tags=TYPES, loader="dict").evaluate()
    t_ref = time.perf_counter() - t0

    def overall(scheme: str) -> tuple[int, ...]:
        c = ours.totals(scheme)
        return (c.cor, c.inc, c.par, c.mis, c.spu)

    def per_type(scheme: str, tag: str) -> tuple[int, ...]:
        c = ours.per_type[scheme][tag]
        return (c.cor, c.inc, c.par, c.mis, c.spu)

    check_counts(ref, overall, per_type, "library")
    ratio = (t_conv + t_ref) / t_ours
    t_floor = field_read_floor(gold, pred)
    print(
        f"library, mention matching+counting from the same Mention records: ours {t_ours:.3f} s "
        f"(of which building span arrays {t_build:.3f} s), nervaluate {t_conv + t_ref:.2f} s "
        f"(of which building its dicts {t_conv:.2f} s); counts agree (4 schemes x overall + "
        f"{len(TYPES)} types); ours is {ratio:.0f}x faster (goal >= 50x: {'met' if ratio >= 50 else 'NOT met'}; "
        f"matching alone: {t_ref / (t_ours - t_build):.0f}x)"
    )
    budget = (t_conv + t_ref) / 50
    n_records = sum(len(g.mentions) for g in gold) + sum(len(p.mentions) for p in pred)
    print(
        f"  floor: only reading (start, end, type) of the {n_records} "
        f"Mention records (attrgetter, in C, best of 3) takes {t_floor:.3f} s; the 50x budget is {budget:.3f} s"
        f"{' (below the floor: no scorer that reads the records can meet it)' if t_floor > budget else ''}"
    )


def field_read_floor(gold: list[GoldDocument], pred: list[DocumentAnnotation]) -> float:
    """Seconds to read start, end and type of every gold and predicted Mention record once (best of 3).

    What any scorer taking the records must do at least; done in C (``map`` with ``attrgetter``).
    """
    flat = [m for g in gold for m in g.mentions] + [m for p in pred for m in p.mentions]
    fields = attrgetter("start", "end", "type")
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        deque(map(fields, flat), maxlen=0)
        best = min(best, time.perf_counter() - t0)
    return best


def parse_floor(paths: list[Path]) -> tuple[float, float] | None:
    """Seconds to decode every line of ``paths``, and then to make the Mention records of the decoded lines.

    Decoding uses msgspec (the fastest JSON decoder at hand) into plain Python values, with no
    validation; the records are made by pydantic-core's validator from those values (its fastest
    way to make a model: ``model_construct`` is slower), mentions only (not events or articles).
    Best of 2 each. None when msgspec is not installed.
    """
    try:
        import msgspec
    except ImportError:
        return None
    decode = msgspec.json.Decoder().decode
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        for path in paths:
            with path.open("rb") as f:
                deque(map(decode, f), maxlen=0)
        best = min(best, time.perf_counter() - t0)
    raw = [m for path in paths for line in path.open("rb") for m in decode(line)["mentions"]]
    make = Mention.__pydantic_validator__.validate_python
    best_records = float("inf")
    for _ in range(2):
        gc.collect()
        t0 = time.perf_counter()
        deque(map(make, raw), maxlen=0)
        best_records = min(best_records, time.perf_counter() - t0)
    return best, best_records


def nervaluate_reference(gpath: Path, ppath: Path) -> tuple[dict[str, Any], float]:
    """nervaluate's in-process ``Evaluator.evaluate()`` on the mentions of two files: (its results, seconds).

    nervaluate gets the spans as eventgold reads them from the files (the reader trims the
    whitespace that pads some noisy predicted spans), so both score the same spans; only
    ``evaluate()`` is timed.
    """
    gold = load_gold(gpath)
    with warnings.catch_warnings():  # the CLI reports the trimmed spans; here they are expected
        warnings.simplefilter("ignore")
        pred = load_predictions(ppath, articles={g.article.id: g.article for g in gold}).annotations  # as the CLI
    true, prd = nervaluate_spans(gold, pred)
    del gold, pred
    gc.collect()
    t0 = time.perf_counter()
    ref = Evaluator(true, prd, tags=TYPES, loader="dict").evaluate()
    return ref, time.perf_counter() - t0


def cli_part(gpath: Path, ppath: Path, out: Path, ref: dict[str, Any], t_ref: float) -> None:
    """Part 2: the whole CLI from files against nervaluate's in-process evaluation of the same spans.

    ``ref`` and ``t_ref`` are :func:`nervaluate_reference` of the same files.
    """
    cmd = [*eventgold_command(), "score", "--gold", str(gpath), "--pred", str(ppath)]
    cmd += ["--json", str(out), "--bootstrap", "0"]
    gc.collect()
    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    t_cli = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    mentions = json.loads(out.read_text(encoding="utf-8"))["extractors"][0]["mentions"]
    keys = ("cor", "inc", "par", "mis", "spu")
    check_counts(
        ref,
        lambda scheme: tuple(mentions[scheme]["overall"][k] for k in keys),
        lambda scheme, tag: tuple(mentions[scheme]["per_type"][tag][k] for k in keys),
        "cli",
    )
    ratio = t_ref / t_cli
    floors = parse_floor([gpath, ppath])
    t_start = interpreter_floor()
    print(
        f"whole CLI from files (`eventgold score --json --bootstrap 0`, {gpath.stat().st_size / 1e6:.0f} MB gold + "
        f"{ppath.stat().st_size / 1e6:.0f} MB predictions): {t_cli:.2f} s; nervaluate's in-process "
        f"Evaluator.evaluate() on the same spans: {t_ref:.2f} s; counts in the JSON agree; the CLI is "
        f"{ratio:.1f}x faster (goal >= 5x: {'met' if ratio >= 5 else 'NOT met'})"
    )
    if floors is not None:
        t_parse, t_records = floors
        total = t_start + t_parse + t_records
        print(
            f"  floor: starting Python with numpy and pydantic {t_start:.2f} s + decoding both files with msgspec "
            f"(no validation) {t_parse:.2f} s + making only their Mention records (pydantic-core) {t_records:.2f} s "
            f"= {total:.2f} s, before any event record or scoring; the 5x budget is {t_ref / 5:.2f} s"
        )


def interpreter_floor() -> float:
    """Seconds a fresh interpreter takes to start and import numpy and pydantic (best of 3)."""
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import numpy, pydantic"], check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--mentions", type=int, default=30)
    ap.add_argument("--events", type=int, default=5)
    ap.add_argument("--bootstrap", type=int, default=1000)
    ap.add_argument("--parts", default="library,cli,inprocess", help="comma-separated: library, cli, floor, inprocess")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    rnd = random.Random(0)
    pairs = [make_doc(rnd, i, args.mentions, args.events, "noisy") for i in range(args.docs)]
    gold = [g for g, _ in pairs]
    pred = [p for _, p in pairs]
    print(
        f"{args.docs} documents, {sum(len(g.mentions) for g in gold)} gold mentions, "
        f"{sum(len(p.mentions) for p in pred)} predicted, "
        f"{sum(len(g.events) for g in gold)} gold events"
    )

    if "library" in parts:
        library_part(gold, pred)
    with tempfile.TemporaryDirectory() as tmp:
        gpath, ppath, p2path = (
            Path(tmp, "gold.jsonl"),
            Path(tmp, "pred.jsonl"),
            Path(tmp, "pred2.jsonl"),
        )
        write_jsonl(gpath, gold)
        write_jsonl(ppath, pred)
        if "inprocess" in parts:
            write_jsonl(p2path, (perturb(random.Random(i), p) for i, p in enumerate(pred)))
        del pairs, gold, pred
        if parts & {"cli", "floor"}:
            ref, t_ref = nervaluate_reference(gpath, ppath)
            if "cli" in parts:
                cli_part(gpath, ppath, Path(tmp, "out.json"), ref, t_ref)
            if "floor" in parts:
                floor_part(gpath, ppath, ref, t_ref)
        if "inprocess" not in parts:
            return

        def timed(fn):  # type: ignore[no-untyped-def]
            gc.collect()
            t0 = time.perf_counter()
            out = fn()
            return time.perf_counter() - t0, out

        t_read, g = timed(lambda: load_gold(gpath))
        t_p1, p1 = timed(lambda: load_predictions(ppath))
        _, p2 = timed(lambda: load_predictions(p2path))
        print(f"reading: gold {t_read:.2f} s, one prediction file {t_p1:.2f} s")
        for label, preds in (
            ("1 extractor", {"a": p1.annotations}),
            ("2 extractors", {"a": p1.annotations, "b": p2.annotations}),
        ):
            plain = []
            boot = []
            for _ in range(2):  # alternate, keep the best of two
                plain.append(timed(lambda preds=preds: score(g, preds, bootstrap=0))[0])
                boot.append(timed(lambda preds=preds: score(g, preds, bootstrap=args.bootstrap))[0])
            base = min(plain) + t_read + t_p1 * len(preds)
            extra = min(boot) - min(plain)
            print(
                f"score from files, {label}: full pass {base:.2f} s (reading {t_read + t_p1 * len(preds):.2f} s, "
                f"scoring {min(plain):.2f} s); {args.bootstrap} resamples"
                f"{' + paired bootstrap + approximate randomization' if len(preds) > 1 else ''} "
                f"add {extra:.2f} s = {extra / base:.2f} of a full pass"
            )


if __name__ == "__main__":
    main()
