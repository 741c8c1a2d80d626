"""``eventgold train``: a model trained from a gold version, selected on dev, written as one folder.

:func:`train` reads a gold version's train and dev splits (:mod:`eventgold.training.data`),
trains the spaCy span model (actor mentions and triggers, spaCy's spancat trained by
spaCy's own loop, :mod:`eventgold.training.spans`) and the scikit-learn argument and mode
classifiers (:mod:`eventgold.training.roles`, :mod:`eventgold.training.modes`), scores
the model on dev with :func:`eventgold.scoring.api.score`, and writes the model folder
(:mod:`eventgold.training.meta`) in one step: it is built next to the target and
renamed into place, so an interrupted run leaves no half-written model. With a
learning curve, a model is also trained on each growing share of the train split
and its dev figures recorded: whether more annotation still pays.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eventgold.errors import InputError
from eventgold.fileio import atomic_write_text, sha256_file, swap_in_folder
from eventgold.gold.dataset import MANIFEST_FILE
from eventgold.models import DocumentAnnotation, GoldDocument, Origin
from eventgold.ontology import Ontology, load_ontology
from eventgold.training.data import TrainingData, check_curve, fraction, training_data
from eventgold.training.meta import (
    ARGUMENTS_FILE,
    META_FILE,
    MODES_FILE,
    ONTOLOGY_FILE,
    SPANS_DIR,
    CurvePoint,
    DevScores,
    GoldRef,
    ModelMeta,
    OntologyRef,
    is_model_folder,
)
from eventgold.training.model import MODEL_PREFIX, annotation_of

if TYPE_CHECKING:
    from eventgold.training.spans import SpanModelSettings

Progress = Callable[[str], None]
"""Called with one line of progress (what is being trained, each spaCy evaluation)."""


def check_model_target(out: Path, gold_dir: Path | None = None) -> None:
    """Refuse an output that is a file, a folder holding something other than an eventgold model, or inside the gold.

    Raises:
        InputError: ``out`` is a file, a non-empty folder without a model's ``meta.json``, or
            ``gold_dir`` or a folder inside it.
    """
    if gold_dir is not None and out.resolve().is_relative_to(Path(gold_dir).resolve()):
        raise InputError(f"{out}: is inside the gold version {gold_dir}; write the model elsewhere (e.g. models/NAME)")
    if out.is_file():
        raise InputError(f"{out}: is a file; give a folder for the model (e.g. models/NAME)")
    if out.is_dir() and any(out.iterdir()) and not is_model_folder(out):
        raise InputError(
            f"{out}: holds files that are not an eventgold model; give a new or empty folder, or an earlier model "
            "to replace"
        )


@dataclass(frozen=True)
class _Fitted:
    """What training one model gives: its dev figures, spaCy's own, warnings, every part's settings."""

    dev: DevScores
    spacy_dev: dict[str, float]
    warnings: list[str]
    settings: dict[str, Any]


def _fit(
    train_docs: Sequence[GoldDocument],
    dev_docs: Sequence[GoldDocument],
    ontology: Ontology,
    settings: SpanModelSettings,
    seed: int,
    folder: Path,
    progress: Progress | None,
) -> _Fitted:
    """Train every part on ``train_docs`` into ``folder``; score it on ``dev_docs``."""
    from eventgold.training.modes import ModeModel
    from eventgold.training.roles import ArgumentModel
    from eventgold.training.spans import SpanModel, train_spans

    best: list[tuple[float, int]] = []

    def step(n: int, scores: dict[str, float]) -> None:
        if not best or scores["score"] > best[0][0]:
            best[:] = [(scores["score"], n)]
        _say(
            progress,
            f"  step {n}: dev actor span F1 {scores['spans_actors_f']:.3f}, "
            f"trigger span F1 {scores['spans_events_f']:.3f}",
        )

    actor_types = [t.name for t in ontology.actor_types]
    event_types = [t.name for t in ontology.event_types]
    spacy_dev = train_spans(
        train_docs, dev_docs, actor_types, event_types, folder / SPANS_DIR, settings=settings, seed=seed, on_step=step
    )
    if best:
        _say(progress, f"  kept the model of step {best[0][1]} (best mean span F1 on dev, {best[0][0]:.3f})")
    arguments = ArgumentModel(ontology, seed=seed).fit(train_docs)
    arguments.save(folder / ARGUMENTS_FILE)
    modes = ModeModel(ontology, seed=seed).fit(train_docs)
    modes.save(folder / MODES_FILE)
    atomic_write_text(folder / ONTOLOGY_FILE, ontology.model_dump_json(indent=1) + "\n")
    spans = SpanModel(folder / SPANS_DIR)
    origin = Origin(kind="extractor", name=f"{MODEL_PREFIX}dev")
    predicted = spans.predict([d.article.text for d in dev_docs])
    preds = [annotation_of(d.article, s, arguments, modes, origin) for d, s in zip(dev_docs, predicted, strict=True)]
    return _Fitted(
        dev=dev_scores(dev_docs, preds, ontology),
        spacy_dev={k: round(v, 6) for k, v in spacy_dev.items()},
        warnings=[*arguments.warnings, *modes.warnings],
        settings={
            "spans": asdict(settings),
            **{
                name: {"seed": m.seed, "window": m.window, "threshold": m.threshold, "c": m.c}
                for name, m in (("arguments", arguments), ("modes", modes))
            },
        },
    )


def train(
    gold_dir: str | Path,
    out_dir: str | Path,
    *,
    ontology: Ontology | None = None,
    train_split: str = "train",
    dev_split: str = "dev",
    seed: int = 0,
    settings: SpanModelSettings | None = None,
    curve: Sequence[int] = (),
    command: str | None = None,
    progress: Progress | None = None,
) -> ModelMeta:
    """Train a model from a gold version and write it to ``out_dir``.

    Args:
        gold_dir: the gold version folder.
        out_dir: the model folder to write (new, empty, or an earlier model to replace).
        ontology: the gold's ontology (default: the project's or packaged one).
        train_split: the split to learn from.
        dev_split: the split for model selection and the dev figures.
        seed: seeds spaCy's training, the classifiers and the learning-curve shares; same
            gold, settings and seed give the same model figures.
        settings: the span model's settings (default: ``SpanModelSettings()``).
        curve: learning-curve points, percentages of the train split (e.g. ``(25, 50, 75, 100)``);
            empty: none. The model written is always the one trained on the whole split.
        command: the command line, recorded in ``meta.json``.
        progress: called with a line per stage and spaCy evaluation.

    Returns:
        The model's ModelMeta (also written as ``meta.json``).

    Raises:
        InputError: a bad gold version, too little to learn (see
            :func:`eventgold.training.data.training_data`), or an ``out_dir`` holding something else.
        ConfigError: a learning-curve point outside 1..100, or spaCy is not installed.

    Example (CLI): ``eventgold train exports/gold/v1 -o models/v1 --curve 25,50,100``
    """
    from eventgold.training.spans import SpanModelSettings

    out = Path(out_dir)
    check_model_target(out, Path(gold_dir))
    onto = ontology if ontology is not None else load_ontology()
    points = check_curve(curve)
    data = training_data(gold_dir, onto, train_split=train_split, dev_split=dev_split)
    chosen = settings if settings is not None else SpanModelSettings()
    out.parent.mkdir(parents=True, exist_ok=True)
    curve_points: list[CurvePoint] = []
    whole: list[int] = []  # shares that round to the whole split: the final model's figures
    for percent in (p for p in points if p < 100):
        docs = fraction(data.train, percent, seed)
        same = next((c for c in curve_points if c.train_documents == len(docs)), None)
        if len(docs) == len(data.train) or same is not None:  # the same nested share: the same model
            _say(progress, f"learning curve: {percent}% of {train_split} is {_documents(len(docs))}, as before")
            if same is None:
                whole.append(percent)
            else:
                curve_points.append(same.model_copy(update={"percent": percent}))
            continue
        _say(progress, f"learning curve: {percent}% of {train_split} ({_documents(len(docs))})")
        with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.curve-") as tmp:
            dev = _fit(docs, data.dev, onto, chosen, seed, Path(tmp), progress).dev
        curve_points.append(CurvePoint(percent=percent, train_documents=len(docs), dev=dev))
    _say(progress, f"training on {train_split} ({_documents(len(data.train))}), selecting on {dev_split}")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.new-") as tmp:
        folder = Path(tmp) / "model"
        folder.mkdir()
        fitted = _fit(data.train, data.dev, onto, chosen, seed, folder, progress)
        for percent in [*whole, *(p for p in points if p == 100)]:
            curve_points.append(CurvePoint(percent=percent, train_documents=len(data.train), dev=fitted.dev))
        meta = _meta(out.name, data, onto, seed, command, fitted, curve_points)
        atomic_write_text(folder / META_FILE, meta.model_dump_json(indent=2) + "\n")
        swap_in_folder(folder, out, what="model")
    return meta


def dev_scores(dev_docs: Sequence[GoldDocument], preds: list[DocumentAnnotation], ontology: Ontology) -> DevScores:
    """A model's dev figures: its predictions for ``dev_docs`` (same order) scored by ``eventgold score``.

    Undefined figures (e.g. no mode in dev) are None (``zero_division="nan"``).
    """
    from eventgold.scoring.api import score

    report = score(list(dev_docs), {"model": preds}, bootstrap=0, ontology=ontology, zero_division="nan")
    return DevScores.from_metrics(report.extractors[0].metrics)


def _installed(package: str) -> str:
    """``package``'s installed version, or ``not installed``."""
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def _documents(n: int) -> str:
    return f"{n} document{'' if n == 1 else 's'}"


def _say(progress: Progress | None, line: str) -> None:
    if progress is not None:
        progress(line)


def _meta(
    name: str,
    data: TrainingData,
    ontology: Ontology,
    seed: int,
    command: str | None,
    fitted: _Fitted,
    curve: list[CurvePoint],
) -> ModelMeta:
    gold = GoldRef(
        version=data.gold.manifest.version,
        manifest_sha256=sha256_file(data.gold.path / MANIFEST_FILE),
        train_split=data.train[0].split or "",
        dev_split=data.dev[0].split or "",
        train_documents=len(data.train),
        dev_documents=len(data.dev),
    )
    return ModelMeta(
        name=name,
        gold=gold,
        ontology=OntologyRef(name=ontology.name, sha256=ontology.sha256()),
        seed=seed,
        command=command,
        settings=fitted.settings,
        versions={lib: _installed(lib) for lib in ("eventgold", "spacy", "scikit-learn")},
        dev=fitted.dev,
        spacy_dev=fitted.spacy_dev,
        curve=curve,
        warnings=[*data.warnings, *fitted.warnings],
    )
