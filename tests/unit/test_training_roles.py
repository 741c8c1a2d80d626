"""The argument-role classifier: candidate pairs, overfitting hand-made gold, the ontology's limits, files."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.errors import ConfigError, InputError, RecordError
from eventgold.gold.dataset import read_gold_version
from eventgold.models import Argument, Article, Event, GoldDocument, Mention, Span
from eventgold.ontology import Ontology, load_ontology
from eventgold.resources import packaged_samples
from eventgold.training.classifier import NONE, TextIndex, renormalised
from eventgold.training.roles import ArgumentModel
from tests.unit.ace_fixtures import ACE, event_in, mention_in

PLOVER = load_ontology()

PLOVER_TEXTS = (
    "Iraqi forces attacked rebels in Baghdad. The militants fled to Mosul after the battle.",
    "Pompeo met Kazemi in Washington on Monday. Iran condemned the meeting in a statement.",
    "Protesters in Basra demanded that the government resign. Police arrested the protesters.",
)


def _doc(doc_id: str, text: str, mentions: list[tuple[str, str, str]], events: list[Event]) -> GoldDocument:
    """A gold document; ``mentions`` are (id, phrase, type), found by their first occurrence."""
    units = [mention_in(text, mid, phrase, type_) for mid, phrase, type_ in mentions]
    return GoldDocument(article=Article(id=doc_id, text=text), mentions=units, events=events)


def plover_docs() -> list[GoldDocument]:
    """Three PLOVER documents: an assault, a retreat, a visit, an accusation, a protest and a coercion."""
    t1, t2, t3 = PLOVER_TEXTS
    return [
        _doc(
            "d1",
            t1,
            [("m1", "Iraqi forces", "ARMED_GROUP"), ("m2", "rebels", "ARMED_GROUP"), ("m3", "Baghdad", "LOCATION"),
             ("m4", "The militants", "ARMED_GROUP"), ("m5", "Mosul", "LOCATION")],
            [
                event_in(t1, "e1", "attacked", "ASSAULT", ("actor", "m1"), ("recipient", "m2"), ("location", "m3")),
                event_in(t1, "e2", "fled", "RETREAT", ("actor", "m4"), ("location", "m5")),
            ],
        ),
        _doc(
            "d2",
            t2,
            [("m1", "Pompeo", "PERSON"), ("m2", "Kazemi", "PERSON"), ("m3", "Washington", "LOCATION"),
             ("m4", "Iran", "STATE")],
            [
                event_in(t2, "e1", "met", "CONSULT", ("actor", "m2"), ("recipient", "m1"), ("location", "m3")),
                event_in(t2, "e2", "condemned", "ACCUSE", ("actor", "m4")),
            ],
        ),
        _doc(
            "d3",
            t3,
            [("m1", "Protesters", "GROUP"), ("m2", "Basra", "LOCATION"), ("m3", "government", "STATE"),
             ("m4", "Police", "ORGANIZATION"), ("m5", "the protesters", "GROUP")],
            [
                event_in(t3, "e1", "demanded", "PROTEST", ("actor", "m1"), ("recipient", "m3"), ("location", "m2")),
                event_in(t3, "e2", "arrested", "COERCE", ("actor", "m4"), ("recipient", "m5")),
            ],
        ),
    ]  # fmt: skip


ACE_TEXT = "Rebels attacked an army base in Kirkuk with rockets on Monday. Two soldiers died in the attack."


def ace_docs() -> list[GoldDocument]:
    """One ACE document: an Attack (Attacker, Target, Place, Instrument) and a Die (Victim, Place)."""
    t = ACE_TEXT
    return [
        _doc(
            "kirkuk",
            t,
            [("m1", "Rebels", "ORG"), ("m2", "army base", "FAC"), ("m3", "Kirkuk", "GPE"), ("m4", "rockets", "WEA"),
             ("m5", "soldiers", "PER")],
            [
                event_in(t, "e1", "attacked", "Attack", ("Attacker", "m1"), ("Target", "m2"), ("Place", "m3"),
                         ("Instrument", "m4")),
                event_in(t, "e2", "died", "Die", ("Victim", "m5"), ("Place", "m3")),
            ],
        )
    ]  # fmt: skip


CASES = {"plover": (PLOVER, plover_docs), "ace": (ACE, ace_docs)}


@functools.cache
def fitted(name: str) -> ArgumentModel:
    """A model fitted on the hand-made documents of ``name`` (one per test session: fitting is deterministic)."""
    ontology, docs = CASES[name]
    return ArgumentModel(ontology).fit(docs())


def _roles(args: list[Argument]) -> set[tuple[str, str]]:
    return {(a.role, a.mention) for a in args}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_model_fitted_on_gold_gives_its_arguments_back(name: str) -> None:
    _, docs = CASES[name]
    model = fitted(name)
    for doc in docs():
        predicted = model.predict(doc.article.text, doc.mentions, doc.events)
        assert [_roles(p) for p in predicted] == [_roles(e.arguments) for e in doc.events], doc.doc_id


def test_predict_ignores_the_events_own_arguments() -> None:
    doc = plover_docs()[0]
    bare = [e.model_copy(update={"arguments": []}) for e in doc.events]
    model = fitted("plover")
    assert model.predict(doc.article.text, doc.mentions, bare) == model.predict(
        doc.article.text, doc.mentions, doc.events
    )


def test_a_role_the_ontology_forbids_is_never_predicted_even_when_the_classifier_prefers_it() -> None:
    # the Attack's mentions under a Die event: Attacker, Target and Instrument are not roles of Die
    doc = ace_docs()[0]
    as_die = [doc.events[0].model_copy(update={"type": "Die"})]
    model = fitted("ace")
    scores = model.pair_probabilities(doc.article.text, doc.mentions, as_die)[0]
    preferred = {pair.mention: max(pair.probabilities, key=pair.probabilities.__getitem__) for pair in scores}
    assert preferred["m1"] == "Attacker"  # the classifier's own choice, which Die does not allow
    predicted = model.predict(doc.article.text, doc.mentions, as_die)[0]
    types = {m.id: m.type for m in doc.mentions}
    assert all(ACE.argument_problem("Die", a.role, types[a.mention]) is None for a in predicted)
    assert "m1" not in {a.mention for a in predicted}


def test_a_role_a_mention_type_cannot_fill_is_never_predicted() -> None:
    # Baghdad as a STATE under an ontology whose location takes LOCATION only
    roles = [
        {**r.model_dump(), "entity_types": ["LOCATION"]} if r.name == "location" else r.model_dump()
        for r in PLOVER.roles
    ]
    strict = Ontology.model_validate({**PLOVER.model_dump(), "roles": roles})
    model = ArgumentModel(strict).fit(plover_docs())
    doc = plover_docs()[0]
    assert ("location", "m3") in _roles(model.predict(doc.article.text, doc.mentions, doc.events)[0])
    retyped = [m.model_copy(update={"type": "STATE"}) if m.id == "m3" else m for m in doc.mentions]
    predicted = model.predict(doc.article.text, retyped, doc.events)[0]
    assert ("location", "m3") not in _roles(predicted)
    types = {m.id: m.type for m in retyped}
    assert all(strict.argument_problem("ASSAULT", a.role, types[a.mention]) is None for a in predicted)


@pytest.mark.parametrize(
    "docs",
    [
        pytest.param([], id="no-documents"),
        pytest.param(
            [d.model_copy(update={"events": [e.model_copy(update={"arguments": []}) for e in d.events]})
             for d in plover_docs()],
            id="events-without-arguments",
        ),
    ],
)  # fmt: skip
def test_no_argument_to_learn_from_warns_and_predicts_nothing(docs: list[GoldDocument]) -> None:
    model = ArgumentModel(PLOVER).fit(docs)
    assert model.warnings == ["no argument in the training documents: arguments will not be predicted"]
    doc = plover_docs()[0]
    assert model.predict(doc.article.text, doc.mentions, doc.events) == [[], []]
    assert model.pair_probabilities(doc.article.text, doc.mentions, doc.events) == [[], []]


def test_an_unfitted_model_predicts_nothing() -> None:
    doc = plover_docs()[0]
    assert ArgumentModel(PLOVER).predict(doc.article.text, doc.mentions, doc.events) == [[], []]


def test_roles_without_an_example_are_named() -> None:
    doc = plover_docs()[1]
    only_actors = [e.model_copy(update={"arguments": e.arguments[:1]}) for e in doc.events]  # the actors
    model = ArgumentModel(PLOVER).fit([doc.model_copy(update={"events": only_actors})])
    assert model.warnings == ["roles with no example in the training documents (never predicted): recipient, location"]
    assert fitted("plover").warnings == []
    assert "Time-Within" in fitted("ace").warnings[0]


def test_gold_arguments_no_pair_can_carry_are_counted() -> None:
    text = "Soleimani was a commander. The general was killed by an American drone strike near the airport."
    doc = _doc(
        "d",
        text,
        [("m1", "Soleimani", "PERSON"), ("m2", "American", "STATE"), ("m3", "airport", "LOCATION")],
        [event_in(text, "e1", "drone strike", "ASSAULT", ("recipient", "m1"), ("actor", "m2"), ("location", "m3"))],
    )
    near = ArgumentModel(PLOVER, window=0).fit([doc])
    assert near.warnings[-1] == "1 of 3 gold arguments give no training pair (1 outside the window)"
    assert {p.mention for p in near.pair_probabilities(text, doc.mentions, doc.events)[0]} == {"m2", "m3"}
    wide = ArgumentModel(PLOVER, window=15).fit([doc])
    assert not any("give no training pair" in w for w in wide.warnings)
    assert {p.mention for p in wide.pair_probabilities(text, doc.mentions, doc.events)[0]} == {"m1", "m2", "m3"}


def test_events_without_a_trigger_and_mentions_without_offsets_give_no_pair() -> None:
    doc = plover_docs()[1]
    floating = Mention(id="m9", type="STATE", canonical_id="USA", text="the US")
    untriggered = Event(id="e9", type="CONSULT", arguments=[Argument(role="actor", mention="m1")])
    met, condemned = doc.events
    met = met.model_copy(update={"arguments": [*met.arguments, Argument(role="actor", mention="m9")]})
    changed = doc.model_copy(update={"mentions": [*doc.mentions, floating], "events": [met, condemned, untriggered]})
    model = ArgumentModel(PLOVER).fit([changed])
    assert model.warnings[-1] == "2 of 6 gold arguments give no training pair (1 no trigger, 1 no offsets)"
    predicted = model.predict(doc.article.text, changed.mentions, changed.events)
    assert predicted[2] == []
    assert "m9" not in {a.mention for args in predicted for a in args}


def test_fitting_is_deterministic_for_a_seed() -> None:
    doc = plover_docs()[0]
    first, second = (ArgumentModel(PLOVER, seed=7).fit(plover_docs()) for _ in range(2))
    assert first.pair_probabilities(doc.article.text, doc.mentions, doc.events) == second.pair_probabilities(
        doc.article.text, doc.mentions, doc.events
    )


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_saved_model_loads_and_predicts_the_same(name: str, tmp_path: Path) -> None:
    ontology, docs = CASES[name]
    model = fitted(name)
    model.save(tmp_path / "arguments.joblib")
    loaded = ArgumentModel.load(tmp_path / "arguments.joblib", ontology)
    assert (loaded.seed, loaded.window, loaded.threshold, loaded.warnings) == (
        model.seed, model.window, model.threshold, model.warnings
    )  # fmt: skip
    for doc in docs():
        args = (doc.article.text, doc.mentions, doc.events)
        assert loaded.pair_probabilities(*args) == model.pair_probabilities(*args)
        assert loaded.predict(*args) == model.predict(*args)


def test_loading_refuses_another_ontology_a_foreign_file_and_a_missing_one(tmp_path: Path) -> None:
    path = tmp_path / "arguments.joblib"
    fitted("plover").save(path)
    with pytest.raises(InputError, match=r"trained with ontology 'PLOVER'.*not 'ACE2005'"):
        ArgumentModel.load(path, ACE)
    foreign = tmp_path / "notes.joblib"
    foreign.write_text("not a pickle", encoding="utf-8")
    with pytest.raises(InputError, match="not a model file eventgold can read"):
        ArgumentModel.load(foreign, PLOVER)
    with pytest.raises(InputError, match="no such model file"):
        ArgumentModel.load(tmp_path / "absent.joblib", PLOVER)


def test_saving_into_a_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot write the model file"):
        fitted("plover").save(tmp_path / "absent" / "arguments.joblib")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("setting", "value"),
    [("seed", -1), ("seed", True), ("seed", 2**32), ("seed", "0"), ("window", -1), ("window", 1.5),
     ("threshold", 0), ("threshold", 1.5), ("c", 0), ("c", float("nan")), ("c", float("inf"))],
)  # fmt: skip
def test_a_bad_setting_is_a_config_error_naming_it(setting: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"^{setting}"):
        ArgumentModel(PLOVER, **{setting: value})  # type: ignore[arg-type]


def test_mention_ids_given_twice_and_spans_outside_the_text_are_input_errors() -> None:
    doc = plover_docs()[0]
    model = fitted("plover")
    with pytest.raises(InputError, match="'m1' is given twice"):
        model.predict(doc.article.text, [*doc.mentions, doc.mentions[0]], doc.events)
    with pytest.raises(RecordError, match=r"record 'm1'.*run past the end of the text"):
        model.predict(doc.article.text[:5], doc.mentions, doc.events)


def test_renormalised_keeps_the_allowed_labels_and_none() -> None:
    probabilities = {"actor": 0.5, "recipient": 0.25, NONE: 0.25}
    assert renormalised(probabilities, ["recipient"]) == {"recipient": 0.5, NONE: 0.5}
    assert renormalised({"actor": 1.0}, ["recipient"]) == {}


@pytest.mark.parametrize(
    ("text", "span", "tokens"),
    [("Iraqi forces attacked", (6, 12), (1, 2)), ("Iraqi forces attacked", (5, 6), (1, 2)),
     ("Iraqi forces", (12, 12), (1, 2)), ("", (0, 0), (0, 0)), ("Iraqi forces", (2, 8), (0, 2))],
)  # fmt: skip
def test_text_index_places_spans_on_tokens(text: str, span: tuple[int, int], tokens: tuple[int, int]) -> None:
    assert TextIndex(text).token_range(*span) == tokens


def test_text_index_keeps_given_spans_in_one_sentence() -> None:
    text = "Gen. Soleimani arrived. He left."
    assert TextIndex(text).sentence_of[:3] == [0, 0, 0]  # Gen. is a known abbreviation
    cut = "Officials of Yahoo! Finance met in Baghdad."
    assert len(set(TextIndex(cut).sentence_of)) == 2
    assert len(set(TextIndex(cut, [(13, 27)]).sentence_of)) == 1  # the mention "Yahoo! Finance"


@st.composite
def _units(draw: st.DrawFn, ontology: Ontology, text: str) -> tuple[list[Mention], list[Event]]:
    """Mentions (some without offsets) and events (some without triggers) at random places in ``text``."""

    def span() -> tuple[int, int]:
        start = draw(st.integers(0, len(text)))
        return start, draw(st.integers(start, min(len(text), start + 20)))

    mentions = []
    for i in range(draw(st.integers(0, 6))):
        mention_type = draw(st.sampled_from(sorted(ontology.actor_type_names)))
        if draw(st.integers(0, 4)) == 0:
            mentions.append(Mention(id=f"m{i}", type=mention_type, text="somebody"))
        else:
            start, end = span()
            mentions.append(Mention(id=f"m{i}", type=mention_type, start=start, end=end, text=text[start:end]))
    events = []
    for i in range(draw(st.integers(0, 3))):
        start, end = span()
        trigger = draw(st.none() | st.just(Span(start=start, end=end, text=text[start:end])))
        events.append(Event(id=f"e{i}", type=draw(st.sampled_from(sorted(ontology.event_type_names))), trigger=trigger))
    return mentions, events


@st.composite
def _retyped_gold(draw: st.DrawFn, ontology: Ontology, doc: GoldDocument) -> tuple[list[Mention], list[Event]]:
    """The gold mentions and triggers of ``doc`` (a random share of them) with random types."""
    mentions = [
        m.model_copy(update={"type": draw(st.sampled_from(sorted(ontology.actor_type_names)))})
        for m in doc.mentions
        if draw(st.booleans())
    ]
    events = [
        Event(id=e.id, type=draw(st.sampled_from(sorted(ontology.event_type_names))), trigger=e.trigger)
        for e in doc.events
    ]
    return mentions, events


@settings(max_examples=80, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(CASES)))
def test_predictions_name_only_given_mentions_in_allowed_roles(data: st.DataObject, name: str) -> None:
    ontology, docs = CASES[name]
    doc = data.draw(st.sampled_from(docs()))
    text = doc.article.text
    mentions, events = data.draw(_units(ontology, text) | _retyped_gold(ontology, doc))
    predicted = fitted(name).predict(text, mentions, events)
    assert len(predicted) == len(events)
    types = {m.id: m.type for m in mentions if m.start is not None}
    for event, arguments in zip(events, predicted, strict=True):
        assert len({a.mention for a in arguments}) == len(arguments)
        assert event.trigger is not None or arguments == []
        for argument in arguments:
            assert argument.mention in types
            assert ontology.argument_problem(event.type, argument.role, types[argument.mention]) is None


def test_the_packaged_sample_gold_is_learnt() -> None:
    docs = read_gold_version(packaged_samples() / "gold" / "v1").documents
    model = ArgumentModel(PLOVER).fit(docs)
    true = predicted = correct = 0
    for doc in docs:
        for event, arguments in zip(doc.events, model.predict(doc.article.text, doc.mentions, doc.events), strict=True):
            gold, found = _roles(event.arguments), _roles(arguments)
            true, predicted, correct = true + len(gold), predicted + len(found), correct + len(gold & found)
    assert 2 * correct / (true + predicted) >= 0.95
