"""Agreement figures on a small hand-computed case (the numbers are derived in comments)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.gold.agreement import AgreementReport, compute_agreement
from eventgold.gold.agreement_counts import match_spans
from eventgold.gold.units import Item
from eventgold.models import GoldDocument

from .gold_fixtures import TEXT, ann, article, at, event, mention

GHAAN = (TEXT.index("Ghaani"), TEXT.index("Ghaani") + 5)


def _case() -> AgreementReport:
    """Three annotators on d1; alice alone on d2; bob cancelled d2.

    alice: Kazemi/PERSON, Ghaani/PERSON, Baghdad/LOCATION; met/CONSULT visit (actor Kazemi,
           recipient Ghaani, location Baghdad)
    bob:   Kazemi/PERSON, Ghaani/ARMED_GROUP, Iraq/STATE; met/CONSULT no mode (actor, recipient)
    carol: Kazemi/PERSON, "Ghaan"/PERSON (overlaps Ghaani); met/CONSULT visit (actor, recipient)
    """
    alice = ann(
        "alice",
        mentions=[
            mention("m1", "Kazemi"),
            mention("m2", "Ghaani"),
            mention("m3", "Baghdad", "LOCATION"),
        ],
        events=[
            event("e1", "met", actors=["m1"], recipients=["m2"], locations=["m3"], mode="visit")
        ],
        lead_time=10.0,
    )
    bob = ann(
        "bob",
        mentions=[
            mention("x1", "Kazemi"),
            mention("x2", "Ghaani", "ARMED_GROUP"),
            mention("x3", "Iraq", "STATE"),
        ],
        events=[event("y1", "met", actors=["x1"], recipients=["x2"])],
        lead_time=50.0,
    )
    carol = ann(
        "carol",
        mentions=[mention("z1", "Kazemi"), mention("z2", "", span=GHAAN)],
        events=[event("w1", "met", actors=["z1"], recipients=["z2"], mode="visit")],
    )
    alice2 = ann("alice", "d2", mentions=[mention("k", "Pompeo")], lead_time=30.0)
    bob2 = ann("bob", "d2", cancelled=True)
    gold = GoldDocument(
        article=article(),
        mentions=[mention("g1", "Kazemi"), mention("g2", "Ghaani")],
        events=[event("g3", "met")],
    )
    return compute_agreement(
        [alice, bob, carol, alice2, bob2], {"d1": article(), "d2": article("d2")}, {"d1": gold}
    )


@pytest.fixture(scope="module")
def report() -> AgreementReport:
    return _case()


@pytest.mark.parametrize(
    ("kind", "matching", "pair_f1", "macro"),
    [
        # a/b: tp 1 (Kazemi), only a 2, only b 2 -> 2/6; a/c and b/c: tp 1, 2 vs 1 -> 2/5
        ("mention", "strict", [1 / 3, 0.4, 0.4], (1 / 3 + 0.8) / 3),
        # overlap: carol's Ghaan matches alice's Ghaani (same type), not bob's ARMED_GROUP
        ("mention", "overlap", [1 / 3, 0.8, 0.4], (1 / 3 + 1.2) / 3),
        ("event", "strict", [1.0, 1.0, 1.0], 1.0),
        ("event", "overlap", [1.0, 1.0, 1.0], 1.0),
    ],
)
def test_span_f1(
    report: AgreementReport, kind: str, matching: str, pair_f1: list[float], macro: float
) -> None:
    sp = next(s for s in report.spans if s.kind == kind and s.matching == matching)
    assert [(p.a, p.b) for p in sp.pairs] == [
        ("alice", "bob"),
        ("alice", "carol"),
        ("bob", "carol"),
    ]
    assert [p.counts.f1 for p in sp.pairs] == pytest.approx(pair_f1)
    assert sp.macro_f1 == pytest.approx(macro)


def test_span_f1_per_label(report: AgreementReport) -> None:
    sp = next(s for s in report.spans if s.kind == "mention" and s.matching == "strict")
    # PERSON: a/b tp1 fp1 fn0 -> 2/3; a/c tp1 fp1 fn1 -> 1/2; b/c tp1 fp0 fn1 -> 2/3
    assert sp.per_label["PERSON"] == pytest.approx((2 / 3 + 0.5 + 2 / 3) / 3)
    assert sp.per_label["STATE"] == 0.0
    ab = sp.pairs[0]
    assert (ab.counts.tp, ab.counts.fp, ab.counts.fn) == (1, 2, 2)


@pytest.mark.parametrize(
    ("field", "cohen", "fleiss", "alpha", "units"),
    [
        # units: Kazemi (P,P,P), Ghaani (P,AG,P), Baghdad (L), Iraq (S), Pompeo (P, d2)
        # Cohen a/b on [P,P] vs [P,AG]: (2*1 - 2) / (4 - 2) = 0; a/c single category -> None
        # Fleiss on the two complete units: P_bar 2/3, P_e 26/36 -> -0.2
        # alpha: n_P 5, n_AG 1, D_o 2, expected 36 - 26 -> 1 - 5*2/10 = 0
        ("actor_type", [0.0, None, 0.0], -0.2, 0.0, 5),
        # all <none>: every coefficient undefined
        ("canonical_id", [None, None, None], None, None, 5),
        ("event_type", [None, None, None], None, None, 1),
        # met: visit / <none> / visit. Cohen a/b one unit, no agreement, chance 0 -> 0
        # Fleiss: P_bar 1/3, P_e 5/9 -> -0.5; alpha: D_o 2, expected 4 -> 1 - 2*2/4 = 0
        ("mode", [0.0, None, 0.0], -0.5, 0.0, 1),
    ],
)
def test_field_agreement(
    report: AgreementReport,
    field: str,
    cohen: list[float | None],
    fleiss: float | None,
    alpha: float | None,
    units: int,
) -> None:
    fa = next(f for f in report.fields if f.field == field)
    assert [k.kappa for k in fa.cohen] == pytest.approx(cohen)
    assert fa.fleiss == pytest.approx(fleiss)
    assert fa.alpha == pytest.approx(alpha)
    assert fa.units == units
    assert fa.fleiss_raters == 3


def test_undefined_figures_are_explained(report: AgreementReport) -> None:
    assert any(w.startswith("canonical_id: Krippendorff's alpha") for w in report.warnings)
    assert any("Cohen's kappa alice / carol" in w for w in report.warnings)


def test_role_f1(report: AgreementReport) -> None:
    # triples on met: alice {actor K, recipient G, location B}, bob and carol {actor K, recipient G}
    # (carol's "Ghaan" is the same aligned unit as Ghaani): a/b 4/5, a/c 4/5, b/c 1
    assert [p.counts.f1 for p in report.roles.pairs] == pytest.approx([0.8, 0.8, 1.0])
    assert report.roles.macro_f1 == pytest.approx(2.6 / 3)


def test_annotator_stats(report: AgreementReport) -> None:
    stats = {s.name: s for s in report.annotator_stats}
    assert (stats["alice"].tasks, stats["alice"].cancelled) == (2, 0)
    assert stats["alice"].median_lead_time == 20.0
    assert (stats["bob"].tasks, stats["bob"].cancelled, stats["bob"].median_lead_time) == (
        1,
        1,
        50.0,
    )
    assert stats["carol"].median_lead_time is None
    # alice vs bob: tp 2 (Kazemi, met), 2 vs 2; vs carol: tp 2, 2 vs 1 -> 8 / (8 + 7)
    others = stats["alice"].with_others
    assert (others.tp, others.fp, others.fn) == (4, 4, 3)
    assert others.f1 == pytest.approx(8 / 15)
    # alice vs gold on d1: tp 3, Baghdad extra
    gold = stats["alice"].with_gold
    assert gold is not None and (gold.tp, gold.fp, gold.fn) == (3, 1, 0)
    assert (gold.precision, gold.recall) == (0.75, 1.0)
    assert stats["alice"].gold_documents == 1


def test_report_counts_and_disagreements(report: AgreementReport) -> None:
    assert report.annotators == ["alice", "bob", "carol"]
    assert (report.documents, report.annotations, report.cancelled) == (1, 4, 1)
    got = [(d.kind, d.text, d.fields) for d in report.disagreements]
    assert got == [
        ("mention", "Ghaani", ["actor_type"]),
        ("mention", "Baghdad", ["presence"]),
        ("mention", "Iraq", ["presence"]),
        ("event", "met", ["mode"]),
    ]
    baghdad = report.disagreements[1]
    assert baghdad.values["bob"] is None
    assert baghdad.values["alice"] == {"actor_type": "LOCATION", "canonical_id": "<none>"}


def test_report_json_round_trip(report: AgreementReport) -> None:
    again = AgreementReport.model_validate_json(report.model_dump_json())
    assert again.model_dump() == report.model_dump()


def test_other_origins_do_not_take_part() -> None:
    one = ann("alice", mentions=[mention("m1", "Kazemi")])
    ex = ann("spacy", mentions=[mention("m1", "Kazemi")], kind="extractor")
    adj = ann("judge", mentions=[mention("m1", "Kazemi")], kind="adjudicator")
    rep = compute_agreement([one, ex, adj])
    assert rep.annotators == ["alice"] and rep.documents == 0
    assert all(s.macro_f1 is None for s in rep.spans)


def test_no_shared_documents_is_undefined_not_zero() -> None:
    rep = compute_agreement(
        [ann("a", "d1", [mention("m", "Kazemi")]), ann("b", "d2", [mention("m", "Kazemi")])]
    )
    assert rep.spans[0].pairs == [] and rep.spans[0].macro_f1 is None
    assert any("span F1" in w for w in rep.warnings)


span = st.tuples(st.integers(0, 20), st.integers(1, 6), st.sampled_from(["P", "S"]))


@settings(max_examples=100, deadline=None)
@given(st.lists(span, max_size=8), st.lists(span, max_size=8))
def test_span_matching_invariants(a_raw: list, b_raw: list) -> None:
    a = [Item("a", "mention", lab, s, s + n, f"a{i}") for i, (s, n, lab) in enumerate(a_raw)]
    b = [Item("b", "mention", lab, s, s + n, f"b{i}") for i, (s, n, lab) in enumerate(b_raw)]
    for matching in ("strict", "overlap"):
        ab = match_spans(a, b, matching)  # type: ignore[arg-type]
        ba = match_spans(b, a, matching)  # type: ignore[arg-type]
        assert sum(c.tp + c.fp for c in ab.values()) == len(a)
        assert sum(c.tp + c.fn for c in ab.values()) == len(b)
        # symmetric: swapping the annotators swaps fp and fn
        assert {k: (c.tp, c.fn, c.fp) for k, c in ab.items()} == {
            k: (c.tp, c.fp, c.fn) for k, c in ba.items()
        }
    strict = sum(c.tp for c in match_spans(a, b, "strict").values())
    overlap = sum(c.tp for c in match_spans(a, b, "overlap").values())
    assert strict <= overlap


def test_at_helper() -> None:
    assert TEXT[slice(*at("Kazemi"))] == "Kazemi"


def test_undefined_statistics_are_named_once(report: AgreementReport) -> None:
    for w in report.warnings:
        for statistic in ("Krippendorff's alpha", "Cohen's kappa", "Fleiss' kappa"):
            assert w.count(statistic) <= 1, w
    assert any(w.startswith("canonical_id: Krippendorff's alpha is undefined: ") for w in report.warnings)


@pytest.mark.parametrize(
    ("context", "message", "expected"),
    [
        (
            "event_type: Krippendorff's alpha",
            "Krippendorff's alpha is undefined: no unit has two values",
            "event_type: Krippendorff's alpha is undefined: no unit has two values",
        ),
        (
            "type: Cohen's kappa a / b",
            "Cohen's kappa is undefined: no items rated by both raters",
            "type: Cohen's kappa a / b is undefined: no items rated by both raters",
        ),
        ("type: Fleiss' kappa", "something else went wrong", "type: Fleiss' kappa: something else went wrong"),
    ],
)
def test_warning_in_context(context: str, message: str, expected: str) -> None:
    from eventgold.gold.agreement import _in_context

    assert _in_context(context, message) == expected


doc_spans = st.lists(st.tuples(st.sampled_from("ab"), st.integers(0, 20), st.integers(0, 6), st.sampled_from("PSE")))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(doc_spans, doc_spans), min_size=1, max_size=5), st.lists(st.booleans(), min_size=5))
def test_span_index_counts_equal_match_spans_over(raw: list, flags: list[bool]) -> None:
    """Counts from the arrays built once equal counting the items of the shared documents afresh."""
    import numpy as np

    from eventgold.gold.agreement_counts import (
        AgreementDoc,
        index_counts,
        match_spans_over,
        pooled_index,
        span_index,
    )

    docs = []
    for d, (mentions, events) in enumerate(raw):
        items: dict = {"mention": {"a": [], "b": []}, "event": {"a": [], "b": []}}
        for kind, spans in (("mention", mentions), ("event", events)):
            for i, (who, s, n, lab) in enumerate(spans):
                items[kind][who].append(Item(who, kind, lab, s, s + n, f"{kind}{d}.{i}"))
        docs.append(AgreementDoc(f"d{d}", None, {}, items, {"mention": [], "event": []}))
    shared = np.asarray(flags[: len(docs)], dtype=bool)
    chosen = [doc for doc, keep in zip(docs, shared, strict=True) if keep]
    pooled = pooled_index(span_index(docs, ("mention",)), span_index(docs, ("event",)))
    both = span_index(docs, ("mention", "event"))
    assert pooled.labels == both.labels or sorted(pooled.labels) == sorted(both.labels)
    for matching in ("strict", "overlap"):
        for kinds in (("mention",), ("event",)):
            expected = match_spans_over([(d.items[kinds[0]]["a"], d.items[kinds[0]]["b"]) for d in chosen], matching)
            assert index_counts(span_index(docs, kinds), "a", "b", shared, matching) == expected
        expected = match_spans_over(
            [(d.items["mention"]["a"] + d.items["event"]["a"], d.items["mention"]["b"] + d.items["event"]["b"])
             for d in chosen],
            matching,
        )  # fmt: skip
        assert index_counts(both, "a", "b", shared, matching) == expected
        assert index_counts(pooled, "a", "b", shared, matching) == expected
