"""PLOVER export: one PLOVER-style event record per gold event, JSONL per split.

Field names follow the PLOVER data-interchange specification (manual v0.8, see
``PLOVER.md``): ``id``, ``date``, ``actor`` and ``recipient`` (lists of entity
objects), ``event``, ``mode``, ``context``, ``event_text``, ``event_loc``,
``text_info``, ``quad_code``, ``coder``, ``coded_date``, ``comment``,
``cite_info``. PLOVER invites extra named fields; this export adds
``doc_id``, ``aux_modes`` (the event's flags) and ``trigger``.

Participants come from the event's arguments through the ontology's coder
mapping (:mod:`eventgold.readers.plover_format`, field names in
``plover_format.yaml``): ``actor`` lists the mentions of the ``coder.source``
roles, ``recipient`` those of the ``coder.target`` roles, and ``event_loc`` is
the first mention of a ``coder.location`` role (PLOVER: the roles actor,
recipient and location).
Arguments in roles the mapping leaves out have no PLOVER field; the export
counts them in a warning.

Entity objects (PLOVER's actor information object):

- ``code``: the actor's top-level code, its country (ISO 3166 alpha-3), from the
  gold mention or, failing that, the actor dictionary;
- ``sector``: PLOVER sector, from the mention or the dictionary;
- ``entity_text``: the mention's text;
- ``identifier_id``: the Wikidata QID, and ``identifier_text`` the dictionary's
  preferred name, when the mention's canonical id is in the actor dictionary
  (``label_config/actors.yaml``) with a QID;
- ``canonical_id`` (extra field): the gold canonical id; ``mention_id``, ``type``,
  ``start``/``end``: the gold mention and its offsets (null without offsets).

``id`` is ``<document id>:<event id>`` (gold event ids are derived from the
event itself, so ids stay stable between exports) and ``doc_id`` (extra field,
the key eventgold's PLOVER reader looks for first) the gold document id, so
``eventgold score --pred <split>.jsonl`` reads the export back with no options; ``date`` is the event's
date, else the article's publication date; ``event_text`` is the sentence
holding the trigger (widened to the trigger's own edges should they reach past
it) and ``text_info`` its sentence number and character offsets in the article
(the whole text, ``is_story``, when the event has no trigger); ``coded_date``
is the gold version's creation date, never the clock.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from eventgold.actors.dictionary import ActorDictionary, default_actors_path, load_actor_dictionary
from eventgold.errors import ConfigError, Option
from eventgold.export.layout import DocLayout
from eventgold.export.writer import ExportContext, FormatResult, dumps_line
from eventgold.models import GoldDocument, Mention
from eventgold.readers.plover_format import load_plover_format


def load_dictionary(ctx: ExportContext) -> tuple[ActorDictionary | None, list[str]]:
    """The actor dictionary for identifiers: the one given, else the default file when it exists."""
    if ctx.actors_path is not None:
        return load_actor_dictionary(ctx.actors_path, ctx.ontology), []
    path = default_actors_path()
    if not path.is_file():
        return None, [f"no actor dictionary at {path}: PLOVER identifiers (Wikidata QIDs) are left empty"]
    try:
        return load_actor_dictionary(path, ctx.ontology), []
    except ConfigError as exc:
        raise ConfigError(
            f"{exc} (the PLOVER export reads it for Wikidata QIDs; fix it or pass ", Option("actors"), ")"
        ) from exc


def entity(mention: Mention, text: str, dictionary: ActorDictionary | None) -> dict[str, Any]:
    """A PLOVER entity object for one gold mention."""
    entry = dictionary.get(mention.canonical_id) if dictionary and mention.canonical_id else None
    qid = entry.wikidata if entry else None
    return {
        "code": mention.country or (entry.country if entry else None),
        "sector": mention.sector or (entry.sector if entry else None),
        "entity_text": text[mention.start : mention.end] if mention.start is not None else mention.text,
        "identifier_id": qid,
        "identifier_text": entry.name if qid and entry else None,
        "canonical_id": mention.canonical_id,
        "mention_id": mention.id,
        "type": mention.type,
        "start": mention.start,
        "end": mention.end,
    }


def _location(mention: Mention, text: str, dictionary: ActorDictionary | None) -> dict[str, Any]:
    """PLOVER's event location object (geonames field names) for a location mention."""
    entry = dictionary.get(mention.canonical_id) if dictionary and mention.canonical_id else None
    return {
        "name": text[mention.start : mention.end] if mention.start is not None else mention.text,
        "cc3": mention.country or (entry.country if entry else None),
        "canonical_id": mention.canonical_id,
        "identifier_id": entry.wikidata if entry else None,
        "mention_id": mention.id,
        "start": mention.start,
        "end": mention.end,
    }


def _sentence_of(layout: DocLayout, start: int, end: int) -> tuple[int, int, int] | None:
    """(first sentence number, start, end offsets) of the sentences holding ``start..end``.

    The offsets are widened to the span itself when it reaches past its sentences
    (a trigger with trailing blanks), so the span always lies inside them.
    """
    tokens = layout.tokens
    spans = [(n, tokens[a].start, tokens[b - 1].end) for n, (a, b) in enumerate(layout.sentences)]
    hits = [s for s in spans if s[1] < max(end, start + 1) and start < s[2]]
    if not hits:  # an empty span: the sentence it touches
        hits = [s for s in spans if s[1] <= start <= s[2]]
    if not hits:
        return None
    return hits[0][0], min(hits[0][1], start), max(hits[-1][2], end)


def event_records(layout: DocLayout, ctx: ExportContext, dictionary: ActorDictionary | None) -> list[dict[str, Any]]:
    """The PLOVER records of one gold document, in gold event order."""
    doc: GoldDocument = layout.doc
    text = doc.article.text
    mentions = {m.id: m for m in doc.mentions}
    manifest = ctx.gold.manifest
    coder = ctx.ontology.coder
    fields = load_plover_format().fields
    records = []
    for e in doc.events:
        located = _sentence_of(layout, e.trigger.start, e.trigger.end) if e.trigger is not None else None
        if located is not None:
            number, s_start, s_end = located
            event_text = text[s_start:s_end]
            text_info: dict[str, Any] = {"sequence": number, "start": s_start, "end": s_end, "is_story": False}
        else:
            event_text = None
            text_info = {"sequence": None, "start": 0, "end": len(text), "is_story": True}
        location = next((mentions[i] for i in e.mentions_in(coder.location)), None)
        provenance = doc.provenance.get(e.id)
        comment = None
        if provenance is not None and (provenance.decision or provenance.annotators):
            comment = f"gold decision: {provenance.decision or 'n/a'}; annotators: " + (
                ", ".join(provenance.annotators) or "none"
            )
        date = e.date or doc.article.published
        records.append(
            {
                "id": f"{doc.doc_id}:{e.id}",
                "doc_id": doc.doc_id,
                "date": date.isoformat() if date else None,
                fields.source: [entity(mentions[i], text, dictionary) for i in e.mentions_in(coder.source)],
                fields.target: [entity(mentions[i], text, dictionary) for i in e.mentions_in(coder.target)],
                "event": e.type,
                "mode": e.mode,
                "aux_modes": list(e.flags),
                "context": list(e.contexts),
                "quad_code": ctx.ontology.quad_of(e.type),
                "event_text": event_text,
                fields.location: _location(location, text, dictionary) if location is not None else None,
                "trigger": (
                    {"text": e.trigger.text, "start": e.trigger.start, "end": e.trigger.end} if e.trigger else None
                ),
                "text_info": text_info,
                "cite_info": {
                    "corpus": f"eventgold gold {manifest.version}",
                    "citation": doc.doc_id,
                    "url": doc.article.url,
                    "title": doc.article.title,
                    "language": doc.article.language,
                    "publication": doc.article.source,
                    "version": manifest.version,
                },
                "coder": f"human annotators, adjudicated (eventgold gold {manifest.version})",
                "coded_date": manifest.created.date().isoformat() if manifest.created else None,
                "comment": comment,
            }
        )
    return records


def write(ctx: ExportContext, out: Path) -> FormatResult:
    """Write ``<split>.jsonl`` of PLOVER event records for every chosen split.

    Format: PLOVER / POLECAT event records (https://github.com/openeventdata/PLOVER), one JSON
    object per gold event with ``event``, ``mode``, ``context``, the ``actor``/``recipient``
    entity lists and ``event_loc`` filled through the ontology's coder mapping, and Wikidata ids
    from the actor dictionary; field names come from ``readers/plover_format.yaml``.

    Args:
        ctx: the export context (gold version, ontology, chosen splits, options).
        out: the folder being built (empty; swapped in by :func:`eventgold.export.run.export_gold`).

    Returns:
        Counts per split (``records``: event records written), warnings (roles no slot holds,
        a missing dictionary), and the actor dictionary used for the manifest.

    Raises:
        ConfigError: the actor dictionary cannot be read.
        OSError: a file cannot be written.
    """
    dictionary, warnings = load_dictionary(ctx)
    result = FormatResult(counts={}, warnings=warnings)
    result.extra_manifest["actor_dictionary"] = (
        {"path": dictionary.path.name if dictionary.path else None, "sha256": dictionary.sha256}
        if dictionary is not None
        else None
    )
    mapped = {*coder_roles(ctx)}
    unmapped: Counter[str] = Counter()
    extra_places = 0
    for split in ctx.splits:
        counts = ctx.base_counts(split)
        with open(out / f"{split}.jsonl", "w", encoding="utf-8", newline="\n") as fh:
            for doc in ctx.documents(split):
                layout = ctx.layout(doc)
                for record in event_records(layout, ctx, dictionary):
                    fh.write(dumps_line(record))
                    counts.records += 1
                unmapped.update(role for e in doc.events for role, _ in e.role_ids() if role not in mapped)
                extra_places += sum(max(0, len(e.mentions_in(ctx.ontology.coder.location)) - 1) for e in doc.events)
        result.counts[split] = counts
    if unmapped:
        result.warnings.append(
            f"{sum(unmapped.values())} argument(s) in roles the ontology's coder mapping leaves out have no PLOVER "
            "field and are not exported: " + ", ".join(f"{role} {n}" for role, n in sorted(unmapped.items()))
        )
    if extra_places:
        result.warnings.append(
            f"{extra_places} location argument(s) beyond an event's first are not exported "
            f"({load_plover_format().fields.location} holds one place)"
        )
    return result


def coder_roles(ctx: ExportContext) -> tuple[str, ...]:
    """The roles the PLOVER fields carry: the ontology's coder source, target and location roles."""
    coder = ctx.ontology.coder
    return (*coder.source, *coder.target, *coder.location)
