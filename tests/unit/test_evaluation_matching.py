"""Mention matching and counting: hand tables, nervaluate and seqeval as references, invariants."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator
from seqeval.metrics import f1_score as seqeval_f1

from eventgold.errors import UserError
from eventgold.evaluation.counts import SchemeCounts
from eventgold.evaluation.matching import SpanTable, get_scheme
from eventgold.models import Mention
from eventgold.scoring.mentions import build_rows, score_mentions

Spans = list[tuple[int, int, str]]
NERVALUATE = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}


def run(gold_docs: list[Spans], pred_docs: list[Spans]):
    codes: dict[str, int] = {}
    g = build_rows(
        [
            [Mention(id=f"g{i}", type=t, start=s, end=e) for i, (s, e, t) in enumerate(d)]
            for d in gold_docs
        ],
        codes,
    )
    p = build_rows(
        [
            [Mention(id=f"p{i}", type=t, start=s, end=e) for i, (s, e, t) in enumerate(d)]
            for d in pred_docs
        ],
        codes,
    )
    return score_mentions(g, p, len(gold_docs), sorted(codes, key=codes.__getitem__))


def totals(gold: Spans, pred: Spans) -> dict[str, tuple[int, int, int, int, int]]:
    res = run([gold], [pred])
    out = {}
    for scheme in NERVALUATE:
        c = res.totals(scheme)
        out[scheme] = (c.cor, c.inc, c.par, c.mis, c.spu)
    return out


# (gold, pred, {scheme: (COR, INC, PAR, MIS, SPU)}), computed by hand
HAND = [
    pytest.param(
        [(0, 5, "A")],
        [(0, 5, "A")],
        {
            "strict": (1, 0, 0, 0, 0),
            "exact": (1, 0, 0, 0, 0),
            "partial": (1, 0, 0, 0, 0),
            "type": (1, 0, 0, 0, 0),
        },
        id="same",
    ),
    pytest.param(
        [(0, 5, "A")],
        [(0, 5, "B")],
        {
            "strict": (0, 1, 0, 0, 0),
            "exact": (1, 0, 0, 0, 0),
            "partial": (1, 0, 0, 0, 0),
            "type": (0, 1, 0, 0, 0),
        },
        id="wrong-type",
    ),
    pytest.param(
        [(0, 5, "A")],
        [(2, 7, "A")],
        {
            "strict": (0, 1, 0, 0, 0),
            "exact": (0, 1, 0, 0, 0),
            "partial": (0, 0, 1, 0, 0),
            "type": (1, 0, 0, 0, 0),
        },
        id="overlap-same-type",
    ),
    pytest.param(
        [(0, 5, "A")],
        [(2, 7, "B")],
        {
            "strict": (0, 1, 0, 0, 0),
            "exact": (0, 1, 0, 0, 0),
            "partial": (0, 0, 1, 0, 0),
            "type": (0, 1, 0, 0, 0),
        },
        id="overlap-other-type",
    ),
    pytest.param(
        [(0, 5, "A")],
        [(5, 9, "A")],
        {s: (0, 0, 0, 1, 1) for s in NERVALUATE},
        id="adjacent-no-overlap",
    ),
    pytest.param(
        [(4, 4, "A")],
        [(4, 4, "A")],
        {s: (1, 0, 0, 0, 0) for s in NERVALUATE},
        id="zero-length-equal",
    ),
    pytest.param(
        [(3, 8, "A")],
        [(5, 5, "A")],
        {s: (0, 0, 0, 1, 1) for s in NERVALUATE},
        id="zero-length-inside",
    ),
    pytest.param([], [], {s: (0, 0, 0, 0, 0) for s in NERVALUATE}, id="empty"),
    pytest.param([(0, 5, "A")], [], {s: (0, 0, 0, 1, 0) for s in NERVALUATE}, id="all-missed"),
    pytest.param([], [(0, 5, "A")], {s: (0, 0, 0, 0, 1) for s in NERVALUATE}, id="all-spurious"),
    # one prediction covering two gold spans: only one can be matched (one-to-one)
    pytest.param(
        [(0, 3, "A"), (4, 8, "A")],
        [(0, 8, "A")],
        {
            "strict": (0, 1, 0, 1, 0),
            "exact": (0, 1, 0, 1, 0),
            "partial": (0, 0, 1, 1, 0),
            "type": (1, 0, 0, 1, 0),
        },
        id="one-pred-two-gold",
    ),
    # greedy in list order would give the exact gold to the wide prediction; optimal does not
    pytest.param(
        [(0, 3, "A"), (0, 8, "A")],
        [(0, 8, "A"), (0, 3, "A")],
        {s: (2, 0, 0, 0, 0) for s in NERVALUATE},
        id="nested-optimal",
    ),
    pytest.param(
        [(0, 8, "A")],
        [(0, 3, "A"), (0, 8, "A")],
        {
            "strict": (1, 0, 0, 0, 1),
            "exact": (1, 0, 0, 0, 1),
            "partial": (1, 0, 0, 0, 1),
            "type": (1, 0, 0, 0, 1),
        },
        id="exact-wins-over-overlap",
    ),
    # type: prefer the same-type overlap over a different-type one
    pytest.param(
        [(0, 4, "A"), (5, 9, "B")],
        [(3, 6, "B")],
        {
            "strict": (0, 1, 0, 1, 0),
            "exact": (0, 1, 0, 1, 0),
            "partial": (0, 0, 1, 1, 0),
            "type": (1, 0, 0, 1, 0),
        },
        id="type-prefers-same-type",
    ),
]


@pytest.mark.parametrize(("gold", "pred", "expected"), HAND)
def test_hand_tables(gold: Spans, pred: Spans, expected: dict[str, tuple[int, ...]]) -> None:
    assert totals(gold, pred) == expected


def test_per_type_follows_nervaluate_restricted_matching() -> None:
    res = run([[(0, 5, "A")]], [[(0, 5, "B")]])
    assert res.per_type["strict"]["A"] == SchemeCounts(mis=1)
    assert res.per_type["strict"]["B"] == SchemeCounts(spu=1)
    assert res.totals("strict") == SchemeCounts(inc=1)


def test_unknown_scheme_is_user_error() -> None:
    with pytest.raises(UserError, match="strict, exact, partial, type"):
        get_scheme("lenient")


@pytest.mark.parametrize(
    "kwargs",
    [dict(doc=[0], start=[3], end=[2], type_=[0]), dict(doc=[0, 1], start=[0], end=[1], type_=[0])],
)
def test_span_table_checks_arguments(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        SpanTable(**kwargs)


TYPES = ["A", "B", "C"]


@st.composite
def unambiguous_docs(draw: st.DrawFn) -> tuple[list[Spans], list[Spans]]:
    """Documents where no span overlaps two spans of the other side (and none repeats)."""
    gold_docs, pred_docs = [], []
    for _ in range(draw(st.integers(0, 6))):
        gold: Spans = []
        pred: Spans = []
        pos = 0
        for _ in range(draw(st.integers(0, 6))):
            pos += draw(st.integers(1, 4))
            length = draw(st.integers(1, 8))
            g = (pos, pos + length, draw(st.sampled_from(TYPES)))
            kind = draw(st.sampled_from(["same", "type", "shift", "grow", "none", "spurious"]))
            if kind == "same":
                pred.append(g)
            elif kind == "type":
                pred.append((g[0], g[1], draw(st.sampled_from(TYPES))))
            elif kind == "shift" and length > 1:
                pred.append((g[0] + 1, g[1], draw(st.sampled_from(TYPES))))
            elif kind == "grow":
                pred.append((g[0], g[1] + 1, draw(st.sampled_from(TYPES))))
            if kind != "spurious" and draw(st.booleans()):
                gold.append(g)
            elif kind == "spurious":
                pred.append((g[0], g[1], g[2]))
            pos = g[1] + 3
        rnd = random.Random(draw(st.integers(0, 10**6)))
        rnd.shuffle(gold)
        rnd.shuffle(pred)
        gold_docs.append(gold)
        pred_docs.append(pred)
    return gold_docs, pred_docs


def _nervaluate(gold_docs: list[Spans], pred_docs: list[Spans]) -> dict:
    def conv(docs: list[Spans]) -> list[list[dict]]:
        # nervaluate's end offsets are inclusive
        return [[{"label": t, "start": s, "end": e - 1} for s, e, t in d] for d in docs]

    return Evaluator(conv(gold_docs), conv(pred_docs), tags=TYPES, loader="dict").evaluate()


@settings(max_examples=150, deadline=None)
@given(unambiguous_docs())
def test_counts_equal_nervaluate(data: tuple[list[Spans], list[Spans]]) -> None:
    gold_docs, pred_docs = data
    if not any(gold_docs) and not any(pred_docs):
        return
    ref = _nervaluate(gold_docs, pred_docs)
    ours = run(gold_docs, pred_docs)
    for scheme, theirs in NERVALUATE.items():
        r = ref["overall"][theirs]
        c = ours.totals(scheme)
        assert (c.cor, c.inc, c.par, c.mis, c.spu) == (
            r.correct,
            r.incorrect,
            r.partial,
            r.missed,
            r.spurious,
        )
        for tag, per in ref["entities"].items():
            r = per[theirs]
            c = ours.per_type[scheme].get(tag, SchemeCounts())
            assert (c.cor, c.inc, c.par, c.mis, c.spu) == (
                r.correct,
                r.incorrect,
                r.partial,
                r.missed,
                r.spurious,
            ), (scheme, tag)


def _bio(spans: Spans, n: int) -> list[str]:
    tags = ["O"] * n
    for s, e, t in spans:
        tags[s] = f"B-{t}"
        for i in range(s + 1, e):
            tags[i] = f"I-{t}"
    return tags


@settings(max_examples=100, deadline=None)
@given(unambiguous_docs())
def test_strict_f1_equals_seqeval(data: tuple[list[Spans], list[Spans]]) -> None:
    gold_docs, pred_docs = data
    # seqeval needs non-overlapping spans on each side: keep predictions that do not overlap
    clean_pred = []
    for d in pred_docs:
        kept: Spans = []
        for s, e, t in sorted(d):
            if s < e and all(e2 <= s or e <= s2 for s2, e2, _ in kept):
                kept.append((s, e, t))
        clean_pred.append(kept)
    if not any(gold_docs) or not any(clean_pred):
        return
    n = [
        max([e for _, e, _ in g + p], default=0) + 1
        for g, p in zip(gold_docs, clean_pred, strict=True)
    ]
    c = run(gold_docs, clean_pred).totals("strict")
    ours = 2 * c.cor / (c.actual + c.possible)
    ref = seqeval_f1(
        [_bio(g, k) for g, k in zip(gold_docs, n, strict=True)],
        [_bio(p, k) for p, k in zip(clean_pred, n, strict=True)],
    )
    assert ours == pytest.approx(ref)


@settings(max_examples=100, deadline=None)
@given(unambiguous_docs(), st.randoms(use_true_random=False))
def test_invariants(data: tuple[list[Spans], list[Spans]], rnd: random.Random) -> None:
    gold_docs, pred_docs = data
    res = run(gold_docs, pred_docs)
    # document order does not matter
    order = list(range(len(gold_docs)))
    rnd.shuffle(order)
    shuffled = run([gold_docs[i] for i in order], [pred_docs[i] for i in order])
    for scheme in NERVALUATE:
        assert shuffled.totals(scheme) == res.totals(scheme)
    strict, exact, partial = (res.totals(s) for s in ("strict", "exact", "partial"))
    assert strict.cor <= exact.cor
    assert strict.credit(False) <= partial.credit(True)
    # perfect predictions score 1
    perfect = run(gold_docs, gold_docs)
    for scheme in NERVALUATE:
        c = perfect.totals(scheme)
        assert c.cor == c.actual == c.possible


def test_overlap_scheme_is_greedy_by_largest_overlap() -> None:
    # a0 [0,10) overlaps b0 [5,12) by 5 and b1 [0,3) by 3; a1 [8,20) overlaps b0 by 4.
    # Greedy takes a0-b0 first (largest overlap), which leaves a1 and b1 unmatched;
    # the optimal (type) matching pairs a0-b1 and a1-b0.
    gold = SpanTable([0, 0], [0, 8], [10, 20], [0, 0])
    pred = SpanTable([0, 0], [5, 0], [12, 3], [0, 0])
    greedy = get_scheme("overlap").align(gold, pred)
    assert list(zip(greedy.gold.tolist(), greedy.pred.tolist(), strict=True)) == [(0, 0)]
    optimal = get_scheme("type").align(gold, pred)
    assert sorted(zip(optimal.gold.tolist(), optimal.pred.tolist(), strict=True)) == [(0, 1), (1, 0)]


def test_overlap_scheme_matches_only_the_same_type() -> None:
    gold = SpanTable([0], [0], [10], [0])
    pred = SpanTable([0], [0], [10], [1])
    assert len(get_scheme("overlap").align(gold, pred).gold) == 0
    assert len(get_scheme("type").align(gold, pred).gold) == 1
