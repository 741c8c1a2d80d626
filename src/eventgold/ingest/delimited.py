"""The delimited (.csv, .tsv) reader: streamed rows, strict quoting and widths."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventgold.errors import Option, Part
from eventgold.ingest.encoding import detect_file_encoding
from eventgold.ingest.errors import SKIP_BAD, BadInput
from eventgold.ingest.records import ColumnMap, RawRecord, SourceFile, record_from_mapping

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
                        hint=("raise the limit with ", Option("max_size"), ", fix the quoting, or pass ", SKIP_BAD))
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
    hint: tuple[Part, ...] = ('fix the quotes of that row (a quote inside a quoted cell is written twice: "")',)
    if kind == "TSV" or delimiter == "\t":
        hint += ("; if quote characters are plain text in this file, pass ", Option("quoting_none"))
    return BadInput(source.display, reason, row=row, hint=(*hint, "; or pass ", SKIP_BAD))


def _wrong_width(source: SourceFile, row: _Row, number: int, width: int, delimiter: str, quoted: bool) -> BadInput:
    name = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    got = len(row.cells)
    reason = (
        f"{got} cell(s) on {row.lines} but the header has {width} ({name}-separated"
        + (", quotes read as CSV quoting)" if quoted else ", quotes read as text)")
    )
    hint: tuple[Part, ...]
    if quoted:
        hint = (f"a cell holding a {name} must be quoted; check the delimiter (", Option("delimiter"),
                ") and the quotes of that row, or pass ", SKIP_BAD)
    else:
        hint = ("each line is one row when quotes are read as text: if this file quotes cells that hold "
                f"line breaks or {name}s, pass ", Option("quoting_csv"), "; else fix that row, or pass ", SKIP_BAD)
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
                           hint=("fix the header line, or pass ", SKIP_BAD)) from exc
        except UnicodeDecodeError as exc:
            raise BadInput(source.display, f"cannot read the {kind} header: {exc}") from exc
        if head is None:
            raise BadInput(source.display, "no header row (the file has no data)",
                           hint=("remove it, or pass ", SKIP_BAD))
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
            yield record_from_mapping(source, obj, mapping, encoding, row=rows, size=0)
    if rows == 0:
        raise BadInput(source.display, "no rows under the header", hint=("remove it, or pass ", SKIP_BAD))
