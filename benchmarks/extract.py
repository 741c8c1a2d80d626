"""Benchmark: gazetteer + rules baselines over N seed-sized articles (one core).

Runs ours (``rules``, which includes the gazetteer, and ``gazetteer`` alone) and
a reference for the gazetteer part: spaCy's PhraseMatcher (``attr="LOWER"``) over
a blank English tokenizer with the same dictionary names. Prints articles/s and
the ratio. Usage::

    .venv/bin/python benchmarks/extract.py [--n 20000]
"""

from __future__ import annotations

import argparse
import time

from eventgold.extractors.gazetteer import GazetteerExtractor, load_gazetteer
from eventgold.extractors.rules import RulesExtractor
from eventgold.models import Article
from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"


def corpus(n: int) -> list[Article]:
    """``n`` articles cycling through the seeds (ids differ, texts are seed-sized)."""
    texts = [p.read_text(encoding="utf-8").replace("\r\n", "\n") for p in sorted(SEEDS.glob("*.txt"))]
    return [Article(id=f"a{i}", text=texts[i % len(texts)]) for i in range(n)]


def timed(label: str, fn, n: int) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    count = fn()
    elapsed = time.perf_counter() - start
    assert count == n, (label, count)
    rate = n / elapsed
    print(f"{label:<44} {elapsed:7.2f} s  {rate:8.0f} articles/s")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    n = args.n
    articles = corpus(n)
    chars = sum(len(a.text) for a in articles) / n
    print(f"{n} articles, {chars:.0f} characters on average, one process")

    rules = RulesExtractor()
    gaz = GazetteerExtractor()
    ours_rules = timed("ours: rules (gazetteer + triggers + roles)", lambda: sum(1 for _ in rules.extract(articles)), n)
    ours_gaz = timed("ours: gazetteer only", lambda: sum(1 for _ in gaz.extract(articles)), n)

    import spacy
    from spacy.matcher import PhraseMatcher

    nlp = spacy.blank("en")
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    dictionary = load_gazetteer().dictionary
    for entry in dictionary.entries.values():
        matcher.add(entry.id, [nlp.make_doc(name) for name in entry.names()])

    def reference() -> int:
        count = 0
        for doc in nlp.pipe((a.text for a in articles), batch_size=256):
            matcher(doc)
            count += 1
        return count

    ref = timed("reference: spaCy tokenizer + PhraseMatcher", reference, n)
    print(f"ratio gazetteer ours/reference: {ours_gaz / ref:.2f}x")
    print(f"goal >= 200 articles/s for gazetteer + rules: {'met' if ours_rules >= 200 else 'NOT met'}")


if __name__ == "__main__":
    main()
