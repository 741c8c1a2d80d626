"""Resampling statistics over documents: bootstrap CIs, paired tests, Holm correction.

Scores are recomputed from summed per-document counts (micro F1), so a
resample is a weight vector over documents (how often each was drawn) and
its counts are one matrix product with the per-document count matrix: the
matching is never redone. All extractors are resampled with the same
weights, which makes the paired bootstrap paired.

- Confidence interval: percentile bootstrap over documents (Efron), seeded.
- Paired bootstrap test: two-sided, on the resampled differences centred at
  the observed difference (Berg-Kirkpatrick et al. 2012 use the one-sided
  form): p = (1 + #{|d* - d| >= |d|}) / (B + 1).
- Approximate randomization (Noreen 1989; Yeh 2000): each document's counts
  are swapped between the two extractors with probability 1/2:
  p = (1 + #{|d_r| >= |d|}) / (R + 1).
- Holm's step-down correction over the whole family of tests of one method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from eventgold.evaluation.counts import zero_division_value

FloatArray = NDArray[np.float64]
BLOCK = 100  # resamples per block: bounds memory at BLOCK x documents
TIE_TOLERANCE = 1e-12
"""Differences equal up to float rounding count as ties (as extreme as observed)."""


@dataclass(frozen=True)
class F1Spec:
    """Which columns of a per-document count matrix give a metric's score, actual, possible."""

    name: str
    score: int
    actual: int
    possible: int


def f1_of(sums: FloatArray, spec: F1Spec, zero_division: str) -> FloatArray:
    """F1 = 2 score / (actual + possible) for each row of summed counts."""
    num = 2.0 * sums[..., spec.score]
    den = sums[..., spec.actual] + sums[..., spec.possible]
    out = np.full(num.shape, zero_division_value(zero_division), dtype=np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _weights(rng: np.random.Generator, b: int, n: int) -> FloatArray:
    """``b`` bootstrap resamples of ``n`` documents as draw counts (b x n)."""
    idx = rng.integers(0, n, size=(b, n)) + (np.arange(b) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)


def bootstrap_sums(matrices: Sequence[FloatArray], n_resamples: int, seed: int) -> list[FloatArray]:
    """Summed counts of ``n_resamples`` document resamples, the same for every matrix."""
    if n_resamples < 1:
        raise ValueError("n_resamples must be >= 1")
    n = matrices[0].shape[0]
    if any(m.shape[0] != n for m in matrices):
        raise ValueError("all count matrices need one row per document, in the same order")
    rng = np.random.default_rng(seed)
    out: list[list[FloatArray]] = [[] for _ in matrices]
    done = 0
    while done < n_resamples:
        b = min(BLOCK, n_resamples - done)
        w = _weights(rng, b, n) if n else np.zeros((b, 0))
        for i, m in enumerate(matrices):
            out[i].append(w @ m)
        done += b
    return [np.concatenate(parts) for parts in out]


def percentile_interval(values: FloatArray, level: float) -> tuple[float, float]:
    """The percentile interval of ``values`` at ``level`` (NaN resamples left out)."""
    finite = values[~np.isnan(values)]
    if len(finite) == 0:
        return (float("nan"), float("nan"))
    alpha = (1.0 - level) / 2.0
    lo, hi = np.quantile(finite, [alpha, 1.0 - alpha])
    return (float(lo), float(hi))


def paired_bootstrap_p(delta: float, resampled_deltas: FloatArray) -> float:
    """Two-sided paired-bootstrap p-value from resampled differences."""
    d = resampled_deltas[~np.isnan(resampled_deltas)]
    if np.isnan(delta) or len(d) == 0:
        return float("nan")
    hits = np.count_nonzero(np.abs(d - delta) >= abs(delta) - TIE_TOLERANCE)
    return float((1 + hits) / (len(d) + 1))


def approximate_randomization_p(
    a: FloatArray, b: FloatArray, spec: F1Spec, n_rounds: int, seed: int, zero_division: str
) -> float:
    """Two-sided approximate-randomization p-value for the difference in F1 of a and b."""
    tot_a, tot_b = a.sum(axis=0), b.sum(axis=0)
    delta = float(f1_of(tot_a, spec, zero_division) - f1_of(tot_b, spec, zero_division))
    if np.isnan(delta):
        return float("nan")
    diff = b - a
    rng = np.random.default_rng(seed)
    hits = total = 0
    done = 0
    while done < n_rounds:
        k = min(BLOCK, n_rounds - done)
        swap = (rng.random((k, a.shape[0])) < 0.5).astype(np.float64)
        moved = swap @ diff
        d = f1_of(tot_a + moved, spec, zero_division) - f1_of(tot_b - moved, spec, zero_division)
        d = d[~np.isnan(d)]
        hits += int(np.count_nonzero(np.abs(d) >= abs(delta) - TIE_TOLERANCE))
        total += len(d)
        done += k
    return (1 + hits) / (total + 1)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (NaN stays NaN and is not counted)."""
    p = np.asarray(pvalues, dtype=np.float64)
    out = np.full(len(p), np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = len(ok)
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out.tolist()
