"""Cleaning: one whitespace normalisation, and removal of site furniture by data-file rules.

Whitespace normalisation (:func:`normalize_whitespace`). Every article's ``text`` goes
through it, and every offset annotators and extractors produce refers to its result:

1. line breaks: ``\\r\\n``, ``\\r`` and the other Unicode line breaks (``\\v``, ``\\f``,
   ``\\x1c``-``\\x1e``, ``\\x85``, U+2028, U+2029) become ``\\n``;
2. no-break spaces (U+00A0, U+202F, U+2007) become a plain space; stray byte-order marks
   (U+FEFF) and control characters other than tab are removed;
3. spaces (any whitespace) at the start and end of every line are removed;
4. runs of blank lines become one blank line (a paragraph break stays a paragraph break:
   a file that separates paragraphs by a single ``\\n`` keeps doing so);
5. blank lines at the start and end are removed: the text neither starts nor ends with
   whitespace.

No other change is made: no Unicode normalisation (NFC), no quote or dash folding, no
change inside a line. The function is idempotent.

Furniture removal (:func:`clean_text`) works on whole lines with the rules of
``cleaning_rules.yaml`` (see that file for the rule kinds), which users extend with
``--rules FILE``. A rule never edits inside a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eventgold.errors import ConfigError

RULE_KEYS = ("drop_lines", "drop_patterns", "cut_from", "source_lines", "source_prefixes")
_SPACES = (("\u00a0", " "), ("\u202f", " "), ("\u2007", " "), ("\ufeff", ""))
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x1f\x7f\x80-\x84\x86-\x9f]")


def normalize_whitespace(text: str) -> str:
    """Normalise line breaks, spaces and blank lines as the module docstring lists (idempotent)."""
    out: list[str] = []
    blank = False
    for old, new in _SPACES:  # str.replace is far faster than str.translate with a dict
        if old in text:
            text = text.replace(old, new)
    lines = text.splitlines()
    if _CONTROLS.search(text):
        lines = [_CONTROLS.sub("", line) for line in lines]
    for raw in lines:
        line = raw.strip()
        if not line:
            blank = bool(out)
            continue
        if blank:
            out.append("")
            blank = False
        out.append(line)
    return "\n".join(out)


def _line_key(line: str) -> str:
    return " ".join(line.split()).casefold()


@dataclass(frozen=True)
class CleaningRules:
    """Compiled furniture rules (see ``cleaning_rules.yaml`` for what each kind does)."""

    drop_lines: frozenset[str] = frozenset()
    drop_patterns: tuple[str, ...] = ()
    cut_from: tuple[str, ...] = ()
    source_lines: tuple[str, ...] = ()
    source_prefixes: tuple[str, ...] = ()
    min_body_chars: int = 200
    _drop_re: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _cut_re: re.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _source_line_res: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    _source_prefix_res: tuple[re.Pattern[str], ...] = field(default=(), repr=False, compare=False)
    # a line longer than this cannot equal a drop_lines entry, even with extra spaces
    _longest_drop_line: int = field(default=0, repr=False, compare=False)

    @classmethod
    def build(cls, data: dict[str, Any], origin: str) -> CleaningRules:
        """Validate and compile rules from a parsed YAML mapping (``origin`` names it in errors)."""
        lists: dict[str, tuple[str, ...]] = {}
        for key in RULE_KEYS:
            value = data.get(key) or []
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ConfigError(f"{origin}: {key!r} must be a list of non-empty strings")
            lists[key] = tuple(value)
        min_body = data.get("min_body_chars", 200)
        if not isinstance(min_body, int) or isinstance(min_body, bool) or min_body < 0:
            raise ConfigError(f"{origin}: 'min_body_chars' must be a whole number >= 0 (got {min_body!r})")

        def compile_one(key: str, pattern: str, needs_source: bool) -> re.Pattern[str]:
            try:
                compiled = re.compile(pattern, 0 if key == "source_prefixes" else re.IGNORECASE)
            except re.error as exc:
                raise ConfigError(f"{origin}: {key}: invalid regular expression {pattern!r}: {exc}") from exc
            if needs_source and "source" not in compiled.groupindex:
                raise ConfigError(f"{origin}: {key}: {pattern!r} needs a named group (?P<source>...)")
            return compiled

        def combined(key: str) -> re.Pattern[str] | None:
            patterns = lists[key]
            for p in patterns:
                compile_one(key, p, False)
            return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None

        drop_lines = frozenset(_line_key(v) for v in lists["drop_lines"])
        return cls(
            drop_lines=drop_lines,
            _longest_drop_line=4 * max((len(x) for x in drop_lines), default=0),
            drop_patterns=lists["drop_patterns"],
            cut_from=lists["cut_from"],
            source_lines=lists["source_lines"],
            source_prefixes=lists["source_prefixes"],
            min_body_chars=min_body,
            _drop_re=combined("drop_patterns"),
            _cut_re=combined("cut_from"),
            _source_line_res=tuple(compile_one("source_lines", p, True) for p in lists["source_lines"]),
            _source_prefix_res=tuple(compile_one("source_prefixes", p, True) for p in lists["source_prefixes"]),
        )

    def merged(self, other: dict[str, Any], origin: str) -> CleaningRules:
        """These rules extended by ``other`` (or replaced by it when it says ``replace: true``)."""
        own = CleaningRules.build(other, origin)
        if other.get("replace"):
            return own
        data: dict[str, Any] = {
            "drop_lines": [*self._raw_drop_lines, *(other.get("drop_lines") or [])],
            "min_body_chars": other.get("min_body_chars", self.min_body_chars),
        }
        for key in RULE_KEYS[1:]:
            extra = other.get(key) or []
            if not isinstance(extra, list):
                raise ConfigError(f"{origin}: {key!r} must be a list of non-empty strings")
            data[key] = [*getattr(self, key), *extra]
        return CleaningRules.build(data, origin)

    @property
    def _raw_drop_lines(self) -> list[str]:
        return sorted(self.drop_lines)

    def is_dropped(self, line: str) -> bool:
        """Whether a (stripped) line is furniture by ``drop_lines`` or ``drop_patterns``."""
        if len(line) <= self._longest_drop_line and _line_key(line) in self.drop_lines:
            return True
        return bool(self._drop_re and self._drop_re.fullmatch(line))

    def is_cut(self, line: str) -> bool:
        """Whether a (stripped) line starts a trailer (``cut_from``)."""
        return bool(self._cut_re and self._cut_re.fullmatch(line))

    def source_of_line(self, line: str) -> str | None:
        """The source a ``source_lines`` rule reads from a (stripped) line, if one matches."""
        return _named_source(pattern.fullmatch(line) for pattern in self._source_line_res)

    def source_prefix(self, paragraph: str) -> str | None:
        """The source a ``source_prefixes`` rule reads from the start of a paragraph, if any."""
        return _named_source(pattern.match(paragraph) for pattern in self._source_prefix_res)


def _named_source(matches: Iterable[re.Match[str] | None]) -> str | None:
    """The stripped ``source`` group of the first match whose group is not blank, else None."""
    for m in matches:
        if m and m.group("source") and m.group("source").strip():
            return m.group("source").strip()
    return None


def _load_yaml(text: str, origin: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping with keys {', '.join(RULE_KEYS)}")
    unknown = set(data) - {*RULE_KEYS, "min_body_chars", "replace"}
    if unknown:
        raise ConfigError(
            f"{origin}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
            f"allowed: {', '.join(RULE_KEYS)}, min_body_chars, replace"
        )
    return data


@lru_cache(maxsize=1)
def builtin_rules() -> CleaningRules:
    """The rules shipped in ``eventgold/ingest/cleaning_rules.yaml``."""
    text = resources.files("eventgold.ingest").joinpath("cleaning_rules.yaml").read_text(encoding="utf-8")
    return CleaningRules.build(_load_yaml(text, "cleaning_rules.yaml"), "cleaning_rules.yaml")


def load_rules(extra: Path | None = None) -> CleaningRules:
    """The built-in rules, extended (or replaced) by the user's rules file ``extra``."""
    rules = builtin_rules()
    if extra is None:
        return rules
    try:
        text = Path(extra).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{extra}: rules file not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{extra}: cannot read the rules file: {exc}") from exc
    return rules.merged(_load_yaml(text, str(extra)), str(extra))


@dataclass(frozen=True)
class Cleaned:
    """The result of :func:`clean_text`: the text, a source read from a line, what was removed."""

    text: str
    source: str | None = None
    removed_lines: int = 0
    cut_at: str | None = None


def clean_text(text: str, rules: CleaningRules) -> Cleaned:
    """Remove furniture lines from normalised ``text``; read a stated source from its line.

    The result is normalised again (removed lines leave no blank-line runs behind).
    """
    out: list[str] = []
    body_chars = 0
    removed = 0
    source: str | None = None
    cut_at: str | None = None
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not line:
            out.append(line)
            continue
        if rules.is_cut(line):
            if body_chars >= rules.min_body_chars:
                removed += sum(1 for rest in lines[i:] if rest)
                cut_at = line
                break
            removed += 1
            continue
        if rules.is_dropped(line):
            removed += 1
            continue
        found = rules.source_of_line(line)
        if found is not None:
            source = source or found
            removed += 1
            continue
        out.append(line)
        body_chars += len(line)
    if not removed:
        return Cleaned(text)
    return Cleaned(normalize_whitespace("\n".join(out)), source, removed, cut_at)
