"""Counts that add up over documents, and the ratios derived from them.

Scores are always computed from summed counts (micro averaging), never by
averaging per-document ratios, so per-document counts can be resampled by the
bootstrap and summed by group.

Division by zero has one rule (as in seqeval and scikit-learn, an explicit
choice with a warning): a ratio whose denominator is zero is *undefined*
(:func:`defined_ratio` gives None). Where a report must give a number
(``score``), the undefined ratio takes the value of an explicit policy
(``0``, ``1`` or ``nan``, :func:`ratio`) and every time that happens a warning
is recorded in :class:`Warnings`. Agreement reports keep undefined figures as
None (``null`` in JSON) and explain them in their own warnings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

ZeroDivision = Literal["0", "1", "nan"]
ZERO_DIVISION_CHOICES: tuple[str, ...] = ("0", "1", "nan")


def zero_division_value(policy: str) -> float:
    """The float a ratio takes when its denominator is zero under ``policy`` (``0``, ``1`` or ``nan``).

    Raises:
        ValueError: ``policy`` is not one of :data:`ZERO_DIVISION_CHOICES`.
    """
    if policy == "0":
        return 0.0
    if policy == "1":
        return 1.0
    if policy == "nan":
        return math.nan
    raise ValueError(f"zero_division must be one of {', '.join(ZERO_DIVISION_CHOICES)}, not {policy!r}")


@dataclass
class Warnings:
    """Collects warnings, and the names of ratios whose denominator was zero."""

    items: list[str] = field(default_factory=list)
    zero_division: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        """Record ``message`` once."""
        if message not in self.items:
            self.items.append(message)

    def add_zero_division(self, what: str) -> None:
        """Record that ratio ``what`` had a zero denominator."""
        if what not in self.zero_division:
            self.zero_division.append(what)

    def summary(self, policy: str, limit: int = 4, *, subject: str | None = None) -> list[str]:
        """The warnings, with one line summing up the zero divisions (``subject: `` before it when given).

        The line names at most ``limit`` ratios and the ``score`` option that
        sets the policy (reports show it to the user as is).
        """
        out = list(self.items)
        if self.zero_division:
            names = ", ".join(self.zero_division[:limit])
            more = f" and {len(self.zero_division) - limit} more" if len(self.zero_division) > limit else ""
            out.append(
                f"{subject + ': ' if subject else ''}{len(self.zero_division)} ratios had a zero denominator "
                f"and were set to {policy} (--zero-division): {names}{more}"
            )
        return out


def defined_ratio(num: float, den: float) -> float | None:
    """``num / den``, or None (undefined) when ``den`` is zero."""
    return None if den == 0 else num / den


def ratio(num: float, den: float, *, policy: str, what: str, warnings: Warnings | None) -> float:
    """``num / den``; when ``den`` is zero, the policy's value and a warning recorded under ``what``.

    Raises:
        ValueError: the denominator is zero and ``policy`` is not a known policy.
    """
    value = defined_ratio(num, den)
    if value is not None:
        return value
    if warnings is not None:
        warnings.add_zero_division(what)
    return zero_division_value(policy)


def f1_from_counts(
    score: float,
    actual: float,
    possible: float,
    *,
    policy: str,
    what: str,
    warnings: Warnings | None,
) -> float:
    """F1 as ``2 * score / (actual + possible)`` (score: matched units or credit), under ``policy``.

    Equal to the harmonic mean of precision and recall whenever both are
    defined; it is 0 when nothing matched and only undefined (zero division)
    when there is nothing in gold nor in the predictions, as in scikit-learn.
    """
    return ratio(2 * score, actual + possible, policy=policy, what=what, warnings=warnings)


@dataclass(frozen=True)
class SchemeCounts:
    """SemEval-2013 9.1 counts: correct, incorrect, partial, missed, spurious.

    Raises:
        ValueError: a count is negative.
    """

    cor: int = 0
    inc: int = 0
    par: int = 0
    mis: int = 0
    spu: int = 0

    def __post_init__(self) -> None:
        for name in ("cor", "inc", "par", "mis", "spu"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")

    def __add__(self, other: SchemeCounts) -> SchemeCounts:
        return SchemeCounts(
            self.cor + other.cor,
            self.inc + other.inc,
            self.par + other.par,
            self.mis + other.mis,
            self.spu + other.spu,
        )

    @property
    def actual(self) -> int:
        """Predicted units: COR + INC + PAR + SPU."""
        return self.cor + self.inc + self.par + self.spu

    @property
    def possible(self) -> int:
        """Gold units: COR + INC + PAR + MIS."""
        return self.cor + self.inc + self.par + self.mis

    def credit(self, partial_credit: bool) -> float:
        """COR, plus half of PAR when the scheme gives partial credit."""
        return self.cor + 0.5 * self.par if partial_credit else float(self.cor)


class Counts(BaseModel):
    """True positives, false positives and false negatives; they add up (``+``, :meth:`add`).

    Between two annotators ``fp`` is "only a" and ``fn`` "only b". Precision,
    recall and F1 are derived (undefined ones are None, see the module
    docstring) and written to JSON with the counts; reading JSON back
    recomputes them. Counts may be given by position: ``Counts(tp, fp, fn)``.

    Raises:
        pydantic.ValidationError: a count is negative (a ``ValueError``).
    """

    model_config = ConfigDict(extra="ignore")

    tp: int = Field(default=0, ge=0)
    fp: int = Field(default=0, ge=0)
    fn: int = Field(default=0, ge=0)

    def __init__(self, tp: int = 0, fp: int = 0, fn: int = 0, **data: Any) -> None:
        super().__init__(tp=tp, fp=fp, fn=fn, **data)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def add(self, other: Counts) -> None:
        """Add another count in place."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def actual(self) -> int:
        """Predicted units: tp + fp."""
        return self.tp + self.fp

    @property
    def possible(self) -> int:
        """Gold units: tp + fn."""
        return self.tp + self.fn

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None when fp and tp are 0."""
        return defined_ratio(self.tp, self.actual)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None when fn and tp are 0."""
        return defined_ratio(self.tp, self.possible)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float | None:
        """2tp / (2tp + fp + fn); None when all counts are 0."""
        return defined_ratio(2 * self.tp, self.actual + self.possible)
