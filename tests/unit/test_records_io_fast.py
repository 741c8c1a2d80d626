"""The one-pass JSONL path (``read_line``) against the slow path it stands in for, and ``OneRecordPerId(keep=True)``.

Every line is read twice: by :func:`eventgold.jsonl.read_line` (pydantic-core
validating the whole line) and by the path every reader took before
(:func:`iter_json_lines` then :func:`parse_record`). Both must give an equal
record, or the same error with the same file, line, document, record and field.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from eventgold.errors import RecordError
from eventgold.jsonl import iter_json_lines, iter_lines, parse_record, read_jsonl, read_line
from eventgold.memory import paused_gc
from eventgold.models import Article, DocumentAnnotation, GoldDocument, Mention, Origin
from eventgold.records_io import ANNOTATIONS, GOLD, DuplicateIdError, OneRecordPerId, RepeatedRecordWarning

TEXT = "Pompeo met Al-Kazemi in Baghdad."
ANN = '{"doc_id":"d1","origin":{"kind":"extractor","name":"x"},%s}'
GOLD_LINE = '{"article":{"id":"d1","text":"%s"%s},"mentions":[%s]}'
M1 = '{"id":"m1","type":"PERSON","start":0,"end":6,"text":"Pompeo"}'

LINES: list[tuple[str, type[BaseModel], str]] = [
    ("plain", DocumentAnnotation, ANN % f'"mentions":[{M1}]'),
    ("crlf-and-blanks", DocumentAnnotation, " \t" + ANN % f'"mentions":[{M1}]' + "\r\n"),
    ("nan", DocumentAnnotation, ANN % '"lead_time":NaN'),
    ("infinity", DocumentAnnotation, ANN % '"lead_time":-Infinity'),
    ("infinity-in-text", DocumentAnnotation, ANN % '"notes":"Infinity and NaN"'),
    ("huge-float", DocumentAnnotation, ANN % '"lead_time":1e400'),
    ("lone-surrogate", DocumentAnnotation, ANN % '"notes":"\\ud800"'),
    ("bom", DocumentAnnotation, "\ufeff" + ANN % '"notes":"x"'),
    ("trailing-data", DocumentAnnotation, ANN % '"notes":"x"' + " {}"),
    ("control-character", DocumentAnnotation, ANN % '"notes":"a\x01b"'),
    ("not-json", DocumentAnnotation, "{nope"),
    ("a-list", DocumentAnnotation, "[1, 2]"),
    ("a-string", DocumentAnnotation, '"d1"'),
    ("duplicate-key", DocumentAnnotation, '{"doc_id":"d0","doc_id":"d1","origin":{"kind":"extractor","name":"x"}}'),
    ("lax-types", DocumentAnnotation, ANN % '"lead_time":"1.5","ground_truth":"yes","labelstudio":{"task":"5"}'),
    ("datetime", DocumentAnnotation, ANN % '"created":"2024-05-01T10:00:00Z"'),
    ("bad-datetime", DocumentAnnotation, ANN % '"created":"yesterday"'),
    ("unknown-field", DocumentAnnotation, ANN % '"colour":"red"'),
    ("missing-origin", DocumentAnnotation, '{"doc_id":"d1"}'),
    ("empty-id", DocumentAnnotation, '{"doc_id":"","origin":{"kind":"extractor","name":"x"}}'),
    ("bad-kind", DocumentAnnotation, '{"doc_id":"d1","origin":{"kind":"robot","name":"x"}}'),
    ("legacy-event", DocumentAnnotation, ANN % f'"mentions":[{M1}],"events":[{{"id":"e","type":"X","actors":["m1"]}}]'),
    ("legacy-bad", DocumentAnnotation, ANN % '"events":[{"id":"e1","type":"X","recipients":[1]}]'),
    ("end-before-start", DocumentAnnotation, ANN % '"mentions":[{"id":"m1","type":"P","start":5,"end":1,"text":""}]'),
    ("start-alone", DocumentAnnotation, ANN % '"mentions":[{"id":"m1","type":"P","start":5,"text":"x"}]'),
    ("no-anchor", DocumentAnnotation, ANN % '"mentions":[{"id":"m1","type":"P"}]'),
    (
        "float-offsets",
        DocumentAnnotation,
        ANN % ('"mentions":[{"id":"m1","type":"P","start":0.0,"end":6e0,"text":"Pompeo"}]'),
    ),
    ("id-twice", DocumentAnnotation, ANN % f'"mentions":[{M1},{M1}]'),
    (
        "trigger-length",
        DocumentAnnotation,
        ANN % ('"events":[{"id":"e","type":"X","trigger":{"start":0,"end":2,"text":"a"}}]'),
    ),
    ("gold", GoldDocument, GOLD_LINE % (TEXT, "", M1)),
    ("gold-meta", GoldDocument, GOLD_LINE % (TEXT, ',"meta":{"b":1,"a":{"z":[1,2.5,null]},"b":3}', "")),
    ("gold-sha", GoldDocument, GOLD_LINE % (TEXT, ',"content_sha":"00"', "")),
    (
        "gold-numbers",
        GoldDocument,
        GOLD_LINE % (TEXT, ',"meta":{"a":[-0.0,-0,1.0,1e2,5e-324,1e400,18446744073709551616]}', ""),
    ),
    ("gold-slice", GoldDocument, GOLD_LINE % (TEXT, "", M1.replace("Pompeo", "Pompeu"))),
    ("gold-past-end", GoldDocument, GOLD_LINE % ("Pom", "", M1)),
    ("gold-self-duplicate", GoldDocument, GOLD_LINE % (TEXT, ',"duplicate_of":"d1"', "")),
    ("gold-bad-date", GoldDocument, GOLD_LINE % (TEXT, ',"published":"2024-13-01"', "")),
    ("gold-split", GoldDocument, GOLD_LINE.replace("]}", '],"split":"val"}') % (TEXT, "", "")),
]


def _outcome(call: Any) -> tuple[Any, ...]:
    try:
        record = call()
    except RecordError as exc:
        return ("error", str(exc), exc.file, exc.line, exc.doc_id, exc.record_id, exc.field, exc.value)
    return ("record", record, record.model_fields_set, repr(record.model_dump()))


def _slow(model: type[BaseModel], path: Path) -> Any:
    for lineno, raw in iter_json_lines(path):
        try:
            return parse_record(model, raw)
        except RecordError as exc:
            raise exc.located(file=str(path), line=lineno) from exc.__cause__
    raise AssertionError("no line")


def _fast(model: type[BaseModel], path: Path) -> Any:
    for lineno, line in iter_lines(path):
        return read_line(model, line, str(path), lineno)
    raise AssertionError("no line")


@pytest.mark.parametrize(("model", "line"), [pytest.param(m, line, id=name) for name, m, line in LINES])
def test_read_line_gives_what_the_slow_path_gives(tmp_path: Path, model: type[BaseModel], line: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")  # the record on line 2
    assert _outcome(lambda: _fast(model, path)) == _outcome(lambda: _slow(model, path))


@pytest.mark.parametrize("spelling", ["{tmp}/in.jsonl", "{tmp}//./in.jsonl"])
@pytest.mark.parametrize("line", ["{nope", ANN % '"colour":"red"', ANN % '"notes":"ok"'])
def test_read_jsonl_names_the_file_as_before(tmp_path: Path, spelling: str, line: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    given = spelling.format(tmp=tmp_path)

    def slow() -> Any:
        for lineno, raw in iter_json_lines(given):
            try:
                return parse_record(DocumentAnnotation, raw)
            except RecordError as exc:
                raise exc.located(file=given, line=lineno) from exc.__cause__
        raise AssertionError("no line")

    assert _outcome(lambda: next(read_jsonl(given, DocumentAnnotation, one_per_id=False))) == _outcome(slow)


def _annotation(doc_id: str, *, end: int = 6, reordered: bool = False) -> tuple[DocumentAnnotation, str]:
    record = DocumentAnnotation(
        doc_id=doc_id,
        origin=Origin(kind="extractor", name="x"),
        mentions=[Mention(id="m1", type="PERSON", start=0, end=end, text=TEXT[:end])],
    )
    data = json.loads(record.model_dump_json())
    return record, json.dumps(data, sort_keys=reordered)


@pytest.mark.parametrize("keep", [False, True], ids=["digests", "records"])
@pytest.mark.parametrize(
    "second",
    [
        pytest.param({"reordered": False}, id="identical"),
        pytest.param({"reordered": True}, id="keys-reordered"),
        pytest.param({"end": 10}, id="different"),
    ],
)
def test_keeping_records_changes_no_answer(keep: bool, second: dict[str, Any]) -> None:
    seen = OneRecordPerId(ANNOTATIONS, keep=keep)
    first, _ = _annotation("d1")
    _, text = _annotation("d1", **second)
    again = DocumentAnnotation.model_validate_json(text)
    assert seen.admit(first, ("f.jsonl", 1))
    assert seen.admit(_annotation("d2")[0], ("f.jsonl", 2))
    if "end" in second:
        with pytest.raises(DuplicateIdError, match=r"^f.jsonl: lines 1 and 3 hold two different annotations of"):
            seen.admit(again, ("f.jsonl", 3))
        return
    with pytest.warns(RepeatedRecordWarning) as caught:
        assert not seen.admit(again, ("f.jsonl", 3))
    message = (
        "f.jsonl: line 3 repeats line 1 exactly (annotation of document 'd1' by extractor 'x'); "
        "read once — delete the repeat"
    )
    assert [str(w.message) for w in caught] == [message] and seen.repeats == [message]


@pytest.mark.parametrize("keep", [False, True])
def test_records_with_defaults_spelt_out_or_left_out_are_one(keep: bool) -> None:
    seen = OneRecordPerId(GOLD, keep=keep)
    short = GoldDocument.model_validate({"article": {"id": "a", "text": TEXT}})
    long = GoldDocument.model_validate({"article": {"id": "a", "text": TEXT, "meta": {}}, "mentions": []})
    assert seen.admit(short, ("g.jsonl", 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RepeatedRecordWarning)
        assert not seen.admit(long, ("g.jsonl", 2))


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("fails", [False, True])
def test_paused_gc_restores_the_collector_as_it_was(enabled: bool, fails: bool) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with pytest.raises(ValueError) if fails else _nothing(), paused_gc():
            assert not gc.isenabled()
            if fails:
                raise ValueError("inside")
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def test_an_article_line_is_read_in_one_pass_as_before(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text(json.dumps({"id": "a1", "text": TEXT, "published": "2024-05-01"}) + "\n", encoding="utf-8")
    (fast,) = [read_line(Article, line, str(path), n) for n, line in iter_lines(path)]
    assert _outcome(lambda: fast) == _outcome(lambda: _slow(Article, path))


class _StrictDated(BaseModel):
    """A model pydantic reads differently from JSON text (dates from strings) and from decoded JSON."""

    model_config = ConfigDict(strict=True)

    day: dt.date


@pytest.mark.parametrize("one_per_id", [True, False])
def test_other_models_are_read_from_decoded_json_as_before(tmp_path: Path, one_per_id: bool) -> None:
    path = tmp_path / "days.jsonl"
    path.write_text('{"day": "2024-05-01"}\n', encoding="utf-8")
    assert _StrictDated.model_validate_json('{"day": "2024-05-01"}').day == dt.date(2024, 5, 1)  # text: a date
    with pytest.raises(RecordError, match=r"days.jsonl:1, field 'day': Input should be a valid date"):
        list(read_jsonl(path, _StrictDated, one_per_id=one_per_id))
