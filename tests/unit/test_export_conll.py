"""CoNLL export: layout, round trip spans -> BIO -> spans (read back with seqeval), cut spans."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from seqeval.metrics.sequence_labeling import get_entities

from eventgold.export import export_gold
from eventgold.export.layout import layout_document, span_units
from eventgold.models import GoldDocument

from .export_fixtures import fixture_gold, word_golds, write_gold

Spans = set[tuple[int, int, str]]


def read_back(out: Path, split: str, texts: dict[str, str]) -> dict[str, tuple[Spans, Spans]]:
    """Actor and trigger spans per document, as character offsets, from the CoNLL file + offsets sidecar.

    Also checks that every token in the CoNLL file is the text its offsets slice.
    """
    lines = (out / f"{split}.conll").read_text(encoding="utf-8").split("\n")
    offsets = [json.loads(line) for line in (out / f"{split}.offsets.jsonl").read_text().splitlines()]
    sentences: list[list[tuple[str, str, str]]] = []
    current: list[tuple[str, str, str]] = []
    for line in lines:
        if line == "-DOCSTART- O O":
            continue
        if not line:
            if current:
                sentences.append(current)
            current = []
            continue
        token, actor, trigger = line.split(" ")
        current.append((token, actor, trigger))
    assert not current
    assert len(sentences) == len(offsets)
    out_spans: dict[str, tuple[Spans, Spans]] = defaultdict(lambda: (set(), set()))
    for rows, meta in zip(sentences, offsets, strict=True):
        text = texts[meta["doc_id"]]
        assert [r[0] for r in rows] == [text[a:b] for a, b in meta["offsets"]]
        actors, triggers = out_spans[meta["doc_id"]]
        for column, bucket in ((1, actors), (2, triggers)):
            for label, start, end in get_entities([r[column] for r in rows]):
                bucket.add((meta["offsets"][start][0], meta["offsets"][end][1], label))
    return dict(out_spans)


def check_round_trip(docs: Sequence[GoldDocument], out: Path) -> None:
    """Every span read back is a gold span with its gold text; every gold span is back or reported cut."""
    cut = [json.loads(line) for line in (out / "cut_spans.jsonl").read_text().splitlines()]
    cut_ids = {(c["doc_id"], c["id"]) for c in cut}
    by_split: dict[str, dict[str, tuple[Spans, Spans]]] = {}
    for doc in docs:
        if doc.split is None:
            continue
        if doc.split not in by_split:
            by_split[doc.split] = read_back(out, doc.split, {d.doc_id: d.article.text for d in docs})
        actors, triggers = by_split[doc.split].get(doc.doc_id, (set(), set()))
        mentions, gold_triggers = span_units(doc)
        for got, gold in ((actors, mentions), (triggers, gold_triggers)):
            gold_keys = {(u.start, u.end, u.label) for u in gold}
            assert got <= gold_keys
            for start, end, _ in got:
                assert any(doc.article.text[start:end] == u.text for u in gold if (u.start, u.end) == (start, end))
            for u in gold:
                assert (u.start, u.end, u.label) in got or (doc.doc_id, u.id) in cut_ids


def test_fixture_export(tmp_path: Path) -> None:
    gold = fixture_gold(tmp_path)
    out = tmp_path / "conll"
    summary = export_gold(gold, "conll", out)
    assert summary.status == "written"
    assert summary.files == [
        "cut_spans.jsonl",
        "dev.conll",
        "dev.offsets.jsonl",
        "manifest.json",
        "test.conll",
        "test.offsets.jsonl",
        "train.conll",
        "train.offsets.jsonl",
    ]
    train = (out / "train.conll").read_text()
    assert train.startswith("-DOCSTART- O O\n\nIraqi B-GROUP O\nofficials I-GROUP O\nmet O B-CONSULT\n")
    assert "rocket O B-ASSAULT\nattacks O I-ASSAULT\n" in train
    assert "Tehr B-STATE O\nan O O\n" in train  # "Tehran" is split at the edge of the gold span "Tehr"
    assert train.endswith(". O O\n\n")
    test = (out / "test.conll").read_text()
    assert test.count("-DOCSTART-") == 2
    assert all(len(line.split(" ")) == 3 for line in test.splitlines() if line)
    docs = [d for d in (GoldDocument.model_validate_json(x) for x in (gold / "gold.jsonl").read_text().splitlines())]
    check_round_trip(docs, out)
    cut = [json.loads(line) for line in (out / "cut_spans.jsonl").read_text().splitlines()]
    # only what IOB cannot hold: "Iraqi" nested in "Iraqi officials" ("Tehr", "Iraq", "visit" are split off)
    assert [(c["split"], c["doc_id"], c["id"], c["reason"]) for c in cut] == [("train", "t01", "m2", "overlap")]
    assert summary.cut_reasons == {"overlap": 1}
    assert summary.splits["train"].cut == 1 and summary.splits["test"].records == 47
    assert [summary.splits[s].split_tokens for s in ("train", "dev", "test")] == [1, 0, 2]
    assert "Iraq B-STATE O\ni O O\n" in test and "visit O B-CONSULT\ns O O\n" in test
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "eventgold-export" and manifest["gold"]["version"] == "v1"
    assert manifest["tokenizer"] == "eventgold-regex-1" and manifest["cut_spans"] == 1


def test_sentences_follow_the_text(tmp_path: Path) -> None:
    out = tmp_path / "conll"
    export_gold(fixture_gold(tmp_path), "conll", out, ["train"])
    offsets = [json.loads(line) for line in (out / "train.offsets.jsonl").read_text().splitlines()]
    text = layout_document(
        GoldDocument.model_validate_json((tmp_path / "gold" / "v1" / "gold.jsonl").read_text().splitlines()[-1])
    ).text
    assert [text[o["start"] : o["end"]] for o in offsets] == [
        "Iraqi officials met Pompeo in Baghdad on Monday.",
        "The U.S. envoy (Gen. Smith) arrived.",
        "Washington warned Tehran over the rocket attacks on the Green Zone.",
    ]
    assert not (out / "dev.conll").exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word_golds())
def test_round_trip_on_generated_gold(docs: list[GoldDocument]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        gold = write_gold(Path(tmp) / "gold", docs)
        out = Path(tmp) / "conll"
        export_gold(gold, "conll", out)
        check_round_trip(docs, out)
        for split in ("train", "dev", "test"):
            for line in (out / f"{split}.offsets.jsonl").read_text().splitlines():
                row = json.loads(line)
                text = next(d.article.text for d in docs if d.doc_id == row["doc_id"])
                tokens = [text[a:b] for a, b in row["offsets"]]
                assert all(tok and not any(ch.isspace() for ch in tok) for tok in tokens)
