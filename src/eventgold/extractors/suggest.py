"""Which articles to annotate next: where extractors disagree most and find most events.

For each article, each extractor's output is reduced to a set of units:
mentions ``("mention", type, start, end)`` (or ``(type, canonical id or text)``
without offsets) and events ``("event", type, trigger start, trigger end)`` (or
``(type,)`` without a trigger). Disagreement is ``1 - mean pairwise F1`` of
those sets over all pairs of extractors, where the F1 of two empty sets is 1
(two extractors that both find nothing agree). The candidate-event count is the
largest number of events any extractor found. The ranking score is

    score = disagreement * log2(2 + candidate_events)

so disagreement decides and event-rich articles come first among equals; ties
break on disagreement, then events, then id. With one prediction file there is
no disagreement: articles are ranked by candidate events alone (with a warning).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from eventgold.errors import InputError
from eventgold.fileio import atomic_write_text
from eventgold.models import Article, DocumentAnnotation
from eventgold.ontology import Ontology
from eventgold.readers import Format, read_predictions
from eventgold.records_io import ONE_PER_DOCUMENT, read_articles

Unit = tuple[str | int | None, ...]


@dataclass(frozen=True)
class DocSummary:
    """What one extractor found in one article, reduced for comparison."""

    units: frozenset[Unit]
    events: int


@dataclass(frozen=True)
class Suggestion:
    """One ranked article."""

    doc_id: str
    score: float
    disagreement: float
    candidate_events: int
    units: tuple[int, ...]
    """How many units each extractor found, in the order of the prediction files."""


@dataclass
class SuggestResult:
    """The ranking, how many articles were considered, and warnings."""

    suggestions: list[Suggestion]
    considered: int
    excluded: int
    warnings: list[str] = field(default_factory=list)


def summarize(annotation: DocumentAnnotation) -> DocSummary:
    """Reduce an annotation to its comparable units and its event count."""
    units: set[Unit] = set()
    for m in annotation.mentions:
        if m.start is not None:
            units.add(("mention", m.type, m.start, m.end))
        else:
            units.add(("mention", m.type, m.canonical_id or m.text))
    for e in annotation.events:
        if e.trigger is not None:
            units.add(("event", e.type, e.trigger.start, e.trigger.end))
        else:
            units.add(("event", e.type))
    return DocSummary(units=frozenset(units), events=len(annotation.events))


def pair_f1(a: frozenset[Unit], b: frozenset[Unit]) -> float:
    """F1 of two unit sets (symmetric); two empty sets agree fully (1.0) by choice."""
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))


_EMPTY = DocSummary(units=frozenset(), events=0)


def rank(
    doc_ids: Iterable[str],
    per_extractor: Sequence[Mapping[str, DocSummary]],
    n: int | None = None,
) -> list[Suggestion]:
    """Rank ``doc_ids`` by the score above; an article missing from a file counts as empty."""
    out: list[Suggestion] = []
    for doc_id in doc_ids:
        summaries = [preds.get(doc_id, _EMPTY) for preds in per_extractor]
        pairs = list(combinations(summaries, 2))
        mean_f1 = sum(pair_f1(a.units, b.units) for a, b in pairs) / len(pairs) if pairs else 1.0
        disagreement = 1.0 - mean_f1
        events = max((s.events for s in summaries), default=0)
        score = disagreement * math.log2(2 + events) if pairs else float(events)
        out.append(
            Suggestion(
                doc_id=doc_id,
                score=round(score, 6),
                disagreement=round(disagreement, 6),
                candidate_events=events,
                units=tuple(len(s.units) for s in summaries),
            )
        )
    out.sort(key=lambda s: (-s.score, -s.disagreement, -s.candidate_events, s.doc_id))
    return out if n is None else out[:n]


def id_key(doc_id: str) -> str:
    """What an id in a list is matched by: NFC, surrounding whitespace trimmed (ingest writes ids so)."""
    return unicodedata.normalize("NFC", doc_id).strip()


def read_id_list(path: str | Path, *, known: Iterable[str] | None = None) -> list[str]:
    """Read a list of article ids: one per line, as :func:`write_id_list` writes them.

    Each line is trimmed and put in NFC (the form ingest gives every id, so a list typed on a
    system that decomposes accents still matches); blank lines are skipped, and so are lines
    starting with ``#`` (comments), except one that names an id of ``known`` (the corpus's ids,
    when the caller has them: an id may start with ``#``). A byte-order mark is ignored; a
    repeated id is read once.
    """
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
    except FileNotFoundError as exc:
        raise InputError(f"{file}: id list not found") from exc
    except IsADirectoryError as exc:
        raise InputError(f"{file}: is a folder; give a file with one id per line") from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{file}: the id list is not UTF-8 ({exc.reason} at byte {exc.start}); save it as UTF-8"
        ) from exc
    except OSError as exc:
        raise InputError(f"{file}: cannot read the id list: {exc.strerror or exc}") from exc
    comments_that_are_ids = {k for k in (id_key(i) for i in known or ()) if k.startswith("#")}
    out: list[str] = []
    seen: set[str] = set()
    for line in lines:
        doc_id = id_key(line)
        if not doc_id or (doc_id.startswith("#") and doc_id not in comments_that_are_ids):
            continue
        if doc_id not in seen:
            seen.add(doc_id)
            out.append(doc_id)
    return out


def write_id_list(path: str | Path, ids: Iterable[str]) -> None:
    """Write article ids one per line (the format ``push --only-ids`` reads), atomically.

    See :func:`format_id_list`: an id that would not read back as itself is an InputError
    naming it, and nothing is written.
    """
    atomic_write_text(path, format_id_list(ids))


def format_id_list(ids: Iterable[str]) -> str:
    """Article ids as the text of an id list: each on its own line, exactly as it is.

    Every id must read back as itself (:func:`read_id_list`): one that holds a line break or
    another control character (which ingest refuses), or is empty, is an InputError naming it.
    """
    lines: list[str] = []
    for doc_id in ids:
        problem = "is empty" if not doc_id.strip() else _line_problem(doc_id)
        if problem:
            raise InputError(
                f"article id {doc_id!r} {problem}, so it cannot be written one id per line; "
                "re-ingest the corpus (`eventgold ingest` refuses such ids) or fix the id"
            )
        lines.append(f"{doc_id}\n")
    return "".join(lines)


def _line_problem(doc_id: str) -> str | None:
    """Why ``doc_id`` cannot stand on one line of an id list (a line break, a control character)."""
    for ch in doc_id:
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs"):
            return f"holds a line break or control character (U+{ord(ch):04X})"
    return None


def suggest(
    corpus: str | Path,
    predictions: Sequence[str | Path],
    *,
    n: int | None = 50,
    exclude_ids: Iterable[str] = (),
    fmt: Format | None = None,
    doc_key: str = "doc_id",
    ontology: Ontology | None = None,
) -> SuggestResult:
    """Rank the corpus's articles (duplicates and ``exclude_ids`` left out) for annotation.

    The corpus is read one article per id, each prediction file one annotation
    per document (:mod:`eventgold.records_io`): a second, different record with
    an id is a DuplicateIdError naming both places. Predictions are checked
    against their articles (offsets) and, when given, ``ontology`` (labels).
    """
    if not predictions:
        raise InputError("give at least one prediction file (predictions is empty)")
    excluded = {id_key(i) for i in exclude_ids}
    doc_ids: list[str] = []
    articles: dict[str, Article] = {}
    skipped = 0
    for article in read_articles(corpus):
        if id_key(article.id) in excluded or article.duplicate_of is not None:
            skipped += 1
            continue
        doc_ids.append(article.id)
        articles[article.id] = article
    if not doc_ids and not skipped:
        raise InputError(f"{corpus}: holds no articles; make a corpus with `eventgold ingest`")
    per_extractor: list[dict[str, DocSummary]] = []
    warnings: list[str] = []
    wanted = set(doc_ids)
    for path in predictions:
        summaries: dict[str, DocSummary] = {}
        for annotation in read_predictions(
            path, fmt, articles=articles, doc_key=doc_key, ontology=ontology, one_per=ONE_PER_DOCUMENT
        ):
            if annotation.doc_id in wanted:
                summaries[annotation.doc_id] = summarize(annotation)
        missing = len(wanted) - len(summaries)
        if missing:
            warnings.append(
                f"{path}: no prediction for {missing} of {len(wanted)} articles; "
                "they count as empty for this extractor"
            )
        per_extractor.append(summaries)
    if len(predictions) == 1:
        warnings.append(
            "only one prediction file: no disagreement to measure; ranked by candidate events"
        )
    return SuggestResult(
        suggestions=rank(doc_ids, per_extractor, n),
        considered=len(doc_ids),
        excluded=skipped,
        warnings=warnings,
    )
