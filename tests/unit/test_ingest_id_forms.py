"""Ids in one Unicode form (NFC), and never holding a line break or control character.

Ids are written one per line by ``suggest -o`` and read back by ``push --only-ids``: an id that
is decomposed on one system and composed on another, or that holds a line break, would not
match. Ingest puts given and derived ids in NFC and refuses an id holding a control character
(one line, exit 2; skipped with --skip-bad).
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.ingest import IngestSummary, ingest
from eventgold.ingest.errors import BadInput
from eventgold.ingest.ids import article_id, id_problem, normalize_id

BODY = "Iraqi officials met in Baghdad on Sunday to discuss the withdrawal of foreign forces from the country."


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (nfd("Zo\u00eb-1"), "Zo\u00eb-1"),
        (nfd("caf\u00e9 article 7"), "caf\u00e9 article 7"),  # spaces inside an id are kept
        (nfd("\ud55c\uad6d-\ub274\uc2a4"), "\ud55c\uad6d-\ub274\uc2a4"),  # Hangul from decomposed jamo
        ("\u062e\u0628\u0631-\u0663", "\u062e\u0628\u0631-\u0663"),  # Arabic, already one form
        ("  a\u0301  ", "\u00e1"),  # trimmed, then composed
        ("\u212b", "\u00c5"),  # ANGSTROM SIGN -> A WITH RING (NFC)
    ],
)
def test_given_ids_are_nfc(given: str, expected: str) -> None:
    assert article_id(given=given, text="t") == (expected, "given")
    assert normalize_id(given.strip()) == expected


def test_path_ids_are_nfc() -> None:
    assert article_id(relative=nfd("d\u00e9p\u00eaches/r\u00e9sum\u00e9.txt"), text="t") == (
        "d\u00e9p\u00eaches/r\u00e9sum\u00e9",
        "path",
    )


@pytest.mark.parametrize(
    ("ident", "problem"),
    [
        ("a\nb", "a line break (U+000A)"),
        ("a\rb", "a line break (U+000D)"),
        ("a\x85b", "a line break (U+0085)"),
        ("a\u2028b", "a line break (U+2028)"),
        ("a\u2029b", "a line break (U+2029)"),
        ("a\x1eb", "a line break (U+001E)"),
        ("a\tb", "a control character (U+0009)"),
        ("a\x00b", "a control character (U+0000)"),
        ("a\x7fb", "a control character (U+007F)"),
        ("a\ud800b", "a control character (U+D800)"),
        ("a b", None),
        ("Zo\u00eb", None),
        ("\u062e\u0628\u0631-\u0663", None),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", None),  # Persian with a zero-width non-joiner
        ("#12", None),
    ],
)
def test_id_problem(ident: str, problem: str | None) -> None:
    found = id_problem(ident)
    assert (found is None) == (problem is None)
    if problem:
        assert found == f"holds {problem}"


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("bad_id", "shown"),
    [("a\nb", "U+000A"), ("a\u2028b", "U+2028"), ("tab\there", "U+0009"), ("nul\x00", "U+0000")],
)
def test_ingest_refuses_an_id_with_a_control_character(tmp_path: Path, bad_id: str, shown: str) -> None:
    path = _jsonl(tmp_path / "export.jsonl", [{"id": "good", "text": BODY}, {"id": bad_id, "text": BODY + " Again."}])
    with pytest.raises(BadInput) as info:
        list(ingest([path]))
    assert info.value.line == 2 and f"the given id {bad_id!r} holds" in info.value.reason and shown in info.value.reason
    summary = IngestSummary()
    assert [a.id for a in ingest([path], skip_bad=True, summary=summary)] == ["good"]
    assert [(s.line, "one line" in s.reason) for s in summary.skipped] == [(2, True)]


def test_ingest_refuses_a_path_id_with_a_line_break(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad\nname.txt").write_text(BODY, encoding="utf-8")
    (folder / "good.txt").write_text(BODY + " Later.", encoding="utf-8")
    with pytest.raises(BadInput, match=r"the id \(from the path\) 'bad\\nname' holds a line break"):
        list(ingest([folder]))
    assert [a.id for a in ingest([folder], skip_bad=True)] == ["good"]


def test_cli_control_character_id_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f'id,text\n"row\none",{BODY}\n', encoding="utf-8")
    assert main(["ingest", str(path), "-o", str(tmp_path / "c.jsonl")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"{path}, row 1: the given id 'row\\none' holds a line break (U+000A)" in " ".join(err.split())


def test_nfd_and_nfc_forms_are_one_id(tmp_path: Path) -> None:
    same = _jsonl(tmp_path / "same.jsonl", [{"id": "Zo\u00eb", "text": BODY}, {"id": nfd("Zo\u00eb"), "text": BODY}])
    summary = IngestSummary()
    (article,) = ingest([same], summary=summary)
    assert article.id == "Zo\u00eb" and summary.exact_duplicates == 1
    rows = [{"id": "Zo\u00eb", "text": BODY}, {"id": nfd("Zo\u00eb"), "text": "Another story about Tehran."}]
    clash = _jsonl(tmp_path / "clash.jsonl", rows)
    with pytest.raises(BadInput, match="already used by an earlier article"):
        list(ingest([clash]))


def test_csv_ids_from_an_nfd_file_name_are_nfc(tmp_path: Path) -> None:
    path = tmp_path / nfd("d\u00e9p\u00eaches.csv")
    path.write_text(f"text\n{BODY}\n", encoding="utf-8")
    (article,) = ingest([path])
    assert article.id == "d\u00e9p\u00eaches#1"
