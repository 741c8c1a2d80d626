"""A score report with as many errors as asked for: the big-report browser test and benchmark use it.

The fixture report (two extractors on ``samples/fixture`` plus a hostile
document, see :mod:`tests.unit.report_fixtures`) with its error lists replaced
by generated ones: every level and kind, 4,000 documents, snippets of the
usual width with the unit marked, roles on arguments, details on coder errors.
Every :data:`NEEDLE_EVERY`-th error has the word :data:`NEEDLE` in its
snippet, and every :data:`HOSTILE_EVERY`-th a document id and unit that try
to end the page's script (``</script>``, ``<!--``).
"""

from __future__ import annotations

import random

from eventgold.evaluation.error_items import ErrorItem
from eventgold.scoring.report import ScoreReport
from tests.unit.report_fixtures import score_report

NEEDLE = "quetzalcoatl"
NEEDLE_EVERY = 900
HOSTILE_EVERY = 4999
HOSTILE = '</script><script>alert("big")</script><!--'
TYPES = ["PERSON", "ORGANIZATION", "STATE", "ARMED_GROUP", "GROUP", "LOCATION"]
EVENTS = ["CONSULT", "ASSAULT", "RETREAT", "ACCUSE", "SUPPORT"]
ROLES = ["actor", "recipient", "location"]
WORDS = [
    *("officials", "said", "the", "minister", "met", "with", "a", "delegation", "in", "the", "capital"),
    *("on", "monday", "after", "talks", "about", "the", "ceasefire", "broke", "down", "while", "forces"),
    *("moved", "toward", "the", "border", "and", "leaders", "called", "for", "calm"),
]
LEVEL_KINDS = [
    ("mention", "missed"),
    ("mention", "spurious"),
    ("mention", "wrong_type"),
    ("mention", "boundary"),
    ("mention", "boundary_and_type"),
    ("trigger", "missed"),
    ("trigger", "spurious"),
    ("trigger", "wrong_type"),
    ("argument", "missed"),
    ("argument", "wrong_role"),
    ("coder", "missed"),
    ("coder", "spurious"),
]


def _context(rnd: random.Random, width: int = 40) -> str:
    out = ""
    while len(out) < width:
        out += rnd.choice(WORDS) + " "
    return out[:width]


def _item(rnd: random.Random, i: int) -> ErrorItem:
    level, kind = LEVEL_KINDS[rnd.randrange(len(LEVEL_KINDS))]
    start = rnd.randrange(0, 5000)
    length = rnd.randrange(3, 25)
    unit = _context(rnd, length).strip() or "unit"
    doc = f"doc-{rnd.randrange(4000):05d}"
    if i % NEEDLE_EVERY == 0:
        unit = f"{NEEDLE} {unit}"
    if i % HOSTILE_EVERY == 0:
        doc, unit = doc + HOSTILE, HOSTILE
    types = EVENTS if level == "trigger" else TYPES
    gold = kind != "spurious"
    pred = kind not in ("missed",)
    shift = rnd.randrange(-3, 4) if "boundary" in kind else 0
    return ErrorItem(
        level=level,
        kind=kind,
        doc_id=doc,
        gold_id=f"m{i}" if gold else None,
        pred_id=f"p{i}" if pred else None,
        gold_type=rnd.choice(types) if gold and level != "coder" else None,
        pred_type=rnd.choice(types) if pred and level != "coder" else None,
        gold_start=start if gold else None,
        gold_end=start + length if gold else None,
        pred_start=start + shift if pred else None,
        pred_end=start + length + shift if pred else None,
        role=rnd.choice(ROLES) if level == "argument" else None,
        pred_role=rnd.choice(ROLES) if kind == "wrong_role" else None,
        detail=f"cameo {rnd.randrange(10, 20)}{rnd.randrange(10)}" if level == "coder" else None,
        snippet=f"…{_context(rnd)}[[{unit}]]{_context(rnd)}…",
    )


def many_errors_report(n: int, seed: int = 7) -> ScoreReport:
    """The fixture score report with ``n`` generated errors (55% the first extractor's, 45% the second's)."""
    rnd = random.Random(seed)
    report = score_report().model_copy(deep=True)
    items = [_item(rnd, i) for i in range(n)]
    cut = n * 55 // 100
    report.extractors[0].errors = items[:cut]
    report.extractors[1].errors = items[cut:]
    return report
