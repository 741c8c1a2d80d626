"""The ``rules`` extractor: a BASELINE event coder from a trigger lexicon and the gazetteer.

It is a baseline for pre-annotation and for sanity checks of the scoring, not a
parser. Events come from the trigger lexicon (``lexicon.yaml`` next to this
module: verb and noun patterns per PLOVER type and mode); actors and recipients
are attached by sentence-level heuristics over the gazetteer's mentions:

- the **actor** is the mention nearest before the trigger in the same sentence
  (a PERSON is preferred when there is one; places are never actors);
- the **recipient** is the first mention after the trigger within a short window
  (again a PERSON is preferred); "X received a phone call from Y" swaps them;
  "the visit of X to Y" and "a meeting between X and Y" make X the actor;
- a LOCATION after "in/at/near/to" close to the trigger is the event's location;
- "will/shall/plans to" just before the trigger sets the ``future`` flag,
  "not/never/no" the ``negation`` flag.

Mentions are the gazetteer's (ids ``m1``...), events ``e1``...; every output
validates against the ontology.
"""

from __future__ import annotations

import re
import re._parser as _sre_parser  # the stdlib regex parser, to bucket patterns
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eventgold import __version__
from eventgold.errors import ConfigError
from eventgold.extractors.gazetteer import Gazetteer, GazetteerMatch, load_gazetteer, to_mention
from eventgold.fileio import sha256_file
from eventgold.models import Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import Ontology, load_ontology

LEXICON_FILE = "lexicon.yaml"
RECIPIENT_WINDOW = 120
"""How far (characters) after a trigger a recipient may start."""
LOCATION_WINDOW = 60
"""How far (characters) after a trigger an event location may start."""

_ABBREVIATIONS = frozenset({
    "u.s", "u.k", "u.n", "d.c", "mr", "mrs", "ms", "dr", "gen", "lt", "col", "maj", "brig",
    "sgt", "st", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "vs", "etc", "inc", "corp", "co", "jr", "sr", "prof", "gov", "sen", "rep",
})
_BOUNDARY = re.compile(r"[.!?][\"”’)\]]*\s+|\n\s*")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?][\"”’)\]]*\s*$")
_FUTURE = re.compile(
    r"\b(?:will|shall|plans? to|planned to|intends? to|is to|are to|is going to|upcoming)"
    r"(?:\s+\w+)?\s+$",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"(?:\b(?:not|never|no)|n't)(?:\s+\w+)?\s+$", re.IGNORECASE)
_OF_BY = re.compile(r"^\s+(?:of|by)\b", re.IGNORECASE)
_BETWEEN = re.compile(r"^\s+between\b", re.IGNORECASE)
_FROM = re.compile(r"\bfrom\b", re.IGNORECASE)
_RECEIVED = re.compile(r"\breceiv", re.IGNORECASE)
_LOC_PREP = re.compile(r"\b(?:in|at|near|to|into|inside|outside)\s+(?:the\s+)?$", re.IGNORECASE)


class TriggerRule(BaseModel):
    """One lexicon item: an event type, an optional mode, and its trigger patterns."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    mode: str | None = None
    patterns: tuple[str, ...] = Field(min_length=1)


class Lexicon(BaseModel):
    """The trigger lexicon of the rules baseline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    triggers: tuple[TriggerRule, ...]


def default_lexicon_path() -> Path:
    """The trigger lexicon shipped with the package (``eventgold/extractors/lexicon.yaml``)."""
    from eventgold.resources import package_file

    return package_file("eventgold.extractors", LEXICON_FILE)


def load_lexicon(path: str | Path | None = None, ontology: Ontology | None = None) -> Lexicon:
    """Load and check a trigger lexicon: types and modes exist, patterns compile."""
    file = Path(path) if path is not None else default_lexicon_path()
    try:
        raw = yaml.safe_load(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: trigger lexicon not found") from exc
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{file}: cannot read the trigger lexicon: {exc}") from exc
    try:
        lexicon = Lexicon.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise ConfigError(f"{file}: {loc}: {err['msg']}") from exc
    onto = ontology if ontology is not None else load_ontology()
    problems: list[str] = []
    for i, rule in enumerate(lexicon.triggers):
        if rule.type not in onto.event_type_names:
            problems.append(f"triggers.{i}: {rule.type!r} is not an event type of the ontology")
        elif rule.mode is not None and rule.mode not in onto.modes_of(rule.type):
            problems.append(f"triggers.{i}: {rule.mode!r} is not a mode of {rule.type}")
        for pattern in rule.patterns:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                problems.append(f"triggers.{i}: pattern {pattern!r} does not compile: {exc}")
                continue
            if compiled.groups:
                problems.append(
                    f"triggers.{i}: pattern {pattern!r} has a capturing group; use (?:...)"
                )
    if problems:
        raise ConfigError(f"{file}: " + "; ".join(problems))
    return lexicon


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets: breaks at . ! ? before a capital or at a newline.

    Known abbreviations ("U.S.", "Gen.") and single initials do not end a sentence.
    """
    out: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        if text[m.start()] != "\n":
            if end < n and not (text[end].isupper() or text[end].isdigit() or text[end] in "\"“‘("):
                continue
            before = _WORD_BEFORE.search(text, max(0, m.start() - 20), m.end())
            if before:
                word = before.group(1).lower().rstrip(".")
                if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                    continue
        if m.start() > start:
            out.append((start, m.start() + (1 if text[m.start()] != "\n" else 0)))
        start = end
    if start < n:
        out.append((start, n))
    return out


@dataclass(frozen=True)
class _Trigger:
    start: int
    end: int
    rule: TriggerRule


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The lower-case letters a match of ``pattern`` can start with (None: cannot tell)."""
    try:
        parsed = _sre_parser.parse(pattern)
    except re.error:  # pragma: no cover - patterns are compiled when the lexicon loads
        return None
    return _first_of(list(parsed))


def _first_of(items: list[tuple[object, object]]) -> frozenset[str] | None:
    if not items:
        return None
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL" and isinstance(arg, int):
        return frozenset({chr(arg).lower()})
    if name == "IN" and isinstance(arg, list):
        chars: set[str] = set()
        for kind, value in arg:
            if str(kind) == "LITERAL" and isinstance(value, int):
                chars.add(chr(value).lower())
            else:
                return None
        return frozenset(chars)
    if name == "SUBPATTERN" and isinstance(arg, tuple):
        return _first_of(list(arg[-1]))
    if name == "BRANCH" and isinstance(arg, tuple):
        out: set[str] = set()
        for branch in arg[1]:
            first = _first_of(list(branch))
            if first is None:
                return None
            out |= first
        return frozenset(out)
    if name in ("MAX_REPEAT", "MIN_REPEAT") and isinstance(arg, tuple):
        inner = _first_of(list(arg[2]))
        if arg[0] >= 1 or inner is None:
            return inner
        rest = _first_of(items[1:])  # an optional head: it or what follows
        return None if rest is None else inner | rest
    return None


class _TriggerMatcher:
    """All trigger patterns of a lexicon compiled into one case-insensitive regex.

    Alternatives are bucketed by the letter they start with, behind a one-letter
    lookahead, so each word start tries a handful of patterns rather than all.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        items = [(p, rule) for rule in lexicon.triggers for p in rule.patterns]
        items.sort(key=lambda item: -len(item[0]))  # longer patterns first
        buckets: dict[str, list[tuple[str, TriggerRule]]] = {}
        unknown: list[tuple[str, TriggerRule]] = []
        for pattern, rule in items:
            first = _first_chars(pattern)
            if first is None:
                unknown.append((pattern, rule))
            else:
                for char in sorted(first):
                    buckets.setdefault(char, []).append((pattern, rule))
        self._rules: list[TriggerRule] = []
        branches: list[str] = []
        for char in sorted(buckets):
            alts = []
            for pattern, rule in buckets[char]:
                alts.append(f"({pattern})")
                self._rules.append(rule)
            branches.append(f"(?={re.escape(char)})(?:{'|'.join(alts)})")
        for pattern, rule in unknown:
            branches.append(f"({pattern})")
            self._rules.append(rule)
        body = "|".join(branches) or "(?!)"
        self._regex = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)

    def find(self, text: str) -> Iterator[_Trigger]:
        for m in self._regex.finditer(text):
            assert m.lastindex is not None
            yield _Trigger(m.start(), m.end(), self._rules[m.lastindex - 1])


def _pick(candidates: list[GazetteerMatch], *, nearest_last: bool) -> GazetteerMatch | None:
    """A PERSON if there is one (the nearest to the trigger), else the nearest mention."""
    if not candidates:
        return None
    ordered = list(reversed(candidates)) if nearest_last else candidates
    for match in ordered:
        if match.type == "PERSON":
            return match
    return ordered[0]


class RulesExtractor:
    """BASELINE event extractor: lexicon triggers plus gazetteer actors and recipients."""

    description = (
        "BASELINE: PLOVER events from a trigger lexicon, actor/recipient by sentence "
        "heuristics over gazetteer mentions"
    )

    def __init__(
        self,
        actors: str | Path | None = None,
        lexicon: str | Path | None = None,
        *,
        gazetteer: Gazetteer | None = None,
        ontology: Ontology | None = None,
    ) -> None:
        """Compile the gazetteer (``actors``) and the trigger lexicon (default files)."""
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer(actors)
        lexicon_path = Path(lexicon) if lexicon is not None else default_lexicon_path()
        self.lexicon = load_lexicon(lexicon_path, ontology)
        self._triggers = _TriggerMatcher(self.lexicon)
        self.name = "rules"
        self.version = (
            f"{__version__}+lexicon.{sha256_file(lexicon_path)[:8]}"
            f"+actors.{self.gazetteer.dictionary.sha256[:8]}"
        )

    def extract(self, articles: Iterable[Article]) -> Iterator[DocumentAnnotation]:
        """One DocumentAnnotation per article: gazetteer mentions plus lexicon events."""
        origin = Origin(kind="extractor", name=self.name, version=self.version)
        for article in articles:
            mentions, events = self.annotate(article.text)
            yield DocumentAnnotation(
                doc_id=article.id, origin=origin, mentions=mentions, events=events
            )

    def annotate(self, text: str) -> tuple[list[Mention], list[Event]]:
        """The mentions and events of one text."""
        matches = self.gazetteer.find(text)
        mention_ids = {id(m): f"m{i}" for i, m in enumerate(matches, 1)}
        mentions = [to_mention(m, mention_ids[id(m)]) for m in matches]
        events: list[Event] = []
        sentences = split_sentences(text)
        si = 0
        mi = 0
        for trig in self._triggers.find(text):
            while si < len(sentences) - 1 and sentences[si][1] <= trig.start:
                si += 1
            s_start, s_end = sentences[si] if sentences else (0, len(text))
            # a trigger inside an actor name is not a trigger
            while mi < len(matches) and matches[mi].end <= trig.start:
                mi += 1
            if mi < len(matches) and matches[mi].start < trig.end:
                continue
            in_sentence = [m for m in matches if m.start >= s_start and m.end <= s_end]
            event = self._event(text, trig, in_sentence, mention_ids, f"e{len(events) + 1}")
            events.append(event)
        return mentions, events

    def _event(
        self,
        text: str,
        trig: _Trigger,
        in_sentence: list[GazetteerMatch],
        mention_ids: dict[int, str],
        event_id: str,
    ) -> Event:
        before = [m for m in in_sentence if m.end <= trig.start and m.type != "LOCATION"]
        after_all = [m for m in in_sentence if m.start >= trig.end]
        after = [
            m for m in after_all
            if m.type != "LOCATION" and m.start - trig.end <= RECIPIENT_WINDOW
        ]
        tail = text[trig.end : trig.end + 12]
        actor: GazetteerMatch | None
        recipients: list[GazetteerMatch] = []
        if _BETWEEN.match(tail) or _OF_BY.match(tail):
            actor = after[0] if after else _pick(before, nearest_last=True)
            rest = [m for m in after[1:] if actor is None or m.canonical_id != actor.canonical_id]
            picked = _pick(rest, nearest_last=False)
            recipients = [picked] if picked else []
        else:
            actor = _pick(before, nearest_last=True)
            picked = _pick(after, nearest_last=False)
            if picked is not None and (actor is None or picked.canonical_id != actor.canonical_id):
                recipients = [picked]
            if (
                actor is not None
                and recipients
                and _RECEIVED.search(text, actor.end, trig.start)
                and _FROM.search(text, trig.end, recipients[0].start)
            ):
                actor, recipients = recipients[0], [actor]
        locations = [
            m for m in after_all
            if m.type == "LOCATION"
            and m.start - trig.end <= LOCATION_WINDOW
            and _LOC_PREP.search(text, max(0, m.start - 12), m.start)
        ][:1]
        flags: list[Literal["historical", "future", "hypothetical", "negation"]] = []
        head = text[max(0, trig.start - 30) : trig.start]
        if _FUTURE.search(head):
            flags.append("future")
        if _NEGATION.search(head):
            flags.append("negation")
        return Event(
            id=event_id,
            type=trig.rule.type,
            mode=trig.rule.mode,
            trigger=Span(start=trig.start, end=trig.end, text=text[trig.start : trig.end]),
            actors=[mention_ids[id(actor)]] if actor is not None else [],
            recipients=[mention_ids[id(m)] for m in recipients],
            locations=[mention_ids[id(m)] for m in locations],
            flags=flags,
        )
