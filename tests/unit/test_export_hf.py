"""Hugging Face export: rows, labels, dataset card; loaded by `datasets` with ClassLabel tags."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import datasets
import yaml
from hypothesis import HealthCheck, given, settings
from seqeval.metrics.sequence_labeling import get_entities

from eventgold.export.run import export_gold
from eventgold.models import GoldDocument

from .export_fixtures import fixture_gold, word_golds, write_gold

ROW_KEYS = ["id", "text", "tokens", "offsets", "sentences", "ner_tags", "trigger_tags", "mentions", "events"]


def rows(out: Path, split: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def check_rows(docs: list[GoldDocument], out: Path) -> None:
    """Schema and invariants of every row, independent of the `datasets` library."""
    labels = json.loads((out / "labels.json").read_text())
    golds = {d.doc_id: d for d in docs}
    for split in ("train", "dev", "test"):
        for row in rows(out, split):
            assert list(row) == ROW_KEYS
            gold = golds[row["id"]]
            text = row["text"]
            assert text == gold.article.text and gold.split == split
            assert row["tokens"] == [text[a:b] for a, b in row["offsets"]]
            assert len(row["ner_tags"]) == len(row["trigger_tags"]) == len(row["tokens"])
            assert [i for a, b in row["sentences"] for i in range(a, b)] == list(range(len(row["tokens"])))
            for key, gold_spans in (
                ("ner_tags", {(m.start, m.end, m.type) for m in gold.mentions if m.start is not None}),
                ("trigger_tags", {(e.trigger.start, e.trigger.end, e.type) for e in gold.events if e.trigger}),
            ):
                tags = [labels[key][i] for i in row[key]]
                for label, first, last in get_entities(tags):
                    start, end = row["offsets"][first][0], row["offsets"][last][1]
                    assert (start, end, label) in gold_spans
            for mention, gold_mention in zip(row["mentions"], gold.mentions, strict=True):
                assert (mention["id"], mention["start"], mention["end"]) == (
                    gold_mention.id,
                    gold_mention.start,
                    gold_mention.end,
                )
                if mention["token_start"] is not None:
                    a, b = mention["token_start"], mention["token_end"]
                    assert text[row["offsets"][a][0] : row["offsets"][b - 1][1]] == mention["text"]
                    assert (row["offsets"][a][0], row["offsets"][b - 1][1]) == (mention["start"], mention["end"])
            for event, gold_event in zip(row["events"], gold.events, strict=True):
                assert (event["id"], event["type"], event["mode"]) == (gold_event.id, gold_event.type, gold_event.mode)
                assert [(a["role"], a["mention_id"]) for a in event["arguments"]] == list(gold_event.role_ids())
                trigger = event["trigger"]
                if trigger is not None and trigger["token_start"] is not None:
                    a, b = trigger["token_start"], trigger["token_end"]
                    assert text[row["offsets"][a][0] : row["offsets"][b - 1][1]] == trigger["text"]


def test_fixture_rows_labels_and_card(tmp_path: Path) -> None:
    gold = fixture_gold(tmp_path)
    out = tmp_path / "hf"
    summary = export_gold(gold, "hf", out)
    assert summary.files == [
        "README.md",
        "cut_spans.jsonl",
        "dev.jsonl",
        "labels.json",
        "manifest.json",
        "test.jsonl",
        "train.jsonl",
    ]
    docs = [GoldDocument.model_validate_json(x) for x in (gold / "gold.jsonl").read_text().splitlines()]
    check_rows(docs, out)
    labels = json.loads((out / "labels.json").read_text())
    assert labels["ner_tags"][:3] == ["O", "B-PERSON", "I-PERSON"] and len(labels["ner_tags"]) == 13
    assert labels["trigger_tags"][3] == "B-CONSULT" and labels["roles"] == ["actor", "recipient", "location"]
    (row,) = rows(out, "train")
    e1, e2, e3, e4 = row["events"]
    assert e1["trigger"] == {"text": "met", "start": 16, "end": 19, "token_start": 2, "token_end": 3}
    assert e1["date"] == "2020-10-05" and e1["contexts"] == ["diplomatic"]
    assert e2["arguments"][1] == {
        "role": "recipient",
        "mention_id": "m6",
        "type": "STATE",
        "text": "Tehr",
        "token_start": 21,  # "Tehran" is split into "Tehr" + "an"
        "token_end": 22,
    }
    assert row["tokens"][20:23] == ["warned", "Tehr", "an"]
    assert row["offsets"][21:23] == [[row["text"].index("Tehran"), row["text"].index("Tehran") + 4],
                                     [row["text"].index("Tehran") + 4, row["text"].index("Tehran") + 6]]
    assert e3["arguments"][0]["text"] == "Kata'ib Hezbollah" and e3["arguments"][0]["token_start"] is None
    assert e4["trigger"] is None
    card = (out / "README.md").read_text()
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["license"] == "unknown" and "License: placeholder" in card
    assert header["configs"][0]["data_files"] == [
        {"split": "train", "path": "train.jsonl"},
        {"split": "validation", "path": "dev.jsonl"},
        {"split": "test", "path": "test.jsonl"},
    ]
    assert "Gold version: `v1`" in card and "| validation | 1 | 899 | 4 | 2 | 0 |" in card
    assert "| actor type | train | validation | test |\n|---|---:|---:|---:|\n| PERSON | 1 | 3 | 4 |" in card
    assert "0 `O`, 1 `B-PERSON`" in card


def test_datasets_loads_it_with_class_labels(tmp_path: Path) -> None:
    out = tmp_path / "hf"
    export_gold(fixture_gold(tmp_path), "hf", out)
    loaded = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))
    assert sorted(loaded) == ["test", "train", "validation"]
    features = loaded["train"].features
    labels = json.loads((out / "labels.json").read_text())
    assert features["ner_tags"].feature.names == labels["ner_tags"]
    assert features["trigger_tags"].feature.names == labels["trigger_tags"]
    for split, name in (("train", "train"), ("dev", "validation"), ("test", "test")):
        for expected, got in zip(rows(out, split), loaded[name], strict=True):
            for event in got["events"]:  # `date` is declared date32: datasets gives datetime.date
                event["date"] = event["date"].isoformat() if event["date"] else None
            assert got == expected


def test_only_requested_splits_are_declared(tmp_path: Path) -> None:
    out = tmp_path / "hf"
    export_gold(fixture_gold(tmp_path), "hf", out, ["dev"])
    header = yaml.safe_load((out / "README.md").read_text().split("---\n")[1])
    assert header["configs"][0]["data_files"] == [{"split": "validation", "path": "dev.jsonl"}]
    assert sorted(datasets.load_dataset(str(out), cache_dir=str(tmp_path / "cache"))) == ["validation"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word_golds())
def test_rows_on_generated_gold(docs: list[GoldDocument]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "hf"
        export_gold(write_gold(Path(tmp) / "gold", docs), "hf", out)
        check_rows(docs, out)
