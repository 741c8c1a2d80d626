"""The Label Studio labeling config: rendered from the ontology, checked with label_studio_sdk's parser.

Control names and task data keys are the frozen contract of DESIGN.md and are
defined here once (the ``*_CONTROL`` constants and :data:`TEXT_TAG`); the
labels, relation values and choices all come from the ontology. A control name
is not an ontology name: the control ``actor`` holds the mention types, while
a role that happens to be called ``actor`` (PLOVER's) is a relation label.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import quoteattr

from eventgold.errors import OntologyError
from eventgold.ontology import ActorType, EventType, Ontology

TEXT_TAG = "text"
"""The Text tag every control labels (``toName``); also the task data key of the article text."""
ACTOR_CONTROL = "actor"
"""Labels control of the mention types (actor types)."""
EVENT_CONTROL = "event"
"""Labels control of the event types (the trigger regions)."""
MODE_CONTROL_PREFIX = "mode_"
"""Per-region Choices of one event type's modes: ``mode_<TYPE>``."""
EVENT_DATE_CONTROL = "event_date"
FLAGS_CONTROL = "flags"
CONTEXTS_CONTROL = "contexts"
ACTOR_ID_CONTROL = "actor_id"
"""Per-region Choices of the task's actor candidates (``$actor_candidates``)."""
ACTOR_ID_OTHER_CONTROL = "actor_id_other"
"""Per-region free text: a canonical id not among the candidates."""
COUNTRY_CONTROL = "country"
SECTOR_CONTROL = "sector"
RELEVANCE_CONTROL = "relevance"
NOTES_CONTROL = "notes"

EVENT_REGION_CONTROLS = frozenset({CONTEXTS_CONTROL, FLAGS_CONTROL, EVENT_DATE_CONTROL})
"""Per-region controls of an event region, besides its ``mode_<TYPE>``."""
MENTION_REGION_CONTROLS = frozenset({ACTOR_ID_CONTROL, ACTOR_ID_OTHER_CONTROL, COUNTRY_CONTROL, SECTOR_CONTROL})
"""Per-region controls of a mention region."""


def mode_control(event_type: str) -> str:
    """The name of the modes control of ``event_type`` (``mode_CONSULT``)."""
    return f"{MODE_CONTROL_PREFIX}{event_type}"


def is_mode_control(name: str) -> bool:
    """Whether ``name`` is a ``mode_<TYPE>`` control's name."""
    return name.startswith(MODE_CONTROL_PREFIX)


def parse_label_config(xml: str) -> list[str]:
    """Parse ``xml`` with label_studio_sdk's LabelInterface; return the control names.

    Raises OntologyError when the SDK rejects the config.
    """
    from label_studio_sdk.label_interface import LabelInterface

    try:
        interface = LabelInterface(xml)
    except Exception as exc:  # the SDK raises several unrelated types
        raise OntologyError(f"label_studio_sdk cannot parse the labeling config: {exc}") from exc
    return [control.name for control in interface.controls]


def _attrs(**attrs: str | None) -> str:
    return "".join(f" {key.rstrip('_')}={quoteattr(value)}" for key, value in attrs.items() if value is not None)


def _comment_text(text: str) -> str:
    """``text`` made safe inside an XML comment, which may not hold ``--`` (a name like ``A--``, a version)."""
    while "--" in text:
        text = text.replace("--", "- -")
    return text


def _choices(indent: str, control: Mapping[str, str | None], choices: Sequence[Mapping[str, str | None]]) -> list[str]:
    """A Choices control (``control``: its attributes) holding one Choice per item of ``choices``.

    A lone Choice goes inside a ``<View>``: Label Studio's validator refuses a
    Choices with exactly one Choice child when the Choices sits in a nested
    View ("... is not of type 'array'"), and takes it inside a View.
    """
    lines = [f"{indent}  <Choice{_attrs(**choice)}/>" for choice in choices]
    if len(lines) == 1:
        lines = [f"{indent}  <View>", f"  {lines[0]}", f"{indent}  </View>"]
    return [f"{indent}<Choices{_attrs(**control)}>", *lines, f"{indent}</Choices>"]


def roles_guidance(ontology: Ontology, event_type: str) -> str:
    """One line naming the roles ``event_type`` allows and the mention types each accepts.

    Label Studio's Relations are global (every role is offered between any two
    regions), so an ontology with per-type roles shows this line when a trigger
    of the type is selected; conversion lists any argument it does not allow.
    Roles next to each other that accept the same mention types share one
    parenthesis (ACE's eight Time-* roles).

    Example:
        ``Roles: Attacker (PER, ORG, GPE) · Time-Within / Time-Holds (TIME)``;
        a role that accepts any mention type shows ``(any)``, a type without
        roles ``Roles: none``.
    """
    groups: list[tuple[list[str], tuple[str, ...]]] = []
    for name in ontology.roles_of(event_type):
        accepted = ontology.role(name).entity_types
        if groups and groups[-1][1] == accepted:
            groups[-1][0].append(name)
        else:
            groups.append(([name], accepted))
    parts = [f"{' / '.join(names)} ({', '.join(accepted) if accepted else 'any'})" for names, accepted in groups]
    return "Roles: " + (" · ".join(parts) if parts else "none")


ROLES_STYLE = "font-size: 13px; font-weight: normal; margin: 4px 0"
"""CSS of the roles line: read as guidance, not as a section title."""


def _event_type_view(ontology: Ontology, e: EventType, typed_roles: bool) -> list[str]:
    """The panel shown when a trigger of ``e`` is selected: its roles (typed ontologies) and modes."""
    if not e.modes and not typed_roles:
        return []
    out = [
        "        <View" + _attrs(visibleWhen="region-selected", whenTagName=EVENT_CONTROL, whenLabelValue=e.name) + ">"
    ]
    if typed_roles:
        out.append(
            "          <Header" + _attrs(value=roles_guidance(ontology, e.name), size="6", style=ROLES_STYLE) + "/>"
        )
    if e.modes:
        out.append(f'          <Header value="Mode ({e.name})" size="6"/>')
        control = {"name": mode_control(e.name), "toName": TEXT_TAG, "perRegion": "true", "choice": "single"}
        out.extend(_choices("          ", control, [{"value": mode} for mode in e.modes]))
    out.append("        </View>")
    return out


def render_label_config(ontology: Ontology) -> str:
    """Render the Label Studio labeling config (XML) for ``ontology``.

    Control names and task data keys are the frozen contract of DESIGN.md (the
    constants of this module): ``actor``, ``event``, relations labelled with
    the ontology's roles, ``mode_<TYPE>``, ``contexts``, ``event_date``,
    ``flags``, ``actor_id``, ``actor_id_other``, ``country``, ``sector``,
    ``relevance``, ``notes``; the Text tag is ``text``. Per-region controls
    only show when a region of their kind (and, for modes, of their event
    type) is selected; a Choices control whose list the ontology leaves empty
    (no flags, contexts, sectors or relevance values) is left out, since Label
    Studio refuses it, and so are the Relations when there are no roles; a
    lone choice is wrapped in a View (see :func:`_choices`).
    Labels, flags and sectors carry their descriptions as hover hints (Label
    Studio's Relation has no hint). When the ontology has typed roles
    (:attr:`Ontology.has_typed_roles`) a selected trigger also shows the roles
    its type allows and the mention types each accepts (:func:`roles_guidance`),
    which Label Studio itself cannot enforce.
    """
    typed_roles = ontology.has_typed_roles
    out: list[str] = []
    add = out.append
    add("<View>")
    add("  <!-- Generated from ontology.yaml by `eventgold config render`; do not edit. -->")
    add(f"  <!-- Ontology: {_comment_text(f'{ontology.name} {ontology.version}')} -->")
    add('  <View style="margin-bottom: 8px">')
    add('    <Header value="$title" size="3"/>')
    # Not `$source`: Label Studio 1.23's data manager overwrites a task's data.source with the
    # whole task as JSON (Task.dataObj in the labeling frontend), so the header would show that.
    add('    <Header value="Published: $published · $url" size="6"/>')
    add("  </View>")
    add('  <View style="display: flex; align-items: flex-start; gap: 16px">')
    add('    <View style="flex: 3">')
    labelled: tuple[tuple[str, tuple[ActorType | EventType, ...]], ...] = (
        (ACTOR_CONTROL, ontology.actor_types),
        (EVENT_CONTROL, ontology.event_types),
    )
    for control_name, labels in labelled:
        add(f'      <Labels name="{control_name}" toName="{TEXT_TAG}" showInline="true">')
        for label in labels:
            label_hint = label.description or None
            attrs = _attrs(value=label.name, hotkey=label.hotkey, background=label.color, hint=label_hint)
            add(f"        <Label{attrs}/>")
        add("      </Labels>")
    add('      <View style="white-space: pre-wrap; line-height: 1.6">')
    add(f'        <Text name="{TEXT_TAG}" value="${TEXT_TAG}" granularity="symbol"/>')
    add("      </View>")
    if ontology.roles:  # Label Studio offers every relation label between any two regions: each role once
        add("      <Relations>")
        for r in ontology.roles:
            add("        <Relation" + _attrs(value=r.name) + "/>")
        add("      </Relations>")
    add("    </View>")
    add('    <View style="flex: 2">')
    add(f'      <View visibleWhen="region-selected" whenTagName="{EVENT_CONTROL}">')
    for e in ontology.event_types:
        out.extend(_event_type_view(ontology, e, typed_roles))
    add('        <Header value="Event date" size="6"/>')
    add(f'        <DateTime name="{EVENT_DATE_CONTROL}" toName="{TEXT_TAG}" perRegion="true" only="date"/>')
    # Label Studio refuses a Choices without a Choice: a control whose list is empty is left out.
    if ontology.flags:
        add('        <Header value="Flags" size="6"/>')
        control = {"name": FLAGS_CONTROL, "toName": TEXT_TAG, "perRegion": "true", "choice": "multiple"}
        choices = [{"value": flag.name, "hint": flag.description or None} for flag in ontology.flags]
        out.extend(_choices("        ", control, choices))
    if ontology.contexts:
        add('        <Header value="Contexts" size="6"/>')
        control = {"name": CONTEXTS_CONTROL, "toName": TEXT_TAG, "perRegion": "true", "choice": "multiple"}
        out.extend(_choices("        ", {**control, "layout": "select"}, [{"value": c} for c in ontology.contexts]))
    add("      </View>")
    add(f'      <View visibleWhen="region-selected" whenTagName="{ACTOR_CONTROL}">')
    add('        <Header value="Canonical actor" size="6"/>')
    # Not allowNested: with it, Label Studio stores a chosen candidate as a path ([["id — name"]]),
    # unlike the flat ["id — name"] that push sends in predictions.
    add(
        f'        <Choices name="{ACTOR_ID_CONTROL}" toName="{TEXT_TAG}" perRegion="true" choice="single"'
        ' value="$actor_candidates"/>'
    )
    add('        <Header value="Canonical id not in the list" size="6"/>')
    add(
        f'        <TextArea name="{ACTOR_ID_OTHER_CONTROL}" toName="{TEXT_TAG}" perRegion="true"'
        ' maxSubmissions="1" editable="true" rows="1"/>'
    )
    add('        <Header value="Country (ISO 3166 alpha-3)" size="6"/>')
    add(
        f'        <TextArea name="{COUNTRY_CONTROL}" toName="{TEXT_TAG}" perRegion="true" maxSubmissions="1"'
        ' editable="true" rows="1"/>'
    )
    if ontology.sectors:
        add('        <Header value="Sector" size="6"/>')
        control = {"name": SECTOR_CONTROL, "toName": TEXT_TAG, "perRegion": "true", "choice": "single"}
        choices = [{"value": s.code, "hint": s.description or None} for s in ontology.sectors]
        out.extend(_choices("        ", {**control, "layout": "select"}, choices))
    add("      </View>")
    add('      <Header value="Document" size="5"/>')
    if ontology.relevance:
        control = {"name": RELEVANCE_CONTROL, "toName": TEXT_TAG, "choice": "single", "showInline": "true"}
        out.extend(_choices("      ", control, [{"value": v} for v in ontology.relevance]))
    add(
        f'      <TextArea name="{NOTES_CONTROL}" toName="{TEXT_TAG}" placeholder="Notes" rows="2"'
        ' maxSubmissions="1" editable="true"/>'
    )
    add("    </View>")
    add("  </View>")
    add("</View>")
    return "\n".join(out) + "\n"
