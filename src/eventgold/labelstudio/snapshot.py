"""Raw snapshots (Label Studio full-JSON exports written by ``eventgold pull``) as records.

A snapshot is the export file plus sidecars: ``.meta.json`` (export time,
project, users, annotation kind), ``.predictions.json`` (the prediction
objects the synchronous export lists by id only) and ``.sha256``.

Reading accounts for everything in the file: each task becomes an Article and
its annotations and predictions DocumentAnnotations (:mod:`convert`); each
region or relation that cannot be taken is a listed
:class:`~eventgold.problems.Problem`; each repair a
:class:`~eventgold.problems.Repair`. A task listed twice in one export is read
once (recorded as a ``duplicate_task`` repair); within a task an annotation or
prediction id listed twice is read once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import threading
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pydantic_core

from eventgold.errors import EventgoldWarning, InputError, RecordError
from eventgold.fileio import sha256_file
from eventgold.jsonl import JsonListFile, read_json_list
from eventgold.labelstudio.convert import (
    annotator_of,
    configured_ontology,
    parse_created,
    parse_origin,
    results_to_annotation,
    task_data_to_article,
)
from eventgold.memory import paused_gc
from eventgold.models import Article, DocumentAnnotation, LabelStudioRef, Origin
from eventgold.ontology import Ontology
from eventgold.problems import Problem, Repair


@dataclass
class TaskConversion:
    """Everything one exported task holds, as records."""

    article: Article
    annotations: list[DocumentAnnotation]
    predictions: list[DocumentAnnotation]
    problems: list[Problem]
    repairs: list[Repair] = field(default_factory=list)
    predictions_not_fetched: int = 0
    """Predictions the task lists by id only, without their objects (no predictions sidecar)."""


def _unique_by_id(items: Iterable[Any]) -> list[dict[str, Any]]:
    """Objects of a task's annotation or prediction list, each id once (the first listing)."""
    seen: set[Any] = set()
    out = []
    for item in items:
        if not isinstance(item, dict):
            continue
        key = item.get("id")
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        out.append(item)
    return out


def _lead_time(value: Any) -> float | None:
    """An annotation's ``lead_time`` in seconds; None when missing, not a number, NaN or ±Infinity."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return seconds if math.isfinite(seconds) else None


def convert_task(
    task: dict[str, Any],
    *,
    users: dict[int, str] | None = None,
    annotation_kind: str = "annotator",
    prediction_objects: list[dict[str, Any]] | None = None,
    source: str | None = None,
    ontology: Ontology | None = None,
) -> TaskConversion:
    """Convert one task of a Label Studio JSON export (annotations and predictions).

    The synchronous JSON export lists predictions by id only; pass the
    prediction objects (from the snapshot's predictions sidecar) as ``prediction_objects``.
    ``source`` (the snapshot's file name) is named in every problem and repair.
    ``ontology`` decides which arguments are allowed (default: the configured one,
    :func:`~eventgold.labelstudio.convert.configured_ontology`).

    Raises:
        RecordError: the task has no ``data`` object, no ``doc_id`` or no text.
    """
    users = users or {}
    onto = ontology if ontology is not None else configured_ontology()
    task_id = task.get("id") if isinstance(task.get("id"), int) else None
    data = task.get("data")
    if not isinstance(data, dict):
        raise RecordError(f"task {task_id} has no data object", field="data")
    article = task_data_to_article(data, task_id=task_id)
    project = task.get("project") if isinstance(task.get("project"), int) else None
    out = TaskConversion(article, [], [], [])
    kind: Literal["annotator", "adjudicator"] = "adjudicator" if annotation_kind == "adjudicator" else "annotator"
    for raw in _unique_by_id(task.get("annotations") or []):
        name, _uid = annotator_of(raw, users)
        lead = _lead_time(raw.get("lead_time"))
        conv = results_to_annotation(
            raw.get("result") or [],
            text=article.text,
            doc_id=article.id,
            origin=Origin(kind=kind, name=name),
            ref=LabelStudioRef(project=project, task=task_id, annotation=raw.get("id")),
            extra={
                "ground_truth": bool(raw.get("ground_truth")),
                "cancelled": bool(raw.get("was_cancelled")),
                "lead_time": lead,
                "created": parse_created(raw.get("created_at")),
            },
            source=source,
            ontology=onto,
        )
        out.annotations.append(conv.annotation)
        out.problems.extend(conv.problems)
        out.repairs.extend(conv.repairs)
        if lead is None and isinstance(raw.get("lead_time"), int | float) and not isinstance(raw["lead_time"], bool):
            out.repairs.append(  # NaN or ±Infinity (json reads them): no time to use, so none
                Repair(
                    kind="nonfinite_lead_time",
                    snapshot=source,
                    task=task_id,
                    doc_id=article.id,
                    annotator=name,
                    annotation=raw.get("id") if isinstance(raw.get("id"), int) else None,
                )
            )
    inline = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    objects = _unique_by_id(inline or prediction_objects or [])
    listed = {p for p in task.get("predictions") or [] if isinstance(p, int) and not isinstance(p, bool)}
    out.predictions_not_fetched = len(listed - {raw.get("id") for raw in objects})
    for raw in objects:
        conv = results_to_annotation(
            raw.get("result") or [],
            text=article.text,
            doc_id=article.id,
            origin=parse_origin(raw.get("model_version")),
            ref=LabelStudioRef(project=project, task=task_id, prediction=raw.get("id")),
            extra={"created": parse_created(raw.get("created_at"))},
            source=source,
            ontology=onto,
        )
        out.predictions.append(conv.annotation)
        out.problems.extend(conv.problems)
        out.repairs.extend(conv.repairs)
    return out


@dataclass
class Snapshot:
    """A Label Studio full-JSON export as records: articles, annotations, predictions, problems, repairs."""

    path: Path
    sha256: str
    articles: dict[str, Article]
    annotations: list[DocumentAnnotation]
    predictions: list[DocumentAnnotation]
    problems: list[Problem]
    exported_at: dt.datetime | None
    task_count: int
    repairs: list[Repair] = field(default_factory=list)
    predictions_not_fetched: int = 0
    """Predictions the export lists by id only and whose objects the snapshot lacks
    (pulled with ``--no-predictions``): they are not in :attr:`predictions`."""
    parts: list[tuple[str, str]] = field(default_factory=list)
    """(file name, sha256) of each file of a base read with its deltas (:mod:`.snapshot_delta`); else empty."""


ByTask = dict[int, list[dict[str, Any]]]  # prediction objects (the predictions sidecar's) by task id
SNAPSHOT_FILE = JsonListFile(
    what="the snapshot",
    not_found="snapshot not found",
    folder="give a snapshot file (exports/raw/<name>.json)",
    invalid="pull a new snapshot with `eventgold pull`",
    not_a_list="expected a JSON list of tasks (a Label Studio JSON export)",
)
"""A snapshot's messages; ``NaN`` lead times are read (then repaired as missing)."""


def _json_list(path: Path, data: bytes | None = None) -> list[Any]:
    """The JSON list ``path`` holds (its bytes ``data`` when already read): parsed by pydantic-core
    (several times faster than :mod:`json`).

    Whatever pydantic-core does not take as a list (a missing file, text that is not
    UTF-8 JSON, a byte-order mark, UTF-16…) is read again by
    :func:`~eventgold.jsonl.read_json_list`: the same value, or the same error.
    """
    try:
        raw = pydantic_core.from_json(path.read_bytes() if data is None else data)
    except (OSError, ValueError):
        raw = None
    return raw if isinstance(raw, list) else read_json_list(path, SNAPSHOT_FILE)


def iter_tasks(path: Path, data: bytes | None = None) -> Iterator[dict[str, Any]]:
    """The tasks of a Label Studio JSON export file (a JSON list), as dicts.

    Args:
        path: the export file.
        data: its bytes, when already read (else the file is read).

    Raises:
        InputError: the file is missing, unreadable, not JSON, or not a list of objects.
    """
    raw = _json_list(path, data)
    for i, task in enumerate(raw):
        if not isinstance(task, dict):
            raise InputError(f"{path}: item {i} is not a task object")
        yield task


def _merge_listings(first: dict[str, Any], again: dict[str, Any]) -> dict[str, Any]:
    """One task from two listings of it: annotations and predictions of both, each id once."""
    merged = dict(first)
    for key in ("annotations", "predictions"):
        merged[key] = _unique_by_id([*(first.get(key) or []), *(again.get(key) or [])])
    return merged


def unique_tasks(tasks: Iterable[dict[str, Any]], path: Path | None = None) -> tuple[list[dict[str, Any]], list[int]]:
    """Tasks with each Label Studio task id once, and the ids that were listed more than once.

    Raises:
        RecordError: one task id listed twice with different data.
    """
    by_id: dict[int, dict[str, Any]] = {}
    order: list[dict[str, Any] | int] = []
    repeated: list[int] = []
    for task in tasks:
        task_id = task.get("id")
        if not isinstance(task_id, int):
            order.append(task)
            continue
        seen = by_id.get(task_id)
        if seen is None:
            by_id[task_id] = task
            order.append(task_id)
            continue
        if seen.get("data") != task.get("data"):
            raise RecordError(
                f"task {task_id} is listed twice with different data; export the project again",
                file=str(path) if path else None,
                field="data",
            )
        repeated.append(task_id)
        by_id[task_id] = _merge_listings(seen, task)
    return [by_id[k] if isinstance(k, int) else k for k in order], repeated


def convert_tasks(
    tasks: Iterable[dict[str, Any]],
    *,
    path: Path | None = None,
    annotation_kind: str = "annotator",
    users: dict[int, str] | None = None,
    predictions: dict[int, list[dict[str, Any]]] | None = None,
    ontology: Ontology | None = None,
) -> tuple[dict[str, Article], list[TaskConversion], int]:
    """Convert many exported tasks: (doc id -> Article, one conversion per task, task count).

    ``ontology`` decides which arguments are allowed (default: the configured one).

    Raises:
        RecordError: a task cannot be read, or two tasks carry one doc_id with different texts.
    """
    onto = ontology if ontology is not None else configured_ontology()
    source = path.name if path else None
    articles: dict[str, Article] = {}
    converted: list[TaskConversion] = []
    unique, repeated = unique_tasks(tasks, path)
    for task in unique:
        try:
            conv = convert_task(
                task,
                users=users,
                annotation_kind=annotation_kind,
                prediction_objects=(predictions or {}).get(task.get("id")),  # type: ignore[arg-type]
                source=source,
                ontology=onto,
            )
        except RecordError as exc:
            raise exc.located(file=str(path) if path else None) from exc
        previous = articles.get(conv.article.id)
        if previous is not None and previous.content_sha != conv.article.content_sha:
            raise RecordError(
                "two tasks carry this doc_id with different texts",
                file=str(path) if path else None,
                doc_id=conv.article.id,
                field="data.text",
            )
        if isinstance(task.get("id"), int) and task["id"] in repeated:
            conv.repairs.insert(
                0, Repair(snapshot=source, task=task["id"], doc_id=conv.article.id, kind="duplicate_task")
            )
        articles[conv.article.id] = conv.article
        converted.append(conv)
    return articles, converted, len(unique)


def read_snapshot(
    path: str | Path, *, annotation_kind: str | None = None, ontology: Ontology | None = None
) -> Snapshot:
    """Read a raw snapshot written by ``eventgold pull`` into records.

    The file is Label Studio's JSON export format (``exportType=JSON``: a list of
    task objects, each with its ``data``, ``annotations`` and ``predictions``,
    every annotation a ``result`` list of regions and relations;
    https://labelstud.io/guide/task_format).
    Its sidecars, when present, add the annotators' e-mails (``.meta.json``) and
    the prediction objects (``.predictions.json``).

    Args:
        path: the snapshot file (``exports/raw/<project>-<time>.json``).
        annotation_kind: ``annotator`` or ``adjudicator``; defaults to what the
            snapshot's sidecar says (``adjudicator`` for a review project).
        ontology: decides which roles each event type allows and which mention
            types fill them; an argument it does not allow is a listed problem
            (default: the configured ontology, found like every verb finds it).

    Returns:
        A :class:`Snapshot`: one Article per task, one DocumentAnnotation per
        annotation and per prediction (offsets in characters of the task text),
        and the problems and repairs met, each naming the snapshot file.

    Raises:
        InputError: the file or a sidecar cannot be read.
        RecordError: a task is not one eventgold pushed, or two disagree.
        OntologyError: no ontology is given and the configured one cannot be read.

    Example (a snapshot of one task, annotated by one person):

    >>> import json, tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> region = {"id": "m1", "from_name": "actor", "to_name": "text", "type": "labels",
    ...           "value": {"start": 0, "end": 6, "text": "Police", "labels": ["POL"]}}
    >>> task = {"id": 1, "data": {"doc_id": "d1", "text": "Police met protesters."},
    ...         "annotations": [{"id": 7, "completed_by": 1, "result": [region]}]}
    >>> _ = (folder / "s.json").write_text(json.dumps([task]))
    >>> _ = (folder / "s.json.meta.json").write_text(json.dumps({"users": {"1": "ana@example.org"}}))
    >>> snap = read_snapshot(folder / "s.json")
    >>> snap.task_count, len(snap.annotations), snap.annotations[0].origin.name, len(snap.problems)
    (1, 1, 'ana@example.org', 0)
    """
    file = Path(path)
    kind, users, by_task, meta = read_sidecars(file, annotation_kind)
    digest = _Sha256(file)  # of the bytes read, on the other core while they are converted
    with paused_gc():
        articles, converted, count = convert_tasks(
            iter_tasks(file, digest.take()),
            path=file,
            annotation_kind=kind,
            users=users,
            predictions=by_task,
            ontology=ontology,
        )
    return Snapshot(
        path=file,
        sha256=digest.hexdigest(),
        articles=articles,
        annotations=[a for c in converted for a in c.annotations],
        predictions=[p for c in converted for p in c.predictions],
        problems=[p for c in converted for p in c.problems],
        exported_at=parse_created(meta.get("exported_at")),
        task_count=count,
        repairs=[r for c in converted for r in c.repairs],
        predictions_not_fetched=sum(c.predictions_not_fetched for c in converted),
    )


def read_sidecars(file: Path, annotation_kind: str | None = None) -> tuple[str, dict[int, str], ByTask, dict[str, Any]]:
    """(kind, user id -> e-mail, prediction objects by task id, metadata): warns and raises as read_snapshot."""
    meta = read_snapshot_meta(file)
    if not meta and file.is_file():
        warnings.warn(
            f"{file}: no {meta_path(file).name} beside it: annotators are shown by user id, the export "
            "time is unknown and the annotation kind is taken as annotator (pull snapshots with `eventgold pull`)",
            SnapshotWarning,
            stacklevel=3,
        )
    by_task: ByTask = defaultdict(list)
    for raw in iter_tasks(predictions_path(file)) if predictions_path(file).is_file() else []:
        if isinstance(raw.get("task"), int):
            by_task[raw["task"]].append(raw)
    return annotation_kind or str(meta.get("annotation_kind") or "annotator"), _users(meta, file), by_task, meta


class _Sha256:
    """The sha256 of a file's bytes, read once: hashed in a thread (hashlib lets go of the GIL) meanwhile."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._digest = hashlib.sha256()
        self._thread: threading.Thread | None = None
        try:
            self.data: bytes | None = path.read_bytes()
        except OSError:  # the reader says why (iter_tasks reads the file again)
            self.data = None
            return
        self._thread = threading.Thread(target=self._digest.update, args=(self.data,), daemon=True)
        self._thread.start()

    def take(self) -> bytes | None:
        """The bytes read (None when they could not be), handed over once: this object keeps no reference."""
        data, self.data = self.data, None
        return data

    def hexdigest(self) -> str:
        """The file's sha256 (hex): of the bytes read, or of the file read again when they could not be."""
        self.data = None
        if self._thread is None:
            return sha256_file(self.path)
        self._thread.join()
        return self._digest.hexdigest()


class SnapshotWarning(EventgoldWarning):
    """A snapshot can be read, but something about it is worth knowing (a missing sidecar)."""


def _users(meta: dict[str, Any], snapshot: Path) -> dict[int, str]:
    """Label Studio user id -> e-mail from the metadata sidecar (checked: it is a user's file too)."""
    raw = meta.get("users") or {}
    problem = "users must be an object of user id -> e-mail"
    if isinstance(raw, dict):
        try:
            return {int(k): str(v) for k, v in raw.items()}
        except (TypeError, ValueError):
            problem = f"users keys must be Label Studio user ids (numbers), got {sorted(raw)[:3]}"
    raise InputError(f"{meta_path(snapshot)}: {problem}; pull the snapshot again with `eventgold pull`")


def meta_path(snapshot: Path) -> Path:
    """The metadata sidecar of a snapshot (exported_at, project, users, kind)."""
    return snapshot.with_name(snapshot.name + ".meta.json")


def predictions_path(snapshot: Path) -> Path:
    """The predictions sidecar of a snapshot (the JSON export lists predictions by id only)."""
    return snapshot.with_name(snapshot.name + ".predictions.json")


SIDECAR_SUFFIXES = (".meta.json", ".predictions.json", ".sha256")


def snapshot_files(paths: Iterable[Path]) -> list[Path]:
    """The snapshots among ``paths``, without their sidecars.

    ``exports/raw/*.json`` also matches each snapshot's ``.meta.json`` and
    ``.predictions.json``: a sidecar whose snapshot is listed too is dropped; a
    sidecar given alone is an error naming the snapshot to pass instead.
    """
    given = list(dict.fromkeys(Path(p) for p in paths))
    out: list[Path] = []
    for path in given:
        suffix = next((x for x in SIDECAR_SUFFIXES if path.name.endswith(x)), None)
        if suffix is None:
            out.append(path)
            continue
        snapshot = path.with_name(path.name[: -len(suffix)])
        if snapshot not in given:
            raise InputError(f"{path}: this is a snapshot's sidecar; pass the snapshot itself ({snapshot})")
    return out


def read_snapshot_meta(snapshot: Path) -> dict[str, Any]:
    """The snapshot's metadata sidecar, or {} when it has none."""
    path = meta_path(snapshot)
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable snapshot metadata: {exc}") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{path}: not snapshot metadata (a JSON object written by `eventgold pull`)")
    return raw
