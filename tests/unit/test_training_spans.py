"""Span model (spaCy spancat): config, settings checks, overfitting the sample gold, determinism, loading."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from eventgold.errors import ConfigError, InputError
from eventgold.gold.dataset import read_gold_version
from eventgold.models import GoldDocument
from eventgold.ontology import load_ontology
from eventgold.training.spans import (
    ACTORS_KEY,
    EVENTS_KEY,
    SCORE_NAMES,
    SUGGESTER_FACTORY,
    DocSpans,
    EventgoldTokenizer,
    SpanModel,
    SpanModelSettings,
    register_tokenizer,
    span_config,
    train_spans,
    write_docbin,
)

from .extras import needs_spacy

ONTOLOGY = load_ontology()
ACTOR_TYPES = [a.name for a in ONTOLOGY.actor_types]
EVENT_TYPES = [e.name for e in ONTOLOGY.event_types]


def sample_docs() -> list[GoldDocument]:
    with resources.as_file(resources.files("eventgold") / "data/samples/gold/v1") as folder:
        return read_gold_version(folder).documents


@dataclasses.dataclass
class Trained:
    path: Path
    scores: dict[str, float]
    steps: list[tuple[int, dict[str, float]]]
    docs: list[GoldDocument]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    pytest.importorskip("spacy")
    docs = sample_docs()
    steps: list[tuple[int, dict[str, float]]] = []
    out = tmp_path_factory.mktemp("spans") / "model"
    scores = train_spans(
        docs, docs, ACTOR_TYPES, EVENT_TYPES, out, settings=SpanModelSettings.tiny(), seed=3,
        on_step=lambda step, s: steps.append((step, s)),
    )  # fmt: skip
    return Trained(out, scores, steps, docs)


def predictions(model: SpanModel, docs: list[GoldDocument]) -> list[DocSpans]:
    return list(model.predict([d.article.text for d in docs], batch_size=2))


def strict_f1(gold: list[set[tuple[int, int, str]]], predicted: list[set[tuple[int, int, str]]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    wrong = sum(len(g ^ p) for g, p in zip(gold, predicted, strict=True))
    return 2 * tp / (2 * tp + wrong) if tp or wrong else 1.0


@needs_spacy
def test_config_has_both_span_components_with_the_ontology_labels_and_the_seed() -> None:
    config = span_config(ACTOR_TYPES, EVENT_TYPES, SpanModelSettings(), seed=7)
    assert config["nlp"]["pipeline"] == ["tok2vec", ACTORS_KEY, EVENTS_KEY]
    assert config["system"]["seed"] == 7
    for key, labels, sizes in ((ACTORS_KEY, ACTOR_TYPES, [1, 2, 3, 4]), (EVENTS_KEY, EVENT_TYPES, [1, 2])):
        component = config["components"][key]
        assert component["factory"] == "spancat_singlelabel"  # softmax over the types and "no span"
        assert component["allow_overlap"] is True  # overlapping candidate spans may all be kept
        assert component["model"]["scorer"]["@layers"] == "Softmax.v2"
        assert component["spans_key"] == key
        assert component["suggester"] == {"@misc": SUGGESTER_FACTORY, "sizes": sizes}
        assert component["model"]["tok2vec"]["@architectures"] == "spacy.Tok2VecListener.v1"
        assert config["initialize"]["components"][key]["labels"] == labels
        assert config["training"]["score_weights"][f"spans_{key}_f"] > 0
    assert span_config(ACTOR_TYPES, EVENT_TYPES, SpanModelSettings(), seed=7).to_str() == config.to_str()


@needs_spacy
@pytest.mark.parametrize(
    ("text", "sizes", "expected"),
    [
        ('Rebels (RUF) left, "now".', [1], ["Rebels", "RUF", "left", '"', "now", '"']),  # '"' opens and closes
        ('Rebels (RUF) left, "now".', [3], ["Rebels ( RUF", "( RUF )", "RUF ) left", 'left , "', '" now "']),
        ("a\n\nb", [1, 2, 3], ["a", "b", "a \n\n b"]),
        ("", [1, 2], []),
        ("one", [2], []),
    ],
)
def test_suggester_skips_spans_starting_or_ending_at_whitespace_or_punctuation(
    text: str, sizes: list[int], expected: list[str]
) -> None:
    spacy = pytest.importorskip("spacy")
    register_tokenizer()
    vocab = spacy.blank("en").vocab  # the pipeline's language: its punctuation and space flags
    docs = [EventgoldTokenizer(vocab)(t) for t in ("x y", text)]
    found = spacy.registry.misc.get(SUGGESTER_FACTORY)(sizes)(docs)
    assert found.lengths.tolist()[1] == len(expected)
    spans = [docs[1][int(a) : int(b)] for a, b in found.dataXd[found.lengths[0] :].tolist()]
    assert [" ".join(t.text for t in span) for span in spans] == expected


@needs_spacy
@pytest.mark.parametrize(
    ("actors", "events", "needle"),
    [([], EVENT_TYPES, "mention types"), (ACTOR_TYPES, ["AGREE", "AGREE"], "repeat")],
)
def test_config_refuses_missing_or_repeated_types(actors: list[str], events: list[str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        span_config(actors, events, SpanModelSettings(), seed=0)


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"width": 0}, "width=0"),
        ({"max_steps": 1.5}, "max_steps=1.5"),
        ({"patience": -1}, "patience=-1"),
        ({"dropout": 1.0}, "dropout=1.0"),
        ({"learn_rate": 0.0}, "learn_rate=0.0"),
        ({"threshold": 1.5}, "threshold=1.5"),
        ({"actor_ngrams": ()}, "actor_ngrams=()"),
        ({"trigger_ngrams": (1, 1)}, "repeated"),
        ({"trigger_ngrams": (0, 2)}, ">= 1"),
        ({"eval_frequency": True}, "eval_frequency=True"),
    ],
)
def test_settings_refuse_bad_values(change: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        SpanModelSettings(**change)


def test_settings_sort_ngram_sizes() -> None:
    assert SpanModelSettings(actor_ngrams=[3, 1, 2]).actor_ngrams == (1, 2, 3)  # type: ignore[arg-type]


@needs_spacy
@pytest.mark.parametrize("empty", ["train", "dev"])
def test_training_needs_train_and_dev_documents(empty: str, tmp_path: Path) -> None:
    docs = sample_docs()[:1]
    train, dev = ([], docs) if empty == "train" else (docs, [])
    with pytest.raises(InputError, match=f"the {empty} split has no documents"):
        train_spans(train, dev, ACTOR_TYPES, EVENT_TYPES, tmp_path / "m", settings=SpanModelSettings.tiny())
    assert not (tmp_path / "m").exists()


@needs_spacy
def test_training_refuses_gold_types_not_given(tmp_path: Path) -> None:
    docs = sample_docs()[:1]
    with pytest.raises(InputError, match=r"document 000_\w+: mention type 'LOCATION' is not one of the mention types"):
        train_spans(docs, docs, ["PERSON"], EVENT_TYPES, tmp_path / "m", settings=SpanModelSettings.tiny())


@needs_spacy
def test_write_docbin_counts_documents(tmp_path: Path) -> None:
    assert write_docbin(iter(sample_docs()), tmp_path / "x.spacy") == 5
    assert (tmp_path / "x.spacy").stat().st_size > 0


@needs_spacy
def test_tiny_model_overfits_its_training_documents(trained: Trained) -> None:
    assert set(trained.scores) == set(SCORE_NAMES)
    assert all(0.0 <= v <= 1.0 for v in trained.scores.values())
    assert [step for step, _ in trained.steps] == [0, 50, 100]
    last = trained.steps[-1][1]
    assert last["score"] == pytest.approx((last["spans_actors_f"] + last["spans_events_f"]) / 2)
    model = SpanModel(trained.path)
    assert model.actor_types == tuple(ACTOR_TYPES) and model.event_types == tuple(EVENT_TYPES)
    for key in (ACTORS_KEY, EVENTS_KEY):  # spancat_singlelabel has no threshold argument: saved in its cfg
        assert model.nlp.get_pipe(key).cfg["threshold"] == SpanModelSettings.tiny().threshold
    predicted = predictions(model, trained.docs)
    gold = [
        {(m.start, m.end, m.type) for m in d.mentions if m.start is not None and m.end is not None}
        for d in trained.docs
    ]
    got = [{(c.start, c.end, c.label) for c in p.actors} for p in predicted]
    assert strict_f1(gold, got) >= 0.9
    assert strict_f1(gold, got) == pytest.approx(trained.scores["spans_actors_f"])


@needs_spacy
def test_predictions_are_well_formed(trained: Trained) -> None:
    model = SpanModel(trained.path)
    texts = [d.article.text for d in trained.docs]
    for text, spans in zip(texts, model.predict(texts), strict=True):
        for cand in (*spans.actors, *spans.events):
            assert 0 <= cand.start < cand.end <= len(text) and text[cand.start : cand.end].strip()
            assert 0.5 <= cand.score <= 1.0
        assert [c.label for c in spans.actors] and {c.label for c in spans.actors} <= set(ACTOR_TYPES)
        assert len(spans.actor_probs) > len(spans.actors) and all(0 <= p <= 1 for p in spans.actor_probs)
        assert all(1 >= a >= b >= 0 for a, b in spans.event_top2)
    empty: Iterator[DocSpans] = model.predict(["", "  \n"])
    assert [(s.actors, s.events) for s in empty] == [([], []), ([], [])]
    assert next(model.predict([""])) == DocSpans()
    with pytest.raises(ConfigError, match="batch_size=0"):
        next(model.predict(["x"], batch_size=0))


@needs_spacy
def test_same_seed_same_scores_and_predictions_quietly(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    docs = sample_docs()[:2]
    quick = dataclasses.replace(SpanModelSettings.tiny(), max_steps=6, eval_frequency=3)
    random.seed(11)
    runs = [
        train_spans(docs, docs[1:], ACTOR_TYPES, EVENT_TYPES, tmp_path / name, settings=quick, seed=5)
        for name in ("first", "second")
    ]
    assert random.random() == random.Random(11).random()  # the caller's random state is left alone
    assert capfd.readouterr().out == ""
    assert runs[0] == runs[1]
    first, second = SpanModel(tmp_path / "first"), SpanModel(tmp_path / "second")
    assert predictions(first, docs) == predictions(second, docs)
    assert [p.actor_probs for p in predictions(first, docs)] == [p.actor_probs for p in predictions(second, docs)]


@needs_spacy
@pytest.mark.parametrize("kind", ["missing", "empty", "broken", "other pipeline"])
def test_span_model_refuses_a_folder_that_is_not_one(kind: str, tmp_path: Path) -> None:
    folder = tmp_path / "not-a-model"
    if kind != "missing":
        folder.mkdir()
    if kind == "broken":
        (folder / "config.cfg").write_text("[nlp]\nlang = 'en'\n[broken", encoding="utf-8")
    if kind == "other pipeline":
        pytest.importorskip("spacy").blank("en").to_disk(folder)
    with pytest.raises(ConfigError, match="not-a-model"):
        SpanModel(folder)


@needs_spacy
def test_fewer_steps_than_the_dev_check_interval_still_check_the_last_step(tmp_path: Path) -> None:
    """max_steps below eval_frequency: the dev check comes at the last step, not only at step 0 (untrained)."""
    docs = sample_docs()[:2]
    short = dataclasses.replace(SpanModelSettings.tiny(), max_steps=4, eval_frequency=50)
    steps: list[int] = []
    train_spans(
        docs, docs, ACTOR_TYPES, EVENT_TYPES, tmp_path / "m", settings=short, on_step=lambda n, _: steps.append(n)
    )
    assert steps == [0, 4]
    saved = (tmp_path / "m" / "config.cfg").read_text(encoding="utf-8")
    assert "train = null" in saved and "dev = null" in saved  # no path of the deleted temporary DocBins
