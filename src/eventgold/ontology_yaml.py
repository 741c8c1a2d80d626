"""Where in an ontology YAML file a problem is: strict loading, locations and line numbers.

:func:`eventgold.ontology.load_ontology` reads the file with :class:`UniqueKeyLoader`
and turns pydantic's errors and :class:`OntologyProblems` into one message whose
parts name the line and the item (``line 79: roles[Attacker].entity_types[4]: ...``).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

Loc = tuple[str | int, ...]


class OntologyProblems(ValueError):
    """The ontology's content problems, each with where in the file it is (``("roles", 3, "name")``)."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(message for _, message in problems))


def yaml_problem(exc: yaml.YAMLError, file: str | Path) -> str:
    """One line saying where and why a YAML file does not parse (PyYAML's message spans several)."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = f"{context}, {problem}" if context else str(problem)
    return f"{where}: not valid YAML ({' '.join(text.split())})"


class UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader, refusing a key given twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[object, object]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark, f"key {key!r} is given twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_MESSAGES = {
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "string_type": "expected text",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "missing": "required key is missing",
    "extra_forbidden": "unknown key",
}


def _where(loc: Loc, raw: object) -> str:
    """``event_types[CONSULT].modes`` for pydantic's ``event_types.1.modes``: list items by name."""
    out = ""
    node = raw
    for part in loc:
        item = node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None
        if isinstance(node, dict):
            item = node.get(part)
        if isinstance(part, int):
            name = None
            if isinstance(item, dict):
                name = item.get("name", item.get("code"))
            out += f"[{name}]" if isinstance(name, str) and name else f"[{part + 1}]"
        else:
            out += f".{part}" if out else str(part)
        node = item
    return out


def _line_of(loc: Loc, root: yaml.Node | None) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (the deepest one that exists), or None."""
    node = root
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if child is None and part in ("name", "code"):
                break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        node = child
    if node is not None:
        line = node.start_mark.line + 1
    return line


def describe_validation(exc: ValidationError, raw: object = None, root: yaml.Node | None = None) -> str:
    """``line N: where: what`` for every error in ``exc`` (``raw``: the parsed file; ``root``: its YAML nodes)."""
    parts: list[tuple[Loc, str]] = []
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, OntologyProblems):
            parts.extend(cause.problems)
            continue
        parts.append((tuple(err["loc"]), _MESSAGES.get(err["type"]) or err["msg"].removeprefix("Value error, ")))
    out = []
    for loc, message in parts:
        line = _line_of(loc, root)
        where = _where(loc, raw)
        prefix = f"line {line}: " if line is not None else ""
        out.append(f"{prefix}{where}: {message}" if where else f"{prefix}{message}")
    return "; ".join(out)
