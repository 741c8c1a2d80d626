"""Error listing: every missed, spurious, partial and wrongly typed unit, with a snippet.

Mention errors come from the strict matching (see ``matching``): a matched pair
that is not correct is ``wrong_type`` (same boundaries), ``boundary`` (same
type, overlapping boundaries) or ``boundary_and_type``; unmatched gold units
are ``missed`` and unmatched predictions ``spurious``. Event and coder errors
use the same words (plus ``wrong_role`` for arguments).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from eventgold.scoring.mentions import MentionScores

ErrorKind = Literal["missed", "spurious", "boundary", "wrong_type", "boundary_and_type", "wrong_role"]
ErrorLevel = Literal["mention", "trigger", "argument", "coder"]

SNIPPET_WIDTH = 40


class ErrorItem(BaseModel):
    """One scoring error: what kind, where, and the text around it."""

    model_config = ConfigDict(extra="forbid")

    level: ErrorLevel
    kind: ErrorKind
    doc_id: str
    gold_id: str | None = None
    pred_id: str | None = None
    gold_type: str | None = None
    pred_type: str | None = None
    gold_start: int | None = None
    gold_end: int | None = None
    pred_start: int | None = None
    pred_end: int | None = None
    role: str | None = None
    pred_role: str | None = None
    detail: str | None = None
    snippet: str | None = None
    """The text around the unit, the unit itself between ``[[`` and ``]]``."""


ZWSP = "\u200b"


def _defuse(part: str) -> str:
    """Break every ``[[`` and ``]]`` in ``part`` with a zero-width space (invisible when shown)."""
    while "[[" in part or "]]" in part:
        part = part.replace("[[", f"[{ZWSP}[").replace("]]", f"]{ZWSP}]")
    return part


def snippet(text: str, start: int | None, end: int | None, width: int = SNIPPET_WIDTH) -> str | None:
    """``width`` characters either side of ``text[start:end]``, the span marked with [[ ]].

    Brackets in the text that would make the markers ambiguous are broken with
    a zero-width space, so the first ``[[`` and the last ``]]`` are always the
    markers (what reports rely on to highlight the span).
    """
    if start is None or end is None:
        return None
    left = _defuse(text[max(0, start - width) : start])
    left += ZWSP if left.endswith("[") else ""
    right = _defuse(text[end : end + width])
    right = (ZWSP if right.startswith("]") else "") + right
    out = f"{'…' if start > width else ''}{left}[[{_defuse(text[start:end])}]]{right}"
    out += "…" if end + width < len(text) else ""
    return out.replace("\n", " ")


def mention_errors(scores: MentionScores, doc_ids: Sequence[str], texts: Sequence[str]) -> list[ErrorItem]:
    """Missed, spurious and wrong mentions under the strict scheme, in document order."""
    gold, pred = scores.gold, scores.pred
    m = scores.matchings["strict"]
    items: list[tuple[int, int, ErrorItem]] = []
    for g, p, ok in zip(m.gold.tolist(), m.pred.tolist(), m.correct.tolist(), strict=True):
        if ok:
            continue
        gm, pm = gold.mentions[g], pred.mentions[p]
        d = int(gold.table.doc[g])
        same_bounds = (gm.start, gm.end) == (pm.start, pm.end)
        kind: ErrorKind = "wrong_type" if same_bounds else "boundary" if gm.type == pm.type else "boundary_and_type"
        items.append(
            (
                d,
                gm.start or 0,
                ErrorItem(
                    level="mention",
                    kind=kind,
                    doc_id=doc_ids[d],
                    gold_id=gm.id,
                    pred_id=pm.id,
                    gold_type=gm.type,
                    pred_type=pm.type,
                    gold_start=gm.start,
                    gold_end=gm.end,
                    pred_start=pm.start,
                    pred_end=pm.end,
                    snippet=snippet(texts[d], min(gm.start or 0, pm.start or 0), max(gm.end or 0, pm.end or 0)),
                ),
            )
        )
    matched_g = np.zeros(len(gold.table), dtype=bool)
    matched_g[m.gold] = True
    matched_p = np.zeros(len(pred.table), dtype=bool)
    matched_p[m.pred] = True
    for g in np.flatnonzero(~matched_g).tolist():
        gm, d = gold.mentions[g], int(gold.table.doc[g])
        items.append(
            (
                d,
                gm.start or 0,
                ErrorItem(
                    level="mention",
                    kind="missed",
                    doc_id=doc_ids[d],
                    gold_id=gm.id,
                    gold_type=gm.type,
                    gold_start=gm.start,
                    gold_end=gm.end,
                    snippet=snippet(texts[d], gm.start, gm.end),
                ),
            )
        )
    for p in np.flatnonzero(~matched_p).tolist():
        pm, d = pred.mentions[p], int(pred.table.doc[p])
        items.append(
            (
                d,
                pm.start or 0,
                ErrorItem(
                    level="mention",
                    kind="spurious",
                    doc_id=doc_ids[d],
                    pred_id=pm.id,
                    pred_type=pm.type,
                    pred_start=pm.start,
                    pred_end=pm.end,
                    snippet=snippet(texts[d], pm.start, pm.end),
                ),
            )
        )
    items.sort(key=lambda x: (x[0], x[1]))
    return [item for _, _, item in items]
