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

__all__ = [
    "UndefinedStatisticWarning",
    "cohen_kappa",
    "fleiss_kappa",
    "fleiss_kappa_from_ratings",
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
    denominator = n * n - chance
    if denominator == 0:
        _undefined("Cohen's kappa is undefined: expected agreement is 1 (a single category)")
        return None
    return (n * agree - chance) / denominator


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
    units = len(rows)
    total = units * raters
    columns = [sum(col) for col in zip(*rows, strict=True)]
    # P_bar = (sum_ij n_ij^2 - N n) / (N n (n - 1));  P_e = sum_j c_j^2 / (N n)^2
    squares = sum(x * x for row in rows for x in row)
    col_squares = sum(c * c for c in columns)
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
    totals: Counter[Hashable] = Counter()
    observed = 0.0
    for u in range(width):
        values = Counter(row[u] for row in data if row[u] is not None)
        m = sum(values.values())
        if m < 2:
            continue
        totals.update(values)
        observed += (m * m - sum(c * c for c in values.values())) / (m - 1)
    n = sum(totals.values())
    if n == 0:
        _undefined("Krippendorff's alpha is undefined: no unit has two values")
        return None
    expected = n * n - sum(c * c for c in totals.values())
    if expected == 0:
        _undefined("Krippendorff's alpha is undefined: every pairable value is the same")
        return None
    return 1.0 - (n - 1) * observed / expected
