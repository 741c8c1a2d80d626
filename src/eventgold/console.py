"""Shared terminal helpers for the CLI: consoles, progress bars, ``--json`` output.

Only the CLI layer (``cli.py`` and ``commands/``) uses this module; library
code never prints.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from eventgold import SCHEMA_VERSION
from eventgold.errors import ConfigError
from eventgold.fileio import atomic_open, json_text

if TYPE_CHECKING:
    from pydantic import BaseModel

    from eventgold.problems import Problem, Repair

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


def split_list(value: str | None) -> list[str]:
    """Parse a comma-separated CLI list option (``train,dev``) into its items."""
    if not value:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


@contextlib.contextmanager
def shown_warnings() -> Iterator[None]:
    """Print each library warning (:class:`~eventgold.errors.EventgoldWarning`) as it is emitted.

    One yellow ``warning:`` line on stderr per warning, every time (never
    deduplicated by Python's warning registry); other warnings keep their
    usual handling. The CLI wraps every verb in this.
    """
    from rich.markup import escape

    from eventgold.errors import EventgoldWarning

    with warnings.catch_warnings():
        warnings.simplefilter("always", EventgoldWarning)
        previous = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: Any = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, EventgoldWarning):
                err_console.print(f"[yellow]warning:[/yellow] {escape(str(message))}", highlight=False, soft_wrap=True)
            else:
                previous(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


class _ConsoleHandler(logging.Handler):
    """eventgold's INFO logs as dim lines on stderr, each distinct message once per run."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seen: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        from rich.markup import escape

        message = record.getMessage()
        if message not in self.seen:
            self.seen.add(message)
            err_console.print(f"[dim]{escape(message)}[/dim]", highlight=False, soft_wrap=True)


@contextlib.contextmanager
def verbose_logging() -> Iterator[None]:
    """Show eventgold's INFO log lines (which configuration folder is used…) on stderr (``--verbose``)."""
    logger = logging.getLogger("eventgold")
    handler = _ConsoleHandler()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def write_json_output(
    payload: dict[str, Any] | BaseModel, dest: str | Path, *, streamed: Mapping[str, Iterable[str]] | None = None
) -> None:
    """Write machine output: ``-`` is stdout, anything else a file written atomically.

    Args:
        payload: a dict, or a pydantic model (a ``ScoreReport``...) that pydantic-core
            encodes directly, in one pass, when ``schema_version`` is its first field
            (else its ``model_dump`` takes the dict path).
        dest: ``-`` or the path of the file.
        streamed: more keys of a dict payload, each a list given as its items' JSON texts,
            written one by one as they come (long lists never held whole; one item per line).

    ``schema_version`` is added when the payload lacks it (first key). The text is
    strict JSON indented by two spaces, UTF-8 characters kept: a non-finite float
    (NaN, ±Infinity) is written as ``null`` (:func:`~eventgold.fileio.json_text`).

    Raises:
        ConfigError: the file cannot be written.
    """
    if isinstance(payload, dict):
        payload = {"schema_version": SCHEMA_VERSION, **payload}
    elif next(iter(type(payload).model_fields), None) != "schema_version":  # the fast path needs it first
        payload = {"schema_version": SCHEMA_VERSION, **payload.model_dump(mode="json")}
    marks = {key: f"\x00{key}\x00" for key in streamed or {}}
    if marks and isinstance(payload, dict):
        payload = {**payload, **marks}
    text = json_text(payload, indent=2, default=str) + "\n"
    if str(dest) == "-":
        _write_streamed(sys.stdout, text, marks, streamed or {})
        sys.stdout.flush()
    else:
        try:
            with atomic_open(dest, "w") as fh:
                _write_streamed(fh, text, marks, streamed or {})
        except OSError as exc:
            raise ConfigError(f"{dest}: cannot write JSON output: {exc.strerror}") from exc


def _write_streamed(fh: Any, text: str, marks: dict[str, str], streamed: Mapping[str, Iterable[str]]) -> None:
    """Write ``text``, each mark's JSON string replaced by a list of its stream's items."""
    for key, mark in marks.items():
        head, _, text = text.partition(json_text(mark))
        fh.write(head)
        fh.write("[")
        written = 0
        for item in streamed[key]:
            fh.write(",\n    " if written else "\n    ")
            fh.write(item)
            written += 1
        fh.write("\n  ]" if written else "]")
    fh.write(text)


def progress_bar(*, show: bool = True) -> Progress:
    """A progress bar on stderr for :func:`track` or a callback (hidden unless ``show`` and stderr is a terminal)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not (show and err_console.is_terminal),
    )


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on stderr (hidden when stderr is not a terminal)."""
    with progress_bar() as progress:
        yield from progress.track(items, total=total, description=description)


def report_problems(
    problems: Sequence[Problem],
    source: object,
    *,
    repairs: Sequence[Repair] = (),
    show: int = 5,
    listed_in: str = "--json",
) -> None:
    """Say on stderr how many regions were repaired and how many left out, showing the first few problems.

    ``source`` names what was read; ``listed_in`` where every item is listed.
    """
    from rich.markup import escape

    from eventgold.problems import repair_counts

    if repairs:
        kinds = ", ".join(f"{k} {n}" for k, n in repair_counts(repairs).items())
        err_console.print(
            f"[yellow]note:[/yellow] {len(repairs)} repair(s) in {escape(str(source))} ({kinds}); "
            f"each is listed in {escape(listed_in)}",
            highlight=False,
        )
    if not problems:
        return
    err_console.print(
        f"[yellow]warning:[/yellow] {len(problems)} problem(s) in {escape(str(source))}: "
        f"regions or relations left out of the records; each is listed in {escape(listed_in)}",
        highlight=False,
    )
    for problem in problems[:show]:
        err_console.print(f"  {escape(str(problem))}", highlight=False, soft_wrap=True)
    if len(problems) > show:
        err_console.print(f"  … and {len(problems) - show} more", highlight=False)
