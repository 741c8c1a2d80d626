"""``eventgold ingest``: raw articles to a clean, de-duplicated corpus (thin layer over eventgold.ingest)."""

from __future__ import annotations

import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from eventgold.commands.options import FLAGS
from eventgold.console import console, err_console, write_json_output

SKIPPED_SHOWN = 20


class Quoting(StrEnum):
    """How quote characters in .csv/.tsv files are read (``--quoting``)."""

    auto = "auto"
    csv = "csv"
    none = "none"


def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders: .txt, .html, .jsonl, .csv (folders are walked).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Corpus JSONL to write (replaced atomically).")],
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Skip bad files, lines and rows (listed in the summary) and exit 0.")
    ] = False,
    keep_raw: Annotated[
        bool, typer.Option("--keep-raw", help="Also store each article's untouched text in meta.raw_text.")
    ] = False,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="YAML file of extra furniture rules (see cleaning_rules.yaml).")
    ] = None,
    near_dup_threshold: Annotated[
        float,
        typer.Option(
            "--near-dup-threshold",
            min=0.0,
            max=1.0,
            help="Estimated Jaccard similarity (word 3-grams) at which an article is marked duplicate_of; 0: off.",
        ),
    ] = 0.8,
    max_size: Annotated[
        float, typer.Option("--max-size", min=0.001, help="Largest article in MB (a file, a JSONL line, a CSV cell).")
    ] = 10.0,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=0, max=64, help="Processes for .txt/.html files (0: two on a machine with two cores)."
        ),
    ] = 0,
    text_col: Annotated[str | None, typer.Option("--text-col", help="JSONL key / CSV column of the text.")] = None,
    title_col: Annotated[str | None, typer.Option("--title-col", help="JSONL key / CSV column of the title.")] = None,
    id_col: Annotated[str | None, typer.Option("--id-col", help="JSONL key / CSV column of a given id.")] = None,
    url_col: Annotated[str | None, typer.Option("--url-col", help="JSONL key / CSV column of the URL.")] = None,
    date_col: Annotated[
        str | None, typer.Option("--date-col", help="JSONL key / CSV column of the publication date.")
    ] = None,
    source_col: Annotated[
        str | None, typer.Option("--source-col", help="JSONL key / CSV column of the source.")
    ] = None,
    language_col: Annotated[
        str | None, typer.Option("--language-col", help="JSONL key / CSV column of the language code.")
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(
            "--delimiter",
            help="Cell delimiter of .csv/.tsv files: one character or 'tab' (default: tab for .tsv; "
            "for .csv the header decides between , ; tab |).",
        ),
    ] = None,
    quoting: Annotated[
        Quoting,
        typer.Option(
            "--quoting",
            help="csv: cells may be quoted (\"...\", \"\" inside) and hold line breaks; none: quote characters "
            "are text, one line per row; auto: csv for .csv, none for .tsv.",
        ),
    ] = Quoting.auto,
    json_out: Annotated[str | None, typer.Option("--json", help="Write the summary here ('-' for stdout).")] = None,
) -> None:
    """Turn raw articles into a clean, de-duplicated corpus of Articles with stable ids.

    Reads .txt files, .html pages (article body by trafilatura), .jsonl and .csv exports
    (map fields with --text-col, --title-col, --id-col, ...; a .tsv is read one line per row,
    --quoting csv for a quoted one). Removes site furniture, reads
    headline, date, dateline, source and language, merges exact duplicates and marks near
    duplicates (duplicate_of). Bad input stops the run with exit 2 and leaves any earlier
    output untouched, unless --skip-bad.

    Example: [bold]eventgold ingest samples/articles -o corpus.jsonl[/bold]
    """
    from eventgold.fileio import refuse_inputs_as_outputs
    from eventgold.ingest import ColumnMap, ingest_to_file, make_options

    refuse_inputs_as_outputs([output, json_out], paths)
    options = make_options(
        skip_bad=skip_bad,
        keep_raw=keep_raw,
        rules=rules,
        near_dup_threshold=near_dup_threshold,
        max_bytes=max(1, int(max_size * 1_000_000)),
        workers=workers,
        columns=ColumnMap(
            text=text_col, title=title_col, id=id_col, url=url_col,
            date=date_col, source=source_col, language=language_col,
        ),
        delimiter=delimiter,
        quoting=quoting.value,
    )
    progress = Progress(
        TextColumn("ingest"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        auto_refresh=False,  # no refresh thread: ingest forks its worker processes
        disable=not err_console.is_terminal,
    )
    task = progress.add_task("ingest", total=None)
    last = [0.0]

    def advance(done: int) -> None:
        progress.advance(task, done)
        now = time.monotonic()
        if now - last[0] > 0.1:
            last[0] = now
            progress.refresh()

    with progress:
        summary = ingest_to_file(
            paths,
            output,
            options,
            on_start=lambda total: progress.update(task, total=total),
            progress=advance,
            also_outputs=[json_out],
        ).spelled(FLAGS)
    if json_out:
        write_json_output(summary.model_dump(mode="json"), json_out)
    if json_out == "-":
        return
    table = Table(title=f"ingest → {escape(str(output))}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("files read", summary.files_read),
        ("records read (files, lines, rows)", summary.records_read),
        ("articles written", summary.articles_written),
        ("exact duplicates merged", summary.exact_duplicates),
        ("near duplicates marked (duplicate_of)", summary.near_duplicates),
        ("skipped (bad input)", len(summary.skipped)),
    ]
    if summary.files_ignored:
        rows.insert(1, ("files ignored (not .txt/.html/.jsonl/.csv)", summary.files_ignored))
    for what, count in rows:
        table.add_row(what, str(count))
    console.print(table)
    if summary.skipped:
        skipped = Table(title="skipped", show_lines=False)
        skipped.add_column("where")
        skipped.add_column("reason")
        for item in summary.skipped[:SKIPPED_SHOWN]:
            where = item.path + (f":{item.line}" if item.line else f", row {item.row}" if item.row else "")
            skipped.add_row(escape(where), escape(item.reason))
        console.print(skipped)
        more = len(summary.skipped) - SKIPPED_SHOWN
        if more > 0:
            console.print(f"... and {more} more (all are listed by --json)")
