"""Dictionary upkeep: canonical ids annotators used that the actor dictionary lacks.

Annotators may type an id that is not in the candidate list (``actor_id_other``);
it is kept as typed. :func:`find_pending` lists those ids with how often they
were used, the types and surface forms given, and example contexts;
:func:`append_stubs` appends stub entries to ``actors.yaml`` as text (so the
file's comments and layout stay) for a person to complete.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eventgold.actors.dictionary import ID_SEPARATOR, ActorDictionary, load_actor_dictionary
from eventgold.errors import ConfigError, InputError, RecordError
from eventgold.fileio import atomic_write_text
from eventgold.jsonl import iter_json_lines, parse_record
from eventgold.models import Article, DocumentAnnotation, GoldDocument, check_annotation, check_gold
from eventgold.ontology import Ontology
from eventgold.problems import Problem
from eventgold.readers import gold_to_annotation
from eventgold.records_io import ANNOTATIONS, GOLD, DuplicateIdError, OneRecordPerId

CONTEXT_CHARS = 40


@dataclass
class PendingActor:
    """A canonical id in use that the dictionary lacks."""

    canonical_id: str
    count: int = 0
    documents: set[str] = field(default_factory=set)
    types: Counter[str] = field(default_factory=Counter)
    texts: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)
    sectors: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)


def read_annotated(
    path: str | Path, problems: list[Problem] | None = None, ontology: Ontology | None = None
) -> Iterator[tuple[DocumentAnnotation, Article | None]]:
    """Annotations (with their article when the source holds it) from gold or annotation files.

    A gold version folder (``manifest.json``) is read through its ``gold.jsonl``
    only; another folder or a ``.jsonl`` holds gold documents and/or
    DocumentAnnotations; a ``.json`` file is a Label Studio snapshot (``eventgold
    pull``), whose region problems are appended to ``problems`` when given.
    With ``ontology``, a gold document or annotation with a label it lacks is a
    RecordError naming its line.
    """
    file = Path(path)
    if not file.exists():
        raise InputError(f"{file}: file not found")
    if file.is_dir() and (file / "manifest.json").is_file():
        from eventgold.gold.dataset import read_gold_version

        for gold in read_gold_version(file, ontology).documents:
            yield gold_to_annotation(gold), gold.article
        return
    if file.is_file() and file.suffix == ".json":
        from eventgold.labelstudio.snapshot import read_snapshot, snapshot_files

        snapshot_files([file])  # a lone sidecar (x.json.meta.json) names the snapshot to pass
        snapshot = read_snapshot(file)
        if problems is not None:
            problems.extend(snapshot.problems)
        for annotation in snapshot.annotations:
            yield annotation, snapshot.articles.get(annotation.doc_id)
        return
    files = sorted(file.glob("*.jsonl")) if file.is_dir() else [file]
    if not files:
        raise InputError(f"{file}: the folder holds no *.jsonl files")
    golds, annotations = OneRecordPerId(GOLD), OneRecordPerId(ANNOTATIONS)
    for one in files:
        for lineno, raw in iter_json_lines(one):
            where = (str(one), lineno)
            try:
                if isinstance(raw, dict) and "article" in raw:
                    gold = parse_record(GoldDocument, raw)
                    if ontology is not None:
                        check_gold(gold, ontology)
                    if golds.admit(gold, where):
                        yield gold_to_annotation(gold), gold.article
                else:
                    annotation = parse_record(DocumentAnnotation, raw)
                    if ontology is not None:
                        check_annotation(annotation, ontology)
                    if annotations.admit(annotation, where):
                        yield annotation, None
            except DuplicateIdError:
                raise
            except RecordError as exc:
                raise exc.located(file=str(one), line=lineno) from exc.__cause__


def find_pending(
    annotated: Iterable[tuple[DocumentAnnotation, Article | None]],
    dictionary: ActorDictionary,
    *,
    articles: Mapping[str, Article] | None = None,
    max_examples: int = 3,
) -> list[PendingActor]:
    """Canonical ids used in ``annotated`` but missing from ``dictionary``, most used first."""
    found: dict[str, PendingActor] = {}
    for annotation, article in annotated:
        if annotation.cancelled:
            continue
        text = article.text if article is not None else None
        if text is None and articles is not None and annotation.doc_id in articles:
            text = articles[annotation.doc_id].text
        for m in annotation.mentions:
            cid = m.canonical_id
            if not cid or cid in dictionary:
                continue
            item = found.setdefault(cid, PendingActor(canonical_id=cid))
            item.count += 1
            item.documents.add(annotation.doc_id)
            item.types[m.type] += 1
            if m.text:
                item.texts[m.text] += 1
            if m.country:
                item.countries[m.country] += 1
            if m.sector:
                item.sectors[m.sector] += 1
            if len(item.examples) < max_examples:
                if text is not None and m.start is not None and m.end is not None:
                    lo, hi = max(0, m.start - CONTEXT_CHARS), min(len(text), m.end + CONTEXT_CHARS)
                    snippet = text[lo : m.start] + "[" + text[m.start : m.end] + "]" + text[m.end : hi]
                    example = f"{annotation.doc_id}: …{' '.join(snippet.split())}…"
                else:
                    example = f"{annotation.doc_id}: {m.text or cid}"
                if example not in item.examples:
                    item.examples.append(example)
    return sorted(found.values(), key=lambda p: (-p.count, p.canonical_id))


def _top(counter: Counter[str], allowed: Iterable[str] | None = None) -> str | None:
    allowed_set = set(allowed) if allowed is not None else None
    for value, _ in counter.most_common():
        if allowed_set is None or value in allowed_set:
            return value
    return None


def stub_text(pending: Iterable[PendingActor], ontology: Ontology) -> str:
    """YAML text for stub entries (JSON-quoted strings, valid YAML), one per pending id.

    An id whose mentions carry no type of ``ontology`` gets the type an untyped
    named entity gets (``entity_types.other`` in ``plover_format.yaml``, resolved
    against the ontology; else its first actor type).
    """
    from eventgold.readers.plover_format import load_plover_format, resolve_type

    fallback = resolve_type(load_plover_format().entity_types.other, ontology) or ontology.actor_types[0].name
    lines = [
        "",
        "# --- Added by `eventgold actors pending --add`: complete name,",
        "# aliases, type, country, sector (and wikidata if certain), then drop needs_review.",
    ]
    for item in pending:
        name = _top(item.texts) or item.canonical_id
        aliases = [t for t, _ in item.texts.most_common() if t != name][:10]
        actor_type = _top(item.types, ontology.actor_type_names) or fallback
        lines.append(f"{json.dumps(item.canonical_id, ensure_ascii=False)}:")
        lines.append(f"  name: {json.dumps(name, ensure_ascii=False)}")
        if aliases:
            lines.append(f"  aliases: {json.dumps(aliases, ensure_ascii=False)}")
        lines.append(f"  type: {actor_type}")
        country = _top(item.countries)
        if country and len(country) == 3 and country.isalpha() and country.isupper():
            lines.append(f"  country: {country}")
        sector = _top(item.sectors, ontology.sector_codes)
        if sector:
            lines.append(f"  sector: {sector}")
        lines.append("  needs_review: true")
    return "\n".join(lines) + "\n"


def append_stubs(
    path: str | Path,
    pending: list[PendingActor],
    ontology: Ontology,
) -> list[str]:
    """Append stubs for ``pending`` to the dictionary file as text; returns the ids added.

    Ids that cannot be dictionary keys (empty, holding '—') are skipped. The new
    file is checked by loading it before it replaces the old one (atomically).
    """
    file = Path(path)
    addable = [
        p
        for p in pending
        if p.canonical_id.strip() == p.canonical_id and p.canonical_id and ID_SEPARATOR.strip() not in p.canonical_id
    ]
    if not addable:
        return []
    try:
        current = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the actor dictionary: {exc}") from exc
    if current and not current.endswith("\n"):
        current += "\n"
    new_text = current + stub_text(addable, ontology)
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / file.name
        probe.write_text(new_text, encoding="utf-8")
        load_actor_dictionary(probe, ontology)  # raises ConfigError naming the problem
    atomic_write_text(file, new_text)
    return [p.canonical_id for p in addable]
