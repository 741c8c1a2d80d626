"""What agreement and gold building read: articles and annotations from snapshots.

The Label Studio reader (``eventgold.labelstudio.snapshot.read_snapshot``)
returns objects with the shape of :class:`SnapshotLike`; everything in
``eventgold.gold`` works on that shape, so tests and other readers can build
snapshots directly (:class:`SourceSnapshot`).

Several snapshots are merged by :func:`merge_snapshots`:

- an article that appears in several snapshots must have the same
  ``content_sha`` everywhere (otherwise the text was edited between rounds
  and offsets would not agree);
- every annotation must name an article of the snapshots and its offsets must
  slice that article's text;
- each snapshot's region problems and repairs are carried along, and every
  unit is checked against the ontology: a unit with an unknown label is left
  out, an unknown attribute value (mode, context, sector, relevance) is
  cleared, each listed as a :class:`~eventgold.problems.Problem`;
- one Label Studio annotation (project, annotation id) found in several
  snapshots is read once, from the last snapshot given;
- cancelled (skipped) annotations are counted, then left out;
- when one annotator (origin kind + name) has several annotations of one
  document, the latest (``created``, then Label Studio annotation id, then
  input order) is used and the others are counted as superseded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from eventgold.errors import RecordError
from eventgold.gold.screen import Screen
from eventgold.memory import paused_gc
from eventgold.models import Article, DocumentAnnotation, check_against_article
from eventgold.ontology import Ontology
from eventgold.problems import Problem, Repair


class SnapshotLike(Protocol):
    """A raw export snapshot: its file, digest, articles and annotations."""

    @property
    def path(self) -> Path:
        """Where the snapshot file is."""

    @property
    def sha256(self) -> str:
        """sha256 of the snapshot file."""

    @property
    def articles(self) -> dict[str, Article]:
        """doc_id -> Article, from the task data."""

    @property
    def annotations(self) -> list[DocumentAnnotation]:
        """Every annotation in the snapshot, cancelled ones included."""

    @property
    def exported_at(self) -> dt.datetime | None:
        """When the snapshot was exported, when known."""

    @property
    def problems(self) -> list[Problem]:
        """Regions and relations the reader could not take."""

    @property
    def repairs(self) -> list[Repair]:
        """Regions the reader took after a repair."""

    @property
    def parts(self) -> list[tuple[str, str]]:
        """(file name, sha256) of each file read when there were several (a base and its deltas), else empty."""


@dataclass
class SourceSnapshot:
    """A plain :class:`SnapshotLike` (tests, or snapshots built in code)."""

    path: Path
    sha256: str
    articles: dict[str, Article]
    annotations: list[DocumentAnnotation]
    exported_at: dt.datetime | None = None
    problems: list[Problem] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    parts: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Inputs:
    """Merged, checked inputs of agreement and gold building."""

    articles: dict[str, Article]
    annotations: list[DocumentAnnotation]
    """Usable annotations: not cancelled, one per (document, origin kind, name)."""
    raw: list[DocumentAnnotation] = field(default_factory=list)
    """Every annotation read, cancelled and superseded ones included (for statistics)."""
    sources: list[tuple[str, str]] = field(default_factory=list)
    """(file name, sha256) of each snapshot, in input order."""
    created: dt.datetime | None = None
    """The latest export time (or annotation time) found in the inputs."""
    cancelled: int = 0
    superseded: int = 0
    problems: list[Problem] = field(default_factory=list)
    """Regions, relations and attributes left out, with where and what to do."""
    repairs: list[Repair] = field(default_factory=list)


def _order_key(pair: tuple[int, DocumentAnnotation]) -> tuple[dt.datetime, int, int]:
    index, ann = pair
    created = ann.created or dt.datetime.min
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    ann_id = ann.labelstudio.annotation if ann.labelstudio and ann.labelstudio.annotation else -1
    return created, ann_id, index


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def select_annotations(
    annotations: Iterable[DocumentAnnotation],
) -> tuple[list[DocumentAnnotation], int, int]:
    """Drop cancelled annotations and keep each annotator's latest per document.

    Returns (kept annotations sorted by document and annotator, cancelled count,
    superseded count).
    """
    latest: dict[tuple[str, str, str], tuple[int, DocumentAnnotation]] = {}
    cancelled = superseded = 0
    for index, ann in enumerate(annotations):
        if ann.cancelled:
            cancelled += 1
            continue
        key = (ann.doc_id, ann.origin.kind, ann.origin.name)
        current = latest.get(key)
        if current is not None:
            superseded += 1
            if _order_key(current) > _order_key((index, ann)):
                continue
        latest[key] = (index, ann)
    kept = [ann for _, ann in sorted(latest.values(), key=lambda p: (p[1].doc_id, p[1].origin.kind, p[1].origin.name))]
    return kept, cancelled, superseded


def _key(ann: DocumentAnnotation) -> tuple[object, ...] | None:
    ref = ann.labelstudio
    if ref is None or ref.annotation is None:
        return None
    return ("annotation", ref.project, ref.annotation)


def merge_snapshots(snapshots: Sequence[SnapshotLike], ontology: Ontology | None = None) -> Inputs:
    """Merge snapshots into :class:`Inputs`, checking every annotation (module doc).

    Raises:
        RecordError: an article differs between snapshots, or an annotation names
            a document no snapshot holds or does not fit its text.
    """
    with paused_gc():  # what is read makes no garbage cycles; a collection would walk all of it
        return _merge(snapshots, ontology)


def _merge(snapshots: Sequence[SnapshotLike], ontology: Ontology | None) -> Inputs:
    """:func:`merge_snapshots`, with the cyclic garbage collector paused by the caller."""
    screen = Screen(ontology) if ontology is not None else None
    articles: dict[str, Article] = {}
    raw: list[DocumentAnnotation] = []
    where: dict[tuple[object, ...], tuple[int, str]] = {}
    stale: set[tuple[str | None, int | None, int | None]] = set()
    sources: list[tuple[str, str]] = []
    times: list[dt.datetime] = []
    problems: list[Problem] = []
    repairs: list[Repair] = []
    for snap in snapshots:
        name = Path(snap.path).name
        sources.extend(snap.parts or [(name, snap.sha256)])
        problems.extend(snap.problems)
        repairs.extend(snap.repairs)
        if snap.exported_at is not None:
            times.append(_aware(snap.exported_at))
        for doc_id, article in sorted(snap.articles.items()):
            seen = articles.get(doc_id)
            if seen is not None and seen.content_sha != article.content_sha:
                raise RecordError(
                    f"{snap.path}: the article's text differs from an earlier snapshot "
                    "(edited between annotation rounds); annotations of the two cannot be merged",
                    doc_id=doc_id,
                    field="content_sha",
                    value=article.content_sha,
                )
            articles.setdefault(doc_id, article)
        for ann in snap.annotations:
            found = articles.get(ann.doc_id)
            if found is None:
                raise RecordError(
                    f"{snap.path}: annotation names a document that is not among the "
                    "snapshot's tasks (export the full project, tasks included)",
                    doc_id=ann.doc_id,
                    field="doc_id",
                    value=ann.doc_id,
                )
            if screen is not None:
                ann, found_problems = screen(ann)
                problems.extend(p.model_copy(update={"snapshot": name}) for p in found_problems)
            try:
                check_against_article(ann, found)
            except RecordError as exc:
                raise exc.located(file=str(snap.path)) from exc
            key = _key(ann)
            if key is not None and key in where:
                index, earlier = where[key]
                raw[index] = ann
                where[key] = (index, name)
                ref = ann.labelstudio
                stale.add((earlier, ref.task if ref else None, ref.annotation if ref else None))
                continue
            if key is not None:
                where[key] = (len(raw), name)
            raw.append(ann)
    if not times:
        times = [_aware(a.created) for a in raw if a.created is not None]
    kept, cancelled, superseded = select_annotations(raw)
    if stale:  # what was found in an annotation read again from a later snapshot is not counted twice
        problems = [p for p in problems if (p.snapshot, p.task, p.annotation) not in stale]
        repairs = [r for r in repairs if (r.snapshot, r.task, r.annotation) not in stale]
    return Inputs(
        articles=articles,
        annotations=kept,
        raw=raw,
        sources=sources,
        created=max(times) if times else None,
        cancelled=cancelled,
        superseded=superseded,
        problems=problems,
        repairs=repairs,
    )
