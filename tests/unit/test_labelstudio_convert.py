"""Label Studio JSON <-> records, on a real export captured from the server (golden file)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from eventgold.errors import InputError, RecordError
from eventgold.labelstudio.convert import (
    annotation_to_results,
    article_to_task_data,
    convert_task,
    parse_origin,
    read_snapshot,
    results_to_annotation,
    task_data_to_article,
)
from eventgold.models import Article, DocumentAnnotation, Origin

from .strategies import annotations

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "ls_export_golden.json"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    target = tmp_path / "golden.json"
    shutil.copy(GOLDEN, target)
    shutil.copy(DATA / "ls_export_golden.json.meta.json", tmp_path / "golden.json.meta.json")
    return target


def test_golden_export_converts_to_the_hand_checked_records(snapshot: Path) -> None:
    snap = read_snapshot(snapshot)
    assert snap.problems == [] and snap.task_count == 2
    assert sorted({a.origin.name for a in snap.annotations}) == ["ann.one@example.org", "ann.two@example.org"]
    one = next(a for a in snap.annotations if a.doc_id.startswith("000") and a.origin.name == "ann.one@example.org")
    assert one.ground_truth is True and one.lead_time == 30.5 and one.cancelled is False
    assert one.labelstudio is not None and one.labelstudio.task == 16
    kazemi = next(m for m in one.mentions if m.id == "m1")
    assert (kazemi.type, kazemi.start, kazemi.end, kazemi.text) == ("PERSON", 133, 150, "Mustafa Al-Kazemi")
    assert (kazemi.canonical_id, kazemi.country, kazemi.sector) == ("alkazemi_mustafa", "IRQ", "GOV")
    meeting = next(e for e in one.events if e.id == "e1")
    assert meeting.type == "CONSULT" and meeting.mode == "visit"
    assert (meeting.actors, meeting.recipients, meeting.locations) == (["m2"], ["m1"], ["m3"])
    assert meeting.contexts == ["diplomatic", "military"]
    withdrawal = next(e for e in one.events if e.id == "e2")
    assert withdrawal.date == dt.date(2020, 11, 20) and withdrawal.mode == "withdraw"
    assert one.relevance == "relevant"
    two = next(a for a in snap.annotations if a.doc_id.startswith("000") and a.origin.name == "ann.two@example.org")
    assert next(m for m in two.mentions if m.id == "m2").type == "ARMED_GROUP"
    assert next(e for e in two.events if e.id == "e2").flags == ["future"]


def test_emoji_and_crlf_offsets_are_code_points(snapshot: Path) -> None:
    snap = read_snapshot(snapshot)
    text = snap.articles["emoji-crlf"].text
    assert "\r\n" in text
    ann = next(a for a in snap.annotations if a.doc_id == "emoji-crlf" and a.notes)
    got = {m.text: (m.start, m.end) for m in ann.mentions}
    assert got == {"Pompeo": (35, 41), "Al-Kazemi": (52, 61), "Baghdad": (25, 32)}
    assert ann.notes == "emoji and CRLF"
    call = ann.events[0]
    assert (call.mode, call.date, call.actors, call.recipients) == ("phone", dt.date(2020, 11, 17), ["m1"], ["m2"])


def _task(result: list[dict[str, Any]], text: str = "Pompeo called Al-Kazemi.") -> dict[str, Any]:
    return {
        "id": 7,
        "project": 1,
        "data": {"doc_id": "d", "text": text},
        "annotations": [{"id": 70, "completed_by": 3, "result": result, "was_cancelled": False}],
    }


def _label(rid: str, name: str, start: int, end: int, text: str, label: str) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": name,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": [label]},
    }


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (
            [
                _label("a", "actor", 0, 6, "Pompeo", "PERSON")
                | {"value": {"start": 0, "end": 6, "text": "Pompeo", "labels": ["PERSON", "STATE"]}}
            ],
            "exactly one label",
        ),
        ([_label("a", "actor", 1, 7, "Pompeo", "PERSON")], "slice 'ompeo ' from the task text"),
        ([_label("a", "actor", 20, 40, "x", "PERSON")], "run past the end of the text"),
        (
            [{"id": "a", "from_name": "sector", "to_name": "text", "type": "choices", "value": {"choices": ["GOV"]}}],
            "no actor or event label",
        ),
        (
            [
                _label("a", "actor", 0, 6, "Pompeo", "PERSON"),
                _label("b", "actor", 14, 23, "Al-Kazemi", "PERSON"),
                {"from_id": "a", "to_id": "b", "type": "relation", "labels": ["actor"]},
            ],
            "must link an event trigger",
        ),
        (
            [
                _label("e", "event", 7, 13, "called", "CONSULT"),
                _label("b", "actor", 14, 23, "Al-Kazemi", "PERSON"),
                {"from_id": "e", "to_id": "b", "type": "relation", "labels": []},
            ],
            "needs exactly one role",
        ),
        (
            [
                _label("e", "event", 7, 13, "called", "CONSULT"),
                {
                    "id": "e",
                    "from_name": "mode_RETREAT",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"start": 7, "end": 13, "choices": ["withdraw"]},
                },
            ],
            "does not belong to event type CONSULT",
        ),
    ],
)
def test_bad_regions_are_reported_not_dropped_silently(result: list[dict[str, Any]], problem: str) -> None:
    conv = convert_task(_task(result), users={3: "ann@x.org"})
    assert conv.problems, "expected a problem"
    assert problem in str(conv.problems[0])
    assert conv.problems[0].doc_id == "d" and conv.problems[0].annotation == 70
    assert conv.problems[0].annotator == "ann@x.org"


def test_relation_drawn_backwards_is_understood() -> None:
    result = [
        _label("e", "event", 7, 13, "called", "CONSULT"),
        _label("b", "actor", 14, 23, "Al-Kazemi", "PERSON"),
        {"from_id": "b", "to_id": "e", "type": "relation", "labels": ["recipient"]},
    ]
    conv = convert_task(_task(result))
    assert conv.problems == [] and conv.annotations[0].events[0].recipients == ["b"]


def test_candidate_choice_gives_the_canonical_id_and_free_text_wins() -> None:
    base = [
        _label("a", "actor", 0, 6, "Pompeo", "PERSON"),
        {
            "id": "a",
            "from_name": "actor_id",
            "to_name": "text",
            "type": "choices",
            "value": {"start": 0, "end": 6, "choices": ["pompeo_mike — Mike Pompeo"]},
        },
    ]
    assert convert_task(_task(base)).annotations[0].mentions[0].canonical_id == "pompeo_mike"
    # a config with allowNested="true" stores the chosen candidate as a path
    nested = [base[0], {**base[1], "value": {"start": 0, "end": 6, "choices": [["pompeo_mike — Mike Pompeo"]]}}]
    assert convert_task(_task(nested)).annotations[0].mentions[0].canonical_id == "pompeo_mike"
    typed = [
        *base,
        {
            "id": "a",
            "from_name": "actor_id_other",
            "to_name": "text",
            "type": "textarea",
            "value": {"start": 0, "end": 6, "text": ["pompeo_michael"]},
        },
    ]
    assert convert_task(_task(typed)).annotations[0].mentions[0].canonical_id == "pompeo_michael"


def test_cancelled_annotation_is_kept_and_flagged() -> None:
    task = _task([])
    task["annotations"][0]["was_cancelled"] = True
    ann = convert_task(task).annotations[0]
    assert ann.cancelled is True and ann.origin.name == "user-3"


def test_task_without_doc_id_is_a_clear_error() -> None:
    with pytest.raises(RecordError, match=r"has no data\.doc_id"):
        convert_task({"id": 1, "data": {"text": "x"}})


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "not valid JSON"), ('{"a": 1}', "expected a JSON list"), ("[1]", "item 0 is not a task")],
)
def test_unreadable_snapshots(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_snapshot(path)


def test_task_data_keys_are_the_frozen_ones() -> None:
    article = Article(id="d", text="x", title="T", published=dt.date(2020, 1, 2))
    data = article_to_task_data(article, [{"value": "a — A"}])
    assert list(data) == [
        "doc_id",
        "title",
        "text",
        "source",
        "published",
        "url",
        "content_sha",
        "actor_candidates",
        "duplicate_of",
    ]
    back = task_data_to_article(data)
    assert back == article


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("rules@0.1", Origin(kind="extractor", name="rules", version="0.1")),
        ("spacy:en@core@3", Origin(kind="extractor", name="spacy:en@core", version="3")),
        ("", Origin(kind="extractor", name="unknown")),
        ("plain", Origin(kind="extractor", name="plain")),
        ("ana@example.org", Origin(kind="extractor", name="ana@example.org")),
        ("rules@v2", Origin(kind="extractor", name="rules", version="v2")),
        ("gazetteer@0.1.0+actors.ec63", Origin(kind="extractor", name="gazetteer", version="0.1.0+actors.ec63")),
    ],
)
def test_model_version_parsing(value: str, origin: Origin) -> None:
    assert parse_origin(value) == origin


@settings(max_examples=80, deadline=None)
@given(annotations())
def test_results_round_trip(pair: tuple[Article, DocumentAnnotation]) -> None:
    article, ann = pair
    results = json.loads(json.dumps(annotation_to_results(ann, article.text)))
    conv = results_to_annotation(copy.deepcopy(results), text=article.text, doc_id=article.id, origin=ann.origin)
    assert conv.problems == []
    spans = [m for m in ann.mentions if m.has_span]
    triggered = [e for e in ann.events if e.trigger]
    span_ids = {m.id for m in spans}
    expected_events = [
        e.model_copy(
            update={
                "actors": [i for i in e.actors if i in span_ids],
                "recipients": [i for i in e.recipients if i in span_ids],
                "locations": [i for i in e.locations if i in span_ids],
            }
        )
        for e in triggered
    ]
    assert conv.annotation.mentions == spans
    assert conv.annotation.events == expected_events
    assert conv.annotation.relevance == ann.relevance
    assert conv.annotation.notes == (ann.notes.strip() or None if ann.notes else None)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["a.json", "a.json.meta.json", "a.json.predictions.json", "a.json.sha256"], ["a.json"]),
        (["b.json", "a.json", "a.json.meta.json"], ["b.json", "a.json"]),
        (["a.json", "a.json"], ["a.json"]),
    ],
)
def test_snapshot_files_drop_sidecars_of_listed_snapshots(names: list[str], expected: list[str]) -> None:
    """`exports/raw/*.json` matches the sidecars too: they are dropped when their snapshot is given."""
    from eventgold.labelstudio.convert import snapshot_files

    assert snapshot_files([Path(n) for n in names]) == [Path(n) for n in expected]


def test_a_sidecar_alone_names_the_snapshot_to_pass() -> None:
    from eventgold.labelstudio.convert import snapshot_files

    with pytest.raises(InputError, match=r"pass the snapshot itself \(x\.json\)"):
        snapshot_files([Path("x.json.meta.json")])
