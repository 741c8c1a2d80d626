"""The annotation ontology: load and check ``ontology.yaml`` (the Label Studio XML is rendered in
:mod:`eventgold.labelstudio.label_config`).

The ontology is the one source of truth for what can be annotated. Everything
else (the labeling config, record validation, scoring, exports) is derived from
it, so another ontology (CAMEO, ACE) can be swapped in without code changes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eventgold.config import ONTOLOGY_FILE
from eventgold.errors import OntologyError
from eventgold.ontology_yaml import (
    Loc,
    OntologyProblems,
    UniqueKeyLoader,
    describe_validation,
    yaml_problem,
)

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")
LABEL_CONFIG_FILE = "actors_events.xml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_color(value: str | None) -> str | None:
    """A label colour: ``#RGB`` or ``#RRGGBB`` (Label Studio's ``background`` is documented as hex)."""
    if value is not None and not _COLOR.match(value):
        raise ValueError(f'{value!r} is not a colour; write #RGB or #RRGGBB (like "#1f77b4")')
    return value


class ActorType(_Strict):
    """A mention type (a label of the ``actor`` control)."""

    name: str
    hotkey: str | None = None
    color: str | None = None
    description: str = ""
    ner_labels: tuple[str, ...] = ()
    """Entity labels of a NER model (spaCy/OntoNotes: PERSON, GPE, ...) that pre-annotate this type."""

    _color = field_validator("color")(_check_color)


class EventType(_Strict):
    """An event type (a label of the ``event`` control) with its modes and, optionally, its own roles."""

    name: str
    group: str | None = None
    quad: int | None = Field(default=None, ge=1, le=4)
    recipient_required: bool = False
    hotkey: str | None = None
    color: str | None = None
    modes: tuple[str, ...] = ()
    roles: tuple[str, ...] | None = None
    """The roles this type allows (names from ``roles``); None: every role."""
    description: str = ""

    _color = field_validator("color")(_check_color)


class Role(_Strict):
    """An argument role: a relation from the event trigger to a mention."""

    name: str
    description: str = ""
    entity_types: tuple[str, ...] = ()
    """The mention types that may fill the role; empty: any."""


class Flag(_Strict):
    """An auxiliary event attribute that is either set or not (a choice of the ``flags`` control)."""

    name: str
    description: str = ""


class Sector(_Strict):
    """An actor sector code (PLOVER sectors by default)."""

    code: str
    description: str = ""


class Coder(_Strict):
    """How roles map onto coder-style (source, type, target) tuples and the PLOVER export.

    Each field lists the roles whose mentions count as that slot; a role may be
    in at most one slot, and roles in none are left out of coder tuples.
    """

    source: tuple[str, ...] = ()
    target: tuple[str, ...] = ()
    location: tuple[str, ...] = ()


CODER_SLOTS = ("source", "target", "location")


def _duplicates(names: list[str]) -> list[str]:
    return sorted(name for name, count in Counter(names).items() if count > 1)


class Ontology(_Strict):
    """What can be annotated: mention types, event types and modes, roles, flags, contexts."""

    name: str
    version: str = ""
    actor_types: tuple[ActorType, ...]
    event_types: tuple[EventType, ...]
    roles: tuple[Role, ...]
    flags: tuple[Flag, ...] = ()
    contexts: tuple[str, ...] = ()
    sectors: tuple[Sector, ...] = ()
    relevance: tuple[str, ...] = ("relevant", "not_relevant", "duplicate")
    modes: dict[str, str] = Field(default_factory=dict)
    """Optional descriptions of modes; every key must be a mode of some event type."""
    coder: Coder = Coder()

    @field_validator("flags", mode="before")
    @classmethod
    def _flag_names(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @model_validator(mode="after")
    def _check(self) -> Ontology:
        problems = ontology_problems(self)
        if problems:
            raise OntologyProblems(problems)
        return self

    @cached_property
    def actor_type_names(self) -> frozenset[str]:
        """Names of the mention types."""
        return frozenset(a.name for a in self.actor_types)

    @cached_property
    def event_type_names(self) -> frozenset[str]:
        """Names of the event types."""
        return frozenset(e.name for e in self.event_types)

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the argument roles."""
        return frozenset(r.name for r in self.roles)

    @cached_property
    def flag_names(self) -> tuple[str, ...]:
        """Names of the flags, in file order."""
        return tuple(f.name for f in self.flags)

    @cached_property
    def ner_label_map(self) -> dict[str, str]:
        """NER label -> mention type, from each type's ``ner_labels`` (a label two types list: the first)."""
        out: dict[str, str] = {}
        for actor_type in self.actor_types:
            for label in actor_type.ner_labels:
                out.setdefault(label, actor_type.name)
        return out

    def actor_type_for(self, label: str) -> str | None:
        """The mention type ``label`` names: a type's own name, else the type listing it in ``ner_labels``."""
        return label if label in self.actor_type_names else self.ner_label_map.get(label)

    @cached_property
    def sector_codes(self) -> frozenset[str]:
        """Codes of the actor sectors."""
        return frozenset(s.code for s in self.sectors)

    @cached_property
    def _events(self) -> dict[str, EventType]:
        return {e.name: e for e in self.event_types}

    @cached_property
    def _roles(self) -> dict[str, Role]:
        return {r.name: r for r in self.roles}

    @cached_property
    def has_typed_roles(self) -> bool:
        """Whether any event type has its own role set or any role limits its mention types."""
        return any(e.roles is not None for e in self.event_types) or any(r.entity_types for r in self.roles)

    def event_type(self, name: str) -> EventType:
        """The event type called ``name``; KeyError when there is none."""
        return self._events[name]

    def role(self, name: str) -> Role:
        """The role called ``name``; KeyError when there is none."""
        return self._roles[name]

    def modes_of(self, event_type: str) -> tuple[str, ...]:
        """The modes allowed for ``event_type`` (empty for an unknown type)."""
        event = self._events.get(event_type)
        return event.modes if event else ()

    def roles_of(self, event_type: str) -> tuple[str, ...]:
        """The roles allowed for ``event_type``, in file order (every role for an unknown type)."""
        event = self._events.get(event_type)
        if event is None or event.roles is None:
            return self._all_roles
        return event.roles

    @cached_property
    def _all_roles(self) -> tuple[str, ...]:
        """Every role's name, in file order (what :meth:`roles_of` gives a type without its own list)."""
        return tuple(r.name for r in self.roles)

    def quad_of(self, event_type: str) -> int | None:
        """The PLOVER quad class of ``event_type`` (None when unknown or not set)."""
        event = self._events.get(event_type)
        return event.quad if event else None

    def argument_problem(self, event_type: str, role: str, mention_type: str | None = None) -> str | None:
        """Why a ``role`` argument filled by a ``mention_type`` mention is not allowed on ``event_type``.

        Returns:
            None when the ontology allows it; else one sentence naming what is
            allowed (the type's roles, or the role's mention types).
        """
        if role not in self._roles:
            return f"unknown role {role!r}; allowed: {', '.join(r.name for r in self.roles) or 'none'}"
        allowed = self.roles_of(event_type)
        if role not in allowed:
            return f"role {role!r} is not a role of {event_type}; allowed: {', '.join(allowed) or 'none'}"
        entity_types = self._roles[role].entity_types
        if mention_type is not None and entity_types and mention_type not in entity_types:
            return (
                f"a mention of type {mention_type} cannot fill role {role!r}; allowed types: "
                f"{', '.join(entity_types)} (relabel the mention or pick another role)"
            )
        return None

    def coder_slot(self, role: str) -> str | None:
        """The coder slot (``source``, ``target``, ``location``) ``role`` maps onto, or None."""
        for slot in CODER_SLOTS:
            if role in getattr(self.coder, slot):
                return slot
        return None

    def sha256(self) -> str:
        """A stable hash of the ontology's content, for manifests."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


def ontology_problems(ontology: Ontology) -> list[tuple[Loc, str]]:
    """Every content mistake of ``ontology`` with where it is, in file order.

    Checks names (unique, well formed), that actor and event types do not
    clash, modes (unique per type, described only when used), hotkeys (one
    label each), per-type roles and roles' mention types (defined), and the
    coder mapping (known roles, one slot each).

    Returns:
        (location, message) pairs; the location is a path of keys and list
        indices into the file (``("roles", 2, "entity_types", 0)``).
    """
    problems: list[tuple[Loc, str]] = []
    o = ontology
    for key, what, field, names in (
        ("actor_types", "actor type", "name", [a.name for a in o.actor_types]),
        ("event_types", "event type", "name", [e.name for e in o.event_types]),
        ("roles", "role", "name", [r.name for r in o.roles]),
        ("flags", "flag", "name", list(o.flag_names)),
        ("contexts", "context", None, list(o.contexts)),
        ("sectors", "sector", "code", [s.code for s in o.sectors]),
        ("relevance", "relevance value", None, list(o.relevance)),
    ):
        dups = set(_duplicates(names))
        seen: set[str] = set()
        for i, name in enumerate(names):
            loc: Loc = (key, i, field) if field else (key, i)
            if name in dups and name in seen:
                problems.append((loc, f"duplicate {what} name {name!r}"))
            seen.add(name)
            if not _NAME.match(name):
                problems.append(
                    (loc, f"{what} name {name!r} must start with a letter and hold only letters, digits, '_' or '-'")
                )
    if not o.actor_types:
        problems.append((("actor_types",), "at least one actor type is required"))
    if not o.event_types:
        problems.append((("event_types",), "at least one event type is required"))
    actor_names = [a.name for a in o.actor_types]
    for i, event in enumerate(o.event_types):
        if event.name in actor_names:
            problems.append((("event_types", i, "name"), f"{event.name!r} is both an actor type and an event type"))
        for j, mode in enumerate(event.modes):
            if mode in event.modes[:j]:
                problems.append(
                    (("event_types", i, "modes", j), f"event type {event.name!r} lists mode {mode!r} twice")
                )
            if not _NAME.match(mode):
                problems.append(
                    (("event_types", i, "modes", j), f"mode {mode!r} of {event.name!r} is not a valid name")
                )
        for j, role in enumerate(event.roles or ()):
            if role not in o.role_names:
                problems.append(
                    (
                        ("event_types", i, "roles", j),
                        f"event type {event.name!r} names role {role!r}, which is not in roles",
                    )
                )
            elif role in (event.roles or ())[:j]:
                problems.append(
                    (("event_types", i, "roles", j), f"event type {event.name!r} lists role {role!r} twice")
                )
    used = {mode for event in o.event_types for mode in event.modes}
    for mode in o.modes:
        if mode not in used:
            problems.append((("modes", mode), f"mode {mode!r} belongs to no event type"))
    for i, role_def in enumerate(o.roles):
        for j, type_name in enumerate(role_def.entity_types):
            if type_name not in actor_names:
                problems.append(
                    (
                        ("roles", i, "entity_types", j),
                        f"role {role_def.name!r} accepts {type_name!r}, which is not an actor type",
                    )
                )
    slot_of: dict[str, str] = {}
    for slot in CODER_SLOTS:
        for j, role_name in enumerate(getattr(o.coder, slot)):
            if role_name not in o.role_names:
                problems.append((("coder", slot, j), f"coder {slot} names role {role_name!r}, which is not in roles"))
            elif role_name in slot_of:
                problems.append(
                    (
                        ("coder", slot, j),
                        f"role {role_name!r} is in coder {slot_of[role_name]} and coder {slot}; keep one",
                    )
                )
            else:
                slot_of[role_name] = slot
    hotkeys: dict[str, str] = {}
    labelled: tuple[tuple[str, tuple[ActorType | EventType, ...]], ...] = (
        ("actor_types", o.actor_types),
        ("event_types", o.event_types),
    )
    for key, labels in labelled:
        for i, label in enumerate(labels):
            if not label.hotkey:
                continue
            first = hotkeys.setdefault(label.hotkey.lower(), label.name)
            if first != label.name:
                problems.append(
                    (
                        (key, i, "hotkey"),
                        f"hotkey {label.hotkey.lower()!r} is used by more than one label ({first}, {label.name})",
                    )
                )
    return problems


def default_label_config_dir() -> Path:
    """The ``label_config/`` folder in use (see :func:`eventgold.config.find_config_dir`)."""
    from eventgold.config import find_config_dir

    return find_config_dir().path


def load_ontology(path: str | Path | None = None) -> Ontology:
    """Load and check an ontology file (default: ``ontology.yaml`` in :func:`default_label_config_dir`).

    Raises OntologyError naming the file and every problem found: unknown keys,
    duplicate names, modes that belong to no event type, clashing hotkeys.
    """
    file = Path(path) if path is not None else default_label_config_dir() / ONTOLOGY_FILE
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except FileNotFoundError as exc:
        raise OntologyError(f"{file}: ontology file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise OntologyError(f"{file}: cannot read the ontology: {exc}") from exc
    except yaml.YAMLError as exc:
        raise OntologyError(
            f"{yaml_problem(exc, file)}; fix the file (or delete it and run `eventgold init` to copy the default back)"
        ) from exc
    if raw is None:
        raise OntologyError(
            f"{file}: the ontology file is empty; delete it and run `eventgold init`{_init_where(file)} "
            "to copy the default back"
        )
    if not isinstance(raw, dict):
        raise OntologyError(f"{file}: expected a mapping at the top level, got {type(raw).__name__}")
    try:
        return Ontology.model_validate(raw)
    except ValidationError as exc:
        root = yaml.compose(file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        raise OntologyError(f"{file}: {describe_validation(exc, raw, root)}") from exc


def _init_where(file: Path) -> str:
    """`` in <project>`` when ``file`` sits in a project's ``label_config/`` (where init restores it)."""
    from eventgold.config import CONFIG_DIR_NAME

    folder = file.absolute().parent
    return f" in {folder.parent}" if folder.name == CONFIG_DIR_NAME else ""
