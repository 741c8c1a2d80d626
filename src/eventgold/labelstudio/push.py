"""Push articles (and extractor predictions) to a Label Studio project, idempotently.

Label Studio is the source of truth for what exists: before importing, the
project's tasks are listed (``fields=task_only``, one fast paged request per
thousand tasks) and matched by ``data.doc_id``. Pushing the same corpus again
creates nothing; an interrupted push resumes without duplicates even if local
state was lost, because a failed batch is re-checked against the server
before it is sent again.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from eventgold.errors import APIError, ConnectionFailed, Option, Part, RecordError, UserError
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.convert import (
    annotation_to_results,
    article_to_task_data,
    model_version,
)
from eventgold.labelstudio.project import ImportResult, ensure_project
from eventgold.labelstudio.task_listing import ExistingTask, ListingCache, existing_tasks, push_listing
from eventgold.models import Article, DocumentAnnotation, check_annotation
from eventgold.ontology import Ontology

Candidates = Callable[[Article], list[dict[str, str]]]


@dataclass
class PushResult(ImportResult):
    """What a push did (``predictions_added``: to tasks that existed before this push)."""

    replaced: int = 0
    predictions_imported: int = 0
    """Predictions imported with the tasks created."""
    annotations_imported: int = 0
    """Annotations imported with the tasks created (a tasks-file push)."""
    annotations_skipped: int = 0
    """Annotations not imported because their document's task already existed without annotations."""
    not_selected: int = 0
    refused: list[str] = field(default_factory=list)
    unmatched_ids: list[str] = field(default_factory=list)
    """Ids of ``only_ids`` that match no article of the corpus, in the order given."""
    listing: str = "full"
    """How the project's tasks were listed: ``full`` or ``incremental`` (:mod:`~eventgold.labelstudio.task_listing`)."""
    listing_note: str = ""
    """Why a full listing, or how many tasks an incremental one asked for."""
    duplicate_tasks: dict[str, list[int]] = field(default_factory=dict)
    """Documents several tasks of the project hold (``doc_id`` -> task ids): matched to the last one."""

    json_fields = ("created", "unchanged", "replaced", "predictions_imported", "predictions_added",
                   "annotations_imported", "annotations_skipped", "not_selected", "listing", "listing_note",
                   "duplicate_tasks")


@dataclass(frozen=True)
class IdMatch:
    """The corpus ids an id list selects, and the listed ids that match none."""

    ids: set[str]
    unmatched: list[str]


def _id_key(doc_id: str) -> str:
    return unicodedata.normalize("NFC", doc_id).strip()


def match_ids(listed: Iterable[str], corpus_ids: Iterable[str]) -> IdMatch:
    """Select corpus ids by an id list (``push --only-ids``).

    A listed id selects the corpus id equal to it, else every corpus id equal to it once both
    are in NFC with surrounding whitespace trimmed (ingest writes ids so; a corpus made
    elsewhere may hold decomposed accents). Listed ids that select nothing are returned in
    ``unmatched``, in the order given (each once).
    """
    exact = set(corpus_ids)
    by_key: dict[str, list[str]] = {}
    for doc_id in exact:
        by_key.setdefault(_id_key(doc_id), []).append(doc_id)
    ids: set[str] = set()
    unmatched: dict[str, None] = {}
    for doc_id in listed:
        if doc_id in exact:
            ids.add(doc_id)
        elif found := by_key.get(_id_key(doc_id)):
            ids.update(found)
        else:
            unmatched[doc_id] = None
    return IdMatch(ids=ids, unmatched=list(unmatched))


def _candidate_ids(candidates: list[dict[str, str]]) -> dict[str, str]:
    """Canonical id -> the task's ``actor_candidates`` choice value."""
    return {c["value"].split(" — ")[0]: c["value"] for c in candidates}


def prediction_payload(
    annotation: DocumentAnnotation, article: Article, candidates: list[dict[str, str]]
) -> dict[str, Any]:
    """A Label Studio prediction for one extractor's annotation of ``article``."""
    by_id = _candidate_ids(candidates)
    scores = [m.score for m in annotation.mentions if m.score is not None]
    scores += [e.score for e in annotation.events if e.score is not None]
    payload: dict[str, Any] = {
        "model_version": model_version(annotation.origin),
        "result": annotation_to_results(annotation, article.text, candidates=by_id),
    }
    if scores:
        payload["score"] = sum(scores) / len(scores)
    return payload


def annotation_payload(
    annotation: DocumentAnnotation, article: Article, candidates: list[dict[str, str]]
) -> dict[str, Any]:
    """A Label Studio annotation, as imported inside a task, for ``annotation`` of ``article``.

    Args:
        annotation: the annotation (its units become the same ``result`` items a prediction gets).
        article: the article whose text the offsets refer to.
        candidates: the task's ``actor_candidates`` (a canonical id among them preselects its choice).

    Returns:
        ``{"result", "ground_truth", "was_cancelled"[, "lead_time"]}``. ``ground_truth`` is always
        stated (Label Studio's import takes a missing one as true); ``completed_by`` is left out,
        so Label Studio records the user whose API key imports the task.
    """
    payload: dict[str, Any] = {
        "result": annotation_to_results(annotation, article.text, candidates=_candidate_ids(candidates)),
        "ground_truth": annotation.ground_truth,
        "was_cancelled": annotation.cancelled,
    }
    if annotation.lead_time is not None:
        payload["lead_time"] = annotation.lead_time
    return payload


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def push_articles(
    client: LabelStudioClient,
    articles: Iterable[Article],
    *,
    project_title: str,
    label_config: str,
    instructions: str,
    ontology: Ontology,
    predictions: dict[str, list[DocumentAnnotation]] | None = None,
    annotations: dict[str, list[DocumentAnnotation]] | None = None,
    overlap: int | None = None,
    replace_unannotated: bool = False,
    only_ids: Iterable[str] | None = None,
    candidates: Candidates | None = None,
    batch_size: int = 500,
    progress: Callable[[Iterable[list[Any]], int], Iterable[list[Any]]] | None = None,
    listing_cache: ListingCache | None = None,
) -> PushResult:
    """Create or update the project and import the articles not yet in it.

    Each new article becomes one task through Label Studio's tasks import API
    (``POST /api/projects/<id>/import``; API reference, Projects: Import tasks):
    ``data`` with DESIGN.md's keys, predictions and annotations as ``result``
    lists of regions (offsets in characters of the article text) and relations,
    in the format of https://labelstud.io/guide/predictions.
    Pushing again creates no task: tasks are matched by ``data.doc_id``. With
    ``listing_cache``, the project's tasks are the last push's listing and those
    updated since (:mod:`~eventgold.labelstudio.task_listing`),
    and the listing is kept for the next push.

    Refuses (UserError, nothing imported) when an article's text changed under
    a task that has annotations, under an unannotated task without
    ``replace_unannotated`` (offsets of existing work would break), or under a
    document several tasks hold (``duplicate_tasks``). Refuses
    (RecordError) an article id given twice and two predictions of one
    document from one model version. With ``only_ids``, only the articles
    they select are pushed (:func:`match_ids`); the listed ids that select
    none are in the result's ``unmatched_ids``. ``annotations`` (a Label Studio
    tasks file's, :mod:`eventgold.labelstudio.tasks_file`) are imported with the
    tasks created for their documents, so pushing again adds none; those of a
    task that exists without annotations are counted in ``annotations_skipped``.

    Args:
        client: an open client.
        articles: the corpus (ids unique).
        project_title: the project to create or update.
        label_config: the labeling config XML (:func:`~eventgold.labelstudio.label_config.render_label_config`).
        instructions: the guidelines as HTML, shown to annotators.
        ontology: checks every prediction and annotation before anything is sent.
        predictions: pre-annotations by document id (one per model version).
        annotations: annotations by document id, imported with new tasks.
        overlap: annotators per task (at least 1); None leaves the project's setting.
        replace_unannotated: replace unannotated tasks whose article text changed.
        only_ids: push only the articles these ids select.
        candidates: an article's ``actor_candidates`` (``[{"value": "<id> — <name>"}]``).
        batch_size: tasks per import request (at least 1).
        progress: wraps the batches (a progress bar); given them and their number.
        listing_cache: where listings are kept between pushes (None: list every task).

    Returns:
        A :class:`PushResult`: the project and the counts of tasks created,
        unchanged and replaced, predictions and annotations imported or skipped.

    Raises:
        UserError: a changed article is refused, or ``batch_size``/``overlap`` is below 1.
        RecordError: an id given twice, or a prediction or annotation the ontology or its article refuses.
        APIError, ConnectionFailed: Label Studio refused a request or could not be reached.
    """
    if batch_size < 1:
        raise UserError(f"batch size must be at least 1, got {batch_size}")
    predictions = predictions or {}
    annotations = annotations or {}
    wanted: set[str] | None = None
    unmatched: list[str] = []
    articles = list(articles)
    if only_ids is not None:
        match = match_ids(only_ids, (a.id for a in articles))
        wanted, unmatched = match.ids, match.unmatched
    project = ensure_project(
        client, project_title, label_config=label_config, instructions=instructions, overlap=overlap
    )
    listing = push_listing(client, project.id, listing_cache, articles, imports=bool(annotations))
    existing = listing.by_doc_id()
    result = PushResult(project=project, unmatched_ids=unmatched, listing=listing.method, listing_note=listing.note,
                        duplicate_tasks=listing.duplicate_doc_ids())
    candidates_of = candidates or (lambda _a: [])

    to_create: list[Article] = []
    to_replace: list[ExistingTask] = []
    refused: list[str] = []
    seen: set[str] = set()
    selected: dict[str, Article] = {}
    for article in articles:
        if article.id in seen:
            raise RecordError(
                "the corpus holds this id twice; remove or rename one of the articles "
                "(read corpora with eventgold.records_io.load_corpus)",
                doc_id=article.id,
                field="id",
            )
        seen.add(article.id)
        if wanted is not None and article.id not in wanted:
            result.not_selected += 1
            continue
        selected[article.id] = article
        versions: set[str] = set()
        for annotation in predictions.get(article.id, []):
            check_annotation(annotation, ontology, article)
            version = model_version(annotation.origin)
            if version in versions:
                raise RecordError(
                    f"two predictions from {version!r} for this document; keep one per extractor",
                    doc_id=article.id,
                    field="origin",
                    value=version,
                )
            versions.add(version)
        for annotation in annotations.get(article.id, []):
            check_annotation(annotation, ontology, article)
        task = existing.get(article.id)
        if task is not None and task.content_sha == article.content_sha and not task.annotations:
            result.annotations_skipped += len(annotations.get(article.id, []))  # a task pushed without them
        if task is None:
            to_create.append(article)
        elif task.content_sha == article.content_sha:
            result.unchanged += 1
        elif ids := result.duplicate_tasks.get(article.id):
            refused.append(f"{article.id} (tasks {', '.join(map(str, ids))}: several hold it; keep one)")
        elif task.annotations:
            refused.append(f"{article.id} (task {task.id}, {task.annotations} annotation(s))")
        elif replace_unannotated:
            to_replace.append(task)
            to_create.append(article)
        else:
            refused.append(f"{article.id} (task {task.id}, unannotated)")
    unknown = sorted((set(predictions) | set(annotations)) - seen)
    if unknown:
        sample = ", ".join(unknown[:5])
        raise UserError(
            f"predictions or annotations name {len(unknown)} document(s) that are not in the corpus "
            f"(e.g. {sample}); extract from the same corpus you push"
        )
    if refused:
        result.refused = refused
        raise UserError(
            f"{len(refused)} article(s) changed text since they were pushed: "
            + "; ".join(refused[:10])
            + (" …" if len(refused) > 10 else "")
            + (". Offsets of annotations would break. " if any("annotation(s))" in r for r in refused) else ". "),
            *_refused_advice(replace_unannotated, any(r.endswith(", unannotated)") for r in refused),
                             all(r.endswith("keep one)") for r in refused)),
        )

    for task in to_replace:
        client.request("DELETE", f"/api/tasks/{task.id}")
        listing.record_deleted(task.id)
        result.replaced += 1

    def task_payload(article: Article) -> dict[str, Any]:
        cands = candidates_of(article)
        payload: dict[str, Any] = {"data": article_to_task_data(article, cands)}
        preds = [prediction_payload(a, article, cands) for a in predictions.get(article.id, [])]
        if preds:
            payload["predictions"] = preds
        anns = [annotation_payload(a, article, cands) for a in annotations.get(article.id, [])]
        if anns:
            payload["annotations"] = anns
        return payload

    batches = list(_batches(to_create, batch_size))
    iterable: Iterable[list[Article]] = progress(batches, len(batches)) if progress else batches
    # the next batch's payloads are built while Label Studio imports the current one
    known_ids = True
    for batch, (_, built) in zip(iterable, _built_ahead(batches, task_payload), strict=True):
        landed = import_batch(client, project.id, batch, task_payload, built=built)
        result.created += len(landed)
        for article in batch:
            task_id = landed.get(article.id)
            if task_id is None:
                known_ids = False
            else:
                listing.record_created(task_id, article.id, article.content_sha)
    if listing.created:
        listing.created_until = client.server_time()
    result.annotations_imported = sum(len(annotations.get(a.id, [])) for a in to_create)
    result.predictions_imported = sum(len(predictions.get(a.id, [])) for a in to_create)

    result.predictions_added += _add_missing_predictions(
        client, project.id, existing, selected, predictions, candidates_of, to_replace
    )
    if listing_cache is not None and known_ids:
        listing_cache.save(client.base_url, project.id, listing)
    return result



def _refused_advice(replace_unannotated: bool, unannotated: bool, held_twice: bool = False) -> tuple[Part, ...]:
    """What to do about refused changed articles (never the option that was given, or one that cannot help)."""
    if held_twice:  # every refused article is held by several tasks
        return ("Delete the extra tasks of each document in Label Studio (keep one), then push again",)
    if unannotated and not replace_unannotated:
        return (
            "Annotated tasks are never replaced; use ",
            Option("replace_unannotated"),
            " to replace the unannotated ones",
        )
    return (
        "Annotated tasks are never replaced; restore the text they were pushed with, "
        "or push the changed articles into a new project (",
        Option("project"),
        ")",
    )


def _built_ahead(
    batches: Iterable[list[Article]], payload: Callable[[Article], dict[str, Any]]
) -> Iterator[tuple[list[Article], list[dict[str, Any]]]]:
    """Each batch with its tasks' payloads; the next batch's are built in a thread while the caller sends one."""
    def build(batch: list[Article]) -> list[dict[str, Any]]:
        return [payload(a) for a in batch]

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: tuple[list[Article], Future[list[dict[str, Any]]]] | None = None
        for batch in batches:
            future = pool.submit(build, batch)
            if pending is not None:
                yield pending[0], pending[1].result()
            pending = (batch, future)
        if pending is not None:
            yield pending[0], pending[1].result()


def import_batch(
    client: LabelStudioClient,
    project_id: int,
    batch: list[Article],
    payload: Callable[[Article], dict[str, Any]],
    attempts: int = 5,
    built: list[dict[str, Any]] | None = None,
) -> dict[str, int | None]:
    """Import one batch of tasks; after a failure, ask the server what landed before retrying.

    Args:
        client: an open client.
        project_id: the Label Studio project.
        batch: the articles whose tasks to create.
        payload: an article's task as Label Studio's tasks import API takes it
            (``{"data": ..., "predictions": [...], "annotations": [...]}``).
        attempts: tries in all; waits of 2, 4, 8… seconds (at most 30) between them.
        built: ``batch``'s payloads made already (one per article, in order), sent on the first try.

    Returns:
        Each article of ``batch`` (all of them, unless it raised) by id -> its task's id (None when
        Label Studio did not say: a server that does not return the ids of imported tasks).

    Raises:
        ConnectionFailed: the server stayed unreachable for ``attempts`` tries.
        APIError: the server refused the import (a 4xx at once; a 5xx after ``attempts`` tries).
    """
    landed: dict[str, int | None] = {}
    remaining = batch
    for attempt in range(attempts):
        try:
            body = built if built is not None and remaining is batch else [payload(a) for a in remaining]
            ids = client.import_tasks(project_id, body)
            # Label Studio answers the ids in the order of the tasks sent (bulk create)
            known = len(ids) == len(remaining)
            landed.update((a.id, ids[i] if known else None) for i, a in enumerate(remaining))
            return landed
        except (ConnectionFailed, APIError) as exc:
            if isinstance(exc, APIError) and (exc.status or 0) < 500:
                raise
            if attempt + 1 == attempts:
                raise
            time.sleep(min(2.0 * 2**attempt, 30.0))
            present = existing_tasks(client, project_id)
            landed.update((a.id, present[a.id].id) for a in remaining if a.id in present)
            remaining = [a for a in remaining if a.id not in present]
            if not remaining:
                return landed
    return landed


def _add_missing_predictions(
    client: LabelStudioClient,
    project_id: int,
    existing: dict[str, ExistingTask],
    selected: dict[str, Article],
    predictions: dict[str, list[DocumentAnnotation]],
    candidates_of: Candidates,
    replaced: list[ExistingTask],
) -> int:
    """Attach predictions of model versions a pre-existing task does not have yet."""
    replaced_ids = {t.doc_id for t in replaced}
    wanted = [
        (existing[doc_id], annotation)
        for doc_id, annotations in predictions.items()
        if doc_id in existing and doc_id not in replaced_ids and doc_id in selected
        for annotation in annotations
    ]
    if not wanted:
        return 0
    versions_present = client.get_json(f"/api/projects/{project_id}/model-versions")
    present = set(versions_present) if isinstance(versions_present, dict) else set()
    # tasks lacking each version already in the project: one filtered listing, not a request a task
    lacking = {v: _tasks_lacking(client, project_id, v, present) for v in {model_version(a.origin) for _, a in wanted}
               if v in present}
    added = 0
    have: dict[int, set[str]] = {}
    for task, annotation in wanted:
        version = model_version(annotation.origin)
        if version in present:
            missing = lacking[version]
            if missing is not None and task.id not in missing:
                continue  # the task has a prediction of this version
            if missing is None:
                if task.id not in have:
                    rows = client.get_json("/api/predictions", task=task.id)
                    have[task.id] = {str(r.get("model_version")) for r in rows}
                if version in have[task.id]:
                    continue
        article = selected[task.doc_id]
        body = prediction_payload(annotation, article, candidates_of(article))
        client.post_json("/api/predictions", {"task": task.id, **body})
        have.setdefault(task.id, set()).add(version)
        added += 1
    return added


def _tasks_lacking(client: LabelStudioClient, project_id: int, version: str, present: set[str]) -> set[int] | None:
    """Ids of the project's tasks without a prediction of ``version``; None when only a per-task look can tell.

    One filtered, paged task listing (the data manager's ``predictions_model_versions``
    ``not_contains`` filter) instead of one predictions request per task. The filter matches
    substrings (case-insensitively on SQLite), so it is exact only when no other version of the
    project (``present``, from ``/model-versions``) contains ``version``; None then, and when the
    server refuses the filter.
    """
    folded = version.casefold()
    if any(folded in other.casefold() for other in present if other != version):
        return None
    item = {"filter": "filter:tasks:predictions_model_versions", "operator": "not_contains", "type": "List",
            "value": [version]}
    query = json.dumps({"filters": {"conjunction": "and", "items": [item]}})
    try:
        return {int(t["id"]) for t in client.iter_tasks(project_id, fields="task_only", include="id", query=query)}
    except APIError:
        return None
