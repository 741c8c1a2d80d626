"""The ontology file: PLOVER content, errors for bad files, the rendered labeling config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eventgold.cli import main
from eventgold.errors import OntologyError
from eventgold.labelconfig import parse_label_config
from eventgold.ontology import load_ontology, render_label_config
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
    assert onto.flags == ("historical", "future", "hypothetical", "negation")
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
