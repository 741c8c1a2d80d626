"""What reading annotations could not take, and what it repaired: listed, never silent.

Every region and relation of a Label Studio annotation (or of a prediction)
becomes a unit of a record, a unit with a recorded :class:`Repair`, or a
listed :class:`Problem`. Both are written as JSONL (``problems.jsonl`` and
``repairs.jsonl`` of a gold version) and carried in ``--json`` outputs.

Example::

    >>> p = Problem(doc_id="d1", annotator="a@x.org", relation="e1->m1",
    ...             problem="relation has no role", action="pick one role")
    >>> str(p)
    "document 'd1', annotator 'a@x.org', relation 'e1->m1': relation has no role (pick one role)"
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

RepairKind = Literal[
    "utf16", "crlf", "whitespace", "trim", "duplicate_relation", "duplicate_task", "nonfinite_lead_time"
]
"""``utf16``: offsets counted in UTF-16 code units, converted to code points;
``crlf``: offsets that count the task text's ``\\r\\n`` as one character;
``whitespace``: the region text equals the task text up to whitespace (the task text wins);
``trim``: blanks at a region's edges left out of it;
``duplicate_relation``: a relation given twice, counted once;
``duplicate_task``: a task listed twice in one export, read once;
``nonfinite_lead_time``: an annotation whose ``lead_time`` is NaN or ±Infinity, read as missing (None)."""


class _Located(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    snapshot: str | None = None
    """File name of the snapshot (or prediction file) the item was read from."""
    task: int | None = None
    doc_id: str
    annotator: str | None = None
    """Annotator e-mail, or the extractor's name for a prediction."""
    annotation: int | None = None
    """Label Studio annotation (or prediction) id."""
    region: str | None = None
    relation: str | None = None
    """``from_id->to_id`` of a relation (Label Studio relations have no id of their own)."""

    def where(self) -> str:
        """Where the item is, for a message: snapshot, task, document, annotator, region."""
        parts = []
        if self.snapshot:
            parts.append(self.snapshot)
        if self.task is not None:
            parts.append(f"task {self.task}")
        parts.append(f"document {self.doc_id!r}")
        if self.annotator:
            parts.append(f"annotator {self.annotator!r}")
        if self.annotation is not None:
            parts.append(f"annotation {self.annotation}")
        if self.region:
            parts.append(f"region {self.region!r}")
        if self.relation:
            parts.append(f"relation {self.relation!r}")
        return ", ".join(parts)


class Problem(_Located):
    """A region, relation or attribute that could not become part of a record."""

    field: str | None = None
    """The control or attribute concerned (``mode_CONSULT``, ``event_date``…), when one is."""
    problem: str
    """What is wrong."""
    action: str
    """What to do about it."""

    def __str__(self) -> str:
        return f"{self.where()}: {self.problem} ({self.action})"


class Repair(_Located):
    """A region (or relation, or task) taken after an unambiguous repair."""

    kind: RepairKind
    old_start: int | None = None
    old_end: int | None = None
    new_start: int | None = None
    new_end: int | None = None
    old_text: str | None = None
    """The region's own text, as stored in the export."""
    new_text: str | None = None
    """The task text at the new offsets (what the unit holds)."""

    def __str__(self) -> str:
        change = ""
        if self.old_start is not None:
            change = f" {self.old_start}..{self.old_end} -> {self.new_start}..{self.new_end}"
        return f"{self.where()}: {self.kind}{change}"


def repair_counts(repairs: Iterable[Repair]) -> dict[str, int]:
    """Repairs per kind, sorted by kind: ``{"trim": 2, "utf16": 4}``."""
    return dict(sorted(Counter(r.kind for r in repairs).items()))


def summarize(problems: Sequence[Problem], *, first: int = 3) -> str:
    """A one-line summary: the count and the first few problems."""
    shown = "; ".join(str(p) for p in problems[:first])
    more = f"; and {len(problems) - first} more" if len(problems) > first else ""
    return f"{len(problems)} problem(s): {shown}{more}"
