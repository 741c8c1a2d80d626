"""Scoring with another ontology's roles: argument classification per role, coder tuples from the coder mapping.

The hand-computed table below uses ACE 2005 roles (the packaged example
ontology): two documents, Attack events with Attacker / Target / Place, one
wrong-type prediction whose Agent argument is spurious. Every count is written
out by hand next to the case that makes it.
"""

from __future__ import annotations

import csv
import io
import math

import pytest

from eventgold.models import Argument, Article, DocumentAnnotation, Event, GoldDocument, Mention, Origin, Span
from eventgold.ontology import Ontology, load_ontology
from eventgold.report.csv import score_tables
from eventgold.report.markdown import score_markdown
from eventgold.resources import packaged_label_config
from eventgold.scoring.api import score
from eventgold.scoring.coder import CODER_VARIANTS, event_key, score_coder_doc

ACE = load_ontology(packaged_label_config() / "examples" / "ace2005" / "ontology.yaml")
PLOVER = load_ontology(packaged_label_config() / "ontology.yaml")

TEXT1 = "Rebels attacked the convoy in Mosul. Soldiers fired at the rebels near Kirkuk."
TEXT2 = "A bomb struck the market in Basra. Police raided a house."


def m(mid: str, text: str, phrase: str, type_: str, nth: int = 0, cid: str | None = None) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Mention(id=mid, type=type_, start=start, end=start + len(phrase), text=phrase, canonical_id=cid)


def ev(eid: str, text: str, trigger: str, type_: str, **roles: str) -> Event:
    start = text.index(trigger)
    return Event(
        id=eid,
        type=type_,
        trigger=Span(start=start, end=start + len(trigger), text=trigger),
        arguments=[Argument(role=role, mention=mid) for role, mid in roles.items()],
    )


M1 = [
    m("rebels", TEXT1, "Rebels", "ORG"),
    m("convoy", TEXT1, "convoy", "VEH"),
    m("mosul", TEXT1, "Mosul", "GPE"),
    m("soldiers", TEXT1, "Soldiers", "PER"),
    m("rebels2", TEXT1, "rebels", "ORG"),
    m("kirkuk", TEXT1, "Kirkuk", "GPE"),
]
M2 = [
    m("market", TEXT2, "market", "FAC"),
    m("basra", TEXT2, "Basra", "GPE"),
    m("police", TEXT2, "Police", "ORG"),
    m("house", TEXT2, "house", "FAC"),
]
GOLD = [
    GoldDocument(
        article=Article(id="d1", text=TEXT1),
        mentions=M1,
        events=[
            ev("g1", TEXT1, "attacked", "Attack", Attacker="rebels", Target="convoy", Place="mosul"),
            ev("g2", TEXT1, "fired", "Attack", Attacker="soldiers", Target="rebels2", Place="kirkuk"),
        ],
    ),
    GoldDocument(
        article=Article(id="d2", text=TEXT2),
        mentions=M2,
        events=[
            ev("g3", TEXT2, "struck", "Attack", Target="market", Place="basra"),
            ev("g4", TEXT2, "raided", "Attack", Attacker="police", Target="house"),
        ],
    ),
]
PRED = [
    DocumentAnnotation(
        doc_id="d1",
        origin=Origin(kind="extractor", name="llm"),
        mentions=M1,
        events=[
            # Attacker right, Target on the wrong mention (Mosul), Place right; the convoy is missed
            ev("p1", TEXT1, "attacked", "Attack", Attacker="rebels", Target="mosul", Place="mosul"),
            # Attacker and Target swapped; Place right
            ev("p2", TEXT1, "fired", "Attack", Attacker="rebels2", Target="soldiers", Place="kirkuk"),
        ],
    ),
    DocumentAnnotation(
        doc_id="d2",
        origin=Origin(kind="extractor", name="llm"),
        mentions=M2,
        events=[
            ev("p3", TEXT2, "struck", "Attack", Target="market", Place="basra"),
            # wrong type: no trigger-classification match, so its Agent is spurious and g4's
            # Attacker and Target are missed
            ev("p4", TEXT2, "raided", "Arrest-Jail", Agent="police"),
        ],
    ),
]

# role: (tp, actual, possible), by hand
#   Attacker: d1 tp 1 (Rebels), actual 2 (Rebels, rebels), possible 2 (Rebels, Soldiers);
#             d2 tp 0, actual 0, possible 1 (Police)
#   Target:   d1 tp 0, actual 2 (Mosul, Soldiers), possible 2 (convoy, rebels);
#             d2 tp 1 (market), actual 1, possible 2 (market, house)
#   Agent:    d2 tp 0, actual 1 (p4's Police), possible 0
#   Place:    d1 tp 2, actual 2, possible 2; d2 tp 1, actual 1, possible 1
EXPECTED = {
    "Attacker": (1, 2, 3),
    "Target": (1, 3, 4),
    "Agent": (0, 1, 0),
    "Place": (3, 3, 3),
}


def _report():
    return score(GOLD, {"llm": PRED}, bootstrap=0, ontology=ACE)


def test_argument_classification_per_role_hand_table() -> None:
    report = _report()
    events = report.extractors[0].events
    per_role = events.arg_cls_per_role
    # in the ontology's role order (Attacker, Target, ..., Agent, ..., Place), not alphabetical
    assert list(per_role) == ["Attacker", "Target", "Agent", "Place"]
    got = {role: (s.tp, s.tp + s.fp, s.tp + s.fn) for role, s in per_role.items()}
    assert got == EXPECTED
    # the roles add up to the overall argument classification: tp 5, actual 9, possible 10
    a = events.arg_cls
    assert (a.tp, a.tp + a.fp, a.tp + a.fn) == (5, 9, 10)
    assert sum(s.tp for s in per_role.values()) == a.tp
    assert sum(s.fp for s in per_role.values()) == a.fp
    assert sum(s.fn for s in per_role.values()) == a.fn
    # P / R / F1 from the counts: Attacker 1/2, 1/3, 2*1/(2+3); Target 1/3, 1/4, 2/7; Place 1
    att, tgt, place = per_role["Attacker"], per_role["Target"], per_role["Place"]
    assert (att.precision, att.recall, att.f1) == pytest.approx((0.5, 1 / 3, 0.4))
    assert (tgt.precision, tgt.recall, tgt.f1) == pytest.approx((1 / 3, 1 / 4, 2 / 7))
    assert (place.precision, place.recall, place.f1) == (1.0, 1.0, 1.0)
    # Agent has no gold argument: its recall is a zero division (0 under the default policy), and said so
    agent = per_role["Agent"]
    assert (agent.precision, agent.recall, agent.f1) == (0.0, 0.0, 0.0)
    assert "event.arg_cls Agent recall" in report.extractors[0].zero_division_in


def test_per_role_intervals_and_report_tables() -> None:
    report = score(GOLD, {"llm": PRED}, bootstrap=50, seed=1, ontology=ACE)
    ex = report.extractors[0]
    assert set(ex.type_intervals["event.arg_cls"]) == set(EXPECTED)
    place = ex.type_intervals["event.arg_cls"]["Place"]
    assert (place.low, place.high) == (1.0, 1.0)
    rows = list(csv.DictReader(io.StringIO(score_tables(report)["per_type.csv"])))
    roles = {r["type"]: r for r in rows if r["family"] == "event.arg_cls"}
    assert list(roles) == ["Attacker", "Target", "Agent", "Place"]
    assert (roles["Target"]["tp"], roles["Target"]["fp"], roles["Target"]["fn"], roles["Target"]["gold"]) == (
        "1",
        "2",
        "3",
        "4",
    )
    text = score_markdown(report)
    section = text.split("## Per type: Argument roles (argument classification)")[1].split("\n## ")[0]
    assert "| Attacker | 3 | 0.400" in section and "| Place | 3 | 1.000" in section


def test_report_json_round_trips_and_old_reports_without_roles_load() -> None:
    from eventgold.scoring.report import ScoreReport

    report = _report()
    back = ScoreReport.model_validate_json(report.to_json())
    assert back.extractors[0].events.arg_cls_per_role == report.extractors[0].events.arg_cls_per_role
    raw = report.model_dump(mode="json")
    del raw["extractors"][0]["events"]["arg_cls_per_role"]
    assert ScoreReport.model_validate(raw).extractors[0].events.arg_cls_per_role == {}


# ---------------------------------------------------------------------------
# coder tuples through the ontology's coder mapping
# ---------------------------------------------------------------------------

CODER_TEXT = "Iraq struck Iran; Iran struck Iraq in Basra."
CODER_MENTIONS = [
    m("iraq", CODER_TEXT, "Iraq", "GPE", cid="IRQ"),
    m("iran", CODER_TEXT, "Iran", "GPE", cid="IRN"),
    m("iran2", CODER_TEXT, "Iran", "GPE", nth=1, cid="IRN"),
    m("iraq2", CODER_TEXT, "Iraq", "GPE", nth=1, cid="IRQ"),
    m("basra", CODER_TEXT, "Basra", "GPE"),
]


def _events(source: str, target: str, where: str, type_: str) -> tuple[list[Event], list[Event]]:
    """The same gold and predicted events with the roles named ``source``, ``target``, ``where``."""

    def e(eid: str, src: str, tgt: str | None, place: str | None = None) -> Event:
        args = [Argument(role=source, mention=src)]
        args += [Argument(role=target, mention=tgt)] if tgt else []
        args += [Argument(role=where, mention=place)] if place else []
        return Event(id=eid, type=type_, arguments=args)

    gold = [e("g1", "iraq", "iran"), e("g2", "iran2", "iraq2", "basra")]
    # p1 right; p2 has source and target swapped; p3 has no target; the location never counts
    pred = [e("p1", "iraq", "iran", "basra"), e("p2", "iraq2", "iran2"), e("p3", "iran2", None)]
    return gold, pred


def test_coder_tuples_follow_the_coder_mapping_whatever_the_role_names() -> None:
    # PLOVER: actor -> source, recipient -> target, location -> location (not in the tuple)
    assert (PLOVER.coder.source, PLOVER.coder.target) == (("actor",), ("recipient",))
    # ACE: Attacker -> source, Target -> target, Place -> location
    assert "Attacker" in ACE.coder.source and "Target" in ACE.coder.target and ACE.coder_slot("Place") == "location"
    p_gold, p_pred = _events("actor", "recipient", "location", "ASSAULT")
    a_gold, a_pred = _events("Attacker", "Target", "Place", "Attack")
    plover, p_errors = score_coder_doc("d", CODER_MENTIONS, p_gold, CODER_MENTIONS, p_pred, PLOVER)
    ace, a_errors = score_coder_doc("d", CODER_MENTIONS, a_gold, CODER_MENTIONS, a_pred, ACE)
    # by hand: tuple 1 of 3 predicted, 2 gold; (type, source) 2 (p1, p3 = g2's source Iran); type 2
    assert plover["tuple"] == ace["tuple"] == (1, 3, 2)
    assert plover["type_actor"] == ace["type_actor"] == (2, 3, 2)
    assert plover["type"] == ace["type"] == (2, 3, 2)
    # quad: PLOVER's ASSAULT is quad 4; ACE has no quads, so the type stands in
    assert plover["quad"] == ace["quad"] == (2, 3, 2)
    gm = {x.id: x for x in CODER_MENTIONS}
    for g_p, g_a in zip(p_gold + p_pred, a_gold + a_pred, strict=True):
        key_p = event_key("tuple", g_p, gm, PLOVER)
        key_a = event_key("tuple", g_a, gm, ACE)
        assert key_p[1:] == key_a[1:]  # type: ignore[index]  # same (sources, targets) sets
    assert [e.detail.split(":", 1)[1] for e in p_errors] == [e.detail.split(":", 1)[1] for e in a_errors]
    assert p_errors[0].detail == "ASSAULT: ['IRN'] -> ['IRQ']"


def test_roles_outside_the_coder_mapping_are_left_out_of_tuples() -> None:
    # a custom ontology whose roles have other names: "hitter" is a source, "hit" a target, "tool" in no slot
    raw = PLOVER.model_dump(mode="json")
    raw["roles"] = [{"name": "hitter"}, {"name": "hit"}, {"name": "tool"}]
    raw["coder"] = {"source": ["hitter"], "target": ["hit"], "location": []}
    custom = Ontology.model_validate(raw)
    gm = {x.id: x for x in CODER_MENTIONS}
    with_tool = Event(
        id="e",
        type="ASSAULT",
        arguments=[
            Argument(role="hitter", mention="iraq"),
            Argument(role="hit", mention="iran"),
            Argument(role="tool", mention="basra"),
        ],
    )
    without = with_tool.model_copy(update={"arguments": with_tool.arguments[:2]})
    assert event_key("tuple", with_tool, gm, custom) == event_key("tuple", without, gm, custom)
    assert event_key("tuple", with_tool, gm, custom) == ("ASSAULT", frozenset({"IRQ"}), frozenset({"IRN"}))
    # under PLOVER's mapping none of these roles is a source or a target
    assert event_key("tuple", with_tool, gm, PLOVER) == ("ASSAULT", frozenset(), frozenset())


def test_score_uses_the_given_ontologys_coder_mapping() -> None:
    a_gold, a_pred = _events("Attacker", "Target", "Place", "Attack")
    gold = [GoldDocument(article=Article(id="d", text=CODER_TEXT), mentions=CODER_MENTIONS, events=a_gold)]
    pred = [
        DocumentAnnotation(
            doc_id="d", origin=Origin(kind="extractor", name="coder"), mentions=CODER_MENTIONS, events=a_pred
        )
    ]
    with_ace = score(gold, {"coder": pred}, bootstrap=0, ontology=ACE).extractors[0]
    assert with_ace.metrics["coder.tuple.tp"] == 1 and with_ace.metrics["coder.type_actor.tp"] == 2
    # read with PLOVER's mapping the ACE roles are in no slot: every tuple is (type, {}, {})
    with_plover = score(gold, {"coder": pred}, bootstrap=0, ontology=PLOVER).extractors[0]
    assert with_plover.metrics["coder.tuple.tp"] == 2
    assert not math.isnan(with_plover.metrics["coder.tuple.f1"])
    assert set(CODER_VARIANTS) == {"tuple", "type_actor", "type", "quad"}
