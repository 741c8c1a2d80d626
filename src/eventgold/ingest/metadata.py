"""Article metadata read from the text: headline, publication date, dateline, source, language.

Scraped text starts with a *header*: the short lines before the first body paragraph
(a category label such as "Middle east", the headline, a date line such as
"452 Policy 2020/11/22 11:42 am"). :func:`read_header` takes the headline out of the text
into ``title`` (Label Studio shows ``title`` above the text, so it is not repeated in it),
moves category labels into ``meta["category"]`` and date lines into ``published``. A body
paragraph is a line longer than 200 characters, or of six words or more ending like a
sentence (``.`` or ``!``, possibly before a closing quote). The headline is the first header
line of four words or more; shorter lines before it are category labels. Without a body
paragraph after it there is no header: a text that starts with its body has no title
(``title`` is null) and keeps every line.

Dates: our regular expressions find the date string (ISO ``2020-11-22``, ``2020/11/22``,
``9/28/2020``, ``28.9.2020``, ``November 22, 2020``, ``22 November 2020``, with an optional
time), python-dateutil reads it. A date counts as the publication date only where a page
states one: a header line of at most 80 characters, or the very start of the first body
paragraph, optionally after "date", "published", "posted", "updated" or
"Today, <weekday> (". Dates inside the story are never taken.

No invented dates: a value without a year, a month or a day ("2020-11", "November 2020",
"2020", "Sunday", "10:50 A.M.", "November 22", the ISO week "2020-W47") is not a date.
dateutil fills missing fields from a default date, today's unless told otherwise, so every
value is read twice with two defaults that differ in year, month and day
(:func:`read_given_date`): a value whose two readings differ lacks a field and is *partial*
(the caller keeps it raw, in ``meta["published_raw"]``). Two-digit years follow strptime's
fixed ``%y`` rule (69-99 are 19xx, 00-68 are 20xx), not dateutil's window around the
current year, so nothing here depends on the day it runs.

The dateline place ("BEIRUT, LEBANON (10:50 A.M.) –", "BAGHDAD (Reuters) -") at the start of
the first paragraph goes into ``meta["dateline"]``; the text is not changed.

Language: a dependency-free guess from the script (Arabic, Persian, Urdu, Cyrillic, Hebrew,
Greek, CJK, ...) and, for Latin script, the share of stop words of a few languages; ``None``
when unsure. Give a language column for anything that matters more.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from dateutil import parser as date_parser

from eventgold.ingest.cleaning import CleaningRules, normalize_whitespace

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?\s?m\.?)?)?"
_DATE = (
    r"(?:(?P<iso>\d{4}-\d{1,2}-\d{1,2})(?:T\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|(?P<ymd>\d{4}/\d{1,2}/\d{1,2})"
    r"|(?P<mdy>\d{1,2}/\d{1,2}/\d{4})"
    r"|(?P<dmy>\d{1,2}\.\d{1,2}\.\d{4})"
    rf"|(?P<named>{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
    rf"|(?P<dnamed>\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}))"
)
DATE_RE = re.compile(rf"(?<![\w/.-]){_DATE}{_TIME}(?![\w/])", re.IGNORECASE)
_LEAD_DATE_RE = re.compile(
    rf"(?:(?:date[d]?|published|posted|updated)(?:\s+on)?\s*:?\s*"
    rf"|today,?\s+(?:(?:on\s+)?{_WEEKDAYS},?\s*)?\(?\s*)?{_DATE}{_TIME}\)?[,.]?\s*",
    re.IGNORECASE,
)
_DATELINE_RE = re.compile(
    r"(?P<place>[A-Z][A-Z'’.\-]+(?:,?\s+[A-Z][A-Z'’.\-]+){0,4})\s*"
    r"(?:\((?P<paren>[^()]{1,40})\)\s*)?[–—-]+\s"
)
_SENTENCE_END = re.compile(r"(?<!\.\.)[.!][\"'”’)]?$")
_BODY_CHARS = 200
_HEADER_LINES = 8
_DATE_LINE_CHARS = 80
_TITLE_WORDS = 4
_TITLE_CHARS = 250


def _words(line: str) -> int:
    return len(line.split())


def is_body_line(line: str) -> bool:
    """Whether a line reads like a body paragraph rather than a header line (see module doc)."""
    return len(line) > _BODY_CHARS or (_words(line) >= 6 and bool(_SENTENCE_END.search(line)))


class _FixedCentury(date_parser.parserinfo):
    """dateutil's parserinfo without the clock: a two-digit year is 1969-2068 (strptime's ``%y``)."""

    def convertyear(self, year: int, century_specified: bool = False) -> int:
        """Two-digit years by a fixed rule; dateutil's own rule depends on the current year."""
        if year < 100 and not century_specified:
            return year + (1900 if year >= 69 else 2000)
        return year


_PARSER = date_parser.parser(_FixedCentury())
# two defaults that differ in year, month and day (days 1 and 2 exist in every month, so
# dateutil never clips them): a field missing from the value shows as two different readings
_DEFAULTS = (dt.datetime(2001, 1, 1), dt.datetime(2002, 2, 2))
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]|$)")
_ISO_WEEK = re.compile(r"\d{4}-?W\d{2}(?P<day>-?[1-7])?(?=[T ]|$)", re.IGNORECASE)
_YEARS = (1900, 2100)


@dataclass(frozen=True)
class DateReading:
    """What a date value says: a full ``date``, or none; ``partial`` when it lacks a day, month or year."""

    date: dt.date | None = None
    partial: bool = False


def _read_with_dateutil(value: str, *, dayfirst: bool = False, yearfirst: bool = False) -> DateReading:
    """Read ``value`` with dateutil twice, with two different defaults; see the module doc."""
    readings = set()
    for default in _DEFAULTS:
        try:
            parsed = _PARSER.parse(value, default=default, dayfirst=dayfirst, yearfirst=yearfirst, ignoretz=True)
        except (ValueError, OverflowError):
            return DateReading()
        readings.add(parsed.date())
    if len(readings) > 1:
        return DateReading(partial=True)
    (day,) = readings
    return DateReading(day) if _YEARS[0] <= day.year <= _YEARS[1] else DateReading()


def parse_date_string(value: str) -> dt.date | None:
    """Read one date string with python-dateutil (day first only for ``28.9.2020``); None if invalid."""
    m = DATE_RE.search(value)
    if m is None:
        return None
    return _parse_match(m)


def _parse_match(m: re.Match[str]) -> dt.date | None:
    kind = next(k for k in ("iso", "ymd", "mdy", "dmy", "named", "dnamed") if m.group(k))
    return _read_with_dateutil(m.group(kind), dayfirst=kind == "dmy", yearfirst=kind in ("iso", "ymd")).date


def read_given_date(value: str) -> DateReading:
    """A date given in a column or HTML metadata: ISO first, then our patterns, then dateutil.

    A value that dateutil reads but that lacks a day, month or year ("2020-11", "November
    2020", "Sunday", "10:50 A.M.") comes back ``partial`` with no date; an unreadable one
    (empty, "soon", "2020-02-30") with neither.
    """
    value = value.strip()
    if not value:
        return DateReading()
    if _ISO_DAY.match(value):
        try:
            return DateReading(dt.date.fromisoformat(value[:10]))
        except ValueError:
            pass
    week = _ISO_WEEK.match(value)
    if week is not None:  # an ISO week ("2020-W47") without its day is partial
        if not week.group("day"):
            return DateReading(partial=True)
        try:
            return DateReading(dt.date.fromisoformat(week.group(0).strip().upper()))
        except ValueError:
            return DateReading()
    found = parse_date_string(value)
    if found is not None:
        return DateReading(found)
    return _read_with_dateutil(value)


def parse_given_date(value: str) -> dt.date | None:
    """A date given in a column or HTML metadata (:func:`read_given_date`); None unless it is a full date."""
    return read_given_date(value).date


def _line_key(line: str) -> str:
    return " ".join(line.split()).casefold()


@dataclass
class Header:
    """What :func:`read_header` found, and the text without the header lines it consumed."""

    text: str
    title: str | None = None
    published: dt.date | None = None
    published_raw: str | None = None
    category: str | None = None
    dateline: str | None = None
    source: str | None = None
    agency: str | None = None


def read_header(text: str, rules: CleaningRules, *, known_title: str | None = None) -> Header:
    """Split the header off normalised, cleaned ``text``; read title, date, dateline, source.

    ``known_title`` (from a title column or HTML metadata) wins over a headline found in the
    text; a header line equal to it is removed from the text.
    """
    lines = text.split("\n")
    body_at = None
    seen = 0
    for i, line in enumerate(lines):
        if not line:
            continue
        if is_body_line(line):
            body_at = i
            break
        seen += 1
        if seen >= _HEADER_LINES:
            break
    header = Header(text=text, title=known_title)
    if body_at is not None and body_at > 0:
        removed = _consume_header(lines[:body_at], header, known_title)
        if removed:
            kept = [line for i, line in enumerate(lines) if i not in removed]
            header.text = normalize_whitespace("\n".join(kept))
    first = next((line for line in header.text.split("\n") if line), "")
    _read_lead(first, header, rules)
    return header


def _consume_header(lines: list[str], header: Header, known_title: str | None) -> set[int]:
    """Classify the header ``lines``; return the indices of those taken out of the text."""
    removed: set[int] = set()
    labels: list[int] = []
    title_at: int | None = None
    wanted = _line_key(known_title) if known_title else None
    for i, line in enumerate(lines):
        if not line:
            continue
        m = DATE_RE.search(line) if len(line) <= _DATE_LINE_CHARS else None
        if m is not None:
            parsed = _parse_match(m)
            if parsed is not None:
                if header.published is None:
                    header.published, header.published_raw = parsed, m.group(0).strip()
                removed.add(i)
                continue
        if title_at is not None:
            continue
        if wanted is not None:
            if _line_key(line) == wanted:
                title_at = i
            elif _words(line) < _TITLE_WORDS:
                labels.append(i)
            continue
        if (_words(line) >= _TITLE_WORDS or len(line) >= 40) and len(line) <= _TITLE_CHARS:
            title_at = i
        elif _words(line) < _TITLE_WORDS:
            labels.append(i)
    if title_at is not None:
        if known_title is None:
            header.title = lines[title_at]
        removed.add(title_at)
        found = [i for i in labels if i < title_at]
        if found:
            header.category = " / ".join(lines[i] for i in found)
            removed.update(found)
    return removed


def _read_lead(first: str, header: Header, rules: CleaningRules) -> None:
    """Date, dateline, agency and source stated at the very start of the first paragraph."""
    rest = first
    m = _LEAD_DATE_RE.match(first)
    if m is not None:
        if header.published is None:
            parsed = _parse_match(m)
            if parsed is not None:
                header.published, header.published_raw = parsed, m.group(0).strip(" ,.()")
        rest = first[m.end():]
    d = _DATELINE_RE.match(rest)
    if d is not None:
        place = d.group("place").strip(" ,")
        if len(place) >= 3 and any(len(w) >= 3 for w in re.split(r"[\s,]+", place)):
            header.dateline = place
            paren = d.group("paren")
            if paren and not any(ch.isdigit() for ch in paren):
                header.agency = paren.strip()
    header.source = rules.source_prefix(first)


# ---------------------------------------------------------------------------
# language
# ---------------------------------------------------------------------------

_SCRIPTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("arabic", re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")),
    ("latin", re.compile(r"[A-Za-z\u00c0-\u024f]")),
    ("cyrillic", re.compile(r"[\u0400-\u04ff]")),
    ("hebrew", re.compile(r"[\u0590-\u05ff]")),
    ("greek", re.compile(r"[\u0370-\u03ff]")),
    ("han", re.compile(r"[\u4e00-\u9fff]")),
    ("kana", re.compile(r"[\u3040-\u30ff]")),
    ("hangul", re.compile(r"[\uac00-\ud7af]")),
    ("devanagari", re.compile(r"[\u0900-\u097f]")),
    ("thai", re.compile(r"[\u0e00-\u0e7f]")),
)
_SINGLE_SCRIPT = {"hebrew": "he", "greek": "el", "hangul": "ko", "devanagari": "hi", "thai": "th", "kana": "ja"}


def _stop(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STOPWORDS: dict[str, frozenset[str]] = {
    "en": _stop("the of and to in is that for on was with said as by at from his it are be has have"),
    "fr": _stop("le la les des et est une un du que dans pour sur au qui pas avec ce il elle"),
    "es": _stop("el la los las del y que en un una por con para es se al lo su como"),
    "de": _stop("der die das und ist nicht ein eine zu den mit von im des auf sich dem auch"),
    "it": _stop("il di che e un una per con non del della sono nel alla gli le si"),
    "pt": _stop("o os as do da dos das que e um uma para com não no na em foi ao"),
    "nl": _stop("de het een en van is dat op te zijn niet met voor aan ook"),
    "tr": _stop("ve bir bu da de için ile olarak olan gibi daha çok ama"),
    "id": _stop("yang dan di ini itu dengan untuk dari dalam tidak akan pada"),
}
_STOP_INDEX: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, stop in _STOPWORDS.items() if word in stop)
    for word in set().union(*_STOPWORDS.values())
}
_WORD = re.compile(r"[^\W\d_]+")
_LANG_SAMPLE = 1200


def detect_language(text: str) -> str | None:
    """A guess of the ISO 639-1 language of ``text`` (see the module docstring); None if unsure."""
    sample = text[:_LANG_SAMPLE]
    non_ascii = len(sample) - len(sample.encode("ascii", "ignore"))
    if non_ascii * 10 < len(sample):
        return _latin_language(sample)  # mostly ASCII: Latin script, skip the script census
    counts = {name: len(pattern.findall(sample)) for name, pattern in _SCRIPTS}
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n < 20:
        return None
    if script == "arabic":
        if re.search(r"[\u0679\u0688\u0691\u06ba\u06d2]", sample):
            return "ur"
        persian = len(re.findall(r"[\u067e\u0686\u0698\u06af\u06cc\u06a9]", sample))
        arabic = len(re.findall(r"[\u064a\u0643\u0629]", sample))
        return "fa" if persian > arabic else "ar"
    if script == "cyrillic":
        return "uk" if re.search(r"[їєґ]", sample, re.IGNORECASE) else "ru"
    if script == "han":
        return "ja" if counts["kana"] > 0 else "zh"
    if script in _SINGLE_SCRIPT:
        return _SINGLE_SCRIPT[script]
    return _latin_language(sample)


def _latin_language(sample: str) -> str | None:
    words = Counter(_WORD.findall(sample.lower()))
    total = sum(words.values())
    if total < 5:
        return None
    scores: Counter[str] = Counter({lang: 0 for lang in _STOPWORDS})
    for word in words.keys() & _STOP_INDEX.keys():
        for lang in _STOP_INDEX[word]:
            scores[lang] += words[word]
    ranked = scores.most_common(2)
    best, hits = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    if hits < 3 or hits < 0.08 * total or hits <= runner_up * 1.2:
        return None
    return best
