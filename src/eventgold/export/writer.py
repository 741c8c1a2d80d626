"""What a format writer gets and gives back, and the JSON-line helper the writers share.

Each format module (:mod:`.conll`, :mod:`.spacy_docbin`, :mod:`.hf`, :mod:`.plover`,
:mod:`.labelstudio`) has one ``write(ctx, folder)`` function: it reads the gold through an
:class:`ExportContext` and returns a :class:`FormatResult` with :class:`SplitCounts` per split.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from eventgold.export.layout import CutSpan, DocLayout, layout_document
from eventgold.fileio import json_text
from eventgold.gold.dataset import GoldVersion
from eventgold.models import GoldDocument
from eventgold.ontology import Ontology


class SplitCounts(BaseModel):
    """What one split of an export holds."""

    model_config = ConfigDict(extra="forbid")

    documents: int = 0
    tokens: int = 0
    mentions: int = 0
    """Gold actor mentions in the split's documents (with or without offsets)."""
    events: int = 0
    """Gold events in the split's documents."""
    records: int = 0
    """Units written: sentences (conll), documents (spacy, hf), event records (plover)."""
    cut: int = 0
    """Gold spans the format could not carry (see cut_spans.jsonl)."""
    split_tokens: int = 0
    """Tokenizer tokens split where a gold span edge falls inside them (token-level formats)."""


@dataclass
class FormatResult:
    """What a format writer reports back: counts per split, lost spans, notes."""

    counts: dict[str, SplitCounts]
    cut: list[CutSpan] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    extra_manifest: dict[str, Any] = field(default_factory=dict)


@dataclass
class ExportContext:
    """Everything a format writer needs: the gold version, ontology, splits and options."""

    gold: GoldVersion
    ontology: Ontology
    splits: tuple[str, ...]
    actors_path: Path | None = None
    """Actor dictionary for PLOVER identifiers and Label Studio candidates (None: the default file if it exists)."""
    as_predictions: bool = False
    """Label Studio: the gold as predictions instead of ground-truth annotations."""
    _layouts: dict[str, DocLayout] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The gold version name (from its manifest)."""
        return self.gold.manifest.version

    def documents(self, split: str) -> list[GoldDocument]:
        """The gold documents of ``split``, in gold order (sorted by document id)."""
        return [d for d in self.gold.documents if d.split == split]

    def layout(self, doc: GoldDocument) -> DocLayout:
        """The document on tokens (computed once per document)."""
        cached = self._layouts.get(doc.doc_id)
        if cached is None:
            cached = self._layouts[doc.doc_id] = layout_document(doc)
        return cached

    @cached_property
    def actor_types(self) -> list[str]:
        """Actor types in ontology order, then any other type the gold uses (sorted)."""
        return _types(
            [t.name for t in self.ontology.actor_types], (m.type for d in self.gold.documents for m in d.mentions)
        )

    @cached_property
    def event_types(self) -> list[str]:
        """Event types in ontology order, then any other type the gold uses (sorted)."""
        return _types(
            [t.name for t in self.ontology.event_types], (e.type for d in self.gold.documents for e in d.events)
        )

    @cached_property
    def roles(self) -> list[str]:
        """Argument roles in ontology order, then any other role the gold uses (sorted)."""
        return _types(
            [r.name for r in self.ontology.roles],
            (role for d in self.gold.documents for e in d.events for role, _ in e.role_ids()),
        )

    def base_counts(self, split: str) -> SplitCounts:
        """Documents, mentions and events of ``split`` (writers add tokens, records, cut)."""
        docs = self.documents(split)
        return SplitCounts(
            documents=len(docs),
            mentions=sum(len(d.mentions) for d in docs),
            events=sum(len(d.events) for d in docs),
        )


def _types(ordered: list[str], used: Iterable[str]) -> list[str]:
    """``ordered``, then every other name in ``used`` (sorted, once each)."""
    known = set(ordered)
    return [*ordered, *sorted({t for t in used if t not in known})]


def dumps_line(payload: Any) -> str:
    """One compact JSON line with a newline (keys in insertion order, UTF-8 kept, deterministic)."""
    return json_text(payload, separators=(",", ":")) + "\n"
