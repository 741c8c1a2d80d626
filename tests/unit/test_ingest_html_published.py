"""A page's metadata gives its publication date, never its modification date, whatever comes first.

``readers.html_published`` reads ``<meta>`` names and properties of the first publication
(``article:published_time``, ``datePublished``, ``dc.date.issued``...), JSON-LD
``datePublished`` and ``<time itemprop="datePublished">``; ``dateModified``,
``article:modified_time``, ``og:updated_time``, ``last-modified`` and the like are never read,
even when they come before the published one.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from eventgold.ingest import ingest
from eventgold.ingest.readers import html_published

PUB = "2020-11-22T09:07:00+03:00"
MOD = "2020-11-25T18:30:00+03:00"


def _ld(obj: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


CASES = [
    ("meta-modified-first", f'<meta property="article:modified_time" content="{MOD}">'
                            f'<meta property="article:published_time" content="{PUB}">', PUB),
    ("og-updated-first", f'<meta property="og:updated_time" content="{MOD}">'
                         f'<meta property="og:published_time" content="{PUB}">', PUB),
    ("itemprop-modified-first", f'<meta itemprop="dateModified" content="{MOD}">'
                                f'<meta itemprop="datePublished" content="{PUB}">', PUB),
    ("dcterms-modified-first", f'<meta http-equiv="last-modified" content="{MOD}">'
                               f'<meta name="dcterms.modified" content="{MOD}">'
                               f'<meta name="dcterms.created" content="{PUB}">', PUB),
    ("json-ld-modified-key-first", _ld({"@type": "NewsArticle", "dateModified": MOD, "datePublished": PUB}), PUB),
    ("json-ld-graph-page-modified", _ld({"@graph": [{"@type": "WebPage", "dateModified": MOD},
                                                    {"@type": "NewsArticle", "datePublished": PUB}]}), PUB),
    ("json-ld-list", _ld([{"@type": "WebSite", "dateModified": MOD}, {"@type": "Article", "datePublished": PUB}]),
     PUB),
    ("json-ld-nested", _ld({"@type": "WebPage", "dateModified": MOD,
                            "mainEntity": {"@type": "NewsArticle", "datePublished": PUB}}), PUB),
    ("json-ld-published-meta-modified", f'<meta property="article:modified_time" content="{MOD}">'
                                        + _ld({"datePublished": PUB, "dateModified": MOD}), PUB),
    ("time-modified-first", f'<time itemprop="dateModified" datetime="{MOD}">25 Nov</time>'
                            f'<time itemprop="datePublished" datetime="{PUB}">22 Nov</time>', PUB),
    ("time-pubdate-text", '<time itemprop="dateModified">25 November 2020</time>'
                          "<time pubdate>22 November 2020</time>", "22 November 2020"),
    ("meta-before-json-ld", f'<meta property="article:published_time" content="{PUB}">'
                            + _ld({"datePublished": "2020-11-23"}), PUB),
    ("only-modified-dates", f'<meta property="article:modified_time" content="{MOD}">'
                            + _ld({"dateModified": MOD})
                            + f'<time itemprop="dateModified" datetime="{MOD}">x</time>', None),
    ("nothing", "<p>No dates at all.</p>", None),
]


@pytest.mark.parametrize(("name", "head", "expected"), CASES, ids=[c[0] for c in CASES])
def test_html_published_prefers_publication_over_modification(name: str, head: str, expected: str | None) -> None:
    page = f"<html><head>{head}</head><body><article><p>Text.</p></article></body></html>"
    assert html_published(page) == expected


def test_ingested_page_has_its_publication_date(tmp_path: Path) -> None:
    page = (
        "<html lang='en'><head>"
        f'<meta property="article:modified_time" content="{MOD}">'
        + _ld({"@type": "NewsArticle", "dateModified": MOD, "datePublished": PUB})
        + f'<meta property="article:published_time" content="{PUB}">'
        "</head><body><article><p>Iraqi Foreign Minister Fouad Hussein concluded on Sunday a visit to Tehran "
        "where he held talks with Iranian officials on bilateral relations.</p></article></body></html>"
    )
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    (article,) = ingest([tmp_path])
    assert article.published == dt.date(2020, 11, 22)
