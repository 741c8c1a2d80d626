"""Reading records written by earlier eventgold versions.

Schema 1.0 (every file written before ``schema_version`` 1.1) stored an
event's arguments in three fixed lists named after the PLOVER roles:
``actors``, ``recipients`` and ``locations``. Schema 1.1 stores them as
``arguments``, a list of ``{"role": ..., "mention": ...}`` whose roles come
from the ontology. :func:`migrate_event` is applied to every event as it is
parsed, so annotations, predictions, review files and gold datasets of either
schema load; files are always written in the current schema.

Which files need it is keyed on ``schema_version``: a gold version whose
``manifest.json`` says 1.0 holds schema 1.0 events (:func:`holds_legacy_events`).
JSONL files of predictions and annotations carry no version, so the
migration also recognises a 1.0 event by its shape (:func:`is_legacy_event`),
and an event is migrated whatever file it is in. :func:`schema_problem` says
when a file is too new for this eventgold to read.

These field names are the 1.0 record contract, not ontology knowledge: they
are the only place a role name is written outside ``ontology.py``.
"""

from __future__ import annotations

from typing import Any

from eventgold import SCHEMA_VERSION

LEGACY_SCHEMA_VERSION = "1.0"
"""The last schema whose events carried fixed role lists."""

LEGACY_ROLE_FIELDS: dict[str, str] = {"actors": "actor", "recipients": "recipient", "locations": "location"}
"""Schema 1.0 event field -> the role its mention ids fill (in this order)."""


class LegacyFieldError(ValueError):
    """A schema 1.0 role field that does not hold a list of mention ids.

    Raised inside pydantic validation; :func:`eventgold.jsonl.parse_record`
    turns it into a RecordError whose field is the event's path plus
    :attr:`field` (``events.0.actors``) and whose record is the event.
    """

    def __init__(self, field: str, value: object, record_id: str | None) -> None:
        self.field = field
        self.value = value
        self.record_id = record_id
        if isinstance(value, list):
            bad = next((item for item in value if not isinstance(item, str)), None)
            why = f"{bad!r} is not a mention id"
        else:
            why = f"not {type(value).__name__}"
        super().__init__(
            f"schema {LEGACY_SCHEMA_VERSION} field {field!r} must be a list of mention ids, {why} "
            f"(schema {SCHEMA_VERSION} writes arguments: a list of {{role, mention}})"
        )


def _version(text: str) -> tuple[int, ...] | None:
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        return None


def schema_problem(version: str | None) -> str | None:
    """Why a file written with schema ``version`` cannot be read here, or None when it can.

    A missing version is read as the oldest schema. Every 1.x file is readable
    up to the current minor; a newer minor or another major needs another
    eventgold.

    Example:
        >>> schema_problem("1.0") is None
        True
        >>> print(schema_problem("2.0"))  # doctest: +ELLIPSIS
        schema_version 2.0 is not readable by this eventgold (schema 1.1); upgrade eventgold, ...
    """
    if version is None:
        return None
    found, current = _version(str(version)), _version(SCHEMA_VERSION)
    if found is None or current is None:
        return f"schema_version {version!r} is not a version number like {SCHEMA_VERSION!r}"
    if found[0] != current[0] or found > current:
        return (
            f"schema_version {version} is not readable by this eventgold (schema {SCHEMA_VERSION}); "
            "upgrade eventgold, or rebuild the file with this version"
        )
    return None


def holds_legacy_events(version: str | None) -> bool:
    """Whether a file of schema ``version`` (None: unversioned, i.e. old) stores events in the 1.0 shape."""
    if version is None:
        return True
    found, legacy = _version(str(version)), _version(LEGACY_SCHEMA_VERSION)
    return found is not None and legacy is not None and found <= legacy


def is_legacy_event(data: object) -> bool:
    """Whether ``data`` (a raw event mapping) is in the schema 1.0 shape."""
    return isinstance(data, dict) and not data.keys().isdisjoint(LEGACY_ROLE_FIELDS)


def migrate_event(data: Any) -> Any:
    """A raw event mapping in the current shape; anything else is returned as it came.

    Args:
        data: the event as parsed from JSON (a dict), or anything pydantic was
            given (a model instance, a wrong type it will reject itself).

    Returns:
        For a schema 1.0 event, a new dict whose ``arguments`` list holds the
        old lists' ids as ``{"role", "mention"}`` in actor, recipient,
        location order (each list's order kept), after any ``arguments`` it
        already had (an event holding both shapes; a role and mention already
        among those is not added again); other input unchanged. A ``null`` legacy list is
        an empty one.

    Raises:
        LegacyFieldError: a legacy field holds something other than a list of
            mention ids (pydantic turns it into the record's validation error,
            and :func:`eventgold.jsonl.parse_record` into a RecordError naming
            the field).

    Example:
        >>> migrate_event({"id": "e1", "type": "AID", "recipients": ["m2"]})
        {'id': 'e1', 'type': 'AID', 'arguments': [{'role': 'recipient', 'mention': 'm2'}]}
    """
    if not is_legacy_event(data):
        return data
    record_id = data.get("id")
    record_id = record_id if isinstance(record_id, str) else None
    out = {key: value for key, value in data.items() if key not in LEGACY_ROLE_FIELDS}
    arguments = list(out.get("arguments") or [])
    have = {(a.get("role"), a.get("mention")) for a in arguments if isinstance(a, dict)}
    for field, role in LEGACY_ROLE_FIELDS.items():
        ids = data.get(field)
        if ids is None:
            continue
        if not isinstance(ids, list | tuple):
            raise LegacyFieldError(field, ids, record_id)
        for mention in ids:
            if not isinstance(mention, str):
                raise LegacyFieldError(field, ids, record_id)
            if (role, mention) not in have:
                arguments.append({"role": role, "mention": mention})
    out["arguments"] = arguments
    return out
