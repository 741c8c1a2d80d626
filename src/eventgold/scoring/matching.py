"""Span matching for mentions: the four SemEval-2013 9.1 schemes as nervaluate defines them.

Every scheme shares one interface (:class:`MatchingScheme`): which overlapping
gold/predicted pairs count as *correct*, and whether a matched pair that is
not correct is *incorrect* (INC) or *partial* (PAR, half credit):

========  ===========================================  ======================
scheme    correct when                                  other overlaps count as
========  ===========================================  ======================
strict    same boundaries and same type                 INC
exact     same boundaries (type ignored)                INC
partial   same boundaries (type ignored)                PAR (half credit)
type      any overlap and same type                     INC
========  ===========================================  ======================

Spans are character offsets, end exclusive. Two spans overlap when they share
at least one character; a zero-length span overlaps nothing and matches only
a span with the same boundaries. nervaluate counts an overlap only when it
covers at least 1% of the gold span (a 1-character overlap of a gold span
longer than 100 characters does not count there; it does here).

Matching is one-to-one. nervaluate matches greedily in list order; here the
matching is optimal: it maximizes the number of correct pairs first and then
the number of matched pairs (a linear assignment, lexicographic weights), so
the counts never depend on the order of mentions or documents. Where no span
overlaps more than one span of the other side the two agree exactly. Pairs in
which each side overlaps only the other are matched directly; only the
remaining components go through ``scipy.optimize.linear_sum_assignment``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from eventgold.errors import UserError

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


class SpanTable:
    """Spans of many documents as parallel numpy arrays (one row per span).

    ``doc`` is the document's index in the scored gold, ``type`` an integer
    code of the span's type. Arguments are checked here so matching code can
    trust them.
    """

    def __init__(
        self,
        doc: NDArray[np.integer] | list[int],
        start: NDArray[np.integer] | list[int],
        end: NDArray[np.integer] | list[int],
        type_: NDArray[np.integer] | list[int],
    ) -> None:
        self.doc = np.asarray(doc, dtype=np.int64)
        self.start = np.asarray(start, dtype=np.int64)
        self.end = np.asarray(end, dtype=np.int64)
        self.type = np.asarray(type_, dtype=np.int64)
        n = len(self.doc)
        for name in ("start", "end", "type"):
            arr = getattr(self, name)
            if arr.ndim != 1 or len(arr) != n:
                raise ValueError(f"{name} must be a 1-d array of length {n}, got shape {arr.shape}")
        if n and (self.start.min() < 0 or (self.end < self.start).any() or self.doc.min() < 0):
            raise ValueError("spans need 0 <= start <= end and doc >= 0")

    def __len__(self) -> int:
        return len(self.doc)


@dataclass(frozen=True)
class CandidatePairs:
    """Every gold/predicted pair in one document that overlaps or has equal boundaries."""

    gold: IntArray
    pred: IntArray
    same_bounds: BoolArray
    same_type: BoolArray

    def subset(self, mask: BoolArray) -> CandidatePairs:
        """The pairs where ``mask`` is true."""
        return CandidatePairs(self.gold[mask], self.pred[mask], self.same_bounds[mask], self.same_type[mask])


def candidate_pairs(gold: SpanTable, pred: SpanTable) -> CandidatePairs:
    """All pairs of spans of the same document that overlap or share both boundaries.

    Vectorized over the whole corpus: positions are shifted by document so that
    spans of different documents can never overlap, gold starts are sorted, and
    each predicted span looks only at gold spans starting within
    ``[start - longest gold span, end]``.
    """
    empty = np.zeros(0, dtype=np.int64)
    if len(gold) == 0 or len(pred) == 0:
        return CandidatePairs(empty, empty, empty.astype(bool), empty.astype(bool))
    stride = int(max(gold.end.max(), pred.end.max())) + 2
    gs = gold.doc * stride + gold.start
    ge = gold.doc * stride + gold.end
    ps = pred.doc * stride + pred.start
    pe = pred.doc * stride + pred.end
    order = np.argsort(gs, kind="stable")
    gs_sorted = gs[order]
    longest = int((gold.end - gold.start).max())
    lo = np.searchsorted(gs_sorted, ps - longest, side="left")
    hi = np.searchsorted(gs_sorted, pe, side="right")
    counts = hi - lo
    total = int(counts.sum())
    pred_idx = np.repeat(np.arange(len(pred), dtype=np.int64), counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    gold_idx = order[np.repeat(lo, counts) + offsets]
    g_s, g_e, p_s, p_e = gs[gold_idx], ge[gold_idx], ps[pred_idx], pe[pred_idx]
    same_bounds = (g_s == p_s) & (g_e == p_e)
    overlap = (g_s < p_e) & (p_s < g_e) & (g_s < g_e) & (p_s < p_e)
    keep = same_bounds | overlap
    gold_idx, pred_idx = gold_idx[keep], pred_idx[keep]
    return CandidatePairs(gold_idx, pred_idx, same_bounds[keep], gold.type[gold_idx] == pred.type[pred_idx])


@dataclass(frozen=True)
class Matching:
    """A one-to-one matching: parallel arrays of gold row, predicted row, correct flag."""

    gold: IntArray
    pred: IntArray
    correct: BoolArray


def match_pairs(pairs: CandidatePairs, correct: BoolArray, n_gold: int, n_pred: int) -> Matching:
    """The one-to-one matching with most correct pairs, then most matched pairs.

    ``correct`` marks which candidate pairs are correct under the scheme; every
    candidate pair may be matched.
    """
    g, p = pairs.gold, pairs.pred
    if len(g) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Matching(empty, empty, empty.astype(bool))
    deg_g = np.bincount(g, minlength=n_gold)
    deg_p = np.bincount(p, minlength=n_pred)
    simple = (deg_g[g] == 1) & (deg_p[p] == 1)
    out_g = [g[simple]]
    out_p = [p[simple]]
    out_c = [correct[simple]]
    rest = np.flatnonzero(~simple)
    if len(rest):
        rg, rp, rc = g[rest], p[rest], correct[rest]
        ug, g_local = np.unique(rg, return_inverse=True)
        up, p_local = np.unique(rp, return_inverse=True)
        n_nodes = len(ug) + len(up)
        graph = coo_matrix((np.ones(len(rest)), (g_local, p_local + len(ug))), shape=(n_nodes, n_nodes))
        _, labels = connected_components(graph, directed=False)
        edge_comp = labels[g_local]
        order = np.argsort(edge_comp, kind="stable")
        bounds = np.flatnonzero(np.diff(edge_comp[order])) + 1
        for chunk in np.split(order, bounds):
            cg, cp, cc = rg[chunk], rp[chunk], rc[chunk]
            rows, ri = np.unique(cg, return_inverse=True)
            cols, ci = np.unique(cp, return_inverse=True)
            heavy = len(chunk) + 1  # one more correct pair beats any number of other pairs
            weight = np.zeros((len(rows), len(cols)), dtype=np.int64)
            weight[ri, ci] = np.where(cc, heavy, 1)
            is_correct = np.zeros((len(rows), len(cols)), dtype=bool)
            is_correct[ri, ci] = cc
            r, c = linear_sum_assignment(weight, maximize=True)
            used = weight[r, c] > 0
            out_g.append(rows[r[used]])
            out_p.append(cols[c[used]])
            out_c.append(is_correct[r[used], c[used]])
    return Matching(np.concatenate(out_g), np.concatenate(out_p), np.concatenate(out_c))


class MatchingScheme(ABC):
    """One way of deciding which overlapping gold/predicted spans are correct."""

    name: str
    partial_credit: bool = False

    @abstractmethod
    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Which candidate pairs count as correct under this scheme."""

    def match(self, pairs: CandidatePairs, n_gold: int, n_pred: int) -> Matching:
        """The optimal one-to-one matching of ``pairs`` under this scheme."""
        return match_pairs(pairs, self.correct(pairs), n_gold, n_pred)


class StrictScheme(MatchingScheme):
    """Same boundaries and same type; any other overlap is incorrect."""

    name = "strict"

    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Pairs with the same boundaries and type."""
        return pairs.same_bounds & pairs.same_type


class ExactScheme(MatchingScheme):
    """Same boundaries whatever the type; any other overlap is incorrect."""

    name = "exact"

    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Pairs with the same boundaries."""
        return pairs.same_bounds.copy()


class PartialScheme(ExactScheme):
    """Same boundaries whatever the type; any other overlap is partial (half credit)."""

    name = "partial"
    partial_credit = True


class TypeScheme(MatchingScheme):
    """Any overlap with the same type; an overlap with another type is incorrect."""

    name = "type"

    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Pairs of the same type (every candidate pair overlaps)."""
        return pairs.same_type.copy()


SCHEMES: dict[str, type[MatchingScheme]] = {
    "strict": StrictScheme,
    "exact": ExactScheme,
    "partial": PartialScheme,
    "type": TypeScheme,
}


def get_scheme(name: str) -> MatchingScheme:
    """The matching scheme called ``name`` (strict, exact, partial, type)."""
    try:
        return SCHEMES[name]()
    except KeyError:
        raise UserError(f"unknown matching scheme {name!r}; choose one of {', '.join(SCHEMES)}") from None
