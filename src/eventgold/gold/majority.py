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
from typing import Any, Literal

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
        items.extend(item_of(who_of(ann), u) for u in units)
    return align(items)


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


def _vote(values: Mapping[str, Hashable]) -> tuple[bool, Hashable]:
    """Plurality among annotators: (decided, winner); a tie at the top is undecided."""
    ranked = Counter(values.values()).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return False, None
    return True, ranked[0][0]


_MENTION_ATTRS = ("offsets", "type", "canonical_id", "country", "sector")
_EVENT_ATTRS = ("offsets", "type", "mode", "date", "contexts", "flags")


def _attr(unit: Mention | Event, name: str) -> Hashable:
    if name == "offsets":
        if isinstance(unit, Mention):
            return (unit.start, unit.end) if unit.has_span else None
        return (unit.trigger.start, unit.trigger.end) if unit.trigger else None
    value = getattr(unit, name)
    return tuple(sorted(value)) if isinstance(value, list) else value


def _render_attr(name: str, value: Hashable) -> str | None:
    if name == "offsets" and isinstance(value, tuple):
        return f"{value[0]}..{value[1]}"
    return _render(value)


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
) -> Vote:
    """Majority vote over ``anns`` (see :mod:`eventgold.gold.adjudicate`).

    Args:
        doc_id: the document voted on (gold ids derive from it).
        text: the document's text (spans and conflict snippets come from it).
        anns: the annotations that vote, one per person.
        label: names the decision in provenance (``majority``, ``ground-truth majority``).
        order: role order of gold arguments (:func:`eventgold.gold.units.role_order`).
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
        chosen: dict[str, Hashable] = {}
        ok = True
        for attr in names:
            values = {who: _attr(rec, attr) for who, rec in records.items()}
            decided, winner = _vote(values)
            if not decided:
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

    mention_units = aligned(anns, "mention")
    gid_of_unit: dict[int, str] = {}
    gold_mentions: dict[str, Mention] = {}
    for index, unit in enumerate(mention_units):
        if not presence("mention", unit):
            continue
        records: dict[str, Mention | Event] = {
            who: next(m for m in by_name[who].mentions if m.id == item.record_id) for who, item in unit.members.items()
        }
        chosen = attrs("mention", unit, records, _MENTION_ATTRS)
        if chosen is None:
            continue
        offsets = chosen["offsets"]
        # the text and spanless identity come from a member with the winning offsets
        model = next(r for r in records.values() if isinstance(r, Mention) and _attr(r, "offsets") == offsets)
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
        if mention.has_span:
            mention = mention.model_copy(update={"text": text[mention.start : mention.end]})
        gid = mention_gid(doc_id, mention)
        gid_of_unit[index] = gid
        if gid not in gold_mentions:
            gold_mentions[gid] = mention.model_copy(update={"id": gid})
            provenance[gid] = Provenance(annotators=unit.annotators, decision=f"{label} {len(unit.members)}/{n}")

    # each annotator's mention id -> aligned mention unit index
    unit_of: dict[tuple[str, str], int] = {}
    for index, unit in enumerate(mention_units):
        for who, item in unit.members.items():
            unit_of[(who, item.record_id)] = index

    gold_events: dict[str, Event] = {}
    for unit in aligned(anns, "event"):
        if not presence("event", unit):
            continue
        ev_records: dict[str, Event] = {
            who: next(e for e in by_name[who].events if e.id == item.record_id) for who, item in unit.members.items()
        }
        chosen = attrs("event", unit, dict(ev_records), _EVENT_ATTRS)
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
