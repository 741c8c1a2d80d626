"""Label Studio task JSON around the results: a task's ``data`` and the envelope fields.

An Article becomes a task's ``data`` (exactly DESIGN.md's keys, :data:`TASK_KEYS`) and
back; a prediction's ``model_version`` maps to and from an extractor Origin; an
annotation's ``completed_by`` and ``created_at`` name its annotator and time.
Turning regions and relations into records is :mod:`eventgold.labelstudio.convert`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, TypeVar

from pydantic import BaseModel

from eventgold.errors import RecordError
from eventgold.models import Article, Origin, sha256_text

R = TypeVar("R", bound=BaseModel)
CANDIDATE_SEPARATOR = " — "
TASK_KEYS = (
    "doc_id",
    "title",
    "text",
    "source",
    "published",
    "url",
    "content_sha",
    "actor_candidates",
    "duplicate_of",
)


_ISO_DAY = re.compile(r"(\d{4}-\d{2}-\d{2})(?![\d])")


def _iso_day(text: str) -> dt.date | None:
    """The date of a ``YYYY-MM-DD`` value (a time may follow); None for anything else (``2020-W47``)."""
    found = _ISO_DAY.match(text.strip())
    if found is None:
        return None
    try:
        return dt.date.fromisoformat(found.group(1))
    except ValueError:
        return None


def parse_date(raw: Any) -> dt.date | None:
    """The day a task's ``published`` value (or a date region's value) names.

    Args:
        raw: ``YYYY-MM-DD`` (a time may follow), ``MM/DD/YYYY`` or ``DD.MM.YYYY``;
            an empty value is no date.

    Returns:
        The date, or None for an empty value.

    Raises:
        ValueError: any other value (``unreadable date '…'``).
    """
    if not raw:
        return None
    text = str(raw).strip()
    day = _iso_day(text)
    if day is not None:
        return day
    for fmt in ("%m/%d/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    raise ValueError(f"unreadable date {text!r}")


def article_to_task_data(article: Article, candidates: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """The ``data`` of a Label Studio task for ``article``, with exactly DESIGN.md's keys."""
    return {
        "doc_id": article.id,
        "title": article.title or "",
        "text": article.text,
        "source": article.source or "",
        "published": article.published.isoformat() if article.published else "",
        "url": article.url or "",
        "content_sha": article.content_sha,
        "actor_candidates": candidates or [],
        "duplicate_of": article.duplicate_of or "",
    }


def task_data_to_article(data: dict[str, Any], *, task_id: int | None = None) -> Article:
    """Rebuild the Article a task was made from (its text is what annotators saw)."""
    doc_id = data.get("doc_id")
    text = data.get("text")
    if not isinstance(doc_id, str) or not doc_id:
        raise RecordError(
            f"task {task_id} has no data.doc_id; it was not pushed by eventgold "
            "(push the corpus with `eventgold push`)",
            field="data.doc_id",
            value=doc_id,
        )
    if not isinstance(text, str):
        raise RecordError("task data has no text", doc_id=doc_id, field="data.text", value=text)
    raw_published = data.get("published")
    published = _iso_day(str(raw_published)) if raw_published else None
    meta = {"published_raw": raw_published} if raw_published and published is None else {}
    stored_sha = data.get("content_sha") or ""
    actual = sha256_text(text)
    given = {
        "id": doc_id,
        "title": data.get("title") or None,
        "text": text,
        "source": data.get("source") or None,
        "url": data.get("url") or None,
        "published": published,
        "content_sha": stored_sha if stored_sha == actual else "",
        "duplicate_of": data.get("duplicate_of") or None,
        "meta": meta,
    }
    if (  # what validation would keep as it is: build the article without hashing its text again
        type(doc_id) is str
        and type(text) is str
        and all(given[key] is None or type(given[key]) is str for key in ("title", "source", "url", "duplicate_of"))
        and given["duplicate_of"] != doc_id
    ):
        values = {**given, "language": None, "content_sha": actual}
        return unchecked(Article, {key: values[key] for key in _ARTICLE_FIELDS}, _ARTICLE_GIVEN)
    return Article(**given)


_ARTICLE_FIELDS = tuple(Article.model_fields)
_ARTICLE_GIVEN = frozenset(_ARTICLE_FIELDS) - {"language"}


_set = object.__setattr__


def unchecked(cls: type[R], values: dict[str, Any], fields_set: frozenset[str]) -> R:
    """A ``cls`` record holding ``values`` as they are: what ``cls(**given)`` builds, without validating again.

    For values the caller has already checked (the types validation would give,
    the model's own invariants hold): ``model_construct`` without its per-field
    bookkeeping, a third of the cost of validation.

    Args:
        cls: a pydantic model without private attributes or extra fields.
        values: every field of ``cls``, in field order (the record keeps this dict).
        fields_set: the fields the validating call would have been given.

    Returns:
        The record (equal to, and dumped like, the validated one).
    """
    record = cls.__new__(cls)
    _set(record, "__dict__", values)
    _set(record, "__pydantic_fields_set__", set(fields_set))
    _set(record, "__pydantic_extra__", None)
    _set(record, "__pydantic_private__", None)
    return record


def candidate_value(canonical_id: str, name: str) -> str:
    """The ``actor_candidates`` choice value for an actor: ``"<id> — <name>"``."""
    return f"{canonical_id}{CANDIDATE_SEPARATOR}{name}"


def model_version(origin: Origin) -> str:
    """Label Studio ``model_version`` for an extractor: ``name@version``."""
    return f"{origin.name}@{origin.version}" if origin.version else origin.name


def annotator_of(raw: dict[str, Any], users: dict[int, str]) -> tuple[str, int | None]:
    who = raw.get("completed_by")
    if isinstance(who, dict):
        uid = who.get("id")
        email = who.get("email") or users.get(uid) if isinstance(uid, int) else who.get("email")
        return str(email or f"user-{uid}"), uid if isinstance(uid, int) else None
    if isinstance(who, int):
        return users.get(who, f"user-{who}"), who
    return "unknown", None


def parse_created(raw: Any) -> dt.datetime | None:
    """A Label Studio timestamp (``2026-11-23T03:00:06Z``) as an aware datetime, or None."""
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return None


_VERSION_START = re.compile(r"v?\d")


def parse_origin(model_version_value: str | None) -> Origin:
    """An extractor Origin from a prediction's ``model_version`` (``name@version``).

    A version starts with a digit (or ``v`` and a digit); anything else after the
    last ``@`` is part of the name, so an e-mail (review predictions are named
    after their annotator) stays whole.
    """
    raw = (model_version_value or "").strip() or "unknown"
    name, sep, version = raw.rpartition("@")
    if not sep or not _VERSION_START.match(version):
        return Origin(kind="extractor", name=raw)
    return Origin(kind="extractor", name=name, version=version or None)
