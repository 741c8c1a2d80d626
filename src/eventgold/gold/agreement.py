"""Inter-annotator agreement: span F1, chance-corrected coefficients, role F1, annotator stats.

Only annotations whose origin kind is ``annotator`` take part (adjudicators and
extractors do not); cancelled annotations are counted per annotator, then left
out; an annotator's latest annotation of a document is used
(:func:`eventgold.gold.inputs.select_annotations`). Figures:

- **Span F1** (actor mentions and event triggers, each labelled with its type),
  for every pair of annotators over the documents both annotated, under the
  agreement schemes of :mod:`eventgold.evaluation.matching`. ``strict``:
  same offsets and type (multiset match); ``overlap``: overlapping offsets and
  same type, one-to-one, greedily by largest overlap. F1 is symmetric
  (``2 tp / (2 tp + only_a + only_b)``); ``macro_f1`` is the mean over pairs
  where it is defined; per-label figures likewise.
- **Categorical fields** on units aligned across all annotators of a task
  (alignment rule: :mod:`eventgold.gold.units`): ``actor_type`` and
  ``canonical_id`` of mentions, ``event_type`` and ``mode`` of events. An
  empty canonical id or mode is the value ``<none>`` (leaving it empty is a
  choice); an annotator without the unit gives no value (missing). Cohen's
  kappa per pair on the units both have; Fleiss' kappa on the units every
  annotator of the task has (Fleiss needs a fixed number of raters, so the
  most common such number is used; it is reported); Krippendorff's alpha
  (nominal) on all units, missing values allowed.
- **Role F1**: (trigger, role, argument) triples on triggers both annotators
  have (same aligned event unit); arguments are compared through the aligned
  mention units, so differing mention ids do not matter. Per pair overall and
  per role, and a per-role table (counts summed over pairs with their F1, and
  the mean of the pairs' F1s) for whatever roles the ontology defines.
- **Per annotator**: tasks, cancelled, median lead time, span F1 (strict,
  mentions and triggers pooled) with all others and, when gold is given,
  against gold (precision = share of the annotator's spans that are in gold).

Undefined figures (no shared documents, a single category) are ``None`` and
explained in ``warnings``.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal, TypeVar

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from eventgold import SCHEMA_VERSION
from eventgold.evaluation.counts import Counts
from eventgold.gold.agreement_counts import (
    AGREEMENT_SCHEMES,
    AgreementDoc,
    AgreementScheme,
    AnnotatorStats,
    Disagreement,
    FieldAgreement,
    PairCounts,
    ReportModel,
    RoleAgreement,
    RoleF1,
    SpanAgreement,
    SpanIndex,
    build_docs,
    index_counts,
    match_spans_over,
    pooled_index,
    span_index,
)
from eventgold.gold.agreement_fields import FIELDS, FieldRows, disagreements, field_agreement, field_rows
from eventgold.gold.agreement_fields import in_context as _in_context  # noqa: F401  (its tests import it from here)
from eventgold.gold.inputs import select_annotations
from eventgold.gold.units import Item, Kind, RoleOrder, item_of, role_order
from eventgold.memory import paused_gc
from eventgold.models import Article, DocumentAnnotation, Event, GoldDocument, Mention
from eventgold.ontology import Ontology
from eventgold.problems import Problem, Repair

T = TypeVar("T")


class AgreementReport(ReportModel):
    """Everything ``eventgold agree`` computes."""

    schema_version: str = SCHEMA_VERSION
    kind: Literal["agreement"] = "agreement"
    """Tells an agreement report from other JSON outputs (``eventgold report`` reads it)."""
    command: str | None = None
    """The command line that produced the report (set by the CLI)."""
    annotators: list[str]
    documents: int
    """Documents with at least two annotators."""
    annotations: int
    cancelled: int
    spans: list[SpanAgreement]
    fields: list[FieldAgreement]
    roles: RoleAgreement
    annotator_stats: list[AnnotatorStats]
    disagreements: list[Disagreement]
    warnings: list[str]
    problems: list[Problem] = Field(default_factory=list)
    """Regions, relations and attributes of the snapshots that were left out (each located)."""
    repairs: list[Repair] = Field(default_factory=list)
    """Regions taken after an unambiguous repair of their offsets."""


# ---------------------------------------------------------------------------
# figures
# ---------------------------------------------------------------------------


def _pairs(docs: Sequence[AgreementDoc]) -> list[tuple[str, str]]:
    names = sorted({name for doc in docs for name in doc.annotations})
    return list(combinations(names, 2))


def _mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None; None when there is none."""
    defined = [v for v in values if v is not None]
    return statistics.fmean(defined) if defined else None


def _total(per_label: Mapping[str, Counts]) -> Counts:
    return sum(per_label.values(), Counts())


def _pair_counts(
    docs: Sequence[AgreementDoc],
    count: Callable[[Sequence[AgreementDoc], str, str], Mapping[str, Counts]],
    rank: Callable[[str], tuple[int, str] | str] = str,
) -> list[PairCounts]:
    """Counts of every pair of annotators over the documents both annotated.

    ``count(shared, a, b)`` gives the label -> counts of ``a`` against ``b``
    over the ``shared`` documents; labels are listed in ``rank`` order. Pairs
    without a shared document are left out.
    """
    pairs = []
    for a, b in _pairs(docs):
        shared = [d for d in docs if a in d.annotations and b in d.annotations]
        if not shared:
            continue
        per_label = count(shared, a, b)
        ranked = sorted(per_label, key=rank)
        pairs.append(
            PairCounts(
                a=a,
                b=b,
                documents=len(shared),
                counts=_total(per_label),
                per_label={label: per_label[label] for label in ranked},
            )
        )
    return pairs


def _shared_mask(docs: Sequence[AgreementDoc], shared: Sequence[AgreementDoc]) -> NDArray[np.bool_]:
    """One flag per document of ``docs``: whether it is among ``shared``."""
    wanted = {doc.doc_id for doc in shared}
    return np.fromiter((doc.doc_id in wanted for doc in docs), dtype=bool, count=len(docs))


def span_agreement(
    docs: Sequence[AgreementDoc],
    kind: Kind,
    matching: AgreementScheme,
    sink: list[str],
    index: SpanIndex | None = None,
) -> SpanAgreement:
    """Pairwise typed span F1 for one kind and matching, macro over pairs.

    ``docs`` come from :func:`build_docs`; undefined figures are explained in
    ``sink`` (a list of warnings, appended to). ``index`` is
    ``span_index(docs, (kind,))`` when already built (it is built here otherwise).
    """
    spans = index if index is not None else span_index(docs, (kind,))

    def count(shared: Sequence[AgreementDoc], a: str, b: str) -> Mapping[str, Counts]:
        return index_counts(spans, a, b, _shared_mask(docs, shared), matching)

    pairs = _pair_counts(docs, count)
    macro = _mean(p.counts.f1 for p in pairs)
    if macro is None:
        sink.append(
            f"{kind} span F1 ({matching}): undefined — no pair of annotators marked any {kind} in a shared document"
        )
    labels = sorted({label for p in pairs for label in p.per_label})
    label_f1: dict[str, float | None] = {
        label: _mean(p.per_label[label].f1 for p in pairs if label in p.per_label) for label in labels
    }
    return SpanAgreement(kind=kind, matching=matching, pairs=pairs, macro_f1=macro, per_label=label_f1)


@dataclass
class _RoleTable:
    """Every annotator's (trigger, role, argument) triples over all documents, as integer keys.

    A key numbers one distinct (event unit of the corpus, role, argument), the argument
    being the aligned mention unit of the annotator's mention (else its mention id).
    ``keys[annotator]``: the annotator's keys (sorted, unique); ``key_role`` and
    ``key_unit``: each key's role code (``roles[code]``) and event unit;
    ``has[annotator]``: per event unit of the corpus (``units`` of them), whether the annotator has it.
    """

    roles: list[str]
    keys: dict[str, NDArray[np.int64]]
    key_role: NDArray[np.int64]
    key_unit: NDArray[np.int64]
    has: dict[str, NDArray[np.bool_]]
    units: int
    """Event units in the corpus."""


def _role_table(docs: Sequence[AgreementDoc]) -> _RoleTable:
    """The :class:`_RoleTable` of ``docs`` (one pass over their event units' members)."""
    role_code: dict[str, int] = {}
    key_of: dict[tuple[int, str, int | str], int] = {}
    key_role: list[int] = []
    key_unit: list[int] = []
    keys: dict[str, list[int]] = defaultdict(list)
    units_of: dict[str, list[int]] = defaultdict(list)
    base = 0
    for doc in docs:
        mention_unit: dict[tuple[str, str], int] = {}
        for index, unit in enumerate(doc.units["mention"]):
            for name, item in unit.members.items():
                mention_unit[(name, item.record_id)] = index
        records = doc.records
        for index, unit in enumerate(doc.units["event"]):
            where = base + index
            for name, item in unit.members.items():
                units_of[name].append(where)
                event = records[name][item.record_id] if name in records else doc.record(item)
                assert isinstance(event, Event)
                mine = keys[name]
                for argument in event.arguments:  # what event.role_ids() gives
                    role, mid = argument.role, argument.mention
                    triple = (where, role, mention_unit.get((name, mid), mid))
                    key = key_of.get(triple)
                    if key is None:
                        key = key_of[triple] = len(key_of)
                        key_role.append(role_code.setdefault(role, len(role_code)))
                        key_unit.append(where)
                    mine.append(key)
        base += len(doc.units["event"])
    has: dict[str, NDArray[np.bool_]] = {}
    for name, found in units_of.items():
        flags = np.zeros(base, dtype=bool)
        flags[found] = True
        has[name] = flags
    return _RoleTable(
        list(role_code),
        {name: np.unique(np.asarray(found, dtype=np.int64)) for name, found in keys.items()},
        np.asarray(key_role, dtype=np.int64),
        np.asarray(key_unit, dtype=np.int64),
        has,
        base,
    )


def _role_counts(table: _RoleTable, a: str, b: str) -> dict[str, Counts]:
    """Role -> counts of ``a``'s triples against ``b``'s on the event units both have."""
    empty = np.zeros(0, dtype=np.int64)
    nowhere = np.zeros(table.units, dtype=bool)
    ka, kb = table.keys.get(a, empty), table.keys.get(b, empty)
    ka = ka[table.has.get(b, nowhere)[table.key_unit[ka]]]
    kb = kb[table.has.get(a, nowhere)[table.key_unit[kb]]]
    both = np.intersect1d(ka, kb, assume_unique=True)
    size = len(table.roles)
    tp = np.bincount(table.key_role[both], minlength=size).tolist()
    fp = np.bincount(table.key_role[np.setdiff1d(ka, both, assume_unique=True)], minlength=size).tolist()
    fn = np.bincount(table.key_role[np.setdiff1d(kb, both, assume_unique=True)], minlength=size).tolist()
    return {
        role: Counts(tp[code], fp[code], fn[code])
        for code, role in enumerate(table.roles)
        if tp[code] or fp[code] or fn[code]
    }


def role_agreement(docs: Sequence[AgreementDoc], sink: list[str], order: RoleOrder | None = None) -> RoleAgreement:
    """Pairwise F1 of (trigger, role, argument) triples on triggers both annotators have, overall and per role.

    A triple is one argument of an event unit both annotators have, its
    mention compared through the aligned mention units. Per role, the counts
    of every pair are summed (``f1`` is the F1 of the sums) and the role's F1
    is also averaged over the pairs where it is defined (``macro_f1``); roles
    are listed in ``order`` (the ontology's, see
    :func:`eventgold.gold.units.role_order`), others after by name.
    """
    order = order or {}

    def rank(role: str) -> tuple[int, str]:
        return (order.get(role, len(order)), role)

    triples = _role_table(docs)

    def count(shared: Sequence[AgreementDoc], a: str, b: str) -> Mapping[str, Counts]:
        return _role_counts(triples, a, b)  # units both have lie in documents both annotated

    pairs = _pair_counts(docs, count, rank)
    macro = _mean(p.counts.f1 for p in pairs)
    if macro is None:
        sink.append("role F1: undefined — no roles on triggers marked by two annotators")
    roles = sorted({r for p in pairs for r in p.per_label}, key=rank)
    table: dict[str, RoleF1] = {}
    for role in roles:
        row = RoleF1()
        f1s = []
        for p in pairs:
            if role in p.per_label:
                row.add(p.per_label[role])
                f1s.append(p.per_label[role].f1)
        defined = [f for f in f1s if f is not None]
        row.pairs, row.macro_f1 = len(defined), _mean(defined)
        table[role] = row
    return RoleAgreement(pairs=pairs, macro_f1=macro, per_role=table)


def _spans_of(doc: AgreementDoc, name: str) -> list[Item]:
    """The annotator's mentions and events in ``doc``, pooled (as per-annotator F1 counts them)."""
    return doc.items["mention"][name] + doc.items["event"][name]


def _gold_items(gold: GoldDocument) -> list[Item]:
    units: list[Mention | Event] = [*gold.mentions, *gold.events]
    return [item_of("gold", u) for u in units]


def annotator_stats(
    raw: Sequence[DocumentAnnotation],
    docs: Sequence[AgreementDoc],
    gold: Mapping[str, GoldDocument] | None,
    index: SpanIndex | None = None,
) -> list[AnnotatorStats]:
    """Per-annotator tasks, cancelled, superseded, median lead time, F1 with others and with gold.

    ``index`` is ``span_index(docs, ("mention", "event"))`` when already built.

    Each (annotator, document) counts once, from the annotator's latest
    annotation (:func:`~eventgold.gold.inputs.select_annotations`); earlier ones
    are ``superseded``; lead times come from the kept annotations only.
    """
    ours = [a for a in raw if a.origin.kind == "annotator"]
    kept, _, _ = select_annotations(ours)
    tasks: Counter[str] = Counter(a.origin.name for a in kept)
    cancelled: Counter[str] = Counter(a.origin.name for a in ours if a.cancelled)
    superseded: Counter[str] = Counter(a.origin.name for a in ours if not a.cancelled)
    superseded.subtract(tasks)
    lead: dict[str, list[float]] = defaultdict(list)
    for ann in kept:
        if ann.lead_time is not None:
            lead[ann.origin.name].append(ann.lead_time)
    names = sorted(tasks.keys() | cancelled.keys())
    with_others = {name: Counts() for name in names}
    by_pair: dict[tuple[str, str], NDArray[np.bool_]] = {}
    for position, doc in enumerate(docs):
        for a, b in combinations(sorted(doc.annotations), 2):
            shared = by_pair.get((a, b))
            if shared is None:
                shared = by_pair[(a, b)] = np.zeros(len(docs), dtype=bool)
            shared[position] = True
    pooled = index if index is not None else span_index(docs, ("mention", "event"))
    for (a, b), shared in by_pair.items():
        total = _total(index_counts(pooled, a, b, shared, "strict"))
        with_others[a].add(total)
        with_others[b].add(Counts(tp=total.tp, fp=total.fn, fn=total.fp))
    out = []
    for name in names:
        with_gold: Counts | None = None
        gold_docs = 0
        if gold is not None:
            mine = [
                (_spans_of(doc, name), _gold_items(gold[doc.doc_id]))
                for doc in docs
                if name in doc.annotations and doc.doc_id in gold
            ]
            gold_docs = len(mine)
            with_gold = _total(match_spans_over(mine, "strict"))
        out.append(
            AnnotatorStats(
                name=name,
                tasks=tasks[name],
                cancelled=cancelled[name],
                superseded=superseded[name],
                median_lead_time=statistics.median(lead[name]) if lead[name] else None,
                with_others=with_others[name],
                with_gold=with_gold,
                gold_documents=gold_docs,
            )
        )
    return out


def compute_agreement(
    annotations: Sequence[DocumentAnnotation],
    articles: Mapping[str, Article] | None = None,
    gold: Mapping[str, GoldDocument] | None = None,
    ontology: Ontology | None = None,
) -> AgreementReport:
    """Every agreement figure of the annotators' annotations (what ``eventgold agree`` reports).

    Args:
        annotations: annotations of any number of documents by any number of
            annotators (one per annotator and document is used: the latest;
            cancelled ones are counted per annotator, then left out;
            extractor and adjudicator annotations are ignored).
        articles: doc id -> article; gives the disagreement list its span
            text and snippets (documents missing here get none).
        gold: doc id -> gold document; adds each annotator's strict span F1
            against gold to :attr:`AgreementReport.annotator_stats`.
        ontology: orders the per-role table by its roles (else by role name).

    Returns:
        The :class:`AgreementReport`: span F1 per kind (mention, event) and
        scheme (``strict``, ``overlap``), per annotator pair and macro-averaged
        over pairs; Cohen's, Fleiss' kappa and Krippendorff's alpha per
        categorical field; role F1; per-annotator statistics; the aligned
        units annotators disagree on. Undefined figures are None and
        explained in ``warnings``.

    Metrics: pairwise span and role F1 as ``2 tp / (2 tp + only a + only b)``,
    symmetric in the pair, the agreement measure of Hripcsak & Rothschild
    (2005) for span annotation where chance agreement is undefined; Cohen's
    kappa (Cohen 1960), Fleiss' kappa (Fleiss 1971) and Krippendorff's alpha,
    nominal, missing values allowed (Krippendorff 2011, "Computing
    Krippendorff's alpha-reliability"; Krippendorff 2019, *Content Analysis*,
    4th ed.), computed in :mod:`eventgold.gold.stats`.

    Raises:
        Nothing of its own: the records are already validated.

    Example (alice and bob mark the same two actors, one with another type):

        >>> from eventgold.models import DocumentAnnotation, Mention, Origin
        >>> def by(name, second_type):
        ...     return DocumentAnnotation(doc_id="d1", origin=Origin(kind="annotator", name=name), mentions=[
        ...         Mention(id="m1", type="PERSON", start=0, end=6),
        ...         Mention(id="m2", type=second_type, start=11, end=17)])
        >>> report = compute_agreement([by("alice", "PERSON"), by("bob", "ARMED_GROUP")])
        >>> [(s.kind, s.matching, s.macro_f1) for s in report.spans if s.kind == "mention"]
        [('mention', 'strict', 0.5), ('mention', 'overlap', 0.5)]
        >>> report.fields[0].field, report.fields[0].cohen[0].kappa
        ('actor_type', 0.0)
    """
    with paused_gc():  # millions of small objects (items, units, counts), no garbage cycles among them
        ours = [a for a in annotations if a.origin.kind == "annotator"]
        selected, cancelled, _ = select_annotations(ours)
        docs = build_docs(selected, articles)
        sink: list[str] = []
        indexes = {kind: span_index(docs, (kind,)) for kind in ("mention", "event")}
        spans = [
            span_agreement(docs, kind, matching, sink, indexes[kind])
            for kind in ("mention", "event")
            for matching in AGREEMENT_SCHEMES
        ]
        rows: dict[Kind, FieldRows] = {kind: field_rows(docs, kind) for kind in FIELDS}
        fields = [
            field_agreement(docs, kind, field, sink, rows[kind]) for kind, names in FIELDS.items() for field in names
        ]
        return AgreementReport(
            annotators=sorted({a.origin.name for a in ours}),
            documents=sum(1 for d in docs if len(d.annotations) >= 2),
            annotations=len(selected),
            cancelled=cancelled,
            spans=spans,
            fields=fields,
            roles=role_agreement(docs, sink, role_order(ontology)),
            annotator_stats=annotator_stats(ours, docs, gold, pooled_index(indexes["mention"], indexes["event"])),
            disagreements=disagreements(docs, rows),
            warnings=sorted(set(sink)),
        )
