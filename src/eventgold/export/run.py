"""One export run: check the target, let the format write into a temporary folder, swap it in.

:func:`export_gold` reads a gold version folder (``exports/gold/<version>``), writes one
format (see :data:`eventgold.export.FORMATS`) into a fresh folder and returns an
:class:`ExportSummary`.

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
import shutil
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eventgold import SCHEMA_VERSION
from eventgold.errors import ConfigError, Option
from eventgold.export import get_format
from eventgold.export.layout import CutSpan
from eventgold.export.manifest import EXPORT_MANIFEST, check_target, write_cut_spans, write_manifest
from eventgold.export.writer import ExportContext, SplitCounts
from eventgold.fileio import output_target, swap_in_folder
from eventgold.gold.dataset import read_gold_version
from eventgold.models import SPLITS
from eventgold.ontology import Ontology, load_ontology


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


def parse_splits(splits: Sequence[str] | None) -> tuple[str, ...]:
    """Validate split names (default: all of train, dev, test), keeping SPLITS order.

    Args:
        splits: split names (any of train, dev, test), or None/empty for all three.

    Returns:
        The chosen splits in SPLITS order, each once.

    Raises:
        ConfigError: a name that is not a split.
    """
    if not splits:
        return SPLITS
    unknown = [s for s in splits if s not in SPLITS]
    if unknown:
        raise ConfigError(
            f"unknown split {unknown[0]!r}; choose from {', '.join(SPLITS)} (e.g. ", Option("splits_example"), ")"
        )
    return tuple(s for s in SPLITS if s in set(splits))


def _cut_order(cut: CutSpan) -> tuple[int, str, int, int, str, str, str]:
    split = SPLITS.index(cut.split) if cut.split in SPLITS else len(SPLITS)
    return (split, cut.doc_id, cut.start, cut.end, cut.kind, cut.id, cut.reason)


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

    Returns:
        What was written: format, gold version, counts per split, files, cut spans by
        reason, warnings, and ``status`` (``unchanged`` when the same export was there).

    Raises:
        ConfigError: an unknown format or split, ``as_predictions`` with another format than
            ``labelstudio``, an output that is a file or a folder holding something else than an
            earlier export, every split empty (``hf``), an unreadable default actor dictionary
            (``plover``), a gold version that cannot be read, an output inside the gold folder,
            or a file that cannot be written. Messages naming an option are built from
            :class:`~eventgold.errors.Option` parts (the CLI names its flags).
    """
    export_format = get_format(fmt)
    if as_predictions and export_format.name != "labelstudio":
        raise ConfigError(
            Option("as_predictions"), " applies to ", Option("format_labelstudio"), f" only, not {export_format.name}"
        )
    chosen = parse_splits(splits)
    gold_path = Path(gold_dir)
    target = output_target(out_dir)  # a link is followed: its target is replaced, the link kept
    onto = ontology if ontology is not None else load_ontology()
    gold = read_gold_version(gold_path, onto)  # each document checked against the ontology, with its line
    if target.resolve() == gold_path.resolve() or gold_path.resolve() in target.resolve().parents:
        raise ConfigError(f"{target} is inside the gold version folder {gold_path}; write the export elsewhere")
    if target != Path(out_dir) and target.exists() and not target.is_dir():
        raise ConfigError(
            f"{out_dir} is a link to {target}, which is not a folder; choose another ", Option("out_dir")
        )
    check_target(target)
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
            write_cut_spans(tmp, cut)
        reasons: dict[str, int] = dict(sorted(Counter(c.reason for c in cut).items()))
        files = write_manifest(
            tmp,
            fmt=export_format.name,
            gold=gold,
            ontology=onto,
            splits=chosen,
            result=result,
            cut_reasons=reasons,
            cut_spans=len(cut),
        )
        status = swap_in_folder(tmp, target, what="export")
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
