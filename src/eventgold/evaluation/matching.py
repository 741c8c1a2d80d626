"""Span matching: one class per scheme behind one interface (:class:`MatchingScheme`).

A scheme decides which overlapping gold/predicted pairs are *correct*, whether
a matched pair that is not correct is *incorrect* (INC) or *partial* (PAR,
half credit), and how the one-to-one matching is found:

=======  ==============================  =======================  ========
scheme   correct when                    other overlaps count as  matching
=======  ==============================  =======================  ========
strict   same boundaries and same type   INC                      optimal
exact    same boundaries (type ignored)  INC                      optimal
partial  same boundaries (type ignored)  PAR (half credit)        optimal
type     any overlap and same type       INC                      optimal
overlap  any overlap and same type       not matched              greedy
=======  ==============================  =======================  ========

The first four are the SemEval-2013 9.1 schemes as nervaluate defines them
(:data:`SEMEVAL_SCHEMES`, what ``score`` reports); ``overlap`` is the
agreement scheme (``agree``): only same-type pairs are matched, greedily by
largest overlap (ties by gold start, gold end, predicted start, predicted end,
then row order).

Spans are character offsets, end exclusive. Two spans overlap when they share
at least one character; a zero-length span overlaps nothing and matches only
a span with the same boundaries. nervaluate counts an overlap only when it
covers at least 1% of the gold span (a 1-character overlap of a gold span
longer than 100 characters does not count there; it does here).

The optimal matching is one-to-one. nervaluate matches greedily in list order;
here it maximizes the number of correct pairs first and then the number of
matched pairs (a linear assignment, lexicographic weights), so the counts never
depend on the order of mentions or documents. Where no span overlaps more than
one span of the other side the two agree exactly. Pairs in which each side
overlaps only the other are matched directly; only the remaining components go
through ``scipy.optimize.linear_sum_assignment``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from eventgold.errors import UserError

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

SchemeName = Literal["strict", "exact", "partial", "type", "overlap"]
"""The name of a matching scheme (a key of :data:`SCHEMES`)."""


class SpanTable:
    """Spans of many documents as parallel numpy arrays (one row per span).

    ``doc`` is the document's index in the scored gold, ``type`` an integer
    code of the span's type, ``start``/``end`` character offsets (end
    exclusive); all four of one length. Arguments are checked here so
    matching code can trust them.

    Raises:
        ValueError: an array is not 1-d or not as long as ``doc``, or a span
            has ``start < 0``, ``end < start`` or ``doc < 0``.
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
    """Every gold/predicted pair in one document that overlaps or has equal boundaries.

    Parallel arrays, one entry per pair: gold row, predicted row, whether the
    boundaries are equal, whether the types are equal.
    """

    gold: IntArray
    pred: IntArray
    same_bounds: BoolArray
    same_type: BoolArray

    def subset(self, mask: BoolArray) -> CandidatePairs:
        """The pairs where ``mask`` (one flag per pair) is true."""
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
class Alignment:
    """The result of matching: a one-to-one alignment of gold and predicted rows.

    Parallel arrays, one entry per matched pair: gold row, predicted row, and
    whether the pair is correct under the scheme that matched it.
    """

    gold: IntArray
    pred: IntArray
    correct: BoolArray


def _empty_alignment() -> Alignment:
    empty = np.zeros(0, dtype=np.int64)
    return Alignment(empty, empty, empty.astype(bool))


def match_pairs(pairs: CandidatePairs, correct: BoolArray, n_gold: int, n_pred: int) -> Alignment:
    """The one-to-one alignment with most correct pairs, then most matched pairs.

    ``correct`` marks which candidate pairs are correct under the scheme (one
    flag per pair); every candidate pair may be matched. ``n_gold`` and
    ``n_pred`` are the numbers of rows of the two span tables.
    """
    g, p = pairs.gold, pairs.pred
    if len(g) == 0:
        return _empty_alignment()
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
    return Alignment(np.concatenate(out_g), np.concatenate(out_p), np.concatenate(out_c))


class MatchingScheme(ABC):
    """One way of deciding which overlapping gold/predicted spans are correct, and of matching them."""

    name: ClassVar[SchemeName]
    partial_credit: ClassVar[bool] = False

    @abstractmethod
    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Which candidate pairs count as correct under this scheme (one flag per pair)."""

    def align(self, gold: SpanTable, pred: SpanTable, pairs: CandidatePairs | None = None) -> Alignment:
        """The one-to-one alignment of ``gold`` and ``pred`` rows under this scheme.

        ``pairs`` are their candidate pairs when already computed
        (:func:`candidate_pairs`); the optimal matching of :func:`match_pairs`.
        """
        pairs = candidate_pairs(gold, pred) if pairs is None else pairs
        return match_pairs(pairs, self.correct(pairs), len(gold), len(pred))


class StrictScheme(MatchingScheme):
    """Same boundaries and same type; any other overlap is incorrect."""

    name: ClassVar[SchemeName] = "strict"

    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Pairs with the same boundaries and type."""
        return pairs.same_bounds & pairs.same_type


class ExactScheme(MatchingScheme):
    """Same boundaries whatever the type; any other overlap is incorrect."""

    name: ClassVar[SchemeName] = "exact"

    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Pairs with the same boundaries."""
        return pairs.same_bounds.copy()


class PartialScheme(ExactScheme):
    """Same boundaries whatever the type; any other overlap is partial (half credit)."""

    name: ClassVar[SchemeName] = "partial"
    partial_credit = True


class TypeScheme(MatchingScheme):
    """Any overlap with the same type; an overlap with another type is incorrect."""

    name: ClassVar[SchemeName] = "type"

    def correct(self, pairs: CandidatePairs) -> BoolArray:
        """Pairs of the same type (every candidate pair overlaps)."""
        return pairs.same_type.copy()


class OverlapScheme(TypeScheme):
    """Agreement's scheme: same-type overlaps only, matched greedily by largest overlap.

    Correct pairs are those of :class:`TypeScheme`, but only they are matched
    (an overlap with another type is no pair at all), and the matching is
    greedy, as ``agree`` has always counted: pairs in order of largest overlap
    (in characters), ties by gold start, gold end, predicted start, predicted
    end, gold row, predicted row.
    """

    name: ClassVar[SchemeName] = "overlap"

    def align(self, gold: SpanTable, pred: SpanTable, pairs: CandidatePairs | None = None) -> Alignment:
        """The greedy alignment of same-type overlapping ``gold`` and ``pred`` rows."""
        pairs = candidate_pairs(gold, pred) if pairs is None else pairs
        pairs = pairs.subset(self.correct(pairs))
        g, p = pairs.gold, pairs.pred
        if len(g) == 0:
            return _empty_alignment()
        g_start, g_end, p_start, p_end = gold.start[g], gold.end[g], pred.start[p], pred.end[p]
        shared = np.minimum(g_end, p_end) - np.maximum(g_start, p_start)
        order = np.lexsort((p, g, p_end, p_start, g_end, g_start, -shared))
        used_g: set[int] = set()
        used_p: set[int] = set()
        kept: list[int] = []
        for k, i, j in zip(order.tolist(), g[order].tolist(), p[order].tolist(), strict=True):
            if i in used_g or j in used_p:
                continue
            used_g.add(i)
            used_p.add(j)
            kept.append(k)
        keep = np.array(kept, dtype=np.int64)
        return Alignment(g[keep], p[keep], np.ones(len(keep), dtype=bool))


SCHEMES: dict[str, type[MatchingScheme]] = {
    "strict": StrictScheme,
    "exact": ExactScheme,
    "partial": PartialScheme,
    "type": TypeScheme,
    "overlap": OverlapScheme,
}
SEMEVAL_SCHEMES: tuple[SchemeName, ...] = ("strict", "exact", "partial", "type")
"""The SemEval-2013 9.1 schemes (nervaluate's), in the order reports list them."""


def get_scheme(name: str) -> MatchingScheme:
    """The matching scheme called ``name`` (a key of :data:`SCHEMES`).

    Raises:
        UserError: no scheme has that name.
    """
    try:
        return SCHEMES[name]()
    except KeyError:
        raise UserError(f"unknown matching scheme {name!r}; choose one of {', '.join(SCHEMES)}") from None
