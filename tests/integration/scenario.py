"""Shared test data for the Label Studio integration tests: seed articles and annotations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from eventgold.models import Argument, Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.resources import packaged_samples

ROOT = Path(__file__).resolve().parents[2]
SEEDS = packaged_samples() / "articles"

EMOJI_TEXT = (
    "Protesters 😀 gathered in Baghdad.\r\nPompeo 🇺🇸 called Al-Kazemi on Tuesday.\r\n"
    "مشاركة Iraq demanded that foreign forces leave."
)


def seed_articles() -> list[Article]:
    """The five seed articles (LF line endings) plus one with emoji, Arabic and CRLF."""
    articles = [
        Article(
            id=p.stem,
            title=f"Seed {p.stem[:3]}",
            text=p.read_text(encoding="utf-8").replace("\r\n", "\n"),
            source="seed",
        )
        for p in sorted(SEEDS.glob("*.txt"))
    ]
    articles.append(Article(id="emoji-crlf", title="Emoji and CRLF", text=EMOJI_TEXT, source="test"))
    return articles


def _mention(text: str, needle: str, mid: str, mtype: str, nth: int = 0, **kw: object) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return Mention(id=mid, type=mtype, start=start, end=start + len(needle), text=needle, **kw)  # type: ignore[arg-type]


def _span(text: str, needle: str) -> Span:
    start = text.index(needle)
    return Span(start=start, end=start + len(needle), text=needle)


def annotation_for(article: Article, annotator: str, variant: int) -> DocumentAnnotation:
    """A full annotation of ``article``: mentions with attributes, an event with roles and attributes.

    ``variant`` 0 and 1 differ (type of one mention, the event mode) so agreement has work to do.
    """
    t = article.text
    if article.id == "emoji-crlf":
        mentions = [
            _mention(t, "Pompeo", "m1", "PERSON", canonical_id="pompeo_mike", country="USA", sector="GOV"),
            _mention(t, "Al-Kazemi", "m2", "PERSON", canonical_id="alkazemi_mustafa"),
            _mention(t, "Baghdad", "m3", "LOCATION"),
        ]
        events = [
            Event(
                id="e1",
                type="CONSULT",
                trigger=_span(t, "called"),
                mode="phone",
                arguments=[Argument(role="actor", mention="m1"), Argument(role="recipient", mention="m2")],
                date=dt.date(2020, 11, 17),
                contexts=["diplomatic"],
                flags=["historical"] if variant else [],
            ),
        ]
        return DocumentAnnotation(
            doc_id=article.id,
            origin=Origin(kind="annotator", name=annotator),
            mentions=mentions,
            events=events,
            relevance="relevant",
            notes="emoji and CRLF" if variant == 0 else None,
        )
    mentions = (
        [
            _mention(
                t, "Mustafa Al-Kazemi", "m1", "PERSON", canonical_id="alkazemi_mustafa", country="IRQ", sector="GOV"
            ),
            _mention(
                t, "Ismail Ghaani", "m2", "PERSON" if variant == 0 else "ARMED_GROUP", canonical_id="ghaani_ismail"
            ),
            _mention(t, "Baghdad", "m3", "LOCATION"),
        ]
        if article.id.startswith("000")
        else []
    )
    events = (
        [
            Event(
                id="e1",
                type="CONSULT",
                trigger=_span(t, "met"),
                mode="visit" if variant == 0 else "third-party",
                arguments=[
                    Argument(role="actor", mention="m2"),
                    Argument(role="recipient", mention="m1"),
                    Argument(role="location", mention="m3"),
                ],
                contexts=["diplomatic", "military"],
            ),
            Event(
                id="e2",
                type="RETREAT",
                trigger=_span(t, "withdrawing"),
                mode="withdraw",
                date=dt.date(2020, 11, 20),
                flags=["future"] if variant else [],
            ),
        ]
        if article.id.startswith("000")
        else []
    )
    return DocumentAnnotation(
        doc_id=article.id,
        origin=Origin(kind="annotator", name=annotator),
        mentions=mentions,
        events=events,
        relevance="relevant" if mentions or variant == 0 else "not_relevant",
    )
