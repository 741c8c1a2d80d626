"""``eventgold score``: score extractors' predictions against a gold dataset."""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from eventgold.commands.report import AlsoHtml, command_line, write_reports
from eventgold.console import split_list, write_json_output
from eventgold.errors import CheckFailed, ConfigError, InputError, UserError

if TYPE_CHECKING:  # the scoring stack (numpy, scipy, pandas) loads only when `score` runs
    from eventgold.scoring.inputs import Predictions
    from eventgold.scoring.report import ScoreReport


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


PredictionFormat = Annotated[
    str | None,
    typer.Option("--format", help="Prediction format: jsonl, labelstudio, plover or docbin (default: detected)."),
]
"""``--format``: how every prediction file is read (default: detected per file)."""

PredictionDocKey = Annotated[
    str | None,
    typer.Option(
        "--doc-key",
        help="Field holding the document id in PLOVER records or DocBin user_data, dotted when nested "
        "(default: detected from the records — the field whose values are gold document ids — else doc_id).",
    ),
]
"""``--doc-key``: where PLOVER records and DocBin documents hold their document id."""


def parse_fail_under(items: list[str]) -> list[tuple[str, float]]:
    """Parse ``metric=value`` bounds; unknown metric names are a user error naming close ones."""
    from eventgold.scoring.metrics import METRIC_NAMES

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


def write_errors(report: ScoreReport, dest: Path) -> None:
    """Write every error item of ``report`` to ``dest`` as JSONL (:meth:`ScoreReport.write_errors`).

    Raises:
        ConfigError: the file cannot be written.
    """
    try:
        report.write_errors(dest)
    except OSError as exc:
        raise ConfigError(f"{dest}: cannot write the errors: {exc.strerror}") from exc


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
        typer.Option(
            "--json",
            help="Write the ScoreReport as JSON here ('-' = stdout): every figure, and per extractor the error "
            "counts by level and kind with the first 100 errors of each (all of them: --errors).",
        ),
    ] = None,
    errors_out: Annotated[
        Path | None,
        typer.Option(
            "--errors",
            help="Write every error (missed, spurious, wrong mention, trigger, argument, coder tuple) here as JSONL: "
            "one object per line, its extractor first, the fields of the report's errors.",
        ),
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
    fmt: PredictionFormat = None,
    doc_key: PredictionDocKey = None,
    ontology: Annotated[
        Path | None,
        typer.Option(
            help="Ontology the gold and predictions are checked against (default: label_config/ontology.yaml); "
            "its roles order the per-role tables, its coder mapping makes the coder tuples' sources and "
            "targets, its quad classes the coder.quad variant."
        ),
    ] = None,
    html: AlsoHtml = None,
    markdown: Annotated[Path | None, typer.Option("--markdown", help="Also write a Markdown report here.")] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="Also write CSV tables into this folder.")] = None,
) -> None:
    """Score extractors against gold: mentions, canonical actors, events (ACE and coder style).

    Example: [bold]eventgold score --gold samples/gold/v1 --pred exports/predictions/rules.jsonl
    --split test --fail-under event.trigger_cls.f1=0.5 --html exports/report.html --errors exports/errors.jsonl[/bold]
    """
    from eventgold.fileio import refuse_inputs_as_outputs
    from eventgold.memory import paused_gc
    from eventgold.ontology import load_ontology
    from eventgold.report.console import print_score, print_warnings
    from eventgold.scoring.api import score as score_fn
    from eventgold.scoring.inputs import (
        CorpusNotPredictions,
        add_gold_metadata,
        gold_path,
        load_gold,
        load_predictions,
        unique_names,
    )

    bounds = parse_fail_under(fail_under or [])
    by_list = split_list(by)
    gpath = gold_path(gold)
    if errors_out is not None and str(errors_out) == "-":
        raise UserError("--errors: give the path of a file (the JSONL of every error is not written to stdout)")
    refuse_inputs_as_outputs([json_out, errors_out, html, csv_dir], [gpath, *pred])
    onto = load_ontology(ontology)  # gold and predictions are checked against it (default: label_config/)
    with paused_gc():  # the records read and the counts made live until the end, no garbage cycles
        gold_docs = load_gold(gpath, onto)
        articles = {g.article.id: g.article for g in gold_docs}

        def read_one(path: Path) -> Predictions:
            """One prediction file, checked against the gold's articles and the ontology."""
            try:
                return load_predictions(path, fmt, articles=articles, ontology=onto, doc_key=doc_key)
            except CorpusNotPredictions as exc:
                raise InputError(
                    f"{exc} (`eventgold extract {exc.path} --extractor rules -o exports/predictions/rules.jsonl`) "
                    "and pass its output to --pred"
                ) from None

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
            write_json_output(report, json_out)  # encoded once by pydantic-core; NaN as null
        if errors_out is not None:
            write_errors(report, errors_out)
        if json_out != "-":
            print_score(report, by_list)
        else:  # stdout holds only the JSON; the warnings, each naming its extractor, still go to stderr
            print_warnings(report.all_warnings())
        write_reports(report, html=html, markdown=markdown, csv_dir=csv_dir, json_on_stdout=json_out == "-")
        failed = check_bounds(report, bounds)
        # Freed while the collector is still paused: enabled again with the millions of records and counts
        # alive, its next collection would walk every one of them (0.3 s at 2,000 documents); freed here,
        # they leave nothing for it to walk.
        articles.clear()
        del gold_docs, read, loaded, report
    if failed:
        raise CheckFailed("below --fail-under: " + "; ".join(failed))
