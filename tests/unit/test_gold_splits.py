"""Deterministic, group-respecting splits."""

from __future__ import annotations

import datetime as dt
import random
import warnings
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.gold.splits import (
    assign_splits,
    dominant_event_type,
    groups_of,
    stratified_group_folds,
)
from eventgold.models import GoldDocument

from .gold_fixtures import article, event


def doc(
    i: int,
    *,
    dup: int | None = None,
    source: str | None = None,
    month: int = 1,
    etype: str = "CONSULT",
) -> GoldDocument:
    return GoldDocument(
        article=article(
            f"d{i:03d}",
            duplicate_of=f"d{dup:03d}" if dup is not None else None,
            source=source,
            published=dt.date(2024, month, 5),
        ),
        events=[event("e", "met", etype)],
    )


def corpus(n: int = 100) -> list[GoldDocument]:
    return [
        doc(
            i,
            dup=i - 1 if i % 10 == 1 else None,
            source=f"s{(i // 2) % 7}",
            month=1 + i % 12,
            etype=["CONSULT", "ASSAULT", "AGREE"][i % 3],
        )
        for i in range(n)
    ]


def splits(docs: list[GoldDocument]) -> dict[str, str | None]:
    return {d.doc_id: d.split for d in docs}


def test_default_ratios_are_roughly_kept_and_deterministic() -> None:
    docs = corpus(200)
    out, info = assign_splits(docs, seed=7)
    counts = Counter(d.split for d in out)
    assert 120 <= counts["train"] <= 160 and 20 <= counts["dev"] <= 40 and 20 <= counts["test"] <= 40
    shuffled = list(docs)
    random.Random(1).shuffle(shuffled)
    assert splits(assign_splits(shuffled, seed=7)[0]) == splits(out)
    assert info.seed == 7 and info.folds == 20
    assert splits(assign_splits(docs, seed=8)[0]) != splits(out)


def test_stratified_by_event_type() -> None:
    out, _ = assign_splits(corpus(300), seed=3)
    for split in ("train", "dev", "test"):
        types = Counter(dominant_event_type(d) for d in out if d.split == split)
        assert min(types.values()) >= 0.2 * sum(types.values())


@pytest.mark.parametrize("group_by", [None, "source", "published-month"])
def test_groups_stay_on_one_side(group_by: str | None) -> None:
    docs = corpus(120)
    out, info = assign_splits(docs, seed=5, group_by=group_by)
    group = groups_of(docs, group_by)
    by_group: dict[int, set[str | None]] = {}
    for d in out:
        by_group.setdefault(group[d.doc_id], set()).add(d.split)
    assert all(len(s) == 1 for s in by_group.values())
    assert info.groups == len(by_group)
    # near-duplicates are grouped: d001 duplicates d000
    assert group["d001"] == group["d000"]
    if group_by == "source":
        assert info.groups == 7


def test_duplicates_of_the_same_original_are_grouped_even_if_it_is_absent() -> None:
    docs = [doc(1, dup=99), doc(2, dup=99), doc(3)]
    group = groups_of(docs)
    assert group["d001"] == group["d002"] != group["d003"]


def test_previous_splits_are_kept_and_groups_follow() -> None:
    docs = corpus(60)
    previous = {"d000": "test", "d005": "dev", "d030": "train"}
    out, info = assign_splits(docs, seed=1, previous=previous)
    got = splits(out)
    assert all(got[k] == v for k, v in previous.items())
    assert got["d001"] == "test"  # d001 duplicates d000
    assert info.kept_from_previous == 3 and info.previous_conflicts == []


def test_previous_conflict_is_reported() -> None:
    docs = [doc(0), doc(1, dup=0)]
    out, info = assign_splits(docs, previous={"d000": "train", "d001": "test"})
    assert splits(out) == {"d000": "train", "d001": "test"}
    assert info.previous_conflicts == [["d000", "d001"]]


@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_tiny_inputs(n: int) -> None:
    out, _ = assign_splits(corpus(n))
    assert len(out) == n and all(d.split in ("train", "dev", "test") for d in out)
    if n == 1:
        assert out[0].split == "train"


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 40), st.integers(0, 2**31), st.sampled_from([None, "source"]))
def test_every_document_gets_one_split_deterministically(n: int, seed: int, group_by: str | None) -> None:
    docs = corpus(n)
    first, _ = assign_splits(docs, seed=seed, group_by=group_by)
    second, _ = assign_splits(list(reversed(docs)), seed=seed, group_by=group_by)
    assert splits(first) == splits(second)
    assert sorted(splits(first)) == sorted(d.doc_id for d in docs)


def sklearn_folds(labels: list[str], groups: list[int], folds: int, seed: int) -> list[int]:
    """The fold of each sample as scikit-learn's StratifiedGroupKFold deals them (the reference)."""
    from sklearn.model_selection import StratifiedGroupKFold

    out = [-1] * len(labels)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for fold, (_, test_index) in enumerate(splitter.split(labels, labels, groups)):
            for i in test_index:
                out[i] = fold
    return out


@st.composite
def fold_problems(draw: st.DrawFn) -> tuple[list[str], list[int], int, int]:
    """Labels, groups, folds and seed as ``_deal`` passes them (some class has >= folds members)."""
    n = draw(st.integers(2, 300))
    classes = draw(st.integers(1, 30))
    labels = [f"L{draw(st.integers(0, classes - 1))}" if classes > 1 else "ALL" for _ in range(n)]
    shape = draw(st.sampled_from(["singletons", "pairs", "random"]))
    if shape == "singletons":
        groups = list(range(n))
    elif shape == "pairs":
        groups = [i // 2 for i in range(n)]
    else:
        width = draw(st.integers(2, n))
        groups = [draw(st.integers(0, width - 1)) for _ in range(n)]
    n_groups = len(set(groups))
    folds = draw(st.integers(2, min(20, n_groups))) if n_groups >= 2 else 2
    if max(Counter(labels).values()) < folds:
        labels = ["ALL"] * n
    return labels, groups, folds, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=150, deadline=None)
@given(fold_problems())
def test_folds_are_dealt_as_scikit_learn_deals_them(problem: tuple[list[str], list[int], int, int]) -> None:
    labels, groups, folds, seed = problem
    if len(set(groups)) < 2:
        return
    assert stratified_group_folds(labels, groups, folds, seed) == sklearn_folds(labels, groups, folds, seed)


@pytest.mark.parametrize("n", [40, 997])
@pytest.mark.parametrize("seed", [0, 13, 2**32 - 1])
def test_folds_of_many_singletons_and_skewed_types_are_scikit_learns(n: int, seed: int) -> None:
    rnd = random.Random(n + seed)
    labels = [f"T{min(int(rnd.expovariate(0.4)), 25)}" for _ in range(n)]
    if max(Counter(labels).values()) < 20:
        labels = ["ALL"] * n
    groups = list(range(n))
    assert stratified_group_folds(labels, groups, 20, seed) == sklearn_folds(labels, groups, 20, seed)
