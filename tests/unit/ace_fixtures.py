"""The ACE 2005 example ontology and builders of units found by their phrase in a text."""

from __future__ import annotations

from eventgold.config import ONTOLOGY_FILE
from eventgold.models import Argument, Event, Mention, Span
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config

ACE_DIR = packaged_label_config() / "examples" / "ace2005"
ACE = load_ontology(ACE_DIR / ONTOLOGY_FILE)


def mention_in(text: str, mid: str, phrase: str, type_: str) -> Mention:
    """A mention of the first occurrence of ``phrase`` in ``text``."""
    start = text.index(phrase)
    return Mention(id=mid, type=type_, start=start, end=start + len(phrase), text=phrase)


def event_in(text: str, eid: str, phrase: str, type_: str, *arguments: tuple[str, str]) -> Event:
    """An event triggered by the first occurrence of ``phrase``; ``arguments`` are (role, mention id)."""
    start = text.index(phrase)
    return Event(
        id=eid,
        type=type_,
        trigger=Span(start=start, end=start + len(phrase), text=phrase),
        arguments=[Argument(role=role, mention=mention) for role, mention in arguments],
    )
