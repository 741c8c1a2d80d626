"""CSV tables of a score or agreement report, one file per table, for spreadsheets and pandas.

Numbers are written at full precision (Python's shortest round-trip form); an
undefined value (null in the JSON) is an empty cell. Every file is written
atomically; the folder is created when missing.

Safe to open in a spreadsheet (OWASP's CSV-injection advice): a text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — which
Excel, LibreOffice or Google Sheets would evaluate as a formula — is written
with a single quote ``'`` before it, and so is a text cell that already starts
with ``'`` (so dropping the first ``'`` of every text cell that has one gives
the value back exactly). Numbers are written as numbers: a negative value such
as ``-0.5`` comes from the tool's own floats and integers, never from text,
and stays numeric. Quotes, commas and line breaks inside a cell are quoted as
RFC 4180 says, so no cell can start another.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

from eventgold.errors import ConfigError
from eventgold.evaluation.counts import Counts
from eventgold.fileio import atomic_write_text
from eventgold.gold.agreement import AgreementReport
from eventgold.report.common import ERROR_COLUMNS, error_rows
from eventgold.scoring.report import ScoreReport

Cell = str | int | float | None

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)."""


def neutralise(text: str) -> str:
    """Text made inert for a spreadsheet: ``'`` before a formula's first character (or before a ``'``).

    ``neutralise("=1+2")`` is ``"'=1+2"``; text that starts otherwise is
    returned as it is.
    """
    return "'" + text if text.startswith((*FORMULA_STARTS, "'")) else text


def cell(value: Cell) -> str:
    """A value as a CSV cell: empty for None/NaN, full precision for numbers, text neutralised.

    Numbers (``int``, ``float``, ``bool``) are written as numbers, a negative
    one with its minus sign; text goes through :func:`neutralise`.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def _field(text: str) -> str:
    """One field, quoted (RFC 4180) when it holds a comma, a quote or a line break.

    A lone ``\\r`` counts as a line break: Python's ``csv.writer`` with ``\\n``
    line ends leaves it unquoted, and readers then split the row there.
    """
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A CSV document (RFC 4180 quoting, ``\\n`` line ends) with a header row."""
    lines = [",".join(_field(h) for h in header)]
    lines += [",".join(_field(cell(v)) for v in row) for row in rows]
    return "".join(line + "\n" for line in lines)


def score_tables(report: ScoreReport) -> dict[str, str]:
    """File name -> CSV text of every table of a score report."""
    out: dict[str, str] = {}
    rows: list[list[Cell]] = []
    for e in report.extractors:
        for name, value in e.metrics.items():
            ci = e.intervals.get(name)
            rows.append(
                [e.name, name, value, ci.low if ci else None, ci.high if ci else None, ci.level if ci else None]
            )
    out["summary.csv"] = csv_text(["extractor", "metric", "value", "ci_low", "ci_high", "ci_level"], rows)

    rows = []
    for e in report.extractors:
        for scheme, res in e.mentions.items():
            family = f"mention.{scheme}"
            for t, s in res.per_type.items():
                ci = e.type_intervals.get(family, {}).get(t)
                rows.append(
                    [
                        e.name,
                        family,
                        t,
                        s.possible,
                        s.cor,
                        s.inc,
                        s.par,
                        s.mis,
                        s.spu,
                        None,
                        None,
                        None,
                        s.precision,
                        s.recall,
                        s.f1,
                        ci.low if ci else None,
                        ci.high if ci else None,
                    ]
                )
        for family, table in (
            ("event.trigger_cls", e.events.trigger_cls_per_type),
            ("event.arg_cls", e.events.arg_cls_per_role),
        ):
            for t, p in table.items():
                ci = e.type_intervals.get(family, {}).get(t)
                rows.append(
                    [
                        e.name,
                        family,
                        t,
                        p.tp + p.fn,
                        None,
                        None,
                        None,
                        None,
                        None,
                        p.tp,
                        p.fp,
                        p.fn,
                        p.precision,
                        p.recall,
                        p.f1,
                        ci.low if ci else None,
                        ci.high if ci else None,
                    ]
                )
    header = ["extractor", "family", "type", "gold", "cor", "inc", "par", "mis", "spu", "tp", "fp", "fn"]
    out["per_type.csv"] = csv_text([*header, "precision", "recall", "f1", "ci_low", "ci_high"], rows)

    rows = []
    for e in report.extractors:
        for key, cm in e.confusion.items():
            for g, row in zip(cm.labels, cm.matrix, strict=True):
                for pred, n in zip(cm.labels, row, strict=True):
                    rows.append([e.name, key, g, pred, n])
    out["confusion.csv"] = csv_text(["extractor", "matrix", "gold", "predicted", "count"], rows)

    header = ["metric", "a", "b", "a_value", "b_value", "delta", "method", "rounds", "p_value", "p_holm"]
    out["significance.csv"] = csv_text(header, ([getattr(t, h) for h in header] for t in report.tests))
    out["errors.csv"] = csv_text(ERROR_COLUMNS, ([r.value(c) for c in ERROR_COLUMNS] for r in error_rows(report)))
    if report.gold_info is not None:
        info = report.gold_info
        rows = [["split", k, v] for k, v in info.documents.items()]
        rows += [["actor_type", k, v] for k, v in info.mentions.items()]
        rows += [["event_type", k, v] for k, v in info.events.items()]
        out["gold_counts.csv"] = csv_text(["what", "name", "count"], rows)
    return out


def _counts(c: Counts | None) -> list[Cell]:
    if c is None:
        return [None] * 6
    return [c.tp, c.fp, c.fn, c.precision, c.recall, c.f1]


def agreement_tables(report: AgreementReport) -> dict[str, str]:
    """File name -> CSV text of every table of an agreement report."""
    out: dict[str, str] = {}
    prf = ["tp", "fp", "fn", "precision", "recall", "f1"]
    rows: list[list[Cell]] = [
        [
            st.name,
            st.tasks,
            st.cancelled,
            st.median_lead_time,
            *_counts(st.with_others),
            st.gold_documents,
            *_counts(st.with_gold),
        ]
        for st in report.annotator_stats
    ]
    header = ["annotator", "tasks", "cancelled", "median_lead_time", *(f"others_{k}" for k in prf)]
    header += ["gold_documents", *(f"gold_{k}" for k in prf)]
    out["annotators.csv"] = csv_text(header, rows)

    rows = []
    for sp in report.spans:
        for p in sp.pairs:
            rows.append([sp.kind, sp.matching, p.a, p.b, p.documents, "(all)", *_counts(p.counts)])
            rows += [[sp.kind, sp.matching, p.a, p.b, p.documents, lab, *_counts(c)] for lab, c in p.per_label.items()]
    for p in report.roles.pairs:
        rows.append(["role", "matched triggers", p.a, p.b, p.documents, "(all)", *_counts(p.counts)])
        rows += [["role", "matched triggers", p.a, p.b, p.documents, r, *_counts(c)] for r, c in p.per_label.items()]
    out["pairs.csv"] = csv_text(["kind", "matching", "a", "b", "documents", "label", *prf], rows)
    out["roles.csv"] = csv_text(
        ["role", "pairs", *prf, "macro_f1"],
        ([role, rf.pairs, *_counts(rf), rf.macro_f1] for role, rf in report.roles.per_role.items()),
    )

    header = ["field", "kind", "units", "cohen_mean", "fleiss", "fleiss_units", "fleiss_raters", "alpha", "alpha_units"]
    out["fields.csv"] = csv_text(header, ([getattr(fa, h) for h in header] for fa in report.fields))
    out["cohen.csv"] = csv_text(
        ["field", "a", "b", "units", "kappa"],
        ([fa.field, k.a, k.b, k.units, k.kappa] for fa in report.fields for k in fa.cohen),
    )
    out["disagreements.csv"] = csv_text(
        ["doc_id", "kind", "start", "end", "text", "fields", "values", "snippet"],
        (
            [
                d.doc_id,
                d.kind,
                d.start,
                d.end,
                d.text,
                ",".join(d.fields),
                json.dumps(d.values, ensure_ascii=False),
                d.snippet,
            ]
            for d in report.disagreements
        ),
    )
    return out


class NotAFolder(ConfigError):
    """The folder asked for the CSV tables is a file (``path``)."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(message)


def write_csv(report: ScoreReport | AgreementReport, folder: str | Path) -> list[Path]:
    """Write every table of ``report`` as CSV files into ``folder``; return the paths written."""
    tables = score_tables(report) if isinstance(report, ScoreReport) else agreement_tables(report)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise NotAFolder(target, f"{target}: csv_dir needs a folder, and this is a file; give a folder path")
    written: list[Path] = []
    for name, text in tables.items():
        path = target / name
        try:
            atomic_write_text(path, text)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot write CSV: {exc.strerror}") from exc
        written.append(path)
    return written
