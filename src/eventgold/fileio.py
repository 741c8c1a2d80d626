"""Safe file writing: every output is written to a temporary file, then renamed.

A crash, a full disk or a user error half-way never leaves a truncated output
behind, and an earlier output stays intact until the new one is complete.

An output path that is a symbolic link is followed (:func:`output_target`):
the file or folder it points to is written, atomically, next to that target,
and the link itself is left as it is — also when it points to nothing yet.
A link that loops, or a file output whose link points to a folder, is refused
with a :class:`~eventgold.errors.ConfigError`.

Reading goes the other way in one place too: :func:`read_input` turns a missing,
folder or unreadable input file into one line naming it.

Every JSON the tool writes goes through :func:`json_text`: strict JSON that
any parser reads (RFC 8259 has no NaN or Infinity; Python's ``json`` would
write them), with non-finite floats written as ``null``; a pydantic model
(a score report) is encoded by pydantic-core in one pass.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

from eventgold.errors import ConfigError, InputError, UserError

T = TypeVar("T")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def output_target(path: str | Path) -> Path:
    """Where an output named ``path`` is written: ``path``, or what the symbolic link ``path`` points to.

    Links are followed through every hop (relative links from their own
    folder), so writing the result replaces the link's target and keeps the
    link; a dangling link gives the path it names, which the writer creates.
    A link that loops is a ConfigError naming it.
    """
    p = Path(path)
    if not p.is_symlink():
        return p
    real = Path(os.path.realpath(p))
    if real.is_symlink():  # realpath stops where links loop
        raise ConfigError(f"{p} is a symbolic link that loops ({real}); point it somewhere or remove it")
    return real


@contextlib.contextmanager
def atomic_open(path: str | Path, mode: str = "w", *, perms: int | None = None) -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success rename it over ``path``.

    On any exception the temporary file is removed and ``path`` is untouched.
    ``perms`` sets the file mode (e.g. ``0o600`` for credentials) before any
    content is written; by default the mode is what ``open`` would give (0666
    less the umask). A ``path`` that is a symbolic link is followed: its target
    is replaced (the temporary file lives next to the target) and the link
    stays; a link to a folder is refused (ConfigError, see :func:`output_target`).
    """
    target = output_target(path)
    if target != Path(path) and target.is_dir():
        raise ConfigError(f"{path} is a link to the folder {target}; give the path of a file")
    if target.is_dir():
        raise ConfigError(f"{path} is a folder; give the path of a file to write")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp makes 0600 files: outputs meant to be shared get the usual umask-based mode
        os.chmod(tmp, perms if perms is not None else 0o666 & ~_umask())
        fh = os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="\n")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | Path, text: str, *, perms: int | None = None) -> None:
    """Write ``text`` to ``path`` atomically (UTF-8, ``\\n`` line endings)."""
    with atomic_open(path, "w", perms=perms) as fh:
        fh.write(text)


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """The sha256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def finite_or_null(value: Any) -> Any:
    """``value`` with every NaN or ±Infinity float (at any depth of dicts, lists, tuples) replaced by None.

    This is where the tool's JSON outputs turn a non-finite number into
    ``null``, as pydantic's ``model_dump_json`` does: an undefined ratio or an
    unbounded value has no strict-JSON spelling. Other values are returned as
    they are (containers are copied only when something in them changed).
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        items = {k: finite_or_null(v) for k, v in value.items()}
        return value if all(items[k] is v for k, v in value.items()) else items
    if isinstance(value, list | tuple):
        seq = [finite_or_null(v) for v in value]
        return value if all(a is b for a, b in zip(seq, value, strict=True)) else seq
    return value


def _is_model(value: Any) -> bool:
    """Whether ``value`` is a pydantic model (without importing pydantic when nothing did yet)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(value, pydantic.BaseModel)


def json_text(
    payload: Any,
    *,
    indent: int | None = None,
    sort_keys: bool = False,
    separators: tuple[str, str] | None = None,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """``payload`` as strict JSON text (UTF-8 characters kept; no trailing newline).

    Non-finite floats become ``null`` (:func:`finite_or_null`) and
    ``allow_nan=False`` guards the rest, so the text parses with any strict
    JSON parser (JavaScript's ``JSON.parse``, ``jq``, Go, Rust).

    With ``indent`` (and neither ``sort_keys``, ``separators`` nor, except for a
    pydantic model, ``default``) pydantic-core encodes the text in one pass, a
    model through its own serializers; when the result could differ from
    Python's ``json`` (a float with 0 < |x| < 1e-4, which pydantic-core spells
    ``0.00001`` where Python writes ``1e-05``) or pydantic-core cannot encode
    the payload, Python's ``json`` does, so the bytes never depend on the path.

    Raises:
        TypeError: the payload holds a value JSON cannot hold (as ``json.dumps``).
        ValueError: a circular reference (as ``json.dumps``).
    """
    model = _is_model(payload)
    if indent is not None and not sort_keys and separators is None and (default is None or model):
        text = _pydantic_core_json(payload, indent)
        if text is not None:
            return text
    if model:
        payload = payload.model_dump(mode="json")
    return json.dumps(
        finite_or_null(payload),
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        sort_keys=sort_keys,
        separators=separators,
        default=default,
    )


def _pydantic_core_json(payload: Any, indent: int) -> str | None:
    """pydantic-core's JSON of ``payload`` (non-finite floats as null), or None where it may
    differ from Python's ``json.dumps(..., ensure_ascii=False, indent=indent)``."""
    import pydantic_core

    try:
        data = pydantic_core.to_json(payload, indent=indent, inf_nan_mode="null")
    except pydantic_core.PydanticSerializationError:  # Python's json says what is wrong
        return None
    if b"NaN" in data or b"Infinity" in data:  # a model configured to write them (or those words in a string)
        return None
    if b"0.0000" in data:  # pydantic-core writes 0 < |x| < 1e-4 as 0.00001, Python 1e-05
        return None
    at = data.find(b"e-")
    while at != -1:  # and 1e-7 where Python writes 1e-07 (conservative: also inside strings)
        if at > 0 and data[at - 1] in b"0123456789":
            return None
        at = data.find(b"e-", at + 2)
    return data.decode("utf-8")


def refuse_inputs_as_outputs(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path]) -> None:
    """Refuse an output path that is one of the input files, before anything is read.

    ``-`` (stdout) and None are skipped. Raises ConfigError naming the path.
    """
    sources = [Path(p).resolve() for p in inputs]
    for out in outputs:
        if out is None or str(out) == "-":
            continue
        target = output_target(out).resolve()
        for source in sources:
            if target == source:
                raise ConfigError(f"{out} is also an input ({source}); choose another output path")


def read_input(
    path: Path,
    read: Callable[[Path], T],
    *,
    what: str,
    not_found: str,
    folder: str | None = None,
    error: type[UserError] = InputError,
) -> T:
    """``read(path)``, with a missing, folder or unreadable file turned into one ``error`` line.

    Args:
        path: the input file.
        read: what to do with it (``Path.read_text``, or read and parse); errors
            other than the ones below (a parser's) pass through to the caller.
        what: the file in ``cannot read <what>: <reason>`` (``"the snapshot"``).
        not_found: the message after ``<path>: `` for a file that does not exist.
        folder: what to do when ``path`` is a folder (after ``<path>: is a folder; ``);
            None reads a folder as any unreadable file.
        error: the exception class raised.

    Returns:
        What ``read`` returned.

    Raises:
        UserError: ``error`` for a missing file, a folder, an OS error or text
            that is not in the expected encoding (``UnicodeDecodeError``).
    """
    try:
        return read(path)
    except FileNotFoundError as exc:
        raise error(f"{path}: {not_found}") from exc
    except IsADirectoryError as exc:
        if folder is not None:
            raise error(f"{path}: is a folder; {folder}") from exc
        failure: OSError | UnicodeDecodeError = exc
    except (OSError, UnicodeDecodeError) as exc:
        failure = exc
    raise error(f"{path}: cannot read {what}: {failure}") from failure


def _same_tree(a: Path, b: Path) -> bool:
    names_a = sorted(p.name for p in a.iterdir())
    names_b = sorted(p.name for p in b.iterdir())
    if names_a != names_b:
        return False
    return all(
        (a / n).is_file() and (b / n).is_file() and (a / n).read_bytes() == (b / n).read_bytes() for n in names_a
    )


def swap_in_folder(tmp: Path, target: Path, *, what: str) -> Literal["written", "unchanged"]:
    """Move the finished folder ``tmp`` to ``target``, replacing an earlier one; keep ``target`` when equal.

    ``target`` is never half-written: the old folder is renamed away, the new one renamed in,
    and the old one removed (restored when the rename fails).

    Args:
        tmp: the finished folder, on the same file system as ``target``.
        target: where it goes.
        what: what the folder is, for the message ("export", "model").

    Returns:
        "unchanged" when ``target`` already held the same files (``tmp`` is removed), else "written".

    Raises:
        ConfigError: the new folder cannot be moved into place.
    """
    if target.exists() and _same_tree(tmp, target):
        shutil.rmtree(tmp)
        return "unchanged"
    os.chmod(tmp, 0o755)
    old: Path | None = None
    if target.exists():
        old = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.old"
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError as exc:
        if old is not None:
            os.rename(old, target)
        raise ConfigError(f"{target}: cannot move the new {what} into place: {exc.strerror}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return "written"
