"""``eventgold export``: training data (CoNLL, spaCy, Hugging Face, PLOVER) or Label Studio tasks from gold."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from eventgold.commands.options import OntologyOpt
from eventgold.console import console, err_console, split_list, write_json_output


def export(
    gold: Annotated[Path, typer.Argument(help="Gold version folder, e.g. exports/gold/v1.", show_default=False)],
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="conll, spacy, hf, plover or labelstudio.", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="Export folder (new, empty, or an earlier export to replace).", show_default=False
        ),
    ],
    split: Annotated[str, typer.Option("--split", help="Splits to export, comma-separated.")] = "train,dev,test",
    ontology: OntologyOpt = None,
    actors: Annotated[
        Path | None,
        typer.Option(
            "--actors",
            help="Actor dictionary for PLOVER Wikidata ids and Label Studio actor_candidates "
            "(default: label_config/actors.yaml).",
        ),
    ] = None,
    as_predictions: Annotated[
        bool,
        typer.Option(
            "--as-predictions",
            help="labelstudio: the gold as predictions (model_version gold@<version>) instead of "
            "ground-truth annotations.",
        ),
    ] = False,
    json_out: Annotated[str | None, typer.Option("--json", help="Write machine output here (- for stdout).")] = None,
) -> None:
    """Export a gold version: CoNLL BIO, spaCy DocBin, Hugging Face JSONL, PLOVER records or Label Studio tasks.

    One file per split, a manifest naming the gold version, and cut_spans.jsonl (gold spans the
    format cannot hold, such as overlaps in IOB; a token is split at a gold span edge instead).
    labelstudio writes one tasks.json (the gold as ground-truth annotations, or --as-predictions)
    that `eventgold push` imports into a project.

    Example: [bold]eventgold export exports/gold/v1 --format conll -o exports/train/conll-v1[/bold]
    Example: [bold]eventgold export exports/gold/v1 -f labelstudio -o exports/ls-v1[/bold], then
    [bold]eventgold push exports/ls-v1/tasks.json --project "gold v1"[/bold]
    """
    from eventgold.export.manifest import CUT_FILE
    from eventgold.export.run import export_gold
    from eventgold.ontology import load_ontology

    onto = load_ontology(ontology) if ontology is not None else None
    summary = export_gold(
        gold, fmt, output, split_list(split), ontology=onto, actors_path=actors, as_predictions=as_predictions
    )
    table = Table(title=f"{summary.format} export of gold {summary.gold_version}", show_header=True)
    for column in ("split", "documents", "mentions", "events", "records", "cut spans"):
        table.add_column(column, justify="left" if column == "split" else "right")
    for name, counts in summary.splits.items():
        table.add_row(
            name,
            str(counts.documents),
            str(counts.mentions),
            str(counts.events),
            str(counts.records),
            str(counts.cut),
        )
    if json_out != "-":
        console.print(table)
    for warning in summary.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    if summary.cut_spans:
        reasons = ", ".join(f"{k} {v}" for k, v in summary.cut_reasons.items())
        err_console.print(
            f"[yellow]{summary.cut_spans} gold spans not carried over[/yellow] ({reasons}); see "
            f"{escape(str(output / CUT_FILE))}"
        )
    verb = "wrote" if summary.status == "written" else "unchanged (identical export):"
    if json_out != "-":
        console.print(f"{verb} {escape(str(output))} ({', '.join(summary.files)})")
    if json_out:
        write_json_output(summary.model_dump(mode="json"), json_out)
