"""``eventgold init`` and how every verb finds its ``label_config/`` (option, environment, project, package)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.config import config_dir_override, find_config_dir, workspace
from eventgold.project import CONFIG_FILES, init_project
from eventgold.resources import packaged_label_config, packaged_samples


@pytest.fixture(autouse=True)
def no_config_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("EVENTGOLD_CONFIG_DIR", raising=False)
    monkeypatch.delenv("EVENTGOLD_HOME", raising=False)
    monkeypatch.chdir(tmp_path)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_copies_the_packaged_configuration_and_samples(tmp_path: Path) -> None:
    result = init_project(tmp_path / "news")
    project = tmp_path / "news"
    for name in CONFIG_FILES:
        assert (project / "label_config" / name).read_bytes() == (packaged_label_config() / name).read_bytes()
    samples = {k: v for k, v in _files(packaged_samples()).items() if "__pycache__" not in k}
    assert _files(project / "samples") == samples
    assert (project / "exports").is_dir()
    assert ".eventgold/" in (project / ".gitignore").read_text().splitlines()
    readme = (project / "README.md").read_text()
    assert "# news: an eventgold project" in readme and "eventgold up" in readme
    assert len(result.written) == len(CONFIG_FILES) + len(samples) + 3 and not result.kept


def test_init_twice_changes_nothing_and_never_overwrites(tmp_path: Path) -> None:
    project = tmp_path / "news"
    init_project(project)
    ontology = project / "label_config" / "ontology.yaml"
    ontology.write_text(ontology.read_text() + "\n# our edit\n")
    before = _files(project)
    again = init_project(project)
    assert _files(project) == before
    assert not again.written and not again.updated
    assert "label_config/ontology.yaml" in again.kept


@pytest.mark.parametrize(
    ("existing", "expected", "kind"),
    [
        (None, "# eventgold: credentials and the local server's data\n.eventgold/\n", "written"),
        ("*.pyc\n", "*.pyc\n.eventgold/\n", "updated"),
        ("*.pyc", "*.pyc\n.eventgold/\n", "updated"),
        ("/.eventgold/\n", "/.eventgold/\n", "kept"),
        (".eventgold\n", ".eventgold\n", "kept"),
    ],
)
def test_gitignore_keeps_the_workspace_out(tmp_path: Path, existing: str | None, expected: str, kind: str) -> None:
    project = tmp_path / "p"
    project.mkdir()
    if existing is not None:
        (project / ".gitignore").write_text(existing)
    result = init_project(project, samples=False)
    assert (project / ".gitignore").read_text() == expected
    assert ".gitignore" in getattr(result, kind)


def test_init_without_samples(tmp_path: Path) -> None:
    init_project(tmp_path / "p", samples=False)
    assert not (tmp_path / "p" / "samples").exists()
    assert (tmp_path / "p" / "label_config" / "ontology.yaml").is_file()


def test_init_cli_json_and_bad_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "p", "--json", "-"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["folder"] == "p" and "label_config/ontology.yaml" in payload["written"]
    (tmp_path / "afile").write_text("x")
    assert main(["init", "afile"]) == 2
    err = capsys.readouterr().err
    assert "afile: exists and is not a folder" in err and "Traceback" not in err


def _origin(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["-v", *argv, "config", "validate"]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("label_config: ")]
    assert len(lines) == 1, lines
    return lines[0]


def test_the_configuration_folder_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _origin(capsys) == f"label_config: {packaged_label_config()} (packaged default)"
    init_project(tmp_path / "proj", samples=False)
    sub = tmp_path / "proj" / "exports" / "deep"
    sub.mkdir(parents=True)
    monkeypatch.chdir(sub)
    project_config = (tmp_path / "proj" / "label_config").resolve()
    assert _origin(capsys) == f"label_config: {project_config} (project)"
    other = tmp_path / "other"
    init_project(other, samples=False)
    monkeypatch.setenv("EVENTGOLD_CONFIG_DIR", str(other / "label_config"))
    assert _origin(capsys) == f"label_config: {other / 'label_config'} (EVENTGOLD_CONFIG_DIR)"
    third = tmp_path / "third"
    init_project(third, samples=False)
    assert _origin(capsys, "--config-dir", str(third / "label_config")) == (
        f"label_config: {third / 'label_config'} (--config-dir)"
    )


def test_override_is_scoped_and_workspace_follows_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with config_dir_override(tmp_path / "x"):
        assert find_config_dir().origin == "--config-dir"
    assert find_config_dir().origin == "packaged default"
    assert workspace() == Path(".eventgold")
    init_project(tmp_path / "proj", samples=False)
    monkeypatch.chdir(tmp_path / "proj" / "exports")
    assert workspace() == (tmp_path / "proj" / ".eventgold").resolve()


def test_verbs_use_the_projects_edited_ontology(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "proj"
    init_project(project, samples=False)
    ontology = project / "label_config" / "ontology.yaml"
    text = ontology.read_text()
    assert "{name: GROUP," in text
    ontology.write_text(text.replace("{name: GROUP,", "{name: COLLECTIVE,", 1))
    monkeypatch.chdir(project / "exports")
    assert main(["config", "render", "--check"]) == 1
    assert main(["config", "render"]) == 0
    xml = (project / "label_config" / "actors_events.xml").read_text()
    assert 'value="COLLECTIVE"' in xml
    assert (packaged_label_config() / "actors_events.xml").read_text() != xml
    assert main(["config", "render", "--check"]) == 0
    capsys.readouterr()


def test_a_missing_config_dir_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config-dir", str(tmp_path / "nowhere"), "config", "validate"]) == 2
    err = capsys.readouterr().err
    assert "nowhere/ontology.yaml: ontology file not found" in err and "Traceback" not in err


def test_push_refuses_a_labeling_config_older_than_the_ontology(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventgold.commands.labelstudio import label_config_and_instructions
    from eventgold.errors import UserError

    project = tmp_path / "proj"
    init_project(project, samples=False)
    monkeypatch.chdir(project)
    xml, instructions = label_config_and_instructions()
    assert xml == (packaged_label_config() / "actors_events.xml").read_text() and "<" in instructions
    ontology = project / "label_config" / "ontology.yaml"
    ontology.write_text(ontology.read_text().replace("{name: GROUP,", "{name: COLLECTIVE,", 1))
    with pytest.raises(UserError, match=r"actors_events.xml is older than the ontology beside it; run `eventgold"):
        label_config_and_instructions()
