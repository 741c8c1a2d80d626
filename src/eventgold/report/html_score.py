"""The scoring report as HTML; see :mod:`eventgold.report.html`."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eventgold.report import plots
from eventgold.report.common import (
    ALPHA,
    CONFUSIONS,
    METHOD_LABELS,
    SUMMARY_METRICS,
    TYPE_FAMILIES,
    best_indices,
    error_counts,
    error_rows,
    errors_in_all,
    fmt,
    fmt_count,
    fmt_interval,
    fmt_p,
    is_missing,
    label,
    per_type_rows,
    significance_rows,
    split_snippet,
)
from eventgold.report.html_common import (
    PAGE_SIZE,
    Cell,
    Column,
    DataCell,
    Row,
    data_table,
    esc,
    figure,
    filters,
    html_table,
    report_page,
    text_row,
    warnings_box,
)
from eventgold.scoring.metrics import HEADLINE_METRICS
from eventgold.scoring.report import ERROR_SAMPLE_SIZE, ExtractorScore, ScoreReport

COVERAGE: tuple[tuple[str, Callable[[ExtractorScore], int]], ...] = (
    ("Documents scored", lambda e: e.docs_scored),
    ("Predicted", lambda e: e.docs_predicted),
    ("Missing", lambda e: len(e.missing_docs)),
    ("Not in gold", lambda e: len(e.unknown_docs)),
    ("Outside split", lambda e: e.outside_selection),
)
"""The coverage table's columns: title and how many documents of an extractor it counts."""


def _value_cell(value: float | None, ci_text: str) -> str:
    ci = f' <span class="ci">{esc(ci_text)}</span>' if ci_text else ""
    return f"{esc(fmt(value))}{ci}"


def _summary(report: ScoreReport) -> str:
    names = [e.name for e in report.extractors]
    columns = [Column("Metric"), Column("Name"), *(Column(n, "num") for n in names)]
    rows: list[Row] = []
    classes: list[list[list[str]]] = []
    for metric in SUMMARY_METRICS:
        values = [e.metrics.get(metric) for e in report.extractors]
        best = best_indices(values)
        cells: list[Cell] = [esc(label(metric)) + (" <small>(headline)</small>" if metric in HEADLINE_METRICS else "")]
        cells.append(f"<code>{esc(metric)}</code>")
        cells += [
            _value_cell(v, fmt_interval(e.intervals.get(metric)))
            for e, v in zip(report.extractors, values, strict=True)
        ]
        rows.append(cells)
        classes.append([[], [], *(["best"] if i in best else [] for i in range(len(names)))])
    legend = (
        f"<p>Micro-averaged over {report.gold_docs} documents; grey brackets: {report.ci_level:.0%} percentile "
        f"bootstrap intervals over documents ({report.bootstrap} resamples, seed {report.seed}). "
        "Bold with ★: the best value of the row.</p>"
    )
    series = [
        plots.Series(
            e.name,
            [e.metrics.get(m) for m in HEADLINE_METRICS],
            [e.intervals[m].low if m in e.intervals else None for m in HEADLINE_METRICS],
            [e.intervals[m].high if m in e.intervals else None for m in HEADLINE_METRICS],
        )
        for e in report.extractors
    ]
    chart = figure(
        plots.grouped_bars("Headline F1 per extractor", list(HEADLINE_METRICS), series),
        "Bar chart of the headline F1 scores per extractor with confidence intervals",
        f"Whiskers: {report.ci_level:.0%} bootstrap intervals.",
    )
    return legend + html_table(columns, rows, classes=classes) + chart


def _per_type(report: ScoreReport) -> str:
    out = []
    for family, title in TYPE_FAMILIES.items():
        table = per_type_rows(report, family)
        types = [row.type for row in table]
        series = [
            plots.Series(
                e.name,
                [row.f1[i] for row in table],
                [c.low if (c := row.intervals[i]) else None for row in table],
                [c.high if (c := row.intervals[i]) else None for row in table],
            )
            for i, e in enumerate(report.extractors)
        ]
        out.append(f"<h3>{esc(title)}</h3>")
        out.append(
            figure(
                plots.grouped_bars(f"F1 per type: {title}", types, series),
                f"Bar chart of F1 per type ({title}), extractors side by side, with interval whiskers",
                f"Whiskers: {report.ci_level:.0%} bootstrap intervals over documents. Empty slot marked n/a: "
                "the extractor has no such unit and the gold none either.",
            )
        )
        columns = [Column("Type"), Column("Gold", "num"), *(Column(e.name, "num") for e in report.extractors)]
        rows: list[Row] = []
        classes: list[list[list[str]]] = []
        for row in table:
            cells: list[Cell] = [esc(row.type), esc(fmt_count(row.support))]
            cells += [_value_cell(v, fmt_interval(row.intervals[i])) for i, v in enumerate(row.f1)]
            rows.append(cells)
            classes.append([[], [], *(["best"] if i in row.best else [] for i in range(len(row.f1)))])
        out.append(html_table(columns, rows, classes=classes) if rows else "<p>No units of this kind.</p>")
    return "".join(out)


def _details(report: ScoreReport) -> str:
    columns = [Column("Extractor"), Column("Scheme")]
    columns += [Column(c, "num") for c in ("COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1", "macro F1")]
    rows: list[Row] = []
    for e in report.extractors:
        for scheme, res in e.mentions.items():
            o = res.overall
            rows.append(
                [esc(e.name), esc(scheme), *(str(x) for x in (o.cor, o.inc, o.par, o.mis, o.spu))]
                + [esc(fmt(x)) for x in (o.precision, o.recall, o.f1, res.macro_f1)]
            )
    out = ["<h3>Actor mentions by matching scheme</h3>", html_table(columns, rows)]
    columns = [Column("Extractor"), Column("Metric")]
    columns += [Column(c, "num") for c in ("tp", "fp", "fn", "P", "R", "F1")]
    rows = []
    for e in report.extractors:
        parts = [(f"event.{k}", getattr(e.events, k)) for k in ("trigger_id", "trigger_cls", "arg_id", "arg_cls")]
        parts += [("actor.set", e.actors.set), ("event.context", e.events.context_labels)]
        parts += [(f"coder.{k}", v) for k, v in e.coder.items()]
        for name, s in parts:
            rows.append(
                [esc(e.name), f"<code>{esc(name)}</code>", str(s.tp), str(s.fp), str(s.fn)]
                + [esc(fmt(x)) for x in (s.precision, s.recall, s.f1)]
            )
    out += ["<h3>Events, canonical actors and coder tuples</h3>", html_table(columns, rows)]
    columns = [Column("Extractor"), *(Column(title, "num") for title, _ in COVERAGE)]
    rows = [text_row(e.name, *(count(e) for _, count in COVERAGE)) for e in report.extractors]
    out += ["<h3>Coverage</h3>", html_table(columns, rows)]
    return "".join(out)


def _confusion(report: ScoreReport) -> str:
    out = [
        "<p>Rows: gold label; columns: predicted label; over matched pairs (mentions: same boundaries; "
        "events: same trigger). Diagonal cells (boxed) are agreements.</p>"
    ]
    for e in report.extractors:
        figs = []
        for key, title in CONFUSIONS.items():
            cm = e.confusion.get(key)
            if cm is None:
                continue
            if not cm.labels:
                figs.append(f"<p>{esc(e.name)}: no matched {esc(title.lower())}.</p>")
                continue
            figs.append(
                figure(
                    plots.heatmap(
                        f"{e.name}: {title.lower()}",
                        cm.labels,
                        cm.labels,
                        [[float(x) for x in row] for row in cm.matrix],
                        xlabel="predicted",
                        ylabel="gold",
                        integers=True,
                        mark_diagonal=True,
                        subtitle=f"n = {cm.n}, Cohen's κ = {fmt(cm.kappa)}",
                    ),
                    f"Confusion heatmap of {title.lower()} for {e.name}",
                )
            )
        out.append(f'<h3>{esc(e.name)}</h3><div class="charts">{"".join(figs)}</div>')
    return "".join(out)


def _significance(report: ScoreReport) -> str:
    if not report.tests:
        return "<p>No paired tests: they need two or more extractors and bootstrap resamples.</p>"
    rows_data = significance_rows(report)
    methods = list(dict.fromkeys(t.method for t in report.tests))
    primary = "paired_bootstrap" if "paired_bootstrap" in methods else methods[0]
    comparisons = [
        plots.Comparison(
            f"{metric}: {a} vs {b}",
            delta,
            {METHOD_LABELS.get(m, m).split()[-1]: by.get(m, (None, None))[1] for m in methods},
        )
        for metric, a, b, delta, by in rows_data
    ]
    short = METHOD_LABELS.get(primary, primary).split()[-1]
    chart = figure(
        plots.significance(
            "Differences between extractors (A − B) on the headline F1s",
            comparisons,
            alpha=ALPHA,
            primary=short,
        ),
        "Bar chart of score differences between extractors, marked by significance",
        f"Solid bars: Holm-corrected {METHOD_LABELS.get(primary, primary)} p < {ALPHA}; hatched: not significant. "
        "Tests resample or shuffle documents, pairing the extractors on the same documents.",
    )
    columns = [Column("Metric"), Column("A"), Column("B"), Column("A − B", "num")]
    for m in methods:
        columns += [Column(f"p ({METHOD_LABELS.get(m, m)})", "num"), Column("Holm", "num")]
    rows: list[Row] = []
    for metric, a, b, delta, by in rows_data:
        row: list[Cell] = [f"<code>{esc(metric)}</code>", esc(a), esc(b), esc(f"{delta:+.3f}")]
        for m in methods:
            p, ph = by.get(m, (float("nan"), float("nan")))
            strong = not is_missing(ph) and ph < ALPHA
            row += [esc(fmt_p(p)), f"<strong>{esc(fmt_p(ph))}</strong>" if strong else esc(fmt_p(ph))]
        rows.append(row)
    return chart + html_table(columns, rows)


ERROR_TABLE_ID = "error-table"
ERROR_DATA_ID = "error-data"

ERROR_COLUMNS_HTML = (
    Column("Extractor"),
    Column("Level"),
    Column("Kind"),
    Column("Document"),
    Column("Gold type"),
    Column("Predicted type"),
    Column("Role"),
    Column("Offsets", "num"),
    Column("Text"),
)


def error_table_rows(report: ScoreReport) -> list[list[DataCell]]:
    """The errors a score report shows (:func:`~eventgold.report.common.error_rows`: each extractor's
    first ``ERROR_SAMPLE_SIZE`` of every level and kind) as rows of the HTML error table, in report order.

    One cell per column of the table (extractor, level, kind, document, gold type,
    predicted type, role, offsets, text); see :data:`DataCell`. Offsets sort by the
    gold start, else the predicted start; the text is the snippet split around its
    unit, with the detail, or the detail alone when there is no snippet.
    """
    rows: list[list[DataCell]] = []
    for row in error_rows(report):
        it = row.item
        start = it.gold_start if it.gold_start is not None else it.pred_start
        offsets = " / ".join(
            f"{s}–{t}" for s, t in ((it.gold_start, it.gold_end), (it.pred_start, it.pred_end)) if s is not None
        )
        left, unit, right = split_snippet(it.snippet)
        rows.append(
            [
                row.extractor,
                it.level,
                it.kind,
                it.doc_id,
                it.gold_type or "",
                it.pred_type or "",
                " → ".join(r for r in (it.role, it.pred_role) if r),
                [offsets, start],
                [left, unit, right, it.detail or ""],
            ]
        )
    return rows


def _errors(report: ScoreReport) -> str:
    counts = error_counts(report)
    if not counts:
        return "<p>No errors.</p>"
    overview = html_table(
        [Column("Extractor"), Column("Level"), Column("Kind"), Column("Errors", "num")],
        [[esc(x), esc(lv), esc(k), str(n)] for x, lv, k, n in counts],
    )
    rows = error_table_rows(report)
    selects: list[tuple[str, int, Sequence[str]]] = [
        ("Extractor", 0, list(dict.fromkeys(str(r[0]) for r in rows))),
        ("Level", 1, sorted({str(r[1]) for r in rows})),
        ("Kind", 2, sorted({str(r[2]) for r in rows})),
    ]
    shown = min(len(rows), PAGE_SIZE)
    total = errors_in_all(report)
    jsonl = "every error is in the JSONL of <code>eventgold score --errors FILE</code>"
    if total == len(rows):
        heading = "All errors"
        held = f"<p>{total:,} errors in all, {PAGE_SIZE} to a page: sorting and filtering work on all of them. "
    else:
        heading = f"Errors: the first {ERROR_SAMPLE_SIZE} of each kind"
        held = (
            f"<p>{total:,} errors in all; the table holds {len(rows):,} of them, the first {ERROR_SAMPLE_SIZE} "
            f"of each extractor's level and kind in report order, {PAGE_SIZE} to a page: sorting and filtering "
            "work on all of those. "
        )
    where = (
        held + "The same errors are in <code>errors.csv</code> of the CSV tables (<code>--csv DIR</code> on "
        "<code>eventgold score</code>, or <code>eventgold report score.json --csv DIR</code>) and under "
        f"<code>extractors[].errors</code> in the score JSON (<code>--json</code>); {jsonl}.</p>"
        f'<p class="js-off" data-table="{ERROR_TABLE_ID}">Without JavaScript the table shows the first '
        f"{shown:,} errors only, in report order.</p>"
    )
    return (
        overview + f"<h3>{heading}</h3><p>Click a heading to sort; type to filter (all words must appear). "
        "The unit is <mark>highlighted</mark> in its context; mentions are scored strictly here.</p>"
        + where
        + filters(ERROR_TABLE_ID, selects, "Filter errors: document, text, type…")
        + data_table(ERROR_TABLE_ID, ERROR_DATA_ID, ERROR_COLUMNS_HTML, rows)
    )


def _gold(report: ScoreReport) -> str:
    info = report.gold_info
    meta = [("Gold file", f"<code>{esc(report.gold or 'n/a')}</code>")]
    if info is not None and info.version:
        meta.append(("Version", esc(info.version)))
    if info is not None and info.created:
        meta.append(("Created", esc(info.created)))
    meta.append(
        (
            "Documents scored",
            str(report.gold_docs) + (f" (splits {esc(', '.join(report.split))})" if report.split else ""),
        )
    )
    if info is not None and info.manifest:
        m = info.manifest
        sources = [s for s in m.get("sources") or [] if isinstance(s, dict)]
        if sources:
            meta.append(
                (
                    "Sources",
                    "<br>".join(
                        f'{esc(s.get("file", ""))} <code class="ci">sha256 {esc(str(s.get("sha256", ""))[:12])}…</code>'
                        for s in sources
                    ),
                )
            )
        if m.get("policy") is not None:
            meta.append(("Adjudication policy", esc(m.get("policy"))))
        onto = m.get("ontology")
        if isinstance(onto, dict):
            meta.append(("Ontology", esc(f"{onto.get('name', '')} {onto.get('version', '')}")))
        counts = m.get("counts")
        if isinstance(counts, dict):
            meta.append(
                (
                    "Conflicts / excluded",
                    esc(
                        f"{counts.get('conflicts', 'n/a')} documents with open conflicts, "
                        f"{counts.get('excluded', 'n/a')} left out of gold"
                    ),
                )
            )
        if m.get("tool_version"):
            meta.append(("Built with", esc(f"eventgold {m.get('tool_version')}")))
    meta.append(("Matching", esc(report.matching)))
    meta.append(("Zero division", esc(report.zero_division)))
    out = ['<dl class="meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in meta) + "</dl>"]
    if info is not None:
        tables = [
            html_table(
                [Column("Split"), Column("Documents", "num")], [[esc(k), str(v)] for k, v in info.documents.items()]
            ),
            html_table(
                [Column("Actor type"), Column("Mentions", "num")], [[esc(k), str(v)] for k, v in info.mentions.items()]
            ),
            html_table(
                [Column("Event type"), Column("Events", "num")], [[esc(k), str(v)] for k, v in info.events.items()]
            ),
        ]
        out.append('<h3>Counts of the scored gold</h3><div class="charts">' + "".join(tables) + "</div>")
        if info.agreement:
            out.append("<h3>Annotator agreement behind this gold</h3>")
            out.append(
                html_table(
                    [Column("Figure"), Column("Value", "num")],
                    [[esc(k), esc(fmt(v))] for k, v in info.agreement.items()],
                )
            )
    return "".join(out)


def score_html(report: ScoreReport) -> str:
    """The scoring report as one self-contained HTML document."""
    names = ", ".join(e.name for e in report.extractors)
    version = report.gold_info.version if report.gold_info and report.gold_info.version else None
    lede = (
        f"<p>{len(report.extractors)} extractor(s): <strong>{esc(names)}</strong>, against "
        f"{report.gold_docs} gold documents of <code>{esc(report.gold or 'n/a')}</code>"
        + (f" (version {esc(version)})" if version else "")
        + ".</p>"
    )
    warnings = report.all_warnings()  # each extractor's name its own
    sections = [
        ("summary", "Summary", warnings_box(warnings) + _summary(report)),
        ("per-type", "Per type", _per_type(report)),
        ("details", "Details", _details(report)),
        ("confusion", "Confusion", _confusion(report)),
        ("significance", "Significance", _significance(report)),
        ("errors", "Errors", _errors(report)),
        ("gold", "Gold", _gold(report)),
    ]
    return report_page("eventgold scoring report", lede, sections, "score", report.schema_version, report.command)
