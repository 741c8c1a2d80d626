"""``eventgold agree`` and ``eventgold gold build|diff``: agreement, adjudication, versions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from eventgold.commands.options import JsonOut, OntologyOpt
from eventgold.commands.report import AlsoHtml, command_line, write_reports
from eventgold.console import console, err_console, report_problems, write_json_output
from eventgold.errors import ConfigError, InputError
from eventgold.fileio import refuse_inputs_as_outputs
from eventgold.gold.inputs import SnapshotLike
from eventgold.memory import paused_gc

app = typer.Typer(
    help="Versioned gold datasets: adjudicate snapshots, split, compare versions.",
    no_args_is_help=True,
)


SNAPSHOTS_HELP = (
    "Raw snapshots (exports/raw/*.json). Snapshots of one project (full pulls, deltas of `pull --since`) "
    "are read as its latest state; a delta needs its base."
)


def _read_snapshots(paths: Sequence[Path]) -> list[SnapshotLike]:
    """Read raw Label Studio snapshots, each base with its deltas (imported lazily: only these verbs read them)."""
    from eventgold.labelstudio.snapshot_delta import read_snapshots

    return list(read_snapshots(paths))


def _warn_unused_adjudications(snapshots: Sequence[SnapshotLike], policy: str) -> None:
    """Warn when review snapshots are given but the policy ignores adjudications."""
    from eventgold.gold.adjudicate import parse_policy

    if "adjudicator" in parse_policy(policy):
        return
    count = sum(1 for snap in snapshots for a in snap.annotations if a.origin.kind == "adjudicator" and not a.cancelled)
    if count:
        err_console.print(
            f"[yellow]warning:[/yellow] {count} adjudication(s) from a review project are ignored: "
            f"--policy {policy} does not include `adjudicator` (e.g. --policy adjudicator,{policy})",
            highlight=False,
        )


def parse_ratios(text: str) -> tuple[float, float, float]:
    """Parse ``--split-ratios`` (``70,15,15`` or ``0.7,0.15,0.15``) into train/dev/test fractions.

    Raises ConfigError unless ``text`` is three non-negative numbers with a positive sum.
    """
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError as exc:
        raise ConfigError(f"--split-ratios {text!r}: expected three numbers, e.g. 70,15,15") from exc
    if len(values) != 3 or any(v < 0 for v in values) or sum(values) <= 0:
        raise ConfigError(
            f"--split-ratios {text!r}: expected three non-negative numbers for train,dev,test, e.g. 70,15,15"
        )
    total = sum(values)
    return (values[0] / total, values[1] / total, values[2] / total)


def parse_group_by(text: str | None) -> str | None:
    """Check ``--group-by`` (one of :data:`eventgold.gold.splits.GROUP_BY`; empty for none).

    Raises ConfigError naming the choices for anything else.
    """
    from eventgold.gold.splits import GROUP_BY

    if not text:
        return None
    if text not in GROUP_BY:
        raise ConfigError(f"unknown --group-by {text!r}; choose from {', '.join(GROUP_BY)}")
    return text


def check_seed(seed: int) -> int:
    """``--seed`` of ``gold build``, checked: between 0 and 2**32-1 (else a ConfigError)."""
    from eventgold.gold.splits import MAX_SEED

    if not 0 <= seed <= MAX_SEED:
        raise ConfigError(f"--seed must be between 0 and 2**32-1, got {seed}")
    return seed


@app.command("build")
def build(
    snapshots: Annotated[list[Path], typer.Argument(help=SNAPSHOTS_HELP)],
    output: Annotated[Path, typer.Option("-o", "--output", help="New version folder, e.g. exports/gold/v1.")],
    policy: Annotated[
        str,
        typer.Option(help="Adjudication policies in order: adjudicator, ground-truth, majority, single."),
    ] = "adjudicator,ground-truth,majority",
    include_conflicts: Annotated[
        bool,
        typer.Option("--include-conflicts", help="Keep conflicted documents with their undisputed units."),
    ] = False,
    split_ratios: Annotated[str, typer.Option("--split-ratios", help="train,dev,test ratios.")] = "70,15,15",
    seed: Annotated[int, typer.Option(help="Seed of the split (recorded in the manifest).")] = 13,
    group_by: Annotated[
        str | None,
        typer.Option("--group-by", help="Keep whole groups on one side: source or published-month."),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="Older gold version: its documents keep their split."),
    ] = None,
    version: Annotated[str | None, typer.Option(help="Version name (default: the folder name).")] = None,
    allow_problems: Annotated[
        bool,
        typer.Option(
            "--allow-problems",
            help="Build although regions or relations have problems: they are left out and "
            "listed in problems.jsonl (without it, building refuses).",
        ),
    ] = False,
    ontology: OntologyOpt = None,
    json_out: JsonOut = None,
) -> None:
    """Adjudicate snapshots into a new, never-overwritten gold version folder.

    Regions or relations the snapshots hold but that cannot be taken (offsets
    that fit no unit, a relation without a role, a label not in the ontology)
    stop the build, listed with where they are and what to do, unless
    --allow-problems; repaired regions are listed in repairs.jsonl.

    Example: [bold]eventgold gold build exports/raw/eventgold-*.json -o exports/gold/v1[/bold]
    """
    from eventgold.gold.dataset import BuildOptions, ProblemsFound, build_gold, write_gold_version
    from eventgold.ontology import load_ontology
    from eventgold.report.console import print_gold_build

    options = BuildOptions(
        version=version or output.name,
        policy=policy,
        include_conflicts=include_conflicts,
        ratios=parse_ratios(split_ratios),
        seed=check_seed(seed),
        group_by=parse_group_by(group_by),
        previous=previous,
        allow_problems=allow_problems,
    )
    out = err_console if json_out == "-" else console  # stdout holds only the JSON
    refuse_inputs_as_outputs([json_out, output], snapshots)
    onto = load_ontology(ontology)
    with paused_gc():  # what is read lives until the end and makes no garbage cycles
        read = _read_snapshots(snapshots)
        _warn_unused_adjudications(read, policy)
        try:
            result = build_gold(read, onto, options)
            status = write_gold_version(result, output)
        except ProblemsFound as exc:
            report_problems(
                exc.problems,
                ", ".join(str(p) for p in snapshots),
                show=10,
                listed_in="problems.jsonl once built with --allow-problems",
            )
            raise
    report_problems(
        result.problems,
        ", ".join(str(p) for p in snapshots),
        repairs=result.repairs,
        listed_in=f"{output / 'problems.jsonl'} and {output / 'repairs.jsonl'}",
    )
    print_gold_build(result, output, out)
    verb = "wrote" if status == "written" else "unchanged (identical rebuild):"
    out.print(f"{verb} {output}")
    if json_out:
        write_json_output(
            {"status": status, "path": str(output), "manifest": result.manifest.model_dump(mode="json")}, json_out
        )


@app.command("diff")
def diff(
    a: Annotated[Path, typer.Argument(help="Older gold version folder.")],
    b: Annotated[Path, typer.Argument(help="Newer gold version folder.")],
    json_out: JsonOut = None,
) -> None:
    """List documents and units added, removed and changed between two gold versions.

    Example: [bold]eventgold gold diff exports/gold/v1 exports/gold/v2[/bold]
    """
    from eventgold.gold.diff import diff_versions
    from eventgold.report.console import print_gold_diff

    result = diff_versions(a, b)
    out = err_console if json_out == "-" else console  # stdout holds only the JSON
    print_gold_diff(result, out)
    if json_out:
        write_json_output(result.model_dump(mode="json"), json_out)


def agree(
    ctx: typer.Context,
    snapshots: Annotated[list[Path], typer.Argument(help=SNAPSHOTS_HELP)],
    gold: Annotated[
        Path | None,
        typer.Option("--gold", help="A gold version: adds each annotator's agreement with it."),
    ] = None,
    show: Annotated[int, typer.Option("--show", help="Disagreements to print (all go to --json).")] = 10,
    ontology: OntologyOpt = None,
    json_out: JsonOut = None,
    html: AlsoHtml = None,
) -> None:
    """Agreement between annotators: span F1, kappas, alpha, role F1, annotator statistics.

    Example: [bold]eventgold agree exports/raw/eventgold-*.json --json exports/agreement.json[/bold]
    """
    from eventgold.gold.agreement import compute_agreement
    from eventgold.gold.dataset import read_gold_version
    from eventgold.gold.inputs import merge_snapshots
    from eventgold.ontology import load_ontology
    from eventgold.report.console import print_agreement

    out = err_console if json_out == "-" else console  # stdout holds only the JSON
    refuse_inputs_as_outputs([json_out, html], snapshots)
    onto = load_ontology(ontology)
    with paused_gc():  # what is read, and the figures' millions of small objects, make no garbage cycles
        inputs = merge_snapshots(_read_snapshots(snapshots), onto)
        if not inputs.articles:
            raise InputError(f"{', '.join(map(str, snapshots))}: no tasks in the snapshot(s); nothing to compare")
        report_problems(inputs.problems, ", ".join(str(p) for p in snapshots), repairs=inputs.repairs)
        gold_map = None
        if gold is not None:
            gold_map = {d.doc_id: d for d in read_gold_version(gold, onto).documents}
        report = compute_agreement(inputs.raw, inputs.articles, gold_map, onto)
        report.command = command_line(ctx)
        report.problems = inputs.problems
        report.repairs = inputs.repairs
        print_agreement(report, show, out)
        if json_out:
            write_json_output(report, json_out)  # encoded by pydantic-core in one pass
        write_reports(report, html=html, json_on_stdout=json_out == "-")
