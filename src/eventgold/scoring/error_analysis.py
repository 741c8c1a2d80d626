"""Mention errors of a scoring run: every missed, spurious and wrong mention, with a snippet.

Mention errors come from the strict matching (:mod:`eventgold.evaluation.matching`):
a matched pair that is not correct is ``wrong_type`` (same boundaries),
``boundary`` (same type, overlapping boundaries) or ``boundary_and_type``;
unmatched gold units are ``missed`` and unmatched predictions ``spurious``.
The error record itself is :class:`eventgold.evaluation.error_items.ErrorItem`
(event and coder errors use the same words, plus ``wrong_role``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from eventgold.evaluation.error_items import ErrorItem, ErrorKind, ErrorSide, error_item, unmatched_item
from eventgold.models import Mention
from eventgold.scoring.mentions import MentionScores


def _side(m: Mention) -> ErrorSide:
    return ErrorSide(m.id, m.type, m.start, m.end)


_KINDS: tuple[ErrorKind, ...] = ("wrong_type", "boundary", "boundary_and_type", "missed", "spurious")
_KEYS: tuple[tuple[str, str], ...] = tuple(("mention", kind) for kind in _KINDS)
_PAIR_KINDS = 3  # kinds below this code are of a matched pair; then missed (a gold row), spurious (a predicted row)


class MentionErrors:
    """The mention errors of :func:`mention_errors`, in its order, as rows: each item built when asked for.

    A :class:`eventgold.scoring.error_list.DeferredErrors` (an ErrorList part): the kind of
    each error is known from the span tables, so counting and sampling build no item.
    """

    def __init__(self, scores: MentionScores, doc_ids: Sequence[str], texts: Sequence[str]) -> None:
        """Order the errors of ``scores`` (strict matching) by document and start offset.

        Args:
            scores: the mention scores (span tables and matchings).
            doc_ids: ``doc_ids[i]`` is the id of document i of the tables.
            texts: ``texts[i]`` is its text (for snippets).
        """
        gold, pred = scores.gold, scores.pred
        gt, pt = gold.table, pred.table
        m = scores.matchings["strict"]
        wrong = ~np.asarray(m.correct, dtype=bool)
        pg, pp = m.gold[wrong], m.pred[wrong]
        same_bounds = (gt.start[pg] == pt.start[pp]) & (gt.end[pg] == pt.end[pp])
        pair_kind = np.where(same_bounds, 0, np.where(gt.type[pg] == pt.type[pp], 1, 2))
        ug, up = (np.setdiff1d(np.arange(len(t)), rows) for t, rows in ((gt, m.gold), (pt, m.pred)))
        kind = np.concatenate([pair_kind, np.full(len(ug), 3), np.full(len(up), 4)]).astype(np.int64)
        g_row = np.concatenate([pg, ug, np.full(len(up), -1)]).astype(np.int64)
        p_row = np.concatenate([pp, np.full(len(ug), -1), up]).astype(np.int64)
        doc = np.concatenate([gt.doc[pg], gt.doc[ug], pt.doc[up]])
        start = np.concatenate([gt.start[pg], gt.start[ug], pt.start[up]])
        order = np.lexsort((start, doc))  # stable: pairs, then missed, then spurious at one (document, start)
        self._kind = kind[order]
        self._gold_row, self._pred_row, self._doc = g_row[order], p_row[order], doc[order]
        self._gold, self._pred = gold.mentions, pred.mentions
        self._doc_ids, self._texts = doc_ids, texts
        self._keys: list[tuple[str, str]] | None = None

    def keys(self) -> list[tuple[str, str]]:
        """("mention", kind) of every error, in order."""
        if self._keys is None:
            self._keys = list(map(_KEYS.__getitem__, self._kind.tolist()))
        return self._keys

    def build(self, positions: Iterable[int]) -> list[ErrorItem]:
        """The error items at ``positions`` (indices into :meth:`keys`), in that order."""
        idx = np.fromiter(positions, dtype=np.int64)
        items: list[ErrorItem] = []
        doc_ids, texts, gold, pred = self._doc_ids, self._texts, self._gold, self._pred
        rows = zip(self._kind[idx].tolist(), self._gold_row[idx].tolist(), self._pred_row[idx].tolist(), strict=True)
        for d, (k, g, p) in zip(self._doc[idx].tolist(), rows, strict=True):
            if k < _PAIR_KINDS:
                item = error_item("mention", _KINDS[k], doc_ids[d], texts[d], gold=_side(gold[g]), pred=_side(pred[p]))
            elif k == 3:
                item = unmatched_item("mention", doc_ids[d], texts[d], _side(gold[g]), gold=True)
            else:
                item = unmatched_item("mention", doc_ids[d], texts[d], _side(pred[p]), gold=False)
            items.append(item)
        return items


def mention_errors(scores: MentionScores, doc_ids: Sequence[str], texts: Sequence[str]) -> list[ErrorItem]:
    """Missed, spurious and wrong mentions under the strict scheme, in document order.

    ``doc_ids[i]`` and ``texts[i]`` are document i's id and text (the
    documents the span tables of ``scores`` index). Errors at one document and
    start offset: wrong matched pairs first (in matching order), then missed
    gold mentions, then spurious predictions. :class:`MentionErrors` gives the
    same items one by one.
    """
    errors = MentionErrors(scores, doc_ids, texts)
    return errors.build(range(len(errors.keys())))
