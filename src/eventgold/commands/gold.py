"""``eventgold agree`` and ``eventgold gold build|diff``: agreement, adjudication, versions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from eventgold.commands.report import command_line, write_reports
from eventgold.console import console, err_console, report_problems, write_json_output
from eventgold.errors import InputError
from eventgold.fileio import refuse_inputs_as_outputs
from eventgold.gold.inputs import SnapshotLike

app = typer.Typer(
    help="Versioned gold datasets: adjudicate snapshots, split, compare versions.",
    no_args_is_help=True,
)

JsonOut = Annotated[str | None, typer.Option("--json", help="Write machine output here (- for stdout).")]
OntologyOpt = Annotated[
    Path | None,
    typer.Option("--ontology", help="Ontology file (default: label_config/ontology.yaml)."),
]


def _read_snapshots(paths: Sequence[Path]) -> list[SnapshotLike]:
    """Read raw Label Studio snapshots (imported lazily: only these verbs need the reader)."""
    from eventgold.labelstudio.snapshot import read_snapshot, snapshot_files

    return [read_snapshot(path) for path in snapshot_files(paths)]


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


def _fmt(value: float | None) -> str:
    return "[dim]n/a[/dim]" if value is None else f"{value:.3f}"


@app.command("build")
def build(
    snapshots: Annotated[list[Path], typer.Argument(help="Raw snapshots (exports/raw/*.json).")],
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
    from eventgold.gold.splits import parse_group_by, parse_ratios
    from eventgold.ontology import load_ontology

    options = BuildOptions(
        version=version or output.name,
        policy=policy,
        include_conflicts=include_conflicts,
        ratios=parse_ratios(split_ratios),
        seed=seed,
        group_by=parse_group_by(group_by),
        previous=previous,
        allow_problems=allow_problems,
    )
    out = err_console if json_out == "-" else console  # stdout holds only the JSON
    refuse_inputs_as_outputs([json_out, output], snapshots)
    onto = load_ontology(ontology)
    read = _read_snapshots(snapshots)
    _warn_unused_adjudications(read, policy)
    try:
        result = build_gold(read, onto, options)
    except ProblemsFound as exc:
        report_problems(
            exc.problems,
            ", ".join(str(p) for p in snapshots),
            show=10,
            listed_in="problems.jsonl once built with --allow-problems",
        )
        raise
    status = write_gold_version(result, output)
    report_problems(
        result.problems,
        ", ".join(str(p) for p in snapshots),
        repairs=result.repairs,
        listed_in=f"{output / 'problems.jsonl'} and {output / 'repairs.jsonl'}",
    )
    m = result.manifest
    c = m.counts
    table = Table(title=f"gold {m.version}", show_header=True)
    table.add_column("split")
    table.add_column("documents", justify="right")
    table.add_column("mentions", justify="right")
    table.add_column("events", justify="right")
    for split in ("train", "dev", "test"):
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
        f"{c.conflicts} documents with open conflicts ({output / 'conflicts.jsonl'}); "
        f"{c.excluded} left out of gold"
        + ("; the others kept with their undisputed units" if include_conflicts else "")
    )
    if c.cancelled:
        out.print(f"{c.cancelled} cancelled annotations were counted and left out")
    if m.splits.previous_conflicts:
        err_console.print(
            f"[yellow]warning:[/yellow] {len(m.splits.previous_conflicts)} groups of "
            "near-duplicates "
            f"were split across train/dev/test in {m.previous}; their documents keep those splits"
        )
    verb = "wrote" if status == "written" else "unchanged (identical rebuild):"
    out.print(f"{verb} {output}")
    if json_out:
        write_json_output({"status": status, "path": str(output), "manifest": m.model_dump(mode="json")}, json_out)


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

    result = diff_versions(a, b)
    out = err_console if json_out == "-" else console  # stdout holds only the JSON
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
    if json_out:
        write_json_output(result.model_dump(mode="json"), json_out)


def agree(
    ctx: typer.Context,
    snapshots: Annotated[list[Path], typer.Argument(help="Raw snapshots (exports/raw/*.json).")],
    gold: Annotated[
        Path | None,
        typer.Option("--gold", help="A gold version: adds each annotator's agreement with it."),
    ] = None,
    show: Annotated[int, typer.Option("--show", help="Disagreements to print (all go to --json).")] = 10,
    ontology: OntologyOpt = None,
    json_out: JsonOut = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report here.")] = None,
) -> None:
    """Agreement between annotators: span F1, kappas, alpha, role F1, annotator statistics.

    Example: [bold]eventgold agree exports/raw/eventgold-*.json --json exports/agreement.json[/bold]
    """
    from eventgold.gold.agreement import compute_agreement
    from eventgold.gold.dataset import read_gold_version
    from eventgold.gold.inputs import merge_snapshots
    from eventgold.ontology import load_ontology

    out = err_console if json_out == "-" else console  # stdout holds only the JSON
    refuse_inputs_as_outputs([json_out, html], snapshots)
    onto = load_ontology(ontology)
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
    out.print(
        f"{len(report.annotators)} annotators, {report.documents} documents with two or "
        f"more annotators, {report.annotations} annotations "
        f"({report.cancelled} cancelled, left out)"
    )

    spans = Table(title="span F1 (macro over pairs)")
    for column in ("kind", "matching", "pairs", "macro F1", "per label"):
        spans.add_column(column)
    for sp in report.spans:
        labels = ", ".join(f"{k} {_fmt(v)}" for k, v in sp.per_label.items())
        spans.add_row(sp.kind, sp.matching, str(len(sp.pairs)), _fmt(sp.macro_f1), labels)
    per_role = ", ".join(f"{role} {_fmt(rf.macro_f1)}" for role, rf in report.roles.per_role.items())
    spans.add_row("roles", "matched triggers", str(len(report.roles.pairs)), _fmt(report.roles.macro_f1), per_role)
    out.print(spans)

    fields = Table(title="categorical fields on aligned units")
    for column in ("field", "units", "Cohen (mean of pairs)", "Fleiss", "Fleiss units", "alpha"):
        fields.add_column(column)
    for fa in report.fields:
        fields.add_row(
            fa.field,
            str(fa.units),
            _fmt(fa.cohen_mean),
            _fmt(fa.fleiss),
            f"{fa.fleiss_units} x {fa.fleiss_raters}",
            _fmt(fa.alpha),
        )
    out.print(fields)

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
            _fmt(st.with_others.f1),
            _fmt(st.with_gold.f1) if st.with_gold is not None else "",
        )
    out.print(people)

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
    if json_out:
        write_json_output(report.model_dump(mode="json"), json_out)
    write_reports(report, html=html, json_on_stdout=json_out == "-")
