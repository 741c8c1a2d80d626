"""A trained model's folder and its ``meta.json``: what it was trained from, how, and how well it did on dev.

A model folder (``eventgold train GOLD -o models/NAME``) holds::

    meta.json          ModelMeta: gold version and manifest sha256, ontology sha256, seed,
                       command, settings, library versions, dev figures, learning curve
    ontology.json      the ontology it was trained with (its sha256 is in meta.json)
    spans/             the spaCy pipeline (actor mentions and event triggers, spancat)
    arguments.joblib   the scikit-learn argument-role classifier
    modes.joblib       the scikit-learn mode classifier

Nothing in ``meta.json`` depends on the clock or on where the model was trained:
the same gold, settings and seed give the same file.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from eventgold.errors import InputError

MODEL_FORMAT: Literal["eventgold-model"] = "eventgold-model"
MODEL_FORMAT_VERSION = 1
META_FILE = "meta.json"
ONTOLOGY_FILE = "ontology.json"
SPANS_DIR = "spans"
ARGUMENTS_FILE = "arguments.joblib"
MODES_FILE = "modes.joblib"

DEV_METRICS: dict[str, str] = {
    "mention_strict_f1": "mention.strict.f1",
    "trigger_cls_f1": "event.trigger_cls.f1",
    "arg_cls_f1": "event.arg_cls.f1",
    "mode_accuracy": "event.mode.accuracy",
}
"""Dev figure -> the flat score metric it is read from (:mod:`eventgold.scoring.metrics`)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DevScores(_Strict):
    """The model's figures on the dev split, from ``eventgold score`` (None: undefined, e.g. no mode in dev)."""

    mention_strict_f1: float | None
    trigger_cls_f1: float | None
    arg_cls_f1: float | None
    mode_accuracy: float | None

    @field_validator("*", mode="before")
    @classmethod
    def _nan_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, float) and math.isnan(value) else value

    @classmethod
    def from_metrics(cls, metrics: dict[str, float]) -> DevScores:
        """The dev figures out of a score's flat metrics (``ExtractorScore.metrics``), rounded to 6 places."""
        return cls(**{k: _round(metrics[name]) for k, name in DEV_METRICS.items()})


def _round(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 6)


class CurvePoint(_Strict):
    """One point of a learning curve: a share of the train split and the dev figures of the model trained on it."""

    percent: int
    train_documents: int
    dev: DevScores


class GoldRef(_Strict):
    """The gold version a model was trained from."""

    version: str
    manifest_sha256: str
    train_split: str
    dev_split: str
    train_documents: int
    dev_documents: int


class OntologyRef(_Strict):
    """The ontology a model was trained with (a model refuses any other)."""

    name: str
    sha256: str


class ModelMeta(_Strict):
    """``meta.json`` of a model folder."""

    format: Literal["eventgold-model"] = MODEL_FORMAT
    format_version: int = MODEL_FORMAT_VERSION
    name: str
    gold: GoldRef
    ontology: OntologyRef
    seed: int
    command: str | None
    settings: dict[str, Any]
    """The span model's settings (``SpanModelSettings``) and the classifiers'."""
    versions: dict[str, str]
    """Library versions it was trained with (eventgold, spacy, scikit-learn)."""
    dev: DevScores
    spacy_dev: dict[str, float]
    """spaCy's own dev scores of the best pipeline (``spans_actors_f`` ...)."""
    curve: list[CurvePoint] = []
    warnings: list[str] = []


def is_model_folder(folder: Path) -> bool:
    """Whether ``folder`` holds a ``meta.json`` of an eventgold model (whatever its version)."""
    try:
        raw = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(raw, dict) and raw.get("format") == MODEL_FORMAT


def read_meta(folder: str | Path) -> ModelMeta:
    """Read and check ``meta.json`` of a model folder.

    Raises:
        InputError: no such folder or file, not an eventgold model, a newer format, or a broken file.
    """
    path = Path(folder) / META_FILE
    if not Path(folder).is_dir():
        raise InputError(f"{folder}: no such model folder (train one with `eventgold train GOLD -o {folder}`)")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: missing; {folder} is not a model made by `eventgold train`") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(raw, dict) or raw.get("format") != MODEL_FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else None
        raise InputError(f"{path}: not an eventgold model (format {found!r}, expected {MODEL_FORMAT!r})")
    if isinstance(raw.get("format_version"), int) and raw["format_version"] > MODEL_FORMAT_VERSION:
        raise InputError(
            f"{path}: model format {raw['format_version']} is newer than this eventgold reads "
            f"({MODEL_FORMAT_VERSION}); upgrade eventgold"
        )
    try:
        return ModelMeta.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"{path}: not a valid model meta.json: {exc.errors()[0]['msg']}") from exc
