"""Schema 1.0 records (events with ``actors``/``recipients``/``locations``) read as schema 1.1 (``arguments``).

The migration is checked on the real files in ``samples/``: the current ones
(fixture, raw conflicts, the packaged sample gold) and their schema 1.0 copies
kept in ``samples/legacy/schema-1.0`` (see its README). Every file loads,
every old id becomes one argument with its role, in order, writing back
gives the new shape, and a migrated 1.0 file equals the file regenerated in
the new shape from the same sources.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from eventgold import SCHEMA_VERSION
from eventgold.cli import main
from eventgold.errors import RecordError
from eventgold.gold.adjudicate import Conflict
from eventgold.gold.dataset import read_gold_version
from eventgold.gold.diff import diff_versions
from eventgold.jsonl import dump_record, parse_record, read_jsonl, write_jsonl
from eventgold.migrations import (
    LEGACY_SCHEMA_VERSION,
    holds_legacy_events,
    is_legacy_event,
    migrate_event,
    schema_problem,
)
from eventgold.models import DocumentAnnotation, Event, GoldDocument, check_gold
from eventgold.resources import packaged_samples

from .strategies import ONTOLOGY

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
LEGACY = SAMPLES / "legacy" / "schema-1.0"
PACKAGED_GOLD = packaged_samples() / "gold" / "v1"

# The 1.0 contract, written out here rather than imported: the test checks the migration against it.
OLD_FIELDS = {"actors": "actor", "recipients": "recipient", "locations": "location"}

# JSONL files that hold no events at all (a gold version's problems and repairs).
NO_EVENTS = {"problems.jsonl", "repairs.jsonl"}


def _model(path: Path) -> type[BaseModel]:
    name = path.name
    if name == "gold.jsonl":
        return GoldDocument
    if name.startswith("pred_"):
        return DocumentAnnotation
    if name.startswith("conflicts"):
        return Conflict
    raise AssertionError(f"{path}: which record does it hold? add it to _model() in {Path(__file__).name}")


def _files(*folders: Path) -> list[Path]:
    found = [p for folder in folders for p in sorted(folder.rglob("*.jsonl")) if p.name not in NO_EVENTS]
    for path in found:
        _model(path)  # every JSONL file of the samples is known: none is skipped unseen
    return found


CURRENT = _files(SAMPLES / "fixture", SAMPLES / "raw", PACKAGED_GOLD)
OLD = _files(LEGACY)
# the legacy copy -> the file regenerated from the same sources in the new shape
COUNTERPARTS = {
    LEGACY / "fixture" / "gold.jsonl": SAMPLES / "fixture" / "gold.jsonl",
    LEGACY / "fixture" / "pred_tagger.jsonl": SAMPLES / "fixture" / "pred_tagger.jsonl",
    LEGACY / "fixture" / "pred_coder.jsonl": SAMPLES / "fixture" / "pred_coder.jsonl",
    LEGACY / "raw" / "conflicts-round1.jsonl": SAMPLES / "raw" / "conflicts-round1.jsonl",
    LEGACY / "gold" / "v1" / "gold.jsonl": PACKAGED_GOLD / "gold.jsonl",
    LEGACY / "gold" / "v1" / "conflicts.jsonl": PACKAGED_GOLD / "conflicts.jsonl",
}


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _events(value: Any) -> Iterator[dict[str, Any]]:
    """Every event mapping in a decoded record (under any ``events`` list, at any depth), in order."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "events" and isinstance(item, list):
                yield from (e for e in item if isinstance(e, dict))
            else:
                yield from _events(item)
    elif isinstance(value, list):
        for item in value:
            yield from _events(item)


def _lines(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _expected_arguments(raw_event: dict[str, Any]) -> list[tuple[str, str]]:
    """What a raw event's arguments must be after migration: its own, then each old list's ids in order."""
    pairs = [(a["role"], a["mention"]) for a in raw_event.get("arguments") or []]
    for field, role in OLD_FIELDS.items():
        pairs += [(role, mention) for mention in raw_event.get(field) or []]
    return pairs


def test_the_sample_files_are_found() -> None:
    assert len(CURRENT) >= 6 and len(OLD) >= 6
    assert set(COUNTERPARTS) == set(OLD)


@pytest.mark.parametrize("path", CURRENT + OLD, ids=_rel)
def test_every_sample_file_loads_and_migrates(path: Path, tmp_path: Path) -> None:
    model = _model(path)
    raw_records = _lines(path)
    records = list(read_jsonl(path, model))
    assert len(records) == len(raw_records)
    old_ids = 0
    for raw, record in zip(raw_records, records, strict=True):
        raw_events = list(_events(raw))
        new_events = list(_events(record.model_dump(mode="json")))
        assert len(new_events) == len(raw_events)
        for before, after in zip(raw_events, new_events, strict=True):
            where = f"{_rel(path)}: event {before.get('id')!r}"
            expected = _expected_arguments(before)
            assert [(a["role"], a["mention"]) for a in after["arguments"]] == expected, where
            old_ids += sum(len(before.get(field) or []) for field in OLD_FIELDS)
            assert not set(OLD_FIELDS) & set(after), where
            kept = {k: v for k, v in before.items() if k not in OLD_FIELDS and k != "arguments"}
            assert {k: after[k] for k in kept} == kept, where
    if path.is_relative_to(LEGACY) and raw_records:
        assert old_ids > 0, f"{_rel(path)} is meant to be a schema 1.0 copy but has no old role ids"

    out = tmp_path / path.name
    write_jsonl(out, records)
    written = _lines(out)
    for record in written:
        for event in _events(record):
            assert "arguments" in event and not set(OLD_FIELDS) & set(event)
    assert list(read_jsonl(out, model)) == records


@pytest.mark.parametrize("path", OLD, ids=_rel)
def test_legacy_copies_are_schema_1_0(path: Path) -> None:
    events = [e for raw in _lines(path) for e in _events(raw)]
    assert all(is_legacy_event(e) and "arguments" not in e for e in events), _rel(path)


@pytest.mark.parametrize("path", CURRENT, ids=_rel)
def test_current_sample_files_are_written_in_the_new_shape(path: Path) -> None:
    """The samples eventgold ships were regenerated: no event in the 1.0 shape, and the bytes eventgold writes."""
    events = [e for raw in _lines(path) for e in _events(raw)]
    assert not any(is_legacy_event(e) for e in events), f"{_rel(path)}: regenerate it (see samples/legacy/README.md)"
    records = list(read_jsonl(path, _model(path)))
    assert path.read_text(encoding="utf-8") == "".join(dump_record(r) + "\n" for r in records)


@pytest.mark.parametrize(("old", "new"), sorted(COUNTERPARTS.items()), ids=lambda p: _rel(p))
def test_a_migrated_1_0_file_equals_its_regenerated_file(old: Path, new: Path) -> None:
    """Regenerating changed nothing but the shape of the records."""
    model = _model(old)
    assert [dump_record(r) for r in read_jsonl(old, model)] == [dump_record(r) for r in read_jsonl(new, model)]


def test_a_1_0_gold_version_reads_and_has_the_units_of_the_regenerated_one() -> None:
    old = read_gold_version(LEGACY / "gold" / "v1", ONTOLOGY)
    new = read_gold_version(PACKAGED_GOLD, ONTOLOGY)
    assert old.manifest.schema_version == LEGACY_SCHEMA_VERSION
    assert new.manifest.schema_version == SCHEMA_VERSION == "1.1"
    assert holds_legacy_events(old.manifest.schema_version)
    assert not holds_legacy_events(new.manifest.schema_version)
    for doc in old.documents:
        check_gold(doc, ONTOLOGY)
    assert old.documents == new.documents
    assert diff_versions(LEGACY / "gold" / "v1", PACKAGED_GOLD).identical


def test_gold_diff_cli_on_the_1_0_and_1_1_sample_gold(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gold", "diff", str(LEGACY / "gold" / "v1"), str(PACKAGED_GOLD), "--json", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["schema_version"] == SCHEMA_VERSION
    assert (out["documents_added"], out["documents_removed"], out["documents_changed"]) == ([], [], [])
    assert (out["units_added"], out["units_removed"], out["units_changed"]) == (0, 0, 0)


# ---------------------------------------------------------------------------
# edge cases
# ---------------------------------------------------------------------------


def _ann(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "doc_id": "d1",
        "origin": {"kind": "annotator", "name": "a@x.org"},
        "mentions": [
            {"id": "m1", "type": "PERSON", "text": "Al-Kazemi"},
            {"id": "m2", "type": "PERSON", "text": "Ghaani"},
            {"id": "m3", "type": "LOCATION", "text": "Baghdad"},
        ],
        "events": [{"id": "e1", "type": "CONSULT", **event}],
    }


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"actors": [], "recipients": [], "locations": []}, []),
        ({"actors": None, "recipients": ["m1"]}, [("recipient", "m1")]),
        ({"locations": ["m3"], "actors": ["m2", "m1"]}, [("actor", "m2"), ("actor", "m1"), ("location", "m3")]),
        (
            {"arguments": [{"role": "location", "mention": "m3"}], "actors": ["m2"], "recipients": ["m1"]},
            [("location", "m3"), ("actor", "m2"), ("recipient", "m1")],
        ),
        (
            {"arguments": [{"role": "actor", "mention": "m2"}], "actors": ["m2"], "recipients": ["m1"]},
            [("actor", "m2"), ("recipient", "m1")],
        ),
        ({"arguments": [{"role": "actor", "mention": "m2"}]}, [("actor", "m2")]),
        ({}, []),
    ],
    ids=["empty lists", "null list", "field order", "both shapes", "both shapes, one pair twice", "new", "none"],
)
def test_edge_cases(event: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    ann = parse_record(DocumentAnnotation, _ann(event))
    assert list(ann.events[0].role_ids()) == expected
    dumped = json.loads(ann.model_dump_json())["events"][0]
    assert not set(OLD_FIELDS) & set(dumped)
    assert parse_record(DocumentAnnotation, json.loads(ann.model_dump_json())) == ann


@pytest.mark.parametrize(
    ("field", "value", "what"),
    [
        ("actors", "m1", "not str"),
        ("recipients", {"id": "m1"}, "not dict"),
        ("locations", 3, "not int"),
        ("actors", ["m1", 2], "2 is not a mention id"),
    ],
)
def test_a_non_list_legacy_field_is_a_record_error_naming_it(field: str, value: Any, what: str) -> None:
    with pytest.raises(RecordError) as info:
        parse_record(DocumentAnnotation, _ann({field: value}))
    err = info.value
    assert err.field == f"events.0.{field}"
    assert err.doc_id == "d1" and err.record_id == "e1"
    assert f"schema 1.0 field {field!r} must be a list of mention ids, {what}" in str(err)
    assert str(err).count("\n") == 0


def test_a_legacy_error_in_a_file_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    good = _ann({"actors": ["m1"]})
    path.write_text(json.dumps(good) + "\n" + json.dumps({**_ann({"recipients": "m2"}), "doc_id": "d2"}) + "\n")
    with pytest.raises(RecordError) as info:
        list(read_jsonl(path, DocumentAnnotation))
    assert info.value.line == 2 and info.value.file == str(path)
    assert f"{path}:2" in str(info.value) and "field 'events.0.recipients'" in str(info.value)


def test_migrate_event_leaves_other_input_alone() -> None:
    event = Event(id="e1", type="AID")
    assert migrate_event(event) is event
    assert migrate_event(["not", "an", "event"]) == ["not", "an", "event"]
    new = {"id": "e1", "type": "AID", "arguments": []}
    assert migrate_event(new) is new
    old = {"id": "e1", "type": "AID", "actors": ["m1"]}
    assert migrate_event(old) == {"id": "e1", "type": "AID", "arguments": [{"role": "actor", "mention": "m1"}]}
    assert old == {"id": "e1", "type": "AID", "actors": ["m1"]}  # the input is not changed


def test_keyword_construction_in_the_old_shape_still_works() -> None:
    event = Event(id="e1", type="CONSULT", actors=["m2"], locations=["m3"])  # type: ignore[call-arg]
    assert list(event.role_ids()) == [("actor", "m2"), ("location", "m3")]


@pytest.mark.parametrize(
    ("version", "readable", "legacy"),
    [
        (None, True, True),
        ("1.0", True, True),
        ("1.1", True, False),
        (SCHEMA_VERSION, True, False),
        ("1.9", False, False),
        ("2.0", False, False),
        ("0.9", False, True),
        ("one", False, False),
    ],
)
def test_schema_versions(version: str | None, readable: bool, legacy: bool) -> None:
    problem = schema_problem(version)
    assert (problem is None) == readable, problem
    if problem is not None:
        assert str(version) in problem
    assert holds_legacy_events(version) == legacy


# ---------------------------------------------------------------------------
# property: any legacy event keeps its ids, roles and order
# ---------------------------------------------------------------------------

_ids = st.lists(st.text(alphabet="abcm0123456789_-", min_size=1, max_size=6), max_size=5)


@settings(max_examples=200, deadline=None)
@given(
    actors=st.none() | _ids,
    recipients=st.none() | _ids,
    locations=st.none() | _ids,
    present=st.sets(st.sampled_from(sorted(OLD_FIELDS)), min_size=1),
)
def test_a_random_legacy_event_migrates_to_the_same_ids_in_order(
    actors: list[str] | None, recipients: list[str] | None, locations: list[str] | None, present: set[str]
) -> None:
    lists = {"actors": actors, "recipients": recipients, "locations": locations}
    raw: dict[str, Any] = {"id": "e1", "type": "ASSAULT", "mode": None, "date": "2020-01-03"}
    raw.update({field: lists[field] for field in sorted(present)})
    event = parse_record(Event, raw)
    expected = [(OLD_FIELDS[field], m) for field in OLD_FIELDS if field in present for m in lists[field] or []]
    assert list(event.role_ids()) == expected
    assert len(event.arguments) == sum(len(lists[f] or []) for f in present)
    assert (event.type, event.date.isoformat() if event.date else None) == ("ASSAULT", "2020-01-03")
    again = json.loads(event.model_dump_json())
    assert not set(OLD_FIELDS) & set(again) and parse_record(Event, again) == event
