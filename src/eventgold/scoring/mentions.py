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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import attrgetter

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
_START, _END, _TYPE = attrgetter("start"), attrgetter("end"), attrgetter("type")
_ROW = np.dtype([("start", np.int64), ("end", np.int64), ("type", np.int64)])


class _NewCodes(dict[str, int]):
    """Type name -> code; a name not yet known gets the next code when first looked up."""

    def __missing__(self, name: str) -> int:
        code = self[name] = len(self)
        return code


def _read_rows(flat: list[Mention], ends: Iterable[int | None], codes: _NewCodes) -> NDArray[np.void]:
    """(start, end, type code) of each mention, as a structured array (:data:`_ROW`); ``ends`` per mention.

    Raises TypeError when a start or end is None.
    """
    rows = zip(map(_START, flat), ends, map(codes.__getitem__, map(_TYPE, flat)), strict=True)
    return np.fromiter(rows, _ROW, len(flat))


@dataclass(frozen=True)
class MentionRows:
    """The mentions with offsets of one side, as a span table plus the objects themselves."""

    table: SpanTable
    mentions: list[Mention]


def build_rows(docs: Sequence[Sequence[Mention]], type_codes: dict[str, int]) -> MentionRows:
    """Span table of every mention with offsets; ``docs[i]`` are document i's mentions.

    Args:
        docs: one sequence of mentions per document (n_docs sequences).
        type_codes: type name -> integer code; types not in it get new codes
            appended, in order of first appearance among mentions with offsets.

    Returns:
        MentionRows: one table row (doc index, start, end, type code) and one
        Mention per mention with offsets, in document order then stored order.
    """
    # One pass over the records, in C (chain, zip, map, attrgetter, fromiter): each record is read
    # once, all three fields together, as records scattered in memory make reading them the cost.
    flat: list[Mention] = list(chain.from_iterable(docs))
    n = len(flat)
    doc = np.repeat(np.arange(len(docs), dtype=np.int64), np.fromiter(map(len, docs), np.int64, len(docs)))
    codes = _NewCodes(type_codes)
    try:
        table = _read_rows(flat, map(_END, flat), codes)
    except TypeError:  # some mentions have no offsets (None): they take no part
        keep = [m.start is not None for m in flat]
        doc = doc[np.fromiter(keep, bool, n)]
        flat = list(compress(flat, keep))
        n = len(flat)
        codes = _NewCodes(type_codes)  # codes only for the types of mentions with offsets
        table = _read_rows(flat, [m.end or 0 for m in flat], codes)
    type_codes.update(codes)  # the new types, in order of first appearance
    start, end, type_ = (np.ascontiguousarray(table[field]) for field in ("start", "end", "type"))
    return MentionRows(SpanTable(doc, start, end, type_), flat)


def _tally(matching: Alignment, gold_key: NDArray[np.int64], n_keys: int) -> tuple[NDArray[np.int64], ...]:
    """Matched and correct gold rows per key (two arrays of ``n_keys``); ``gold_key`` gives each gold row's key."""
    matched_key = gold_key[matching.gold]
    return np.bincount(matched_key, minlength=n_keys), np.bincount(matched_key[matching.correct], minlength=n_keys)


def _assemble(
    tally: tuple[NDArray[np.int64], ...], n_gold: NDArray[np.int64], n_pred: NDArray[np.int64], partial: bool
) -> NDArray[np.int64]:
    """COR/INC/PAR/MIS/SPU per key (keys x 5) from :func:`_tally` and the gold and predicted rows per key."""
    matched, cor = tally
    out = np.zeros((len(n_gold), 5), dtype=np.int64)
    out[:, 0] = cor
    out[:, 2 if partial else 1] = matched - cor
    out[:, 3] = n_gold - matched
    out[:, 4] = n_pred - matched
    return out


def _counts_by_key(
    matching: Alignment, gold_key: NDArray[np.int64], pred_key: NDArray[np.int64], n_keys: int, partial: bool
) -> NDArray[np.int64]:
    """COR/INC/PAR/MIS/SPU per key (one row per key in ``range(n_keys)``); ``*_key`` gives each row's key."""
    n_gold = np.bincount(gold_key, minlength=n_keys)
    n_pred = np.bincount(pred_key, minlength=n_keys)
    return _assemble(_tally(matching, gold_key, n_keys), n_gold, n_pred, partial)


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
    """Match gold and predicted mentions under the four schemes and count.

    Args:
        gold: the gold rows (:func:`build_rows`), documents numbered ``0..n_docs-1``.
        pred: the predicted rows, numbered like the gold documents.
        n_docs: the number of documents (rows of the per-document matrices).
        type_names: type name of each type code (``type_names[code]``).

    Returns:
        MentionScores: per scheme, per-document and per-document-and-type counts,
        per-type totals (types present on either side, by name) and the alignments.
    """
    g, p = gold.table, pred.table
    ng, npred = len(g), len(p)
    pairs = candidate_pairs(g, p)
    # each distinct alignment is found and tallied once: exact and partial share theirs
    matchings: dict[str, Alignment] = {}
    for name in SCHEME_NAMES:
        matchings[name] = matchings["exact"] if name == "partial" else get_scheme(name).align(g, p, pairs)
    n_gold, n_pred = np.bincount(g.doc, minlength=n_docs), np.bincount(p.doc, minlength=n_docs)
    tallies = {name: _tally(matchings[name], g.doc, n_docs) for name in ("strict", "exact", "type")}
    per_doc = {
        name: _assemble(
            tallies["exact" if name == "partial" else name], n_gold, n_pred, get_scheme(name).partial_credit
        )
        for name in SCHEME_NAMES
    }
    same: CandidatePairs = pairs.subset(pairs.same_type)
    by_bounds = match_pairs(same, same.same_bounds, ng, npred)
    by_overlap = match_pairs(same, np.ones(len(same.gold), dtype=bool), ng, npred)
    n_types = len(type_names)
    n_keys = n_docs * n_types
    gold_key, pred_key = g.doc * n_types + g.type, p.doc * n_types + p.type
    n_gold_key, n_pred_key = np.bincount(gold_key, minlength=n_keys), np.bincount(pred_key, minlength=n_keys)
    bounds_tally, overlap_tally = _tally(by_bounds, gold_key, n_keys), _tally(by_overlap, gold_key, n_keys)
    by_type_rows = n_gold_key.reshape(n_docs, n_types).sum(axis=0) + n_pred_key.reshape(n_docs, n_types).sum(axis=0)
    present = sorted(np.flatnonzero(by_type_rows).tolist(), key=type_names.__getitem__)
    per_type: dict[str, dict[str, SchemeCounts]] = {}
    per_doc_type: dict[str, NDArray[np.int64]] = {}
    for name in SCHEME_NAMES:
        tally = overlap_tally if name == "type" else bounds_tally
        per_doc_type[name] = _assemble(tally, n_gold_key, n_pred_key, name == "partial").reshape(n_docs, n_types, 5)
        table = per_doc_type[name].sum(axis=0)
        per_type[name] = {type_names[code]: row_counts(table[code]) for code in present}
    return MentionScores(per_doc, per_type, matchings, gold, pred, per_doc_type)
