"""spaCy export: one ``DocBin`` per split (``<split>.spacy``), ready for ``spacy train``.

Each gold document becomes one ``Doc`` on the layout's tokens (split at gold
span edges, see :mod:`eventgold.export.layout`), with whitespace other than a
single space kept as whitespace tokens the way spaCy's own tokenizer does, so
``doc.text`` is exactly the gold text and every character offset
(``span.start_char``) is a gold offset. On it:

- ``doc.ents``: the non-overlapping actor mentions (label: actor type,
  ``kb_id_``: canonical id, ``id_``: gold mention id); every other token is
  ``O`` (outside), so a trainer learns from the whole text;
- ``doc.spans["actors"]``: every aligned actor mention, overlapping or not;
- ``doc.spans["events"]``: every aligned event trigger (label: event type,
  ``id_``: gold event id);
- ``doc.user_data``: ``doc_id``, ``split`` and ``events`` (id, type, mode,
  ``arguments``: ``[{"role", "mention"}]`` with the ontology's roles and gold
  mention ids, contexts, flags, date), stored with ``store_user_data``.
  (Exports before schema 1.1 wrote ``actors``/``recipients``/``locations``
  lists instead of ``arguments``; :func:`eventgold.migrations.migrate_event`
  reads either.)

spaCy is optional (the ``spacy`` extra) and imported only here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eventgold.errors import ConfigError
from eventgold.export.layout import DocLayout
from eventgold.export.tokenize import Token
from eventgold.export.writer import ExportContext, FormatResult


def import_spacy() -> Any:
    """The spacy module, or a ConfigError naming the extra to install."""
    try:
        import spacy
        import spacy.tokens
    except ImportError as exc:
        raise ConfigError("the spacy export needs spaCy: pip install 'spacy>=3.7,<4'") from exc
    return spacy


def words_and_spaces(text: str, tokens: list[Token]) -> tuple[list[str], list[bool]]:
    """spaCy ``words``/``spaces`` whose concatenation is exactly ``text``.

    A single space after a token becomes its ``space``; any other whitespace
    becomes a whitespace token of its own (after the single space, if any).
    """
    words: list[str] = []
    spaces: list[bool] = []
    pos = 0
    for tok in [*tokens, Token("", len(text), len(text))]:
        gap = text[pos : tok.start]
        if gap:
            if gap[0] == " " and spaces and not spaces[-1]:
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
        if tok.text:
            words.append(tok.text)
            spaces.append(False)
        pos = tok.end
    return words, spaces


def make_doc(vocab: Any, layout: DocLayout) -> Any:
    """The spaCy ``Doc`` of one laid-out gold document (see the module docstring)."""
    import spacy.tokens

    doc_gold = layout.doc
    words, spaces = words_and_spaces(layout.text, layout.tokens)
    doc = spacy.tokens.Doc(vocab, words=words, spaces=spaces)
    if doc.text != layout.text:  # pragma: no cover - words_and_spaces guarantees it
        raise AssertionError(f"document {doc_gold.doc_id}: spaCy text differs from the gold text")
    mentions = {m.id: m for m in doc_gold.mentions}

    def span(aligned: Any, *, kb: bool) -> Any:
        unit = aligned.unit
        kb_id = (mentions[unit.id].canonical_id or "") if kb else ""
        out = doc.char_span(unit.start, unit.end, label=unit.label, kb_id=kb_id, span_id=unit.id)
        if out is None:  # pragma: no cover - aligned spans sit on tokens by construction
            raise AssertionError(f"document {doc_gold.doc_id}: span {unit.id} is not on tokens")
        return out

    doc.set_ents([span(a, kb=True) for a in layout.ner], default="outside")
    doc.spans["actors"] = [span(a, kb=True) for a in layout.mentions]
    doc.spans["events"] = [span(a, kb=False) for a in layout.triggers]
    doc.user_data["doc_id"] = doc_gold.doc_id
    doc.user_data["split"] = doc_gold.split
    doc.user_data["events"] = [
        {
            "id": e.id,
            "type": e.type,
            "mode": e.mode,
            "arguments": [{"role": role, "mention": mention} for role, mention in e.role_ids()],
            "contexts": list(e.contexts),
            "flags": list(e.flags),
            "date": e.date.isoformat() if e.date else None,
        }
        for e in doc_gold.events
    ]
    return doc


def write(ctx: ExportContext, out: Path) -> FormatResult:
    """Write ``<split>.spacy`` (a DocBin with user data) for every chosen split.

    Format: spaCy's ``DocBin`` (https://spacy.io/api/docbin), one Doc per gold document:
    ``doc.ents`` holds the non-overlapping actor mentions, ``doc.spans["actors"]`` and
    ``doc.spans["events"]`` every aligned mention and trigger, ``doc.user_data`` the document
    id, split and events with their arguments. Ready for ``spacy train``.

    Args:
        ctx: the export context (gold version, ontology, chosen splits, options).
        out: the folder being built (empty; swapped in by :func:`eventgold.export.run.export_gold`).

    Returns:
        Counts per split (``records``: docs written; ``tokens``, ``split_tokens``, ``cut``),
        the spans cut, and ``spacy_version`` for the manifest.

    Raises:
        ConfigError: spaCy (the ``spacy`` extra) is not installed.
        OSError: a file cannot be written.
    """
    spacy = import_spacy()
    vocab = spacy.vocab.Vocab()
    result = FormatResult(counts={}, extra_manifest={"spacy_version": spacy.__version__})
    for split in ctx.splits:
        counts = ctx.base_counts(split)
        docbin = spacy.tokens.DocBin(store_user_data=True)
        for gold_doc in ctx.documents(split):
            layout = ctx.layout(gold_doc)
            docbin.add(make_doc(vocab, layout))
            counts.tokens += len(layout.tokens)
            counts.split_tokens += layout.split_tokens
            counts.records += 1
            lost = [*layout.cut, *layout.mention_overlaps]
            counts.cut += len(lost)
            result.cut.extend(lost)
        (out / f"{split}.spacy").write_bytes(docbin.to_bytes())
        result.counts[split] = counts
    return result
