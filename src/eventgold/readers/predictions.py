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
  offsets unless their text can be placed in the article exactly. ``actor``,
  ``recipient`` and ``event_loc`` (with a ``name``) fill the roles the
  ontology's coder mapping puts in its source, target and location slots (see
  :mod:`eventgold.readers.plover`). What eventgold's own PLOVER
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
from typing import Literal

from eventgold.actors.dictionary import ActorDictionary
from eventgold.errors import InputError, Option, RecordError
from eventgold.jsonl import decode_line, iter_lines, parse_record, validate_line
from eventgold.labelstudio.convert import results_to_annotation
from eventgold.models import (
    Article,
    DocumentAnnotation,
    GoldDocument,
    OntologyCheck,
    Origin,
    check_against_article,
)
from eventgold.offsets import RepairedSpansWarning, Step, repair_spans
from eventgold.ontology import Ontology, load_ontology
from eventgold.problems import Problem
from eventgold.readers.docbin import read_docbin
from eventgold.readers.labelstudio import read_labelstudio
from eventgold.readers.plover import (
    DEFAULT_DOC_KEY,
    PLOVER_DOC_KEYS,
    detect_plover_doc_key,
    read_plover,
)
from eventgold.records_io import ANNOTATIONS, OneRecordPerId, RecordKind

Format = Literal["jsonl", "labelstudio", "plover", "docbin"]
FORMATS: tuple[Format, ...] = ("jsonl", "labelstudio", "plover", "docbin")


# ---------------------------------------------------------------------------
# detection and dispatch
# ---------------------------------------------------------------------------


def detect_format(path: str | Path) -> Format:
    """Guess the format of ``path``: folder or records with ``origin`` -> jsonl, ``.json`` ->
    labelstudio, ``.spacy`` -> docbin, records with ``event`` -> plover.

    Args:
        path: a predictions file or a folder of JSONL files.

    Returns:
        One of :data:`FORMATS`.

    Raises:
        InputError: the file is missing, unreadable, empty, or its first record fits no format.
    """
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
    raise InputError(f"{file}: cannot tell the predictions format; pass ", Option("format"), f" ({', '.join(FORMATS)})")


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
    problems: list[Problem] | None = None,
) -> Iterator[DocumentAnnotation]:
    """Read predictions in any supported format as DocumentAnnotations.

    ``articles`` (by id) lets offsets be checked against the text and lets
    offset-less PLOVER actors be placed; ``ontology`` checks labels, modes and
    contexts, and gives PLOVER records their roles (without it, the ontology of
    label_config/ maps them); ``dictionary`` resolves PLOVER actors to canonical ids and types.
    PLOVER entities no role fits are appended to ``problems`` (without a list, an
    UnmappedEntityWarning sums them up).
    ``include_annotations`` also yields the human annotations of Label Studio tasks.
    ``doc_key`` names the field holding the document id (dotted for nested
    fields); None detects it for PLOVER records (:func:`detect_plover_doc_key`)
    and means ``doc_id`` for the other formats.

    One annotation per document and origin (``one_per``; ``ONE_PER_DOCUMENT``
    for one extractor's file; a ``OneRecordPerId`` shared by several calls makes
    several files one set): two different ones raise DuplicateIdError naming
    both places, an exact repeat is read once with a RepeatedRecordWarning
    (see :mod:`eventgold.records_io`).

    Formats and their sources: ``jsonl`` (eventgold's DocumentAnnotation JSONL), ``labelstudio``
    (Label Studio task JSON, :func:`eventgold.readers.labelstudio.read_labelstudio`), ``plover``
    (PLOVER / POLECAT event records, :func:`eventgold.readers.plover.read_plover`), ``docbin``
    (spaCy DocBin, :func:`eventgold.readers.docbin.read_docbin`). Offsets are character offsets
    into the article text; spans that fit it only after an unambiguous repair (UTF-16, CRLF,
    whitespace) are repaired with one RepairedSpansWarning per file.

    Returns:
        An iterator of DocumentAnnotations in file order.

    Raises:
        InputError: the path is missing or unreadable, or the format is unknown or cannot be detected.
        RecordError: a record that cannot be read or does not fit its article or the ontology
            (with file, line or task number, document and field).
        DuplicateIdError: two different annotations for one document and origin.
        ConfigError: ``docbin`` without spaCy installed.
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
        stream = read_labelstudio(file, articles, doc_key, include_annotations, ontology)
    elif chosen == "plover":
        onto = ontology if ontology is not None else load_ontology()
        stream = read_plover(file, articles, doc_key, dictionary, onto, problems)
    else:
        stream = read_docbin(file, doc_key, ontology)
    seen = one_per if isinstance(one_per, OneRecordPerId) else OneRecordPerId(one_per)
    check = OntologyCheck(ontology) if ontology is not None else None
    repaired: Counter[str] = Counter()
    for where, annotation in stream:
        if not seen.admit(annotation, where):
            continue
        article = articles.get(annotation.doc_id) if articles is not None else None
        try:
            steps: list[Step] = []
            if article is not None:
                annotation, steps = repair_spans(annotation, article.text)
                repaired.update(step.kind for step in steps)
            if check is not None:
                check(annotation.doc_id, annotation.mentions, annotation.events, relevance=annotation.relevance)
            # without a repair, every span was found in the text as given: only the id is left to check
            if article is not None and (steps or article.id != annotation.doc_id):
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
    """eventgold's own JSONL: one DocumentAnnotation per line, or GoldDocument lines read as their annotation.

    Args:
        file: a ``.jsonl`` file, or a folder whose ``*.jsonl`` files are read in name order.

    Returns:
        An iterator of ``((file, line), annotation)`` (lines from 1).

    Raises:
        InputError: a folder without ``*.jsonl`` files, or a file that cannot be read.
        RecordError: a line that is not valid JSON or not a valid record (with file and line).
    """
    files = sorted(file.glob("*.jsonl")) if file.is_dir() else [file]
    if file.is_dir() and not files:
        raise InputError(f"{file}: the folder holds no *.jsonl files")
    for one in files:
        name = str(one)
        for lineno, line in iter_lines(one):
            # a DocumentAnnotation line is read in one pass; any other line (a GoldDocument, an error) as before
            annotation = validate_line(DocumentAnnotation, line)
            if annotation is None:
                raw = decode_line(line, name, lineno)
                try:
                    if isinstance(raw, dict) and "article" in raw:
                        annotation = gold_to_annotation(parse_record(GoldDocument, raw))
                    else:
                        annotation = parse_record(DocumentAnnotation, raw)
                except RecordError as exc:
                    raise exc.located(file=name, line=lineno) from exc.__cause__
            yield (name, lineno), annotation


__all__ = [
    "DEFAULT_DOC_KEY",
    "FORMATS",
    "PLOVER_DOC_KEYS",
    "Format",
    "detect_format",
    "detect_plover_doc_key",
    "gold_to_annotation",
    "read_predictions",
    "results_to_annotation",
]
