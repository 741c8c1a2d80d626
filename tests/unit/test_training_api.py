"""``train`` end to end on the packaged sample gold: a real (tiny) spaCy model, real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.errors import ConfigError, InputError
from eventgold.extractors.base import load_extractor, run_extractor
from eventgold.gold.dataset import read_gold_version
from eventgold.jsonl import write_jsonl
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_label_config, packaged_samples
from eventgold.scoring.api import score
from eventgold.training.api import train
from eventgold.training.meta import META_FILE, read_meta
from eventgold.training.model import TrainedModel

from .extras import NEEDS_SPACY

spacy = pytest.importorskip("spacy", reason=NEEDS_SPACY)
from eventgold.training.spans import SpanModelSettings  # noqa: E402  (needs spaCy)

SAMPLE = packaged_samples() / "gold" / "v1"
PLOVER = load_ontology()
ACE = load_ontology(packaged_label_config() / "examples" / "ace2005" / "ontology.yaml")


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models") / "tiny"
    train(SAMPLE, out, settings=SpanModelSettings.tiny(), seed=0)
    return out


def test_the_model_folder_holds_every_part_and_its_meta(model: Path) -> None:
    meta = read_meta(model)
    assert sorted(p.name for p in model.iterdir()) == [
        "arguments.joblib",
        "meta.json",
        "modes.joblib",
        "ontology.json",
        "spans",
    ]
    gold = read_gold_version(SAMPLE)
    assert (meta.name, meta.gold.version, meta.seed) == ("tiny", gold.manifest.version, 0)
    assert (meta.gold.train_documents, meta.gold.dev_documents) == (3, 1)
    assert meta.ontology.sha256 == PLOVER.sha256()
    assert meta.curve == [] and set(meta.settings) == {"spans", "arguments", "modes"}
    assert not list(model.parent.glob(".tiny.*"))  # no temporary folder left beside it


def test_the_model_overfits_its_own_training_documents(model: Path) -> None:
    train_docs = [d for d in read_gold_version(SAMPLE).documents if d.split == "train"]
    extractor = load_extractor(f"model:{model}", ontology=PLOVER)
    preds = list(run_extractor(extractor, [d.article for d in train_docs], PLOVER))  # checked like any extractor
    assert all(m.score is not None and 0.0 <= m.score <= 1.0 for p in preds for m in p.mentions)
    report = score(train_docs, {"model": preds}, bootstrap=0, ontology=PLOVER)
    assert report.extractors[0].metrics["mention.strict.f1"] >= 0.9


def test_same_gold_and_seed_give_the_same_meta(model: Path, tmp_path: Path) -> None:
    again = tmp_path / "tiny"
    train(SAMPLE, again, settings=SpanModelSettings.tiny(), seed=0)
    assert (again / META_FILE).read_bytes() == (model / META_FILE).read_bytes()


def test_a_model_refuses_another_ontology(model: Path) -> None:
    with pytest.raises(ConfigError) as info:
        TrainedModel.load(model, ontology=ACE)
    assert PLOVER.sha256() in str(info.value) and ACE.sha256() in str(info.value)


def test_a_failed_training_leaves_the_earlier_model_as_it_was(
    model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from eventgold.training.modes import ModeModel

    target = tmp_path / "m"
    shutil.copytree(model, target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}

    def broken(self: object, docs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ModeModel, "fit", broken)
    with pytest.raises(KeyboardInterrupt):
        train(SAMPLE, target, settings=SpanModelSettings.tiny(), seed=1)
    assert {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_the_cli_trains_extracts_and_scores(model: Path, tmp_path: Path) -> None:
    out, html, js = tmp_path / "m", tmp_path / "train.html", tmp_path / "train.json"
    args = ["train", str(SAMPLE), "-o", str(out), "--quick", "--curve", "50,100", "--html", str(html)]
    assert main([*args, "--json", str(js)]) == 0
    payload = json.loads(js.read_text(encoding="utf-8"))
    assert payload["dev"] == json.loads((model / META_FILE).read_text(encoding="utf-8"))["dev"]  # same model
    assert [p["percent"] for p in payload["curve"]] == [50, 100] and payload["curve"][-1]["dev"] == payload["dev"]
    assert payload["command"].startswith(f"eventgold train {SAMPLE} --output {out} --curve 50,100 --quick")
    assert "<img" in html.read_text(encoding="utf-8")
    corpus = tmp_path / "corpus.jsonl"
    write_jsonl(corpus, [d.article for d in read_gold_version(SAMPLE).documents])
    preds = tmp_path / "preds.jsonl"
    assert main(["extract", str(corpus), "-e", f"model:{out}", "-o", str(preds)]) == 0
    report = tmp_path / "score.json"
    assert main(["score", "--gold", str(SAMPLE), "--pred", str(preds), "--bootstrap", "0", "--json", str(report)]) == 0
    scored = json.loads(report.read_text(encoding="utf-8"))["extractors"][0]
    assert scored["name"] == "model:m" and scored["docs_scored"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--curve", "0,50"], "percentages from 1 to 100, not 0"),
        (["--curve", "half"], "--curve takes percentages such as 25,50,75,100, not 'half'"),
        (["--dev-split", "validation"], "no document in split 'validation'"),
    ],
)
def test_bad_train_options_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["train", str(SAMPLE), "-o", str(tmp_path / "m"), "--quick", *args]) == 2
    err = capsys.readouterr().err
    assert message in " ".join(err.split()) and "Traceback" not in err
    assert not (tmp_path / "m").exists()


def test_an_output_folder_holding_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="not an eventgold model"):
        train(SAMPLE, tmp_path, settings=SpanModelSettings.tiny())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_suggest_ranks_unannotated_articles_by_the_models_uncertainty(model: Path, tmp_path: Path) -> None:
    corpus, out = tmp_path / "corpus.jsonl", tmp_path / "suggest.json"
    write_jsonl(corpus, [d.article for d in read_gold_version(SAMPLE).documents])
    assert main(["suggest", str(corpus), "--model", str(model), "--by", "uncertainty", "--json", str(out)]) == 0
    suggestions = json.loads(out.read_text(encoding="utf-8"))["suggestions"]
    assert len(suggestions) == 5 and all(0.0 <= s["uncertainty"] <= 1.0 for s in suggestions)
    assert [s["uncertainty"] for s in suggestions] == sorted((s["uncertainty"] for s in suggestions), reverse=True)
