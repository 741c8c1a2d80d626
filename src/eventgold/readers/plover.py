"""PLOVER/POLECAT-style event records (JSONL) as DocumentAnnotations.

Read through :func:`eventgold.readers.read_predictions` (format ``plover``);
records are grouped into documents by ``doc_key`` (:func:`detect_plover_doc_key`).

A record's ``actor``, ``recipient`` and ``event_loc`` fill the ontology's roles
through its coder mapping (:mod:`eventgold.readers.plover_format`): an
``actor`` entity fills the first ``coder.source`` role the event type allows
(PLOVER: ``actor``), a ``recipient`` the first ``coder.target`` role, the
``event_loc`` the first ``coder.location`` role. An entity whose slot maps to no
role of the event type (an ontology without ``coder.target``, say), or that no
mention type fits, is left out and listed as a :class:`~eventgold.problems.Problem`
(or, when the caller collects none, summed up in one :class:`UnmappedEntityWarning`).
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeGuard

from eventgold.actors.dictionary import ActorDictionary
from eventgold.errors import EventgoldWarning, InputError, Option, RecordError
from eventgold.jsonl import iter_json_lines, parse_record
from eventgold.models import Article, DocumentAnnotation
from eventgold.ontology import Ontology
from eventgold.problems import Problem, summarize
from eventgold.readers.plover_format import entity_type, load_plover_format, role_for_slot


class UnmappedEntityWarning(EventgoldWarning):
    """Entities of PLOVER records were left out: no role or mention type of the ontology fits them."""


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
    ontology: Ontology,
    *,
    location: bool = False,
) -> tuple[dict[str, Any], str | None]:
    """The mention (as a dict) an entity object gives, and why it has no type when it has none.

    Its type: the event location's (``location``), else the dictionary entry's,
    else one from ``plover_format.yaml`` (:func:`~eventgold.readers.plover_format.entity_type`);
    the ``type`` eventgold's own export writes wins when the ontology has it.
    """
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
    code_only = bool(code) and not text
    actor_type: str | None
    canonical: str | None
    tried: tuple[str, ...] = ()
    if entry is not None and not location:
        actor_type, canonical = entry.type, entry.id
    else:
        actor_type, tried = entity_type(
            ontology, location=location, code_only=code_only, sector=str(sector) if sector else None
        )
        if entry is not None:
            canonical = entry.id
        elif code_only:
            canonical = str(code)
        else:
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
    if isinstance(own_type, str) and own_type in ontology.actor_type_names:
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
    untyped = None
    if mention["type"] is None:
        untyped = (
            f"no actor type of the ontology ({ontology.name}) fits the entity: tried "
            f"{', '.join(tried) or 'nothing'} (plover_format.yaml: names of actor types or of their ner_labels)"
        )
    return mention, untyped


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
            "start": value.get("start"),
            "end": value.get("end"),
        }
    ]


def _canonical_name(value: str, names: Any) -> str:
    """``value`` as the ontology spells it when it matches one of ``names`` but for case, else as given."""
    if value in names:
        return value
    folded = [n for n in names if n.casefold() == value.casefold()]
    return folded[0] if len(folded) == 1 else value


def _is_span(value: Any) -> TypeGuard[dict[str, Any]]:
    """Whether ``value`` is a ``{start, end, text}`` span object (eventgold's PLOVER export's ``trigger``)."""
    return (
        isinstance(value, dict)
        and isinstance(value.get("start"), int)
        and isinstance(value.get("end"), int)
        and isinstance(value.get("text"), str)
    )


def read_plover(
    file: Path,
    articles: Mapping[str, Article] | None,
    doc_key: str,
    dictionary: ActorDictionary | None,
    ontology: Ontology,
    problems: list[Problem] | None = None,
) -> Iterator[tuple[tuple[str, int | None], DocumentAnnotation]]:
    """The records of a PLOVER JSONL file grouped into DocumentAnnotations, with where each document starts.

    Format: PLOVER / POLECAT event records (https://github.com/openeventdata/PLOVER), one JSON
    object per line with ``event``, ``actor``/``recipient`` lists, ``mode``, ``context`` and
    optional ``text_info``; the fields are named in ``plover_format.yaml``.

    Args:
        file: the ``.jsonl`` file.
        articles: articles by id, to place offset-less actors in the text (None: no placing).
        doc_key: the record field (dotted for nested fields) holding the document id.
        dictionary: resolves actor names to canonical ids and types (None: names kept as they are).
        ontology: gives each entity its role through the coder mapping, and its mention type.
        problems: entities no role or mention type fits are appended here; without a list, one
            UnmappedEntityWarning sums them up.

    Returns:
        An iterator of ``((file, line), annotation)``: one annotation per document, ``line``
        being the line (from 1) of its first record; each record becomes one event.

    Raises:
        InputError: the file cannot be read.
        RecordError: invalid JSON, a record that is not an object, has no document key, or
            whose fields cannot become an event (with the line).
    """
    docs: dict[str, dict[str, Any]] = {}
    first_line: dict[str, int] = {}
    left_out: list[Problem] = []
    fmt = load_plover_format()
    fields, location_field = fmt.slot_fields(), fmt.fields.location
    for lineno, raw in iter_json_lines(file):
        try:
            if not isinstance(raw, dict):
                raise RecordError("a PLOVER record must be a JSON object")
            doc_value = _lookup(raw, doc_key)
            if doc_value in (None, ""):
                raise RecordError(
                    (f"the record has no document key {doc_key!r} (choose it with ", Option("doc_key"), ")"),
                    record_id=str(raw.get("id")) if raw.get("id") is not None else None,
                    field=doc_key,
                )
            doc_id = str(doc_value)
            event_type = raw.get("event")
            if not isinstance(event_type, str) or not event_type.strip():
                raise RecordError("the record has no event type", doc_id=doc_id, field="event")
            event_type = _canonical_name(event_type.strip(), sorted(ontology.event_type_names))
            event_id = raw.get("id")
            coder = str(raw.get("coder") or file.stem)
            doc = docs.setdefault(
                doc_id,
                {
                    "doc_id": doc_id,
                    "origin": {"kind": "extractor", "name": coder, "version": None},
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
            arguments: list[dict[str, str]] = []
            for slot, field in fields.items():
                is_location = field == location_field
                entities = _event_location(raw.get(field)) if is_location else _entities(raw.get(field), field)
                for entity in entities:
                    mention, untyped = _entity_mention(
                        entity, dictionary, article, window, ontology, location=is_location
                    )
                    if mention["text"] is None and mention["canonical_id"] is None:
                        raise RecordError(
                            "an entity has neither text nor an id",
                            doc_id=doc_id,
                            record_id=event_id,
                            field=field,
                            value=entity,
                        )
                    role, why_not = (
                        (None, untyped) if untyped else role_for_slot(ontology, slot, event_type, mention["type"])
                    )
                    if role is None:
                        name = mention["text"] or mention["canonical_id"]
                        left_out.append(
                            Problem(
                                snapshot=file.name,
                                doc_id=doc_id,
                                annotator=coder,
                                field=field,
                                problem=f"line {lineno}, event {event_id!r}: {field} {name!r} left out: {why_not}",
                                action=f"give the ontology's coder.{slot} a role of {event_type} that takes it, "
                                "or leave it out of the scoring",
                            )
                        )
                        continue
                    key = (mention["canonical_id"], mention["text"], mention.get("start"))
                    if key not in doc["_keys"]:
                        mention["id"] = f"m{len(doc['mentions']) + 1}"
                        doc["mentions"].append(mention)
                        doc["_keys"][key] = mention["id"]
                    argument = {"role": role, "mention": doc["_keys"][key]}
                    if argument not in arguments:
                        arguments.append(argument)
            context = raw.get("context") or []
            if isinstance(context, str):
                context = [c.strip() for c in context.replace(";", ",").split(",") if c.strip()]
            date = raw.get("date")
            trigger = raw.get("trigger")
            mode = str(raw["mode"]).strip() if raw.get("mode") else ""
            contexts = sorted(ontology.contexts)
            doc["events"].append(
                {
                    "id": event_id,
                    "type": event_type,
                    **({"trigger": {k: trigger[k] for k in ("start", "end", "text")}} if _is_span(trigger) else {}),
                    "mode": _canonical_name(mode.lower(), ontology.modes_of(event_type)) if mode else None,
                    "contexts": [_canonical_name(str(c).strip().lower(), contexts) for c in context],
                    "date": str(date)[:10] if date else None,
                    "arguments": arguments,
                }
            )
        except RecordError as exc:
            raise exc.located(file=str(file), line=lineno) from exc
    if left_out:
        if problems is not None:
            problems.extend(left_out)
        else:
            warnings.warn(
                f"{file}: entities left out, as no role or mention type of the ontology fits them: "
                + summarize(left_out),
                UnmappedEntityWarning,
                stacklevel=3,
            )
    for doc_id, doc in docs.items():
        doc.pop("_keys")
        try:
            annotation = parse_record(DocumentAnnotation, doc)
        except RecordError as exc:
            raise exc.located(file=str(file), line=first_line[doc_id]) from exc
        yield (str(file), first_line[doc_id]), annotation
