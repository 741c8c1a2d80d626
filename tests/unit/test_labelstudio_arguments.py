"""Event arguments through Label Studio relations, with the ontology's roles (ACE 2005 and PLOVER).

A relation from a trigger region to a mention region is an argument whose role
is the relation's label. Which roles an event type takes, and which mention
types fill a role, is the ontology's to say: an argument it does not allow is
a listed problem (located, with what to do) and left out, never an exception.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from eventgold.labelstudio.convert import annotation_to_results, configured_ontology, results_to_annotation
from eventgold.labelstudio.label_config import EVENT_CONTROL
from eventgold.labelstudio.snapshot import convert_task, read_snapshot
from eventgold.models import DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config
from tests.unit.ace_fixtures import ACE, ACE_DIR, event_in, mention_in

PLOVER = load_ontology(packaged_label_config() / "ontology.yaml")
TEXT = "Rebels attacked an army base in Kirkuk. Two soldiers died.\n"
ORIGIN = Origin(kind="annotator", name="ana@example.org")


def _mention(mid: str, phrase: str, type_: str) -> Mention:
    return mention_in(TEXT, mid, phrase, type_)


def _event(eid: str, phrase: str, type_: str, *arguments: tuple[str, str]) -> Event:
    return event_in(TEXT, eid, phrase, type_, *arguments)


def ace_annotation(*attack: tuple[str, str], soldiers: str = "PER") -> DocumentAnnotation:
    """Rebels (ORG) attacked an army base (FAC) in Kirkuk (GPE); soldiers died."""
    return DocumentAnnotation(
        doc_id="kirkuk",
        origin=ORIGIN,
        mentions=[
            _mention("m1", "Rebels", "ORG"),
            _mention("m2", "army base", "FAC"),
            _mention("m3", "Kirkuk", "GPE"),
            _mention("m4", "soldiers", soldiers),
        ],
        events=[
            _event("e1", "attacked", "Attack", *(attack or (("Attacker", "m1"), ("Target", "m2"), ("Place", "m3")))),
            _event("e2", "died", "Die", ("Victim", "m4")),
        ],
    )


def _round_trip(ann: DocumentAnnotation, ontology: Any = ACE) -> Any:
    results = json.loads(json.dumps(annotation_to_results(ann, TEXT)))
    return results, results_to_annotation(
        copy.deepcopy(results), text=TEXT, doc_id=ann.doc_id, origin=ann.origin, ontology=ontology
    )


def test_ace_arguments_become_one_relation_per_argument_labelled_with_the_role() -> None:
    results, _ = _round_trip(ace_annotation())
    relations = [(r["from_id"], r["to_id"], r["labels"]) for r in results if r["type"] == "relation"]
    assert relations == [
        ("e1", "m1", ["Attacker"]),
        ("e1", "m2", ["Target"]),
        ("e1", "m3", ["Place"]),
        ("e2", "m4", ["Victim"]),
    ]
    assert all(r["direction"] == "right" for r in results if r["type"] == "relation")


def test_ace_arguments_come_back_as_they_were() -> None:
    ann = ace_annotation()
    _, conv = _round_trip(ann)
    assert conv.problems == [] and conv.repairs == []
    assert conv.annotation.events == ann.events
    assert conv.annotation.mentions == ann.mentions


def test_a_relation_drawn_from_the_mention_is_the_same_argument() -> None:
    results, _ = _round_trip(ace_annotation())
    for r in results:
        if r["type"] == "relation" and r["to_id"] == "m3":
            r["from_id"], r["to_id"] = "m3", "e1"
    conv = results_to_annotation(results, text=TEXT, doc_id="kirkuk", origin=ORIGIN, ontology=ACE)
    assert conv.problems == []
    assert ("Place", "m3") in list(conv.annotation.events[0].role_ids())


def test_a_role_the_event_type_does_not_take_is_listed_and_left_out() -> None:
    # Victim is an ACE role, but a role of Injure and Die, not of Attack
    ann = ace_annotation(("Attacker", "m1"), ("Victim", "m4"), ("Place", "m3"))
    _, conv = _round_trip(ann)
    [problem] = conv.problems
    assert problem.doc_id == "kirkuk" and problem.annotator == "ana@example.org"
    assert (problem.region, problem.relation, problem.field) == ("e1", "e1->m4", "arguments")
    assert "role 'Victim' is not a role of Attack" in problem.problem and "left out" in problem.problem
    assert "Attacker, Target, Instrument, Place" in problem.action
    attack = conv.annotation.events[0]
    assert list(attack.role_ids()) == [("Attacker", "m1"), ("Place", "m3")]  # the others are kept
    assert list(conv.annotation.events[1].role_ids()) == [("Victim", "m4")]


def test_a_mention_type_the_role_does_not_accept_is_listed_and_left_out() -> None:
    # Place takes GPE, LOC or FAC; Kirkuk labelled as a person cannot fill it
    ann = ace_annotation(("Attacker", "m1"), ("Place", "m4"))
    _, conv = _round_trip(ann)
    [problem] = conv.problems
    assert (problem.region, problem.relation, problem.field) == ("e1", "e1->m4", "arguments")
    assert "a mention of type PER cannot fill role 'Place'" in problem.problem
    assert "relabel mention 'm4' as one of GPE, LOC, FAC" in problem.action
    assert list(conv.annotation.events[0].role_ids()) == [("Attacker", "m1")]


def test_a_victim_labelled_with_the_wrong_type_is_listed() -> None:
    _, conv = _round_trip(ace_annotation(soldiers="ORG"))
    [problem] = conv.problems
    assert problem.relation == "e2->m4" and "a mention of type ORG cannot fill role 'Victim'" in problem.problem
    assert conv.annotation.events[1].arguments == []


def test_a_role_of_another_ontology_is_listed_with_the_types_roles() -> None:
    ann = ace_annotation(("actor", "m1"), ("Target", "m2"))  # PLOVER's role in an ACE project
    _, conv = _round_trip(ann)
    [problem] = conv.problems
    assert "unknown role 'actor'" in problem.problem
    assert "pick one of Attack's roles (Attacker, Target" in problem.action
    assert list(conv.annotation.events[0].role_ids()) == [("Target", "m2")]


def test_every_relation_is_an_argument_a_problem_or_a_repeat() -> None:
    ann = ace_annotation(("Attacker", "m1"), ("Victim", "m2"), ("Place", "m4"), ("Target", "m2"))
    results, _ = _round_trip(ann)
    relations = [r for r in results if r["type"] == "relation"]
    results.append(copy.deepcopy(relations[0]))  # the same relation twice: counted once, a repair
    again = results_to_annotation(results, text=TEXT, doc_id="kirkuk", origin=ORIGIN, ontology=ACE)
    arguments = sum(len(e.arguments) for e in again.annotation.events)
    repeats = [r for r in again.repairs if r.kind == "duplicate_relation"]
    assert (arguments, len(again.problems), len(repeats)) == (3, 2, 1)
    assert len(relations) + 1 == arguments + len(again.problems) + len(repeats)


def test_without_an_ontology_the_configured_one_decides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ann = ace_annotation()
    results = annotation_to_results(ann, TEXT)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EVENTGOLD_CONFIG_DIR", raising=False)
    assert configured_ontology().name == "PLOVER"  # no project here: the packaged default
    plover = results_to_annotation(copy.deepcopy(results), text=TEXT, doc_id="kirkuk", origin=ORIGIN)
    assert len(plover.problems) == 4 and all("unknown role" in p.problem for p in plover.problems)
    monkeypatch.setenv("EVENTGOLD_CONFIG_DIR", str(ACE_DIR))
    assert configured_ontology() is configured_ontology()  # read once per version of the file
    ace = results_to_annotation(copy.deepcopy(results), text=TEXT, doc_id="kirkuk", origin=ORIGIN)
    assert ace.problems == [] and ace.annotation.events == ann.events


def _task(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": 9,
        "project": 2,
        "data": {"doc_id": "kirkuk", "text": TEXT},
        "annotations": [{"id": 90, "completed_by": 4, "result": results, "was_cancelled": False}],
        "predictions": [{"id": 91, "model_version": "toy@1", "result": copy.deepcopy(results)}],
    }


def test_snapshot_problems_name_the_file_task_annotation_and_prediction(tmp_path: Path) -> None:
    results = annotation_to_results(ace_annotation(("Attacker", "m1"), ("Victim", "m4")), TEXT)
    path = tmp_path / "ace.json"
    path.write_text(json.dumps([_task(results)]), encoding="utf-8")
    (tmp_path / "ace.json.meta.json").write_text(json.dumps({"users": {"4": "ana@example.org"}}), encoding="utf-8")
    snap = read_snapshot(path, ontology=ACE)
    got = sorted((p.snapshot, p.task, p.annotation, p.annotator, p.region, p.relation) for p in snap.problems)
    assert got == [
        ("ace.json", 9, 90, "ana@example.org", "e1", "e1->m4"),
        ("ace.json", 9, 91, "toy", "e1", "e1->m4"),
    ]
    assert all(list(a.events[0].role_ids()) == [("Attacker", "m1")] for a in [*snap.annotations, *snap.predictions])


def test_convert_task_passes_the_ontology_on() -> None:
    results = annotation_to_results(ace_annotation(), TEXT)
    assert convert_task(_task(results), ontology=ACE).problems == []
    under_plover = convert_task(_task(results), ontology=PLOVER)
    assert {p.relation for p in under_plover.problems} == {"e1->m1", "e1->m2", "e1->m3", "e2->m4"}


def test_plover_round_trip_is_unchanged() -> None:
    text = "Ghaani met Al-Kazemi in Baghdad."

    def m(mid: str, phrase: str, type_: str) -> Mention:
        start = text.index(phrase)
        return Mention(id=mid, type=type_, start=start, end=start + len(phrase), text=phrase)

    ann = DocumentAnnotation(
        doc_id="d",
        origin=ORIGIN,
        mentions=[m("m1", "Ghaani", "PERSON"), m("m2", "Al-Kazemi", "PERSON"), m("m3", "Baghdad", "LOCATION")],
        events=[
            Event(
                id="e1",
                type="CONSULT",
                mode="visit",
                trigger=Span(start=7, end=10, text="met"),
                actors=["m1"],  # type: ignore[call-arg]  # schema 1.0 keywords, migrated
                recipients=["m2"],
                locations=["m3"],
                flags=["future"],
            )
        ],
    )
    results = annotation_to_results(ann, text)
    event_items = [r for r in results if r.get("id") == "e1"]
    assert [(r["from_name"], r["type"]) for r in event_items] == [
        (EVENT_CONTROL, "labels"),
        ("mode_CONSULT", "choices"),
        ("flags", "choices"),
    ]
    assert [(r["to_id"], r["labels"]) for r in results if r["type"] == "relation"] == [
        ("m1", ["actor"]),
        ("m2", ["recipient"]),
        ("m3", ["location"]),
    ]
    conv = results_to_annotation(results, text=text, doc_id="d", origin=ORIGIN, ontology=PLOVER)
    assert conv.problems == [] and conv.annotation == ann
