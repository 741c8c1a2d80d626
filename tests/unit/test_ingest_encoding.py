"""Encoding detection: what is accepted, what is refused (with file, line and a hint)."""

from __future__ import annotations

import codecs
import gzip
import io
import random
import struct
import tarfile
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.commands.options import FLAGS
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
    assert str(info.value).endswith("or pass skip_bad=True")
    assert info.value.render(FLAGS).endswith("or pass --skip-bad")


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


# ---------------------------------------------------------------------------
# binary input is never read as BOM-less UTF-16
# ---------------------------------------------------------------------------


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("story.txt", "The minister met his counterpart in the capital. " * 20)
    return buf.getvalue()


def _tar() -> bytes:
    buf = io.BytesIO()
    data = b"The minister met his counterpart in the capital.\n"
    with tarfile.open(fileobj=buf, mode="w") as archive:
        info = tarfile.TarInfo("story.txt")
        info.size, info.mtime = len(data), 0
        archive.addfile(info, io.BytesIO(data))
    return buf.getvalue()


_RANDOM = random.Random(20201122)
_LATIN1_UNITS = bytes(_RANDOM.randrange(1, 256) for _ in range(400))
BINARY = {
    "zip": _zip(),
    "gzip": gzip.compress(TEXT.encode() * 10, mtime=0),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(20),
    "7z": b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(_RANDOM.randrange(256) for _ in range(200)),
    "tar": _tar(),
    "nul+zip": b"\x00" + _zip(),
    "2nul+gzip": b"\x00\x00" + gzip.compress(TEXT.encode() * 10, mtime=0),
    "3nul+pdf": b"\x00\x00\x00%PDF-1.7\n" + "x".encode("utf-16-le") * 60,
    "4nul+7z": b"\x00" * 4 + b"7z\xbc\xaf\x27\x1c" + bytes(_RANDOM.randrange(256) for _ in range(200)),
    "nul+png": b"\x00" + b"\x89PNG\r\n\x1a\n" + "ab".encode("utf-16-be") * 40,
    "random": bytes(_RANDOM.randrange(256) for _ in range(4000)),
    # NULs on one parity, but the other bytes are anything: U+0001..U+00FF, a quarter controls
    "nul-parity-le": bytes(b for unit in _LATIN1_UNITS for b in (unit, 0)),
    "nul-parity-be": bytes(b for unit in _LATIN1_UNITS for b in (0, unit)),
    # UTF-16's pattern, but an odd number of bytes: not UTF-16
    "odd-length": TEXT.encode("utf-16-le") + b"x",
    # text with NUL characters in it
    "utf16le-with-nul-chars": ("text\x00" * 40).encode("utf-16-le"),
    "utf16-bom-with-nul-chars": ("text\x00" * 40).encode("utf-16"),
    # UTF-16's NUL pattern, but lone surrogates, private-use or unassigned code units between
    "lone-surrogates": b"".join(struct.pack("<H", unit) for unit in [0x41, 0xDC41] * 100),
    "private-use-units": b"".join(struct.pack(">H", unit) for unit in [0x41, 0xE041, 0x20, 0xF812] * 50),
    "unassigned-units": b"".join(struct.pack("<H", unit) for unit in [0x6E, 0x0378, 0x2E, 0xFFFF] * 50),
    "int16-array": b"".join(struct.pack("<h", _RANDOM.randrange(0, 200)) for _ in range(300)),
}


@pytest.mark.parametrize("data", list(BINARY.values()), ids=list(BINARY))
def test_binary_bytes_are_skipped_as_binary_never_read_as_utf16(data: bytes) -> None:
    with pytest.raises(BadInput) as info:
        decode_bytes(data, "dir/a.txt")
    assert info.value.reason.startswith("binary file"), info.value.reason
    assert "skip_bad=True" in str(info.value) and "--skip-bad" in info.value.render(FLAGS)


UTF16_TEXT = "Iraq\u00a0FM requests calm \u2013 \u201cquoted\u201d, caf\u00e9.\r\nThe minister met his counterpart.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (UTF16_TEXT.encode("utf-16-le"), "utf-16-le"),
        (UTF16_TEXT.encode("utf-16-be"), "utf-16-be"),
        ((UTF16_TEXT * 3000).encode("utf-16-le"), "utf-16-le"),  # longer than the 64 KB head
        (("Iraq \U0001f1ee\U0001f1f6 and " * 30).encode("utf-16-be"), "utf-16-be"),  # surrogate pairs
        ("ok".encode("utf-16-le"), "utf-16-le"),
    ],
    ids=["le", "be", "long-le", "be-surrogate-pairs", "tiny-le"],
)
def test_real_bomless_utf16_text_is_still_read_as_text(data: bytes, encoding: str) -> None:
    decoded = decode_bytes(data, "a.txt")
    assert decoded.encoding == encoding
    assert decoded.text == data.decode(encoding)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 6), st.binary(max_size=400))
def test_nul_led_bytes_decode_as_utf16_only_when_they_are_text(nuls: int, data: bytes) -> None:
    try:
        decoded = decode_bytes(b"\x00" * nuls + data, "fuzz.txt")
    except BadInput:
        return
    if decoded.encoding.startswith("utf-16"):
        assert "\x00" not in decoded.text
        odd = [ch for ch in decoded.text if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") and not ch.isspace()]
        assert len(odd) <= 0.01 * len(decoded.text)
