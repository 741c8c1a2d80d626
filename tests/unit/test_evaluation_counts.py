"""The one tp/fp/fn count type and the zero-division rule."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from eventgold.evaluation.counts import Counts, Warnings, defined_ratio, f1_from_counts, ratio


def test_counts_add_up_and_derive_ratios() -> None:
    total = Counts(2, 1, 0) + Counts(tp=1, fn=3)
    assert (total.tp, total.fp, total.fn, total.actual, total.possible) == (3, 1, 3, 4, 6)
    assert total.precision == 0.75
    assert total.recall == 0.5
    assert total.f1 == 0.6
    total.add(Counts(fp=1))
    assert total == Counts(3, 2, 3)


def test_undefined_ratios_are_none_in_counts() -> None:
    empty = Counts()
    assert (empty.precision, empty.recall, empty.f1) == (None, None, None)
    assert Counts(fn=2).f1 == 0.0
    assert empty.model_dump() == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None, "f1": None}


def test_counts_refuse_negative_values() -> None:
    with pytest.raises(ValidationError):
        Counts(-1)


@pytest.mark.parametrize(("policy", "value"), [("0", 0.0), ("1", 1.0)])
def test_policy_value_and_warning(policy: str, value: float) -> None:
    w = Warnings()
    assert ratio(1, 0, policy=policy, what="x precision", warnings=w) == value
    assert f1_from_counts(0, 0, 0, policy=policy, what="x F1", warnings=w) == value
    assert w.zero_division == ["x precision", "x F1"]
    assert ratio(1, 4, policy=policy, what="y", warnings=w) == 0.25
    assert defined_ratio(1, 0) is None


def test_nan_policy_and_unknown_policy() -> None:
    assert math.isnan(ratio(0, 0, policy="nan", what="z", warnings=None))
    with pytest.raises(ValueError, match="zero_division"):
        ratio(0, 0, policy="2", what="z", warnings=None)
