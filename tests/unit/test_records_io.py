"""One record per id: corpora, predictions and gold, through every reader the verbs use."""

from __future__ import annotations

import json
import shutil
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from eventgold.cli import main
from eventgold.extractors.suggest import suggest
from eventgold.gold.dataset import read_gold_version
from eventgold.jsonl import dump_record, read_jsonl, write_jsonl
from eventgold.labelstudio.review import read_articles as review_read_articles
from eventgold.models import Article, DocumentAnnotation, GoldDocument, Mention, Origin, Span
from eventgold.readers import read_predictions
from eventgold.records_io import (
    ONE_PER_DOCUMENT,
    DuplicateIdError,
    RepeatedRecordWarning,
    load_corpus,
    read_annotations,
    read_articles,
    read_gold_documents,
    read_records,
)
from eventgold.resources import packaged_samples
from eventgold.scoring.inputs import load_gold
from eventgold.scoring.inputs import load_predictions as score_load_predictions

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "samples" / "fixture"
SAMPLE_GOLD = packaged_samples() / "gold" / "v1"
TEXT = "Pompeo met Al-Kazemi in Baghdad."

# ---------------------------------------------------------------------------
# the table: for each kind of file, three records (the third shares the first's id) and its readers
# ---------------------------------------------------------------------------


def _article(doc_id: str, text: str = TEXT) -> Article:
    return Article(id=doc_id, text=text)


def _prediction(doc_id: str, name: str = "rules", end: int = 6) -> DocumentAnnotation:
    return DocumentAnnotation(
        doc_id=doc_id,
        origin=Origin(kind="extractor", name=name, version="1"),
        mentions=[Mention(id="m1", type="PERSON", start=0, end=end, text=TEXT[:end])],
    )


def _gold(doc_id: str, split: str = "test") -> GoldDocument:
    return GoldDocument.model_validate({"article": {"id": doc_id, "text": TEXT}, "split": split})


Reader = Callable[[Path], Sequence[BaseModel]]


@dataclass(frozen=True)
class Kind:
    """A kind of file: its name, its first two records, a record with the first's id but other content."""

    name: str
    file: str
    records: tuple[BaseModel, BaseModel]
    other_with_first_id: BaseModel
    first_id: str


KINDS = {
    "corpus": Kind("corpus", "corpus.jsonl", (_article("a"), _article("b")), _article("a", "Another text."), "a"),
    "predictions": Kind(
        "predictions", "rules.jsonl", (_prediction("a"), _prediction("b")), _prediction("a", end=10), "a"
    ),
    "gold": Kind("gold", "gold.jsonl", (_gold("a"), _gold("b")), _gold("a", split="dev"), "a"),
}


def _gold_version(path: Path) -> list[GoldDocument]:
    shutil.copy(SAMPLE_GOLD / "manifest.json", path.parent / "manifest.json")
    return read_gold_version(path.parent).documents


def _push_predictions(path: Path) -> list[DocumentAnnotation]:
    from eventgold.commands.labelstudio import load_predictions

    return [a for group in load_predictions([path], {}).values() for a in group]


READERS: dict[str, dict[str, Reader]] = {
    "corpus": {
        "read_articles": lambda p: list(read_articles(p)),
        "load_corpus": lambda p: list(load_corpus(p).values()),
        "models.read_jsonl": lambda p: list(read_jsonl(p, Article)),
        "review.read_articles": lambda p: list(review_read_articles(p).values()),
    },
    "predictions": {
        "read_annotations": lambda p: list(read_annotations(p)),
        "read_predictions": lambda p: list(read_predictions(p)),
        "read_predictions(folder)": lambda p: list(read_predictions(p.parent)),
        "score.load_predictions": lambda p: score_load_predictions(p).annotations,
        "push.load_predictions": _push_predictions,
    },
    "gold": {
        "read_gold_documents": lambda p: list(read_gold_documents(p)),
        "score.load_gold": lambda p: load_gold(p),
        "read_gold_version": _gold_version,
    },
}
CASES = [pytest.param(kind, name, id=f"{kind}-{name}") for kind, readers in READERS.items() for name in readers]


def _write_lines(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize(("kind", "reader"), CASES)
def test_two_different_records_with_one_id_are_refused(tmp_path: Path, kind: str, reader: str) -> None:
    k = KINDS[kind]
    path = _write_lines(tmp_path / "in" / k.file, [dump_record(r) for r in (*k.records, k.other_with_first_id)])
    with pytest.raises(DuplicateIdError) as info:
        READERS[kind][reader](path)
    message = str(info.value)
    assert str(path) in message
    assert "lines 1 and 3" in message
    assert f"'{k.first_id}'" in message
    assert "remove" in message
    assert info.value.first == (str(path), 1) and info.value.second == (str(path), 3)


@pytest.mark.parametrize(("kind", "reader"), CASES)
def test_an_exact_repeat_is_read_once_with_a_warning(tmp_path: Path, kind: str, reader: str) -> None:
    k = KINDS[kind]
    first = dump_record(k.records[0])
    # the same JSON content, written differently: still the same record
    again = json.dumps(json.loads(first), sort_keys=True, indent=None, separators=(", ", ": "))
    path = _write_lines(tmp_path / "in" / k.file, [first, dump_record(k.records[1]), again])
    with pytest.warns(RepeatedRecordWarning, match=r"line 3 repeats line 1 exactly") as caught:
        got = READERS[kind][reader](path)
    assert len([w for w in caught if issubclass(w.category, RepeatedRecordWarning)]) == 1
    assert [dump_record(r) for r in got] == [dump_record(r) for r in k.records]


def test_key_order_inside_a_record_does_not_make_it_different(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": TEXT, "meta": {"dateline": "BAGHDAD", "page": 2}}),
        json.dumps({"meta": {"page": 2, "dateline": "BAGHDAD"}, "text": TEXT, "id": "a"}),
    ]
    path = _write_lines(tmp_path / "corpus.jsonl", lines)
    with pytest.warns(RepeatedRecordWarning, match="line 2 repeats line 1"):
        assert len(load_corpus(path)) == 1


@pytest.mark.parametrize("kind", list(KINDS))
def test_distinct_ids_read_without_warning(tmp_path: Path, kind: str) -> None:
    k = KINDS[kind]
    path = _write_lines(tmp_path / k.file, [dump_record(r) for r in k.records])
    with warnings.catch_warnings():
        warnings.simplefilter("error", RepeatedRecordWarning)
        model = type(k.records[0])
        assert list(read_records(path, model)) == list(k.records)


# ---------------------------------------------------------------------------
# predictions: the id is the document and the origin (one document per extractor file)
# ---------------------------------------------------------------------------


def test_annotations_of_one_document_by_two_origins_are_two_records(tmp_path: Path) -> None:
    path = tmp_path / "annotations.jsonl"
    write_jsonl(path, [_prediction("a", name="rules"), _prediction("a", name="gazetteer")])
    assert len(list(read_annotations(path))) == 2
    assert len(list(read_predictions(path))) == 2


def test_one_extractor_file_holds_one_annotation_per_document(tmp_path: Path) -> None:
    path = tmp_path / "rules.jsonl"
    write_jsonl(path, [_prediction("a", name="rules"), _prediction("b"), _prediction("a", name="gazetteer")])
    with pytest.raises(DuplicateIdError, match=r"lines 1 and 3 hold two different annotations of document 'a';"):
        score_load_predictions(path)
    with pytest.raises(DuplicateIdError, match=r"lines 1 and 3"):
        list(read_predictions(path, one_per=ONE_PER_DOCUMENT))


def test_conflict_across_files_of_a_folder_names_both(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", [_prediction("a")])
    write_jsonl(tmp_path / "b.jsonl", [_prediction("b"), _prediction("a", end=10)])
    with pytest.raises(DuplicateIdError) as info:
        list(read_predictions(tmp_path))
    message = str(info.value)
    assert f"{tmp_path / 'a.jsonl'}:1 and {tmp_path / 'b.jsonl'}:2" in message
    assert "annotations of document 'a' by extractor 'rules' 1" in message


def test_push_reads_several_prediction_files_as_one_set(tmp_path: Path) -> None:
    from eventgold.commands.labelstudio import load_predictions

    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    write_jsonl(one, [_prediction("a")])
    write_jsonl(two, [_prediction("a")])
    with pytest.warns(RepeatedRecordWarning, match=rf"{two}:1 repeats {one}:1 exactly"):
        grouped = load_predictions([one, two], {"a": _article("a")})
    assert len(grouped["a"]) == 1
    write_jsonl(two, [_prediction("a", end=10)])
    with pytest.raises(DuplicateIdError, match=rf"{one}:1 and {two}:1"):
        load_predictions([one, two], {"a": _article("a")})


def test_label_studio_tasks_with_one_document_twice(tmp_path: Path) -> None:
    def task(task_id: int, end: int) -> dict[str, Any]:
        region = {
            "id": "r1",
            "from_name": "actor",
            "to_name": "text",
            "type": "labels",
            "value": {"start": 0, "end": end, "text": TEXT[:end], "labels": ["PERSON"]},
        }
        return {
            "id": task_id,
            "data": {"doc_id": "a", "text": TEXT},
            "predictions": [{"model_version": "rules@1", "result": [region]}],
        }

    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task(1, 6), task(2, 10)]), encoding="utf-8")
    with pytest.raises(DuplicateIdError) as info:
        list(read_predictions(path))
    assert "(task #1) and" in str(info.value) and "(task #2)" in str(info.value)


# ---------------------------------------------------------------------------
# other readers, and records without an id
# ---------------------------------------------------------------------------


def test_suggest_reads_the_corpus_one_article_per_id(tmp_path: Path) -> None:
    corpus = _write_lines(tmp_path / "corpus.jsonl", [dump_record(_article("a")), dump_record(_article("a", "x"))])
    pred = tmp_path / "rules.jsonl"
    write_jsonl(pred, [_prediction("a")])
    with pytest.raises(DuplicateIdError, match="lines 1 and 2"):
        suggest(corpus, [pred])


def test_push_refuses_a_corpus_with_an_id_twice_before_contacting_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventgold.commands import labelstudio as ls_commands

    def no_server(*_args: Any) -> Any:
        raise AssertionError("the server must not be contacted")

    monkeypatch.setattr(ls_commands, "open_client", no_server)
    corpus = _write_lines(tmp_path / "corpus.jsonl", [dump_record(_article("a")), dump_record(_article("a", "x"))])
    with pytest.raises(DuplicateIdError, match="lines 1 and 2"):
        ls_commands.run_push(
            corpus, [], "p", overlap=None, replace_unannotated=False, only_ids=None, url=None, api_key=None
        )


def test_records_without_an_id_are_streamed_as_they_are(tmp_path: Path) -> None:
    span = Span(start=0, end=6, text="Pompeo")
    path = tmp_path / "spans.jsonl"
    write_jsonl(path, [span, span])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(read_records(path, Span)) == [span, span]


def test_read_jsonl_can_read_every_line(tmp_path: Path) -> None:
    path = _write_lines(tmp_path / "corpus.jsonl", [dump_record(_article("a")), dump_record(_article("a", "x"))])
    assert [a.text for a in read_jsonl(path, Article, one_per_id=False)] == [TEXT, "x"]


# ---------------------------------------------------------------------------
# the CLI: exit 2, one line naming both lines, no traceback, earlier outputs untouched
# ---------------------------------------------------------------------------


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("error:")
    return lines[0]


def test_extract_refuses_a_corpus_with_an_id_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _write_lines(
        tmp_path / "corpus.jsonl",
        [dump_record(_article("a")), dump_record(_article("b")), dump_record(_article("a", "Another text."))],
    )
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"earlier output\n")
    summary = tmp_path / "summary.json"
    summary.write_bytes(b"{}\n")
    assert main(["extract", str(corpus), "-e", "gazetteer", "-o", str(out), "--json", str(summary)]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert str(corpus) in line and "lines 1 and 3" in line and "'a'" in line
    assert out.read_bytes() == b"earlier output\n"
    assert summary.read_bytes() == b"{}\n"


def test_extract_reads_an_exact_repeat_once_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _write_lines(
        tmp_path / "corpus.jsonl",
        [dump_record(_article("a")), dump_record(_article("b")), dump_record(_article("a"))],
    )
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(corpus), "-e", "gazetteer", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "line 3 repeats line 1 exactly" in err
    assert [a.doc_id for a in read_jsonl(out, DocumentAnnotation)] == ["a", "b"]


def _fixture_with_duplicate(tmp_path: Path, name: str, change: Callable[[dict[str, Any]], None]) -> Path:
    lines = (FIXTURE / name).read_text(encoding="utf-8").splitlines()
    raw = json.loads(lines[0])
    change(raw)
    return _write_lines(tmp_path / name, [*lines, json.dumps(raw)])


def _score(gold: Path, pred: Path, report: Path) -> int:
    return main(["score", "--gold", str(gold), "--pred", str(pred), "--bootstrap", "0", "--json", str(report)])


def test_score_refuses_gold_with_an_id_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _fixture_with_duplicate(tmp_path, "gold.jsonl", lambda raw: raw.update(split="dev"))
    report = tmp_path / "report.json"
    report.write_bytes(b"earlier report\n")
    assert _score(gold, FIXTURE / "pred_tagger.jsonl", report) == 2
    line = _one_error_line(capsys.readouterr().err)
    n = len(gold.read_text(encoding="utf-8").splitlines())
    assert str(gold) in line and f"lines 1 and {n}" in line and "000_87d7f54058e42e0b" in line
    assert report.read_bytes() == b"earlier report\n"


def test_score_refuses_predictions_with_a_document_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pred = _fixture_with_duplicate(tmp_path, "pred_tagger.jsonl", lambda raw: raw.update(mentions=[], events=[]))
    report = tmp_path / "report.json"
    report.write_bytes(b"earlier report\n")
    assert _score(FIXTURE / "gold.jsonl", pred, report) == 2
    line = _one_error_line(capsys.readouterr().err)
    n = len(pred.read_text(encoding="utf-8").splitlines())
    assert str(pred) in line and f"lines 1 and {n}" in line and "000_87d7f54058e42e0b" in line
    assert report.read_bytes() == b"earlier report\n"


def test_score_reads_an_exact_repeat_once_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = _fixture_with_duplicate(tmp_path, "gold.jsonl", lambda raw: None)
    pred = _fixture_with_duplicate(tmp_path, "pred_tagger.jsonl", lambda raw: None)
    report = tmp_path / "report.json"
    assert _score(gold, pred, report) == 0
    err = capsys.readouterr().err
    assert "gold.jsonl: line 4 repeats line 1 exactly" in err
    assert "pred_tagger.jsonl: line 3 repeats line 1 exactly" in err
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["extractors"][0]["docs_scored"] == 3


def test_push_cli_refuses_a_corpus_with_an_id_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _write_lines(tmp_path / "corpus.jsonl", [dump_record(_article("a")), dump_record(_article("a", "x"))])
    assert main(["push", str(corpus), "--url", "http://127.0.0.1:9"]) == 2
    line = _one_error_line(capsys.readouterr().err)
    assert "lines 1 and 2" in line and "remove or rename one of them" in line
