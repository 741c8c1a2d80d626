"""A trained model as an extractor: ``-e model:models/NAME``.

:class:`TrainedModel` loads a model folder (:mod:`eventgold.training.meta`) and
annotates articles: the spaCy span model gives actor mentions and event
triggers with their probabilities (``Mention.score``, ``Event.score``), the
scikit-learn classifiers the arguments of each trigger and its mode. It has
the :class:`eventgold.extractors.base.Extractor` interface (``name``,
``version``, ``extract``), so ``extract``, ``push --predictions``, ``suggest``
and ``score`` take it like any extractor. A model refuses an ontology other
than the one it was trained with (both sha256 named).

Model files hold pickled scikit-learn objects (joblib): load only models you
or your team trained.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from eventgold.errors import ConfigError, InputError
from eventgold.models import Article, DocumentAnnotation, Event, Mention, Origin, Span
from eventgold.ontology import Ontology
from eventgold.training.meta import (
    ARGUMENTS_FILE,
    MODES_FILE,
    ONTOLOGY_FILE,
    SPANS_DIR,
    ModelMeta,
    read_meta,
)

if TYPE_CHECKING:
    from eventgold.training.modes import ModeModel
    from eventgold.training.roles import ArgumentModel
    from eventgold.training.spans import DocSpans, SpanModel

MODEL_PREFIX = "model:"
"""Extractor names starting with this name a model folder: ``model:models/NAME``."""


def annotation_of(
    article: Article, spans: DocSpans, arguments: ArgumentModel, modes: ModeModel, origin: Origin
) -> DocumentAnnotation:
    """One article's annotation from its predicted spans: mentions, triggers, arguments and modes.

    Args:
        article: the article (its text holds the offsets of ``spans``).
        spans: the span model's output for the article's text.
        arguments: fills the roles of each event with predicted mentions.
        modes: gives each event its mode (or none).
        origin: the annotation's origin (kind ``extractor``).

    Returns:
        A DocumentAnnotation: mentions ``m1``, ``m2`` ... and events ``e1``, ``e2`` ... in
        text order, each with its probability in ``score``.
    """
    text = article.text
    mentions = [
        Mention(id=f"m{i}", type=c.label, start=c.start, end=c.end, text=text[c.start : c.end], score=c.score)
        for i, c in enumerate(sorted(spans.actors, key=lambda c: (c.start, c.end, c.label)), 1)
    ]
    events = [
        Event(
            id=f"e{i}",
            type=c.label,
            trigger=Span(start=c.start, end=c.end, text=text[c.start : c.end]),
            score=c.score,
        )
        for i, c in enumerate(sorted(spans.events, key=lambda c: (c.start, c.end, c.label)), 1)
    ]
    if events:
        filled = arguments.predict(text, mentions, events)
        chosen = modes.predict(text, events)
        events = [
            e.model_copy(update={"arguments": args, "mode": mode})
            for e, args, (mode, _) in zip(events, filled, chosen, strict=True)
        ]
    return DocumentAnnotation(doc_id=article.id, origin=origin, mentions=mentions, events=events)


class TrainedModel:
    """A model folder loaded for prediction; an extractor named ``model:<folder>``."""

    def __init__(
        self,
        path: Path,
        meta: ModelMeta,
        ontology: Ontology,
        spans: SpanModel,
        arguments: ArgumentModel,
        modes: ModeModel,
    ) -> None:
        """Use :meth:`load`; this joins parts already loaded."""
        self.path = path
        self.meta = meta
        self.ontology = ontology
        self.spans = spans
        self.arguments = arguments
        self.modes = modes
        self.name = f"{MODEL_PREFIX}{meta.name}"
        self.version = (
            f"trained on gold {meta.gold.version} split {meta.gold.train_split} "
            f"(manifest sha256 {meta.gold.manifest_sha256[:12]}), seed {meta.seed}"
        )

    @classmethod
    def load(cls, path: str | Path, ontology: Ontology | None = None) -> TrainedModel:
        """Load a model folder written by :func:`eventgold.training.api.train`.

        Args:
            path: the model folder.
            ontology: the ontology it will be used with; it must be the one the model was
                trained with (same sha256). None: the model's own copy.

        Returns:
            The loaded model.

        Raises:
            InputError: not a model folder, or a part is missing or broken.
            ConfigError: ``ontology`` differs from the model's (both sha256 named), or spaCy
                (the ``spacy`` extra) is not installed.
        """
        folder = Path(path)
        meta = read_meta(folder)
        try:
            own = Ontology.model_validate_json((folder / ONTOLOGY_FILE).read_bytes())
        except (OSError, ValueError) as exc:
            raise InputError(f"{folder / ONTOLOGY_FILE}: missing or broken ({exc}); train the model again") from exc
        if ontology is not None and ontology.sha256() != meta.ontology.sha256:
            raise ConfigError(
                f"model {folder} was trained with ontology {meta.ontology.name!r} (sha256 {meta.ontology.sha256}), "
                f"not with this one ({ontology.name!r}, sha256 {ontology.sha256()}); train it on a gold of this "
                "ontology or use the ontology it was trained with"
            )
        from eventgold.training.modes import ModeModel
        from eventgold.training.roles import ArgumentModel
        from eventgold.training.spans import SpanModel

        for part in (SPANS_DIR, ARGUMENTS_FILE, MODES_FILE):
            if not (folder / part).exists():
                raise InputError(f"{folder / part}: missing; the model folder is incomplete, train it again")
        return cls(
            folder,
            meta,
            own,
            SpanModel(folder / SPANS_DIR),
            ArgumentModel.load(folder / ARGUMENTS_FILE, own),
            ModeModel.load(folder / MODES_FILE, own),
        )

    def extract(self, articles: Iterable[Article], *, batch_size: int = 32) -> Iterator[DocumentAnnotation]:
        """One DocumentAnnotation per article, in order (the Extractor interface).

        Args:
            articles: the articles (read lazily, ``batch_size`` at a time).
            batch_size: articles per spaCy batch.

        Yields:
            DocumentAnnotation with origin kind ``extractor`` named :attr:`name`.
        """
        origin = Origin(kind="extractor", name=self.name, version=self.version)
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= batch_size:
                yield from self._annotate(batch, origin, batch_size)
                batch = []
        if batch:
            yield from self._annotate(batch, origin, batch_size)

    def _annotate(self, batch: list[Article], origin: Origin, batch_size: int) -> Iterator[DocumentAnnotation]:
        predicted = self.spans.predict([a.text for a in batch], batch_size=batch_size)
        for article, spans in zip(batch, predicted, strict=True):
            yield annotation_of(article, spans, self.arguments, self.modes, origin)
