"""The ontology file: PLOVER content, errors for bad files, the rendered labeling config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eventgold.cli import main
from eventgold.errors import OntologyError
from eventgold.labelstudio.label_config import parse_label_config, render_label_config
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config

ONTOLOGY_PATH = packaged_label_config() / "ontology.yaml"
XML_PATH = packaged_label_config() / "actors_events.xml"


def test_plover_content() -> None:
    onto = load_ontology(ONTOLOGY_PATH)
    assert len(onto.event_types) == 16
    assert onto.modes_of("CONSULT") == ("visit", "third-party", "multilateral", "phone")
    assert onto.modes_of("RETREAT") == ("withdraw", "release", "disarm", "ceasefire", "access", "resign")
    assert "withdraw" in onto.modes_of("SANCTION")
    assert onto.quad_of("SANCTION") == 4 and onto.quad_of("AGREE") == 1
    assert [e.name for e in onto.event_types if e.recipient_required] == ["COOPERATE", "AID", "SANCTION"]
    assert len(onto.contexts) == 37 and "terrorism" in onto.contexts
    assert onto.flag_names == ("historical", "future", "hypothetical", "negation")
    assert onto.actor_type_names == {"PERSON", "ORGANIZATION", "STATE", "ARMED_GROUP", "GROUP", "LOCATION"}
    assert onto.role_names == {"actor", "recipient", "location"}
    assert {"COP", "GOV", "MIL", "PRM", "REB", "CVL"} <= onto.sector_codes


def _write(tmp_path: Path, mutate: object) -> Path:
    raw = yaml.safe_load(ONTOLOGY_PATH.read_text(encoding="utf-8"))
    mutate(raw)  # type: ignore[operator]
    path = tmp_path / "ontology.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.update(colour="red"), "colour: unknown key"),
        (lambda r: r["event_types"][0].update(shade=1), r"event_types\[AGREE\].shade: unknown key"),
        (
            lambda r: r["event_types"].append(dict(r["event_types"][0], hotkey=None)),
            "duplicate event type name 'AGREE'",
        ),
        (lambda r: r["actor_types"].append({"name": "PERSON"}), "duplicate actor type name 'PERSON'"),
        (lambda r: r.update(modes={"teleport": "beam over"}), "mode 'teleport' belongs to no event type"),
        (lambda r: r["event_types"][1].update(modes=["visit", "visit"]), "lists mode 'visit' twice"),
        (lambda r: r["event_types"][1].update(hotkey="a"), "hotkey 'a' is used by more than one label"),
        (lambda r: r["actor_types"].append({"name": "CONSULT"}), "'CONSULT' is both an actor type and an event type"),
        (lambda r: r["event_types"][0].update(name="bad name"), "must start with a letter"),
        (lambda r: r["event_types"][0].update(quad=7), "less than or equal to 4"),
        (lambda r: r.pop("roles"), "roles: required key is missing"),
    ],
)
def test_ontology_errors(tmp_path: Path, mutate: object, message: str) -> None:
    with pytest.raises(OntologyError, match=message) as info:
        load_ontology(_write(tmp_path, mutate))
    assert str(tmp_path) in str(info.value)


def test_mode_descriptions_for_shared_modes_are_fine(tmp_path: Path) -> None:
    onto = load_ontology(_write(tmp_path, lambda r: r.update(modes={"withdraw": "pull out"})))
    assert onto.modes["withdraw"] == "pull out"


@pytest.mark.parametrize(("content", "message"), [("a: [", "not valid YAML"), ("- 1\n", "expected a mapping")])
def test_unreadable_ontology(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "o.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(OntologyError, match=message):
        load_ontology(path)


def test_missing_ontology(tmp_path: Path) -> None:
    with pytest.raises(OntologyError, match="ontology file not found"):
        load_ontology(tmp_path / "none.yaml")


def test_checked_in_xml_matches_the_ontology() -> None:
    assert XML_PATH.read_text(encoding="utf-8") == render_label_config(load_ontology(ONTOLOGY_PATH))


def test_rendered_config_uses_the_frozen_names_and_parses_in_the_sdk() -> None:
    xml = render_label_config(load_ontology(ONTOLOGY_PATH))
    controls = parse_label_config(xml)
    frozen = {
        "actor",
        "event",
        "contexts",
        "event_date",
        "flags",
        "actor_id",
        "actor_id_other",
        "country",
        "sector",
        "relevance",
        "notes",
    }
    assert frozen <= set(controls)
    modes = {c for c in controls if c.startswith("mode_")}
    assert modes == {f"mode_{e.name}" for e in load_ontology(ONTOLOGY_PATH).event_types if e.modes}
    for key in ("$title", "$published", "$url", "$text", "$actor_candidates"):
        assert key in xml
    # Label Studio's data manager replaces data.source with the whole task as JSON in the UI
    assert "$source" not in xml
    assert '<Text name="text" value="$text"' in xml
    assert 'whenLabelValue="CONSULT"' in xml and "white-space: pre-wrap" in xml
    for rel in ("actor", "recipient", "location"):
        assert f'<Relation value="{rel}"/>' in xml


def test_another_ontology_renders_without_code_changes(tmp_path: Path) -> None:
    path = tmp_path / "cameo.yaml"
    path.write_text(
        "name: mini\nactor_types: [{name: ACTOR}]\nevent_types: [{name: E01, modes: [m1, m2]}]\n"
        "roles: [{name: source}, {name: target}]\n",
        encoding="utf-8",
    )
    xml = render_label_config(load_ontology(path))
    assert "mode_E01" in parse_label_config(xml)
    assert '<Relation value="source"/>' in xml


def test_cli_render_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.xml"
    assert main(["config", "render", "--ontology", str(ONTOLOGY_PATH), "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == XML_PATH.read_text(encoding="utf-8")
    assert main(["config", "render", "--ontology", str(ONTOLOGY_PATH), "-o", str(out), "--check"]) == 0
    out.write_text("<View/>", encoding="utf-8")
    assert main(["config", "render", "--ontology", str(ONTOLOGY_PATH), "-o", str(out), "--check"]) == 1
    assert main(["config", "validate", "--ontology", str(ONTOLOGY_PATH)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    assert main(["config", "validate", "--ontology", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_ace2005_example_content() -> None:
    onto = load_ontology(packaged_label_config() / "examples" / "ace2005" / "ontology.yaml")
    assert onto.name == "ACE2005"
    assert len(onto.event_types) == 33 and len({e.group for e in onto.event_types}) == 8
    assert len(onto.roles) == 35 and sum(r.name.startswith("Time-") for r in onto.roles) == 8
    assert onto.roles_of("Attack")[:4] == ("Attacker", "Target", "Instrument", "Place")
    assert onto.argument_problem("Attack", "Attacker", "GPE") is None
    assert "not a role of Meet" in (onto.argument_problem("Meet", "Attacker", "PER") or "")
    assert "cannot fill role 'Victim'" in (onto.argument_problem("Die", "Victim", "ORG") or "")
    assert onto.coder_slot("Attacker") == "source" and onto.coder_slot("Victim") == "target"
    assert onto.coder_slot("Place") == "location" and onto.coder_slot("Instrument") is None
    assert onto.flag_names == ("negative", "past", "present", "future", "generic", "hypothetical")
    assert not any(e.modes for e in onto.event_types) and onto.contexts == ()


# A small ontology written by hand, so that every line number below is known.
MINI = """\
name: mini
actor_types:
  - {name: PER, hotkey: p}
  - {name: ORG, hotkey: o}
event_types:
  - {name: Attack, hotkey: a, modes: [air], roles: [Attacker, Target]}
  - {name: Meet, roles: [Entity]}
roles:
  - {name: Attacker, entity_types: [PER, ORG]}
  - {name: Target, entity_types: [PER, ORG]}
  - {name: Entity}
coder:
  source: [Attacker, Entity]
  target: [Target]
flags: [negative]
"""


def _edit(line: int, old: str, new: str) -> str:
    lines = MINI.splitlines(keepends=True)
    assert old in lines[line - 1], (line, old)
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "".join(lines)


def _insert_after(line: int, text: str) -> str:
    lines = MINI.splitlines(keepends=True)
    return "".join([*lines[:line], text, *lines[line:]])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            _edit(9, "[PER, ORG]", "[PER, ORG, WEAPON]"),
            "line 9: roles[Attacker].entity_types[3]: role 'Attacker' accepts 'WEAPON', which is not an actor type",
            id="unknown type in a role's entity_types",
        ),
        pytest.param(
            _edit(4, "hotkey: o", "hotkey: P"),
            "line 4: actor_types[ORG].hotkey: hotkey 'p' is used by more than one label (PER, ORG)",
            id="hotkey used twice",
        ),
        pytest.param(
            MINI + "modes:\n  air: from the air\n  ground: on foot\n",
            "line 18: modes.ground: mode 'ground' belongs to no event type",
            id="description of a mode no type has",
        ),
        pytest.param(
            _edit(7, "[Entity]", "[Entity, Place]"),
            "line 7: event_types[Meet].roles[2]: event type 'Meet' names role 'Place', which is not in roles",
            id="event type naming an unknown role",
        ),
        pytest.param(
            _edit(14, "[Target]", "[Target, Victim]"),
            "line 14: coder.target[2]: coder target names role 'Victim', which is not in roles",
            id="coder slot naming an unknown role",
        ),
        pytest.param(
            _edit(14, "[Target]", "[Target, Attacker]"),
            "line 14: coder.target[2]: role 'Attacker' is in coder source and coder target; keep one",
            id="role in two coder slots",
        ),
        pytest.param(
            _insert_after(11, "  - {name: Target}\n"),
            "line 12: roles[Target].name: duplicate role name 'Target'",
            id="duplicate role",
        ),
    ],
)
def test_config_validate_names_the_line_and_the_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    path = tmp_path / "ontology.yaml"
    path.write_text(content, encoding="utf-8")
    assert main(["config", "validate", "--ontology", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {path}: {expected}\n"  # one line, nothing else
    assert captured.out == ""
    with pytest.raises(OntologyError) as info:
        load_ontology(path)
    assert str(info.value) == f"{path}: {expected}"


def test_the_hand_written_ontology_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ontology.yaml"
    path.write_text(MINI, encoding="utf-8")
    assert main(["config", "validate", "--ontology", str(path)]) == 0
    assert "ontology.yaml: ok — mini: 2 actor types, 2 event types, 1 modes, 3 roles, 1 flags" in " ".join(
        capsys.readouterr().out.split()
    )


def test_every_mistake_is_listed_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ontology.yaml"
    text = _edit(9, "[PER, ORG]", "[PER, WEAPON]").replace("target: [Target]", "target: [Target, Victim]")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(OntologyError) as info:
        load_ontology(path)
    message = str(info.value)
    assert "line 9: roles[Attacker].entity_types[2]: role 'Attacker' accepts 'WEAPON'" in message
    assert "; line 14: coder.target[2]: coder target names role 'Victim'" in message


def test_a_key_given_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    text = (ONTOLOGY_PATH.read_text(encoding="utf-8")).replace(
        "name: PLOVER\n", "name: PLOVER\nname: PLOVER-again\n", 1
    )
    bad = tmp_path / "ontology.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(OntologyError, match=r"ontology.yaml:\d+: not valid YAML .*key 'name' is given twice"):
        load_ontology(bad)


@pytest.mark.parametrize("event_type", ["CONSULT", "ASSAULT", "NOT_A_TYPE"])
def test_roles_of_a_type_without_its_own_list_is_every_role(event_type: str) -> None:
    """Every role in file order, the same (cached) tuple at every call."""
    onto = load_ontology()
    assert onto.roles_of(event_type) == tuple(r.name for r in onto.roles)
    assert onto.roles_of(event_type) is onto.roles_of(event_type)
