"""Raw files to Articles. Placeholder: plain-text files only, until the ingest issue lands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel

from eventgold.errors import InputError
from eventgold.models import Article, sha256_text, write_jsonl


class IngestSummary(BaseModel):
    """What one ingest run read and wrote."""

    files_read: int = 0
    articles_written: int = 0


def ingest_to_file(paths: Sequence[Path], output: Path) -> IngestSummary:
    """Read ``.txt`` files (walking folders) into ``output`` as Articles, one per file."""
    files: list[tuple[Path, Path]] = []
    for root in paths:
        if root.is_dir():
            files += [(root, p) for p in sorted(root.rglob("*.txt"))]
        elif root.is_file():
            files.append((root.parent, root))
        else:
            raise InputError(f"{root}: no such file or folder")
    articles = []
    for base, path in files:
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n").strip()
        rel = path.relative_to(base).with_suffix("").as_posix()
        articles.append(Article(id=rel, title="", text=text, content_sha=sha256_text(text)))
    n = write_jsonl(output, articles)
    return IngestSummary(files_read=len(files), articles_written=n)
