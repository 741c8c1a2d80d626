"""The metric registry: every flat metric of a score, defined once.

Each :class:`Metric` has its stable dotted name (``mention.strict.f1``), what it
measures, and where in an :class:`~eventgold.scoring.report.ExtractorScore` its
value is read (``mentions.strict.overall.f1``). :data:`METRICS` lists them in
the order of the ``metrics`` object of the score JSON; :data:`METRIC_NAMES` are
what ``ScoreReport.metric`` (and the CLI's ``--fail-under``) accept.
:data:`RESAMPLED` names the metric families counted per document, whose F1s
get bootstrap intervals. Per-type and per-role tables are not flattened: their
names depend on the ontology.

Sources: the mention schemes ``strict``, ``exact``, ``partial`` and ``type``
and their COR/INC/PAR/MIS/SPU counts are nervaluate's (after the SemEval-2013
task 9.1 evaluation); ``tp``/``fp``/``fn`` P/R/F1 are MUC-style micro figures;
the event metrics are ACE-style (trigger/argument identification and
classification); kappas are Cohen's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eventgold.scoring.coder import CODER_VARIANTS
from eventgold.scoring.events import ACE_METRICS
from eventgold.scoring.mentions import SCHEME_NAMES

SCHEME_COUNT_KEYS = ("cor", "inc", "par", "mis", "spu", "actual", "possible")
"""The counts of a mention scheme (nervaluate's names; actual = COR+INC+PAR+SPU, possible = COR+INC+PAR+MIS)."""

MENTION_OVERALL_KEYS = ("precision", "recall", "f1", *SCHEME_COUNT_KEYS)
"""The overall figures of a mention scheme that are flat metrics."""

PRF_KEYS = ("precision", "recall", "f1", "tp", "fp", "fn")
"""The figures of a true/false-positive count (MUC-style micro P/R/F1)."""

MACRO_KEYS = ("macro_precision", "macro_recall", "macro_f1")
"""Unweighted means over the per-type figures of a mention scheme."""


@dataclass(frozen=True)
class Metric:
    """One flat metric: its name, what it measures and where in an ExtractorScore it is read."""

    name: str
    """Stable dotted name, e.g. ``mention.strict.f1``."""
    measures: str
    """What the number is, in a few words."""
    path: tuple[str, ...]
    """Attribute (or mapping key) path in an ExtractorScore, e.g. ``("mentions", "strict", "overall", "f1")``."""

    def read(self, score: object) -> float:
        """The value of this metric in ``score`` (an ExtractorScore), as a float (NaN stays NaN).

        Raises KeyError or AttributeError when ``score`` lacks the path, TypeError when
        the path leads to something other than a number.
        """
        value: object = score
        for step in self.path:
            value = value[step] if isinstance(value, Mapping) else getattr(value, step)
        if not isinstance(value, int | float):
            raise TypeError(f"metric {self.name}: {'.'.join(self.path)} is {type(value).__name__}, not a number")
        return float(value)


def _prf(name: str, path: tuple[str, ...], what: str) -> list[Metric]:
    return [Metric(f"{name}.{k}", f"{what}: {k}", (*path, k)) for k in PRF_KEYS]


def _registry() -> list[Metric]:
    out: list[Metric] = []
    for scheme in SCHEME_NAMES:
        what = f"mentions, {scheme} matching (nervaluate)"
        out += [
            Metric(f"mention.{scheme}.{k}", f"{what}: {k}", ("mentions", scheme, "overall", k))
            for k in MENTION_OVERALL_KEYS
        ]
        out += [Metric(f"mention.{scheme}.{k}", f"{what}: {k} over types", ("mentions", scheme, k)) for k in MACRO_KEYS]
    out += [
        Metric(f"actor.id.{k}", f"canonical actor ids of exactly matched mentions: {k}", ("actors", "id", k))
        for k in ("accuracy", "compared", "correct")
    ]
    out += _prf("actor.set", ("actors", "set"), "set of canonical actor ids per document")
    out.append(Metric("actor.set.macro_f1", "actor-id set F1, mean over documents", ("actors", "set_macro_f1")))
    for metric in ACE_METRICS:
        out += _prf(f"event.{metric}", ("events", metric), f"events, ACE {metric}")
    out.append(Metric("event.mode.accuracy", "event mode of matched events", ("events", "mode", "accuracy")))
    out.append(Metric("event.context.accuracy", "event context of matched events", ("events", "context", "accuracy")))
    out += _prf("event.context", ("events", "context_labels"), "event context labels")
    out.append(
        Metric(
            "event.trigger_cls.macro_f1",
            "trigger classification F1, mean over types",
            ("events", "trigger_cls_macro_f1"),
        )
    )
    for variant in CODER_VARIANTS:
        out += _prf(f"coder.{variant}", ("coder", variant), f"coder tuples, {variant}")
    out += [
        Metric(f"{m}.kappa", f"Cohen's kappa of gold vs predicted {m.replace('_', ' ')}", ("confusion", m, "kappa"))
        for m in ("actor_type", "event_type")
    ]
    return out


METRICS: tuple[Metric, ...] = tuple(_registry())
"""Every flat metric, in the stable order of the score JSON."""

METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
"""Every flat metric name, in a stable order."""

RESAMPLED: tuple[str, ...] = (
    *(f"mention.{s}" for s in SCHEME_NAMES),
    "actor.set",
    *(f"event.{m}" for m in ACE_METRICS),
    *(f"coder.{v}" for v in CODER_VARIANTS),
)
"""Metric families counted per document (credit, actual, possible): their
``.precision``/``.recall``/``.f1`` get group scores and bootstrap intervals."""

HEADLINE_METRICS: tuple[str, ...] = (
    "mention.strict.f1",
    "mention.partial.f1",
    "event.trigger_cls.f1",
    "event.arg_cls.f1",
    "coder.tuple.f1",
)
"""The F1s reported with confidence intervals first and compared by paired tests."""


def flat_metrics(score: object) -> dict[str, float]:
    """Every metric of :data:`METRICS` read from ``score`` (an ExtractorScore), by name, in registry order."""
    return {m.name: m.read(score) for m in METRICS}
