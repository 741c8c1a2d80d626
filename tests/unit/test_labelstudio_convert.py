"""Label Studio JSON <-> records, on a real export captured from the server (golden file)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eventgold.errors import InputError, RecordError
from eventgold.labelstudio.convert import (
    annotation_to_results,
    article_to_task_data,
    parse_origin,
    results_to_annotation,
    task_data_to_article,
)
from eventgold.labelstudio.snapshot import convert_task, read_snapshot
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
    assert sorted(meeting.role_ids()) == [("actor", "m2"), ("location", "m3"), ("recipient", "m1")]
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
    assert (call.mode, call.date) == ("phone", dt.date(2020, 11, 17))
    assert sorted(call.role_ids()) == [("actor", "m1"), ("recipient", "m2")]


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
            "relation has no role",
        ),
        (
            [
                _label("e", "event", 7, 13, "called", "CONSULT"),
                _label("b", "actor", 14, 23, "Al-Kazemi", "PERSON"),
                {"from_id": "e", "to_id": "b", "type": "relation", "labels": ["actor", "recipient"]},
            ],
            "needs exactly one role, has ['actor', 'recipient']",
        ),
        (
            [
                _label("e", "event", 7, 13, "called", "CONSULT"),
                {"from_id": "e", "to_id": "gone", "type": "relation", "labels": ["actor"]},
            ],
            "points at region(s) 'gone'",
        ),
        (
            [
                _label("e", "event", 7, 13, "called", "CONSULT"),
                _label("b", "actor", 1, 7, "Pompeo", "PERSON"),
                {"from_id": "e", "to_id": "b", "type": "relation", "labels": ["actor"]},
            ],
            "slice 'ompeo ' from the task text",
        ),
        (
            [
                _label("a", "actor", 0, 6, "Pompeo", "PERSON"),
                {
                    "id": "a",
                    "from_name": "contexts",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"start": 0, "end": 6, "choices": ["military"]},
                },
            ],
            "'contexts' does not apply to an actor region",
        ),
        (
            [
                _label("e", "event", 7, 13, "called", "CONSULT"),
                {
                    "id": "e",
                    "from_name": "event_date",
                    "to_name": "text",
                    "type": "datetime",
                    "value": {"start": 7, "end": 13, "datetime": "sometime"},
                },
            ],
            "unreadable date 'sometime'",
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
    assert conv.problems == [] and list(conv.annotations[0].events[0].role_ids()) == [("recipient", "b")]


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
    edges = [(m.start, m.end) for m in ann.mentions if m.start is not None] + [
        (e.trigger.start, e.trigger.end) for e in ann.events if e.trigger
    ]
    # blanks at a region's edge are trimmed (a recorded repair): that case is tabulated in test_offsets
    assume(all(article.text[a:b] == article.text[a:b].strip() for a, b in edges))  # type: ignore[index]
    results = json.loads(json.dumps(annotation_to_results(ann, article.text)))
    conv = results_to_annotation(copy.deepcopy(results), text=article.text, doc_id=article.id, origin=ann.origin)
    assert conv.problems == []
    spans = [m for m in ann.mentions if m.has_span]
    triggered = [e for e in ann.events if e.trigger]
    span_ids = {m.id for m in spans}
    expected_events = [
        e.model_copy(update={"arguments": [a for a in e.arguments if a.mention in span_ids]}) for e in triggered
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
    from eventgold.labelstudio.snapshot import snapshot_files

    assert snapshot_files([Path(n) for n in names]) == [Path(n) for n in expected]


def test_a_sidecar_alone_names_the_snapshot_to_pass() -> None:
    from eventgold.labelstudio.snapshot import snapshot_files

    with pytest.raises(InputError, match=r"pass the snapshot itself \(x\.json\)"):
        snapshot_files([Path("x.json.meta.json")])


WORDS = ["Iraq", "met", "Iran", "\U0001f600", "Baghdad", "\r\n", " ", "Quds Force", "."]


@st.composite
def raw_results(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """A task text and random Label Studio results: emoji, CRLF, per-region choices, deleted
    regions, relations either way, with zero, one or two roles, to regions that may not exist."""
    text = "".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25)))
    results: list[dict[str, Any]] = []
    ids = [f"r{i}" for i in range(draw(st.integers(0, 6)))]
    for rid in ids:
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, len(text) + 2))
        unit = draw(st.sampled_from(["code points", "utf16", "wrong text", "no text"]))
        stated: str | None = text[start:end]
        if unit == "utf16":
            start, end = (len(text[:p].encode("utf-16-le")) // 2 for p in (start, end))
        elif unit == "wrong text":
            stated = "zzz"
        elif unit == "no text":
            stated = None
        value: dict[str, Any] = {"start": start, "end": end}
        if stated is not None:
            value["text"] = stated
        control, label = draw(st.sampled_from([("actor", "PERSON"), ("event", "CONSULT"), ("event", "RETREAT")]))
        labels = draw(st.sampled_from([[label], [label], [label, "STATE"], []]))
        if draw(st.integers(0, 5)):  # else: the label result was deleted, its choices stay
            results.append(
                {
                    "id": rid,
                    "from_name": control,
                    "to_name": "text",
                    "type": "labels",
                    "value": {**value, "labels": labels},
                }
            )
        for name, choice in draw(
            st.lists(
                st.sampled_from(
                    [
                        ("mode_CONSULT", "visit"),
                        ("mode_RETREAT", "withdraw"),
                        ("sector", "GOV"),
                        ("contexts", "military"),
                        ("flags", "future"),
                        ("event_date", "2020-01-0x"),
                    ]
                ),
                max_size=2,
            )
        ):
            key = "datetime" if name == "event_date" else "choices"
            results.append(
                {
                    "id": rid,
                    "from_name": name,
                    "to_name": "text",
                    "type": "choices",
                    "value": {**value, key: choice if key == "datetime" else [choice]},
                }
            )
    for _ in range(draw(st.integers(0, 5))):
        a = draw(st.sampled_from([*ids, "ghost"]))
        b = draw(st.sampled_from([*ids, "ghost"]))
        rel: dict[str, Any] = {"from_id": a, "to_id": b, "type": "relation"}
        roles = draw(st.sampled_from([None, [], ["actor"], ["recipient"], ["actor", "location"], ["Attacker"]]))
        if roles is not None:
            rel["labels"] = roles
        results.append(rel)
    return text, results


@given(raw_results())
@settings(max_examples=300)
def test_every_region_and_relation_becomes_a_unit_a_repair_or_a_problem(case: tuple[str, list[dict[str, Any]]]) -> None:
    text, results = case
    origin = Origin(kind="annotator", name="a")
    conv = results_to_annotation(copy.deepcopy(results), text=text, doc_id="d", origin=origin)
    ann = conv.annotation
    regions = {r["id"] for r in results if "id" in r}
    units = {m.id for m in ann.mentions} | {e.id for e in ann.events}
    dropped = {p.region for p in conv.problems if p.region is not None} - units
    assert units | dropped == regions and not units & dropped
    for unit in [*ann.mentions, *(e.trigger for e in ann.events if e.trigger)]:
        assert unit.text == text[unit.start : unit.end]  # type: ignore[index,union-attr]
        assert unit.text == unit.text.strip()  # type: ignore[union-attr]
    for repair in conv.repairs:
        if repair.region is not None:
            assert repair.region in units
    relations = [r for r in results if r.get("type") == "relation"]
    assigned = sum(len(e.arguments) for e in ann.events)
    relation_problems = [p for p in conv.problems if p.relation is not None]
    duplicates = [r for r in conv.repairs if r.kind == "duplicate_relation"]
    assert assigned + len(relation_problems) + len(duplicates) == len(relations)


SPAN_TEXT = "Police met  protesters\r\nin Baghdad 🙂 today. "


@pytest.mark.parametrize(
    ("start", "end", "stated"),
    [
        (0, 6, "Police"),  # as given
        (0, 6, None),  # no text stated
        (6, 10, " met"),  # leading whitespace: trimmed
        (7, 10, "met "),  # stated text differs: a whitespace reading
        (11, 22, "protesters"),  # leading space
        (24, 26, "in"),
        (40, 46, "today."),  # after an astral character: fits as code points
        (41, 47, "today."),  # UTF-16 offsets
        (5, 5, ""),  # empty
        (10, 12, "  "),  # whitespace only
        (40, 99, "today."),  # past the end
        (3, 1, "x"),  # backwards
        ("0", 6, "Police"),  # not an int
        (True, 6, "Police"),  # a bool is no offset
        (0, 6, "Polize"),  # fits nothing
    ],
)
def test_region_offsets_read_like_resolve_span(start: Any, end: Any, stated: Any) -> None:
    """A region's offsets are read as :func:`resolve_span` reads them (span, repairs, problem)."""
    from eventgold.offsets import OffsetProblem, resolve_span

    value: dict[str, Any] = {"start": start, "end": end, "labels": ["PERSON"]}
    if stated is not None:
        value["text"] = stated
    results = [{"id": "r1", "from_name": "actor", "to_name": "text", "type": "labels", "value": value}]
    conv = results_to_annotation(
        results, text=SPAN_TEXT, doc_id="d1", origin=Origin(kind="annotator", name="ann")
    )
    try:
        span = resolve_span(SPAN_TEXT, start, end, stated)
    except OffsetProblem as exc:
        assert conv.annotation.mentions == []
        assert [p.problem for p in conv.problems] == [str(exc)]
        return
    assert [(m.start, m.end, m.text) for m in conv.annotation.mentions] == [
        (span.start, span.end, SPAN_TEXT[span.start : span.end])
    ]
    assert [(r.kind, r.old_start, r.old_end, r.new_start, r.new_end) for r in conv.repairs] == [
        (s.kind, s.old_start, s.old_end, s.new_start, s.new_end) for s in span.steps
    ]
    assert conv.problems == []


@pytest.mark.parametrize(
    "content",
    [
        b'\xef\xbb\xbf[{"id": 1, "data": {"doc_id": "d1", "text": "Hi"}}]',  # UTF-8 byte-order mark
        '[{"id": 1, "data": {"doc_id": "d1", "text": "Hi"}}]'.encode("utf-16"),
        b'[{"id": 1, "data": {"doc_id": "d1", "text": "Hi"}, "annotations": [{"id": 2, "lead_time": NaN}]}]',
        b'[{"id": 1, "data": {"doc_id": "d1", "text": "\\ud83d\\ude42 Hi"}}]',  # escaped surrogate pair
        b'{"id": 1}',  # not a list
        b'[{"id": 1,}]',  # not JSON
        b"[1]",  # not a task
    ],
)
def test_snapshot_parse_equals_the_json_module(tmp_path: Path, content: bytes) -> None:
    """The fast parser gives what :mod:`json` gives, or the same error (it falls back to it)."""
    from eventgold.jsonl import read_json_list
    from eventgold.labelstudio.snapshot import SNAPSHOT_FILE, iter_tasks

    path = tmp_path / "s.json"
    path.write_bytes(content)

    def outcome(read: Any) -> Any:
        try:
            return json.dumps(list(read()), sort_keys=True)
        except InputError as exc:
            return f"error: {exc}"

    def reference() -> list[Any]:
        raw = read_json_list(path, SNAPSHOT_FILE)
        for i, task in enumerate(raw):
            if not isinstance(task, dict):
                raise InputError(f"{path}: item {i} is not a task object")
        return raw

    assert outcome(lambda: iter_tasks(path)) == outcome(reference)
