"""Readers: files and folders to raw records (one per article), before cleaning.

- ``.txt``/``.text``: the whole file is one article;
- ``.html``/``.htm``/``.xhtml``: trafilatura extracts the article body (scripts, styles,
  comments, ``<nav>``, ``<footer>`` and ``<aside>`` dropped) and the page's title, site
  name and canonical URL; ``<html lang>`` gives the language; the date is the raw value
  the page's metadata states (:func:`html_published`), never a date completed or guessed
  from the page (htmldate fills a missing day and rejects dates after today);
- ``.jsonl``/``.ndjson``: one JSON object per line; blank lines are skipped;
- ``.csv``/``.tsv``: Python's :mod:`csv`, streamed, every cell as a string; a ``.tsv`` is read
  without quote processing (one line per row) unless ``--quoting csv``, a ``.csv`` with RFC 4180
  quotes checked strictly; every row must have the header's number of cells (:class:`CsvOptions`).

JSONL keys and CSV columns are mapped by :class:`ColumnMap` (``--text-col`` ...); unmapped
fields are kept in ``meta["fields"]``. A CSV header must have every named column; a JSONL
line must have the text key, and lacking another named key just means that field is null.
Folders are walked in sorted order (hidden files and folders skipped; other file types
counted as ignored). Every problem is a :class:`~eventgold.ingest.errors.BadInput` naming
the file and line or row: a whole file's problem is raised, a single line's or row's is
yielded so the rest of the file can go on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from eventgold.errors import Option
from eventgold.ingest.delimited import (
    DELIMITERS,
    QUOTING_MODES,
    CsvOptions,
    read_csv,
    sniff_delimiter,
)
from eventgold.ingest.discovery import Discovery, discover
from eventgold.ingest.encoding import decode_bytes, detect_file_encoding, iter_lines
from eventgold.ingest.errors import SKIP_BAD, BadInput
from eventgold.ingest.html import extract_html, html_published, read_html
from eventgold.ingest.records import (
    DEFAULT_COLUMNS,
    FIELDS,
    FORMATS,
    ColumnMap,
    RawRecord,
    SourceFile,
    read_source_bytes,
    record_from_mapping,
)

__all__ = [
    "DEFAULT_COLUMNS",
    "DELIMITERS",
    "FIELDS",
    "FORMATS",
    "QUOTING_MODES",
    "ColumnMap",
    "CsvOptions",
    "Discovery",
    "RawRecord",
    "SourceFile",
    "discover",
    "extract_html",
    "html_published",
    "read_csv",
    "read_html",
    "read_jsonl",
    "read_source",
    "read_txt",
    "sniff_delimiter",
]


# ---------------------------------------------------------------------------
# whole-file formats
# ---------------------------------------------------------------------------


def read_txt(source: SourceFile, max_bytes: int) -> Iterator[RawRecord]:
    """A plain-text file as one article."""
    data = read_source_bytes(source, max_bytes)
    decoded = decode_bytes(data, source.display)
    yield RawRecord(source, decoded.text, decoded.encoding, size=len(data))


# ---------------------------------------------------------------------------
# record formats
# ---------------------------------------------------------------------------


def read_jsonl(source: SourceFile, columns: ColumnMap, max_bytes: int) -> Iterator[RawRecord | BadInput]:
    """One article per JSON object line; a bad line is yielded as BadInput, the rest goes on."""
    encoding = detect_file_encoding(source.path, source.display)
    cache: dict[tuple[str, ...], dict[str, str | None]] = {}
    for line in iter_lines(source.path, encoding, max_bytes):
        if line.too_long:
            yield BadInput(
                source.display,
                f"line is {line.size / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit for one article",
                line=line.number,
                hint=("raise the limit with ", Option("max_size"), ", or pass ", SKIP_BAD),
            )
            continue
        if line.text is None or not line.text.strip():
            continue
        try:
            obj = json.loads(line.text)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = f"column {exc.colno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "nested too deep"
            yield BadInput(source.display, f"invalid JSON at {detail}", line=line.number,
                           hint=("fix that line (each line must be one JSON object), or pass ", SKIP_BAD))
            continue
        if not isinstance(obj, dict):
            yield BadInput(source.display, f"expected a JSON object, got {type(obj).__name__}", line=line.number,
                           hint=("each line must be one JSON object with a text field, or pass ", SKIP_BAD))
            continue
        keys = tuple(obj)
        mapping = cache.get(keys)
        if mapping is None:
            try:
                mapping = columns.resolve(keys, source.display, line=line.number, strict=False)
            except BadInput as exc:
                yield exc
                continue
            if len(cache) < 64:
                cache[keys] = mapping
        yield record_from_mapping(source, obj, mapping, encoding, line=line.number, size=line.size)


def read_source(
    source: SourceFile, columns: ColumnMap, max_bytes: int, csv_options: CsvOptions | None = None
) -> Iterator[RawRecord | BadInput]:
    """The raw records of one input file, by its format (``csv_options`` for .csv/.tsv files)."""
    if source.fmt == "txt":
        yield from read_txt(source, max_bytes)
    elif source.fmt == "html":
        yield from read_html(source, max_bytes)
    elif source.fmt == "jsonl":
        yield from read_jsonl(source, columns, max_bytes)
    else:
        yield from read_csv(source, columns, max_bytes, csv_options)
