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

With a trained model (``by`` holding ``"uncertainty"``), articles are ranked by the model's
uncertainty (:func:`eventgold.training.uncertainty.doc_uncertainty`: small margins between the
two best trigger types, actor probabilities near 0.5), highest first, ties by id. Asking for
both rankings fuses them by **mean rank**: each article's position in each ranking (tied
articles share their mean position), averaged; the smallest mean comes first, ties by id,
and ``score = 1 - (mean rank - 1) / (N - 1)`` (1 for the top of both, N articles). Whenever
uncertainty is part of the ranking, a **diversity** step walks the final ranking and leaves
out an article too similar to one ranked higher
(:func:`eventgold.training.uncertainty.diverse`), so the top ``n`` are not near duplicates of
each other; ranking by disagreement alone is left as it is.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TypeVar

from eventgold.errors import InputError
from eventgold.fileio import atomic_write_text
from eventgold.models import Article, DocumentAnnotation
from eventgold.ontology import Ontology
from eventgold.readers import Format, read_predictions
from eventgold.records_io import ONE_PER_DOCUMENT, read_articles
from eventgold.training.uncertainty import DIVERSITY_THRESHOLD, CandidateScores, diverse, doc_uncertainty

Unit = tuple[str | int | None, ...]
_T = TypeVar("_T")


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
    disagreement: float | None
    """1 - mean pairwise F1 of the prediction files; None when ranked by uncertainty alone."""
    candidate_events: int
    """The most events a prediction file found; ranked by uncertainty alone: the events the model found."""
    units: tuple[int, ...]
    """How many units each extractor found, in the order of the prediction files."""
    uncertainty: float | None = None
    """The model's uncertainty about the article (None when not ranked by uncertainty)."""


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
    out.sort(key=lambda s: (-s.score, -(s.disagreement or 0.0), -s.candidate_events, s.doc_id))
    return out if n is None else out[:n]


BY_VALUES = ("uncertainty", "disagreement")
"""The rankings ``suggest`` knows (``by``; ``--by`` on the command line)."""


def parse_by(by: str | Sequence[str]) -> tuple[str, ...]:
    """The rankings asked for, each once, in the order of :data:`BY_VALUES`.

    Args:
        by: ranking names, or one comma-separated string (``"uncertainty,disagreement"``).

    Raises:
        InputError: a name that is not one of :data:`BY_VALUES` (named, with the allowed ones), or none.

    >>> parse_by("disagreement, uncertainty")
    ('uncertainty', 'disagreement')
    """
    names = [part.strip() for value in ([by] if isinstance(by, str) else by) for part in value.split(",")]
    names = [name for name in names if name]
    allowed = " or ".join(BY_VALUES)
    for name in names:
        if name not in BY_VALUES:
            raise InputError(f"unknown ranking {name!r} in --by; use {allowed}, or both: --by uncertainty,disagreement")
    if not names:
        raise InputError(f"--by names no ranking; use {allowed}, or both: --by uncertainty,disagreement")
    return tuple(v for v in BY_VALUES if v in names)


def rank_uncertainty(doc_ids: Iterable[str], spans: Iterable[CandidateScores]) -> list[Suggestion]:
    """Rank articles by the model's uncertainty, highest first, ties by id.

    Args:
        doc_ids: the articles' ids.
        spans: the span model's prediction for each article, in the order of ``doc_ids``
            (``SpanModel.predict`` output, read lazily; ``events`` is counted when present).

    Returns:
        One Suggestion per article: ``score`` = ``uncertainty`` = :func:`doc_uncertainty`,
        ``candidate_events`` = the events predicted, no disagreement, no units.
    """
    out = [
        Suggestion(
            doc_id=doc_id,
            score=(u := doc_uncertainty(doc_spans)),
            disagreement=None,
            candidate_events=len(doc_spans.events),
            units=(),
            uncertainty=u,
        )
        for doc_id, doc_spans in zip(doc_ids, spans, strict=True)
    ]
    out.sort(key=lambda s: (-s.score, s.doc_id))
    return out


def fractional_ranks(ranked: Sequence[tuple[str, Hashable]]) -> dict[str, float]:
    """1-based positions of a ranking, ``(id, tie key)`` best first; equal neighbouring keys share their mean position.

    >>> fractional_ranks([("a", 3), ("b", 2), ("c", 2), ("d", 1)])
    {'a': 1.0, 'b': 2.5, 'c': 2.5, 'd': 4.0}
    """
    out: dict[str, float] = {}
    start = 0
    while start < len(ranked):
        end = start + 1
        while end < len(ranked) and ranked[end][1] == ranked[start][1]:
            end += 1
        for doc_id, _ in ranked[start:end]:
            out[doc_id] = (start + 1 + end) / 2
        start = end
    return out


def fuse(uncertain: Sequence[Suggestion], disagreeing: Sequence[Suggestion]) -> list[Suggestion]:
    """The two rankings of the same articles fused by mean rank (see the module docstring).

    Each Suggestion keeps the disagreement fields of ``disagreeing`` and the uncertainty of
    ``uncertain``; ``score`` becomes ``1 - (mean rank - 1) / (N - 1)``.
    """
    u_ranks = fractional_ranks([(s.doc_id, s.uncertainty) for s in uncertain])
    d_ranks = fractional_ranks([(s.doc_id, (s.score, s.disagreement, s.candidate_events)) for s in disagreeing])
    by_id = {s.doc_id: s for s in uncertain}
    span = max(len(disagreeing) - 1, 1)
    fused = [
        (
            (mean := (u_ranks[s.doc_id] + d_ranks[s.doc_id]) / 2),
            Suggestion(
                doc_id=s.doc_id,
                score=round(1 - (mean - 1) / span, 6),
                disagreement=s.disagreement,
                candidate_events=s.candidate_events,
                units=s.units,
                uncertainty=by_id[s.doc_id].uncertainty,
            ),
        )
        for s in disagreeing
    ]
    fused.sort(key=lambda pair: (pair[0], pair[1].doc_id))
    return [s for _, s in fused]


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
    predictions: Sequence[str | Path] = (),
    *,
    n: int | None = 50,
    exclude_ids: Iterable[str] = (),
    fmt: Format | None = None,
    doc_key: str = "doc_id",
    ontology: Ontology | None = None,
    model: str | Path | None = None,
    by: str | Sequence[str] = ("disagreement",),
    batch_size: int = 32,
    diversity: float = DIVERSITY_THRESHOLD,
    progress: Callable[[int, int], None] | None = None,
) -> SuggestResult:
    """Rank the corpus's articles (duplicates and ``exclude_ids`` left out) for annotation.

    The corpus is read one article per id, each prediction file one annotation
    per document (:mod:`eventgold.records_io`): a second, different record with
    an id is a DuplicateIdError naming both places. Predictions are checked
    against their articles (offsets) and, when given, ``ontology`` (labels).

    Args:
        corpus: corpus JSONL of Articles.
        predictions: prediction files (ranking by disagreement; one file: by candidate events).
        n: how many to return (None: all).
        exclude_ids: ids to leave out (already annotated).
        fmt, doc_key: how to read the prediction files (default: detected).
        ontology: checks the predictions' labels; the model must have been trained with it.
        model: a model folder (``models/NAME``, from ``eventgold train``), for ranking by uncertainty.
        by: ``"disagreement"``, ``"uncertainty"`` or both (names or one comma-separated string);
            both are fused by mean rank (module docstring).
        batch_size: articles per prediction batch of the model.
        diversity: with uncertainty, the word 3-gram similarity at or above which an article
            ranked lower than a similar one is left out (:func:`diverse`).
        progress: called ``(articles predicted, articles to predict)`` as the model goes.

    Returns:
        The ranking (with uncertainty: without near duplicates), how many articles were
        considered and left out, and warnings.

    Raises:
        InputError: an unknown ``by`` value; uncertainty without a model, disagreement without
            prediction files, a model or prediction files the rankings asked for do not use;
            a bad corpus or prediction file.
        ConfigError: the model was trained with another ontology, or spaCy is missing.
    """
    methods = parse_by(by)
    if not 0.0 < diversity <= 1.0:
        raise InputError(f"diversity={diversity!r}: give a similarity in (0, 1] (1 leaves out only copies)")
    if "uncertainty" in methods and model is None:
        raise InputError("ranking by uncertainty needs a trained model: give --model models/NAME (`eventgold train`)")
    if "disagreement" in methods and not predictions:
        raise InputError(
            "ranking by disagreement needs prediction files: give --pred A.jsonl,B.jsonl "
            "(or rank by the model alone: --model models/NAME --by uncertainty)"
        )
    if model is not None and "uncertainty" not in methods:
        raise InputError(f"--model {model} is only used to rank by uncertainty: add --by uncertainty or leave it out")
    if predictions and "disagreement" not in methods:
        raise InputError("--pred files are only used to rank by disagreement: add --by disagreement or leave them out")
    trained = None
    if model is not None:
        from eventgold.training.model import TrainedModel

        trained = TrainedModel.load(model, ontology)
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
    warnings: list[str] = []
    ranked: list[Suggestion] = []
    if predictions:
        ranked = rank(doc_ids, _read_predictions(predictions, articles, fmt, doc_key, ontology, warnings))
    if trained is not None:
        predicted = trained.spans.predict((articles[i].text for i in doc_ids), batch_size=batch_size)
        uncertain = rank_uncertainty(doc_ids, _counted(predicted, len(doc_ids), progress))
        ranked = fuse(uncertain, ranked) if predictions else uncertain
        ranked = _without_near_duplicates(ranked, articles, n, diversity, warnings)
    return SuggestResult(
        suggestions=ranked if n is None else ranked[:n],
        considered=len(doc_ids),
        excluded=skipped,
        warnings=warnings,
    )


def _counted(items: Iterable[_T], total: int, progress: Callable[[int, int], None] | None) -> Iterator[_T]:
    """``items``, calling ``progress(done, total)`` as each arrives."""
    for done, item in enumerate(items, 1):
        if progress is not None:
            progress(done, total)
        yield item


def _without_near_duplicates(
    ranked: list[Suggestion], articles: Mapping[str, Article], n: int | None, threshold: float, warnings: list[str]
) -> list[Suggestion]:
    """The first ``n`` of ``ranked`` that are not near duplicates of one ranked higher (:func:`diverse`)."""
    chosen = diverse([s.doc_id for s in ranked], {i: a.text for i, a in articles.items()},
                     len(ranked) if n is None else n, threshold=threshold)
    if not chosen:
        return []
    walked = 1 + next(i for i, s in enumerate(ranked) if s.doc_id == chosen[-1])
    if walked > len(chosen):
        warnings.append(
            f"left out {walked - len(chosen)} article(s) sharing >= {threshold:g} of their word 3-grams "
            "(Jaccard) with one ranked higher: near duplicates"
        )
    keep = set(chosen)
    return [s for s in ranked[:walked] if s.doc_id in keep]


def _read_predictions(
    predictions: Sequence[str | Path],
    articles: Mapping[str, Article],
    fmt: Format | None,
    doc_key: str,
    ontology: Ontology | None,
    warnings: list[str],
) -> list[dict[str, DocSummary]]:
    """Each prediction file's summaries of the wanted articles; warnings for articles it misses."""
    per_extractor: list[dict[str, DocSummary]] = []
    wanted = set(articles)
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
    return per_extractor
