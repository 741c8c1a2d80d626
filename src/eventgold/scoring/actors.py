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

import numpy as np

from eventgold.evaluation.matching import Alignment
from eventgold.models import Mention
from eventgold.scoring.mentions import MentionRows


@dataclass(frozen=True)
class IdAccuracy:
    """Canonical-id agreement on exactly matched mention pairs."""

    pairs: int
    compared: int
    correct: int
    gold_without_id: int
    pred_without_id: int


def id_accuracy(matching: Alignment, gold: MentionRows, pred: MentionRows) -> IdAccuracy:
    """Compare canonical ids on the pairs of ``matching`` that are correct (same boundaries)."""
    compared = correct = g_none = p_none = 0
    idx = np.flatnonzero(matching.correct)
    for g, p in zip(matching.gold[idx].tolist(), matching.pred[idx].tolist(), strict=True):
        gid, pid = gold.mentions[g].canonical_id, pred.mentions[p].canonical_id
        if gid is None:
            g_none += 1
            continue
        if pid is None:
            p_none += 1
            continue
        compared += 1
        correct += gid == pid
    return IdAccuracy(len(idx), compared, correct, g_none, p_none)


def actor_set_counts(gold: list[Mention], pred: list[Mention]) -> tuple[int, int, int, int, int]:
    """(tp, actual, possible, gold mentions without id, predicted mentions without id)."""
    g = {m.canonical_id for m in gold if m.canonical_id}
    p = {m.canonical_id for m in pred if m.canonical_id}
    return (
        len(g & p),
        len(p),
        len(g),
        sum(1 for m in gold if not m.canonical_id),
        sum(1 for m in pred if not m.canonical_id),
    )
