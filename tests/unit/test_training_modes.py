"""The mode classifier: overfitting hand-made gold, only the modes a type allows, warnings, files."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.errors import ConfigError, InputError, RecordError
from eventgold.gold.dataset import read_gold_version
from eventgold.models import Article, Event, GoldDocument, Span
from eventgold.ontology import load_ontology
from eventgold.resources import packaged_samples
from eventgold.training.classifier import NONE
from eventgold.training.modes import ModeModel
from eventgold.training.roles import ArgumentModel
from tests.unit.ace_fixtures import ACE, event_in

PLOVER = load_ontology()

TEXTS = (
    "Pompeo called Kazemi by phone on Monday. Kazemi visited Tehran on Tuesday.",
    "US troops withdrew from Iraq. Police arrested protesters in Basra.",
    "Drones struck a convoy near the airport. Rebels attacked the base.",
)
GOLD = (  # (trigger, type, mode) per text
    (("called", "CONSULT", "phone"), ("visited", "CONSULT", "visit")),
    (("withdrew", "RETREAT", "withdraw"), ("arrested", "COERCE", "arrest")),
    (("struck", "ASSAULT", "aerial"), ("attacked", "ASSAULT", None)),
)


def _doc(doc_id: str, text: str, events: list[tuple[str, str, str | None]]) -> GoldDocument:
    """A gold document whose events are (trigger phrase, type, mode)."""
    units = [
        event_in(text, f"e{i}", phrase, type_).model_copy(update={"mode": mode})
        for i, (phrase, type_, mode) in enumerate(events)
    ]
    return GoldDocument(article=Article(id=doc_id, text=text), events=units)


def gold_docs() -> list[GoldDocument]:
    """Three documents: a phone call and a visit, a withdrawal and an arrest, an air strike and a plain attack."""
    return [_doc(f"d{i}", text, list(events)) for i, (text, events) in enumerate(zip(TEXTS, GOLD, strict=True))]


@functools.cache
def fitted() -> ModeModel:
    """A model fitted on :func:`gold_docs` (one per test session: fitting is deterministic)."""
    return ModeModel(PLOVER).fit(gold_docs())


def test_a_model_fitted_on_gold_gives_its_modes_back() -> None:
    for doc in gold_docs():
        predicted = fitted().predict(doc.article.text, doc.events)
        assert [mode for mode, _ in predicted] == [e.mode for e in doc.events], doc.doc_id
        assert all(0.5 <= p <= 1.0 for _, p in predicted)


def test_predict_ignores_the_events_own_modes() -> None:
    doc = gold_docs()[0]
    bare = [e.model_copy(update={"mode": None}) for e in doc.events]
    assert fitted().predict(doc.article.text, bare) == fitted().predict(doc.article.text, doc.events)


def test_a_type_without_modes_gets_none_for_sure() -> None:
    text = TEXTS[0]
    support = event_in(text, "e1", "called", "SUPPORT")
    assert PLOVER.modes_of("SUPPORT") == ()
    assert fitted().predict(text, [support]) == [(None, 1.0)]
    assert fitted().mode_probabilities(text, [support]) == [{}]


def test_a_mode_of_another_type_is_never_predicted() -> None:
    # "visited" as a RETREAT: the classifier prefers visit, which RETREAT does not allow
    text = TEXTS[0]
    retreat = event_in(text, "e1", "visited", "RETREAT")
    probabilities = fitted().mode_probabilities(text, [retreat])[0]
    assert max(probabilities, key=probabilities.__getitem__) == "visit"
    mode, p = fitted().predict(text, [retreat])[0]
    assert mode in (None, *PLOVER.modes_of("RETREAT"))
    assert 0.0 <= p <= 1.0


def test_an_event_without_a_trigger_is_judged_on_its_type() -> None:
    untriggered = Event(id="e1", type="RETREAT")  # RETREAT's one example was a withdrawal
    assert fitted().predict(TEXTS[1], [untriggered])[0][0] == "withdraw"


@pytest.mark.parametrize(
    "docs",
    [
        pytest.param([], id="no-documents"),
        pytest.param([d.model_copy(update={"events": [e.model_copy(update={"mode": None}) for e in d.events]})
                      for d in gold_docs()], id="events-without-modes"),
    ],
)  # fmt: skip
def test_no_mode_to_learn_from_warns_and_predicts_none(docs: list[GoldDocument]) -> None:
    model = ModeModel(PLOVER).fit(docs)
    assert model.warnings == ["no mode in the training documents: modes will not be predicted"]
    doc = gold_docs()[0]
    assert model.predict(doc.article.text, doc.events) == [(None, 1.0), (None, 1.0)]


def test_an_ontology_without_modes_learns_nothing() -> None:
    text = "Rebels attacked the base."
    doc = GoldDocument(article=Article(id="d", text=text), events=[event_in(text, "e1", "attacked", "Attack")])
    model = ModeModel(ACE).fit([doc])
    assert model.warnings == ["no mode in the training documents: modes will not be predicted"]
    assert model.predict(text, doc.events) == [(None, 1.0)]


def test_modes_without_an_example_and_events_left_out_are_named() -> None:
    untriggered = Event(id="e9", type="CONSULT", mode="visit")
    docs = gold_docs()
    docs[0] = docs[0].model_copy(update={"events": [*docs[0].events, untriggered]})
    warnings = ModeModel(PLOVER).fit(docs).warnings
    seen = {e.mode for d in docs for e in d.events if e.trigger is not None}  # a mode name learnt serves every type
    missing = [(t.name, m) for t in PLOVER.event_types for m in t.modes if m not in seen]
    assert warnings[0].startswith(f"{len(missing)} modes of {len({t for t, _ in missing})} event types have no example")
    assert "(never predicted), e.g. CONSULT: third-party" in warnings[0]
    assert warnings[1:] == ["1 events of types with modes have no trigger and give no training example"]


def test_only_events_with_modes_warns_that_none_is_not_learnt() -> None:
    docs = gold_docs()[:2]
    model = ModeModel(PLOVER).fit(docs)
    assert any("it never learns to leave the mode out" in w for w in model.warnings)
    assert NONE not in model.labels


def test_a_single_mode_is_learnt_as_a_constant() -> None:
    doc = _doc("d", TEXTS[0], [("called", "CONSULT", "phone")])
    model = ModeModel(PLOVER).fit([doc])
    assert model.labels == ["phone"]
    assert model.predict(TEXTS[0], [*doc.events, event_in(TEXTS[0], "e2", "visited", "RETREAT")]) == [
        ("phone", 1.0),
        (None, 0.0),
    ]


def test_fitting_is_deterministic_for_a_seed() -> None:
    doc = gold_docs()[2]
    first, second = (ModeModel(PLOVER, seed=3).fit(gold_docs()) for _ in range(2))
    assert first.mode_probabilities(doc.article.text, doc.events) == second.mode_probabilities(
        doc.article.text, doc.events
    )


def test_a_saved_model_loads_and_predicts_the_same(tmp_path: Path) -> None:
    fitted().save(tmp_path / "modes.joblib")
    loaded = ModeModel.load(tmp_path / "modes.joblib", PLOVER)
    assert (loaded.window, loaded.warnings, loaded.labels) == (fitted().window, fitted().warnings, fitted().labels)
    for doc in gold_docs():
        assert loaded.mode_probabilities(doc.article.text, doc.events) == fitted().mode_probabilities(
            doc.article.text, doc.events
        )
        assert loaded.predict(doc.article.text, doc.events) == fitted().predict(doc.article.text, doc.events)


def test_loading_refuses_a_model_of_another_kind_or_ontology(tmp_path: Path) -> None:
    fitted().save(tmp_path / "modes.joblib")
    ArgumentModel(PLOVER).save(tmp_path / "arguments.joblib")
    with pytest.raises(InputError, match="not a eventgold-modes model file"):
        ModeModel.load(tmp_path / "arguments.joblib", PLOVER)
    with pytest.raises(InputError, match="not a eventgold-arguments model file"):
        ArgumentModel.load(tmp_path / "modes.joblib", PLOVER)
    with pytest.raises(InputError, match="load it with the ontology it was trained with"):
        ModeModel.load(tmp_path / "modes.joblib", ACE)


@pytest.mark.parametrize(("setting", "value"), [("seed", -1), ("window", -2), ("threshold", 2.0), ("c", -1.0)])
def test_a_bad_setting_is_a_config_error_naming_it(setting: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"^{setting}"):
        ModeModel(PLOVER, **{setting: value})  # type: ignore[arg-type]


def test_a_trigger_outside_the_text_is_an_input_error() -> None:
    doc = gold_docs()[0]
    with pytest.raises(RecordError, match=r"record 'e0'.*run past the end of the text"):
        fitted().predict(doc.article.text[:10], doc.events)


@settings(max_examples=60, deadline=None)
@given(
    text=st.sampled_from(TEXTS),
    events=st.lists(
        st.tuples(st.sampled_from(sorted(PLOVER.event_type_names)), st.integers(0, 80), st.integers(0, 12)), max_size=4
    ),
)
def test_a_predicted_mode_is_one_its_type_allows(text: str, events: list[tuple[str, int, int]]) -> None:
    units = []
    for i, (type_, start, length) in enumerate(events):
        start = min(start, len(text))
        end = min(len(text), start + length)
        trigger = Span(start=start, end=end, text=text[start:end]) if length else None
        units.append(Event(id=f"e{i}", type=type_, trigger=trigger))
    predicted = fitted().predict(text, units)
    assert len(predicted) == len(units)
    for event, (mode, p) in zip(units, predicted, strict=True):
        assert mode is None or mode in PLOVER.modes_of(event.type)
        assert 0.0 <= p <= 1.0
        if not PLOVER.modes_of(event.type):
            assert (mode, p) == (None, 1.0)


def test_the_packaged_sample_gold_is_learnt() -> None:
    docs = read_gold_version(packaged_samples() / "gold" / "v1").documents
    model = ModeModel(PLOVER).fit(docs)
    judged = correct = 0
    for doc in docs:
        events = [e for e in doc.events if e.trigger is not None and PLOVER.modes_of(e.type)]
        for event, (mode, _) in zip(events, model.predict(doc.article.text, events), strict=True):
            judged, correct = judged + 1, correct + (mode == event.mode)
    assert judged > 20
    assert correct / judged >= 0.95
