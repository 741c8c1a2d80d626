"""Conversion between Label Studio task JSON and eventgold's records (pure functions).

Label Studio keeps a Text region as one ``labels`` result plus, for each
per-region control, a result with the same region ``id``; event roles are
``relation`` results from the trigger region to a mention region. This module
turns a task's annotations and predictions into DocumentAnnotations and back.

Offsets are checked against the task text and repaired only where the unit is
unambiguous (:mod:`eventgold.offsets`: UTF-16 code units, ``\r\n`` counted as
one character, whitespace). Every region and relation becomes a unit, a unit
with a recorded :class:`~eventgold.problems.Repair`, or a listed
:class:`~eventgold.problems.Problem` (a region with two labels, a relation
without a role…): never dropped silently. The raw snapshot keeps every byte.
Reading whole snapshot files is :mod:`eventgold.labelstudio.snapshot`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from eventgold.errors import RecordError
from eventgold.labelstudio.task_data import (
    CANDIDATE_SEPARATOR,
    TASK_KEYS,
    _parse_date,
    annotator_of,
    article_to_task_data,
    candidate_value,
    model_version,
    parse_created,
    parse_origin,
    task_data_to_article,
)
from eventgold.models import (
    DocumentAnnotation,
    Event,
    LabelStudioRef,
    Mention,
    Origin,
    Span,
)
from eventgold.offsets import OffsetProblem, ResolvedSpan, Step, resolve_span
from eventgold.problems import Problem, Repair

TEXT = "text"
ACTOR = "actor"
EVENT = "event"
ROLES = {"actor": "actors", "recipient": "recipients", "location": "locations"}


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
            "to_name": TEXT,
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
        add(m.id, ACTOR, "labels", {**span, "labels": [m.type]}, m.score)
        if m.canonical_id and m.canonical_id in candidates:
            add(m.id, "actor_id", "choices", {**span, "choices": [candidates[m.canonical_id]]})
        elif m.canonical_id:
            add(m.id, "actor_id_other", "textarea", {**span, "text": [m.canonical_id]})
        if m.country:
            add(m.id, "country", "textarea", {**span, "text": [m.country]})
        if m.sector:
            add(m.id, "sector", "choices", {**span, "choices": [m.sector]})
    for e in annotation.events:
        if e.trigger is None:
            continue
        span = _span_value(e.trigger.start, e.trigger.end, text[e.trigger.start : e.trigger.end])
        add(e.id, EVENT, "labels", {**span, "labels": [e.type]}, e.score)
        if e.mode:
            add(e.id, f"mode_{e.type}", "choices", {**span, "choices": [e.mode]})
        if e.contexts:
            add(e.id, "contexts", "choices", {**span, "choices": list(e.contexts)})
        if e.flags:
            add(e.id, "flags", "choices", {**span, "choices": list(e.flags)})
        if e.date:
            add(e.id, "event_date", "datetime", {**span, "datetime": e.date.isoformat()})
    spans = {m.id for m in annotation.mentions if m.start is not None}
    for e in annotation.events:
        if e.trigger is None:
            continue
        for role, mention_id in e.role_ids():
            if mention_id in spans:
                out.append(
                    {"from_id": e.id, "to_id": mention_id, "type": "relation", "direction": "right", "labels": [role]}
                )
    if annotation.relevance:
        out.append(
            {
                "id": "relevance",
                "from_name": "relevance",
                "to_name": TEXT,
                "type": "choices",
                "value": {"choices": [annotation.relevance]},
            }
        )
    if annotation.notes:
        out.append(
            {
                "id": "notes",
                "from_name": "notes",
                "to_name": TEXT,
                "type": "textarea",
                "value": {"text": [annotation.notes]},
            }
        )
    return out


# ---------------------------------------------------------------------------
# Label Studio -> records
# ---------------------------------------------------------------------------


@dataclass
class Converted:
    """A DocumentAnnotation made from one Label Studio annotation or prediction.

    ``problems`` lists every region, relation or attribute left out and why;
    ``repairs`` every region taken after an unambiguous offset repair.
    """

    annotation: DocumentAnnotation
    problems: list[Problem] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)


MENTION_ATTRIBUTES = frozenset({"actor_id", "actor_id_other", "country", "sector"})
EVENT_ATTRIBUTES = frozenset({"contexts", "flags", "event_date"})
REDRAW = "redraw the region in Label Studio and pull again"


def _first(values: Any) -> str | None:
    if isinstance(values, list) and values:
        first = values[0]
        if isinstance(first, list):  # a nested choice's path (allowNested="true"): the leaf is chosen
            first = first[-1] if first else None
        return str(first) if first is not None else None
    if isinstance(values, str):
        return values
    return None


def _text_list(value: dict[str, Any]) -> str | None:
    raw = value.get("text")
    if isinstance(raw, list):
        joined = " ".join(str(x) for x in raw if str(x).strip()).strip()
        return joined or None
    return None


class _Collector:
    """Problems and repairs of one annotation, each located in its task and annotation."""

    def __init__(
        self, doc_id: str, task: int | None, annotation: int | None, annotator: str, source: str | None
    ) -> None:
        self.where: dict[str, Any] = {
            "snapshot": source,
            "doc_id": doc_id,
            "task": task,
            "annotation": annotation,
            "annotator": annotator,
        }
        self.problems: list[Problem] = []
        self.repairs: list[Repair] = []

    def problem(
        self,
        problem: str,
        action: str,
        *,
        region: str | None = None,
        relation: str | None = None,
        field: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(**self.where, region=region, relation=relation, field=field, problem=problem, action=action)
        )

    def repeated_relation(self, relation: str) -> None:
        self.repairs.append(Repair(**self.where, relation=relation, kind="duplicate_relation"))

    def repair(self, region: str, step: Step, old_text: str | None, text: str) -> None:
        self.repairs.append(  # built from checked values: no need to validate them again
            Repair.model_construct(
                **self.where,
                relation=None,
                region=region,
                kind=step.kind,
                old_start=step.old_start,
                old_end=step.old_end,
                new_start=step.new_start,
                new_end=step.new_end,
                old_text=old_text,
                new_text=text[step.new_start : step.new_end],
            )
        )


def _attributes(region: str, items: list[dict[str, Any]], out: _Collector) -> dict[str, dict[str, Any]]:
    """The per-region controls' values by control name; two different values of one control are a problem."""
    attrs: dict[str, dict[str, Any]] = {}
    for item in items:
        name = str(item.get("from_name"))
        value = item.get("value") if isinstance(item.get("value"), dict) else {}
        if name in attrs and attrs[name] != value:
            out.problem(
                f"two different values for {name!r}; neither is used",
                f"keep one value of {name!r} on the region in Label Studio",
                region=region,
                field=name,
            )
            attrs[name] = {}
            continue
        attrs[name] = value  # type: ignore[assignment]
    return attrs


def _mention(region: str, label: str, span: ResolvedSpan, text: str, score: Any, attrs: dict[str, Any]) -> Mention:
    canonical = _text_list(attrs.get("actor_id_other", {}))
    if canonical is None:
        choice = _first(attrs.get("actor_id", {}).get("choices"))
        canonical = choice.split(CANDIDATE_SEPARATOR)[0].strip() if choice else None
    country = _text_list(attrs.get("country", {}))
    return Mention(
        id=region,
        type=label,
        start=span.start,
        end=span.end,
        text=text[span.start : span.end],
        canonical_id=canonical,
        country=country.upper() if country else None,
        sector=_first(attrs.get("sector", {}).get("choices")),
        score=score,
    )


def _event(
    region: str, label: str, span: ResolvedSpan, text: str, score: Any, attrs: dict[str, Any], out: _Collector
) -> Event:
    mode = None
    for name, val in attrs.items():
        if name.startswith("mode_"):
            if name != f"mode_{label}":
                out.problem(
                    f"mode from {name!r} does not belong to event type {label}; left out",
                    f"choose a mode of {label} (or none) in Label Studio",
                    region=region,
                    field=name,
                )
                continue
            mode = _first(val.get("choices"))
    date_value = attrs.get("event_date", {})
    try:
        date = _parse_date(date_value.get("datetime") or date_value.get("date"))
    except ValueError as exc:
        out.problem(f"{exc}; the event is kept without a date", "enter the date as YYYY-MM-DD",
                    region=region, field="event_date")
        date = None
    return Event(
        id=region,
        type=label,
        trigger=Span(start=span.start, end=span.end, text=text[span.start : span.end]),
        mode=mode,
        contexts=list(attrs.get("contexts", {}).get("choices") or []),
        flags=list(attrs.get("flags", {}).get("choices") or []),
        date=date,
        score=score,
    )


def _region(region: str, items: list[dict[str, Any]], text: str, out: _Collector) -> Mention | Event | None:
    """One region's unit, or None after listing why it cannot be one."""
    label_items = [i for i in items if i.get("type") == "labels" and i.get("from_name") in (ACTOR, EVENT)]
    if not label_items:
        names = sorted({str(i.get("from_name")) for i in items})
        out.problem(
            f"region has attributes ({', '.join(names)}) but no actor or event label",
            "give the region an actor or event label in Label Studio, or delete it",
            region=region,
        )
        return None
    labels = [lab for i in label_items for lab in (i.get("value") or {}).get("labels") or []]
    if len(label_items) > 1 or len(labels) != 1:
        out.problem(f"region must carry exactly one label, has {labels}", "keep one label on the region",
                    region=region)
        return None
    main = label_items[0]
    value = main["value"]
    control = str(main["from_name"])
    stated = value.get("text")
    try:
        span = resolve_span(text, value.get("start"), value.get("end"), stated)
    except OffsetProblem as exc:
        out.problem(str(exc), REDRAW, region=region)
        return None
    for step in span.steps:
        out.repair(region, step, stated if isinstance(stated, str) else None, text)
    allowed = MENTION_ATTRIBUTES if control == ACTOR else EVENT_ATTRIBUTES
    rest = [i for i in items if i is not main]
    for item in rest:
        name = str(item.get("from_name"))
        if name not in allowed and not (control == EVENT and name.startswith("mode_")):
            out.problem(
                f"{name!r} does not apply to an {control} region; left out",
                f"remove {name!r} from the region in Label Studio",
                region=region,
                field=name,
            )
    attrs = _attributes(region, [i for i in rest if str(i.get("from_name")) in allowed
                                 or str(i.get("from_name")).startswith("mode_")], out)
    try:
        if control == ACTOR:
            return _mention(region, str(value["labels"][0]), span, text, main.get("score"), attrs)
        return _event(region, str(value["labels"][0]), span, text, main.get("score"), attrs, out)
    except (ValueError, RecordError) as exc:
        out.problem(str(exc).splitlines()[0], "correct the region's attributes in Label Studio", region=region)
        return None


def _relations(
    relations: list[dict[str, Any]],
    events: dict[str, Event],
    mentions: set[str],
    regions: set[str],
    out: _Collector,
) -> None:
    """Attach each relation's role to its event, or list why it cannot be attached."""
    seen: set[tuple[str, str, str]] = set()
    for rel in relations:
        a, b = rel.get("from_id"), rel.get("to_id")
        name = f"{a}->{b}"
        labels = rel.get("labels") or []
        if a in mentions and b in events:
            a, b = b, a
        missing = [str(x) for x in (a, b) if x not in regions]
        if missing:
            out.problem(
                f"relation points at region(s) {', '.join(map(repr, missing))} that the annotation does not hold",
                "delete the relation in Label Studio, or redraw the region it links",
                relation=name,
            )
            continue
        if a not in events or b not in mentions:
            dropped = [str(x) for x in (a, b) if x not in events and x not in mentions]
            if dropped:
                out.problem(
                    f"relation links region(s) {', '.join(map(repr, dropped))} that could not be read "
                    "(see their own problems)",
                    "fix the region, then the relation is taken",
                    relation=name,
                )
            else:
                out.problem(
                    "relation must link an event trigger and an actor mention",
                    "draw the relation from an event trigger to an actor mention",
                    relation=name,
                )
            continue
        if not isinstance(labels, list) or len(labels) != 1 or labels[0] not in ROLES:
            what = "has no role" if not labels else f"needs exactly one role, has {labels}"
            out.problem(
                f"relation {what}",
                f"pick one role ({', '.join(sorted(ROLES))}) for the relation in Label Studio",
                relation=name,
            )
            continue
        key = (str(a), str(b), str(labels[0]))
        if key in seen:
            out.repeated_relation(name)
            continue
        seen.add(key)
        getattr(events[str(a)], ROLES[labels[0]]).append(str(b))


def results_to_annotation(
    results: list[dict[str, Any]],
    *,
    text: str,
    doc_id: str,
    origin: Origin,
    ref: LabelStudioRef | None = None,
    extra: dict[str, Any] | None = None,
    source: str | None = None,
) -> Converted:
    """Turn Label Studio ``result`` items into a DocumentAnnotation, checking offsets.

    Args:
        results: the annotation's or prediction's ``result`` list (Label Studio JSON).
        text: the task text the offsets refer to.
        doc_id, origin, ref: where the annotation comes from (carried into the record
            and into every problem and repair).
        extra: other DocumentAnnotation fields (``ground_truth``, ``lead_time``…).
        source: the snapshot's file name, named in every problem and repair.

    Returns:
        :class:`Converted`: every region and relation is a unit, a unit with a
        recorded repair (:mod:`eventgold.offsets`), or a listed problem.
    """
    task = ref.task if ref else None
    ann_id = (ref.annotation if ref.annotation is not None else ref.prediction) if ref else None
    out = _Collector(doc_id, task, ann_id, origin.name, source)
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    relations: list[dict[str, Any]] = []
    relevance = notes = None
    for item in results:
        if not isinstance(item, dict):
            out.problem(f"result item is not an object: {item!r:.60}", "delete it from the export")
            continue
        kind = item.get("type")
        if kind == "relation":
            relations.append(item)
            continue
        name = item.get("from_name")
        raw_value = item.get("value")
        value: dict[str, Any] = raw_value if isinstance(raw_value, dict) else {}
        if name == "relevance":
            relevance = _first(value.get("choices"))
        elif name == "notes":
            notes = _text_list(value)
        elif isinstance(item.get("id"), str):
            by_region[item["id"]].append(item)
        else:
            out.problem(f"result for {name!r} has no region id", "delete it from the export", field=str(name))

    mentions: list[Mention] = []
    events: list[Event] = []
    for region, items in by_region.items():
        unit = _region(region, items, text, out)
        if isinstance(unit, Mention):
            mentions.append(unit)
        elif isinstance(unit, Event):
            events.append(unit)
    _relations(relations, {e.id: e for e in events}, {m.id for m in mentions}, set(by_region), out)
    annotation = DocumentAnnotation(
        doc_id=doc_id,
        origin=origin,
        mentions=mentions,
        events=events,
        relevance=relevance,
        notes=notes,
        labelstudio=ref,
        **(extra or {}),
    )
    return Converted(annotation, out.problems, out.repairs)


__all__ = [
    "ACTOR",
    "CANDIDATE_SEPARATOR",
    "EVENT",
    "ROLES",
    "TASK_KEYS",
    "TEXT",
    "Converted",
    "annotation_to_results",
    "annotator_of",
    "article_to_task_data",
    "candidate_value",
    "model_version",
    "parse_created",
    "parse_origin",
    "results_to_annotation",
    "task_data_to_article",
]
