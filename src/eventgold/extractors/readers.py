"""Readers that turn other tools' outputs into DocumentAnnotations.

One entry point, :func:`read_predictions`, reads

- ``jsonl``: our DocumentAnnotation JSONL (also GoldDocument lines, read as the
  gold's annotation; a folder reads every ``*.jsonl`` in it);
- ``labelstudio``: Label Studio JSON — a list of tasks with ``predictions`` (and,
  on request, ``annotations``), or a bare list of predictions;
- ``plover``: PLOVER/POLECAT-style event records (JSONL with ``event``,
  ``actor``/``recipient`` lists, ``mode``, ``context``, optional ``text_info``),
  grouped into documents by a configurable key (``doc_key``; None detects it
  from the records, see :func:`detect_plover_doc_key`, and ``doc_id`` is the
  default); a record's own ``id`` is the event's id. Actors become mentions without
  offsets unless their text can be placed in the article exactly; ``event_loc``
  (with a ``name``) fills the ``location`` role. What eventgold's own PLOVER
  export adds is read back: an entity's ``canonical_id``, ``type`` and
  ``start``/``end`` (used when they fit the article text) and the event's
  ``trigger``, so the export scores against its gold as it was;
- ``docbin``: a spaCy ``DocBin`` whose docs carry the article id in
  ``doc.user_data[doc_key]``.

The format is detected from the path and first line when not given. Every
error names the file, the line (or task / doc number), the document and field.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, TypeGuard, cast

from eventgold.errors import InputError, RecordError
from eventgold.extractors.dictionary import ActorDictionary
from eventgold.labelstudio.convert import parse_created, parse_origin, results_to_annotation
from eventgold.models import (
    Article,
    DocumentAnnotation,
    GoldDocument,
    LabelStudioRef,
    Origin,
    check_against_article,
    check_annotation,
    iter_json_lines,
    parse_record,
)
from eventgold.offsets import RepairedSpansWarning, repair_spans
from eventgold.ontology import Ontology
from eventgold.records_io import ANNOTATIONS, OneRecordPerId, RecordKind

Format = Literal["jsonl", "labelstudio", "plover", "docbin"]
FORMATS: tuple[Format, ...] = ("jsonl", "labelstudio", "plover", "docbin")
ACTOR_TYPES = ("PERSON", "ORGANIZATION", "STATE", "ARMED_GROUP", "GROUP", "LOCATION")
_ARMED_SECTORS = frozenset({"MIL", "PRM", "REB", "UAF", "SPY"})


# ---------------------------------------------------------------------------
# detection and dispatch
# ---------------------------------------------------------------------------


def detect_format(path: str | Path) -> Format:
    """Guess the format of ``path``: folder or records with ``origin`` -> jsonl, ``.json`` ->
    labelstudio, ``.spacy`` -> docbin, records with ``event`` -> plover."""
    file = Path(path)
    if file.is_dir():
        return "jsonl"
    if file.suffix in (".spacy", ".docbin"):
        return "docbin"
    if file.suffix == ".json":
        return "labelstudio"
    empty = True
    try:
        with file.open("r", encoding="utf-8") as fh:
            for line in fh:
                stripped = line.strip()
                if not stripped:
                    continue
                empty = False
                if stripped.startswith("["):
                    return "labelstudio"
                try:
                    raw = json.loads(stripped)
                except json.JSONDecodeError:
                    break
                if isinstance(raw, dict):
                    if "origin" in raw or "article" in raw:
                        return "jsonl"
                    if "event" in raw:
                        return "plover"
                    if "data" in raw or "result" in raw:
                        return "labelstudio"
                break
    except FileNotFoundError as exc:
        raise InputError(f"{file}: file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read: {exc}") from exc
    if empty:
        raise InputError(f"{file}: holds no predictions (the file is empty); give an extractor's output")
    raise InputError(f"{file}: cannot tell the predictions format; pass --format ({', '.join(FORMATS)})")


def read_predictions(
    path: str | Path,
    fmt: Format | None = None,
    *,
    articles: Mapping[str, Article] | None = None,
    doc_key: str | None = "doc_id",
    ontology: Ontology | None = None,
    dictionary: ActorDictionary | None = None,
    include_annotations: bool = False,
    one_per: RecordKind[DocumentAnnotation] | OneRecordPerId[DocumentAnnotation] = ANNOTATIONS,
) -> Iterator[DocumentAnnotation]:
    """Read predictions in any supported format as DocumentAnnotations.

    ``articles`` (by id) lets offsets be checked against the text and lets
    offset-less PLOVER actors be placed; ``ontology`` checks labels, modes and
    contexts; ``dictionary`` resolves PLOVER actors to canonical ids and types.
    ``include_annotations`` also yields the human annotations of Label Studio tasks.
    ``doc_key`` names the field holding the document id (dotted for nested
    fields); None detects it for PLOVER records (:func:`detect_plover_doc_key`)
    and means ``doc_id`` for the other formats.

    One annotation per document and origin (``one_per``; ``ONE_PER_DOCUMENT``
    for one extractor's file; a ``OneRecordPerId`` shared by several calls makes
    several files one set): two different ones raise DuplicateIdError naming
    both places, an exact repeat is read once with a RepeatedRecordWarning
    (see :mod:`eventgold.records_io`).
    """
    file = Path(path)
    if not file.exists():
        raise InputError(f"{file}: file not found")
    chosen = fmt or detect_format(file)
    if chosen not in FORMATS:
        raise InputError(f"unknown predictions format {chosen!r}; use one of {', '.join(FORMATS)}")
    if doc_key is None:
        doc_key = (detect_plover_doc_key(file, articles) if chosen == "plover" else None) or DEFAULT_DOC_KEY
    if chosen == "jsonl":
        stream = _read_jsonl(file)
    elif chosen == "labelstudio":
        stream = _read_labelstudio(file, articles, doc_key, include_annotations)
    elif chosen == "plover":
        stream = _read_plover(file, articles, doc_key, dictionary)
    else:
        stream = _read_docbin(file, doc_key, ontology)
    seen = one_per if isinstance(one_per, OneRecordPerId) else OneRecordPerId(one_per)
    repaired: Counter[str] = Counter()
    for where, annotation in stream:
        if not seen.admit(annotation, where):
            continue
        article = articles.get(annotation.doc_id) if articles is not None else None
        try:
            if article is not None:
                annotation, steps = repair_spans(annotation, article.text)
                repaired.update(step.kind for step in steps)
            if ontology is not None:
                check_annotation(annotation, ontology, article)
            elif article is not None:
                check_against_article(annotation, article)
        except RecordError as exc:
            raise exc.located(file=where[0], line=where[1]) from exc
        yield annotation
    if repaired:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(repaired.items()))
        warnings.warn(
            f"{file}: {sum(repaired.values())} span(s) read after an unambiguous offset repair ({kinds}; "
            "see eventgold.offsets)",
            RepairedSpansWarning,
            stacklevel=2,
        )


# ---------------------------------------------------------------------------
# our JSONL
# ---------------------------------------------------------------------------


def gold_to_annotation(gold: GoldDocument) -> DocumentAnnotation:
    """A gold document as an annotation (origin ``adjudicator``/``gold``)."""
    return DocumentAnnotation(
        doc_id=gold.doc_id,
        origin=Origin(kind="adjudicator", name="gold"),
        mentions=gold.mentions,
        events=gold.events,
    )


def _read_jsonl(file: Path) -> Iterator[tuple[tuple[str, int | None], DocumentAnnotation]]:
    files = sorted(file.glob("*.jsonl")) if file.is_dir() else [file]
    if file.is_dir() and not files:
        raise InputError(f"{file}: the folder holds no *.jsonl files")
    for one in files:
        for lineno, raw in iter_json_lines(one):
            try:
                if isinstance(raw, dict) and "article" in raw:
                    annotation = gold_to_annotation(parse_record(GoldDocument, raw))
                else:
                    annotation = parse_record(DocumentAnnotation, raw)
            except RecordError as exc:
                raise exc.located(file=str(one), line=lineno) from exc.__cause__
            yield (str(one), lineno), annotation


# ---------------------------------------------------------------------------
# Label Studio JSON
# ---------------------------------------------------------------------------


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


def _read_labelstudio(
    file: Path,
    articles: Mapping[str, Article] | None,
    doc_key: str,
    include_annotations: bool,
) -> Iterator[tuple[tuple[str, int | None], DocumentAnnotation]]:
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
                    item.get("result") or [], text=text, doc_id=doc_id, origin=origin, ref=ref, extra=extra
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


# ---------------------------------------------------------------------------
# PLOVER / POLECAT JSONL
# ---------------------------------------------------------------------------


def _lookup(raw: dict[str, Any], dotted: str) -> Any:
    value: Any = raw
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


DEFAULT_DOC_KEY = "doc_id"
PLOVER_DOC_KEYS = (
    "doc_id",
    "document_id",
    "article_id",
    "story_id",
    "docid",
    "aid",
    "cite_info.citation",
    "meta.doc_id",
    "meta.article",
)
"""Document keys PLOVER/POLECAT-style records are known to carry, in order of preference."""


def _key_values(raw: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """``(dotted key, value)`` of the scalar fields of a record, at the top level and one level down."""
    for key, value in raw.items():
        if isinstance(value, str | int) and not isinstance(value, bool):
            yield key, str(value)
        elif isinstance(value, dict):
            for sub, inner in value.items():
                if isinstance(inner, str | int) and not isinstance(inner, bool):
                    yield f"{key}.{sub}", str(inner)


def detect_plover_doc_key(file: str | Path, articles: Mapping[str, Article] | None = None) -> str | None:
    """The field of the PLOVER records in ``file`` that holds their document id, or None.

    With ``articles`` (the gold's, by id), the key whose values name the most
    of those articles wins (ties: :data:`PLOVER_DOC_KEYS` order, then by name),
    so records whose document id sits in any field, such as
    ``cite_info.citation``, are matched without options. Without articles, or
    when no value names one, it is the first of :data:`PLOVER_DOC_KEYS` that
    every record carries. Unreadable lines are left for the reader to report.
    """
    present: Counter[str] = Counter()
    matches: Counter[str] = Counter()
    records = 0
    try:
        for _, raw in iter_json_lines(file):
            if not isinstance(raw, dict):
                continue
            records += 1
            for key, value in _key_values(raw):
                present[key] += 1
                if articles and value in articles:
                    matches[key] += 1
    except (RecordError, InputError):
        pass

    def rank(key: str) -> tuple[int, int, str]:
        known = PLOVER_DOC_KEYS.index(key) if key in PLOVER_DOC_KEYS else len(PLOVER_DOC_KEYS)
        return (-matches[key], known, key)

    if matches:
        return min(matches, key=rank)
    return next((k for k in PLOVER_DOC_KEYS if records and present[k] == records), None)


def _entities(value: Any, field: str) -> list[dict[str, Any]]:
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, str):
        return [{"code": value}]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, str):
                out.append({"code": item})
            elif isinstance(item, dict):
                out.append(item)
            else:
                raise RecordError("an entity must be an object or a code string", field=field, value=item)
        return out
    raise RecordError("expected a list of entity objects", field=field, value=value)


def _place(text: str, needle: str, window: tuple[int, int] | None) -> tuple[int, int] | None:
    """Offsets of ``needle`` in ``text`` when it occurs exactly once (in ``window`` first)."""
    if not needle:
        return None
    for lo, hi in ([window] if window else []) + [(0, len(text))]:
        first = text.find(needle, lo, hi)
        if first >= 0 and text.find(needle, first + 1, hi) < 0:
            return first, first + len(needle)
    return None


def _entity_mention(
    entity: dict[str, Any],
    dictionary: ActorDictionary | None,
    article: Article | None,
    window: tuple[int, int] | None,
) -> dict[str, Any]:
    text = entity.get("entity_text") or entity.get("text") or None
    code = entity.get("code") or entity.get("country") or None
    sector = entity.get("sector") or None
    qid = entity.get("identifier_id") or entity.get("wikidata") or None
    entry = None
    if dictionary is not None:
        if qid and qid in dictionary.by_qid:
            entry = dictionary.by_qid[qid]
        elif text:
            from eventgold.extractors.gazetteer import load_gazetteer_for

            found = load_gazetteer_for(dictionary).find(str(text))
            if len(found) == 1 and found[0].end - found[0].start == len(str(text).strip()):
                entry = dictionary.entries[found[0].canonical_id]
        if entry is None and code and not text and code in dictionary:
            entry = dictionary.entries[code]
    canonical: str | None
    if entry is not None:
        actor_type, canonical = entry.type, entry.id
    elif not text and code:
        actor_type, canonical = "STATE", str(code)
    else:
        actor_type = "ARMED_GROUP" if sector in _ARMED_SECTORS else "ORGANIZATION"
        canonical = str(qid) if qid else None
    mention: dict[str, Any] = {
        "type": actor_type,
        "text": str(text) if text else None,
        "canonical_id": canonical,
        "country": str(code) if code else (entry.country if entry else None),
        "sector": str(sector) if sector else (entry.sector if entry else None),
    }
    # eventgold's own PLOVER export also writes the gold's canonical id, actor type and offsets
    own_id, own_type = entity.get("canonical_id"), entity.get("type")
    if isinstance(own_id, str) and own_id:
        mention["canonical_id"] = own_id
    if isinstance(own_type, str) and own_type in ACTOR_TYPES:
        mention["type"] = own_type
    start, end = entity.get("start"), entity.get("end")
    said_unanchored = "start" in entity and "end" in entity and start is None and end is None
    if article is not None and text and not said_unanchored:  # explicit null offsets: a mention without offsets
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end and article.text[start:end] == text:
            mention["start"], mention["end"] = start, end
        else:
            placed = _place(article.text, str(text), window)
            if placed is not None:
                mention["start"], mention["end"] = placed
    return mention


def _event_location(value: Any) -> list[dict[str, Any]]:
    """PLOVER's ``event_loc`` (geonames-style ``name``, ``cc3``) as an entity object; none without a name or id."""
    if not isinstance(value, dict) or not (value.get("name") or value.get("canonical_id")):
        return []
    return [
        {
            "entity_text": value.get("name"),
            "code": value.get("cc3"),
            "identifier_id": value.get("identifier_id"),
            "canonical_id": value.get("canonical_id"),
            "type": "LOCATION",
            "start": value.get("start"),
            "end": value.get("end"),
        }
    ]


def _is_span(value: Any) -> TypeGuard[dict[str, Any]]:
    """Whether ``value`` is a ``{start, end, text}`` span object (eventgold's PLOVER export's ``trigger``)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("start"), int)
        and isinstance(value.get("end"), int)
        and isinstance(value.get("text"), str)
    )


def _read_plover(
    file: Path,
    articles: Mapping[str, Article] | None,
    doc_key: str,
    dictionary: ActorDictionary | None,
) -> Iterator[tuple[tuple[str, int | None], DocumentAnnotation]]:
    docs: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    for lineno, raw in iter_json_lines(file):
        try:
            if not isinstance(raw, dict):
                raise RecordError("a PLOVER record must be a JSON object")
            doc_value = _lookup(raw, doc_key)
            if doc_value in (None, ""):
                raise RecordError(
                    f"the record has no document key {doc_key!r} (choose it with --doc-key)",
                    record_id=str(raw.get("id")) if raw.get("id") is not None else None,
                    field=doc_key,
                )
            doc_id = str(doc_value)
            event_type = raw.get("event")
            if not isinstance(event_type, str) or not event_type:
                raise RecordError("the record has no event type", doc_id=doc_id, field="event")
            event_id = raw.get("id")
            doc = docs.setdefault(
                doc_id,
                {
                    "doc_id": doc_id,
                    "origin": {"kind": "extractor", "name": str(raw.get("coder") or file.stem), "version": None},
                    "mentions": [],
                    "events": [],
                    "_keys": {},
                },
            )
            first_line.setdefault(doc_id, lineno)
            if event_id in (None, ""):
                event_id = f"e{len(doc['events']) + 1}"
            event_id = str(event_id)
            if any(e["id"] == event_id for e in doc["events"]):
                raise RecordError(
                    "event id is not unique in the document",
                    doc_id=doc_id,
                    record_id=event_id,
                    field="id",
                    value=event_id,
                )
            article = articles.get(doc_id) if articles else None
            info = raw.get("text_info")
            window = None
            if isinstance(info, dict) and isinstance(info.get("start"), int) and isinstance(info.get("end"), int):
                window = (info["start"], info["end"])
            roles: dict[str, list[str]] = {"actors": [], "recipients": [], "locations": []}
            for field, role, entities in (
                ("actor", "actors", _entities(raw.get("actor"), "actor")),
                ("recipient", "recipients", _entities(raw.get("recipient"), "recipient")),
                ("event_loc", "locations", _event_location(raw.get("event_loc"))),
            ):
                for entity in entities:
                    mention = _entity_mention(entity, dictionary, article, window)
                    if mention["text"] is None and mention["canonical_id"] is None:
                        raise RecordError(
                            "an entity has neither text nor an id",
                            doc_id=doc_id,
                            record_id=event_id,
                            field=field,
                            value=entity,
                        )
                    key = (mention["canonical_id"], mention["text"], mention.get("start"))
                    if key not in doc["_keys"]:
                        mention["id"] = f"m{len(doc['mentions']) + 1}"
                        doc["mentions"].append(mention)
                        doc["_keys"][key] = mention["id"]
                    mid = doc["_keys"][key]
                    if mid not in roles[role]:
                        roles[role].append(mid)
            context = raw.get("context") or []
            if isinstance(context, str):
                context = [c.strip() for c in context.replace(";", ",").split(",") if c.strip()]
            date = raw.get("date")
            trigger = raw.get("trigger")
            doc["events"].append(
                {
                    "id": event_id,
                    "type": event_type.strip().upper(),
                    **({"trigger": {k: trigger[k] for k in ("start", "end", "text")}} if _is_span(trigger) else {}),
                    "mode": (str(raw["mode"]).strip().lower() or None) if raw.get("mode") else None,
                    "contexts": [str(c).strip().lower() for c in context],
                    "date": str(date)[:10] if date else None,
                    **roles,
                }
            )
        except RecordError as exc:
            raise exc.located(file=str(file), line=lineno) from exc
    for doc_id, doc in docs.items():
        doc.pop("_keys")
        try:
            annotation = parse_record(DocumentAnnotation, doc)
        except RecordError as exc:
            raise exc.located(file=str(file), line=first_line[doc_id]) from exc
        yield (str(file), first_line[doc_id]), annotation


# ---------------------------------------------------------------------------
# spaCy DocBin
# ---------------------------------------------------------------------------


def _read_docbin(
    file: Path, doc_key: str, ontology: Ontology | None
) -> Iterator[tuple[tuple[str, int | None], DocumentAnnotation]]:
    from eventgold.extractors.spacy_ner import DEFAULT_LABEL_MAP, _import_spacy, doc_mentions

    spacy = _import_spacy()
    from spacy.tokens import DocBin

    try:
        docbin = DocBin(store_user_data=True).from_disk(file)
    except Exception as exc:  # spaCy raises ValueError/KeyError/OSError on bad files
        raise InputError(f"{file}: not a readable spaCy DocBin: {exc}") from exc
    types = ontology.actor_type_names if ontology is not None else frozenset(ACTOR_TYPES)
    label_map = {**{t: t for t in types}, **DEFAULT_LABEL_MAP}
    vocab = spacy.blank("xx").vocab
    for number, doc in enumerate(docbin.get_docs(vocab), 1):
        where = f"{file} (doc #{number})"
        user_data = cast(dict[Any, Any], doc.user_data or {})
        doc_id = user_data.get(doc_key) or user_data.get("doc_id") or user_data.get("id")
        if not doc_id:
            raise RecordError(
                f"the doc has no article id in user_data[{doc_key!r}] (choose the key with "
                "--doc-key; write the DocBin with store_user_data=True)",
                file=where,
            )
        name = str(user_data.get("origin_name") or file.stem)
        try:
            annotation = DocumentAnnotation(
                doc_id=str(doc_id),
                origin=Origin(kind="extractor", name=name),
                mentions=doc_mentions(doc, label_map),
            )
        except ValueError as exc:
            raise RecordError(f"cannot convert the doc: {exc}", file=where, doc_id=str(doc_id)) from exc
        yield (where, None), annotation


__all__ = [
    "FORMATS",
    "Format",
    "detect_format",
    "gold_to_annotation",
    "read_predictions",
    "results_to_annotation",
]
