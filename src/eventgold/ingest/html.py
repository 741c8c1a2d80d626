"""The HTML reader: an article page's body and metadata, and the published date it states."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from eventgold.ingest.deps import dependency_error, require_html
from eventgold.ingest.encoding import decode_bytes
from eventgold.ingest.errors import SKIP_BAD, BadInput
from eventgold.ingest.records import RawRecord, SourceFile, read_source_bytes

_HTML_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.IGNORECASE)


def extract_html(html: str, display: str) -> dict[str, str | None]:
    """The article body and metadata of an HTML page, by trafilatura.

    Returns ``text``, ``title``, ``date``, ``sitename`` and ``url`` (any may be None but
    ``text``). Raises BadInput when the page has no article text or cannot be parsed.
    """
    trafilatura = require_html()
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            prune_xpath=["//nav", "//footer", "//aside"],
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except (RecursionError, MemoryError) as exc:
        raise BadInput(display, f"cannot parse the HTML ({type(exc).__name__})") from exc
    except ImportError as exc:  # a part of trafilatura's stack imported lazily: what to install, not "unreadable"
        raise dependency_error(exc, "trafilatura", "reading .html files") from exc
    except Exception as exc:  # trafilatura/lxml raise many types on broken markup; all mean "unreadable"
        raise BadInput(display, f"cannot parse the HTML: {type(exc).__name__}: {exc}") from exc
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not str(text).strip():
        raise BadInput(
            display,
            "no article text found in the HTML (only scripts, styles, navigation or boilerplate)",
            hint=("check that it is a saved article page, or pass ", SKIP_BAD),
        )

    def attr(name: str) -> str | None:
        value = getattr(doc, name, None)
        return str(value).strip() or None if value else None

    return {
        "text": str(text),
        "title": attr("title"),
        "date": html_published(html),
        "sitename": attr("sitename"),
        "url": attr("url"),
    }


# <meta> names, properties and itemprops that state when a page was first published (after
# htmldate's list; modification dates are left out)
_PUBLISHED_META = frozenset({
    "article.created", "article.published", "article:post_date", "article:published",
    "article:published_date", "article:published_time", "article:publicationdate",
    "article_date_original", "bt:pubdate", "citation_date", "citation_publication_date",
    "content_create_date", "date", "date_created", "date_published", "datecreated",
    "dateposted", "datepublished", "dc.created", "dc.date", "dc.date.created", "dc.date.issued",
    "dc.date.publication", "dc:created", "dc:date", "dcterms.created", "dcterms.date",
    "dcterms.issued", "og:article:published", "og:article:published_time", "og:datepublished",
    "og:pubdate", "og:publish_date", "og:published_time", "originalpublicationdate",
    "parsely-pub-date", "pubdate", "publication_date", "publish-date", "publish_date",
    "publish_time", "published-date", "published_date", "published_time", "publisheddate",
    "publishdate", "rnews:datepublished", "sailthru.date", "vr:published_time",
})
_MAX_DATE_CHARS = 200


class _PublishedFinder(HTMLParser):
    """The raw publication-date values of a page, by kind: ``<meta>``, JSON-LD, ``<time>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[str] = []
        self.json_ld: list[str] = []
        self.time: list[str] = []
        self._script: list[str] | None = None
        self._time_text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "meta":
            names = {a.get(k, "").lower() for k in ("name", "property", "itemprop", "http-equiv")}
            value = a.get("content") or a.get("datetime")
            if value and names & _PUBLISHED_META:
                self.meta.append(value)
        elif tag == "script" and a.get("type", "").lower() == "application/ld+json":
            self._script = []
        elif tag == "time" and (a.get("itemprop", "").lower() == "datepublished" or "pubdate" in a):
            if a.get("datetime"):
                self.time.append(a["datetime"])
            else:
                self._time_text = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if self._time_text is not None:
            self._time_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            try:
                found = _json_ld_published(json.loads("".join(self._script)))
            except ValueError:
                found = None
            if found:
                self.json_ld.append(found)
            self._script = None
        elif tag == "time" and self._time_text is not None:
            text = " ".join("".join(self._time_text).split())
            if text:
                self.time.append(text)
            self._time_text = None


def _json_ld_published(node: Any) -> str | None:
    """The first ``datePublished`` string in a JSON-LD document (depth first, ``@graph`` included)."""
    if isinstance(node, dict):
        value = node.get("datePublished")
        if isinstance(value, str) and value.strip():
            return value.strip()
        children: Any = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = _json_ld_published(child)
        if found:
            return found
    return None


def html_published(html: str) -> str | None:
    """The publication date a page's metadata states, as written (None if it states none).

    The first of: a ``<meta>`` name, property or itemprop for the first publication
    (``article:published_time``, ``datePublished``, ``dc.date``, ``pubdate`` ...), JSON-LD
    ``datePublished``, a ``<time>`` marked ``itemprop="datePublished"`` or ``pubdate``. The
    value is returned raw: the pipeline reads it and keeps it when it is not a full date.
    """
    finder = _PublishedFinder()
    try:
        finder.feed(html)
        finder.close()
    except (AssertionError, ValueError):  # html.parser on badly broken markup: keep what was found
        pass
    for found in (finder.meta, finder.json_ld, finder.time):
        for value in found:
            value = " ".join(value.split())
            if value:
                return value[:_MAX_DATE_CHARS]
    return None


def read_html(source: SourceFile, max_bytes: int) -> Iterator[RawRecord]:
    """An HTML page as one article (its body, by trafilatura)."""
    data = read_source_bytes(source, max_bytes)
    decoded = decode_bytes(data, source.display)
    found = extract_html(decoded.text, source.display)
    lang = _HTML_LANG.search(data[:4096])
    found["language"] = lang.group(1).decode("ascii").lower() if lang else None
    text = found.pop("text") or ""
    yield RawRecord(source, text, decoded.encoding, size=len(data), html=found)
