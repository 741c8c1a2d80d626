"""Headline, publication date, dateline, source and language read from the text."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil import parser as date_parser
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.ingest.cleaning import builtin_rules, normalize_whitespace
from eventgold.ingest.metadata import (
    Header,
    detect_language,
    is_body_line,
    parse_date_string,
    parse_given_date,
    read_header,
)

BODY = (
    "Iraqi Foreign Minister Fouad Hussein concluded on Sunday a visit to Tehran where he held talks with "
    "Iranian officials on bilateral relations and the threat to close the embassy in Baghdad."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date 2020-11-22", dt.date(2020, 11, 22)),
        ("9/28/2020", dt.date(2020, 9, 28)),
        ("2020-08-24 09:07", dt.date(2020, 8, 24)),
        ("2020/11/22 11:42 am", dt.date(2020, 11, 22)),
        ("Today, Sunday (November 22, 2020)", dt.date(2020, 11, 22)),
        ("22 November 2020", dt.date(2020, 11, 22)),
        ("Nov. 3rd, 2021", dt.date(2021, 11, 3)),
        ("28/9/2020", dt.date(2020, 9, 28)),
        ("28.09.2020", dt.date(2020, 9, 28)),
        ("2020-02-30", None),
        ("1800-01-01", None),
        ("no date here", None),
    ],
)
def test_parse_date_string(text: str, expected: dt.date | None) -> None:
    assert parse_date_string(text) == expected


@settings(max_examples=200)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_seed_formats_agree_with_dateutil_on_any_date(day: dt.date) -> None:
    """Our patterns find the string; the value is what dateutil itself reads (the reference)."""
    formats = [
        f"date {day.isoformat()}",
        f"{day.month}/{day.day}/{day.year}",
        f"{day.isoformat()} 09:07",
        f"{day.year}/{day.month:02d}/{day.day:02d} 11:42 am",
        f"Today, {day.strftime('%A')} ({day.strftime('%B')} {day.day}, {day.year})",
    ]
    for text in formats:
        assert parse_date_string(text) == day, text
    assert date_parser.parse(f"{day.strftime('%B')} {day.day}, {day.year}").date() == day


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2020-09-28T10:00:00Z", dt.date(2020, 9, 28)), ("Sep 28, 2020", dt.date(2020, 9, 28)), ("soon", None)],
)
def test_parse_given_date(value: str, expected: dt.date | None) -> None:
    assert parse_given_date(value) == expected


def _header(text: str, known_title: str | None = None) -> Header:
    return read_header(normalize_whitespace(text), builtin_rules(), known_title=known_title)


def test_category_label_is_not_the_title() -> None:
    h = _header(f"Middle east\n\nQaani Back in Iraq Again… What Are the Objectives?\n\n{BODY}")
    assert h.title == "Qaani Back in Iraq Again… What Are the Objectives?"
    assert h.category == "Middle east"
    assert h.text == BODY


def test_date_line_and_title_leave_the_text() -> None:
    h = _header(f"Iraq FM Requests Calm from Tehran\n\n452 Policy 2020/11/22 11:42 am\n\n{BODY}")
    assert h.title == "Iraq FM Requests Calm from Tehran"
    assert h.published == dt.date(2020, 11, 22)
    assert h.published_raw == "2020/11/22 11:42 am"
    assert h.text == BODY


def test_text_that_starts_with_its_body_has_no_title() -> None:
    h = _header(f"{BODY}\nA second paragraph that is short.")
    assert h.title is None
    assert h.text == f"{BODY}\nA second paragraph that is short."


def test_dates_inside_the_story_are_not_publication_dates() -> None:
    h = _header(f"{BODY} On Tuesday (November 17, 2020) he called.\n\nOn 2020-01-03 he was killed.")
    assert h.published is None


def test_lead_date_and_dateline() -> None:
    h = _header(f"date 2020-11-22 BEIRUT, LEBANON (10:50 A.M.) – {BODY}")
    assert h.published == dt.date(2020, 11, 22)
    assert h.dateline == "BEIRUT, LEBANON"
    assert h.agency is None
    assert h.text.startswith("date 2020-11-22 BEIRUT")  # the paragraph is not edited


def test_dateline_with_agency() -> None:
    h = _header(f"BAGHDAD (Reuters) - {BODY}")
    assert (h.dateline, h.agency) == ("BAGHDAD", "Reuters")


def test_known_title_is_removed_from_the_header() -> None:
    h = _header(f"World\nThe Headline From Metadata\n{BODY}", known_title="The Headline From Metadata")
    assert h.title == "The Headline From Metadata"
    assert h.category == "World"
    assert h.text == BODY


def test_a_short_text_keeps_every_line() -> None:
    h = _header("Only a short line\nand another")
    assert (h.title, h.text) == (None, "Only a short line\nand another")


@pytest.mark.parametrize(
    ("line", "body"),
    [(BODY, True), ("Short headline without a period", False), ("He said the talks went well today.", True)],
)
def test_is_body_line(line: str, body: bool) -> None:
    assert is_body_line(line) is body


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (BODY, "en"),
        ("Le ministre des affaires étrangères est arrivé à Bagdad pour une visite avec le président et les "
         "responsables du pays, qui ont discuté de la situation dans la région.", "fr"),
        ("El ministro de Asuntos Exteriores llegó a Bagdad para una visita con el presidente y los "
         "responsables del país, que hablaron de la situación en la región.", "es"),
        ("Der Außenminister ist zu einem Besuch in Bagdad eingetroffen und hat mit dem Präsidenten über die "
         "Lage in der Region gesprochen, die sich nicht verbessert hat.", "de"),
        ("وصل وزير الخارجية العراقي إلى طهران في زيارة رسمية التقى خلالها المسؤولين الإيرانيين لبحث العلاقات "
         "الثنائية والتهديد الأمريكي بإغلاق السفارة في بغداد", "ar"),
        ("وزیر امور خارجه عراق برای دیدار با مقام‌های ایرانی به تهران رسید و درباره روابط دو کشور و تهدید "
         "آمریکا برای بستن سفارت در بغداد گفتگو کرد", "fa"),
        ("Министр иностранных дел Ирака прибыл в Тегеран с визитом и обсудил с иранскими официальными лицами "
         "двусторонние отношения", "ru"),
        ("12345 67890 !!!", None),
        ("", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang
