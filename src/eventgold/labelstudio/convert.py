"""Conversion between Label Studio task JSON and eventgold's records.

Label Studio keeps a Text region as one ``labels`` result plus, for each
per-region control, a result with the same region ``id``; an event's
arguments are ``relation`` results from the trigger region to a mention
region, labelled with the argument's role. This module turns a task's
annotations and predictions into DocumentAnnotations and back. Control names
are the frozen ones of :mod:`eventgold.labelstudio.label_config`; roles come from the
ontology, which decides which role an event type allows and which mention
types may fill it (:meth:`~eventgold.ontology.Ontology.argument_problem`);
without one given, the configured ontology is read (:func:`configured_ontology`).

Offsets are checked against the task text and repaired only where the unit is
unambiguous (:mod:`eventgold.offsets`: UTF-16 code units, ``\r\n`` counted as
one character, whitespace). Every region and relation becomes a unit, a unit
with a recorded :class:`~eventgold.problems.Repair`, or a listed
:class:`~eventgold.problems.Problem` (a region with two labels, a relation
without a role, a role the event type does not allow…): never dropped
silently. The raw snapshot keeps every byte. Regions and relations are read
by :mod:`eventgold.labelstudio.regions`; whole snapshot files by
:mod:`eventgold.labelstudio.snapshot`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from eventgold.labelstudio.label_config import (
    ACTOR_CONTROL,
    ACTOR_ID_CONTROL,
    ACTOR_ID_OTHER_CONTROL,
    CONTEXTS_CONTROL,
    COUNTRY_CONTROL,
    EVENT_CONTROL,
    EVENT_DATE_CONTROL,
    FLAGS_CONTROL,
    NOTES_CONTROL,
    RELEVANCE_CONTROL,
    SECTOR_CONTROL,
    TEXT_TAG,
    mode_control,
)
from eventgold.labelstudio.regions import (
    EVENT_ATTRIBUTES,
    MENTION_ATTRIBUTES,
    Collector,
    Converted,
    attach_relations,
    first_value,
    read_region,
    text_list,
    unchecked,
)
from eventgold.labelstudio.task_data import (
    CANDIDATE_SEPARATOR,
    TASK_KEYS,
    annotator_of,
    article_to_task_data,
    candidate_value,
    model_version,
    parse_created,
    parse_origin,
    task_data_to_article,
)
from eventgold.models import DocumentAnnotation, Event, LabelStudioRef, Mention, Origin
from eventgold.ontology import Ontology

_configured: dict[tuple[str, int, int], Ontology] = {}


def configured_ontology() -> Ontology:
    """The ontology of the configuration folder in use (:func:`eventgold.config.find_config_dir`).

    Read once per version of the file (its path, modification time and size),
    so converting many annotations does not parse it again each time.

    Raises:
        OntologyError: the file is missing or invalid.
    """
    from eventgold.config import ONTOLOGY_FILE
    from eventgold.ontology import default_label_config_dir, load_ontology

    path = default_label_config_dir() / ONTOLOGY_FILE
    try:
        stat = path.stat()
    except OSError:
        return load_ontology(path)  # raises, naming the file
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _configured:
        _configured.clear()
        _configured[key] = load_ontology(path)
    return _configured[key]


# ---------------------------------------------------------------------------
# Records -> Label Studio
# ---------------------------------------------------------------------------


def _span_value(start: int, end: int, text: str) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text}


def annotation_to_results(
    annotation: DocumentAnnotation, text: str, *, candidates: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Label Studio ``result`` items for an annotation (prediction, review version, gold).

    A canonical id found in ``candidates`` (id -> the task's candidate choice
    value) preselects that choice; any other id goes to the free-text box.
    """
    out: list[dict[str, Any]] = []
    candidates = candidates or {}

    def add(region: str, from_name: str, kind: str, value: dict[str, Any], score: float | None = None) -> None:
        item: dict[str, Any] = {
            "id": region,
            "from_name": from_name,
            "to_name": TEXT_TAG,
            "type": kind,
            "value": value,
        }
        if score is not None:
            item["score"] = score
        out.append(item)

    for m in annotation.mentions:
        if m.start is None or m.end is None:
            continue
        span = _span_value(m.start, m.end, text[m.start : m.end])
        add(m.id, ACTOR_CONTROL, "labels", {**span, "labels": [m.type]}, m.score)
        if m.canonical_id and m.canonical_id in candidates:
            add(m.id, ACTOR_ID_CONTROL, "choices", {**span, "choices": [candidates[m.canonical_id]]})
        elif m.canonical_id:
            add(m.id, ACTOR_ID_OTHER_CONTROL, "textarea", {**span, "text": [m.canonical_id]})
        if m.country:
            add(m.id, COUNTRY_CONTROL, "textarea", {**span, "text": [m.country]})
        if m.sector:
            add(m.id, SECTOR_CONTROL, "choices", {**span, "choices": [m.sector]})
    for e in annotation.events:
        if e.trigger is None:
            continue
        span = _span_value(e.trigger.start, e.trigger.end, text[e.trigger.start : e.trigger.end])
        add(e.id, EVENT_CONTROL, "labels", {**span, "labels": [e.type]}, e.score)
        if e.mode:
            add(e.id, mode_control(e.type), "choices", {**span, "choices": [e.mode]})
        if e.contexts:
            add(e.id, CONTEXTS_CONTROL, "choices", {**span, "choices": list(e.contexts)})
        if e.flags:
            add(e.id, FLAGS_CONTROL, "choices", {**span, "choices": list(e.flags)})
        if e.date:
            add(e.id, EVENT_DATE_CONTROL, "datetime", {**span, "datetime": e.date.isoformat()})
    spans = {m.id for m in annotation.mentions if m.start is not None}
    for e in annotation.events:
        if e.trigger is None:
            continue
        for role, mention_id in e.role_ids():  # one relation per argument, labelled with its role
            if mention_id in spans:
                out.append(
                    {"from_id": e.id, "to_id": mention_id, "type": "relation", "direction": "right", "labels": [role]}
                )
    if annotation.relevance:
        out.append(
            {
                "id": RELEVANCE_CONTROL,
                "from_name": RELEVANCE_CONTROL,
                "to_name": TEXT_TAG,
                "type": "choices",
                "value": {"choices": [annotation.relevance]},
            }
        )
    if annotation.notes:
        out.append(
            {
                "id": NOTES_CONTROL,
                "from_name": NOTES_CONTROL,
                "to_name": TEXT_TAG,
                "type": "textarea",
                "value": {"text": [annotation.notes]},
            }
        )
    return out


# ---------------------------------------------------------------------------
# Label Studio -> records
# ---------------------------------------------------------------------------


def results_to_annotation(
    results: list[dict[str, Any]],
    *,
    text: str,
    doc_id: str,
    origin: Origin,
    ref: LabelStudioRef | None = None,
    extra: dict[str, Any] | None = None,
    source: str | None = None,
    ontology: Ontology | None = None,
) -> Converted:
    """Turn Label Studio ``result`` items into a DocumentAnnotation, checking offsets and arguments.

    Args:
        results: the annotation's or prediction's ``result`` list (Label Studio JSON).
        text: the task text the offsets refer to.
        doc_id, origin, ref: where the annotation comes from (carried into the record
            and into every problem and repair).
        extra: other DocumentAnnotation fields (``ground_truth``, ``lead_time``…).
        source: the snapshot's file name, named in every problem and repair.
        ontology: decides which roles each event type allows and which mention
            types fill them (default: :func:`configured_ontology`).

    Returns:
        :class:`Converted`: every region and relation is a unit, a unit with a
        recorded repair (:mod:`eventgold.offsets`), or a listed problem (a
        relation whose role the ontology does not allow for its event type or
        its mention's type is one: the argument is left out).
    """
    onto = ontology if ontology is not None else configured_ontology()
    task = ref.task if ref else None
    ann_id = (ref.annotation if ref.annotation is not None else ref.prediction) if ref else None
    out = Collector(doc_id, task, ann_id, origin.name, source)
    by_region: dict[str, list[dict[str, Any]]] = {}
    relations: list[dict[str, Any]] = []
    relevance = notes = None
    for item in results:
        if not isinstance(item, dict):
            out.problem(f"result item is not an object: {item!r:.60}", "delete it from the export")
            continue
        if item.get("type") == "relation":
            relations.append(item)
            continue
        name = item.get("from_name")
        region = item.get("id")
        if name in (RELEVANCE_CONTROL, NOTES_CONTROL):
            raw_value = item.get("value")
            value: dict[str, Any] = raw_value if isinstance(raw_value, dict) else {}
            if name == RELEVANCE_CONTROL:
                relevance = first_value(value.get("choices"))
            else:
                notes = text_list(value)
        elif isinstance(region, str):
            group = by_region.get(region)
            if group is None:
                by_region[region] = [item]
            else:
                group.append(item)
        else:
            out.problem(f"result for {name!r} has no region id", "delete it from the export", field=str(name))

    mentions: list[Mention] = []
    events: list[Event] = []
    for region, items in by_region.items():
        unit = read_region(region, items, text, out)
        if isinstance(unit, Mention):
            mentions.append(unit)
        elif isinstance(unit, Event):
            events.append(unit)
    attach_relations(relations, {e.id: e for e in events}, {m.id: m for m in mentions}, set(by_region), onto, out)
    values: dict[str, Any] = {
        "doc_id": doc_id,
        "origin": origin,
        "mentions": mentions,
        "events": events,
        "relevance": relevance,
        "notes": notes,
        "labelstudio": ref,
    }
    given = frozenset(values) | frozenset(extra or ())
    if _plain_annotation(values, extra or {}):  # every unit was built checked, ids unique (one per region)
        record = {field: values.get(field, _DEFAULTS.get(field)) for field in _ANNOTATION_FIELDS}
        record.update(extra or {})
        annotation = unchecked(DocumentAnnotation, record, given)
    else:
        annotation = DocumentAnnotation(**values, **(extra or {}))
    return Converted(annotation, out.problems, out.repairs)


_ANNOTATION_FIELDS = tuple(DocumentAnnotation.model_fields)
_DEFAULTS = {"ground_truth": False, "cancelled": False, "lead_time": None, "created": None}
_EXTRA_TYPES: dict[str, tuple[type, ...]] = {
    "ground_truth": (bool,),
    "cancelled": (bool,),
    "lead_time": (float, type(None)),
    "created": (dt.datetime, type(None)),
}


def _plain_annotation(values: dict[str, Any], extra: dict[str, Any]) -> bool:
    """Whether a DocumentAnnotation of ``values`` and ``extra`` needs no validation: validation would
    accept every value unchanged (exact types, a non-empty doc id)."""
    doc_id, relevance, notes, ref = values["doc_id"], values["relevance"], values["notes"], values["labelstudio"]
    return (
        type(doc_id) is str
        and doc_id != ""
        and type(values["origin"]) is Origin
        and (ref is None or type(ref) is LabelStudioRef)
        and (relevance is None or type(relevance) is str)
        and (notes is None or type(notes) is str)
        and all(type(extra[key]) in _EXTRA_TYPES.get(key, ()) for key in extra)
    )


__all__ = [
    "CANDIDATE_SEPARATOR",
    "EVENT_ATTRIBUTES",
    "MENTION_ATTRIBUTES",
    "TASK_KEYS",
    "Converted",
    "annotation_to_results",
    "annotator_of",
    "article_to_task_data",
    "candidate_value",
    "configured_ontology",
    "model_version",
    "parse_created",
    "parse_origin",
    "results_to_annotation",
    "task_data_to_article",
]
