"""Conversion between Label Studio task JSON and eventgold's records (pure functions).

Label Studio keeps a Text region as one ``labels`` result plus, for each
per-region control, a result with the same region ``id``; event roles are
``relation`` results from the trigger region to a mention region. This module
turns a task's annotations and predictions into DocumentAnnotations and back.

Offsets are checked against the task text. A region whose offsets do not
slice the text to its stored ``text`` (astral characters, whitespace
differences), a region with two labels, or a relation between the wrong kinds
of region is reported as a :class:`RegionProblem`: never dropped silently and
never "fixed". The raw snapshot keeps every byte, so nothing is lost.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from eventgold.errors import InputError, RecordError
from eventgold.fileio import sha256_file
from eventgold.models import (
    Article,
    DocumentAnnotation,
    Event,
    LabelStudioRef,
    Mention,
    Origin,
    Span,
    sha256_text,
)

TEXT = "text"
ACTOR = "actor"
EVENT = "event"
ROLES = {"actor": "actors", "recipient": "recipients", "location": "locations"}
CANDIDATE_SEPARATOR = " — "
TASK_KEYS = (
    "doc_id",
    "title",
    "text",
    "source",
    "published",
    "url",
    "content_sha",
    "actor_candidates",
    "duplicate_of",
)


@dataclass(frozen=True)
class RegionProblem:
    """A region or relation that could not become part of a record, and why."""

    doc_id: str
    task: int | None
    annotation: int | None
    region: str | None
    problem: str
    annotator: str | None = None

    def __str__(self) -> str:
        where = f"document {self.doc_id!r}"
        if self.annotation is not None:
            where += f", annotation {self.annotation}"
        if self.region:
            where += f", region {self.region!r}"
        return f"{where}: {self.problem}"


# ---------------------------------------------------------------------------
# Records -> Label Studio
# ---------------------------------------------------------------------------


def article_to_task_data(article: Article, candidates: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The ``data`` of a Label Studio task for ``article``, with exactly DESIGN.md's keys."""
    return {
        "doc_id": article.id,
        "title": article.title or "",
        "text": article.text,
        "source": article.source or "",
        "published": article.published.isoformat() if article.published else "",
        "url": article.url or "",
        "content_sha": article.content_sha,
        "actor_candidates": candidates or [],
        "duplicate_of": article.duplicate_of or "",
    }


def task_data_to_article(data: dict[str, Any], *, task_id: int | None = None) -> Article:
    """Rebuild the Article a task was made from (its text is what annotators saw)."""
    doc_id = data.get("doc_id")
    text = data.get("text")
    if not isinstance(doc_id, str) or not doc_id:
        raise RecordError(
            f"task {task_id} has no data.doc_id; it was not pushed by eventgold "
            "(push the corpus with `eventgold push`)",
            field="data.doc_id",
            value=doc_id,
        )
    if not isinstance(text, str):
        raise RecordError("task data has no text", doc_id=doc_id, field="data.text", value=text)
    published: dt.date | None = None
    raw_published = data.get("published")
    if raw_published:
        try:
            published = dt.date.fromisoformat(str(raw_published)[:10])
        except ValueError:
            published = None
    stored_sha = data.get("content_sha") or ""
    return Article(
        id=doc_id,
        title=data.get("title") or None,
        text=text,
        source=data.get("source") or None,
        url=data.get("url") or None,
        published=published,
        content_sha=stored_sha if stored_sha == sha256_text(text) else "",
        duplicate_of=data.get("duplicate_of") or None,
    )


def candidate_value(canonical_id: str, name: str) -> str:
    """The ``actor_candidates`` choice value for an actor: ``"<id> — <name>"``."""
    return f"{canonical_id}{CANDIDATE_SEPARATOR}{name}"


def _span_value(start: int, end: int, text: str) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text}


def annotation_to_results(
    annotation: DocumentAnnotation, text: str, *, candidates: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Label Studio ``result`` items for an annotation (prediction, review version, gold).

    A canonical id found in ``candidates`` (id -> the task's candidate choice
    value) preselects that choice; any other id goes to the free-text box.
    """
    out: list[dict[str, Any]] = []
    candidates = candidates or {}

    def add(region: str, from_name: str, kind: str, value: dict[str, Any], score: float | None = None) -> None:
        item: dict[str, Any] = {
            "id": region,
            "from_name": from_name,
            "to_name": TEXT,
            "type": kind,
            "value": value,
        }
        if score is not None:
            item["score"] = score
        out.append(item)

    for m in annotation.mentions:
        if m.start is None or m.end is None:
            continue
        span = _span_value(m.start, m.end, text[m.start : m.end])
        add(m.id, ACTOR, "labels", {**span, "labels": [m.type]}, m.score)
        if m.canonical_id and m.canonical_id in candidates:
            add(m.id, "actor_id", "choices", {**span, "choices": [candidates[m.canonical_id]]})
        elif m.canonical_id:
            add(m.id, "actor_id_other", "textarea", {**span, "text": [m.canonical_id]})
        if m.country:
            add(m.id, "country", "textarea", {**span, "text": [m.country]})
        if m.sector:
            add(m.id, "sector", "choices", {**span, "choices": [m.sector]})
    for e in annotation.events:
        if e.trigger is None:
            continue
        span = _span_value(e.trigger.start, e.trigger.end, text[e.trigger.start : e.trigger.end])
        add(e.id, EVENT, "labels", {**span, "labels": [e.type]}, e.score)
        if e.mode:
            add(e.id, f"mode_{e.type}", "choices", {**span, "choices": [e.mode]})
        if e.contexts:
            add(e.id, "contexts", "choices", {**span, "choices": list(e.contexts)})
        if e.flags:
            add(e.id, "flags", "choices", {**span, "choices": list(e.flags)})
        if e.date:
            add(e.id, "event_date", "datetime", {**span, "datetime": e.date.isoformat()})
    spans = {m.id for m in annotation.mentions if m.start is not None}
    for e in annotation.events:
        if e.trigger is None:
            continue
        for role, mention_id in e.role_ids():
            if mention_id in spans:
                out.append(
                    {"from_id": e.id, "to_id": mention_id, "type": "relation", "direction": "right", "labels": [role]}
                )
    if annotation.relevance:
        out.append(
            {
                "id": "relevance",
                "from_name": "relevance",
                "to_name": TEXT,
                "type": "choices",
                "value": {"choices": [annotation.relevance]},
            }
        )
    if annotation.notes:
        out.append(
            {
                "id": "notes",
                "from_name": "notes",
                "to_name": TEXT,
                "type": "textarea",
                "value": {"text": [annotation.notes]},
            }
        )
    return out


def model_version(origin: Origin) -> str:
    """Label Studio ``model_version`` for an extractor: ``name@version``."""
    return f"{origin.name}@{origin.version}" if origin.version else origin.name


# ---------------------------------------------------------------------------
# Label Studio -> records
# ---------------------------------------------------------------------------


@dataclass
class Converted:
    """A DocumentAnnotation made from one Label Studio annotation or prediction, with problems."""

    annotation: DocumentAnnotation
    problems: list[RegionProblem] = field(default_factory=list)


def _first(values: Any) -> str | None:
    if isinstance(values, list) and values:
        first = values[0]
        if isinstance(first, list):  # a nested choice's path (allowNested="true"): the leaf is chosen
            first = first[-1] if first else None
        return str(first) if first is not None else None
    if isinstance(values, str):
        return values
    return None


def _text_list(value: dict[str, Any]) -> str | None:
    raw = value.get("text")
    if isinstance(raw, list):
        joined = " ".join(str(x) for x in raw if str(x).strip()).strip()
        return joined or None
    return None


def _parse_date(raw: Any) -> dt.date | None:
    if not raw:
        return None
    text = str(raw).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    for fmt in ("%m/%d/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def _annotator(raw: dict[str, Any], users: dict[int, str]) -> tuple[str, int | None]:
    who = raw.get("completed_by")
    if isinstance(who, dict):
        uid = who.get("id")
        email = who.get("email") or users.get(uid) if isinstance(uid, int) else who.get("email")
        return str(email or f"user-{uid}"), uid if isinstance(uid, int) else None
    if isinstance(who, int):
        return users.get(who, f"user-{who}"), who
    return "unknown", None


def results_to_annotation(
    results: list[dict[str, Any]],
    *,
    text: str,
    doc_id: str,
    origin: Origin,
    ref: LabelStudioRef | None = None,
    extra: dict[str, Any] | None = None,
) -> Converted:
    """Turn Label Studio ``result`` items into a DocumentAnnotation, checking offsets."""
    problems: list[RegionProblem] = []
    task = ref.task if ref else None
    ann_id = (ref.annotation if ref and ref.annotation is not None else ref.prediction) if ref else None

    def problem(region: str | None, message: str) -> None:
        who = origin.name if origin.kind != "extractor" else None
        problems.append(RegionProblem(doc_id, task, ann_id, region, message, who))

    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    relations: list[dict[str, Any]] = []
    relevance = notes = None
    for item in results:
        if not isinstance(item, dict):
            problem(None, f"result item is not an object: {item!r:.60}")
            continue
        kind = item.get("type")
        if kind == "relation":
            relations.append(item)
            continue
        name = item.get("from_name")
        raw_value = item.get("value")
        value: dict[str, Any] = raw_value if isinstance(raw_value, dict) else {}
        if name == "relevance":
            relevance = _first(value.get("choices"))
        elif name == "notes":
            notes = _text_list(value)
        elif isinstance(item.get("id"), str):
            by_region[item["id"]].append(item)
        else:
            problem(None, f"result for {name!r} has no region id")

    mentions: list[Mention] = []
    events: list[Event] = []
    kinds: dict[str, str] = {}
    for region, items in by_region.items():
        label_items = [i for i in items if i.get("type") == "labels" and i.get("from_name") in (ACTOR, EVENT)]
        if not label_items:
            names = sorted({str(i.get("from_name")) for i in items})
            problem(region, f"region has attributes ({', '.join(names)}) but no actor or event label")
            continue
        if len(label_items) > 1 or len(label_items[0]["value"].get("labels") or []) != 1:
            labels = [lab for i in label_items for lab in (i["value"].get("labels") or [])]
            problem(region, f"region must carry exactly one label, has {labels}")
            continue
        main = label_items[0]
        value = main["value"]
        control = main["from_name"]
        label = value["labels"][0]
        start, end, span_text = value.get("start"), value.get("end"), value.get("text")
        if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start <= end:
            problem(region, f"offsets {start!r}..{end!r} are not a valid span")
            continue
        if end > len(text):
            problem(region, f"offsets {start}..{end} run past the end of the text ({len(text)} characters)")
            continue
        if span_text is not None and text[start:end] != span_text:
            problem(
                region,
                f"offsets {start}..{end} slice {text[start:end]!r} from the task text, but the "
                f"region says {span_text!r} (offset units or whitespace differ)",
            )
            continue
        attrs = {i["from_name"]: i.get("value", {}) for i in items if i is not main}
        kinds[region] = control
        try:
            if control == ACTOR:
                canonical = _text_list(attrs.get("actor_id_other", {}))
                if canonical is None:
                    choice = _first(attrs.get("actor_id", {}).get("choices"))
                    canonical = choice.split(CANDIDATE_SEPARATOR)[0].strip() if choice else None
                country = _text_list(attrs.get("country", {}))
                mentions.append(
                    Mention(
                        id=region,
                        type=label,
                        start=start,
                        end=end,
                        text=text[start:end],
                        canonical_id=canonical,
                        country=country.upper() if country else None,
                        sector=_first(attrs.get("sector", {}).get("choices")),
                        score=main.get("score"),
                    )
                )
            else:
                mode = None
                for name, val in attrs.items():
                    if name.startswith("mode_"):
                        if name != f"mode_{label}":
                            problem(region, f"mode from {name!r} does not belong to event type {label}; ignored")
                            continue
                        mode = _first(val.get("choices"))
                date_value = attrs.get("event_date", {})
                events.append(
                    Event(
                        id=region,
                        type=label,
                        trigger=Span(start=start, end=end, text=text[start:end]),
                        mode=mode,
                        contexts=list(attrs.get("contexts", {}).get("choices") or []),
                        flags=list(attrs.get("flags", {}).get("choices") or []),
                        date=_parse_date(date_value.get("datetime") or date_value.get("date")),
                        score=main.get("score"),
                    )
                )
        except (ValueError, RecordError) as exc:
            problem(region, str(exc).splitlines()[0])
            kinds.pop(region, None)

    event_by_id = {e.id: e for e in events}
    mention_ids = {m.id for m in mentions}
    for rel in relations:
        a, b = rel.get("from_id"), rel.get("to_id")
        labels = rel.get("labels") or []
        if a in mention_ids and b in event_by_id:
            a, b = b, a
        if a not in event_by_id or b not in mention_ids:
            problem(str(rel.get("from_id")), f"relation {a!r} -> {b!r} must link an event trigger and an actor mention")
            continue
        if len(labels) != 1 or labels[0] not in ROLES:
            problem(str(a), f"relation to {b!r} needs exactly one role of {sorted(ROLES)}, has {labels}")
            continue
        target = getattr(event_by_id[a], ROLES[labels[0]])
        if b not in target:
            target.append(b)

    meta = extra or {}
    annotation = DocumentAnnotation(
        doc_id=doc_id,
        origin=origin,
        mentions=mentions,
        events=events,
        relevance=relevance,
        notes=notes,
        labelstudio=ref,
        **meta,
    )
    return Converted(annotation, problems)


def parse_created(raw: Any) -> dt.datetime | None:
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None


_VERSION_START = re.compile(r"v?\d")


def parse_origin(model_version_value: str | None) -> Origin:
    """An extractor Origin from a prediction's ``model_version`` (``name@version``).

    A version starts with a digit (or ``v`` and a digit); anything else after the
    last ``@`` is part of the name, so an e-mail (review predictions are named
    after their annotator) stays whole.
    """
    raw = (model_version_value or "").strip() or "unknown"
    name, sep, version = raw.rpartition("@")
    if not sep or not _VERSION_START.match(version):
        return Origin(kind="extractor", name=raw)
    return Origin(kind="extractor", name=name, version=version or None)


@dataclass
class TaskConversion:
    """Everything one exported task holds, as records."""

    article: Article
    annotations: list[DocumentAnnotation]
    predictions: list[DocumentAnnotation]
    problems: list[RegionProblem]


def convert_task(
    task: dict[str, Any],
    *,
    users: dict[int, str] | None = None,
    annotation_kind: str = "annotator",
    prediction_objects: list[dict[str, Any]] | None = None,
) -> TaskConversion:
    """Convert one task of a Label Studio JSON export (annotations and predictions).

    The synchronous JSON export lists predictions by id only; pass the
    prediction objects (from the snapshot's predictions sidecar) as ``prediction_objects``.
    """
    users = users or {}
    task_id = task.get("id") if isinstance(task.get("id"), int) else None
    data = task.get("data")
    if not isinstance(data, dict):
        raise RecordError(f"task {task_id} has no data object", field="data")
    article = task_data_to_article(data, task_id=task_id)
    project = task.get("project") if isinstance(task.get("project"), int) else None
    annotations: list[DocumentAnnotation] = []
    predictions: list[DocumentAnnotation] = []
    problems: list[RegionProblem] = []
    for raw in task.get("annotations") or []:
        name, _uid = _annotator(raw, users)
        kind: Literal["annotator", "adjudicator"] = (
            "adjudicator" if annotation_kind == "adjudicator" else "annotator"
        )
        ref = LabelStudioRef(project=project, task=task_id, annotation=raw.get("id"))
        lead = raw.get("lead_time")
        conv = results_to_annotation(
            raw.get("result") or [],
            text=article.text,
            doc_id=article.id,
            origin=Origin(kind=kind, name=name),
            ref=ref,
            extra={
                "ground_truth": bool(raw.get("ground_truth")),
                "cancelled": bool(raw.get("was_cancelled")),
                "lead_time": float(lead) if isinstance(lead, (int, float)) else None,
                "created": parse_created(raw.get("created_at")),
            },
        )
        annotations.append(conv.annotation)
        problems.extend(conv.problems)
    inline = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    for raw in inline or prediction_objects or []:
        ref = LabelStudioRef(project=project, task=task_id, prediction=raw.get("id"))
        conv = results_to_annotation(
            raw.get("result") or [],
            text=article.text,
            doc_id=article.id,
            origin=parse_origin(raw.get("model_version")),
            ref=ref,
            extra={"created": parse_created(raw.get("created_at"))},
        )
        predictions.append(conv.annotation)
        problems.extend(conv.problems)
    return TaskConversion(article, annotations, predictions, problems)


@dataclass
class Snapshot:
    """A Label Studio full-JSON export as records: articles, annotations, predictions, problems."""

    path: Path
    sha256: str
    articles: dict[str, Article]
    annotations: list[DocumentAnnotation]
    predictions: list[DocumentAnnotation]
    problems: list[RegionProblem]
    exported_at: dt.datetime | None
    task_count: int


def iter_tasks(path: Path) -> Iterator[dict[str, Any]]:
    """The tasks of a Label Studio JSON export file (a JSON list), as dicts."""
    try:
        with path.open("rb") as fh:
            raw = json.load(fh)
    except FileNotFoundError as exc:
        raise InputError(f"{path}: snapshot not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the snapshot: {exc}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); pull a new snapshot with `eventgold pull`"
        ) from exc
    if not isinstance(raw, list):
        raise InputError(f"{path}: expected a JSON list of tasks (a Label Studio JSON export)")
    for i, task in enumerate(raw):
        if not isinstance(task, dict):
            raise InputError(f"{path}: item {i} is not a task object")
        yield task


def convert_tasks(
    tasks: Iterable[dict[str, Any]],
    *,
    path: Path | None = None,
    annotation_kind: str = "annotator",
    users: dict[int, str] | None = None,
    predictions: dict[int, list[dict[str, Any]]] | None = None,
) -> tuple[dict[str, Article], list[DocumentAnnotation], list[DocumentAnnotation], list[RegionProblem], int]:
    """Convert many exported tasks; duplicate doc_ids with different text are an error."""
    raw_predictions = predictions or {}
    articles: dict[str, Article] = {}
    annotations: list[DocumentAnnotation] = []
    converted_predictions: list[DocumentAnnotation] = []
    problems: list[RegionProblem] = []
    count = 0
    for task in tasks:
        count += 1
        try:
            conv = convert_task(
                task,
                users=users,
                annotation_kind=annotation_kind,
                prediction_objects=raw_predictions.get(task.get("id")),  # type: ignore[arg-type]
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
        articles[conv.article.id] = conv.article
        annotations.extend(conv.annotations)
        converted_predictions.extend(conv.predictions)
        problems.extend(conv.problems)
    return articles, annotations, converted_predictions, problems, count


def read_snapshot(path: str | Path, *, annotation_kind: str | None = None) -> Snapshot:
    """Read a raw snapshot written by ``eventgold pull`` into records.

    ``annotation_kind`` defaults to what the snapshot's sidecar metadata says
    (``adjudicator`` for a review project), else ``annotator``.
    """
    file = Path(path)
    meta = read_snapshot_meta(file)
    kind = annotation_kind or str(meta.get("annotation_kind") or "annotator")
    users = {int(k): v for k, v in (meta.get("users") or {}).items()}
    by_task: dict[int, list[dict[str, Any]]] = defaultdict(list)
    sidecar = predictions_path(file)
    if sidecar.is_file():
        for raw in iter_tasks(sidecar):
            if isinstance(raw.get("task"), int):
                by_task[raw["task"]].append(raw)
    articles, annotations, predictions, problems, count = convert_tasks(
        iter_tasks(file), path=file, annotation_kind=kind, users=users, predictions=by_task
    )
    exported = parse_created(meta.get("exported_at"))
    return Snapshot(
        path=file,
        sha256=sha256_file(file),
        articles=articles,
        annotations=annotations,
        predictions=predictions,
        problems=problems,
        exported_at=exported,
        task_count=count,
    )


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
    return raw if isinstance(raw, dict) else {}
