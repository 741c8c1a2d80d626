"""``eventgold push``, ``pull`` and ``annotators``: the Label Studio loop (``up`` is in ``commands.up``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from eventgold.commands.options import ApiKey, JsonOut, Url
from eventgold.config import listings_path, resolve_connection, workspace
from eventgold.console import console, err_console, report_problems, track, write_json_output
from eventgold.errors import InputError, UserError
from eventgold.models import Article, DocumentAnnotation

if TYPE_CHECKING:
    from eventgold.labelstudio.client import LabelStudioClient
    from eventgold.ontology import Ontology

DEFAULT_PROJECT = "eventgold"
UNMATCHED_SHOWN = 5  # ids in a warning (ids of `push --only-ids` matching nothing, documents held twice); all in --json

annotators_app = typer.Typer(help="Annotator accounts on the Label Studio server.", no_args_is_help=True)


def open_client(url: str | None, api_key: str | None) -> LabelStudioClient:
    """A client for the server the options name, else LABEL_STUDIO_URL/API key or the credentials file.

    Args:
        url: ``--url`` (None: from the environment, ``.env`` or the credentials file).
        api_key: ``--api-key`` (None: likewise).

    Returns:
        A client to use as a context manager (``with open_client(...) as client:``).

    Raises:
        ConfigError: no URL or no API key could be found (:func:`eventgold.config.resolve_connection`).
    """
    from eventgold.labelstudio.client import LabelStudioClient

    return LabelStudioClient(resolve_connection(url, api_key))


def load_predictions(
    paths: Iterable[Path], articles: dict[str, Article], ontology: Ontology | None = None
) -> dict[str, list[DocumentAnnotation]]:
    """Read prediction files (any format the readers know) grouped by document id.

    All the files are one set: one annotation per document and origin across
    them (two different ones are a DuplicateIdError naming both places; an
    exact repeat is read once, with a warning). With ``ontology``, a label it
    lacks is a RecordError naming the file and line (before any server is contacted).
    """
    from eventgold.readers import read_predictions
    from eventgold.records_io import ANNOTATIONS, OneRecordPerId

    seen = OneRecordPerId(ANNOTATIONS)
    grouped: dict[str, list[DocumentAnnotation]] = defaultdict(list)
    for path in paths:
        for annotation in read_predictions(path, articles=articles, ontology=ontology, one_per=seen):
            grouped[annotation.doc_id].append(annotation)
    return dict(grouped)


def label_config_and_instructions() -> tuple[str, str]:
    """The rendered labeling config and the guidelines as HTML (from label_config/)."""
    from eventgold.config import ONTOLOGY_FILE
    from eventgold.labelstudio.label_config import render_label_config
    from eventgold.labelstudio.project import guidelines_html
    from eventgold.ontology import LABEL_CONFIG_FILE, default_label_config_dir, load_ontology

    folder = default_label_config_dir()
    xml_path = folder / LABEL_CONFIG_FILE
    guide = folder / "GUIDELINES.md"
    if not xml_path.is_file():
        raise UserError(f"{xml_path} is missing; run `eventgold config render`")
    xml = xml_path.read_text(encoding="utf-8")
    if xml != render_label_config(load_ontology(folder / ONTOLOGY_FILE)):
        raise UserError(f"{xml_path} is older than the ontology beside it; run `eventgold config render`")
    instructions = guidelines_html(guide.read_text(encoding="utf-8")) if guide.is_file() else ""
    return xml, instructions


def dictionary_candidates() -> Callable[[Article], list[dict[str, str]]]:
    """``actor_candidates`` for each task, from the actor dictionary compiled once.

    Returns:
        A function from an article to its task's ``actor_candidates``
        (``[{"value": "<id> — <name>"}]``, :func:`eventgold.extractors.gazetteer.actor_candidates`).
    """
    from eventgold.extractors.gazetteer import actor_candidates, load_gazetteer

    gazetteer = load_gazetteer()
    return lambda article: actor_candidates(article, gazetteer)


def run_push(
    corpus: Path,
    predictions: list[Path],
    project: str,
    *,
    overlap: int | None,
    replace_unannotated: bool,
    only_ids: Path | None,
    url: str | None,
    api_key: str | None,
    full_listing: bool = False,
) -> Any:
    """Load the corpus and predictions, then push them (shared by ``push`` and ``up``).

    Both are read one record per id (:mod:`eventgold.records_io`) before the
    server is contacted: an id held by two different articles stops the push.
    The project's tasks are listed incrementally from the workspace's ``listings/``
    (every task with ``full_listing``); the listing is kept there for the next push.
    """
    from eventgold.labelstudio.push import push_articles
    from eventgold.labelstudio.task_listing import ListingCache
    from eventgold.labelstudio.tasks_file import read_push_input
    from eventgold.ontology import load_ontology

    ontology = load_ontology()
    tasks = read_push_input(corpus, ontology)  # a corpus, or a tasks file with annotations and predictions
    articles = tasks.articles
    if not articles:
        raise InputError(f"{corpus}: holds no articles; make a corpus with `eventgold ingest`")
    preds = tasks.with_predictions(load_predictions(predictions, articles, ontology))
    ids: list[str] | None = None
    if only_ids is not None:
        from eventgold.extractors.suggest import read_id_list

        # the format `suggest -o` writes; a line starting with # is an id when the corpus has it
        ids = read_id_list(only_ids, known=articles)
    xml, instructions = label_config_and_instructions()
    with open_client(url, api_key) as client:
        if overlap is not None and overlap < 1:  # checked here too, to name the option
            raise UserError(f"--overlap must be at least 1, got {overlap}")
        return push_articles(
            client,
            articles.values(),
            project_title=project,
            label_config=xml,
            instructions=instructions,
            ontology=ontology,
            predictions=preds,
            annotations=tasks.annotations,
            overlap=overlap,
            replace_unannotated=replace_unannotated,
            only_ids=ids,
            candidates=tasks.candidates_or(dictionary_candidates()),
            progress=lambda batches, n: track(batches, "importing tasks", total=n),
            listing_cache=ListingCache(listings_path(), refresh=full_listing),
        )


def push(
    corpus: Annotated[
        Path, typer.Argument(help="Corpus JSONL (`eventgold ingest`), or Label Studio tasks JSON (`export`).")
    ],
    predictions: Annotated[
        list[Path] | None, typer.Option("--predictions", help="Predictions file; repeat for several.")
    ] = None,
    project: Annotated[str, typer.Option("--project", help="Project title.")] = DEFAULT_PROJECT,
    overlap: Annotated[int | None, typer.Option("--overlap", help="Annotators per task.")] = None,
    replace_unannotated: Annotated[
        bool, typer.Option(help="Replace unannotated tasks whose article text changed.")
    ] = False,
    only_ids: Annotated[
        Path | None,
        typer.Option(
            "--only-ids",
            help="Push only these documents: a file of ids, one per line (as `suggest -o` writes it); "
            "listed ids that match no article are reported.",
        ),
    ] = None,
    full_listing: Annotated[
        bool,
        typer.Option(
            "--full-listing",
            help="List every task of the project, not only those updated since the last push from this "
            "workspace (slower on large projects; a push lists everything by itself when its kept listing "
            "disagrees with Label Studio's task count).",
        ),
    ] = False,
    url: Url = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Push articles (and extractor predictions as pre-annotations) to a Label Studio project.

    Idempotent: pushing again creates no task; a changed article under annotations is refused.
    A tasks file's annotations (ground truth kept) come with the tasks they create. A push
    keeps what it listed in .eventgold/listings/, so the next one asks Label Studio only for
    the tasks updated since.

    Example: [bold]eventgold push exports/corpus.jsonl --predictions exports/predictions/rules.jsonl --overlap 2[/bold]
    Example: [bold]eventgold push exports/ls-v1/tasks.json --project "gold v1"[/bold]
    """
    result = run_push(
        corpus,
        predictions or [],
        project,
        overlap=overlap,
        replace_unannotated=replace_unannotated,
        only_ids=only_ids,
        url=url,
        api_key=api_key,
        full_listing=full_listing,
    )
    payload = result.to_json()
    if only_ids is not None:
        payload["unmatched_ids"] = result.unmatched_ids
    if result.unmatched_ids:
        shown = ", ".join(repr(i) for i in result.unmatched_ids[:UNMATCHED_SHOWN])
        more = " …" if len(result.unmatched_ids) > UNMATCHED_SHOWN else ""
        err_console.print(
            f"[yellow]warning:[/yellow] {len(result.unmatched_ids)} id(s) listed in {escape(str(only_ids))} "
            f"match no article in {escape(str(corpus))}: {escape(shown)}{more}",
            highlight=False,
        )
    if json_out:
        write_json_output(payload, json_out)
    if json_out != "-":
        console.print(
            f"project {result.project.title!r} (id {result.project.id}): {result.created} task(s) "
            f"created, {result.unchanged} unchanged, {result.replaced} replaced, "
            f"{result.predictions_imported} prediction(s) imported with new tasks, "
            f"{result.predictions_added} added to existing tasks"
            + (f", {result.annotations_imported} annotation(s) imported" if result.annotations_imported else "")
        )
        console.print(f"tasks listed: {result.listing}" + (f" ({result.listing_note})" if result.listing_note else ""),
                      highlight=False)
    if result.duplicate_tasks:
        held = list(result.duplicate_tasks.items())
        shown = "; ".join(f"{doc} (tasks {', '.join(map(str, ids))})" for doc, ids in held[:UNMATCHED_SHOWN])
        err_console.print(
            f"[yellow]warning:[/yellow] {len(held)} document(s) are held by several tasks of the project: "
            f"{escape(shown)}{' …' if len(held) > UNMATCHED_SHOWN else ''}; each is matched to its last task and "
            "its article is never replaced: delete the extra tasks in Label Studio",
            highlight=False,
        )
    if result.annotations_skipped:
        err_console.print(f"[yellow]warning:[/yellow] {result.annotations_skipped} annotation(s) not imported: their "
                          "tasks already exist without them (push into a new project)", highlight=False)


def pull(
    project: Annotated[str, typer.Option("--project", help="Project title.")] = DEFAULT_PROJECT,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="Folder for raw snapshots (default: exports/raw/ in the project folder, "
            "else in the working directory).",
        ),
    ] = None,
    jsonl: Annotated[
        Path | None, typer.Option("--jsonl", help="Also write the annotations as DocumentAnnotation JSONL.")
    ] = None,
    review: Annotated[
        bool,
        typer.Option(
            help="The project is a review project: its annotations are adjudications "
            "(detected for projects made by `eventgold review push`)."
        ),
    ] = False,
    predictions: Annotated[
        bool,
        typer.Option(
            "--predictions/--no-predictions",
            help="Fetch the project's predictions (pre-annotations) into a .predictions.json sidecar; "
            "--no-predictions skips that request (faster on large projects).",
        ),
    ] = True,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="How to get the export: auto (the synchronous export up to 5,000 tasks, an export snapshot "
            "above; falls back export → snapshot → paged when one times out or fails), export, snapshot or paged.",
        ),
    ] = "auto",
    export_timeout: Annotated[
        float,
        typer.Option(
            help="Seconds without data before a download (the synchronous export, an export snapshot's file) "
            "is given up; not a limit on the whole download. A number > 0."
        ),
    ] = 300.0,
    snapshot_timeout: Annotated[
        float, typer.Option(help="Seconds to wait for an export snapshot to be built. A number > 0.")
    ] = 1800.0,
    since: Annotated[
        Path | None,
        typer.Option(
            "--since",
            help="An earlier snapshot of the project: write beside it a delta snapshot of only the tasks changed "
            "since then (and the ids of those deleted), linked to it in .meta.json; `gold build BASE DELTA…` "
            "reads them as one full snapshot. The summary and --jsonl then cover the changed tasks.",
        ),
    ] = None,
    since_margin: Annotated[
        float,
        typer.Option(
            help="With --since: seconds before the base's Label Studio time from which changes are fetched "
            "(saves still being committed while the base was pulled come again). A number >= 0.",
        ),
    ] = 120.0,
    url: Url = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Pull a project's annotations as a raw snapshot (full JSON export) and summarise them.

    Snapshots are never overwritten: <project>-<UTC time>.json with .sha256, .meta.json
    and .predictions.json sidecars (the project's predictions; not with --no-predictions).
    Without -o they go to the project's exports/raw/ (beside label_config/), from any subfolder.

    Example: [bold]eventgold pull --project "Iraq 2020" -o exports/raw/ --jsonl annotations.jsonl[/bold]

    Incremental: [bold]eventgold pull --project "Iraq 2020" --since exports/raw/iraq-2020-20261201T090000Z.json[/bold]
    """
    from eventgold.config import find_project_config
    from eventgold.labelstudio.export_snapshot import check_seconds
    from eventgold.labelstudio.pull import pull_snapshot
    from eventgold.labelstudio.snapshot import predictions_path
    from eventgold.labelstudio.snapshot_delta import chain_of
    from eventgold.labelstudio.snapshot_stream import summarise_snapshot

    check_seconds(export_timeout, "--export-timeout")
    check_seconds(snapshot_timeout, "--snapshot-timeout")
    if output is None and since is not None:
        output = since.parent  # a delta goes beside its base
    if output is None:
        config = find_project_config()  # label_config/ of the project: snapshots go beside it
        output = (config.parent if config is not None else Path()) / "exports" / "raw"

    with open_client(url, api_key) as client:
        result = pull_snapshot(
            client,
            project,
            output,
            method=method,
            export_timeout=export_timeout,
            snapshot_timeout=snapshot_timeout,
            annotation_kind="adjudicator" if review else None,
            with_predictions=predictions,
            on_fallback=lambda msg: err_console.print(f"[yellow]{msg}[/yellow]"),
            since=since,
            since_margin=since_margin,
        )
    snap = summarise_snapshot(result.path, jsonl=jsonl)  # one task at a time: memory does not grow with the project
    per_annotator = snap.annotators()
    payload = {
        "snapshot": str(result.path),
        "sha256": result.sha256,
        "method": result.method,
        "annotation_kind": result.annotation_kind,
        "tasks": snap.task_count,
        "annotations": sum(snap.per_annotator.values()),
        "skipped": sum(snap.skipped.values()),
        "predictions": snap.predictions,
        "predictions_fetched": result.predictions,
        "predictions_not_fetched": snap.predictions_not_fetched,
        "per_annotator": per_annotator,
        "delta": result.delta.to_json() if result.delta is not None else None,
    }
    if json_out:  # every problem and repair, streamed from disk: a big project's thousands are never held
        streamed = {"problems": snap.problems.json_items(), "repairs": snap.repairs.json_items()}
        write_json_output(payload, json_out, streamed=streamed)
    report_problems(snap.problems, result.path, repairs=snap.repairs, show=20)
    if json_out == "-":
        return
    console.print(f"wrote {result.path} ({result.method}, sha256 {result.sha256[:12]}…)")
    if result.delta is not None:
        console.print(
            f"delta of {result.delta.base}: {result.delta.changed_tasks} task(s) updated since "
            f"{result.delta.since.isoformat(timespec='seconds')}, {len(result.delta.deleted_tasks)} deleted; "
            f"gold from the base and its deltas: eventgold gold build {' '.join(map(str, chain_of(result.path)))}"
        )
    if result.annotation_kind == "adjudicator":
        console.print("review project: its annotations are adjudications (they win in `gold build`)")
    if result.predictions is not None:
        sidecar = predictions_path(result.path)
        console.print(f"fetched {result.predictions} predictions (pre-annotations) into {sidecar}")
    elif snap.predictions_not_fetched:
        console.print(
            f"[yellow]did not fetch {snap.predictions_not_fetched} predictions (--no-predictions)[/yellow]: "
            "pull again without --no-predictions to store them"
        )
    elif result.delta is not None:
        console.print(f"the delta holds its tasks' {snap.predictions} predictions inline (no sidecar needed)")
    elif snap.predictions:  # paged tasks (/api/tasks) carry their predictions inline
        console.print(
            f"did not fetch the predictions sidecar (--no-predictions); the snapshot holds its "
            f"{snap.predictions} predictions inline ({result.method})"
        )
    else:
        console.print("did not fetch predictions (--no-predictions); the export lists none")
    table = Table(title=f"{snap.task_count} tasks, {snap.predictions} predictions")
    table.add_column("annotator")
    table.add_column("annotations", justify="right")
    table.add_column("skipped", justify="right")
    for name, counts in per_annotator.items():
        table.add_row(name, str(counts["annotations"]), str(counts["skipped"]))
    console.print(table)


@annotators_app.command("add")
def annotators_add(
    emails: Annotated[list[str], typer.Argument(help="E-mail addresses of the annotators.")],
    url: Url = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Create annotator accounts; passwords go to .eventgold/annotators (mode 0600), never to the screen.

    Example: [bold]eventgold annotators add ana@example.org ben@example.org[/bold]
    """
    from eventgold.labelstudio.annotators import add_annotators

    password_file = workspace() / "annotators"
    with open_client(url, api_key) as client:
        made = add_annotators(client, emails, password_file)
    if json_out:
        write_json_output(
            {
                "annotators": [{"email": a.email, "user_id": a.user_id, "created": a.created} for a in made],
                "password_file": str(password_file),
            },
            json_out,
        )
    if json_out != "-":
        for a in made:
            state = "created" if a.created else "already exists"
            console.print(f"{a.email}: {state}")
        if any(a.created for a in made):
            console.print(f"passwords are in {password_file} (mode 0600); hand each one over privately")


@annotators_app.command("list")
def annotators_list(url: Url = None, api_key: ApiKey = None, json_out: JsonOut = None) -> None:
    """List the server's users and how many tasks each has annotated.

    Example: [bold]eventgold annotators list --json -[/bold]
    """
    from eventgold.labelstudio.annotators import annotator_stats

    with open_client(url, api_key) as client:
        stats = annotator_stats(client)
    if json_out:
        write_json_output(
            {
                "annotators": [
                    {"email": s.email, "user_id": s.user_id, "tasks_done": s.tasks_done, "by_project": s.by_project}
                    for s in stats
                ]
            },
            json_out,
        )
    if json_out == "-":
        return
    table = Table()
    table.add_column("annotator")
    table.add_column("tasks done", justify="right")
    table.add_column("by project")
    for s in stats:
        table.add_row(s.email, str(s.tasks_done), ", ".join(f"{k}: {v}" for k, v in s.by_project.items()))
    console.print(table)
