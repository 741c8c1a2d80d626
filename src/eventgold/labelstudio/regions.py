"""Label Studio regions and relations of one annotation as mentions, events and arguments.

The pieces :func:`eventgold.labelstudio.convert.results_to_annotation` is made
of: each region's ``labels`` result and per-region controls become a Mention
or an Event (offsets checked and repaired by :mod:`eventgold.offsets`), each
relation an argument of its event, and whatever cannot be taken a listed
:class:`~eventgold.problems.Problem` located in its task, annotation, region
and relation (:class:`Collector`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from eventgold.errors import RecordError
from eventgold.labelstudio.label_config import (
    ACTOR_CONTROL,
    ACTOR_ID_CONTROL,
    ACTOR_ID_OTHER_CONTROL,
    CONTEXTS_CONTROL,
    COUNTRY_CONTROL,
    EVENT_CONTROL,
    EVENT_DATE_CONTROL,
    EVENT_REGION_CONTROLS,
    FLAGS_CONTROL,
    MENTION_REGION_CONTROLS,
    SECTOR_CONTROL,
    is_mode_control,
    mode_control,
)
from eventgold.labelstudio.task_data import CANDIDATE_SEPARATOR, parse_date, unchecked
from eventgold.models import Argument, DocumentAnnotation, Event, Mention, Span
from eventgold.offsets import OffsetProblem, ResolvedSpan, Step, resolve_span
from eventgold.ontology import Ontology
from eventgold.problems import Problem, Repair


@dataclass
class Converted:
    """A DocumentAnnotation made from one Label Studio annotation or prediction.

    ``problems`` lists every region, relation or attribute left out and why;
    ``repairs`` every region taken after an unambiguous offset repair.
    """

    annotation: DocumentAnnotation
    problems: list[Problem] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)


MENTION_ATTRIBUTES = MENTION_REGION_CONTROLS
"""Per-region controls a mention region may carry."""
EVENT_ATTRIBUTES = EVENT_REGION_CONTROLS
"""Per-region controls an event region may carry (besides its ``mode_<TYPE>``)."""
REDRAW = "redraw the region in Label Studio and pull again"


def first_value(values: Any) -> str | None:
    """The first chosen value of a Choices result (the leaf of a nested choice), or None."""
    if isinstance(values, list) and values:
        first = values[0]
        if isinstance(first, list):  # a nested choice's path (allowNested="true"): the leaf is chosen
            first = first[-1] if first else None
        return str(first) if first is not None else None
    if isinstance(values, str):
        return values
    return None


def text_list(value: dict[str, Any]) -> str | None:
    """A TextArea result's non-blank lines joined by spaces, or None when it holds none."""
    raw = value.get("text")
    if isinstance(raw, list):
        joined = " ".join(str(x) for x in raw if str(x).strip()).strip()
        return joined or None
    return None


class Collector:
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
        """List a problem (what is wrong, what to do) at a region, relation and/or control."""
        self.problems.append(
            Problem(**self.where, region=region, relation=relation, field=field, problem=problem, action=action)
        )

    def repeated_relation(self, relation: str) -> None:
        """Record a relation given twice, counted once."""
        self.repairs.append(Repair(**self.where, relation=relation, kind="duplicate_relation"))

    def repair(self, region: str, step: Step, old_text: str | None, text: str) -> None:
        """Record a region read after one unambiguous offset repair ``step`` of ``text``."""
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


def _attributes(region: str, items: list[dict[str, Any]], out: Collector) -> dict[str, dict[str, Any]]:
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


_MENTION_FIELDS = frozenset(Mention.model_fields)
_EVENT_FIELDS = frozenset(Event.model_fields) - {"arguments"}  # what read_region gives; arguments come later
_SPAN_FIELDS = frozenset(Span.model_fields)
_ARGUMENT_FIELDS = frozenset(Argument.model_fields)


def _plain(value: Any) -> bool:
    """Whether ``value`` is None or a str as validation keeps it (not a subclass)."""
    return value is None or type(value) is str


def _fits(region: str, span: ResolvedSpan, piece: str, score: Any) -> bool:
    """Whether a unit with this id, span (text ``piece``) and score needs no validation: validation would
    accept these values unchanged."""
    return (
        type(region) is str
        and region != ""
        and type(span.start) is int
        and type(span.end) is int
        and 0 <= span.start <= span.end
        and len(piece) == span.end - span.start
        and (score is None or type(score) is float)
    )


def _mention(region: str, label: str, span: ResolvedSpan, text: str, score: Any, attrs: dict[str, Any]) -> Mention:
    canonical = country = sector = None
    plain = True
    if attrs:  # a region with its label only (the common case) has nothing more to read
        canonical = text_list(attrs.get(ACTOR_ID_OTHER_CONTROL, {}))
        if canonical is None:
            choice = first_value(attrs.get(ACTOR_ID_CONTROL, {}).get("choices"))
            canonical = choice.split(CANDIDATE_SEPARATOR)[0].strip() if choice else None
        country = text_list(attrs.get(COUNTRY_CONTROL, {}))
        country = country.upper() if country else None
        sector = first_value(attrs.get(SECTOR_CONTROL, {}).get("choices"))
        plain = _plain(canonical) and _plain(country) and _plain(sector)
    piece = text[span.start : span.end]
    values = {
        "id": region,
        "type": label,
        "start": span.start,
        "end": span.end,
        "text": piece,
        "canonical_id": canonical,
        "country": country,
        "sector": sector,
        "score": score,
    }
    if plain and _fits(region, span, piece, score):
        return unchecked(Mention, values, _MENTION_FIELDS)
    return Mention(**values)


def _event(
    region: str, label: str, span: ResolvedSpan, text: str, score: Any, attrs: dict[str, Any], out: Collector
) -> Event:
    mode = None
    for name, val in attrs.items():
        if is_mode_control(name):
            if name != mode_control(label):
                out.problem(
                    f"mode from {name!r} does not belong to event type {label}; left out",
                    f"choose a mode of {label} (or none) in Label Studio",
                    region=region,
                    field=name,
                )
                continue
            mode = first_value(val.get("choices"))
    date_value = attrs.get(EVENT_DATE_CONTROL, {})
    try:
        date = parse_date(date_value.get("datetime") or date_value.get("date"))
    except ValueError as exc:
        out.problem(
            f"{exc}; the event is kept without a date",
            "enter the date as YYYY-MM-DD",
            region=region,
            field=EVENT_DATE_CONTROL,
        )
        date = None
    contexts = list(attrs.get(CONTEXTS_CONTROL, {}).get("choices") or []) if attrs else []
    flags = list(attrs.get(FLAGS_CONTROL, {}).get("choices") or []) if attrs else []
    piece = text[span.start : span.end]
    if (
        _fits(region, span, piece, score)
        and _plain(mode)
        and (date is None or type(date) is dt.date)
        and all(type(x) is str for x in contexts)
        and all(type(x) is str for x in flags)
    ):
        trigger = unchecked(Span, {"start": span.start, "end": span.end, "text": piece}, _SPAN_FIELDS)
        values = {
            "id": region,
            "type": label,
            "trigger": trigger,
            "mode": mode,
            "arguments": [],
            "date": date,
            "contexts": contexts,
            "flags": flags,
            "score": score,
        }
        return unchecked(Event, values, _EVENT_FIELDS)
    return Event(
        id=region,
        type=label,
        trigger=Span(start=span.start, end=span.end, text=piece),
        mode=mode,
        contexts=contexts,
        flags=flags,
        date=date,
        score=score,
    )


_LABEL_CONTROLS = (ACTOR_CONTROL, EVENT_CONTROL)  # a tuple: a malformed, unhashable from_name is no label


def _resolved(text: str, value: dict[str, Any], region: str, out: Collector) -> ResolvedSpan | None:
    """The region's offsets on ``text`` (repairs recorded in ``out``), or None after listing why there are none."""
    start, end, stated = value.get("start"), value.get("end"), value.get("text")
    if type(start) is int and type(end) is int and 0 <= start < end <= len(text):
        piece = text[start:end]
        if (piece == stated or not isinstance(stated, str)) and not (piece[0].isspace() or piece[-1].isspace()):
            return ResolvedSpan(start, end, [])  # as given: what resolve_span finds without a repair
    try:
        span = resolve_span(text, start, end, stated)
    except OffsetProblem as exc:
        out.problem(str(exc), REDRAW, region=region)
        return None
    for step in span.steps:
        out.repair(region, step, stated if isinstance(stated, str) else None, text)
    return span


def read_region(region: str, items: list[dict[str, Any]], text: str, out: Collector) -> Mention | Event | None:
    """One region's unit, or None after listing why it cannot be one."""
    if len(items) == 1:  # a region with its label only (the common case): nothing else to sort out
        only = items[0]
        value = only.get("value")
        if only.get("type") == "labels" and type(value) is dict:
            given = value.get("labels")
            is_event = only.get("from_name") == EVENT_CONTROL
            if (is_event or only.get("from_name") == ACTOR_CONTROL) and type(given) is list and len(given) == 1:
                span = _resolved(text, value, region, out)
                return None if span is None else _unit(region, is_event, only, span, text, {}, out)
    main: dict[str, Any] | None = None
    label_items = 0
    labels: list[Any] = []
    for i in items:
        if i.get("type") == "labels" and i.get("from_name") in _LABEL_CONTROLS:
            label_items += 1
            if main is None:
                main = i
            labels.extend((i.get("value") or {}).get("labels") or [])
    if main is None:
        names = sorted({str(i.get("from_name")) for i in items})
        out.problem(
            f"region has attributes ({', '.join(names)}) but no actor or event label",
            "give the region an actor or event label in Label Studio, or delete it",
            region=region,
        )
        return None
    if label_items > 1 or len(labels) != 1:
        out.problem(f"region must carry exactly one label, has {labels}", "keep one label on the region", region=region)
        return None
    value = main["value"]
    control = str(main["from_name"])
    span = _resolved(text, value, region, out)
    if span is None:
        return None
    is_event = control == EVENT_CONTROL
    allowed = EVENT_ATTRIBUTES if is_event else MENTION_ATTRIBUTES
    kept = []
    for item in items:
        if item is main:
            continue
        name = str(item.get("from_name"))
        if name in allowed or (is_event and is_mode_control(name)):
            kept.append(item)
            continue
        out.problem(
            f"{name!r} does not apply to an {control} region; left out",
            f"remove {name!r} from the region in Label Studio",
            region=region,
            field=name,
        )
        if is_mode_control(name):  # a mode on a mention region: reported, and still read (then unused)
            kept.append(item)
    attrs = _attributes(region, kept, out) if kept else {}
    return _unit(region, is_event, main, span, text, attrs, out)


def _unit(
    region: str,
    is_event: bool,
    main: dict[str, Any],
    span: ResolvedSpan,
    text: str,
    attrs: dict[str, dict[str, Any]],
    out: Collector,
) -> Mention | Event | None:
    """The unit of a region whose label item is ``main`` (offsets resolved to ``span``), or None after
    listing why its attributes make none."""
    try:
        label = str(main["value"]["labels"][0])
        if not is_event:
            return _mention(region, label, span, text, main.get("score"), attrs)
        return _event(region, label, span, text, main.get("score"), attrs, out)
    except (ValueError, RecordError) as exc:
        out.problem(str(exc).splitlines()[0], "correct the region's attributes in Label Studio", region=region)
        return None


def _argument_action(ontology: Ontology, event: Event, role: str, mention: Mention) -> str:
    """What to do about an argument the ontology does not allow (see :func:`attach_relations`)."""
    allowed = ontology.roles_of(event.type)
    if role in allowed:  # the role is right for the type; the mention's type is not one it accepts
        types = ", ".join(ontology.role(role).entity_types)
        return (
            f"relabel mention {mention.id!r} as one of {types}, pick another role of {event.type} for the relation, "
            "or delete the relation in Label Studio"
        )
    return f"pick one of {event.type}'s roles ({', '.join(allowed) or 'none'}) for the relation, or delete it"


def attach_relations(
    relations: list[dict[str, Any]],
    events: dict[str, Event],
    mentions: dict[str, Mention],
    regions: set[str],
    ontology: Ontology,
    out: Collector,
) -> None:
    """Attach each relation to its event as an argument, or list why it cannot be attached.

    The relation's one label is the argument's role; a role the event type does
    not allow, or one its mention's type cannot fill
    (:meth:`~eventgold.ontology.Ontology.argument_problem`), is listed and left out.
    """
    seen: set[tuple[str, str, str]] = set()
    for rel in relations:
        a, b = rel.get("from_id"), rel.get("to_id")
        name = f"{a}->{b}"
        labels = rel.get("labels") or []
        if a in mentions and b in events:
            a, b = b, a
        missing = [str(x) for x in (a, b) if x not in regions] if a not in regions or b not in regions else None
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
        event, mention = events[str(a)], mentions[str(b)]
        if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str) or not labels[0]:
            what = "has no role" if not labels else f"needs exactly one role, has {labels}"
            out.problem(
                f"relation {what}",
                f"pick one role ({', '.join(ontology.roles_of(event.type)) or 'none'}) for the relation "
                "in Label Studio",
                relation=name,
            )
            continue
        role = labels[0]
        key = (event.id, mention.id, role)
        if key in seen:
            out.repeated_relation(name)
            continue
        seen.add(key)
        problem = ontology.argument_problem(event.type, role, mention.type)
        if problem is not None:
            out.problem(
                f"{problem}; the argument is left out",
                _argument_action(ontology, event, role, mention),
                region=event.id,
                relation=name,
                field="arguments",
            )
            continue
        values = {"role": role, "mention": mention.id}
        plain = type(role) is str and type(mention.id) is str and mention.id != ""
        event.arguments.append(unchecked(Argument, values, _ARGUMENT_FIELDS) if plain else Argument(**values))
