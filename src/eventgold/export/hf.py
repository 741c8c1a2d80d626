"""Hugging Face export: JSONL per split for ``datasets``, with labels and a dataset card.

Per split, ``<split>.jsonl`` holds one document per line:

- ``id`` (gold document id), ``text`` (the gold text), ``tokens``, ``offsets``
  (each token's ``[start, end)`` character offsets into ``text``) and
  ``sentences`` (``[first token, end token)`` per sentence);
- ``ner_tags``: actor-mention BIO tags as integers, ``trigger_tags``: event
  trigger BIO tags as integers (label lists in ``labels.json`` and the card);
- ``mentions``: every actor mention with its character and token offsets
  (token offsets are null when the span is cut, e.g. for blanks at its edges;
  a mention known only by its canonical id has null offsets);
- ``events``: type, mode, trigger (character and token offsets), arguments
  (role, mention id, type, text, token offsets), contexts, flags, date. Roles
  are the ontology's (any ontology: ``labels.json`` lists them under ``roles``,
  in ontology order, then any other the gold uses).

Token ends are exclusive everywhere. ``README.md`` is a dataset card whose YAML
header declares the splits (``dev`` is published as ``validation``) and the
features, so ``datasets.load_dataset(folder)`` gives ``ClassLabel`` tags.

A split without documents still gets its (empty) ``<split>.jsonl`` and its row
in the manifest, but is left out of the card's ``data_files``: ``datasets``
cannot load a split with no rows ("corresponds to no data"), so the folder
loads with the splits that hold documents. When no chosen split holds a
document there is no dataset to load, and the export is refused (a
:class:`~eventgold.errors.ConfigError`, nothing written).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from eventgold.errors import ConfigError, Option
from eventgold.export.bio import bio_labels, encode_bio
from eventgold.export.layout import DocLayout
from eventgold.export.tokenize import TOKENIZER
from eventgold.export.writer import ExportContext, FormatResult, dumps_line
from eventgold.fileio import json_text

HF_SPLIT = {"train": "train", "dev": "validation", "test": "test"}

_STR = {"dtype": "string"}
_I32 = {"dtype": "int32"}


def _class_label(names: list[str]) -> dict[str, Any]:
    return {"class_label": {"names": {str(i): n for i, n in enumerate(names)}}}


def features(ner_labels: list[str], trigger_labels: list[str]) -> list[dict[str, Any]]:
    """The ``dataset_info.features`` of the card (the YAML form ``datasets`` reads)."""

    def f(name: str, spec: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, **copy.deepcopy(spec)}

    def offsets() -> list[dict[str, Any]]:  # fresh dicts: shared ones would become YAML aliases
        return [f("start", _I32), f("end", _I32), f("token_start", _I32), f("token_end", _I32)]

    return [
        f("id", _STR),
        f("text", _STR),
        f("tokens", {"list": "string"}),
        f("offsets", {"list": {"list": "int32"}}),
        f("sentences", {"list": {"list": "int32"}}),
        f("ner_tags", {"list": _class_label(ner_labels)}),
        f("trigger_tags", {"list": _class_label(trigger_labels)}),
        f(
            "mentions",
            {
                "list": [
                    f("id", _STR),
                    f("type", _STR),
                    f("text", _STR),
                    *offsets(),
                    f("canonical_id", _STR),
                    f("country", _STR),
                    f("sector", _STR),
                ]
            },
        ),
        f(
            "events",
            {
                "list": [
                    f("id", _STR),
                    f("type", _STR),
                    f("mode", _STR),
                    f("trigger", {"struct": [f("text", _STR), *offsets()]}),
                    f(
                        "arguments",
                        {
                            "list": [
                                f("role", _STR),
                                f("mention_id", _STR),
                                f("type", _STR),
                                f("text", _STR),
                                f("token_start", _I32),
                                f("token_end", _I32),
                            ]
                        },
                    ),
                    f("contexts", {"list": "string"}),
                    f("flags", {"list": "string"}),
                    f("date", {"dtype": "date32"}),
                ]
            },
        ),
    ]


def document_row(layout: DocLayout, ner_ids: dict[str, int], trigger_ids: dict[str, int]) -> dict[str, Any]:
    """One JSONL row (a document) of the Hugging Face export."""
    doc = layout.doc
    tokens = layout.tokens
    n = len(tokens)
    ner = encode_bio(n, ((a.tok_start, a.tok_end, a.unit.label) for a in layout.ner))
    trig = encode_bio(n, ((a.tok_start, a.tok_end, a.unit.label) for a in layout.trigger_tags))

    def tok(unit_id: str) -> tuple[int | None, int | None]:
        aligned = layout.by_id.get(unit_id)
        return (aligned.tok_start, aligned.tok_end) if aligned else (None, None)

    mentions = {m.id: m for m in doc.mentions}
    mention_rows = []
    for m in doc.mentions:
        ts, te = tok(m.id) if m.start is not None else (None, None)
        mention_rows.append(
            {
                "id": m.id,
                "type": m.type,
                "text": layout.text[m.start : m.end] if m.start is not None else m.text,
                "start": m.start,
                "end": m.end,
                "token_start": ts,
                "token_end": te,
                "canonical_id": m.canonical_id,
                "country": m.country,
                "sector": m.sector,
            }
        )
    event_rows = []
    for e in doc.events:
        trigger = None
        if e.trigger is not None:
            ts, te = tok(e.id)
            trigger = {
                "text": e.trigger.text,
                "start": e.trigger.start,
                "end": e.trigger.end,
                "token_start": ts,
                "token_end": te,
            }
        arguments = []
        for role, mention_id in e.role_ids():
            m = mentions[mention_id]
            ts, te = tok(mention_id) if m.start is not None else (None, None)
            arguments.append(
                {
                    "role": role,
                    "mention_id": mention_id,
                    "type": m.type,
                    "text": layout.text[m.start : m.end] if m.start is not None else m.text,
                    "token_start": ts,
                    "token_end": te,
                }
            )
        event_rows.append(
            {
                "id": e.id,
                "type": e.type,
                "mode": e.mode,
                "trigger": trigger,
                "arguments": arguments,
                "contexts": list(e.contexts),
                "flags": list(e.flags),
                "date": e.date.isoformat() if e.date else None,
            }
        )
    return {
        "id": doc.doc_id,
        "text": layout.text,
        "tokens": [t.text for t in tokens],
        "offsets": [[t.start, t.end] for t in tokens],
        "sentences": [[a, b] for a, b in layout.sentences],
        "ner_tags": [ner_ids[t] for t in ner],
        "trigger_tags": [trigger_ids[t] for t in trig],
        "mentions": mention_rows,
        "events": event_rows,
    }


def _tag(name: str) -> str:
    """A dataset-card tag from a name: lower case, other characters as one '-' (``ACE 2005`` -> ``ace-2005``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "ontology"


def _table(title: str, rows: dict[str, Counter[str]], splits: tuple[str, ...]) -> list[str]:
    lines = [f"| {title} | " + " | ".join(HF_SPLIT[s] for s in splits) + " |", "|---|" + "---:|" * len(splits)]
    for name, per_split in rows.items():
        lines.append(f"| {name} | " + " | ".join(str(per_split.get(s, 0)) for s in splits) + " |")
    if not rows:
        lines.append("| (none) |" + " |" * len(splits))
    return lines


def render_card(
    ctx: ExportContext,
    labels: dict[str, list[str]],
    counts: dict[str, Any],
    types: tuple[dict[str, Counter[str]], dict[str, Counter[str]]],
    languages: list[str],
) -> str:
    """The dataset card (README.md): YAML header for ``datasets``, then what it holds and where from.

    Only splits with documents are declared in ``data_files`` (``datasets`` cannot
    load an empty split); the card names the empty ones.
    """
    m = ctx.gold.manifest
    declared = declared_splits(ctx, counts)
    empty = [s for s in ctx.splits if s not in declared]
    header: dict[str, Any] = {}
    if languages:
        header["language"] = languages
    header.update(
        {
            "license": "unknown",
            "pretty_name": f"eventgold {m.version}: political events in news",
            "task_categories": ["token-classification"],
            "task_ids": ["named-entity-recognition"],
            "tags": ["event-extraction", "political-events", _tag(ctx.ontology.name), "eventgold"],
            "configs": [
                {
                    "config_name": "default",
                    "data_files": [{"split": HF_SPLIT[s], "path": f"{s}.jsonl"} for s in declared],
                }
            ],
            "dataset_info": {
                "features": features(labels["ner_tags"], labels["trigger_tags"]),
            },
        }
    )
    yaml_text = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100)
    created = m.created.isoformat() if m.created else "unknown"
    split_names = ", ".join(f"`{HF_SPLIT[s]}` ({s}.jsonl)" for s in declared)
    if empty:
        split_names += (
            "; without documents, so not declared (`datasets` cannot load an empty split; the file is empty): "
            + ", ".join(f"`{HF_SPLIT[s]}` ({s}.jsonl)" for s in empty)
        )
    lines = [
        "---",
        yaml_text.rstrip("\n"),
        "---",
        "",
        f"# eventgold gold {m.version}: actors and events in news",
        "",
        "Training data exported by eventgold from an adjudicated gold dataset of political events "
        "(actor mentions, event triggers, event roles) annotated in Label Studio.",
        "",
        "## Source",
        "",
        f"- Gold version: `{m.version}` (created {created}, eventgold {m.tool_version}; policy `{m.policy}`)",
        f"- Ontology: {ctx.ontology.name} {ctx.ontology.version}",
        f"- Tokenizer: `{TOKENIZER}` (regex, keeps character offsets), tokens split where a gold span edge "
        "falls inside one (pieces keep their characters); sentences: rule-based",
        "- **License: placeholder.** No license has been chosen for this export yet (`license: unknown`). "
        "The article texts belong to their publishers; set the license before sharing.",
        "",
        "## Splits",
        "",
        f"Splits: {split_names}.",
        "",
        "| split | documents | tokens | mentions | events | cut spans |",
        "|---|---:|---:|---:|---:|---:|",
        *[
            f"| {HF_SPLIT[s]} | {counts[s].documents} | {counts[s].tokens} | {counts[s].mentions} | "
            f"{counts[s].events} | {counts[s].cut} |"
            for s in ctx.splits
        ],
        "",
        *_table("actor type", types[0], ctx.splits),
        "",
        *_table("event type", types[1], ctx.splits),
        "",
        "## Fields",
        "",
        "One row per document: `id`, `text`, `tokens`, `offsets` (character `[start, end)` of each "
        "token in `text`), `sentences` (`[first, end)` token ranges), `ner_tags` (actor BIO), "
        "`trigger_tags` (event-trigger BIO), `mentions` and `events` (type, mode, trigger, arguments "
        "with role and mention id, contexts, flags, date). Token ends are exclusive; token offsets are "
        "null for a gold span the tokens cannot hold (listed in `cut_spans.jsonl`).",
        "",
        "## Labels",
        "",
        "`ner_tags`: " + ", ".join(f"{i} `{n}`" for i, n in enumerate(labels["ner_tags"])),
        "",
        "`trigger_tags`: " + ", ".join(f"{i} `{n}`" for i, n in enumerate(labels["trigger_tags"])),
        "",
        "Argument roles (`events[].arguments[].role`): " + (", ".join(f"`{r}`" for r in labels["roles"]) or "none"),
        "",
        "Also in `labels.json`.",
        "",
        "## Use",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        'ds = load_dataset("path/to/this/folder")',
        f'names = ds["{HF_SPLIT[(declared or ["train"])[0]]}"].features["ner_tags"].feature.names',
        "```",
        "",
    ]
    return "\n".join(lines)


def declared_splits(ctx: ExportContext, counts: dict[str, Any]) -> list[str]:
    """The chosen splits the card declares: those with at least one document (``counts`` per split)."""
    return [s for s in ctx.splits if counts[s].documents > 0]


def write(ctx: ExportContext, out: Path) -> FormatResult:
    """Write ``<split>.jsonl``, ``labels.json`` and the ``README.md`` dataset card.

    Format: a Hugging Face ``datasets`` JSON-lines dataset (https://huggingface.co/docs/datasets,
    loadable with ``load_dataset(folder)``): one row per document with ``tokens``, ``ner_tags``
    and ``trigger_tags`` (BIO tag ids, names in ``labels.json``), token offsets and ``events``;
    the card's YAML header declares the splits (``dev`` as ``validation``).
    Empty splits are left out of the card (see the module docstring); when every
    chosen split is empty the export is refused with a ConfigError.

    Args:
        ctx: the export context (gold version, ontology, chosen splits, options).
        out: the folder being built (empty; swapped in by :func:`eventgold.export.run.export_gold`).

    Returns:
        Counts per split (``records``: rows written; ``tokens``, ``split_tokens``, ``cut``),
        the spans cut, and the declared and undeclared splits for the manifest.

    Raises:
        ConfigError: every chosen split is empty.
        OSError: a file cannot be written.
    """
    if not any(ctx.documents(s) for s in ctx.splits):
        raise ConfigError(
            f"gold {ctx.version} has no documents in {', '.join(ctx.splits)}: a Hugging Face dataset needs at "
            "least one row, so nothing was exported; choose splits that hold documents with ",
            Option("splits"),
        )
    labels = {
        "ner_tags": bio_labels(ctx.actor_types),
        "trigger_tags": bio_labels(ctx.event_types),
        "actor_types": list(ctx.actor_types),
        "event_types": list(ctx.event_types),
        "roles": list(ctx.roles),
    }
    ner_ids = {name: i for i, name in enumerate(labels["ner_tags"])}
    trigger_ids = {name: i for i, name in enumerate(labels["trigger_tags"])}
    result = FormatResult(counts={})
    mention_types: dict[str, Counter[str]] = {}
    event_types: dict[str, Counter[str]] = {}
    languages: set[str] = set()
    for split in ctx.splits:
        counts = ctx.base_counts(split)
        with open(out / f"{split}.jsonl", "w", encoding="utf-8", newline="\n") as fh:
            for doc in ctx.documents(split):
                layout = ctx.layout(doc)
                fh.write(dumps_line(document_row(layout, ner_ids, trigger_ids)))
                counts.tokens += len(layout.tokens)
                counts.split_tokens += layout.split_tokens
                counts.records += 1
                lost = [*layout.cut, *layout.mention_overlaps, *layout.trigger_overlaps]
                counts.cut += len(lost)
                result.cut.extend(lost)
                for mention in doc.mentions:
                    mention_types.setdefault(mention.type, Counter())[split] += 1
                for event in doc.events:
                    event_types.setdefault(event.type, Counter())[split] += 1
                if doc.article.language:
                    languages.add(doc.article.language)
        result.counts[split] = counts
    ordered = (
        {t: mention_types[t] for t in ctx.actor_types if t in mention_types},
        {t: event_types[t] for t in ctx.event_types if t in event_types},
    )
    with open(out / "labels.json", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json_text(labels, indent=2) + "\n")
    card = render_card(ctx, labels, result.counts, ordered, sorted(languages))
    with open(out / "README.md", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(card)
    declared = declared_splits(ctx, result.counts)
    result.extra_manifest["hf_splits"] = {s: HF_SPLIT[s] for s in declared}
    empty = [s for s in ctx.splits if s not in declared]
    if empty:
        result.extra_manifest["hf_undeclared_splits"] = empty
        result.warnings.append(
            f"split{'s' if len(empty) > 1 else ''} {', '.join(empty)} without documents left out of the dataset "
            "card (datasets cannot load an empty split); load_dataset gives " + ", ".join(HF_SPLIT[s] for s in declared)
        )
    return result
