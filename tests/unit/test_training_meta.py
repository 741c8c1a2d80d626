"""The model folder's meta.json, the output-folder check and the training report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from eventgold.errors import InputError
from eventgold.report.html_training import training_html
from eventgold.training.api import check_model_target
from eventgold.training.meta import (
    META_FILE,
    CurvePoint,
    DevScores,
    GoldRef,
    ModelMeta,
    OntologyRef,
    is_model_folder,
    read_meta,
)


def _dev(f1: float) -> DevScores:
    return DevScores(mention_strict_f1=f1, trigger_cls_f1=f1 / 2, arg_cls_f1=None, mode_accuracy=math.nan)


def meta(**update: object) -> ModelMeta:
    base = ModelMeta(
        name="v1",
        gold=GoldRef(
            version="v1",
            manifest_sha256="ab" * 32,
            train_split="train",
            dev_split="dev",
            train_documents=8,
            dev_documents=2,
        ),
        ontology=OntologyRef(name="PLOVER", sha256="cd" * 32),
        seed=0,
        command="eventgold train exports/gold/v1 -o models/v1 --curve 50,100",
        settings={"width": 96},
        versions={"eventgold": "0.1.0"},
        dev=_dev(0.8),
        spacy_dev={"spans_actors_f": 0.8},
        curve=[
            CurvePoint(percent=50, train_documents=4, dev=_dev(0.6)),
            CurvePoint(percent=100, train_documents=8, dev=_dev(0.8)),
        ],
        warnings=["event types with no example in split 'train' (never predicted): REJECT <b>"],
    )
    return base.model_copy(update=update)


def test_undefined_dev_figures_are_none_and_meta_round_trips(tmp_path: Path) -> None:
    m = meta()
    assert m.dev.mode_accuracy is None and m.dev.arg_cls_f1 is None
    (tmp_path / META_FILE).write_text(m.model_dump_json(indent=2), encoding="utf-8")
    assert is_model_folder(tmp_path)
    assert read_meta(tmp_path) == m


def test_dev_figures_from_score_metrics_are_rounded() -> None:
    metrics = {
        "mention.strict.f1": 2 / 3,
        "event.trigger_cls.f1": 0.5,
        "event.arg_cls.f1": math.nan,
        "event.mode.accuracy": 1.0,
        "other": 0.1,
    }
    assert DevScores.from_metrics(metrics) == DevScores(
        mention_strict_f1=0.666667, trigger_cls_f1=0.5, arg_cls_f1=None, mode_accuracy=1.0
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "missing; .* is not a model made by `eventgold train`"),
        ("{not json", "cannot read"),
        (json.dumps({"format": "spacy"}), "not an eventgold model \\(format 'spacy'"),
        (json.dumps({"format": "eventgold-model", "format_version": 99}), "model format 99 is newer"),
        (json.dumps({"format": "eventgold-model", "format_version": 1}), "not a valid model meta.json"),
    ],
)
def test_a_folder_that_is_not_a_model_is_one_clear_error(tmp_path: Path, content: str | None, message: str) -> None:
    if content is not None:
        (tmp_path / META_FILE).write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_meta(tmp_path)


def test_read_meta_of_no_folder_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no such model folder .*eventgold train"):
        read_meta(tmp_path / "nope")


def test_the_output_must_be_new_empty_or_a_model(tmp_path: Path) -> None:
    check_model_target(tmp_path / "new")  # does not exist yet: fine
    (tmp_path / "empty").mkdir()
    check_model_target(tmp_path / "empty")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not an eventgold model"):
        check_model_target(other)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="is a file"):
        check_model_target(tmp_path / "file")
    model = tmp_path / "model"
    model.mkdir()
    (model / META_FILE).write_text(meta().model_dump_json(), encoding="utf-8")
    check_model_target(model)  # an earlier model is replaced


def test_the_training_report_shows_figures_curve_warnings_and_command() -> None:
    page = training_html(meta())
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<img class="chart"') == 1  # the learning curve
    assert "0.600" in page and "0.800" in page and "n/a" in page
    assert "REJECT &lt;b&gt;" in page and "REJECT <b>" not in page
    assert "--curve 50,100" in page


def test_a_model_without_a_curve_has_no_chart() -> None:
    page = training_html(meta(curve=[], warnings=[]))
    assert "<img" not in page and "Learning curve" not in page


def test_curve_shares_of_the_same_size_are_trained_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """3 train documents: 25% is 1, 50% and 75% are both 2 (one model), 100% is the final model."""
    from eventgold.resources import packaged_samples
    from eventgold.training import api

    trained: list[int] = []

    def fake_fit(train_docs: list[object], *args: object) -> object:
        trained.append(len(train_docs))
        f1 = len(train_docs) / 10
        return SimpleNamespace(dev=_dev(f1), spacy_dev={}, warnings=[], settings={})

    monkeypatch.setattr(api, "_fit", fake_fit)
    lines: list[str] = []
    meta = api.train(packaged_samples() / "gold" / "v1", tmp_path / "m", curve=(75, 25, 100, 50), progress=lines.append)
    assert trained == [1, 2, 3]
    assert [(p.percent, p.train_documents, p.dev.mention_strict_f1) for p in meta.curve] == [
        (25, 1, 0.1),
        (50, 2, 0.2),
        (75, 2, 0.2),
        (100, 3, 0.3),
    ]
    assert "learning curve: 25% of train (1 document)" in lines
    assert "learning curve: 75% of train is 2 documents, as before" in lines
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["meta.json"]


def test_the_model_may_not_go_inside_the_gold(tmp_path: Path) -> None:
    from eventgold.resources import packaged_samples

    gold = packaged_samples() / "gold" / "v1"
    with pytest.raises(InputError, match="is inside the gold version"):
        check_model_target(gold / "model", gold)


@pytest.mark.parametrize("flag", ["--html", "--json"])
def test_a_report_path_that_is_a_folder_is_refused_before_training(
    tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventgold.cli import main
    from eventgold.resources import packaged_samples

    (tmp_path / "reports").mkdir()
    args = [
        "train",
        str(packaged_samples() / "gold" / "v1"),
        "-o",
        str(tmp_path / "m"),
        flag,
        str(tmp_path / "reports"),
    ]
    assert main(args) == 2
    assert "is a folder; give the path of a file to write" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()
