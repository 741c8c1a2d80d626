"""A Label Studio tasks file as push input (``eventgold push tasks.json``).

A tasks file is what Label Studio's own import takes: a JSON list of tasks,
each ``{"data": {...}, "annotations": [...], "predictions": [...]}``.
``eventgold export --format labelstudio`` writes one from a gold version; a
full JSON export (a ``pull`` snapshot) is one too. :func:`read_tasks_file`
turns it into what :func:`eventgold.labelstudio.push.push_articles` takes:

- the article of each task, from its ``data`` (the frozen task data keys,
  :func:`~eventgold.labelstudio.convert.task_data_to_article`); other data keys
  are not kept;
- each task's ``actor_candidates`` as written (a task without the key gets the
  actor dictionary's, as a corpus push does);
- its annotations and predictions as records (:mod:`eventgold.labelstudio.snapshot`'s
  reader), checked against the article and the ontology. ``push`` turns them
  back into the same ``result`` JSON (:func:`~eventgold.labelstudio.convert.annotation_to_results`),
  keeping ``ground_truth``, ``was_cancelled`` and ``lead_time`` of annotations
  and the ``model_version`` of predictions.

Nothing is dropped in silence: a region or relation the conversion cannot take
stops the push naming the task, and so does a document id held by two tasks.
Label Studio records imported annotations as made by the user whose API key
pushes (``completed_by`` is not sent).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventgold.errors import InputError, RecordError
from eventgold.jsonl import JsonListFile, read_json_list
from eventgold.labelstudio.snapshot import convert_task
from eventgold.models import Article, DocumentAnnotation, check_annotation
from eventgold.offsets import RepairedSpansWarning
from eventgold.ontology import Ontology
from eventgold.problems import Repair, repair_counts
from eventgold.records_io import load_corpus

TASKS_SUFFIX = ".json"


def is_tasks_file(path: Path) -> bool:
    """Whether ``path`` names a Label Studio tasks file (``.json``) rather than a corpus (``.jsonl``)."""
    return path.suffix.lower() == TASKS_SUFFIX


@dataclass
class TasksFile:
    """What a tasks file holds, as records (see the module docstring)."""

    path: Path
    articles: dict[str, Article] = field(default_factory=dict)
    candidates: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    """doc id -> the task's ``actor_candidates`` (documents whose task has none are absent)."""
    annotations: dict[str, list[DocumentAnnotation]] = field(default_factory=dict)
    predictions: dict[str, list[DocumentAnnotation]] = field(default_factory=dict)
    repairs: list[Repair] = field(default_factory=list)

    def candidates_or(
        self, fallback: Callable[[Article], list[dict[str, str]]]
    ) -> Callable[[Article], list[dict[str, str]]]:
        """``actor_candidates`` per article: the task's own, else ``fallback`` (the actor dictionary's).

        Args:
            fallback: candidates for an article whose task carries no ``actor_candidates``.

        Returns:
            A function from an article to its candidate list.
        """
        return lambda article: self.candidates[article.id] if article.id in self.candidates else fallback(article)

    def with_predictions(self, more: dict[str, list[DocumentAnnotation]]) -> dict[str, list[DocumentAnnotation]]:
        """The file's predictions and ``more`` (``push --predictions`` files) by document id.

        Args:
            more: further predictions by document id.

        Returns:
            Both, the file's first for each document.
        """
        merged = {doc_id: list(found) for doc_id, found in self.predictions.items()}
        for doc_id, found in more.items():
            merged.setdefault(doc_id, []).extend(found)
        return merged


TASKS_FILE = JsonListFile(
    what="the tasks file",
    not_found="no such file",
    folder="give the tasks file (e.g. DIR/tasks.json)",
    invalid="a .json input is read as a Label Studio tasks file (a corpus is JSONL: name it .jsonl)",
    not_a_list='expected a JSON list of Label Studio tasks ({"data": {...}} objects), as '
    "`eventgold export --format labelstudio` writes; a corpus is JSONL (.jsonl)",
    strict="write the tasks file as strict JSON",
    encoding="utf-8",
)
"""A tasks file's messages: strict JSON in UTF-8."""


def _load(path: Path) -> list[dict[str, Any]]:
    raw = read_json_list(path, TASKS_FILE)
    if not all(isinstance(t, dict) for t in raw):
        raise InputError(f"{path}: {TASKS_FILE.not_a_list}")
    return raw


def _candidates(raw: Any, where: str, doc_id: str) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not all(
        isinstance(c, dict) and isinstance(c.get("value"), str) and set(c) == {"value"} for c in raw
    ):
        raise RecordError(
            'actor_candidates must be a list of {"value": "<canonical id> — <name>"} objects',
            file=where,
            doc_id=doc_id,
            field="data.actor_candidates",
            value=raw,
        )
    return [{"value": c["value"]} for c in raw]


def read_push_input(path: str | Path, ontology: Ontology) -> TasksFile:
    """What ``push`` reads from its input: a corpus (``.jsonl``) or a tasks file (``.json``).

    Args:
        path: a corpus JSONL (articles only) or a Label Studio tasks file.
        ontology: a tasks file's annotations and predictions are checked against it.

    Returns:
        :class:`TasksFile` (for a corpus: its articles, one per id, and nothing else).

    Raises:
        InputError, RecordError: as :func:`read_tasks_file` or
            :func:`eventgold.records_io.load_corpus` raise them.
    """
    file = Path(path)
    return read_tasks_file(file, ontology) if is_tasks_file(file) else TasksFile(file, articles=load_corpus(file))


def read_tasks_file(path: str | Path, ontology: Ontology) -> TasksFile:
    """Read a Label Studio tasks file into articles, candidates, annotations and predictions.

    Args:
        path: the tasks file (a JSON list of tasks with ``data``).
        ontology: every annotation and prediction is checked against it (labels, modes, …).

    Returns:
        :class:`TasksFile`; documents keep the file's order.

    Raises:
        InputError: the file is missing, not strict JSON, or not a list of task objects.
        RecordError: a task has no ``data.doc_id`` or text, two tasks hold one document id,
            ``actor_candidates`` is malformed, a region or relation cannot be read (named
            with its task number), or a unit breaks the ontology.
    """
    file = Path(path)
    out = TasksFile(path=file)
    for number, task in enumerate(_load(file), 1):
        where = f"{file} (task #{number})"
        try:
            conv = convert_task(task, source=file.name, ontology=ontology)
        except RecordError as exc:
            raise exc.located(file=where) from exc
        article = conv.article
        if article.id in out.articles:
            raise RecordError(
                "two tasks hold this document id; keep one task per document",
                file=where,
                doc_id=article.id,
                field="data.doc_id",
            )
        if conv.problems:
            first = conv.problems[0]
            more = f" (and {len(conv.problems) - 1} more)" if len(conv.problems) > 1 else ""
            raise RecordError(f"{first.problem}{more}; {first.action}", file=where, doc_id=article.id)
        data = task["data"]
        if "actor_candidates" in data:
            out.candidates[article.id] = _candidates(data["actor_candidates"], where, article.id)
        for record in (*conv.annotations, *conv.predictions):
            try:
                check_annotation(record, ontology, article)
            except RecordError as exc:
                raise exc.located(file=where) from exc
        out.articles[article.id] = article
        if conv.annotations:
            out.annotations[article.id] = conv.annotations
        if conv.predictions:
            out.predictions[article.id] = conv.predictions
        out.repairs.extend(conv.repairs)
    if out.repairs:
        kinds = ", ".join(f"{kind} {n}" for kind, n in repair_counts(out.repairs).items())
        warnings.warn(
            f"{file}: {len(out.repairs)} region(s) read after an unambiguous repair ({kinds})",
            RepairedSpansWarning,
            stacklevel=2,
        )
    return out


__all__ = ["TASKS_SUFFIX", "TasksFile", "is_tasks_file", "read_push_input", "read_tasks_file"]
