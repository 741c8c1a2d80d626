"""Screening annotations against the ontology: the bulk check finds exactly what the full walk lists."""

from __future__ import annotations

from typing import Any

import pytest

from eventgold.gold.screen import Screen, screen_annotation
from eventgold.models import Argument, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config

PLOVER = load_ontology(packaged_label_config() / "ontology.yaml")
ORIGIN = Origin(kind="annotator", name="ana@example.org")


def _annotation(
    mention: dict[str, Any] | None = None, event: dict[str, Any] | None = None, relevance: str | None = None
) -> DocumentAnnotation:
    police = Mention(**{"id": "m1", "type": "STATE", "start": 0, "end": 6, "text": "Police", **(mention or {})})
    fields: dict[str, Any] = {
        "id": "e1",
        "type": "PROTEST",
        "trigger": Span(start=7, end=10, text="met"),
        "arguments": [Argument(role="actor", mention="m1")],
        **(event or {}),
    }
    return DocumentAnnotation(
        doc_id="d1", origin=ORIGIN, mentions=[police], events=[Event(**fields)], relevance=relevance
    )


CLEAN = [
    _annotation(),
    _annotation({"sector": "GOV"}, {"mode": "demo", "contexts": ["military"], "flags": ["future"]}, "relevant"),
    _annotation(event={"arguments": [Argument(role="location", mention="m1")]}),
    DocumentAnnotation(doc_id="d1", origin=ORIGIN),
]
DIRTY = {
    "unknown mention type": _annotation({"type": "ALIEN"}),
    "unknown sector": _annotation({"sector": "NOPE"}),
    "unknown event type": _annotation(event={"type": "DANCE"}),
    "mode of another type": _annotation(event={"mode": "riot_x"}),
    "unknown context": _annotation(event={"contexts": ["military", "cooking"]}),
    "unknown flag": _annotation(event={"flags": ["maybe"]}),
    "role of no type": _annotation(event={"arguments": [Argument(role="judge", mention="m1")]}),
    "unknown relevance": _annotation(relevance="very"),
}


@pytest.mark.parametrize("annotation", CLEAN)
def test_a_clean_annotation_is_returned_as_it_is(annotation: DocumentAnnotation) -> None:
    screen = Screen(PLOVER)
    assert screen.clean(annotation)
    kept, problems = screen(annotation)
    assert kept is annotation and problems == []


@pytest.mark.parametrize("case", list(DIRTY))
def test_the_bulk_check_finds_what_the_walk_lists(case: str) -> None:
    screen = Screen(PLOVER)
    annotation = DIRTY[case]
    assert not screen.clean(annotation)
    kept, problems = screen(annotation)
    assert problems and kept is not annotation
    assert (kept, problems) == screen_annotation(annotation, PLOVER)
    assert screen.clean(kept)  # what is left passes


def test_one_screen_answers_alike_for_annotation_after_annotation() -> None:
    screen = Screen(PLOVER)
    seen = [screen(a) for a in [*CLEAN, *DIRTY.values(), *CLEAN, *DIRTY.values()]]
    assert seen == [screen_annotation(a, PLOVER) for a in [*CLEAN, *DIRTY.values(), *CLEAN, *DIRTY.values()]]
