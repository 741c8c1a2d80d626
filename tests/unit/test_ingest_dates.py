"""No invented dates: a date without a day is no date, and nothing ingest writes depends on the clock."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import importlib
import io
import json
import shutil
import sys
import time
import types
from pathlib import Path
from typing import Any

import pytest

from eventgold.errors import InputError
from eventgold.ingest import ingest, ingest_to_file
from eventgold.ingest.metadata import parse_date_string, parse_given_date, read_given_date
from eventgold.ingest.readers import html_published
from eventgold.jsonl import read_jsonl
from eventgold.models import Article
from eventgold.resources import packaged_samples

ROOT = Path(__file__).resolve().parents[2]
SEEDS = packaged_samples() / "articles"
# the shared case file (../shared/cases, next to the checkout); its content is kept here too,
# so the tests run where the shared folder is absent
SHARED_CASE = ROOT.parent / "shared" / "cases" / "partial-dates.csv"
PARTIAL_DATES_CSV = "".join(
    f"{line}\n"
    for line in (
        "id,published,title,text",
        "a1,2020-11,Iraqi premier meets envoy,Iraqi officials met the envoy in Baghdad on Sunday to discuss "
        "the troop withdrawal and border security.",
        "a2,November 2020,Talks resume in Baghdad,Negotiators from both governments resumed talks in Baghdad "
        "after a week-long pause over the ceasefire terms.",
        "a3,2020-02,Protest in Basra,Hundreds of protesters gathered outside the provincial council building "
        "in Basra demanding jobs and electricity.",
    )
)
BODY = (
    "Iraqi Foreign Minister Fouad Hussein concluded on Sunday a visit to Tehran where he held talks with "
    "Iranian officials on bilateral relations and the threat to close the embassy in Baghdad."
)


def _page(meta_date: str) -> str:
    return (
        '<html lang="en"><head><title>Iraq FM Requests Calm</title>'
        f'<meta property="article:published_time" content="{meta_date}">'
        f"</head><body><article><h1>Iraq FM Requests Calm</h1><p>{BODY}</p>"
        f"<p>{BODY.replace('Sunday', 'Monday')}</p></article></body></html>"
    )


def _partial_dates_csv() -> str:
    return SHARED_CASE.read_text(encoding="utf-8") if SHARED_CASE.is_file() else PARTIAL_DATES_CSV


# ---------------------------------------------------------------------------
# partial and full dates
# ---------------------------------------------------------------------------

PARTIAL = [
    "2020-11",
    "November 2020",
    "Nov 2020",
    "2020-02",
    "2020/11",
    "11/2020",
    "2020",
    "Sunday",
    "10:50 A.M.",
    "11:42 am",
    "November 22",
    "22 November",
    "Sunday, November 22",
    "2020-W47",
    "2020W47",
    "5",
]
FULL = [
    ("2020-11-22", dt.date(2020, 11, 22)),
    ("2020-11-22T10:00:00Z", dt.date(2020, 11, 22)),
    ("2020-11-22T23:30:00-05:00", dt.date(2020, 11, 22)),
    ("2020-11-22 11:42", dt.date(2020, 11, 22)),
    ("20201122", dt.date(2020, 11, 22)),
    ("November 22, 2020", dt.date(2020, 11, 22)),
    ("Sunday, November 22, 2020", dt.date(2020, 11, 22)),
    ("22 November 2020 10:50 A.M.", dt.date(2020, 11, 22)),
    ("Nov. 3rd, 2021", dt.date(2021, 11, 3)),
    ("9/28/2020", dt.date(2020, 9, 28)),
    ("28/9/2020", dt.date(2020, 9, 28)),
    ("28.09.2020", dt.date(2020, 9, 28)),
    ("2020/11/22 11:42 am", dt.date(2020, 11, 22)),
    ("Sun, 22 Nov 2020 10:50:00 GMT", dt.date(2020, 11, 22)),
    # a two-digit year is read by a fixed rule (strptime's %y: 69-99 -> 19xx), not by today's year
    ("11/22/20", dt.date(2020, 11, 22)),
    ("11/22/70", dt.date(1970, 11, 22)),
    ("2020-W47-7", dt.date(2020, 11, 22)),
    ("2020-W47-7T10:00", dt.date(2020, 11, 22)),
]
UNREADABLE = ["", "   ", "soon", "next week", "2020-02-30", "2020-13-01", "January 1, 1800", "Q3 2020", "2020-W54-1"]


@pytest.mark.parametrize("value", PARTIAL)
def test_a_date_without_a_day_month_or_year_is_partial_not_a_date(value: str) -> None:
    reading = read_given_date(value)
    assert (reading.date, reading.partial) == (None, True)
    assert parse_given_date(value) is None
    assert parse_date_string(value) is None


@pytest.mark.parametrize(("value", "expected"), FULL)
def test_a_full_date_is_read(value: str, expected: dt.date) -> None:
    reading = read_given_date(value)
    assert (reading.date, reading.partial) == (expected, False)
    assert parse_given_date(value) == expected


@pytest.mark.parametrize("value", UNREADABLE)
def test_an_unreadable_value_is_neither(value: str) -> None:
    assert read_given_date(value) == read_given_date("soon")
    assert (read_given_date(value).date, read_given_date(value).partial) == (None, False)


# ---------------------------------------------------------------------------
# the shared case and the pipeline paths
# ---------------------------------------------------------------------------


def test_shared_case_partial_dates_are_null_with_the_raw_value_kept(tmp_path: Path) -> None:
    text = _partial_dates_csv()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    path = tmp_path / "partial-dates.csv"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    summary = ingest_to_file([path], out)
    assert summary.skipped == []
    articles = {a.id: a for a in read_jsonl(out, Article)}
    assert sorted(articles) == sorted(row["id"] for row in rows)
    for row in rows:
        article = articles[row["id"]]
        assert article.published is None, row
        assert article.meta["published_raw"] == row["published"]


def test_partial_date_in_jsonl_is_null_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"id": "j1", "text": BODY, "date": "Sunday"}) + "\n", encoding="utf-8")
    (article,) = ingest([path])
    assert article.published is None
    assert article.meta["published_raw"] == "Sunday"


def test_full_given_date_has_no_raw_copy(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(f"text,date\n{BODY},2020-11-22\n", encoding="utf-8")
    (article,) = ingest([path])
    assert article.published == dt.date(2020, 11, 22)
    assert "published_raw" not in article.meta


def test_unreadable_given_date_is_still_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(f"text,date\n{BODY},next week\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read the date 'next week'"):
        list(ingest([path]))


@pytest.mark.parametrize("meta_date", ["2020-11", "November 2020", "2020"])
def test_partial_html_metadata_date_is_null_and_kept(tmp_path: Path, meta_date: str) -> None:
    path = tmp_path / "page.html"
    path.write_text(_page(meta_date), encoding="utf-8")
    (article,) = ingest([path])
    assert article.published is None
    assert article.meta["published_raw"] == meta_date


def test_full_html_metadata_date_is_read(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(_page("2020-09-28T10:00:00Z"), encoding="utf-8")
    (article,) = ingest([path])
    assert article.published == dt.date(2020, 9, 28)


def test_partial_html_metadata_date_gives_way_to_a_stated_header_date(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    page = _page("2020-11").replace("<h1>Iraq FM Requests Calm</h1>", "<h1>Iraq FM Requests Calm</h1><p>2020/11/22</p>")
    path.write_text(page, encoding="utf-8")
    (article,) = ingest([path])
    assert article.published == dt.date(2020, 11, 22)
    assert article.meta["published_raw"] == "2020/11/22"


# ---------------------------------------------------------------------------
# the clock: the same corpus whatever day it is built
# ---------------------------------------------------------------------------


class _FrozenMeta(type):
    """isinstance() and issubclass() see a frozen class as the real one (as freezegun does)."""

    real: type

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, cls.real)

    def __subclasscheck__(cls, sub: type) -> bool:
        return issubclass(sub, cls.real)


def _freeze(monkeypatch: pytest.MonkeyPatch, when: dt.datetime) -> None:
    """Make every clock the parsers and ingest could read say ``when`` (no new dependency).

    dateutil's default date is ``datetime.datetime.now()`` and its two-digit-year window is
    ``time.localtime()``; htmldate's latest date is ``datetime.now()``. Every module of these
    libraries and of eventgold.ingest that holds the ``datetime`` or ``time`` module, their
    ``datetime``/``date`` classes or the clock functions, gets a frozen one.
    """
    importlib.import_module("trafilatura")  # imported lazily by ingest: load it now so it is frozen too
    stamp = calendar.timegm(when.timetuple())

    class FrozenDateTime(dt.datetime, metaclass=_FrozenMeta):
        real = dt.datetime

        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Any:
            return when if tz is None else when.replace(tzinfo=dt.UTC).astimezone(tz)

        @classmethod
        def today(cls) -> Any:
            return when

        @classmethod
        def utcnow(cls) -> Any:
            return when

    class FrozenDate(dt.date, metaclass=_FrozenMeta):
        real = dt.date

        @classmethod
        def today(cls) -> Any:
            return when.date()

    clock = types.ModuleType("datetime")
    clock.__dict__.update(vars(dt))
    clock.datetime = FrozenDateTime  # type: ignore[misc]
    clock.date = FrozenDate  # type: ignore[misc]

    def localtime(secs: float | None = None) -> time.struct_time:
        return time.gmtime(stamp if secs is None else secs)

    def frozen_time() -> float:
        return float(stamp)

    frozen_time_module = types.ModuleType("time")
    frozen_time_module.__dict__.update(vars(time))
    frozen_time_module.localtime = localtime  # type: ignore[assignment]
    frozen_time_module.gmtime = localtime  # type: ignore[assignment]
    frozen_time_module.time = frozen_time  # type: ignore[assignment]
    replace: dict[int, object] = {
        id(dt): clock,
        id(dt.datetime): FrozenDateTime,
        id(dt.date): FrozenDate,
        id(time): frozen_time_module,
        id(time.localtime): localtime,
        id(time.time): frozen_time,
    }
    prefixes = ("dateutil", "htmldate", "trafilatura", "eventgold.ingest")
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(prefixes):
            continue
        for attr, value in list(vars(module).items()):
            if id(value) in replace:
                monkeypatch.setattr(module, attr, replace[id(value)])


def _build_corpus(folder: Path, out: Path) -> bytes:
    summary = ingest_to_file([folder], out, workers=1)
    assert summary.skipped == []
    return out.read_bytes()


def test_frozen_clock_changes_what_now_says(monkeypatch: pytest.MonkeyPatch) -> None:
    from dateutil.parser import _parser

    with monkeypatch.context() as m:
        _freeze(m, dt.datetime(2031, 1, 31, 12, 0))
        assert _parser.datetime.datetime.now().date() == dt.date(2031, 1, 31)
        assert _parser.time.localtime().tm_year == 2031
        assert isinstance(dt.datetime(2020, 1, 1), _parser.datetime.datetime)


def test_the_corpus_is_byte_identical_whatever_day_it_is_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "partial-dates.csv").write_text(_partial_dates_csv(), encoding="utf-8")
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    (folder / "page.html").write_text(_page("2020-11"), encoding="utf-8")
    rows = [
        {"id": "w1", "text": BODY, "date": "Sunday"},
        {"id": "w2", "text": BODY.replace("Tehran", "Riyadh"), "date": "10:50 A.M."},
    ]
    (folder / "weekday.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    outputs = []
    for i, when in enumerate([dt.datetime(2031, 1, 31, 23, 59), dt.datetime(2044, 6, 15, 0, 1)]):
        with monkeypatch.context() as m:
            _freeze(m, when)
            outputs.append(_build_corpus(folder, tmp_path / f"corpus{i}.jsonl"))
    assert outputs[0] == outputs[1]
    articles = [Article.model_validate_json(line) for line in outputs[0].splitlines()]
    assert len(articles) == 5 + 3 + 1 + 2
    dated = {a.id: a.published for a in articles if a.published is not None}
    assert all(d.year == 2020 for d in dated.values()), dated


# ---------------------------------------------------------------------------
# the page's metadata date, as written
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<meta property="article:published_time" content="2020-09-28T10:00:00Z">', "2020-09-28T10:00:00Z"),
        ('<meta name="pubdate" content=" 2020-11 ">', "2020-11"),
        ('<meta itemprop="datePublished" content="November 22, 2020">', "November 22, 2020"),
        ('<meta name="DC.date.issued" content="2020-11-22">', "2020-11-22"),
        (
            '<meta property="article:modified_time" content="2021-01-01">'
            '<meta property="og:published_time" content="2020-11-22">',
            "2020-11-22",
        ),
        ('<meta property="article:modified_time" content="2021-01-01">', None),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebPage"},'
            ' {"@type": "NewsArticle", "datePublished": "2020-11-22T09:00:00+03:00"}]}</script>',
            "2020-11-22T09:00:00+03:00",
        ),
        ('<script type="application/ld+json">{not json</script>', None),
        ("", None),
    ],
    ids=["og-time", "partial-name", "itemprop", "dublin-core", "modified-skipped", "modified-only", "json-ld",
         "bad-json-ld", "none"],
)
def test_html_published_is_the_stated_value(head: str, expected: str | None) -> None:
    page = f"<html><head>{head}</head><body><p>{BODY}</p></body></html>"
    assert html_published(page) == expected


def test_html_published_from_a_time_element_and_meta_first() -> None:
    timed = (
        f'<html><body><article><time itemprop="datePublished">22 Nov 2020</time><p>{BODY}</p></article></body></html>'
    )
    assert html_published(timed) == "22 Nov 2020"
    assert html_published(timed.replace("<time ", '<time datetime="2020-11-22" ')) == "2020-11-22"
    both = timed.replace("<html>", '<html><head><meta name="date" content="2020-11-21"></head>')
    assert html_published(both) == "2020-11-21"
    # a <time> that is not marked as the publication date is not taken
    assert html_published(f"<html><body><time>2020-11-22</time><p>{BODY}</p></body></html>") is None
