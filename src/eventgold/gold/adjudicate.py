"""Adjudication: from several annotations of a document to one gold document.

Policies (a comma-separated list, tried in order per document; the first
that applies decides it):

- ``adjudicator``: an annotation whose origin kind is ``adjudicator`` (the
  review project) wins; with several, the latest ``created`` (then name).
- ``ground-truth``: an annotation flagged ground truth in Label Studio wins.
  Several ground-truth annotations are put to a majority vote among them
  (identical ones agree; differing units are ties, i.e. conflicts).
- ``single``: applies when exactly one annotator annotated the document.
- ``majority`` (:mod:`eventgold.gold.majority`): units are aligned across the
  document's annotators (:mod:`eventgold.gold.units`); a unit is gold when more
  than half of them have it; exactly half is a tie (a conflict); fewer is
  dropped. Attributes (offsets, type, canonical id, country, sector; mode,
  date, contexts, flags) go by plurality among the annotators who have the
  unit, ties are conflicts. An argument (trigger, role, argument unit) is kept
  when more than half of the annotators who have the event have it; exactly
  half is a conflict.

Only annotator and adjudicator annotations count (extractor output never
becomes gold). A document no policy applies to is a conflict. A document with
open conflicts is left out of gold, or kept with its undisputed units when
``include_conflicts`` is set; either way every conflict is returned with the
values each annotator gave and every annotator's full version (what ``review
push`` sends to the review project).

Gold units get ids derived from themselves (:func:`eventgold.gold.units.unit_id`),
their arguments in the ontology's role order, and a provenance entry: the annotators whose unit aligns with it (an
adjudicator as ``adjudicator:NAME``, so a lead annotator who also adjudicated
counts twice), and the decision (``adjudicator:NAME``, ``ground-truth:NAME``, ``single:NAME``,
``majority 2/3``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from eventgold.errors import ConfigError
from eventgold.gold.majority import Alignment, ConflictIssue, Vote, aligned, majority, who_of
from eventgold.gold.units import (
    Kind,
    RoleOrder,
    event_gid,
    gold_units,
    mention_gid,
    role_order,
)
from eventgold.models import Article, DocumentAnnotation, Event, GoldDocument, Mention, Provenance

if TYPE_CHECKING:
    from eventgold.ontology import Ontology

__all__ = ["POLICIES", "Adjudication", "Conflict", "ConflictIssue", "adjudicate", "gold_units", "parse_policy"]

POLICIES = ("adjudicator", "ground-truth", "majority", "single")
DEFAULT_POLICY = "adjudicator,ground-truth,majority"


def parse_policy(text: str) -> tuple[str, ...]:
    """The policy names of ``text`` (comma-separated, in order of precedence), blanks stripped.

    Raises:
        ConfigError: ``text`` names no policy, an unknown one, or one twice.
    """
    names = [p.strip() for p in text.split(",") if p.strip()]
    if not names:
        raise ConfigError(f"the adjudication policy is empty; choose from {', '.join(POLICIES)}")
    for name in names:
        if name not in POLICIES:
            raise ConfigError(
                f"unknown policy {name!r} in adjudication policy {text!r}; "
                f"choose from {', '.join(POLICIES)} (comma-separated, in order)"
            )
    if len(set(names)) != len(names):
        raise ConfigError(f"adjudication policy {text!r} names a policy twice")
    return tuple(names)


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
# provenance by alignment
# ---------------------------------------------------------------------------


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
        for unit in aligned(everyone, kind):
            item = unit.members.get(who_of(source))
            if item is not None:
                who[(kind, item.record_id)] = unit.annotators
    out: dict[str, Provenance] = {}
    gid_of_mention = {m.id: mention_gid(doc_id, m) for m in source.mentions}
    for m in source.mentions:
        out.setdefault(
            gid_of_mention[m.id],
            Provenance(annotators=who.get(("mention", m.id), [who_of(source)]), decision=decision),
        )
    for e in source.events:
        roles = [(role, gid_of_mention[mid]) for role, mid in e.role_ids()]
        out.setdefault(
            event_gid(doc_id, e, roles),
            Provenance(annotators=who.get(("event", e.id), [who_of(source)]), decision=decision),
        )
    keep = {m.id for m in mentions} | {e.id for e in events}
    return {k: v for k, v in sorted(out.items()) if k in keep}


# ---------------------------------------------------------------------------
# the document loop
# ---------------------------------------------------------------------------


def _latest(anns: Sequence[DocumentAnnotation]) -> DocumentAnnotation:
    return max(anns, key=lambda a: (a.created.isoformat() if a.created else "", a.origin.name))


def adjudicate_document(
    article: Article,
    anns: Sequence[DocumentAnnotation],
    policies: Sequence[str],
    order: RoleOrder | None = None,
    *,
    keep_conflicted: bool = True,
    alignment: Alignment | None = None,
) -> tuple[str, Vote | None]:
    """Apply ``policies`` in order to one document's annotations.

    ``order`` is the role order gold arguments are written in
    (:func:`eventgold.gold.units.role_order`). Returns (deciding policy or "",
    the vote); the vote holds any conflicts. Without ``keep_conflicted`` a
    majority vote that finds a conflict stops making gold units (its units are
    then incomplete, for a document that is left out).
    ``alignment`` (the document's annotations already aligned) spares a
    majority vote over exactly those annotations aligning them again.
    """
    doc_id = article.id
    people = sorted(
        (a for a in anns if a.origin.kind in ("annotator", "adjudicator")),
        key=lambda a: (a.origin.kind, a.origin.name),
    )
    annotators = [a for a in people if a.origin.kind == "annotator"]
    adjudicators = [a for a in people if a.origin.kind == "adjudicator"]

    def single_source(source: DocumentAnnotation, decision: str) -> Vote:
        mentions, events = gold_units(doc_id, source, order)
        prov = _provenance_from(source, people, decision, mentions, events, doc_id)
        return Vote(mentions, events, prov, [])

    for policy in policies:
        if policy == "adjudicator" and adjudicators:
            chosen = _latest(adjudicators)
            return policy, single_source(chosen, f"adjudicator:{chosen.origin.name}")
        if policy == "ground-truth":
            truth = [a for a in people if a.ground_truth]
            if len(truth) == 1:
                return policy, single_source(truth[0], f"ground-truth:{truth[0].origin.name}")
            if truth:
                return policy, majority(
                    doc_id,
                    article.text,
                    truth,
                    "ground-truth majority",
                    order,
                    keep_conflicted=keep_conflicted,
                    alignment=alignment,
                )
        if policy == "single" and len(annotators) == 1:
            return policy, single_source(annotators[0], f"single:{annotators[0].origin.name}")
        if policy == "majority" and annotators:
            return policy, majority(
                doc_id,
                article.text,
                annotators,
                "majority",
                order,
                keep_conflicted=keep_conflicted,
                alignment=alignment,
            )
    if not people:
        return "", None
    reason = (
        f"no policy of {','.join(policies)} applies to {len(annotators)} annotator(s), "
        f"{len(adjudicators)} adjudicator(s)"
    )
    return "", Vote(
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
    ontology: Ontology | None = None,
    alignments: Mapping[str, Alignment] | None = None,
) -> Adjudication:
    """Adjudicate every annotated document: one gold document each, or its conflicts.

    Args:
        articles: doc id -> article; must hold every document of
            ``annotations`` (the gold document carries the whole article).
        annotations: annotations of any number of documents, already
            selected (no cancelled ones, one per annotator and document:
            :func:`eventgold.gold.inputs.select_annotations`) and screened
            against the ontology (:func:`eventgold.gold.screen.screen_annotation`);
            extractor annotations are ignored.
        policies: policy names in order of precedence (:data:`POLICIES`;
            :func:`parse_policy` reads them from text); per document the first
            that applies decides (see the module docstring).
        include_conflicts: keep a document that has open conflicts, with its
            undisputed units, instead of leaving it out.
        ontology: orders each gold event's arguments by its roles (without it:
            by role name); it decides nothing else here.
        alignments: doc id -> the document's annotations already aligned
            (:func:`eventgold.gold.agreement_counts.build_docs` makes them);
            a majority vote over exactly those annotations reuses their units
            instead of aligning them again (the result is the same).

    Returns:
        An :class:`Adjudication`: the gold documents in doc id order (no split
        yet; each unit with its provenance), every conflict with every
        annotator's version, the documents left out, and how many documents
        each policy decided. The majority rule is a strict majority of the
        document's annotators (more than half) per aligned unit and per
        argument, plurality per attribute (:mod:`eventgold.gold.majority`).

    Raises:
        KeyError: a document of ``annotations`` is missing from ``articles``.

    Example (three annotators; Ghaani is marked by two of them):

        >>> from eventgold.models import Article, DocumentAnnotation, Mention, Origin
        >>> def by(name, *spans):
        ...     mentions = [Mention(id=f"m{i}", type="PERSON", start=s, end=e) for i, (s, e) in enumerate(spans)]
        ...     return DocumentAnnotation(doc_id="d1", origin=Origin(kind="annotator", name=name), mentions=mentions)
        >>> votes = [by("alice", (0, 6), (11, 17)), by("bob", (0, 6), (11, 17)), by("carol", (0, 6))]
        >>> result = adjudicate({"d1": Article(id="d1", text="Kazemi met Ghaani.")}, votes, ["majority"])
        >>> [(m.start, m.end, m.type) for m in result.documents[0].mentions]
        [(0, 6, 'PERSON'), (11, 17, 'PERSON')]
        >>> dict(result.decisions), len(result.conflicts)
        ({'majority': 1}, 0)
    """
    order = role_order(ontology)
    by_doc: dict[str, list[DocumentAnnotation]] = defaultdict(list)
    for ann in annotations:
        by_doc[ann.doc_id].append(ann)
    result = Adjudication()
    policy_text = ",".join(policies)
    for doc_id in sorted(by_doc):
        article = articles[doc_id]
        anns = by_doc[doc_id]
        decided_by, vote = adjudicate_document(
            article,
            anns,
            policies,
            order,
            keep_conflicted=include_conflicts,
            alignment=alignments.get(doc_id) if alignments else None,
        )
        if vote is None:
            continue
        if vote.issues:
            versions = sorted(
                (a for a in anns if a.origin.kind != "extractor"),
                key=lambda a: (a.origin.kind, a.origin.name),
            )
            result.conflicts.append(Conflict(doc_id=doc_id, policy=policy_text, issues=vote.issues, versions=versions))
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
