"""The mode of an event (a CONSULT's visit, phone …): a scikit-learn classifier over its trigger and context.

:class:`ModeModel` is a scikit-learn ``LogisticRegression`` (lbfgs, multinomial) over sparse
``DictVectorizer`` features. It learns from the gold events with a trigger whose type has
modes in the ontology (:meth:`~eventgold.ontology.Ontology.modes_of`); the label is the
event's mode, or ``NONE``. Events of types without modes are no examples.

Features: the event type; the trigger's words (lowercased), alone and with the event type;
the words up to ``window`` tokens left and right of the trigger in its sentence, by side and
with the event type; the word just before and just after the trigger. Tokens and sentences
come from :mod:`eventgold.export.tokenize` and :mod:`eventgold.export.sentences`
(:class:`~eventgold.training.roles.TextIndex`). An event without a trigger is judged on its
type alone.

Prediction gives, per event, the likeliest mode its type allows when its probability,
renormalised over the type's modes and ``NONE`` (the classifier knows every type's modes), is at
least ``threshold`` (0.5), else None with the probability of ``NONE``; a type without modes
gets ``(None, 1.0)``.

Model files are joblib pickles, as scikit-learn saves its models: loading one runs code it
holds, like importing a module. Load only files you made yourself.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventgold.models import Event, GoldDocument, check_spans
from eventgold.ontology import Ontology
from eventgold.training.classifier import NONE, Features, SklearnModel, TextIndex, renormalised

DEFAULT_MODE_WINDOW = 5
MODES_FORMAT = "eventgold-modes"


def _event_features(index: TextIndex, event: Event, window: int) -> Features:
    """The features of one event: its type, its trigger's words and the words around it in its sentence."""
    et = event.type
    f: Features = {f"event={et}": 1.0}
    if event.trigger is None or not index.tokens:
        return f
    first, end = index.token_range(event.trigger.start, event.trigger.end)
    words, sentence = index.words, index.sentence_of
    for word in words[first:end]:
        f[f"trigger={word}"] = 1.0
        f[f"event|trigger={et}|{word}"] = 1.0
    left = [i for i in range(max(0, first - window), first) if sentence[i] == sentence[first]]
    right = [i for i in range(end, min(len(words), end + window)) if sentence[i] == sentence[first]]
    for side, positions in (("left", left), ("right", right)):
        for i in positions:
            f[f"{side}={words[i]}"] = 1.0
            f[f"event|{side}={et}|{words[i]}"] = 1.0
    f[f"prev={words[left[-1]] if left else '<s>'}"] = 1.0
    f[f"next={words[right[0]] if right else '</s>'}"] = 1.0
    return f


class ModeModel(SklearnModel):
    """The mode of each event, among those its type allows (see the module docstring).

    Args:
        ontology: the ontology whose modes are learnt and allowed.
        seed: the classifier's random_state (0 .. 2**32 - 1).
        window: how many tokens left and right of the trigger (in its sentence) are context.
        threshold: the least probability of a mode to predict it (0 < threshold <= 1).
        c: the logistic regression's inverse regularisation strength (> 0).

    Raises:
        ConfigError: a bad setting, naming the value.

    Example:
        >>> from eventgold.models import Article, Span
        >>> from eventgold.ontology import load_ontology
        >>> text = "Pompeo called Kazemi by phone. Kazemi visited Tehran."
        >>> call = Event(id="e1", type="CONSULT", mode="phone", trigger=Span(start=7, end=13, text="called"))
        >>> visit = Event(id="e2", type="CONSULT", mode="visit", trigger=Span(start=38, end=45, text="visited"))
        >>> doc = GoldDocument(article=Article(id="d1", text=text), events=[call, visit])
        >>> model = ModeModel(load_ontology()).fit([doc])
        >>> [mode for mode, _ in model.predict(text, [call, visit])]
        ['phone', 'visit']
    """

    kind = MODES_FORMAT

    def __init__(
        self,
        ontology: Ontology,
        *,
        seed: int = 0,
        window: int = DEFAULT_MODE_WINDOW,
        threshold: float = 0.5,
        c: float = 10.0,
    ) -> None:
        super().__init__(ontology, seed=seed, window=window, threshold=threshold, c=c)

    def fit(self, docs: Sequence[GoldDocument]) -> ModeModel:
        """Learn modes from the events of ``docs`` with a trigger whose type has modes.

        With no mode to learn from, fitting succeeds, :attr:`warnings` says so and
        :meth:`predict` answers ``(None, 1.0)`` for every event.

        Args:
            docs: gold documents.

        Returns:
            self, fitted.
        """
        rows: list[Features] = []
        labels: list[str] = []
        no_trigger = not_allowed = 0
        for doc in docs:
            index = TextIndex(doc.article.text, [(e.trigger.start, e.trigger.end) for e in doc.events if e.trigger])
            for event in doc.events:
                modes = self.ontology.modes_of(event.type)
                if not modes:
                    continue
                if event.trigger is None:
                    no_trigger += 1
                    continue
                if event.mode is not None and event.mode not in modes:
                    not_allowed += 1
                    continue
                rows.append(_event_features(index, event, self.window))
                labels.append(event.mode or NONE)
        self.warnings = self._fit_warnings(labels, no_trigger, not_allowed)
        self._fit_rows(rows, labels)
        return self

    def _fit_warnings(self, labels: list[str], no_trigger: int, not_allowed: int) -> list[str]:
        """What the training events lack: modes at all, modes of a type, a NONE class; events left out."""
        seen = set(labels) - {NONE}
        out = []
        if not seen:
            out.append("no mode in the training documents: modes will not be predicted")
        else:
            missing = {
                e.name: absent for e in self.ontology.event_types if (absent := [m for m in e.modes if m not in seen])
            }
            n = sum(map(len, missing.values()))
            if n > 6:  # the whole list is long on a small gold: counted, with the first few
                shown = "; ".join(f"{t}: {', '.join(modes)}" for t, modes in list(missing.items())[:2])
                out.append(
                    f"{n} modes of {len(missing)} event types have no example in the training documents "
                    f"(never predicted), e.g. {shown}"
                )
            elif missing:
                shown = "; ".join(f"{t}: {', '.join(modes)}" for t, modes in missing.items())
                out.append(f"modes with no example in the training documents (never predicted): {shown}")
            if NONE not in labels:
                out.append(
                    "every training event of a type with modes has a mode, so the model always gives one "
                    "(it never learns to leave the mode out)"
                )
        if no_trigger:
            out.append(f"{no_trigger} events of types with modes have no trigger and give no training example")
        if not_allowed:
            out.append(f"{not_allowed} events have a mode the ontology does not allow for their type; left out")
        return out

    def mode_probabilities(self, text: str, events: Sequence[Event]) -> list[dict[str, float]]:
        """Each event's label -> probability (modes seen in training and ``NONE``; they sum to 1).

        Args:
            text: the article text the trigger offsets refer to.
            events: the events (type and trigger are used; their own mode is ignored).

        Returns:
            One mapping per event, in order; empty for an event whose type has no modes, and
            for every event before fitting or when no mode was learnt.

        Raises:
            RecordError: a trigger outside ``text`` or not slicing it to its stored text (naming the event).
        """
        check_spans("", text, [], list(events))
        index = TextIndex(text, [(e.trigger.start, e.trigger.end) for e in events if e.trigger is not None])
        judged = [i for i, e in enumerate(events) if self.ontology.modes_of(e.type)]
        rows = [_event_features(index, events[i], self.window) for i in judged]
        out: list[dict[str, float]] = [{} for _ in events]
        for i, probabilities in zip(judged, self._probabilities(rows), strict=False):  # none when unfitted
            out[i] = probabilities
        return out

    def predict(self, text: str, events: Sequence[Event]) -> list[tuple[str | None, float]]:
        """The mode of each event with its probability.

        Args:
            text: the article text the trigger offsets refer to.
            events: the events (type and trigger are used; their own mode is ignored).

        Returns:
            One (mode, probability) per event, in order: the likeliest mode of
            ``ontology.modes_of(event.type)`` when its probability (over those modes and NONE,
            see :func:`~eventgold.training.roles.renormalised`) is at least ``threshold``; else
            ``(None, probability of NONE)`` (0.0 when the classifier knows neither NONE nor a
            mode of the type). A type without modes, or a model that learnt no mode, gives
            ``(None, 1.0)``.

        Raises:
            RecordError: a trigger outside ``text`` or not slicing it to its stored text (naming the event).
        """
        out: list[tuple[str | None, float]] = []
        for event, probabilities in zip(events, self.mode_probabilities(text, events), strict=True):
            if not probabilities:
                out.append((None, 1.0))
                continue
            kept = renormalised(probabilities, self.ontology.modes_of(event.type))
            p, mode = max(((p, m) for m, p in kept.items() if m != NONE), default=(0.0, NONE))
            out.append((mode, p) if p >= self.threshold else (None, kept.get(NONE, 0.0)))
        return out
