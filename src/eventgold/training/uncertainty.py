"""How unsure a trained model is about an article, and a ranking without near duplicates.

Used by ``eventgold suggest --model models/NAME --by uncertainty`` to pick the articles to
annotate next (:func:`eventgold.extractors.suggest.suggest`).

**Uncertainty of one article** (:func:`doc_uncertainty`), from the span model's candidate
probabilities (:class:`eventgold.training.spans.DocSpans`), each candidate's value in [0, 1]:

- a trigger candidate whose two best event-type probabilities are ``p1 >= p2``, counted only
  when ``p1 >= floor`` (default :data:`TRIGGER_FLOOR`: the model gives it a real chance of
  being a trigger; the many candidates it rules out would otherwise look maximally unsure):
  ``1 - (p1 - p2)`` -- the smaller the margin between the two best types, the higher;
- an actor candidate with best type probability ``p``: ``1 - 2 * |p - 0.5|`` -- 1 at 0.5,
  0 at 0 or 1.

The article's uncertainty is the mean of its ``k`` (default :data:`TOP_K`) highest candidate
values (all of them when it has fewer), 0 when it has none: a few unsure spans make an article
worth annotating whatever its length, and one odd span alone does not decide.

**Diversity** (:func:`diverse`): walking a ranking, an article is left out when its estimated
Jaccard similarity with an article already chosen is at or above a threshold (default 0.5).
The similarity is the Jaccard index of the two texts' sets of hashed word 3-grams
(:func:`eventgold.ingest.dedupe.shingle_hashes`, the units near-duplicate detection at ingest
uses; exact on the hashes, so an estimate only through 32-bit hash collisions).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from eventgold.errors import ConfigError
from eventgold.ingest.dedupe import shingle_hashes

TRIGGER_FLOOR = 0.3
"""Trigger candidates whose best type probability is below this are not counted."""
TOP_K = 5
"""How many of an article's most uncertain candidates its uncertainty averages."""
DIVERSITY_THRESHOLD = 0.5
"""Word 3-gram Jaccard similarity at or above which :func:`diverse` treats two articles as near duplicates."""


class CandidateScores(Protocol):
    """What the uncertainty ranking reads of a span prediction (``DocSpans`` has it)."""

    @property
    def actor_probs(self) -> Sequence[float]:
        """The best type probability of each actor candidate span."""
        ...

    @property
    def event_top2(self) -> Sequence[tuple[float, float]]:
        """The two best type probabilities of each trigger candidate span (second 0.0 with one type)."""
        ...

    @property
    def events(self) -> Sequence[object]:
        """The predicted triggers (counted as the article's candidate events)."""
        ...


def trigger_uncertainty(p1: float, p2: float) -> float:
    """``1 - (p1 - p2)`` for the two best type probabilities of a trigger candidate (order free), in [0, 1].

    >>> trigger_uncertainty(0.9, 0.1)
    0.2
    """
    hi, lo = max(p1, p2), min(p1, p2)
    return _unit(1.0 - (hi - lo))


def actor_uncertainty(p: float) -> float:
    """``1 - 2 * |p - 0.5|`` for an actor candidate's best type probability ``p``, in [0, 1].

    >>> actor_uncertainty(0.5), actor_uncertainty(0.75), actor_uncertainty(1.0)
    (1.0, 0.5, 0.0)
    """
    return _unit(1.0 - 2.0 * abs(p - 0.5))


def doc_uncertainty(spans: CandidateScores, *, k: int = TOP_K, floor: float = TRIGGER_FLOOR) -> float:
    """How unsure the model is about one article, in [0, 1] (the formula is in the module docstring).

    Args:
        spans: the span model's prediction for the article (``DocSpans``): ``actor_probs``
            (one probability per actor candidate) and ``event_top2`` (``(p1, p2)`` per
            trigger candidate).
        k: how many of the most uncertain candidates to average (>= 1).
        floor: trigger candidates with best probability below it are not counted.

    Returns:
        The mean of the ``k`` highest candidate uncertainties; 0.0 without candidates.

    Raises:
        ConfigError: ``k`` < 1.

    >>> from types import SimpleNamespace as S
    >>> doc_uncertainty(S(actor_probs=[0.5, 0.99], event_top2=[(0.6, 0.4), (0.1, 0.0)], events=[]), k=2)
    0.9
    """
    if k < 1:
        raise ConfigError(f"k={k!r}: give a whole number >= 1 (how many candidates to average)")
    values = [actor_uncertainty(p) for p in spans.actor_probs]
    values += [trigger_uncertainty(p1, p2) for p1, p2 in spans.event_top2 if max(p1, p2) >= floor]
    top = heapq.nlargest(k, values)
    return round(sum(top) / len(top), 6) if top else 0.0


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard index of two sorted arrays of distinct hashes (:func:`shingle_hashes`); 0.0 when both are empty."""
    common = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - common
    return common / union if union else 0.0


def diverse(
    ranked_ids: Sequence[str], texts: Mapping[str, str], n: int, *, threshold: float = DIVERSITY_THRESHOLD
) -> list[str]:
    """The first ``n`` ids of a ranking, leaving out near duplicates of an id chosen before.

    Greedy and deterministic: walk ``ranked_ids`` in order; an article whose word 3-gram
    Jaccard similarity (see the module docstring) with any article already chosen is
    ``>= threshold`` is skipped; stop when ``n`` are chosen. Texts without words are never
    near duplicates.

    Args:
        ranked_ids: article ids, best first.
        texts: each id's text (every id of ``ranked_ids`` walked must be a key).
        n: how many to choose (>= 0).
        threshold: similarity in (0, 1] at or above which an article is a near duplicate.

    Returns:
        At most ``n`` ids, in ranking order.

    Raises:
        ConfigError: ``n`` < 0 or ``threshold`` outside (0, 1].

    >>> diverse(["a", "b", "c"], {"a": "x y z w", "b": "x y z w!", "c": "other words here"}, 2, threshold=0.3)
    ['a', 'c']
    """
    if n < 0:
        raise ConfigError(f"n={n!r}: give a whole number >= 0")
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"threshold={threshold!r}: give a similarity in (0, 1]")
    chosen: list[str] = []
    grams: list[np.ndarray] = []
    for doc_id in ranked_ids:
        if len(chosen) >= n:
            break
        mine = shingle_hashes(texts[doc_id])
        if any(jaccard(mine, other) >= threshold for other in grams):
            continue
        chosen.append(doc_id)
        grams.append(mine)
    return chosen


def _unit(value: float) -> float:
    """``value`` clipped to [0, 1] and rounded to 6 decimals (probabilities may stray a hair outside)."""
    return round(min(1.0, max(0.0, value)), 6)
