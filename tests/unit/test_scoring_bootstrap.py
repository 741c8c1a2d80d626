"""Resampling statistics: bootstrap sums, intervals, paired tests, Holm correction."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from eventgold.scoring.bootstrap import (
    F1Spec,
    _weights,
    approximate_randomization_p,
    bootstrap_sums,
    f1_of,
    holm,
    paired_bootstrap_p,
    percentile_interval,
)

SPEC = F1Spec("m", 0, 1, 2)


def matrix(rows: list[tuple[int, int, int]]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


def test_weights_are_draw_counts() -> None:
    w = _weights(np.random.default_rng(1), 50, 7)
    assert w.shape == (50, 7)
    assert (w.sum(axis=1) == 7).all()


def test_bootstrap_sums_equal_explicit_resampling() -> None:
    m = matrix([(1, 2, 3), (0, 1, 1), (2, 2, 2), (5, 6, 7)])
    sums = bootstrap_sums([m], 30, seed=3)[0]
    rng = np.random.default_rng(3)
    idx = rng.integers(0, 4, size=(30, 4))
    assert np.allclose(sums, m[idx].sum(axis=1))


def test_seeded_and_shared_between_extractors() -> None:
    a = matrix([(1, 2, 3), (0, 1, 1), (2, 2, 2)])
    s1 = bootstrap_sums([a, a], 200, seed=7)
    s2 = bootstrap_sums([a], 200, seed=7)
    assert np.array_equal(s1[0], s1[1]) and np.array_equal(s1[0], s2[0])


@pytest.mark.parametrize(("zd", "expected"), [("0", 0.0), ("1", 1.0)])
def test_f1_zero_division(zd: str, expected: float) -> None:
    assert f1_of(np.zeros((1, 3)), SPEC, zd)[0] == expected
    assert np.isnan(f1_of(np.zeros((1, 3)), SPEC, "nan")[0])


def test_interval_brackets_value_and_ignores_nan() -> None:
    values = np.array([0.1, 0.2, 0.3, np.nan, 0.4, 0.5])
    lo, hi = percentile_interval(values, 0.8)
    assert 0.1 <= lo <= hi <= 0.5


def test_identical_extractors_are_not_different() -> None:
    a = matrix([(1, 2, 3), (0, 1, 1), (2, 2, 2), (3, 3, 4)])
    assert approximate_randomization_p(a, a, SPEC, 200, 0, "0") == 1.0
    sums = bootstrap_sums([a, a], 200, 0)
    d = f1_of(sums[0], SPEC, "0") - f1_of(sums[1], SPEC, "0")
    assert paired_bootstrap_p(0.0, d) == 1.0


def test_clear_difference_has_small_p() -> None:
    good = matrix([(5, 5, 5)] * 40)
    bad = matrix([(0, 5, 5)] * 40)
    assert approximate_randomization_p(good, bad, SPEC, 500, 0, "0") < 0.01
    sums = bootstrap_sums([good, bad], 500, 0)
    d = f1_of(sums[0], SPEC, "0") - f1_of(sums[1], SPEC, "0")
    assert paired_bootstrap_p(1.0, d) < 0.01


@settings(max_examples=15, deadline=None)  # statsmodels takes ~40 ms a call here
@given(st.lists(st.floats(0, 1), min_size=1, max_size=12))
def test_holm_equals_statsmodels(p: list[float]) -> None:
    assert holm(p) == pytest.approx(list(multipletests(p, method="holm")[1]))


def test_holm_keeps_nan() -> None:
    out = holm([0.01, float("nan"), 0.04])
    assert np.isnan(out[1]) and out[0] == pytest.approx(0.02) and out[2] == pytest.approx(0.04)
