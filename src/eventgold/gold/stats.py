"""Chance-corrected agreement coefficients, written here (no third-party code).

- :func:`cohen_kappa`: two raters, the same items (Cohen 1960).
- :func:`fleiss_kappa`: a fixed number of raters per unit (Fleiss 1971), from a
  units x categories count table or from per-unit rating lists.
- :func:`krippendorff_alpha_nominal`: any number of raters with missing values
  (Krippendorff 2011, "Computing Krippendorff's alpha-reliability").

Each is computed from integer counts so that the undefined cases are detected
exactly, not by comparing floats:

- Cohen's and Fleiss' kappa are undefined when the expected agreement is 1
  (every rating falls in one category) or when there is nothing to rate;
- alpha is undefined when no unit holds two values (nothing is pairable) or
  when all pairable values are the same (expected disagreement 0).

In those cases the functions return ``None`` and issue an
:class:`UndefinedStatisticWarning` (scikit-learn and statsmodels return ``nan``
there; the ``krippendorff`` package raises ``ValueError``). Callers that
aggregate figures record the warning rather than printing it.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "UndefinedStatisticWarning",
    "cohen_kappa",
    "cohen_kappa_codes",
    "fleiss_kappa",
    "fleiss_kappa_codes",
    "fleiss_kappa_from_ratings",
    "krippendorff_alpha_codes",
    "krippendorff_alpha_nominal",
]


class UndefinedStatisticWarning(UserWarning):
    """A coefficient is undefined for the data given (it is returned as None)."""


def _undefined(message: str) -> None:
    warnings.warn(message, UndefinedStatisticWarning, stacklevel=3)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float | None:
    """Cohen's kappa between two raters who rated the same items in the same order.

    ``kappa = (p_o - p_e) / (1 - p_e)``, computed as
    ``(n * agree - sum_c a_c * b_c) / (n**2 - sum_c a_c * b_c)`` on integer counts.
    Returns None (with a warning) for no items or when ``p_e == 1``.
    """
    if len(a) != len(b):
        raise ValueError(f"the raters rated different numbers of items ({len(a)} and {len(b)})")
    n = len(a)
    if n == 0:
        _undefined("Cohen's kappa is undefined: no items rated by both raters")
        return None
    agree = sum(1 for x, y in zip(a, b, strict=True) if x == y)
    count_a = Counter(a)
    count_b = Counter(b)
    chance = sum(count * count_b.get(label, 0) for label, count in count_a.items())
    return _cohen(n, agree, chance)


def _cohen(n: int, agree: int, chance: int) -> float | None:
    """Cohen's kappa from ``n`` items, ``agree`` of them agreed on, and ``sum_c a_c * b_c`` (``chance``)."""
    denominator = n * n - chance
    if denominator == 0:
        _undefined("Cohen's kappa is undefined: expected agreement is 1 (a single category)")
        return None
    return (n * agree - chance) / denominator


def cohen_kappa_codes(a: NDArray[np.integer], b: NDArray[np.integer]) -> float | None:
    """:func:`cohen_kappa` of two raters' category codes (non-negative integers), the same figure.

    Args:
        a, b: 1-d arrays of one length: each item's category code by rater a and by rater b.

    Returns:
        Cohen's kappa, or None (with an :class:`UndefinedStatisticWarning`) like :func:`cohen_kappa`.

    Raises:
        ValueError: the arrays differ in length.
    """
    if len(a) != len(b):
        raise ValueError(f"the raters rated different numbers of items ({len(a)} and {len(b)})")
    n = len(a)
    if n == 0:
        _undefined("Cohen's kappa is undefined: no items rated by both raters")
        return None
    size = int(max(a.max(), b.max())) + 1
    count_a = np.bincount(a, minlength=size)
    count_b = np.bincount(b, minlength=size)
    return _cohen(n, int(np.count_nonzero(a == b)), int(count_a @ count_b))


def fleiss_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a units x categories table of rating counts.

    Every row must sum to the same number of raters ``n >= 2`` (Fleiss' design).
    Returns None (with a warning) for an empty table or when the expected
    agreement ``P_e`` is 1.
    """
    rows = [list(map(int, row)) for row in table]
    if not rows:
        _undefined("Fleiss' kappa is undefined: no units")
        return None
    raters = sum(rows[0])
    if raters < 2:
        raise ValueError(f"Fleiss' kappa needs at least 2 ratings per unit, got {raters}")
    for i, row in enumerate(rows):
        if sum(row) != raters:
            raise ValueError(f"unit {i} has {sum(row)} ratings, not {raters} like unit 0")
        if any(x < 0 for x in row):
            raise ValueError(f"unit {i} has a negative count")
    columns = [sum(col) for col in zip(*rows, strict=True)]
    squares = sum(x * x for row in rows for x in row)
    return _fleiss(len(rows), raters, squares, sum(c * c for c in columns))


def _fleiss(units: int, raters: int, squares: int, col_squares: int) -> float | None:
    """Fleiss' kappa from the sums of a table's squared cells and squared column totals."""
    total = units * raters
    # P_bar = (sum_ij n_ij^2 - N n) / (N n (n - 1));  P_e = sum_j c_j^2 / (N n)^2
    if col_squares == total * total:
        _undefined("Fleiss' kappa is undefined: expected agreement is 1 (a single category)")
        return None
    p_bar = (squares - total) / (total * (raters - 1))
    p_e = col_squares / (total * total)
    return (p_bar - p_e) / (1 - p_e)


def fleiss_kappa_from_ratings(ratings: Sequence[Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa from one list of category labels per unit (same length for all)."""
    categories = sorted({label for unit in ratings for label in unit}, key=repr)
    index = {label: i for i, label in enumerate(categories)}
    table = []
    for unit in ratings:
        row = [0] * len(categories)
        for label in unit:
            row[index[label]] += 1
        table.append(row)
    return fleiss_kappa(table)


def fleiss_kappa_codes(codes: NDArray[np.integer]) -> float | None:
    """:func:`fleiss_kappa_from_ratings` of a units x raters array of category codes, the same figure.

    Args:
        codes: shape (units, raters), raters >= 2: each unit's category codes (non-negative integers).

    Returns:
        Fleiss' kappa, or None (with a warning) for no units or a single category.
    """
    units, raters = codes.shape
    if units == 0:
        _undefined("Fleiss' kappa is undefined: no units")
        return None
    if raters < 2:
        raise ValueError(f"Fleiss' kappa needs at least 2 ratings per unit, got {raters}")
    size = int(codes.max()) + 1
    table = np.zeros((units, size), dtype=np.int64)
    np.add.at(table, (np.repeat(np.arange(units), raters), codes.ravel()), 1)
    columns = table.sum(axis=0)
    return _fleiss(units, raters, int((table * table).sum()), int(columns @ columns))


def krippendorff_alpha_nominal(data: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha for nominal data; ``data`` is raters x units, None = missing.

    Only units with at least two values are pairable. With ``n_c`` the number
    of pairable values of category ``c`` and ``n = sum n_c``::

        D_o = sum_u (m_u**2 - sum_c n_uc**2) / (m_u - 1)
        alpha = 1 - (n - 1) * D_o / (n**2 - sum_c n_c**2)

    Returns None (with a warning) when nothing is pairable or all pairable
    values are equal.
    """
    if not data:
        _undefined("Krippendorff's alpha is undefined: no raters")
        return None
    width = len(data[0])
    for row in data:
        if len(row) != width:
            raise ValueError("every rater row must cover the same units")
    codes: dict[Hashable, int] = {}
    matrix = np.array(
        [[-1 if v is None else codes.setdefault(v, len(codes)) for v in row] for row in data], dtype=np.int64
    ).reshape(len(data), width)
    return krippendorff_alpha_codes(matrix)


def krippendorff_alpha_codes(matrix: NDArray[np.integer]) -> float | None:
    """:func:`krippendorff_alpha_nominal` of a raters x units array of category codes, -1 = missing.

    The same figure to the last bit: each unit's disagreement is added in unit
    order, as the definition's sum is written.

    Args:
        matrix: shape (raters, units); non-negative category codes, -1 where a rater gave no value.

    Returns:
        Krippendorff's alpha (nominal), or None (with a warning) when nothing is
        pairable or all pairable values are equal.
    """
    if matrix.shape[0] == 0:
        _undefined("Krippendorff's alpha is undefined: no raters")
        return None
    present = matrix >= 0
    m = present.sum(axis=0)
    pairable = m >= 2
    values = matrix[:, pairable]
    kept = values >= 0
    unit_of = np.broadcast_to(np.arange(values.shape[1]), values.shape)[kept]
    code_of = values[kept]
    size = int(code_of.max()) + 1 if len(code_of) else 1
    per_unit = np.zeros((values.shape[1], size), dtype=np.int64)
    np.add.at(per_unit, (unit_of, code_of), 1)
    pm = m[pairable].astype(np.int64)
    terms = (pm * pm - (per_unit * per_unit).sum(axis=1)).astype(np.float64) / (pm - 1).astype(np.float64)
    observed = float(np.cumsum(terms)[-1]) if len(terms) else 0.0  # in unit order, like a running sum
    totals = per_unit.sum(axis=0)
    n = int(totals.sum())
    if n == 0:
        _undefined("Krippendorff's alpha is undefined: no unit has two values")
        return None
    expected = n * n - int(totals @ totals)
    if expected == 0:
        _undefined("Krippendorff's alpha is undefined: every pairable value is the same")
        return None
    return 1.0 - (n - 1) * observed / expected
