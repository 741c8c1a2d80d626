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

import csv
import json
import logging
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from eventgold.errors import ConfigError, InputError
from eventgold.ingest.deps import dependency_error, require_html
from eventgold.ingest.encoding import decode_bytes, detect_file_encoding, iter_lines
from eventgold.ingest.errors import BadInput

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
_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.IGNORECASE)


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
        reason = f"no {kind} {chosen!r} (named by --{name}-col); it has: {shown}"
        hint = f"check the spelling of --{name}-col, or pass --skip-bad"
    else:
        tried = ", ".join(DEFAULT_COLUMNS[name])
        reason = f"no text {kind} (tried {tried}); it has: {shown}"
        hint = "name the text column with --text-col, or pass --skip-bad"
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

    def bad(self, reason: str, hint: str | None = None) -> BadInput:
        """A BadInput located at this record."""
        if hint is None:
            return BadInput(self.source.display, reason, line=self.line, row=self.row)
        return BadInput(self.source.display, reason, line=self.line, row=self.row, hint=hint)


def _unsupported(path: Path) -> BadInput:
    return BadInput(
        str(path),
        f"unsupported file type {path.suffix or '(no extension)'!r}",
        hint="ingest reads .txt, .html, .jsonl and .csv files: rename or convert it, or pass --skip-bad",
    )


class Discovery:
    """The input files under some paths, found lazily in a stable (sorted) order.

    Folders are walked (files of a folder first, then its sub-folders, each sorted by name;
    hidden files and folders skipped; symbolic links to folders not followed). A named file
    with an unknown extension is a problem (:class:`BadInput`); inside folders such files
    are only counted in ``ignored``. An existing ``outputs`` file that would be read is refused
    up front (ConfigError), so an ingest never overwrites one of its inputs. Nothing is kept per
    file, so memory does not grow with the number of files.
    """

    def __init__(self, paths: Sequence[Path], *, outputs: Sequence[Path | str | None] = ()) -> None:
        """Check that every path exists (InputError otherwise); drop paths inside earlier folders.

        Raises ConfigError when one of ``outputs`` is a file this discovery would read.
        """
        self.ignored = 0
        self.found = 0
        self.paths: list[Path] = []
        folders: list[str] = []
        for given in paths:
            path = Path(given)
            if not path.exists():
                raise InputError(f"{path}: no such file or folder; check the path")
            real = os.path.realpath(path)
            if any(real == f or real.startswith(f + os.sep) for f in folders):
                continue
            if path.is_dir():
                folders.append(real)
            self.paths.append(path)
        for output in outputs:
            if output is not None and str(output) != "-":
                self._refuse_input(Path(output))

    def _refuse_input(self, output: Path) -> None:
        """ConfigError if the existing file ``output`` is one of the files :meth:`items` yields.

        Same rules as the walk, decided from the path alone (no folder is listed): a file
        named directly, or one under a given folder whose path below it has no hidden part
        and whose extension is read (the walk never follows links to folders, so a real path
        below the folder's real path is exactly what it visits).
        """
        if not output.is_file():
            return
        real = os.path.realpath(output)
        for path in self.paths:
            if not path.is_dir():
                if os.path.realpath(path) == real:
                    raise ConfigError(f"{output} is also an input ({path}); choose another output path")
                continue
            folder = os.path.realpath(path)
            if not real.startswith(folder + os.sep):
                continue
            parts = real[len(folder) + 1 :].split(os.sep)
            if any(part.startswith(".") for part in parts) or os.path.splitext(real)[1].lower() not in FORMATS:
                continue
            raise ConfigError(
                f"{output} is one of the inputs (a file in the input folder {path}); "
                "choose an output path outside the input folders"
            )

    def items(self) -> Iterator[SourceFile | BadInput]:
        """Every input file (or problem with a named file), in order."""
        self.ignored = 0
        self.found = 0
        for path in self.paths:
            if path.is_dir():
                for full, relative, size in self._walk(str(path), ""):
                    fmt = FORMATS.get(os.path.splitext(full)[1].lower())
                    if fmt is None:
                        self.ignored += 1
                        continue
                    self.found += 1
                    yield SourceFile(Path(full), full, relative, fmt, size)
            else:
                fmt = FORMATS.get(path.suffix.lower())
                if fmt is None:
                    yield _unsupported(path)
                    continue
                self.found += 1
                yield SourceFile(path, str(path), path.name, fmt, _size(path))

    def total_bytes(self) -> int:
        """The size of all input files (a second, cheap walk: for a progress bar)."""
        total = 0
        for path in self.paths:
            if path.is_dir():
                total += sum(
                    size for full, _, size in self._walk(str(path), "") if os.path.splitext(full)[1].lower() in FORMATS
                )
            elif path.suffix.lower() in FORMATS:
                total += _size(path)
        return total

    def _walk(self, folder: str, relative: str) -> Iterator[tuple[str, str, int]]:
        try:
            with os.scandir(folder) as it:
                entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            raise InputError(f"{folder}: cannot list the folder: {exc.strerror}") from exc
        subfolders = []
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry)
            elif entry.is_file() or (entry.is_symlink() and not os.path.exists(entry.path)):
                # a dangling link is yielded too: reading it fails with its name, never skipped silently
                try:
                    size = entry.stat().st_size
                except OSError:
                    size = 0
                yield entry.path, relative + entry.name, size
        for entry in subfolders:
            yield from self._walk(entry.path, f"{relative}{entry.name}/")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def discover(paths: Sequence[Path], *, outputs: Sequence[Path | str | None] = ()) -> Discovery:
    """The input files under ``paths`` (see :class:`Discovery`); a missing path raises InputError.

    An existing file of ``outputs`` that would be read is a ConfigError, raised before any reading.
    """
    return Discovery(paths, outputs=outputs)


# ---------------------------------------------------------------------------
# whole-file formats
# ---------------------------------------------------------------------------


def _too_big(display: str, size: int, limit: int, what: str = "file") -> BadInput:
    return BadInput(
        display,
        f"{what} is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit for one article",
        hint="split it into one file per article (or a .jsonl/.csv, read line by line), "
        "raise the limit with --max-size, or pass --skip-bad",
    )


def _read_bytes(source: SourceFile, max_bytes: int) -> bytes:
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


def read_txt(source: SourceFile, max_bytes: int) -> Iterator[RawRecord]:
    """A plain-text file as one article."""
    data = _read_bytes(source, max_bytes)
    decoded = decode_bytes(data, source.display)
    yield RawRecord(source, decoded.text, decoded.encoding, size=len(data))


def extract_html(html: str, display: str) -> dict[str, str | None]:
    """The article body and metadata of an HTML page, by trafilatura.

    Returns ``text``, ``title``, ``date``, ``sitename`` and ``url`` (any may be None but
    ``text``). Raises BadInput when the page has no article text or cannot be parsed.
    """
    trafilatura = require_html()
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            prune_xpath=["//nav", "//footer", "//aside"],
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (RecursionError, MemoryError) as exc:
        raise BadInput(display, f"cannot parse the HTML ({type(exc).__name__})") from exc
    except ImportError as exc:  # a part of trafilatura's stack imported lazily: what to install, not "unreadable"
        raise dependency_error(exc, "trafilatura", "reading .html files") from exc
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup; all mean "unreadable"
        raise BadInput(display, f"cannot parse the HTML: {type(exc).__name__}: {exc}") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not str(text).strip():
        raise BadInput(
            display,
            "no article text found in the HTML (only scripts, styles, navigation or boilerplate)",
            hint="check that it is a saved article page, or pass --skip-bad",
        )

    def attr(name: str) -> str | None:
        value = getattr(doc, name, None)
        return str(value).strip() or None if value else None

    return {
        "text": str(text),
        "title": attr("title"),
        "date": html_published(html),
        "sitename": attr("sitename"),
        "url": attr("url"),
    }


# <meta> names, properties and itemprops that state when a page was first published (after
# htmldate's list; modification dates are left out)
_PUBLISHED_META = frozenset({
    "article.created", "article.published", "article:post_date", "article:published",
    "article:published_date", "article:published_time", "article:publicationdate",
    "article_date_original", "bt:pubdate", "citation_date", "citation_publication_date",
    "content_create_date", "date", "date_created", "date_published", "datecreated",
    "dateposted", "datepublished", "dc.created", "dc.date", "dc.date.created", "dc.date.issued",
    "dc.date.publication", "dc:created", "dc:date", "dcterms.created", "dcterms.date",
    "dcterms.issued", "og:article:published", "og:article:published_time", "og:datepublished",
    "og:pubdate", "og:publish_date", "og:published_time", "originalpublicationdate",
    "parsely-pub-date", "pubdate", "publication_date", "publish-date", "publish_date",
    "publish_time", "published-date", "published_date", "published_time", "publisheddate",
    "publishdate", "rnews:datepublished", "sailthru.date", "vr:published_time",
})
_MAX_DATE_CHARS = 200


class _PublishedFinder(HTMLParser):
    """The raw publication-date values of a page, by kind: ``<meta>``, JSON-LD, ``<time>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[str] = []
        self.json_ld: list[str] = []
        self.time: list[str] = []
        self._script: list[str] | None = None
        self._time_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "meta":
            names = {a.get(k, "").lower() for k in ("name", "property", "itemprop", "http-equiv")}
            value = a.get("content") or a.get("datetime")
            if value and names & _PUBLISHED_META:
                self.meta.append(value)
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._script = []
        elif tag == "time" and (a.get("itemprop", "").lower() == "datepublished" or "pubdate" in a):
            if a.get("datetime"):
                self.time.append(a["datetime"])
            else:
                self._time_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if self._time_text is not None:
            self._time_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            try:
                found = _json_ld_published(json.loads("".join(self._script)))
            except ValueError:
                found = None
            if found:
                self.json_ld.append(found)
            self._script = None
        elif tag == "time" and self._time_text is not None:
            text = " ".join("".join(self._time_text).split())
            if text:
                self.time.append(text)
            self._time_text = None


def _json_ld_published(node: Any) -> str | None:
    """The first ``datePublished`` string in a JSON-LD document (depth first, ``@graph`` included)."""
    if isinstance(node, dict):
        value = node.get("datePublished")
        if isinstance(value, str) and value.strip():
            return value.strip()
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _json_ld_published(child)
        if found:
            return found
    return None


def html_published(html: str) -> str | None:
    """The publication date a page's metadata states, as written (None if it states none).

    The first of: a ``<meta>`` name, property or itemprop for the first publication
    (``article:published_time``, ``datePublished``, ``dc.date``, ``pubdate`` ...), JSON-LD
    ``datePublished``, a ``<time>`` marked ``itemprop="datePublished"`` or ``pubdate``. The
    value is returned raw: the pipeline reads it and keeps it when it is not a full date.
    """
    finder = _PublishedFinder()
    try:
        finder.feed(html)
        finder.close()
    except (AssertionError, ValueError):  # html.parser on badly broken markup: keep what was found
        pass
    for found in (finder.meta, finder.json_ld, finder.time):
        for value in found:
            value = " ".join(value.split())
            if value:
                return value[:_MAX_DATE_CHARS]
    return None


def read_html(source: SourceFile, max_bytes: int) -> Iterator[RawRecord]:
    """An HTML page as one article (its body, by trafilatura)."""
    data = _read_bytes(source, max_bytes)
    decoded = decode_bytes(data, source.display)
    found = extract_html(decoded.text, source.display)
    lang = _HTML_LANG.search(data[:4096])
    found["language"] = lang.group(1).decode("ascii").lower() if lang else None
    text = found.pop("text") or ""
    yield RawRecord(source, text, decoded.encoding, size=len(data), html=found)


# ---------------------------------------------------------------------------
# record formats
# ---------------------------------------------------------------------------


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | str):
        text = str(value).strip()
        return text or None
    return None


def _record_from_mapping(
    source: SourceFile,
    obj: dict[str, Any],
    mapping: dict[str, str | None],
    encoding: str,
    *,
    line: int | None = None,
    row: int | None = None,
    size: int = 0,
) -> RawRecord | BadInput:
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
                hint="raise the limit with --max-size, or pass --skip-bad",
            )
            continue
        if line.text is None or not line.text.strip():
            continue
        try:
            obj = json.loads(line.text)
        except (json.JSONDecodeError, RecursionError) as exc:
            detail = f"column {exc.colno}: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else "nested too deep"
            yield BadInput(source.display, f"invalid JSON at {detail}", line=line.number,
                           hint="fix that line (each line must be one JSON object), or pass --skip-bad")
            continue
        if not isinstance(obj, dict):
            yield BadInput(source.display, f"expected a JSON object, got {type(obj).__name__}", line=line.number,
                           hint="each line must be one JSON object with a text field, or pass --skip-bad")
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
        yield _record_from_mapping(source, obj, mapping, encoding, line=line.number, size=line.size)


# ---------------------------------------------------------------------------
# delimited files (.csv, .tsv)
# ---------------------------------------------------------------------------

QUOTING_MODES = ("auto", "csv", "none")
# the delimiters an automatic .csv header check chooses from (ties: the first)
DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_LINES = 100


@dataclass(frozen=True)
class CsvOptions:
    """How a ``.csv``/``.tsv`` file is split into rows and cells.

    ``delimiter``: one character, or None to choose by the file (a ``.tsv`` is tab-separated;
    a ``.csv`` header decides between comma, semicolon, tab and pipe, comma when it has none).
    ``quoting``: ``csv`` reads RFC 4180 quotes (a cell may be quoted with ``"``, holding
    delimiters, line breaks and ``""`` for a quote); ``none`` reads quote characters as text
    (TSV as most TSV writers intend: one line per row); ``auto`` is ``csv`` for ``.csv``
    files and ``none`` for ``.tsv`` files.
    """

    delimiter: str | None = None
    quoting: str = "auto"

    def quoted(self, source: SourceFile) -> bool:
        """Whether quotes are read as CSV quoting in ``source``."""
        if self.quoting == "auto":
            return source.path.suffix.lower() != ".tsv"
        return self.quoting == "csv"


def _kind(source: SourceFile) -> str:
    return "TSV" if source.path.suffix.lower() == ".tsv" else "CSV"


def sniff_delimiter(path: Path, encoding: str) -> str:
    """The delimiter of a ``.csv`` header: the most frequent of :data:`DELIMITERS` outside quotes.

    The header is the first non-blank line (of the first 100); no candidate in it means comma.
    """
    try:
        with open(path, encoding=encoding, newline="") as fh:
            for number, line in enumerate(fh):
                if line.strip() or number >= _SNIFF_LINES:
                    break
            else:
                return ","
    except (OSError, UnicodeDecodeError):
        return ","
    counts = dict.fromkeys(DELIMITERS, 0)
    inside = False
    for ch in line:
        if ch == '"':
            inside = not inside
        elif not inside and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first of equals
    return best if counts[best] else ","


def _header_names(cells: list[str]) -> list[str]:
    """Column names as pandas gives them: an empty name is ``Unnamed: i``, a repeated one ``name.1``."""
    names: list[str] = []
    taken: set[str] = set()
    for i, cell in enumerate(cells):
        base = cell if cell != "" else f"Unnamed: {i}"
        name, count = base, 0
        while name in taken:
            count += 1
            name = f"{base}.{count}"
        taken.add(name)
        names.append(name)
    return names


class _Lines:
    """A text file's physical lines for :mod:`csv`, remembering the last one (to tell quoted cells)."""

    def __init__(self, fh: Any) -> None:
        self._fh = fh
        self.last = ""

    def __iter__(self) -> Iterator[str]:
        for line in self._fh:
            self.last = line
            yield line


@dataclass
class _Row:
    """One record of a delimited file: its cells and the physical lines it spans."""

    cells: list[str]
    first: int
    last: int

    @property
    def lines(self) -> str:
        return f"line {self.first}" if self.first == self.last else f"lines {self.first}-{self.last}"


class _Unreadable(Exception):
    """A record :mod:`csv` refused: where it started, where it stopped, why; ``fatal`` if the rest is lost."""

    def __init__(self, first: int, last: int, message: str, fatal: bool) -> None:
        super().__init__(message)
        self.first, self.last, self.message, self.fatal = first, last, message, fatal


class _DelimitedReader:
    """Records of a delimited file with the physical lines each spans; :mod:`csv`, strict about quotes."""

    def __init__(self, fh: Any, delimiter: str, quoted: bool, max_chars: int) -> None:
        self._lines = _Lines(fh)
        self.quoted = quoted
        self._limit = max_chars + 1
        self._reader = csv.reader(
            self._lines,
            delimiter=delimiter,
            quotechar='"',
            doublequote=True,
            quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE,
            strict=True,
        )

    def next(self) -> _Row | None:
        """The next non-blank record, None at the end; raises :class:`_Unreadable`."""
        while True:
            first = self._reader.line_num + 1
            old = csv.field_size_limit(self._limit)  # the limit is global: set only while parsing
            try:
                cells = next(self._reader, None)
            except csv.Error as exc:
                last = self._reader.line_num
                message = str(exc)
                too_big = "field limit" in message
                # only after a cell over the limit on one line without quotes does the next line start
                # a new row for sure; after a quote error no one can tell where the broken row ends
                one_line = first == last and '"' not in self._lines.last
                fatal = not (too_big and (one_line or not self.quoted))
                raise _Unreadable(first, last, message, fatal) from exc
            finally:
                csv.field_size_limit(old)
            if cells is None:
                return None
            # blank lines are skipped (as pandas does), and count for no row
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            return _Row(cells, first, self._reader.line_num)


def _unreadable_row(
    source: SourceFile, error: _Unreadable, row: int, delimiter: str, quoted: bool, max_bytes: int
) -> BadInput:
    """The BadInput for a record :mod:`csv` refused (``row``: the data row it would have been)."""
    kind = _kind(source)
    where = f"line {error.first}" if error.first == error.last else f"lines {error.first}-{error.last}"
    rest = "; the rest of the file is not read" if error.fatal else ""
    if "field limit" in error.message:
        reason = (
            f"a cell on {where} is over the {max_bytes / 1e6:g} MB limit for one article"
            + (" (or a quote opened there never closes)" if quoted else "")
            + rest
        )
        return BadInput(source.display, reason, row=row,
                        hint="raise the limit with --max-size, fix the quoting, or pass --skip-bad")
    name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    if "unexpected end of data" in error.message:
        reason = (
            f"malformed {kind}: a quote opened in the row starting on line {error.first} never closes: "
            "the file ends inside it"
            + (f" ({where} would be one cell)" if error.first != error.last else "")
            + rest
        )
    elif "expected after" in error.message:
        reason = (
            f"malformed {kind}: a quoted cell in the row starting on line {error.first} does not close properly: "
            f"on line {error.last} a quote is followed by text, not by a {name} or the line's end"
            + (f" ({where} would be one cell)" if error.first != error.last else "")
            + rest
        )
    else:
        reason = f"malformed {kind} on {where}: {error.message}{rest}"
    hint = 'fix the quotes of that row (a quote inside a quoted cell is written twice: "")'
    if kind == "TSV" or delimiter == "\t":
        hint += "; if quote characters are plain text in this file, pass --quoting none"
    return BadInput(source.display, reason, row=row, hint=hint + "; or pass --skip-bad")


def _wrong_width(source: SourceFile, row: _Row, number: int, width: int, delimiter: str, quoted: bool) -> BadInput:
    name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    got = len(row.cells)
    reason = (
        f"{got} cell(s) on {row.lines} but the header has {width} ({name}-separated"
        + (", quotes read as CSV quoting)" if quoted else ", quotes read as text)")
    )
    if quoted:
        hint = (f"a cell holding a {name} must be quoted; check the delimiter (--delimiter) and the quotes "
                "of that row, or pass --skip-bad")
    else:
        hint = ("each line is one row when quotes are read as text: if this file quotes cells that hold "
                f"line breaks or {name}s, pass --quoting csv; else fix that row, or pass --skip-bad")
    return BadInput(source.display, reason, row=number, hint=hint)


def read_csv(
    source: SourceFile, columns: ColumnMap, max_bytes: int, options: CsvOptions | None = None
) -> Iterator[RawRecord | BadInput]:
    """One article per row of a ``.csv``/``.tsv`` file (see :class:`CsvOptions`); streamed.

    Rows are never merged or split in silence: every row must have as many cells as the
    header (a row that has not is yielded as a BadInput and the rest goes on), and with
    CSV quoting a quote must close where RFC 4180 says (a quote that never closes, or
    closes in the middle of a cell, is a BadInput naming the row and lines; the rest of the
    file cannot be told apart from that cell and is not read). Rows are numbered from 1
    below the header; blank lines are skipped and count for no row.
    """
    options = options or CsvOptions()
    encoding = detect_file_encoding(source.path, source.display)
    delimiter = options.delimiter or ("\t" if source.path.suffix.lower() == ".tsv" else
                                      sniff_delimiter(source.path, encoding))
    quoted = options.quoted(source)
    kind = _kind(source)
    try:
        fh = open(source.path, encoding=encoding, newline="")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        raise BadInput(source.display, f"cannot read: {exc.strerror}", hint="check the permissions") from exc
    with fh:
        reader = _DelimitedReader(fh, delimiter, quoted, max_bytes)
        try:
            head = reader.next()
        except _Unreadable as exc:
            raise BadInput(source.display, f"cannot read the {kind} header: {exc.message}",
                           hint="fix the header line, or pass --skip-bad") from exc
        except UnicodeDecodeError as exc:
            raise BadInput(source.display, f"cannot read the {kind} header: {exc}") from exc
        if head is None:
            raise BadInput(source.display, "no header row (the file has no data)",
                           hint="remove it, or pass --skip-bad")
        names = _header_names(head.cells)
        mapping = columns.resolve(names, source.display, kind="column")
        rows = 0
        while True:
            try:
                row = reader.next()
            except _Unreadable as exc:
                rows += 1
                bad = _unreadable_row(source, exc, rows, delimiter, quoted, max_bytes)
                if exc.fatal:
                    raise bad from exc
                yield bad
                continue
            except UnicodeDecodeError as exc:
                raise BadInput(source.display, f"cannot read the {kind} after row {rows}: {exc}") from exc
            if row is None:
                break
            rows += 1
            if len(row.cells) != len(names):
                yield _wrong_width(source, row, rows, len(names), delimiter, quoted)
                continue
            obj: dict[str, Any] = dict(zip(names, row.cells, strict=True))
            yield _record_from_mapping(source, obj, mapping, encoding, row=rows, size=0)
    if rows == 0:
        raise BadInput(source.display, "no rows under the header", hint="remove it, or pass --skip-bad")


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
