"""Create or update the Label Studio project: label config, instructions, overlap.

A changed ontology on a project that already has annotations is applied only
when it adds; removing or renaming a label that annotations use is refused with
the labels and how often they are used.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from eventgold.errors import ConfigError, UserError
from eventgold.labelstudio.client import LabelStudioClient


def guidelines_html(markdown: str) -> str:
    """Render the annotation guidelines (a small Markdown subset) as HTML for Label Studio.

    Headings, paragraphs, bullet lists, ``code`` and **bold** are kept; all
    other text is escaped, so the guidelines can never inject markup.
    """
    out: list[str] = []
    in_list = False
    paragraph: list[str] = []

    def inline(text: str) -> str:
        text = html.escape(text)
        text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
        text = re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)
        return text

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph = []

    for line in markdown.splitlines():
        stripped = line.strip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        bullet = re.match(r"^[-*]\s+(.*)$", stripped)
        if heading or not stripped or bullet:
            flush()
        if in_list and not bullet:
            out.append("</ul>")
            in_list = False
        if heading:
            level = min(len(heading.group(1)) + 1, 6)
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet:
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(bullet.group(1))}</li>")
        elif stripped:
            paragraph.append(stripped)
    flush()
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


RELATIONS = "Relations"
"""The key of the relation labels in :func:`config_labels` (the XML tag holding them)."""


def config_labels(xml: str) -> dict[str, set[str]]:
    """The label values per control of a labeling config (relations under ``relations``).

    A control's labels may sit inside a View within it (a lone choice does:
    :func:`eventgold.labelstudio.label_config.render_label_config`), so all descendants count.
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise ConfigError(f"the labeling config is not valid XML: {exc}") from exc
    labels: dict[str, set[str]] = {}
    for element in root.iter():
        if element.tag in ("Labels", "Choices") and element.get("name"):
            values = {c.get("value", "") for c in element.iter() if c.tag in ("Label", "Choice")}
            labels[element.get("name", "")] = values
        elif element.tag == "Relations":
            labels[RELATIONS] = {c.get("value", "") for c in element if c.tag == "Relation"}
    return labels


def removed_labels(old_xml: str, new_xml: str) -> dict[str, set[str]]:
    """Labels the old config had that the new one lacks, per control."""
    old, new = config_labels(old_xml), config_labels(new_xml)
    removed: dict[str, set[str]] = {}
    for control, values in old.items():
        gone = values - new.get(control, set())
        if gone:
            removed[control] = gone
    return removed


def count_label_uses(tasks: list[dict[str, Any]], removed: dict[str, set[str]]) -> Counter[tuple[str, str]]:
    """How often annotations use each removed (control, label)."""
    uses: Counter[tuple[str, str]] = Counter()
    for task in tasks:
        for annotation in task.get("annotations") or []:
            for item in annotation.get("result") or []:
                if item.get("type") == "relation":
                    control, values = RELATIONS, item.get("labels") or []
                else:
                    control = item.get("from_name", "")
                    value = item.get("value") or {}
                    values = value.get("labels") or value.get("choices") or []
                for v in values:
                    if v in removed.get(control, set()):
                        uses[(control, v)] += 1
    return uses


@dataclass(frozen=True)
class ProjectInfo:
    """The project eventgold pushed to or pulled from."""

    id: int
    title: str
    created: bool
    config_changed: bool


@dataclass
class ImportResult:
    """What an import of tasks into a project did: the counts a push and a review push share."""

    project: ProjectInfo
    created: int = 0
    """Tasks created."""
    unchanged: int = 0
    """Tasks already in the project, left as they were."""
    predictions_added: int = 0

    json_fields: ClassVar[tuple[str, ...]] = ("created", "unchanged", "predictions_added")
    """The counts :meth:`to_json` lists, in its order."""

    def to_json(self) -> dict[str, Any]:
        """The result for ``--json``: ``project`` (id, title, created), then each of :attr:`json_fields`."""
        project = {"id": self.project.id, "title": self.project.title, "created": self.project.created}
        return {"project": project, **{name: getattr(self, name) for name in self.json_fields}}


def ensure_project(
    client: LabelStudioClient,
    title: str,
    *,
    label_config: str,
    instructions: str,
    overlap: int | None = None,
    create: bool = True,
) -> ProjectInfo:
    """Find the project titled ``title`` (creating it if allowed) and bring its settings up to date."""
    if overlap is not None and overlap < 1:
        raise UserError(f"overlap (annotators per task) must be at least 1, got {overlap}")
    existing = client.find_project(title)
    settings: dict[str, Any] = {
        "label_config": label_config,
        "expert_instruction": instructions,
        "show_instruction": True,
    }
    if overlap is not None:
        settings["maximum_annotations"] = overlap
        settings["overlap_cohort_percentage"] = 100
    if existing is None:
        if not create:
            raise UserError(f"no Label Studio project is titled {title!r}; push a corpus first")
        body = client.post_json("/api/projects", {"title": title, **settings})
        return ProjectInfo(id=int(body["id"]), title=title, created=True, config_changed=True)
    project_id = int(existing["id"])
    old_config = existing.get("label_config") or ""
    changed = old_config.strip() != label_config.strip()
    if changed:
        removed = removed_labels(old_config, label_config)
        has_annotations = int(existing.get("total_annotations_number") or 0) > 0
        if removed and has_annotations:
            tasks = list(client.iter_tasks(project_id, fields="all", page_size=200))
            uses = count_label_uses(tasks, removed)
            if uses:
                listing = ", ".join(f"{c}:{v} ({n} uses)" for (c, v), n in sorted(uses.items()))
                raise UserError(
                    f"the new ontology removes or renames labels that annotations in project "
                    f"{title!r} use: {listing}; keep those labels (add new ones instead) or "
                    "migrate the annotations first"
                )
    wanted = {k: v for k, v in settings.items() if existing.get(k) != v}
    if wanted:
        client.patch_json(f"/api/projects/{project_id}", wanted)
    return ProjectInfo(id=project_id, title=title, created=False, config_changed=changed)
