"""Document checks done in bulk (``OntologyCheck``, unit ids, spans, offset repairs) answer as the record walk does.

Each check first asks "is anything wrong?" in one pass, then walks the records
only to name the first problem. These cases compare the bulk answer with the
walk's, on documents with one problem each and on a check reused across documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from eventgold.errors import RecordError
from eventgold.models import (
    Argument,
    DocumentAnnotation,
    Event,
    Mention,
    OntologyCheck,
    Origin,
    Span,
    check_against_ontology,
    check_gold,
    check_spans,
)
from eventgold.offsets import OffsetProblem, repair_spans, resolve_span
from eventgold.ontology import Ontology, load_ontology

TEXT = "Pompeo met Al-Kazemi in Baghdad."


def _typed_roles() -> Ontology:
    """The default ontology with the actor role limited to PERSON and STATE mentions."""
    data = load_ontology().model_dump()
    data["roles"] = [dict(r, entity_types=("PERSON", "STATE")) if r["name"] == "actor" else r for r in data["roles"]]
    return Ontology.model_validate(data)


def _units(**change: Any) -> tuple[list[Mention], list[Event]]:
    m1 = {"id": "m1", "type": "PERSON", "start": 0, "end": 6, "text": "Pompeo"} | change.get("m1", {})
    m2 = {"id": "m2", "type": "STATE", "start": 24, "end": 31, "text": "Baghdad"} | change.get("m2", {})
    event = {
        "id": "e1",
        "type": "CONSULT",
        "mode": "visit",
        "trigger": {"start": 7, "end": 10, "text": "met"},
        "arguments": [{"role": "actor", "mention": "m1"}, {"role": "location", "mention": "m2"}],
    } | change.get("e1", {})
    return [Mention.model_validate(m1), Mention.model_validate(m2)], [Event.model_validate(event)]


ONTOLOGY_CASES = [
    pytest.param({}, None, id="allowed"),
    pytest.param({"m1": {"type": "ROBOT"}}, "field 'type': unknown actor type", id="actor-type"),
    pytest.param({"m2": {"sector": "XYZ"}}, "field 'sector': unknown sector", id="sector"),
    pytest.param({"m2": {"sector": "GOV"}}, None, id="known-sector"),
    pytest.param({"e1": {"type": "PARTY", "mode": None}}, "field 'type': unknown event type", id="event-type"),
    pytest.param({"e1": {"mode": "allege"}}, "field 'mode': mode does not belong to CONSULT", id="mode"),
    pytest.param({"e1": {"type": "PARTY", "mode": "allege"}}, "field 'type': unknown event type", id="both"),
    pytest.param({"e1": {"contexts": ["military", "space"]}}, "field 'contexts': unknown context", id="context"),
    pytest.param({"e1": {"flags": ["future", "rumour"]}}, "field 'flags': flag not in the ontology", id="flag"),
    pytest.param(
        {"e1": {"arguments": [{"role": "victim", "mention": "m1"}]}}, "field 'arguments': unknown role", id="role"
    ),
    pytest.param(
        {"m1": {"type": "GROUP"}}, "field 'arguments': a mention of type GROUP cannot fill role 'actor'", id="typed"
    ),
    pytest.param({"e1": {"arguments": [{"role": "actor", "mention": "m9"}]}}, None, id="mention-elsewhere"),
]


@pytest.mark.parametrize("relevance", [None, "relevant", "maybe"])
@pytest.mark.parametrize(("change", "problem"), ONTOLOGY_CASES)
def test_the_ontology_check_finds_what_the_walk_finds(
    change: dict[str, Any], problem: str | None, relevance: str | None
) -> None:
    ontology = _typed_roles()
    mentions, events = _units(**change)
    check = OntologyCheck(ontology)
    check("d0", *_units(), relevance="relevant")  # answers remembered from a good document change nothing
    if problem is None and relevance != "maybe":
        check("d1", mentions, events, relevance=relevance)
        check_against_ontology("d1", mentions, events, ontology, relevance=relevance)
        assert check.allows(mentions, events, relevance)
        return
    with pytest.raises(RecordError) as bulk:
        check("d1", iter(mentions), iter(events), relevance=relevance)
    with pytest.raises(RecordError) as walk:
        check_against_ontology("d1", mentions, events, ontology, relevance=relevance)
    assert str(bulk.value) == str(walk.value)
    assert (problem or "field 'relevance': unknown relevance") in str(bulk.value)
    assert not check.allows(mentions, events, relevance)


def test_check_gold_takes_an_ontology_or_a_kept_check() -> None:
    from eventgold.models import GoldDocument

    mentions, events = _units(m1={"type": "ROBOT"})
    gold = GoldDocument(article={"id": "d1", "text": TEXT}, mentions=mentions, events=events)
    ontology = load_ontology()
    messages = []
    for given in (ontology, OntologyCheck(ontology)):
        with pytest.raises(RecordError) as info:
            check_gold(gold, given)
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "unknown actor type" in messages[0]


def _units_built(**change: Any) -> tuple[list[Mention], list[Event]]:
    mentions, events = _units()
    for key, value in change.items():
        if key == "mention_ids":
            mentions = [m.model_copy(update={"id": i}) for m, i in zip(mentions, value, strict=True)]
        elif key == "event_id":
            events = [events[0].model_copy(update={"id": value})]
        elif key == "argument":
            events = [events[0].model_copy(update={"arguments": [Argument(role="actor", mention=value)]})]
        elif key == "trigger":
            events = [events[0].model_copy(update={"trigger": Span(**value)})]
        else:
            mentions = [mentions[0].model_copy(update=value), mentions[1]]
    return mentions, events


UNIT_CASES = [
    pytest.param({}, None, id="fine"),
    pytest.param({"mention_ids": ["m1", "m1"]}, "record 'm1', field 'id': id is not unique", id="mention-twice"),
    pytest.param({"event_id": "m2"}, "record 'm2', field 'id': id is not unique", id="event-is-a-mention"),
    pytest.param({"argument": "m7"}, "field 'arguments': argument 'actor' refers to a mention", id="dangling"),
    pytest.param({"m1": {"text": "Pompeu"}}, "field 'text': text[0:6] is 'Pompeo'", id="slice"),
    pytest.param({"m1": {"start": 30, "end": 36, "text": "dad.xx"}}, "offsets 30..36 run past", id="past-end"),
    pytest.param({"m1": {"start": None, "end": None}}, None, id="no-offsets"),
    pytest.param({"m1": {"text": None}}, None, id="no-text"),
    pytest.param({"trigger": {"start": 7, "end": 10, "text": "Met"}}, "'text': text[7:10] is 'met'", id="trigger"),
    pytest.param({"trigger": {"start": 31, "end": 34, "text": "xyz"}}, "offsets 31..34 run past", id="trigger-end"),
]


@pytest.mark.parametrize("as_lists", [True, False], ids=["lists", "iterators"])
@pytest.mark.parametrize(("change", "problem"), UNIT_CASES)
def test_unit_and_span_checks_find_what_the_walk_finds(
    change: dict[str, Any], problem: str | None, as_lists: bool
) -> None:
    mentions, events = _units_built(**change)
    wrap: Callable[[list[Any]], Any] = list if as_lists else iter
    data = {"doc_id": "d1", "origin": Origin(kind="extractor", name="x"), "mentions": mentions, "events": events}
    try:
        DocumentAnnotation.model_validate(data)  # ids and references
        check_spans("d1", TEXT, wrap(mentions), wrap(events))
    except RecordError as exc:
        assert problem is not None and problem in str(exc), str(exc)
        assert str(exc).startswith("document 'd1', ")
    else:
        assert problem is None


SPANS = [
    (0, 6, "Pompeo"),
    (0, 7, "Pompeo "),
    (6, 11, " met "),
    (0, 0, ""),
    (32, 32, ""),
    (6, 7, " "),
    (0, 6, None),
    (0, 7, None),
    (24, 31, "Baghdad"),
    (30, 36, "dad.xx"),
    (0, 6, "Pompeu"),
]


@pytest.mark.parametrize("text", [TEXT, "\U0001f600 " + TEXT, TEXT.replace(" met ", " met\r\n")])
@pytest.mark.parametrize(("start", "end", "stated"), SPANS)
def test_repair_spans_agrees_with_resolve_span(text: str, start: int, end: int, stated: str | None) -> None:
    mention = Mention(id="m1", type="PERSON", start=start, end=end, text=stated)
    trigger = Event(id="e1", type="CONSULT", trigger=Span(start=start, end=end, text=stated or text[start:end]))
    annotation = DocumentAnnotation(
        doc_id="d1", origin=Origin(kind="extractor", name="x"), mentions=[mention], events=[trigger]
    )
    assert trigger.trigger is not None
    try:
        expected = [resolve_span(text, start, end, stated), resolve_span(text, start, end, trigger.trigger.text)]
    except OffsetProblem as problem:
        with pytest.raises(RecordError, match="field 'start': ") as info:
            repair_spans(annotation, text)
        assert str(problem) in str(info.value)
        return
    repaired, steps = repair_spans(annotation, text)
    assert steps == [*expected[0].steps, *expected[1].steps]
    if not steps:
        assert repaired is annotation
    new_mention, new_trigger = repaired.mentions[0], repaired.events[0].trigger
    assert new_trigger is not None
    assert (new_mention.start, new_mention.end) == (expected[0].start, expected[0].end)
    assert (new_trigger.start, new_trigger.end) == (expected[1].start, expected[1].end)
