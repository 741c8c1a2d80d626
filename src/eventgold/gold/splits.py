"""Deterministic, leak-free train/dev/test splits of gold documents.

Rules, in order:

1. **Groups** never straddle splits. A group is a connected set of documents
   linked by near-duplication (``Article.duplicate_of``: a document, the one it
   duplicates and every other duplicate of that one) and, with ``group_by``,
   by the same ``source`` or the same ``published`` month (``YYYY-MM``).
   Documents without a source / date form groups of their own.
2. **Previous splits** (``previous``: doc id -> split of an older gold
   version) are kept: every document found there keeps its split, and the
   rest of its group follows it. A group whose documents had different
   splits before keeps them (the older version already leaked) and is
   reported in ``SplitInfo.previous_conflicts``.
3. **New groups** are dealt into ``k = min(20, number of groups)`` folds as
   scikit-learn's ``StratifiedGroupKFold(shuffle=True, random_state=seed)``
   deals them (:func:`stratified_group_folds`: the same deal, faster),
   stratified by each document's dominant event type (most frequent; ties by
   name; ``NONE`` without events) as far as the groups allow. scikit-learn
   needs one type with at least ``k`` documents: otherwise ``k`` drops to the
   largest type's count when that is still >= 10 (or the number of groups),
   else the deal is not stratified. Fold ``i`` goes
   to the split whose cumulative ratio interval holds ``(i + 0.5) / k`` —
   with 20 folds, 70/15/15 is exactly 14/3/3 folds.

The input order does not matter (documents are sorted by id first), so the
same documents, ratios and seed always give the same splits.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from eventgold.errors import ConfigError
from eventgold.models import SPLITS, GoldDocument

GroupBy = Literal["source", "published-month"]
GROUP_BY: tuple[str, ...] = ("source", "published-month")
"""What documents can be grouped by, besides near-duplicates (each group stays in one split)."""
DEFAULT_RATIOS = (0.7, 0.15, 0.15)
DEFAULT_SEED = 13
MAX_SEED = 2**32 - 1
"""The largest seed of a split (numpy's legacy seeding takes 32 bits)."""
MAX_FOLDS = 20
MIN_FOLDS = 10


class SplitInfo(BaseModel):
    """How splits were made (recorded in the manifest)."""

    model_config = ConfigDict(extra="forbid")

    ratios: tuple[float, float, float]
    seed: int
    group_by: str | None
    groups: int
    folds: int
    kept_from_previous: int = 0
    previous_conflicts: list[list[str]] = Field(default_factory=list)
    """Groups whose documents had different splits in the previous version."""


def dominant_event_type(doc: GoldDocument) -> str:
    """The most frequent event type of a document (ties by name); ``NONE`` without events."""
    counts = Counter(e.type for e in doc.events)
    if not counts:
        return "NONE"
    return min(counts, key=lambda t: (-counts[t], t))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _group_key(doc: GoldDocument, group_by: str | None) -> str | None:
    article = doc.article
    if group_by == "source":
        return f"source:{article.source}" if article.source else None
    if group_by == "published-month":
        return f"month:{article.published:%Y-%m}" if article.published else None
    return None


def groups_of(docs: Sequence[GoldDocument], group_by: str | None = None) -> dict[str, int]:
    """doc id -> group number (numbered by the smallest doc id in the group)."""
    uf = _UnionFind()
    for doc in docs:
        node = "doc:" + doc.doc_id
        uf.find(node)
        if doc.article.duplicate_of:
            uf.union(node, "doc:" + doc.article.duplicate_of)
        key = _group_key(doc, group_by)
        if key is not None:
            uf.union(node, key)
    numbers: dict[str, int] = {}
    out: dict[str, int] = {}
    for doc_id in sorted(d.doc_id for d in docs):
        root = uf.find("doc:" + doc_id)
        out[doc_id] = numbers.setdefault(root, len(numbers))
    return out


def _fold_split(fold: int, folds: int, ratios: Sequence[float]) -> str:
    point = (fold + 0.5) / folds
    edge = 0.0
    for name, ratio in zip(SPLITS, ratios, strict=True):
        edge += ratio
        if point < edge:
            return name
    return SPLITS[-1]


def stratified_group_folds(labels: Sequence[str], groups: Sequence[int], folds: int, seed: int) -> list[int]:
    """The fold of each document as scikit-learn's ``StratifiedGroupKFold`` deals them, computed faster.

    The same greedy deal as ``StratifiedGroupKFold(n_splits=folds, shuffle=True,
    random_state=seed)`` (as in scikit-learn 1.9): groups shuffled with numpy's
    legacy ``RandomState(seed)``, visited by decreasing standard deviation of
    their class counts, each put in the fold that keeps the per-class spread
    (mean over classes of the standard deviation over folds of the fold's share
    of the class) lowest, near-ties (``np.isclose``) going to the fold with
    fewer documents, then to the first. scikit-learn tries the folds one at a
    time; here all ``folds`` trials of one group are one array operation over
    arrays laid out like scikit-learn's, so every figure compared is the same
    float (tests/unit/test_gold_splits.py compares both, with the installed
    scikit-learn, on random data). scikit-learn is not imported here.

    Args:
        labels: the stratification class of each document, length n.
        groups: the group number of each document, length n (a group stays in one fold).
        folds: how many folds, at most the number of groups.
        seed: the random state, 0 to 2**32-1.

    Returns:
        The fold (0 to ``folds`` - 1) of each document, length n.
    """
    _, y_inv, y_cnt = np.unique(np.asarray(labels), return_inverse=True, return_counts=True)
    _, groups_inv, groups_cnt = np.unique(np.asarray(groups), return_inverse=True, return_counts=True)
    y_inv = y_inv.reshape(-1)
    groups_inv = groups_inv.reshape(-1)
    n_groups = len(groups_cnt)
    per_group = np.zeros((n_groups, len(y_cnt)))
    np.add.at(per_group, (groups_inv, y_inv), 1)
    perm = np.arange(n_groups)
    np.random.RandomState(seed).shuffle(perm)
    per_group = per_group[perm]
    inv_perm = np.empty_like(perm)
    inv_perm[perm] = np.arange(perm.size)
    groups_inv = inv_perm[groups_inv]
    visit = np.argsort(-np.std(per_group, axis=1), kind="stable")
    per_fold = np.zeros((folds, len(y_cnt)))
    trials = np.empty((folds, folds, len(y_cnt)))  # trial k: per_fold with the group added to fold k
    diagonal = np.arange(folds)
    share = y_cnt.reshape(1, -1)
    fold_of_group = np.empty(n_groups, dtype=np.intp)
    for group in visit.tolist():
        counts = per_group[group]
        trials[:] = per_fold
        trials[diagonal, diagonal] += counts
        evals = np.mean(np.std(trials / share, axis=1), axis=1).tolist()
        sizes = per_fold.sum(axis=1).tolist()
        best, best_eval, best_size = 0, math.inf, math.inf
        for k in range(folds):
            value = evals[k]
            close = best_eval != math.inf and abs(value - best_eval) <= 1e-08 + 1e-05 * abs(best_eval)
            if value < best_eval or (close and sizes[k] < best_size):
                best, best_eval, best_size = k, value, sizes[k]
        per_fold[best] += counts
        fold_of_group[group] = best
    return [int(f) for f in fold_of_group[groups_inv]]


def _deal(
    doc_ids: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[int],
    seed: int,
    ratios: Sequence[float],
) -> tuple[dict[str, str], int]:
    n_groups = len(set(groups))
    if n_groups < 2:
        return {d: _fold_split(0, 1, ratios) for d in doc_ids}, 1
    # scikit-learn needs some class with at least n_splits members: use fewer folds
    # (>= MIN_FOLDS) when that keeps stratification, else give stratification up
    folds = min(MAX_FOLDS, n_groups)
    largest = max(Counter(labels).values())
    if largest < folds:
        if largest >= min(MIN_FOLDS, n_groups):
            folds = largest
        else:
            labels = ["ALL"] * len(labels)
    names = [_fold_split(fold, folds, ratios) for fold in range(folds)]
    dealt = stratified_group_folds(labels, groups, folds, seed)
    return {doc_id: names[fold] for doc_id, fold in zip(doc_ids, dealt, strict=True)}, folds


def assign_splits(
    docs: Sequence[GoldDocument],
    *,
    ratios: Sequence[float] = DEFAULT_RATIOS,
    seed: int = DEFAULT_SEED,
    group_by: str | None = None,
    previous: Mapping[str, str] | None = None,
) -> tuple[list[GoldDocument], SplitInfo]:
    """Give every document a split (rules in the module docstring); returns copies, sorted by id."""
    if not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"seed must be between 0 and 2**32-1, got {seed}")
    ordered = sorted(docs, key=lambda d: d.doc_id)
    group = groups_of(ordered, group_by)
    members: dict[int, list[str]] = defaultdict(list)
    for doc_id, g in group.items():
        members[g].append(doc_id)
    previous = previous or {}
    split: dict[str, str] = {}
    conflicts: list[list[str]] = []
    kept = 0
    for _, ids in sorted(members.items()):
        before = {d: previous[d] for d in ids if d in previous}
        if not before:
            continue
        kept += len(before)
        split.update(before)
        counts = Counter(before.values())
        if len(counts) > 1:
            conflicts.append(sorted(ids))
        follow = min(counts, key=lambda s: (-counts[s], SPLITS.index(s)))
        for d in ids:
            split.setdefault(d, follow)
    fresh = [d for d in ordered if d.doc_id not in split]
    folds = 0
    if fresh:
        dealt, folds = _deal(
            [d.doc_id for d in fresh],
            [dominant_event_type(d) for d in fresh],
            [group[d.doc_id] for d in fresh],
            seed,
            ratios,
        )
        split.update(dealt)
    out = [d.model_copy(update={"split": split[d.doc_id]}) for d in ordered]
    info = SplitInfo(
        ratios=(ratios[0], ratios[1], ratios[2]),
        seed=seed,
        group_by=group_by,
        groups=len(members),
        folds=folds,
        kept_from_previous=kept,
        previous_conflicts=conflicts,
    )
    return out, info
