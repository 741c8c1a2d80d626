"""Messages a new user meets in the configuration: validate, actors.yaml, ontology, --config-dir, init."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from eventgold.actors.dictionary import load_actor_dictionary
from eventgold.cli import main
from eventgold.errors import ConfigError, OntologyError
from eventgold.ontology import Ontology, load_ontology
from eventgold.project import init_project
from eventgold.resources import packaged_label_config

PACKAGED = packaged_label_config()


@pytest.fixture(autouse=True)
def no_config_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EVENTGOLD_CONFIG_DIR", raising=False)
    monkeypatch.delenv("EVENTGOLD_HOME", raising=False)
    monkeypatch.chdir(tmp_path)


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def _project(tmp_path: Path) -> Path:
    init_project(tmp_path / "proj", samples=False)
    return tmp_path / "proj" / "label_config"


# 1. config validate checks actors.yaml and the rendered XML beside the ontology


def test_validate_passes_on_a_fresh_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _project(tmp_path)
    assert main(["config", "validate", "--ontology", str(config / "ontology.yaml")]) == 0
    out = capsys.readouterr().out
    assert "actors.yaml: ok" in out and "actors_events.xml: up to date" in out


@pytest.mark.parametrize(
    ("edit", "code", "message"),
    [
        (
            lambda c: (c / "actors_events.xml").write_text("<View/>\n", encoding="utf-8"),
            1,
            "actors_events.xml is out of date with ontology.yaml (Label Studio would show old labels); "
            "run `eventgold config render`",
        ),
        (
            lambda c: (c / "actors.yaml").write_text("x_one: {name: X, type: ALIEN}\n", encoding="utf-8"),
            2,
            "1 entry uses actor type 'ALIEN', which the ontology lacks (x_one): allowed ARMED_GROUP, GROUP,",
        ),
    ],
)
def test_validate_reports_drift_and_a_bad_dictionary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: Callable[[Path], Any], code: int, message: str
) -> None:
    config = _project(tmp_path)
    edit(config)
    assert main(["config", "validate", "--ontology", str(config / "ontology.yaml")]) == code
    assert message in _one_error_line(capsys)


def test_validate_notes_missing_files_but_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alone = tmp_path / "mine.yaml"
    alone.write_bytes((PACKAGED / "ontology.yaml").read_bytes())
    assert main(["config", "validate", "--ontology", str(alone)]) == 0
    out = capsys.readouterr().out
    assert "actors.yaml: not there (not checked)" in out and "not rendered yet" in out


# 2. actors.yaml problems shared by many entries are grouped


def _ontology_without(actor_type: str) -> Ontology:
    raw = yaml.safe_load((PACKAGED / "ontology.yaml").read_text(encoding="utf-8"))
    raw["actor_types"] = [a for a in raw["actor_types"] if a["name"] != actor_type]
    return Ontology.model_validate(raw)


def test_a_renamed_actor_type_is_one_short_message() -> None:
    with pytest.raises(ConfigError) as info:
        load_actor_dictionary(PACKAGED / "actors.yaml", _ontology_without("ARMED_GROUP"))
    message = str(info.value)
    assert len(message) < 400
    assert message.count("allowed") == 1
    assert "14 entries use actor type 'ARMED_GROUP', which the ontology lacks (irq_military, irq_pmf, " in message
    assert "… +11): allowed GROUP, LOCATION, ORGANIZATION, PERSON, STATE" in message


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            "a: {name: A, type: PERSON, colour: red}\nb: {name: B, type: PERSON, colour: red}\n"
            "c: {name: C, type: PERSON, colour: red}\nd: {name: D, type: PERSON, colour: red}\n",
            "4 entries (a, b, c, … +1): colour: unknown field",
        ),
        ("a: {name: A, type: PERSON, colour: red}\n", "a.colour: unknown field"),
        (
            "a: {name: A, type: PERSON, sector: XXX}\nb: {name: B, type: PERSON, sector: XXX}\n",
            "2 entries use sector 'XXX', which the ontology lacks (a, b): allowed ",
        ),
        (
            "a: {name: A, type: STATE, capital_of: ZZZ}\nb: {name: B, type: STATE, capital_of: ZZZ}\n",
            "2 entries (a, b) have capital_of 'ZZZ', but no entry has that id",
        ),
        ("a: [1]\nb: [2]\n", "2 entries (a, b): expected a mapping with name, type, ..."),
    ],
)
def test_repeated_dictionary_problems_are_grouped(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "actors.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_actor_dictionary(path, load_ontology(PACKAGED / "ontology.yaml"))
    assert message in str(info.value)


# 3. an empty ontology: the hint says how init restores it, and it does


def test_empty_ontology_hint_restores_the_default(tmp_path: Path) -> None:
    config = _project(tmp_path)
    ontology = config / "ontology.yaml"
    ontology.write_text("", encoding="utf-8")
    with pytest.raises(OntologyError) as info:
        load_ontology(ontology)
    assert str(info.value) == (
        f"{ontology}: the ontology file is empty; delete it and run `eventgold init` in "
        f"{tmp_path / 'proj'} to copy the default back"
    )
    ontology.unlink()
    init_project(tmp_path / "proj", samples=False)
    assert load_ontology(ontology) == load_ontology(PACKAGED / "ontology.yaml")


# 4. --config-dir (or EVENTGOLD_CONFIG_DIR) that is a file, or the project root


@pytest.mark.parametrize("how", ["option", "env"])
@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "proj/label_config/ontology.yaml",
            "{given}: not a folder; give the label_config/ folder that holds ontology.yaml",
        ),
        ("proj", "{given}: has no ontology.yaml; did you mean {root}/proj/label_config?"),
    ],
)
def test_config_dir_mistakes_are_one_clear_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    how: str,
    target: str,
    message: str,
) -> None:
    _project(tmp_path)
    path = tmp_path / target
    if how == "option":
        argv = ["--config-dir", str(path), "config", "validate"]
        given = f"--config-dir {path}"
    else:
        monkeypatch.setenv("EVENTGOLD_CONFIG_DIR", str(path))
        argv = ["config", "validate"]
        given = f"EVENTGOLD_CONFIG_DIR={path}"
    assert main(argv) == 2
    assert _one_error_line(capsys) == "error: " + message.format(given=given, root=tmp_path)


# 5. ontology errors name the event type and speak of lists; colours are checked


def _write(tmp_path: Path, mutate: Callable[[dict[str, Any]], Any]) -> Path:
    raw = yaml.safe_load((PACKAGED / "ontology.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "ontology.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r["event_types"][1].update(modes="visit"), "event_types[CONSULT].modes: expected a list"),
        (lambda r: r.update(flags="negation"), "flags: expected a list"),
        (
            lambda r: r["actor_types"][0].update(color="blue-ish"),
            "actor_types[PERSON].color: 'blue-ish' is not a colour; write #RGB or #RRGGBB",
        ),
        (lambda r: r["event_types"][0].update(color="#12345"), "event_types[AGREE].color: '#12345' is not a colour"),
        (
            lambda r: r["event_types"][0].update(recipient_required="maybe"),
            "event_types[AGREE].recipient_required: expected true or false",
        ),
        (lambda r: r["event_types"].append({"quad": 1}), "event_types[17].name: required key is missing"),
    ],
)
def test_ontology_messages_use_names_not_indexes(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], Any], message: str
) -> None:
    with pytest.raises(OntologyError) as info:
        load_ontology(_write(tmp_path, mutate))
    assert message in str(info.value)
    assert "tuple" not in str(info.value) and "Input should" not in str(info.value)


@pytest.mark.parametrize("color", ["#abc", "#A1B2C3", None])
def test_hex_colours_pass(tmp_path: Path, color: str | None) -> None:
    onto = load_ontology(_write(tmp_path, lambda r: r["actor_types"][0].update(color=color)))
    assert onto.actor_types[0].color == color


# 6. init inside an existing project warns once, naming it


@pytest.mark.parametrize(("target", "warned"), [("proj/sub/deeper", True), ("proj", False), ("elsewhere", False)])
def test_init_warns_about_a_nested_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, warned: bool
) -> None:
    _project(tmp_path)
    capsys.readouterr()
    assert main(["init", "--no-samples", str(tmp_path / target)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    if warned:
        assert warnings == [
            f"warning: {tmp_path / target} is inside the project {tmp_path / 'proj'}: this makes a nested "
            f"project, and verbs run in it will use its own label_config/, not {tmp_path / 'proj' / 'label_config'}"
        ]
    else:
        assert warnings == []
