"""spaCy DocBin export: load it with a blank pipeline, check ents and span groups, train 2 steps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings

from eventgold.cli import main
from eventgold.errors import ConfigError
from eventgold.export.layout import layout_document
from eventgold.export.run import export_gold
from eventgold.export.spacy_docbin import make_doc, words_and_spaces
from eventgold.export.tokenize import tokenize
from eventgold.models import GoldDocument

from .export_fixtures import fixture_docs, fixture_gold, train_doc, word_gold_documents, word_texts
from .extras import NEEDS_SPACY

if TYPE_CHECKING:
    from spacy.tokens import Doc

spacy = pytest.importorskip("spacy", reason=NEEDS_SPACY)
DocBin = pytest.importorskip("spacy.tokens", reason=NEEDS_SPACY).DocBin
NLP = spacy.blank("en")


def load(path: Path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(NLP.vocab))


def test_docbins_hold_the_gold(tmp_path: Path) -> None:
    out = tmp_path / "spacy"
    summary = export_gold(fixture_gold(tmp_path), "spacy", out)
    assert summary.files == ["cut_spans.jsonl", "dev.spacy", "manifest.json", "test.spacy", "train.spacy"]
    assert summary.cut_reasons == {"overlap": 1}  # overlap: the nested m2 is not in doc.ents
    golds = {d.doc_id: d for d in [*fixture_docs(), train_doc()]}
    seen = []
    for split in ("train", "dev", "test"):
        for doc in load(out / f"{split}.spacy"):
            gold = golds[doc.user_data["doc_id"]]
            seen.append(gold.doc_id)
            assert doc.user_data["split"] == split == gold.split
            assert doc.text == gold.article.text
            layout = layout_document(gold)
            assert [(e.start_char, e.end_char, e.label_, e.id_) for e in doc.ents] == [
                (a.unit.start, a.unit.end, a.unit.label, a.unit.id) for a in layout.ner
            ]
            assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)  # no missing annotation
            mentions = {m.id: m for m in gold.mentions}
            actors = [(s.start_char, s.end_char, s.label_, s.id_, s.kb_id_) for s in doc.spans["actors"]]
            assert actors == [
                (a.unit.start, a.unit.end, a.unit.label, a.unit.id, mentions[a.unit.id].canonical_id or "")
                for a in layout.mentions
            ]
            for group in ("actors", "events"):
                for span in doc.spans[group]:
                    assert span.text == gold.article.text[span.start_char : span.end_char]
            events = [(s.text, s.label_, s.id_) for s in doc.spans["events"]]
            assert events == [(a.unit.text, a.unit.label, a.unit.id) for a in layout.triggers]
            assert [e["id"] for e in doc.user_data["events"]] == [e.id for e in gold.events]
    assert sorted(seen) == sorted(golds)
    train = load(out / "train.spacy")[0]
    assert [(e.text, e.label_, e.kb_id_) for e in train.ents] == [
        ("Iraqi officials", "GROUP", ""),
        ("Pompeo", "PERSON", "pompeo_mike"),
        ("Baghdad", "LOCATION", "baghdad"),
        ("Washington", "STATE", "USA"),
        ("Tehr", "STATE", ""),  # "Tehran" is split at the gold span's end: "Tehr" + "an"
        ("Green Zone", "LOCATION", "green_zone"),
    ]
    tehran = next(i for i, t in enumerate(train) if t.text == "Tehr")
    pieces = [(t.text, t.whitespace_) for t in train[tehran - 1 : tehran + 3]]
    assert pieces == [("warned", " "), ("Tehr", ""), ("an", " "), ("over", " ")]
    assert ("Iraqi", "STATE") in [(s.text, s.label_) for s in train.spans["actors"]]
    event = train.user_data["events"][0]
    assert (event["type"], event["mode"], event["date"]) == ("CONSULT", "visit", "2020-10-05")
    assert [dict(a) for a in event["arguments"]] == [
        {"role": "actor", "mention": "m3"},
        {"role": "recipient", "mention": "m1"},
        {"role": "location", "mention": "m4"},
    ]
    assert not {"actors", "recipients", "locations"} & set(event)


@settings(max_examples=200, deadline=None)
@given(word_texts())
def test_words_and_spaces_rebuild_the_text(text: str) -> None:
    words, spaces = words_and_spaces(text, tokenize(text))
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True)) == text


@settings(max_examples=100, deadline=None)
@given(word_gold_documents())
def test_every_exported_span_maps_back_to_the_gold_text(gold: GoldDocument) -> None:
    doc = make_doc(NLP.vocab, layout_document(gold))
    text = gold.article.text
    assert doc.text == text
    spans = {(m.start, m.end, m.type) for m in gold.mentions if m.start is not None}
    triggers = {(e.trigger.start, e.trigger.end, e.type) for e in gold.events if e.trigger}
    for span in [*doc.ents, *doc.spans["actors"]]:
        assert (span.start_char, span.end_char, span.label_) in spans
        assert span.text == text[span.start_char : span.end_char]
    for span in doc.spans["events"]:
        assert (span.start_char, span.end_char, span.label_) in triggers


def test_spacy_train_runs_on_the_export(tmp_path: Path) -> None:
    out = tmp_path / "spacy"
    export_gold(fixture_gold(tmp_path), "spacy", out)
    config = tmp_path / "config.cfg"
    init = [sys.executable, "-m", "spacy", "init", "config", str(config), "--lang", "en", "--pipeline", "ner"]
    subprocess.run(init, check=True, capture_output=True, text=True)
    train = [
        sys.executable, "-m", "spacy", "train", str(config), "--output", str(tmp_path / "model"),
        "--paths.train", str(out / "test.spacy"), "--paths.dev", str(out / "dev.spacy"),
        "--training.max_steps", "2", "--training.eval_frequency", "1",
    ]  # fmt: skip
    proc = subprocess.run(train, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    nlp = spacy.load(tmp_path / "model" / "model-last")
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "ARMED_GROUP", "LOCATION", "STATE", "GROUP"}


def test_without_spacy_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = fixture_gold(tmp_path)
    monkeypatch.setitem(sys.modules, "spacy", None)
    with pytest.raises(ConfigError, match=r"pip install 'spacy>=3\.7,<4'"):
        export_gold(gold, "spacy", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert main(["export", str(gold), "--format", "spacy", "-o", str(tmp_path / "out")]) == 2
    assert "pip install 'spacy>=3.7,<4'" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["gold"]  # no temporary folder left behind
