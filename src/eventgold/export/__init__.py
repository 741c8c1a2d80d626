"""Exports of a gold version: CoNLL, spaCy DocBin, Hugging Face JSONL, PLOVER, Label Studio tasks.

:func:`export_gold` reads a gold version folder (``exports/gold/<version>``),
writes one format into a fresh folder and returns an :class:`ExportSummary`.
Each format lives in its own module with one ``write(ctx, folder)`` function;
:data:`FORMATS` is the registry. Shared pieces: :mod:`.tokenize` (offset-keeping
regex tokenizer), :mod:`.sentences`, :mod:`.layout` (spans on tokens, cut
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

Exports are deterministic (no clock, sorted keys, documents in gold order): the
same gold and options give byte-identical files. Writing is atomic: the folder
is built under a temporary name next to the target and swapped in only when
complete, so a failed export leaves an earlier one intact. A target folder
that exists must be empty or an earlier eventgold export; anything else is
refused rather than replaced. A target that is a symbolic link is followed
(:func:`eventgold.fileio.output_target`): the folder it points to, or would
point to, is built next to itself and swapped in, and the link stays.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from eventgold import SCHEMA_VERSION, __version__
from eventgold.errors import ConfigError
from eventgold.export.layout import CutSpan, DocLayout, layout_document
from eventgold.export.tokenize import TOKENIZER
from eventgold.fileio import json_text, output_target
from eventgold.gold.dataset import GOLD_FILE, MANIFEST_FILE, GoldVersion, read_gold_version
from eventgold.models import SPLITS, GoldDocument
from eventgold.ontology import Ontology, load_ontology

EXPORT_KIND = "eventgold-export"
EXPORT_MANIFEST = "manifest.json"
CUT_FILE = "cut_spans.jsonl"


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


class ExportSummary(BaseModel):
    """The result of one export (``eventgold export --json``)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: str = SCHEMA_VERSION
    format: str
    gold: str
    gold_version: str
    output: str
    status: Literal["written", "unchanged"]
    splits: dict[str, SplitCounts]
    files: list[str]
    cut_spans: int = 0
    cut_reasons: dict[str, int] = Field(default_factory=dict)
    unsplit_documents: int = 0
    """Gold documents without a split (never exported)."""
    warnings: list[str] = Field(default_factory=list)


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


def _types(ordered: list[str], used: Any) -> list[str]:
    known = set(ordered)
    return [*ordered, *sorted({t for t in used if t not in known})]


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


def parse_splits(splits: Sequence[str] | None) -> tuple[str, ...]:
    """Validate split names (default: all of train, dev, test), keeping SPLITS order."""
    if not splits:
        return SPLITS
    unknown = [s for s in splits if s not in SPLITS]
    if unknown:
        raise ConfigError(f"unknown split {unknown[0]!r}; choose from {', '.join(SPLITS)} (e.g. --split train,dev)")
    return tuple(s for s in SPLITS if s in set(splits))


def get_format(name: str) -> ExportFormat:
    """The registered format ``name``, or a ConfigError listing the formats."""
    fmt = FORMATS.get(name.strip().lower())
    if fmt is None:
        raise ConfigError(f"unknown export format {name!r}; choose from {', '.join(FORMATS)}")
    return fmt


def sha256_bytes(data: bytes) -> str:
    """The sha256 hex digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def dumps_line(payload: Any) -> str:
    """One compact JSON line with a newline (keys in insertion order, UTF-8 kept, deterministic)."""
    return json_text(payload, separators=(",", ":")) + "\n"


def _check_target(target: Path) -> None:
    """Refuse to replace anything but an empty folder or an earlier eventgold export."""
    if not target.exists():
        return
    if not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder; choose another -o")
    entries = list(target.iterdir())
    if not entries:
        return
    manifest = target / EXPORT_MANIFEST
    try:
        kind = json.loads(manifest.read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        kind = None
    if kind != EXPORT_KIND:
        raise ConfigError(
            f"{target} is not empty and is not an eventgold export (no {EXPORT_MANIFEST} of kind "
            f"{EXPORT_KIND!r}); refusing to replace it — choose a new or empty folder with -o"
        )


def _same_tree(a: Path, b: Path) -> bool:
    names_a = sorted(p.name for p in a.iterdir())
    names_b = sorted(p.name for p in b.iterdir())
    if names_a != names_b:
        return False
    return all(
        (a / n).is_file() and (b / n).is_file() and (a / n).read_bytes() == (b / n).read_bytes() for n in names_a
    )


def _swap_in(tmp: Path, target: Path) -> Literal["written", "unchanged"]:
    """Move the finished folder ``tmp`` to ``target``, replacing an earlier export."""
    if target.exists() and _same_tree(tmp, target):
        shutil.rmtree(tmp)
        return "unchanged"
    os.chmod(tmp, 0o755)
    old: Path | None = None
    if target.exists():
        old = target.parent / f".{target.name}.{uuid.uuid4().hex[:12]}.old"
        os.rename(target, old)
    try:
        os.rename(tmp, target)
    except OSError as exc:
        if old is not None:
            os.rename(old, target)
        raise ConfigError(f"{target}: cannot move the new export into place: {exc.strerror}") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return "written"


def _load_gold(gold_dir: Path, ontology: Ontology) -> GoldVersion:
    return read_gold_version(gold_dir, ontology)  # each document checked against the ontology, with its line


def _cut_order(cut: CutSpan) -> tuple[int, str, int, int, str, str, str]:
    split = SPLITS.index(cut.split) if cut.split in SPLITS else len(SPLITS)
    return (split, cut.doc_id, cut.start, cut.end, cut.kind, cut.id, cut.reason)


def _gold_ref(gold: GoldVersion) -> dict[str, Any]:
    m = gold.manifest
    return {
        "version": m.version,
        "created": m.created.isoformat() if m.created else None,
        "tool_version": m.tool_version,
        "manifest_sha256": sha256_bytes((gold.path / MANIFEST_FILE).read_bytes()),
        "gold_sha256": sha256_bytes((gold.path / GOLD_FILE).read_bytes()),
        "ontology": m.ontology.model_dump(mode="json"),
    }


def export_gold(
    gold_dir: str | Path,
    fmt: str,
    out_dir: str | Path,
    splits: Sequence[str] | None = None,
    *,
    ontology: Ontology | None = None,
    actors_path: str | Path | None = None,
    as_predictions: bool = False,
) -> ExportSummary:
    """Export the gold version in ``gold_dir`` as ``fmt`` into ``out_dir`` (atomically).

    ``splits`` defaults to train, dev and test. ``ontology`` gives the label
    lists (default: label_config/ontology.yaml); ``actors_path`` the actor
    dictionary for PLOVER identifiers and Label Studio ``actor_candidates`` (default:
    label_config/actors.yaml when present). ``as_predictions`` (``labelstudio`` only)
    exports the gold as predictions instead of ground-truth annotations.
    An ``out_dir`` that is a symbolic link is followed: the folder it points to
    is written (built next to it, then swapped in) and the link is kept.
    """
    export_format = get_format(fmt)
    if as_predictions and export_format.name != "labelstudio":
        raise ConfigError(f"--as-predictions applies to --format labelstudio only, not {export_format.name}")
    chosen = parse_splits(splits)
    gold_path = Path(gold_dir)
    target = output_target(out_dir)  # a link is followed: its target is replaced, the link kept
    onto = ontology if ontology is not None else load_ontology()
    gold = _load_gold(gold_path, onto)
    if target.resolve() == gold_path.resolve() or gold_path.resolve() in target.resolve().parents:
        raise ConfigError(f"{target} is inside the gold version folder {gold_path}; write the export elsewhere")
    if target != Path(out_dir) and target.exists() and not target.is_dir():
        raise ConfigError(f"{out_dir} is a link to {target}, which is not a folder; choose another -o")
    _check_target(target)
    warnings: list[str] = []
    if onto.sha256() != gold.manifest.ontology.sha256:
        warnings.append(
            f"the ontology ({onto.name} {onto.version}) differs from the one gold {gold.manifest.version} was "
            "built with; labels follow the ontology given"
        )
    unsplit = sum(1 for d in gold.documents if d.split is None)
    if unsplit:
        warnings.append(f"{unsplit} gold documents have no split and are not exported")
    ctx = ExportContext(
        gold=gold,
        ontology=onto,
        splits=chosen,
        actors_path=Path(actors_path) if actors_path else None,
        as_predictions=as_predictions,
    )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise ConfigError(f"{target}: cannot create the export folder: {exc.strerror}") from exc
    try:
        result = export_format.writer()(ctx, tmp)
        warnings.extend(result.warnings)
        for split in chosen:
            if result.counts[split].documents == 0:
                warnings.append(f"split {split!r} has no documents; its file is empty")
        cut = sorted(result.cut, key=_cut_order)
        if export_format.token_level:
            with open(tmp / CUT_FILE, "w", encoding="utf-8", newline="\n") as fh:
                for c in cut:
                    fh.write(dumps_line(c.model_dump(mode="json")))
        reasons = dict(sorted(Counter(c.reason for c in cut).items()))
        files = sorted(p.name for p in tmp.iterdir())
        manifest: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "kind": EXPORT_KIND,
            "format": export_format.name,
            "tool": "eventgold",
            "tool_version": __version__,
            "gold": _gold_ref(gold),
            "ontology": {"name": onto.name, "version": onto.version, "sha256": onto.sha256()},
            "tokenizer": TOKENIZER,
            "splits": {s: result.counts[s].model_dump() for s in chosen},
            "cut_spans": len(cut),
            "cut_reasons": reasons,
            **result.extra_manifest,
            "files": {name: sha256_bytes((tmp / name).read_bytes()) for name in files},
        }
        with open(tmp / EXPORT_MANIFEST, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(json_text(manifest, indent=2, sort_keys=True) + "\n")
        status = _swap_in(tmp, target)
    except OSError as exc:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
        raise ConfigError(f"{target}: cannot write the export: {exc}") from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(tmp)
        raise
    return ExportSummary(
        format=export_format.name,
        gold=str(gold_path),
        gold_version=gold.manifest.version,
        output=str(Path(out_dir)),
        status=status,
        splits={s: result.counts[s] for s in chosen},
        files=sorted([*files, EXPORT_MANIFEST]),
        cut_spans=len(cut),
        cut_reasons=reasons,
        unsplit_documents=unsplit,
        warnings=warnings,
    )


__all__ = [
    "CUT_FILE",
    "EXPORT_MANIFEST",
    "FORMATS",
    "ExportContext",
    "ExportFormat",
    "ExportSummary",
    "FormatResult",
    "SplitCounts",
    "export_gold",
    "get_format",
    "parse_splits",
]
