"""``eventgold train``: train an extractor from a gold version (spaCy spans + scikit-learn roles and modes)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from eventgold.commands.options import JsonOut, OntologyOpt
from eventgold.commands.report import command_line
from eventgold.console import console, err_console, split_list, write_json_output
from eventgold.errors import ConfigError, InputError


def _curve(value: str | None) -> list[int]:
    points: list[int] = []
    for item in split_list(value):
        try:
            points.append(int(item.rstrip("%")))
        except ValueError:
            raise ConfigError(f"--curve takes percentages such as 25,50,75,100, not {item!r}") from None
    return points


def train(
    ctx: typer.Context,
    gold: Annotated[Path, typer.Argument(help="Gold version folder, e.g. exports/gold/v1.", show_default=False)],
    output: Annotated[
        Path,
        typer.Option(
            "-o", "--output", help="Model folder to write (new, or an earlier model to replace).", show_default=False
        ),
    ],
    train_split: Annotated[str, typer.Option("--train-split", help="Split to learn from.")] = "train",
    dev_split: Annotated[str, typer.Option("--dev-split", help="Split for model selection and dev figures.")] = "dev",
    seed: Annotated[int, typer.Option("--seed", help="Seed of training (same seed, same model figures).")] = 0,
    curve: Annotated[
        str | None,
        typer.Option(
            "--curve",
            help="Learning curve: train on these percentages of the train split too, e.g. 25,50,75,100.",
            show_default=False,
        ),
    ] = None,
    max_steps: Annotated[
        int | None, typer.Option("--max-steps", min=1, help="spaCy training steps at most (default 1000).")
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="A small, fast model (seconds; to try the loop, not for use).")
    ] = False,
    ontology: OntologyOpt = None,
    html: Annotated[
        Path | None,
        typer.Option("--html", help="Write the training report (dev figures, learning curve chart) as HTML."),
    ] = None,
    json_out: JsonOut = None,
) -> None:
    """Train an extractor from a gold version: actor mentions, triggers, arguments and modes.

    spaCy (spancat, trained from blank on the CPU, nothing downloaded) learns the mention and
    trigger spans from the train split, choosing the best model on the dev split; scikit-learn
    classifiers learn which mention fills which role and the mode. The model folder holds
    meta.json (gold version and manifest sha256, ontology sha256, seed, command, dev
    figures) and is used as an extractor: -e model:FOLDER.

    Example: [bold]eventgold train exports/gold/v1 -o models/v1[/bold], then
    [bold]eventgold extract corpus.jsonl -e model:models/v1[/bold]
    Example: [bold]eventgold train exports/gold/v1 -o models/v1 --curve 25,50,75,100 --html curve.html[/bold]
    """
    from dataclasses import replace

    from eventgold.fileio import atomic_write_text, output_target, refuse_inputs_as_outputs
    from eventgold.ontology import load_ontology
    from eventgold.training.api import train as train_model
    from eventgold.training.spans import SpanModelSettings

    refuse_inputs_as_outputs([output, html, json_out], [gold])
    for target in (html, None if json_out in (None, "-") else Path(json_out)):
        if target is not None and output_target(target).is_dir():  # checked now, not after a training run
            raise InputError(f"{target} is a folder; give the path of a file to write")
    settings = SpanModelSettings.tiny() if quick else SpanModelSettings()
    if max_steps is not None:
        settings = replace(settings, max_steps=max_steps)
    command = command_line(ctx)
    meta = train_model(
        gold,
        output,
        ontology=load_ontology(ontology),
        train_split=train_split,
        dev_split=dev_split,
        seed=seed,
        settings=settings,
        curve=_curve(curve),
        command=command,
        progress=lambda line: err_console.print(escape(line), soft_wrap=True),
    )
    for warning in meta.warnings:
        err_console.print(f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True)
    if html is not None:
        from eventgold.report.html_training import training_html

        atomic_write_text(html, training_html(meta))
    if json_out:
        write_json_output(meta, json_out)
        if json_out == "-":
            return
    table = Table(title=f"model {meta.name}: figures on split {meta.gold.dev_split!r}")
    for col in ("train docs", "mention strict F1", "trigger cls F1", "argument cls F1", "mode accuracy"):
        table.add_column(col, justify="right")
    rows = [(f"{p.percent}%", p.train_documents, p.dev) for p in meta.curve]
    rows = rows or [("", meta.gold.train_documents, meta.dev)]
    for label, docs, dev in rows:
        values = (dev.mention_strict_f1, dev.trigger_cls_f1, dev.arg_cls_f1, dev.mode_accuracy)
        table.add_row(f"{docs} {label}".strip(), *("n/a" if v is None else f"{v:.3f}" for v in values))
    console.print(table)
    console.print(f"wrote {escape(str(output))}; use it with [bold]-e model:{escape(str(output))}[/bold]")
