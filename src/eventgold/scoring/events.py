"""Event scoring, ACE style (Ji & Grishman 2008; Li et al. 2013).

- trigger identification: a predicted trigger whose offsets equal a gold trigger's;
- trigger classification: offsets and event type equal;
- argument identification: an argument whose mention offsets equal a gold argument's,
  attached to a predicted event matched to a gold event by trigger classification
  (so the role's event type matches);
- argument classification: the same plus the role; also counted per role
  (whatever roles the ontology defines), like trigger classification per type.

All matching is one-to-one. Trigger counts are multiset intersections of
(offsets) or (offsets, type) keys, which is the optimal one-to-one matching.
Events with the same trigger offsets and type are paired so that the most
arguments match (linear assignment), and arguments of unmatched events are
spurious or missed. Events without a trigger and arguments whose mention has
no offsets take no part (they are counted and reported; coder-style scoring
uses them). Mode and context accuracy are measured on the event pairs matched
by trigger classification, over pairs where gold or prediction sets a value.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

from eventgold.evaluation.error_items import ErrorItem, ErrorSide, error_item, unmatched_item
from eventgold.models import Event, Mention

# per-document count columns: (tp, actual, possible) for each ACE metric
ACE_METRICS: tuple[str, ...] = ("trigger_id", "trigger_cls", "arg_id", "arg_cls")

Span2 = tuple[int, int]


@dataclass
class EventDocResult:
    """One document's ACE counts, attribute tallies, type pairs and errors."""

    counts: dict[str, tuple[int, int, int]]
    mode_compared: int = 0
    mode_correct: int = 0
    context_compared: int = 0
    context_exact: int = 0
    context_tp: int = 0
    context_fp: int = 0
    context_fn: int = 0
    type_pairs: list[tuple[str, str]] = field(default_factory=list)
    per_type: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(event type, 'tp' | 'actual' | 'possible') -> trigger-classification count."""
    per_role: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(role, 'tp' | 'actual' | 'possible') -> argument-classification count (summing to ``arg_cls``)."""
    gold_without_trigger: int = 0
    pred_without_trigger: int = 0
    gold_args_without_span: int = 0
    pred_args_without_span: int = 0
    errors: list[ErrorItem] = field(default_factory=list)


K = TypeVar("K", bound=Hashable)


def _multiset_tp(a: Counter[K], b: Counter[K]) -> int:
    return sum((a & b).values())


def _args(event: Event, mentions: dict[str, Mention]) -> tuple[list[tuple[int, int, str, str]], int]:
    """(start, end, role, mention id) of each argument with offsets; and how many lack offsets."""
    out: list[tuple[int, int, str, str]] = []
    missing = 0
    for role, mid in event.role_ids():
        m = mentions[mid]
        if m.start is None or m.end is None:
            missing += 1
        else:
            out.append((m.start, m.end, role, mid))
    return out, missing


def _pair_events(
    gold: list[Event],
    pred: list[Event],
    gargs: dict[str, list[tuple[int, int, str, str]]],
    pargs: dict[str, list[tuple[int, int, str, str]]],
) -> list[tuple[Event, Event]]:
    """One-to-one pairs of events with equal trigger offsets and type, most arguments matched."""
    groups: dict[tuple[int, int, str], tuple[list[Event], list[Event]]] = defaultdict(lambda: ([], []))
    for e in gold:
        assert e.trigger is not None
        groups[(e.trigger.start, e.trigger.end, e.type)][0].append(e)
    for e in pred:
        assert e.trigger is not None
        groups[(e.trigger.start, e.trigger.end, e.type)][1].append(e)
    pairs: list[tuple[Event, Event]] = []
    for gs, ps in groups.values():
        if not gs or not ps:
            continue
        if len(gs) == 1 and len(ps) == 1:
            pairs.append((gs[0], ps[0]))
            continue
        weight = np.zeros((len(gs), len(ps)), dtype=np.int64)
        for i, g in enumerate(gs):
            gk = Counter((s, en, r) for s, en, r, _ in gargs[g.id])
            for j, p in enumerate(ps):
                weight[i, j] = 1 + _multiset_tp(gk, Counter((s, en, r) for s, en, r, _ in pargs[p.id]))
        rows, cols = linear_sum_assignment(weight, maximize=True)
        pairs.extend((gs[r], ps[c]) for r, c in zip(rows.tolist(), cols.tolist(), strict=True))
    return pairs


def score_events_doc(
    doc_id: str,
    text: str,
    gold_mentions: list[Mention],
    gold_events: list[Event],
    pred_mentions: list[Mention],
    pred_events: list[Event],
) -> EventDocResult:
    """ACE-style counts for one document (predictions may be empty)."""
    gm = {m.id: m for m in gold_mentions}
    pm = {m.id: m for m in pred_mentions}
    gold = [e for e in gold_events if e.trigger is not None]
    pred = [e for e in pred_events if e.trigger is not None]
    res = EventDocResult(counts={})
    res.gold_without_trigger = len(gold_events) - len(gold)
    res.pred_without_trigger = len(pred_events) - len(pred)

    def trig(e: Event) -> Span2:
        assert e.trigger is not None
        return (e.trigger.start, e.trigger.end)

    g_off = Counter(trig(e) for e in gold)
    p_off = Counter(trig(e) for e in pred)
    g_cls = Counter((*trig(e), e.type) for e in gold)
    p_cls = Counter((*trig(e), e.type) for e in pred)
    res.counts["trigger_id"] = (_multiset_tp(g_off, p_off), len(pred), len(gold))
    res.counts["trigger_cls"] = (_multiset_tp(g_cls, p_cls), len(pred), len(gold))
    for key, n in (g_cls & p_cls).items():
        res.per_type[(str(key[2]), "tp")] += n
    for e in pred:
        res.per_type[(e.type, "actual")] += 1
    for e in gold:
        res.per_type[(e.type, "possible")] += 1

    gargs: dict[str, list[tuple[int, int, str, str]]] = {}
    pargs: dict[str, list[tuple[int, int, str, str]]] = {}
    for e in gold:
        gargs[e.id], miss = _args(e, gm)
        res.gold_args_without_span += miss
    for e in pred:
        pargs[e.id], miss = _args(e, pm)
        res.pred_args_without_span += miss
    for args, column in ((gargs, "possible"), (pargs, "actual")):
        for arg_list in args.values():
            for _, _, role, _ in arg_list:
                res.per_role[(role, column)] += 1
    for e in gold_events:
        if e.trigger is None:
            res.gold_args_without_span += sum(1 for _ in e.role_ids())
    for e in pred_events:
        if e.trigger is None:
            res.pred_args_without_span += sum(1 for _ in e.role_ids())

    pairs = _pair_events(gold, pred, gargs, pargs)
    id_tp = cls_tp = 0
    paired_g = {g.id for g, _ in pairs}
    paired_p = {p.id for _, p in pairs}
    for g, p in pairs:
        ga, pa = gargs[g.id], pargs[p.id]
        id_tp += _multiset_tp(Counter((s, en) for s, en, _, _ in ga), Counter((s, en) for s, en, _, _ in pa))
        gk = Counter((s, en, r) for s, en, r, _ in ga)
        pk = Counter((s, en, r) for s, en, r, _ in pa)
        cls_tp += _multiset_tp(gk, pk)
        for (_, _, role), n in (gk & pk).items():
            res.per_role[(role, "tp")] += n
        res.errors.extend(_arg_errors(doc_id, text, g, p, ga, pa))
        if g.mode is not None or p.mode is not None:
            res.mode_compared += 1
            res.mode_correct += g.mode == p.mode
        gc, pc = set(g.contexts), set(p.contexts)
        if gc or pc:
            res.context_compared += 1
            res.context_exact += gc == pc
            res.context_tp += len(gc & pc)
            res.context_fp += len(pc - gc)
            res.context_fn += len(gc - pc)
    n_gargs = sum(len(v) for v in gargs.values())
    n_pargs = sum(len(v) for v in pargs.values())
    res.counts["arg_id"] = (id_tp, n_pargs, n_gargs)
    res.counts["arg_cls"] = (cls_tp, n_pargs, n_gargs)
    res.errors.extend(_unpaired_arg_errors(doc_id, text, gold, paired_g, gargs, gold_side=True))
    res.errors.extend(_unpaired_arg_errors(doc_id, text, pred, paired_p, pargs, gold_side=False))
    res.type_pairs, trigger_errors = _trigger_errors(doc_id, text, gold, pred)
    res.errors[:0] = trigger_errors
    return res


def _unpaired_arg_errors(
    doc_id: str,
    text: str,
    events: list[Event],
    paired: set[str],
    args: dict[str, list[tuple[int, int, str, str]]],
    *,
    gold_side: bool,
) -> list[ErrorItem]:
    """Every argument of the ``events`` not in ``paired``: missed (``gold_side``) or spurious."""
    other = "predicted" if gold_side else "gold"
    return [
        unmatched_item(
            "argument",
            doc_id,
            text,
            ErrorSide(mid, e.type, s, en, r),
            gold=gold_side,
            detail=f"event {e.id} has no matching {other} trigger",
        )
        for e in events
        if e.id not in paired
        for s, en, r, mid in args[e.id]
    ]


def _arg_errors(
    doc_id: str,
    text: str,
    g: Event,
    p: Event,
    ga: list[tuple[int, int, str, str]],
    pa: list[tuple[int, int, str, str]],
) -> list[ErrorItem]:
    """Missed, spurious and wrong-role arguments of one matched event pair."""
    out: list[ErrorItem] = []
    left_p = list(pa)
    unmatched_g: list[tuple[int, int, str, str]] = []
    for arg in ga:  # same span and role first
        hit = next((x for x in left_p if x[:3] == arg[:3]), None)
        if hit is None:
            unmatched_g.append(arg)
        else:
            left_p.remove(hit)
    for s, en, r, mid in unmatched_g:
        gold = ErrorSide(mid, g.type, s, en, r)
        hit = next((x for x in left_p if x[:2] == (s, en)), None)
        if hit is not None:
            left_p.remove(hit)
            pred = ErrorSide(hit[3], p.type, s, en, hit[2])
            out.append(error_item("argument", "wrong_role", doc_id, text, gold=gold, pred=pred))
        else:
            out.append(unmatched_item("argument", doc_id, text, gold, gold=True))
    out.extend(
        unmatched_item("argument", doc_id, text, ErrorSide(mid, p.type, s, en, r), gold=False)
        for s, en, r, mid in left_p
    )
    return out


def _trigger_errors(
    doc_id: str, text: str, gold: list[Event], pred: list[Event]
) -> tuple[list[tuple[str, str]], list[ErrorItem]]:
    """Event-type pairs of triggers matched by offsets (same type first) and trigger errors."""
    by_off: dict[Span2, tuple[list[Event], list[Event]]] = defaultdict(lambda: ([], []))
    for e in gold:
        assert e.trigger is not None
        by_off[(e.trigger.start, e.trigger.end)][0].append(e)
    for e in pred:
        assert e.trigger is not None
        by_off[(e.trigger.start, e.trigger.end)][1].append(e)
    type_pairs: list[tuple[str, str]] = []
    errors: list[ErrorItem] = []
    for (s, en), (gs, ps) in sorted(by_off.items()):
        gs, ps = list(gs), list(ps)
        for g in list(gs):  # same type first
            hit = next((p for p in ps if p.type == g.type), None)
            if hit is not None:
                gs.remove(g)
                ps.remove(hit)
                type_pairs.append((g.type, hit.type))
        for g, p in zip(gs, ps, strict=False):
            type_pairs.append((g.type, p.type))
            gold_side, pred_side = ErrorSide(g.id, g.type, s, en), ErrorSide(p.id, p.type, s, en)
            errors.append(error_item("trigger", "wrong_type", doc_id, text, gold=gold_side, pred=pred_side))
        errors.extend(
            unmatched_item("trigger", doc_id, text, ErrorSide(g.id, g.type, s, en), gold=True) for g in gs[len(ps) :]
        )
        errors.extend(
            unmatched_item("trigger", doc_id, text, ErrorSide(p.id, p.type, s, en), gold=False) for p in ps[len(gs) :]
        )
    return type_pairs, errors
