"""Retraining a served ``model:`` extractor from its project's annotations (``ml-backend --retrain N``).

After ``N`` new annotations of a project (Label Studio's annotation webhooks), a round runs
in a background thread while the backend keeps answering:

1. pull the project (:func:`eventgold.labelstudio.pull.pull_snapshot`) into ``<folder>/raw``;
2. build a gold version from that latest pull into ``<folder>/gold/r<k>`` (the previous
   round's version keeps its documents' splits, so dev stays dev);
3. train a candidate with the served model's own settings and seed into
   ``<folder>/models/<name>-r<k>`` (:func:`eventgold.training.api.train`);
4. score the served model on the same dev documents and swap the candidate in only when its
   dev score is not worse (:func:`dev_score`); a candidate that is worse is removed.

Every round, whatever its outcome, is one line of ``<folder>/rounds.jsonl``
(:class:`RetrainRound`; no clock in it). A backend started again on the same folder serves
the last accepted model of its base model (:meth:`Retrainer.resume`).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from eventgold.errors import ConfigError, EventgoldError, InputError
from eventgold.fileio import atomic_write_text, sha256_file
from eventgold.gold.dataset import MANIFEST_FILE
from eventgold.gold.splits import DEFAULT_RATIOS, DEFAULT_SEED
from eventgold.mlbackend.app import AnnotationEvent, BackendState
from eventgold.ontology import Ontology
from eventgold.training.meta import META_FILE, DevScores

if TYPE_CHECKING:
    from eventgold.gold.inputs import SnapshotLike
    from eventgold.labelstudio.client import LabelStudioClient
    from eventgold.models import GoldDocument
    from eventgold.training.model import TrainedModel

log = logging.getLogger("eventgold.mlbackend")

ROUNDS_FILE = "rounds.jsonl"
RETRAIN_POLICY = "adjudicator,ground-truth,majority,single"
"""Gold policy of a round: like ``gold build``'s default, and a task annotated once is taken as it is."""
COUNTED_ACTIONS = frozenset({"ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED"})

Outcome = Literal["accepted", "kept", "skipped", "failed"]

Pull = Callable[[int], tuple[str, "SnapshotLike"]]
"""Pulls a Label Studio project by id: the snapshot's file name and what it holds."""


class RetrainRound(BaseModel):
    """One line of ``rounds.jsonl``: what a retraining round did and why.

    Attributes:
        round: 1, 2, ... per folder.
        base: sha256 of the ``meta.json`` of the model the backend was started with.
        project_id: the Label Studio project pulled.
        outcome: ``accepted`` (candidate swapped in), ``kept`` (candidate worse on dev, removed),
            ``skipped`` (nothing to train on yet, e.g. no dev document) or ``failed`` (see the log).
        snapshot: the pulled snapshot's file name, when pulled.
        gold: the gold version folder, relative to the retrain folder, when built.
        model: the candidate folder, relative to the retrain folder (kept only when accepted).
        served_dev / candidate_dev: both models' figures on the round's dev split.
        served_score / candidate_score: their :func:`dev_score` (the decision).
        message: one line on the outcome.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    round: int
    base: str
    project_id: int
    outcome: Outcome
    snapshot: str | None = None
    gold: str | None = None
    model: str | None = None
    served_dev: DevScores | None = None
    candidate_dev: DevScores | None = None
    served_score: float | None = None
    candidate_score: float | None = None
    message: str


@dataclass(frozen=True)
class RetrainSettings:
    """When and where a backend retrains.

    Args:
        after: new annotations of a project (created or updated) that start a round (>= 1).
        folder: the retrain folder (pulls, gold versions, candidates, ``rounds.jsonl``).
        policy: the gold policy of a round's version.
        ratios: train/dev/test fractions of a round's split.
        seed: seed of a round's split.
        gold: the gold version the served model was trained from: the first round keeps its
            documents' splits (else the first round draws a new split, and documents the model
            learned from may land in dev).

    Raises:
        ConfigError: ``after`` below 1.
    """

    after: int
    folder: Path
    policy: str = RETRAIN_POLICY
    ratios: tuple[float, float, float] = DEFAULT_RATIOS
    seed: int = DEFAULT_SEED
    gold: Path | None = None

    def __post_init__(self) -> None:
        if isinstance(self.after, bool) or not isinstance(self.after, int) or self.after < 1:
            raise ConfigError(f"--retrain {self.after!r}: give a whole number of new annotations >= 1")


def dev_score(figures: DevScores, other: DevScores) -> float | None:
    """The mean of the dev figures defined in both ``figures`` and ``other`` (what a round compares).

    Args:
        figures: one model's dev figures (mention strict F1, trigger and argument
            classification F1, mode accuracy; None where undefined).
        other: the model it is compared with, on the same documents.

    Returns:
        The mean in [0, 1], or None when no figure is defined in both.

    Example:
        >>> a = DevScores(mention_strict_f1=0.5, trigger_cls_f1=0.25, arg_cls_f1=None, mode_accuracy=1.0)
        >>> b = DevScores(mention_strict_f1=0.0, trigger_cls_f1=0.0, arg_cls_f1=0.0, mode_accuracy=None)
        >>> dev_score(a, b)
        0.375
    """
    shared = [
        value for name, value in figures.model_dump().items() if value is not None and getattr(other, name) is not None
    ]
    return sum(shared) / len(shared) if shared else None


def served_dev(model: TrainedModel, dev: list[GoldDocument], ontology: Ontology) -> DevScores:
    """``model``'s figures on ``dev``, scored as a candidate is (:func:`eventgold.training.api.dev_scores`)."""
    from eventgold.training.api import dev_scores

    return dev_scores(dev, list(model.extract(d.article for d in dev)), ontology)


class Retrainer:
    """Counts a project's annotation webhooks and retrains the served model in the background.

    Use :meth:`resume` for the model to serve, pass :meth:`on_annotation` to
    :func:`eventgold.mlbackend.create_app` and :meth:`attach` its state.

    Args:
        model: the model the backend was started with (its settings and seed are reused).
        ontology: the backend's ontology (the gold and candidates are checked against it).
        settings: when and where.
        pull: pulls a project (called in the round's thread; :func:`label_studio_pull`).
        label_studio: where it pulls from, for messages (a URL).
    """

    def __init__(
        self,
        model: TrainedModel,
        ontology: Ontology,
        settings: RetrainSettings,
        pull: Pull,
        *,
        label_studio: str = "Label Studio",
    ) -> None:
        self.base = sha256_file(model.path / META_FILE)
        self.base_name = model.meta.name
        self.model = model
        self.ontology = ontology
        self.settings = settings
        self._pull = pull
        self.label_studio = label_studio
        self._state: BackendState | None = None
        self._lock = threading.Lock()
        self._pending: dict[int, int] = {}
        self._thread: threading.Thread | None = None
        self.rounds: list[RetrainRound] = read_rounds(settings.folder)

    def resume(self) -> TrainedModel:
        """The model to serve: the last candidate accepted from this base model in this folder, else the base."""
        from eventgold.training.model import TrainedModel

        for done in reversed(self.rounds):
            if done.base == self.base and done.outcome == "accepted" and done.model is not None:
                folder = self.settings.folder / done.model
                if folder.is_dir():
                    self.model = TrainedModel.load(folder, self.ontology)
                    break
        return self.model

    def attach(self, state: BackendState) -> None:
        """Swap accepted candidates into ``state`` (the app's :class:`BackendState`)."""
        self._state = state

    @property
    def running(self) -> bool:
        """Whether a round is under way."""
        return self._thread is not None and self._thread.is_alive()

    def on_annotation(self, event: AnnotationEvent) -> None:
        """The annotation hook: count new annotations; start a round when a project has ``after`` of them."""
        if event.action not in COUNTED_ACTIONS or event.project_id is None:
            return
        with self._lock:
            added = max(1, len(event.annotation_ids))
            self._pending[event.project_id] = self._pending.get(event.project_id, 0) + added
            self._start_if_due()

    def _start_if_due(self) -> None:
        if self.running:
            return
        due = [p for p, n in sorted(self._pending.items()) if n >= self.settings.after]
        if not due:
            return
        self._pending[due[0]] = 0
        self._thread = threading.Thread(target=self._background, args=(due[0],), name="retrain", daemon=True)
        self._thread.start()

    def _background(self, project_id: int) -> None:
        try:
            self.run_round(project_id)
        finally:
            with self._lock:
                self._thread = None
                self._start_if_due()  # annotations that came in meanwhile

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no round runs (a round may start the next one); False when ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return True
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                return False

    def run_round(self, project_id: int) -> RetrainRound:
        """Run one round for ``project_id`` now, in this thread; record and return it (never raises).

        Returns:
            The round's :class:`RetrainRound` (also appended to ``rounds.jsonl``).
        """
        number = len(self.rounds) + 1
        parts: dict[str, Any] = {"round": number, "base": self.base, "project_id": project_id}
        log.info("retraining round %d: pulling project %d", number, project_id)
        try:
            done = self._round(number, project_id, parts)
        except NothingToTrain as exc:
            done = RetrainRound(**parts, outcome="skipped", message=str(exc))
            log.warning("retraining round %d skipped: %s", number, exc)
        except EventgoldError as exc:
            done = RetrainRound(**parts, outcome="failed", message=str(exc))
            log.error("retraining round %d failed: %s", number, exc)
        except Exception as exc:
            log.exception("retraining round %d failed", number)
            message = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}; see the backend's log"
            done = RetrainRound(**parts, outcome="failed", message=message)
        self.rounds.append(done)
        write_rounds(self.settings.folder, self.rounds)
        return done

    def _round(self, number: int, project_id: int, parts: dict[str, Any]) -> RetrainRound:
        from eventgold.training.api import train
        from eventgold.training.data import training_data
        from eventgold.training.model import TrainedModel
        from eventgold.training.spacy_config import SpanModelSettings

        folder = self.settings.folder
        name, snapshot = self._pull(project_id)
        parts["snapshot"] = name
        gold = self._build_gold(snapshot, number)
        parts["gold"] = gold.relative_to(folder).as_posix()
        try:
            data = training_data(gold, self.ontology)
        except InputError as exc:
            raise NothingToTrain(f"nothing to train on yet: {exc}") from exc
        candidate = folder / "models" / f"{self.base_name}-r{number}"
        parts["model"] = candidate.relative_to(folder).as_posix()
        spans: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in self.model.meta.settings["spans"].items()
        }
        meta = train(
            gold,
            candidate,
            ontology=self.ontology,
            settings=SpanModelSettings(**spans),
            seed=self.model.meta.seed,
            command=f"eventgold ml-backend --retrain {self.settings.after} (round {number})",
        )
        served = served_dev(self.model, data.dev, self.ontology)
        new_score, old_score = dev_score(meta.dev, served), dev_score(served, meta.dev)
        parts.update(
            served_dev=served,
            candidate_dev=meta.dev,
            served_score=_rounded(old_score),
            candidate_score=_rounded(new_score),
        )
        if new_score is not None and old_score is not None and new_score < old_score:
            shutil.rmtree(candidate)
            parts["model"] = None
            message = f"kept {self.model.name}: the candidate's dev score {new_score:.4f} < {old_score:.4f}"
            log.info("retraining round %d: %s", number, message)
            return RetrainRound(**parts, outcome="kept", message=message)
        accepted = TrainedModel.load(candidate, self.ontology)
        self.model = accepted
        if self._state is not None:
            self._state.replace_extractor(accepted)
        message = f"now serving {accepted.name}: dev score {_figure(new_score)} (was {_figure(old_score)})"
        log.info("retraining round %d: %s", number, message)
        return RetrainRound(**parts, outcome="accepted", message=message)

    def _build_gold(self, snapshot: SnapshotLike, number: int) -> Path:
        from eventgold.gold.dataset import BuildOptions, build_gold, write_gold_version

        golds = self.settings.folder / "gold"
        built = [r.gold for r in self.rounds if r.gold is not None and (self.settings.folder / r.gold).is_dir()]
        options = BuildOptions(
            version=f"r{number}",
            policy=self.settings.policy,
            ratios=self.settings.ratios,
            seed=self.settings.seed,
            previous=self.settings.folder / built[-1] if built else self.settings.gold,
            allow_problems=True,
        )
        build = build_gold([snapshot], self.ontology, options)
        if build.problems:
            log.warning(
                "round %d: %d annotation problem(s) left out (see its problems.jsonl)", number, len(build.problems)
            )
        write_gold_version(build, golds / f"r{number}")
        return golds / f"r{number}"


def check_base_gold(model: TrainedModel, gold: Path) -> None:
    """Check that ``gold`` is the gold version ``model`` was trained from (its manifest's sha256).

    Raises:
        InputError: ``gold`` has no manifest, or another one (both named).
    """
    manifest = Path(gold) / MANIFEST_FILE
    if not manifest.is_file():
        raise InputError(f"{gold}: not a gold version (no {MANIFEST_FILE}); give the one the model was trained from")
    found = sha256_file(manifest)
    if found != model.meta.gold.manifest_sha256:
        raise InputError(
            f"{gold}: not the gold version {model.name} was trained from (manifest sha256 {found[:12]}, the model's "
            f"{model.meta.gold.manifest_sha256[:12]}, version {model.meta.gold.version!r})"
        )


def label_studio_pull(connect: Callable[[], LabelStudioClient], folder: Path, ontology: Ontology) -> Pull:
    """The :data:`Pull` of a round: ``eventgold pull`` of the project into ``folder``, then read.

    Args:
        connect: opens a Label Studio client (a context manager), called once per pull.
        folder: where snapshots are written (as ``eventgold pull -o``).
        ontology: labels the snapshot's regions are checked against.

    Returns:
        A function of a project id (raises what :func:`eventgold.labelstudio.pull.pull_snapshot`
        and :func:`eventgold.labelstudio.snapshot.read_snapshot` raise).
    """

    def pull(project_id: int) -> tuple[str, SnapshotLike]:
        from eventgold.labelstudio.pull import pull_snapshot
        from eventgold.labelstudio.snapshot import read_snapshot

        with connect() as client:
            title = str(client.get_json(f"/api/projects/{project_id}/")["title"])
            pulled = pull_snapshot(client, title, folder, with_predictions=False)
        return pulled.path.name, read_snapshot(pulled.path, ontology=ontology)

    return pull


class NothingToTrain(InputError):
    """A round's gold version has too little to train or select a model on (a ``skipped`` round)."""


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _figure(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4f}"


def read_rounds(folder: Path) -> list[RetrainRound]:
    """The rounds recorded in ``folder/rounds.jsonl`` (none when it is missing).

    Raises:
        InputError: a line that is not a round (file and line named).
    """
    path = folder / ROUNDS_FILE
    if not path.is_file():
        return []
    rounds: list[RetrainRound] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rounds.append(RetrainRound.model_validate_json(line))
        except ValueError as exc:
            raise InputError(
                f"{path}:{number}: not a retraining round ({exc.__class__.__name__}); move the file away to start over"
            ) from exc
    return rounds


def write_rounds(folder: Path, rounds: Iterable[RetrainRound]) -> None:
    """Write ``folder/rounds.jsonl`` atomically, one round per line."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / ROUNDS_FILE, "".join(r.model_dump_json() + "\n" for r in rounds))
