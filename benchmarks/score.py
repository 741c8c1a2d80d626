"""Benchmark for `eventgold score` (issue 6).

1. Mention matching + counting (what nervaluate does) on 10,000 documents x 30 gold
   mentions with a noisy prediction set, ours and nervaluate's on the same in-memory data
   in one run; the counts (all four schemes, overall and per type) must agree; prints the ratio.
2. The whole `score` from files (gold + predictions JSONL, 5 events per document), without
   and with 1,000 bootstrap resamples (one extractor; then two, with paired tests).

Noise is unambiguous (no span overlaps two spans of the other side) so nervaluate's greedy
matching and our optimal matching must give identical counts.

Run: .venv/bin/python benchmarks/score.py [--docs 10000]
"""

from __future__ import annotations

import argparse
import gc
import random
import tempfile
import time
from pathlib import Path

from nervaluate import Evaluator

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--mentions", type=int, default=30)
    ap.add_argument("--events", type=int, default=5)
    ap.add_argument("--bootstrap", type=int, default=1000)
    args = ap.parse_args()
    rnd = random.Random(0)
    pairs = [make_doc(rnd, i, args.mentions, args.events, "noisy") for i in range(args.docs)]
    gold = [g for g, _ in pairs]
    pred = [p for _, p in pairs]
    print(
        f"{args.docs} documents, {sum(len(g.mentions) for g in gold)} gold mentions, "
        f"{sum(len(p.mentions) for p in pred)} predicted, "
        f"{sum(len(g.events) for g in gold)} gold events"
    )

    # 1. mention matching + counting, in memory
    t0 = time.perf_counter()
    codes: dict[str, int] = {}
    g_rows = build_rows([g.mentions for g in gold], codes)
    p_rows = build_rows([p.mentions for p in pred], codes)
    t_build = time.perf_counter() - t0
    ours = score_mentions(g_rows, p_rows, len(gold), sorted(codes, key=codes.__getitem__))
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    true = [[{"label": m.type, "start": m.start, "end": m.end - 1} for m in g.mentions] for g in gold]
    prd = [[{"label": m.type, "start": m.start, "end": m.end - 1} for m in p.mentions] for p in pred]
    t_conv = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = Evaluator(true, prd, tags=TYPES, loader="dict").evaluate()
    t_ref = time.perf_counter() - t0
    for scheme, theirs in NER.items():
        r = ref["overall"][theirs]
        c = ours.totals(scheme)
        assert (c.cor, c.inc, c.par, c.mis, c.spu) == (
            r.correct,
            r.incorrect,
            r.partial,
            r.missed,
            r.spurious,
        ), scheme
        for tag in TYPES:
            r = ref["entities"][tag][theirs]
            c = ours.per_type[scheme][tag]
            assert (c.cor, c.inc, c.par, c.mis, c.spu) == (
                r.correct,
                r.incorrect,
                r.partial,
                r.missed,
                r.spurious,
            ), (scheme, tag)
    print(
        f"mention matching+counting from the same Mention records: ours {t_ours:.3f} s "
        f"(of which building span arrays {t_build:.3f} s), nervaluate {t_conv + t_ref:.2f} s "
        f"(of which building its dicts {t_conv:.2f} s); counts agree (4 schemes x overall + "
        f"{len(TYPES)} types); ours is {(t_conv + t_ref) / t_ours:.0f}x faster "
        f"(matching alone: {t_ref / (t_ours - t_build):.0f}x)"
    )

    # 2. the whole score, from files
    with tempfile.TemporaryDirectory() as tmp:
        gpath, ppath, p2path = (
            Path(tmp, "gold.jsonl"),
            Path(tmp, "pred.jsonl"),
            Path(tmp, "pred2.jsonl"),
        )
        write_jsonl(gpath, gold)
        write_jsonl(ppath, pred)
        write_jsonl(p2path, (perturb(random.Random(i), p) for i, p in enumerate(pred)))
        del pairs, gold, pred

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
