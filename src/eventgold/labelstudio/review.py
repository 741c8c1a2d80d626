"""Send conflicted documents to a review project, where an adjudicator resolves them.

``gold build`` writes every document with open conflicts to ``conflicts.jsonl``
with each annotator's full version. :func:`push_review` puts those documents
into a separate Label Studio project (the *review project*) with every
version as a prediction whose ``model_version`` is the annotator's name, so
the adjudicator sees the competing versions side by side, picks or merges
them and submits one annotation. Pulling that project gives a snapshot whose
annotations have origin kind ``adjudicator``; handed to the next ``gold
build`` together with the original snapshot, they win for their documents
(the ``adjudicator`` policy).

How the pieces fit:

- A review project is marked by :data:`REVIEW_MARKER` in its description.
  ``eventgold pull`` recognises the marker and records the snapshot's
  annotations as adjudications, so no flag is needed; a project that exists
  with tasks but without the marker is never used as a review project.
- Tasks carry exactly the task data keys of the annotation project (same
  article, same ``content_sha``), so the review snapshot merges with the
  original one. What is disputed goes into the task's ``meta``
  (``eventgold_review``), not into its data.
- Idempotent: tasks are matched by ``data.doc_id`` and predictions by
  ``model_version``; pushing the same conflicts again creates nothing, and a
  version that changed since (a new annotation round) updates its prediction
  in place. A document whose text changed under an existing review task is
  refused.
- The articles come from the caller (a corpus or snapshot) or else from the
  source tasks named by the versions' Label Studio references.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventgold.errors import APIError, InputError, Option, RecordError, UserError
from eventgold.gold.adjudicate import Conflict, ConflictIssue
from eventgold.jsonl import read_jsonl
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.convert import article_to_task_data, task_data_to_article
from eventgold.labelstudio.project import ImportResult, ProjectInfo, ensure_project
from eventgold.labelstudio.push import import_batch, prediction_payload
from eventgold.labelstudio.task_listing import existing_tasks
from eventgold.models import Article, DocumentAnnotation, check_annotation
from eventgold.ontology import Ontology
from eventgold.problems import Problem
from eventgold.records_io import load_corpus

REVIEW_MARKER = "[eventgold:review]"
"""Marks a Label Studio project as an eventgold review project (in its description)."""

REVIEW_DESCRIPTION = (
    "Adjudication of documents the annotators disagreed on. Each annotator's version is a "
    f"prediction named after them; submit one annotation per task. {REVIEW_MARKER}"
)

META_KEY = "eventgold_review"
"""Key of the task ``meta`` that lists the disputed points of a review task."""

REVIEW_PREAMBLE = """<h2>Review</h2>
<p>Every task here is a document the annotators disagreed on. Each annotator's version is a
<b>prediction</b> named after the annotator (the model version). Open the version closest to
what the guidelines ask, correct what is wrong (the disputed points are listed in the task's
meta data and in <code>conflicts.jsonl</code>) and <b>submit one annotation</b>: it becomes the
gold for this document in the next <code>eventgold gold build</code>.</p>
<hr/>
"""

Candidates = Callable[[Article], list[dict[str, str]]]


def is_review_project(project: Mapping[str, Any]) -> bool:
    """Whether a Label Studio project (as the API returns it) is an eventgold review project."""
    return REVIEW_MARKER in str(project.get("description") or "")


def review_instructions(guidelines: str) -> str:
    """The review project's instructions: how to adjudicate, then the annotation guidelines."""
    return REVIEW_PREAMBLE + guidelines


def read_conflicts(path: str | Path) -> list[Conflict]:
    """Read ``conflicts.jsonl`` (from ``gold build``); one line per document, checked."""
    file = Path(path)
    conflicts = list(read_jsonl(file, Conflict))
    seen: set[str] = set()
    for line, conflict in enumerate(conflicts, start=1):
        problem = _conflict_problem(conflict, seen)
        if problem is not None:
            message, field_name, value = problem
            raise RecordError(
                message, file=str(file), line=line, doc_id=conflict.doc_id, field=field_name, value=value
            )
        seen.add(conflict.doc_id)
    return conflicts


def _conflict_problem(conflict: Conflict, seen: set[str]) -> tuple[str, str, str | None] | None:
    """What is wrong with one line of ``conflicts.jsonl``: (message, field, bad value), or None."""
    if conflict.doc_id in seen:
        return "the document has two conflict lines; use the conflicts.jsonl of one gold build", "doc_id", None
    if not conflict.versions:
        return "the conflict lists no annotator versions; there is nothing to review", "versions", None
    for version in conflict.versions:
        if version.doc_id != conflict.doc_id:
            return f"a version is for document {version.doc_id!r}", "versions.doc_id", version.doc_id
    return None


def review_model_version(version: DocumentAnnotation) -> str:
    """The ``model_version`` of a version's prediction: the annotator's name.

    An earlier adjudication of the document (a second review round) is named
    ``adjudicator:NAME`` so it cannot be taken for an annotator's version.
    """
    name = version.origin.name
    return name if version.origin.kind == "annotator" else f"{version.origin.kind}:{name}"


def issue_summary(issue: ConflictIssue) -> str:
    """One line saying what is disputed and who said what (for the task's meta)."""
    where = ""
    if issue.text is not None:
        where = f" {issue.text!r}"
    elif issue.start is not None:
        where = f" {issue.start}..{issue.end}"
    values = "; ".join(f"{who}: {'—' if v is None else v}" for who, v in sorted(issue.values.items()))
    return f"{issue.kind}{where} {issue.field}: {issue.reason} ({values})"


def articles_from_label_studio(
    client: LabelStudioClient, conflicts: Sequence[Conflict], known: Mapping[str, Article] | None = None
) -> dict[str, Article]:
    """The articles of ``conflicts``: from ``known`` or else from the versions' source tasks.

    Each version remembers its Label Studio task; the first reachable one whose
    ``data.doc_id`` is the conflict's document gives the article.
    """
    out: dict[str, Article] = {}
    known = known or {}
    for conflict in conflicts:
        if conflict.doc_id in known:
            out[conflict.doc_id] = known[conflict.doc_id]
            continue
        task_ids = sorted(
            {v.labelstudio.task for v in conflict.versions if v.labelstudio and v.labelstudio.task is not None}
        )
        if not task_ids:
            raise InputError(
                f"document {conflict.doc_id!r}: its versions name no Label Studio task to take the "
                "article from; pass the corpus or snapshot with ",
                Option("articles"),
            )
        last: Exception | None = None
        for task_id in task_ids:
            try:
                task = client.get_json(f"/api/tasks/{task_id}")
            except APIError as exc:
                if exc.status == 404:
                    last = exc
                    continue
                raise
            data = task.get("data") if isinstance(task, dict) else None
            if isinstance(data, dict) and data.get("doc_id") == conflict.doc_id:
                out[conflict.doc_id] = task_data_to_article(data, task_id=task_id)
                break
        else:
            raise InputError(
                f"document {conflict.doc_id!r}: none of its source tasks ({', '.join(map(str, task_ids))}) "
                f"is on {client.url} with that doc_id"
                + (f" ({last})" if last else "")
                + "; pass the corpus or snapshot with ",
                Option("articles"),
            )
    return out


def read_articles(path: str | Path, problems: list[Problem] | None = None) -> dict[str, Article]:
    """Articles from a corpus JSONL (``*.jsonl``) or a raw Label Studio snapshot (``*.json``).

    A corpus holds one article per id (:func:`eventgold.records_io.load_corpus`);
    a snapshot's region problems are appended to ``problems`` when given.
    """
    file = Path(path)
    if file.suffix == ".jsonl":
        return load_corpus(file)
    from eventgold.labelstudio.snapshot import read_snapshot, snapshot_files

    snapshot_files([file])  # a lone sidecar (x.json.meta.json) names the snapshot to pass
    snapshot = read_snapshot(file)
    if problems is not None:
        problems.extend(snapshot.problems)
    return dict(snapshot.articles)


@dataclass
class ReviewPushResult(ImportResult):
    """What a review push did."""

    documents: int = 0
    predictions_updated: int = 0
    predictions_unchanged: int = 0
    reviewed: list[str] = field(default_factory=list)
    """Documents whose review task already has an annotation (an adjudication)."""

    json_fields = ("documents", *ImportResult.json_fields, "predictions_updated", "predictions_unchanged")


def _result_key(result: Any) -> str:
    return json.dumps(result, sort_keys=True, ensure_ascii=False)


def _review_project(
    client: LabelStudioClient, title: str, *, label_config: str, instructions: str
) -> ProjectInfo:
    """Find or create the review project, refusing a project that is not one."""
    existing = client.find_project(title)
    if existing is not None and not is_review_project(existing) and int(existing.get("task_number") or 0) > 0:
        raise UserError(
            f"project {title!r} already exists with tasks and is not an eventgold review project; choose another ",
            Option("review_title"),
            " for the review (never the annotation project)",
        )
    info = ensure_project(client, title, label_config=label_config, instructions=instructions)
    project = client.project(info.id)
    wanted: dict[str, Any] = {}
    if not is_review_project(project):
        wanted["description"] = REVIEW_DESCRIPTION
    if project.get("show_collab_predictions") is not True:
        wanted["show_collab_predictions"] = True
    if wanted:
        client.patch_json(f"/api/projects/{info.id}", wanted)
    return info


def push_review(
    client: LabelStudioClient,
    conflicts: Iterable[Conflict],
    articles: Mapping[str, Article],
    *,
    project_title: str,
    label_config: str,
    instructions: str,
    ontology: Ontology,
    candidates: Candidates | None = None,
    batch_size: int = 200,
) -> ReviewPushResult:
    """Create or update the review project with one task per conflicted document.

    Every version of a conflict becomes a prediction (``model_version`` = the
    annotator's name). Versions are checked against the ontology and their
    article first; nothing is sent when one fails.
    """
    candidates_of = candidates or (lambda _a: [])
    todo: list[tuple[Conflict, Article]] = []
    for conflict in sorted(conflicts, key=lambda c: c.doc_id):
        article = articles.get(conflict.doc_id)
        if article is None:
            raise InputError(f"document {conflict.doc_id!r} of the conflicts has no article")
        names = [review_model_version(v) for v in conflict.versions]
        if len(set(names)) != len(names):
            raise RecordError(
                "two versions of the document come from the same person; use the conflicts.jsonl "
                "written by `gold build` (one version per person)",
                doc_id=conflict.doc_id,
                field="versions",
            )
        for version in conflict.versions:
            check_annotation(version, ontology, article)
        todo.append((conflict, article))

    project = _review_project(client, project_title, label_config=label_config, instructions=instructions)
    result = ReviewPushResult(project=project, documents=len(todo))
    existing = existing_tasks(client, project.id)

    changed = [
        f"{article.id} (task {existing[article.id].id})"
        for _, article in todo
        if article.id in existing and existing[article.id].content_sha != article.content_sha
    ]
    if changed:
        raise UserError(
            f"{len(changed)} document(s) have review tasks with a different text: "
            + "; ".join(changed[:10])
            + ". The article was edited after it was sent to review; review it in a new project"
        )

    payloads: dict[str, dict[str, Any]] = {}

    def task_payload(article: Article) -> dict[str, Any]:
        return payloads[article.id]

    to_create: list[Article] = []
    update: list[tuple[int, Conflict, Article]] = []
    for conflict, article in todo:
        cands = candidates_of(article)
        preds = [
            {**prediction_payload(v, article, cands), "model_version": review_model_version(v)}
            for v in conflict.versions
        ]
        task = existing.get(article.id)
        if task is None:
            payloads[article.id] = {
                "data": article_to_task_data(article, cands),
                "meta": {
                    META_KEY: {
                        "policy": conflict.policy,
                        "versions": [review_model_version(v) for v in conflict.versions],
                        "issues": [issue_summary(i) for i in conflict.issues],
                    }
                },
                "predictions": preds,
            }
            to_create.append(article)
        else:
            result.unchanged += 1
            if task.annotations:
                result.reviewed.append(article.id)
            update.append((task.id, conflict, article))
            payloads[article.id] = {"predictions": preds}

    for start in range(0, len(to_create), batch_size):
        batch = to_create[start : start + batch_size]
        result.created += len(import_batch(client, project.id, batch, task_payload))
        result.predictions_added += sum(len(payloads[a.id]["predictions"]) for a in batch)

    if update:
        present: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
        for row in client.get_json("/api/predictions", project=project.id) or []:
            if isinstance(row, dict) and isinstance(row.get("task"), int):
                present[row["task"]][str(row.get("model_version"))] = row
        for task_id, _conflict, article in update:
            for pred in payloads[article.id]["predictions"]:
                have = present[task_id].get(pred["model_version"])
                if have is None:
                    client.post_json("/api/predictions", {"task": task_id, **pred})
                    result.predictions_added += 1
                elif _result_key(have.get("result")) != _result_key(pred["result"]):
                    client.patch_json(f"/api/predictions/{have['id']}", {"result": pred["result"]})
                    result.predictions_updated += 1
                else:
                    result.predictions_unchanged += 1
    return result
