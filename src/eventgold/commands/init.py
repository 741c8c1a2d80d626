"""``eventgold init``: a project folder with the configuration to edit and the samples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from eventgold.console import console, write_json_output


def init(
    folder: Annotated[
        Path, typer.Argument(help="The project folder (made when missing).", metavar="[DIR]", show_default=False)
    ] = Path("."),
    samples: Annotated[
        bool, typer.Option("--samples/--no-samples", help="Copy the sample articles and sample gold.")
    ] = True,
    json_out: Annotated[str | None, typer.Option("--json", help="Write what was done here (- for stdout).")] = None,
) -> None:
    """Make a project folder: label_config/ to edit, samples/, exports/, a .gitignore and a README.

    Files already there are kept (never overwritten), so running it again changes nothing. Every
    verb run in the folder (or below it) then uses its label_config/.

    Example: [bold]eventgold init my-events && cd my-events && eventgold up[/bold]
    """
    from eventgold.project import init_project

    result = init_project(folder, samples=samples)
    if json_out:
        write_json_output(result.as_dict(), json_out)
    if json_out == "-":
        return
    console.print(
        f"{escape(str(folder))}: {len(result.written)} written, {len(result.updated)} updated, "
        f"{len(result.kept)} already there (kept)"
    )
    for rel in result.updated:
        console.print(f"  updated {escape(rel)}")
    where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {escape(str(folder))} && "
    console.print(f"next: [bold]{where}eventgold up[/bold] (the commands that follow are in its README.md)")
