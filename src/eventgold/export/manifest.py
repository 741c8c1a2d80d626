"""The files every export folder carries besides the format's own: ``manifest.json`` and ``cut_spans.jsonl``.

The manifest names the format, the gold version it came from (with its manifest's and
data's sha256), the ontology, tokenizer, counts per split, and the sha256 of every file.
Its ``kind`` (:data:`EXPORT_KIND`) is how a later export recognises a folder it may replace
(:func:`check_target`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eventgold import SCHEMA_VERSION, __version__
from eventgold.errors import ConfigError, Option
from eventgold.export.layout import CutSpan
from eventgold.export.tokenize import TOKENIZER
from eventgold.export.writer import FormatResult, dumps_line
from eventgold.fileio import json_text
from eventgold.gold.dataset import GOLD_FILE, MANIFEST_FILE, GoldVersion
from eventgold.ontology import Ontology

EXPORT_KIND = "eventgold-export"
EXPORT_MANIFEST = "manifest.json"
CUT_FILE = "cut_spans.jsonl"


def sha256_bytes(data: bytes) -> str:
    """The sha256 hex digest of ``data`` (64 lowercase hex characters)."""
    return hashlib.sha256(data).hexdigest()


def check_target(target: Path) -> None:
    """Refuse to replace anything but an empty folder or an earlier eventgold export.

    Args:
        target: the export folder to be written (need not exist).

    Raises:
        ConfigError: ``target`` is a file, or a non-empty folder without a ``manifest.json``
            of kind :data:`EXPORT_KIND`.
    """
    if not target.exists():
        return
    if not target.is_dir():
        raise ConfigError(f"{target} exists and is not a folder; choose another ", Option("out_dir"))
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
            f"{EXPORT_KIND!r}); refusing to replace it — choose a new or empty folder with ",
            Option("out_dir"),
        )


def gold_ref(gold: GoldVersion) -> dict[str, Any]:
    """The manifest's ``gold`` entry: version, creation, tool version, sha256 of its manifest and data, ontology."""
    m = gold.manifest
    return {
        "version": m.version,
        "created": m.created.isoformat() if m.created else None,
        "tool_version": m.tool_version,
        "manifest_sha256": sha256_bytes((gold.path / MANIFEST_FILE).read_bytes()),
        "gold_sha256": sha256_bytes((gold.path / GOLD_FILE).read_bytes()),
        "ontology": m.ontology.model_dump(mode="json"),
    }


def write_cut_spans(folder: Path, cut: Sequence[CutSpan]) -> None:
    """Write ``cut`` to ``folder/cut_spans.jsonl``, one compact JSON line per span, in the order given.

    Raises:
        OSError: the file cannot be written.
    """
    with open(folder / CUT_FILE, "w", encoding="utf-8", newline="\n") as fh:
        for c in cut:
            fh.write(dumps_line(c.model_dump(mode="json")))


def write_manifest(
    folder: Path,
    *,
    fmt: str,
    gold: GoldVersion,
    ontology: Ontology,
    splits: Sequence[str],
    result: FormatResult,
    cut_reasons: dict[str, int],
    cut_spans: int,
) -> list[str]:
    """Write ``folder/manifest.json`` for the files already in ``folder``; return their names (sorted).

    Args:
        folder: the finished export folder (every format file written, ``manifest.json`` not yet).
        fmt: the format's registered name.
        gold: the gold version exported.
        ontology: the ontology the labels follow.
        splits: the splits exported, in order; ``result.counts`` holds each.
        result: what the format writer reported (its ``extra_manifest`` keys are added).
        cut_reasons: cut spans counted by reason.
        cut_spans: how many gold spans were cut.

    Returns:
        The names of the files in ``folder`` before the manifest was added (sorted).

    Raises:
        OSError: a file cannot be read or the manifest cannot be written.
    """
    files = sorted(p.name for p in folder.iterdir())
    manifest: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": EXPORT_KIND,
        "format": fmt,
        "tool": "eventgold",
        "tool_version": __version__,
        "gold": gold_ref(gold),
        "ontology": {"name": ontology.name, "version": ontology.version, "sha256": ontology.sha256()},
        "tokenizer": TOKENIZER,
        "splits": {s: result.counts[s].model_dump() for s in splits},
        "cut_spans": cut_spans,
        "cut_reasons": cut_reasons,
        **result.extra_manifest,
        "files": {name: sha256_bytes((folder / name).read_bytes()) for name in files},
    }
    with open(folder / EXPORT_MANIFEST, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(json_text(manifest, indent=2, sort_keys=True) + "\n")
    return files
