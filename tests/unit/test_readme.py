"""The README names only files that exist: in the checkout, or in a project folder made by ``eventgold init``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from eventgold.project import init_project

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CHECKOUT = ("src/", "docs/", "benchmarks/", "tests/", ".ci/", "samples/raw", "samples/build_sample_gold.py", "run")
PROJECT = ("label_config", "samples/articles", "samples/gold")
NAMED = sorted(
    {
        quoted.rstrip("/")
        for quoted in re.findall(r"`(\.?[\w./-]+)`", README)
        if quoted.startswith(CHECKOUT + PROJECT) and "<" not in quoted and "*" not in quoted
    }
)


def test_the_readme_names_files() -> None:
    assert len(NAMED) > 15, NAMED


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("readme") / "proj"
    init_project(folder)
    return folder


@pytest.mark.parametrize("name", NAMED)
def test_every_file_the_readme_names_exists(name: str, project: Path) -> None:
    where = project if name.startswith(PROJECT) else ROOT
    assert (where / name).exists(), f"README.md names {name}, which is not in {where}"


def _section(title: str) -> str:
    start = README.index(f"\n### {title}\n")
    end = README.find("\n#", start + len(title) + 6)
    return README[start:end]


def test_the_ace_section_commands_run_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every command of the README's "Another ontology (ACE 2005)" block runs and says what its comment says."""
    from eventgold.cli import main

    monkeypatch.delenv("EVENTGOLD_CONFIG_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    block = _section("Another ontology (ACE 2005)").split("```bash\n", 1)[1].split("```", 1)[0]
    ran = 0
    for line in block.splitlines():
        command, _, comment = line.partition("#")
        for part in command.split("&&"):
            argv = part.split()
            if argv[0] == "cd":
                monkeypatch.chdir(argv[1])
                continue
            assert argv[0] == "eventgold", line
            assert main(argv[1:]) == 0, line
            ran += 1
        out = " ".join(capsys.readouterr().out.split())
        for claim in filter(None, (c.strip() for c in comment.replace(";", ",").split(","))):
            assert claim in out, (claim, out)
    assert ran == 2
    assert (tmp_path / "ace-events" / "label_config" / "SOURCES.md").is_file()


def test_the_ace_section_names_the_example_files() -> None:
    section = _section("Another ontology (ACE 2005)")
    folder = ROOT / "src/eventgold/data/label_config/examples/ace2005"
    assert "`src/eventgold/data/label_config/examples/ace2005/`" in section
    for name in ("ontology.yaml", "GUIDELINES.md", "SOURCES.md"):
        assert f"`{name}`" in section and (folder / name).is_file()
