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
from eventgold.errors import ConfigError

if TYPE_CHECKING:
    from eventgold.extractors.base import Extractor
    from eventgold.labelstudio.client import LabelStudioClient
    from eventgold.mlbackend.retrain import Retrainer
    from eventgold.ontology import Ontology

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
        str | None,
        typer.Option(
            "--title",
            help="The backend's title in Label Studio (default: 'eventgold EXTRACTOR @ HOST:PORT', the extractor "
            "as the backend's /health names it; connecting again keeps a title you gave).",
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            help="Interactive pre-annotations: annotators get live predictions when they open a task (in place "
            "of pushed ones), and Label Studio sends their regions to this backend. Label Studio asks the "
            "project's first backend (lowest id) only: a warning says when that is another one.",
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
        info = connect_backend(client, project, url, title=title, interactive=interactive, api_key=backend_api_key)
    shadowed = info.shadow_warning() if interactive else None
    if shadowed:
        err_console.print(f"[yellow]warning:[/yellow] {escape(shadowed)}", highlight=False, soft_wrap=True)
    if json_out:
        write_json_output(info.to_json(), json_out)
    if json_out != "-":
        verb = "connected" if info.created else "updated"
        first = info.live_backend
        if info.live:
            live = "; annotators get its predictions live"
        elif shadowed and first is not None:
            live = f"; annotators get live predictions from backend {escape(repr(first.title))} (id {first.id}) instead"
        else:
            live = ""
        console.print(
            f"{verb} ML backend {escape(repr(info.title))} (id {info.id}) at {escape(info.url)} in project "
            f"{escape(info.project_title)!r}: {info.to_json()['state']}, model version "
            f"{escape(info.model_version) or '-'}" + live,
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
    """Show a project's ML backends, whether Label Studio reaches them, and which one gives live predictions.

    Annotators get live predictions (when they open a task) from the first backend (lowest id) only,
    when the project has them on (`eventgold ml connect --interactive`): column "live".

    Example: [bold]eventgold ml status --project eventgold --json -[/bold]
    """
    from eventgold.labelstudio.ml_status import status as backend_status

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
    table = Table(title=f"ML backends of {escape(repr(project))}")
    for column in ("id", "title", "url", "state", "reachable", "model version", "live"):
        # fold, never cut: a URL or title must stay whole (on more lines) however narrow the terminal
        table.add_column(
            column, justify="right" if column == "id" else "left", no_wrap=column == "state", overflow="fold"
        )
    for r in rows:
        reach = "[green]yes[/green]" if r.reachable else "[red]no[/red]"
        live = "[green]yes[/green]" if r.live else "no"
        table.add_row(str(r.id), escape(r.title), escape(r.url), r.state_name, reach, escape(r.model_version), live)
    console.print(table)
    if len(rows) > 1 and any(r.live for r in rows):
        first = next(r for r in rows if r.live)
        console.print(
            f"live predictions come from backend {first.id} only (Label Studio asks the first one)",
            highlight=False,
        )
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

    Tasks that already hold a prediction of the backend's current model version are skipped. With
    several backends, Label Studio asks the first (lowest id in `eventgold ml status`) only.

    Example: [bold]eventgold ml retrieve --project eventgold[/bold]
    """
    from eventgold.labelstudio.ml_status import retrieve as retrieve_from_backend

    with _client(ls_url, api_key) as client:
        done = retrieve_from_backend(client, project, timeout=timeout)
    b = done.backend
    if json_out:
        payload = {
            "project": project,
            "tasks_with_prediction": done.tasks_with_prediction,
            "tasks_with_prediction_before": done.tasks_before,
            "backend": {"id": b.id, "title": b.title, "url": b.url, "model_version": b.model_version},
            "other_backends": done.others,
        }
        write_json_output(payload, json_out)
    if json_out == "-":
        return
    version = f"model version {escape(b.model_version)}" if b.model_version else "no model version"
    console.print(
        f"asked ML backend {escape(repr(b.title))} (id {b.id}, {escape(b.url)}, {version}) for predictions: "
        f"{done.tasks_with_prediction} task(s) of project {escape(repr(project))} hold one now, "
        f"{done.tasks_before} before"
        + (
            f"; Label Studio asks the first backend only, not the project's {done.others} other(s)"
            if done.others
            else ""
        ),
        highlight=False,
        soft_wrap=True,
    )


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
    port: Annotated[int, typer.Option("--port", help="Port to listen on (0: a free one, printed).")] = 9090,
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
    retrain: Annotated[
        int | None,
        typer.Option(
            "--retrain",
            metavar="N",
            help="With a model: extractor, retrain it in the background after N new annotations of a project "
            "(pull, gold version, training) and serve the new model when its dev score is not worse.",
            show_default=False,
        ),
    ] = None,
    retrain_dir: Annotated[
        Path | None,
        typer.Option(
            "--retrain-dir",
            help="Folder of the retraining rounds (pulls, gold versions, models, rounds.jsonl); "
            "default: MODEL-retrain beside the model folder.",
            show_default=False,
        ),
    ] = None,
    retrain_gold: Annotated[
        Path | None,
        typer.Option(
            "--retrain-gold",
            help="The gold version the model was trained from: the first round keeps its splits, so documents "
            "the model learned from stay out of dev (checked against the model's meta.json).",
            show_default=False,
        ),
    ] = None,
    ls_url: Annotated[
        str | None,
        typer.Option(
            "--ls-url", help="Label Studio URL for the pulls of --retrain (else LABEL_STUDIO_URL, .env, local server)."
        ),
    ] = None,
    ls_api_key: Annotated[
        str | None,
        typer.Option(
            "--ls-api-key",
            help="Label Studio API key for the pulls of --retrain (else LABEL_STUDIO_API_KEY, .env, the local server).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve an extractor to Label Studio as an ML backend (live pre-annotations) until stopped (Ctrl-C).

    Then connect it to a project: `eventgold ml connect --url http://HOST:PORT`.
    With --retrain N, a model: extractor is retrained from the project after every N new
    annotations and swapped in when it is not worse on dev (rounds in --retrain-dir).

    Example: [bold]eventgold ml-backend -e rules --port 9090[/bold]

    Example: [bold]eventgold ml-backend -e model:models/v1 --retrain 50[/bold]
    """
    from eventgold.extractors.base import load_extractor
    from eventgold.mlbackend import serve
    from eventgold.mlbackend.server import check_serve_options
    from eventgold.ontology import load_ontology

    check_serve_options(host, port, api_key, log_level)  # refused before the extractor loads
    onto = load_ontology(ontology)
    ex = load_extractor(extractor, actors=actors, lexicon=lexicon, ontology=onto)
    retrainer = None
    if retrain is not None:
        retrainer = _retrainer(ex, onto, retrain, retrain_dir, retrain_gold, ls_url, ls_api_key)
        base, ex = ex, retrainer.resume()
    elif any(o is not None for o in (retrain_dir, retrain_gold, ls_url, ls_api_key)):
        raise ConfigError(
            "--retrain-dir, --retrain-gold, --ls-url and --ls-api-key are for --retrain N; give it or leave them out"
        )

    def listening(url: str) -> None:  # once the port is bound: a refusal prints the error line only
        err_console.print(f"serving {escape(ex.name)} to Label Studio at {escape(url)}", highlight=False)
        if retrainer is not None:
            folder = escape(str(retrainer.settings.folder))
            if ex is not base:
                err_console.print(f"  resumed: the last model retraining accepted in {folder}", highlight=False)
            err_console.print(
                f"  retraining after every {retrain} new annotations of a project (pulls from "
                f"{escape(retrainer.label_studio)}); rounds in {folder}/rounds.jsonl",
                highlight=False,
            )

    serve(
        ex, onto, host=host, port=port, api_key=api_key, log_level=log_level, on_listening=listening,
        retrainer=retrainer,
    )  # fmt: skip


def _retrainer(
    extractor: Extractor,
    ontology: Ontology,
    after: int,
    folder: Path | None,
    gold: Path | None,
    ls_url: str | None,
    ls_api_key: str | None,
) -> Retrainer:
    """The retrainer of ``ml-backend --retrain``: options checked and Label Studio asked once, before serving."""
    from eventgold.config import resolve_connection
    from eventgold.labelstudio.client import LabelStudioClient
    from eventgold.mlbackend.retrain import Retrainer, RetrainSettings, check_base_gold, label_studio_pull
    from eventgold.training.model import TrainedModel

    if not isinstance(extractor, TrainedModel):
        raise ConfigError(f"--retrain needs a model: extractor (e.g. -e model:models/v1), not {extractor.name!r}")
    if gold is not None:
        check_base_gold(extractor, gold)
    else:
        err_console.print(
            "[yellow]warning:[/yellow] without --retrain-gold the first round draws a new split: documents the "
            "model learned from may land in dev and favour it",
            highlight=False,
        )
    settings = RetrainSettings(
        after=after, folder=folder or extractor.path.with_name(f"{extractor.path.name}-retrain"), gold=gold
    )
    connection = resolve_connection(ls_url, ls_api_key)
    with LabelStudioClient(connection) as client:  # a wrong URL or key is one line now, not after N annotations
        client.whoami()
    pull = label_studio_pull(lambda: LabelStudioClient(connection), settings.folder / "raw", ontology)
    return Retrainer(extractor, ontology, settings, pull, label_studio=connection.url)
