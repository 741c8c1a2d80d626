"""Mention errors of a scoring run: every missed, spurious and wrong mention, with a snippet.

Mention errors come from the strict matching (:mod:`eventgold.evaluation.matching`):
a matched pair that is not correct is ``wrong_type`` (same boundaries),
``boundary`` (same type, overlapping boundaries) or ``boundary_and_type``;
unmatched gold units are ``missed`` and unmatched predictions ``spurious``.
The error record itself is :class:`eventgold.evaluation.error_items.ErrorItem`
(event and coder errors use the same words, plus ``wrong_role``).
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

import numpy as np

from eventgold.evaluation.error_items import ErrorItem, ErrorKind, ErrorSide, error_item, unmatched_item
from eventgold.models import Mention
from eventgold.scoring.mentions import MentionScores


def _side(m: Mention) -> ErrorSide:
    return ErrorSide(m.id, m.type, m.start, m.end)


def mention_errors(scores: MentionScores, doc_ids: Sequence[str], texts: Sequence[str]) -> list[ErrorItem]:
    """Missed, spurious and wrong mentions under the strict scheme, in document order.

    ``doc_ids[i]`` and ``texts[i]`` are document i's id and text (the
    documents the span tables of ``scores`` index).
    """
    gold, pred = scores.gold, scores.pred
    m = scores.matchings["strict"]
    items: list[tuple[int, int, ErrorItem]] = []
    gold_doc = gold.table.doc.tolist()  # Python ints, looked up once per error
    for g, p, ok in zip(m.gold.tolist(), m.pred.tolist(), m.correct.tolist(), strict=True):
        if ok:
            continue
        gm, pm = gold.mentions[g], pred.mentions[p]
        d = gold_doc[g]
        same_bounds = (gm.start, gm.end) == (pm.start, pm.end)
        kind: ErrorKind = "wrong_type" if same_bounds else "boundary" if gm.type == pm.type else "boundary_and_type"
        item = error_item("mention", kind, doc_ids[d], texts[d], gold=_side(gm), pred=_side(pm))
        items.append((d, gm.start or 0, item))
    for rows, is_gold, table in ((gold, True, m.gold), (pred, False, m.pred)):
        matched = np.zeros(len(rows.table), dtype=bool)
        matched[table] = True
        row_doc = rows.table.doc.tolist()
        for row in np.flatnonzero(~matched).tolist():
            mention, d = rows.mentions[row], row_doc[row]
            item = unmatched_item("mention", doc_ids[d], texts[d], _side(mention), gold=is_gold)
            items.append((d, mention.start or 0, item))
    items.sort(key=itemgetter(0, 1))
    return [item for _, _, item in items]
