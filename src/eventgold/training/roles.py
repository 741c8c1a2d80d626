"""Which mention fills which role of which event: a scikit-learn classifier over trigger–mention pairs.

:class:`ArgumentModel` is a scikit-learn ``LogisticRegression`` (lbfgs, multinomial) over sparse
``DictVectorizer`` features. Given mentions and triggers (the spaCy pipeline finds them), it
decides for each candidate pair which role, if any, the mention fills.

Candidate pairs: an event with a trigger and a mention with offsets that lies in the trigger's
sentence or at most ``window`` tokens from it (tokens strictly between the spans; the window
reaches across a sentence break, as in "… Soleimani. The top general was killed by an American
drone strike"; ``window=0``: the sentence only). Tokens and sentences come from
:mod:`eventgold.export.tokenize` and :mod:`eventgold.export.sentences`, no given span cut by a
sentence break. A pair's label is the mention's gold role in the event, or ``NONE``.

Features: event type, mention type and both; trigger words (lowercased), alone and with the
mention type and the order; the mention's head (last) word, alone and with the event type;
order (before, after, overlap) with each type; token gap in buckets; same sentence; the words
between; other mentions and triggers between; the mention's rank by distance on its side; the
words just before and after the mention.

Prediction keeps, per pair, the likeliest role the ontology allows for the event type and
mention type (:meth:`~eventgold.ontology.Ontology.argument_problem` is None) when its
probability, renormalised over those roles and NONE, is at least ``threshold`` (0.5): at most
one role per (event, mention).

Model files are joblib pickles, as scikit-learn saves its models: loading one runs code it
holds, like importing a module. Load only files you made yourself.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from eventgold.errors import InputError
from eventgold.models import Argument, Event, GoldDocument, Mention, check_spans
from eventgold.training.classifier import NONE, Features, SklearnModel, TextIndex, renormalised

ARGUMENTS_FORMAT = "eventgold-arguments"


@dataclass(frozen=True)
class PairScores:
    """The classifier's view of one candidate pair: a mention and each label's probability."""

    mention: str
    """The mention's id."""
    probabilities: dict[str, float]
    """Label (a role seen in training, or ``NONE``) -> probability; they sum to 1."""


@dataclass(frozen=True)
class _Unit:
    """A span placed in a text: its id, type and token range."""

    id: str
    type: str
    tokens: tuple[int, int]


def _gap(a: tuple[int, int], b: tuple[int, int]) -> tuple[str, int]:
    """Where ``b`` lies relative to ``a`` (before, after, overlap) and the tokens strictly between."""
    if b[1] <= a[0]:
        return "before", a[0] - b[1]
    if b[0] >= a[1]:
        return "after", b[0] - a[1]
    return "overlap", 0


def _pair_features(
    index: TextIndex,
    event_type: str,
    trigger: _Unit,
    mention: _Unit,
    rank: int,
    others: Sequence[_Unit],
    triggers: Sequence[tuple[int, int]],
) -> Features:
    """The features of one (trigger, mention) pair."""
    words = index.words
    et, mt = event_type, mention.type
    order, gap = _gap(trigger.tokens, mention.tokens)
    bucket = ("0", "1", "2", "3-5", "6-10", "11-20", "21+")[bisect.bisect_left((0, 1, 2, 5, 10, 20), gap)]
    head = next((w for w in reversed(words[mention.tokens[0] : mention.tokens[1]]) if w[0].isalnum()), "")
    f: Features = {
        f"event={et}": 1.0,
        f"mention={mt}": 1.0,
        f"event|mention={et}|{mt}": 1.0,
        f"head={head}": 1.0,
        f"head|event={head}|{et}": 1.0,
        f"order={order}": 1.0,
        f"order|mention={order}|{mt}": 1.0,
        f"order|event={order}|{et}": 1.0,
        f"order|event|mention={order}|{et}|{mt}": 1.0,
        f"gap={bucket}": 1.0,
        f"order|gap={order}|{bucket}": 1.0,
        f"same_sentence={index.sentence(trigger.tokens) == index.sentence(mention.tokens)}": 1.0,
        f"rank|order={min(rank, 3)}|{order}": 1.0,
        f"prev={words[mention.tokens[0] - 1] if mention.tokens[0] > 0 else '<s>'}": 1.0,
        f"next={words[mention.tokens[1]] if mention.tokens[1] < len(words) else '</s>'}": 1.0,
    }
    for word in words[trigger.tokens[0] : trigger.tokens[1]]:
        f[f"trigger={word}"] = 1.0
        f[f"trigger|mention={word}|{mt}"] = 1.0
        f[f"trigger|order={word}|{order}"] = 1.0
    lo, hi = (mention.tokens[1], trigger.tokens[0]) if order == "before" else (trigger.tokens[1], mention.tokens[0])
    for word in words[lo:hi]:
        f[f"between={word}"] = 1.0
    between = sum(1 for o in others if o.id != mention.id and lo <= o.tokens[0] and o.tokens[1] <= hi)
    f[f"mentions_between={min(between, 2)}"] = 1.0
    f[f"triggers_between={min(sum(1 for t in triggers if lo <= t[0] and t[1] <= hi), 1)}"] = 1.0
    return f


def _candidates(index: TextIndex, trigger: _Unit, mentions: Sequence[_Unit], window: int) -> list[tuple[_Unit, int]]:
    """The candidate mentions of one trigger, in the given order, each with its rank by distance on its side."""
    sentence = index.sentence(trigger.tokens)
    placed = [(m, *_gap(trigger.tokens, m.tokens)) for m in mentions]
    chosen = [(m, order, gap) for m, order, gap in placed if gap <= window or index.sentence(m.tokens) == sentence]
    return [(m, sum(1 for _, o, g in chosen if o == order and g < gap)) for m, order, gap in chosen]


def _doc_pairs(
    text: str, mentions: Sequence[Mention], events: Sequence[Event], window: int
) -> list[list[tuple[_Unit, Features]]]:
    """For each event: its candidate mentions with their pair features (none for an event without a trigger).

    Raises:
        InputError: a mention id given twice.
        RecordError: a span outside ``text`` or not slicing it to its stored text (naming the unit).
    """
    ids = [m.id for m in mentions]
    if len(set(ids)) < len(ids):
        twice = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"mention id {twice!r} is given twice; mention ids must be unique in a document")
    check_spans("", text, list(mentions), list(events))
    anchored = [m for m in mentions if m.start is not None]
    spans = [(m.start or 0, m.end or 0) for m in anchored]
    index = TextIndex(text, [*spans, *((e.trigger.start, e.trigger.end) for e in events if e.trigger is not None)])
    placed = [_Unit(m.id, m.type, index.token_range(*span)) for m, span in zip(anchored, spans, strict=True)]
    triggers = [index.token_range(e.trigger.start, e.trigger.end) if e.trigger else None for e in events]
    known = [t for t in triggers if t is not None]  # a trigger never lies between itself and a mention
    pairs: list[list[tuple[_Unit, Features]]] = []
    for event, tokens in zip(events, triggers, strict=True):
        trigger = _Unit(event.id, event.type, tokens or (0, 0))
        candidates = _candidates(index, trigger, placed, window) if tokens else []
        pairs.append([(m, _pair_features(index, event.type, trigger, m, r, placed, known)) for m, r in candidates])
    return pairs


class ArgumentModel(SklearnModel):
    """Which candidate mention fills which role of each event (see the module docstring).

    Args:
        ontology: the ontology whose roles are learnt and allowed.
        seed: the classifier's random_state (0 .. 2**32 - 1).
        window: how many tokens from the trigger a mention outside its sentence may lie (0: the sentence only).
        threshold: the least probability of a role to predict it (0 < threshold <= 1).
        c: the logistic regression's inverse regularisation strength (> 0).

    Raises:
        ConfigError: a bad setting, naming the value.

    Example:
        >>> from eventgold.models import Article, Span
        >>> from eventgold.ontology import load_ontology
        >>> text = "Iraqi forces attacked rebels."
        >>> mentions = [Mention(id="m1", type="ARMED_GROUP", start=0, end=12, text="Iraqi forces"),
        ...             Mention(id="m2", type="ARMED_GROUP", start=22, end=28, text="rebels")]
        >>> event = Event(id="e1", type="ASSAULT", trigger=Span(start=13, end=21, text="attacked"),
        ...               arguments=[Argument(role="actor", mention="m1"), Argument(role="recipient", mention="m2")])
        >>> doc = GoldDocument(article=Article(id="d1", text=text), mentions=mentions, events=[event])
        >>> model = ArgumentModel(load_ontology()).fit([doc])
        >>> [(a.role, a.mention) for a in model.predict(text, mentions, [event])[0]]
        [('actor', 'm1'), ('recipient', 'm2')]
    """

    kind = ARGUMENTS_FORMAT

    def fit(self, docs: Sequence[GoldDocument]) -> ArgumentModel:
        """Learn roles from the candidate pairs of ``docs`` (gold mentions, triggers and arguments).

        With no argument to learn from, fitting succeeds, :attr:`warnings` says so and
        :meth:`predict` gives every event an empty list.

        Args:
            docs: gold documents; events without a trigger and mentions without offsets give no pair.

        Returns:
            self, fitted.
        """
        rows: list[Features] = []
        labels: list[str] = []
        lost = {"no trigger": 0, "no offsets": 0, "outside the window": 0, "not allowed by the ontology": 0}
        total = 0
        for doc in docs:
            types = {m.id: m.type for m in doc.mentions}
            anchored = {m.id for m in doc.mentions if m.start is not None}
            pairs = _doc_pairs(doc.article.text, doc.mentions, doc.events, self.window)
            for event, candidates in zip(doc.events, pairs, strict=True):
                gold: dict[str, str] = {}
                for role, mention_id in event.role_ids():
                    total += 1
                    if event.trigger is None:
                        lost["no trigger"] += 1
                    elif mention_id not in anchored:
                        lost["no offsets"] += 1
                    elif self.ontology.argument_problem(event.type, role, types.get(mention_id)) is not None:
                        lost["not allowed by the ontology"] += 1
                        gold.setdefault(mention_id, "")  # neither a role to learn nor a NONE
                    else:
                        gold.setdefault(mention_id, role)
                reached = {m.id for m, _ in candidates}
                lost["outside the window"] += sum(1 for m, r in gold.items() if r and m not in reached)
                for mention, features in candidates:
                    label = gold.get(mention.id, NONE)
                    if label:
                        rows.append(features)
                        labels.append(label)
        self.warnings = self._fit_warnings(labels, lost, total)
        self._fit_rows(rows, labels)
        return self

    def _fit_warnings(self, labels: list[str], lost: dict[str, int], total: int) -> list[str]:
        """What the training pairs lack: arguments, roles, a NONE class; gold arguments no pair carries."""
        seen = set(labels) - {NONE}
        if not seen:
            return ["no argument in the training documents: arguments will not be predicted"]
        out = []
        missing = [r.name for r in self.ontology.roles if r.name not in seen]
        if missing:
            out.append(f"roles with no example in the training documents (never predicted): {', '.join(missing)}")
        if NONE not in labels:
            out.append(
                "every candidate pair in the training documents is an argument, so the model never learns to "
                "leave a nearby mention out"
            )
        if sum(lost.values()):
            why = ", ".join(f"{n} {reason}" for reason, n in lost.items() if n)
            out.append(f"{sum(lost.values())} of {total} gold arguments give no training pair ({why})")
        return out

    def pair_probabilities(
        self, text: str, mentions: Sequence[Mention], events: Sequence[Event]
    ) -> list[list[PairScores]]:
        """Each event's candidate pairs with the classifier's probability of every label.

        Args:
            text: the article text the offsets refer to.
            mentions: the document's mentions (unique ids; those without offsets are never candidates).
            events: the events whose arguments are wanted (those without a trigger get no pair).

        Returns:
            One list per event, in order: its candidate mentions, in the order given, with
            label -> probability (empty lists before fitting or with nothing learnt).

        Raises:
            InputError: a mention id given twice.
            RecordError: a span outside ``text`` or not slicing it to its stored text (naming the unit).
        """
        pairs = _doc_pairs(text, mentions, events, self.window)
        probabilities = self._probabilities([features for candidates in pairs for _, features in candidates])
        if not probabilities:
            return [[] for _ in events]
        rows = iter(probabilities)
        return [[PairScores(mention.id, next(rows)) for mention, _ in candidates] for candidates in pairs]

    def predict(self, text: str, mentions: Sequence[Mention], events: Sequence[Event]) -> list[list[Argument]]:
        """The arguments of each event: per candidate mention, the best allowed role if likely enough.

        Args:
            text: the article text the offsets refer to.
            mentions: the document's mentions (unique ids).
            events: the events (type and trigger are used; their own arguments are ignored).

        Returns:
            One list per event, in order: arguments in the order of ``mentions``, each a role
            the ontology allows for the event type and mention type, with probability (over
            the allowed roles and NONE, see :func:`renormalised`) >= ``threshold``; at most
            one per mention.

        Raises:
            InputError: a mention id given twice.
            RecordError: a span outside ``text`` or not slicing it to its stored text (naming the unit).
        """
        types = {m.id: m.type for m in mentions}
        problem = self.ontology.argument_problem
        out: list[list[Argument]] = []
        for event, scores in zip(events, self.pair_probabilities(text, mentions, events), strict=True):
            arguments = []
            for pair in scores:
                allowed = [r for r in pair.probabilities if problem(event.type, r, types[pair.mention]) is None]
                kept = renormalised(pair.probabilities, allowed)
                p, role = max(((p, r) for r, p in kept.items() if r != NONE), default=(0.0, NONE))
                if p >= self.threshold:
                    arguments.append(Argument(role=role, mention=pair.mention))
            out.append(arguments)
        return out
