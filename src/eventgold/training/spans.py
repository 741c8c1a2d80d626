"""Actor mentions and event triggers from spaCy's span categorizer, trained from gold.

The pipeline comes from spaCy's own starter config (:mod:`eventgold.training.spacy_config`): one
``tok2vec`` shared by two single-label span categorizers (``spancat_singlelabel``), ``actors``
(``doc.spans["actors"]``: actor mentions by actor type, overlapping allowed) and ``events``
(``doc.spans["events"]``: event triggers by event type). Candidate spans are n-grams that neither
start nor end at whitespace or punctuation (eventgold's suggester, registered in spaCy).

Training Docs are the spaCy export's (:func:`eventgold.export.spacy_docbin.make_doc`), and the
pipeline's tokenizer is eventgold's (:func:`eventgold.export.tokenize.tokenize`, registered in spaCy
as ``eventgold.Tokenizer.v1``): the same tokens in training, on dev and at prediction time, and every
offset a character offset of the text given. Loading a saved model needs this module (:class:`SpanModel`).
Training is spaCy's loop (``spacy.training.loop.train_while_improving``, spaCy's batches and dev
evaluation), seeded and silent, keeping the best checkpoint on dev. spaCy (the ``spacy`` extra) is
imported only when needed.
"""

from __future__ import annotations

import itertools
import random
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventgold.errors import ConfigError, InputError
from eventgold.export.layout import layout_document
from eventgold.export.spacy_docbin import import_spacy, make_doc, words_and_spaces
from eventgold.export.tokenize import TOKENIZER, tokenize
from eventgold.models import GoldDocument
from eventgold.training.spacy_config import (  # re-exported: a span model's names in one place
    ACTORS_KEY,
    EVENTS_KEY,
    SCORE_NAMES,
    SUGGESTER_FACTORY,
    TOKENIZER_FACTORY,
    SpanModelSettings,
    span_config,
)

__all__ = [
    "ACTORS_KEY", "EVENTS_KEY", "SCORE_NAMES", "SUGGESTER_FACTORY", "TOKENIZER_FACTORY", "DocSpans",
    "EventgoldTokenizer", "SpanCandidate", "SpanModel", "SpanModelSettings", "register_tokenizer", "span_config",
    "train_spans", "write_docbin",
]  # fmt: skip


class EventgoldTokenizer:
    """spaCy tokenizer on eventgold's rules (:func:`eventgold.export.tokenize.tokenize`).

    ``doc.text`` is exactly the text given; whitespace other than one space after a
    token is a whitespace token, as in the spaCy export. Nothing to save but the rules' name.
    """

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Any:
        """The ``Doc`` of ``text``."""
        from spacy.tokens import Doc

        words, spaces = words_and_spaces(text, tokenize(text))
        return Doc(self.vocab, words=words, spaces=spaces)

    def to_bytes(self, **_: Any) -> bytes:
        """The rules' name (:data:`eventgold.export.tokenize.TOKENIZER`)."""
        return TOKENIZER.encode("utf-8")

    def from_bytes(self, data: bytes, **_: Any) -> EventgoldTokenizer:
        """Check the saved rules' name; ConfigError if the model was trained with other rules."""
        saved = data.decode("utf-8")
        if saved != TOKENIZER:
            raise ConfigError(f"span model tokenized with {saved!r}; this eventgold tokenizes with {TOKENIZER!r}")
        return self

    def to_disk(self, path: str | Path, **_: Any) -> None:
        """Write the rules' name to ``path``."""
        Path(path).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, **_: Any) -> EventgoldTokenizer:
        """Read and check the rules' name (see :meth:`from_bytes`)."""
        return self.from_bytes(Path(path).read_bytes())


def _make_tokenizer() -> Callable[[Any], EventgoldTokenizer]:
    """The factory spaCy's config names: ``nlp`` -> its tokenizer."""
    return lambda nlp: EventgoldTokenizer(nlp.vocab)


def register_tokenizer() -> None:
    """Register :class:`EventgoldTokenizer` and the candidate suggester in spaCy (idempotent).

    Names: :data:`TOKENIZER_FACTORY` and :data:`SUGGESTER_FACTORY` (a saved model's config names both).

    Raises:
        ConfigError: spaCy is not installed.
    """
    spacy = import_spacy()
    spacy.registry.tokenizers.register(TOKENIZER_FACTORY, func=_make_tokenizer)
    spacy.registry.misc.register(SUGGESTER_FACTORY, func=_make_suggester)


def _make_suggester(sizes: list[int]) -> Callable[..., Any]:
    """The suggester spaCy's config names (:data:`SUGGESTER_FACTORY`): ``sizes`` -> ``suggest(docs, *, ops)``."""
    import numpy
    from spacy.attrs import IS_LEFT_PUNCT, IS_PUNCT, IS_RIGHT_PUNCT, IS_SPACE
    from thinc.api import get_current_ops
    from thinc.types import Ragged

    def suggest(docs: Iterable[Any], *, ops: Any = None) -> Any:
        ops = ops if ops is not None else get_current_ops()
        found: list[Any] = []
        lengths: list[int] = []
        for doc in docs:
            flags = doc.to_array([IS_SPACE, IS_PUNCT, IS_LEFT_PUNCT, IS_RIGHT_PUNCT]).astype(bool).reshape(-1, 4)
            space, punct = flags[:, 0], flags[:, 1]
            can_start = ~space & (~punct | flags[:, 2])
            can_end = ~space & (~punct | flags[:, 3])
            before = len(found)
            for size in sizes:
                starts = numpy.flatnonzero(can_start[: max(len(doc) - size + 1, 0)] & can_end[size - 1 :])
                found.append(numpy.stack([starts, starts + size], axis=1))
            lengths.append(sum(len(a) for a in found[before:]))
        data = numpy.concatenate(found).astype("i") if found else numpy.zeros((0, 2), dtype="i")
        return Ragged(ops.asarray2i(data.reshape(-1, 2)), ops.asarray1i(numpy.asarray(lengths, dtype="i")))

    return suggest


def write_docbin(docs: Iterable[GoldDocument], path: Path) -> int:
    """Write gold documents as a spaCy ``DocBin`` (the spaCy export's Docs, without user data).

    Args:
        docs: gold documents; mentions without offsets and cut spans are left out.
        path: the ``.spacy`` file to write.

    Returns:
        The number of documents written.

    Raises:
        ConfigError: spaCy is not installed.
        OSError: the file cannot be written.
    """
    spacy = import_spacy()
    vocab = spacy.vocab.Vocab()
    docbin = spacy.tokens.DocBin(store_user_data=False)
    for gold in docs:
        docbin.add(make_doc(vocab, layout_document(gold)))
    path.write_bytes(docbin.to_bytes())
    return len(docbin)


def _run_training(nlp: Any, on_step: Callable[[int, dict[str, float]], None] | None) -> tuple[bytes, dict[str, float]]:
    """spaCy's training loop on an initialized ``nlp``: the best checkpoint (bytes) and its dev scores."""
    from spacy.schemas import ConfigSchemaTraining
    from spacy.training.loop import create_evaluation_callback, create_train_batches, train_while_improving, update_meta
    from spacy.util import registry, resolve_dot_names
    from thinc.api import fix_random_seed

    config = nlp.config.interpolate()
    fix_random_seed(config["training"]["seed"])
    T = registry.resolve(config["training"], schema=ConfigSchemaTraining)
    train_corpus, dev_corpus = resolve_dot_names(config, [T["train_corpus"], T["dev_corpus"]])
    steps = train_while_improving(
        nlp,
        T["optimizer"],
        create_train_batches(nlp, train_corpus, T["batcher"], T["max_epochs"]),
        create_evaluation_callback(nlp, dev_corpus, T["score_weights"]),
        dropout=T["dropout"],
        accumulate_gradient=T["accumulate_gradient"],
        patience=T["patience"],
        max_steps=T["max_steps"],
        eval_frequency=T["eval_frequency"],
        exclude=T["frozen_components"],
        annotating_components=T["annotating_components"],
        before_update=T["before_update"],
    )
    best: bytes | None = None
    best_scores: dict[str, float] = {}
    for _batch, info, is_best in steps:
        if is_best is None:
            continue
        scores = {name: float(info["other_scores"].get(name) or 0.0) for name in SCORE_NAMES}  # unset: None
        if is_best:
            update_meta(T, nlp, info)
            best, best_scores = nlp.to_bytes(), scores
        if on_step is not None:
            on_step(int(info["step"]), {**scores, "score": float(info["score"])})
    if best is None:  # pragma: no cover - step 0 is always evaluated
        raise AssertionError("spaCy's training loop made no checkpoint")
    return best, best_scores


def train_spans(
    train_docs: Sequence[GoldDocument],
    dev_docs: Sequence[GoldDocument],
    actor_types: Sequence[str],
    event_types: Sequence[str],
    out_dir: Path,
    *,
    settings: SpanModelSettings,
    seed: int = 0,
    on_step: Callable[[int, dict[str, float]], None] | None = None,
) -> dict[str, float]:
    """Train the span model on ``train_docs``, keep the checkpoint best on ``dev_docs``, save it.

    Nothing is printed; the same inputs and seed give the same model, scores and predictions;
    Python's and numpy's global random states are restored afterwards.

    Args:
        train_docs: gold documents to learn from.
        dev_docs: gold documents for model selection (never learnt from).
        actor_types: labels of the ``actors`` component (the ontology's actor types);
            a type without examples is fine (it is never predicted).
        event_types: labels of the ``events`` component (the ontology's event types).
        out_dir: folder the best pipeline is saved to (``nlp.to_disk``), for :class:`SpanModel`.
        settings: sizes and schedule (:meth:`SpanModelSettings.tiny` for tests).
        seed: random seed.
        on_step: called at each dev evaluation: step, scores (:data:`SCORE_NAMES`; ``score``: mean of the F1s).

    Returns:
        The best checkpoint's dev scores :data:`SCORE_NAMES` (``spans_actors_f``, ... floats in 0..1;
        0.0 when dev has neither gold nor predicted spans of a kind).

    Raises:
        InputError: the train or the dev split has no documents; a gold type not among the types given.
        ConfigError: no types, or a type named twice; spaCy is not installed.
    """
    known = {"mention": set(actor_types), "event": set(event_types)}
    for split, docs in (("train", train_docs), ("dev", dev_docs)):
        if not docs:
            raise InputError(
                f"the {split} split has no documents: training the span model needs documents "
                "in both train (to learn from) and dev (to choose the best model)"
            )
        for doc in docs:
            for kind, label in [*(("mention", m.type) for m in doc.mentions), *(("event", e.type) for e in doc.events)]:
                if label not in known[kind]:
                    raise InputError(
                        f"{split} document {doc.doc_id}: {kind} type {label!r} is not one of the "
                        f"{kind} types given ({', '.join(sorted(known[kind]))})"
                    )
    config = span_config(actor_types, event_types, settings, seed)
    register_tokenizer()
    import numpy
    from spacy.training.initialize import init_nlp

    states = random.getstate(), numpy.random.get_state()
    try:
        with tempfile.TemporaryDirectory(prefix="eventgold-spans-") as tmp:
            for split, docs in (("train", train_docs), ("dev", dev_docs)):
                path = Path(tmp) / f"{split}.spacy"
                write_docbin(docs, path)
                config["paths"][split] = str(path)
            nlp = init_nlp(config, use_gpu=-1)
            for key in (ACTORS_KEY, EVENTS_KEY):  # spancat_singlelabel takes no threshold; its cfg keeps one
                pipe: Any = nlp.get_pipe(key)
                pipe.cfg["threshold"] = settings.threshold
            best, scores = _run_training(nlp, on_step)
    finally:
        random.setstate(states[0])
        numpy.random.set_state(states[1])
    nlp.from_bytes(best)
    for split in ("train", "dev"):  # the temporary DocBins are gone: the saved config names none
        nlp.config["paths"][split] = None
    nlp.to_disk(out_dir)
    return scores


@dataclass(frozen=True)
class SpanCandidate:
    """A predicted span: character offsets into the text (end exclusive), its label and that label's probability."""

    start: int
    end: int
    label: str
    score: float


@dataclass
class DocSpans:
    """What a span model predicts for one text.

    ``actors``/``events``: spans whose most probable label is a type (not "no span") with
    probability >= the threshold (one label per span; overlapping spans may both be kept),
    sorted by offsets. ``actor_probs``: the best type's probability of every suggested actor
    candidate span; ``event_top2``: the two best type probabilities of every suggested
    trigger candidate (second 0.0 with one type): for uncertainty sampling. "No span" is
    never among them.
    """

    actors: list[SpanCandidate] = field(default_factory=list)
    events: list[SpanCandidate] = field(default_factory=list)
    actor_probs: list[float] = field(default_factory=list)
    event_top2: list[tuple[float, float]] = field(default_factory=list)


class SpanModel:
    """The span model :func:`train_spans` saved in the folder ``path``, for prediction.

    Raises:
        ConfigError: ``path`` is not such a folder (or spaCy is not installed).
    """

    def __init__(self, path: Path) -> None:
        spacy = import_spacy()
        register_tokenizer()
        folder = Path(path)
        hint = "give the folder a span model was saved to (by train_spans)"
        if not (folder / "config.cfg").is_file():
            raise ConfigError(f"{folder}: not a span model (no config.cfg); {hint}")
        try:
            self.nlp = spacy.load(folder)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"{folder}: cannot load the span model ({exc}); {hint}") from exc
        missing = [name for name in (ACTORS_KEY, EVENTS_KEY) if name not in self.nlp.pipe_names]
        if missing:
            raise ConfigError(f"{folder}: a spaCy pipeline without the span components {missing}; {hint}")
        self._actors = self.nlp.get_pipe(ACTORS_KEY)
        self._events = self.nlp.get_pipe(EVENTS_KEY)

    @property
    def actor_types(self) -> tuple[str, ...]:
        """The actor types the model was trained with (its ``actors`` labels)."""
        return tuple(self._actors.labels)

    @property
    def event_types(self) -> tuple[str, ...]:
        """The event types the model was trained with (its ``events`` labels)."""
        return tuple(self._events.labels)

    def predict(self, texts: Iterable[str], *, batch_size: int = 32) -> Iterator[DocSpans]:
        """Predicted actor mentions and triggers, with candidate probabilities, for each text in order.

        Args:
            texts: article texts (offsets in the result are character offsets into each).
            batch_size: texts per batch.

        Yields:
            One :class:`DocSpans` per text.

        Raises:
            ConfigError: ``batch_size`` < 1.
        """
        if batch_size < 1:
            raise ConfigError(f"batch_size={batch_size!r}: give a whole number >= 1")
        stream = iter(texts)
        while batch := list(itertools.islice(stream, batch_size)):
            docs = [self.nlp.make_doc(text) for text in batch]
            for name, proc in self.nlp.pipeline:
                if name not in (ACTORS_KEY, EVENTS_KEY):
                    docs = list(proc.pipe(docs, batch_size=batch_size))
            actors = _candidates(self._actors, docs)
            events = _candidates(self._events, docs)
            for (actor_spans, actor_scores), (event_spans, event_scores) in zip(actors, events, strict=True):
                yield DocSpans(
                    actors=actor_spans,
                    events=event_spans,
                    actor_probs=actor_scores[:, 0].tolist(),
                    event_top2=list(zip(event_scores[:, 0].tolist(), event_scores[:, 1].tolist(), strict=True)),
                )


def _candidates(pipe: Any, docs: list[Any]) -> list[tuple[list[SpanCandidate], Any]]:
    """Per doc: the spans kept and the candidates' two best label probabilities (n, 2).

    A candidate is kept when its best label is a type (not the "no span" label of a single-label
    categorizer, its last score column) with probability >= the threshold.
    """
    import numpy

    indices, scores = pipe.predict(docs)
    labels = pipe.labels
    scores = pipe.model.ops.to_numpy(scores).reshape(-1, scores.shape[1] if scores.size else len(labels) + 1)
    spans_all = pipe.model.ops.to_numpy(indices.dataXd)
    lengths = pipe.model.ops.to_numpy(indices.lengths)
    threshold = pipe.cfg.get("threshold") or 0.0
    typed = scores[:, : len(labels)]
    best = scores.argmax(axis=1)
    top2 = -numpy.partition(-numpy.pad(typed, ((0, 0), (0, 1))), 1, axis=1)[:, :2]
    keep = numpy.flatnonzero((best < len(labels)) & (top2[:, 0] >= threshold))
    ends = numpy.cumsum(lengths)
    doc_of = numpy.searchsorted(ends, keep, side="right")
    kept: list[list[SpanCandidate]] = [[] for _ in docs]
    for i, d in zip(keep.tolist(), doc_of.tolist(), strict=True):
        span = docs[d][int(spans_all[i, 0]) : int(spans_all[i, 1])]
        kept[d].append(SpanCandidate(span.start_char, span.end_char, labels[int(best[i])], float(top2[i, 0])))
    starts = ends - lengths
    out: list[tuple[list[SpanCandidate], Any]] = []
    for d in range(len(docs)):
        kept[d].sort(key=lambda c: (c.start, c.end, c.label))
        out.append((kept[d], top2[starts[d] : ends[d]]))
    return out
