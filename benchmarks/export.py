"""Training-data exports: our tokenizer and BIO tagging vs spaCy's, and whole exports.

Run: .venv/bin/python benchmarks/export.py
Prints seconds (best of 5) and the ratio ours / spaCy for tokenizing the seed
articles and for spans -> BIO tags (our layout vs spaCy's tokenizer +
``offsets_to_biluo_tags`` + ``biluo_to_iob``), how often the two tokenizers
agree on token edges, how many gold spans each cannot put on tokens, and the
time of whole exports of a 600-document gold in every format.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import spacy
from spacy.training import biluo_to_iob, offsets_to_biluo_tags

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.export_fixtures import fixture_docs, write_gold  # noqa: E402

from eventgold.export import FORMATS  # noqa: E402
from eventgold.export.bio import encode_bio  # noqa: E402
from eventgold.export.layout import layout_document  # noqa: E402
from eventgold.export.run import export_gold  # noqa: E402
from eventgold.export.tokenize import tokenize  # noqa: E402
from eventgold.models import GoldDocument  # noqa: E402
from eventgold.resources import packaged_samples  # noqa: E402


def best(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def row(name: str, ours: float, ref: float, refname: str = "spaCy") -> None:
    print(f"{name:<44} ours {ours * 1000:9.2f} ms   {refname} {ref * 1000:9.2f} ms   ratio {ours / ref:5.2f}")


def main() -> None:
    nlp = spacy.blank("en")
    texts = [(packaged_samples() / "articles" / p.name).read_text(encoding="utf-8").replace("\r\n", "\n")
             for p in sorted((packaged_samples() / "articles").glob("*.txt"))] * 40  # fmt: skip
    tokenize(texts[0])  # build the pattern once
    row(f"tokenize {len(texts)} seed articles", best(lambda: [tokenize(t) for t in texts]),
        best(lambda: [nlp.tokenizer(t) for t in texts]))  # fmt: skip

    ours_edges = spacy_edges = shared = 0
    for text in texts[:5]:
        a = {(t.start, t.end) for t in tokenize(text)}
        b = {(t.idx, t.idx + len(t)) for t in nlp.tokenizer(text) if not t.is_space}
        ours_edges, spacy_edges, shared = ours_edges + len(a), spacy_edges + len(b), shared + len(a & b)
    print(f"{'token agreement with spaCy (5 seeds)':<44} {shared} shared of {ours_edges} ours / {spacy_edges} spaCy")

    docs = [d.model_copy(update={"article": d.article.model_copy(update={"id": f"{d.doc_id}-{i}"})})
            for i in range(200) for d in fixture_docs()]  # fmt: skip

    def ours() -> int:
        lost = 0
        for d in docs:
            lay = layout_document(d)
            encode_bio(len(lay.tokens), [(a.tok_start, a.tok_end, a.unit.label) for a in lay.ner])
            lost += sum(1 for c in lay.cut if c.kind == "mention") + len(lay.mention_overlaps)
        return lost

    def reference() -> int:
        lost = 0
        for d in docs:
            doc = nlp.tokenizer(d.article.text)
            spans = [(m.start, m.end, m.type) for m in d.mentions if m.start is not None]
            biluo = offsets_to_biluo_tags(doc, spans, missing="-")
            biluo_to_iob(biluo)
            lost += len(spans) - sum(1 for t in biluo if t[0] in "BU")
        return lost

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # spaCy warns about each misaligned span
        row(f"spans -> BIO, {len(docs)} documents", best(ours), best(reference))
        label = "actor spans not in the BIO tags (ours / spaCy)"
        print(f"{label:<44} {ours() // 200} / {reference() // 200} per 3 documents")

    with tempfile.TemporaryDirectory() as tmp:
        gold = write_gold(Path(tmp) / "gold", [GoldDocument.model_validate(d.model_dump()) for d in docs])
        for name in FORMATS:
            seconds = best(lambda name=name: export_gold(gold, name, Path(tmp) / name), repeat=3)  # type: ignore[misc]
            print(f"{'export ' + name + f', {len(docs)} documents':<44} {seconds:6.2f} s "
                  f"({len(docs) / seconds:,.0f} documents/s)")  # fmt: skip


if __name__ == "__main__":
    main()
