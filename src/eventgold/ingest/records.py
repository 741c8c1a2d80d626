"""The shared reader types: input files, raw records, the column mapping, record building."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventgold.errors import Message, Option, Part
from eventgold.ingest.errors import SKIP_BAD, BadInput

FORMATS: dict[str, str] = {
    ".txt": "txt",
    ".text": "txt",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
}
FIELDS = ("text", "title", "id", "url", "date", "source", "language")
# the names tried, in order, when no --*-col option names the column
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "full_text", "maintext"),
    "title": ("title", "headline"),
    "id": ("id", "doc_id", "article_id"),
    "url": ("url", "link"),
    "date": ("published", "date", "pub_date", "publish_date", "published_at", "date_publish"),
    "source": ("source", "source_name", "publisher", "site"),
    "language": ("language", "lang"),
}
# fields of an eventgold Article that are recomputed, not carried over, when a corpus is re-ingested
_RECOMPUTED = frozenset({"content_sha", "duplicate_of"})


@dataclass(frozen=True)
class ColumnMap:
    """Which JSONL key / CSV column holds each field; None tries :data:`DEFAULT_COLUMNS`."""

    text: str | None = None
    title: str | None = None
    id: str | None = None
    url: str | None = None
    date: str | None = None
    source: str | None = None
    language: str | None = None

    def resolve(
        self, keys: Sequence[str], path: str, *, line: int | None = None, kind: str = "field", strict: bool = True
    ) -> dict[str, str | None]:
        """Map each field to one of ``keys``; no text key is a BadInput, and so is a named key that
        is missing when ``strict`` (CSV headers; a JSONL line may simply lack an optional key)."""
        present = set(keys)
        out: dict[str, str | None] = {}
        for name in FIELDS:
            chosen: str | None = getattr(self, name)
            if chosen is not None:
                if chosen not in present:
                    if name == "text" or strict:
                        raise _missing_column(path, line, kind, name, chosen, keys)
                    out[name] = None
                    continue
                out[name] = chosen
            else:
                out[name] = next((k for k in DEFAULT_COLUMNS[name] if k in present), None)
        if out["text"] is None:
            raise _missing_column(path, line, kind, "text", None, keys)
        return out


def _missing_column(
    path: str, line: int | None, kind: str, name: str, chosen: str | None, keys: Sequence[str]
) -> BadInput:
    shown = ", ".join(repr(k) for k in list(keys)[:20]) or "none"
    if chosen is not None:
        reason: Message = (f"no {kind} {chosen!r} (named by ", Option(f"{name}_col"), f"); it has: {shown}")
        hint: tuple[Part, ...] = ("check the spelling of ", Option(f"{name}_col"), ", or pass ", SKIP_BAD)
    else:
        tried = ", ".join(DEFAULT_COLUMNS[name])
        reason = f"no text {kind} (tried {tried}); it has: {shown}"
        hint = ("name the text column with ", Option("text_col"), ", or pass ", SKIP_BAD)
    return BadInput(path, reason, line=line, hint=hint)


@dataclass(frozen=True)
class SourceFile:
    """One input file: where it is, how to show it, its id-giving relative path, its format."""

    path: Path
    display: str
    relative: str
    fmt: str
    size: int


@dataclass
class RawRecord:
    """One article as read, before normalisation and cleaning."""

    source: SourceFile
    text: str
    encoding: str
    line: int | None = None
    row: int | None = None
    size: int = 0
    given: dict[str, str | None] = field(default_factory=dict)
    html: dict[str, str | None] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def bad(self, reason: str, hint: Message | None = None) -> BadInput:
        """A BadInput located at this record."""
        if hint is None:
            return BadInput(self.source.display, reason, line=self.line, row=self.row)
        return BadInput(self.source.display, reason, line=self.line, row=self.row, hint=hint)


def _too_big(display: str, size: int, limit: int, what: str = "file") -> BadInput:
    return BadInput(
        display,
        f"{what} is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit for one article",
        hint=(
            "split it into one file per article (or a .jsonl/.csv, read line by line), raise the limit with ",
            Option("max_size"),
            ", or pass ",
            SKIP_BAD,
        ),
    )


def read_source_bytes(source: SourceFile, max_bytes: int) -> bytes:
    """The bytes of a whole-file input (a .txt or .html article), at most ``max_bytes`` of them.

    Args:
        source: the input file.
        max_bytes: the largest article accepted, in bytes.

    Returns:
        The file's content.

    Raises:
        BadInput: the file is over ``max_bytes`` (by its size or by what was read), or cannot be read.
    """
    if source.size > max_bytes:
        raise _too_big(source.display, source.size, max_bytes)
    try:
        with source.path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise BadInput(source.display, f"cannot read: {exc.strerror}", hint="check the permissions") from exc
    if len(data) > max_bytes:
        raise _too_big(source.display, len(data), max_bytes)
    return data


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def record_from_mapping(
    source: SourceFile,
    obj: dict[str, Any],
    mapping: dict[str, str | None],
    encoding: str,
    *,
    line: int | None = None,
    row: int | None = None,
    size: int = 0,
) -> RawRecord | BadInput:
    """One JSONL object or CSV row as a RawRecord, its fields picked by ``mapping``.

    Args:
        source: the file the object comes from.
        obj: the JSON object or the row (column name -> cell).
        mapping: article field (``text``, ``title``, ``id``, ...) -> key or column of ``obj``
            (None: not given); ``mapping["text"]`` must be set.
        encoding: the encoding the file was read with.
        line: the JSONL line number (1-based), or None for a CSV row.
        row: the CSV row number (1-based, header excluded), or None for a JSONL line.
        size: the object's size in bytes (the line's length; 0 when not measured).

    Returns:
        The RawRecord (keys not mapped and not recomputed go to ``extra``, a ``meta`` object to
        ``meta``), or a BadInput (returned, not raised) when the text is not a string or a mapped
        field is not a string or number.
    """
    text_key = mapping["text"]
    assert text_key is not None
    text = obj.get(text_key)
    if not isinstance(text, str):
        kind = "column" if row is not None else "field"
        got = "null" if text is None else type(text).__name__
        return BadInput(source.display, f"{kind} {text_key!r} must be a string of article text (got {got})",
                        line=line, row=row)
    given: dict[str, str | None] = {}
    for name in FIELDS[1:]:
        key = mapping[name]
        if key is None:
            given[name] = None
            continue
        value = obj.get(key)
        if not isinstance(value, str | int | float | bool | None):
            return BadInput(source.display, f"{key!r} must be a string or number (got {type(value).__name__})",
                            line=line, row=row)
        given[name] = _scalar(value)
    used = {k for k in mapping.values() if k is not None}
    extra: dict[str, Any] = {}
    meta: dict[str, Any] = {}
    for key, value in obj.items():
        if key in used or key in _RECOMPUTED:
            continue
        if key == "meta" and isinstance(value, dict):
            meta = value
            continue
        if value is None or value == "":
            continue
        extra[key] = value
    return RawRecord(source, text, encoding, line=line, row=row, size=size, given=given, extra=extra, meta=meta)
