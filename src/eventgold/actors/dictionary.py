"""The actor dictionary (``label_config/actors.yaml``): canonical actor identities.

Each top-level key of the YAML file is a canonical id; its value describes the
actor (preferred name, spelling variants, ontology actor type, country, PLOVER
sector, Wikidata QID, and for capitals the state they can stand for). The file
header documents the id scheme. The gazetteer, the rules baseline, the
``actor_candidates`` of pushed tasks and ``eventgold actors pending`` all read
it through :func:`load_actor_dictionary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from eventgold.errors import ConfigError
from eventgold.fileio import read_input, sha256_file
from eventgold.ontology import Ontology, default_label_config_dir, load_ontology, yaml_problem

ACTORS_FILE = "actors.yaml"
ID_SEPARATOR = " — "
"""Separates the canonical id from the preferred name in ``actor_candidates`` values."""

_ISO3 = re.compile(r"^[A-Z]{3}$")
_QID = re.compile(r"^Q[1-9][0-9]*$")


class ActorEntry(BaseModel):
    """One canonical actor: its id, names, type and attributes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    aliases_cased: tuple[str, ...] = ()
    type: str
    country: str | None = None
    sector: str | None = None
    wikidata: str | None = None
    capital_of: str | None = None
    needs_review: bool = False

    @field_validator("country", "capital_of")
    @classmethod
    def _iso3(cls, value: str | None) -> str | None:
        if value is not None and not _ISO3.match(value):
            raise ValueError(f"{value!r} is not an ISO 3166 alpha-3 code (three capital letters)")
        return value

    @field_validator("wikidata")
    @classmethod
    def _qid(cls, value: str | None) -> str | None:
        if value is not None and not _QID.match(value):
            raise ValueError(f"{value!r} is not a Wikidata QID (Q followed by digits)")
        return value

    @property
    def candidate_value(self) -> str:
        """The ``actor_candidates`` value: ``"<id> — <preferred name>"``."""
        return f"{self.id}{ID_SEPARATOR}{self.name}"

    def names(self) -> Iterator[str]:
        """The preferred name and every case-insensitive alias."""
        yield self.name
        yield from self.aliases


@dataclass(frozen=True)
class ActorDictionary:
    """The actor dictionary: entries by canonical id, in file order."""

    entries: dict[str, ActorEntry]
    path: Path | None = None
    sha256: str = ""
    problems: tuple[str, ...] = field(default=())

    def __contains__(self, canonical_id: object) -> bool:
        return canonical_id in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, canonical_id: str) -> ActorEntry | None:
        """The entry with ``canonical_id``, or None."""
        return self.entries.get(canonical_id)

    @cached_property
    def by_qid(self) -> dict[str, ActorEntry]:
        """Entries by Wikidata QID (first entry wins if two share one)."""
        out: dict[str, ActorEntry] = {}
        for entry in self.entries.values():
            if entry.wikidata and entry.wikidata not in out:
                out[entry.wikidata] = entry
        return out


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that rejects a mapping key given twice (a silent overwrite otherwise)."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def default_actors_path() -> Path:
    """Where the actor dictionary lives by default (next to ``ontology.yaml``)."""
    return default_label_config_dir() / ACTORS_FILE


def load_actor_dictionary(
    path: str | Path | None = None, ontology: Ontology | None = None
) -> ActorDictionary:
    """Load and check the actor dictionary (default ``label_config/actors.yaml``).

    Every problem is collected and reported at once as a ConfigError naming the
    file and the canonical id: unknown keys, an actor type or sector missing from
    the ontology, a malformed country or QID, a ``capital_of`` naming no entry.
    """
    file = Path(path) if path is not None else default_actors_path()
    try:
        raw = read_input(
            file,
            lambda f: yaml.load(f.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader),
            what="the actor dictionary",
            not_found="actor dictionary not found",
            error=ConfigError,
        )
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_problem(exc, file)) from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{file}: expected a mapping of canonical id -> entry at the top level, "
            f"got {type(raw).__name__}"
        )
    onto = ontology if ontology is not None else load_ontology()
    problems: list[str] = []
    # Problems that many entries can share (a renamed type, a missing field) are grouped: one
    # message naming a few of the ids, not the same sentence once per entry.
    shared: dict[tuple[str, str], list[str]] = {}
    unknown_types: dict[str, list[str]] = {}
    unknown_sectors: dict[str, list[str]] = {}
    missing_capitals: dict[str, list[str]] = {}
    entries: dict[str, ActorEntry] = {}
    for key, value in raw.items():
        cid = str(key)
        if not cid.strip() or cid != cid.strip() or ID_SEPARATOR.strip() in cid:
            problems.append(f"{cid!r}: a canonical id must be non-empty, trimmed and hold no '—'")
            continue
        if not isinstance(value, dict):
            shared.setdefault(("", "expected a mapping with name, type, ..."), []).append(cid)
            continue
        try:
            entry = ActorEntry.model_validate({"id": cid, **value})
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"])
                msg = err["msg"].removeprefix("Value error, ")
                if err["type"] == "extra_forbidden":
                    msg = "unknown field"
                shared.setdefault((loc, msg), []).append(cid)
            continue
        if entry.type not in onto.actor_type_names:
            unknown_types.setdefault(entry.type, []).append(cid)
        if entry.sector is not None and onto.sectors and entry.sector not in onto.sector_codes:
            unknown_sectors.setdefault(entry.sector, []).append(cid)
        entries[cid] = entry
    for entry in entries.values():
        if entry.capital_of is not None and entry.capital_of not in entries:
            missing_capitals.setdefault(entry.capital_of, []).append(entry.id)
    for (loc, msg), ids in shared.items():
        where = f"{ids[0]}.{loc}" if len(ids) == 1 and loc else (ids[0] if len(ids) == 1 else "")
        if where:
            problems.append(f"{where}: {msg}")
        else:
            problems.append(f"{_entries(ids)} ({_some(ids)}): {loc + ': ' if loc else ''}{msg}")
    if unknown_types:
        problems.append(_unknown_names("actor type", unknown_types, ", ".join(sorted(onto.actor_type_names))))
    if unknown_sectors:
        problems.append(_unknown_names("sector", unknown_sectors, _some(sorted(onto.sector_codes), 30)))
    for target, ids in missing_capitals.items():
        problems.append(f"{_entries(ids)} ({_some(ids)}) {'has' if len(ids) == 1 else 'have'} "
                        f"capital_of {target!r}, but no entry has that id")
    if problems:
        raise ConfigError(f"{file}: " + "; ".join(problems))
    return ActorDictionary(entries=entries, path=file, sha256=sha256_file(file))


def _unknown_names(what: str, used: dict[str, list[str]], allowed: str) -> str:
    """One problem line for names (``what``: actor type, sector) the ontology lacks, with the entries using each."""
    parts = [
        f"{_entries(ids)} {'uses' if len(ids) == 1 else 'use'} {what} {name!r}, which the ontology "
        f"lacks ({_some(ids)})"
        for name, ids in used.items()
    ]
    return "; ".join(parts) + f": allowed {allowed}"


def _entries(ids: list[str]) -> str:
    return "1 entry" if len(ids) == 1 else f"{len(ids)} entries"


def _some(ids: list[str], shown: int = 3) -> str:
    """The first ``shown`` ids, then ``… +N`` for the rest."""
    head = ", ".join(ids[:shown])
    return head if len(ids) <= shown else f"{head}, … +{len(ids) - shown}"
