"""One record per id: the reader of corpora, annotations (predictions) and gold.

Every verb that reads these files goes through here (``read_jsonl`` in
:mod:`eventgold.models` does for the three record types), so a file can never
hold two records for one id without the user hearing of it:

- **two different records with one id** are refused: a :class:`DuplicateIdError`
  (exit 2) naming the file, both line numbers, the id and what to do;
- **an exact repeat** (a record equal, once read, to an earlier one with its
  id) is read once, with a :class:`RepeatedRecordWarning` that the CLI shows.

"Equal" compares the records' JSON content (key order and spacing aside). The
id of each kind of record:

- Article (a corpus): ``id``;
- GoldDocument (gold): ``article.id``;
- DocumentAnnotation (predictions, annotations): ``doc_id`` and ``origin``
  (kind, name, version) — one annotation per document and annotator or
  extractor (:data:`ANNOTATIONS`); a file scored or ranked as one extractor's
  predictions holds one per document, whatever its origin
  (:data:`ONE_PER_DOCUMENT`).

Example::

    >>> from eventgold.records_io import load_corpus
    >>> articles = load_corpus("exports/corpus.jsonl")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from eventgold.errors import EventgoldWarning, InputError, RecordError
from eventgold.jsonl import iter_lines, read_line
from eventgold.models import Article, DocumentAnnotation, GoldDocument, OntologyCheck, check_gold

if TYPE_CHECKING:
    from eventgold.ontology import Ontology

R = TypeVar("R", bound=BaseModel)

Where = tuple[str, int | None]
"""Where a record was read: a file (or ``file (task #3)``) and its line, when it has one."""


class RepeatedRecordWarning(EventgoldWarning):
    """A record repeats an earlier record with its id exactly; it was read once."""


def place(where: Where) -> str:
    """``file:line`` (or just the file / task when there is no line)."""
    file, line = where
    return f"{file}:{line}" if line else file


class DuplicateIdError(RecordError):
    """Two different records share one id; names both places, the id and what to do.

    ``first`` and ``second`` are where the two records were read; ``doc_id``
    the document they are about.
    """

    def __init__(self, records: str, doc_id: str, first: Where, second: Where, hint: str) -> None:
        if first[0] == second[0] and first[1] and second[1]:
            file: str | None = first[0]
            where = f"lines {first[1]} and {second[1]}"
        else:
            file = None
            where = f"{place(first)} and {place(second)}"
        super().__init__(f"{where} hold two different {records}; {hint}", file=file)
        self.first = first
        self.second = second
        self.duplicate_doc_id = doc_id


@dataclass(frozen=True)
class RecordKind(Generic[R]):
    """What makes two records of one type "the same id", and how to talk about them.

    A record is named in messages as ``singular + name(record)`` (``article 'a1'``)
    and two records with its id as ``plural + name(record)`` (``articles with id 'a1'``).
    """

    key: Callable[[R], Hashable]
    """The record's id: no two different records may share it."""
    doc_id: Callable[[R], str]
    """The document the record is about."""
    name: Callable[[R], str]
    """What follows the noun in a message (``'a1'``, `` of document 'd1'``)."""
    singular: str
    """The noun for one record, with its trailing space if any (``article ``)."""
    plural: str
    """The noun for two records with one id (``articles with id ``)."""
    hint: str
    """What to do about two different records with one id."""

    def one(self, record: R) -> str:
        """The record in a message (``article 'a1'``)."""
        return self.singular + self.name(record)

    def two(self, record: R) -> str:
        """Two records with the record's id (``articles with id 'a1'``)."""
        return self.plural + self.name(record)


def _origin(a: DocumentAnnotation) -> str:
    version = f" {a.origin.version}" if a.origin.version else ""
    return f"{a.origin.kind} {a.origin.name!r}{version}"


def _doc_id(record: Article | GoldDocument | DocumentAnnotation) -> str:
    return record.id if isinstance(record, Article) else record.doc_id


ARTICLES: RecordKind[Article] = RecordKind(
    _doc_id, _doc_id, lambda a: repr(a.id), "article ", "articles with id ",
    hint="ids must be unique in a corpus: remove or rename one of them",
)
GOLD: RecordKind[GoldDocument] = RecordKind(
    _doc_id, _doc_id, lambda g: repr(g.doc_id), "gold document ", "gold documents with id ",
    hint="gold holds one document per article: remove one of them (or rebuild the gold version)",
)
ANNOTATIONS: RecordKind[DocumentAnnotation] = RecordKind(
    lambda a: (a.doc_id, a.origin.kind, a.origin.name, a.origin.version), _doc_id,
    lambda a: f" of document {a.doc_id!r} by {_origin(a)}", "annotation", "annotations",
    hint="keep one annotation per document and origin: remove one of them (or merge them into one)",
)
ONE_PER_DOCUMENT: RecordKind[DocumentAnnotation] = RecordKind(
    _doc_id, _doc_id, lambda a: f" of document {a.doc_id!r}", "annotation", "annotations",
    hint="one extractor's predictions hold one annotation per document: remove one of them "
    "(or give each origin a file of its own)",
)
"""Predictions scored as one extractor: one annotation per document, whatever its origin."""

_KINDS: dict[type[BaseModel], RecordKind[Any]] = {
    Article: ARTICLES,
    GoldDocument: GOLD,
    DocumentAnnotation: ANNOTATIONS,
}


def record_kind(model: type[R]) -> RecordKind[R] | None:
    """The id rules of ``model`` (Article, GoldDocument, DocumentAnnotation), else None."""
    return _KINDS.get(model)


def _fingerprint(record: BaseModel) -> bytes:
    """A digest of the record's content: equal for equal JSON, whatever the key order."""
    text = json.dumps(record.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).digest()


class OneRecordPerId(Generic[R]):
    """Keeps one record per id while records stream past (a digest of each, or with ``keep`` the record).

    :meth:`admit` returns True for a record seen for the first time, False for
    an exact repeat (warned about, and listed in :attr:`repeats`), and raises
    :class:`DuplicateIdError` for a different record with an id already seen.

    ``keep=True`` holds each first record itself instead of its digest, and
    digests records only when an id comes again: for readers whose caller keeps
    every record anyway (``load_gold``, ``load_predictions``), where it costs no
    memory and saves encoding each record. The records must not change while
    more are admitted.
    """

    def __init__(self, kind: RecordKind[R], *, keep: bool = False) -> None:
        self.kind = kind
        self.keep = keep
        self.repeats: list[str] = []
        self._seen: dict[Hashable, tuple[Where, bytes | R]] = {}

    def admit(self, record: R, where: Where) -> bool:
        """Whether ``record`` (read at ``where``) is new; see the class docstring."""
        key = self.kind.key(record)
        earlier = self._seen.get(key)
        if earlier is None:
            self._seen[key] = (where, record if self.keep else _fingerprint(record))
            return True
        first, kept = earlier
        first_digest = kept if isinstance(kept, bytes) else _fingerprint(kept)
        digest = _fingerprint(record)
        if first_digest != digest:
            raise DuplicateIdError(self.kind.two(record), self.kind.doc_id(record), first, where, self.kind.hint)
        if first[0] == where[0] and first[1] and where[1]:
            message = f"{where[0]}: line {where[1]} repeats line {first[1]} exactly"
        else:
            message = f"{place(where)} repeats {place(first)} exactly"
        message += f" ({self.kind.one(record)}); read once — delete the repeat"
        self.repeats.append(message)
        warnings.warn(message, RepeatedRecordWarning, stacklevel=2)
        return False


def unique_records(records: Iterable[tuple[Where, R]], kind: RecordKind[R], *, keep: bool = False) -> Iterator[R]:
    """Stream ``records`` (each with where it was read), one per id; see :class:`OneRecordPerId` (and its ``keep``)."""
    seen = OneRecordPerId(kind, keep=keep)
    for where, record in records:
        if seen.admit(record, where):
            yield record


def _located_records(path: Path, model: type[R], check: Callable[[R], None] | None = None) -> Iterator[tuple[Where, R]]:
    file = str(path)
    one_pass = record_kind(model) is not None  # eventgold's records: read alike from text and decoded JSON
    for lineno, line in iter_lines(path):
        record = read_line(model, line, file, lineno, one_pass=one_pass)
        if check is not None:
            try:
                check(record)
            except RecordError as exc:
                raise exc.located(file=file, line=lineno) from exc.__cause__
        yield (file, lineno), record


def read_records(
    path: str | Path, model: type[R], *, check: Callable[[R], None] | None = None, keep: bool = False
) -> Iterator[R]:
    """Stream records of ``model`` from a JSONL file, one per id (for models with an id).

    Article, GoldDocument and DocumentAnnotation have ids (see the module
    docstring): two different records with one id raise DuplicateIdError, an
    exact repeat is read once with a RepeatedRecordWarning. Other models are
    streamed as they are. A bad line raises RecordError with ``file:line``;
    so does a record that ``check`` (e.g. against the ontology) refuses.
    ``keep=True`` says the caller keeps every record (see :class:`OneRecordPerId`).
    """
    stream = _located_records(Path(path), model, check)
    kind = record_kind(model)
    if kind is None:
        yield from (record for _, record in stream)
    else:
        yield from unique_records(stream, kind, keep=keep)


RecordFileKind = Literal["corpus", "gold", "annotations", "labelstudio"]

_ANNOTATION_KEYS = frozenset({"mentions", "events", "event", "origin", "result", "annotations", "predictions"})


def sniff_records(path: str | Path) -> RecordFileKind | None:
    """What a JSONL file seems to hold, from its first record (None when it cannot tell).

    ``corpus``: records with ``text`` and no mentions or events (``eventgold ingest``);
    ``gold``: records with ``article`` and ``split``/``provenance`` but no ``origin``
    (``eventgold gold build``); ``annotations``: records with ``doc_id`` and ``origin``
    (predictions, annotations); ``labelstudio``: Label Studio tasks (``data``). Reads one line;
    a file that cannot be read or parsed is None (its reader reports it properly).
    """
    try:
        with Path(path).open("r", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    raw = json.loads(line)
                    break
            else:
                return None
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if isinstance(raw, list):
        return "labelstudio"
    if not isinstance(raw, dict):
        return None
    keys = set(raw)
    if "article" in keys and keys & {"split", "provenance"} and "origin" not in keys:
        return "gold"
    if "doc_id" in keys and "origin" in keys:
        return "annotations"
    if "data" in keys:
        return "labelstudio"
    if "text" in keys and not keys & _ANNOTATION_KEYS:
        return "corpus"
    return None


_NOT_A_CORPUS = {
    "gold": "looks like a gold file (records with article, mentions, events and split, from `eventgold gold build`)",
    "annotations": "looks like predictions or annotations (records with doc_id and origin)",
    "labelstudio": "looks like Label Studio tasks in JSON lines",
}
_GIVE_A_CORPUS = "give a corpus JSONL (from `eventgold ingest`); push also takes a Label Studio tasks.json"


def _check_corpus_file(file: Path) -> None:
    """A folder or a file of another kind given where a corpus belongs: one InputError saying so."""
    if file.is_dir():
        raise InputError(f"{file}: is a folder; {_GIVE_A_CORPUS}")
    kind = sniff_records(file)
    if kind is not None and kind != "corpus":
        raise InputError(f"{file}: {_NOT_A_CORPUS[kind]}, not a corpus; {_GIVE_A_CORPUS}")


def read_articles(path: str | Path) -> Iterator[Article]:
    """Stream the Articles of a corpus JSONL, one per id.

    A folder, or a file that holds gold, annotations or tasks instead, is an InputError saying what it
    is and what to give instead (checked when the first article is asked for).
    """
    _check_corpus_file(Path(path))
    yield from read_records(path, Article)


def load_corpus(path: str | Path) -> dict[str, Article]:
    """The Articles of a corpus JSONL by id, in file order (one per id, or DuplicateIdError)."""
    return {a.id: a for a in read_articles(path)}


def read_gold_documents(
    path: str | Path, ontology: Ontology | None = None, *, keep: bool = False
) -> Iterator[GoldDocument]:
    """Stream the GoldDocuments of a gold JSONL file, one per article id.

    With ``ontology``, a document with a label, mode, context or flag it lacks
    is a RecordError naming ``file:line``, document, unit and field.
    ``keep=True`` says the caller keeps every document (see :class:`OneRecordPerId`).
    """
    if ontology is None:
        return read_records(path, GoldDocument, keep=keep)
    check = OntologyCheck(ontology)
    return read_records(path, GoldDocument, check=lambda gold: check_gold(gold, check), keep=keep)


def read_annotations(path: str | Path) -> Iterator[DocumentAnnotation]:
    """Stream the DocumentAnnotations of a JSONL file, one per document and origin."""
    return read_records(path, DocumentAnnotation)


__all__ = [
    "ANNOTATIONS",
    "ARTICLES",
    "GOLD",
    "ONE_PER_DOCUMENT",
    "DuplicateIdError",
    "OneRecordPerId",
    "RecordKind",
    "RepeatedRecordWarning",
    "Where",
    "load_corpus",
    "place",
    "read_annotations",
    "read_articles",
    "read_gold_documents",
    "read_records",
    "record_kind",
    "sniff_records",
    "unique_records",
]
