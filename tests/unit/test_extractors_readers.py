"""Prediction readers: round trips, the other formats, and clear errors for bad input."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from eventgold.actors.dictionary import load_actor_dictionary
from eventgold.commands.options import FLAGS
from eventgold.errors import InputError, RecordError
from eventgold.extractors.rules import RulesExtractor
from eventgold.jsonl import write_jsonl
from eventgold.models import Article, DocumentAnnotation, GoldDocument
from eventgold.offsets import RepairedSpansWarning
from eventgold.ontology import load_ontology
from eventgold.readers import detect_format, read_predictions

TEXT = "Mike Pompeo met Al-Kazemi in Baghdad. Pompeo warned Iran."
ARTICLE = Article(id="d1", text=TEXT)


def rules_output() -> list[DocumentAnnotation]:
    return list(RulesExtractor().extract([ARTICLE, Article(id="d2", text="Nothing here.")]))


def test_jsonl_round_trip(tmp_path: Path) -> None:
    anns = rules_output()
    path = tmp_path / "rules.jsonl"
    write_jsonl(path, anns)
    assert detect_format(path) == "jsonl"
    back = list(read_predictions(path, articles={"d1": ARTICLE}, ontology=load_ontology()))
    assert back == anns


def test_jsonl_reads_gold_lines_and_folders(tmp_path: Path) -> None:
    ann = rules_output()[0]
    gold = GoldDocument(article=ARTICLE, mentions=ann.mentions, events=ann.events)
    write_jsonl(tmp_path / "gold" / "test.jsonl", [gold])
    (back,) = read_predictions(tmp_path / "gold")
    assert back.origin.kind == "adjudicator"
    assert back.mentions == ann.mentions and back.events == ann.events


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r"bad.jsonl:2: invalid JSON"),
        ('{"doc_id": "x", "origin": {"kind": "robot", "name": "n"}}', r"bad.jsonl:2.*origin.kind"),
        (
            '{"doc_id": "x", "origin": {"kind": "extractor", "name": "n"}, '
            '"events": [{"id": "e1", "type": "CONSULT", "actors": ["m9"]}]}',
            r"bad.jsonl:2.*record 'e1'.*not in the document",
        ),
    ],
)
def test_jsonl_errors_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    good = rules_output()[1].model_dump_json()
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(RecordError, match=message):
        list(read_predictions(path, "jsonl"))


def test_offsets_are_checked_against_the_article(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    write_jsonl(path, rules_output()[:1])
    shifted = Article(id="d1", text=" " + TEXT)
    with pytest.raises(RecordError, match=r"p.jsonl:1.*document 'd1'"):
        list(read_predictions(path, articles={"d1": shifted}))


def test_unknown_ontology_label_is_reported(tmp_path: Path) -> None:
    ann = rules_output()[0]
    bad = ann.model_copy(update={"events": [ann.events[0].model_copy(update={"type": "HUG"})]})
    path = tmp_path / "p.jsonl"
    write_jsonl(path, [bad])
    with pytest.raises(RecordError, match=r"p.jsonl:1.*unknown event type"):
        list(read_predictions(path, ontology=load_ontology()))


def ls_task(results: list[dict[str, Any]], **data: Any) -> dict[str, Any]:
    return {
        "id": 7,
        "data": {"doc_id": "d1", "text": TEXT, **data},
        "predictions": [{"id": 70, "model_version": "my-model", "result": results}],
        "annotations": [{"id": 71, "completed_by": 3, "result": results, "lead_time": 12.5}],
    }


LS_RESULTS = [
    {
        "id": "m1",
        "from_name": "actor",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 0, "end": 11, "text": "Mike Pompeo", "labels": ["PERSON"]},
    },
    {
        "id": "m2",
        "from_name": "actor",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 16, "end": 25, "labels": ["PERSON"]},
    },
    {
        "id": "m2",
        "from_name": "actor_id",
        "to_name": "text",
        "type": "choices",
        "value": {"choices": ["kazemi_mustafa — Mustafa Al-Kazemi"]},
    },
    {
        "id": "m1",
        "from_name": "actor_id_other",
        "to_name": "text",
        "type": "textarea",
        "value": {"text": ["pompeo_michael"]},
    },
    {"id": "m1", "from_name": "sector", "to_name": "text", "type": "choices", "value": {"choices": ["GOV"]}},
    {
        "id": "e1",
        "from_name": "event",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 12, "end": 15, "text": "met", "labels": ["CONSULT"]},
    },
    {"id": "e1", "from_name": "mode_CONSULT", "to_name": "text", "type": "choices", "value": {"choices": ["visit"]}},
    {"id": "e1", "from_name": "contexts", "to_name": "text", "type": "choices", "value": {"choices": ["diplomatic"]}},
    {"id": "e1", "from_name": "event_date", "to_name": "text", "type": "datetime", "value": {"datetime": "2020-11-17"}},
    {"type": "relation", "from_id": "e1", "to_id": "m1", "labels": ["actor"]},
    {"type": "relation", "from_id": "m2", "to_id": "e1", "labels": ["recipient"]},
    {"from_name": "relevance", "to_name": "text", "type": "choices", "value": {"choices": ["relevant"]}},
]


def test_labelstudio_predictions(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([ls_task(LS_RESULTS)]), encoding="utf-8")
    assert detect_format(path) == "labelstudio"
    (ann,) = read_predictions(path, ontology=load_ontology())
    assert ann.doc_id == "d1" and ann.origin.kind == "extractor" and ann.origin.name == "my-model"
    m1, m2 = ann.mentions
    assert (m1.canonical_id, m1.sector) == ("pompeo_michael", "GOV")
    assert (m2.canonical_id, m2.text) == ("kazemi_mustafa", "Al-Kazemi")  # text filled in
    (e1,) = ann.events
    assert (e1.mode, e1.contexts, str(e1.date)) == ("visit", ["diplomatic"], "2020-11-17")
    assert list(e1.role_ids()) == [("actor", "m1"), ("recipient", "m2")]
    assert ann.relevance == "relevant"
    assert ann.labelstudio is not None and ann.labelstudio.prediction == 70
    both = list(read_predictions(path, include_annotations=True))
    assert [a.origin.kind for a in both] == ["extractor", "annotator"]
    assert both[1].origin.name == "3" and both[1].lead_time == 12.5


def test_labelstudio_doc_id_from_article_text(tmp_path: Path) -> None:
    task = ls_task(LS_RESULTS[:1])
    del task["data"]["doc_id"]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    (ann,) = read_predictions(path, articles={"d1": ARTICLE})
    assert ann.doc_id == "d1"


def test_labelstudio_errors_name_the_task(tmp_path: Path) -> None:
    bad = [
        {"id": "e1", "from_name": "event", "type": "labels", "value": {"start": 12, "end": 15, "labels": ["CONSULT"]}}
    ]
    task = ls_task(bad)
    task["data"].pop("text")
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([ls_task(LS_RESULTS), task]), encoding="utf-8")
    with pytest.raises(RecordError, match=r"tasks.json \(task #2\).*document 'd1'"):
        list(read_predictions(path))
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(RecordError, match=r"tasks.json:1: invalid JSON"):
        list(read_predictions(path))


def plover(**fields: Any) -> str:
    return json.dumps(fields)


def test_plover_records_become_documents(tmp_path: Path) -> None:
    path = tmp_path / "polecat.jsonl"
    path.write_text(
        "\n".join(
            [
                plover(
                    id="ev1",
                    doc_id="d1",
                    event="consult",
                    mode="",
                    context="diplomatic, military",
                    date="2020-11-17T00:00:00",
                    coder="polecat",
                    actor=[{"entity_text": "Mike Pompeo", "code": "USA", "sector": "GOV"}],
                    recipient=[{"entity_text": "Al-Kazemi", "code": "IRQ"}],
                    text_info={"start": 0, "end": 37},
                ),
                plover(id="ev2", doc_id="d1", event="THREATEN", actor=[{"entity_text": "Pompeo"}], recipient=["IRN"]),
                plover(
                    id="ev3",
                    doc_id="d2",
                    event="ASSAULT",
                    mode="drone",
                    actor=[{"entity_text": "Unknown Militia", "sector": "REB"}],
                ),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert detect_format(path) == "plover"
    dictionary = load_actor_dictionary()
    d1, d2 = read_predictions(path, articles={"d1": ARTICLE}, dictionary=dictionary, ontology=load_ontology())
    assert d1.origin.name == "polecat"
    assert [e.id for e in d1.events] == ["ev1", "ev2"]
    ev1 = d1.events[0]
    assert (ev1.type, ev1.mode, ev1.contexts, str(ev1.date)) == (
        "CONSULT",
        None,
        ["diplomatic", "military"],
        "2020-11-17",
    )
    mentions = {m.id: m for m in d1.mentions}
    assert [role for role, _ in ev1.role_ids()] == ["actor", "recipient"]
    pompeo = mentions[ev1.mentions_in(["actor"])[0]]
    assert (pompeo.canonical_id, pompeo.type, pompeo.start, pompeo.end) == ("pompeo_mike", "PERSON", 0, 11)
    kazemi = mentions[ev1.mentions_in(["recipient"])[0]]
    assert (kazemi.canonical_id, kazemi.start) == ("kazemi_mustafa", 16)
    # "Pompeo" occurs twice in the article: not placed
    ev2 = d1.events[1]
    assert mentions[ev2.mentions_in(["actor"])[0]].start is None
    assert mentions[ev2.mentions_in(["recipient"])[0]].canonical_id == "IRN"
    (m,) = d2.mentions
    assert (m.type, m.canonical_id, m.start) == ("ARMED_GROUP", None, None)


def test_plover_custom_doc_key(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text(plover(id="x", meta={"article": "a9"}, event="AGREE") + "\n", encoding="utf-8")
    (ann,) = read_predictions(path, "plover", doc_key="meta.article")
    assert ann.doc_id == "a9"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([plover(id="x", event="AGREE")], r"p.jsonl:1.*'doc_id'.*\(choose it with doc_key\)"),
        (
            [plover(id="x", doc_id="d", event="AGREE"), plover(id="x", doc_id="d", event="AGREE")],
            r"p.jsonl:2.*event id is not unique",
        ),
        ([plover(id="x", doc_id="d", event="AGREE", actor=[5])], r"p.jsonl:1.*field 'actor'"),
        ([plover(id="x", doc_id="d", event="")], r"p.jsonl:1.*no event type"),
        ([plover(id="x", doc_id="d", event="AGREE"), "{oops"], r"p.jsonl:2: invalid JSON"),
    ],
)
def test_plover_errors(tmp_path: Path, lines: list[str], message: str) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(RecordError, match=message):
        list(read_predictions(path, "plover"))


def test_plover_unknown_type_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text("\n" + plover(id="x", doc_id="d", event="HUG") + "\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"p.jsonl:2.*unknown event type"):
        list(read_predictions(path, ontology=load_ontology()))


def test_detection_failures(tmp_path: Path) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text('{"hello": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the predictions format; pass fmt") as info:
        detect_format(path)
    assert "cannot tell the predictions format; pass --format (" in info.value.render(FLAGS)
    with pytest.raises(InputError, match="file not found"):
        list(read_predictions(tmp_path / "missing.jsonl"))
    with pytest.raises(InputError, match="unknown predictions format"):
        list(read_predictions(path, "csv"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "end", "stated", "expected", "kinds"),
    [
        (3, 7, "Iraq", (2, 6), "utf16 1"),  # the emoji counted twice
        (2, 7, "Iraq ", (2, 6), "trim 1"),
        (2, 6, "Iraq", (2, 6), None),
    ],
)
def test_prediction_spans_use_the_offset_rule(
    tmp_path: Path, start: int, end: int, stated: str, expected: tuple[int, int], kinds: str | None
) -> None:
    article = Article(id="d", text="\U0001f600 Iraq  met Iran")
    line = {
        "doc_id": "d",
        "origin": {"kind": "extractor", "name": "x"},
        "mentions": [{"id": "m", "type": "STATE", "start": start, "end": end, "text": stated}],
    }
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (ann,) = read_predictions(path, "jsonl", articles={"d": article})
    assert (ann.mentions[0].start, ann.mentions[0].end, ann.mentions[0].text) == (*expected, "Iraq")
    said = [str(w.message) for w in caught if issubclass(w.category, RepairedSpansWarning)]
    assert said == (
        []
        if kinds is None
        else [f"{path}: 1 span(s) read after an unambiguous offset repair ({kinds}; see eventgold.offsets)"]
    )
    line["mentions"][0].update(start=1, end=5, text="Iraq")  # type: ignore[index]
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with pytest.raises(RecordError, match=r"p\.jsonl:1, document 'd', record 'm', field 'start'"):
        list(read_predictions(path, "jsonl", articles={"d": article}))
