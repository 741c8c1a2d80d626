"""The agreement report as HTML; see :mod:`eventgold.report.html`."""

from __future__ import annotations

from collections.abc import Sequence

from eventgold.gold.agreement import AgreementReport
from eventgold.report import plots
from eventgold.report.common import (
    disagreement_values,
    fmt,
    kappa_matrix,
    pair_matrix,
)
from eventgold.report.html_common import (
    Cell,
    Column,
    Row,
    esc,
    figure,
    filters,
    html_table,
    report_page,
    snippet_html,
    text_row,
    warnings_box,
)

DISAGREEMENT_TABLE_ID = "disagreement-table"


def _annotators(report: AgreementReport) -> str:
    has_gold = any(st.with_gold is not None for st in report.annotator_stats)
    columns = [Column("Annotator"), Column("Tasks", "num"), Column("Cancelled", "num")]
    columns += [Column("Median lead time (s)", "num"), Column("F1 with others", "num")]
    columns += [Column("P with others", "num"), Column("R with others", "num")]
    if has_gold:
        columns += [Column("Gold documents", "num"), Column("F1 with gold", "num")]
        columns += [Column("P vs gold", "num"), Column("R vs gold", "num")]
    rows: list[Row] = []
    for st in report.annotator_stats:
        o = st.with_others
        row: list[Cell] = [esc(st.name), str(st.tasks), str(st.cancelled), esc(fmt(st.median_lead_time, 1))]
        row += [esc(fmt(o.f1)), esc(fmt(o.precision)), esc(fmt(o.recall))]
        if has_gold:
            g = st.with_gold
            row += [str(st.gold_documents)] + (
                [esc(fmt(g.f1)), esc(fmt(g.precision)), esc(fmt(g.recall))] if g is not None else ["", "", ""]
            )
        rows.append(row)
    series = [plots.Series("F1 with other annotators", [st.with_others.f1 for st in report.annotator_stats])]
    if has_gold:
        series.append(
            plots.Series("F1 with gold", [st.with_gold.f1 if st.with_gold else None for st in report.annotator_stats])
        )
    chart = figure(
        plots.grouped_bars(
            "Span F1 per annotator (strict; mentions and triggers pooled)",
            [st.name for st in report.annotator_stats],
            series,
        ),
        "Bar chart of each annotator's span F1 with the other annotators and with gold",
    )
    return html_table(columns, rows, sortable=True) + chart


def _pairwise(report: AgreementReport) -> str:
    names = report.annotators
    figs = []
    for sp in report.spans:
        figs.append(
            figure(
                plots.heatmap(
                    f"{sp.kind} span F1 ({sp.matching})",
                    names,
                    names,
                    pair_matrix(names, sp.pairs),
                    xlabel="annotator",
                    ylabel="annotator",
                    vmax=1.0,
                    subtitle=f"macro over pairs: {fmt(sp.macro_f1)}",
                ),
                f"Heatmap of pairwise {sp.kind} span F1 ({sp.matching}) between annotators",
            )
        )
    figs.append(
        figure(
            plots.heatmap(
                "role F1 (matched triggers)",
                names,
                names,
                pair_matrix(names, report.roles.pairs),
                xlabel="annotator",
                ylabel="annotator",
                vmax=1.0,
                subtitle=f"macro over pairs: {fmt(report.roles.macro_f1)}",
            ),
            "Heatmap of pairwise role F1 between annotators",
        )
    )
    for fa in report.fields:
        if all(k.kappa is None for k in fa.cohen):
            continue  # nothing defined to draw; the figures table says so
        figs.append(
            figure(
                plots.heatmap(
                    f"{fa.field}: Cohen's κ",
                    names,
                    names,
                    kappa_matrix(names, report, fa.field),
                    xlabel="annotator",
                    ylabel="annotator",
                    vmax=1.0,
                    subtitle=f"α = {fmt(fa.alpha)}, Fleiss' κ = {fmt(fa.fleiss)}",
                ),
                f"Heatmap of pairwise Cohen's kappa on {fa.field}",
            )
        )
    note = (
        "<p>Each cell: agreement of the row and column annotators over the documents both annotated; "
        "— where they share none (or the figure is undefined). Negative kappas show as the lightest colour; "
        "the number in the cell is exact.</p>"
    )
    return note + '<div class="charts">' + "".join(figs) + "</div>"


def _roles(report: AgreementReport) -> str:
    """Per role: arguments both annotators gave, only A, only B (summed over pairs), their F1, the mean of pairs."""
    if not report.roles.per_role:
        return "<p>No arguments on triggers marked by two annotators.</p>"
    columns = [Column("Role"), Column("Pairs", "num"), Column("Both", "num"), Column("Only A", "num")]
    columns += [Column("Only B", "num"), Column("F1", "num"), Column("F1 (mean of pairs)", "num")]
    rows: list[Row] = [
        [esc(role), str(rf.pairs), str(rf.tp), str(rf.fp), str(rf.fn), esc(fmt(rf.f1)), esc(fmt(rf.macro_f1))]
        for role, rf in report.roles.per_role.items()
    ]
    note = (
        "<p>Arguments of events both annotators marked (same aligned trigger), compared through the aligned "
        "mentions; counts are summed over annotator pairs and F1 is theirs; the last column is the mean of the "
        "pairs' F1s.</p>"
    )
    return note + html_table(columns, rows)


def _figures(report: AgreementReport) -> str:
    columns = [
        Column("Kind"),
        Column("Matching"),
        Column("Pairs", "num"),
        Column("Macro F1", "num"),
        Column("Per label"),
    ]
    rows: list[Row] = [
        [
            esc(sp.kind),
            esc(sp.matching),
            str(len(sp.pairs)),
            esc(fmt(sp.macro_f1)),
            esc(", ".join(f"{k} {fmt(v)}" for k, v in sp.per_label.items())),
        ]
        for sp in report.spans
    ]
    per_role = ", ".join(f"{role} {fmt(rf.macro_f1)}" for role, rf in report.roles.per_role.items())
    rows.append(
        ["roles", "matched triggers", str(len(report.roles.pairs)), esc(fmt(report.roles.macro_f1)), esc(per_role)]
    )
    out = ["<h3>Span agreement (F1, macro over annotator pairs)</h3>", html_table(columns, rows)]
    out += ["<h3>Role agreement per role (matched triggers)</h3>", _roles(report)]
    columns = [Column("Field"), Column("Units", "num"), Column("Cohen's κ (mean of pairs)", "num")]
    columns += [Column("Fleiss' κ", "num"), Column("Fleiss units × raters", "num"), Column("Krippendorff's α", "num")]
    columns += [Column("α units", "num")]
    rows = [
        text_row(
            fa.field,
            fa.units,
            fmt(fa.cohen_mean),
            fmt(fa.fleiss),
            f"{fa.fleiss_units} × {fa.fleiss_raters}",
            fmt(fa.alpha),
            fa.alpha_units,
        )
        for fa in report.fields
    ]
    out += ["<h3>Categorical fields on aligned units</h3>", html_table(columns, rows)]
    return "".join(out)


def _disagreements(report: AgreementReport) -> str:
    if not report.disagreements:
        return "<p>No disagreements.</p>"
    columns = [Column("Document"), Column("Kind"), Column("Differs in"), Column("Offsets", "num"), Column("Text")]
    columns += [Column("Values per annotator")]
    rows: list[Row] = []
    for d in report.disagreements:
        values = "<br>".join(f"<strong>{esc(who)}</strong>: {esc(v)}" for who, v in disagreement_values(d.values))
        text = snippet_html(d.snippet) if d.snippet else esc(d.text or "")
        offsets = f"{d.start}–{d.end}" if d.start is not None else ""
        rows.append(
            [
                esc(d.doc_id),
                esc(d.kind),
                esc(", ".join(d.fields)),
                (esc(offsets), str(d.start) if d.start is not None else None),
                f'<div class="snippet">{text}</div>',
                values,
            ]
        )
    selects: list[tuple[str, int, Sequence[str]]] = [
        ("Kind", 1, sorted({d.kind for d in report.disagreements})),
        ("Differs in", 2, sorted({", ".join(d.fields) for d in report.disagreements})),
    ]
    return (
        "<p>Units aligned across the annotators of a task on which they differ: presence (someone lacks the unit) "
        "or a field value.</p>"
        + filters(DISAGREEMENT_TABLE_ID, selects, "Filter disagreements: document, text, annotator…")
        + html_table(columns, rows, table_id=DISAGREEMENT_TABLE_ID, sortable=True)
    )


def agreement_html(report: AgreementReport) -> str:
    """The agreement report as one self-contained HTML document."""
    lede = (
        f"<p>{len(report.annotators)} annotators ({esc(', '.join(report.annotators))}), {report.documents} documents "
        f"with two or more annotators, {report.annotations} annotations ({report.cancelled} cancelled, left out).</p>"
    )
    sections = [
        ("annotators", "Annotators", warnings_box(report.warnings) + _annotators(report)),
        ("pairwise", "Pairwise agreement", _pairwise(report)),
        ("figures", "Figures", _figures(report)),
        ("disagreements", "Disagreements", _disagreements(report)),
    ]
    return report_page("eventgold agreement report", lede, sections, "agreement", report.schema_version, report.command)
