"""PLOVER records as eventgold reads and writes them: participant fields per coder slot, entity types.

A PLOVER record names its participants by field (manual v0.8: ``actor`` and
``recipient``, lists of entity objects, and ``event_loc``, the event's place).
These are the record format's field names, not an ontology's roles: eventgold
maps each field onto a slot of the ontology's coder mapping (``ontology.coder``:
``source``, ``target``, ``location``) and so onto whatever roles that ontology
puts there. The export (:mod:`eventgold.export.plover`) fills a field with the
mentions of its slot's roles; the reader (:mod:`eventgold.readers.plover`)
gives an entity of a field the first role of its slot the event type allows
(:func:`role_for_slot`).

The field names and the types of entities the records leave untyped are data:
``plover_format.yaml`` next to this module (:func:`load_plover_format`).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from eventgold.errors import ConfigError
from eventgold.ontology import CODER_SLOTS, Coder, Ontology

FORMAT_FILE = "plover_format.yaml"


class SlotFields(BaseModel):
    """The record field holding each coder slot."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    target: str
    location: str


class EntityTypeNames(BaseModel):
    """Names tried in order for each kind of untyped entity (actor types, or NER labels of one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code_only: tuple[str, ...] = ()
    armed: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    event_location: tuple[str, ...] = ()


class PloverFormat(BaseModel):
    """The content of ``plover_format.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: SlotFields
    entity_types: EntityTypeNames
    armed_sectors: frozenset[str] = frozenset()

    def slot_fields(self) -> dict[str, str]:
        """Coder slot -> the record field that holds it, in :data:`~eventgold.ontology.CODER_SLOTS` order."""
        return {slot: getattr(self.fields, slot) for slot in CODER_SLOTS}


def default_format_path() -> Path:
    """``plover_format.yaml`` shipped with the package."""
    from eventgold.resources import package_file

    return package_file("eventgold.readers", FORMAT_FILE)


@cache
def load_plover_format(path: Path | None = None) -> PloverFormat:
    """Read ``plover_format.yaml`` (default: the packaged one); ConfigError naming what is wrong."""
    file = path if path is not None else default_format_path()
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{file}: cannot read the PLOVER format description: {exc}") from exc
    try:
        return PloverFormat.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise ConfigError(f"{file}: {'.'.join(str(x) for x in err['loc'])}: {err['msg']}") from exc


def slot_roles(coder: Coder, slot: str) -> tuple[str, ...]:
    """The roles the coder mapping puts in ``slot`` (one of :data:`eventgold.ontology.CODER_SLOTS`)."""
    roles: tuple[str, ...] = getattr(coder, slot)
    return roles


def role_for_slot(
    ontology: Ontology, slot: str, event_type: str, mention_type: str | None = None
) -> tuple[str | None, str | None]:
    """The role an entity of coder ``slot`` fills on an ``event_type`` event: (role, None) or (None, why not).

    The role is the first of the slot's roles that ``event_type`` allows and
    that accepts a ``mention_type`` mention (:meth:`Ontology.argument_problem`).

    Example:
        >>> from eventgold.ontology import load_ontology
        >>> onto = load_ontology()
        >>> role_for_slot(onto, "target", "CONSULT") == (onto.coder.target[0], None)
        True
    """
    roles = slot_roles(ontology.coder, slot)
    if not roles:
        return None, f"the ontology ({ontology.name}) maps no role onto coder {slot}"
    allowed = [r for r in roles if r in ontology.roles_of(event_type)]
    if not allowed:
        return None, f"no role of coder {slot} ({', '.join(roles)}) is a role of {event_type}"
    fitting = [r for r in allowed if ontology.argument_problem(event_type, r, mention_type) is None]
    if not fitting:
        return None, f"no role of coder {slot} on {event_type} ({', '.join(allowed)}) takes a {mention_type} mention"
    return fitting[0], None


def resolve_type(names: tuple[str, ...], ontology: Ontology) -> str | None:
    """The first of ``names`` that is an actor type of ``ontology`` or in one's ``ner_labels``, as that type."""
    return next((t for t in map(ontology.actor_type_for, names) if t is not None), None)


def entity_type(
    ontology: Ontology, *, location: bool, code_only: bool, sector: str | None, fmt: PloverFormat | None = None
) -> tuple[str | None, tuple[str, ...]]:
    """The mention type of an entity nothing else types, and the names tried for it.

    Args:
        ontology: the ontology whose actor types (and ``ner_labels``) the names resolve to.
        location: the entity is the record's event location.
        code_only: the entity has a country code and no text.
        sector: its PLOVER sector, if any.
        fmt: the format description (default: the packaged ``plover_format.yaml``).

    Returns:
        (actor type or None when no name resolves, the names tried).
    """
    data = fmt if fmt is not None else load_plover_format()
    names = data.entity_types
    if location:
        tried = names.event_location
    elif code_only:
        tried = names.code_only
    elif sector in data.armed_sectors:
        tried = names.armed
    else:
        tried = names.other
    return resolve_type(tried, ontology), tried
