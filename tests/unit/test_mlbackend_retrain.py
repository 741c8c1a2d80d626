"""Retraining a served model from annotation webhooks: real (tiny) spaCy models, real gold folders.

The pull is the only stand-in (a snapshot built from the packaged sample gold, as one
annotator's work); the real pull from Label Studio is in tests/integration/test_ml_backend.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from eventgold.errors import ConfigError, ConnectionFailed, InputError
from eventgold.gold.dataset import read_gold_version
from eventgold.gold.inputs import SourceSnapshot
from eventgold.mlbackend import create_app
from eventgold.mlbackend.app import AnnotationEvent
from eventgold.models import DocumentAnnotation, Origin
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_samples
from eventgold.training.meta import DevScores

from .extras import NEEDS_SPACY

spacy = pytest.importorskip("spacy", reason=NEEDS_SPACY)
from eventgold.mlbackend import retrain as retrain_module  # noqa: E402  (needs spaCy for models)
from eventgold.mlbackend.retrain import (  # noqa: E402
    ROUNDS_FILE,
    Retrainer,
    RetrainRound,
    RetrainSettings,
    check_base_gold,
    dev_score,
    read_rounds,
)
from eventgold.training.api import train  # noqa: E402
from eventgold.training.model import TrainedModel  # noqa: E402
from eventgold.training.spans import SpanModelSettings  # noqa: E402

SAMPLE = packaged_samples() / "gold" / "v1"
PLOVER = load_ontology()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "tiny"
    train(SAMPLE, out, settings=SpanModelSettings.tiny(), seed=0)
    return out


def sample_pull(project_id: int) -> tuple[str, SourceSnapshot]:
    """The sample gold's documents as one annotator's snapshot of ``project_id``."""
    docs = read_gold_version(SAMPLE).documents
    annotations = [
        DocumentAnnotation(
            doc_id=d.article.id, origin=Origin(kind="annotator", name="ana"), mentions=d.mentions, events=d.events
        )
        for d in docs
    ]
    name = f"project-{project_id}.json"
    articles = {d.article.id: d.article for d in docs}
    return name, SourceSnapshot(path=Path(name), sha256="ab" * 32, articles=articles, annotations=annotations)


def retrainer(base: Path, folder: Path, pull: retrain_module.Pull = sample_pull, after: int = 2) -> Retrainer:
    return Retrainer(TrainedModel.load(base, PLOVER), PLOVER, RetrainSettings(after=after, folder=folder), pull)


def test_a_round_swaps_in_a_candidate_that_is_not_worse_on_dev(base: Path, tmp_path: Path) -> None:
    job = retrainer(base, tmp_path / "retrain")
    app = create_app(job.resume(), PLOVER)
    job.attach(app.state.backend)
    before = app.state.backend.model_version
    done = job.run_round(7)
    assert done.outcome == "accepted", done.message
    assert (done.round, done.project_id, done.snapshot, done.gold, done.model) == (
        1, 7, "project-7.json", "gold/r1", "models/tiny-r1",
    )  # fmt: skip
    assert done.candidate_score is not None and done.served_score is not None
    assert done.candidate_score >= done.served_score
    assert (tmp_path / "retrain" / "gold" / "r1" / "manifest.json").is_file()
    assert app.state.backend.extractor.name == "model:tiny-r1"
    assert app.state.backend.model_version != before and app.state.backend.model_version.startswith("model:tiny-r1@")
    assert read_rounds(tmp_path / "retrain") == [done]
    with TestClient(app) as client:
        assert client.get("/health").json()["model_version"] == app.state.backend.model_version


def test_a_candidate_worse_on_dev_is_removed_and_the_served_model_kept(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    perfect = DevScores(mention_strict_f1=1.0, trigger_cls_f1=1.0, arg_cls_f1=1.0, mode_accuracy=1.0)
    monkeypatch.setattr(retrain_module, "served_dev", lambda *args: perfect)
    job = retrainer(base, tmp_path / "retrain")
    app = create_app(job.resume(), PLOVER)
    job.attach(app.state.backend)
    before = app.state.backend.model_version
    done = job.run_round(7)
    assert done.outcome == "kept" and done.served_score == 1.0
    assert done.candidate_score is not None and done.candidate_score < 1.0
    assert done.model is None and not (tmp_path / "retrain" / "models" / "tiny-r1").exists()
    assert app.state.backend.model_version == before
    assert "kept model:tiny" in done.message


def test_a_failed_pull_is_a_failed_round_and_nothing_changes(base: Path, tmp_path: Path) -> None:
    def down(project_id: int) -> tuple[str, SourceSnapshot]:
        raise ConnectionFailed("cannot reach Label Studio at http://127.0.0.1:1")

    job = retrainer(base, tmp_path / "retrain", pull=down)
    done = job.run_round(3)
    assert (done.outcome, done.snapshot, done.gold) == ("failed", None, None)
    assert "cannot reach Label Studio" in done.message
    assert job.model.name == "model:tiny"
    assert [r.outcome for r in read_rounds(tmp_path / "retrain")] == ["failed"]


def test_a_project_with_too_little_annotated_is_a_skipped_round(base: Path, tmp_path: Path) -> None:
    def one_document(project_id: int) -> tuple[str, SourceSnapshot]:
        name, snap = sample_pull(project_id)
        first = snap.annotations[0]
        articles = {first.doc_id: snap.articles[first.doc_id]}
        return name, SourceSnapshot(path=snap.path, sha256=snap.sha256, articles=articles, annotations=[first])

    job = retrainer(base, tmp_path / "retrain", pull=one_document)
    done = job.run_round(3)
    assert (done.outcome, done.gold, done.model) == ("skipped", "gold/r1", None)
    assert done.message.startswith("nothing to train on yet: ")
    assert job.model.name == "model:tiny"


def test_the_models_own_gold_keeps_its_splits_in_the_first_round(base: Path, tmp_path: Path) -> None:
    check_base_gold(TrainedModel.load(base, PLOVER), SAMPLE)
    job = Retrainer(
        TrainedModel.load(base, PLOVER), PLOVER, RetrainSettings(after=1, folder=tmp_path, gold=SAMPLE), sample_pull
    )
    assert job.run_round(1).gold == "gold/r1"
    first = read_gold_version(tmp_path / "gold" / "r1")
    assert first.manifest.previous is not None
    assert {d.article.id: d.split for d in first.documents} == {
        d.article.id: d.split for d in read_gold_version(SAMPLE).documents
    }


def test_another_gold_than_the_models_is_refused(base: Path, tmp_path: Path) -> None:
    model = TrainedModel.load(base, PLOVER)
    with pytest.raises(InputError, match="not a gold version"):
        check_base_gold(model, tmp_path)
    job = Retrainer(model, PLOVER, RetrainSettings(after=1, folder=tmp_path / "r"), sample_pull)
    job.run_round(1)
    with pytest.raises(InputError, match=r"not the gold version model:tiny was trained from .*version 'v1'"):
        check_base_gold(model, tmp_path / "r" / "gold" / "r1")


def test_an_unexpected_failure_is_a_failed_round_with_one_line(base: Path, tmp_path: Path) -> None:
    def broken(project_id: int) -> tuple[str, SourceSnapshot]:
        raise KeyError("title\nsecond line")

    done = retrainer(base, tmp_path / "retrain", pull=broken).run_round(3)
    assert done.outcome == "failed" and "\n" not in done.message and done.message.startswith("KeyError")


def test_a_restarted_backend_serves_the_last_accepted_model_of_its_base(base: Path, tmp_path: Path) -> None:
    folder = tmp_path / "retrain"
    assert retrainer(base, folder).run_round(1).outcome == "accepted"
    again = retrainer(base, folder)
    assert again.resume().name == "model:tiny-r1"
    assert again.run_round(1).model == "models/tiny-r2"  # rounds go on from the file
    other = tmp_path / "other"
    train(SAMPLE, other, settings=SpanModelSettings.tiny(), seed=1)  # another base model: not resumed
    assert retrainer(other, folder).resume().name == "model:other"


def test_the_second_round_keeps_the_first_rounds_splits(base: Path, tmp_path: Path) -> None:
    job = retrainer(base, tmp_path / "retrain")
    job.run_round(1)
    job.run_round(1)
    first = read_gold_version(tmp_path / "retrain" / "gold" / "r1")
    second = read_gold_version(tmp_path / "retrain" / "gold" / "r2")
    assert second.manifest.previous is not None
    assert {d.article.id: d.split for d in second.documents} == {d.article.id: d.split for d in first.documents}


class Counted(Retrainer):
    """A retrainer whose rounds only record which project started them."""

    started: list[int]

    def run_round(self, project_id: int) -> RetrainRound:
        self.started.append(project_id)
        return RetrainRound(round=1, base=self.base, project_id=project_id, outcome="skipped", message="counted")


def webhook(action: str, project: int, annotations: int = 1) -> dict[str, object]:
    body: dict[str, object] = {"action": action, "project": {"id": project, "title": "t"}}
    if action == "ANNOTATIONS_CREATED":
        body["annotations"] = [{"id": i} for i in range(annotations)]
    else:
        body["annotation"] = {"id": 1}
    return body


@pytest.mark.parametrize(
    ("hooks", "started"),
    [
        ([("ANNOTATION_CREATED", 4)], []),
        ([("ANNOTATION_CREATED", 4), ("ANNOTATION_UPDATED", 4)], [4]),
        ([("ANNOTATION_CREATED", 4), ("ANNOTATION_CREATED", 5)], []),  # counted per project
        ([("ANNOTATIONS_DELETED", 4), ("ANNOTATION_CREATED", 4)], []),  # deletions are not new annotations
        ([("ANNOTATIONS_CREATED", 5)], [5]),  # a bulk webhook counts each annotation
        ([("PROJECT_UPDATED", 4), ("ANNOTATION_CREATED", 4)], []),
    ],
)
def test_a_round_starts_after_that_many_new_annotations_of_a_project(
    base: Path, tmp_path: Path, hooks: list[tuple[str, int]], started: list[int]
) -> None:
    job = Counted(TrainedModel.load(base, PLOVER), PLOVER, RetrainSettings(after=2, folder=tmp_path), sample_pull)
    job.started = []
    app = create_app(job.model, PLOVER, on_annotation=job.on_annotation)
    with TestClient(app) as client:
        for action, project in hooks:
            assert client.post("/webhook", json=webhook(action, project, annotations=2)).status_code == 200
            assert job.wait(10)
    assert job.started == started


def test_annotations_arriving_during_a_round_start_the_next_one(base: Path, tmp_path: Path) -> None:
    job = Counted(TrainedModel.load(base, PLOVER), PLOVER, RetrainSettings(after=1, folder=tmp_path), sample_pull)
    job.started = []
    event = AnnotationEvent("ANNOTATION_CREATED", 4, (1,), (1,), {})
    for _ in range(3):
        job.on_annotation(event)
    assert job.wait(10)
    assert 2 <= len(job.started) <= 3 and set(job.started) == {4}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ((0.5, 0.25, None, 1.0), (0.0, 0.0, 0.0, None), 0.375),
        ((0.5, None, None, None), (None, 0.5, None, None), None),
        ((1.0, 1.0, 1.0, 1.0), (0.0, 0.0, 0.0, 0.0), 1.0),
    ],
)
def test_the_dev_score_is_the_mean_of_the_figures_both_define(
    a: tuple[float | None, ...], b: tuple[float | None, ...], expected: float | None
) -> None:
    names = ("mention_strict_f1", "trigger_cls_f1", "arg_cls_f1", "mode_accuracy")
    got = dev_score(DevScores(**dict(zip(names, a, strict=True))), DevScores(**dict(zip(names, b, strict=True))))
    assert got == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize("after", [0, -1, True, 1.5])
def test_retrain_needs_a_whole_number_of_annotations(after: object, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--retrain"):
        RetrainSettings(after=after, folder=tmp_path)  # type: ignore[arg-type]


def test_a_broken_rounds_file_names_its_line(tmp_path: Path) -> None:
    good = RetrainRound(round=1, base="x", project_id=1, outcome="skipped", message="m")
    (tmp_path / ROUNDS_FILE).write_text(good.model_dump_json() + "\n" + json.dumps({"round": "two"}) + "\n")
    with pytest.raises(Exception, match=rf"{ROUNDS_FILE}:2: not a retraining round"):
        read_rounds(tmp_path)
