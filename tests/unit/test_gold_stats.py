"""Agreement coefficients: hand-computed tables and reference libraries."""

from __future__ import annotations

import math
import warnings
from collections import Counter

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from eventgold.gold.stats import (
    UndefinedStatisticWarning,
    cohen_kappa,
    fleiss_kappa,
    fleiss_kappa_from_ratings,
    krippendorff_alpha_nominal,
)

# Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]
# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example.
N = None
KRIPPENDORFF_DATA = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # 2x2 table yes/yes 20, yes/no 5, no/yes 10, no/no 15: p_o 0.7, p_e 0.5 -> 0.4
        (["y"] * 25 + ["n"] * 25, ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15, 0.4),
        (["a", "b", "c"], ["a", "b", "c"], 1.0),
        # p_o 0, p_e 0.5 -> -1
        (["a", "b"], ["b", "a"], -1.0),
        # p_o 3/4, p_e (2*3 + 2*1)/16 = 0.5 -> 0.5
        (["a", "a", "b", "b"], ["a", "a", "a", "b"], 0.5),
        # p_o 1/4, same p_e -> -0.5
        (["a", "a", "b", "b"], ["b", "a", "a", "a"], -0.5),
    ],
)
def test_cohen_kappa_hand_computed(a: list[str], b: list[str], expected: float) -> None:
    assert cohen_kappa(a, b) == pytest.approx(expected)


def test_fleiss_kappa_wikipedia_example() -> None:
    assert fleiss_kappa(FLEISS_TABLE) == pytest.approx(0.20993, abs=1e-5)


def test_fleiss_from_ratings_matches_table() -> None:
    # 3 raters, 2 units: (a, a, b) and (b, b, b): P = (1/3, 1); p_a 2/6, p_b 4/6
    # P_bar 2/3, P_e 1/9 + 4/9 = 5/9 -> (2/3 - 5/9) / (4/9) = 0.25
    assert fleiss_kappa_from_ratings([["a", "a", "b"], ["b", "b", "b"]]) == pytest.approx(0.25)


def test_krippendorff_alpha_paper_example() -> None:
    assert krippendorff_alpha_nominal(KRIPPENDORFF_DATA) == pytest.approx(0.743, abs=5e-4)


def test_alpha_two_raters_hand_computed() -> None:
    # units (a,a), (a,b), (b,b): n_a = 3, n_b = 3, D_o sum = 2, n = 6
    # alpha = 1 - 5 * 2 / (36 - 18) = 1 - 10/18
    data = [["a", "a", "b"], ["a", "b", "b"]]
    assert krippendorff_alpha_nominal(data) == pytest.approx(1 - 10 / 18)


@pytest.mark.parametrize(
    "call",
    [
        lambda: cohen_kappa([], []),
        lambda: cohen_kappa(["a", "a"], ["a", "a"]),
        lambda: fleiss_kappa([]),
        lambda: fleiss_kappa([[3, 0], [3, 0]]),
        lambda: krippendorff_alpha_nominal([[1, None], [None, 1]]),
        lambda: krippendorff_alpha_nominal([[1, 1], [1, 1]]),
        lambda: krippendorff_alpha_nominal([]),
    ],
    ids=[
        "cohen-empty",
        "cohen-one-category",
        "fleiss-empty",
        "fleiss-one-category",
        "alpha-unpairable",
        "alpha-one-value",
        "alpha-no-raters",
    ],
)
def test_undefined_cases_return_none_with_warning(call: object) -> None:
    with pytest.warns(UndefinedStatisticWarning):
        assert call() is None  # type: ignore[operator]


@pytest.mark.parametrize(
    "call",
    [
        lambda: cohen_kappa(["a"], ["a", "b"]),
        lambda: fleiss_kappa([[2, 0], [1, 0]]),
        lambda: fleiss_kappa([[1, 0]]),
        lambda: krippendorff_alpha_nominal([[1, 2], [1]]),
    ],
    ids=["cohen-lengths", "fleiss-uneven-rows", "fleiss-one-rater", "alpha-ragged"],
)
def test_malformed_input_raises(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


labels = st.sampled_from(["A", "B", "C", "D"])


@settings(max_examples=75, deadline=None)
@given(st.lists(st.tuples(labels, labels), min_size=1, max_size=60))
def test_cohen_equals_sklearn(pairs: list[tuple[str, str]]) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = cohen_kappa(a, b)
        ref = cohen_kappa_score(a, b)
    if ours is None:
        assert math.isnan(ref)
    else:
        assert ours == pytest.approx(ref, abs=1e-9)


@settings(max_examples=75, deadline=None)
@given(
    st.integers(2, 6).flatmap(
        lambda raters: st.lists(
            st.lists(labels, min_size=raters, max_size=raters), min_size=1, max_size=30
        )
    )
)
def test_fleiss_equals_statsmodels(ratings: list[list[str]]) -> None:
    cats = ["A", "B", "C", "D"]
    table = np.array([[unit.count(c) for c in cats] for unit in ratings])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = fleiss_kappa_from_ratings(ratings)
        ref = sm_fleiss_kappa(table, method="fleiss")
    if ours is None:
        assert math.isnan(ref)
    else:
        assert ours == pytest.approx(ref, abs=1e-9)


@settings(max_examples=75, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda raters: st.integers(1, 25).flatmap(
            lambda units: st.lists(
                st.lists(st.one_of(st.none(), st.integers(1, 4)), min_size=units, max_size=units),
                min_size=raters,
                max_size=raters,
            )
        )
    )
)
def test_alpha_equals_krippendorff_package(data: list[list[int | None]]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = krippendorff_alpha_nominal(data)
    matrix = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    if ours is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = krippendorff.alpha(matrix, level_of_measurement="nominal")
        except ValueError:
            return
        assert math.isnan(ref)
    else:
        ref = krippendorff.alpha(matrix, level_of_measurement="nominal")
        assert ours == pytest.approx(ref, abs=1e-9)


# --- the array forms agreement uses: the same figure, to the last bit, as the list forms ---


def _codes(values: list[object]) -> np.ndarray:
    index: dict[object, int] = {}
    return np.asarray([index.setdefault(v, len(index)) for v in values], dtype=np.int64)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=1, max_size=40))
def test_cohen_codes_equal_cohen(pairs: list[tuple[str, str]]) -> None:
    from eventgold.gold.stats import cohen_kappa_codes

    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    codes = _codes(a + b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        assert cohen_kappa_codes(codes[: len(a)], codes[len(a) :]) == cohen_kappa(a, b)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=4).flatmap(
        lambda n: st.lists(st.lists(st.sampled_from("xyz"), min_size=n, max_size=n), min_size=1, max_size=30)
    )
)
def test_fleiss_codes_equal_fleiss(ratings: list[list[str]]) -> None:
    from eventgold.gold.stats import fleiss_kappa_codes

    flat = _codes([v for unit in ratings for v in unit]).reshape(len(ratings), len(ratings[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        assert fleiss_kappa_codes(flat) == fleiss_kappa_from_ratings(ratings)


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (np.zeros((0, 3), dtype=np.int64), "no units"),
        (np.zeros((4, 2), dtype=np.int64), "a single category"),
    ],
)
def test_fleiss_codes_undefined(codes: np.ndarray, message: str) -> None:
    from eventgold.gold.stats import fleiss_kappa_codes

    with pytest.warns(UndefinedStatisticWarning, match=message):
        assert fleiss_kappa_codes(codes) is None


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [([], [], "no items"), ([1, 1], [1, 1], "a single category")],
)
def test_cohen_codes_undefined(a: list[int], b: list[int], message: str) -> None:
    from eventgold.gold.stats import cohen_kappa_codes

    with pytest.warns(UndefinedStatisticWarning, match=message):
        assert cohen_kappa_codes(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)) is None


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda raters: st.integers(min_value=0, max_value=25).flatmap(
            lambda units: st.lists(
                st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=units, max_size=units),
                min_size=raters,
                max_size=raters,
            )
        )
    )
)
def test_alpha_codes_equal_alpha_bit_for_bit(data: list[list[int | None]]) -> None:
    """The array form adds each unit's disagreement in unit order, as the list form does."""
    from eventgold.gold.stats import krippendorff_alpha_codes

    matrix = np.asarray([[-1 if v is None else v for v in row] for row in data], dtype=np.int64)
    matrix = matrix.reshape(len(data), len(data[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedStatisticWarning)
        assert krippendorff_alpha_codes(matrix) == krippendorff_alpha_nominal(data) == _alpha_running_sum(data)


def _alpha_running_sum(data: list[list[int | None]]) -> float | None:
    """Alpha as the definition's sums are written, unit by unit in Python (the reference for bit equality)."""
    totals: Counter[int] = Counter()
    observed = 0.0
    for u in range(len(data[0])):
        values = Counter(row[u] for row in data if row[u] is not None)
        m = sum(values.values())
        if m < 2:
            continue
        totals.update(values)
        observed += (m * m - sum(c * c for c in values.values())) / (m - 1)
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())
    if n == 0 or expected == 0:
        return None
    return 1.0 - (n - 1) * observed / expected
