"""CoNLL export: token-level BIO for actor mentions and event triggers, CoNLL-2003 layout.

Per split, ``<split>.conll``: each document opens with ``-DOCSTART- O O`` and a
blank line; then one token per line with three space-separated columns —
the token, its actor tag (``B-PERSON``, ``I-STATE``, ``O``, ...) and its event
trigger tag (``B-CONSULT``, ...) — and a blank line after every sentence.
Tokens never contain whitespace (see :mod:`eventgold.export.tokenize`).

``<split>.offsets.jsonl`` has one line per sentence, in the same order: the
document id, sentence number and every token's character offsets into the
gold text, so predictions made on the CoNLL file map back to the gold.

Tokens are split at gold span edges, so every gold span without blanks at
its edges sits on tokens. A column holds non-overlapping spans only; the spans
it loses (and blank-edged ones) are listed in ``cut_spans.jsonl`` (see
:mod:`eventgold.export.layout`).
"""

from __future__ import annotations

from pathlib import Path

from eventgold.export import ExportContext, FormatResult, dumps_line
from eventgold.export.bio import encode_bio
from eventgold.export.layout import DocLayout

DOCSTART = "-DOCSTART- O O"


def document_rows(layout: DocLayout) -> list[list[tuple[str, str, str]]]:
    """The document's sentences as rows of (token, actor tag, trigger tag)."""
    n = len(layout.tokens)
    actor_tags = encode_bio(n, ((a.tok_start, a.tok_end, a.unit.label) for a in layout.ner))
    trigger_tags = encode_bio(n, ((a.tok_start, a.tok_end, a.unit.label) for a in layout.trigger_tags))
    return [
        [(layout.tokens[i].text, actor_tags[i], trigger_tags[i]) for i in range(start, end)]
        for start, end in layout.sentences
    ]


def write(ctx: ExportContext, out: Path) -> FormatResult:
    """Write ``<split>.conll`` and ``<split>.offsets.jsonl`` for every chosen split."""
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
                for number, ((start, end), rows) in enumerate(
                    zip(layout.sentences, document_rows(layout), strict=True)
                ):
                    conll.writelines(f"{tok} {actor} {trigger}\n" for tok, actor, trigger in rows)
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
                            }
                        )
                    )
                counts.tokens += len(layout.tokens)
                counts.split_tokens += layout.split_tokens
                counts.records += len(layout.sentences)
                lost = [*layout.cut, *layout.mention_overlaps, *layout.trigger_overlaps]
                counts.cut += len(lost)
                result.cut.extend(lost)
        result.counts[split] = counts
    return result
