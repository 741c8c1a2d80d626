"""Roles come from the ontology in gold: screening, argument order in gold events, per-role agreement.

The per-role agreement numbers are derived by hand in the docstring of
:func:`_three`.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.gold.adjudicate import adjudicate
from eventgold.gold.agreement import AgreementReport, compute_agreement, role_agreement
from eventgold.gold.agreement_counts import build_docs
from eventgold.gold.screen import screen_annotation
from eventgold.gold.units import role_order, unit_id
from eventgold.models import Argument, Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import Ontology, load_ontology
from eventgold.report.csv import agreement_tables
from eventgold.report.html import render_html
from eventgold.report.markdown import agreement_markdown
from eventgold.resources import packaged_label_config

from .gold_fixtures import TEXT, ann, article, at, event, mention

PLOVER = load_ontology(packaged_label_config() / "ontology.yaml")
ACE = load_ontology(packaged_label_config() / "examples" / "ace2005" / "ontology.yaml")


# ---------------------------------------------------------------------------
# screening against the ontology
# ---------------------------------------------------------------------------

ACE_TEXT = "Rebels attacked Mosul with rockets, killing a soldier. Al-Kazemi condemned it."


def _m(mid: str, phrase: str, type_: str) -> Mention:
    start = ACE_TEXT.index(phrase)
    return Mention(id=mid, type=type_, start=start, end=start + len(phrase), text=phrase)


def test_screen_leaves_out_arguments_the_ontology_does_not_allow() -> None:
    start = ACE_TEXT.index("attacked")
    attack = Event(
        id="e1",
        type="Attack",
        trigger=Span(start=start, end=start + 8, text="attacked"),
        arguments=[
            Argument(role="Attacker", mention="rebels"),  # fine
            Argument(role="Target", mention="mosul"),  # a GPE cannot be an Attack Target
            Argument(role="Place", mention="mosul"),  # fine
            Argument(role="Instrument", mention="rockets"),  # fine
            Argument(role="Victim", mention="soldier"),  # Victim is not a role of Attack
            Argument(role="actor", mention="rebels"),  # not a role of this ontology at all
            Argument(role="Attacker", mention="kazemi"),  # its mention is left out (unknown type)
        ],
        flags=["past", "historical"],  # historical is PLOVER's, not ACE's
    )
    annotation = DocumentAnnotation(
        doc_id="d1",
        origin=Origin(kind="annotator", name="ann@example.org"),
        mentions=[
            _m("rebels", "Rebels", "ORG"),
            _m("mosul", "Mosul", "GPE"),
            _m("rockets", "rockets", "WEA"),
            _m("soldier", "soldier", "PER"),
            _m("kazemi", "Al-Kazemi", "PERSON"),
        ],
        events=[attack],
    )
    screened, problems = screen_annotation(annotation, ACE)
    (kept,) = screened.events
    assert list(kept.role_ids()) == [("Attacker", "rebels"), ("Place", "mosul"), ("Instrument", "rockets")]
    assert kept.flags == ["past"]
    assert [m.id for m in screened.mentions] == ["rebels", "mosul", "rockets", "soldier"]
    by_relation = {p.relation: p for p in problems if p.field == "arguments"}
    assert set(by_relation) == {"e1->mosul", "e1->soldier", "e1->rebels", "e1->kazemi"}
    assert "a mention of type GPE cannot fill role 'Target'" in by_relation["e1->mosul"].problem
    assert "'Victim' is not a role of Attack" in by_relation["e1->soldier"].problem
    assert "unknown role 'actor'" in by_relation["e1->rebels"].problem
    assert "which is left out" in by_relation["e1->kazemi"].problem
    assert all(p.region == "e1" and p.doc_id == "d1" for p in by_relation.values())
    (flag,) = [p for p in problems if p.field == "flags"]
    assert "unknown flag 'historical'" in flag.problem
    assert sorted(p.field for p in problems) == ["arguments"] * 4 + ["flags", "type"]
    # what is kept passes the strict check
    from eventgold.models import check_annotation

    check_annotation(screened, ACE)


def test_screen_keeps_a_clean_annotation_as_it_is() -> None:
    clean = ann(
        "alice",
        mentions=[mention("m1", "Kazemi"), mention("m2", "Ghaani")],
        events=[event("e1", "met", actors=["m1"], recipients=["m2"], flags=["future"])],
    )
    assert screen_annotation(clean, PLOVER) == (clean, [])
    flagged = clean.model_copy(update={"events": [clean.events[0].model_copy(update={"flags": ["past"]})]})
    screened, problems = screen_annotation(flagged, PLOVER)
    assert screened.events[0].flags == [] and [p.field for p in problems] == ["flags"]


# ---------------------------------------------------------------------------
# gold events: arguments in the ontology's role order, ids unchanged
# ---------------------------------------------------------------------------


def test_gold_arguments_follow_the_ontologys_role_order_and_ids_do_not_change() -> None:
    one = ann(
        "alice",
        mentions=[mention("m1", "Kazemi"), mention("m2", "Ghaani"), mention("m3", "Baghdad", "LOCATION")],
        events=[event("e1", "met", locations=["m3"], recipients=["m2"], actors=["m1"], mode="visit")],
    )
    articles = {"d1": article()}
    ordered = adjudicate(articles, [one], ["single"], ontology=PLOVER).documents[0]
    by_name = adjudicate(articles, [one], ["single"]).documents[0]
    assert role_order(PLOVER) == {"actor": 0, "recipient": 1, "location": 2}
    assert [r for r, _ in ordered.events[0].role_ids()] == ["actor", "recipient", "location"]
    assert [r for r, _ in by_name.events[0].role_ids()] == ["actor", "location", "recipient"]
    # the gold ids come from the units, never from the argument order
    assert ordered.events[0].id == by_name.events[0].id == unit_id("d1", "event", *at("met"), "CONSULT")
    assert [m.id for m in ordered.mentions] == [m.id for m in by_name.mentions]
    assert ordered.provenance == by_name.provenance


def test_a_trigger_less_event_keeps_its_id_from_role_and_mention() -> None:
    """The id of an event without a trigger hashes its ``role=mention`` pairs, as before #15."""
    kazemi = unit_id("d1", "mention", *at("Kazemi"), "PERSON")
    one = ann("alice", mentions=[mention("m1", "Kazemi")], events=[Event(id="e1", type="AGREE", actors=["m1"])])
    (doc,) = adjudicate({"d1": article()}, [one], ["single"], ontology=PLOVER).documents
    assert doc.events[0].id == unit_id("d1", "event", None, None, "AGREE", f"actor={kazemi}")


# ---------------------------------------------------------------------------
# per-role agreement
# ---------------------------------------------------------------------------


def _three(ontology: Ontology | None = PLOVER) -> AgreementReport:
    """alice, bob, carol on one document, the same mentions and the same trigger (met).

    alice: actor Kazemi, recipient Ghaani, location Baghdad
    bob:   actor Kazemi, recipient Iraq
    carol: actor Kazemi, recipient Ghaani, location Baghdad (= alice)

    Pairs (tp = both / fp = only first / fn = only second):
      alice-bob:   actor 1/0/0, recipient 0/1/1, location 0/1/0 -> overall 1/2/1, F1 2/(2+3) = 0.4
      alice-carol: actor 1/0/0, recipient 1/0/0, location 1/0/0 -> overall 3/0/0, F1 1.0
      bob-carol:   actor 1/0/0, recipient 0/1/1, location 0/0/1 -> overall 1/1/2, F1 0.4
    Per role (summed over pairs, the F1 of the sums; mean of the pairs' F1s):
      actor     3/0/0, F1 1;                     mean (1 + 1 + 1) / 3 = 1
      recipient 1/2/2, F1 2 / (2 + 4) = 1/3;     mean (0 + 1 + 0) / 3 = 1/3
      location  1/1/1, F1 2 / (2 + 2) = 1/2;     mean (0 + 1 + 0) / 3 = 1/3
    Overall macro over pairs: (0.4 + 1 + 0.4) / 3 = 0.6
    """
    anns = []
    for who, recipient, location in (("alice", "Ghaani", True), ("bob", "Iraq", False), ("carol", "Ghaani", True)):
        mentions = [
            mention(f"{who}1", "Kazemi"),
            mention(f"{who}2", "Ghaani"),
            mention(f"{who}3", "Baghdad", "LOCATION"),
            mention(f"{who}4", "Iraq", "STATE"),
        ]
        ids = {m.text: m.id for m in mentions}
        roles = {"actors": [ids["Kazemi"]], "recipients": [ids[recipient]]}
        if location:
            roles["locations"] = [ids["Baghdad"]]
        anns.append(ann(who, mentions=mentions, events=[event(f"{who}e", "met", **roles)]))
    return compute_agreement(anns, {"d1": Article(id="d1", text=TEXT)}, ontology=ontology)


def test_role_agreement_per_role_hand_case() -> None:
    roles = _three().roles
    assert [p.counts.f1 for p in roles.pairs] == pytest.approx([0.4, 1.0, 0.4])
    assert roles.macro_f1 == pytest.approx(0.6)
    assert list(roles.per_role) == ["actor", "recipient", "location"]  # the ontology's order
    got = {r: (x.tp, x.fp, x.fn, x.pairs) for r, x in roles.per_role.items()}
    assert got == {"actor": (3, 0, 0, 3), "recipient": (1, 2, 2, 3), "location": (1, 1, 1, 3)}
    # the mean of the pairs' F1s, and the F1 of the summed counts: 2/(2+4) and 2/(2+2)
    assert [x.macro_f1 for x in roles.per_role.values()] == pytest.approx([1.0, 1 / 3, 1 / 3])
    assert [x.f1 for x in roles.per_role.values()] == pytest.approx([1.0, 1 / 3, 1 / 2])
    # each pair carries its counts per role
    ab = roles.pairs[0]
    assert (ab.a, ab.b) == ("alice", "bob")
    assert {r: (c.tp, c.fp, c.fn) for r, c in ab.per_label.items()} == {
        "actor": (1, 0, 0),
        "recipient": (0, 1, 1),
        "location": (0, 1, 0),
    }
    # without an ontology the roles are listed by name
    assert list(_three(None).roles.per_role) == ["actor", "location", "recipient"]


def test_role_agreement_per_role_in_reports() -> None:
    report = _three()
    md = agreement_markdown(report)
    section = md.split("## Role agreement per role (matched triggers)")[1].split("\n## ")[0]
    assert "| recipient | 3 | 1 | 2 | 2 | 0.333 | 0.333 |" in section
    assert "| location | 3 | 1 | 1 | 1 | 0.500 | 0.333 |" in section
    assert "| actor | 3 | 3 | 0 | 0 | 1.000 | 1.000 |" in section
    assert "actor 1.000, recipient 0.333, location 0.333" in md  # the roles row of the span table
    html = render_html(report)
    assert "Role agreement per role (matched triggers)" in html and "<td>recipient</td>" in html
    tables = agreement_tables(report)
    rows = list(csv.DictReader(io.StringIO(tables["roles.csv"])))
    assert [(r["role"], r["tp"], r["fp"], r["fn"], r["pairs"], r["f1"]) for r in rows] == [
        ("actor", "3", "0", "0", "3", "1.0"),
        ("recipient", "1", "2", "2", "3", repr(1 / 3)),
        ("location", "1", "1", "1", "3", "0.5"),
    ]
    pairs = list(csv.DictReader(io.StringIO(tables["pairs.csv"])))
    assert {(r["a"], r["b"], r["label"]) for r in pairs if r["kind"] == "role"} >= {
        ("alice", "bob", "(all)"),
        ("alice", "bob", "recipient"),
    }


def test_agreement_json_without_per_role_still_loads() -> None:
    raw = _three().model_dump(mode="json")
    del raw["roles"]["per_role"]
    assert AgreementReport.model_validate(raw).roles.per_role == {}


def test_gold_build_carries_roles_from_the_ontology_into_gold_agreement_and_datasheet() -> None:
    from eventgold.gold.dataset import BuildOptions, build_gold

    from .gold_fixtures import snapshot

    def one(who: str, with_location: bool) -> DocumentAnnotation:
        roles = {"actors": ["m1"], "recipients": ["m2"], **({"locations": ["m3"]} if with_location else {})}
        return ann(
            who,
            mentions=[mention("m1", "Kazemi"), mention("m2", "Ghaani"), mention("m3", "Baghdad", "LOCATION")],
            events=[event("e1", "met", mode="visit", **roles)],
        )

    build = build_gold(
        [snapshot([article()], [one("alice", True), one("bob", True), one("carol", False)])],
        PLOVER,
        BuildOptions(version="v1"),
    )
    (doc,) = build.documents
    assert [role for role, _ in doc.events[0].role_ids()] == ["actor", "recipient", "location"]
    assert list(build.agreement.roles.per_role) == ["actor", "recipient", "location"]
    readme = build.files()["README.md"].decode()
    assert "| role F1: actor | 1.000 |" in readme and "| role F1: location | 0.333 |" in readme


def _reference_role_counts(docs: list, a: str, b: str) -> dict[str, tuple[int, int, int]]:
    """Role -> (tp, fp, fn) of ``a`` against ``b``, document by document with sets (the rule as stated)."""
    from collections import Counter

    def triples(doc: Any, name: str) -> dict[int, set[tuple[str, int]]]:
        unit_of = {u.members[name].record_id: i for i, u in enumerate(doc.units["mention"]) if name in u.members}
        out = {}
        for i, unit in enumerate(doc.units["event"]):
            if name in unit.members:
                found = doc.record(unit.members[name])
                out[i] = {(role, unit_of[mid]) for role, mid in found.role_ids()}
        return out

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for doc in docs:
        if a in doc.annotations and b in doc.annotations:
            ta, tb = triples(doc, a), triples(doc, b)
            for i in ta.keys() & tb.keys():
                tp.update(r for r, _ in ta[i] & tb[i])
                fp.update(r for r, _ in ta[i] - tb[i])
                fn.update(r for r, _ in tb[i] - ta[i])
    return {r: (tp[r], fp[r], fn[r]) for r in tp.keys() | fp.keys() | fn.keys()}


WORDS = ["Kazemi", "Ghaani", "Baghdad", "Pompeo", "Iraq"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(  # documents: annotator -> (mention words, events: (trigger word, [(role, mention word)]))
        st.dictionaries(
            st.sampled_from(["alice", "bob", "carol"]),
            st.tuples(
                st.sets(st.sampled_from(WORDS), min_size=1),
                st.lists(
                    st.tuples(
                        st.sampled_from(["met", "called", "Saturday"]),
                        st.lists(st.tuples(st.sampled_from(["actor", "recipient"]), st.integers(0, 4)), max_size=3),
                    ),
                    max_size=2,
                ),
            ),
            min_size=1,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_role_agreement_equals_counting_document_by_document(corpus: list[dict[str, Any]]) -> None:
    """The corpus-wide role counts equal per-document set counts, every pair (duplicate arguments too)."""
    anns = []
    for d, by in enumerate(corpus):
        for name, (words, events) in by.items():
            mentions = [mention(f"{name}{w}", w) for w in sorted(words)]
            made = [
                event(
                    f"{name}e{i}",
                    word,
                    arguments=[Argument(role=r, mention=mentions[k % len(mentions)].id) for r, k in args],
                )
                for i, (word, args) in enumerate(events)
            ]
            anns.append(ann(name, f"d{d}", mentions=mentions, events=made))
    docs = build_docs(anns)
    roles = role_agreement(docs, [])
    got = {(p.a, p.b): {r: (c.tp, c.fp, c.fn) for r, c in p.per_label.items()} for p in roles.pairs}
    names = sorted({a.origin.name for a in anns})
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if any(a in doc.annotations and b in doc.annotations for doc in docs):
                assert got[(a, b)] == _reference_role_counts(docs, a, b)
