"""Records the Label Studio reader builds without validating again equal the validated ones.

The reader builds mentions, events, spans, arguments, annotations and articles
from values it has checked itself (``unchecked``), and validates only what it
has not (an integer score, a context that is not text, an empty region id…).
Either way each record must be the one pydantic's validation gives: equal,
dumped alike, with the same fields set, and the same problem where validation
refuses a value.
"""

from __future__ import annotations

import gc
import hashlib
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from eventgold.errors import InputError, RecordError
from eventgold.gold.inputs import SourceSnapshot, merge_snapshots
from eventgold.labelstudio.convert import results_to_annotation, task_data_to_article
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.models import Article, DocumentAnnotation, Event, LabelStudioRef, Origin, sha256_text
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config

PLOVER = load_ontology(packaged_label_config() / "ontology.yaml")
TEXT = "Police met protesters in Basra on Monday.\n"
ORIGIN = Origin(kind="annotator", name="ana@example.org")


def _label(region: Any, control: str, start: int, end: int, label: Any, score: Any = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": region,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]},
    }
    if score is not None:
        item["score"] = score
    return item


def _choice(region: str, control: str, start: int, end: int, choices: Any, kind: str = "choices") -> dict[str, Any]:
    key = "text" if kind == "textarea" else "choices"
    return {
        "id": region,
        "from_name": control,
        "to_name": "text",
        "type": kind,
        "value": {"start": start, "end": end, "text": TEXT[start:end], key: choices},
    }


POLICE = _label("m1", "actor", 0, 6, "STATE")
MET = _label("e1", "event", 7, 10, "PROTEST")
RELATION = {"from_id": "e1", "to_id": "m1", "type": "relation", "direction": "right", "labels": ["actor"]}

CASES: dict[str, list[Any]] = {
    "labels only": [POLICE, MET, RELATION],
    "float score": [_label("m1", "actor", 0, 6, "STATE", 0.75), _label("e1", "event", 7, 10, "PROTEST", 1e300)],
    "integer score": [_label("m1", "actor", 0, 6, "STATE", 1), _label("e1", "event", 7, 10, "PROTEST", 2)],
    "boolean score": [_label("m1", "actor", 0, 6, "STATE", True)],
    "text score": [_label("m1", "actor", 0, 6, "STATE", "high"), _label("e1", "event", 7, 10, "PROTEST", "x")],
    "huge integer score": [_label("m1", "actor", 0, 6, "STATE", 2**80)],
    "mention attributes": [
        POLICE,
        _choice("m1", "sector", 0, 6, ["GOV"]),
        _choice("m1", "country", 0, 6, ["irq"], "textarea"),
        _choice("m1", "actor_id", 0, 6, ["iraqi_police — Iraqi police"]),
    ],
    "free-text actor id": [POLICE, _choice("m1", "actor_id_other", 0, 6, ["police", " "], "textarea")],
    "nested sector": [POLICE, _choice("m1", "sector", 0, 6, [["GOV", "COP"]])],
    "sector as text": [POLICE, _choice("m1", "sector", 0, 6, "GOV")],
    "event attributes": [
        MET,
        _choice("e1", "mode_PROTEST", 7, 10, ["demo"]),
        _choice("e1", "contexts", 7, 10, ["military", "executive"]),
        _choice("e1", "flags", 7, 10, ["future"]),
        {"id": "e1", "from_name": "event_date", "type": "datetime", "value": {"datetime": "2020-11-20"}},
    ],
    "context not text": [MET, _choice("e1", "contexts", 7, 10, [3, "military"])],
    "flag as a list": [MET, _choice("e1", "flags", 7, 10, [["future"]])],
    "contexts as text": [MET, _choice("e1", "contexts", 7, 10, "military")],
    "unreadable date": [MET, {"id": "e1", "from_name": "event_date", "type": "datetime", "value": {"date": "soon"}}],
    "mode of another type": [MET, _choice("e1", "mode_ASSAULT", 7, 10, ["demo"])],
    "empty region id": [_label("", "actor", 0, 6, "STATE")],
    "number region id": [_label(7, "actor", 0, 6, "STATE")],
    "label not text": [_label("m1", "actor", 0, 6, 5)],
    "two labels": [{**POLICE, "value": {**POLICE["value"], "labels": ["STATE", "GROUP"]}}],
    "label as text": [{**POLICE, "value": {**POLICE["value"], "labels": "S"}}],
    "offsets repaired": [{**POLICE, "value": {**POLICE["value"], "start": 1, "end": 7}}],
    "offsets past the text": [{**POLICE, "value": {**POLICE["value"], "end": 999}}],
    "role not text": [POLICE, MET, {**RELATION, "labels": [3]}],
    "relevance and notes": [
        POLICE,
        {"id": "r", "from_name": "relevance", "type": "choices", "value": {"choices": ["relevant"]}},
        {"id": "n", "from_name": "notes", "type": "textarea", "value": {"text": ["a", "b"]}},
    ],
}


def _validated(record: BaseModel) -> BaseModel:
    """``record`` built again by validation from the fields it was given (nested records as they are);
    an event's arguments are appended afterwards, as the reader attaches them."""
    again = type(record)(**{name: getattr(record, name) for name in record.model_fields_set})
    if isinstance(record, Event) and isinstance(again, Event) and "arguments" not in record.model_fields_set:
        again.arguments.extend(record.arguments)
    return again


def _assert_as_validated(record: BaseModel) -> None:
    again = _validated(record)
    assert record == again
    assert record.model_dump_json() == again.model_dump_json()
    assert record.model_fields_set == again.model_fields_set
    assert list(record.__dict__) == list(type(record).model_fields)


@pytest.mark.parametrize("extra", [{}, {"lead_time": 3.5, "ground_truth": True, "cancelled": False}, {"lead_time": 3}])
@pytest.mark.parametrize("case", list(CASES))
def test_converted_records_equal_the_validated_ones(case: str, extra: dict[str, Any]) -> None:
    conv = results_to_annotation(
        CASES[case],
        text=TEXT,
        doc_id="d1",
        origin=ORIGIN,
        ref=LabelStudioRef(project=1, task=2, annotation=3),
        extra=extra,
        ontology=PLOVER,
    )
    ann = conv.annotation
    _assert_as_validated(ann)
    assert ann == DocumentAnnotation.model_validate_json(ann.model_dump_json())
    for unit in [*ann.mentions, *ann.events]:
        _assert_as_validated(unit)
    for event in ann.events:
        for argument in event.arguments:
            _assert_as_validated(argument)
        if event.trigger is not None:
            _assert_as_validated(event.trigger)
    assert "arguments" not in {f for e in ann.events for f in e.model_fields_set}  # as Event(...) was given


def test_units_are_separate_objects_a_change_to_one_leaves_the_others() -> None:
    ann = results_to_annotation([POLICE, MET, RELATION], text=TEXT, doc_id="d1", origin=ORIGIN, ontology=PLOVER)
    again = results_to_annotation([POLICE, MET, RELATION], text=TEXT, doc_id="d1", origin=ORIGIN, ontology=PLOVER)
    ann.annotation.events[0].arguments.clear()
    ann.annotation.mentions[0].sector = "GOV"
    assert again.annotation.events[0].arguments and again.annotation.mentions[0].sector is None
    assert ann.annotation.mentions[0].model_fields_set is not again.annotation.mentions[0].model_fields_set


def _old_article(data: dict[str, Any]) -> Article:
    """What task_data_to_article built before it skipped validation (its data checks already passed)."""
    raw_published = data.get("published")
    meta = {"published_raw": raw_published} if raw_published and raw_published in ("soon", 2020) else {}
    stored = data.get("content_sha") or ""
    published = None if meta or not raw_published else task_data_to_article(data).published
    return Article(
        id=data["doc_id"],
        title=data.get("title") or None,
        text=data["text"],
        source=data.get("source") or None,
        url=data.get("url") or None,
        published=published,
        content_sha=stored if stored == sha256_text(data["text"]) else "",
        duplicate_of=data.get("duplicate_of") or None,
        meta=meta,
    )


ARTICLES = [
    {"doc_id": "d1", "text": TEXT},
    {
        "doc_id": "d1",
        "text": TEXT,
        "title": "T",
        "source": "s",
        "url": "u",
        "published": "2020-01-02",
        "duplicate_of": "",
    },
    {"doc_id": "d1", "text": TEXT, "content_sha": sha256_text(TEXT), "published": "2020-01-02T10:00:00Z"},
    {"doc_id": "d1", "text": TEXT, "content_sha": "0" * 64, "published": "soon"},
    {"doc_id": "d1", "text": TEXT, "published": 2020, "duplicate_of": "d0"},
    {"doc_id": "d1", "text": ""},
]


@pytest.mark.parametrize("data", ARTICLES)
def test_articles_equal_the_validated_ones(data: dict[str, Any]) -> None:
    article = task_data_to_article(data)
    assert article == _old_article(data)
    assert article.model_dump_json() == _old_article(data).model_dump_json()
    _assert_as_validated(article)
    assert article.content_sha == hashlib.sha256(data["text"].encode()).hexdigest()


@pytest.mark.parametrize(
    "data",
    [
        {"doc_id": "d1", "text": TEXT, "title": 5},
        {"doc_id": "d1", "text": TEXT, "url": ["u"]},
        {"doc_id": "d1", "text": TEXT, "duplicate_of": "d1"},
    ],
)
def test_article_data_validation_refuses_is_refused_as_before(data: dict[str, Any]) -> None:
    with pytest.raises((ValueError, RecordError)) as new:
        task_data_to_article(data)
    with pytest.raises((ValueError, RecordError)) as old:
        _old_article(data)
    assert type(new.value) is type(old.value) and str(new.value) == str(old.value)


def test_snapshot_digest_is_the_files(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('[{"id": 1, "data": {"doc_id": "d1", "text": "x"}, "annotations": []}]', encoding="utf-8")
    with pytest.warns(Warning):
        snap = read_snapshot(path)
    assert snap.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_missing_snapshot_is_the_same_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="snapshot not found"):
        read_snapshot(tmp_path / "missing.json")


@pytest.mark.parametrize("enabled", [True, False])
def test_merging_leaves_the_garbage_collector_as_it_was(enabled: bool) -> None:
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        article = task_data_to_article({"doc_id": "d1", "text": TEXT})
        ann = results_to_annotation([POLICE], text=TEXT, doc_id="d1", origin=ORIGIN, ontology=PLOVER).annotation
        inputs = merge_snapshots([SourceSnapshot(Path("s.json"), "0", {"d1": article}, [ann])], PLOVER)
        assert inputs.annotations == [ann] and gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
