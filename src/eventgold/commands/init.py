"""``eventgold init``: a project folder with the configuration to edit and the samples."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from eventgold.console import console, write_json_output
from eventgold.resources import DEFAULT_ONTOLOGY, ontology_names

_ONTOLOGIES = ", ".join(f"{name} (the default)" if name == DEFAULT_ONTOLOGY else name for name in ontology_names())


def init(
    folder: Annotated[
        Path, typer.Argument(help="The project folder (made when missing).", metavar="[DIR]", show_default=False)
    ] = Path("."),
    samples: Annotated[
        bool,
        typer.Option("--samples/--no-samples", help="Copy the sample articles (and, for plover, the sample gold)."),
    ] = True,
    ontology: Annotated[
        str | None,
        typer.Option(
            "--ontology",
            metavar="NAME",
            help=f"The ontology label_config/ starts from: {_ONTOLOGIES}.",
            show_default=False,
        ),
    ] = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write what was done here (- for stdout).")] = None,
) -> None:
    """Make a project folder: label_config/ to edit, samples/, exports/, a .gitignore and a README.

    Files already there are kept (never overwritten), so running it again changes nothing. Every
    verb run in the folder (or below it) then uses its label_config/.

    --ontology ace2005 copies the ACE 2005 example (ontology.yaml, GUIDELINES.md, SOURCES.md, the
    rendered actors_events.xml and an empty actors.yaml) instead of the PLOVER default.

    Example: [bold]eventgold init my-events && cd my-events && eventgold up[/bold]

    Example: [bold]eventgold init ace-events --ontology ace2005[/bold]
    """
    from eventgold.project import init_project

    result = init_project(folder, samples=samples, ontology=ontology)
    if json_out:
        write_json_output(result.as_dict(), json_out)
    if json_out == "-":
        return
    console.print(
        f"{escape(str(folder))} ({escape(result.ontology)} ontology): {len(result.written)} written, "
        f"{len(result.updated)} updated, {len(result.kept)} already there (kept)"
    )
    for rel in result.updated:
        console.print(f"  updated {escape(rel)}")
    where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {escape(str(folder))} && "
    console.print(f"next: [bold]{where}eventgold up[/bold] (the commands that follow are in its README.md)")
