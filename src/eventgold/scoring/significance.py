"""Resampled statistics of a score run (moved out of :mod:`eventgold.scoring.api`).

The per-document count columns (:data:`SPECS`), per-group micro scores,
bootstrap confidence intervals and paired significance tests.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from eventgold.evaluation.counts import ratio
from eventgold.models import GoldDocument
from eventgold.scoring.bootstrap import (
    F1Spec,
    approximate_randomization_p,
    bootstrap_sums,
    f1_of,
    holm,
    paired_bootstrap_p,
    percentile_interval,
)
from eventgold.scoring.events import EventDocResult
from eventgold.scoring.mentions import MentionScores
from eventgold.scoring.metrics import HEADLINE_METRICS, RESAMPLED
from eventgold.scoring.report import ExtractorScore, Interval, SignificanceTest

NONE_GROUP = "(none)"
"""The group of documents without a source or split."""


@dataclass
class ScoredExtractor:
    """One extractor's score with the per-document counts the resampled statistics need."""

    score: ExtractorScore
    matrix: NDArray[np.float64]
    """Documents x (3 * len(SPECS)): the (score, actual, possible) counts of every :data:`SPECS` column."""
    type_matrix: NDArray[np.float64] | None = None
    """Per-document (score, actual, possible) of each per-type F1 in ``type_columns``."""
    type_columns: list[tuple[str, str]] = field(default_factory=list)
    """(family, type) of each column triple of ``type_matrix``."""


SPECS: tuple[F1Spec, ...] = tuple(F1Spec(n, 3 * i, 3 * i + 1, 3 * i + 2) for i, n in enumerate(RESAMPLED))
"""Per-document count columns (score, actual, possible) of every F1 that is resampled."""


def label_counts(per_doc: Sequence[Counter[tuple[str, str]]], label: str) -> NDArray[np.float64]:
    """Documents x (tp, actual, possible) of one label (event type or role).

    ``per_doc`` holds one counter per document keyed by (label, ``tp`` | ``actual`` | ``possible``).
    """
    out = np.zeros((len(per_doc), 3), dtype=np.float64)
    for j, column in enumerate(("tp", "actual", "possible")):
        key = (label, column)
        out[:, j] = [c.get(key, 0) for c in per_doc]
    return out


def type_count_matrix(
    ms: MentionScores,
    type_codes: dict[str, int],
    mention_types: Iterable[str],
    ev: Sequence[EventDocResult],
    roles: Iterable[str] = (),
) -> tuple[NDArray[np.float64], list[tuple[str, str]]]:
    """Per-document counts behind the per-type F1s (strict mentions, trigger classification, argument roles).

    ``type_codes`` maps actor types to their code in ``ms``; ``mention_types``
    are the actor types to include, ``ev`` the per-document event results and
    ``roles`` the argument roles, in table order. Returns documents x (3 per
    column) of (score, actual, possible), and the (family, type) of each column
    triple, as :attr:`ScoredExtractor.type_matrix` and ``type_columns`` hold them.
    """
    n = len(ev)
    blocks: list[NDArray[np.float64]] = []
    columns: list[tuple[str, str]] = []
    strict = ms.per_doc_type.get("strict")
    if strict is not None:
        for t in mention_types:
            c = strict[:, type_codes[t], :]
            credit, actual, possible = c[:, 0], c[:, [0, 1, 2, 4]].sum(axis=1), c[:, [0, 1, 2, 3]].sum(axis=1)
            blocks.append(np.stack([credit, actual, possible], axis=1).astype(np.float64))
            columns.append(("mention.strict", t))
    per_type = [r.per_type for r in ev]
    for t in sorted({t for r in ev for t, _ in r.per_type}):
        blocks.append(label_counts(per_type, t))
        columns.append(("event.trigger_cls", t))
    per_role = [r.per_role for r in ev]
    for role in roles:
        blocks.append(label_counts(per_role, role))
        columns.append(("event.arg_cls", role))
    if not blocks:
        return np.zeros((n, 0), dtype=np.float64), columns
    return np.hstack(blocks).astype(np.float64), columns


def group_scores(
    key: str, gold: Sequence[GoldDocument], matrix: NDArray[np.float64], zd: str
) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 of every resampled metric, summed over each group's documents.

    ``key`` is ``source`` (the article's source) or ``split``; ``matrix`` holds one row
    per document of ``gold`` (columns as :data:`SPECS`); ``zd`` is the zero-division
    policy (``0``, ``1`` or ``nan``). Returns group value (``(none)`` when unset) ->
    ``docs`` and ``<family>.precision|recall|f1`` -> value.
    """
    labels = [(g.article.source if key == "source" else g.split) or NONE_GROUP for g in gold]
    out: dict[str, dict[str, float]] = {}
    for value in sorted(set(labels)):
        rows = np.array([lab == value for lab in labels])
        sums = matrix[rows].sum(axis=0)
        metrics: dict[str, float] = {"docs": float(rows.sum())}
        for s in SPECS:
            credit, act, pos = sums[s.score], sums[s.actual], sums[s.possible]
            metrics[f"{s.name}.precision"] = ratio(credit, act, policy=zd, what="", warnings=None)
            metrics[f"{s.name}.recall"] = ratio(credit, pos, policy=zd, what="", warnings=None)
            metrics[f"{s.name}.f1"] = float(f1_of(sums, s, zd))
        out[value] = metrics
    return out


def resampled_statistics(
    results: list[ScoredExtractor], n_boot: int, seed: int, level: float, n_ar: int, zd: str
) -> list[SignificanceTest]:
    """Confidence intervals for every resampled F1; paired tests on the headline F1s.

    Fills each result's ``score.intervals`` and ``score.type_intervals`` with
    percentile intervals at ``level`` (0-1) over ``n_boot`` document resamples
    (Efron's bootstrap, seeded by ``seed``), and returns, for every pair of
    extractors and every headline F1, a paired bootstrap test (``n_boot`` rounds)
    and an approximate-randomization test (``n_ar`` rounds, Noreen), each
    Holm-corrected over the tests of its method.
    """
    full = [r.matrix if r.type_matrix is None else np.hstack([r.matrix, r.type_matrix]) for r in results]
    sums = bootstrap_sums(full, n_boot, seed)
    values: list[dict[str, np.ndarray]] = []
    for r, s in zip(results, sums, strict=True):
        per = {spec.name: f1_of(s, spec, zd) for spec in SPECS}
        values.append(per)
        for spec in SPECS:
            lo, hi = percentile_interval(per[spec.name], level)
            r.score.intervals[f"{spec.name}.f1"] = Interval(low=lo, high=hi, level=level, resamples=n_boot)
        base = r.matrix.shape[1]
        for k, (fam, type_name) in enumerate(r.type_columns):
            spec = F1Spec(f"{fam} {type_name}", base + 3 * k, base + 3 * k + 1, base + 3 * k + 2)
            lo, hi = percentile_interval(f1_of(s, spec, zd), level)
            r.score.type_intervals.setdefault(fam, {})[type_name] = Interval(
                low=lo, high=hi, level=level, resamples=n_boot
            )
    tests: list[SignificanceTest] = []
    spec_by_metric = {f"{s.name}.f1": s for s in SPECS}
    for (ia, a), (ib, b) in itertools.combinations(enumerate(results), 2):
        for metric in HEADLINE_METRICS:
            spec = spec_by_metric[metric]
            va, vb = a.score.metrics[metric], b.score.metrics[metric]
            delta = va - vb
            resampled = values[ia][spec.name] - values[ib][spec.name]
            common = dict(metric=metric, a=a.score.name, b=b.score.name, a_value=va, b_value=vb, delta=delta)
            tests.append(
                SignificanceTest(
                    **common,
                    method="paired_bootstrap",
                    rounds=n_boot,
                    p_value=paired_bootstrap_p(delta, resampled),
                    p_holm=math.nan,
                )
            )
            tests.append(
                SignificanceTest(
                    **common,
                    method="approximate_randomization",
                    rounds=n_ar,
                    p_value=approximate_randomization_p(a.matrix, b.matrix, spec, n_ar, seed, zd),
                    p_holm=math.nan,
                )
            )
    for method in ("paired_bootstrap", "approximate_randomization"):
        family = [t for t in tests if t.method == method]
        for t, p in zip(family, holm([t.p_value for t in family]), strict=True):
            t.p_holm = p
    return tests
