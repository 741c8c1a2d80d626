"""Encoding detection: what is accepted, what is refused (with file, line and a hint)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.ingest.encoding import CHUNK, decode_bytes, detect_file_encoding, iter_lines
from eventgold.ingest.errors import BadInput

TEXT = "Caf\u00e9 “quoted” \u2013 the minister met his counterpart in the capital.\nSecond line.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("cp1252"), "cp1252"),
        (TEXT.encode("utf-16"), "utf-16"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
        (TEXT.encode("utf-16-be"), "utf-16-be"),
        (TEXT.encode("utf-32"), "utf-32"),
        ("plain ASCII text only\n".encode("ascii"), "utf-8"),
    ],
    ids=[
        "utf8", "utf8-bom", "cp1252", "utf16-bom-le", "utf16-bom-be", "utf16le-nobom", "utf16be-nobom", "utf32", "ascii"
    ],
)
def test_accepted_encodings_decode_to_the_same_text(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data, "a.txt")
    assert decoded.encoding == encoding
    expected = "plain ASCII text only\n" if encoding == "utf-8" and data.isascii() else TEXT
    assert decoded.text.lstrip("\ufeff") == expected


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty file"),
        (b"%PDF-1.7\n...", "PDF"),
        (b"PK\x03\x04\x14\x00", "ZIP"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"text\x00with a NUL byte", "NUL byte"),
        (bytes(range(1, 9)) * 50 + b" some text", "control characters"),
    ],
    ids=["empty", "pdf", "zip", "png", "nul", "controls"],
)
def test_empty_and_binary_inputs_are_refused(data: bytes, needle: str) -> None:
    with pytest.raises(BadInput) as info:
        decode_bytes(data, "dir/a.txt")
    assert needle in str(info.value)
    assert str(info.value).startswith("dir/a.txt")
    assert "--skip-bad" in str(info.value)


def test_damaged_utf8_is_reported_with_its_line_not_read_as_cp1252() -> None:
    data = "good line \u00e9\nsecond line\n".encode() + b"bad \xe9 byte\n"
    with pytest.raises(BadInput) as info:
        decode_bytes(data, "mixed.txt")
    err = info.value
    assert err.line == 3
    assert "0xe9" in err.reason and "UTF-8" in err.reason
    assert str(err).startswith("mixed.txt:3:")
    assert "convert it to UTF-8" in str(err)


def test_bytes_undefined_in_cp1252_are_reported() -> None:
    # 0x81 is undefined in Windows-1252 and invalid as a UTF-8 start byte
    with pytest.raises(BadInput) as info:
        decode_bytes(b"first line\nsecond \x81 line\n", "x.txt")
    assert info.value.line == 2
    assert "0x81" in info.value.reason


def test_large_file_is_checked_in_chunks_with_the_right_line(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    first = '{"text": "caf\u00e9 in UTF-8 on the first line only"}\n'.encode()
    line = ('{"text": "' + "x" * 200 + '"}\n').encode()
    n = CHUNK // len(line) + 50
    path.write_bytes(first + line * n + b'{"text": "bad \xff"}\n')
    with pytest.raises(BadInput) as info:
        detect_file_encoding(path, "big.jsonl")
    assert info.value.line == n + 2
    assert "damaged or mixes encodings" in info.value.reason


def test_iter_lines_reports_an_over_long_line_without_keeping_it(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"short\n" + b"y" * 5000 + b"\nlast\n")
    lines = list(iter_lines(path, "utf-8", max_line_bytes=100))
    assert [(x.number, x.text, x.too_long) for x in lines] == [(1, "short", False), (2, None, True), (3, "last", False)]


def test_iter_lines_utf16(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes("one\r\ntwo\n".encode("utf-16"))
    assert detect_file_encoding(path, "a.jsonl") == "utf-16"
    assert [x.text for x in iter_lines(path, "utf-16", 1000)] == ["one", "two"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_decode_or_raise_bad_input(data: bytes) -> None:
    try:
        decoded = decode_bytes(data, "fuzz.txt")
    except BadInput as exc:
        assert exc.path == "fuzz.txt" and exc.reason
    else:
        assert isinstance(decoded.text, str)
