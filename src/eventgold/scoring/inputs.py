"""Reading what ``score`` needs from files: the gold and each extractor's predictions.

``load_predictions(path, fmt)`` is the one place where prediction formats plug
in: add a reader (any function ``Path -> Iterable[DocumentAnnotation]``, such as
those of ``eventgold.extractors.readers``) to :data:`PREDICTION_READERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from eventgold.errors import InputError, UserError
from eventgold.models import DocumentAnnotation, GoldDocument, read_jsonl

GOLD_FILE = "gold.jsonl"


def gold_path(path: str | Path) -> Path:
    """The GoldDocument JSONL file: ``path`` itself, or ``path/gold.jsonl`` for a folder."""
    p = Path(path)
    if p.is_dir():
        p = p / GOLD_FILE
        if not p.is_file():
            raise InputError(f"{path}: folder has no {GOLD_FILE}; give a gold folder or a JSONL file")
    elif not p.exists():
        raise InputError(f"{p}: gold file not found")
    return p


def load_gold(path: str | Path) -> list[GoldDocument]:
    """All gold documents of a gold folder or GoldDocument JSONL file."""
    return list(read_jsonl(gold_path(path), GoldDocument))


def _read_annotation_jsonl(path: Path) -> Iterable[DocumentAnnotation]:
    return read_jsonl(path, DocumentAnnotation)


PREDICTION_READERS: dict[str, Callable[[Path], Iterable[DocumentAnnotation]]] = {
    "jsonl": _read_annotation_jsonl,
}
"""Prediction format name -> reader. Other formats register here."""


@dataclass(frozen=True)
class Predictions:
    """One extractor's predictions, read into memory, with the name to report them under."""

    name: str
    path: Path
    annotations: list[DocumentAnnotation]


def load_predictions(path: str | Path, fmt: str = "jsonl") -> Predictions:
    """Read one prediction file; the extractor's name is its ``origin.name`` (else file stem)."""
    reader = PREDICTION_READERS.get(fmt)
    if reader is None:
        raise UserError(f"unknown prediction format {fmt!r}; known: {', '.join(sorted(PREDICTION_READERS))}")
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: prediction file not found")
    annotations = list(reader(p))
    names = {a.origin.name for a in annotations}
    name = names.pop() if len(names) == 1 else p.stem
    return Predictions(name=name, path=p, annotations=annotations)


def unique_names(preds: list[Predictions]) -> list[str]:
    """Report names for ``preds``: their names, made unique with the file name where they clash."""
    out: list[str] = []
    for p in preds:
        name = p.name
        if name in out or sum(q.name == p.name for q in preds) > 1:
            name = f"{p.name} ({p.path.name})"
        n = 2
        base = name
        while name in out:
            name = f"{base} #{n}"
            n += 1
        out.append(name)
    return out
