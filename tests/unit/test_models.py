"""Records: invariants with the messages users see, JSON round trips, JSONL streaming."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from eventgold.errors import InputError, RecordError
from eventgold.jsonl import parse_record, read_jsonl, write_jsonl
from eventgold.models import (
    Article,
    DocumentAnnotation,
    GoldDocument,
    Mention,
    check_annotation,
    sha256_text,
)

from .strategies import ONTOLOGY, annotations, articles, gold_documents

TEXT = "Al-Kazemi met Ghaani in Baghdad."


def _gold(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "article": {"id": "d1", "text": TEXT},
        "mentions": [
            {"id": "m1", "type": "PERSON", "start": 0, "end": 9, "text": "Al-Kazemi"},
            {"id": "m2", "type": "PERSON", "start": 14, "end": 20, "text": "Ghaani"},
        ],
        "events": [
            {
                "id": "e1",
                "type": "CONSULT",
                "trigger": {"start": 10, "end": 13, "text": "met"},
                "mode": "visit",
                "arguments": [{"role": "actor", "mention": "m2"}, {"role": "recipient", "mention": "m1"}],
            }
        ],
    }
    base.update(over)
    return base


def _ann(**over: Any) -> dict[str, Any]:
    gold = _gold()
    base = {
        "doc_id": "d1",
        "origin": {"kind": "annotator", "name": "a@x.org"},
        "mentions": gold["mentions"],
        "events": gold["events"],
    }
    base.update(over)
    return base


def test_valid_gold_document_loads() -> None:
    doc = GoldDocument.model_validate(_gold())
    assert doc.doc_id == "d1"
    assert doc.article.content_sha == sha256_text(TEXT)


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            _gold(mentions=[{"id": "m1", "type": "PERSON", "start": 0, "end": 9, "text": "Al-Kazemx"}], events=[]),
            "text",
            "text[0:9] is 'Al-Kazemi'",
        ),
        (
            _gold(mentions=[{"id": "m1", "type": "PERSON", "start": 30, "end": 40, "text": "x" * 10}], events=[]),
            "start",
            "run past the end of the text",
        ),
        (
            _gold(mentions=[{"id": "m1", "type": "PERSON", "start": 0, "end": 9, "text": "Al-Kazemi"}] * 2, events=[]),
            "id",
            "not unique",
        ),
        (
            _gold(events=[{"id": "e1", "type": "CONSULT", "arguments": [{"role": "actor", "mention": "m9"}]}]),
            "arguments",
            "argument 'actor' refers to a mention that is not in the document",
        ),
        (
            _gold(events=[{"id": "e1", "type": "CONSULT", "actors": ["m9"]}]),
            "arguments",
            "argument 'actor' refers to a mention that is not in the document",
        ),
        (
            _gold(events=[{"id": "e1", "type": "CONSULT", "trigger": {"start": 10, "end": 13, "text": "mex"}}]),
            "text",
            "not the stored span text",
        ),
    ],
)
def test_gold_invariants_name_document_record_and_field(payload: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(RecordError) as info:
        GoldDocument.model_validate(payload)
    err = info.value
    assert err.doc_id == "d1"
    assert err.field == field
    assert message in str(err)
    assert "document 'd1'" in str(err)


@pytest.mark.parametrize(
    ("mention", "message"),
    [
        ({"id": "m1", "type": "PERSON", "start": 5}, "start and end must be given together"),
        ({"id": "m1", "type": "PERSON", "start": 5, "end": 2}, "end (2) is before start (5)"),
        ({"id": "m1", "type": "PERSON", "start": 0, "end": 2, "text": "abc"}, "text has 3 characters"),
        ({"id": "m1", "type": "PERSON"}, "needs text or canonical_id"),
        ({"id": "m1", "type": "PERSON", "start": -1, "end": 2}, "greater than or equal to 0"),
    ],
)
def test_mention_shape_errors(mention: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_record(Mention, mention)


def test_offsetless_mention_is_allowed() -> None:
    m = parse_record(Mention, {"id": "m1", "type": "STATE", "canonical_id": "USA"})
    assert not m.has_span


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        (
            _ann(mentions=[{"id": "m1", "type": "HERO", "start": 0, "end": 9, "text": "Al-Kazemi"}], events=[]),
            "type",
            "unknown actor type",
        ),
        (_ann(events=[{"id": "e1", "type": "MEET"}], mentions=[]), "type", "unknown event type"),
        (
            _ann(events=[{"id": "e1", "type": "CONSULT", "mode": "withdraw"}], mentions=[]),
            "mode",
            "mode does not belong to CONSULT; allowed: visit, third-party, multilateral, phone",
        ),
        (_ann(events=[{"id": "e1", "type": "AGREE", "mode": "visit"}], mentions=[]), "mode", "allowed: none"),
        (
            _ann(events=[{"id": "e1", "type": "CONSULT", "contexts": ["sports"]}], mentions=[]),
            "contexts",
            "unknown context",
        ),
        (
            _ann(mentions=[{"id": "m1", "type": "PERSON", "canonical_id": "x", "sector": "XXX"}], events=[]),
            "sector",
            "unknown sector",
        ),
        (_ann(relevance="maybe"), "relevance", "unknown relevance"),
    ],
)
def test_ontology_invariants(payload: dict[str, Any], field: str, message: str) -> None:
    ann = parse_record(DocumentAnnotation, payload)
    with pytest.raises(RecordError) as info:
        check_annotation(ann, ONTOLOGY)
    assert info.value.field == field
    assert message in str(info.value)


def test_withdraw_mode_serves_two_types() -> None:
    for etype in ("RETREAT", "SANCTION"):
        ann = parse_record(
            DocumentAnnotation, _ann(mentions=[], events=[{"id": "e", "type": etype, "mode": "withdraw"}])
        )
        check_annotation(ann, ONTOLOGY)


def test_annotation_against_its_article() -> None:
    ann = parse_record(DocumentAnnotation, _ann())
    check_annotation(ann, ONTOLOGY, Article(id="d1", text=TEXT))
    with pytest.raises(RecordError, match="not the stored span text"):
        check_annotation(ann, ONTOLOGY, Article(id="d1", text="x" * len(TEXT)))
    with pytest.raises(RecordError, match="is for document 'd1', not 'd2'"):
        check_annotation(ann, ONTOLOGY, Article(id="d2", text=TEXT))


def test_content_sha_mismatch_is_reported() -> None:
    with pytest.raises(RecordError, match="content_sha is not the sha256 of text"):
        Article(id="a", text="abc", content_sha="0" * 64)


def test_flags_must_be_the_ontologys_flags() -> None:
    ann = parse_record(
        DocumentAnnotation, _ann(events=[{"id": "e", "type": "AGREE", "flags": ["rumour"]}], mentions=[])
    )
    with pytest.raises(RecordError) as info:
        check_annotation(ann, ONTOLOGY)
    assert info.value.field == "flags" and info.value.value == "rumour"
    assert "flag not in the ontology; allowed: historical, future, hypothetical, negation" in str(info.value)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ([{"role": "target", "mention": "m1"}], "unknown role 'target'; allowed: actor, recipient, location"),
        ([{"role": "", "mention": "m1"}], "at least 1 character"),
    ],
)
def test_argument_roles_come_from_the_ontology(arguments: list[dict[str, str]], message: str) -> None:
    payload = _ann(events=[{"id": "e1", "type": "CONSULT", "arguments": arguments}])
    with pytest.raises(RecordError) as info:
        check_annotation(parse_record(DocumentAnnotation, payload), ONTOLOGY)
    assert message in str(info.value)


def test_event_role_helpers_keep_the_stored_order() -> None:
    ann = parse_record(DocumentAnnotation, _ann())
    event = ann.events[0]
    assert list(event.role_ids()) == [("actor", "m2"), ("recipient", "m1")]
    assert event.mentions_in(["recipient", "actor"]) == ["m2", "m1"]
    assert event.mentions_in(["location"]) == []
    assert "actors" not in json.loads(ann.model_dump_json())["events"][0]


@settings(max_examples=60, deadline=None)
@given(articles())
def test_article_json_round_trip(article: Article) -> None:
    assert Article.model_validate_json(article.model_dump_json()) == article


@settings(max_examples=60, deadline=None)
@given(annotations())
def test_annotation_json_round_trip(pair: tuple[Article, DocumentAnnotation]) -> None:
    article, ann = pair
    again = DocumentAnnotation.model_validate_json(ann.model_dump_json())
    assert again == ann
    check_annotation(again, ONTOLOGY, article)


@settings(max_examples=60, deadline=None)
@given(gold_documents())
def test_gold_json_round_trip(doc: GoldDocument) -> None:
    assert GoldDocument.model_validate_json(doc.model_dump_json()) == doc


def test_jsonl_round_trip_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    docs = [
        GoldDocument.model_validate(_gold()),
        GoldDocument.model_validate(_gold(article={"id": "d2", "text": TEXT})),
    ]
    assert write_jsonl(path, docs) == 2
    assert list(read_jsonl(path, GoldDocument)) == docs
    bad = _gold(article={"id": "d3", "text": TEXT})
    bad["mentions"][0]["text"] = "wrong-txt"
    path.write_text(path.read_text() + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(RecordError) as info:
        list(read_jsonl(path, GoldDocument))
    assert info.value.line == 4 and info.value.file == str(path)
    assert f"{path}:4" in str(info.value) and "document 'd3'" in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "text": "x"}\n{not json}\n', r":2: invalid JSON at column 2"),
        ('{"id": "a", "text": "x", "colour": 1}\n', r":1, .*field 'colour': unknown field"),
        ('{"id": "a"}\n', r":1, .*field 'text': required field is missing"),
        (b'{"id": "a", "text": "\xff"}\n', r"not UTF-8"),
    ],
)
def test_jsonl_errors(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "corpus.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(RecordError, match=message):
        list(read_jsonl(path, Article))


def test_jsonl_one_record_per_id(tmp_path: Path) -> None:
    from eventgold.records_io import DuplicateIdError, RepeatedRecordWarning

    path = tmp_path / "gold.jsonl"
    first = GoldDocument.model_validate(_gold())
    other = GoldDocument.model_validate(_gold(split="dev"))
    write_jsonl(path, [first, first])
    with pytest.warns(RepeatedRecordWarning, match=r"line 2 repeats line 1 exactly \(gold document 'd1'\)"):
        assert list(read_jsonl(path, GoldDocument)) == [first]
    write_jsonl(path, [first, other])
    with pytest.raises(DuplicateIdError, match=r"gold\.jsonl: lines 1 and 2 hold two different gold documents"):
        list(read_jsonl(path, GoldDocument))
    assert list(read_jsonl(path, GoldDocument, one_per_id=False)) == [first, other]


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        list(read_jsonl(tmp_path / "nope.jsonl", Article))


def test_failed_write_keeps_earlier_output(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    write_jsonl(path, [Article(id="a", text="x")])
    before = path.read_bytes()

    def boom() -> Any:
        yield Article(id="b", text="y")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_jsonl(path, boom())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
