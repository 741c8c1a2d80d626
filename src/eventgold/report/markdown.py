"""Markdown reports (GitHub-flavoured tables) of a score or agreement report.

For pull-request comments and notes: the same tables as the HTML report,
without charts; the error and disagreement lists are cut at ``max_rows`` per
extractor (the HTML and CSV reports have every disagreement and the errors'
sample: the first ``ERROR_SAMPLE_SIZE`` of each level and kind; ``eventgold
score --errors FILE`` writes every error). All text from the data
(document ids, snippets, names) is escaped, so article text cannot inject
markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from eventgold.gold.agreement import AgreementReport
from eventgold.report.common import (
    CONFUSIONS,
    METHOD_LABELS,
    SUMMARY_METRICS,
    TYPE_FAMILIES,
    best_indices,
    disagreement_values,
    error_counts,
    fmt,
    fmt_count,
    fmt_interval,
    fmt_p,
    label,
    per_type_rows,
    significance_rows,
    split_snippet,
)
from eventgold.scoring.metrics import HEADLINE_METRICS
from eventgold.scoring.report import ERROR_SAMPLE_SIZE, ScoreReport

MAX_ROWS = 100
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        "$": "\\$",  # GitHub renders $…$ and $$…$$ as maths
        "~": "\\~",  # and ~…~ as strikethrough
        "\n": " ",
        "\r": " ",
    }
)


def md(text: object) -> str:
    """Text made safe for a Markdown table cell or paragraph (no markup, no HTML, one line)."""
    return str(text).translate(_ESCAPES)


def snippet_md(snippet: str | None) -> str:
    """A snippet with its unit in bold (everything escaped)."""
    left, unit, right = split_snippet(snippet)
    if not unit:
        return md(left)
    return f"{md(left)}**{md(unit)}**{md(right)}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]], align: Sequence[str] | None = None) -> str:
    """A GitHub-flavoured Markdown table; ``align`` holds ``l`` or ``r`` per column."""
    align = align or ["l"] + ["r"] * (len(header) - 1)
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _code_block(text: str) -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}sh\n{text}\n{fence}"


# ---------------------------------------------------------------------------
# score report
# ---------------------------------------------------------------------------


def _summary(report: ScoreReport) -> str:
    names = [md(e.name) for e in report.extractors]
    rows = []
    for metric in SUMMARY_METRICS:
        values = [e.metrics.get(metric) for e in report.extractors]
        best = best_indices(values)
        cells = []
        for i, (e, v) in enumerate(zip(report.extractors, values, strict=True)):
            text = fmt(v)
            if i in best:
                text = f"**{text}** ★"
            ci = fmt_interval(e.intervals.get(metric))
            cells.append(f"{text} {ci}".strip())
        name = md(label(metric)) + (" (headline)" if metric in HEADLINE_METRICS else "")
        rows.append([name, f"`{metric}`", *cells])
    return table(["metric", "name", *names], rows, ["l", "l", *["r"] * len(names)])


def _per_type(report: ScoreReport, family: str) -> str:
    names = [md(e.name) for e in report.extractors]
    rows = []
    for row in per_type_rows(report, family):
        cells = []
        for i, v in enumerate(row.f1):
            text = fmt(v)
            if i in row.best:
                text = f"**{text}** ★"
            cells.append(f"{text} {fmt_interval(row.intervals[i])}".strip())
        rows.append([md(row.type), fmt_count(row.support), *cells])
    if not rows:
        return "_No types._"
    return table(["type", "gold", *names], rows)


def _schemes(report: ScoreReport) -> str:
    rows = []
    for e in report.extractors:
        for scheme, res in e.mentions.items():
            o = res.overall
            rows.append(
                [
                    md(e.name),
                    scheme,
                    *(str(x) for x in (o.cor, o.inc, o.par, o.mis, o.spu)),
                    fmt(o.precision),
                    fmt(o.recall),
                    fmt(o.f1),
                    fmt(res.macro_f1),
                ]
            )
    header = ["extractor", "scheme", "COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1", "macro F1"]
    return table(header, rows, ["l", "l", *["r"] * 9])


def _events(report: ScoreReport) -> str:
    rows = []
    for e in report.extractors:
        parts = [(f"event.{k}", getattr(e.events, k)) for k in ("trigger_id", "trigger_cls", "arg_id", "arg_cls")]
        parts += [("actor.set", e.actors.set)] + [(f"coder.{k}", v) for k, v in e.coder.items()]
        for name, s in parts:
            rows.append(
                [md(e.name), f"`{name}`", str(s.tp), str(s.fp), str(s.fn), fmt(s.precision), fmt(s.recall), fmt(s.f1)]
            )
    return table(["extractor", "metric", "tp", "fp", "fn", "P", "R", "F1"], rows, ["l", "l", *["r"] * 6])


def _confusion(report: ScoreReport) -> str:
    out = []
    for e in report.extractors:
        for key, title in CONFUSIONS.items():
            cm = e.confusion.get(key)
            if cm is None:
                continue
            out.append(f"#### {md(e.name)}: {title.lower()} (n = {cm.n}, κ = {fmt(cm.kappa)})")
            if not cm.labels:
                out.append("_No matched pairs._")
                continue
            rows = [[f"**{md(g)}**", *(str(x) for x in row)] for g, row in zip(cm.labels, cm.matrix, strict=True)]
            out.append(table(["gold \\ predicted", *(md(p) for p in cm.labels)], rows))
    return "\n\n".join(out)


def _significance(report: ScoreReport) -> str:
    if not report.tests:
        return "_No paired tests (one extractor, or `--bootstrap 0`)._"
    methods = list(dict.fromkeys(t.method for t in report.tests))
    header = ["metric", "A", "B", "A − B"]
    for m in methods:
        header += [f"p ({METHOD_LABELS.get(m, m)})", "Holm"]
    rows = []
    for metric, a, b, delta, by_method in significance_rows(report):
        row = [f"`{metric}`", md(a), md(b), f"{delta:+.3f}"]
        for m in methods:
            p, ph = by_method.get(m, (float("nan"), float("nan")))
            row += [fmt_p(p), fmt_p(ph)]
        rows.append(row)
    return table(header, rows, ["l", "l", "l", *["r"] * (len(header) - 3)])


def _errors(report: ScoreReport, max_rows: int) -> str:
    counts = error_counts(report)
    if not counts:
        return "_No errors._"
    out = [table(["extractor", "level", "kind", "errors"], [[md(x), md(lv), md(k), str(n)] for x, lv, k, n in counts])]
    for e in report.extractors:
        total = e.error_total()
        if not total:
            continue
        shown = e.error_sample()[:max_rows]
        more = (
            f" (first {len(shown)} of {total}; the HTML and CSV reports list the first {ERROR_SAMPLE_SIZE} "
            "of each level and kind, `eventgold score --errors FILE` every one)"
            if len(shown) < total
            else ""
        )
        out.append(f"#### {md(e.name)}{more}")
        rows = []
        for it in shown:
            types = " → ".join(md(t) for t in (it.gold_type, it.pred_type) if t) or ""
            role = " → ".join(md(r) for r in (it.role, it.pred_role) if r)
            rows.append([md(it.level), md(it.kind), md(it.doc_id), types, role, snippet_md(it.snippet or it.detail)])
        out.append(table(["level", "kind", "document", "type", "role", "text"], rows, ["l"] * 6))
    return "\n\n".join(out)


def _gold(report: ScoreReport) -> str:
    info = report.gold_info
    lines = [
        f"- gold: `{md(report.gold or 'n/a')}`"
        + (f", version **{md(info.version)}**" if info and info.version else "")
        + (f", created {md(info.created)}" if info and info.created else ""),
        f"- documents scored: {report.gold_docs}"
        + (f" (splits {md(', '.join(report.split))})" if report.split else ""),
        f"- bootstrap: {report.bootstrap} resamples, seed {report.seed}, {report.ci_level:.0%} intervals;"
        f" zero division: {md(report.zero_division)}",
    ]
    if info is None:
        return "\n".join(lines)
    if info.manifest:
        m = info.manifest
        sources = ", ".join(md(s.get("file", "")) for s in m.get("sources") or [] if isinstance(s, dict))
        lines.append(f"- adjudication policy: {md(m.get('policy', 'n/a'))}; sources: {sources or 'n/a'}")
        onto = m.get("ontology")
        if isinstance(onto, dict):
            lines.append(f"- ontology: {md(onto.get('name', ''))} {md(onto.get('version', ''))}")
        counts = m.get("counts")
        if isinstance(counts, dict):
            lines.append(
                f"- conflicts: {md(counts.get('conflicts', 'n/a'))}; excluded: {md(counts.get('excluded', 'n/a'))};"
                f" annotations: {md(counts.get('annotations', 'n/a'))}"
            )
    out = ["\n".join(lines)]
    out.append(table(["split", "documents"], [[md(k), str(v)] for k, v in info.documents.items()]))
    out.append(table(["actor type", "gold mentions"], [[md(k), str(v)] for k, v in info.mentions.items()]))
    out.append(table(["event type", "gold events"], [[md(k), str(v)] for k, v in info.events.items()]))
    if info.agreement:
        out.append(table(["agreement", "value"], [[md(k), fmt(v)] for k, v in info.agreement.items()]))
    return "\n\n".join(out)


def score_markdown(report: ScoreReport, max_rows: int = MAX_ROWS) -> str:
    """The whole scoring report as Markdown."""
    names = ", ".join(md(e.name) for e in report.extractors)
    parts = [
        "# Scoring report",
        f"{len(report.extractors)} extractor(s) ({names}) scored against {report.gold_docs} gold documents. "
        f"Values are micro-averaged; brackets hold {report.ci_level:.0%} bootstrap intervals over documents; "
        "★ marks the best value of a row.",
        "## Summary",
        _summary(report),
    ]
    for family, title in TYPE_FAMILIES.items():
        parts += [f"## Per type: {title}", _per_type(report, family)]
    parts += ["## Actor mention schemes", _schemes(report)]
    parts += ["## Events, actors and coder tuples", _events(report)]
    parts += ["## Confusion matrices", _confusion(report)]
    parts += ["## Significance (paired tests, Holm-corrected per method)", _significance(report)]
    parts += ["## Errors", _errors(report, max_rows)]
    parts += ["## Gold", _gold(report)]
    if report.command:
        parts += ["## Command", _code_block(report.command)]
    warnings = report.all_warnings()  # each extractor's name its own
    if warnings:
        parts += ["## Warnings", "\n".join(f"- {md(w)}" for w in warnings)]
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------------------
# agreement report
# ---------------------------------------------------------------------------


def _roles(report: AgreementReport) -> str:
    """Per role: arguments both annotators gave, only A, only B (summed over pairs), their F1, the mean of pairs."""
    rows = [
        [md(role), str(rf.pairs), str(rf.tp), str(rf.fp), str(rf.fn), fmt(rf.f1), fmt(rf.macro_f1)]
        for role, rf in report.roles.per_role.items()
    ]
    if not rows:
        return "_No arguments on triggers marked by two annotators._"
    return table(["role", "pairs", "both", "only A", "only B", "F1", "F1 (mean of pairs)"], rows)


def agreement_markdown(report: AgreementReport, max_rows: int = MAX_ROWS) -> str:
    """The whole agreement report as Markdown."""
    parts = [
        "# Agreement report",
        f"{len(report.annotators)} annotators, {report.documents} documents with two or more annotators, "
        f"{report.annotations} annotations ({report.cancelled} cancelled, left out).",
        "## Annotators",
    ]
    rows = []
    for st in report.annotator_stats:
        rows.append(
            [
                md(st.name),
                str(st.tasks),
                str(st.cancelled),
                fmt(st.median_lead_time, 1),
                fmt(st.with_others.f1),
                fmt(st.with_gold.f1) if st.with_gold is not None else "",
                fmt(st.with_gold.precision) if st.with_gold is not None else "",
                fmt(st.with_gold.recall) if st.with_gold is not None else "",
            ]
        )
    header = ["annotator", "tasks", "cancelled", "median lead time (s)", "F1 with others"]
    header += ["F1 with gold", "P vs gold", "R vs gold"]
    parts.append(table(header, rows))
    parts.append("## Span agreement (F1, macro over annotator pairs)")
    rows = []
    for sp in report.spans:
        labels = ", ".join(f"{md(k)} {fmt(v)}" for k, v in sp.per_label.items())
        rows.append([md(sp.kind), md(sp.matching), str(len(sp.pairs)), fmt(sp.macro_f1), labels])
    per_role = ", ".join(f"{md(role)} {fmt(rf.macro_f1)}" for role, rf in report.roles.per_role.items())
    rows.append(["roles", "matched triggers", str(len(report.roles.pairs)), fmt(report.roles.macro_f1), per_role])
    parts.append(table(["kind", "matching", "pairs", "macro F1", "per label"], rows, ["l", "l", "r", "r", "l"]))
    parts.append("## Role agreement per role (matched triggers)")
    parts.append(_roles(report))
    parts.append("## Pairwise span F1")
    rows = []
    for sp in report.spans:
        for p in sp.pairs:
            c = p.counts
            rows.append(
                [
                    md(sp.kind),
                    md(sp.matching),
                    md(p.a),
                    md(p.b),
                    str(p.documents),
                    str(c.tp),
                    str(c.fp),
                    str(c.fn),
                    fmt(c.f1),
                ]
            )
    parts.append(
        table(
            ["kind", "matching", "A", "B", "documents", "both", "only A", "only B", "F1"], rows, ["l"] * 4 + ["r"] * 5
        )
        if rows
        else "_No annotator pairs share a document._"
    )
    parts.append("## Categorical fields on aligned units")
    rows = [
        [
            md(fa.field),
            str(fa.units),
            fmt(fa.cohen_mean),
            fmt(fa.fleiss),
            f"{fa.fleiss_units} × {fa.fleiss_raters}",
            fmt(fa.alpha),
            str(fa.alpha_units),
        ]
        for fa in report.fields
    ]
    parts.append(
        table(
            ["field", "units", "Cohen's κ (mean of pairs)", "Fleiss' κ", "Fleiss units × raters", "α", "α units"], rows
        )
    )
    n = len(report.disagreements)
    parts.append(f"## Disagreements ({n}" + (f"; first {max_rows}" if n > max_rows else "") + ")")
    rows = []
    for d in report.disagreements[:max_rows]:
        values = "; ".join(f"{md(who)}: {md(v)}" for who, v in disagreement_values(d.values))
        rows.append([md(d.doc_id), md(d.kind), md(", ".join(d.fields)), snippet_md(d.snippet or d.text), values])
    parts.append(table(["document", "kind", "differs in", "text", "values"], rows, ["l"] * 5) if rows else "_None._")
    if report.command:
        parts += ["## Command", _code_block(report.command)]
    if report.warnings:
        parts += ["## Notes", "\n".join(f"- {md(w)}" for w in report.warnings)]
    return "\n\n".join(parts) + "\n"


def render_markdown(report: ScoreReport | AgreementReport, max_rows: int = MAX_ROWS) -> str:
    """Markdown of either kind of report."""
    if isinstance(report, ScoreReport):
        return score_markdown(report, max_rows)
    return agreement_markdown(report, max_rows)
