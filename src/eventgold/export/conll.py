"""CoNLL export: token-level BIO for actor mentions, event triggers and event arguments, CoNLL-2003 layout.

Per split, ``<split>.conll``: each document opens with ``-DOCSTART- O O O`` and
a blank line; then one token per line with four space-separated columns — the
token, its actor tag (``B-PERSON``, ``I-STATE``, ``O``, ...), its event trigger
tag (``B-CONSULT``, ...) and its argument tags — and a blank line after every
sentence. Tokens never contain whitespace (see :mod:`eventgold.export.tokenize`).

The argument column says which event arguments a token belongs to, for any
ontology's roles: ``O`` for none, else ``B-<event id>:<role>`` (first token of
the argument's mention) or ``I-<event id>:<role>`` (a later one), several joined
by ``|`` in gold event and argument order (``B-e1:actor|I-e2:recipient``; ACE:
``B-e1:Attacker``). A mention may fill several arguments and overlap other
mentions here, as the column is not a single tag sequence; but two arguments
of one event and role whose mentions overlap cannot both be tagged: the longer
is kept and the other is listed in ``cut_spans.jsonl`` (kind ``argument``,
label ``<event>:<role>``, reason ``overlap``). Whitespace and ``|`` in an event
id are written as ``_``; roles never hold them, so the role is what follows
the last ``:``. An argument whose mention has no offsets, or is cut (see
below), has no tokens to tag.

``<split>.offsets.jsonl`` has one line per sentence, in the same order: the
document id, sentence number and every token's character offsets into the
gold text, so predictions made on the CoNLL file map back to the gold; and
``events``, the gold events whose trigger starts in the sentence (``id`` as in
the argument column, ``gold_id``, ``type``, and ``token_start``/``token_end``
of the trigger within the sentence, end exclusive). Events whose trigger is
missing or cut are listed on the document's first sentence with null token
offsets, so every event id of the argument column is listed.

Tokens are split at gold span edges, so every gold span without blanks at
its edges sits on tokens. The actor and trigger columns hold non-overlapping
spans only; the spans they lose (and blank-edged ones) are listed in
``cut_spans.jsonl`` (see :mod:`eventgold.export.layout`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from eventgold.export.bio import OUTSIDE, encode_bio
from eventgold.export.layout import Aligned, CutSpan, DocLayout, SpanUnit, select_non_overlapping
from eventgold.export.writer import ExportContext, FormatResult, dumps_line
from eventgold.offsets import span_fields

DOCSTART = "-DOCSTART- O O O"
ARGUMENT_SEPARATOR = "|"

Row = tuple[str, str, str, str]


def event_ref(event_id: str) -> str:
    """An event id as the argument column writes it: whitespace and ``|`` become ``_``."""
    return re.sub(r"[\s|]", "_", event_id)


def argument_tags(layout: DocLayout) -> tuple[list[str], list[CutSpan]]:
    """The argument column of every token of the document, and the arguments it cannot hold.

    Arguments of one event and role are one tag sequence, so of two whose
    mentions overlap only the longer is tagged (:func:`select_non_overlapping`).
    """
    doc = layout.doc
    mentions = {m.id: m for m in doc.mentions}
    per_key: dict[str, list[Aligned]] = {}
    for event in doc.events:
        ref = event_ref(event.id)
        for role, mention_id in event.role_ids():
            aligned = layout.by_id.get(mention_id)
            if aligned is None or mention_id not in mentions or aligned.unit.kind != "mention":
                continue
            label = f"{ref}:{role}"
            unit = SpanUnit(kind="argument", id=mention_id, label=label, **span_fields(aligned.unit))
            per_key.setdefault(label, []).append(Aligned(unit, aligned.tok_start, aligned.tok_end))
    parts: list[list[str]] = [[] for _ in layout.tokens]
    lost: list[CutSpan] = []
    for label, aligned_list in per_key.items():  # in event and argument order
        kept, overlapping = select_non_overlapping(aligned_list, doc.doc_id, doc.split)
        lost.extend(overlapping)
        for a in kept:
            for i in range(a.tok_start, a.tok_end):
                parts[i].append(f"{'B' if i == a.tok_start else 'I'}-{label}")
    return [ARGUMENT_SEPARATOR.join(p) if p else OUTSIDE for p in parts], lost


def document_rows(layout: DocLayout, lost: list[CutSpan] | None = None) -> list[list[Row]]:
    """The document's sentences as rows of (token, actor tag, trigger tag, argument tags).

    Arguments the argument column cannot hold are appended to ``lost`` when given.
    """
    n = len(layout.tokens)
    actor_tags = encode_bio(n, ((a.tok_start, a.tok_end, a.unit.label) for a in layout.ner))
    trigger_tags = encode_bio(n, ((a.tok_start, a.tok_end, a.unit.label) for a in layout.trigger_tags))
    args, lost_arguments = argument_tags(layout)
    if lost is not None:
        lost.extend(lost_arguments)
    return [
        [(layout.tokens[i].text, actor_tags[i], trigger_tags[i], args[i]) for i in range(start, end)]
        for start, end in layout.sentences
    ]


def sentence_events(layout: DocLayout) -> list[list[dict[str, Any]]]:
    """The ``events`` of each sentence's offsets line (see the module docstring)."""
    out: list[list[dict[str, Any]]] = [[] for _ in layout.sentences]
    for event in layout.doc.events:
        aligned = layout.by_id.get(event.id) if event.trigger is not None else None
        number = None
        if aligned is not None and aligned.unit.kind == "trigger":
            number = next((k for k, (a, b) in enumerate(layout.sentences) if a <= aligned.tok_start < b), None)
        item: dict[str, Any] = {"id": event_ref(event.id), "gold_id": event.id, "type": event.type}
        if aligned is not None and number is not None:
            first = layout.sentences[number][0]
            item.update(token_start=aligned.tok_start - first, token_end=aligned.tok_end - first)
            out[number].append(item)
        elif out:
            item.update(token_start=None, token_end=None)
            out[0].append(item)
    return out


def write(ctx: ExportContext, out: Path) -> FormatResult:
    """Write ``<split>.conll`` and ``<split>.offsets.jsonl`` for every chosen split.

    Format: CoNLL-2003 style columns (Tjong Kim Sang & De Meulder, 2003), one token per line,
    a blank line between sentences and a ``-DOCSTART-`` line per document; the columns are the
    token, the actor BIO tag, the event-trigger BIO tag and the argument BIO tag
    (``<event>:<role>``). The offsets file holds, per document, each token's character
    offsets ``[start, end]`` (code points) into the article text.

    Args:
        ctx: the export context (gold version, ontology, chosen splits, options).
        out: the folder being built (empty; swapped in by :func:`eventgold.export.run.export_gold`).

    Returns:
        Counts per split (``records``: sentences written; ``tokens``, ``split_tokens``, ``cut``)
        and the spans cut (whitespace, empty, overlap in a tag column).

    Raises:
        OSError: a file cannot be written.
    """
    result = FormatResult(counts={})
    for split in ctx.splits:
        counts = ctx.base_counts(split)
        with (
            open(out / f"{split}.conll", "w", encoding="utf-8", newline="\n") as conll,
            open(out / f"{split}.offsets.jsonl", "w", encoding="utf-8", newline="\n") as offsets,
        ):
            for doc in ctx.documents(split):
                layout = ctx.layout(doc)
                conll.write(DOCSTART + "\n\n")
                lost_arguments: list[CutSpan] = []
                sentence_rows = document_rows(layout, lost_arguments)
                for number, ((start, end), rows, events) in enumerate(
                    zip(layout.sentences, sentence_rows, sentence_events(layout), strict=True)
                ):
                    conll.writelines(" ".join(row) + "\n" for row in rows)
                    conll.write("\n")
                    toks = layout.tokens[start:end]
                    offsets.write(
                        dumps_line(
                            {
                                "doc_id": doc.doc_id,
                                "sentence": number,
                                "start": toks[0].start,
                                "end": toks[-1].end,
                                "offsets": [[t.start, t.end] for t in toks],
                                "events": events,
                            }
                        )
                    )
                counts.tokens += len(layout.tokens)
                counts.split_tokens += layout.split_tokens
                counts.records += len(layout.sentences)
                lost = [*layout.cut, *layout.mention_overlaps, *layout.trigger_overlaps, *lost_arguments]
                counts.cut += len(lost)
                result.cut.extend(lost)
        result.counts[split] = counts
    return result
