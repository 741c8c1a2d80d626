"""Majority vote over a document's annotations (the ``majority`` policy of :mod:`eventgold.gold.adjudicate`).

Units are aligned across the annotators (:mod:`eventgold.gold.units`); a unit
is gold when more than half of them have it, exactly half is a tie (a
conflict). Attributes go by plurality among the annotators who have the unit;
an argument (role, aligned mention) is kept when more than half of the
annotators who have the event have it. Roles are whatever the annotations
carry: the ontology decided earlier (:mod:`eventgold.gold.screen`) which ones
may be there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from eventgold.gold.units import (
    AlignedUnit,
    Item,
    Kind,
    RoleOrder,
    align,
    event_gid,
    item_of,
    mention_gid,
    sorted_events,
    sorted_mentions,
    unit_id,
    with_arguments,
)
from eventgold.models import DocumentAnnotation, Event, Mention, Provenance, Span


class ConflictIssue(BaseModel):
    """One disputed point of a document: a unit's presence or attribute, or the document."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["document", "mention", "event"]
    field: str
    reason: str
    start: int | None = None
    end: int | None = None
    text: str | None = None
    values: dict[str, str | None] = Field(default_factory=dict)
    """Annotator -> the value they gave (None: they do not have the unit)."""


def who_of(ann: DocumentAnnotation) -> str:
    """The name an annotation goes by in alignment and provenance.

    An adjudication is ``adjudicator:NAME``, so an adjudicator who also
    annotated the document (a lead annotator) counts as two people there.
    """
    return ann.origin.name if ann.origin.kind == "annotator" else f"{ann.origin.kind}:{ann.origin.name}"


def aligned(anns: Sequence[DocumentAnnotation], kind: Kind) -> list[AlignedUnit]:
    """The units of one kind of ``anns``, aligned across them (members named by :func:`who_of`)."""
    items: list[Item] = []
    for ann in anns:
        units: Sequence[Mention | Event] = ann.mentions if kind == "mention" else ann.events
        who = who_of(ann)
        items.extend([item_of(who, u) for u in units])
    return align(items)


class Alignment(Protocol):
    """A document's annotations already aligned (as :class:`eventgold.gold.agreement_counts.AgreementDoc` has them)."""

    @property
    def annotations(self) -> Mapping[str, DocumentAnnotation]:
        """Annotator name -> their annotation of the document."""
        ...

    @property
    def units(self) -> Mapping[Kind, Sequence[AlignedUnit]]:
        """Kind -> the units :func:`aligned` makes of those annotations, in name order."""
        ...


def reusable(anns: Sequence[DocumentAnnotation], alignment: Alignment | None) -> bool:
    """Whether ``alignment`` aligned exactly ``anns``, so that :func:`aligned` would give its units.

    Args:
        anns: the annotations a vote is over, in the order they are aligned.
        alignment: a document's annotations and their aligned units, or None.

    Returns:
        True when ``anns`` are, in name order, the very objects (by identity) of
        ``alignment.annotations`` under the names :func:`who_of` gives them.
    """
    if alignment is None:
        return False
    given = alignment.annotations
    names = [who_of(a) for a in anns]
    return names == sorted(given) and all(given[name] is a for name, a in zip(names, anns, strict=True))


def unit_label(text: str, unit: AlignedUnit) -> str:
    """How a conflict names an aligned unit: its text, or its key when it has no offsets."""
    if unit.start is not None and unit.end is not None:
        return repr(text[unit.start : unit.end])
    return unit.key


def _render(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) if value else ""
    return str(value)


def plurality(values: Mapping[str, Hashable]) -> tuple[bool, Hashable]:
    """Plurality among annotators: (decided, winner); a tie at the top is undecided.

    Args:
        values: annotator -> the value they gave (equal values count together).

    Returns:
        ``(True, winner)`` when one value has more votes than any other, else
        ``(False, None)``; the same as ranking with
        ``Counter(values.values()).most_common()``, without building a Counter.
    """
    counts: dict[Hashable, int] = {}
    for value in values.values():
        counts[value] = counts.get(value, 0) + 1
    if len(counts) == 1:
        return True, next(iter(counts))
    top = max(counts.values())
    winners = [value for value, count in counts.items() if count == top]
    if len(winners) > 1:
        return False, None
    return True, winners[0]


def plurality_of(given: Sequence[Hashable]) -> tuple[bool, Hashable]:
    """:func:`plurality` of the values ``given`` (one per annotator), two or three of them compared directly.

    Args:
        given: the values the annotators gave, in any order (at least one).

    Returns:
        ``(True, winner)`` when one value has more votes than any other (the
        first given of the equal ones), else ``(False, None)``: what
        :func:`plurality` returns for the same values.
    """
    if len(given) == 2:
        return (True, given[0]) if given[0] == given[1] else (False, None)
    if len(given) == 3:
        a, b, c = given
        if a in (b, c):
            return True, a
        return (True, b) if b == c else (False, None)
    return plurality({str(index): value for index, value in enumerate(given)})


MENTION_ATTRS = ("offsets", "type", "canonical_id", "country", "sector")
"""The attributes of a mention that are voted on, in the order voted (and reported)."""
EVENT_ATTRS = ("offsets", "type", "mode", "date", "contexts", "flags")
"""The attributes of an event that are voted on (its arguments are voted on separately)."""


def unit_attribute(unit: Mention | Event, name: str) -> Hashable:
    """One voted attribute of a mention or event, as a hashable value.

    Args:
        unit: a mention or an event.
        name: one of :data:`MENTION_ATTRS` (a mention) or :data:`EVENT_ATTRS` (an event).

    Returns:
        ``offsets``: ``(start, end)`` of the mention or the event's trigger, or
        None without; a list attribute (contexts, flags) as a sorted tuple; any
        other attribute as it is.
    """
    if name == "offsets":
        if isinstance(unit, Mention):
            return (unit.start, unit.end) if unit.has_span else None
        return (unit.trigger.start, unit.trigger.end) if unit.trigger else None
    value = getattr(unit, name)
    return tuple(sorted(value)) if isinstance(value, list) else value


def attribute_row(unit: Mention | Event) -> tuple[Hashable, ...]:
    """Every voted attribute of a unit at once, as :func:`unit_attribute` gives each.

    Args:
        unit: a mention or an event.

    Returns:
        The values of :data:`MENTION_ATTRS` (a mention) or :data:`EVENT_ATTRS`
        (an event), in that order.
    """
    if isinstance(unit, Mention):
        offsets = (unit.start, unit.end) if unit.start is not None else None
        return (offsets, unit.type, unit.canonical_id, unit.country, unit.sector)
    trigger = unit.trigger
    return (
        (trigger.start, trigger.end) if trigger else None,
        unit.type,
        unit.mode,
        unit.date,
        tuple(sorted(unit.contexts)),
        tuple(sorted(unit.flags)),
    )


def _render_attr(name: str, value: Hashable) -> str | None:
    if name == "offsets" and isinstance(value, tuple):
        return f"{value[0]}..{value[1]}"
    return _render(value)


U = TypeVar("U", Mention, Event)


def _first_by_id(units: Mapping[str, Sequence[U]]) -> dict[str, dict[str, U]]:
    """Annotator -> unit id -> the first of their units with that id."""
    out: dict[str, dict[str, U]] = {}
    for who, listed in units.items():
        by_id: dict[str, U] = {}
        for unit in listed:
            by_id.setdefault(unit.id, unit)
        out[who] = by_id
    return out


@dataclass
class Vote:
    """What one policy decided for one document: gold units, their provenance, open issues."""

    mentions: list[Mention]
    events: list[Event]
    provenance: dict[str, Provenance]
    issues: list[ConflictIssue]


def majority(
    doc_id: str,
    text: str,
    anns: Sequence[DocumentAnnotation],
    label: str,
    order: RoleOrder | None = None,
    *,
    keep_conflicted: bool = True,
    alignment: Alignment | None = None,
) -> Vote:
    """Majority vote over ``anns`` (see :mod:`eventgold.gold.adjudicate`).

    Args:
        doc_id: the document voted on (gold ids derive from it).
        text: the document's text (spans and conflict snippets come from it).
        anns: the annotations that vote, one per person.
        label: names the decision in provenance (``majority``, ``ground-truth majority``).
        order: role order of gold arguments (:func:`eventgold.gold.units.role_order`).
        keep_conflicted: whether the gold units of a document with open issues
            are wanted. Without, once an issue is found no more gold units are
            made (the vote's units are then incomplete: only its issues count).
        alignment: the document's units already aligned (by
            :func:`eventgold.gold.agreement_counts.build_docs`); used instead of
            aligning again when it aligned exactly ``anns`` (:func:`reusable`).

    Returns:
        The gold mentions and events with their provenance, and every open issue.
    """
    order = order or {}
    n = len(anns)
    by_name = {who_of(a): a for a in anns}
    issues: list[ConflictIssue] = []
    provenance: dict[str, Provenance] = {}

    def issue(kind: Kind, unit: AlignedUnit, fld: str, reason: str, values: dict[str, str | None]) -> None:
        snippet = text[unit.start : unit.end] if unit.start is not None else None
        issues.append(
            ConflictIssue(
                kind=kind,
                field=fld,
                reason=reason,
                start=unit.start,
                end=unit.end,
                text=snippet,
                values=values,
            )
        )

    def presence(kind: Kind, unit: AlignedUnit) -> bool:
        have = len(unit.members)
        if 2 * have > n:
            return True
        if 2 * have == n:
            issue(
                kind,
                unit,
                "presence",
                f"{have} of {n} annotators have the unit (a tie)",
                {name: (unit.members[name].label if name in unit.members else None) for name in sorted(by_name)},
            )
        return False

    def attrs(
        kind: Kind, unit: AlignedUnit, records: dict[str, Mention | Event], names: Sequence[str]
    ) -> dict[str, Hashable] | None:
        rows = [attribute_row(rec) for rec in records.values()]
        first = rows[0]
        if rows.count(first) == len(rows):  # the members agree on every attribute
            return dict(zip(names, first, strict=True))
        whos = list(records)
        chosen: dict[str, Hashable] = {}
        ok = True
        for attr, given in zip(names, zip(*rows, strict=True), strict=True):
            if given.count(given[0]) == len(given):
                chosen[attr] = given[0]
                continue
            decided, winner = plurality_of(given)
            if not decided:
                values = dict(zip(whos, given, strict=True))
                ok = False
                issue(
                    kind,
                    unit,
                    attr,
                    "the annotators who have the unit are split evenly",
                    {who: _render_attr(attr, v) for who, v in sorted(values.items())},
                )
            chosen[attr] = winner
        return chosen if ok else None

    reuse = alignment is not None and reusable(anns, alignment)
    mention_units = list(alignment.units["mention"]) if alignment and reuse else aligned(anns, "mention")
    mention_of = _first_by_id({who: ann.mentions for who, ann in by_name.items()})
    gid_of_unit: dict[int, str] = {}
    gold_mentions: dict[str, Mention] = {}
    for index, unit in enumerate(mention_units):
        if not presence("mention", unit):
            continue
        records: dict[str, Mention | Event] = {
            who: mention_of[who][item.record_id] for who, item in unit.members.items()
        }
        chosen = attrs("mention", unit, records, MENTION_ATTRS)
        if chosen is None or (issues and not keep_conflicted):
            continue
        offsets = chosen["offsets"]
        # the text and spanless identity come from a member with the winning offsets
        model = next(r for r in records.values() if isinstance(r, Mention) and unit_attribute(r, "offsets") == offsets)
        if model.start is not None and model.end is not None:
            # a mention with offsets: its gold id needs only them and the type (mention_gid)
            gid = unit_id(doc_id, "mention", model.start, model.end, str(chosen["type"]))
            gid_of_unit[index] = gid
            if gid in gold_mentions:
                continue
            mention = Mention(
                id=gid,
                type=str(chosen["type"]),
                start=model.start,
                end=model.end,
                text=text[model.start : model.end],
                canonical_id=chosen["canonical_id"],
                country=chosen["country"],
                sector=chosen["sector"],
            )
        else:
            mention = Mention(
                id="x",
                type=str(chosen["type"]),
                start=model.start,
                end=model.end,
                text=model.text,
                canonical_id=chosen["canonical_id"],
                country=chosen["country"],
                sector=chosen["sector"],
            )
            gid = mention_gid(doc_id, mention)
            gid_of_unit[index] = gid
            if gid in gold_mentions:
                continue
            mention = mention.model_copy(update={"id": gid})
        gold_mentions[gid] = mention
        provenance[gid] = Provenance(annotators=unit.annotators, decision=f"{label} {len(unit.members)}/{n}")

    # each annotator's mention id -> aligned mention unit index
    unit_of: dict[tuple[str, str], int] = {}
    for index, unit in enumerate(mention_units):
        for who, item in unit.members.items():
            unit_of[(who, item.record_id)] = index

    event_of = _first_by_id({who: ann.events for who, ann in by_name.items()})
    gold_events: dict[str, Event] = {}
    for unit in list(alignment.units["event"]) if alignment and reuse else aligned(anns, "event"):
        if not presence("event", unit):
            continue
        ev_records: dict[str, Event] = {who: event_of[who][item.record_id] for who, item in unit.members.items()}
        chosen = attrs("event", unit, dict(ev_records), EVENT_ATTRS)
        if chosen is None:
            continue
        triples: Counter[tuple[str, int]] = Counter()
        for who, ev in ev_records.items():
            triples.update({(role, unit_of[(who, mid)]) for role, mid in ev.role_ids()})
        members = len(ev_records)
        roles: list[tuple[str, str]] = []
        for (role, m_index), count in sorted(triples.items()):
            if 2 * count == members:
                m_unit = mention_units[m_index]
                issue(
                    "event",
                    unit,
                    f"role:{role}",
                    f"{count} of {members} annotators link {role} to {unit_label(text, m_unit)}",
                    {
                        who: (
                            "yes" if (role, m_index) in {(r, unit_of[(who, mid)]) for r, mid in ev.role_ids()} else None
                        )
                        for who, ev in sorted(ev_records.items())
                    },
                )
            elif 2 * count > members and m_index in gid_of_unit:
                roles.append((role, gid_of_unit[m_index]))
        if issues and not keep_conflicted:
            continue
        offsets = chosen["offsets"]
        trigger = None
        if isinstance(offsets, tuple):
            start, end = offsets
            trigger = Span(start=start, end=end, text=text[start:end])
        base = Event(
            id="x",
            type=str(chosen["type"]),
            trigger=trigger,
            mode=chosen["mode"],
            date=chosen["date"],
            contexts=list(chosen["contexts"]),  # type: ignore[call-overload]
            flags=list(chosen["flags"]),  # type: ignore[call-overload]
        )
        gid = event_gid(doc_id, base, roles)
        if gid not in gold_events:
            gold_events[gid] = with_arguments(base, roles, gid, order)
            provenance[gid] = Provenance(annotators=unit.annotators, decision=f"{label} {len(unit.members)}/{n}")
    return Vote(
        sorted_mentions(gold_mentions.values()),
        sorted_events(gold_events.values()),
        dict(sorted(provenance.items())),
        issues,
    )
