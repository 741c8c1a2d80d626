"""``eventgold score``: score extractors' predictions against a gold dataset."""

from __future__ import annotations

import difflib
import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from eventgold.commands.report import command_line, write_reports
from eventgold.console import console, err_console, split_list, write_json_output
from eventgold.errors import CheckFailed, UserError

if TYPE_CHECKING:  # the scoring stack (numpy, scipy, pandas) loads only when `score` runs
    from eventgold.scoring.inputs import Predictions
    from eventgold.scoring.report import ExtractorScore, ScoreReport


METRIC_FAMILIES = (
    "mention.{strict, exact, partial, type}.{precision, recall, f1, macro_precision, macro_recall, macro_f1, "
    "cor, inc, par, mis, spu, actual, possible}",
    "actor.id.{accuracy, compared, correct}",
    "actor.set.{precision, recall, f1, macro_f1, tp, fp, fn}",
    "event.{trigger_id, trigger_cls, arg_id, arg_cls, context}.{precision, recall, f1, tp, fp, fn}",
    "event.{mode, context}.accuracy",
    "event.trigger_cls.macro_f1",
    "coder.{tuple, type_actor, type, quad}.{precision, recall, f1, tp, fp, fn}",
    "{actor_type, event_type}.kappa",
)
"""Every ``--fail-under`` metric name, brace-expanded (kept equal to METRIC_NAMES by a test)."""


def parse_fail_under(items: list[str]) -> list[tuple[str, float]]:
    """Parse ``metric=value`` bounds; unknown metric names are a user error naming close ones."""
    from eventgold.scoring.report import METRIC_NAMES

    out: list[tuple[str, float]] = []
    for item in items:
        for part in split_list(item):
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep:
                raise UserError(f"--fail-under {part!r}: expected METRIC=VALUE, e.g. mention.strict.f1=0.6")
            if name not in METRIC_NAMES:
                close = difflib.get_close_matches(name, METRIC_NAMES, n=5, cutoff=0.6)
                close = close or [m for m in METRIC_NAMES if name and name.lower() in m][:5]
                if close:
                    hint = f"did you mean {', '.join(close)}? (all names: `eventgold score --help`)"
                else:
                    hint = f"metric names are {'; '.join(METRIC_FAMILIES)}"
                raise UserError(f"--fail-under: unknown metric {name!r}; {hint}")
            try:
                bound = float(value)
            except ValueError:
                raise UserError(f"--fail-under {part!r}: {value!r} is not a number") from None
            out.append((name, bound))
    return out


def check_bounds(report: ScoreReport, bounds: list[tuple[str, float]]) -> list[str]:
    """Every (extractor, metric) that falls under its bound (NaN fails: it proves nothing)."""
    failed: list[str] = []
    for ex in report.extractors:
        for name, bound in bounds:
            value = ex.metrics[name]
            if math.isnan(value) or value < bound:
                failed.append(f"{ex.name}: {name} = {value:.4f} < {bound}")
    return failed


def _fmt(x: float) -> str:
    return "—" if math.isnan(x) else f"{x:.3f}"


def _print_extractor(ex: ExtractorScore, by: list[str]) -> None:
    from eventgold.scoring.report import HEADLINE_METRICS

    head = Table(title=f"{ex.name}: {ex.docs_scored} documents scored", title_justify="left")
    for col in ("metric", "value", "95% CI"):
        head.add_column(col, justify="left" if col == "metric" else "right")
    for name in (
        *HEADLINE_METRICS,
        "mention.exact.f1",
        "mention.type.f1",
        "event.trigger_id.f1",
        "event.arg_id.f1",
        "actor.id.accuracy",
        "actor.set.f1",
        "event.mode.accuracy",
        "event.context.accuracy",
    ):
        ci = ex.intervals.get(name)
        ci_text = f"{_fmt(ci.low)}–{_fmt(ci.high)}" if ci else ""
        head.add_row(name, _fmt(ex.metrics[name]), ci_text)
    console.print(head)
    sch = Table(title=f"{ex.name}: mention schemes", title_justify="left")
    for col in ("scheme", "COR", "INC", "PAR", "MIS", "SPU", "P", "R", "F1", "macro F1"):
        sch.add_column(col, justify="right")
    for scheme, res in ex.mentions.items():
        o = res.overall
        sch.add_row(
            scheme,
            str(o.cor),
            str(o.inc),
            str(o.par),
            str(o.mis),
            str(o.spu),
            _fmt(o.precision),
            _fmt(o.recall),
            _fmt(o.f1),
            _fmt(res.macro_f1),
        )
    console.print(sch)
    if "type" in by:
        pt = Table(
            title=f"{ex.name}: per type (mentions strict; event trigger classification)",
            title_justify="left",
        )
        for col in ("type", "COR/tp", "MIS/fn", "SPU/fp", "P", "R", "F1"):
            pt.add_column(col, justify="right")
        for t, s in ex.mentions["strict"].per_type.items():
            pt.add_row(
                t,
                str(s.cor),
                str(s.mis + s.inc),
                str(s.spu + s.inc),
                _fmt(s.precision),
                _fmt(s.recall),
                _fmt(s.f1),
            )
        for t, p in ex.events.trigger_cls_per_type.items():
            pt.add_row(t, str(p.tp), str(p.fn), str(p.fp), _fmt(p.precision), _fmt(p.recall), _fmt(p.f1))
        console.print(pt)
        if ex.events.arg_cls_per_role:
            pr = Table(title=f"{ex.name}: per role (argument classification)", title_justify="left")
            for col in ("role", "tp", "fn", "fp", "P", "R", "F1"):
                pr.add_column(col, justify="right")
            for role, p in ex.events.arg_cls_per_role.items():
                pr.add_row(role, str(p.tp), str(p.fn), str(p.fp), _fmt(p.precision), _fmt(p.recall), _fmt(p.f1))
            console.print(pr)
    for key, groups in ex.groups.items():
        gt = Table(title=f"{ex.name}: by {key}", title_justify="left")
        gt.add_column(key)
        gt.add_column("docs", justify="right")
        for name in HEADLINE_METRICS:
            gt.add_column(name, justify="right")
        for value, metrics in groups.items():
            gt.add_row(value, str(int(metrics["docs"])), *(_fmt(metrics[n]) for n in HEADLINE_METRICS))
        console.print(gt)
    kinds: dict[str, int] = {}
    for e in ex.errors:
        kinds[f"{e.level} {e.kind}"] = kinds.get(f"{e.level} {e.kind}", 0) + 1
    if kinds:
        console.print("errors: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())), highlight=False)
    name = escape(ex.name)
    if ex.missing_docs:
        console.print(
            f"[yellow]{name}: {len(ex.missing_docs)} gold documents without prediction[/yellow]: "
            + ", ".join(ex.missing_docs[:5])
            + (" …" if len(ex.missing_docs) > 5 else "")
        )
    if ex.unknown_docs:
        console.print(
            f"[yellow]{name}: {len(ex.unknown_docs)} predicted documents not in gold[/yellow]: "
            + ", ".join(ex.unknown_docs[:5])
            + (" …" if len(ex.unknown_docs) > 5 else "")
        )
    for w in ex.named_warnings():
        err_console.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False, soft_wrap=True)


def _read_predictions(path: Path, read: Callable[[Path], Predictions]) -> tuple[Predictions, list[str]]:
    """``read(path)``, and what eventgold warned about while reading it (repaired spans, repeated
    lines...), for the report to show under the extractor's name; other warnings go on as usual."""
    from eventgold.errors import EventgoldWarning

    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", EventgoldWarning)
            loaded = read(path)
    except Exception:
        _warn_again(caught)  # the file cannot be scored: every warning is shown as it came
        raise
    _warn_again([w for w in caught if not issubclass(w.category, EventgoldWarning)])
    return loaded, [str(w.message) for w in caught if issubclass(w.category, EventgoldWarning)]


def _warn_again(caught: list[warnings.WarningMessage]) -> None:
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)


def _print_tests(report: ScoreReport) -> None:
    if not report.tests:
        return
    t = Table(title="paired tests (same documents; Holm-corrected per method)", title_justify="left")
    for col in ("metric", "A", "B", "A−B", "test", "p", "p (Holm)"):
        t.add_column(col, justify="right" if col in ("A−B", "p", "p (Holm)") else "left", no_wrap=True)
    for s in report.tests:
        method = "bootstrap" if s.method == "paired_bootstrap" else "AR"
        t.add_row(s.metric, s.a, s.b, f"{s.delta:+.3f}", method, _fmt(s.p_value), _fmt(s.p_holm))
    console.print(t)


def score(
    ctx: typer.Context,
    gold: Annotated[Path, typer.Option(help="Gold folder (holding gold.jsonl) or GoldDocument JSONL.")],
    pred: Annotated[
        list[Path],
        typer.Option(help="Predictions (our JSONL, Label Studio JSON, PLOVER, DocBin); repeat per extractor."),
    ],
    split: Annotated[str | None, typer.Option(help="Score only these gold splits, e.g. test or dev,test.")] = None,
    by: Annotated[str | None, typer.Option(help="Break down by type, source and/or split (comma-separated).")] = None,
    json_out: Annotated[
        str | None,
        typer.Option("--json", help="Write the full ScoreReport as JSON here ('-' = stdout)."),
    ] = None,
    fail_under: Annotated[
        list[str] | None,
        typer.Option(
            help="Exit 1 when METRIC falls under VALUE, e.g. event.trigger_cls.f1=0.6 (repeatable). METRIC is one of "
            + "; ".join(METRIC_FAMILIES)
            + " (a {a,b} is one of a, b)."
        ),
    ] = None,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for CIs and paired tests (0 = none).")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed of the resampling.")] = 0,
    zero_division: Annotated[str, typer.Option(help="Value of a ratio whose denominator is zero: 0, 1 or nan.")] = "0",
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="Prediction format: jsonl, labelstudio, plover or docbin (default: detected)."),
    ] = None,
    doc_key: Annotated[
        str | None,
        typer.Option(
            "--doc-key",
            help="Field holding the document id in PLOVER records or DocBin user_data, dotted when nested "
            "(default: detected from the records — the field whose values are gold document ids — else doc_id).",
        ),
    ] = None,
    ontology: Annotated[
        Path | None,
        typer.Option(
            help="Ontology the gold and predictions are checked against (default: label_config/ontology.yaml); "
            "its roles order the per-role tables, its coder mapping makes the coder tuples' sources and "
            "targets, its quad classes the coder.quad variant."
        ),
    ] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report here.")] = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write a Markdown report here.")] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="Also write CSV tables into this folder.")] = None,
) -> None:
    """Score extractors against gold: mentions, canonical actors, events (ACE and coder style).

    Example: [bold]eventgold score --gold samples/gold/v1 --pred exports/predictions/rules.jsonl
    --split test --fail-under event.trigger_cls.f1=0.5 --html exports/report.html[/bold]
    """
    from eventgold.fileio import refuse_inputs_as_outputs
    from eventgold.ontology import load_ontology
    from eventgold.scoring.api import score as score_fn
    from eventgold.scoring.inputs import add_gold_metadata, gold_path, load_gold, load_predictions, unique_names

    bounds = parse_fail_under(fail_under or [])
    by_list = split_list(by)
    gpath = gold_path(gold)
    refuse_inputs_as_outputs([json_out, html, csv_dir], [gpath, *pred])
    onto = load_ontology(ontology)  # gold and predictions are checked against it (default: label_config/)
    gold_docs = load_gold(gpath, onto)
    articles = {g.article.id: g.article for g in gold_docs}

    def read_one(path: Path) -> Predictions:
        return load_predictions(path, fmt, articles=articles, ontology=onto, doc_key=doc_key)

    read = [_read_predictions(p, read_one) for p in pred]  # with what reading each file warned about
    loaded = [p for p, _ in read]
    names = unique_names(loaded)
    report = score_fn(
        gold_docs,
        {n: p.annotations for n, p in zip(names, loaded, strict=True)},
        split=split_list(split) or None,
        by=by_list,
        zero_division=zero_division,
        bootstrap=bootstrap,
        seed=seed,
        ontology=onto,
        sources={n: str(p.path) for n, p in zip(names, loaded, strict=True)},
        gold_source=str(gpath),
        input_warnings={n: said for n, (_, said) in zip(names, read, strict=True)},
    )
    add_gold_metadata(report, gpath)
    report.command = command_line(ctx)
    if json_out:
        write_json_output(json.loads(report.to_json()), json_out)  # NaN as null
    if json_out != "-":
        for ex in report.extractors:
            _print_extractor(ex, by_list)
        _print_tests(report)
        for w in report.warnings:
            err_console.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False, soft_wrap=True)
    else:  # stdout holds only the JSON; the warnings, each naming its extractor, still go to stderr
        for w in report.all_warnings():
            err_console.print(f"[yellow]warning:[/yellow] {escape(w)}", highlight=False, soft_wrap=True)
    write_reports(report, html=html, markdown=markdown, csv_dir=csv_dir, json_on_stdout=json_out == "-")
    failed = check_bounds(report, bounds)
    if failed:
        raise CheckFailed("below --fail-under: " + "; ".join(failed))
