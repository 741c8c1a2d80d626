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
