"""Benchmark for `eventgold train` (issue #18): training time, prediction speed, quality against `rules`.

1. Training time: a gold version of 1,000 seed-size documents (the five packaged sample gold
   documents, each repeated 200 times under new ids; 800 train / 100 dev / 100 test) trained with
   the default settings, timed (goal: at most 15 minutes on the 2-core machine).
2. Prediction speed: the trained model annotates 1,000 articles with one thread (threadpoolctl
   limits BLAS; spaCy runs on one core), side by side with the `rules` baseline on the same
   articles (goal: at least 100 articles/s).
3. Quality (with ``--public GOLD_DIR [--ontology FILE]``, a gold version built from a public
   dataset: benchmarks/plover_gold.py (the OEDA PLOVER gold standard records, the default
   ontology) or benchmarks/phee_gold.py (PHEE, its own ontology: `rules` has no lexicon for it)):
   train on its train split, select on dev, then score the model and
   `rules` on its test split with 1,000 bootstrap resamples: mention strict F1 and trigger
   classification F1 with 95% intervals, side by side.

Run: .venv/bin/python benchmarks/train.py [--docs 1000] [--max-steps N] [--public DIR --ontology FILE]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.export_fixtures import write_gold  # noqa: E402

from eventgold.extractors.base import load_extractor, run_extractor  # noqa: E402
from eventgold.gold.dataset import read_gold_version  # noqa: E402
from eventgold.models import GoldDocument  # noqa: E402
from eventgold.ontology import Ontology, load_ontology  # noqa: E402
from eventgold.resources import packaged_samples  # noqa: E402
from eventgold.scoring.api import score  # noqa: E402
from eventgold.training.api import train  # noqa: E402
from eventgold.training.model import TrainedModel  # noqa: E402
from eventgold.training.spans import SpanModelSettings  # noqa: E402

SPLIT_OF = ("train",) * 8 + ("dev", "test")


def seed_size_gold(n: int) -> list[GoldDocument]:
    """``n`` documents: the packaged sample gold's documents in turn, each under a new id and split."""
    base = read_gold_version(packaged_samples() / "gold" / "v1").documents
    out = []
    for i in range(n):
        doc = base[i % len(base)]
        article = doc.article.model_copy(update={"id": f"{doc.article.id}-{i:05d}"})
        out.append(doc.model_copy(update={"article": article, "split": SPLIT_OF[i % len(SPLIT_OF)]}))
    return out


def articles_per_second(extractor: object, docs: list[GoldDocument], ontology: Ontology) -> float:
    """Articles annotated per second by ``extractor`` with one thread (outputs checked like `extract` does)."""
    articles = [d.article for d in docs]
    with threadpool_limits(limits=1):
        start = time.perf_counter()
        n = sum(1 for _ in run_extractor(extractor, articles, ontology))  # type: ignore[arg-type]
        return n / (time.perf_counter() - start)


def speed_part(n_docs: int, max_steps: int | None, work: Path) -> None:
    """Parts 1 and 2 on the seed-size gold."""
    onto = load_ontology()
    docs = seed_size_gold(n_docs)
    gold = write_gold(work / "gold" / "v1", docs, ontology=onto)
    settings = SpanModelSettings() if max_steps is None else SpanModelSettings(max_steps=max_steps)
    start = time.perf_counter()
    meta = train(gold, work / "models" / "seed", ontology=onto, settings=settings, seed=0)
    minutes = (time.perf_counter() - start) / 60
    print(
        f"training on {meta.gold.train_documents} train documents (selecting on {meta.gold.dev_documents} dev; "
        f"max_steps {settings.max_steps}): {minutes:.1f} min "
        f"(goal <= 15 min: {'met' if minutes <= 15 else 'NOT met'}); "
        f"dev mention strict F1 {meta.dev.mention_strict_f1}, trigger cls F1 {meta.dev.trigger_cls_f1}"
    )
    model = TrainedModel.load(work / "models" / "seed", ontology=onto)
    ours = articles_per_second(model, docs, onto)
    rules = articles_per_second(load_extractor("rules", ontology=onto), docs, onto)
    print(
        f"prediction, one thread, {len(docs)} articles: model {ours:.0f} articles/s, rules {rules:.0f} articles/s "
        f"(model/rules {ours / rules:.2f}); goal >= 100 articles/s: {'met' if ours >= 100 else 'NOT met'}"
    )


def quality_part(gold_dir: Path, ontology_file: Path, max_steps: int | None, work: Path) -> None:
    """Part 3: the model against `rules` on the public gold's test split, with bootstrap intervals."""
    onto = load_ontology(ontology_file)
    settings = SpanModelSettings() if max_steps is None else SpanModelSettings(max_steps=max_steps)
    start = time.perf_counter()
    train(gold_dir, work / "models" / "public", ontology=onto, settings=settings, seed=0)
    print(f"trained on {gold_dir} in {(time.perf_counter() - start) / 60:.1f} min")
    test = [d for d in read_gold_version(gold_dir, onto).documents if d.split == "test"]
    articles = [d.article for d in test]
    preds = {
        "model": list(run_extractor(TrainedModel.load(work / "models" / "public", ontology=onto), articles, onto)),
        "rules": list(run_extractor(load_extractor("rules", ontology=onto), articles, onto)),
    }
    report = score(test, preds, bootstrap=1000, seed=0, ontology=onto)
    print(f"test split: {len(test)} documents; 95% bootstrap intervals (1,000 resamples)")
    for metric in ("mention.strict.f1", "event.trigger_cls.f1"):
        cells = []
        for ex in report.extractors:
            ci = ex.intervals.get(metric)
            interval = f" [{ci.low:.3f}, {ci.high:.3f}]" if ci is not None else ""
            cells.append(f"{ex.name} {ex.metrics[metric]:.3f}{interval}")
        tests = [t for t in report.tests if t.metric == metric]
        paired = "; ".join(f"{t.method} p = {t.p_value:.3f}" for t in tests)
        print(f"  {metric:<22} " + "   ".join(cells) + (f"   (model - rules: {paired})" if paired else ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--max-steps", type=int, default=None, help="spaCy steps (default: the default settings')")
    ap.add_argument("--public", type=Path, default=None, help="gold version folder (plover_gold.py, phee_gold.py)")
    ap.add_argument("--ontology", type=Path, default=None, help="its ontology file (default: PLOVER)")
    ap.add_argument("--skip-speed", action="store_true", help="only the quality part")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_speed:
            speed_part(args.docs, args.max_steps, Path(tmp))
        if args.public is not None:
            quality_part(args.public, args.ontology, args.max_steps, Path(tmp))


if __name__ == "__main__":
    main()
