"""The spaCy training config of a span model, and its settings (sizes and schedule).

The config is spaCy's own starter config (``init_config``: English, ``spancat``, efficiency, CPU,
no vectors) turned into one ``tok2vec`` shared by two single-label span categorizers
(``spancat_singlelabel``: a softmax over the types plus a "no span" label, so each candidate span
gets at most one type while different candidate spans, overlapping ones included, may all be kept):
``actors`` (actor mentions by actor type) and ``events`` (event triggers by event type).
spaCy is imported only when a config is built.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eventgold.errors import ConfigError
from eventgold.export.spacy_docbin import import_spacy

if TYPE_CHECKING:
    from thinc.api import Config

ACTORS_KEY = "actors"
"""``doc.spans`` key (and component name) of actor mentions, as the spaCy export writes them."""
EVENTS_KEY = "events"
"""``doc.spans`` key (and component name) of event triggers, as the spaCy export writes them."""
TOKENIZER_FACTORY = "eventgold.Tokenizer.v1"
"""spaCy registry name of the tokenizer every span model uses (eventgold's regex tokenizer)."""
SUGGESTER_FACTORY = "eventgold.ngram_suggester.v1"
"""spaCy registry name of the candidate suggester: n-grams that neither start nor end at whitespace or
punctuation (an opening bracket or quote may start one, a closing one may end it)."""
SCORE_NAMES: tuple[str, ...] = tuple(f"spans_{key}_{m}" for key in (ACTORS_KEY, EVENTS_KEY) for m in "fpr")
"""The dev scores :func:`train_spans` returns (spaCy's span scorer names)."""


def _positive_sizes(name: str, value: Sequence[int]) -> tuple[int, ...]:
    sizes = tuple(value)
    if not sizes or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes):
        raise ConfigError(f"span model setting {name}={value!r}: give one or more n-gram sizes, whole numbers >= 1")
    if len(set(sizes)) != len(sizes):
        raise ConfigError(f"span model setting {name}={value!r}: an n-gram size is repeated; give each size once")
    return tuple(sorted(sizes))


@dataclass(frozen=True)
class SpanModelSettings:
    """Size and training schedule of a span model (spaCy config values).

    Args:
        width: tok2vec width (vector size per token).
        depth: tok2vec encoder layers (each widens the context by ``window`` tokens per side).
        window: tok2vec window size (tokens on each side per layer).
        embed_rows: hash-embedding rows of the NORM table (PREFIX/SUFFIX/SHAPE use 1/5, 1/2, 1/2 of it).
        hidden_size: span categorizer reducer width (its cost grows with the number of candidate spans).
        max_steps: most optimizer steps (batches).
        eval_frequency: steps between dev evaluations (each one a checkpoint).
        patience: stop after this many steps without a better dev score (0: never stop early).
        dropout: dropout rate in [0, 1).
        learn_rate: Adam learning rate (> 0).
        batch_words: words per batch (a longer document is a batch of its own).
        actor_ngrams: span lengths (tokens) the actor suggester proposes.
        trigger_ngrams: span lengths (tokens) the trigger suggester proposes.
        threshold: lowest probability of a predicted span's label, in [0, 1] (a span is predicted when its
            most probable label is a type, not "no span", with at least this probability).

    Raises:
        ConfigError: a value out of range (the message names it and what is allowed).

    Example:
        >>> SpanModelSettings.tiny().width
        64
    """

    width: int = 48
    depth: int = 2
    window: int = 1
    embed_rows: int = 5000
    hidden_size: int = 32
    max_steps: int = 1000
    eval_frequency: int = 100
    patience: int = 500
    dropout: float = 0.1
    learn_rate: float = 0.003
    batch_words: int = 1000
    actor_ngrams: tuple[int, ...] = (1, 2, 3, 4)
    trigger_ngrams: tuple[int, ...] = (1, 2)
    threshold: float = 0.5

    def __post_init__(self) -> None:
        """Check every value; store the n-gram sizes as sorted tuples."""
        minimum = {
            "width": 1, "depth": 1, "window": 1, "embed_rows": 8, "hidden_size": 1,
            "max_steps": 1, "eval_frequency": 1, "patience": 0, "batch_words": 1,
        }  # fmt: skip
        for name, low in minimum.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"span model setting {name}={value!r}: give a whole number >= {low}")
        for name, ok, allowed in (
            ("dropout", lambda v: 0.0 <= v < 1.0, "a number from 0 up to (not including) 1"),
            ("learn_rate", lambda v: 0.0 < v < math.inf, "a number > 0"),
            ("threshold", lambda v: 0.0 <= v <= 1.0, "a number from 0 to 1"),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not ok(value):
                raise ConfigError(f"span model setting {name}={value!r}: give {allowed}")
        object.__setattr__(self, "actor_ngrams", _positive_sizes("actor_ngrams", self.actor_ngrams))
        object.__setattr__(self, "trigger_ngrams", _positive_sizes("trigger_ngrams", self.trigger_ngrams))

    @classmethod
    def tiny(cls) -> SpanModelSettings:
        """A small, fast model: trains in seconds on a handful of documents and can overfit them (for tests)."""
        return cls(
            width=64, depth=2, embed_rows=2000, hidden_size=64, max_steps=100, eval_frequency=50,
            patience=0, dropout=0.0, learn_rate=0.005, batch_words=3000, actor_ngrams=(1, 2, 3, 4),
        )  # fmt: skip


def _types(kind: str, types: Sequence[str]) -> list[str]:
    names = list(types)
    if not names or any(not isinstance(n, str) or not n for n in names):
        raise ConfigError(f"span model: give one or more {kind} types (non-empty names), not {types!r}")
    if len(set(names)) != len(names):
        raise ConfigError(f"span model: {kind} types {names!r} repeat a name; give each type once")
    return names


def span_config(
    actor_types: Sequence[str], event_types: Sequence[str], settings: SpanModelSettings, seed: int
) -> Config:
    """The spaCy training config of a span model, built from spaCy's own starter config.

    Args:
        actor_types: the ontology's actor types (labels of the ``actors`` component, in this order).
        event_types: the ontology's event types (labels of the ``events`` component).
        settings: sizes and schedule.
        seed: ``[system] seed`` (training shuffles, initial weights, dropout).

    Returns:
        A thinc ``Config`` (``paths.train``/``paths.dev`` left unset): pipeline ``tok2vec``,
        ``actors``, ``events`` (``spancat_singlelabel``, candidates from :data:`SUGGESTER_FACTORY`);
        dev score = mean of ``spans_actors_f`` and ``spans_events_f``.
        Pure: the same arguments give the same config.

    Raises:
        ConfigError: no types, or a type named twice; spaCy is not installed.
    """
    import_spacy()
    from spacy.cli.init_config import init_config

    labels = {ACTORS_KEY: _types("mention", actor_types), EVENTS_KEY: _types("event", event_types)}
    config = init_config(lang="en", pipeline=["spancat"], optimize="efficiency", gpu=False)
    config["system"]["seed"] = seed
    config["nlp"]["tokenizer"] = {"@tokenizers": TOKENIZER_FACTORY}
    config["nlp"]["pipeline"] = ["tok2vec", ACTORS_KEY, EVENTS_KEY]
    tok2vec = config["components"]["tok2vec"]["model"]
    tok2vec["encode"].update(width=settings.width, depth=settings.depth, window_size=settings.window)
    rows = settings.embed_rows
    tok2vec["embed"]["rows"] = [rows, max(rows // 5, 8), max(rows // 2, 8), max(rows // 2, 8)]
    spancat = config["components"].pop("spancat")
    sizes = {ACTORS_KEY: settings.actor_ngrams, EVENTS_KEY: settings.trigger_ngrams}
    for key in (ACTORS_KEY, EVENTS_KEY):
        component = copy.deepcopy(spancat)
        for name in ("threshold", "max_positive"):  # spancat_singlelabel takes neither; train_spans sets the threshold
            component.pop(name)
        component.update(factory="spancat_singlelabel", spans_key=key, negative_weight=1.0, allow_overlap=True)
        component["model"]["scorer"] = {"@layers": "Softmax.v2", "nO": None, "nI": None}
        component["suggester"] = {"@misc": SUGGESTER_FACTORY, "sizes": list(sizes[key])}
        component["model"]["reducer"]["hidden_size"] = settings.hidden_size
        config["components"][key] = component
    config["initialize"]["components"] = {key: {"labels": labels[key]} for key in (ACTORS_KEY, EVENTS_KEY)}
    training = config["training"]
    training.update(
        max_steps=settings.max_steps, eval_frequency=min(settings.eval_frequency, settings.max_steps),
        patience=settings.patience,
        dropout=settings.dropout,
    )  # fmt: skip
    training["optimizer"]["learn_rate"] = settings.learn_rate
    training["batcher"]["size"] = settings.batch_words
    # spancat's default weights name its default key ("sc"): null leaves them out of the dev score
    training["score_weights"] = {
        **{f"spans_sc_{m}": None for m in "fpr"},
        **{name: (0.5 if name.endswith("_f") else 0.0) for name in SCORE_NAMES},
    }
    return config
