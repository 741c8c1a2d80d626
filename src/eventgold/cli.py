"""The ``eventgold`` command line: a thin typer layer over the library.

Each verb parses its options, calls one library function and prints the
result. Errors from the library (``eventgold.errors``) are turned into one red
line and an exit code here, once: 2 for user errors, 1 for failed checks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from eventgold import __version__
from eventgold.console import console, err_console
from eventgold.errors import EventgoldError

app = typer.Typer(
    name="eventgold",
    help=(
        "Gold datasets of political events from news: push articles to Label Studio, "
        "pull annotations, measure agreement, build gold, score extractors, export training data."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="The ontology and the Label Studio labeling config.", no_args_is_help=True)
app.add_typer(config_app, name="config")


def _version(value: bool) -> None:
    if value:
        console.print(f"eventgold {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
    config_dir: Annotated[
        Path | None,
        typer.Option(
            "--config-dir",
            metavar="DIR",
            help="The label_config/ folder to use (else EVENTGOLD_CONFIG_DIR, a label_config/ in this folder "
            "or above, else the packaged default).",
            show_default=False,
        ),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Say which configuration folder is used, and more.")
    ] = False,
) -> None:
    """eventgold: gold datasets of political events from news.

    Example: [bold]eventgold init my-events && cd my-events && eventgold up[/bold]
    """
    from eventgold.config import config_dir_override
    from eventgold.console import shown_warnings, verbose_logging

    ctx.with_resource(shown_warnings())  # library warnings: one yellow line each, for every verb
    ctx.with_resource(config_dir_override(config_dir))
    if verbose:
        ctx.with_resource(verbose_logging())


@config_app.command("render")
def config_render(
    ontology: Annotated[Path | None, typer.Option(help="Ontology file (default: label_config/ontology.yaml).")] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Where to write the XML (default: next to the ontology)."),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Do not write; exit 1 if the file on disk differs.")] = False,
) -> None:
    """Render the Label Studio labeling config from the ontology.

    Writes nothing when the file is already current.

    Example: [bold]eventgold config render[/bold] (writes label_config/actors_events.xml)
    """
    from eventgold.errors import CheckFailed
    from eventgold.fileio import atomic_write_text
    from eventgold.labelstudio.label_config import render_label_config
    from eventgold.ontology import (
        LABEL_CONFIG_FILE,
        default_label_config_dir,
        load_ontology,
    )

    onto_path = ontology or default_label_config_dir() / "ontology.yaml"
    xml = render_label_config(load_ontology(onto_path))
    target = output or onto_path.parent / LABEL_CONFIG_FILE
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if current == xml:
        console.print(f"{target} is up to date")
        return
    if check:
        raise CheckFailed(f"{target} differs from the ontology; run `eventgold config render`")
    atomic_write_text(target, xml)
    console.print(f"wrote {target}")


@config_app.command("validate")
def config_validate(
    ontology: Annotated[Path | None, typer.Option(help="Ontology file (default: label_config/ontology.yaml).")] = None,
) -> None:
    """Check the ontology, the actor dictionary beside it, and the rendered labeling config.

    Checks that the ontology is valid (names, per-type roles, the mention types roles accept, the
    coder mapping, hotkeys; each mistake with its line) and its labeling config parses in label_studio_sdk, that
    actors.yaml beside it uses only the ontology's actor types and sectors, and that
    actors_events.xml beside it is what `eventgold config render` would write.

    Exit codes: 0 all good; 2 the ontology or the actor dictionary is invalid (one line saying
    what to fix); 1 the rendered actors_events.xml is out of date (like `config render --check`;
    run `eventgold config render`). A file that is not there is reported and skipped.

    Example: [bold]eventgold config validate --ontology label_config/ontology.yaml[/bold]
    """
    from eventgold.actors.dictionary import ACTORS_FILE, load_actor_dictionary
    from eventgold.errors import CheckFailed
    from eventgold.labelstudio.label_config import parse_label_config, render_label_config
    from eventgold.ontology import LABEL_CONFIG_FILE, default_label_config_dir, load_ontology

    onto_path = ontology or default_label_config_dir() / "ontology.yaml"
    onto = load_ontology(onto_path)
    xml = render_label_config(onto)
    controls = parse_label_config(xml)
    console.print(
        f"{escape(str(onto_path))}: ok — {escape(onto.name)}: {len(onto.actor_types)} actor types, "
        f"{len(onto.event_types)} event types, {sum(len(e.modes) for e in onto.event_types)} modes, "
        f"{len(onto.roles)} roles, {len(onto.flags)} flags, {len(onto.contexts)} contexts; labeling config "
        f"has {len(controls)} controls",
        soft_wrap=True,
    )
    actors_path = onto_path.parent / ACTORS_FILE
    if actors_path.is_file():
        actors = load_actor_dictionary(actors_path, onto)
        console.print(f"{escape(str(actors_path))}: ok — {len(actors)} actors", soft_wrap=True)
    else:
        console.print(f"{escape(str(actors_path))}: not there (not checked)", soft_wrap=True)
    xml_path = onto_path.parent / LABEL_CONFIG_FILE
    if not xml_path.is_file():
        console.print(
            f"{escape(str(xml_path))}: not rendered yet; run `eventgold config render` to write it", soft_wrap=True
        )
    elif xml_path.read_bytes() != xml.encode("utf-8"):
        raise CheckFailed(
            f"{xml_path} is out of date with {onto_path.name} (Label Studio would show old labels); "
            "run `eventgold config render`"
        )
    else:
        console.print(f"{escape(str(xml_path))}: up to date", soft_wrap=True)


def _register_commands() -> None:
    """Attach the verbs that live in ``eventgold.commands``."""
    from eventgold.commands import export as export_commands
    from eventgold.commands import extract as extract_commands
    from eventgold.commands import gold as gold_commands
    from eventgold.commands import ingest as ingest_commands
    from eventgold.commands import init as init_commands
    from eventgold.commands import labelstudio as ls_commands
    from eventgold.commands import ml as ml_commands
    from eventgold.commands import report as report_commands
    from eventgold.commands import review as review_commands
    from eventgold.commands import score as score_commands
    from eventgold.commands import server as server_commands
    from eventgold.commands import train as train_commands
    from eventgold.commands import up as up_commands

    app.command("init")(init_commands.init)
    app.add_typer(server_commands.app, name="server")
    app.command("up")(up_commands.up)
    app.command("ingest")(ingest_commands.ingest)
    app.command("extract")(extract_commands.extract)
    app.command("extractors")(extract_commands.extractors)
    app.add_typer(extract_commands.actors_app, name="actors")
    app.command("suggest")(extract_commands.suggest)
    app.command("push")(ls_commands.push)
    app.command("pull")(ls_commands.pull)
    app.add_typer(ls_commands.annotators_app, name="annotators")
    app.command("agree")(gold_commands.agree)
    app.add_typer(gold_commands.app, name="gold")
    app.add_typer(review_commands.app, name="review")
    app.command("score")(score_commands.score)
    app.command("report")(report_commands.report)
    app.command("export")(export_commands.export)
    app.command("train")(train_commands.train)
    app.command("ml-backend")(ml_commands.ml_backend)
    app.add_typer(ml_commands.app, name="ml")


_register_commands()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map eventgold errors to one red line and exit 2 (user) or 1 (check)."""
    try:
        app(args=argv, prog_name="eventgold")
    except SystemExit as exc:  # typer exits with the command's code, or 2 on usage errors
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except EventgoldError as exc:
        _print_error(_message(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("[red]interrupted[/red]")
        return 130
    except Exception as exc:
        if not _is_transport_error(exc):
            raise
        # A transport error that library code failed to wrap: still one line, no traceback.
        from eventgold.redact import one_line

        _print_error(
            f"cannot reach Label Studio ({type(exc).__name__}: {one_line(str(exc))}); check LABEL_STUDIO_URL "
            "and that the server runs (`eventgold server status`)"
        )
        return 2
    return 0


def _message(exc: EventgoldError) -> str:
    """The error's line: its message with each option it names spelled as a flag (:data:`FLAGS`)."""
    from eventgold.commands.options import FLAGS

    return exc.render(FLAGS)


def _print_error(message: str) -> None:
    """One red ``error:`` line on stderr; URLs' ``user:password@`` and the environment's secrets masked."""
    import os

    from eventgold.redact import redact_text, url_secrets

    secrets = [os.environ.get("LABEL_STUDIO_API_KEY"), *url_secrets(os.environ.get("LABEL_STUDIO_URL", ""))]
    err_console.print(f"[red]error:[/red] {escape(redact_text(message, secrets))}", highlight=False, soft_wrap=True)


def _is_transport_error(exc: BaseException) -> bool:
    """Whether ``exc`` is an HTTP transport error (httpx, TLS); modules not loaded cannot have raised."""
    kinds: list[type[BaseException]] = []
    httpx = sys.modules.get("httpx")
    if httpx is not None:
        kinds += [httpx.TransportError, httpx.InvalidURL, httpx.RequestError]
    ssl = sys.modules.get("ssl")
    if ssl is not None:
        kinds.append(ssl.SSLError)
    return isinstance(exc, tuple(kinds))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
