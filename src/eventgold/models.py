"""The records that flow between eventgold's verbs (pydantic v2; JSONL on disk).

Field names are contracts between verbs and with outside users: change them
only with a migration. Invariants are enforced on every load:

- a span's ``start <= end``, and ``text[start:end] == span.text`` whenever a
  record meets its article (``check_against_article``);
- ids are unique within a document and every reference resolves;
- every label, mode, context, flag and sector exists in the ontology, and
  every argument's role is one its event type allows, filled by a mention of
  a type the role accepts (``check_against_ontology``);
- one record per id in a file (:mod:`eventgold.records_io`, which
  :func:`eventgold.jsonl.read_jsonl` reads through).

A record that breaks one raises :class:`~eventgold.errors.RecordError` naming
the document, record id, field and bad value; :func:`eventgold.jsonl.read_jsonl` adds the
file and line. Records of schema 1.0 (events with ``actors``, ``recipients``,
``locations``) are migrated as they are parsed (:mod:`eventgold.migrations`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from eventgold.errors import RecordError
from eventgold.migrations import migrate_event
from eventgold.ontology import Ontology

SPLITS = ("train", "dev", "test")


def sha256_text(text: str) -> str:
    """The sha256 hex digest of ``text`` encoded as UTF-8 (an Article's ``content_sha``)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Article(_Record):
    """A news article: ``text`` is the exact string annotators see; offsets refer to it."""

    id: str = Field(min_length=1)
    title: str | None = None
    text: str
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None
    language: str | None = None
    content_sha: str = ""
    duplicate_of: str | None = None
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _sha(self) -> Article:
        actual = sha256_text(self.text)
        if not self.content_sha:
            self.content_sha = actual
        elif self.content_sha != actual:
            raise RecordError(
                "content_sha is not the sha256 of text; the text was edited after ingest "
                "(re-run `eventgold ingest`, or drop content_sha to recompute it)",
                doc_id=self.id,
                field="content_sha",
                value=self.content_sha,
            )
        if self.duplicate_of == self.id:
            raise RecordError(
                "an article cannot be a duplicate of itself",
                doc_id=self.id,
                field="duplicate_of",
                value=self.duplicate_of,
            )
        return self


class Span(_Record):
    """Character offsets into an article's text (end exclusive, Python code points)."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _order(self) -> Span:
        if self.start <= self.end and len(self.text) == self.end - self.start:
            return self  # the common case, checked once
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        if len(self.text) != self.end - self.start:
            raise ValueError(
                f"text has {len(self.text)} characters but the span covers "
                f"{self.end - self.start} ({self.start}..{self.end})"
            )
        return self


class Mention(_Record):
    """An actor mention; without offsets it is an actor known only by id and/or text."""

    id: str = Field(min_length=1)
    type: str
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    text: str | None = None
    canonical_id: str | None = None
    country: str | None = None
    sector: str | None = None
    score: float | None = None

    @model_validator(mode="after")
    def _offsets(self) -> Mention:
        start, end, text = self.start, self.end, self.text
        if start is not None and end is not None and start <= end and (text is None or len(text) == end - start):
            return self  # the common case, checked once
        if (self.start is None) != (self.end is None):
            raise ValueError("start and end must be given together")
        if self.start is not None and self.end is not None:
            if self.end < self.start:
                raise ValueError(f"end ({self.end}) is before start ({self.start})")
            if self.text is not None and len(self.text) != self.end - self.start:
                raise ValueError(
                    f"text has {len(self.text)} characters but the span covers "
                    f"{self.end - self.start} ({self.start}..{self.end})"
                )
        elif self.text is None and self.canonical_id is None:
            raise ValueError("a mention without offsets needs text or canonical_id")
        return self

    @property
    def has_span(self) -> bool:
        """Whether the mention is anchored in the text by offsets."""
        return self.start is not None


class Argument(_Record):
    """An event argument: the mention (an id in the same document) filling a role of the ontology."""

    role: str = Field(min_length=1)
    mention: str = Field(min_length=1)


class Event(_Record):
    """An event: a type, an optional trigger span, arguments pointing at mention ids.

    Records of schema 1.0 carried three fixed role lists (``actors``,
    ``recipients``, ``locations``); :func:`eventgold.migrations.migrate_event`
    turns them into ``arguments`` on load.
    """

    id: str = Field(min_length=1)
    type: str
    trigger: Span | None = None
    mode: str | None = None
    arguments: list[Argument] = Field(default_factory=list)
    date: dt.date | None = None
    contexts: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    score: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        return migrate_event(data)

    def role_ids(self) -> Iterator[tuple[str, str]]:
        """(role, mention id) for every argument, in stored order."""
        for argument in self.arguments:
            yield argument.role, argument.mention

    def mentions_in(self, roles: Iterable[str]) -> list[str]:
        """Ids of the mentions filling any of ``roles``, in stored order."""
        wanted = set(roles)
        return [a.mention for a in self.arguments if a.role in wanted]


class Origin(_Record):
    """Who made an annotation: an annotator, an extractor or an adjudicator."""

    kind: Literal["annotator", "extractor", "adjudicator"]
    name: str
    version: str | None = None


class LabelStudioRef(_Record):
    """Where an annotation lives in Label Studio."""

    project: int | None = None
    task: int | None = None
    annotation: int | None = None
    prediction: int | None = None


Violation = tuple[str, str | None, str, Any]
"""A broken invariant: (what is wrong, record id or None, field, bad value)."""


def _raise_first(doc_id: str, violations: Iterable[Violation]) -> None:
    """Raise the first of ``violations`` as a RecordError about document ``doc_id``."""
    for problem, record_id, field, value in violations:
        raise RecordError(problem, doc_id=doc_id, record_id=record_id, field=field, value=value)


def _unit_violations(mentions: list[Mention], events: list[Event]) -> Iterator[Violation]:
    """Ids given twice in a document, and arguments naming a mention it lacks."""
    seen: set[str] = set()
    units: list[Mention | Event] = [*mentions, *events]
    for unit in units:
        if unit.id in seen:
            yield "id is not unique in the document", unit.id, "id", unit.id
        seen.add(unit.id)
    mention_ids = {m.id for m in mentions}
    for event in events:
        for role, mention_id in event.role_ids():
            if mention_id not in mention_ids:
                problem = f"argument {role!r} refers to a mention that is not in the document"
                yield problem, event.id, "arguments", mention_id


def _check_units(doc_id: str, mentions: list[Mention], events: list[Event]) -> None:
    mention_ids = {m.id for m in mentions}
    if len(mention_ids) == len(mentions):
        event_ids = {e.id for e in events}
        if (
            len(event_ids) == len(events)
            and mention_ids.isdisjoint(event_ids)
            and all(a.mention in mention_ids for e in events for a in e.arguments)
        ):
            return  # no violation: the common case, checked in bulk
    _raise_first(doc_id, _unit_violations(mentions, events))


class DocumentAnnotation(_Record):
    """One person's or program's annotation of one document (no text: see ``doc_id``)."""

    doc_id: str = Field(min_length=1)
    origin: Origin
    mentions: list[Mention] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    relevance: str | None = None
    notes: str | None = None
    ground_truth: bool = False
    cancelled: bool = False
    lead_time: float | None = None
    created: dt.datetime | None = None
    labelstudio: LabelStudioRef | None = None

    @model_validator(mode="after")
    def _refs(self) -> DocumentAnnotation:
        _check_units(self.doc_id, self.mentions, self.events)
        return self


class Provenance(_Record):
    """How a gold unit came to be: who had it, and what decided it."""

    annotators: list[str] = Field(default_factory=list)
    decision: str = ""


class GoldDocument(_Record):
    """An adjudicated document: the whole article, its gold units, split and provenance."""

    article: Article
    mentions: list[Mention] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    split: Literal["train", "dev", "test"] | None = None
    provenance: dict[str, Provenance] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _refs(self) -> GoldDocument:
        _check_units(self.article.id, self.mentions, self.events)
        check_spans(self.article.id, self.article.text, self.mentions, self.events)
        return self

    @property
    def doc_id(self) -> str:
        """The id of the gold document's article."""
        return self.article.id


def check_spans(doc_id: str, text: str, mentions: Iterable[Mention], events: Iterable[Event]) -> None:
    """Check that every offset lies in ``text`` and slices it to the stored span text.

    Args:
        doc_id: the document, for the message.
        text: the article text the offsets refer to (code points).
        mentions: mentions (those without offsets are skipped).
        events: events (their triggers are checked).

    Raises:
        RecordError: the first span past the end of ``text`` or not slicing it to its stored text
            (document, record id, field).
    """
    if not isinstance(mentions, list) or not isinstance(events, list) or not _spans_fit(text, mentions, events):
        _raise_first(doc_id, _span_violations(text, mentions, events))


def _spans_fit(text: str, mentions: list[Mention], events: list[Event]) -> bool:
    """Whether :func:`_span_violations` finds nothing (one pass, no message built)."""
    n = len(text)
    for m in mentions:
        start, end, span_text = m.start, m.end, m.text
        if start is None or end is None:
            continue
        if end > n or (span_text is not None and text[start:end] != span_text):
            return False
    for e in events:
        trigger = e.trigger
        if trigger is None:
            continue
        start, end, span_text = trigger.start, trigger.end, trigger.text
        if start is None or end is None:
            continue
        if end > n or (span_text is not None and text[start:end] != span_text):
            return False
    return True


def _span_violations(text: str, mentions: Iterable[Mention], events: Iterable[Event]) -> Iterator[Violation]:
    """Offsets past the end of ``text``, and spans whose text is not the slice they name."""
    n = len(text)
    spans: list[tuple[Mention | Event, str, int | None, int | None, str | None]] = [
        *((m, "start", m.start, m.end, m.text) for m in mentions),
        *((e, "trigger", e.trigger.start, e.trigger.end, e.trigger.text) for e in events if e.trigger),
    ]
    for unit, field, start, end, span_text in spans:
        if start is None or end is None:
            continue
        if end > n:
            yield f"offsets {start}..{end} run past the end of the text ({n} characters)", unit.id, field, end
        elif span_text is not None and text[start:end] != span_text:
            yield f"text[{start}:{end}] is {text[start:end]!r}, not the stored span text", unit.id, "text", span_text


def check_against_article(annotation: DocumentAnnotation, article: Article) -> None:
    """Check an annotation against the article it names: same id, offsets slice its text."""
    if annotation.doc_id != article.id:
        raise RecordError(
            f"annotation is for document {annotation.doc_id!r}, not {article.id!r}",
            doc_id=article.id,
            field="doc_id",
            value=annotation.doc_id,
        )
    check_spans(article.id, article.text, annotation.mentions, annotation.events)


def check_against_ontology(
    doc_id: str,
    mentions: Iterable[Mention],
    events: Iterable[Event],
    ontology: Ontology,
    *,
    relevance: str | None = None,
) -> None:
    """Check that every label, mode, context, flag, sector and role exists in ``ontology``.

    An argument's role must be one the ontology allows for its event type, and
    its mention's type one the role accepts (:meth:`Ontology.argument_problem`).

    Raises:
        RecordError: the first value the ontology does not allow, naming the
            document, record, field and value.
    """
    OntologyCheck(ontology)(doc_id, mentions, events, relevance=relevance)


class OntologyCheck:
    """:func:`check_against_ontology` for document after document, remembering the ontology's answers.

    What the ontology says of an event type and mode, or of a role filled by a
    mention type, is asked once; a document is checked in bulk, and only one
    that breaks a rule is walked again to name the first value wrong (the
    ontology must not change meanwhile).

    Example::

        >>> from eventgold.ontology import load_ontology
        >>> OntologyCheck(load_ontology())("d1", [Mention(id="m1", type="STATE", text="Iraq")], [])
    """

    def __init__(self, ontology: Ontology) -> None:
        self.ontology = ontology
        self._sectors = ontology.sector_codes if ontology.sectors else None
        self._contexts = frozenset(ontology.contexts)
        self._flags = frozenset(ontology.flag_names)
        self._known: dict[tuple[str, str | None] | tuple[str, str, str | None], bool] = {}

    def __call__(
        self, doc_id: str, mentions: Iterable[Mention], events: Iterable[Event], *, relevance: str | None = None
    ) -> None:
        """Check one document's units (and its relevance, when given) against the ontology.

        Args:
            doc_id: the document, for the message.
            mentions, events: its units.
            relevance: the annotation's relevance label, or None.

        Raises:
            RecordError: the first value the ontology does not allow, naming the
                document, record, field and value (as :func:`check_against_ontology`).
        """
        mentions, events = list(mentions), list(events)
        try:
            allowed = self.allows(mentions, events, relevance)
        except TypeError:  # an unhashable value: the record walk names it
            allowed = False
        if not allowed:
            _raise_first(doc_id, _ontology_violations(mentions, events, self.ontology, relevance))

    def allows(self, mentions: list[Mention], events: list[Event], relevance: str | None = None) -> bool:
        """Whether :func:`check_against_ontology` would find nothing wrong with these units and relevance."""
        onto, known = self.ontology, self._known
        if not onto.actor_type_names.issuperset({m.type for m in mentions}):
            return False
        if self._sectors is not None and not self._sectors.issuperset({m.sector for m in mentions} - {None}):
            return False
        types = {m.id: m.type for m in mentions} if any(e.arguments for e in events) else {}
        for e in events:
            ok = known.get((e.type, e.mode))
            if ok is None:
                ok = known[e.type, e.mode] = e.type in onto.event_type_names and (
                    e.mode is None or e.mode in onto.modes_of(e.type)
                )
            if not ok or not self._contexts.issuperset(e.contexts) or not self._flags.issuperset(e.flags):
                return False
            for a in e.arguments:
                key = (e.type, a.role, types.get(a.mention))
                ok = known.get(key)
                if ok is None:
                    ok = known[key] = onto.argument_problem(*key) is None
                if not ok:
                    return False
        return relevance is None or relevance in onto.relevance


def _ontology_violations(
    mentions: list[Mention], events: Iterable[Event], ontology: Ontology, relevance: str | None
) -> Iterator[Violation]:
    """(message, record id, field, value) of every value ``ontology`` does not allow, in record order."""
    by_id = {m.id: m for m in mentions}
    for m in mentions:
        if m.type not in ontology.actor_type_names:
            yield f"unknown actor type; allowed: {', '.join(sorted(ontology.actor_type_names))}", m.id, "type", m.type
        if m.sector is not None and ontology.sectors and m.sector not in ontology.sector_codes:
            yield "unknown sector; see the ontology's sectors", m.id, "sector", m.sector
    contexts = set(ontology.contexts)
    for e in events:
        if e.type not in ontology.event_type_names:
            yield f"unknown event type; allowed: {', '.join(sorted(ontology.event_type_names))}", e.id, "type", e.type
        modes = ontology.modes_of(e.type)
        if e.mode is not None and e.mode not in modes:
            yield f"mode does not belong to {e.type}; allowed: {', '.join(modes) or 'none'}", e.id, "mode", e.mode
        for context in e.contexts:
            if context not in contexts:
                yield "unknown context; see the ontology's contexts", e.id, "contexts", context
        for flag in e.flags:
            if flag not in ontology.flag_names:
                allowed = ", ".join(ontology.flag_names) or "none"
                yield f"flag not in the ontology; allowed: {allowed}", e.id, "flags", flag
        for role, mention_id in e.role_ids():
            problem = ontology.argument_problem(e.type, role, by_id[mention_id].type if mention_id in by_id else None)
            if problem is not None:
                yield problem, e.id, "arguments", f"{role}={mention_id}"
    if relevance is not None and relevance not in ontology.relevance:
        yield f"unknown relevance; allowed: {', '.join(ontology.relevance)}", None, "relevance", relevance


def check_annotation(annotation: DocumentAnnotation, ontology: Ontology, article: Article | None = None) -> None:
    """Check an annotation against the ontology and, when given, its article."""
    check_against_ontology(
        annotation.doc_id,
        annotation.mentions,
        annotation.events,
        ontology,
        relevance=annotation.relevance,
    )
    if article is not None:
        check_against_article(annotation, article)


def check_gold(gold: GoldDocument, ontology: Ontology | OntologyCheck) -> None:
    """Check a gold document against the ontology (its spans are checked on load).

    Args:
        gold: the document.
        ontology: the ontology, or an :class:`OntologyCheck` of it kept for many documents.

    Raises:
        RecordError: the first value the ontology does not allow (document, record, field, value).
    """
    check = ontology if isinstance(ontology, OntologyCheck) else OntologyCheck(ontology)
    check(gold.doc_id, gold.mentions, gold.events)
