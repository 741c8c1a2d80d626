"""``eventgold report``: render a score or agreement JSON as HTML, Markdown and CSV.

Also the helpers ``score --html`` and ``agree --html`` share: the command line
recorded in a report, and writing the report files.
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from eventgold.console import console, err_console
from eventgold.errors import ConfigError, InputError, UserError

if TYPE_CHECKING:
    from eventgold.report import ReportModel


AlsoHtml = Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report here.")]
"""``--html FILE`` of ``score`` and ``agree``: also render the result as one self-contained HTML file."""


NOT_A_REPORT = {
    "folder": "{where}: is a folder; give a report JSON file (from eventgold score/agree --json)",
    "missing": "{where}: report JSON not found; make one with eventgold score/agree --json",
    "neither": "{where}: neither a score report (eventgold score --json) nor an agreement report "
    "(eventgold agree --json); give one of those JSON files",
}
"""What ``eventgold report`` says, by :class:`eventgold.report.NotAReport` reason, about a file that is no report."""


def command_line(ctx: typer.Context) -> str:
    """The command as given, rebuilt from what the user set (parameters left at their default are omitted).

    Recorded in reports so a reader can re-run exactly what produced them;
    quoted for a POSIX shell.
    """
    parts = ctx.command_path.split()
    for param in ctx.command.params:
        name = param.name
        if name is None:
            continue
        source = ctx.get_parameter_source(name)
        if source is None or source.name == "DEFAULT":
            continue
        value = ctx.params.get(name)
        if value is None:
            continue
        values = list(value) if param.multiple or param.nargs == -1 else [value]
        if param.param_type_name == "argument":
            parts += [str(v) for v in values]
            continue
        long_opts = [o for o in param.opts if o.startswith("--")]
        opt = long_opts[0] if long_opts else param.opts[0]
        if getattr(param, "is_flag", False) and isinstance(value, bool):
            if value:
                parts.append(opt)
            elif param.secondary_opts:
                parts.append(param.secondary_opts[0])
            continue
        for v in values:
            parts += [opt, str(v)]
    return shlex.join(parts)


def write_reports(
    report: ReportModel,
    *,
    html: Path | None = None,
    markdown: Path | None = None,
    csv_dir: Path | None = None,
    json_on_stdout: bool = False,
) -> None:
    """Render ``report`` to the files asked for and say where they went (nothing when none is asked).

    With ``json_on_stdout`` (``--json -``) the messages go to stderr, keeping stdout pure JSON.
    """
    if html is None and markdown is None and csv_dir is None:
        return
    from eventgold.report import render
    from eventgold.report.csv import NotAFolder

    out = err_console if json_on_stdout else console
    for path in render(report, html=html, markdown=markdown):
        out.print(f"wrote {path}", highlight=False, soft_wrap=True, markup=False)
    if csv_dir is not None:
        try:
            tables = render(report, csv_dir=csv_dir)
        except NotAFolder as exc:
            raise ConfigError(f"{exc.path}: --csv needs a folder, and this is a file; give a folder path") from None
        out.print(f"wrote {len(tables)} CSV tables to {csv_dir}", highlight=False, soft_wrap=True, markup=False)


def report(
    report_json: Annotated[Path, typer.Argument(help="A score or agreement JSON (from eventgold score/agree --json).")],
    html: Annotated[Path | None, typer.Option("--html", help="Write one self-contained HTML file here.")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Write a Markdown report here.")] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="Write CSV tables into this folder.")] = None,
) -> None:
    """Render a score or agreement report JSON as HTML (charts, sortable tables), Markdown and/or CSV.

    The JSON is the canonical output; this renders it again at any time, with nothing recomputed.

    Example: [bold]eventgold report score.json --html report.html --markdown report.md --csv tables/[/bold]
    """
    if html is None and markdown is None and csv_dir is None:
        raise UserError("nothing to write: give --html FILE, --markdown FILE and/or --csv DIR")
    from eventgold.report import NotAReport, load_report

    try:
        model = load_report(report_json)
    except NotAReport as exc:
        raise InputError(NOT_A_REPORT[exc.reason].format(where=exc.where)) from None
    write_reports(model, html=html, markdown=markdown, csv_dir=csv_dir)
