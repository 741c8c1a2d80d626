"""Dictionary upkeep: canonical ids annotators used that the actor dictionary lacks.

Annotators may type an id that is not in the candidate list (``actor_id_other``);
it is kept as typed. :func:`find_pending` lists those ids with how often they
were used, the types and surface forms given, and example contexts;
:func:`append_stubs` appends stub entries to ``actors.yaml`` as text (so the
file's comments and layout stay) for a person to complete.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eventgold.errors import ConfigError, InputError, RecordError
from eventgold.extractors.dictionary import ID_SEPARATOR, ActorDictionary, load_actor_dictionary
from eventgold.extractors.readers import gold_to_annotation, read_predictions
from eventgold.fileio import atomic_write_text
from eventgold.models import Article, DocumentAnnotation, GoldDocument, iter_json_lines, parse_record
from eventgold.ontology import Ontology

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


def read_annotated(path: str | Path) -> Iterator[tuple[DocumentAnnotation, Article | None]]:
    """Annotations (with their article when the source holds it) from gold or annotation files.

    A folder or ``.jsonl`` holds gold documents and/or DocumentAnnotations; a
    ``.json`` file is a Label Studio snapshot, read with
    ``eventgold.labelstudio.convert.read_snapshot`` when that exists, otherwise
    as Label Studio tasks with their annotations.
    """
    file = Path(path)
    if not file.exists():
        raise InputError(f"{file}: file not found")
    if file.is_file() and file.suffix == ".json":
        try:
            from eventgold.labelstudio import convert
        except ImportError:  # pragma: no cover - the Label Studio module is part of eventgold
            convert = None  # type: ignore[assignment]
        if convert is not None and hasattr(convert, "read_snapshot"):
            snapshot = convert.read_snapshot(file)
            for annotation in snapshot.annotations:
                yield annotation, snapshot.articles.get(annotation.doc_id)
            return
        for annotation in read_predictions(file, "labelstudio", include_annotations=True):
            yield annotation, None
        return
    files = sorted(file.glob("*.jsonl")) if file.is_dir() else [file]
    if not files:
        raise InputError(f"{file}: the folder holds no *.jsonl files")
    for one in files:
        for lineno, raw in iter_json_lines(one):
            try:
                if isinstance(raw, dict) and "article" in raw:
                    gold = parse_record(GoldDocument, raw)
                    yield gold_to_annotation(gold), gold.article
                else:
                    yield parse_record(DocumentAnnotation, raw), None
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
                    snippet = (
                        text[lo : m.start] + "[" + text[m.start : m.end] + "]" + text[m.end : hi]
                    )
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


def stub_text(pending: Iterable[PendingActor], ontology: Ontology, today: dt.date) -> str:
    """YAML text for stub entries (JSON-quoted strings, valid YAML), one per pending id."""
    lines = [
        "",
        f"# --- Added by `eventgold actors pending --add` on {today.isoformat()}: complete name,",
        "# aliases, type, country, sector (and wikidata if certain), then drop needs_review.",
    ]
    for item in pending:
        name = _top(item.texts) or item.canonical_id
        aliases = [t for t, _ in item.texts.most_common() if t != name][:10]
        actor_type = _top(item.types, ontology.actor_type_names) or "ORGANIZATION"
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
    *,
    today: dt.date | None = None,
) -> list[str]:
    """Append stubs for ``pending`` to the dictionary file as text; returns the ids added.

    Ids that cannot be dictionary keys (empty, holding '—') are skipped. The new
    file is checked by loading it before it replaces the old one (atomically).
    """
    file = Path(path)
    addable = [p for p in pending if p.canonical_id.strip() == p.canonical_id and p.canonical_id
               and ID_SEPARATOR.strip() not in p.canonical_id]
    if not addable:
        return []
    try:
        current = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read the actor dictionary: {exc}") from exc
    if current and not current.endswith("\n"):
        current += "\n"
    new_text = current + stub_text(addable, ontology, today or dt.date.today())
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / file.name
        probe.write_text(new_text, encoding="utf-8")
        load_actor_dictionary(probe, ontology)  # raises ConfigError naming the problem
    atomic_write_text(file, new_text)
    return [p.canonical_id for p in addable]
