"""Builders of small articles, annotations and snapshots for the gold tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from eventgold.gold.inputs import SourceSnapshot
from eventgold.models import Article, DocumentAnnotation, Event, Mention, Origin, Span

TEXT = "Kazemi met Ghaani in Baghdad on Saturday. Pompeo called Iraq later."


def at(word: str, text: str = TEXT) -> tuple[int, int]:
    """Offsets of the first occurrence of ``word`` in ``text``."""
    start = text.index(word)
    return start, start + len(word)


def article(doc_id: str = "d1", text: str = TEXT, **kw: Any) -> Article:
    """An article with ``text``."""
    return Article(id=doc_id, text=text, **kw)


def mention(
    mid: str,
    word: str,
    type_: str = "PERSON",
    text: str = TEXT,
    *,
    span: tuple[int, int] | None = None,
    **kw: Any,
) -> Mention:
    """A mention of ``word`` (or of ``span``) in ``text``."""
    start, end = span if span is not None else at(word, text)
    return Mention(id=mid, type=type_, start=start, end=end, text=text[start:end], **kw)


def event(
    eid: str,
    word: str,
    type_: str = "CONSULT",
    text: str = TEXT,
    *,
    span: tuple[int, int] | None = None,
    **kw: Any,
) -> Event:
    """An event triggered by ``word`` (or by ``span``) in ``text``."""
    start, end = span if span is not None else at(word, text)
    return Event(id=eid, type=type_, trigger=Span(start=start, end=end, text=text[start:end]), **kw)


def ann(
    name: str,
    doc_id: str = "d1",
    mentions: Sequence[Mention] = (),
    events: Sequence[Event] = (),
    *,
    kind: str = "annotator",
    **kw: Any,
) -> DocumentAnnotation:
    """One annotation by ``name``."""
    return DocumentAnnotation(
        doc_id=doc_id,
        origin=Origin(kind=kind, name=name),  # type: ignore[arg-type]
        mentions=list(mentions),
        events=list(events),
        **kw,
    )


def snapshot(
    articles: Sequence[Article],
    annotations: Sequence[DocumentAnnotation],
    name: str = "project-1.json",
    sha: str = "ab" * 32,
    exported_at: dt.datetime | None = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC),
) -> SourceSnapshot:
    """A snapshot holding ``articles`` and ``annotations``."""
    return SourceSnapshot(
        path=Path("exports/raw") / name,
        sha256=sha,
        articles={a.id: a for a in articles},
        annotations=list(annotations),
        exported_at=exported_at,
    )
