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

from collections import Counter
from collections.abc import Hashable, Mapping

from eventgold.evaluation.error_items import ErrorItem, ErrorSide, unmatched_item
from eventgold.models import Event, Mention
from eventgold.ontology import Ontology

CODER_VARIANTS: tuple[str, ...] = ("tuple", "type_actor", "type", "quad")


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


def score_coder_doc(
    doc_id: str,
    gold_mentions: list[Mention],
    gold_events: list[Event],
    pred_mentions: list[Mention],
    pred_events: list[Event],
    ontology: Ontology,
) -> tuple[dict[str, tuple[int, int, int]], list[ErrorItem]]:
    """Per variant (tp, actual, possible) for one document, and the full-tuple errors.

    ``ontology`` gives the coder mapping (which roles are sources and targets)
    and the quad classes.
    """
    gm = {m.id: m for m in gold_mentions}
    pm = {m.id: m for m in pred_mentions}
    out: dict[str, tuple[int, int, int]] = {}
    errors: list[ErrorItem] = []
    for variant in CODER_VARIANTS:
        gk = [event_key(variant, e, gm, ontology) for e in gold_events]
        pk = [event_key(variant, e, pm, ontology) for e in pred_events]
        common = Counter(gk) & Counter(pk)
        out[variant] = (sum(common.values()), len(pk), len(gk))
        if variant == "tuple":
            errors = _tuple_errors(doc_id, common, (gold_events, gk), (pred_events, pk))
    return out, errors


def _tuple_errors(
    doc_id: str,
    common: Counter[Hashable],
    gold: tuple[list[Event], list[Hashable]],
    pred: tuple[list[Event], list[Hashable]],
) -> list[ErrorItem]:
    """Missed gold and spurious predicted events: those whose keys are left once ``common`` is used up."""
    errors: list[ErrorItem] = []
    for is_gold, (events, keys) in ((True, gold), (False, pred)):
        left = Counter(common)
        for e, k in zip(events, keys, strict=True):
            if left[k] > 0:
                left[k] -= 1
                continue
            errors.append(
                unmatched_item("coder", doc_id, None, ErrorSide(e.id, e.type), gold=is_gold, detail=_describe(k))
            )
    return errors


def _describe(key: Hashable) -> str:
    assert isinstance(key, tuple)
    etype, sources, targets = key
    return f"{etype}: {sorted(sources)} -> {sorted(targets)}"
