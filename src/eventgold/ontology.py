"""The annotation ontology: load and check ``ontology.yaml``; render the Label Studio XML.

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
from xml.sax.saxutils import quoteattr

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eventgold.config import ONTOLOGY_FILE
from eventgold.errors import OntologyError

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
_COLOR = re.compile(r"^#(?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{6})$")
LABEL_CONFIG_FILE = "actors_events.xml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_color(value: str | None) -> str | None:
    """A label colour: ``#RGB`` or ``#RRGGBB`` (Label Studio's ``background`` is documented as hex)."""
    if value is not None and not _COLOR.match(value):
        raise ValueError(f"{value!r} is not a colour; write #RGB or #RRGGBB (like \"#1f77b4\")")
    return value


class ActorType(_Strict):
    """An actor mention type (a label of the ``actor`` control)."""

    name: str
    hotkey: str | None = None
    color: str | None = None
    description: str = ""

    _color = field_validator("color")(_check_color)


class EventType(_Strict):
    """An event type (a label of the ``event`` control) with its modes."""

    name: str
    quad: int | None = Field(default=None, ge=1, le=4)
    recipient_required: bool = False
    hotkey: str | None = None
    color: str | None = None
    modes: tuple[str, ...] = ()
    description: str = ""

    _color = field_validator("color")(_check_color)


class Role(_Strict):
    """An event role: a relation from the event trigger to a mention."""

    name: str
    description: str = ""


class Sector(_Strict):
    """An actor sector code (PLOVER sectors by default)."""

    code: str
    description: str = ""


def _duplicates(names: list[str]) -> list[str]:
    return sorted(name for name, count in Counter(names).items() if count > 1)


class Ontology(_Strict):
    """What can be annotated: actor types, event types and modes, roles, flags, contexts."""

    name: str
    version: str = ""
    actor_types: tuple[ActorType, ...]
    event_types: tuple[EventType, ...]
    roles: tuple[Role, ...]
    flags: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    sectors: tuple[Sector, ...] = ()
    relevance: tuple[str, ...] = ("relevant", "not_relevant", "duplicate")
    modes: dict[str, str] = Field(default_factory=dict)
    """Optional descriptions of modes; every key must be a mode of some event type."""

    @model_validator(mode="after")
    def _check(self) -> Ontology:
        problems: list[str] = []
        for what, names in (
            ("actor type", [a.name for a in self.actor_types]),
            ("event type", [e.name for e in self.event_types]),
            ("role", [r.name for r in self.roles]),
            ("flag", list(self.flags)),
            ("context", list(self.contexts)),
            ("sector", [s.code for s in self.sectors]),
            ("relevance value", list(self.relevance)),
        ):
            for dup in _duplicates(names):
                problems.append(f"duplicate {what} name {dup!r}")
            for name in names:
                if not _NAME.match(name):
                    problems.append(
                        f"{what} name {name!r} must start with a letter and hold only letters, digits, '_' or '-'"
                    )
        if not self.actor_types:
            problems.append("at least one actor type is required")
        if not self.event_types:
            problems.append("at least one event type is required")
        for clash in _duplicates([a.name for a in self.actor_types] + [e.name for e in self.event_types]):
            if clash not in _duplicates([a.name for a in self.actor_types]) and clash not in (
                _duplicates([e.name for e in self.event_types])
            ):
                problems.append(f"{clash!r} is both an actor type and an event type")
        for event in self.event_types:
            for dup in _duplicates(list(event.modes)):
                problems.append(f"event type {event.name!r} lists mode {dup!r} twice")
            for mode in event.modes:
                if not _NAME.match(mode):
                    problems.append(f"mode {mode!r} of {event.name!r} is not a valid name")
        used = {mode for event in self.event_types for mode in event.modes}
        for mode in sorted(set(self.modes) - used):
            problems.append(f"mode {mode!r} belongs to no event type")
        hotkeys = [a.hotkey for a in self.actor_types if a.hotkey] + [e.hotkey for e in self.event_types if e.hotkey]
        for dup in _duplicates([h.lower() for h in hotkeys]):
            problems.append(f"hotkey {dup!r} is used by more than one label")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @cached_property
    def actor_type_names(self) -> frozenset[str]:
        """Names of the actor mention types."""
        return frozenset(a.name for a in self.actor_types)

    @cached_property
    def event_type_names(self) -> frozenset[str]:
        """Names of the event types."""
        return frozenset(e.name for e in self.event_types)

    @cached_property
    def role_names(self) -> frozenset[str]:
        """Names of the event roles."""
        return frozenset(r.name for r in self.roles)

    @cached_property
    def sector_codes(self) -> frozenset[str]:
        """Codes of the actor sectors."""
        return frozenset(s.code for s in self.sectors)

    @cached_property
    def _events(self) -> dict[str, EventType]:
        return {e.name: e for e in self.event_types}

    def event_type(self, name: str) -> EventType:
        """The event type called ``name``; KeyError when there is none."""
        return self._events[name]

    def modes_of(self, event_type: str) -> tuple[str, ...]:
        """The modes allowed for ``event_type`` (empty for an unknown type)."""
        event = self._events.get(event_type)
        return event.modes if event else ()

    def quad_of(self, event_type: str) -> int | None:
        """The PLOVER quad class of ``event_type`` (None when unknown or not set)."""
        event = self._events.get(event_type)
        return event.quad if event else None

    def sha256(self) -> str:
        """A stable hash of the ontology's content, for manifests."""
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()


def default_label_config_dir() -> Path:
    """The ``label_config/`` folder in use (see :func:`eventgold.config.find_config_dir`)."""
    from eventgold.config import find_config_dir

    return find_config_dir().path


def yaml_problem(exc: yaml.YAMLError, file: str | Path) -> str:
    """One line saying where and why a YAML file does not parse (PyYAML's message spans several)."""
    mark = getattr(exc, "problem_mark", None)
    where = f"{file}:{mark.line + 1}" if mark is not None else str(file)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = f"{context}, {problem}" if context else str(problem)
    return f"{where}: not valid YAML ({' '.join(text.split())})"


def load_ontology(path: str | Path | None = None) -> Ontology:
    """Load and check an ontology file (default: ``ontology.yaml`` in :func:`default_label_config_dir`).

    Raises OntologyError naming the file and every problem found: unknown keys,
    duplicate names, modes that belong to no event type, clashing hotkeys.
    """
    file = Path(path) if path is not None else default_label_config_dir() / ONTOLOGY_FILE
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
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
        raise OntologyError(f"{file}: {_describe(exc, raw)}") from exc


def _init_where(file: Path) -> str:
    """`` in <project>`` when ``file`` sits in a project's ``label_config/`` (where init restores it)."""
    from eventgold.config import CONFIG_DIR_NAME

    folder = file.absolute().parent
    return f" in {folder.parent}" if folder.name == CONFIG_DIR_NAME else ""


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


def _where(loc: tuple[int | str, ...], raw: object) -> str:
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


def _describe(exc: ValidationError, raw: object = None) -> str:
    parts = []
    for err in exc.errors():
        loc = _where(err["loc"], raw)
        msg = _MESSAGES.get(err["type"]) or err["msg"].removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


# ---------------------------------------------------------------------------
# Label Studio labeling config
# ---------------------------------------------------------------------------


def _attrs(**attrs: str | None) -> str:
    return "".join(f" {key.rstrip('_')}={quoteattr(value)}" for key, value in attrs.items() if value is not None)


def render_label_config(ontology: Ontology) -> str:
    """Render the Label Studio labeling config (XML) for ``ontology``.

    Control names and task data keys are the frozen contract of DESIGN.md:
    ``actor``, ``event``, relations ``actor``/``recipient``/``location``,
    ``mode_<TYPE>``, ``contexts``, ``event_date``, ``flags``, ``actor_id``,
    ``actor_id_other``, ``country``, ``sector``, ``relevance``, ``notes``; the
    Text tag is ``text``. Per-region controls only show when a region of their
    kind (and, for modes, of their event type) is selected.
    """
    out: list[str] = []
    add = out.append
    add("<View>")
    add("  <!-- Generated from ontology.yaml by `eventgold config render`; do not edit. -->")
    add(f"  <!-- Ontology: {ontology.name} {ontology.version} -->")
    add('  <View style="margin-bottom: 8px">')
    add('    <Header value="$title" size="3"/>')
    # Not `$source`: Label Studio 1.23's data manager overwrites a task's data.source with the
    # whole task as JSON (Task.dataObj in the labeling frontend), so the header would show that.
    add('    <Header value="Published: $published · $url" size="6"/>')
    add("  </View>")
    add('  <View style="display: flex; align-items: flex-start; gap: 16px">')
    add('    <View style="flex: 3">')
    add('      <Labels name="actor" toName="text" showInline="true">')
    for a in ontology.actor_types:
        add(
            "        <Label"
            + _attrs(value=a.name, hotkey=a.hotkey, background=a.color, hint=a.description or None)
            + "/>"
        )
    add("      </Labels>")
    add('      <Labels name="event" toName="text" showInline="true">')
    for e in ontology.event_types:
        add(
            "        <Label"
            + _attrs(value=e.name, hotkey=e.hotkey, background=e.color, hint=e.description or None)
            + "/>"
        )
    add("      </Labels>")
    add('      <View style="white-space: pre-wrap; line-height: 1.6">')
    add('        <Text name="text" value="$text" granularity="symbol"/>')
    add("      </View>")
    add("      <Relations>")
    for r in ontology.roles:
        add("        <Relation" + _attrs(value=r.name) + "/>")
    add("      </Relations>")
    add("    </View>")
    add('    <View style="flex: 2">')
    add('      <View visibleWhen="region-selected" whenTagName="event">')
    for e in ontology.event_types:
        if not e.modes:
            continue
        add("        <View" + _attrs(visibleWhen="region-selected", whenTagName="event", whenLabelValue=e.name) + ">")
        add(f'          <Header value="Mode ({e.name})" size="6"/>')
        add(
            "          <Choices" + _attrs(name=f"mode_{e.name}", toName="text", perRegion="true", choice="single") + ">"
        )
        for mode in e.modes:
            add("            <Choice" + _attrs(value=mode) + "/>")
        add("          </Choices>")
        add("        </View>")
    add('        <Header value="Event date" size="6"/>')
    add('        <DateTime name="event_date" toName="text" perRegion="true" only="date"/>')
    add('        <Header value="Flags" size="6"/>')
    add('        <Choices name="flags" toName="text" perRegion="true" choice="multiple">')
    for flag in ontology.flags:
        add("          <Choice" + _attrs(value=flag) + "/>")
    add("        </Choices>")
    add('        <Header value="Contexts" size="6"/>')
    add('        <Choices name="contexts" toName="text" perRegion="true" choice="multiple" layout="select">')
    for context in ontology.contexts:
        add("          <Choice" + _attrs(value=context) + "/>")
    add("        </Choices>")
    add("      </View>")
    add('      <View visibleWhen="region-selected" whenTagName="actor">')
    add('        <Header value="Canonical actor" size="6"/>')
    # Not allowNested: with it, Label Studio stores a chosen candidate as a path ([["id — name"]]),
    # unlike the flat ["id — name"] that push sends in predictions.
    add(
        '        <Choices name="actor_id" toName="text" perRegion="true" choice="single" value="$actor_candidates"/>'
    )
    add('        <Header value="Canonical id not in the list" size="6"/>')
    add(
        '        <TextArea name="actor_id_other" toName="text" perRegion="true"'
        ' maxSubmissions="1" editable="true" rows="1"/>'
    )
    add('        <Header value="Country (ISO 3166 alpha-3)" size="6"/>')
    add('        <TextArea name="country" toName="text" perRegion="true" maxSubmissions="1" editable="true" rows="1"/>')
    add('        <Header value="Sector" size="6"/>')
    add('        <Choices name="sector" toName="text" perRegion="true" choice="single" layout="select">')
    for sector in ontology.sectors:
        add("          <Choice" + _attrs(value=sector.code, hint=sector.description or None) + "/>")
    add("        </Choices>")
    add("      </View>")
    add('      <Header value="Document" size="5"/>')
    add('      <Choices name="relevance" toName="text" choice="single" showInline="true">')
    for value in ontology.relevance:
        add("        <Choice" + _attrs(value=value) + "/>")
    add("      </Choices>")
    add('      <TextArea name="notes" toName="text" placeholder="Notes" rows="2" maxSubmissions="1" editable="true"/>')
    add("    </View>")
    add("  </View>")
    add("</View>")
    return "\n".join(out) + "\n"
