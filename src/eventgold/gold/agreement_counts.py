"""The parts of an agreement report, the documents it is computed on, and span match counts.

The figure types (:class:`PairCounts` ... :class:`Disagreement`) are the parts
of an :class:`~eventgold.gold.agreement.AgreementReport`; their counts are
:class:`eventgold.evaluation.counts.Counts`. :func:`build_docs` groups the
annotations by document and aligns their units (:class:`AgreementDoc`). :func:`match_spans` counts typed
span matches between two annotators' items of one document under an
agreement scheme of :mod:`eventgold.evaluation.matching`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from eventgold.evaluation.counts import Counts
from eventgold.evaluation.matching import SchemeName, SpanTable, get_scheme
from eventgold.gold.units import AlignedUnit, Item, Kind, align, items_of
from eventgold.models import Article, DocumentAnnotation, Event, Mention

NONE_VALUE = "<none>"
"""The value of an empty canonical id or mode (leaving it empty is a choice)."""
AgreementScheme = Literal["strict", "overlap"]
"""The schemes ``agree`` reports span F1 under (see :mod:`eventgold.evaluation`)."""
AGREEMENT_SCHEMES: tuple[AgreementScheme, ...] = ("strict", "overlap")


class ReportModel(BaseModel):
    """Base of the agreement report's models: unknown fields are refused when reading one back."""

    model_config = ConfigDict(extra="forbid")


class PairCounts(ReportModel):
    """Counts between annotators ``a`` and ``b`` over the documents both annotated."""

    a: str
    b: str
    documents: int
    counts: Counts
    per_label: dict[str, Counts] = Field(default_factory=dict)


class SpanAgreement(ReportModel):
    """Pairwise span F1 for one kind of span and one matching scheme."""

    kind: Kind
    matching: AgreementScheme
    pairs: list[PairCounts]
    macro_f1: float | None
    per_label: dict[str, float | None]
    """Label -> mean over pairs of that label's F1 (pairs where it is defined)."""


class PairKappa(ReportModel):
    """Cohen's kappa of one pair on the units both annotators have."""

    a: str
    b: str
    units: int
    kappa: float | None


class FieldAgreement(ReportModel):
    """Chance-corrected agreement on one categorical field of aligned units."""

    field: str
    kind: Kind
    units: int
    cohen: list[PairKappa]
    cohen_mean: float | None
    fleiss: float | None
    fleiss_units: int
    fleiss_raters: int
    alpha: float | None
    alpha_units: int
    """Units with at least two values (pairable)."""


class RoleF1(Counts):
    """One role's agreement on matched triggers over all annotator pairs.

    ``tp`` / ``fp`` / ``fn`` (both / only a / only b) are the role's
    (trigger, role, argument) triples summed over the pairs, and ``f1`` the F1
    of those sums (pooled); ``macro_f1`` is the mean of the pairs' F1s, like
    :attr:`RoleAgreement.macro_f1`. With two annotators the two are equal.
    """

    pairs: int = 0
    """Annotator pairs where the role's F1 is defined (either annotator gave the role on a matched trigger)."""
    macro_f1: float | None = None
    """Mean over those pairs of the role's F1 (None when there is none)."""


class RoleAgreement(ReportModel):
    """Pairwise F1 of (trigger, role, argument) triples on matched triggers, overall and per role.

    Each pair's ``per_label`` holds its counts per role.
    """

    pairs: list[PairCounts]
    macro_f1: float | None
    per_role: dict[str, RoleF1] = Field(default_factory=dict)
    """Role -> its agreement, roles in the ontology's order (reports written before it have none)."""


class AnnotatorStats(ReportModel):
    """What Label Studio Community does not tell about an annotator."""

    name: str
    tasks: int
    """Tasks annotated, each (annotator, task) once, from the annotator's latest annotation."""
    cancelled: int
    superseded: int = 0
    """Earlier annotations (or copies) of a task the annotator annotated again later; not counted as tasks."""
    median_lead_time: float | None
    """Median lead time of the kept annotations (seconds)."""
    with_others: Counts
    with_gold: Counts | None = None
    gold_documents: int = 0


class Disagreement(ReportModel):
    """One aligned unit on which the annotators of a task differ."""

    doc_id: str
    kind: Kind
    start: int | None
    end: int | None
    text: str | None
    fields: list[str]
    """``presence`` (not every annotator has the unit) and/or differing field names."""
    values: dict[str, dict[str, str] | None]
    """Annotator -> field values, None when the annotator does not have the unit."""
    snippet: str | None = None
    """The text around the unit, the unit itself between ``[[`` and ``]]`` (when the article is known)."""


# ---------------------------------------------------------------------------
# documents as seen by agreement
# ---------------------------------------------------------------------------


@dataclass
class AgreementDoc:
    """One document as agreement sees it: its annotators' annotations, items and aligned units.

    ``items[kind][annotator]`` are the annotator's items of that kind;
    ``units[kind]`` the units aligned across annotators
    (:func:`eventgold.gold.units.align`); ``text`` the article's text when known.
    """

    doc_id: str
    text: str | None
    annotations: dict[str, DocumentAnnotation]
    items: dict[Kind, dict[str, list[Item]]]
    units: dict[Kind, list[AlignedUnit]]
    records: dict[str, dict[str, Mention | Event]] = field(default_factory=dict)
    """Annotator -> record id -> their mention or event (filled by :func:`build_docs`)."""

    def record(self, item: Item) -> Mention | Event:
        """The mention or event ``item`` stands for (KeyError when the document lacks it)."""
        by_id = self.records.get(item.annotator)
        if by_id is None:
            ann = self.annotations[item.annotator]
            by_id = self.records[item.annotator] = {**{e.id: e for e in ann.events}, **{m.id: m for m in ann.mentions}}
        return by_id[item.record_id]


def build_docs(
    annotations: Iterable[DocumentAnnotation], articles: Mapping[str, Article] | None = None
) -> list[AgreementDoc]:
    """The documents of ``annotations``, sorted by id, each with its annotators' items and aligned units.

    ``annotations`` are already selected (one per annotator and document:
    :func:`eventgold.gold.inputs.select_annotations`); ``articles`` (doc id ->
    article) give the documents' text where known.
    """
    by_doc: dict[str, dict[str, DocumentAnnotation]] = defaultdict(dict)
    for ann in annotations:
        by_doc[ann.doc_id][ann.origin.name] = ann
    docs = []
    for doc_id in sorted(by_doc):
        anns = by_doc[doc_id]
        items: dict[Kind, dict[str, list[Item]]] = {"mention": {}, "event": {}}
        for name, ann in sorted(anns.items()):
            items["mention"][name], items["event"][name] = items_of(name, ann.mentions, ann.events)
        units: dict[Kind, list[AlignedUnit]] = {
            kind: align(it for lst in items[kind].values() for it in lst) for kind in ("mention", "event")
        }
        article = articles.get(doc_id) if articles else None
        records: dict[str, dict[str, Mention | Event]] = {
            name: {**{e.id: e for e in ann.events}, **{m.id: m for m in ann.mentions}} for name, ann in anns.items()
        }
        docs.append(AgreementDoc(doc_id, article.text if article else None, anns, items, units, records))
    return docs


def field_value(doc: AgreementDoc, item: Item, field: str) -> str:
    """The value ``item`` of ``doc`` gives a categorical field, empty ones as ``<none>``.

    ``field`` is one of ``actor_type``, ``canonical_id`` (mentions),
    ``event_type``, ``mode`` (events): :data:`eventgold.gold.agreement.FIELDS`.
    """
    if field in ("actor_type", "event_type"):
        return item.label
    record = doc.record(item)
    if field == "canonical_id":
        return getattr(record, "canonical_id", None) or NONE_VALUE
    return getattr(record, "mode", None) or NONE_VALUE


# ---------------------------------------------------------------------------
# span matching
# ---------------------------------------------------------------------------


def match_spans(a: Sequence[Item], b: Sequence[Item], matching: AgreementScheme) -> dict[str, Counts]:
    """Per-label counts of typed span matches between two annotators' items of one document.

    ``a`` and ``b`` are the two annotators' items (mentions or events); items
    without offsets are ignored. ``matching`` names the scheme
    (:mod:`eventgold.evaluation.matching`): ``strict``, identical offsets and
    label (a multiset match); ``overlap``, overlapping offsets and the same
    label, one-to-one, greedily by largest overlap (ties by position). A
    matched pair is ``tp`` (under its label), an unmatched item of ``a`` is
    ``fp`` ("only a") and one of ``b`` is ``fn`` ("only b").

    Raises:
        UserError: ``matching`` names no scheme.
    """
    return match_spans_over([(a, b)], matching)


def _span_rows(docs: Sequence[Sequence[Item]]) -> tuple[list[str], list[int], list[int], list[int]]:
    """Label, document (index in ``docs``), start and end of every item with offsets."""
    labels: list[str] = []
    doc: list[int] = []
    start: list[int] = []
    end: list[int] = []
    for index, items in enumerate(docs):
        for it in items:
            if it.start is not None and it.end is not None:
                labels.append(it.label)
                doc.append(index)
                start.append(it.start)
                end.append(it.end)
    return labels, doc, start, end


def match_spans_over(
    docs: Sequence[tuple[Sequence[Item], Sequence[Item]]], matching: AgreementScheme
) -> dict[str, Counts]:
    """:func:`match_spans` summed over documents: ``docs`` holds each document's (``a`` items, ``b`` items).

    One span table per side holds every document (spans of different
    documents never match), so the scheme runs once, not once per document.

    Raises:
        UserError: ``matching`` names no scheme.
    """
    codes: dict[str, int] = {}
    tables: list[SpanTable] = []
    for side in (0, 1):
        side_labels, doc, start, end = _span_rows([pair[side] for pair in docs])
        tables.append(SpanTable(doc, start, end, [codes.setdefault(label, len(codes)) for label in side_labels]))
    return _label_counts(tables[0], tables[1], list(codes), matching)


# ---------------------------------------------------------------------------
# span tables of every annotator, built once
# ---------------------------------------------------------------------------


@dataclass
class SpanIndex:
    """Every annotator's spans with offsets over all documents, as arrays (built once, matched per pair).

    ``rows[annotator]`` holds four int64 arrays of one length: the document's
    index in the ``docs`` the index was built from, start, end and the code of
    the label (``labels[code]``); rows are in document order, then item order.
    """

    labels: list[str]
    rows: dict[str, tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]]


def span_index(docs: Sequence[AgreementDoc], kinds: Sequence[Kind]) -> SpanIndex:
    """The :class:`SpanIndex` of ``docs`` for the items of ``kinds`` (pooled in that order within a document).

    Args:
        docs: documents from :func:`build_docs` (their position is the row's document index).
        kinds: ``("mention",)``, ``("event",)`` or both (an annotator's mentions, then events, per document).
    """
    codes: dict[str, int] = {}
    columns: dict[str, tuple[list[int], list[int], list[int], list[int]]] = {}
    for index, doc in enumerate(docs):
        for kind in kinds:
            for name, items in doc.items[kind].items():
                found = columns.get(name)
                if found is None:
                    found = columns[name] = ([], [], [], [])
                doc_col, start_col, end_col, label_col = found
                for it in items:
                    if it.start is not None and it.end is not None:
                        doc_col.append(index)
                        start_col.append(it.start)
                        end_col.append(it.end)
                        code = codes.get(it.label)
                        if code is None:
                            code = codes[it.label] = len(codes)
                        label_col.append(code)
    rows = {
        name: (
            np.asarray(doc_col, dtype=np.int64),
            np.asarray(start_col, dtype=np.int64),
            np.asarray(end_col, dtype=np.int64),
            np.asarray(label_col, dtype=np.int64),
        )
        for name, (doc_col, start_col, end_col, label_col) in columns.items()
    }
    return SpanIndex(list(codes), rows)


def index_counts(
    index: SpanIndex, a: str, b: str, shared: NDArray[np.bool_], matching: AgreementScheme
) -> dict[str, Counts]:
    """:func:`match_spans_over` of annotators ``a`` and ``b`` over the documents ``shared`` marks, from ``index``.

    Args:
        index: the spans of every annotator (:func:`span_index`).
        a, b: the two annotators.
        shared: one flag per document of the index: whether it is counted.
        matching: the agreement scheme.

    Returns:
        Label -> counts (``fp`` only a, ``fn`` only b), for every label either side has in those documents.
    """
    tables = []
    empty = np.zeros(0, dtype=np.int64)
    for name in (a, b):
        doc, start, end, label = index.rows.get(name, (empty, empty, empty, empty))
        keep = shared[doc]
        tables.append(SpanTable(doc[keep], start[keep], end[keep], label[keep]))
    return _label_counts(tables[0], tables[1], index.labels, matching)


def _label_counts(a: SpanTable, b: SpanTable, labels: Sequence[str], matching: AgreementScheme) -> dict[str, Counts]:
    """Counts per label of ``a``'s spans against ``b``'s (``fp`` only a, ``fn`` only b) under ``matching``;
    span types are codes into ``labels``; labels neither side has are left out."""
    scheme: SchemeName = matching
    alignment = get_scheme(scheme).align(a, b)
    matched_a = np.zeros(len(a), dtype=bool)
    matched_a[alignment.gold[alignment.correct]] = True
    matched_b = np.zeros(len(b), dtype=bool)
    matched_b[alignment.pred[alignment.correct]] = True
    size = len(labels)
    tp = np.bincount(a.type[matched_a], minlength=size).tolist()
    fp = np.bincount(a.type[~matched_a], minlength=size).tolist()
    fn = np.bincount(b.type[~matched_b], minlength=size).tolist()
    return {
        label: Counts(tp[code], fp[code], fn[code])
        for code, label in enumerate(labels)
        if tp[code] or fp[code] or fn[code]
    }


def pooled_index(first: SpanIndex, second: SpanIndex) -> SpanIndex:
    """One :class:`SpanIndex` of two built on the same documents: each document's rows of ``first``, then ``second``'s.

    ``span_index(docs, ("mention", "event"))`` from ``span_index(docs, ("mention",))`` and
    ``span_index(docs, ("event",))``, without reading the items again.
    """
    codes = {label: code for code, label in enumerate(first.labels)}
    for label in second.labels:
        codes.setdefault(label, len(codes))
    recode = np.asarray([codes[label] for label in second.labels], dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    nothing = (empty, empty, empty, empty)
    rows = {}
    for name in list(dict.fromkeys([*first.rows, *second.rows])):
        a, b = first.rows.get(name, nothing), second.rows.get(name, nothing)
        doc = np.concatenate([a[0], b[0]])
        order = np.argsort(doc, kind="stable")
        rows[name] = (
            doc[order],
            np.concatenate([a[1], b[1]])[order],
            np.concatenate([a[2], b[2]])[order],
            np.concatenate([a[3], recode[b[3]]])[order],
        )
    return SpanIndex(list(codes), rows)
