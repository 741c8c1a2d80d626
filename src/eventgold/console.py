"""Shared terminal helpers for the CLI: consoles, progress bars, ``--json`` output.

Only the CLI layer (``cli.py`` and ``commands/``) uses this module; library
code never prints.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

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
from eventgold.fileio import atomic_write_text

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")


def split_list(value: str | None) -> list[str]:
    """Parse a comma-separated CLI list option (``train,dev``) into its items."""
    if not value:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def write_json_output(payload: dict[str, Any], dest: str | Path) -> None:
    """Write machine output: ``-`` is stdout, anything else a file written atomically.

    ``schema_version`` is added when the payload lacks it.
    """
    payload = {"schema_version": SCHEMA_VERSION, **payload}
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n"
    if str(dest) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            atomic_write_text(dest, text)
        except OSError as exc:
            raise ConfigError(f"{dest}: cannot write JSON output: {exc.strerror}") from exc


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate with a progress bar on stderr (hidden when stderr is not a terminal)."""
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    with progress:
        yield from progress.track(items, total=total, description=description)
