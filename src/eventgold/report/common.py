"""Formatting shared by the HTML, Markdown and CSV reports: labels, numbers, rows.

Nothing here computes a score: every value comes from the report JSON
(:class:`~eventgold.scoring.report.ScoreReport` or
:class:`~eventgold.gold.agreement.AgreementReport`); this module only picks,
orders and formats what is there (and finds the largest value of a row to
mark it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from eventgold.evaluation.error_items import ErrorItem
from eventgold.gold.agreement import AgreementReport
from eventgold.gold.agreement_counts import PairCounts
from eventgold.scoring.metrics import HEADLINE_METRICS
from eventgold.scoring.report import ExtractorScore, Interval, PRFScore, ScoreReport

SUMMARY_METRICS: tuple[str, ...] = (
    *HEADLINE_METRICS,
    "mention.exact.f1",
    "mention.type.f1",
    "mention.strict.macro_f1",
    "actor.id.accuracy",
    "actor.set.f1",
    "event.trigger_id.f1",
    "event.arg_id.f1",
    "event.trigger_cls.macro_f1",
    "event.mode.accuracy",
    "event.context.accuracy",
    "coder.type.f1",
    "coder.type_actor.f1",
    "coder.quad.f1",
    "actor_type.kappa",
    "event_type.kappa",
)
"""Rows of the summary table, headline F1s first (all higher-is-better)."""

METRIC_LABELS: dict[str, str] = {
    "mention.strict.f1": "Actor mentions, strict F1",
    "mention.partial.f1": "Actor mentions, partial F1",
    "mention.exact.f1": "Actor mentions, exact-boundary F1",
    "mention.type.f1": "Actor mentions, overlap + type F1",
    "mention.strict.macro_f1": "Actor mentions, strict macro F1",
    "event.trigger_cls.f1": "Event triggers, classification F1",
    "event.trigger_id.f1": "Event triggers, identification F1",
    "event.trigger_cls.macro_f1": "Event triggers, classification macro F1",
    "event.arg_cls.f1": "Event arguments, classification F1",
    "event.arg_id.f1": "Event arguments, identification F1",
    "event.mode.accuracy": "Event mode accuracy",
    "event.context.accuracy": "Event context accuracy",
    "coder.tuple.f1": "Coder tuples (type, source, target) F1",
    "coder.type.f1": "Coder event types F1",
    "coder.type_actor.f1": "Coder (type, source) F1",
    "coder.quad.f1": "Coder quad classes F1",
    "actor.id.accuracy": "Canonical actor id accuracy",
    "actor.set.f1": "Canonical actor set F1",
    "actor_type.kappa": "Actor type Cohen's kappa",
    "event_type.kappa": "Event type Cohen's kappa",
}

TYPE_FAMILIES: dict[str, str] = {
    "mention.strict": "Actor types (mentions, strict)",
    "event.trigger_cls": "Event types (trigger classification)",
    "event.arg_cls": "Argument roles (argument classification)",
}
"""Per-type F1 families shown in the reports, with their titles (``event.arg_cls``: one row per role)."""

CONFUSIONS: dict[str, str] = {"event_type": "Event types", "actor_type": "Actor types"}

ERROR_COLUMNS: tuple[str, ...] = (
    "extractor",
    "level",
    "kind",
    "doc_id",
    "gold_type",
    "pred_type",
    "role",
    "pred_role",
    "gold_start",
    "gold_end",
    "pred_start",
    "pred_end",
    "gold_id",
    "pred_id",
    "detail",
    "snippet",
    "kind_total",
)
"""Columns of ``errors.csv``: the item's fields, then how many errors of its extractor, level and kind
there are in all (the file lists the first ``ERROR_SAMPLE_SIZE`` of each)."""


def label(metric: str) -> str:
    """A human-readable name of a flat metric (the metric name itself when unknown)."""
    return METRIC_LABELS.get(metric, metric)


def is_missing(value: float | None) -> bool:
    """True for an undefined value (None in JSON, NaN in Python)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt(value: float | None, digits: int = 3) -> str:
    """A ratio with ``digits`` decimals; an em dash for an undefined value."""
    if value is None or is_missing(value):
        return "—"
    return f"{value:.{digits}f}"


def fmt_p(value: float | None) -> str:
    """A p-value: three decimals, ``<0.001`` below that."""
    if value is None or is_missing(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def fmt_interval(ci: Interval | None, digits: int = 3) -> str:
    """``[low–high]`` of a confidence interval; empty when there is none."""
    if ci is None:
        return ""
    return f"[{fmt(ci.low, digits)}–{fmt(ci.high, digits)}]"


def fmt_count(value: float | int | None) -> str:
    """An integer count (counts are floats among the flat metrics)."""
    if value is None or is_missing(float(value)):
        return "—"
    return str(int(value))


def best_indices(values: Sequence[float | None]) -> set[int]:
    """Positions of the largest defined value (all ties); none when fewer than two values are defined."""
    defined = [(i, v) for i, v in enumerate(values) if v is not None and not is_missing(v)]
    if len(defined) < 2:
        return set()
    top = max(v for _, v in defined)
    if all(v == top for _, v in defined):
        return set()
    return {i for i, v in defined if v == top}


def split_snippet(snippet: str | None) -> tuple[str, str, str]:
    """A snippet as (left context, unit, right context), the unit being what ``[[ ]]`` marks.

    The first ``[[`` and the last ``]]`` after it delimit the unit; a snippet
    without markers is all left context.
    """
    if not snippet:
        return ("", "", "")
    start = snippet.find("[[")
    end = snippet.rfind("]]")
    if start < 0 or end < start + 2:
        return (snippet, "", "")
    return (snippet[:start], snippet[start + 2 : end], snippet[end + 2 :])


@dataclass(frozen=True)
class ErrorRow:
    """One error of one extractor, for the error tables; ``kind_total`` counts its extractor's errors
    of its level and kind in all (the tables show a sample of them)."""

    extractor: str
    item: ErrorItem
    kind_total: int = 0

    def value(self, column: str) -> str | int | None:
        """The value of one of :data:`ERROR_COLUMNS`."""
        if column == "extractor":
            return self.extractor
        if column == "kind_total":
            return self.kind_total
        value: str | int | None = getattr(self.item, column)
        return value


def error_rows(report: ScoreReport) -> list[ErrorRow]:
    """The errors every report shows: each extractor's sample (:meth:`ExtractorScore.error_sample`,
    the first ``ERROR_SAMPLE_SIZE`` of each level and kind), extractors and items in report order."""
    rows: list[ErrorRow] = []
    for ex in report.extractors:
        totals = ex.error_totals()
        rows += [ErrorRow(ex.name, it, totals.get(it.level, {}).get(it.kind, 0)) for it in ex.error_sample()]
    return rows


def error_counts(report: ScoreReport) -> list[tuple[str, str, str, int]]:
    """(extractor, level, kind, number of errors in all), for the overview tables.

    Extractors in report order, then level and kind alphabetically.
    """
    counts = [
        (ex.name, level, kind, n)
        for ex in report.extractors
        for level, kinds in ex.error_totals().items()
        for kind, n in kinds.items()
    ]
    order = {ex.name: i for i, ex in enumerate(report.extractors)}
    return sorted(counts, key=lambda c: (order[c[0]], c[1], c[2]))


def errors_in_all(report: ScoreReport) -> int:
    """How many errors the report's extractors made in all (its error tables show a sample)."""
    return sum(ex.error_total() for ex in report.extractors)


def _prf_table(ex: ExtractorScore, family: str) -> dict[str, PRFScore]:
    """The tp/fp/fn table of an event family: trigger classification per type, or argument classification per role."""
    return ex.events.arg_cls_per_role if family == "event.arg_cls" else ex.events.trigger_cls_per_type


def per_type_types(report: ScoreReport, family: str) -> list[str]:
    """Types listed under a per-type family by any extractor: sorted; roles in the order the report lists them."""
    types: set[str] = set()
    if family == "event.arg_cls":
        roles = (role for ex in report.extractors for role in ex.events.arg_cls_per_role)
        return list(dict.fromkeys(roles))
    for ex in report.extractors:
        if family == "mention.strict":
            types |= set(ex.mentions["strict"].per_type)
        else:
            types |= set(_prf_table(ex, family))
    return sorted(types)


def per_type_f1(report: ScoreReport, family: str, extractor: int, type_name: str) -> float | None:
    """The F1 of one type for one extractor (None when the extractor does not list the type)."""
    ex = report.extractors[extractor]
    if family == "mention.strict":
        s = ex.mentions["strict"].per_type.get(type_name)
        return s.f1 if s is not None else None
    p = _prf_table(ex, family).get(type_name)
    return p.f1 if p is not None else None


def per_type_support(report: ScoreReport, family: str, type_name: str) -> int | None:
    """Gold units of a type (from the first extractor listing it: the gold is shared)."""
    for ex in report.extractors:
        if family == "mention.strict":
            s = ex.mentions["strict"].per_type.get(type_name)
            if s is not None:
                return s.possible
        else:
            p = _prf_table(ex, family).get(type_name)
            if p is not None:
                return p.tp + p.fn
    return None


def type_interval(report: ScoreReport, family: str, extractor: int, type_name: str) -> Interval | None:
    """The per-type F1 interval, when the report has one."""
    return report.extractors[extractor].type_intervals.get(family, {}).get(type_name)


@dataclass(frozen=True)
class TypeRow:
    """One row of a per-type table: a type, its gold units, and each extractor's F1 and interval."""

    type: str
    support: int | None
    """Gold units of the type (None when no extractor lists it)."""
    f1: list[float | None]
    """Per extractor, in report order; None where the extractor does not list the type."""
    intervals: list[Interval | None]
    """Per extractor, the bootstrap interval of that F1 when the report has one."""
    best: set[int]
    """Indices of the extractors with the best F1 (see :func:`best_indices`)."""


def per_type_rows(report: ScoreReport, family: str) -> list[TypeRow]:
    """The per-type table of ``family`` (``mention.strict``, ``event.trigger_cls`` or ``event.arg_cls``)."""
    rows: list[TypeRow] = []
    for t in per_type_types(report, family):
        values = [per_type_f1(report, family, i, t) for i in range(len(report.extractors))]
        cis = [type_interval(report, family, i, t) for i in range(len(report.extractors))]
        rows.append(TypeRow(t, per_type_support(report, family, t), values, cis, best_indices(values)))
    return rows


def pair_matrix(names: Sequence[str], pairs: Sequence[PairCounts]) -> list[list[float | None]]:
    """Pairwise F1 arranged as a symmetric annotator x annotator matrix (None: no shared documents)."""
    pos = {n: i for i, n in enumerate(names)}
    out: list[list[float | None]] = [[None] * len(names) for _ in names]
    for p in pairs:
        if p.a in pos and p.b in pos:
            out[pos[p.a]][pos[p.b]] = out[pos[p.b]][pos[p.a]] = p.counts.f1
    return out


def kappa_matrix(names: Sequence[str], report: AgreementReport, field: str) -> list[list[float | None]]:
    """Cohen's kappa of one field per annotator pair, as a symmetric matrix."""
    pos = {n: i for i, n in enumerate(names)}
    out: list[list[float | None]] = [[None] * len(names) for _ in names]
    for fa in report.fields:
        if fa.field != field:
            continue
        for k in fa.cohen:
            if k.a in pos and k.b in pos:
                out[pos[k.a]][pos[k.b]] = out[pos[k.b]][pos[k.a]] = k.kappa
    return out


def disagreement_values(values: dict[str, dict[str, str] | None]) -> list[tuple[str, str]]:
    """(annotator, "field values" or "(absent)" when the annotator lacks the unit) for a disagreement."""
    return [(who, "(absent)" if v is None else " / ".join(v.values())) for who, v in values.items()]


def significance_rows(report: ScoreReport) -> list[tuple[str, str, str, float, dict[str, tuple[float, float]]]]:
    """Significance tests grouped by (metric, a, b): delta and method -> (p, p Holm)."""
    grouped: dict[tuple[str, str, str], tuple[float, dict[str, tuple[float, float]]]] = {}
    for t in report.tests:
        key = (t.metric, t.a, t.b)
        delta, methods = grouped.get(key, (t.delta, {}))
        methods[t.method] = (t.p_value, t.p_holm)
        grouped[key] = (delta, methods)
    return [(m, a, b, delta, methods) for (m, a, b), (delta, methods) in grouped.items()]


METHOD_LABELS: dict[str, str] = {
    "paired_bootstrap": "paired bootstrap",
    "approximate_randomization": "approximate randomization",
}

ALPHA = 0.05
"""Significance level the charts mark (on Holm-corrected p-values)."""
