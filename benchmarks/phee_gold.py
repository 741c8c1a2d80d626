"""Build an eventgold gold version from PHEE, a public event-extraction dataset (issue #18).

PHEE (Sun et al., EMNLP 2022 Findings; github.com/ZhaoyueSun/PHEE, MIT licence;
see benchmarks/data/phee/SOURCE.md) annotates 4,827 sentences of medical case
reports with events (Adverse_event, Potential_therapeutic_event), their
triggers, main arguments (Subject, Treatment, Effect), sub-arguments (Drug,
Dosage, Age, ...) and attributes (Speculated, Negated, Severity), all with
character offsets. Its own train/dev/test split is kept.

Mapping (one document per sentence):

- every argument and sub-argument span becomes a Mention whose type is its
  PHEE category (sub-disorders are ``Sub-Disorder`` under Subject and
  ``Treat-Disorder`` under Treatment, PHEE's brat names);
- every event becomes an Event with its trigger; main arguments fill the roles
  Subject / Treatment / Effect and sub-arguments are flattened onto the event
  with their category as role (PHEE's own argument scoring counts them too);
- Speculated / Negated become flags; Severity becomes ``Severity-High`` /
  ``-Medium`` / ``-Low``. The cue words of these attributes are not kept.

Left out, each listed in the version's ``problems.jsonl``: discontinuous spans
(several pieces), spans whose offsets do not reproduce their text, and events
whose trigger is one of those. Events with the same trigger and type in one
sentence become one event (their arguments and flags merged), mentions with
the same offsets and type one mention.

Usage (PHEE's ``data/json`` folder holds ``train.json``, ``dev.json``, ``test.json``)::

    git --git-dir=/work/.mirror/ZhaoyueSun+PHEE/repo archive HEAD data/json | tar -x -C /tmp/phee
    .venv/bin/python benchmarks/phee_gold.py --source /tmp/phee/data/json --out /tmp/pubgold/v1

The ontology is written next to the version (``--ontology``, default
``<out>/../label_config/ontology.yaml``); read the version with
``read_gold_version(out, load_ontology(that file))``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from eventgold import __version__
from eventgold.gold.agreement import compute_agreement
from eventgold.gold.dataset import (
    GoldBuild,
    GoldCounts,
    Manifest,
    OntologyRef,
    SourceRef,
    read_gold_version,
    write_gold_version,
)
from eventgold.gold.splits import SplitInfo
from eventgold.gold.units import role_order, sorted_arguments, sorted_events, sorted_mentions, unit_id
from eventgold.labelstudio.label_config import render_label_config
from eventgold.models import SPLITS, Article, Event, GoldDocument, Mention, Provenance, Span, sha256_text
from eventgold.ontology import Ontology, load_ontology
from eventgold.problems import Problem

DATASET = "PHEE"
SPLIT_FILES = {"train": "train.json", "dev": "dev.json", "test": "test.json"}
MAIN_ROLES = ("Subject", "Treatment", "Effect")
SUB_TYPES = {  # (main role, PHEE sub-argument key) -> mention type (PHEE's brat entity names)
    ("Subject", "Age"): "Age",
    ("Subject", "Gender"): "Gender",
    ("Subject", "Population"): "Population",
    ("Subject", "Race"): "Race",
    ("Subject", "Disorder"): "Sub-Disorder",
    ("Treatment", "Drug"): "Drug",
    ("Treatment", "Dosage"): "Dosage",
    ("Treatment", "Freq"): "Freq",
    ("Treatment", "Route"): "Route",
    ("Treatment", "Time_elapsed"): "Time_elapsed",
    ("Treatment", "Duration"): "Duration",
    ("Treatment", "Disorder"): "Treat-Disorder",
}
EVENT_TYPES = {
    "Adverse_event": "A drug (the treatment) causes an adverse effect on the subject.",
    "Potential_therapeutic_event": "A drug (the treatment) has a potential therapeutic effect on the subject.",
}
TYPE_HELP = {
    "Subject": "The patient(s) the event happens to (main argument).",
    "Treatment": "The therapy given, usually a drug with dose, route, duration (main argument).",
    "Effect": "The outcome: the adverse or therapeutic effect (main argument).",
    "Age": "Age of the subject.",
    "Gender": "Gender of the subject.",
    "Population": "Number of subjects.",
    "Race": "Race of the subject.",
    "Sub-Disorder": "A disorder the subject has.",
    "Drug": "A drug of the treatment.",
    "Dosage": "Dose of the treatment.",
    "Freq": "Frequency of administration.",
    "Route": "Route of administration.",
    "Time_elapsed": "Time between treatment and effect.",
    "Duration": "How long the treatment lasted.",
    "Treat-Disorder": "The disorder the treatment targets.",
}
FLAGS = {
    "Speculated": "The event is speculated, not asserted (PHEE attribute Speculated).",
    "Negated": "The event is negated (PHEE attribute Negated).",
    "Severity-High": "PHEE attribute Severity = High.",
    "Severity-Medium": "PHEE attribute Severity = Medium.",
    "Severity-Low": "PHEE attribute Severity = Low.",
}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")


def ontology_dict() -> dict[str, Any]:
    """PHEE's schema as an eventgold ontology (the content of ``ontology.yaml``).

    Returns:
        A mapping :func:`eventgold.ontology.load_ontology` accepts: 15 mention
        types, 2 event types, 15 roles (one per mention type, filled by that
        type), 5 flags.
    """
    types = list(TYPE_HELP)
    return {
        "name": "PHEE",
        "version": "1.0",
        "actor_types": [
            {"name": t, "color": PALETTE[i % len(PALETTE)], "description": TYPE_HELP[t]} for i, t in enumerate(types)
        ],
        "event_types": [
            {"name": name, "roles": types, "description": text, "color": PALETTE[-1 - i]}
            for i, (name, text) in enumerate(EVENT_TYPES.items())
        ],
        "roles": [{"name": t, "entity_types": [t], "description": TYPE_HELP[t]} for t in types],
        "flags": [{"name": name, "description": text} for name, text in FLAGS.items()],
        "relevance": ["relevant", "not_relevant", "duplicate"],
    }


@dataclass
class Tally:
    """What the conversion kept and left out."""

    dropped: Counter[str] = field(default_factory=Counter)
    merged: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)

    def drop(self, doc_id: str, split_file: str, where: str, reason: str, what: str) -> None:
        """Count a unit left out and list it as a problem of the version."""
        self.dropped[reason] += 1
        self.problems.append(
            Problem(snapshot=split_file, doc_id=doc_id, region=where, problem=f"{what}: {reason}", action="left out")
        )


def _pieces(doc_id: str, text: str, node: dict[str, Any], where: str, split_file: str, tally: Tally) -> list[Span]:
    """The contiguous spans of a PHEE node (``{"text": [[...]], "start": [[...]]}``), one per filler."""
    spans: list[Span] = []
    for k, (texts, starts) in enumerate(zip(node.get("text", []), node.get("start", []), strict=False)):
        here = f"{where}[{k}]"
        if len(texts) != 1 or len(starts) != 1:
            tally.drop(doc_id, split_file, here, "discontinuous span", " | ".join(texts))
            continue
        start, piece = int(starts[0]), str(texts[0])
        if text[start : start + len(piece)] != piece:
            tally.drop(doc_id, split_file, here, "offsets do not reproduce the text", piece)
            continue
        spans.append(Span(start=start, end=start + len(piece), text=piece))
    return spans


def convert_record(record: dict[str, Any], split: str, split_file: str, onto: Ontology, tally: Tally) -> GoldDocument:
    """One PHEE JSON line as a GoldDocument.

    Args:
        record: a line of PHEE's ``data/json/<split>.json`` (``id``, ``context``, ``annotations``).
        split: ``train``, ``dev`` or ``test``.
        split_file: the file name, for problems.
        onto: the PHEE ontology (role order of arguments).
        tally: collects what is dropped or merged.

    Returns:
        The document with deduplicated mentions and events, gold ids from offsets and types.
    """
    doc_id, text = str(record["id"]), str(record["context"])
    pmid, _, sentence = doc_id.partition("_")
    article = Article(id=doc_id, text=text, source=DATASET, language="en", meta={"pmid": pmid, "sentence": sentence})
    mentions: dict[str, Mention] = {}
    events: dict[str, tuple[Event, set[tuple[str, str]], set[str]]] = {}

    def mention(span: Span, mtype: str) -> str:
        mid = unit_id(doc_id, "mention", span.start, span.end, mtype)
        if mid in mentions:
            tally.merged["mention"] += 1
        mentions.setdefault(mid, Mention(id=mid, type=mtype, start=span.start, end=span.end, text=span.text))
        return mid

    for annotation in record.get("annotations", []):
        for raw in annotation.get("events", []):
            etype, where = str(raw["event_type"]), f"{raw.get('event_id')}"
            triggers = _pieces(doc_id, text, raw["Trigger"], f"{where}.Trigger", split_file, tally)
            if len(triggers) != 1:
                tally.drop(doc_id, split_file, where, "no single contiguous trigger", etype)
                continue
            args: set[tuple[str, str]] = set()
            for role in MAIN_ROLES:
                node = raw.get(role)
                if not isinstance(node, dict):
                    continue
                for span in _pieces(doc_id, text, node, f"{where}.{role}", split_file, tally):
                    args.add((role, mention(span, role)))
                for key, sub in node.items():
                    if not isinstance(sub, dict):
                        continue
                    mtype = SUB_TYPES.get((role, key))
                    if mtype is None:
                        tally.drop(doc_id, split_file, f"{where}.{role}.{key}", "unknown sub-argument", key)
                        continue
                    for span in _pieces(doc_id, text, sub, f"{where}.{role}.{key}", split_file, tally):
                        args.add((mtype, mention(span, mtype)))
            flags = {name for name in ("Speculated", "Negated") if isinstance(raw.get(name), dict)}
            severity = raw.get("Severity")
            if isinstance(severity, dict):
                flags.add(f"Severity-{severity.get('value')}")
            eid = unit_id(doc_id, "event", triggers[0].start, triggers[0].end, etype)
            if eid in events:
                tally.merged["event"] += 1
                events[eid][1].update(args)
                events[eid][2].update(flags)
                continue
            events[eid] = (Event(id=eid, type=etype, trigger=triggers[0]), args, flags)
    order = role_order(onto)
    built = [
        event.model_copy(update={"arguments": sorted_arguments(args, order), "flags": sorted(flags)})
        for event, args, flags in events.values()
    ]
    provenance = {uid: Provenance(annotators=[DATASET], decision="imported") for uid in [*mentions, *events]}
    return GoldDocument(
        article=article,
        mentions=sorted_mentions(mentions.values()),
        events=sorted_events(built),
        split=split,
        provenance=dict(sorted(provenance.items())),
    )


def counts_by(docs: list[GoldDocument], kind: str) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for doc in docs:
        for unit in doc.mentions if kind == "mention" else doc.events:
            counts.setdefault(unit.type, Counter())[doc.split or "none"] += 1
    return {t: {s: c[s] for s in SPLITS if c[s]} for t, c in sorted(counts.items())}


def build(source: Path, onto: Ontology, version: str) -> tuple[GoldBuild, Tally]:
    """Convert PHEE's three split files into a gold version in memory.

    Args:
        source: the folder holding ``train.json``, ``dev.json``, ``test.json``.
        onto: the ontology from :func:`ontology_dict` (loaded and checked).
        version: the version name written in the manifest.

    Returns:
        The build (documents sorted by id, manifest with the sources' sha256) and the tally.

    Raises:
        FileNotFoundError: a split file is missing.
    """
    tally = Tally()
    docs: list[GoldDocument] = []
    sources: list[SourceRef] = []
    for split, name in SPLIT_FILES.items():
        data = (source / name).read_bytes()
        sources.append(SourceRef(file=name, sha256=hashlib.sha256(data).hexdigest()))
        for line in data.decode("utf-8").splitlines():
            if line.strip():
                docs.append(convert_record(json.loads(line), split, name, onto, tally))
    docs.sort(key=lambda d: d.article.id)
    per_split: Counter[str] = Counter(d.split or "none" for d in docs)
    total = max(1, len(docs))
    splits = SplitInfo(
        ratios=(per_split["train"] / total, per_split["dev"] / total, per_split["test"] / total),
        seed=0,
        group_by=None,
        groups=len(docs),
        folds=0,
    )
    return imported_build(docs, onto, "PHEE", version, sources, splits, tally), tally


def imported_build(
    docs: list[GoldDocument],
    onto: Ontology,
    dataset: str,
    version: str,
    sources: list[SourceRef],
    splits: SplitInfo,
    tally: Tally,
) -> GoldBuild:
    """A gold build of documents imported from ``dataset`` (policy ``imported:<dataset>``, no agreement, no clock).

    Args:
        docs: the gold documents, each with its split, sorted by id.
        onto: the ontology they were checked against.
        dataset: the dataset's short name.
        version: the version name written in the manifest.
        sources: the source files with their sha256.
        splits: how the splits were made.
        tally: what was left out (``problems.jsonl``).
    """
    per_split: Counter[str] = Counter(d.split or "none" for d in docs)
    manifest = Manifest(
        version=version,
        created=None,
        tool_version=__version__,
        sources=sources,
        ontology=OntologyRef(
            name=onto.name,
            version=onto.version,
            sha256=onto.sha256(),
            label_config_sha256=sha256_text(render_label_config(onto)),
        ),
        policy=f"imported:{dataset}",
        include_conflicts=False,
        splits=splits,
        counts=GoldCounts(
            documents={s: per_split[s] for s in SPLITS},
            mentions=counts_by(docs, "mention"),
            events=counts_by(docs, "event"),
            conflicts=0,
            excluded=0,
            annotations=len(docs),
            cancelled=0,
            superseded=0,
            decisions={f"imported:{dataset}": len(docs)},
            problems=len(tally.problems),
        ),
    )
    agreement = compute_agreement([], {d.article.id: d.article for d in docs}, {d.article.id: d for d in docs}, onto)
    return GoldBuild(manifest, docs, [], agreement, tally.problems, [])


def split_stats(docs: list[GoldDocument]) -> dict[str, dict[str, int]]:
    """Documents, mentions, events and arguments per split."""
    stats: dict[str, dict[str, int]] = {
        s: dict.fromkeys(("documents", "mentions", "events", "arguments"), 0) for s in SPLITS
    }
    for doc in docs:
        row = stats[doc.split or "train"]
        row["documents"] += 1
        row["mentions"] += len(doc.mentions)
        row["events"] += len(doc.events)
        row["arguments"] += sum(len(e.arguments) for e in doc.events)
    return stats


def main(argv: list[str] | None = None) -> int:
    """Command line: convert, write, read back with the ontology, print a JSON summary."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, required=True, help="PHEE data/json folder (train/dev/test.json)")
    parser.add_argument("--out", type=Path, required=True, help="gold version folder to write (must not differ)")
    parser.add_argument("--ontology", type=Path, help="where to write ontology.yaml (default <out>/../label_config/)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    onto_file = args.ontology or args.out.parent / "label_config" / "ontology.yaml"
    onto_file.parent.mkdir(parents=True, exist_ok=True)
    header = "# PHEE schema as an eventgold ontology; written by benchmarks/phee_gold.py (see its docstring).\n"
    onto_file.write_text(header + yaml.safe_dump(ontology_dict(), sort_keys=False, allow_unicode=True), "utf-8")
    onto = load_ontology(onto_file)
    gold, tally = build(args.source, onto, args.out.name)
    status = write_gold_version(gold, args.out)
    back = read_gold_version(args.out, onto)
    summary = {
        "dataset": DATASET,
        "out": str(args.out),
        "ontology": str(onto_file),
        "status": status,
        "documents_read_back": len(back.documents),
        "splits": split_stats(back.documents),
        "dropped": dict(tally.dropped),
        "merged_duplicates": dict(tally.merged),
        "seconds": round(time.perf_counter() - began, 2),
    }
    json.dump(summary, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
