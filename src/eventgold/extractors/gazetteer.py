"""The ``gazetteer`` extractor: actor mentions found by the names in the actor dictionary.

Matching is case- and diacritic-insensitive (except for ``aliases_cased``, matched
with their case: "US" but not "us"), treats spaces and hyphens alike, makes an
apostrophe of a name optional ("Kata'ib" matches "Kataib"; curly quotes and
the transliteration marks ʾ ʿ count as apostrophes), makes a leading "Al-"/"al-"/"Al "/"el-" of a name part optional,
respects word boundaries and takes the longest name at each position. All names
are compiled into one regular expression shaped as a character trie, so an
article is scanned once, whatever the size of the dictionary.

The text is folded (diacritics removed, dashes and apostrophes unified) by a
character-for-character map of equal length, so match offsets slice the
ORIGINAL article text exactly.

Capitals (entries with ``capital_of``) follow the rule documented at the top
of ``actors.yaml``: after "in/to/from/near/at/..." they are a LOCATION with the
city's id, elsewhere the STATE they stand for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from eventgold import __version__
from eventgold.actors.dictionary import ActorDictionary, ActorEntry, load_actor_dictionary
from eventgold.errors import ConfigError
from eventgold.models import Article, DocumentAnnotation, Mention, Origin
from eventgold.offsets import span_fields

_SEP = "\x00"  # a run of spaces and/or hyphens inside a name
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_APOSTROPHES = "\u2018\u2019\u201b\u02bc\u02bb\u02be\u02bf\u0060\u00b4\u2032"
_ARTICLES = ("al", "el")
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|to|from|near|at|into|inside|outside|around|across|toward|towards|via|over)"
    r"|\bcapital,?|\bcity\s+of)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# ... except the destination of a visit, which stands for its host government (GUIDELINES.md)
_VISIT_TO = re.compile(r"\b(?:visit(?:s|ed|ing)?|trip)\s+to\s+(?:the\s+)?$", re.IGNORECASE)


class _FoldTable(dict[int, str]):
    """``str.translate`` table: one character in, one character out (length-preserving)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _DASHES:
            out = "-"
        elif char in _APOSTROPHES:
            out = "'"
        else:
            decomposed = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out = decomposed if len(decomposed) == 1 else char
        self[code] = out
        return out


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Strip diacritics and unify dashes and apostrophes, keeping length and case.

    ``len(fold(t)) == len(t)`` always, so offsets found in the folded text are
    offsets in ``t``.
    """
    if text.isascii():
        return text
    return text.translate(_FOLD)


def _key(text: str, *, cased: bool) -> str:
    """The lookup key of a name: letters and digits only (lower-cased unless ``cased``)."""
    folded = fold(text)
    if not cased:
        folded = folded.lower()
    return "".join(c for c in folded if c.isalnum())


def _tokens(alias: str) -> list[str]:
    return [t for t in re.split(r"[\s\-]+", fold(alias)) if t]


def _variants(alias: str, *, cased: bool) -> tuple[str, list[str]]:
    """The explicit form of ``alias`` and its generated variants, as trie strings."""
    tokens = _tokens(alias if cased else alias.lower())
    explicit = _SEP.join(tokens)
    generated: list[str] = []
    if not cased:
        if "'" in explicit:
            generated.append(explicit.replace("'", ""))
        without_articles = [
            t for i, t in enumerate(tokens) if not (t in _ARTICLES and i < len(tokens) - 1)
        ]
        if len(without_articles) < len(tokens) and without_articles:
            short = _SEP.join(without_articles)
            generated.append(short)
            if "'" in short:
                generated.append(short.replace("'", ""))
    return explicit, generated


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching exactly ``words`` (trie-shaped; longer alternatives tried first)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        terminal = "" in node
        branches = []
        for char in sorted(k for k in node if k):
            head = r"[\s\-]+" if char == _SEP else re.escape(char)
            branches.append(head + emit(node[char]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Greedy optional: the longer name is tried first, the shorter one on backtracking.
        return f"(?:{body})?" if terminal else body

    return emit(trie)


@dataclass(frozen=True)
class GazetteerMatch:
    """One actor mention found in a text: offsets into the original text and its identity."""

    start: int
    end: int
    text: str
    canonical_id: str
    type: str
    country: str | None
    sector: str | None
    entry_id: str
    """The dictionary entry whose name matched (a capital's id even when read as its state)."""


class Gazetteer:
    """A compiled actor dictionary: finds every actor name of it in a text in one pass."""

    def __init__(self, dictionary: ActorDictionary) -> None:
        """Compile the names of ``dictionary``; ConfigError when two entries share a name."""
        self.dictionary = dictionary
        self._insensitive: dict[str, str] = {}
        self._cased: dict[str, str] = {}
        explicit_owner: dict[tuple[bool, str], str] = {}
        generated_owner: dict[tuple[bool, str], set[str]] = {}
        words_i: set[str] = set()
        words_c: set[str] = set()
        problems: list[str] = []
        for entry in dictionary.entries.values():
            for cased, names in ((False, list(entry.names())), (True, list(entry.aliases_cased))):
                for name in names:
                    explicit, generated = _variants(name, cased=cased)
                    if not explicit:
                        continue
                    key = (cased, _key(explicit, cased=cased))
                    owner = explicit_owner.setdefault(key, entry.id)
                    if owner != entry.id:
                        problems.append(f"{name!r} names both {owner} and {entry.id}")
                    (words_c if cased else words_i).add(explicit)
                    for variant in generated:
                        gkey = (cased, _key(variant, cased=cased))
                        generated_owner.setdefault(gkey, set()).add(entry.id)
                        (words_c if cased else words_i).add(variant)
        if problems:
            where = f"{dictionary.path}: " if dictionary.path else ""
            raise ConfigError(
                where + "ambiguous names in the actor dictionary: " + "; ".join(problems)
            )
        dropped: set[tuple[bool, str]] = set()
        for key, owners in generated_owner.items():
            if key in explicit_owner:
                continue
            if len(owners) == 1:
                explicit_owner[key] = next(iter(owners))
            else:
                dropped.add(key)  # a generated short form shared by two actors: too ambiguous
        for (cased, name_key), owner in explicit_owner.items():
            (self._cased if cased else self._insensitive)[name_key] = owner
        words_i = {w for w in words_i if (False, _key(w, cased=False)) not in dropped}
        pattern_i = _trie_regex(words_i) or "(?!)"
        pattern_c = _trie_regex(words_c) or "(?!)"
        self._regex = re.compile(
            rf"(?<!\w)(?:(?P<i>(?i:{pattern_i}))|(?P<c>{pattern_c}))(?!\w)"
        )

    def find(self, text: str) -> list[GazetteerMatch]:
        """Every actor mention in ``text``, left to right, non-overlapping, longest first."""
        folded = fold(text)
        out: list[GazetteerMatch] = []
        entries = self.dictionary.entries
        for m in self._regex.finditer(folded):
            start, end = m.span()
            cased = m.lastgroup == "c"
            table = self._cased if cased else self._insensitive
            entry_id = table.get(_key(m.group(), cased=cased))
            if entry_id is None:  # pragma: no cover - every trie word has a key
                continue
            entry = entries[entry_id]
            out.append(self._resolve(entry, text, start, end))
        return out

    def _resolve(self, entry: ActorEntry, text: str, start: int, end: int) -> GazetteerMatch:
        target = entry
        before = text[max(0, start - 24) : start]
        if entry.capital_of is not None and (not _LOCATIVE_BEFORE.search(before) or _VISIT_TO.search(before)):
            target = self.dictionary.entries[entry.capital_of]
        return GazetteerMatch(
            start=start,
            end=end,
            text=text[start:end],
            canonical_id=target.id,
            type=target.type,
            country=target.country,
            sector=target.sector,
            entry_id=entry.id,
        )

    def mentions(self, text: str, *, prefix: str = "m") -> list[Mention]:
        """The matches of ``text`` as Mentions with ids ``m1``, ``m2``, ..."""
        return [to_mention(match, f"{prefix}{i}") for i, match in enumerate(self.find(text), 1)]

    def candidates(self, text: str) -> list[ActorEntry]:
        """The entries found in ``text``, deduplicated, in order of first appearance."""
        seen: dict[str, ActorEntry] = {}
        for match in self.find(text):
            if match.canonical_id not in seen:
                seen[match.canonical_id] = self.dictionary.entries[match.canonical_id]
        return list(seen.values())


def to_mention(match: GazetteerMatch, mention_id: str) -> Mention:
    """A gazetteer match as a Mention record."""
    return Mention(
        id=mention_id, type=match.type, canonical_id=match.canonical_id, country=match.country, sector=match.sector,
        **span_fields(match),
    )


_CACHE: dict[tuple[str, str], Gazetteer] = {}


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """The gazetteer of the actor dictionary at ``path`` (default ``actors.yaml``), cached."""
    return load_gazetteer_for(load_actor_dictionary(path))


def load_gazetteer_for(dictionary: ActorDictionary) -> Gazetteer:
    """The compiled gazetteer of ``dictionary`` (cached by file and content hash)."""
    if not dictionary.sha256:
        return Gazetteer(dictionary)
    key = (str(dictionary.path), dictionary.sha256)
    if key not in _CACHE:
        _CACHE[key] = Gazetteer(dictionary)
    return _CACHE[key]


def actor_candidates(article: Article, gazetteer: Gazetteer | None = None) -> list[dict[str, str]]:
    """The ``actor_candidates`` task data of ``article``: ``[{"value": "<id> — <name>"}]``.

    One item per dictionary actor found in the article, deduplicated, in order
    of first appearance (a capital read as a state lists the state). The Label
    Studio push puts it in each task so annotators pick canonical ids.
    """
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    return [{"value": entry.candidate_value} for entry in gaz.candidates(article.text)]


class GazetteerExtractor:
    """Actor mentions from the actor dictionary (no events): a pre-annotation baseline."""

    description = "actor mentions from label_config/actors.yaml (dictionary lookup; baseline)"

    def __init__(
        self, actors: str | Path | None = None, gazetteer: Gazetteer | None = None
    ) -> None:
        """Use ``gazetteer`` if given, else compile the dictionary at ``actors`` (default file)."""
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer(actors)
        self.name = "gazetteer"
        self.version = f"{__version__}+actors.{self.gazetteer.dictionary.sha256[:12]}"

    def extract(self, articles: Iterable[Article]) -> Iterator[DocumentAnnotation]:
        """One DocumentAnnotation with the actor mentions of each article."""
        origin = Origin(kind="extractor", name=self.name, version=self.version)
        for article in articles:
            yield DocumentAnnotation(
                doc_id=article.id, origin=origin, mentions=self.gazetteer.mentions(article.text)
            )
