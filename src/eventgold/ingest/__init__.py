"""Raw scraped articles to a clean, de-duplicated corpus of Articles with stable ids.

Library entry points (the CLI ``eventgold ingest`` is a thin layer over them):

- :func:`ingest` streams Articles from files and folders (``.txt``, ``.html``, ``.jsonl``,
  ``.csv``);
- :func:`ingest_to_file` writes them to a JSONL corpus atomically and returns an
  :class:`IngestSummary` (files read, articles written, duplicates, skipped inputs);
- :func:`normalize_whitespace`, :func:`clean_text` / :func:`load_rules`, :func:`read_header`,
  :func:`detect_language`, :func:`article_id`, :class:`Deduplicator` are the steps, usable
  on their own.

See ``cleaning`` for the whitespace rules every offset depends on, ``ids`` for identity,
``dedupe`` for duplicates and ``metadata`` for titles, dates, datelines and sources.
"""

from __future__ import annotations

from eventgold.ingest.cleaning import CleaningRules, clean_text, load_rules, normalize_whitespace
from eventgold.ingest.dedupe import Deduplicator
from eventgold.ingest.encoding import decode_bytes
from eventgold.ingest.errors import BadInput
from eventgold.ingest.ids import article_id, id_problem, normalize_id
from eventgold.ingest.metadata import detect_language, parse_date_string, read_header
from eventgold.ingest.options import IngestOptions, make_options
from eventgold.ingest.pipeline import Ingestor, ingest, ingest_to_file
from eventgold.ingest.readers import ColumnMap, CsvOptions, discover, extract_html, read_source
from eventgold.ingest.summary import DuplicateRecord, IngestSummary, SkippedInput

__all__ = [
    "BadInput",
    "CleaningRules",
    "ColumnMap",
    "CsvOptions",
    "Deduplicator",
    "DuplicateRecord",
    "IngestOptions",
    "IngestSummary",
    "Ingestor",
    "SkippedInput",
    "article_id",
    "clean_text",
    "decode_bytes",
    "detect_language",
    "discover",
    "extract_html",
    "id_problem",
    "ingest",
    "ingest_to_file",
    "load_rules",
    "make_options",
    "normalize_id",
    "normalize_whitespace",
    "parse_date_string",
    "read_header",
    "read_source",
]
