"""Text encodings of raw inputs: detected from the bytes, never guessed silently.

What is accepted, in this order:

1. a byte-order mark: UTF-8 with BOM (``utf-8-sig``), UTF-16 or UTF-32 (LE/BE);
2. UTF-16 without a BOM only where the bytes have its pattern and read as text: most NULs
   on one parity (the high bytes of mostly-ASCII text), an even length, and the first 64 KB
   decoding to text with no NUL character and at most 1% control, unassigned or
   private-use characters. NUL-led bytes are binary, never UTF-16, when a known binary
   signature follows the leading NULs;
3. UTF-8 (strict);
4. Windows-1252 (``cp1252``, a superset of Latin-1 for text) when the bytes are not UTF-8
   and contain no valid UTF-8 multi-byte sequence at all (so a damaged UTF-8 file is
   reported, not re-read as cp1252).

Everything else is a :class:`~eventgold.ingest.errors.BadInput` naming the file, the line
and the offending byte, with a hint naming the likely encoding (:func:`encoding_hint`, with
the ``iconv`` command):
empty files, binary files (NUL bytes, a NUL character in UTF-16/32, a known binary
signature such as PDF, ZIP or PNG at the start or after leading NULs, a tar header, or many
control characters), bytes that no accepted encoding decodes.

Large line-oriented files (JSONL, CSV) are checked in 1 MB chunks, so memory does not grow
with the file.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventgold.ingest.errors import SKIP_BAD, BadInput

CHUNK = 1 << 20
HEAD = 1 << 16

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or .docx/.xlsx/.epub)"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"SQLite format 3", "an SQLite database"),
)
_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# more than this share of control characters (and at least 3 of them) means binary data
CONTROL_SHARE = 0.01
_BYTE_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "cp1252"})
# Unicode categories that text does not hold (controls, unassigned, private use, surrogates)
_NOT_TEXT = frozenset({"Cc", "Cn", "Co", "Cs"})
_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r\x1c\x1d\x1e\x85")


@dataclass(frozen=True)
class Decoded:
    """A decoded file: its text and the encoding it was read with."""

    text: str
    encoding: str


@dataclass
class _Scan:
    ok: bool = True
    offset: int = 0
    line: int = 1
    byte: int | None = None
    nul: bool = False
    nul_chars: int = 0
    controls: int = 0
    chars: int = 0


def _binary_kind(head: bytes) -> str | None:
    """The kind of binary file ``head`` starts, or None: a signature at the start or after leading NULs."""
    stripped = head.lstrip(b"\x00")
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
        if len(stripped) < len(head) and stripped.startswith(magic):
            return f"{kind} after {len(head) - len(stripped)} NUL byte(s)"
    if head[257:262] == b"ustar":
        return "a tar archive"
    return None


def _bom_encoding(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def _utf16_without_bom(head: bytes, whole: bool) -> str | None:
    """``utf-16-le``/``-be`` when ``head`` has UTF-16's pattern and reads as text, else None.

    ``whole``: ``head`` is the whole file (so an odd length rules UTF-16 out).
    """
    if whole and len(head) % 2:
        return None
    sample = head[: len(head) - len(head) % 2]
    half = len(sample) // 2
    if half < 2:
        return None
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    if odd > 0.3 and even < 0.05:
        encoding = "utf-16-le"
    elif even > 0.3 and odd < 0.05:
        encoding = "utf-16-be"
    else:
        return None
    return encoding if _reads_as_text(sample, encoding) else None


def _reads_as_text(sample: bytes, encoding: str) -> bool:
    """Whether ``sample`` decodes with ``encoding`` to text: no NUL, at most 1% odd characters."""
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(sample)  # not final: a split pair may end it
    except UnicodeDecodeError:
        return False
    if not text or "\x00" in text:
        return False
    odd = sum(1 for ch in text if unicodedata.category(ch) in _NOT_TEXT and ch not in _WHITESPACE_CONTROLS)
    return odd <= CONTROL_SHARE * len(text)


def _scan(chunks: Iterable[bytes], encoding: str) -> _Scan:
    """Decode ``chunks`` with ``encoding``; note the first error (or NUL byte) and control characters."""
    result = _Scan()
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0
    newlines = 0
    byte_oriented = encoding in _BYTE_ENCODINGS
    for chunk in chunks:
        if result.ok:
            if byte_oriented and (nul := chunk.find(b"\x00")) >= 0:
                result.ok, result.nul = False, True
                result.offset, result.byte = consumed + nul, 0
                result.line = newlines + chunk.count(b"\n", 0, nul) + 1
            else:
                buffered = len(decoder.getstate()[0])
                try:
                    text = decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    local = max(0, exc.start - buffered)
                    result.ok = False
                    result.offset = consumed + local
                    result.byte = chunk[local] if local < len(chunk) else None
                    result.line = newlines + chunk.count(b"\n", 0, local) + 1
                else:
                    result.chars += len(text)
                    result.nul_chars += text.count("\x00")
                    if _CONTROL.search(text):
                        result.controls += len(_CONTROL.findall(text))
        if not result.ok:
            break
        newlines += chunk.count(b"\n")
        consumed += len(chunk)
    if result.ok:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            result.ok, result.offset, result.line, result.byte = False, consumed, newlines + 1, None
    return result


# single-byte encodings a hint chooses among by reading the bytes with each; on a tie the first
# wins: Windows-1252 reads Latin-1 text alike, and its quotes and dashes (0x91-0x97) are the
# same bytes in Windows-1250, so only letters can make a Central European file cp1250
HINT_CODECS = ("cp1252", "iso8859-1", "cp1250", "mac-roman")
# charset-normalizer's guesses among Latin-script single-byte encodings are a coin toss on short
# samples (Windows-1252 smart quotes come out as cp1250): for these the letters decide instead
_LATIN_GUESSES = frozenset({
    "cp1252", "iso8859-1", "iso8859-15", "cp1250", "iso8859-2", "mac-roman", "mac-latin2", "mac-iceland",
    "mac-turkish", "cp1254", "iso8859-9", "cp1257", "iso8859-4", "iso8859-13", "iso8859-16", "iso8859-3",
    "cp437", "cp850", "cp852", "cp858", "cp1258", "latin-1",
})
_CODEC_LABELS = {
    "cp1252": "Windows-1252",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
    "cp1250": "Windows-1250 (Central European)",
    "mac-roman": "Mac OS Roman",
    "cp1251": "Windows-1251 (Cyrillic)",
    "cp1256": "Windows-1256 (Arabic)",
}
# Python codec name -> the name GNU iconv knows it by
_ICONV_NAMES = {"mac-roman": "MACINTOSH", "mac-latin2": "MAC-CENTRALEUROPE", "mac-iceland": "MAC-IS",
                "latin-1": "ISO-8859-1", "shift_jis": "SHIFT_JIS", "cp932": "CP932"}
# single-byte encodings of one script, the most common first
_SCRIPT_FAMILIES = (
    ("cp1251", "koi8-r", "iso8859-5", "mac-cyrillic", "cp866", "koi8-u"),
    ("cp1256", "iso8859-6", "cp720", "cp864"),
    ("cp1253", "iso8859-7", "mac-greek", "cp737"),
    ("cp1255", "iso8859-8", "cp862"),
)
# non-ASCII bytes charset-normalizer needs before its guess of a non-Latin encoding is weighed
_GUESS_NEEDS = 16
_TYPOGRAPHIC = frozenset("\u2026\u2022\u20ac\u2122")  # … • € ™
# categories that fit wherever they stand: other letters (Arabic, CJK...), quotes, dashes, brackets
_FITTING = frozenset({"Lo", "Lt", "Pi", "Pf", "Pd", "Ps", "Pe"})


def _codec(name: str) -> str | None:
    """Python's canonical name of an encoding (``latin_1`` -> ``iso8859-1``), None if unknown."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def iconv_name(codec: str) -> str:
    """The name ``iconv -f`` knows a Python codec by (``cp1252`` -> ``CP1252``, ``mac-roman`` -> ``MACINTOSH``)."""
    if codec in _ICONV_NAMES:
        return _ICONV_NAMES[codec]
    if codec.startswith("iso8859-"):
        return "ISO-8859-" + codec.split("-", 1)[1]
    return codec.upper().replace("_", "-")


def codec_label(codec: str) -> str:
    """``cp1252 (Windows-1252)``: the codec name with what people call it."""
    label = _CODEC_LABELS.get(codec)
    return f"{codec} ({label})" if label else codec


def plausibility(text: str) -> int:
    """How much ``text``'s non-ASCII characters look like text: letters in words, quotes, dashes.

    Each scores +1 when it fits (a lower-case letter, an upper-case letter at a word's start,
    a quote, dash or bracket, an ellipsis or euro sign) and -1 or less when it does not (an
    upper-case letter after a lower-case one, a lower-case letter before an upper-case one,
    a symbol between two letters, a control or unassigned character).
    """
    score = 0
    for i, ch in enumerate(text):
        if ch < "\x80":
            continue
        category = unicodedata.category(ch)
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if category[0] == "C":
            score -= 5
        elif category == "Ll":
            score += -1 if after.isupper() else 1
        elif category == "Lu":
            score += -1 if before.islower() else 1
        elif category in _FITTING or ch in _TYPOGRAPHIC:
            score += 1
        elif before.isalpha() and after.isalpha():
            score -= 2
        elif category == "Lm":
            score -= 1
    return score


def _most_plausible(sample: bytes, codecs_: tuple[str, ...]) -> str | None:
    """The encoding of ``codecs_`` that reads ``sample`` most like text, the first on a tie; None if none does."""
    best: tuple[int, int, str] | None = None
    for rank, codec in enumerate(codecs_):
        try:
            text = sample.decode(codec)
        except UnicodeDecodeError:
            continue
        candidate = (plausibility(text), -rank, codec)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best is not None and best[0] > 0 else None


def _charset_normalizer() -> Callable[[bytes], Any] | None:
    """charset-normalizer's ``from_bytes``, None when the package cannot be imported."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    return from_bytes


def _charset_normalizer_guess(sample: bytes) -> str | None:
    """charset-normalizer's best guess (a Python codec name), None without one or without the package."""
    from_bytes = _charset_normalizer()
    if from_bytes is None:
        return None
    try:
        best = from_bytes(sample).best()
    except Exception:  # a hint only: any failure of the guesser just means no guess
        return None
    if best is None:
        return None
    codec = _codec(str(best.encoding))
    return None if codec in (None, "utf-8", "ascii") else codec


def encoding_hint(data: bytes) -> str | None:
    """The encoding the bytes of ``data`` that are not UTF-8 most likely are (a Python codec name).

    Valid UTF-8 sequences are left out (in a file that mixes encodings, the rest is what needs
    naming). The letters decide (:func:`plausibility`) between charset-normalizer's guess, when
    that is outside the Latin-script single-byte encodings (Cyrillic, Arabic, Greek, CJK...; its
    choice among Latin ones is a coin toss on short samples) and it had 16 non-ASCII bytes to go
    by (with the other encodings of its script, the most common first), then Windows-1252,
    Latin-1, Windows-1250 and Mac OS Roman, the first on a tie: so the
    smart quotes and dashes of Windows-1252 (0x91-0x97) are named cp1252, never cp1250. Only
    used in messages: None when nothing fits.
    """
    sample = _MULTIBYTE.sub(b"", data[:HEAD])
    if sample.isascii():
        return None
    guess = _charset_normalizer_guess(sample)
    high = sum(1 for b in sample if b >= 0x80)
    if guess is None or guess in _LATIN_GUESSES or high < _GUESS_NEEDS:
        return _most_plausible(sample, HINT_CODECS)
    # its script is right, its choice within the script less so: the letters decide, the common one first
    family = next((f for f in _SCRIPT_FAMILIES if guess in f), (guess,))
    return _most_plausible(sample, (*family, *HINT_CODECS))


def _around(chunks: Iterable[bytes], offset: int) -> bytes:
    """Up to 64 KB of the file around byte ``offset`` (where a hint should look)."""
    start = max(0, offset - HEAD // 2)
    out = bytearray()
    position = 0
    for chunk in chunks:
        end = position + len(chunk)
        if end > start:
            out += chunk[max(0, start - position) :]
            if len(out) >= HEAD:
                break
        position = end
    return bytes(out[:HEAD])


def _undecodable(path: str, scan: _Scan, encoding: str, sample: bytes, why: str, *, mixed: bool = False) -> BadInput:
    byte = f"byte 0x{scan.byte:02x}" if scan.byte is not None else "a truncated character"
    guess = encoding_hint(sample)
    if guess and mixed:
        advice = (f"convert it to UTF-8 (the bytes that are not UTF-8 look like {codec_label(guess)}: "
                  "fix them, or re-save the whole file as UTF-8)")
    elif guess:
        advice = (f"convert it to UTF-8 (it may be {codec_label(guess)}: "
                  f"`iconv -f {iconv_name(guess)} -t UTF-8 FILE`)")
    else:
        advice = "convert it to UTF-8 (e.g. with iconv)"
    more = " (`pip install charset-normalizer` to have encodings of other scripts named too)"
    more = more if _charset_normalizer() is None else ""
    return BadInput(
        path,
        f"undecodable bytes: {byte} at byte offset {scan.offset} cannot be read as {encoding} ({why})",
        line=scan.line,
        hint=(advice + ", or pass ", SKIP_BAD, more),
    )


def detect_encoding(head: bytes, chunks: Callable[[], Iterable[bytes]], path: str) -> str:
    """The encoding of a file whose first bytes are ``head`` (``chunks()`` re-reads all of it).

    Raises :class:`BadInput` for empty, binary or undecodable input (see the module docstring).
    """
    if not head:
        raise BadInput(path, "empty file (0 bytes)", hint=("remove it, or pass ", SKIP_BAD))
    kind = _binary_kind(head)
    if kind:
        raise BadInput(
            path, f"binary file ({kind}), not text", hint=("extract its text to a .txt file first, or pass ", SKIP_BAD)
        )
    forced = _bom_encoding(head) or _utf16_without_bom(head, whole=len(head) < HEAD)
    if forced:
        scan = _scan(chunks(), forced)
        if not scan.ok:
            raise _undecodable(path, scan, forced, _around(chunks(), scan.offset), "the file starts like " + forced)
        if scan.nul_chars:
            raise BadInput(
                path,
                f"binary file ({scan.nul_chars} NUL character(s) when read as {forced}), not text",
                hint=("extract its text to a .txt file first, or pass ", SKIP_BAD),
            )
        encoding = forced
    else:
        scan = _scan(chunks(), "utf-8")
        encoding = "utf-8"
        if scan.nul:
            raise BadInput(
                path,
                f"binary file (a NUL byte at line {scan.line}, byte offset {scan.offset}), not text",
                hint=("extract its text to a .txt file first, or pass ", SKIP_BAD),
            )
        if not scan.ok:
            if any(_MULTIBYTE.search(chunk) for chunk in chunks()):
                why = "the rest is UTF-8: the file is damaged or mixes encodings"
                raise _undecodable(path, scan, "UTF-8", _around(chunks(), scan.offset), why, mixed=True)
            cp = _scan(chunks(), "cp1252")
            if not cp.ok:
                sample = _around(chunks(), cp.offset)
                raise _undecodable(path, cp, "UTF-8 or Windows-1252", sample, "neither encoding fits")
            scan, encoding = cp, "cp1252"
    if scan.controls >= 3 and scan.controls > CONTROL_SHARE * max(scan.chars, 1):
        raise BadInput(
            path,
            f"binary file ({scan.controls} control characters in {scan.chars}), not text",
            hint=("extract its text to a .txt file first, or pass ", SKIP_BAD),
        )
    return encoding


def decode_bytes(data: bytes, path: str) -> Decoded:
    """Decode a whole file's bytes (see the module docstring for what is accepted)."""
    encoding = detect_encoding(data[:HEAD], lambda: (data,), path)
    return Decoded(data.decode(encoding), encoding)


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            yield block


def detect_file_encoding(path: Path, display: str) -> str:
    """The encoding of a file on disk, checked in chunks (for large JSONL and CSV files)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(HEAD)
    except OSError as exc:
        raise BadInput(display, f"cannot read: {exc.strerror}", hint="check the path and permissions") from exc
    return detect_encoding(head, lambda: _file_chunks(path), display)


@dataclass(frozen=True)
class Line:
    """One line of a text file: its 1-based number, text (no line break) and size in bytes."""

    number: int
    text: str | None
    size: int
    too_long: bool = False


def iter_lines(path: Path, encoding: str, max_line_bytes: int) -> Iterator[Line]:
    """Stream the lines of a file already checked by :func:`detect_file_encoding`.

    A line longer than ``max_line_bytes`` is not kept in memory: it comes back with
    ``too_long=True`` and ``text=None``.
    """
    if encoding in _BYTE_ENCODINGS:
        with path.open("rb") as fh:
            number = 0
            while True:
                raw = fh.readline(max_line_bytes + 1)
                if not raw:
                    return
                number += 1
                size = len(raw)
                if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):
                        raw = fh.readline(CHUNK)
                        size += len(raw)
                    yield Line(number, None, size, too_long=True)
                    continue
                text = raw.decode(encoding)
                if number == 1 and text.startswith("\ufeff"):
                    text = text[1:]
                yield Line(number, text.rstrip("\r\n"), size)
    else:
        with open(path, encoding=encoding, newline="") as tfh:
            number = 0
            limit = max(1, max_line_bytes // 2)
            while True:
                text = tfh.readline(limit + 1)
                if not text:
                    return
                number += 1
                if len(text) > limit and not text.endswith("\n"):
                    size = len(text) * 2
                    while text and not text.endswith("\n"):
                        text = tfh.readline(CHUNK)
                        size += len(text) * 2
                    yield Line(number, None, size, too_long=True)
                    continue
                if number == 1 and text.startswith("\ufeff"):
                    text = text[1:]
                yield Line(number, text.rstrip("\r\n"), len(text) * 2)
