"""``eventgold init --ontology NAME``: a project that starts from another packaged ontology (ACE 2005)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventgold.actors.dictionary import load_actor_dictionary
from eventgold.cli import main
from eventgold.errors import EventgoldWarning, UserError
from eventgold.ontology import load_ontology
from eventgold.project import EMPTY_ACTOR_DICTIONARY, init_project
from eventgold.resources import (
    DEFAULT_ONTOLOGY,
    EXAMPLES_DIR,
    ontology_names,
    ontology_source,
    packaged_label_config,
)

ACE = packaged_label_config() / EXAMPLES_DIR / "ace2005"


@pytest.fixture(autouse=True)
def no_config_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EVENTGOLD_CONFIG_DIR", raising=False)
    monkeypatch.delenv("EVENTGOLD_HOME", raising=False)
    monkeypatch.chdir(tmp_path)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_names_are_the_default_and_the_example_folders() -> None:
    examples = sorted(p.name for p in (packaged_label_config() / EXAMPLES_DIR).iterdir() if p.is_dir())
    assert ontology_names() == [DEFAULT_ONTOLOGY, *examples]
    assert "ace2005" in ontology_names()
    assert ontology_source("plover") == packaged_label_config()
    assert ontology_source("ace2005") == ACE


def test_init_ace2005_copies_the_example_and_an_empty_actor_dictionary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "news", "--ontology", "ace2005", "--json", "-"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["ontology"] == "ace2005"
    config = tmp_path / "news" / "label_config"
    copied = _files(config)
    for name, data in _files(ACE).items():
        assert copied.pop(name) == data, name
    assert "actors.yaml" not in _files(ACE)
    assert copied == {"actors.yaml": EMPTY_ACTOR_DICTIONARY.encode("utf-8")}
    ontology = load_ontology(config / "ontology.yaml")
    assert ontology.name == "ACE2005"
    assert len(load_actor_dictionary(config / "actors.yaml", ontology)) == 0
    # the articles are neutral; the sample gold was annotated in PLOVER, so it stays out
    samples = tmp_path / "news" / "samples"
    assert sorted(p.name for p in samples.iterdir()) == ["articles"]
    readme = (tmp_path / "news" / "README.md").read_text(encoding="utf-8")
    assert "the `ace2005` example" in readme and "samples/gold" not in readme.split("```bash")[1]


@pytest.mark.parametrize("name", ontology_names())
def test_config_validate_passes_in_a_project_of_every_packaged_ontology(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = init_project(tmp_path / name, samples=False, ontology=name)
    assert result.ontology == name
    monkeypatch.chdir(tmp_path / name)
    assert main(["config", "validate"]) == 0
    out = capsys.readouterr().out
    assert "ontology.yaml: ok" in out and "actors.yaml: ok" in out and "actors_events.xml: up to date" in out
    assert main(["config", "render", "--check"]) == 0


def test_config_validate_counts_the_ace_ontology(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    init_project(tmp_path / "ace", samples=False, ontology="ace2005")
    monkeypatch.chdir(tmp_path / "ace")
    assert main(["config", "validate"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "ok — ACE2005: 12 actor types, 33 event types, 0 modes, 35 roles, 6 flags, 0 contexts" in out
    assert "actors.yaml: ok — 0 actors" in out


def test_plover_by_name_is_the_default(tmp_path: Path) -> None:
    init_project(tmp_path / "a" / "news")
    init_project(tmp_path / "b" / "news", ontology="plover")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_an_unknown_name_is_one_line_listing_the_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "p", "--ontology", "cameo"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: unknown ontology 'cameo'; allowed: {', '.join(ontology_names())}"
    assert "plover, ace2005" in err
    assert not (tmp_path / "p").exists()
    with pytest.raises(UserError, match="unknown ontology 'ACE2005'"):
        init_project(tmp_path / "p", ontology="ACE2005")


def test_help_names_the_option_and_gives_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--ontology" in out and "plover (the default), ace2005" in out
    assert "eventgold init ace-events --ontology ace2005" in out


def test_init_again_keeps_the_projects_ontology(tmp_path: Path) -> None:
    project = tmp_path / "ace"
    init_project(project, ontology="ace2005")
    (project / "label_config" / "actors_events.xml").unlink()
    before = _files(project)
    again = init_project(project)  # no --ontology: the project's own, not the default
    assert again.ontology == "ace2005"
    assert again.written == ["label_config/actors_events.xml"]
    assert (project / "label_config" / "actors_events.xml").read_bytes() == (ACE / "actors_events.xml").read_bytes()
    assert not (project / "samples" / "gold").exists()
    assert set(_files(project)) == {*before, "label_config/actors_events.xml"}


def test_another_ontology_over_a_project_is_kept_with_a_warning(tmp_path: Path) -> None:
    project = tmp_path / "p"
    init_project(project, samples=False)
    before = (project / "label_config" / "ontology.yaml").read_bytes()
    with pytest.warns(EventgoldWarning, match=r"ontology.yaml is kept .* it is not the ace2005 ontology"):
        result = init_project(project, samples=False, ontology="ace2005")
    assert (project / "label_config" / "ontology.yaml").read_bytes() == before
    assert "label_config/ontology.yaml" in result.kept
    assert result.ontology == "plover"  # what the project holds
