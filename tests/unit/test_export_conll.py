"""CoNLL export: layout, round trip spans -> BIO -> spans (read back with seqeval), arguments, cut spans."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from seqeval.metrics.sequence_labeling import get_entities

from eventgold.export.layout import layout_document, span_units
from eventgold.export.run import export_gold
from eventgold.models import GoldDocument

from .export_fixtures import fixture_gold, word_golds, write_gold

Spans = set[tuple[int, int, str]]
Arguments = set[tuple[str, str, int, int]]
"""(event id, role, start, end) of each argument read from the argument column."""


def read_rows(out: Path, split: str) -> list[list[tuple[str, str, str, str]]]:
    """The sentences of ``<split>.conll`` as rows of its four columns."""
    lines = (out / f"{split}.conll").read_text(encoding="utf-8").split("\n")
    sentences: list[list[tuple[str, str, str, str]]] = []
    current: list[tuple[str, str, str, str]] = []
    for line in lines:
        if line == "-DOCSTART- O O O":
            continue
        if not line:
            if current:
                sentences.append(current)
            current = []
            continue
        token, actor, trigger, arguments = line.split(" ")
        current.append((token, actor, trigger, arguments))
    assert not current
    return sentences


def read_arguments(tags: list[str], offsets: list[list[int]]) -> Arguments:
    """Arguments from one document's argument column (``B-<event>:<role>|I-...``), as character offsets."""
    open_spans: dict[str, list[int]] = {}
    found: list[tuple[str, list[int]]] = []
    for i, cell in enumerate(tags):
        if cell == "O":
            continue
        for part in cell.split("|"):
            prefix, key = part[:2], part[2:]
            assert prefix in ("B-", "I-") and ":" in key, part
            if prefix == "B-":
                open_spans[key] = [i, i + 1]
                found.append((key, open_spans[key]))
            else:
                assert open_spans[key][1] == i, part  # an I- continues the span just before
                open_spans[key][1] = i + 1
    out: Arguments = set()
    for key, (a, b) in found:
        event_id, role = key.rsplit(":", 1)
        out.add((event_id, role, offsets[a][0], offsets[b - 1][1]))
    return out


def read_back(
    out: Path, split: str, texts: dict[str, str]
) -> tuple[dict[str, tuple[Spans, Spans]], dict[str, Arguments]]:
    """Actor and trigger spans and arguments per document, as character offsets, from the CoNLL file + offsets.

    Also checks that every token in the CoNLL file is the text its offsets slice.
    """
    offsets = [json.loads(line) for line in (out / f"{split}.offsets.jsonl").read_text().splitlines()]
    sentences = read_rows(out, split)
    assert len(sentences) == len(offsets)
    out_spans: dict[str, tuple[Spans, Spans]] = defaultdict(lambda: (set(), set()))
    doc_tags: dict[str, tuple[list[str], list[list[int]]]] = defaultdict(lambda: ([], []))
    for rows, meta in zip(sentences, offsets, strict=True):
        text = texts[meta["doc_id"]]
        assert [r[0] for r in rows] == [text[a:b] for a, b in meta["offsets"]]
        actors, triggers = out_spans[meta["doc_id"]]
        for column, bucket in ((1, actors), (2, triggers)):
            for label, start, end in get_entities([r[column] for r in rows]):
                bucket.add((meta["offsets"][start][0], meta["offsets"][end][1], label))
        tags, token_offsets = doc_tags[meta["doc_id"]]
        tags.extend(r[3] for r in rows)
        token_offsets.extend(meta["offsets"])
    arguments = {doc_id: read_arguments(tags, offs) for doc_id, (tags, offs) in doc_tags.items()}
    return dict(out_spans), arguments


def check_round_trip(docs: Sequence[GoldDocument], out: Path) -> None:
    """Every span read back is a gold span with its gold text; every gold span is back or reported cut."""
    cut = [json.loads(line) for line in (out / "cut_spans.jsonl").read_text().splitlines()]
    cut_ids = {(c["doc_id"], c["id"]) for c in cut if c["kind"] != "argument"}
    by_split: dict[str, tuple[dict[str, tuple[Spans, Spans]], dict[str, Arguments]]] = {}
    not_on_tokens = {(c["doc_id"], c["id"]) for c in cut if c["kind"] == "mention" and c["reason"] != "overlap"}
    arguments_cut = {(c["doc_id"], c["label"], c["id"]) for c in cut if c["kind"] == "argument"}
    for doc in docs:
        if doc.split is None:
            continue
        if doc.split not in by_split:
            by_split[doc.split] = read_back(out, doc.split, {d.doc_id: d.article.text for d in docs})
        spans, arguments = by_split[doc.split]
        actors, triggers = spans.get(doc.doc_id, (set(), set()))
        mentions_by_id = {m.id: m for m in doc.mentions}
        expected = {
            (e.id, role, m.start, m.end)
            for e in doc.events
            for role, mid in e.role_ids()
            if (m := mentions_by_id[mid]).start is not None
            and m.end is not None
            and (doc.doc_id, mid) not in not_on_tokens
            and (doc.doc_id, f"{e.id}:{role}", mid) not in arguments_cut
        }
        assert arguments.get(doc.doc_id, set()) == expected
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
    assert train.startswith(
        "-DOCSTART- O O O\n\nIraqi B-GROUP O B-e1:recipient\nofficials I-GROUP O I-e1:recipient\n"
        "met O B-CONSULT O\nPompeo B-PERSON O B-e1:actor\nin O O O\nBaghdad B-LOCATION O B-e1:location\n"
    )
    assert "rocket O B-ASSAULT O\nattacks O I-ASSAULT O\n" in train
    assert "Green B-LOCATION O B-e3:location\nZone I-LOCATION O I-e3:location\n" in train
    # Washington is the actor of e2 and of the trigger-less e4; "Tehr" is split off "Tehran"
    assert "Washington B-STATE O B-e2:actor|B-e4:actor\nwarned O B-THREATEN O\nTehr B-STATE O B-e2:recipient\n" in train
    assert "an O O O\n" in train
    assert train.endswith(". O O O\n\n")
    test = (out / "test.conll").read_text()
    assert test.count("-DOCSTART-") == 2
    assert all(len(line.split(" ")) == 4 for line in test.splitlines() if line)
    docs = [d for d in (GoldDocument.model_validate_json(x) for x in (gold / "gold.jsonl").read_text().splitlines())]
    check_round_trip(docs, out)
    cut = [json.loads(line) for line in (out / "cut_spans.jsonl").read_text().splitlines()]
    # only what IOB cannot hold: "Iraqi" nested in "Iraqi officials" ("Tehr", "Iraq", "visit" are split off)
    assert [(c["split"], c["doc_id"], c["id"], c["reason"]) for c in cut] == [("train", "t01", "m2", "overlap")]
    assert summary.cut_reasons == {"overlap": 1}
    assert summary.splits["train"].cut == 1 and summary.splits["test"].records == 47
    assert [summary.splits[s].split_tokens for s in ("train", "dev", "test")] == [1, 0, 2]
    assert "Iraq B-STATE O B-e2:location\ni O O O\n" in test and "visit O B-CONSULT O\ns O O O\n" in test
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
