"""Mention scoring: COR/INC/PAR/MIS/SPU per scheme, per document and per type.

Overall counts use the scheme's matching over all mentions of a document.
Per-type counts follow nervaluate: the matching is redone on the mentions of
that type only (gold and predicted), so a mention given the wrong type is
INC in the overall counts but MIS for its gold type and SPU for its predicted
type; per-type counts therefore need not add up to the overall counts. Type
confusions are shown by the actor-type confusion matrix instead.

Mentions without offsets take no part here (see ``actors`` and ``coder``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from eventgold.evaluation.counts import SchemeCounts
from eventgold.evaluation.matching import (
    SEMEVAL_SCHEMES,
    Alignment,
    CandidatePairs,
    SpanTable,
    candidate_pairs,
    get_scheme,
    match_pairs,
)
from eventgold.models import Mention

SCHEME_NAMES: tuple[str, ...] = SEMEVAL_SCHEMES
# columns of a per-document count matrix, in this order
COUNT_COLUMNS: tuple[str, ...] = ("cor", "inc", "par", "mis", "spu")


@dataclass(frozen=True)
class MentionRows:
    """The mentions with offsets of one side, as a span table plus the objects themselves."""

    table: SpanTable
    mentions: list[Mention]


def build_rows(docs: Sequence[Sequence[Mention]], type_codes: dict[str, int]) -> MentionRows:
    """Span table of every mention with offsets; ``docs[i]`` are document i's mentions.

    Unknown types get new codes appended to ``type_codes``.
    """
    kept: list[Mention] = []
    doc: list[int] = []
    start: list[int] = []
    end: list[int] = []
    types: list[int] = []
    # one pass with bound appends: this loop over every mention is the cost of scoring
    keep, add_doc, add_start, add_end, add_type = kept.append, doc.append, start.append, end.append, types.append
    for i, ms in enumerate(docs):
        for m in ms:
            s = m.start
            if s is None:
                continue
            code = type_codes.get(m.type)
            if code is None:
                code = type_codes[m.type] = len(type_codes)
            keep(m)
            add_doc(i)
            add_start(s)
            add_end(m.end or 0)
            add_type(code)
    return MentionRows(SpanTable(np.array(doc), np.array(start), np.array(end), np.array(types)), kept)


def _counts_by_key(
    matching: Alignment, gold_key: NDArray[np.int64], pred_key: NDArray[np.int64], n_keys: int, partial: bool
) -> NDArray[np.int64]:
    """COR/INC/PAR/MIS/SPU per key (one row per key in ``range(n_keys)``); ``*_key`` gives each row's key."""
    matched = np.bincount(gold_key[matching.gold], minlength=n_keys)
    cor = np.bincount(gold_key[matching.gold[matching.correct]], minlength=n_keys)
    n_gold = np.bincount(gold_key, minlength=n_keys)
    n_pred = np.bincount(pred_key, minlength=n_keys)
    other = matched - cor
    zeros = np.zeros(n_keys, dtype=np.int64)
    inc, par = (zeros, other) if partial else (other, zeros)
    return np.stack([cor, inc, par, n_gold - matched, n_pred - matched], axis=1).astype(np.int64)


def counts_matrix(
    matching: Alignment, gold: SpanTable, pred: SpanTable, n_docs: int, partial: bool
) -> NDArray[np.int64]:
    """Per-document COR/INC/PAR/MIS/SPU (one row per document) from an alignment."""
    return _counts_by_key(matching, gold.doc, pred.doc, n_docs, partial)


def counts_by_type(
    matching: Alignment, gold: SpanTable, pred: SpanTable, n_types: int, partial: bool
) -> NDArray[np.int64]:
    """Per-type COR/INC/PAR/MIS/SPU (one row per type code) from a same-type alignment."""
    return _counts_by_key(matching, gold.type, pred.type, n_types, partial)


def counts_by_doc_type(
    matching: Alignment, gold: SpanTable, pred: SpanTable, n_docs: int, n_types: int, partial: bool
) -> NDArray[np.int64]:
    """Per-document, per-type COR/INC/PAR/MIS/SPU (documents x type codes x 5) from a same-type alignment.

    Summed over documents it equals :func:`counts_by_type`; resampling documents
    over it gives per-type confidence intervals.
    """
    gold_key = gold.doc * n_types + gold.type
    pred_key = pred.doc * n_types + pred.type
    return _counts_by_key(matching, gold_key, pred_key, n_docs * n_types, partial).reshape(n_docs, n_types, 5)


def row_counts(row: NDArray[np.int64]) -> SchemeCounts:
    """A count-matrix row (or column sums) as SchemeCounts."""
    return SchemeCounts(*(int(x) for x in row))


@dataclass(frozen=True)
class MentionScores:
    """Everything mention scoring produces, before it is turned into report models."""

    per_doc: dict[str, NDArray[np.int64]]
    """Scheme -> (documents x COR/INC/PAR/MIS/SPU)."""
    per_type: dict[str, dict[str, SchemeCounts]]
    """Scheme -> type -> counts (nervaluate's per-type evaluation)."""
    matchings: dict[str, Alignment]
    """Scheme -> overall alignment (exact and partial share one)."""
    gold: MentionRows
    pred: MentionRows
    per_doc_type: dict[str, NDArray[np.int64]] = field(default_factory=dict)
    """Scheme -> (documents x type codes x COR/INC/PAR/MIS/SPU), the per-type counts per document."""

    def totals(self, scheme: str) -> SchemeCounts:
        """The scheme's counts summed over documents."""
        return row_counts(self.per_doc[scheme].sum(axis=0))


def score_mentions(gold: MentionRows, pred: MentionRows, n_docs: int, type_names: list[str]) -> MentionScores:
    """Match gold and predicted mentions under the four schemes and count."""
    ng, npred = len(gold.table), len(pred.table)
    pairs = candidate_pairs(gold.table, pred.table)
    matchings: dict[str, Alignment] = {}
    per_doc: dict[str, NDArray[np.int64]] = {}
    for name in SCHEME_NAMES:
        scheme = get_scheme(name)
        if name == "partial":
            matchings[name] = matchings["exact"]  # same correct pairs, PAR instead of INC
        else:
            matchings[name] = scheme.align(gold.table, pred.table, pairs)
        per_doc[name] = counts_matrix(matchings[name], gold.table, pred.table, n_docs, scheme.partial_credit)
    same: CandidatePairs = pairs.subset(pairs.same_type)
    by_bounds = match_pairs(same, same.same_bounds, ng, npred)
    by_overlap = match_pairs(same, np.ones(len(same.gold), dtype=bool), ng, npred)
    n_types = len(type_names)
    per_type: dict[str, dict[str, SchemeCounts]] = {}
    per_doc_type: dict[str, NDArray[np.int64]] = {}
    present = set(gold.table.type.tolist()) | set(pred.table.type.tolist())
    for name in SCHEME_NAMES:
        matching = by_overlap if name == "type" else by_bounds
        table = counts_by_type(matching, gold.table, pred.table, n_types, name == "partial")
        per_doc_type[name] = counts_by_doc_type(matching, gold.table, pred.table, n_docs, n_types, name == "partial")
        per_type[name] = {
            type_names[code]: row_counts(table[code]) for code in sorted(present, key=lambda c: type_names[c])
        }
    return MentionScores(per_doc, per_type, matchings, gold, pred, per_doc_type)
