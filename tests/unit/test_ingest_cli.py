"""`eventgold ingest`: exit codes, messages for bad input, --skip-bad, atomic output, --json."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"
GOOD = "000_87d7f54058e42e0b.txt"


def _empty(folder: Path) -> Path:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path


def _binary(folder: Path) -> Path:
    path = folder / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return path


def _huge(folder: Path) -> Path:
    path = folder / "huge.txt"
    with path.open("wb") as fh:
        for _ in range(50):
            fh.write(b"news " * 200_000)
    return path


def _csv_without_column(folder: Path) -> Path:
    path = folder / "export.csv"
    path.write_text("id,body\n1,Some article text.\n", encoding="utf-8")
    return path


def _bad_json(folder: Path) -> Path:
    path = folder / "export.jsonl"
    path.write_text('{"text": "A good line about Baghdad."}\n\n{"text": "unterminated}\n', encoding="utf-8")
    return path


def _scripts_only(folder: Path) -> Path:
    path = folder / "page.html"
    path.write_text("<html><head><script>var x = 1;</script></head><body><script>go()</script></body></html>")
    return path


def _undecodable(folder: Path) -> Path:
    path = folder / "mixed.txt"
    path.write_bytes("Caf\u00e9 line one\nline two\n".encode() + b"line \xff three\n")
    return path


CASES: list[tuple[str, Callable[[Path], Path], str, str]] = [
    ("empty", _empty, "empty.txt: empty file", "empty file (0 bytes)"),
    ("binary", _binary, "image.txt: binary file (a PNG image)", "binary file"),
    ("50MB", _huge, "huge.txt: file is 50.0 MB, over the 10 MB limit", "over the 10 MB limit"),
    ("csv-column", _csv_without_column, "export.csv: no column 'content' (named by --text-col)", "no column"),
    ("json-line", _bad_json, "export.jsonl:3: invalid JSON", "invalid JSON"),
    ("html-scripts", _scripts_only, "page.html: no article text found in the HTML", "no article text"),
    ("undecodable", _undecodable, "mixed.txt:3: undecodable bytes: byte 0xff", "undecodable bytes"),
]


@pytest.mark.parametrize(("make", "message", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_naming_the_file_and_keeps_the_earlier_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], message: str, reason: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / GOOD, folder / GOOD)
    make(folder)
    out = tmp_path / "out" / "corpus.jsonl"
    out.parent.mkdir()
    out.write_text("EARLIER OUTPUT\n", encoding="utf-8")
    extra = ["--text-col", "content"] if "csv" in message else []
    assert main(["ingest", str(folder), "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "--skip-bad" in err
    assert "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "EARLIER OUTPUT\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["corpus.jsonl"]


@pytest.mark.parametrize(("make", "reason"), [(c[1], c[3]) for c in CASES], ids=[c[0] for c in CASES])
def test_skip_bad_exits_0_and_lists_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], reason: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEEDS / GOOD, folder / GOOD)
    bad = make(folder)
    out = tmp_path / "corpus.jsonl"
    summary_path = tmp_path / "summary.json"
    extra = ["--text-col", "content"] if bad.suffix == ".csv" else []
    args = ["ingest", str(folder), "-o", str(out), "--skip-bad", "--json", str(summary_path), *extra]
    assert main(args) == 0
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    assert summary["schema_version"]
    assert any(reason in s["reason"] and s["path"].endswith(bad.name) for s in summary["skipped"])
    if reason == "no column":  # the library's reason names ColumnMap.text; the CLI's, its flag
        assert any("no column 'content' (named by --text-col)" in s["reason"] for s in summary["skipped"])
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert "000_87d7f54058e42e0b" in ids
    printed = " ".join(capsys.readouterr().out.split())
    assert "skipped (bad input)" in printed and "where" in printed and "reason" in printed


def test_ingest_seeds_prints_the_summary_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(SEEDS), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    for row in ("files read", "articles written", "exact duplicates merged", "near duplicates marked", "skipped"):
        assert row in printed
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5


def test_json_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(SEEDS), "-o", str(tmp_path / "c.jsonl"), "--json", "-"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["schema_version"] and payload["articles_written"] == 5 and payload["files_read"] == 5


def test_max_size_and_rules_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.jsonl"
    assert main(["ingest", str(SEEDS / GOOD), "-o", str(out), "--max-size", "0.001"]) == 2
    assert "over the 0.001 MB limit" in capsys.readouterr().err
    rules = tmp_path / "rules.yaml"
    rules.write_text("drop_patterns:\n  - 'It should be noted that .*'\n", encoding="utf-8")
    assert main(["ingest", str(SEEDS / GOOD), "-o", str(out), "--rules", str(rules)]) == 0
    assert "It should be noted" not in json.loads(out.read_text(encoding="utf-8"))["text"]


def test_missing_path_and_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(tmp_path / "nope"), "-o", str(tmp_path / "c.jsonl")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("x")
    assert main(["ingest", str(tmp_path / "empty"), "-o", str(tmp_path / "c.jsonl")]) == 2
    assert "no .txt, .html, .jsonl or .csv files found (1 other file(s) ignored)" in capsys.readouterr().err


def test_new_output_inside_the_input_folder_is_written_then_refused_as_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    shutil.copytree(SEEDS, folder)
    out = folder / "corpus.jsonl"
    assert main(["ingest", str(folder), "-o", str(out)]) == 0
    first = out.read_bytes()
    capsys.readouterr()
    # a second run would read the corpus as input: refused, not silently skipped
    assert main(["ingest", str(folder), "-o", str(out)]) == 2
    assert out.read_bytes() == first
    assert "is one of the inputs" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["-o", "--json"])
@pytest.mark.parametrize("only_file", [False, True])
def test_output_that_is_a_file_in_an_input_folder_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, option: str, only_file: bool
) -> None:
    folder = tmp_path / "in"
    if only_file:  # the folder holds only the output: not "no files found"
        folder.mkdir()
        shutil.copy(SEEDS / GOOD, folder / GOOD)
    else:
        shutil.copytree(SEEDS, folder)
    target = folder / GOOD
    before = target.read_bytes()
    monkeypatch.setattr(
        "eventgold.ingest.pipeline.read_source", lambda *a, **k: pytest.fail("read an input before refusing")
    )
    args = ["-o", str(target)] if option == "-o" else ["-o", str(tmp_path / "c.jsonl"), "--json", str(target)]
    assert main(["ingest", str(folder), *args]) == 2
    err = capsys.readouterr().err
    assert f"{target} is one of the inputs (a file in the input folder {folder})" in err
    assert len(err.strip().splitlines()) == 1
    assert target.read_bytes() == before
    assert not (tmp_path / "c.jsonl").exists()
