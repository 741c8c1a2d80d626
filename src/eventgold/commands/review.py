"""``eventgold review push``: send a gold build's conflicts to a Label Studio review project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from eventgold.commands.options import ApiKey, JsonOut, Url
from eventgold.console import console, err_console, report_problems, write_json_output

app = typer.Typer(
    help="Adjudication in Label Studio: conflicted documents go to a review project.",
    no_args_is_help=True,
)

DEFAULT_REVIEW_PROJECT = "eventgold review"


@app.command("push")
def push(
    conflicts: Annotated[
        Path, typer.Argument(help="conflicts.jsonl of a gold version (exports/gold/<version>/conflicts.jsonl).")
    ],
    project: Annotated[
        str, typer.Option("--project", help="Title of the review project (created if missing).")
    ] = DEFAULT_REVIEW_PROJECT,
    articles: Annotated[
        Path | None,
        typer.Option(
            "--articles",
            help="Corpus JSONL or raw snapshot holding the articles (default: the versions' source tasks).",
        ),
    ] = None,
    url: Url = None,
    api_key: ApiKey = None,
    json_out: JsonOut = None,
) -> None:
    """Send conflicted documents to a review project, each annotator's version as a prediction.

    Idempotent: pushing again creates no task or prediction.

    Then pull the review project (`eventgold pull --project TITLE`) and pass its snapshot to the next `gold build`.

    The adjudicator's annotation wins for its documents.

    Example: [bold]eventgold review push exports/gold/v1/conflicts.jsonl --project "Iraq 2020 review"[/bold]
    """
    from eventgold.commands.labelstudio import dictionary_candidates, label_config_and_instructions, open_client
    from eventgold.labelstudio.review import (
        articles_from_label_studio,
        push_review,
        read_articles,
        read_conflicts,
        review_instructions,
    )
    from eventgold.ontology import load_ontology
    from eventgold.problems import Problem

    found = read_conflicts(conflicts)
    payload: dict[str, Any]
    if not found:
        payload = {"project": None, "documents": 0, "created": 0}
        if json_out:
            write_json_output(payload, json_out)
        if json_out != "-":
            console.print(f"{conflicts}: no conflicts; nothing to review")
        return
    ontology = load_ontology()
    xml, guidelines = label_config_and_instructions()
    problems: list[Problem] = []
    known = read_articles(articles, problems) if articles is not None else None
    report_problems(problems, articles)
    with open_client(url, api_key) as client:
        texts = articles_from_label_studio(client, found, known)
        result = push_review(
            client,
            found,
            texts,
            project_title=project,
            label_config=xml,
            instructions=review_instructions(guidelines),
            ontology=ontology,
            candidates=dictionary_candidates(),
        )
    payload = {
        **result.to_json(),
        "already_reviewed": result.reviewed,
        "problems": [p.model_dump(mode="json") for p in problems],
    }
    if json_out:
        write_json_output(payload, json_out)
    if json_out == "-":
        return
    console.print(
        f"review project {result.project.title!r} (id {result.project.id}): {result.documents} "
        f"conflicted document(s); {result.created} task(s) created, {result.unchanged} already there; "
        f"predictions {result.predictions_added} added, {result.predictions_updated} updated, "
        f"{result.predictions_unchanged} unchanged"
    )
    if result.reviewed:
        err_console.print(
            f"[yellow]note:[/yellow] {len(result.reviewed)} document(s) already have an adjudication "
            f"in the review project: {', '.join(result.reviewed[:10])}"
        )
    console.print(
        f"when reviewed: `eventgold pull --project {project!r}`, then `eventgold gold build` with "
        "both snapshots (the adjudicator policy makes the review win)"
    )
