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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from eventgold.errors import InputError
from eventgold.extractors.readers import Format, read_predictions
from eventgold.fileio import atomic_write_text
from eventgold.models import Article, DocumentAnnotation
from eventgold.ontology import Ontology
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


def read_id_list(path: str | Path) -> list[str]:
    """Read a list of article ids: one per line; blank lines and ``#`` comments are skipped."""
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise InputError(f"{file}: id list not found") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read the id list: {exc}") from exc
    return [s for line in lines if (s := line.strip()) and not s.startswith("#")]


def write_id_list(path: str | Path, ids: Iterable[str]) -> None:
    """Write article ids one per line (the format ``push --only-ids`` reads), atomically."""
    text = "".join(f"{doc_id}\n" for doc_id in ids)
    atomic_write_text(path, text)


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
        raise InputError("give at least one prediction file (--pred)")
    excluded = set(exclude_ids)
    doc_ids: list[str] = []
    articles: dict[str, Article] = {}
    skipped = 0
    for article in read_articles(corpus):
        if article.id in excluded or article.duplicate_of is not None:
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
