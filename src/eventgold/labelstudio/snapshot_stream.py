"""A raw snapshot converted one task at a time, in memory that does not grow with the project (``eventgold pull``).

:func:`read_snapshot` parses the whole export at once (the fastest way to get
every record, what ``agree`` and ``gold build`` want) and holds every record;
:func:`stream_snapshot` parses it with ijson (yajl's C parser), one task at a
time, converts each with the same :func:`convert_tasks` and hands each
:class:`TaskConversion` over before the next task is read. The sha256 is taken
over the bytes as they are read. Task by task the results are the ones
:func:`read_snapshot` gives, in its order; :func:`summarise_snapshot` folds
them into ``pull``'s summary and writes the annotations as JSONL as it goes.

What stays in memory: one task and its records; per document its id and
content sha (to catch two tasks carrying one doc_id with different texts,
~150 bytes a document); the problems and repairs met (they are all reported);
and the predictions sidecar, read whole and grouped by task as
:func:`read_snapshot` reads it. That sidecar is Label Studio's
``/api/predictions`` listing, ordered by prediction, not by task, so it cannot
be merged with the export in one pass; ``pull`` holds that listing whole
anyway when it fetches it, and ``--no-predictions`` leaves it out.

Files Label Studio never writes are read whole, as :func:`read_snapshot`
reads them, so they give its records or its error: text that is not plain
UTF-8 JSON (a byte-order mark, UTF-16, ``NaN``, invalid JSON), a top level
that is not a list, an item that is not an object. A task id listed twice is
found only when its second listing is read: the stream then reads the file
again, holding the listings of the repeated ids only. Either way a consumer
that already took results gets :class:`StreamRestart` and iterates again
(:func:`summarise_snapshot` does this).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import ijson

from eventgold.errors import RecordError
from eventgold.fileio import atomic_open
from eventgold.findings import FindingsFile
from eventgold.jsonl import dump_record
from eventgold.labelstudio.convert import configured_ontology, parse_created
from eventgold.labelstudio.snapshot import (
    ByTask,
    Snapshot,
    TaskConversion,
    convert_tasks,
    iter_tasks,
    read_sidecars,
)
from eventgold.ontology import Ontology
from eventgold.problems import Problem, Repair

CHUNK = 1 << 20
"""Bytes read (and hashed) at a time."""
_WHITESPACE = b" \t\r\n"


class StreamRestart(Exception):
    """The stream must read the file again: drop what it gave so far and iterate it again."""


class _HashingReader:
    """A binary file whose bytes are hashed as they are read (``first`` is given back before the rest)."""

    def __init__(self, fh: IO[bytes], first: bytes, digest: Any) -> None:
        self.fh, self.first, self.digest = fh, first, digest
        digest.update(first)

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for no bytes to learn the file's kind (binary or text)
            return b""
        if self.first:
            data, self.first = self.first, b""
            return data
        data = self.fh.read(size if size > 0 else CHUNK)
        self.digest.update(data)
        return data


@dataclass
class SnapshotStream:
    """A snapshot's tasks as :class:`TaskConversion` objects, one at a time (iterate it; see the module's notes).

    After a complete iteration, :attr:`sha256` and :attr:`task_count` hold the file's
    figures. Iterating may raise :class:`StreamRestart`: drop the results taken and iterate again.
    """

    path: Path
    annotation_kind: str
    users: dict[int, str]
    predictions: ByTask
    exported_at: dt.datetime | None
    ontology: Ontology
    sha256: str = ""
    task_count: int = 0
    whole: bool = False
    """Read the file whole, as :func:`read_snapshot` does (set for files Label Studio never writes)."""
    repeated: dict[int, list[dict[str, Any]]] | None = None
    """Every listing of each task id listed more than once; None: none met yet; {}: met, to be found."""

    def __iter__(self) -> Iterator[TaskConversion]:
        if self.repeated == {}:  # the last iteration met a repeated task id: find them all first
            self.repeated = self._repeated_listings()
        self.sha256, self.task_count = "", 0
        digest = hashlib.sha256()
        shas: dict[str, str] = {}
        for listings in self._listings(digest):
            _, (conv,), _ = convert_tasks(
                listings,
                path=self.path,
                annotation_kind=self.annotation_kind,
                users=self.users,
                predictions=self.predictions,
                ontology=self.ontology,
            )
            previous = shas.setdefault(conv.article.id, conv.article.content_sha)
            if previous != conv.article.content_sha:  # as convert_tasks checks among the tasks it is given
                raise RecordError(
                    "two tasks carry this doc_id with different texts",
                    file=str(self.path),
                    doc_id=conv.article.id,
                    field="data.text",
                )
            self.task_count += 1
            yield conv
        self.sha256 = digest.hexdigest()

    def _listings(self, digest: Any) -> Iterator[list[dict[str, Any]]]:
        """Each task's listings, in the file's order: one, or at its first listing all those of a repeated id.

        :func:`convert_tasks` merges the listings of a repeated id and records the repair, as in read_snapshot.
        """
        seen: set[int] = set()
        for task in self._tasks(digest):
            task_id = task.get("id")
            if not isinstance(task_id, int):
                yield [task]
            elif self.repeated and task_id in self.repeated:
                if task_id not in seen:
                    seen.add(task_id)
                    yield self.repeated[task_id]
            elif task_id in seen:
                self.repeated = {}
                raise StreamRestart(f"{self.path}: task {task_id} is listed more than once")
            else:
                seen.add(task_id)
                yield [task]

    def _tasks(self, digest: Any) -> Iterator[dict[str, Any]]:
        """The file's task objects, parsed one at a time (or read whole, see :attr:`whole`)."""
        fh = None
        if not self.whole:
            try:
                fh = self.path.open("rb")
            except OSError:
                self.whole = True
        if fh is not None:
            with fh:
                first = fh.read(CHUNK)
                if first.lstrip(_WHITESPACE).startswith(b"["):
                    try:
                        reader = _HashingReader(fh, first, digest)
                        for task in ijson.items(reader, "item", buf_size=CHUNK, use_float=True):
                            if not isinstance(task, dict):
                                raise ijson.JSONError("an item is not an object")
                            yield task
                        return
                    except ijson.JSONError as exc:
                        self.whole, self.repeated = True, None
                        raise StreamRestart(f"{self.path}: to be read whole ({exc})") from exc
            self.whole, self.repeated = True, None
        yield from self._whole(digest)

    def _whole(self, digest: Any) -> Iterator[dict[str, Any]]:
        """The tasks as :func:`read_snapshot` reads them (the whole file at once), listings of repeated ids noted."""
        try:
            data: bytes | None = self.path.read_bytes()
        except OSError:
            data = None  # iter_tasks says why
        tasks = list(iter_tasks(self.path, data))
        digest.update(data or b"")
        counts = Counter(t["id"] for t in tasks if isinstance(t.get("id"), int))
        found: dict[int, list[dict[str, Any]]] = {}
        for task in tasks:
            if counts.get(task.get("id"), 0) > 1:
                found.setdefault(task["id"], []).append(task)
        self.repeated = found or None
        yield from tasks

    def _repeated_listings(self) -> dict[int, list[dict[str, Any]]] | None:
        """Every listing of each task id the file lists more than once (a pass for the ids, one for those tasks)."""
        try:
            with self.path.open("rb") as fh:
                counts = Counter(i for i in ijson.items(fh, "item.id") if isinstance(i, int))
            ids = {i for i, n in counts.items() if n > 1}
            out: dict[int, list[dict[str, Any]]] = {}
            with self.path.open("rb") as fh:
                for task in ijson.items(fh, "item", use_float=True):
                    if isinstance(task, dict) and task.get("id") in ids:
                        out.setdefault(task["id"], []).append(task)
        except (OSError, ijson.JSONError):  # read whole, as read_snapshot reads it
            self.whole = True
            return None
        return out


def stream_snapshot(
    path: str | Path, *, annotation_kind: str | None = None, ontology: Ontology | None = None
) -> SnapshotStream:
    """A raw snapshot's tasks converted one at a time (the records :func:`read_snapshot` gives, in its order).

    Args:
        path: the snapshot file (``exports/raw/<project>-<time>.json``), with its sidecars beside it.
        annotation_kind: ``annotator`` or ``adjudicator``; default: what the ``.meta.json`` sidecar says.
        ontology: as for :func:`read_snapshot` (default: the configured ontology).

    Returns:
        A :class:`SnapshotStream`: iterate it for one :class:`TaskConversion` per task; its
        ``sha256`` and ``task_count`` are set once an iteration is complete. An iteration may
        raise :class:`StreamRestart`: drop what it gave and iterate again.

    Raises:
        InputError: a sidecar cannot be read (the file itself: when iterated, as read_snapshot says).
        RecordError: when iterated, as read_snapshot raises it.

    Example:
        >>> import json, tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> task = {"id": 1, "data": {"doc_id": "d1", "text": "Police met protesters."}, "annotations": []}
        >>> _ = (folder / "s.json").write_text(json.dumps([task]))
        >>> _ = (folder / "s.json.meta.json").write_text(json.dumps({"users": {}}))
        >>> stream = stream_snapshot(folder / "s.json")
        >>> [c.article.id for c in stream], stream.task_count
        (['d1'], 1)
    """
    file = Path(path)
    kind, users, by_task, meta = read_sidecars(file, annotation_kind)
    onto = ontology if ontology is not None else configured_ontology()
    return SnapshotStream(file, kind, users, by_task, parse_created(meta.get("exported_at")), onto)


@dataclass
class SnapshotSummary:
    """What ``eventgold pull`` reports about a snapshot: counts per annotator, predictions, problems, repairs."""

    task_count: int = 0
    predictions: int = 0
    predictions_not_fetched: int = 0
    per_annotator: Counter[str] = field(default_factory=Counter)
    """Annotations not cancelled, by annotator name."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Cancelled annotations, by annotator name."""
    problems: FindingsFile[Problem] = field(default_factory=lambda: FindingsFile(Problem))
    """Every problem, kept in a temporary file (memory does not grow with their number)."""
    repairs: FindingsFile[Repair] = field(default_factory=lambda: FindingsFile(Repair))
    sha256: str = ""

    def add(self, conv: TaskConversion) -> None:
        """Count one task's conversion in."""
        for a in conv.annotations:
            (self.skipped if a.cancelled else self.per_annotator)[a.origin.name] += 1
        self.predictions += len(conv.predictions)
        self.predictions_not_fetched += conv.predictions_not_fetched
        self.problems.extend(conv.problems)
        self.repairs.extend(conv.repairs)

    @classmethod
    def of(cls, snap: Snapshot) -> SnapshotSummary:
        """The summary of a snapshot read whole (:func:`read_snapshot`)."""
        return cls(
            task_count=snap.task_count,
            predictions=len(snap.predictions),
            predictions_not_fetched=snap.predictions_not_fetched,
            per_annotator=Counter(a.origin.name for a in snap.annotations if not a.cancelled),
            skipped=Counter(a.origin.name for a in snap.annotations if a.cancelled),
            problems=FindingsFile(Problem, snap.problems),
            repairs=FindingsFile(Repair, snap.repairs),
            sha256=snap.sha256,
        )

    def annotators(self) -> dict[str, dict[str, int]]:
        """Annotator name -> ``{"annotations": n, "skipped": n}``, names sorted."""
        names = sorted(set(self.per_annotator) | set(self.skipped))
        return {k: {"annotations": self.per_annotator[k], "skipped": self.skipped[k]} for k in names}


def summarise_snapshot(
    path: str | Path, *, jsonl: str | Path | None = None, annotation_kind: str | None = None
) -> SnapshotSummary:
    """Read a snapshot one task at a time into ``pull``'s summary, writing its annotations as JSONL as it goes.

    Args:
        path: the snapshot file.
        jsonl: where to write every annotation (DocumentAnnotation JSONL, as :func:`~eventgold.jsonl.write_jsonl`
            writes them, in read_snapshot's order); atomic: on an error no file is left, an old one stays.
        annotation_kind: as for :func:`stream_snapshot`.

    Returns:
        A :class:`SnapshotSummary` (figures equal to ``SnapshotSummary.of(read_snapshot(path))``).

    Raises:
        InputError: the snapshot or a sidecar cannot be read.
        RecordError: a task cannot be read, or two disagree (as read_snapshot).
    """
    stream = stream_snapshot(path, annotation_kind=annotation_kind)
    with atomic_open(jsonl, "w") if jsonl is not None else contextlib.nullcontext() as fh:
        while True:
            summary = SnapshotSummary()
            try:
                for conv in stream:
                    summary.add(conv)
                    if fh is not None and conv.annotations:
                        fh.write("".join(dump_record(a) + "\n" for a in conv.annotations))
                break
            except StreamRestart:
                if fh is not None:
                    fh.seek(0)
                    fh.truncate()
    summary.task_count, summary.sha256 = stream.task_count, stream.sha256
    return summary
