"""The flat metrics of an extractor's score (moved out of :mod:`eventgold.scoring.api`).

Stable dotted names (``mention.strict.f1``, ``event.arg_cls.f1``, ...) listed in
:data:`eventgold.scoring.report.METRIC_NAMES`: what ``--fail-under`` and
``ScoreReport.metric`` accept. Per-type and per-role tables are not flattened:
their names depend on the ontology.
"""

from __future__ import annotations

from eventgold.scoring.events import ACE_METRICS
from eventgold.scoring.report import (
    MENTION_OVERALL_KEYS,
    ActorScores,
    ConfusionMatrix,
    EventScores,
    MentionSchemeResult,
    PRFScore,
)


def flat_metrics(
    mentions: dict[str, MentionSchemeResult],
    actors: ActorScores,
    events: EventScores,
    coder: dict[str, PRFScore],
    confusion: dict[str, ConfusionMatrix],
) -> dict[str, float]:
    """Every flat metric (:data:`eventgold.scoring.report.METRIC_NAMES`) of one extractor, by name."""
    out: dict[str, float] = {}
    for scheme, res in mentions.items():
        o = res.overall
        for k in MENTION_OVERALL_KEYS:
            out[f"mention.{scheme}.{k}"] = float(getattr(o, k))
        out[f"mention.{scheme}.macro_precision"] = res.macro_precision
        out[f"mention.{scheme}.macro_recall"] = res.macro_recall
        out[f"mention.{scheme}.macro_f1"] = res.macro_f1
    out["actor.id.accuracy"] = actors.id.accuracy
    out["actor.id.compared"] = float(actors.id.compared)
    out["actor.id.correct"] = float(actors.id.correct)

    def put(prefix: str, s: PRFScore) -> None:
        for k in ("precision", "recall", "f1", "tp", "fp", "fn"):
            out[f"{prefix}.{k}"] = float(getattr(s, k))

    put("actor.set", actors.set)
    out["actor.set.macro_f1"] = actors.set_macro_f1
    for metric in ACE_METRICS:
        put(f"event.{metric}", getattr(events, metric))
    out["event.mode.accuracy"] = events.mode.accuracy
    out["event.context.accuracy"] = events.context.accuracy
    put("event.context", events.context_labels)
    out["event.trigger_cls.macro_f1"] = events.trigger_cls_macro_f1
    for variant, s in coder.items():
        put(f"coder.{variant}", s)
    out["actor_type.kappa"] = confusion["actor_type"].kappa
    out["event_type.kappa"] = confusion["event_type"].kappa
    return out
