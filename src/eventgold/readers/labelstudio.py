"""Label Studio JSON predictions (and, on request, annotations) as DocumentAnnotations.

Read through :func:`eventgold.readers.read_predictions` (format ``labelstudio``):
a list of tasks with ``predictions`` (and ``annotations``), or a bare list of predictions.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from eventgold.errors import InputError, RecordError
from eventgold.labelstudio.convert import parse_created, parse_origin, results_to_annotation
from eventgold.models import Article, DocumentAnnotation, LabelStudioRef, Origin
from eventgold.offsets import RepairedSpansWarning
from eventgold.ontology import Ontology


def _task_doc_id(task: dict[str, Any], doc_key: str, by_sha: dict[str, str], by_text: dict[str, str]) -> str:
    data = task.get("data") or {}
    for key in (doc_key, "doc_id"):
        if data.get(key):
            return str(data[key])
    if data.get("content_sha") in by_sha:
        return by_sha[data["content_sha"]]
    if isinstance(data.get("text"), str) and data["text"] in by_text:
        return by_text[data["text"]]
    if task.get("id") is not None:
        return f"task-{task['id']}"
    if task.get("task") is not None:
        return f"task-{task['task']}"
    raise RecordError(f"the task has no data.{doc_key}, no matching article and no id")


def _completed_by(annotation: dict[str, Any]) -> str:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        return str(who.get("email") or who.get("id") or "annotator")
    return str(who) if who is not None else "annotator"


def read_labelstudio(
    file: Path,
    articles: Mapping[str, Article] | None,
    doc_key: str,
    include_annotations: bool,
    ontology: Ontology | None = None,
) -> Iterator[tuple[tuple[str, int | None], DocumentAnnotation]]:
    """The predictions (and, on request, annotations) of a Label Studio JSON file as DocumentAnnotations.

    Format: Label Studio's task JSON (https://labelstud.io/guide/task_format): a list of tasks
    with ``data`` and ``predictions``/``annotations``, an object with ``tasks``, one task, or a
    bare list of predictions (``result`` lists of regions with character offsets).

    Args:
        file: the ``.json`` file.
        articles: articles by id; they give each task its document (by ``data[doc_key]``, then by
            content hash or text) and the text that offsets are repaired on (None: ids from the tasks).
        doc_key: the ``data`` key holding the article id.
        include_annotations: also yield the human annotations of each task.
        ontology: the labels the regions are read with (None: label_config/ontology.yaml).

    Returns:
        An iterator of ``((where, None), annotation)``, ``where`` being ``"FILE (task #N)"``
        (N from 1), one per prediction or annotation, in file order.

    Raises:
        InputError: the file cannot be read.
        RecordError: invalid JSON, a file that is not a list of tasks, or a task or region that
            cannot be read (with the task number).
    """
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON at column {exc.colno}: {exc.msg}", file=str(file), line=exc.lineno) from exc
    if isinstance(raw, dict):
        raw = raw.get("tasks", [raw])
    if not isinstance(raw, list):
        raise RecordError("expected a list of Label Studio tasks or predictions", file=str(file))
    by_sha = {a.content_sha: a.id for a in articles.values()} if articles else {}
    by_text = {a.text: a.id for a in articles.values()} if articles else {}
    repaired: Counter[str] = Counter()
    for number, task in enumerate(raw, 1):
        where = f"{file} (task #{number})"
        try:
            if not isinstance(task, dict):
                raise RecordError("a task is not a JSON object")
            doc_id = _task_doc_id(task, doc_key, by_sha, by_text)
            article = articles.get(doc_id) if articles else None
            text = (task.get("data") or {}).get("text") or (article.text if article else None)
            if "result" in task and "data" not in task:
                items = [("prediction", task)]
            else:
                items = [("prediction", p) for p in task.get("predictions") or []]
                if include_annotations:
                    items += [("annotation", a) for a in task.get("annotations") or []]
            if text is None:
                raise RecordError(
                    "the task has no data.text and no matching article; pass the corpus so offsets can be checked",
                    doc_id=doc_id,
                )
            for kind, item in items:
                if not isinstance(item, dict):
                    raise RecordError(f"a {kind} is not a JSON object", doc_id=doc_id)
                task_id = task.get("id") if isinstance(task.get("id"), int) else task.get("task")
                if kind == "prediction":
                    origin = parse_origin(str(item.get("model_version") or "labelstudio"))
                    ref = LabelStudioRef(
                        task=task_id if isinstance(task_id, int) else None,
                        prediction=item.get("id") if isinstance(item.get("id"), int) else None,
                    )
                    extra: dict[str, Any] = {}
                else:
                    origin = Origin(kind="annotator", name=_completed_by(item))
                    ref = LabelStudioRef(
                        task=task_id if isinstance(task_id, int) else None,
                        annotation=item.get("id") if isinstance(item.get("id"), int) else None,
                    )
                    lead = item.get("lead_time")
                    extra = {
                        "cancelled": bool(item.get("was_cancelled", False)),
                        "ground_truth": bool(item.get("ground_truth", False)),
                        "lead_time": float(lead) if isinstance(lead, (int, float)) else None,
                        "created": parse_created(item.get("created_at")),
                    }
                converted = results_to_annotation(
                    item.get("result") or [],
                    text=text,
                    doc_id=doc_id,
                    origin=origin,
                    ref=ref,
                    extra=extra,
                    ontology=ontology,
                )
                if converted.problems:
                    raise RecordError(str(converted.problems[0]), doc_id=doc_id)
                repaired.update(r.kind for r in converted.repairs)
                yield (where, None), converted.annotation
        except RecordError as exc:
            raise exc.located(file=where) from exc
    if repaired:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(repaired.items()))
        warnings.warn(
            f"{file}: {sum(repaired.values())} region(s) read after an unambiguous repair ({kinds})",
            RepairedSpansWarning,
            stacklevel=2,
        )
