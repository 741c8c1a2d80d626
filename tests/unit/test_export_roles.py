"""Exports and the PLOVER reader work from the ontology's roles: ACE 2005 roles, renamed PLOVER roles, coder mapping."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import yaml

from eventgold.config import ONTOLOGY_FILE
from eventgold.export.run import export_gold
from eventgold.models import Argument, Article, Event, GoldDocument, Mention
from eventgold.ontology import Ontology, load_ontology
from eventgold.problems import Problem
from eventgold.readers import read_predictions
from eventgold.readers.plover import UnmappedEntityWarning
from eventgold.resources import packaged_label_config
from tests.unit.ace_fixtures import ACE, event_in, mention_in

from .export_fixtures import fixture_gold, write_gold
from .extras import NEEDS_SPACY

TEXT = "Rebels attacked an army base in Kirkuk with rockets on Monday. Two soldiers died in the attack.\n"


def _m(mid: str, phrase: str, type_: str) -> Mention:
    return mention_in(TEXT, mid, phrase, type_)


def _e(eid: str, phrase: str, type_: str, *arguments: tuple[str, str]) -> Event:
    return event_in(TEXT, eid, phrase, type_, *arguments)


def ace_doc() -> GoldDocument:
    """An ACE document: an Attack (Attacker, Target, Place, Instrument) and a Die (Victim, Place)."""
    return GoldDocument(
        article=Article(id="kirkuk", text=TEXT, language="en", title="Kirkuk"),
        mentions=[
            _m("m1", "Rebels", "ORG"),
            _m("m2", "army base", "FAC"),
            _m("m3", "Kirkuk", "GPE"),
            _m("m4", "rockets", "WEA"),
            _m("m5", "soldiers", "PER"),
        ],
        events=[
            _e("e1", "attacked", "Attack", ("Attacker", "m1"), ("Target", "m2"), ("Place", "m3"), ("Instrument", "m4")),
            _e("e2", "died", "Die", ("Victim", "m5"), ("Place", "m3")),
        ],
        split="train",
    )


@pytest.fixture
def ace_gold(tmp_path: Path) -> Path:
    return write_gold(tmp_path / "gold" / "v1", [ace_doc()], ontology=ACE)


ACE_ROLES = {
    ("e1", "Attacker"), ("e1", "Target"), ("e1", "Place"), ("e1", "Instrument"), ("e2", "Victim"), ("e2", "Place"),
}  # fmt: skip


def test_conll_carries_the_ace_roles(ace_gold: Path, tmp_path: Path) -> None:
    out = tmp_path / "conll"
    summary = export_gold(ace_gold, "conll", out, ["train"], ontology=ACE)
    assert summary.warnings == [] and summary.cut_spans == 0
    rows = [line.split(" ") for line in (out / "train.conll").read_text().splitlines() if line]
    assert rows[0] == ["-DOCSTART-", "O", "O", "O"]
    by_token = {r[0]: r for r in rows[1:]}
    assert by_token["Rebels"] == ["Rebels", "B-ORG", "O", "B-e1:Attacker"]
    assert by_token["army"][1:] == ["B-FAC", "O", "B-e1:Target"] and by_token["base"][3] == "I-e1:Target"
    assert by_token["Kirkuk"][3] == "B-e1:Place|B-e2:Place"  # one mention, two events
    assert by_token["attacked"][2:] == ["B-Attack", "O"]
    found = {tuple(part[2:].rsplit(":", 1)) for r in rows[1:] if r[3] != "O" for part in r[3].split("|")}
    assert found == ACE_ROLES
    events = [e for line in (out / "train.offsets.jsonl").read_text().splitlines() for e in json.loads(line)["events"]]
    assert [(e["id"], e["type"], e["token_start"], e["token_end"]) for e in events] == [
        ("e1", "Attack", 1, 2),
        ("e2", "Die", 2, 3),  # "Two soldiers died": second sentence
    ]


def test_hf_carries_the_ace_roles(ace_gold: Path, tmp_path: Path) -> None:
    out = tmp_path / "hf"
    export_gold(ace_gold, "hf", out, ["train"], ontology=ACE)
    row = json.loads((out / "train.jsonl").read_text())
    got = {(e["id"], a["role"]) for e in row["events"] for a in e["arguments"]}
    assert got == ACE_ROLES
    (attack, _) = row["events"]
    assert [(a["role"], a["mention_id"], a["type"], a["text"]) for a in attack["arguments"]] == [
        ("Attacker", "m1", "ORG", "Rebels"),
        ("Target", "m2", "FAC", "army base"),
        ("Place", "m3", "GPE", "Kirkuk"),
        ("Instrument", "m4", "WEA", "rockets"),
    ]
    labels = json.loads((out / "labels.json").read_text())
    assert labels["roles"] == [r.name for r in ACE.roles]
    assert labels["actor_types"][:3] == ["PER", "ORG", "GPE"]
    card = (out / "README.md").read_text()
    assert "- ace2005\n" in card and "`Attacker`" in card and "plover" not in card.lower()


def test_spacy_carries_the_ace_roles(ace_gold: Path, tmp_path: Path) -> None:
    spacy = pytest.importorskip("spacy", reason=NEEDS_SPACY)
    from spacy.tokens import DocBin

    out = tmp_path / "spacy"
    export_gold(ace_gold, "spacy", out, ["train"], ontology=ACE)
    (doc,) = DocBin().from_disk(out / "train.spacy").get_docs(spacy.blank("en").vocab)
    events = doc.user_data["events"]
    assert {(e["id"], a["role"]) for e in events for a in e["arguments"]} == ACE_ROLES
    assert [dict(a) for a in events[1]["arguments"]] == [
        {"role": "Victim", "mention": "m5"},
        {"role": "Place", "mention": "m3"},
    ]
    assert [(e.text, e.label_) for e in doc.ents][:2] == [("Rebels", "ORG"), ("army base", "FAC")]


def test_plover_fields_follow_the_coder_mapping(ace_gold: Path, tmp_path: Path) -> None:
    out = tmp_path / "plover"
    actors = tmp_path / "actors.yaml"
    actors.write_text("kirkuk:\n  name: Kirkuk\n  type: GPE\n  country: IRQ\n  wikidata: Q83387\n", encoding="utf-8")
    summary = export_gold(ace_gold, "plover", out, ["train"], ontology=ACE, actors_path=actors)
    attack, die = (json.loads(line) for line in (out / "train.jsonl").read_text().splitlines())
    # ACE coder: source Attacker, ...; target Target, Victim, ...; location Place
    assert [a["entity_text"] for a in attack["actor"]] == ["Rebels"]
    assert [a["entity_text"] for a in attack["recipient"]] == ["army base"]
    assert attack["event_loc"]["name"] == "Kirkuk"
    assert (die["actor"], [a["entity_text"] for a in die["recipient"]]) == ([], ["soldiers"])
    assert (attack["event"], attack["quad_code"], attack["aux_modes"]) == ("Attack", None, [])
    # Instrument is in no coder slot: counted, not silently dropped
    assert any("Instrument 1" in w and "coder mapping" in w for w in summary.warnings)
    # read back with the ACE ontology: the coder mapping gives the roles again
    articles = {"kirkuk": ace_doc().article}
    (back,) = read_predictions(out / "train.jsonl", "plover", articles=articles, doc_key=None, ontology=ACE)
    text = {m.id: m.text for m in back.mentions}
    assert [[(role, text[m]) for role, m in e.role_ids()] for e in back.events] == [
        [("Attacker", "Rebels"), ("Target", "army base"), ("Place", "Kirkuk")],
        [("Victim", "soldiers"), ("Place", "Kirkuk")],
    ]
    types = {m.text: m.type for m in back.mentions}
    assert types == {"Rebels": "ORG", "army base": "FAC", "Kirkuk": "LOC", "soldiers": "PER"}


def _renamed_plover(tmp_path: Path) -> Ontology:
    """The PLOVER ontology with its roles renamed (source, target, place) and the coder mapping following them."""
    raw = yaml.safe_load((packaged_label_config() / ONTOLOGY_FILE).read_text(encoding="utf-8"))
    raw["roles"] = [{"name": "source"}, {"name": "target"}, {"name": "place"}]
    raw["coder"] = {"source": ["source"], "target": ["target"], "location": ["place"]}
    path = tmp_path / "renamed.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_ontology(path)


def test_plover_export_is_the_same_whatever_the_roles_are_called(tmp_path: Path) -> None:
    """The export reads roles through the coder mapping only: renamed roles give byte-identical records."""
    plover = load_ontology()
    renamed = _renamed_plover(tmp_path)
    rename = dict(zip((r.name for r in plover.roles), (r.name for r in renamed.roles), strict=True))
    gold = fixture_gold(tmp_path)
    docs = [GoldDocument.model_validate_json(line) for line in (gold / "gold.jsonl").read_text().splitlines()]
    for doc in docs:
        for e in doc.events:
            e.arguments = [Argument(role=rename[a.role], mention=a.mention) for a in e.arguments]
    renamed_gold = write_gold(tmp_path / "renamed" / "v1", docs, ontology=renamed)
    export_gold(gold, "plover", tmp_path / "a", ontology=plover, actors_path=packaged_label_config() / "actors.yaml")
    export_gold(
        renamed_gold, "plover", tmp_path / "b", ontology=renamed, actors_path=packaged_label_config() / "actors.yaml"
    )
    for split in ("train", "dev", "test"):
        a, b = (tmp_path / "a" / f"{split}.jsonl").read_text(), (tmp_path / "b" / f"{split}.jsonl").read_text()
        assert a == b and a
    # and they read back into the renamed roles
    articles = {d.doc_id: d.article for d in docs}
    back = list(read_predictions(tmp_path / "b" / "train.jsonl", "plover", articles=articles, ontology=renamed))
    assert {role for ann in back for e in ann.events for role, _ in e.role_ids()} == {"source", "target", "place"}


def _no_target(tmp_path: Path) -> Ontology:
    raw = yaml.safe_load((packaged_label_config() / ONTOLOGY_FILE).read_text(encoding="utf-8"))
    raw["coder"] = {"source": ["actor"], "location": ["location"]}
    path = tmp_path / "no_target.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return load_ontology(path)


def _records(tmp_path: Path) -> Path:
    path = tmp_path / "coder.jsonl"
    records = [
        {"id": "r1", "doc_id": "d1", "event": "CONSULT", "actor": [{"entity_text": "Pompeo"}],
         "recipient": [{"entity_text": "Al-Kazemi"}], "event_loc": {"name": "Baghdad"}},
        {"id": "r2", "doc_id": "d1", "event": "AID", "recipient": ["IRQ"]},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_slot_the_ontology_lacks_is_a_listed_problem(tmp_path: Path) -> None:
    onto = _no_target(tmp_path)
    problems: list[Problem] = []
    (ann,) = read_predictions(_records(tmp_path), "plover", ontology=onto, problems=problems)
    assert [[(role, m) for role, m in e.role_ids()] for e in ann.events] == [[("actor", "m1"), ("location", "m2")], []]
    assert [m.text for m in ann.mentions] == ["Pompeo", "Baghdad"]
    assert [(p.doc_id, p.field) for p in problems] == [("d1", "recipient"), ("d1", "recipient")]
    assert "maps no role onto coder target" in problems[0].problem and "line 1" in problems[0].problem
    assert "'IRQ'" in problems[1].problem and "line 2" in problems[1].problem


def test_without_a_problem_list_one_warning_sums_them_up(tmp_path: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (ann,) = read_predictions(_records(tmp_path), "plover", ontology=_no_target(tmp_path))
    (warning,) = [w for w in caught if issubclass(w.category, UnmappedEntityWarning)]
    assert "2 problem(s)" in str(warning.message)
    assert len(ann.events) == 2


@pytest.mark.parametrize(
    ("ontology", "event", "types", "roles"),
    [
        (
            load_ontology(),
            "ASSAULT",
            ["ARMED_GROUP", "STATE", "ORGANIZATION", "LOCATION"],
            ["actor", "actor", "recipient", "location"],
        ),
        # ACE has no ARMED_GROUP: the armed entity falls back to ORG
        (ACE, "Attack", ["ORG", "GPE", "ORG", "LOC"], ["Attacker", "Attacker", "Target", "Place"]),
    ],
    ids=["plover", "ace2005"],
)
def test_untyped_entities_take_their_type_from_the_data_file(
    tmp_path: Path, ontology: Ontology, event: str, types: list[str], roles: list[str]
) -> None:
    """PLOVER-format entity kinds resolve to the ontology's actor types through plover_format.yaml."""
    path = tmp_path / "p.jsonl"
    record = {
        "id": "r1",
        "doc_id": "d1",
        "event": event.lower(),  # matched to the ontology's spelling
        "actor": [{"entity_text": "Unknown Militia", "sector": "REB"}, {"code": "IRQ"}],
        "recipient": [{"entity_text": "a convoy"}],
        "event_loc": {"name": "Mosul"},
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    problems: list[Problem] = []
    (ann,) = read_predictions(path, "plover", ontology=ontology, problems=problems)
    assert [m.type for m in ann.mentions] == types
    assert ann.events[0].type == event
    assert [role for role, _ in ann.events[0].role_ids()] == roles
    assert problems == []
