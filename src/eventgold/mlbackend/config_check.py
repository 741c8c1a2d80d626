"""Does a Label Studio project's labeling config fit the ontology the backend predicts with?

Predictions are ``result`` items addressed to controls by name (``from_name``), with labels and
choices the ontology defines. They only show (and pull only reads them back) when the project's
config has the same controls, of the same kinds, offering the same values. The check compares
what the controls are, never the XML text: a config re-indented, commented or with its views
rearranged still fits.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from eventgold.errors import OntologyError
from eventgold.labelstudio.label_config import parse_label_config, render_label_config
from eventgold.ontology import Ontology

RELATIONS = "<relations>"
"""Key of the relation labels (Label Studio's ``<Relations>`` has no name) in :func:`config_controls`."""
OBJECT_TAGS = frozenset({"Text", "HyperText", "Paragraphs"})
"""Object tags a control may label (eventgold renders one ``Text``)."""
VALUE_TAGS = frozenset({"Label", "Choice", "Relation"})
MAX_LISTED = 6
"""Differences named in a mismatch message; the rest are counted."""


@dataclass(frozen=True)
class ControlSpec:
    """What matters of one control (or object tag) of a labeling config.

    Attributes:
        kind: the tag (``Labels``, ``Choices``, ``TextArea``, ``DateTime``, ``Relations``, ``Text``).
        to_name: the object tag it labels (``toName``; empty for objects and relations).
        values: its labels, choices or relation labels.
        per_region: whether it is a per-region control.
        source: where it takes options or text from (``value`` attribute: ``$actor_candidates``,
            ``$text``), or empty.
    """

    kind: str
    to_name: str = ""
    values: frozenset[str] = frozenset()
    per_region: bool = False
    source: str = ""


def config_controls(xml: str) -> dict[str, ControlSpec]:
    """The controls, object tags and relation labels of a labeling config, by name.

    Args:
        xml: a labeling config label_studio_sdk accepts.

    Returns:
        Control name (or object tag name, or :data:`RELATIONS`) -> its :class:`ControlSpec`.

    Raises:
        OntologyError: the config is not XML, or label_studio_sdk refuses it.

    Example:
        >>> from eventgold.ontology import load_ontology
        >>> specs = config_controls(render_label_config(load_ontology()))
        >>> specs["event"].kind, "CONSULT" in specs["event"].values, specs["text"].source
        ('Labels', True, '$text')
    """
    parse_label_config(xml)
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise OntologyError(f"the labeling config is not valid XML: {exc}") from exc
    out: dict[str, ControlSpec] = {}
    for element in root.iter():
        if element.tag == "Relations":
            values = frozenset(r.get("value", "") for r in element.iter("Relation"))
            out[RELATIONS] = ControlSpec(kind="Relations", values=values)
        elif element.get("name") and element.get("toName") is not None:
            values = frozenset(v.get("value", "") for v in element.iter() if v.tag in VALUE_TAGS)
            out[element.get("name", "")] = ControlSpec(
                kind=element.tag,
                to_name=element.get("toName", ""),
                values=values,
                per_region=element.get("perRegion", "").lower() == "true",
                source=element.get("value", ""),
            )
        elif element.tag in OBJECT_TAGS and element.get("name"):
            out[element.get("name", "")] = ControlSpec(kind=element.tag, source=element.get("value", ""))
    return out


def _label(name: str) -> str:
    return "the relation labels" if name == RELATIONS else f"control {name!r}"


def _listed(values: frozenset[str]) -> str:
    return ", ".join(sorted(values))


def compare_controls(expected: dict[str, ControlSpec], given: dict[str, ControlSpec]) -> list[str]:
    """Each way ``given`` (the project's config) differs from ``expected`` (the ontology's), one phrase each.

    Args:
        expected: :func:`config_controls` of the config rendered from the ontology.
        given: :func:`config_controls` of the project's config.

    Returns:
        Phrases such as ``control 'mode_CONSULT' (Choices) is missing`` or
        ``control 'event': labels missing: ASSAULT``, in the ontology's control order, then the
        project's extra controls; empty when they match.
    """
    out: list[str] = []
    for name, want in expected.items():
        have = given.get(name)
        label = _label(name)
        if have is None:
            out.append(f"{label} ({want.kind}) is missing")
            continue
        if have.kind != want.kind:
            out.append(f"{label} is a {have.kind}, the ontology's config has a {want.kind}")
            continue
        if have.to_name != want.to_name:
            out.append(f"{label} labels {have.to_name!r}, not {want.to_name!r}")
        if have.per_region != want.per_region:
            out.append(f"{label} {'is' if have.per_region else 'is not'} per region, unlike the ontology's")
        if have.source != want.source:
            out.append(f"{label} takes its value from {have.source or 'nothing'!r}, not {want.source or 'nothing'!r}")
        missing, extra = want.values - have.values, have.values - want.values
        if missing:
            out.append(f"{label}: values missing: {_listed(missing)}")
        if extra:
            out.append(f"{label}: values not in the ontology: {_listed(extra)}")
    out.extend(
        f"{_label(name)} ({spec.kind}) is not in the ontology's config"
        for name, spec in given.items()
        if name not in expected
    )
    return out


class ConfigChecker:
    """Checks projects' labeling configs against one ontology, remembering the configs it has seen.

    Label Studio sends the same config on every ``/setup`` and ``/predict``: each distinct config
    is parsed once (the memory holds at most ``keep`` of them).
    """

    def __init__(self, ontology: Ontology, keep: int = 32) -> None:
        """Render the ontology's config once.

        Args:
            ontology: the ontology predictions are made with.
            keep: distinct configs remembered.
        """
        self.ontology = ontology
        self.expected = config_controls(render_label_config(ontology))
        self._keep = keep
        self._seen: dict[str, str | None] = {}

    def problem(self, xml: str) -> str | None:
        """Why predictions for ``xml``'s project would not fit, as one line; None when they fit.

        Args:
            xml: the project's labeling config.

        Returns:
            None, or a message naming the differences and what to do.
        """
        key = hashlib.sha256(xml.encode("utf-8", "surrogatepass")).hexdigest()
        if key not in self._seen:
            if len(self._seen) >= self._keep:
                self._seen.clear()
            self._seen[key] = self._check(xml)
        return self._seen[key]

    def _check(self, xml: str) -> str | None:
        onto = f"{self.ontology.name} {self.ontology.version}".strip()
        advice = (
            f"render the labeling config from the same ontology ({onto}) with `eventgold config render` "
            "and set it as the project's labeling config, or serve the backend with the project's ontology"
        )
        try:
            given = config_controls(xml)
        except OntologyError as exc:
            detail = " ".join(str(exc).split())
            return f"the project's labeling config cannot be read ({detail[:300]}); {advice}"
        diffs = compare_controls(self.expected, given)
        if not diffs:
            return None
        shown = "; ".join(diffs[:MAX_LISTED]) + (
            f"; and {len(diffs) - MAX_LISTED} more" if len(diffs) > MAX_LISTED else ""
        )
        return f"the project's labeling config does not match ontology {onto!r}: {shown}. To fix: {advice}"
