"""Label Studio export: a gold version as Label Studio tasks (``tasks.json``), importable by ``push``.

One task per gold document of the chosen splits (split order, then gold
order), in Label Studio's import format, with exactly the task ``data`` that
``eventgold push`` gives (the frozen keys ``doc_id``, ``title``, ``text``,
``source``, ``published``, ``url``, ``content_sha``, ``actor_candidates``,
``duplicate_of``; :func:`~eventgold.labelstudio.convert.article_to_task_data`).
``actor_candidates`` come from the actor dictionary, as in ``push``.

The gold units travel as the same ``result`` JSON ``push`` uses for
pre-annotations (:func:`~eventgold.labelstudio.convert.annotation_to_results`,
through :func:`~eventgold.labelstudio.push.annotation_payload` and
:func:`~eventgold.labelstudio.push.prediction_payload`): mentions and
triggers are regions whose ids are the gold unit ids, roles are relations,
attributes per-region choices. By default a task carries one annotation with
``"ground_truth": true``; with ``as_predictions`` one prediction whose
``model_version`` is ``gold@<version>``. A document without units still gets
its (empty) annotation: the gold says it holds nothing.

Import: ``eventgold push DIR/tasks.json --project T`` (or Label Studio's own
import). Label Studio keeps ``ground_truth`` on import and records the user
whose API key imports as ``completed_by``; ``pull`` then ``gold build --policy
ground-truth`` gives the gold's units again (``--previous`` the original
version keeps its splits).

A Label Studio region needs offsets: a mention without them, an event without
a trigger, and a role that points at such a mention cannot be carried. They
are listed under ``not_carried`` in the manifest and counted in a warning.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventgold.actors.dictionary import ActorDictionary, default_actors_path, load_actor_dictionary
from eventgold.export.writer import ExportContext, FormatResult, dumps_line
from eventgold.extractors.gazetteer import actor_candidates, load_gazetteer_for
from eventgold.labelstudio.convert import article_to_task_data, model_version
from eventgold.labelstudio.push import annotation_payload, prediction_payload
from eventgold.models import DocumentAnnotation, GoldDocument, Origin

TASKS_FILE = "tasks.json"
GOLD_MODEL = "gold"
"""Name part of the predictions' ``model_version`` (``gold@<version>``)."""


def gold_annotation(doc: GoldDocument, origin: Origin, *, ground_truth: bool) -> DocumentAnnotation:
    """The gold units of ``doc`` as one annotation (what Label Studio gets as a task's result).

    Args:
        doc: the gold document.
        origin: who the annotation is from (the gold version).
        ground_truth: whether it is flagged ground truth.

    Returns:
        A DocumentAnnotation holding the document's mentions and events as they are.
    """
    return DocumentAnnotation(
        doc_id=doc.doc_id,
        origin=origin,
        mentions=doc.mentions,
        events=doc.events,
        ground_truth=ground_truth,
    )


def not_carried(doc: GoldDocument) -> list[dict[str, Any]]:
    """The units of ``doc`` a Label Studio task cannot hold, each with why.

    Args:
        doc: the gold document.

    Returns:
        One entry per mention without offsets, event without a trigger, and role of
        a carried event pointing at a mention without offsets (gold order).
    """
    out: list[dict[str, Any]] = []
    spanless = {m.id for m in doc.mentions if not m.has_span}
    for m in doc.mentions:
        if m.id in spanless:
            out.append(_entry(doc, "mention", m.id, m.type, "a mention without offsets is no Label Studio region"))
    for e in doc.events:
        if e.trigger is None:
            out.append(_entry(doc, "event", e.id, e.type, "an event without a trigger is no Label Studio region"))
            continue
        for role, mention_id in e.role_ids():
            if mention_id in spanless:
                out.append(
                    _entry(doc, "role", f"{e.id}:{role}:{mention_id}", role, "the role's mention has no offsets")
                )
    return out


def _entry(doc: GoldDocument, kind: str, unit_id: str, label: str, reason: str) -> dict[str, Any]:
    return {"doc_id": doc.doc_id, "split": doc.split, "kind": kind, "id": unit_id, "label": label, "reason": reason}


def gold_task(
    doc: GoldDocument, candidates: list[dict[str, str]], *, version: str, as_predictions: bool
) -> dict[str, Any]:
    """One Label Studio task for ``doc``: its data and the gold as an annotation or a prediction.

    Args:
        doc: the gold document.
        candidates: the task's ``actor_candidates``.
        version: the gold version (named in the prediction's ``model_version``).
        as_predictions: a prediction ``gold@<version>`` instead of a ground-truth annotation.

    Returns:
        ``{"data": ..., "annotations": [...]}`` or ``{"data": ..., "predictions": [...]}``.
    """
    article = doc.article
    task: dict[str, Any] = {"data": article_to_task_data(article, candidates)}
    if as_predictions:
        gold = gold_annotation(doc, Origin(kind="extractor", name=GOLD_MODEL, version=version), ground_truth=False)
        task["predictions"] = [prediction_payload(gold, article, candidates)]
    else:
        gold = gold_annotation(doc, Origin(kind="adjudicator", name=f"{GOLD_MODEL} {version}"), ground_truth=True)
        task["annotations"] = [annotation_payload(gold, article, candidates)]
    return task


def _dictionary(ctx: ExportContext) -> ActorDictionary | None:
    """The actor dictionary ``push`` would use: the one given, else the default file when it exists."""
    if ctx.actors_path is None and not default_actors_path().is_file():
        return None
    return load_actor_dictionary(ctx.actors_path, ctx.ontology)


def write(ctx: ExportContext, out: Path) -> FormatResult:
    """Write ``tasks.json``: the gold documents of the chosen splits as Label Studio tasks.

    Format: Label Studio's task JSON (https://labelstud.io/guide/task_format), a JSON list
    with one task per line (deterministic: no clock, gold order); regions carry character
    offsets (code points) into the article text.

    Args:
        ctx: the export context (gold, splits, ``as_predictions``, the actor dictionary path).
        out: the folder being built.

    Returns:
        Counts per split (``records``: tasks written) and, in the manifest, how the gold
        travels (``labelstudio``), the actor dictionary and the units not carried.

    Raises:
        ConfigError: the actor dictionary cannot be read.
    """
    dictionary = _dictionary(ctx)
    gazetteer = load_gazetteer_for(dictionary) if dictionary is not None else None
    result = FormatResult(counts={})
    if dictionary is None:
        result.warnings.append(f"no actor dictionary at {default_actors_path()}: tasks get no actor_candidates")
    lines: list[str] = []
    missing: list[dict[str, Any]] = []
    for split in ctx.splits:
        counts = ctx.base_counts(split)
        for doc in ctx.documents(split):
            candidates = actor_candidates(doc.article, gazetteer) if gazetteer is not None else []
            task = gold_task(doc, candidates, version=ctx.version, as_predictions=ctx.as_predictions)
            lines.append(dumps_line(task).rstrip("\n"))
            missing.extend(not_carried(doc))
            counts.records += 1
        result.counts[split] = counts
    with open(out / TASKS_FILE, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n")
    origin = Origin(kind="extractor", name=GOLD_MODEL, version=ctx.version)
    result.extra_manifest["labelstudio"] = {
        "tasks_file": TASKS_FILE,
        "gold_as": "predictions" if ctx.as_predictions else "annotations",
        "ground_truth": not ctx.as_predictions,
        "model_version": model_version(origin) if ctx.as_predictions else None,
        "import": f"eventgold push {TASKS_FILE} --project TITLE",
    }
    result.extra_manifest["actor_dictionary"] = (
        {"path": dictionary.path.name if dictionary.path else None, "sha256": dictionary.sha256}
        if dictionary is not None
        else None
    )
    result.extra_manifest["not_carried"] = missing
    if missing:
        result.warnings.append(
            f"{len(missing)} gold unit(s) or role(s) have no offsets and cannot be Label Studio regions "
            "(listed under not_carried in manifest.json)"
        )
    return result
