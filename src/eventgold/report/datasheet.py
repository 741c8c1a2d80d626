"""The datasheet of a gold version: the ``README.md`` of its folder (see :mod:`eventgold.gold.dataset`).

What the version holds (documents, units per type and split), how it was made
(sources with their sha256, policy, problems and repairs, conflicts, splits)
and how far the annotators agreed, as Markdown. The text depends only on the
build, so rebuilding a version gives the same bytes.
"""

from __future__ import annotations

from eventgold.gold.dataset import GoldBuild
from eventgold.models import SPLITS


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _type_table(title: str, counts: dict[str, dict[str, int]]) -> list[str]:
    lines = [
        f"| {title} | " + " | ".join(SPLITS) + " | total |",
        "|---|" + "---:|" * (len(SPLITS) + 1),
    ]
    for name, per_split in counts.items():
        cells = [str(per_split.get(s, 0)) for s in SPLITS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {sum(per_split.values())} |")
    if not counts:
        lines.append("| (none) |" + " |" * (len(SPLITS) + 1))
    return lines


def render_datasheet(build: GoldBuild) -> str:
    """The README.md of a gold version: what it holds and how it was made.

    ``build`` is a gold version in memory (its manifest and agreement report are
    read). Returns Markdown text ending with a newline; figures that are
    undefined (no pair of annotators to compare) read ``n/a``.
    """
    m = build.manifest
    c = m.counts
    s = m.splits
    a = build.agreement
    created = m.created.isoformat() if m.created else "unknown (no export time in the inputs)"
    lines = [
        f"# Gold dataset {m.version}",
        "",
        "Political events in news (actors, events, roles), adjudicated from Label Studio "
        f"annotations with eventgold {m.tool_version}.",
        "",
        "## Contents",
        "",
        f"- Created (from the input snapshots): {created}",
        f"- Documents: {sum(c.documents.values())} ({', '.join(f'{k} {v}' for k, v in c.documents.items())})",
        f"- Ontology: {m.ontology.name} {m.ontology.version} (sha256 {m.ontology.sha256[:12]}…, "
        f"labeling config sha256 {m.ontology.label_config_sha256[:12]}…)",
        "",
        *_type_table("actor type", c.mentions),
        "",
        *_type_table("event type", c.events),
        "",
        "## How it was made",
        "",
        "Sources (Label Studio export snapshots):",
        "",
        *[f"- `{src.file}` sha256 `{src.sha256}`" for src in m.sources],
        "",
        f"- Annotations used: {c.annotations} (cancelled, left out: {c.cancelled}; "
        f"superseded by a later annotation of the same person: {c.superseded})",
        f"- Adjudication policy, in order: `{m.policy}`; documents decided per policy: "
        + (", ".join(f"{k} {v}" for k, v in c.decisions.items()) or "none"),
        f"- Problems: {c.problems} regions, relations or attributes of the snapshots left out "
        "(each in `problems.jsonl`); repairs: "
        + (", ".join(f"{k} {v}" for k, v in c.repairs.items()) or "none")
        + " (each in `repairs.jsonl`)",
        f"- Conflicts: {c.conflicts} documents (see `conflicts.jsonl`); "
        + (
            "kept with their undisputed units (--include-conflicts)"
            if m.include_conflicts
            else f"{c.excluded} left out of gold"
        ),
        f"- Splits: train/dev/test ratios {', '.join(f'{r:g}' for r in s.ratios)}, seed {s.seed}, "
        f"{s.groups} groups (near-duplicates together"
        + (f", grouped by {s.group_by}" if s.group_by else "")
        + f"), stratified by dominant event type over {s.folds} folds"
        + (f"; {s.kept_from_previous} documents keep their split from {m.previous}" if m.previous else ""),
        "- Unit ids are derived from (document, kind, offsets, type); each unit's provenance "
        "lists the annotators who had it and the decision taken.",
        "",
        "## Agreement of the annotators",
        "",
        f"{len(a.annotators)} annotators, {a.documents} documents with two or more annotators.",
        "",
        "| figure | value |",
        "|---|---:|",
        *[f"| {sp.kind} span F1 ({sp.matching}, macro over pairs) | {_fmt(sp.macro_f1)} |" for sp in a.spans],
        *[
            f"| {fa.field}: Fleiss' kappa / Krippendorff's alpha | {_fmt(fa.fleiss)} / {_fmt(fa.alpha)} |"
            for fa in a.fields
        ],
        f"| role F1 (matched triggers, macro over pairs) | {_fmt(a.roles.macro_f1)} |",
        *[f"| role F1: {role} | {_fmt(rf.macro_f1)} |" for role, rf in a.roles.per_role.items()],
        "",
        "Full figures, per-annotator statistics and disagreements: `agreement.json`.",
        "",
        "## Files",
        "",
        "- `gold.jsonl`: one GoldDocument per line (article, mentions, events, split, provenance)",
        "- `manifest.json`: how this version was made (machine-readable)",
        "- `agreement.json`: inter-annotator agreement",
        "- `conflicts.jsonl`: documents with open conflicts and every annotator's version",
        "- `problems.jsonl`: what the snapshots held that could not be taken (snapshot, task, "
        "document, annotator, region or relation, what is wrong, what to do)",
        "- `repairs.jsonl`: regions taken after an unambiguous offset repair (kind, old and new offsets)",
        "",
    ]
    return "\n".join(lines)
