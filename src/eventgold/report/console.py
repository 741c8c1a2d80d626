"""Console tables (rich) of the commands: ``score``, ``gold build``, ``gold diff`` and ``agree``.

The commands compute nothing for the screen; they hand their result to one
function here, which prints it to the given console (stdout, or stderr when
stdout holds a JSON output). Text from the data is escaped where it goes into
rich markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console, JustifyMethod
from rich.markup import escape
from rich.table import Table

from eventgold.console import console, err_console
from eventgold.gold.agreement import AgreementReport
from eventgold.gold.dataset import CONFLICTS_FILE, GoldBuild
from eventgold.gold.diff import GoldDiff
from eventgold.models import SPLITS
from eventgold.scoring.metrics import HEADLINE_METRICS
from eventgold.scoring.report import ExtractorScore, ScoreReport

SCORE_TABLE_METRICS: tuple[str, ...] = (
    *HEADLINE_METRICS,
    "mention.exact.f1",
    "mention.type.f1",
    "event.trigger_id.f1",
    "event.arg_id.f1",
    "actor.id.accuracy",
    "actor.set.f1",
    "event.mode.accuracy",
    "event.context.accuracy",
)
"""The flat metrics of each extractor's first table, in order."""

SCHEME_COLUMNS = ("COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1", "macro F1")
"""The columns of the mention-scheme table after the scheme's name (nervaluate's counts, then ratios)."""

SHOWN_IDS = 5
"""Document ids listed after a count of missing or unknown documents (the rest as ``…``)."""


def fmt_ratio(x: float) -> str:
    """A score to three decimals; NaN (undefined) as an em dash."""
    return "—" if math.isnan(x) else f"{x:.3f}"


def fmt_figure(value: float | None) -> str:
    """An agreement figure to three decimals; None (undefined) as a dim ``n/a``."""
    return "[dim]n/a[/dim]" if value is None else f"{value:.3f}"


def print_warnings(items: Sequence[str], label: str = "warning") -> None:
    """Each item as one yellow ``label:`` line on stderr (escaped, not wrapped)."""
    for w in items:
        err_console.print(f"[yellow]{label}:[/yellow] {escape(w)}", highlight=False, soft_wrap=True)


def _table(title: str | None, columns: Sequence[str], justify: JustifyMethod = "right") -> Table:
    t = Table(title=title, title_justify="left")
    for col in columns:
        t.add_column(col, justify=justify)
    return t


def _doc_ids(what: str, ids: Sequence[str]) -> str:
    return f"[yellow]{what}[/yellow]: " + ", ".join(ids[:SHOWN_IDS]) + (" …" if len(ids) > SHOWN_IDS else "")


def _per_type_tables(ex: ExtractorScore) -> None:
    pt = _table(
        f"{ex.name}: per type (mentions strict; event trigger classification)",
        ("type", "COR/tp", "MIS/fn", "SPU/fp", "P", "R", "F1"),
    )
    for t, s in ex.mentions["strict"].per_type.items():
        pt.add_row(
            t,
            str(s.cor),
            str(s.mis + s.inc),
            str(s.spu + s.inc),
            fmt_ratio(s.precision),
            fmt_ratio(s.recall),
            fmt_ratio(s.f1),
        )
    for t, p in ex.events.trigger_cls_per_type.items():
        pt.add_row(t, str(p.tp), str(p.fn), str(p.fp), fmt_ratio(p.precision), fmt_ratio(p.recall), fmt_ratio(p.f1))
    console.print(pt)
    if ex.events.arg_cls_per_role:
        pr = _table(f"{ex.name}: per role (argument classification)", ("role", "tp", "fn", "fp", "P", "R", "F1"))
        for role, p in ex.events.arg_cls_per_role.items():
            pr.add_row(
                role, str(p.tp), str(p.fn), str(p.fp), fmt_ratio(p.precision), fmt_ratio(p.recall), fmt_ratio(p.f1)
            )
        console.print(pr)


def print_extractor(ex: ExtractorScore, by: Sequence[str]) -> None:
    """One extractor's tables on stdout (headline metrics with intervals, mention schemes, per type
    when ``by`` holds ``type``, one per other ``by`` group), its error counts, and its warnings on stderr."""
    head = Table(title=f"{ex.name}: {ex.docs_scored} documents scored", title_justify="left")
    for col in ("metric", "value", "95% CI"):
        head.add_column(col, justify="left" if col == "metric" else "right")
    for name in SCORE_TABLE_METRICS:
        ci = ex.intervals.get(name)
        ci_text = f"{fmt_ratio(ci.low)}–{fmt_ratio(ci.high)}" if ci else ""
        head.add_row(name, fmt_ratio(ex.metrics[name]), ci_text)
    console.print(head)
    sch = _table(
        f"{ex.name}: mention schemes", ("scheme", "COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1", "macro F1")
    )
    for scheme, res in ex.mentions.items():
        o = res.overall
        counts = (o.cor, o.inc, o.par, o.mis, o.spu)
        ratios = (o.precision, o.recall, o.f1, res.macro_f1)
        sch.add_row(scheme, *map(str, counts), *map(fmt_ratio, ratios))
    console.print(sch)
    if "type" in by:
        _per_type_tables(ex)
    for key, groups in ex.groups.items():
        gt = Table(title=f"{ex.name}: by {key}", title_justify="left")
        gt.add_column(key)
        gt.add_column("docs", justify="right")
        for name in HEADLINE_METRICS:
            gt.add_column(name, justify="right")
        for value, metrics in groups.items():
            gt.add_row(value, str(int(metrics["docs"])), *(fmt_ratio(metrics[n]) for n in HEADLINE_METRICS))
        console.print(gt)
    kinds = {f"{level} {kind}": n for level, by_kind in ex.error_totals().items() for kind, n in by_kind.items()}
    if kinds:
        console.print("errors: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())), highlight=False)
    name = escape(ex.name)
    if ex.missing_docs:
        console.print(_doc_ids(f"{name}: {len(ex.missing_docs)} gold documents without prediction", ex.missing_docs))
    if ex.unknown_docs:
        console.print(_doc_ids(f"{name}: {len(ex.unknown_docs)} predicted documents not in gold", ex.unknown_docs))
    print_warnings(ex.named_warnings())


def print_tests(report: ScoreReport) -> None:
    """The paired significance tests of a score report (nothing when it has none)."""
    if not report.tests:
        return
    t = Table(title="paired tests (same documents; Holm-corrected per method)", title_justify="left")
    for col in ("metric", "A", "B", "A−B", "test", "p", "p (Holm)"):
        t.add_column(col, justify="right" if col in ("A−B", "p", "p (Holm)") else "left", no_wrap=True)
    for s in report.tests:
        method = "bootstrap" if s.method == "paired_bootstrap" else "AR"
        t.add_row(s.metric, s.a, s.b, f"{s.delta:+.3f}", method, fmt_ratio(s.p_value), fmt_ratio(s.p_holm))
    console.print(t)


def print_score(report: ScoreReport, by: Sequence[str]) -> None:
    """A whole score report: every extractor's tables, the paired tests, the report's own warnings."""
    for ex in report.extractors:
        print_extractor(ex, by)
    print_tests(report)
    print_warnings(report.warnings)


def print_gold_build(result: GoldBuild, output: Path, out: Console) -> None:
    """What a gold build made: documents and units per split, decisions, conflicts, left-out annotations."""
    m = result.manifest
    c = m.counts
    table = Table(title=f"gold {m.version}", show_header=True)
    table.add_column("split")
    for column in ("documents", "mentions", "events"):
        table.add_column(column, justify="right")
    for split in SPLITS:
        docs = [d for d in result.documents if d.split == split]
        table.add_row(
            split,
            str(len(docs)),
            str(sum(len(d.mentions) for d in docs)),
            str(sum(len(d.events) for d in docs)),
        )
    out.print(table)
    decided = ", ".join(f"{k} {v}" for k, v in c.decisions.items()) or "no documents"
    out.print(f"policy {m.policy}: {decided}")
    out.print(
        f"{c.conflicts} documents with open conflicts ({output / CONFLICTS_FILE}); "
        f"{c.excluded} left out of gold"
        + ("; the others kept with their undisputed units" if m.include_conflicts else "")
    )
    if c.cancelled:
        out.print(f"{c.cancelled} cancelled annotations were counted and left out")
    if m.splits.previous_conflicts:
        err_console.print(
            f"[yellow]warning:[/yellow] {len(m.splits.previous_conflicts)} groups of "
            "near-duplicates "
            f"were split across train/dev/test in {m.previous}; their documents keep those splits"
        )


def print_gold_diff(result: GoldDiff, out: Console) -> None:
    """Documents and units added, removed and changed between two gold versions."""
    out.print(
        f"{result.a} -> {result.b}: documents +{len(result.documents_added)} "
        f"-{len(result.documents_removed)} ~{len(result.documents_changed)}; units "
        f"+{result.units_added} -{result.units_removed} ~{result.units_changed}"
    )
    if result.documents_changed:
        table = Table(show_header=True)
        for column in ("document", "added", "removed", "changed", "split", "text"):
            table.add_column(column)
        for d in result.documents_changed:
            table.add_row(
                d.doc_id,
                str(len(d.units_added)),
                str(len(d.units_removed)),
                str(len(d.units_changed)),
                f"{d.split[0]} -> {d.split[1]}" if d.split else "",
                "changed" if d.text_changed else "",
            )
        out.print(table)
    for doc_id in result.documents_added:
        out.print(f"[green]+ {doc_id}[/green]")
    for doc_id in result.documents_removed:
        out.print(f"[red]- {doc_id}[/red]")


def _agreement_tables(report: AgreementReport) -> list[Table]:
    spans = Table(title="span F1 (macro over pairs)")
    for column in ("kind", "matching", "pairs", "macro F1", "per label"):
        spans.add_column(column)
    for sp in report.spans:
        labels = ", ".join(f"{k} {fmt_figure(v)}" for k, v in sp.per_label.items())
        spans.add_row(sp.kind, sp.matching, str(len(sp.pairs)), fmt_figure(sp.macro_f1), labels)
    per_role = ", ".join(f"{role} {fmt_figure(rf.macro_f1)}" for role, rf in report.roles.per_role.items())
    spans.add_row(
        "roles", "matched triggers", str(len(report.roles.pairs)), fmt_figure(report.roles.macro_f1), per_role
    )

    fields = Table(title="categorical fields on aligned units")
    for column in ("field", "units", "Cohen (mean of pairs)", "Fleiss", "Fleiss units", "alpha"):
        fields.add_column(column)
    for fa in report.fields:
        fields.add_row(
            fa.field,
            str(fa.units),
            fmt_figure(fa.cohen_mean),
            fmt_figure(fa.fleiss),
            f"{fa.fleiss_units} x {fa.fleiss_raters}",
            fmt_figure(fa.alpha),
        )

    people = Table(title="annotators")
    for column in (
        "annotator",
        "tasks",
        "cancelled",
        "superseded",
        "median lead time (s)",
        "F1 with others",
        "F1 with gold",
    ):
        people.add_column(column)
    for st in report.annotator_stats:
        lead = "n/a" if st.median_lead_time is None else f"{st.median_lead_time:.1f}"
        people.add_row(
            st.name,
            str(st.tasks),
            str(st.cancelled),
            str(st.superseded),
            lead,
            fmt_figure(st.with_others.f1),
            fmt_figure(st.with_gold.f1) if st.with_gold is not None else "",
        )
    return [spans, fields, people]


def print_agreement(report: AgreementReport, show: int, out: Console) -> None:
    """An agreement report: counts, span F1, field kappas and alpha, annotators, the first ``show``
    disagreements; its notes on stderr."""
    out.print(
        f"{len(report.annotators)} annotators, {report.documents} documents with two or "
        f"more annotators, {report.annotations} annotations "
        f"({report.cancelled} cancelled, left out)"
    )
    for table in _agreement_tables(report):
        out.print(table)
    if report.disagreements and show > 0:
        dis = Table(title=f"disagreements ({len(report.disagreements)}; first {min(show, len(report.disagreements))})")
        for column in ("document", "kind", "span", "fields", "values"):
            dis.add_column(column)
        for d in report.disagreements[:show]:
            values = "; ".join(f"{who}: " + ("—" if v is None else "/".join(v.values())) for who, v in d.values.items())
            dis.add_row(
                d.doc_id,
                d.kind,
                repr(d.text) if d.text is not None else "",
                ", ".join(d.fields),
                values,
            )
        out.print(dis)
    for warning in report.warnings:
        err_console.print(f"[yellow]note:[/yellow] {warning}", highlight=False)
