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
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from eventgold.evaluation.error_items import ErrorItem, ErrorSide, ErrorSpec
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
    """The errors: triggers (by offsets), then arguments of paired events, then of unpaired ones."""
    error_specs: list[ErrorSpec] = field(default_factory=list)
    """The same errors unbuilt, when ``score_events_doc(build_errors=False)`` (``errors`` is then empty)."""


K = TypeVar("K", bound=Hashable)

Arg = tuple[int, int, str, str]
"""An argument with offsets: (start, end, role, mention id)."""


def _multiset_tp(a: Counter[K], b: Counter[K]) -> int:
    return sum((a & b).values())


def common_keys(a: Sequence[K], b: Sequence[K]) -> dict[K, int]:
    """The multiset intersection of two lists of keys, as ``Counter(a) & Counter(b)`` gives it.

    Args:
        a: keys (any hashable), repeats allowed.
        b: keys of the other side.

    Returns:
        Key -> how many times it is in both (at least 1), keys in order of first
        appearance in ``a``; counted without Counters when neither list repeats a key.
    """
    if not a or not b:
        return {}
    sb = set(b)
    if len(sb) == len(b) and len(set(a)) == len(a):
        return {k: 1 for k in a if k in sb}
    return dict(Counter(a) & Counter(b))


def common_count(a: Sequence[K], b: Sequence[K]) -> int:
    """How many keys ``a`` and ``b`` share, as multisets (the optimal one-to-one matching of equal keys).

    Args:
        a: keys (any hashable), repeats allowed.
        b: keys of the other side.

    Returns:
        The size of the multiset intersection, ``sum((Counter(a) & Counter(b)).values())``.
    """
    if not a or not b:
        return 0
    sa, sb = set(a), set(b)
    if len(sa) == len(a) and len(sb) == len(b):
        return len(sa & sb)
    left: dict[K, int] = {}
    for k in a:
        left[k] = left.get(k, 0) + 1
    tp = 0
    for k in b:
        n = left.get(k, 0)
        if n:
            left[k] = n - 1
            tp += 1
    return tp


def _args(event: Event, mentions: Mapping[str, Mention]) -> tuple[list[Arg], int]:
    """(start, end, role, mention id) of each argument with offsets; and how many lack offsets."""
    out: list[Arg] = []
    missing = 0
    for argument in event.arguments:
        mid = argument.mention
        m = mentions[mid]
        start, end = m.start, m.end
        if start is None or end is None:
            missing += 1
        else:
            out.append((start, end, argument.role, mid))
    return out, missing


def _pair_events(
    gold: list[Event],
    pred: list[Event],
    gargs: dict[str, list[Arg]],
    pargs: dict[str, list[Arg]],
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
        from scipy.optimize import linear_sum_assignment  # rare (repeated triggers): scipy.optimize loads here

        rows, cols = linear_sum_assignment(weight, maximize=True)
        pairs.extend((gs[r], ps[c]) for r, c in zip(rows.tolist(), cols.tolist(), strict=True))
    return pairs


def _trigger_keys(events: list[Event]) -> list[tuple[int, int, str]]:
    """(trigger start, trigger end, type) of each event (all have triggers)."""
    out: list[tuple[int, int, str]] = []
    for e in events:
        t = e.trigger
        assert t is not None
        out.append((t.start, t.end, e.type))
    return out


def _index(mentions: Sequence[Mention] | Mapping[str, Mention]) -> Mapping[str, Mention]:
    if isinstance(mentions, dict | Mapping):  # dict first: the abstract check is slow
        return mentions
    return {m.id: m for m in mentions}


def score_events_doc(
    doc_id: str,
    text: str,
    gold_mentions: Sequence[Mention] | Mapping[str, Mention],
    gold_events: list[Event],
    pred_mentions: Sequence[Mention] | Mapping[str, Mention],
    pred_events: list[Event],
    *,
    build_errors: bool = True,
) -> EventDocResult:
    """ACE-style counts for one document (predictions may be empty).

    Args:
        doc_id: the document's id (named in errors).
        text: the document's text (error snippets).
        gold_mentions: the gold mentions, or a mapping mention id -> gold mention.
        gold_events: the gold events.
        pred_mentions: the predicted mentions, or a mapping id -> predicted mention.
        pred_events: the predicted events.
        build_errors: give the errors as items (``errors``); False: as
            :class:`~eventgold.evaluation.error_items.ErrorSpec` (``error_specs``), to build when needed.

    Returns:
        EventDocResult: the document's counts, tallies, type pairs and errors.

    Raises:
        KeyError: an argument names a mention that is not among its side's mentions.
    """
    gm, pm = _index(gold_mentions), _index(pred_mentions)
    gold = [e for e in gold_events if e.trigger is not None]
    pred = [e for e in pred_events if e.trigger is not None]
    g_cls, p_cls = _trigger_keys(gold), _trigger_keys(pred)
    n_gold, n_pred = len(gold), len(pred)
    shared = common_keys(g_cls, p_cls)
    counts = {
        "trigger_id": (common_count([k[:2] for k in g_cls], [k[:2] for k in p_cls]), n_pred, n_gold),
        "trigger_cls": (sum(shared.values()), n_pred, n_gold),
    }
    per_type: Counter[tuple[str, str]] = Counter()
    for key, n in shared.items():
        per_type[(key[2], "tp")] += n
    for side, keys in (("actual", p_cls), ("possible", g_cls)):
        for key in keys:
            k = (key[2], side)
            per_type[k] = per_type.get(k, 0) + 1

    gargs: dict[str, list[Arg]] = {}
    pargs: dict[str, list[Arg]] = {}
    g_missing = p_missing = 0
    for e in gold:
        if e.arguments:
            gargs[e.id], miss = _args(e, gm)
            g_missing += miss
        else:
            gargs[e.id] = []
    for e in pred:
        if e.arguments:
            pargs[e.id], miss = _args(e, pm)
            p_missing += miss
        else:
            pargs[e.id] = []
    per_role: Counter[tuple[str, str]] = Counter()
    for args, column in ((gargs, "possible"), (pargs, "actual")):
        for arg_list in args.values():
            for arg in arg_list:
                k = (arg[2], column)
                per_role[k] = per_role.get(k, 0) + 1
    if n_gold < len(gold_events):
        g_missing += sum(len(e.arguments) for e in gold_events if e.trigger is None)
    if n_pred < len(pred_events):
        p_missing += sum(len(e.arguments) for e in pred_events if e.trigger is None)

    if len(set(g_cls)) == n_gold and len(set(p_cls)) == n_pred:  # one event per trigger and type
        p_by_key = dict(zip(p_cls, pred, strict=True))
        pairs = [(g, p_by_key[k]) for g, k in zip(gold, g_cls, strict=True) if k in p_by_key]
    else:
        pairs = _pair_events(gold, pred, gargs, pargs)
    id_tp = cls_tp = 0
    mode_compared = mode_correct = ctx_compared = ctx_exact = ctx_tp = ctx_fp = ctx_fn = 0
    errors: list[ErrorSpec] = []
    for g, p in pairs:
        ga, pa = gargs[g.id], pargs[p.id]
        if ga or pa:
            id_tp += common_count([arg[:2] for arg in ga], [arg[:2] for arg in pa])
            common = common_keys([arg[:3] for arg in ga], [arg[:3] for arg in pa])
            matched = 0
            for (_, _, role), n in common.items():
                matched += n
                per_role[(role, "tp")] += n
            cls_tp += matched
            if matched < len(ga) or matched < len(pa):  # some arguments are missed, spurious or in another role
                errors.extend(_arg_errors(doc_id, text, g, p, ga, pa))
        if g.mode is not None or p.mode is not None:
            mode_compared += 1
            mode_correct += g.mode == p.mode
        if g.contexts or p.contexts:
            gc, pc = set(g.contexts), set(p.contexts)
            ctx_compared += 1
            ctx_exact += gc == pc
            ctx_tp += len(gc & pc)
            ctx_fp += len(pc - gc)
            ctx_fn += len(gc - pc)
    n_gargs = sum(map(len, gargs.values()))
    n_pargs = sum(map(len, pargs.values()))
    counts["arg_id"] = (id_tp, n_pargs, n_gargs)
    counts["arg_cls"] = (cls_tp, n_pargs, n_gargs)
    paired_g = {g.id for g, _ in pairs}
    paired_p = {p.id for _, p in pairs}
    if len(paired_g) < len(gargs):  # some gold event is not paired
        errors.extend(_unpaired_arg_errors(doc_id, text, gold, paired_g, gargs, gold_side=True))
    if len(paired_p) < len(pargs):
        errors.extend(_unpaired_arg_errors(doc_id, text, pred, paired_p, pargs, gold_side=False))
    type_pairs, trigger_errors = _trigger_errors(doc_id, text, gold, pred)
    specs = trigger_errors + errors if trigger_errors else errors
    return EventDocResult(
        counts=counts,
        mode_compared=mode_compared,
        mode_correct=mode_correct,
        context_compared=ctx_compared,
        context_exact=ctx_exact,
        context_tp=ctx_tp,
        context_fp=ctx_fp,
        context_fn=ctx_fn,
        type_pairs=type_pairs,
        per_type=per_type,
        per_role=per_role,
        gold_without_trigger=len(gold_events) - n_gold,
        pred_without_trigger=len(pred_events) - n_pred,
        gold_args_without_span=g_missing,
        pred_args_without_span=p_missing,
        errors=[e.build() for e in specs] if build_errors else [],
        error_specs=[] if build_errors else specs,
    )


def _unpaired_arg_errors(
    doc_id: str,
    text: str,
    events: list[Event],
    paired: set[str],
    args: dict[str, list[Arg]],
    *,
    gold_side: bool,
) -> list[ErrorSpec]:
    """Every argument of the ``events`` not in ``paired``: missed (``gold_side``) or spurious."""
    other = "predicted" if gold_side else "gold"
    return [
        ErrorSpec.unmatched(
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
    ga: list[Arg],
    pa: list[Arg],
) -> list[ErrorSpec]:
    """Missed, spurious and wrong-role arguments of one matched event pair."""
    out: list[ErrorSpec] = []
    left_p = list(pa)
    unmatched_g: list[Arg] = []
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
            out.append(ErrorSpec("argument", "wrong_role", doc_id, text, gold=gold, pred=pred))
        else:
            out.append(ErrorSpec.unmatched("argument", doc_id, text, gold, gold=True))
    out.extend(
        ErrorSpec.unmatched("argument", doc_id, text, ErrorSide(mid, p.type, s, en, r), gold=False)
        for s, en, r, mid in left_p
    )
    return out


def _trigger_errors(
    doc_id: str, text: str, gold: list[Event], pred: list[Event]
) -> tuple[list[tuple[str, str]], list[ErrorSpec]]:
    """Event-type pairs of triggers matched by offsets (same type first) and trigger errors."""
    by_off: dict[Span2, tuple[list[Event], list[Event]]] = {}
    for side, events in ((0, gold), (1, pred)):
        for e in events:
            assert e.trigger is not None
            key = (e.trigger.start, e.trigger.end)
            group = by_off.get(key)
            if group is None:
                group = by_off[key] = ([], [])
            group[side].append(e)
    type_pairs: list[tuple[str, str]] = []
    errors: list[ErrorSpec] = []
    for (s, en), (gs, ps) in sorted(by_off.items()):
        if len(gs) == 1 and len(ps) == 1:  # the common case, as the loops below would do it
            g, p = gs[0], ps[0]
            type_pairs.append((g.type, p.type))
            if g.type != p.type:
                gold_side, pred_side = ErrorSide(g.id, g.type, s, en), ErrorSide(p.id, p.type, s, en)
                errors.append(ErrorSpec("trigger", "wrong_type", doc_id, text, gold=gold_side, pred=pred_side))
            continue
        for g in list(gs):  # same type first
            hit = next((p for p in ps if p.type == g.type), None)
            if hit is not None:
                gs.remove(g)
                ps.remove(hit)
                type_pairs.append((g.type, hit.type))
        for g, p in zip(gs, ps, strict=False):
            type_pairs.append((g.type, p.type))
            gold_side, pred_side = ErrorSide(g.id, g.type, s, en), ErrorSide(p.id, p.type, s, en)
            errors.append(ErrorSpec("trigger", "wrong_type", doc_id, text, gold=gold_side, pred=pred_side))
        errors.extend(
            ErrorSpec.unmatched("trigger", doc_id, text, ErrorSide(g.id, g.type, s, en), gold=True)
            for g in gs[len(ps) :]
        )
        errors.extend(
            ErrorSpec.unmatched("trigger", doc_id, text, ErrorSide(p.id, p.type, s, en), gold=False)
            for p in ps[len(gs) :]
        )
    return type_pairs, errors
