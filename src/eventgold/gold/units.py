"""Units of annotation: their derived ids and how spans are aligned across annotators.

A *unit* is one actor mention or one event of one document. Agreement and
adjudication both need to know which units of different annotators are "the
same"; that is decided here, once, by :func:`align`.

Alignment rule (per document, separately for mentions and for event triggers;
labels are ignored, so that label agreement can be measured on the result):

1. Spans with identical offsets form an *exact group*. An annotator who marked
   the same offsets twice (e.g. with two labels) contributes one span to a
   group; the others form further groups (visited in label order).
2. Exact groups are visited from the largest (most annotators) to the
   smallest, ties by (start, end, first label). Each joins the already formed
   unit whose *anchor* overlaps it with the highest character IoU
   (intersection over union), provided none of its annotators is in that unit
   yet; ties go to the unit formed first. A group that joins nothing founds a
   new unit, and its offsets become that unit's anchor.
3. Units without offsets (mentions known only by canonical id or text, events
   without a trigger) align only with identical keys: (canonical id or
   lower-cased text) for mentions, (type) for trigger-less events.

So a unit holds at most one span per annotator, and every span is in exactly
one unit. The rule is deterministic: it depends only on the spans, never on
input order or Label Studio region ids.

Gold unit ids (:func:`unit_id`) are a short hash of (document, kind, offsets,
type) — ``m_`` + 12 hex digits for mentions, ``e_`` for events — so rebuilding
gold from the same annotations gives the same ids. :func:`gold_units` gives an
annotation's units those ids; a gold event's arguments are sorted by the
ontology's role order (roles it does not know after, by name), then by mention
id, so the same annotations always give the same records.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TYPE_CHECKING, Literal, NamedTuple

from eventgold.models import Argument, DocumentAnnotation, Event, Mention

if TYPE_CHECKING:
    from eventgold.ontology import Ontology

Kind = Literal["mention", "event"]


def unit_id(doc_id: str, kind: Kind, start: int | None, end: int | None, label: str, key: str = "") -> str:
    """A stable id for a gold unit from (document, kind, offsets, type[, key]).

    ``key`` distinguishes units without offsets (canonical id or text of a
    mention, argument keys of a trigger-less event).
    """
    raw = "\x1f".join((doc_id, kind, str(start), str(end), label, key))
    prefix = "m_" if kind == "mention" else "e_"
    return prefix + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]


RoleOrder = Mapping[str, int]
"""Role name -> its position in the ontology (the order gold arguments are written in)."""


def role_order(ontology: Ontology | None) -> RoleOrder:
    """The ontology's roles in file order (empty without an ontology: arguments then sort by role name)."""
    return {} if ontology is None else {role.name: i for i, role in enumerate(ontology.roles)}


def mention_gid(doc_id: str, m: Mention) -> str:
    """The gold id of a mention: its offsets and type, or its spanless key when it has no offsets."""
    key = "" if m.has_span else spanless_key(m)
    return unit_id(doc_id, "mention", m.start, m.end, m.type, key)


def event_gid(doc_id: str, e: Event, args: Sequence[tuple[str, str]]) -> str:
    """The gold id of an event: its trigger and type, or (without a trigger) its type and arguments.

    ``args`` are the event's (role, gold mention id) pairs; they only matter
    for an event without a trigger.
    """
    if e.trigger is not None:
        return unit_id(doc_id, "event", e.trigger.start, e.trigger.end, e.type)
    key = ";".join(f"{role}={mid}" for role, mid in sorted(args))
    return unit_id(doc_id, "event", None, None, e.type, key)


def sorted_arguments(args: Iterable[tuple[str, str]], order: RoleOrder) -> list[Argument]:
    """(role, mention id) pairs as gold arguments: duplicates merged, in role order, then by mention id."""
    ranked = sorted(set(args), key=lambda a: (order.get(a[0], len(order)), a[0], a[1]))
    return [Argument(role=role, mention=mid) for role, mid in ranked]


def with_arguments(event: Event, args: Sequence[tuple[str, str]], new_id: str, order: RoleOrder) -> Event:
    """A gold copy of ``event``: id ``new_id``, ``args`` as sorted arguments, sorted lists, no score."""
    return event.model_copy(
        update={
            "id": new_id,
            "arguments": sorted_arguments(args, order),
            "contexts": sorted(event.contexts),
            "flags": sorted(event.flags),
            "score": None,
        }
    )


def sorted_mentions(mentions: Iterable[Mention]) -> list[Mention]:
    """Mentions in text order (spanless ones last), then by type and id."""
    return sorted(mentions, key=lambda m: (m.start is None, m.start or 0, m.end or 0, m.type, m.id))


def sorted_events(events: Iterable[Event]) -> list[Event]:
    """Events in trigger order (trigger-less ones last), then by type and id."""
    return sorted(
        events,
        key=lambda e: (
            e.trigger is None,
            e.trigger.start if e.trigger else 0,
            e.trigger.end if e.trigger else 0,
            e.type,
            e.id,
        ),
    )


def gold_units(
    doc_id: str, ann: DocumentAnnotation, order: RoleOrder | None = None
) -> tuple[list[Mention], list[Event]]:
    """An annotation's units with derived gold ids (duplicates merged, sorted).

    Args:
        doc_id: the document the ids are derived for.
        ann: the annotation whose mentions and events become gold units.
        order: role order of the arguments (:func:`role_order`); by role name when not given.
    """
    order = order or {}
    id_map: dict[str, str] = {}
    mentions: dict[str, Mention] = {}
    for m in ann.mentions:
        gid = mention_gid(doc_id, m)
        id_map[m.id] = gid
        mentions.setdefault(gid, m.model_copy(update={"id": gid, "score": None}))
    events: dict[str, Event] = {}
    for e in ann.events:
        args = [(role, id_map[mid]) for role, mid in e.role_ids()]
        gid = event_gid(doc_id, e, args)
        events.setdefault(gid, with_arguments(e, args, gid, order))
    return sorted_mentions(mentions.values()), sorted_events(events.values())


def spanless_key(unit: Mention | Event) -> str:
    """The alignment key of a unit without offsets (see rule 3 of the module doc)."""
    if isinstance(unit, Mention):
        if unit.canonical_id:
            return "id:" + unit.canonical_id
        return "text:" + (unit.text or "").lower()
    return "type:" + unit.type


class Item(NamedTuple):
    """One annotator's mention or event, as seen by the aligner (an immutable, hashable tuple)."""

    annotator: str
    kind: Kind
    label: str
    start: int | None
    end: int | None
    record_id: str
    key: str = ""

    @property
    def has_span(self) -> bool:
        """Whether the item has offsets."""
        return self.start is not None and self.end is not None


def item_of(annotator: str, unit: Mention | Event) -> Item:
    """Wrap a mention or an event (its trigger) as an alignment :class:`Item`."""
    if isinstance(unit, Mention):
        if unit.start is not None and unit.end is not None:
            return _item((annotator, "mention", unit.type, unit.start, unit.end, unit.id, ""))
        return Item(annotator, "mention", unit.type, None, None, unit.id, spanless_key(unit))
    if unit.trigger is not None:
        return _item((annotator, "event", unit.type, unit.trigger.start, unit.trigger.end, unit.id, ""))
    return Item(annotator, "event", unit.type, None, None, unit.id, spanless_key(unit))


def items_of(annotator: str, mentions: Sequence[Mention], events: Sequence[Event]) -> tuple[list[Item], list[Item]]:
    """``[item_of(annotator, m) for m in mentions]`` and the same of ``events``, made faster (one call per annotation).

    Args:
        annotator: the name every item carries.
        mentions, events: one annotation's records.

    Returns:
        The mention items and the event items, in the records' order.
    """
    new = tuple.__new__
    mention_items = [
        new(Item, (annotator, "mention", m.type, m.start, m.end, m.id, ""))
        if m.start is not None and m.end is not None
        else item_of(annotator, m)
        for m in mentions
    ]
    event_items = [
        new(Item, (annotator, "event", e.type, e.trigger.start, e.trigger.end, e.id, ""))
        if e.trigger is not None
        else item_of(annotator, e)
        for e in events
    ]
    return mention_items, event_items


def _item(fields: tuple[str, Kind, str, int | None, int | None, str, str]) -> Item:
    """An Item of all seven fields, made without the keyword handling of ``Item(...)`` (millions are made)."""
    return tuple.__new__(Item, fields)


@dataclass
class AlignedUnit:
    """A set of items (at most one per annotator) judged to be the same unit."""

    kind: Kind
    start: int | None
    end: int | None
    key: str
    members: dict[str, Item] = field(default_factory=dict)

    @property
    def annotators(self) -> list[str]:
        """Names of the annotators who have this unit, sorted."""
        return sorted(self.members)


def iou(a_start: int, a_end: int, b_start: int, b_end: int) -> float:
    """Character intersection over union of two spans (0 when disjoint)."""
    inter = min(a_end, b_end) - max(a_start, b_start)
    if inter <= 0:
        # zero-width spans at the same point count as identical
        return 1.0 if (a_start, a_end) == (b_start, b_end) else 0.0
    union = max(a_end, b_end) - min(a_start, b_start)
    return inter / union


_group_order = itemgetter(2, 0, 5)
"""An item's (label, annotator, record id): the order items of one exact group are taken in."""
_offsets = itemgetter(3, 4, 6)
"""An item's (start, end, key): what an exact group shares."""
_annotator = itemgetter(0)


def _exact_groups(items: Sequence[Item]) -> list[list[Item]]:
    by_offsets: dict[tuple[int | None, int | None, str], list[Item]] = {}
    for key, item in zip(map(_offsets, items), items, strict=True):
        found = by_offsets.get(key)
        if found is None:
            by_offsets[key] = [item]
        else:
            found.append(item)
    groups: list[list[Item]] = []
    for same in by_offsets.values():
        if len(same) == 1:
            groups.append(same)
            continue
        same = sorted(same, key=_group_order)
        if len(set(map(_annotator, same))) == len(same):  # one span per annotator: one group
            groups.append(same)
            continue
        while same:
            seen: set[str] = set()
            group: list[Item] = []
            rest: list[Item] = []
            for item in same:
                (rest if item.annotator in seen else group).append(item)
                seen.add(item.annotator)
            groups.append(group)
            same = rest
    return groups


def _founding_order(group: list[Item]) -> tuple[int, int, int, str, str]:
    head = group[0]
    return (
        -len(group),
        head.start if head.start is not None else -1,
        head.end if head.end is not None else -1,
        head.key,
        head.label,
    )


def align(items: Iterable[Item]) -> list[AlignedUnit]:
    """Align one document's items of one kind into units (see the module docstring).

    Units come back sorted by (start, end, key) with spanless units last.
    """
    groups = _exact_groups(list(items))
    groups.sort(key=_founding_order)
    units: list[AlignedUnit] = []
    for cluster in _clusters(groups):
        if len(cluster) == 1:  # nothing else overlaps it (or has no offsets, see _clusters): a unit of its own
            group = cluster[0]
            head = group[0]
            units.append(AlignedUnit(head.kind, head.start, head.end, head.key, {it.annotator: it for it in group}))
        else:
            units.extend(_join(cluster))
    units.sort(key=_unit_order)  # stable: units of one (start, end, key) stay in the order they were formed
    return units


def _clusters(groups: list[list[Item]]) -> list[list[list[Item]]]:
    """The groups (in founding order) split into clusters no group of which can join another cluster's unit.

    Spans are chained by overlap (or identity): a group can only join a unit whose anchor overlaps
    it, so each chain is aligned on its own, in founding order. A group without offsets is a
    cluster of its own: groups of one key come from splitting one set of items, each later
    group's annotators all in the earlier ones, so none joins another.
    """
    spans = sorted(
        (g[0].start, g[0].end, i) for i, g in enumerate(groups) if g[0].start is not None and g[0].end is not None
    )
    cluster_of = list(range(len(groups)))
    reach = -1
    previous: tuple[int, int] | None = None
    current = -1
    for start, end, i in spans:
        if current < 0 or (start >= reach and (start, end) != previous):
            current = i
        cluster_of[i] = current
        reach = max(reach, end)
        previous = (start, end)
    members: dict[int, list[list[Item]]] = {}
    for i, group in enumerate(groups):
        found = members.get(cluster_of[i])
        if found is None:
            members[cluster_of[i]] = [group]
        else:
            found.append(group)
    return list(members.values())


def _join(groups: list[list[Item]]) -> list[AlignedUnit]:
    """Rule 2 (and 3) of the module doc on exact groups in founding order: the units, in formation order."""
    units: list[AlignedUnit] = []
    # anchors with offsets, by start (for finding the ones a span can overlap)
    starts: list[int] = []
    anchored: list[tuple[int, AlignedUnit]] = []  # (formation index, unit), parallel to ``starts``
    longest = 0
    for group in groups:
        head = group[0]
        best: AlignedUnit | None = None
        if len(units):
            names = {item.annotator for item in group}
            best_score = 0.0
            if head.start is not None and head.end is not None:
                # only anchors starting in [head.start - longest, head.end] can overlap the head (or equal it)
                lo = bisect.bisect_left(starts, head.start - longest)
                hi = bisect.bisect_right(starts, head.end)
                candidates = anchored[lo:hi]
                for _, unit in sorted(candidates, key=_formed) if len(candidates) > 1 else candidates:
                    if names & unit.members.keys():
                        continue
                    score = iou(unit.start, unit.end, head.start, head.end)  # type: ignore[arg-type]
                    if score > best_score:
                        best, best_score = unit, score
            else:
                for unit in units:
                    if unit.start is None and unit.key == head.key and not names & unit.members.keys():
                        best = unit
                        break
        if best is None:
            best = AlignedUnit(head.kind, head.start, head.end, head.key)
            if head.start is not None and head.end is not None:
                at = bisect.bisect_right(starts, head.start)
                starts.insert(at, head.start)
                anchored.insert(at, (len(units), best))
                longest = max(longest, head.end - head.start)
            units.append(best)
        for item in group:
            best.members[item.annotator] = item
    return units


def _unit_order(unit: AlignedUnit) -> tuple[bool, int, int, str]:
    return unit.start is None, unit.start or 0, unit.end or 0, unit.key


def _formed(entry: tuple[int, AlignedUnit]) -> int:
    return entry[0]
