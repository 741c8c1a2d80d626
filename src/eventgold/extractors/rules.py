"""The ``rules`` extractor: a BASELINE event coder from a trigger lexicon and the gazetteer.

It is a baseline for pre-annotation and for sanity checks of the scoring, not a
parser. Events come from the trigger lexicon (``lexicon.yaml`` next to this
module: verb and noun patterns per PLOVER type and mode); actors and recipients
are attached by sentence-level heuristics over the gazetteer's mentions, with
the mention types and flags the lexicon names (``preferred_types``,
``place_types``, ``flags``):

- the **actor** is the mention nearest before the trigger in the same sentence
  (one of the preferred types, PERSON in the packaged lexicon, wins when there
  is one; places are never actors);
- the **recipient** is the first mention after the trigger within a short window
  (again a preferred type wins); "X received a phone call from Y" swaps them;
  "the visit of X to Y" and "a meeting between X and Y" make X the actor;
- a place after "in/at/near/to" close to the trigger is the event's location;
- a flag's cue just before the trigger sets it ("will/shall/plans to": the
  ``future`` flag, "not/never/no": ``negation``, in the packaged lexicon).

The actor, recipient and location fill the ontology's roles through its coder
mapping: the first ``coder.source``, ``coder.target`` and ``coder.location``
role the event type allows and the mention's type fits (PLOVER: ``actor``,
``recipient``, ``location``); with none, that argument is left out.

Mentions are the gazetteer's (ids ``m1``...), events ``e1``...; every output
validates against the ontology.
"""

from __future__ import annotations

import re
import re._parser as _sre_parser  # the stdlib regex parser, to bucket patterns
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eventgold import __version__
from eventgold.errors import ConfigError, Option
from eventgold.extractors.gazetteer import Gazetteer, GazetteerMatch, load_gazetteer, to_mention
from eventgold.fileio import sha256_file
from eventgold.models import Argument, Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import CODER_SLOTS, Ontology, load_ontology
from eventgold.readers.plover_format import role_for_slot

LEXICON_FILE = "lexicon.yaml"
RECIPIENT_WINDOW = 120
"""How far (characters) after a trigger a recipient may start."""
LOCATION_WINDOW = 60
"""How far (characters) after a trigger an event location may start."""
FLAG_CUE_CHARS = 30
"""How many characters before a trigger a flag's cue pattern sees."""
_SOURCE, _TARGET, _LOCATION = CODER_SLOTS

_ABBREVIATIONS = frozenset(
    {
        "u.s",
        "u.k",
        "u.n",
        "d.c",
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "lt",
        "col",
        "maj",
        "brig",
        "sgt",
        "st",
        "no",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "vs",
        "etc",
        "inc",
        "corp",
        "co",
        "jr",
        "sr",
        "prof",
        "gov",
        "sen",
        "rep",
    }
)
_BOUNDARY = re.compile(r"[.!?][\"”’)\]]*\s+|\n\s*")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?][\"”’)\]]*\s*$")
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


class FlagCue(BaseModel):
    """A flag of the ontology and the pattern that sets it when it ends just before a trigger."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flag: str
    pattern: str


class Lexicon(BaseModel):
    """The trigger lexicon of the rules baseline, with the mention types and flags its heuristics use.

    ``preferred_types``, ``place_types`` and ``flags`` left out (None) are
    taken from the packaged lexicon by :func:`load_lexicon`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    triggers: tuple[TriggerRule, ...]
    preferred_types: tuple[str, ...] | None = None
    """Actor types preferred as actor or recipient over nearer mentions of other types."""
    place_types: tuple[str, ...] | None = None
    """Actor types of places: never actor or recipient; the event's location."""
    flags: tuple[FlagCue, ...] | None = None
    """Flags set by a cue just before the trigger, in the order they are added."""


def default_lexicon_path() -> Path:
    """The trigger lexicon shipped with the package (``eventgold/extractors/lexicon.yaml``)."""
    from eventgold.resources import package_file

    return package_file("eventgold.extractors", LEXICON_FILE)


def _read_lexicon(file: Path) -> Lexicon:
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
    return lexicon


def _with_defaults(lexicon: Lexicon, onto: Ontology) -> Lexicon:
    """``lexicon`` with the keys it leaves out taken from the packaged lexicon (names ``onto`` lacks dropped)."""
    if lexicon.preferred_types is not None and lexicon.place_types is not None and lexicon.flags is not None:
        return lexicon
    default = _read_lexicon(default_lexicon_path())
    update: dict[str, object] = {}
    if lexicon.preferred_types is None:
        update["preferred_types"] = tuple(t for t in default.preferred_types or () if t in onto.actor_type_names)
    if lexicon.place_types is None:
        update["place_types"] = tuple(t for t in default.place_types or () if t in onto.actor_type_names)
    if lexicon.flags is None:
        update["flags"] = tuple(f for f in default.flags or () if f.flag in onto.flag_names)
    return lexicon.model_copy(update=update)


def load_lexicon(path: str | Path | None = None, ontology: Ontology | None = None) -> Lexicon:
    """Load and check a trigger lexicon: types, modes, actor types and flags exist, patterns compile.

    Keys the file leaves out (``preferred_types``, ``place_types``, ``flags``)
    come from the packaged lexicon, keeping only the names the ontology has.

    Raises:
        ConfigError: naming the file and every problem found.
    """
    file = Path(path) if path is not None else default_lexicon_path()
    onto = ontology if ontology is not None else load_ontology()
    lexicon = _read_lexicon(file)
    problems: list[str] = []
    foreign = sorted({rule.type for rule in lexicon.triggers} - onto.event_type_names)
    if foreign and len(foreign) == len({rule.type for rule in lexicon.triggers}):
        raise ConfigError(
            f"{file}: its event types ({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}) are each "
            f"not an event type of the ontology {onto.name}; give the rules extractor a lexicon of "
            f"{onto.name}'s event types (",
            Option("lexicon_file"),
            ", shaped like the packaged lexicon.yaml), or use another extractor",
        )
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
                problems.append(f"triggers.{i}: pattern {pattern!r} has a capturing group; use (?:...)")
    for key, names in (("preferred_types", lexicon.preferred_types), ("place_types", lexicon.place_types)):
        for i, name in enumerate(names or ()):
            if name not in onto.actor_type_names:
                problems.append(f"{key}.{i}: {name!r} is not an actor type of the ontology")
    for i, cue in enumerate(lexicon.flags or ()):
        if cue.flag not in onto.flag_names:
            problems.append(f"flags.{i}: {cue.flag!r} is not a flag of the ontology")
        try:
            re.compile(cue.pattern)
        except re.error as exc:
            problems.append(f"flags.{i}: pattern {cue.pattern!r} does not compile: {exc}")
    if problems:
        raise ConfigError(f"{file}: " + "; ".join(problems))
    return _with_defaults(lexicon, onto)


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
            if end < n and not (text[end].isupper() or text[end].isdigit() or text[end] in '"“‘('):
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


def _pick(candidates: list[GazetteerMatch], preferred: frozenset[str], *, nearest_last: bool) -> GazetteerMatch | None:
    """The nearest mention of a ``preferred`` type if there is one, else the nearest mention."""
    if not candidates:
        return None
    ordered = list(reversed(candidates)) if nearest_last else candidates
    for match in ordered:
        if match.type in preferred:
            return match
    return ordered[0]


class RulesExtractor:
    """BASELINE event extractor: lexicon triggers plus gazetteer actors and recipients."""

    description = (
        "BASELINE: PLOVER events from a trigger lexicon, actor/recipient by sentence heuristics over gazetteer mentions"
    )

    def __init__(
        self,
        actors: str | Path | None = None,
        lexicon: str | Path | None = None,
        *,
        gazetteer: Gazetteer | None = None,
        ontology: Ontology | None = None,
    ) -> None:
        """Compile the gazetteer (``actors``) and the trigger lexicon (default files) for ``ontology``.

        ``ontology`` (default: label_config/ontology.yaml) checks the lexicon and
        gives the roles the actor, recipient and location fill (its coder mapping).
        """
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer(actors)
        lexicon_path = Path(lexicon) if lexicon is not None else default_lexicon_path()
        self.ontology = ontology if ontology is not None else load_ontology()
        self.lexicon = load_lexicon(lexicon_path, self.ontology)
        self._triggers = _TriggerMatcher(self.lexicon)
        self._preferred = frozenset(self.lexicon.preferred_types or ())
        self._places = frozenset(self.lexicon.place_types or ())
        self._flags = [(cue.flag, re.compile(cue.pattern, re.IGNORECASE)) for cue in self.lexicon.flags or ()]
        self.name = "rules"
        self.version = (
            f"{__version__}+lexicon.{sha256_file(lexicon_path)[:8]}+actors.{self.gazetteer.dictionary.sha256[:8]}"
        )

    def extract(self, articles: Iterable[Article]) -> Iterator[DocumentAnnotation]:
        """One DocumentAnnotation per article: gazetteer mentions plus lexicon events."""
        origin = Origin(kind="extractor", name=self.name, version=self.version)
        for article in articles:
            mentions, events = self.annotate(article.text)
            yield DocumentAnnotation(doc_id=article.id, origin=origin, mentions=mentions, events=events)

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
        places, preferred = self._places, self._preferred
        before = [m for m in in_sentence if m.end <= trig.start and m.type not in places]
        after_all = [m for m in in_sentence if m.start >= trig.end]
        after = [m for m in after_all if m.type not in places and m.start - trig.end <= RECIPIENT_WINDOW]
        tail = text[trig.end : trig.end + 12]
        actor: GazetteerMatch | None
        recipients: list[GazetteerMatch] = []
        if _BETWEEN.match(tail) or _OF_BY.match(tail):
            actor = after[0] if after else _pick(before, preferred, nearest_last=True)
            rest = [m for m in after[1:] if actor is None or m.canonical_id != actor.canonical_id]
            picked = _pick(rest, preferred, nearest_last=False)
            recipients = [picked] if picked else []
        else:
            actor = _pick(before, preferred, nearest_last=True)
            picked = _pick(after, preferred, nearest_last=False)
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
            m
            for m in after_all
            if m.type in places
            and m.start - trig.end <= LOCATION_WINDOW
            and _LOC_PREP.search(text, max(0, m.start - 12), m.start)
        ][:1]
        head = text[max(0, trig.start - FLAG_CUE_CHARS) : trig.start]
        flags = [flag for flag, cue in self._flags if cue.search(head)]
        arguments: list[Argument] = []
        for slot, matches in (
            (_SOURCE, [actor] if actor is not None else []),
            (_TARGET, recipients),
            (_LOCATION, locations),
        ):
            for match in matches:
                role, _ = role_for_slot(self.ontology, slot, trig.rule.type, match.type)
                if role is not None:
                    arguments.append(Argument(role=role, mention=mention_ids[id(match)]))
        return Event(
            id=event_id,
            type=trig.rule.type,
            mode=trig.rule.mode,
            trigger=Span(start=trig.start, end=trig.end, text=text[trig.start : trig.end]),
            arguments=arguments,
            flags=flags,
        )
