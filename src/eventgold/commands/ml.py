"""``eventgold ml-backend`` (serve an extractor to Label Studio) and ``eventgold ml connect|disconnect|status``.

In the ``ml`` commands ``--url`` is the ML backend's URL (where Label Studio reaches it); the Label
Studio server is named with ``--ls-url`` (else ``LABEL_STUDIO_URL``, ``.env``, the local server) and
its key with ``--api-key``. The backend's own key is ``--backend-api-key``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from eventgold.commands.labelstudio import DEFAULT_PROJECT
from eventgold.commands.options import ActorsOpt, ApiKey, JsonOut, OntologyOpt
from eventgold.console import console, err_console, write_json_output

if TYPE_CHECKING:
    from eventgold.labelstudio.client import LabelStudioClient

app = typer.Typer(
    help="Connect an ML backend (`eventgold ml-backend`) to a Label Studio project for live pre-annotations.",
    no_args_is_help=True,
)

LsUrl = Annotated[
    str | None,
    typer.Option("--ls-url", help="Label Studio URL (else LABEL_STUDIO_URL, .env, local server)."),
]
BACKEND_KEY_ENV = "EVENTGOLD_ML_BACKEND_KEY"
"""Where ``ml-backend --api-key`` and ``ml connect --backend-api-key`` are read from when not given (not in ``ps``)."""
Project = Annotated[str, typer.Option("--project", help="Project title.")]
BackendUrl = Annotated[
    str,
    typer.Option("--url", help="The ML backend's URL, as Label Studio reaches it (e.g. http://127.0.0.1:9090)."),
]


def _client(ls_url: str | None, api_key: str | None) -> LabelStudioClient:
    from eventgold.commands.labelstudio import open_client

    return open_client(ls_url, api_key)


@app.command("connect")
def connect(
    url: BackendUrl,
    project: Project = DEFAULT_PROJECT,
    title: Annotated[
        str | None, typer.Option("--title", help="The backend's title in Label Studio (default: eventgold).")
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            help="Interactive pre-annotations: annotators get this backend's predictions live when they open "
            "a task (in place of pushed ones), and Label Studio sends their regions to it.",
        ),
    ] = False,
    backend_api_key: Annotated[
        str | None,
        typer.Option(
            "--backend-api-key",
            envvar=BACKEND_KEY_ENV,
            help="The key the backend was started with (`ml-backend --api-key`); Label Studio sends it "
            f"as basic auth (else {BACKEND_KEY_ENV}).",
            show_default=False,
        ),
    ] = None,
    ls_url: LsUrl = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Register a running ML backend in a project; connecting again updates it (one backend per URL).

    Label Studio checks the backend's /health and /setup first, so start it before
    (`eventgold ml-backend`).

    Example: [bold]eventgold ml connect --project eventgold --url http://127.0.0.1:9090 --interactive[/bold]
    """
    from eventgold.labelstudio.ml import connect as connect_backend

    with _client(ls_url, api_key) as client:
        info = connect_backend(
            client, project, url, title=title, interactive=interactive, api_key=backend_api_key
        )
    if json_out:
        write_json_output(info.to_json(), json_out)
    if json_out != "-":
        verb = "connected" if info.created else "updated"
        console.print(
            f"{verb} ML backend {info.title!r} (id {info.id}) at {escape(info.url)} in project "
            f"{escape(info.project_title)!r}: {info.to_json()['state']}, model version "
            f"{escape(info.model_version) or '-'}"
            + ("; annotators get its predictions live" if info.live else ""),
            highlight=False,
            soft_wrap=True,
        )
        console.print(
            f"fetch predictions for all tasks: eventgold ml retrieve --project {escape(repr(info.project_title))}",
            highlight=False,
        )


@app.command("disconnect")
def disconnect(
    project: Project = DEFAULT_PROJECT,
    url: Annotated[
        str | None,
        typer.Option("--url", help="Remove the backend with this URL (default: every backend eventgold connected)."),
    ] = None,
    ls_url: LsUrl = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Remove ML backends from a project (predictions already stored stay).

    Example: [bold]eventgold ml disconnect --project eventgold --url http://127.0.0.1:9090[/bold]
    """
    from eventgold.labelstudio.ml import disconnect as disconnect_backends

    with _client(ls_url, api_key) as client:
        removed = disconnect_backends(client, project, url)
    if json_out:
        write_json_output({"project": project, "url": url, "removed": removed}, json_out)
    if json_out != "-":
        which = f"with URL {url}" if url else "connected by eventgold"
        console.print(
            f"removed {removed} ML backend(s) {escape(which)} from project {escape(project)!r}"
            if removed
            else f"project {escape(project)!r} has no ML backend {escape(which)}: nothing to do",
            highlight=False,
            soft_wrap=True,
        )


@app.command("status")
def status(
    project: Project = DEFAULT_PROJECT,
    ls_url: LsUrl = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Show a project's ML backends and whether Label Studio reaches them.

    Example: [bold]eventgold ml status --project eventgold --json -[/bold]
    """
    from eventgold.labelstudio.ml import status as backend_status

    with _client(ls_url, api_key) as client:
        rows = backend_status(client, project)
    if json_out:
        write_json_output({"project": project, "backends": [r.to_json() for r in rows]}, json_out)
    if json_out == "-":
        return
    if not rows:
        console.print(
            f"project {escape(project)!r} has no ML backend; connect one with `eventgold ml connect`",
            highlight=False,
        )
        return
    table = Table(title=f"ML backends of {project!r}")
    for column in ("id", "title", "url", "state", "reachable", "model version"):
        table.add_column(column, justify="right" if column == "id" else "left", no_wrap=column == "state")
    for r in rows:
        reach = "[green]yes[/green]" if r.reachable else "[red]no[/red]"
        table.add_row(str(r.id), escape(r.title), escape(r.url), r.state_name, reach, escape(r.model_version))
    console.print(table)
    for r in rows:
        if r.error:
            console.print(f"backend {r.id} ({escape(r.url)}): {escape(r.error)}", highlight=False, soft_wrap=True)


@app.command("retrieve")
def retrieve(
    project: Project = DEFAULT_PROJECT,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for Label Studio.")] = 300.0,
    ls_url: LsUrl = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Ask Label Studio to fetch predictions from the project's ML backend for every task.

    Tasks that already hold a prediction of the backend's current model version are skipped.

    Example: [bold]eventgold ml retrieve --project eventgold[/bold]
    """
    from eventgold.labelstudio.ml import retrieve_predictions

    with _client(ls_url, api_key) as client:
        count = retrieve_predictions(client, project, timeout=timeout)
    if json_out:
        write_json_output({"project": project, "tasks_with_prediction": count}, json_out)
    if json_out != "-":
        console.print(f"{count} task(s) of project {escape(project)!r} hold the backend's predictions", highlight=False)


def ml_backend(
    extractor: Annotated[
        str,
        typer.Option(
            "--extractor",
            "-e",
            help="gazetteer, rules, spacy:PIPELINE, model:PATH, an entry point, or pkg.mod:callable.",
        ),
    ],
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 9090,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key",
            envvar=BACKEND_KEY_ENV,
            help="Require this key (basic auth password) from Label Studio; give it to `ml connect "
            f"--backend-api-key`. Required when listening beyond loopback (else {BACKEND_KEY_ENV}).",
            show_default=False,
        ),
    ] = None,
    ontology: OntologyOpt = None,
    actors: ActorsOpt = None,
    lexicon: Annotated[Path | None, typer.Option("--lexicon", help="Trigger lexicon for `rules`.")] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn's log level.")] = "info",
) -> None:
    """Serve an extractor to Label Studio as an ML backend (live pre-annotations) until stopped (Ctrl-C).

    Then connect it to a project: `eventgold ml connect --url http://HOST:PORT`.

    Example: [bold]eventgold ml-backend -e rules --port 9090[/bold]
    """
    from eventgold.extractors.base import load_extractor
    from eventgold.mlbackend import serve
    from eventgold.ontology import load_ontology

    onto = load_ontology(ontology)
    ex = load_extractor(extractor, actors=actors, lexicon=lexicon, ontology=onto)
    err_console.print(f"serving {escape(ex.name)} to Label Studio at http://{escape(host)}:{port}", highlight=False)
    serve(ex, onto, host=host, port=port, api_key=api_key, log_level=log_level)
