"""PLOVER export: one record per gold event, entity objects, Wikidata ids from the actor dictionary."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from eventgold.errors import ConfigError
from eventgold.export import plover as plover_module
from eventgold.export.run import export_gold
from eventgold.models import GoldDocument

from .export_fixtures import fixture_gold, word_golds, write_gold

RECORD_KEYS = [
    "id", "doc_id", "date", "actor", "recipient", "event", "mode", "aux_modes", "context", "quad_code", "event_text",
    "event_loc", "trigger", "text_info", "cite_info", "coder", "coded_date", "comment",
]  # fmt: skip
ENTITY_KEYS = [
    "code", "sector", "entity_text", "identifier_id", "identifier_text", "canonical_id", "mention_id", "type",
    "start", "end",
]  # fmt: skip


def records(out: Path, split: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()]


def test_fixture_records(tmp_path: Path) -> None:
    out = tmp_path / "plover"
    summary = export_gold(fixture_gold(tmp_path), "plover", out)
    assert summary.files == ["dev.jsonl", "manifest.json", "test.jsonl", "train.jsonl"]  # no cut_spans: no tokens
    assert {s: c.records for s, c in summary.splits.items()} == {"train": 4, "dev": 2, "test": 5}
    train = records(out, "train")
    assert [r["id"] for r in train] == ["t01:e1", "t01:e2", "t01:e3", "t01:e4"]
    e1, e2, e3, e4 = train
    assert list(e1) == RECORD_KEYS and list(e1["actor"][0]) == ENTITY_KEYS
    assert (e1["event"], e1["mode"], e1["context"], e1["quad_code"], e1["date"]) == (
        "CONSULT",
        "visit",
        ["diplomatic"],
        1,
        "2020-10-05",
    )
    assert e1["actor"] == [
        {
            "code": "USA",
            "sector": "GOV",
            "entity_text": "Pompeo",
            "identifier_id": None,  # pompeo_mike has no QID in actors.yaml
            "identifier_text": None,
            "canonical_id": "pompeo_mike",
            "mention_id": "m3",
            "type": "PERSON",
            "start": 20,
            "end": 26,
        }
    ]
    assert e1["event_loc"]["name"] == "Baghdad" and e1["event_loc"]["identifier_id"] == "Q1530"
    assert e1["event_loc"]["cc3"] == "IRQ"  # from the actor dictionary
    assert e1["event_text"] == "Iraqi officials met Pompeo in Baghdad on Monday."
    assert e1["text_info"] == {"sequence": 0, "start": 0, "end": 48, "is_story": False}
    assert e1["trigger"] == {"text": "met", "start": 16, "end": 19}
    assert e1["cite_info"]["citation"] == "t01" and e1["cite_info"]["publication"] == "wire"
    assert e1["coded_date"] == "2024-05-01" and "eventgold gold v1" in e1["coder"]
    assert e1["comment"] == "gold decision: majority; annotators: alice, bob"
    washington = e2["actor"][0]
    assert (washington["code"], washington["identifier_id"], washington["identifier_text"]) == (
        "USA",
        "Q30",
        "United States",
    )
    assert e2["aux_modes"] == ["future"] and e2["date"] == "2020-10-05"  # the article's date
    assert e3["actor"][0]["entity_text"] == "Kata'ib Hezbollah" and e3["actor"][0]["start"] is None
    assert e4["trigger"] is None and e4["event_text"] is None
    assert e4["text_info"] == {"sequence": None, "start": 0, "end": 153, "is_story": True}
    test = records(out, "test")
    retreat = next(r for r in test if r["event"] == "RETREAT")
    assert retreat["event_loc"]["canonical_id"] == "IRQ" and retreat["event_loc"]["identifier_id"] == "Q796"
    assert retreat["date"] is None  # neither the event nor the article has a date
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["actor_dictionary"]["path"] == "actors.yaml"
    assert manifest["tokenizer"] == "eventgold-regex-1"  # event_text is a sentence


def test_a_given_actor_dictionary_is_used(tmp_path: Path) -> None:
    actors = tmp_path / "actors.yaml"
    actors.write_text("pompeo_mike:\n  name: Mike Pompeo\n  type: PERSON\n  country: USA\n  wikidata: Q473239\n")
    out = tmp_path / "plover"
    export_gold(fixture_gold(tmp_path), "plover", out, ["train"], actors_path=actors)
    e1 = records(out, "train")[0]
    assert (e1["actor"][0]["identifier_id"], e1["actor"][0]["identifier_text"]) == ("Q473239", "Mike Pompeo")
    assert e1["event_loc"]["identifier_id"] is None  # baghdad is not in this dictionary


def test_a_broken_actor_dictionary_is_a_user_error(tmp_path: Path) -> None:
    actors = tmp_path / "actors.yaml"
    actors.write_text("pompeo_mike:\n  name: Mike Pompeo\n  type: WIZARD\n")
    with pytest.raises(ConfigError, match="WIZARD"):
        export_gold(fixture_gold(tmp_path), "plover", tmp_path / "out", actors_path=actors)
    assert not (tmp_path / "out").exists()


def test_without_the_default_dictionary_identifiers_stay_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plover_module, "default_actors_path", lambda: tmp_path / "missing.yaml")
    summary = export_gold(fixture_gold(tmp_path), "plover", tmp_path / "out", ["train"])
    assert any("no actor dictionary" in w for w in summary.warnings)
    assert records(tmp_path / "out", "train")[1]["actor"][0]["identifier_id"] is None


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word_golds())
def test_one_record_per_event_and_texts_map_back(docs: list[GoldDocument]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "plover"
        actors = Path(tmp) / "actors.yaml"
        actors.write_text("IRQ:\n  name: Iraq\n  type: STATE\n  country: IRQ\n  wikidata: Q796\n")
        export_gold(write_gold(Path(tmp) / "gold", docs), "plover", out, actors_path=actors)
        got = [r for split in ("train", "dev", "test") for r in records(out, split)]
        expected = [f"{d.doc_id}:{e.id}" for split in ("train", "dev", "test") for d in docs if d.split == split
                    for e in d.events]  # fmt: skip
        assert [r["id"] for r in got] == expected
        texts = {d.doc_id: d.article.text for d in docs}
        for r in got:
            text = texts[r["id"].split(":")[0]]
            for entity in [*r["actor"], *r["recipient"]]:
                assert entity["identifier_id"] == ("Q796" if entity["canonical_id"] == "IRQ" else None)
                if entity["start"] is not None:
                    assert text[entity["start"] : entity["end"]] == entity["entity_text"]
            if r["trigger"] is not None:
                assert text[r["trigger"]["start"] : r["trigger"]["end"]] == r["trigger"]["text"]
            info = r["text_info"]
            if r["event_text"] is not None:
                assert text[info["start"] : info["end"]] == r["event_text"]
                if r["trigger"]["end"] > r["trigger"]["start"]:
                    assert info["start"] <= r["trigger"]["start"] and r["trigger"]["end"] <= info["end"]
