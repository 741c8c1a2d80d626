"""Canonical actors: id accuracy on exactly matched mentions, and per-document actor sets.

- ``actor.id``: over mention pairs matched with the same boundaries (the
  ``exact`` scheme's correct pairs), whether the predicted ``canonical_id``
  equals the gold one. Pairs where either side has no id are not errors: they
  are counted (``gold_without_id``, ``pred_without_id``) and left out.
- ``actor.set``: per document, the set of canonical ids of all mentions (with
  or without offsets) in gold and in the prediction; aliases sharing one id
  count once. tp/fp/fn add up over documents (micro F1); the macro F1 is the
  mean of per-document F1 over documents where either set is non-empty.
  Mentions without an id are counted, not scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from eventgold.evaluation.matching import Alignment
from eventgold.models import Mention
from eventgold.scoring.mentions import MentionRows

_CANONICAL_ID = attrgetter("canonical_id")


@dataclass(frozen=True)
class IdAccuracy:
    """Canonical-id agreement on exactly matched mention pairs."""

    pairs: int
    compared: int
    correct: int
    gold_without_id: int
    pred_without_id: int


def id_accuracy(matching: Alignment, gold: MentionRows, pred: MentionRows) -> IdAccuracy:
    """Compare canonical ids on the pairs of ``matching`` that are correct (same boundaries).

    Args:
        matching: an alignment of ``gold`` and ``pred`` rows (the ``exact`` scheme's).
        gold: the gold rows the alignment's gold indices refer to.
        pred: the predicted rows.

    Returns:
        IdAccuracy: correct pairs, pairs compared (both ids set), equal ids, and the
        pairs left out because the gold or (gold set) the predicted id is missing.
    """
    idx = np.flatnonzero(matching.correct)
    g_ids = list(map(_CANONICAL_ID, map(gold.mentions.__getitem__, matching.gold[idx].tolist())))
    p_ids = list(map(_CANONICAL_ID, map(pred.mentions.__getitem__, matching.pred[idx].tolist())))
    g_none = g_ids.count(None)
    both = [(g, p) for g, p in zip(g_ids, p_ids, strict=True) if g is not None]
    p_none = sum(1 for _, p in both if p is None)
    correct = sum(1 for g, p in both if g == p)
    return IdAccuracy(len(idx), len(both) - p_none, correct, g_none, p_none)


def actor_set_counts(gold: list[Mention], pred: list[Mention]) -> tuple[int, int, int, int, int]:
    """(tp, actual, possible, gold mentions without id, predicted mentions without id).

    Args:
        gold: one document's gold mentions (with or without offsets).
        pred: its predicted mentions.

    Returns:
        The size of the intersection of the two sets of canonical ids, the sizes
        of the predicted and gold sets, and the mentions of each side without an id.
    """
    g_ids = list(map(_CANONICAL_ID, gold))
    p_ids = list(map(_CANONICAL_ID, pred))
    g = set(filter(None, g_ids))
    p = set(filter(None, p_ids))
    return (
        len(g & p),
        len(p),
        len(g),
        len(g_ids) - sum(1 for _ in filter(None, g_ids)),
        len(p_ids) - sum(1 for _ in filter(None, p_ids)),
    )
