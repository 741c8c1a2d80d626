"""``eventgold up``: a local Label Studio with the sample articles and pre-annotations, ready to annotate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from eventgold.commands.labelstudio import DEFAULT_PROJECT, run_push
from eventgold.commands.options import FLAGS, JsonOut
from eventgold.config import workspace
from eventgold.console import console, err_console, write_json_output
from eventgold.errors import ConfigError, UserError
from eventgold.jsonl import read_jsonl
from eventgold.models import Article

DEFAULT_EXTRACTORS = "gazetteer,rules"
"""Pre-annotators of `up`; those the ontology cannot use are skipped with a warning."""

DEFAULT_ML_EXTRACTOR = "rules"
"""What ``up --ml-backend`` serves: one of the default pre-annotators."""


def _default_samples() -> Path:
    """The project's ``samples/articles`` (beside its label_config/), else the packaged seed articles."""
    from eventgold.config import find_project_config
    from eventgold.resources import packaged_samples

    project = find_project_config()
    if project is not None and (project.parent / "samples" / "articles").is_dir():
        return project.parent / "samples" / "articles"
    return packaged_samples() / "articles"


def _eventgold_command() -> str:
    """How to call this eventgold from a shell: ``eventgold`` when it is the one on PATH, else its full path."""
    import shutil
    import sys

    here = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    on_path = shutil.which("eventgold")
    if here is not None and here.name == "eventgold" and (on_path is None or Path(on_path).resolve() != here):
        return str(here)
    return "eventgold"


def warn_fixed_port(asked: int, used: int, where: Path) -> None:
    """One yellow line: ``--port`` counts only on the first run; which port is used instead."""
    err_console.print(
        f"[yellow]warning:[/yellow] --port {asked} ignored: the port is fixed at the first run "
        f"(stored in {escape(str(where))}); using port {used}",
        highlight=False,
        soft_wrap=True,
    )


def up(
    articles: Annotated[
        Path | None, typer.Option("--articles", help="Folder or files to ingest (default: samples/articles).")
    ] = None,
    project: Annotated[str, typer.Option("--project", help="Project title.")] = DEFAULT_PROJECT,
    port: Annotated[int | None, typer.Option("--port", help="Port on 127.0.0.1 (first run only).")] = None,
    extractors: Annotated[
        str,
        typer.Option("--extractors", help="Built-in extractors for pre-annotations (comma-separated; '' for none)."),
    ] = DEFAULT_EXTRACTORS,
    init: Annotated[
        bool,
        typer.Option(
            "--init/--no-init",
            help="Make this folder a project first (`eventgold init`) when no label_config/ is found.",
        ),
    ] = True,
    ml_backend: Annotated[
        bool,
        typer.Option(
            "--ml-backend",
            help="Also start an ML backend beside the server and connect it: live suggestions when a task is opened.",
        ),
    ] = False,
    ml_extractor: Annotated[
        str | None,
        typer.Option(
            "--ml-extractor",
            help=f"The extractor the ML backend serves (needs --ml-backend; default: {DEFAULT_ML_EXTRACTOR}).",
            show_default=False,
        ),
    ] = None,
    database: Annotated[
        str | None,
        typer.Option("--database", help="sqlite (default) or postgresql, as for `server start`.", show_default=False),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", help="An existing PostgreSQL database, as for `server start`.", show_default=False
        ),
    ] = None,
    json_out: JsonOut = None,
) -> None:
    """Start a local Label Studio with the sample articles and pre-annotations, ready to annotate.

    In a folder without a project it first runs `eventgold init` there (label_config/, samples/,
    exports/, .gitignore, README.md). Installs the server into its own venv on first use,
    generates the admin login and API token (stored only in .eventgold/credentials, mode 0600),
    ingests the articles, runs the built-in extractors, creates (or reuses) the project and
    pushes the tasks. With --ml-backend it also starts `eventgold ml-backend` on 127.0.0.1 and
    connects it to the project (interactive), so annotators get live suggestions;
    `eventgold server stop` stops both. Running it again reuses all.

    Example: [bold]eventgold up --ml-backend[/bold]  (then open the printed URL)
    """
    from eventgold.commands.server import ensure_running
    from eventgold.config import credentials_path, find_config_dir, load_credentials
    from eventgold.console import split_list
    from eventgold.extractors.base import load_extractor, run_extractor
    from eventgold.ingest import ingest_to_file
    from eventgold.jsonl import write_jsonl
    from eventgold.ontology import load_ontology
    from eventgold.redact import redact_url

    if ml_extractor is not None and not ml_backend:
        raise UserError("--ml-extractor needs --ml-backend (it names what the ML backend serves)")
    ml_extractor = ml_extractor or DEFAULT_ML_EXTRACTOR
    if init and find_config_dir().origin == "packaged default":
        from eventgold.project import init_project

        made = init_project(Path("."))
        console.print(f"made this folder a project: {len(made.written)} file(s) written (see README.md)")
    creds = load_credentials()
    first_run = creds is None
    if creds is not None and port is not None and port != creds.port:
        warn_fixed_port(port, creds.port, credentials_path())
    ontology = load_ontology()
    chosen = []
    for name in split_list(extractors):
        try:
            chosen.append((name, load_extractor(name, ontology=ontology)))
        except ConfigError as exc:
            if extractors != DEFAULT_EXTRACTORS:
                raise
            err_console.print(f"warning: no {name} pre-annotations: {escape(exc.render(FLAGS))}", soft_wrap=True)
    if ml_backend:  # fail before starting anything when the backend's extractor cannot load
        load_extractor(ml_extractor, ontology=ontology)
    state = ensure_running(port=port, database=database, database_url=database_url)
    if ml_backend and not state.ml_loopback:
        raise UserError(
            "the local Label Studio was started by an older eventgold and refuses ML backends on 127.0.0.1; "
            "run `eventgold server stop`, then `eventgold up --ml-backend` again (tasks and annotations are kept)"
        )
    home = workspace()
    corpus = home / "corpus.jsonl"
    summary = ingest_to_file([articles or _default_samples()], corpus)
    corpus_articles = list(read_jsonl(corpus, Article))
    prediction_files: list[Path] = []
    for name, extractor in chosen:
        target = home / "predictions" / f"{name.replace(':', '_')}.jsonl"
        write_jsonl(target, run_extractor(extractor, corpus_articles, ontology))
        prediction_files.append(target)
    creds = load_credentials()
    assert creds is not None
    result = run_push(
        corpus,
        prediction_files,
        project,
        overlap=None,
        replace_unannotated=False,
        only_ids=None,
        url=state.url,
        api_key=creds.token,
    )
    backend = _start_and_connect(ml_extractor, project, state.url, creds.token) if ml_backend else None
    shown_url = redact_url(state.url)
    project_url = f"{shown_url}/projects/{result.project.id}/data"
    payload = {
        "url": shown_url,
        "project_url": project_url,
        "login": creds.email,
        "articles": len(corpus_articles),
        "ingest": summary.model_dump(mode="json"),
        "tasks_created": result.created,
        "tasks_unchanged": result.unchanged,
        "tasks_listed": result.listing,
        "predictions": [str(p) for p in prediction_files],
        "ml_backend": backend,
    }
    if json_out:
        write_json_output(payload, json_out)
    if json_out == "-":
        return
    console.print(
        f"Label Studio is running at [bold]{shown_url}[/bold]\n"
        f"project {project!r}: {result.created} task(s) created, {result.unchanged} already there, "
        f"pre-annotations from {', '.join(split_list(extractors)) or 'none'}\n"
        f"open [bold]{project_url}[/bold] and log in as [bold]{creds.email}[/bold]"
    )
    if backend is not None:
        console.print(
            f"ML backend ({escape(ml_extractor)}) at [bold]{backend['url']}[/bold] connected to project "
            f"{escape(project)!r}: {_live_note(backend)}",
            soft_wrap=True,
        )
    if first_run:
        console.print(
            f"the password was generated just now and is stored only in {credentials_path()} "
            '(mode 0600, key "password"); add annotators with `eventgold annotators add EMAIL`'
        )
    command = _eventgold_command()
    console.print(
        f"next: annotate, then [bold]{escape(command)} pull --project {escape(project)}[/bold]; "
        f"stop the server{' and the ML backend' if backend else ''} with [bold]{escape(command)} server stop[/bold]"
    )


def _live_note(backend: dict[str, object]) -> str:
    """Where annotators get live suggestions from, for the summary (markup escaped)."""
    live = backend.get("live_backend")
    if backend.get("live"):
        return "live suggestions are on (annotators see them when they open a task)"
    if isinstance(live, dict):
        return (
            f"annotators get live suggestions from backend {escape(repr(live['title']))} (id {live['id']}), "
            "the project's first, not from this one (see the warning)"
        )
    return "live suggestions are off (see `eventgold ml status`)"


def _start_and_connect(extractor: str, project: str, ls_url: str, token: str) -> dict[str, object]:
    """Start (or reuse) the managed ML backend serving ``extractor`` and connect it, interactive, to ``project``.

    Prints a warning when annotators get live suggestions from another backend: Label Studio asks the
    project's first (lowest id) only.

    Returns:
        ``{"url", "extractor", "pid", "backend_id", "created", "live", "live_backend"}`` for ``--json``
        (``live_backend``: ``{"id", "title", "url"}`` of the backend annotators get suggestions from, or None).

    Raises:
        ServerError: the backend does not start; APIError: Label Studio refuses it.
    """
    from eventgold.config import Connection, server_data_dir
    from eventgold.labelstudio.backend_process import start_backend
    from eventgold.labelstudio.client import LabelStudioClient
    from eventgold.labelstudio.ml import connect

    running = start_backend(
        server_data_dir(), extractor, on_step=lambda message: err_console.print(f"[cyan]…[/cyan] {message}")
    )
    with LabelStudioClient(Connection(url=ls_url, api_key=token, source="local server")) as client:
        info = connect(client, project, running.url, interactive=True)
    shadowed = info.shadow_warning()
    if shadowed:
        err_console.print(f"[yellow]warning:[/yellow] {escape(shadowed)}", highlight=False, soft_wrap=True)
    return {
        "url": running.url,
        "extractor": extractor,
        "pid": running.pid,
        "backend_id": info.id,
        "created": info.created,
        "live": info.live,
        "live_backend": info.to_json()["live_backend"],
    }
