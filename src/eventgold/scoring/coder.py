"""Coder-style event scoring: offset-free (type, sources, targets) tuples per document.

For extractors that give no offsets (PETRARCH, POLECAT-type coders), an event
is the tuple (type, set of source actor ids, set of target actor ids). Which
roles are sources and which are targets is the ontology's ``coder`` mapping
(:class:`eventgold.ontology.Coder`; PLOVER: ``actor`` -> source, ``recipient``
-> target); arguments of roles in neither are left out of the tuple. Gold and
predicted tuples of a document are matched one-to-one; because a pair either
matches (equal keys) or not, the optimal assignment equals the multiset
intersection of the keys (tests check this against
``scipy.optimize.linear_sum_assignment``). Relaxed variants compare less:

- ``tuple``: type, source ids, target ids;
- ``type_actor``: type and source ids;
- ``type``: the event type only;
- ``quad``: the PLOVER quad class of the type (the type itself when the
  ontology gives it none).

An actor is identified by its mention's ``canonical_id``; a mention without one
by its text (case-folded), and one with neither by its offsets. Every event
takes part, with or without a trigger.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from eventgold.evaluation.error_items import ErrorSide, ErrorSpec
from eventgold.models import Event, Mention
from eventgold.ontology import Ontology
from eventgold.scoring.events import common_count, common_keys

CODER_VARIANTS: tuple[str, ...] = ("tuple", "type_actor", "type", "quad")
_NOBODY: frozenset[str] = frozenset()


def actor_key(m: Mention) -> str:
    """How an actor is identified in a coder tuple: canonical id, else text, else offsets."""
    if m.canonical_id:
        return m.canonical_id
    if m.text:
        return "text:" + m.text.casefold()
    return f"span:{m.start}-{m.end}"


def coder_slots(e: Event, mentions: Mapping[str, Mention], ontology: Ontology) -> tuple[frozenset[str], frozenset[str]]:
    """The actor keys of ``e``'s source-role and target-role arguments (the ontology's coder mapping)."""
    sources = frozenset(actor_key(mentions[i]) for i in e.mentions_in(ontology.coder.source))
    targets = frozenset(actor_key(mentions[i]) for i in e.mentions_in(ontology.coder.target))
    return sources, targets


def event_key(variant: str, e: Event, mentions: Mapping[str, Mention], ontology: Ontology) -> Hashable:
    """The key compared for ``variant`` (one of CODER_VARIANTS)."""
    if variant == "type":
        return e.type
    if variant == "quad":
        quad = ontology.quad_of(e.type)
        return quad if quad is not None else "type:" + e.type
    if variant not in ("type_actor", "tuple"):
        raise ValueError(f"unknown coder variant {variant!r}; choose one of {', '.join(CODER_VARIANTS)}")
    sources, targets = coder_slots(e, mentions, ontology)
    if variant == "type_actor":
        return (e.type, sources)
    return (e.type, sources, targets)


def _event_keys(
    events: list[Event], mentions: Mapping[str, Mention], ontology: Ontology, quads: dict[str, Hashable]
) -> dict[str, list[Hashable]]:
    """Every variant's key of each event (what :func:`event_key` gives), reading each argument once.

    ``quads`` caches the quad key of each event type across calls.
    """
    source, target = set(ontology.coder.source), set(ontology.coder.target)
    tuples: list[Hashable] = []
    type_actor: list[Hashable] = []
    types: list[Hashable] = [e.type for e in events]
    for e in events:
        args = e.arguments
        if args:
            src = frozenset([actor_key(mentions[a.mention]) for a in args if a.role in source])
            tgt = frozenset([actor_key(mentions[a.mention]) for a in args if a.role in target])
        else:
            src = tgt = _NOBODY
        etype = e.type
        tuples.append((etype, src, tgt))
        type_actor.append((etype, src))
    quad: list[Hashable] = []
    for e in events:
        q = quads.get(e.type)
        if q is None:
            q = quads[e.type] = event_key("quad", e, mentions, ontology)
        quad.append(q)
    return {"tuple": tuples, "type_actor": type_actor, "type": types, "quad": quad}


def score_coder_doc(
    doc_id: str,
    gold_mentions: Sequence[Mention] | Mapping[str, Mention],
    gold_events: list[Event],
    pred_mentions: Sequence[Mention] | Mapping[str, Mention],
    pred_events: list[Event],
    ontology: Ontology,
    *,
    quads: dict[str, Hashable] | None = None,
) -> tuple[dict[str, tuple[int, int, int]], list[ErrorSpec]]:
    """Per variant (tp, actual, possible) for one document, and the full-tuple errors.

    Args:
        doc_id: the document's id (named in errors).
        gold_mentions: the gold mentions, or a mapping mention id -> gold mention.
        gold_events: the gold events.
        pred_mentions: the predicted mentions, or a mapping id -> predicted mention.
        pred_events: the predicted events.
        ontology: gives the coder mapping (which roles are sources and targets)
            and the quad classes.
        quads: a cache of the quad key of each event type under ``ontology``, to
            share between the documents of one run (default: a new one).

    Returns:
        Variant -> (tp, actual, possible), and the missed and spurious tuples, each an
        :class:`~eventgold.evaluation.error_items.ErrorSpec` (``build()`` gives the error item).

    Raises:
        KeyError: a source or target argument names a mention not among its side's mentions.
    """
    gm = gold_mentions if isinstance(gold_mentions, Mapping) else {m.id: m for m in gold_mentions}
    pm = pred_mentions if isinstance(pred_mentions, Mapping) else {m.id: m for m in pred_mentions}
    quads = {} if quads is None else quads
    g_keys, p_keys = _event_keys(gold_events, gm, ontology, quads), _event_keys(pred_events, pm, ontology, quads)
    out: dict[str, tuple[int, int, int]] = {}
    errors: list[ErrorSpec] = []
    for variant in CODER_VARIANTS:
        gk, pk = g_keys[variant], p_keys[variant]
        if variant != "tuple":
            out[variant] = (common_count(gk, pk), len(pk), len(gk))
            continue
        common = common_keys(gk, pk)
        tp = sum(common.values())
        out[variant] = (tp, len(pk), len(gk))
        if tp < len(gk) or tp < len(pk):  # some tuples are missed or spurious
            errors = _tuple_errors(doc_id, common, (gold_events, gk), (pred_events, pk))
    return out, errors


def _tuple_errors(
    doc_id: str,
    common: Mapping[Hashable, int],
    gold: tuple[list[Event], list[Hashable]],
    pred: tuple[list[Event], list[Hashable]],
) -> list[ErrorSpec]:
    """Missed gold and spurious predicted events: those whose keys are left once ``common`` is used up."""
    errors: list[ErrorSpec] = []
    for is_gold, (events, keys) in ((True, gold), (False, pred)):
        left = dict(common)
        for e, k in zip(events, keys, strict=True):
            n = left.get(k, 0)
            if n > 0:
                left[k] = n - 1
                continue
            errors.append(
                ErrorSpec.unmatched("coder", doc_id, None, ErrorSide(e.id, e.type), gold=is_gold, detail=_describe(k))
            )
    return errors


def _describe(key: Hashable) -> str:
    assert isinstance(key, tuple)
    etype, sources, targets = key
    return f"{etype}: {sorted(sources)} -> {sorted(targets)}"
