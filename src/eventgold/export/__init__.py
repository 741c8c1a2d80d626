"""Exports of a gold version: CoNLL, spaCy DocBin, Hugging Face JSONL, PLOVER, Label Studio tasks.

This package's ``__init__`` holds the registry: :data:`FORMATS` names each format and the
module whose ``write(ctx, folder)`` function writes it (:mod:`.writer` defines what a writer
gets and returns). :func:`eventgold.export.run.export_gold` runs an export;
:mod:`.manifest` writes the files every export folder carries. Shared pieces: :mod:`.tokenize`
(offset-keeping regex tokenizer), :mod:`.sentences`, :mod:`.layout` (spans on tokens, cut
spans) and :mod:`.bio`.

Every export folder holds the format's files per split (``labelstudio``: one
``tasks.json`` for the chosen splits, which ``eventgold push`` imports), ``manifest.json``
(format, the gold version it came from with its manifest's and data's sha256,
the ontology, tokenizer, counts, and the sha256 of every file) and, for the
token-level formats, ``cut_spans.jsonl``: the gold spans the tokens or the tag
scheme could not carry, with the reason. Token-level formats split a token
wherever a gold span edge falls inside it (see :mod:`.layout`), so a span is
cut only for blanks at its edges, for covering no token, or for overlapping
another in a tag sequence.

A split without documents keeps its (empty) files and its manifest entry, so
every consumer loads it (a DocBin with 0 docs, empty CoNLL and PLOVER files);
the HF card leaves it undeclared, as ``datasets`` cannot load an empty split
(see :mod:`.hf`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eventgold.errors import ConfigError
from eventgold.export.writer import ExportContext, FormatResult

Writer = Callable[[ExportContext, Path], FormatResult]


@dataclass(frozen=True)
class ExportFormat:
    """A registered export format: its name, what it writes, and its writer module."""

    name: str
    description: str
    module: str
    token_level: bool
    """Whether the format puts spans on tokens (and so writes cut_spans.jsonl)."""

    def writer(self) -> Writer:
        """The format's ``write(ctx, folder)`` function (its module is imported on first use)."""
        module = importlib.import_module(self.module)
        write: Writer = module.write
        return write


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "conll",
            "CoNLL-2003 columns: token, actor BIO, event-trigger BIO, event arguments (any ontology's roles); "
            "one file per split",
            "eventgold.export.conll",
            token_level=True,
        ),
        ExportFormat(
            "spacy",
            "spaCy DocBin per split: doc.ents, doc.spans['actors'] and ['events'] (spacy extra)",
            "eventgold.export.spacy_docbin",
            token_level=True,
        ),
        ExportFormat(
            "hf",
            "Hugging Face datasets JSONL per split (tokens, ner_tags, events) with a dataset card",
            "eventgold.export.hf",
            token_level=True,
        ),
        ExportFormat(
            "plover",
            "PLOVER event records (JSONL), one per gold event",
            "eventgold.export.plover",
            token_level=False,
        ),
        ExportFormat(
            "labelstudio",
            "Label Studio tasks (tasks.json) with the gold as ground-truth annotations or predictions",
            "eventgold.export.labelstudio",
            token_level=False,
        ),
    )
}


def get_format(name: str) -> ExportFormat:
    """The registered format ``name`` (case and surrounding blanks ignored).

    Raises:
        ConfigError: no format of that name (the message lists the formats).
    """
    fmt = FORMATS.get(name.strip().lower())
    if fmt is None:
        raise ConfigError(f"unknown export format {name!r}; choose from {', '.join(FORMATS)}")
    return fmt


__all__ = ["FORMATS", "ExportFormat", "Writer", "get_format"]
