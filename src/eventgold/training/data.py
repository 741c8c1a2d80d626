"""What a model learns from: a gold version's train and dev documents, checked for enough to learn.

:func:`training_data` reads a gold version (:func:`eventgold.gold.dataset.read_gold_version`)
and takes the documents of two of its splits. Too little to learn is an
:class:`~eventgold.errors.InputError` naming what is missing (no document in a
split, no actor mention or no event trigger in the train split); an actor or
event type of the ontology with no example in the train split is a warning
(the model cannot predict it). :func:`fraction` takes a seeded, nested share of
documents for learning curves.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eventgold.errors import ConfigError, InputError, Option
from eventgold.gold.dataset import GoldVersion, read_gold_version
from eventgold.models import GoldDocument
from eventgold.ontology import Ontology


@dataclass
class TrainingData:
    """The documents a model is trained and selected on, and what they lack."""

    gold: GoldVersion
    train: list[GoldDocument]
    """The train split's documents, in gold order."""
    dev: list[GoldDocument]
    """The dev split's documents (model selection and the dev figures)."""
    warnings: list[str] = field(default_factory=list)
    """Types of the ontology with no example in the train split, one line each."""


def training_data(
    gold_dir: str | Path, ontology: Ontology, *, train_split: str = "train", dev_split: str = "dev"
) -> TrainingData:
    """Read a gold version and take its train and dev documents.

    Args:
        gold_dir: a gold version folder (``exports/gold/<version>``).
        ontology: the ontology the gold is checked against (every label must be in it).
        train_split: the split to learn from.
        dev_split: the split to select the model on and report dev figures for.

    Returns:
        TrainingData with both document lists and the warnings.

    Raises:
        InputError: the two splits are the same, a split has no document (naming the
            splits the version has), or the train split has no actor mention with
            offsets or no event with a trigger.
        RecordError: a gold record breaks the ontology (from the reader).

    Example:
        >>> from eventgold.ontology import load_ontology
        >>> from eventgold.resources import packaged_samples
        >>> data = training_data(packaged_samples() / "gold" / "v1", load_ontology())
        >>> len(data.train), len(data.dev)
        (3, 1)
    """
    if train_split == dev_split:
        raise InputError(
            f"the train and dev splits are both {train_split!r}; give two different splits (", Option("dev_split"), ")"
        )
    gold = read_gold_version(gold_dir, ontology)
    present = sorted({d.split or "" for d in gold.documents} - {""})
    by_split: dict[str, list[GoldDocument]] = {train_split: [], dev_split: []}
    for doc in gold.documents:
        if doc.split in by_split:
            by_split[doc.split].append(doc)
    for name, option in ((train_split, "train_split"), (dev_split, "dev_split")):
        if not by_split[name]:
            has = ", ".join(present) or "no splits"
            raise InputError(
                f"{gold.path}: no document in split {name!r} (this version has: {has}); choose another with ",
                Option(option),
                " or build the gold with that split",
            )
    train = by_split[train_split]
    mention_types = {m.type for d in train for m in d.mentions if m.start is not None}
    event_types = {e.type for d in train for e in d.events if e.trigger is not None}
    if not mention_types:
        raise InputError(f"{gold.path}: split {train_split!r} has no actor mention with offsets: nothing to learn")
    if not event_types:
        raise InputError(f"{gold.path}: split {train_split!r} has no event with a trigger: nothing to learn")
    warnings = []
    no_span = sum(m.start is None for d in train for m in d.mentions)
    no_trigger = sum(e.trigger is None for d in train for e in d.events)
    if no_span or no_trigger:
        warnings.append(
            f"split {train_split!r}: {no_span} mention(s) without offsets and {no_trigger} event(s) without a trigger "
            "are not learnt from (the span model learns from text spans)"
        )
    missing = [t.name for t in ontology.actor_types if t.name not in mention_types]
    if missing:
        warnings.append(f"actor types with no example in split {train_split!r} (never predicted): {', '.join(missing)}")
    missing = [t.name for t in ontology.event_types if t.name not in event_types]
    if missing:
        warnings.append(f"event types with no example in split {train_split!r} (never predicted): {', '.join(missing)}")
    return TrainingData(gold=gold, train=train, dev=by_split[dev_split], warnings=warnings)


def fraction(docs: Sequence[GoldDocument], percent: int, seed: int = 0) -> list[GoldDocument]:
    """A seeded share of ``docs``: the first ``percent``% of one fixed shuffle, in their original order.

    Shares of one seed are nested (the 25% are among the 50%), so a learning curve
    only adds documents from one point to the next. At least one document is taken.

    Args:
        docs: the documents (n).
        percent: 1..100.
        seed: the shuffle's seed.

    Returns:
        max(1, round(n * percent / 100)) documents, in the order of ``docs``.

    Raises:
        ConfigError: ``percent`` is outside 1..100.
    """
    check_curve([percent])
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    keep = sorted(order[: max(1, round(len(docs) * percent / 100))])
    return [docs[i] for i in keep]


def check_curve(points: Sequence[int]) -> list[int]:
    """The learning-curve points, sorted and each once.

    Raises:
        ConfigError: a point outside 1..100 (naming it).
    """
    for point in points:
        if not 1 <= point <= 100:
            raise ConfigError(
                "learning-curve points (", Option("curve"), f") are percentages from 1 to 100, not {point}"
            )
    return sorted(set(points))
