"""JSONL reading and writing for eventgold's records (moved out of :mod:`eventgold.models`).

:func:`iter_json_lines` streams strict JSON lines; :func:`parse_record` turns
one value into a record or a :class:`~eventgold.errors.RecordError`;
:func:`read_line` reads one line (from :func:`iter_lines`) as a record, validating
the whole line in one pass (:func:`validate_line`) and taking the slow path
(:func:`decode_line`, :func:`parse_record`) only to word an error;
:func:`read_jsonl` and :func:`write_jsonl` read and write whole files;
:func:`read_json_list` reads a file holding one JSON list (Label Studio's
exports and tasks files). :mod:`eventgold.models` re-exports the record readers and writers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from eventgold.errors import InputError, RecordError
from eventgold.fileio import atomic_open, read_input
from eventgold.migrations import LegacyFieldError

R = TypeVar("R", bound=BaseModel)


def _validation_to_record_error(exc: ValidationError, raw: Any) -> RecordError:
    err = exc.errors()[0]
    loc = ".".join(str(x) for x in err["loc"])
    doc_id = None
    if isinstance(raw, dict):
        doc_id = raw.get("doc_id") or raw.get("id")
        if doc_id is None and isinstance(raw.get("article"), dict):
            doc_id = raw["article"].get("id")
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check its spelling against the record's fields)"
    elif err["type"] == "missing":
        msg = "required field is missing"
    has_value = err["type"] != "missing"
    value = err.get("input") if has_value and not isinstance(err.get("input"), dict) else None
    record_id = None
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, LegacyFieldError):  # a schema 1.0 role list: name the field inside the event
        loc = f"{loc}.{cause.field}" if loc else cause.field
        value, record_id = cause.value, cause.record_id
    return RecordError(
        msg,
        doc_id=str(doc_id) if doc_id is not None else None,
        record_id=record_id,
        field=loc or None,
        value=value,
    )


def parse_record(model: type[R], raw: Any) -> R:
    """Validate one decoded JSON value as ``model``, raising RecordError on failure."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _validation_to_record_error(exc, raw) from exc


class NonFiniteNumber(ValueError):
    """``NaN``, ``Infinity`` or ``-Infinity`` met in JSON text (the name is the message)."""


def refuse_nonfinite(name: str) -> Any:
    """A ``parse_constant`` for :func:`json.loads` that makes its JSON strict (RFC 8259).

    Args:
        name: the constant Python's ``json`` met: ``NaN``, ``Infinity`` or ``-Infinity``.

    Raises:
        NonFiniteNumber: always, with ``name`` as its message.
    """
    raise NonFiniteNumber(name)


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Stream ``(line number, line text)`` of the non-blank lines of a JSONL file (lines from 1).

    The lines are not parsed (see :func:`decode_line`). A missing file is an
    InputError; text that is not UTF-8 a RecordError with ``file:line``, as
    :func:`iter_json_lines` says them.

    Args:
        path: a UTF-8 text file (lines split as Python's text files split them).

    Returns:
        An iterator of ``(line number, line)`` pairs, each line with its line break.

    Raises:
        InputError: the file is missing or cannot be opened.
        RecordError: the file is not UTF-8 text.
    """
    file = Path(path)
    try:
        fh = file.open("r", encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{file}: file not found") from exc
    except OSError as exc:
        raise InputError(f"{file}: cannot open: {exc.strerror}") from exc
    with fh:
        lineno = 0
        while True:
            try:
                line = fh.readline()
            except UnicodeDecodeError as exc:
                raise RecordError(
                    f"not UTF-8 text (byte {exc.start} of the line)", file=str(file), line=lineno + 1
                ) from exc
            if not line:
                return
            lineno += 1
            if not line.strip():
                continue
            yield lineno, line


def decode_line(line: str, file: str, lineno: int) -> Any:
    """The JSON value one line holds, read strictly (no ``NaN`` or ``Infinity``).

    Args:
        line: one line of a JSONL file (from :func:`iter_lines`).
        file: the file's name, for the message.
        lineno: the line's number, for the message.

    Returns:
        The decoded value.

    Raises:
        RecordError: the line is not JSON, or holds a non-finite number (``file:line``).
    """
    try:
        return json.loads(line, parse_constant=refuse_nonfinite)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON at column {exc.colno}: {exc.msg}", file=file, line=lineno) from exc
    except NonFiniteNumber as exc:
        raise RecordError(
            f"{exc} is not a JSON number (strict JSON has no NaN or Infinity); "
            "write null for a missing value, or a finite number",
            file=file,
            line=lineno,
        ) from exc


def iter_json_lines(path: str | Path) -> Iterator[tuple[int, Any]]:
    """Stream ``(line number, parsed JSON)`` from a JSONL file, skipping blank lines.

    A missing file is an InputError; a line that is not UTF-8 or not JSON a
    RecordError with ``file:line`` — every JSONL reader shares these messages.
    JSON is read strictly: ``NaN``, ``Infinity`` and ``-Infinity`` (which
    Python's ``json`` accepts, but RFC 8259 and other tools do not) are refused
    with the file and line, rather than read as numbers no metric can use.
    """
    file = str(Path(path))
    for lineno, line in iter_lines(path):
        yield lineno, decode_line(line, file, lineno)


def validate_line(model: type[R], line: str) -> R | None:
    """``line`` read as ``model`` in one pass (pydantic-core), or None when it is not one as it stands.

    The fast path of the JSONL readers: None means "take the slow path"
    (:func:`decode_line` then :func:`parse_record`), which accepts what this
    accepts, reads it to an equal record, and alone words the errors. Lines
    that may hold ``NaN`` or ``Infinity`` (refused by the slow path) and lines
    pydantic refuses for any reason are None.

    Args:
        model: the record type.
        line: one JSONL line.

    Returns:
        The record, or None.
    """
    if "NaN" in line or "Infinity" in line:
        return None
    try:
        return model.model_validate_json(line)
    except Exception:  # any refusal is worded by the slow path
        return None


def read_line(model: type[R], line: str, file: str, lineno: int, *, one_pass: bool = True) -> R:
    """One JSONL line as a record of ``model``, with the messages of :func:`iter_json_lines` and :func:`parse_record`.

    Args:
        model: the record type.
        line: one line of ``file`` (from :func:`iter_lines`).
        file: the file's name, for messages.
        lineno: the line's number, for messages.
        one_pass: try :func:`validate_line` first. Only for models that pydantic reads alike
            from JSON text and from decoded JSON (eventgold's records; a model in strict mode,
            for one, reads dates from JSON text but not from decoded strings).

    Returns:
        The record.

    Raises:
        RecordError: the line is not JSON or not a valid record (with ``file:line``).
    """
    record = validate_line(model, line) if one_pass else None
    if record is not None:
        return record
    raw = decode_line(line, file, lineno)
    try:
        return parse_record(model, raw)
    except RecordError as exc:
        raise exc.located(file=file, line=lineno) from exc.__cause__


@dataclass(frozen=True)
class JsonListFile:
    """What :func:`read_json_list` says about one kind of JSON-list file (each message follows ``<path>: ``)."""

    what: str
    """The file in ``cannot read <what>: <reason>`` (``"the snapshot"``)."""
    not_found: str
    """The message for a file that does not exist."""
    folder: str
    """What to do when the path is a folder (after ``is a folder; ``)."""
    invalid: str
    """What to do about text that is not JSON (after ``not valid JSON (<reason>); ``)."""
    not_a_list: str
    """The message for JSON that is not a list."""
    strict: str | None = None
    """What to do about ``NaN`` or ``Infinity`` (after ``<name> is not a JSON number; ``);
    None reads them as Python floats."""
    encoding: str | None = None
    """The file's encoding; None detects UTF-8, -16 or -32 as :func:`json.loads` does on bytes."""


def read_json_list(path: Path, kind: JsonListFile) -> list[Any]:
    """The JSON list a file holds (its items unchecked), or one InputError line from ``kind``'s messages.

    Args:
        path: a JSON file in ``kind.encoding``.
        kind: the messages for this kind of file, and whether ``NaN``/``Infinity`` are refused.

    Returns:
        The decoded list.

    Raises:
        InputError: the file is missing, a folder, unreadable, not JSON (``path:line``),
            holds a non-finite number under ``kind.strict``, or is not a list.
    """
    constant = refuse_nonfinite if kind.strict is not None else None

    def parse(file: Path) -> Any:
        text = file.read_text(encoding=kind.encoding) if kind.encoding else file.read_bytes()
        return json.loads(text, parse_constant=constant)

    try:
        raw = read_input(
            path,
            parse,
            what=kind.what,
            not_found=kind.not_found,
            folder=kind.folder,
        )
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); {kind.invalid}") from exc
    except NonFiniteNumber as exc:
        raise InputError(f"{path}: {exc} is not a JSON number; {kind.strict}") from exc
    if not isinstance(raw, list):
        raise InputError(f"{path}: {kind.not_a_list}")
    return raw


def read_jsonl(path: str | Path, model: type[R], *, one_per_id: bool = True) -> Iterator[R]:
    """Stream records of ``model`` from a JSONL file, one line at a time.

    Blank lines are skipped. Any bad line raises RecordError with ``file:line``.
    Articles, GoldDocuments and DocumentAnnotations are read one per id
    (:func:`eventgold.records_io.read_records`): two different records with
    one id are a DuplicateIdError naming both lines, an exact repeat is read
    once with a RepeatedRecordWarning. ``one_per_id=False`` reads every line
    as it is (for tools that inspect a file, not for verbs that use it).
    """
    if one_per_id:
        from eventgold.records_io import read_records  # records_io builds on this module

        yield from read_records(path, model)
        return
    from eventgold.records_io import record_kind  # records_io builds on this module

    one_pass = record_kind(model) is not None  # eventgold's records: read alike from text and decoded JSON
    file = str(Path(path))  # JSON errors name the file as iter_json_lines does, record errors as given
    for lineno, line in iter_lines(path):
        record = validate_line(model, line) if one_pass else None
        if record is None:
            raw = decode_line(line, file, lineno)
            try:
                record = parse_record(model, raw)
            except RecordError as exc:
                raise exc.located(file=str(path), line=lineno) from exc.__cause__
        yield record


def dump_record(record: BaseModel) -> str:
    """One record as a compact JSON line (no trailing newline); None fields kept."""
    return record.model_dump_json()


def write_jsonl(path: str | Path, records: Iterable[BaseModel]) -> int:
    """Write records to ``path`` as JSONL, atomically; returns how many were written."""
    count = 0
    with atomic_open(path, "w") as fh:
        for record in records:
            fh.write(dump_record(record))
            fh.write("\n")
            count += 1
    return count
