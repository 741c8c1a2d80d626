"""File discovery: the input files under some paths, in a stable (sorted) order."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from eventgold.errors import ConfigError, InputError
from eventgold.ingest.errors import SKIP_BAD, BadInput
from eventgold.ingest.records import FORMATS, SourceFile


def _unsupported(path: Path) -> BadInput:
    return BadInput(
        str(path),
        f"unsupported file type {path.suffix or '(no extension)'!r}",
        hint=("ingest reads .txt, .html, .jsonl and .csv files: rename or convert it, or pass ", SKIP_BAD),
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
