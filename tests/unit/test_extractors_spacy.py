"""The spaCy extractor and the DocBin reader, with a blank pipeline (no model download)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eventgold.errors import ConfigError, InputError, RecordError
from eventgold.extractors.base import run_extractor
from eventgold.extractors.spacy_ner import SpacyExtractor
from eventgold.models import Article
from eventgold.ontology import load_ontology
from eventgold.readers import detect_format, read_predictions

from .extras import NEEDS_SPACY

spacy = pytest.importorskip("spacy", reason=NEEDS_SPACY)
DocBin = pytest.importorskip("spacy.tokens", reason=NEEDS_SPACY).DocBin

TEXT = "Mike Pompeo of the State Department spoke to Iraqi officials in Baghdad near Erbil Airport."


def blank_nlp() -> Any:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(
        [
            {"label": "PERSON", "pattern": "Mike Pompeo"},
            {"label": "ORG", "pattern": "State Department"},
            {"label": "NORP", "pattern": "Iraqi"},
            {"label": "GPE", "pattern": "Baghdad"},
            {"label": "FAC", "pattern": "Erbil Airport"},
            {"label": "DATE", "pattern": "today"},
        ]
    )
    return nlp


def test_entities_map_to_actor_types_with_exact_offsets() -> None:
    ex = SpacyExtractor(blank_nlp())
    article = Article(id="d1", text=TEXT + " today")
    (ann,) = run_extractor(ex, [article], load_ontology())
    assert [(m.text, m.type) for m in ann.mentions] == [
        ("Mike Pompeo", "PERSON"),
        ("State Department", "ORGANIZATION"),
        ("Iraqi", "STATE"),
        ("Baghdad", "STATE"),
        ("Erbil Airport", "LOCATION"),
    ]
    for m in ann.mentions:
        assert article.text[m.start : m.end] == m.text  # type: ignore[misc]
    assert ann.origin.name.startswith("spacy:")
    assert "spacy 3" in ann.origin.version  # type: ignore[operator]


def test_missing_pipeline_is_a_config_error_not_a_download() -> None:
    with pytest.raises(ConfigError, match="not installed"):
        SpacyExtractor("xx_no_such_pipeline_sm")


def write_docbin(path: Path, docs: list[Any]) -> None:
    db = DocBin(store_user_data=True)
    for doc in docs:
        db.add(doc)
    db.to_disk(path)


def test_docbin_round_trip(tmp_path: Path) -> None:
    nlp = blank_nlp()
    doc = nlp(TEXT)
    doc.user_data["doc_id"] = "d1"
    path = tmp_path / "preds.spacy"
    write_docbin(path, [doc])
    assert detect_format(path) == "docbin"
    article = Article(id="d1", text=TEXT)
    (ann,) = read_predictions(path, articles={"d1": article}, ontology=load_ontology())
    assert ann.doc_id == "d1"
    assert [m.type for m in ann.mentions] == ["PERSON", "ORGANIZATION", "STATE", "STATE", "LOCATION"]


def test_docbin_custom_key_and_missing_key(tmp_path: Path) -> None:
    nlp = blank_nlp()
    doc = nlp(TEXT)
    doc.user_data["article"] = "d9"
    path = tmp_path / "preds.spacy"
    write_docbin(path, [doc])
    assert [a.doc_id for a in read_predictions(path, "docbin", doc_key="article")] == ["d9"]
    with pytest.raises(RecordError, match=r"doc #1.*user_data\['doc_id'\]"):
        list(read_predictions(path, "docbin"))


def test_docbin_text_mismatch_is_reported(tmp_path: Path) -> None:
    doc = blank_nlp()(TEXT)
    doc.user_data["doc_id"] = "d1"
    path = tmp_path / "preds.spacy"
    write_docbin(path, [doc])
    other = Article(id="d1", text="x" * len(TEXT))
    with pytest.raises(RecordError, match=r"preds.spacy \(doc #1\).*document 'd1'"):
        list(read_predictions(path, articles={"d1": other}))


def test_broken_docbin(tmp_path: Path) -> None:
    path = tmp_path / "bad.spacy"
    path.write_bytes(b"not a docbin")
    with pytest.raises(InputError, match="not a readable spaCy DocBin"):
        list(read_predictions(path))


def test_without_spacy_the_hint_names_the_pip_requirement(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from eventgold.extractors.spacy_ner import import_spacy

    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(ConfigError, match=r"pip install 'spacy>=3\.7,<4'$"):
        import_spacy()


ACE = load_ontology(
    Path(__file__).resolve().parents[2]
    / "src"
    / "eventgold"
    / "data"
    / "label_config"
    / "examples"
    / "ace2005"
    / "ontology.yaml"
)


def test_label_map_comes_from_the_ontology_ner_labels() -> None:
    from eventgold.extractors.spacy_ner import ontology_label_map

    assert ontology_label_map(load_ontology()) == {
        "PERSON": "PERSON", "PER": "PERSON", "ORG": "ORGANIZATION", "GPE": "STATE", "NORP": "STATE",
        "LOC": "LOCATION", "FAC": "LOCATION",
    }  # fmt: skip
    ace = ontology_label_map(ACE)
    assert (ace["PERSON"], ace["ORG"], ace["GPE"], ace["LOC"], ace["FAC"]) == ("PER", "ORG", "GPE", "LOC", "FAC")
    assert "NORP" not in ace and set(ace.values()) <= ACE.actor_type_names
    # every actor type without ner_labels is simply not produced
    bare = type(ACE).model_validate(
        {**ACE.model_dump(), "actor_types": [{**t.model_dump(), "ner_labels": []} for t in ACE.actor_types]}
    )
    assert ontology_label_map(bare) == {}


def test_another_ontology_types_the_same_entities_its_own_way() -> None:
    ex = SpacyExtractor(blank_nlp(), ontology=ACE)
    article = Article(id="d1", text=TEXT)
    (ann,) = run_extractor(ex, [article], ACE)
    # NORP is in no ACE type's ner_labels: "Iraqi" is left out
    assert [(m.text, m.type) for m in ann.mentions] == [
        ("Mike Pompeo", "PER"), ("State Department", "ORG"), ("Baghdad", "GPE"), ("Erbil Airport", "FAC"),
    ]  # fmt: skip


def test_an_explicit_label_map_wins() -> None:
    ex = SpacyExtractor(blank_nlp(), label_map={"GPE": "LOCATION"}, ontology=load_ontology())
    (ann,) = run_extractor(ex, [Article(id="d1", text=TEXT)], load_ontology())
    assert [(m.text, m.type) for m in ann.mentions] == [("Baghdad", "LOCATION")]


def test_docbin_reader_maps_labels_through_the_ontology(tmp_path: Path) -> None:
    doc = blank_nlp()(TEXT)
    doc.user_data["doc_id"] = "d1"
    path = tmp_path / "preds.spacy"
    write_docbin(path, [doc])
    (ann,) = read_predictions(path, articles={"d1": Article(id="d1", text=TEXT)}, ontology=ACE)
    assert [m.type for m in ann.mentions] == ["PER", "ORG", "GPE", "FAC"]
