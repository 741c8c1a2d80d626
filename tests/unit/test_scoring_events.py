"""ACE-style event metrics and coder tuples: hand-computed tables and an assignment reference."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from eventgold.models import Argument, Event, Mention, Span
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config
from eventgold.scoring.coder import CODER_VARIANTS, event_key, score_coder_doc
from eventgold.scoring.events import common_count, common_keys, score_events_doc

TEXT = "Iraq met Iran in Baghdad and attacked them later; talks, talks."
PLOVER = load_ontology(packaged_label_config() / "ontology.yaml")


def args(**roles: list[str]) -> list[Argument]:
    """Arguments from role=[mention ids] keywords, in keyword order."""
    return [Argument(role=role, mention=mid) for role, ids in roles.items() for mid in ids]


def m(mid: str, phrase: str, type_: str = "STATE", cid: str | None = None, nth: int = 0) -> Mention:
    s = -1
    for _ in range(nth + 1):
        s = TEXT.index(phrase, s + 1)
    return Mention(id=mid, type=type_, start=s, end=s + len(phrase), text=phrase, canonical_id=cid)


def trig(phrase: str, nth: int = 0) -> Span:
    s = -1
    for _ in range(nth + 1):
        s = TEXT.index(phrase, s + 1)
    return Span(start=s, end=s + len(phrase), text=phrase)


GM = [m("iraq", "Iraq", cid="IRQ"), m("iran", "Iran", cid="IRN"), m("bgd", "Baghdad", "LOCATION")]
G_MEET = Event(
    id="g1",
    type="CONSULT",
    trigger=trig("met"),
    mode="visit",
    actors=["iraq"],
    recipients=["iran"],
    locations=["bgd"],
    contexts=["diplomatic"],
)
G_ATT = Event(id="g2", type="ASSAULT", trigger=trig("attacked"), actors=["iraq"], recipients=["iran"])


def ace(gold_events: list[Event], pred_events: list[Event], pm: list[Mention] | None = None):
    return score_events_doc("d", TEXT, GM, gold_events, GM if pm is None else pm, pred_events)


# counts are (tp, actual, possible)
@pytest.mark.parametrize(
    ("pred", "expected"),
    [
        pytest.param(
            [G_MEET, G_ATT],
            {
                "trigger_id": (2, 2, 2),
                "trigger_cls": (2, 2, 2),
                "arg_id": (5, 5, 5),
                "arg_cls": (5, 5, 5),
            },
            id="perfect",
        ),
        pytest.param(
            [],
            {
                "trigger_id": (0, 0, 2),
                "trigger_cls": (0, 0, 2),
                "arg_id": (0, 0, 5),
                "arg_cls": (0, 0, 5),
            },
            id="empty-prediction",
        ),
        pytest.param(
            [G_MEET.model_copy(update={"type": "AGREE"}), G_ATT],
            {
                "trigger_id": (2, 2, 2),
                "trigger_cls": (1, 2, 2),
                "arg_id": (2, 5, 5),
                "arg_cls": (2, 5, 5),
            },
            id="wrong-type-drops-its-arguments",
        ),
        pytest.param(
            [
                G_MEET.model_copy(update={"arguments": args(actor=["iran"], recipient=["iraq"], location=["bgd"])}),
                G_ATT,
            ],
            {
                "trigger_id": (2, 2, 2),
                "trigger_cls": (2, 2, 2),
                "arg_id": (5, 5, 5),
                "arg_cls": (3, 5, 5),
            },
            id="swapped-roles",
        ),
        pytest.param(
            [G_MEET.model_copy(update={"trigger": trig("talks")}), G_ATT],
            {
                "trigger_id": (1, 2, 2),
                "trigger_cls": (1, 2, 2),
                "arg_id": (2, 5, 5),
                "arg_cls": (2, 5, 5),
            },
            id="wrong-trigger-unmatched-arguments",
        ),
        pytest.param(
            [G_MEET, G_MEET.model_copy(update={"id": "dup"}), G_ATT],
            {
                "trigger_id": (2, 3, 2),
                "trigger_cls": (2, 3, 2),
                "arg_id": (5, 8, 5),
                "arg_cls": (5, 8, 5),
            },
            id="duplicate-event-one-to-one",
        ),
        pytest.param(
            [G_MEET.model_copy(update={"trigger": None}), G_ATT],
            {
                "trigger_id": (1, 1, 2),
                "trigger_cls": (1, 1, 2),
                "arg_id": (2, 2, 5),
                "arg_cls": (2, 2, 5),
            },
            id="event-without-trigger-not-ace",
        ),
    ],
)
def test_ace_hand_tables(pred: list[Event], expected: dict[str, tuple[int, int, int]]) -> None:
    assert ace([G_MEET, G_ATT], pred).counts == expected


def test_same_trigger_events_paired_for_most_arguments() -> None:
    a = Event(id="a", type="CONSULT", trigger=trig("met"), actors=["iraq"])
    b = Event(id="b", type="CONSULT", trigger=trig("met"), actors=["iran"])
    res = ace([a, b], [b.model_copy(update={"id": "pb"}), a.model_copy(update={"id": "pa"})])
    assert res.counts["arg_cls"] == (2, 2, 2)


def test_arguments_without_offsets_are_left_out_and_counted() -> None:
    pm = [*GM, Mention(id="x", type="STATE", canonical_id="IRQ")]
    res = ace([G_ATT], [G_ATT.model_copy(update={"arguments": args(actor=["x"], recipient=["iran"])})], pm)
    assert res.counts["arg_id"] == (1, 1, 2)
    assert res.pred_args_without_span == 1


@pytest.mark.parametrize(
    ("pred_mode", "pred_contexts", "mode", "context", "labels"),
    [
        ("visit", ["diplomatic"], (1, 1), (1, 1), (1, 0, 0)),
        (None, [], (1, 0), (1, 0), (0, 0, 1)),
        ("phone", ["diplomatic", "military"], (1, 0), (1, 0), (1, 1, 0)),
    ],
)
def test_mode_and_context(pred_mode, pred_contexts, mode, context, labels) -> None:
    res = ace([G_MEET], [G_MEET.model_copy(update={"mode": pred_mode, "contexts": pred_contexts})])
    assert (res.mode_compared, res.mode_correct) == mode
    assert (res.context_compared, res.context_exact) == context
    assert (res.context_tp, res.context_fp, res.context_fn) == labels


def test_trigger_errors_and_type_pairs() -> None:
    res = ace([G_MEET, G_ATT], [G_MEET.model_copy(update={"type": "AGREE"})])
    kinds = sorted((e.level, e.kind) for e in res.errors if e.level == "trigger")
    assert kinds == [("trigger", "missed"), ("trigger", "wrong_type")]
    assert res.type_pairs == [("CONSULT", "AGREE")]


def coder(gold: list[Event], pred: list[Event], pm: list[Mention] | None = None):
    return score_coder_doc("d", GM, gold, GM if pm is None else pm, pred, PLOVER)[0]


def test_coder_offset_free_actors_by_canonical_id() -> None:
    pm = [
        Mention(id="a", type="STATE", canonical_id="IRQ"),
        Mention(id="b", type="STATE", canonical_id="IRN"),
    ]
    pred = [
        Event(id="c1", type="CONSULT", actors=["a"], recipients=["b"]),
        Event(id="c2", type="COERCE", actors=["a"]),
    ]
    out = coder([G_MEET, G_ATT], pred, pm)
    assert out == {
        "tuple": (1, 2, 2),
        "type_actor": (1, 2, 2),
        "type": (1, 2, 2),
        "quad": (2, 2, 2),
    }


def test_coder_variants_relax_in_order() -> None:
    pred = [G_MEET.model_copy(update={"arguments": args(actor=["iraq"], location=["bgd"])})]
    assert coder([G_MEET], pred) == {
        "tuple": (0, 1, 1),
        "type_actor": (1, 1, 1),
        "type": (1, 1, 1),
        "quad": (1, 1, 1),
    }


EVENT_TYPES = ["CONSULT", "AGREE", "ASSAULT"]


@st.composite
def coder_events(draw: st.DrawFn) -> list[Event]:
    return [
        Event(
            id=f"e{i}",
            type=draw(st.sampled_from(EVENT_TYPES)),
            actors=draw(st.lists(st.sampled_from(["iraq", "iran"]), max_size=2, unique=True)),
            recipients=draw(st.lists(st.sampled_from(["iraq", "iran"]), max_size=1)),
        )
        for i in range(draw(st.integers(0, 5)))
    ]


@settings(max_examples=100, deadline=None)
@given(coder_events(), coder_events())
def test_coder_matches_optimal_assignment(gold: list[Event], pred: list[Event]) -> None:
    gm = {x.id: x for x in GM}
    out = coder(gold, pred)
    for variant in CODER_VARIANTS:
        gk = [event_key(variant, e, gm, PLOVER) for e in gold]
        pk = [event_key(variant, e, gm, PLOVER) for e in pred]
        if gk and pk:
            w = np.array([[int(a == b) for b in pk] for a in gk])
            r, c = linear_sum_assignment(w, maximize=True)
            best = int(w[r, c].sum())
        else:
            best = 0
        assert out[variant] == (best, len(pred), len(gold))
        assert best == sum((Counter(gk) & Counter(pk)).values())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([], []),
        ([1, 2, 3], []),
        ([1, 2, 3], [3, 4, 1]),
        ([1, 1, 2], [1, 2, 2, 1, 1]),
        (["x", "y", "x"], ["x"]),
        ([(0, 4), (0, 4), (5, 8)], [(0, 4), (5, 8), (5, 8)]),
    ],
    ids=["empty", "one-side", "sets", "repeats", "repeats-one-side", "spans"],
)
def test_common_keys_and_count_are_the_multiset_intersection(a: list[object], b: list[object]) -> None:
    expected = Counter(a) & Counter(b)
    assert list(common_keys(a, b).items()) == list(expected.items())
    assert common_count(a, b) == sum(expected.values())


def test_documents_score_the_same_from_mention_lists_and_id_maps() -> None:
    pm = [m("p_iraq", "Iraq", cid="IRQ"), m("p_iran", "Iran")]
    pred = [Event(id="p1", type="CONSULT", trigger=trig("met"), actors=["p_iraq"], recipients=["p_iran"])]
    by_id = {x.id: x for x in GM}, {x.id: x for x in pm}
    from_lists = score_events_doc("d", TEXT, GM, [G_MEET, G_ATT], pm, pred)
    from_maps = score_events_doc("d", TEXT, by_id[0], [G_MEET, G_ATT], by_id[1], pred)
    assert from_lists == from_maps
    assert score_coder_doc("d", GM, [G_MEET], pm, pred, PLOVER) == score_coder_doc(
        "d", by_id[0], [G_MEET], by_id[1], pred, PLOVER, quads={}
    )
