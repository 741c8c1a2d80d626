"""The rendered labeling config: PLOVER byte for byte, ACE 2005 with per-type role guidance."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.labelstudio.label_config import (
    ACTOR_CONTROL,
    EVENT_CONTROL,
    TEXT_TAG,
    parse_label_config,
    render_label_config,
    roles_guidance,
)
from eventgold.ontology import LABEL_CONFIG_FILE, Ontology, load_ontology
from eventgold.resources import packaged_label_config

PLOVER_DIR = packaged_label_config()
ACE_DIR = PLOVER_DIR / "examples" / "ace2005"
PLOVER = load_ontology(PLOVER_DIR / "ontology.yaml")
ACE = load_ontology(ACE_DIR / "ontology.yaml")


def _event_views(xml: str) -> dict[str, ET.Element]:
    """The views shown for one event type (``whenLabelValue``), by type."""
    root = ET.fromstring(xml)
    return {
        v.attrib["whenLabelValue"]: v
        for v in root.iter("View")
        if v.attrib.get("whenTagName") == EVENT_CONTROL and "whenLabelValue" in v.attrib
    }


def test_plover_renders_byte_for_byte_as_checked_in() -> None:
    assert not PLOVER.has_typed_roles
    xml = render_label_config(PLOVER)
    assert xml.encode("utf-8") == (PLOVER_DIR / LABEL_CONFIG_FILE).read_bytes()
    assert "Roles:" not in xml
    assert set(_event_views(xml)) == {e.name for e in PLOVER.event_types if e.modes}  # modes only


def test_ace_example_xml_is_the_rendering_of_its_ontology() -> None:
    assert ACE.has_typed_roles
    assert (ACE_DIR / LABEL_CONFIG_FILE).read_bytes() == render_label_config(ACE).encode("utf-8")


def test_ace_shows_each_types_roles_and_the_mention_types_they_accept() -> None:
    xml = render_label_config(ACE)
    views = _event_views(xml)
    assert set(views) == {e.name for e in ACE.event_types}
    for e in ACE.event_types:
        [header] = views[e.name].findall("Header")
        assert header.attrib["value"] == roles_guidance(ACE, e.name)
        assert header.attrib["value"].startswith("Roles: ")
    attack = views["Attack"].find("Header")
    assert attack is not None
    assert attack.attrib["value"] == (
        "Roles: Attacker (PER, ORG, GPE) · Target (PER, ORG, VEH, FAC, WEA) · Instrument (WEA, VEH)"
        " · Place (GPE, LOC, FAC) · Time-Within / Time-Holds / Time-Starting / Time-Ending / Time-Before"
        " / Time-After / Time-At-Beginning / Time-At-End (TIME)"  # neighbours accepting the same types share one
    )
    assert "font-weight: normal" in attack.attrib["style"]  # guidance, not a section title
    transport = roles_guidance(ACE, "Transport")
    assert "Origin / Destination (GPE, LOC, FAC)" in transport and "Place" not in transport


def test_ace_relations_hold_every_role_once() -> None:
    root = ET.fromstring(render_label_config(ACE))
    values = [r.attrib["value"] for r in root.iter("Relation")]
    assert values == [r.name for r in ACE.roles]
    assert len(list(root.iter("Relations"))) == 1


def test_ace_labels_and_flags_carry_their_descriptions_as_hints() -> None:
    root = ET.fromstring(render_label_config(ACE))
    hints = {label.attrib["value"]: label.attrib.get("hint") for label in root.iter("Label")}
    assert hints["Attack"] == ACE.event_type("Attack").description
    assert hints["PER"] == next(a.description for a in ACE.actor_types if a.name == "PER")
    flags = next(c for c in root.iter("Choices") if c.attrib["name"] == "flags")
    assert [(c.attrib["value"], c.attrib["hint"]) for c in flags] == [(f.name, f.description) for f in ACE.flags]


def test_ace_config_parses_with_the_frozen_controls_and_no_empty_choices() -> None:
    xml = render_label_config(ACE)
    controls = parse_label_config(xml)
    assert {ACTOR_CONTROL, EVENT_CONTROL, "event_date", "flags", "actor_id", "actor_id_other", "country"} <= set(
        controls
    )
    # ACE has no contexts and no sectors: Label Studio refuses a Choices without a Choice
    assert "contexts" not in controls and "sector" not in controls
    root = ET.fromstring(xml)
    assert all(len(c.findall("Choice")) > 0 or "value" in c.attrib for c in root.iter("Choices"))
    assert all(c.attrib["toName"] == TEXT_TAG for c in root.iter("Choices"))


def _mini(tmp_path: Path, body: str) -> Ontology:
    path = tmp_path / "ontology.yaml"
    path.write_text(body, encoding="utf-8")
    return load_ontology(path)


def test_a_typed_type_with_modes_shows_roles_then_modes(tmp_path: Path) -> None:
    onto = _mini(
        tmp_path,
        "name: mini\nactor_types: [{name: P}, {name: L}]\n"
        "event_types: [{name: Go, modes: [walk, ride], roles: [who]}, {name: Stay, roles: []}]\n"
        "roles: [{name: who, entity_types: [P]}, {name: where}]\nrelevance: []\n",
    )
    xml = render_label_config(onto)
    parse_label_config(xml)
    views = _event_views(xml)
    go = [(child.tag, child.attrib.get("value") or child.attrib.get("name")) for child in views["Go"]]
    assert go == [("Header", "Roles: who (P)"), ("Header", "Mode (Go)"), ("Choices", "mode_Go")]
    assert [h.attrib["value"] for h in views["Stay"].iter("Header")] == ["Roles: none"]
    assert roles_guidance(onto, "Unknown") == "Roles: who (P) · where (any)"  # an unknown type: every role
    assert [child.tag for child in views["Stay"]] == ["Header"]  # no modes
    assert "relevance" not in parse_label_config(xml)


def test_an_ontology_without_roles_renders_no_relations(tmp_path: Path) -> None:
    onto = _mini(tmp_path, "name: bare\nactor_types: [{name: P}]\nevent_types: [{name: E}]\nroles: []\n")
    xml = render_label_config(onto)
    assert "<Relations>" not in xml
    assert set(parse_label_config(xml)) >= {ACTOR_CONTROL, EVENT_CONTROL}


def test_cli_renders_the_ace_example(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / LABEL_CONFIG_FILE
    assert main(["config", "render", "--ontology", str(ACE_DIR / "ontology.yaml"), "-o", str(out)]) == 0
    assert out.read_bytes() == (ACE_DIR / LABEL_CONFIG_FILE).read_bytes()
    assert main(["config", "render", "--ontology", str(ACE_DIR / "ontology.yaml"), "--check"]) == 0


def test_a_lone_choice_sits_in_a_view(tmp_path: Path) -> None:
    """Label Studio refuses a nested Choices with exactly one Choice child (found by the property test)."""
    onto = _mini(
        tmp_path,
        "name: one\nactor_types: [{name: P}]\nevent_types: [{name: E, modes: [only]}]\nroles: [{name: r}]\n"
        "flags: [{name: f, description: the one flag}]\nsectors: [{code: S}]\nrelevance: [relevant]\n",
    )
    xml = render_label_config(onto)
    root = ET.fromstring(xml)
    for choices in root.iter("Choices"):
        if "value" in choices.attrib:  # the candidates come from the task
            continue
        [view] = choices
        assert view.tag == "View" and [c.tag for c in view] == ["Choice"]
    assert '          <View>\n            <Choice value="f" hint="the one flag"/>\n          </View>' in xml
    from label_studio_sdk.label_interface import LabelInterface

    interface = LabelInterface(xml)
    assert interface.get_control("flags").labels == ["f"]
    assert interface.get_control("mode_E").labels == ["only"]


def test_a_name_or_version_with_double_hyphens_keeps_the_comment_valid() -> None:
    """XML comments may not hold ``--``; a name like ``A--`` is a valid ontology name (found by the property test)."""
    onto = Ontology.model_validate(
        {
            "name": "A--",
            "version": "1--rc -->",
            "actor_types": [{"name": "P"}],
            "event_types": [{"name": "E"}],
            "roles": [],
        }
    )
    xml = render_label_config(onto)
    comment = xml.splitlines()[2]
    assert comment.startswith("  <!-- Ontology: A") and comment.endswith(" -->")
    assert "--" not in comment.removeprefix("  <!--").removesuffix("-->")
    ET.fromstring(xml)
    parse_label_config(xml)


def test_a_lone_choice_counts_as_a_label_of_its_control(tmp_path: Path) -> None:
    """push refuses a config that drops labels annotations use: it must see a choice inside a View."""
    from eventgold.labelstudio.project import config_labels, removed_labels

    base = "name: t\nactor_types: [{name: P}]\nevent_types: [{name: E}]\nroles: []\n"
    two = _mini(tmp_path, base + "flags: [a, b]\n")
    one = _mini(tmp_path, base + "flags: [a]\n")
    assert config_labels(render_label_config(one))["flags"] == {"a"}
    assert removed_labels(render_label_config(two), render_label_config(one)) == {"flags": {"b"}}
