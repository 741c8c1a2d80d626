"""The package's shape: which package may import which, no private names across modules, small files.

These are the rules DESIGN.md and the README's layout section describe; each check reads the source
with :mod:`ast`, so it fails on the line that breaks the rule.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import eventgold

SRC = Path(eventgold.__file__).parent
MAX_LINES = 500


def _modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """Every ``eventgold`` import of a file: (line, module, names imported from it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str, list[str]]] = []
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            if module == "eventgold" or module.startswith("eventgold."):
                found.append((node.lineno, module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("eventgold"):
                    found.append((node.lineno, alias.name, []))
    return found


def test_no_source_file_over_the_limit() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"files over {MAX_LINES} lines: {long}"


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("eventgold.gold", "eventgold.scoring"),
        ("eventgold.evaluation", "eventgold.gold"),
        ("eventgold.evaluation", "eventgold.scoring"),
        ("eventgold.evaluation", "eventgold.report"),
        ("eventgold.evaluation", "eventgold.commands"),
        ("eventgold.scoring", "eventgold.report"),
        ("eventgold.scoring", "eventgold.commands"),
        ("eventgold.gold", "eventgold.commands"),
        ("eventgold.labelstudio", "eventgold.commands"),
        ("eventgold.readers", "eventgold.commands"),
        ("eventgold.export", "eventgold.commands"),
        ("eventgold.extractors", "eventgold.commands"),
        ("eventgold.training", "eventgold.commands"),
        ("eventgold.training", "eventgold.report"),
    ],
)
def test_package_does_not_import(package: str, forbidden: str) -> None:
    wrong = [
        f"{p.relative_to(SRC)}:{line} imports {module}"
        for p in _modules()
        if _module_name(p) == package or _module_name(p).startswith(package + ".")
        for line, module, _ in _imports(p)
        if module == forbidden or module.startswith(forbidden + ".")
    ]
    assert wrong == []


def test_no_private_name_is_imported_from_another_module() -> None:
    wrong = [
        f"{p.relative_to(SRC)}:{line} imports {name} from {module}"
        for p in _modules()
        for line, module, names in _imports(p)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert wrong == []


def _readme_layout() -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    return section.split("```", 2)[1]


def test_the_readme_layout_names_every_package_and_only_real_paths() -> None:
    layout = _readme_layout()
    named = set(re.findall(r"(?<![\w./-])([a-z_]+(?:/|\.py))(?=[\s:;,)])", layout))
    packages = {p.name + "/" for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages - named == set(), "packages the README's layout does not describe"
    here = Path(__file__).resolve().parents[2]
    missing = {
        name
        for name in named
        if not any((base / name.rstrip("/")).exists() for base in (SRC, here, here / "tests", *SRC.iterdir()))
    }
    assert missing == set(), "names in the README's layout that are not in the tree"
