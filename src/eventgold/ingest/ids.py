"""Stable article ids, as DESIGN.md defines them.

In order of preference:

1. a given id (an ``id`` field or column, ``--id-col``) is kept as it is (trimmed);
2. a URL (a ``url`` field or column, or an HTML page's canonical URL) gives
   ``url-<first 16 hex digits of sha256(normalised URL)>``; the URL is normalised by trimming,
   lower-casing scheme and host and dropping the ``#fragment``;
3. the path relative to the ingested root, with ``/`` separators and without the file
   extension (``samples/articles/000_87d7f54058e42e0b.txt`` ingested as ``samples/articles``
   gives ``000_87d7f54058e42e0b``), plus ``#<line>`` for JSONL and ``#<row>`` (1-based data
   row, header excluded) for CSV;
4. only as a last resort (an article that came from nowhere, e.g. built in memory):
   ``sha-<first 16 hex digits of sha256(text)>``.

None of 1-3 depends on the text, so an edited article keeps its id and only its
``content_sha`` changes.

Every id, given or derived, is in one Unicode form, NFC (so ``"Zoe\u0308"`` typed on one
system and ``"Zo\u00eb"`` on another are one id, and a file name from macOS, stored
decomposed, gives the same id as elsewhere). An id holding a line break or another control
character cannot be written one per line (``suggest -o``, ``push --only-ids``):
:func:`id_problem` names it, and ingest refuses such an article.
"""

from __future__ import annotations

import hashlib
import unicodedata
from urllib.parse import urlsplit, urlunsplit

from eventgold.models import sha256_text


def normalize_url(url: str) -> str:
    """Trim, lower-case scheme and host, drop the fragment (what a URL id is computed from)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


def url_id(url: str) -> str:
    """The id derived from a URL."""
    return "url-" + hashlib.sha256(normalize_url(url).encode("utf-8")).hexdigest()[:16]


def path_id(relative: str, row: int | None = None) -> str:
    """The id derived from a path relative to the ingested root (without extension) and a row."""
    stem = relative.rsplit(".", 1)[0] if "." in relative.rsplit("/", 1)[-1] else relative
    return f"{stem}#{row}" if row is not None else stem


def text_id(text: str) -> str:
    """The last-resort id derived from the text itself."""
    return "sha-" + sha256_text(text)[:16]


# what an id may not hold: control characters (tab, line breaks, NUL...), line and paragraph
# separators, surrogates (not UTF-8)
_BAD_ID_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})


def normalize_id(ident: str) -> str:
    """An id in NFC, the one Unicode form ids have (given and derived alike)."""
    return unicodedata.normalize("NFC", ident)


def id_problem(ident: str) -> str | None:
    """Why ``ident`` cannot be an article id (a line break or control character), or None."""
    for ch in ident:
        if unicodedata.category(ch) in _BAD_ID_CATEGORIES:
            what = "a line break" if ch in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029" else "a control character"
            return f"holds {what} (U+{ord(ch):04X})"
    return None


def article_id(
    *,
    given: str | None = None,
    url: str | None = None,
    relative: str | None = None,
    row: int | None = None,
    text: str = "",
) -> tuple[str, str]:
    """The id of an article (in NFC) and what it was derived from (``given``, ``url``, ``path``, ``text``)."""
    if given is not None and given.strip():
        return normalize_id(given.strip()), "given"
    if url is not None and url.strip():
        return url_id(url), "url"
    if relative:
        return normalize_id(path_id(relative, row)), "path"
    return text_id(text), "text"
