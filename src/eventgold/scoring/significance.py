"""Resampled statistics of a score run (moved out of :mod:`eventgold.scoring.api`).

The per-document count columns (:data:`SPECS`), per-group micro scores,
bootstrap confidence intervals and paired significance tests.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

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
from eventgold.scoring.coder import CODER_VARIANTS
from eventgold.scoring.counts import ratio
from eventgold.scoring.events import ACE_METRICS
from eventgold.scoring.mentions import SCHEME_NAMES
from eventgold.scoring.report import HEADLINE_METRICS, ExtractorScore, Interval, SignificanceTest

NONE_GROUP = "(none)"


@dataclass
class _Result:
    score: ExtractorScore
    matrix: NDArray[np.float64]
    type_matrix: NDArray[np.float64] | None = None
    """Per-document (score, actual, possible) of each per-type F1 in ``type_columns``."""
    type_columns: list[tuple[str, str]] = field(default_factory=list)
    """(family, type) of each column triple of ``type_matrix``."""


def _column_specs() -> list[F1Spec]:
    names = [f"mention.{s}" for s in SCHEME_NAMES] + ["actor.set"]
    names += [f"event.{m}" for m in ACE_METRICS] + [f"coder.{v}" for v in CODER_VARIANTS]
    return [F1Spec(n, 3 * i, 3 * i + 1, 3 * i + 2) for i, n in enumerate(names)]


SPECS: tuple[F1Spec, ...] = tuple(_column_specs())
"""Per-document count columns (score, actual, possible) of every F1 that is resampled."""


def _groups(
    key: str, gold: Sequence[GoldDocument], matrix: NDArray[np.float64], zd: str
) -> dict[str, dict[str, float]]:
    """Micro P/R/F1 of every resampled metric, summed over each group's documents."""
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


def _statistics(
    results: list[_Result], n_boot: int, seed: int, level: float, n_ar: int, zd: str
) -> list[SignificanceTest]:
    """Confidence intervals for every resampled F1; paired tests on the headline F1s."""
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
