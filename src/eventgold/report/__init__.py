"""Reports people read: HTML (self-contained, with charts), Markdown and CSV.

Every report renders from the canonical JSON of a command — a scoring report
(``eventgold score --json``, :class:`~eventgold.scoring.report.ScoreReport`)
or an agreement report (``eventgold agree --json``,
:class:`~eventgold.gold.agreement.AgreementReport`) — and computes nothing
itself, so ``eventgold report out.json --html report.html`` gives the same
page later, on another machine, as ``score --html`` gave at the time.

    from eventgold.report import render
    render("score.json", html="report.html", markdown="report.md", csv_dir="tables/")
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from eventgold import SCHEMA_VERSION
from eventgold.errors import ConfigError, InputError
from eventgold.fileio import atomic_write_text
from eventgold.gold.agreement import AgreementReport
from eventgold.scoring.report import SCORE_REPORT_SCHEMA, ScoreReport

ReportModel = ScoreReport | AgreementReport
ReportKind = Literal["score", "agreement"]

__all__ = ["NotAReport", "ReportModel", "load_report", "render", "report_kind"]


class NotAReport(InputError):
    """What was given is no report: a ``folder``, a ``missing`` file, or JSON that is ``neither`` kind.

    ``where`` names the path (or ``report`` for an object); the command line words its own
    hint from ``reason`` (how to make a report with the CLI).
    """

    def __init__(self, where: str, reason: Literal["folder", "missing", "neither"], message: str) -> None:
        self.where = where
        self.reason = reason
        super().__init__(message)


def report_kind(data: Mapping[str, Any], where: str = "report") -> ReportKind:
    """Which report a JSON object is: its ``kind`` field, else (older files) its keys."""
    kind = data.get("kind")
    if kind in ("score", "agreement"):
        return kind
    if kind is not None:
        raise InputError(f"{where}: kind {kind!r} is not a report eventgold can render; expected score or agreement")
    if "extractors" in data and "gold_docs" in data:
        return "score"
    if "annotators" in data and "spans" in data:
        return "agreement"
    raise NotAReport(
        where,
        "neither",
        f"{where}: neither a score report nor an agreement report (ScoreReport or AgreementReport JSON); "
        "give one of those JSON files",
    )


SCORE_SCHEMAS_READ = ("1", SCORE_REPORT_SCHEMA.split(".")[0])
"""Major schema versions of score reports :func:`load_report` reads: 1.x (every error listed) and the current."""


def _check_schema(data: Mapping[str, Any], where: str, kind: ReportKind) -> None:
    """Refuse a report whose major ``schema_version`` this eventgold cannot read.

    Score reports have their own schema (``SCORE_REPORT_SCHEMA``; 1.x still reads), agreement
    reports the records' ``SCHEMA_VERSION``. A report without the field is taken as current.
    """
    current = SCORE_REPORT_SCHEMA if kind == "score" else SCHEMA_VERSION
    readable = SCORE_SCHEMAS_READ if kind == "score" else (SCHEMA_VERSION.split(".")[0],)
    version = str(data.get("schema_version", current))
    if version.split(".")[0] not in readable:
        raise InputError(
            f"{where}: schema_version {version} is not readable by this eventgold ({kind} report schema "
            f"{current}); re-run the command that made it with this version"
        )


def _validation_message(exc: ValidationError, limit: int = 3) -> str:
    parts = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    more = f" (and {exc.error_count() - limit} more)" if exc.error_count() > limit else ""
    return "; ".join(parts) + more


def load_report(source: str | Path | Mapping[str, Any] | ReportModel) -> ReportModel:
    """A score or agreement report from a model, a parsed JSON object or a JSON file path.

    A score report of schema 2 holds each extractor's error sample and counts; one of
    schema 1.x (which listed every error) loads too, its counts counted from its list.

    Raises:
        NotAReport: a folder, a missing file, or JSON that is neither kind of report.
        InputError: unreadable or invalid JSON, a schema_version this eventgold cannot read,
            or content that is not a valid report.
    """
    if isinstance(source, ScoreReport | AgreementReport):
        return source
    if isinstance(source, Mapping):
        data: Any = source
        where = "report"
    else:
        path = Path(source)
        where = str(path)
        if path.is_dir():
            raise NotAReport(where, "folder", f"{path}: is a folder; give a report JSON file")
        if not path.is_file():
            raise NotAReport(where, "missing", f"{path}: report JSON not found")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, Mapping):
        raise InputError(f"{where}: expected a JSON object, got {type(data).__name__}")
    kind = report_kind(data, where)
    _check_schema(data, where, kind)
    model: type[ScoreReport] | type[AgreementReport] = ScoreReport if kind == "score" else AgreementReport
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(f"{where}: not a valid {kind} report: {_validation_message(exc)}") from exc


def _write(path: Path, text: str, what: str) -> Path:
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write the {what} report: {exc.strerror}") from exc
    return path


def render(
    report: str | Path | Mapping[str, Any] | ReportModel,
    *,
    html: str | Path | None = None,
    markdown: str | Path | None = None,
    csv_dir: str | Path | None = None,
) -> list[Path]:
    """Render a score or agreement report (model, JSON object or JSON file) to the files asked for.

    ``html``: one self-contained HTML file; ``markdown``: a Markdown file;
    ``csv_dir``: a folder of CSV tables. Returns the paths written.
    """
    model = load_report(report)
    written: list[Path] = []
    if html is not None:
        from eventgold.report.html import render_html

        written.append(_write(Path(html), render_html(model), "HTML"))
    if markdown is not None:
        from eventgold.report.markdown import render_markdown

        written.append(_write(Path(markdown), render_markdown(model), "Markdown"))
    if csv_dir is not None:
        from eventgold.report.csv import write_csv

        written += write_csv(model, csv_dir)
    return written
