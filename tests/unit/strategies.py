"""Hypothesis strategies for eventgold's records (shared by the unit tests)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from eventgold.models import (
    Argument,
    Article,
    DocumentAnnotation,
    Event,
    GoldDocument,
    LabelStudioRef,
    Mention,
    Origin,
    Provenance,
    Span,
)
from eventgold.ontology import load_ontology

ONTOLOGY = load_ontology()
ACTOR_TYPES = sorted(ONTOLOGY.actor_type_names)
EVENT_TYPES = sorted(ONTOLOGY.event_type_names)
FLAGS = list(ONTOLOGY.flag_names)

ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
texts = st.text(min_size=0, max_size=200)
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1))


@st.composite
def articles(draw: st.DrawFn) -> Article:
    return Article(
        id=draw(ids),
        title=draw(st.none() | st.text(max_size=40)),
        text=draw(texts),
        source=draw(st.none() | st.text(max_size=20)),
        url=draw(st.none() | st.just("https://example.org/a")),
        published=draw(st.none() | dates),
        language=draw(st.none() | st.sampled_from(["en", "ar"])),
        meta=draw(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3)),
    )


@st.composite
def arguments(draw: st.DrawFn, event_type: str, mentions: list[Mention], max_size: int = 3) -> list[Argument]:
    """Arguments the ontology allows on ``event_type``: a role of the type, filled by a mention it accepts."""
    pairs = [
        (role, m.id)
        for role in ONTOLOGY.roles_of(event_type)
        for m in mentions
        if ONTOLOGY.argument_problem(event_type, role, m.type) is None
    ]
    if not pairs:
        return []
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=max_size, unique=True))
    return [Argument(role=role, mention=mention) for role, mention in chosen]


@st.composite
def units(draw: st.DrawFn, text: str) -> tuple[list[Mention], list[Event]]:
    n = len(text)

    def span() -> tuple[int, int]:
        a = draw(st.integers(0, n))
        b = draw(st.integers(a, n))
        return a, b

    mentions = []
    for i in range(draw(st.integers(0, 4))):
        if draw(st.booleans()) or n == 0:
            mentions.append(
                Mention(
                    id=f"m{i}",
                    type=draw(st.sampled_from(ACTOR_TYPES)),
                    canonical_id=draw(ids),
                    text=draw(st.none() | st.text(max_size=8)),
                )
            )
        else:
            a, b = span()
            mentions.append(
                Mention(
                    id=f"m{i}",
                    type=draw(st.sampled_from(ACTOR_TYPES)),
                    start=a,
                    end=b,
                    text=text[a:b],
                    canonical_id=draw(st.none() | ids),
                    country=draw(st.none() | st.sampled_from(["IRQ", "IRN", "USA"])),
                    sector=draw(st.none() | st.sampled_from(["GOV", "MIL"])),
                    score=draw(st.none() | st.floats(0, 1)),
                )
            )
    events = []
    for i in range(draw(st.integers(0, 3))):
        etype = draw(st.sampled_from(EVENT_TYPES))
        modes = ONTOLOGY.modes_of(etype)
        trigger = None
        if n and draw(st.booleans()):
            a, b = span()
            trigger = Span(start=a, end=b, text=text[a:b])
        events.append(
            Event(
                id=f"e{i}",
                type=etype,
                trigger=trigger,
                mode=draw(st.none() | st.sampled_from(modes)) if modes else None,
                arguments=draw(arguments(etype, mentions)),
                date=draw(st.none() | dates),
                contexts=draw(st.lists(st.sampled_from(list(ONTOLOGY.contexts)), max_size=2, unique=True)),
                flags=draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True)),
                score=draw(st.none() | st.floats(0, 1)),
            )
        )
    return mentions, events


@st.composite
def annotations(draw: st.DrawFn) -> tuple[Article, DocumentAnnotation]:
    article = draw(articles())
    mentions, events = draw(units(article.text))
    ann = DocumentAnnotation(
        doc_id=article.id,
        origin=Origin(
            kind=draw(st.sampled_from(["annotator", "extractor", "adjudicator"])),
            name=draw(ids),
            version=draw(st.none() | st.just("1.0")),
        ),
        mentions=mentions,
        events=events,
        relevance=draw(st.none() | st.sampled_from(list(ONTOLOGY.relevance))),
        notes=draw(st.none() | st.text(max_size=20)),
        ground_truth=draw(st.booleans()),
        cancelled=draw(st.booleans()),
        lead_time=draw(st.none() | st.floats(0, 1e5)),
        created=draw(st.none() | st.datetimes(timezones=st.just(dt.UTC))),
        labelstudio=draw(st.none() | st.builds(LabelStudioRef, project=st.integers(1, 9), task=st.integers(1, 99))),
    )
    return article, ann


@st.composite
def gold_documents(draw: st.DrawFn) -> GoldDocument:
    article = draw(articles())
    mentions, events = draw(units(article.text))
    return GoldDocument(
        article=article,
        mentions=mentions,
        events=events,
        split=draw(st.none() | st.sampled_from(["train", "dev", "test"])),
        provenance={m.id: Provenance(annotators=["a@x.org"], decision="majority") for m in mentions},
    )
