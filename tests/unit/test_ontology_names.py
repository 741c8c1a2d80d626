"""No ontology knowledge in code: eventgold's modules name no role, flag, mode, actor type or event type.

"A user can swap in another ontology file without code changes" (DESIGN.md) holds
only if no module but ``ontology.py`` knows a name the ontology defines. This test
parses every module of ``src/eventgold`` and fails on any string constant equal
to a role, flag, mode, actor type or event type name of the packaged ontologies
(PLOVER and the ACE 2005 example, every folder ``eventgold init --ontology``
knows). Each offence is listed as ``file:line: 'value' (what it is in which
ontology)``.

Not flagged: docstrings (a string standing alone as a statement), and the
documented exceptions in :data:`EXCEPTIONS`. What to do instead of a literal:
ask the ontology (its roles, ``coder`` mapping, flags, ``ner_labels``), or take
the name from a constant of ``ontology.py`` or ``labelstudio/label_config.py``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from eventgold.ontology import Ontology, load_ontology
from eventgold.resources import ontology_names, ontology_source

SRC = Path(__file__).resolve().parents[2] / "src" / "eventgold"

EXCEPTIONS: dict[str, frozenset[str] | None] = {
    # the one place that knows an ontology: it loads and checks ontology.yaml
    "ontology.py": None,
    # the schema 1.0 record contract: the PLOVER roles its fields (actors, recipients, locations) held
    "migrations.py": None,
    # DESIGN's frozen Label Studio control names: `actor` (Labels of the actor types) and `event`
    "labelstudio/label_config.py": frozenset({"actor", "event"}),
}
"""File (relative to src/eventgold) -> the values allowed there (None: every value)."""


@dataclass(frozen=True)
class Offence:
    file: str
    line: int
    value: str
    what: str

    def __str__(self) -> str:
        return f"src/eventgold/{self.file}:{self.line}: {self.value!r} ({self.what})"


def _names(onto: Ontology, label: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}

    def add(name: str, kind: str) -> None:
        found.setdefault(name, []).append(f"{kind} of {label}")

    for actor in onto.actor_types:
        add(actor.name, "actor type")
    for event in onto.event_types:
        add(event.name, "event type")
        for mode in event.modes:
            add(mode, "mode")
    for role in onto.roles:
        add(role.name, "role")
    for flag in onto.flag_names:
        add(flag, "flag")
    return found


def ontology_names_to_avoid() -> dict[str, str]:
    """Every name the packaged ontologies define -> what it is (``role of PLOVER, mode of ...``)."""
    merged: dict[str, list[str]] = {}
    for name in ontology_names():
        onto = load_ontology(ontology_source(name) / "ontology.yaml")
        for value, kinds in _names(onto, onto.name).items():
            merged.setdefault(value, []).extend(kinds)
    return {value: ", ".join(sorted(set(kinds))) for value, kinds in merged.items()}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that stand alone as statements (docstrings, attribute docs)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }


def scan(root: Path, names: dict[str, str]) -> list[Offence]:
    """Every string constant under ``root`` equal to one of ``names``, but docstrings and EXCEPTIONS."""
    found: list[Offence] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        allowed = EXCEPTIONS.get(rel, frozenset())
        if allowed is None:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in names
                and id(node) not in skip
                and node.value not in allowed
            ):
                found.append(Offence(rel, node.lineno, node.value, names[node.value]))
    return sorted(found, key=lambda o: (o.file, o.line, o.value))


def test_the_names_cover_both_packaged_ontologies() -> None:
    names = ontology_names_to_avoid()
    for value in ("actor", "recipient", "location", "CONSULT", "visit", "negation", "ARMED_GROUP"):
        assert value in names, value
    for value in ("Attacker", "Time-Within", "Transfer-Money", "GPE", "generic"):
        assert value in names, value
    assert "role of PLOVER" in names["actor"] and "flag of ACE2005" in names["future"]


def test_no_module_names_an_ontology_label() -> None:
    offences = scan(SRC, ontology_names_to_avoid())
    assert not offences, (
        f"{len(offences)} string constant(s) in src/eventgold name what an ontology defines; ask the "
        "ontology instead (roles, coder mapping, flags, ner_labels):\n" + "\n".join(str(o) for o in offences)
    )
