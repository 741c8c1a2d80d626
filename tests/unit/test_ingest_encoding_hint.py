"""The encoding a refused file's hint names: the right codec, not charset-normalizer's coin toss.

Windows-1252's smart quotes and dashes (0x91-0x97) are the same bytes in Windows-1250, and on a
short sample charset-normalizer called them cp1250; only letters can tell the two apart. The
table reads samples of Windows-1252, Windows-1250, Latin-1, Mac OS Roman and two non-Latin
encodings and checks the name each gets, alone and inside an otherwise UTF-8 file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from eventgold.ingest.encoding import decode_bytes, encoding_hint, iconv_name, plausibility
from eventgold.ingest.errors import BadInput

CP1252_QUOTES = "\u201cWe will respond,\u201d the minister said \u2014 it\u2019s over \u2013 they\u2019re gone\u2026"
SAMPLES = [
    # (name, text, encoded with, the hint)
    ("cp1252-smart-quotes", CP1252_QUOTES, "cp1252", "cp1252"),
    ("cp1252-quotes-only", "\u201cyes\u201d and \u2018no\u2019", "cp1252", "cp1252"),
    ("cp1252-euro-trademark", "Price: 5 \u20ac for Coca-Cola\u2122, \u201cfree\u201d \u2022 today", "cp1252", "cp1252"),
    ("cp1252-letters", "Fran\u00e7ois H\u00f6lderlin met \u0160imon \u0152uvre in Z\u00fcrich", "cp1252", "cp1252"),
    ("cp1250-polish", "Za\u017c\u00f3\u0142\u0107 g\u0119\u015bl\u0105 ja\u017a\u0144 \u2014 \u201eczy\u201d", "cp1250",
     "cp1250"),
    ("cp1250-czech", "P\u0159\u00edli\u0161 \u017elu\u0165ou\u010dk\u00fd k\u016f\u0148 \u00fap\u011bl "
     "\u010f\u00e1belsk\u00e9 \u00f3dy", "cp1250", "cp1250"),
    # Windows-1252 reads Latin-1 text alike (and is what such files usually are)
    ("latin-1-french", "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00e0 la fran\u00e7aise, na\u00efve", "latin-1",
     "cp1252"),
    ("latin-1-spanish", "\u00bfQu\u00e9 pas\u00f3? \u00a1S\u00ed, se\u00f1or! A\u00f1o nuevo", "latin-1", "cp1252"),
    ("mac-roman", "\u201cCaf\u00e9 cr\u00e8me\u201d \u2014 na\u00efve r\u00e9sum\u00e9, \u2018quoted\u2019 \u2026",
     "mac-roman", "mac-roman"),
    ("cp1251-russian", "\u041f\u0440\u0435\u043c\u044c\u0435\u0440-\u043c\u0438\u043d\u0438\u0441\u0442\u0440 "
     "\u0418\u0440\u0430\u043a\u0430 \u043f\u0440\u0438\u0431\u044b\u043b \u0432 \u0422\u0435\u0433\u0435\u0440"
     "\u0430\u043d \u0432 \u0432\u043e\u0441\u043a\u0440\u0435\u0441\u0435\u043d\u044c\u0435.", "cp1251", "cp1251"),
    ("cp1256-arabic", "\u0648\u0635\u0644 \u0631\u0626\u064a\u0633 \u0627\u0644\u0648\u0632\u0631\u0627\u0621 "
     "\u0627\u0644\u0639\u0631\u0627\u0642\u064a \u0625\u0644\u0649 \u0637\u0647\u0631\u0627\u0646 \u064a\u0648"
     "\u0645 \u0627\u0644\u0623\u062d\u062f \u0644\u0625\u062c\u0631\u0627\u0621 \u0645\u062d\u0627\u062f\u062b"
     "\u0627\u062a.", "cp1256", "cp1256"),
]


@pytest.mark.parametrize(("name", "text", "codec", "hint"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_encoding_hint_table(name: str, text: str, codec: str, hint: str) -> None:
    assert encoding_hint(text.encode(codec)) == hint


@pytest.mark.parametrize(("name", "text", "codec", "hint"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_hint_for_a_utf8_file_with_pasted_bytes(name: str, text: str, codec: str, hint: str) -> None:
    """The common case: a UTF-8 file with one paragraph pasted from elsewhere."""
    data = "Caf\u00e9 in Baghdad \u2014 first paragraph.\n".encode() + text.encode(codec) + b"\nlast line\n"
    with pytest.raises(BadInput) as info:
        decode_bytes(data, "mixed.txt")
    message = str(info.value)
    assert info.value.line == 2
    assert f"the bytes that are not UTF-8 look like {hint}" in message
    if hint == "cp1252":
        assert "cp1250" not in message


def test_windows_1252_quotes_are_not_named_cp1250() -> None:
    for byte in (0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0x85):
        data = b"He said " + bytes([byte]) + b"yes" + bytes([byte]) + b" to the plan."
        assert encoding_hint(data) == "cp1252", hex(byte)


@pytest.mark.parametrize(
    ("data", "hint"),
    [
        (b"plain ascii only", None),
        ("UTF-8 \u00e9 only".encode(), None),  # valid UTF-8 sequences are left out
        (b"bad \xe9 byte", "cp1252"),
    ],
)
def test_encoding_hint_edges(data: bytes, hint: str | None) -> None:
    assert encoding_hint(data) == hint


@pytest.mark.parametrize(
    ("codec", "name"),
    [("cp1252", "CP1252"), ("iso8859-1", "ISO-8859-1"), ("cp1250", "CP1250"), ("mac-roman", "MACINTOSH"),
     ("cp1251", "CP1251"), ("shift_jis", "SHIFT_JIS"), ("euc_kr", "EUC-KR")],
)
def test_iconv_names(codec: str, name: str) -> None:
    assert iconv_name(codec) == name


def test_plausibility_prefers_letters_in_words() -> None:
    assert plausibility("Caf\u00e9") > plausibility("Caf\u00c9")  # a capital after a small letter
    assert plausibility("\u201cyes\u201d") > plausibility("\u00ecyes\u00ee") - 1
    assert plausibility("a\u00b3b") < 0  # a symbol inside a word
    assert plausibility("\x85") < 0  # a C1 control


def test_mac_roman_file_hint_converts_it_back(tmp_path: Path) -> None:
    text = "\u201cCaf\u00e9 cr\u00e8me\u201d \u2014 na\u00efve r\u00e9sum\u00e9, fran\u00e7aise \u2026\n"
    data = text.encode("mac-roman")
    with pytest.raises(BadInput) as info:
        decode_bytes(data, "old-mac.txt")
    message = str(info.value)
    assert "neither encoding fits" in message and "mac-roman (Mac OS Roman)" in message
    command = re.search(r"`(iconv [^`]+)`", message)
    assert command is not None and command.group(1) == "iconv -f MACINTOSH -t UTF-8 FILE"
    assert shutil.which("iconv") is not None, "the hint names iconv (Debian's libc-bin): it must run here"
    path = tmp_path / "old-mac.txt"
    path.write_bytes(data)
    converted = subprocess.run(
        [*command.group(1).split()[:-1], str(path)], capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert converted == text
