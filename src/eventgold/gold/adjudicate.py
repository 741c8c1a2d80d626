"""Adjudication: from several annotations of a document to one gold document.

Policies (``--policy``, comma-separated, tried in order per document; the first
that applies decides it):

- ``adjudicator``: an annotation whose origin kind is ``adjudicator`` (the
  review project) wins; with several, the latest ``created`` (then name).
- ``ground-truth``: an annotation flagged ground truth in Label Studio wins.
  Several ground-truth annotations are put to a majority vote among them
  (identical ones agree; differing units are ties, i.e. conflicts).
- ``single``: applies when exactly one annotator annotated the document.
- ``majority``: units are aligned across the document's annotators
  (:mod:`eventgold.gold.units`); a unit is gold when more than half of them
  have it; exactly half is a tie (a conflict); fewer is dropped. Attributes
  (offsets, type, canonical id, country, sector; mode, date, contexts,
  flags) go by plurality among the annotators who have the unit, ties are
  conflicts. A role (trigger, role, argument unit) is kept when more than half
  of the annotators who have the event have it; exactly half is a conflict.

Only annotator and adjudicator annotations count (extractor output never
becomes gold). A document no policy applies to is a conflict. A document with
open conflicts is left out of gold, or kept with its undisputed units when
``include_conflicts`` is set; either way every conflict is returned with the
values each annotator gave and every annotator's full version (what ``review
push`` sends to the review project).

Gold units get ids derived from themselves (:func:`eventgold.gold.units.unit_id`)
and a provenance entry: the annotators whose unit aligns with it (an
adjudicator as ``adjudicator:NAME``, so a lead annotator who also adjudicated
counts twice), and the decision (``adjudicator:NAME``, ``ground-truth:NAME``, ``single:NAME``,
``majority 2/3``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eventgold.errors import ConfigError
from eventgold.gold.units import AlignedUnit, Item, Kind, align, item_of, spanless_key, unit_id
from eventgold.models import (
    Article,
    DocumentAnnotation,
    Event,
    GoldDocument,
    Mention,
    Provenance,
    Span,
)

POLICIES = ("adjudicator", "ground-truth", "majority", "single")
DEFAULT_POLICY = "adjudicator,ground-truth,majority"


def parse_policy(text: str) -> tuple[str, ...]:
    """Parse ``--policy`` (comma-separated policy names, in order of precedence)."""
    names = [p.strip() for p in text.split(",") if p.strip()]
    if not names:
        raise ConfigError(f"--policy is empty; choose from {', '.join(POLICIES)}")
    for name in names:
        if name not in POLICIES:
            raise ConfigError(
                f"unknown policy {name!r} in --policy; choose from "
                f"{', '.join(POLICIES)} (comma-separated, in order)"
            )
    if len(set(names)) != len(names):
        raise ConfigError(f"--policy {text!r} names a policy twice")
    return tuple(names)


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


class Conflict(BaseModel):
    """A document with open conflicts (one line of ``conflicts.jsonl``)."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    policy: str
    issues: list[ConflictIssue]
    versions: list[DocumentAnnotation]
    """Every annotator's (and adjudicator's) full annotation of the document."""


@dataclass
class Adjudication:
    """What adjudication produced: gold documents (no split yet) and conflicts."""

    documents: list[GoldDocument] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    """Documents left out of gold because of open conflicts."""
    decisions: Counter[str] = field(default_factory=Counter)
    """Policy name -> number of documents it decided."""


# ---------------------------------------------------------------------------
# gold units from one annotation
# ---------------------------------------------------------------------------


def _mention_gid(doc_id: str, m: Mention) -> str:
    key = "" if m.has_span else spanless_key(m)
    return unit_id(doc_id, "mention", m.start, m.end, m.type, key)


def _event_gid(doc_id: str, e: Event, args: Sequence[tuple[str, str]]) -> str:
    if e.trigger is not None:
        return unit_id(doc_id, "event", e.trigger.start, e.trigger.end, e.type)
    key = ";".join(f"{role}={mid}" for role, mid in sorted(args))
    return unit_id(doc_id, "event", None, None, e.type, key)


def _with_roles(event: Event, roles: Sequence[tuple[str, str]], new_id: str) -> Event:
    by_role: dict[str, list[str]] = defaultdict(list)
    for role, mid in sorted(set(roles)):
        by_role[role].append(mid)
    return event.model_copy(
        update={
            "id": new_id,
            "actors": by_role["actor"],
            "recipients": by_role["recipient"],
            "locations": by_role["location"],
            "contexts": sorted(event.contexts),
            "flags": sorted(event.flags),
            "score": None,
        }
    )


def gold_units(doc_id: str, ann: DocumentAnnotation) -> tuple[list[Mention], list[Event]]:
    """An annotation's units with derived gold ids (duplicates merged, sorted)."""
    id_map: dict[str, str] = {}
    mentions: dict[str, Mention] = {}
    for m in ann.mentions:
        gid = _mention_gid(doc_id, m)
        id_map[m.id] = gid
        mentions.setdefault(gid, m.model_copy(update={"id": gid, "score": None}))
    events: dict[str, Event] = {}
    for e in ann.events:
        roles = [(role, id_map[mid]) for role, mid in e.role_ids()]
        gid = _event_gid(doc_id, e, roles)
        events.setdefault(gid, _with_roles(e, roles, gid))
    return _sorted_mentions(mentions.values()), _sorted_events(events.values())


def _sorted_mentions(mentions: Any) -> list[Mention]:
    return sorted(mentions, key=lambda m: (m.start is None, m.start or 0, m.end or 0, m.type, m.id))


def _sorted_events(events: Any) -> list[Event]:
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


# ---------------------------------------------------------------------------
# provenance by alignment
# ---------------------------------------------------------------------------


def _who(ann: DocumentAnnotation) -> str:
    """The name an annotation goes by in alignment and provenance.

    An adjudication is ``adjudicator:NAME``, so an adjudicator who also
    annotated the document (a lead annotator) counts as two people there.
    """
    return ann.origin.name if ann.origin.kind == "annotator" else f"{ann.origin.kind}:{ann.origin.name}"


def _aligned(anns: Sequence[DocumentAnnotation], kind: Kind) -> list[AlignedUnit]:
    items: list[Item] = []
    for ann in anns:
        units: Sequence[Mention | Event] = ann.mentions if kind == "mention" else ann.events
        items.extend(item_of(_who(ann), u) for u in units)
    return align(items)


def _provenance_from(
    source: DocumentAnnotation,
    everyone: Sequence[DocumentAnnotation],
    decision: str,
    mentions: Sequence[Mention],
    events: Sequence[Event],
    doc_id: str,
) -> dict[str, Provenance]:
    """Who had each of ``source``'s units, by alignment with everyone's annotations."""
    who: dict[tuple[Kind, str], list[str]] = {}
    for kind in ("mention", "event"):
        for unit in _aligned(everyone, kind):
            item = unit.members.get(_who(source))
            if item is not None:
                who[(kind, item.record_id)] = unit.annotators
    out: dict[str, Provenance] = {}
    gid_of_mention = {m.id: _mention_gid(doc_id, m) for m in source.mentions}
    for m in source.mentions:
        out.setdefault(
            gid_of_mention[m.id],
            Provenance(
                annotators=who.get(("mention", m.id), [_who(source)]), decision=decision
            ),
        )
    for e in source.events:
        roles = [(role, gid_of_mention[mid]) for role, mid in e.role_ids()]
        out.setdefault(
            _event_gid(doc_id, e, roles),
            Provenance(
                annotators=who.get(("event", e.id), [_who(source)]), decision=decision
            ),
        )
    keep = {m.id for m in mentions} | {e.id for e in events}
    return {k: v for k, v in sorted(out.items()) if k in keep}


# ---------------------------------------------------------------------------
# majority
# ---------------------------------------------------------------------------


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
class _Vote:
    mentions: list[Mention]
    events: list[Event]
    provenance: dict[str, Provenance]
    issues: list[ConflictIssue]


def majority(doc_id: str, text: str, anns: Sequence[DocumentAnnotation], label: str) -> _Vote:
    """Majority vote over ``anns`` (see the module docstring); ``label`` names the decision."""
    n = len(anns)
    by_name = {_who(a): a for a in anns}
    issues: list[ConflictIssue] = []
    provenance: dict[str, Provenance] = {}

    def issue(
        kind: Kind, unit: AlignedUnit, fld: str, reason: str, values: dict[str, str | None]
    ) -> None:
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
                {
                    name: (unit.members[name].label if name in unit.members else None)
                    for name in sorted(by_name)
                },
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

    mention_units = _aligned(anns, "mention")
    mention_gid: dict[int, str] = {}
    gold_mentions: dict[str, Mention] = {}
    for index, unit in enumerate(mention_units):
        if not presence("mention", unit):
            continue
        records: dict[str, Mention | Event] = {
            who: next(m for m in by_name[who].mentions if m.id == item.record_id)
            for who, item in unit.members.items()
        }
        chosen = attrs("mention", unit, records, _MENTION_ATTRS)
        if chosen is None:
            continue
        offsets = chosen["offsets"]
        # the text and spanless identity come from a member with the winning offsets
        model = next(
            r for r in records.values() if isinstance(r, Mention) and _attr(r, "offsets") == offsets
        )
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
        gid = _mention_gid(doc_id, mention)
        mention_gid[index] = gid
        if gid not in gold_mentions:
            gold_mentions[gid] = mention.model_copy(update={"id": gid})
            provenance[gid] = Provenance(
                annotators=unit.annotators, decision=f"{label} {len(unit.members)}/{n}"
            )

    # each annotator's mention id -> aligned mention unit index
    unit_of: dict[tuple[str, str], int] = {}
    for index, unit in enumerate(mention_units):
        for who, item in unit.members.items():
            unit_of[(who, item.record_id)] = index

    gold_events: dict[str, Event] = {}
    for unit in _aligned(anns, "event"):
        if not presence("event", unit):
            continue
        ev_records: dict[str, Event] = {
            who: next(e for e in by_name[who].events if e.id == item.record_id)
            for who, item in unit.members.items()
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
                    f"{count} of {members} annotators link {role} to {_unit_label(text, m_unit)}",
                    {
                        who: (
                            "yes"
                            if (role, m_index)
                            in {(r, unit_of[(who, mid)]) for r, mid in ev.role_ids()}
                            else None
                        )
                        for who, ev in sorted(ev_records.items())
                    },
                )
            elif 2 * count > members and m_index in mention_gid:
                roles.append((role, mention_gid[m_index]))
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
        gid = _event_gid(doc_id, base, roles)
        if gid not in gold_events:
            gold_events[gid] = _with_roles(base, roles, gid)
            provenance[gid] = Provenance(
                annotators=unit.annotators, decision=f"{label} {len(unit.members)}/{n}"
            )
    return _Vote(
        _sorted_mentions(gold_mentions.values()),
        _sorted_events(gold_events.values()),
        dict(sorted(provenance.items())),
        issues,
    )


# ---------------------------------------------------------------------------
# the document loop
# ---------------------------------------------------------------------------


def _unit_label(text: str, unit: AlignedUnit) -> str:
    if unit.start is not None and unit.end is not None:
        return repr(text[unit.start : unit.end])
    return unit.key


def _latest(anns: Sequence[DocumentAnnotation]) -> DocumentAnnotation:
    return max(anns, key=lambda a: (a.created.isoformat() if a.created else "", a.origin.name))


def adjudicate_document(
    article: Article,
    anns: Sequence[DocumentAnnotation],
    policies: Sequence[str],
) -> tuple[str, _Vote | None]:
    """Apply ``policies`` in order to one document's annotations.

    Returns (deciding policy or "", the vote); the vote holds any conflicts.
    """
    doc_id = article.id
    people = sorted(
        (a for a in anns if a.origin.kind in ("annotator", "adjudicator")),
        key=lambda a: (a.origin.kind, a.origin.name),
    )
    annotators = [a for a in people if a.origin.kind == "annotator"]
    adjudicators = [a for a in people if a.origin.kind == "adjudicator"]

    def single_source(source: DocumentAnnotation, decision: str) -> _Vote:
        mentions, events = gold_units(doc_id, source)
        prov = _provenance_from(source, people, decision, mentions, events, doc_id)
        return _Vote(mentions, events, prov, [])

    for policy in policies:
        if policy == "adjudicator" and adjudicators:
            chosen = _latest(adjudicators)
            return policy, single_source(chosen, f"adjudicator:{chosen.origin.name}")
        if policy == "ground-truth":
            truth = [a for a in people if a.ground_truth]
            if len(truth) == 1:
                return policy, single_source(truth[0], f"ground-truth:{truth[0].origin.name}")
            if truth:
                return policy, majority(doc_id, article.text, truth, "ground-truth majority")
        if policy == "single" and len(annotators) == 1:
            return policy, single_source(annotators[0], f"single:{annotators[0].origin.name}")
        if policy == "majority" and annotators:
            return policy, majority(doc_id, article.text, annotators, "majority")
    if not people:
        return "", None
    reason = (
        f"no policy of {','.join(policies)} applies to {len(annotators)} annotator(s), "
        f"{len(adjudicators)} adjudicator(s)"
    )
    return "", _Vote(
        [],
        [],
        {},
        [
            ConflictIssue(
                kind="document",
                field="policy",
                reason=reason,
                values={a.origin.name: a.origin.kind for a in people},
            )
        ],
    )


def adjudicate(
    articles: Mapping[str, Article],
    annotations: Sequence[DocumentAnnotation],
    policies: Sequence[str],
    *,
    include_conflicts: bool = False,
) -> Adjudication:
    """Adjudicate every annotated document of ``articles`` (see the module docstring).

    ``annotations`` must already be selected (no cancelled ones, one per
    annotator and document: :func:`eventgold.gold.inputs.select_annotations`).
    """
    by_doc: dict[str, list[DocumentAnnotation]] = defaultdict(list)
    for ann in annotations:
        by_doc[ann.doc_id].append(ann)
    result = Adjudication()
    policy_text = ",".join(policies)
    for doc_id in sorted(by_doc):
        article = articles[doc_id]
        anns = by_doc[doc_id]
        decided_by, vote = adjudicate_document(article, anns, policies)
        if vote is None:
            continue
        if vote.issues:
            versions = sorted(
                (a for a in anns if a.origin.kind != "extractor"),
                key=lambda a: (a.origin.kind, a.origin.name),
            )
            result.conflicts.append(
                Conflict(doc_id=doc_id, policy=policy_text, issues=vote.issues, versions=versions)
            )
            if not include_conflicts or not decided_by:
                result.excluded.append(doc_id)
                continue
        result.decisions[decided_by] += 1
        result.documents.append(
            GoldDocument(
                article=article,
                mentions=vote.mentions,
                events=vote.events,
                provenance=vote.provenance,
            )
        )
    return result
