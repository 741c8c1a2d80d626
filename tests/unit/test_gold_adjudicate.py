"""Adjudication policies on small cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.errors import ConfigError
from eventgold.gold.adjudicate import adjudicate, gold_units, parse_policy
from eventgold.gold.agreement_counts import build_docs
from eventgold.gold.majority import majority, reusable
from eventgold.gold.units import unit_id
from eventgold.models import DocumentAnnotation, GoldDocument, Origin

from .gold_fixtures import TEXT, ann, article, at, event, mention

ARTICLES = {"d1": article("d1"), "d2": article("d2")}
KAZEMI = unit_id("d1", "mention", *at("Kazemi"), "PERSON")
GHAANI = unit_id("d1", "mention", *at("Ghaani"), "PERSON")
MET = unit_id("d1", "event", *at("met"), "CONSULT")


def three() -> list[DocumentAnnotation]:
    """alice and bob agree on Kazemi, Ghaani and met; carol types Ghaani STATE and adds Iraq."""
    return [
        ann(
            "alice",
            mentions=[mention("a1", "Kazemi"), mention("a2", "Ghaani")],
            events=[event("a3", "met", actors=["a1"], recipients=["a2"], mode="visit")],
        ),
        ann(
            "bob",
            mentions=[mention("b1", "Kazemi"), mention("b2", "Ghaani")],
            events=[event("b3", "met", actors=["b1"], mode="visit")],
        ),
        ann(
            "carol",
            mentions=[
                mention("c1", "Kazemi"),
                mention("c2", "Ghaani", "STATE"),
                mention("c3", "Iraq", "STATE"),
            ],
            events=[event("c3e", "met", actors=["c1"], recipients=["c2"])],
        ),
    ]


def test_parse_policy() -> None:
    assert parse_policy("ground-truth, majority") == ("ground-truth", "majority")
    for bad in ("", "vote", "majority,majority"):
        with pytest.raises(ConfigError):
            parse_policy(bad)


def test_majority_of_three() -> None:
    result = adjudicate(ARTICLES, three(), ["majority"])
    assert result.conflicts == [] and result.decisions == {"majority": 1}
    (doc,) = result.documents
    # Iraq (1 of 3) is dropped; Ghaani is PERSON by 2:1; mode visit by 2:1
    assert [(m.id, m.text, m.type) for m in doc.mentions] == [
        (KAZEMI, "Kazemi", "PERSON"),
        (GHAANI, "Ghaani", "PERSON"),
    ]
    (met,) = doc.events
    assert (met.id, met.mode, list(met.role_ids())) == (MET, "visit", [("actor", KAZEMI), ("recipient", GHAANI)])
    assert doc.provenance[GHAANI].annotators == ["alice", "bob", "carol"]
    assert doc.provenance[GHAANI].decision == "majority 3/3"


def test_majority_tie_is_a_conflict_and_leaves_the_document_out() -> None:
    alice, bob, _ = three()
    result = adjudicate(ARTICLES, [alice, bob], ["majority"])
    # bob has no recipient on met: 1 of 2 is a tie
    assert result.documents == [] and result.excluded == ["d1"]
    (conflict,) = result.conflicts
    (issue,) = conflict.issues
    assert (issue.kind, issue.field, issue.text) == ("event", "role:recipient", "met")
    assert issue.values == {"alice": "yes", "bob": None}
    assert [v.origin.name for v in conflict.versions] == ["alice", "bob"]


def test_include_conflicts_keeps_undisputed_units() -> None:
    alice, bob, _ = three()
    result = adjudicate(ARTICLES, [alice, bob], ["majority"], include_conflicts=True)
    (doc,) = result.documents
    assert len(result.conflicts) == 1 and result.excluded == []
    assert list(doc.events[0].role_ids()) == [("actor", KAZEMI)]


def test_attribute_tie_and_presence_tie() -> None:
    a = ann("a", mentions=[mention("1", "Kazemi"), mention("2", "Iraq", "STATE")])
    b = ann("b", mentions=[mention("1", "Kazemi", "GROUP")])
    result = adjudicate(ARTICLES, [a, b], ["majority"])
    fields = sorted((i.field, i.text) for i in result.conflicts[0].issues)
    assert fields == [("presence", "Iraq"), ("type", "Kazemi")]
    type_issue = next(i for i in result.conflicts[0].issues if i.field == "type")
    assert type_issue.values == {"a": "PERSON", "b": "GROUP"}


def test_ground_truth_wins() -> None:
    anns = three()
    anns[2] = anns[2].model_copy(update={"ground_truth": True})
    result = adjudicate(ARTICLES, anns, ["ground-truth", "majority"])
    (doc,) = result.documents
    assert result.decisions == {"ground-truth": 1}
    assert [(m.text, m.type) for m in doc.mentions] == [
        ("Kazemi", "PERSON"),
        ("Ghaani", "STATE"),
        ("Iraq", "STATE"),
    ]
    iraq = next(m for m in doc.mentions if m.text == "Iraq")
    assert doc.provenance[iraq.id].annotators == ["carol"]
    assert doc.provenance[iraq.id].decision == "ground-truth:carol"
    ghaani = next(m for m in doc.mentions if m.text == "Ghaani")
    assert doc.provenance[ghaani.id].annotators == ["alice", "bob", "carol"]


def test_combined_policies_per_document() -> None:
    d2 = [a.model_copy(update={"doc_id": "d2"}) for a in three()]
    d1 = three()
    d1[0] = d1[0].model_copy(update={"ground_truth": True})
    result = adjudicate(ARTICLES, d1 + d2, ["ground-truth", "majority"])
    assert result.decisions == {"ground-truth": 1, "majority": 1}
    by_doc = {d.doc_id: d for d in result.documents}
    assert next(iter(by_doc["d1"].provenance.values())).decision == "ground-truth:alice"
    assert next(iter(by_doc["d2"].provenance.values())).decision.startswith("majority")


def test_several_ground_truths_are_voted() -> None:
    a, b, _ = three()
    a = a.model_copy(update={"ground_truth": True})
    b = b.model_copy(update={"ground_truth": True})
    result = adjudicate(ARTICLES, [a, b], ["ground-truth"])
    assert result.excluded == ["d1"]  # they differ on met's recipient
    same = adjudicate(ARTICLES, [a, a.model_copy(update={"origin": b.origin})], ["ground-truth"])
    assert same.conflicts == [] and len(same.documents) == 1


def test_policy_that_does_not_apply_is_a_conflict() -> None:
    result = adjudicate(ARTICLES, three(), ["ground-truth"])
    assert result.documents == [] and result.excluded == ["d1"]
    (issue,) = result.conflicts[0].issues
    assert (issue.kind, issue.field) == ("document", "policy")


def test_single() -> None:
    one = [three()[0]]
    result = adjudicate(ARTICLES, one, ["single"])
    assert result.decisions == {"single": 1}
    assert result.documents[0].provenance[KAZEMI].decision == "single:alice"
    assert adjudicate(ARTICLES, three(), ["single"]).excluded == ["d1"]
    assert adjudicate(ARTICLES, three(), ["single", "majority"]).decisions == {"majority": 1}


def test_adjudicator_wins_over_everything() -> None:
    judge = ann("judge", mentions=[mention("j1", "Pompeo")], kind="adjudicator")
    anns = [*three(), judge]
    anns[0] = anns[0].model_copy(update={"ground_truth": True})
    result = adjudicate(ARTICLES, anns, ["adjudicator", "ground-truth", "majority"])
    (doc,) = result.documents
    assert [m.text for m in doc.mentions] == ["Pompeo"]
    assert doc.provenance[doc.mentions[0].id].decision == "adjudicator:judge"
    # extractor output never becomes gold
    bot = ann("spacy", mentions=[mention("s", "Pompeo")], kind="extractor")
    assert adjudicate(ARTICLES, [bot], ["majority"]).documents == []


def test_gold_ids_do_not_depend_on_region_ids() -> None:
    a = three()[0]
    renamed = ann(
        "alice",
        mentions=[mention("zz1", "Kazemi"), mention("qq", "Ghaani")],
        events=[event("r", "met", actors=["zz1"], recipients=["qq"], mode="visit")],
    )
    assert gold_units("d1", a) == gold_units("d1", renamed)
    assert [m.id for m in gold_units("d1", a)[0]] == [KAZEMI, GHAANI]


words = ["Kazemi", "Ghaani", "Baghdad", "Pompeo", "Iraq"]


@st.composite
def annotation(draw: st.DrawFn, name: str) -> DocumentAnnotation:
    picked = draw(st.lists(st.sampled_from(words), unique=True, max_size=4))
    mentions = [mention(f"{name}{i}", w, draw(st.sampled_from(["PERSON", "STATE"]))) for i, w in enumerate(picked)]
    events = []
    if draw(st.booleans()):
        ids = [m.id for m in mentions]
        events.append(
            event(
                f"{name}e",
                draw(st.sampled_from(["met", "called"])),
                draw(st.sampled_from(["CONSULT", "AGREE"])),
                actors=draw(st.lists(st.sampled_from(ids), unique=True, max_size=2)) if ids else [],
            )
        )
    return ann(name, mentions=mentions, events=events)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True).flatmap(
        lambda names: st.tuples(*[annotation(n) for n in names])
    ),
    st.sampled_from([["majority"], ["single", "majority"], ["ground-truth", "majority"]]),
    st.booleans(),
)
def test_every_gold_document_is_valid_and_round_trips(anns: tuple, policy: list[str], include: bool) -> None:
    result = adjudicate(ARTICLES, list(anns), policy, include_conflicts=include)
    for doc in result.documents:
        again = GoldDocument.model_validate_json(doc.model_dump_json())
        assert again == doc
        assert set(doc.provenance) == {u.id for u in (*doc.mentions, *doc.events)}
        for m in doc.mentions:
            assert TEXT[m.start : m.end] == m.text  # type: ignore[misc]
    # deterministic: input order does not matter
    again = adjudicate(ARTICLES, list(reversed(anns)), policy, include_conflicts=include)
    assert again.documents == result.documents
    assert [c.issues for c in again.conflicts] == [c.issues for c in result.conflicts]


def test_an_adjudicator_who_also_annotated_counts_as_two_people_in_provenance() -> None:
    alice = ann("alice", mentions=[mention("m1", "Kazemi"), mention("m2", "Ghaani")])
    bob = ann("bob", mentions=[mention("m1", "Kazemi")])
    lead = ann("alice", mentions=[mention("x1", "Kazemi"), mention("x2", "Ghaani")], kind="adjudicator")
    (doc,) = adjudicate(ARTICLES, [alice, bob, lead], ["adjudicator", "majority"]).documents
    who = {m.text: doc.provenance[m.id].annotators for m in doc.mentions}
    assert who == {"Kazemi": ["adjudicator:alice", "alice", "bob"], "Ghaani": ["adjudicator:alice", "alice"]}
    assert {p.decision for p in doc.provenance.values()} == {"adjudicator:alice"}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=2, max_size=4, unique=True).flatmap(
        lambda names: st.tuples(*[annotation(n) for n in names])
    )
)
def test_a_vote_that_need_not_keep_conflicted_units_finds_the_same_issues(anns: tuple) -> None:
    kept = majority("d1", TEXT, list(anns), "majority")
    lean = majority("d1", TEXT, list(anns), "majority", keep_conflicted=False)
    assert lean.issues == kept.issues
    if not kept.issues:
        assert (lean.mentions, lean.events, lean.provenance) == (kept.mentions, kept.events, kept.provenance)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True).flatmap(
        lambda names: st.tuples(*[annotation(n) for n in names])
    ),
    st.sampled_from([["majority"], ["ground-truth", "majority"]]),
    st.booleans(),
)
def test_a_vote_reusing_the_agreement_alignment_is_the_same(anns: tuple, policy: list[str], include: bool) -> None:
    docs = build_docs(list(anns), ARTICLES)
    assert all(reusable(sorted(anns, key=lambda a: a.origin.name), d) for d in docs)
    alone = adjudicate(ARTICLES, list(anns), policy, include_conflicts=include)
    shared = adjudicate(ARTICLES, list(anns), policy, include_conflicts=include, alignments={d.doc_id: d for d in docs})
    assert shared.documents == alone.documents
    assert shared.conflicts == alone.conflicts
    assert (shared.excluded, shared.decisions) == (alone.excluded, alone.decisions)


def _other_annotations(case: str, anns: list[DocumentAnnotation]) -> list[DocumentAnnotation]:
    """``anns`` changed so that an alignment of the originals no longer fits them."""
    if case == "a copy":
        return [anns[0].model_copy(), *anns[1:]]
    if case == "one fewer":
        return anns[1:]
    if case == "another order":
        return list(reversed(anns))
    return [anns[0].model_copy(update={"origin": Origin(kind="adjudicator", name="alice")}), *anns[1:]]


@pytest.mark.parametrize("case", ["a copy", "one fewer", "another order", "an adjudicator"])
def test_an_alignment_of_other_annotations_is_not_reused(case: str) -> None:
    anns = three()
    (doc,) = build_docs(anns, ARTICLES)
    assert reusable(anns, doc)
    assert not reusable(anns, None)
    other = _other_annotations(case, anns)
    assert not reusable(other, doc)
    vote = majority("d1", TEXT, other, "majority", alignment=doc)
    assert vote == majority("d1", TEXT, other, "majority")
