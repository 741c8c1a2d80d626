"""What the argument and mode classifiers share: text indexing, the scikit-learn model and its file.

:class:`SklearnModel` holds a ``DictVectorizer`` and a ``LogisticRegression`` (or scikit-learn's
constant ``DummyClassifier`` when training holds one label), checks its settings, and saves and
loads itself with joblib, stamped with its kind, version and ontology. :class:`TextIndex` places
character spans on the tokens and sentences of :mod:`eventgold.export.tokenize` and
:mod:`eventgold.export.sentences`. :func:`renormalised` conditions probabilities on what the
ontology allows.

Model files are joblib pickles, as scikit-learn saves its models: loading one runs code it
holds, like importing a module. Load only files you made yourself.
"""

from __future__ import annotations

import bisect
import math
import os
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar, Self

import joblib
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from eventgold.errors import ConfigError, InputError
from eventgold.export.sentences import split_sentences
from eventgold.export.tokenize import tokenize
from eventgold.ontology import Ontology

NONE = "<none>"
"""The label of a pair (or event) with no role (or mode); no role or mode name can be spelt so."""
DEFAULT_WINDOW = 15
"""Tokens a candidate may lie from the trigger outside its sentence (the argument model's default)."""
FILE_VERSION = 1
"""Version of the joblib model files :meth:`SklearnModel.save` writes."""
Features = dict[str, float]
"""One feature row: feature name -> value (DictVectorizer input)."""


class TextIndex:
    """The tokens and sentences of one text, to place character spans (shared by the role and mode models).

    Args:
        text: the article text (offsets are code points into it).
        spans: (start, end) character spans that no sentence break may cut (mentions, triggers).

    Raises:
        InputError: a span is reversed or ends past the end of the text.

    Example:
        >>> TextIndex("Iraqi forces attacked rebels. They fled.").sentence_of
        [0, 0, 0, 0, 0, 1, 1, 1]
    """

    def __init__(self, text: str, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.words = [t.text.lower() for t in self.tokens]
        self._starts = [t.start for t in self.tokens]
        self._ends = [t.end for t in self.tokens]
        keep = [self.token_range(start, end) for start, end in spans]
        sentences = split_sentences(text, self.tokens, [k for k in keep if k[1] - k[0] > 1])
        self.sentence_of = [0] * len(self.tokens)
        """Sentence number of each token."""
        for number, (first, end) in enumerate(sentences):
            self.sentence_of[first:end] = [number] * (end - first)

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """The tokens a character span overlaps, as (first, end exclusive).

        A span over no token (empty, or whitespace) gets the token after it (the last
        token at the end of the text); a text without tokens gives (0, 0).

        Raises:
            InputError: ``end`` is before ``start`` or past the end of the text.
        """
        if end < start or end > len(self.text) or start < 0:
            raise InputError(f"span {start}..{end} does not lie in the text ({len(self.text)} characters)")
        if not self.tokens:
            return 0, 0
        lo = bisect.bisect_right(self._ends, start)
        hi = bisect.bisect_left(self._starts, end)
        if lo >= hi:
            first = min(lo, len(self.tokens) - 1)
            return first, first + 1
        return lo, hi

    def sentence(self, tokens: tuple[int, int]) -> int:
        """The sentence number of a token range's first token (-1 for a text without tokens)."""
        return self.sentence_of[tokens[0]] if tokens[1] > tokens[0] else -1


class SklearnModel:
    """What the role and mode models share: settings, a DictVectorizer and a classifier, a joblib file.

    Subclasses set :attr:`kind` (the model file's format name) and build feature rows.

    Raises:
        ConfigError: a bad setting, naming the value and what is allowed.
    """

    kind: ClassVar[str] = ""

    def __init__(
        self,
        ontology: Ontology,
        *,
        seed: int = 0,
        window: int = DEFAULT_WINDOW,
        threshold: float = 0.5,
        c: float = 10.0,
    ) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
            raise ConfigError(f"seed must be an integer from 0 to 2**32 - 1, not {seed!r}")
        if isinstance(window, bool) or not isinstance(window, int) or window < 0:
            raise ConfigError(f"window must be a whole number of tokens (0 or more), not {window!r}")
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 < threshold <= 1:
            raise ConfigError(f"threshold must be a probability above 0 and at most 1, not {threshold!r}")
        if isinstance(c, bool) or not isinstance(c, int | float) or not (c > 0 and math.isfinite(c)):
            raise ConfigError(f"c (inverse regularisation strength) must be a finite number above 0, not {c!r}")
        self.ontology = ontology
        self.seed = seed
        self.window = window
        self.threshold = float(threshold)
        self.c = float(c)
        self.warnings: list[str] = []
        """After fitting: what the training documents lack, one line each."""
        self._vectorizer: DictVectorizer | None = None
        self._classifier: LogisticRegression | DummyClassifier | None = None

    @property
    def labels(self) -> list[str]:
        """The labels the classifier knows (those seen in training, ``NONE`` among them); empty unfitted."""
        return [str(label) for label in self._classifier.classes_] if self._classifier is not None else []

    def _fit_rows(self, rows: list[Features], labels: list[str]) -> None:
        """Fit the vectorizer and classifier on ``rows`` and ``labels``; none at all when every label is NONE.

        The classifier is a logistic regression, or a constant one when the labels hold one
        class (scikit-learn's needs two).
        """
        self._vectorizer = self._classifier = None
        if not set(labels) - {NONE}:
            return
        self._vectorizer = DictVectorizer(sort=True)
        matrix = self._vectorizer.fit_transform(rows)
        if len(set(labels)) < 2:
            self._classifier = DummyClassifier(strategy="most_frequent").fit(matrix, labels)
            return
        with warnings.catch_warnings():  # "more classes than half the samples": the fit warnings say what is thin
            warnings.filterwarnings("ignore", "The number of unique classes", UserWarning)
            self._classifier = LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed).fit(matrix, labels)

    def _probabilities(self, rows: list[Features]) -> list[dict[str, float]]:
        """Label -> probability for each row (an empty list when unfitted or without rows)."""
        if self._classifier is None or self._vectorizer is None or not rows:
            return []
        matrix = self._vectorizer.transform(rows)
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in self._classifier.predict_proba(matrix)]

    def save(self, path: Path) -> None:
        """Write the model to ``path`` with joblib, stamped with its kind and ontology (a new file, moved into place).

        Raises:
            ConfigError: the file cannot be written (naming the path and why).
        """
        settings = {"seed": self.seed, "window": self.window, "threshold": self.threshold, "c": self.c}
        ontology = {"name": self.ontology.name, "sha256": self.ontology.sha256()}
        fitted = {"vectorizer": self._vectorizer, "classifier": self._classifier}
        payload = {"format": self.kind, "format_version": FILE_VERSION, "ontology": ontology, "settings": settings}
        payload |= {"warnings": self.warnings, **fitted}
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        try:
            joblib.dump(payload, tmp)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ConfigError(f"{path}: cannot write the model file: {exc.strerror or exc}") from exc

    @classmethod
    def load(cls, path: Path, ontology: Ontology) -> Self:
        """Read a model :meth:`save` wrote, for ``ontology`` (the one it was trained with).

        Loading a joblib file runs code it holds, like importing a module: load only files you made.

        Raises:
            InputError: no such file, not a model file of this kind and version, or a model
                trained with another ontology (naming both).
        """
        path = Path(path)
        try:
            payload = joblib.load(path)
        except FileNotFoundError as exc:
            raise InputError(f"{path}: no such model file") from exc
        except Exception as exc:  # unpickling raises anything: a damaged or foreign file
            raise InputError(f"{path}: not a model file eventgold can read ({type(exc).__name__}: {exc})") from exc
        found = (payload.get("format"), payload.get("format_version")) if isinstance(payload, dict) else None
        if found != (cls.kind, FILE_VERSION):
            raise InputError(f"{path}: not a {cls.kind} model file of version {FILE_VERSION} (found {found})")
        stamp = payload["ontology"]
        if stamp.get("sha256") != ontology.sha256():
            raise InputError(
                f"{path}: trained with ontology {stamp.get('name')!r} (sha256 {str(stamp.get('sha256'))[:12]}…), not "
                f"{ontology.name!r} (sha256 {ontology.sha256()[:12]}…); load it with the ontology it was trained with"
            )
        model = cls(ontology, **payload["settings"])
        model.warnings = list(payload["warnings"])
        model._vectorizer, model._classifier = payload["vectorizer"], payload["classifier"]
        return model


def renormalised(probabilities: dict[str, float], allowed: Iterable[str]) -> dict[str, float]:
    """``probabilities`` of the ``allowed`` labels and ``NONE``, divided by their sum (empty when it is 0).

    Conditions the classifier's answer on what the ontology allows for the event (and mention) type.
    """
    kept = {label: probabilities[label] for label in {*allowed, NONE} if label in probabilities}
    mass = sum(kept.values())
    return {label: p / mass for label, p in sorted(kept.items())} if mass > 0 else {}
