"""Delimited files (.csv, .tsv) never merge or split rows in silence.

The case ``data/cases/tsv-leading-quote.tsv`` (from ``../shared/cases``): a TSV whose first text
cell starts with a quotation mark that never closes. Read with CSV quoting, rows t2 and t3 were
swallowed into t1's text and the run exited 0 with 2 articles. Now a .tsv is read one line per
row (quotes are text, as TSV writers intend); with ``--quoting csv`` the broken quote is a bad
row named with its lines. The table below covers the kind: every delimiter, quotes that open and
never close in the middle and at the end of a file, doubled quotes, quoted line breaks (legal in
CSV, still read), rows with too many and too few cells.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventgold.cli import main
from eventgold.errors import ConfigError
from eventgold.ingest import IngestSummary, ingest
from eventgold.ingest.errors import BadInput
from eventgold.ingest.options import make_options
from eventgold.ingest.readers import ColumnMap, CsvOptions, RawRecord, SourceFile, read_source, sniff_delimiter

CASE = Path(__file__).parent / "data" / "cases" / "tsv-leading-quote.tsv"
CASE_TEXTS = [
    '"We will respond, the minister said on Sunday after the attack on the convoy.',
    "The army said the shells were fired from across the border on Monday night.",
    'Protesters said "enough" outside parliament on Tuesday to demand early elections.',
    "Aid convoys reached the town on Wednesday.",
]


def _source(path: Path) -> SourceFile:
    return SourceFile(path, str(path), path.name, "csv", path.stat().st_size)


def _read(path: Path, options: CsvOptions | None = None, max_bytes: int = 10_000_000) -> list[RawRecord | BadInput]:
    return list(read_source(_source(path), ColumnMap(), max_bytes, options))


# ---------------------------------------------------------------------------
# the case from the wild
# ---------------------------------------------------------------------------


def test_case_tsv_leading_quote_gives_four_articles_as_written(tmp_path: Path) -> None:
    case = tmp_path / CASE.name
    shutil.copy(CASE, case)
    out = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(case), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["t1", "t2", "t3", "t4"]
    assert [r["text"] for r in rows] == CASE_TEXTS
    assert [r["meta"]["row"] for r in rows] == [1, 2, 3, 4]


def test_case_read_with_csv_quoting_is_exit_2_naming_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = tmp_path / CASE.name
    shutil.copy(CASE, case)
    out = tmp_path / "corpus.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    assert main(["ingest", str(case), "-o", str(out), "--quoting", "csv"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{case}, row 1: malformed TSV" in err
    assert "lines 2-4 would be one cell" in err and "--quoting none" in err
    assert out.read_text(encoding="utf-8") == "earlier\n"  # an earlier output left as it was


def test_case_with_csv_quoting_and_skip_bad_lists_what_was_skipped(tmp_path: Path) -> None:
    case = tmp_path / CASE.name
    shutil.copy(CASE, case)
    out, summary = tmp_path / "corpus.jsonl", tmp_path / "summary.json"
    assert main(["ingest", str(case), "-o", str(out), "--quoting", "csv", "--skip-bad", "--json", str(summary)]) == 0
    (skipped,) = json.loads(summary.read_text(encoding="utf-8"))["skipped"]
    assert skipped["row"] == 1 and "the rest of the file is not read" in skipped["reason"]
    assert out.read_text(encoding="utf-8") == ""


# ---------------------------------------------------------------------------
# the kind: a table of variants
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """A delimited file and what reading it must give: texts by row, or the bad rows and why."""

    name: str
    content: str
    suffix: str = ".csv"
    options: CsvOptions = field(default_factory=CsvOptions)
    texts: tuple[str, ...] = ()
    """The texts of the rows read, in order."""
    bad: tuple[tuple[int, str], ...] = ()
    """(row, a phrase of the reason) of each bad row."""
    fatal: bool = False
    """Whether the last bad row ends the file (raised rather than yielded)."""


SENT = "Talks in Baghdad"

VARIANTS = [
    # delimiters: found from the header of a .csv; cells holding the delimiter are quoted
    Variant("comma", f'id,text\n1,"{SENT}, then Tehran"\n2,{SENT}\n', texts=(f"{SENT}, then Tehran", SENT)),
    Variant("semicolon", f'id;text\n1;"{SENT}; then Tehran"\n2;{SENT}, again\n',
            texts=(f"{SENT}; then Tehran", f"{SENT}, again")),
    Variant("pipe", f'id|text\n1|"{SENT} | Tehran"\n2|{SENT}, again\n', texts=(f"{SENT} | Tehran", f"{SENT}, again")),
    Variant("tab-in-csv", f"id\ttext\n1\t{SENT}, then Tehran\n", texts=(f"{SENT}, then Tehran",)),
    Variant("tsv", f"id\ttext\n1\t{SENT}, then Tehran\n2\t{SENT}; again\n", suffix=".tsv",
            texts=(f"{SENT}, then Tehran", f"{SENT}; again")),
    Variant("named-delimiter", f"id;text\n1;{SENT}, then Tehran\n", options=CsvOptions(delimiter=";"),
            texts=(f"{SENT}, then Tehran",)),
    # a quote that opens and never closes, in the middle of the file
    Variant("open-quote-middle-comma", f'id,text\n1,"{SENT}\n2,Tehran\n3,said "no" there\n4,Rome\n',
            bad=((1, "lines 2-4 would be one cell"),), fatal=True),
    Variant("open-quote-middle-semicolon", f'id;text\n1;"{SENT}\n2;Tehran\n3;said "no" there\n',
            bad=((1, "not by a semicolon"),), fatal=True),
    Variant("open-quote-middle-pipe", f'id|text\n1|"{SENT}\n2|Tehran\n3|said "no" there\n',
            bad=((1, "not by a pipe"),), fatal=True),
    Variant("open-quote-middle-tsv-quoted", f'id\ttext\n1\t"{SENT}\n2\tTehran\n3\tsaid "no" there\n',
            suffix=".tsv", options=CsvOptions(quoting="csv"), bad=((1, "not by a tab"),), fatal=True),
    Variant("open-quote-middle-tsv", f'id\ttext\n1\t"{SENT}\n2\tTehran\n3\tsaid "no" there\n', suffix=".tsv",
            texts=(f'"{SENT}', "Tehran", 'said "no" there')),
    # ... and at the end of the file: the rows before it are read, then the file stops
    Variant("open-quote-at-end-comma", f'id,text\n1,{SENT}\n2,"never closed\n3,Rome\n', texts=(SENT,),
            bad=((2, "never closes: the file ends inside it (lines 3-4 would be one cell)"),), fatal=True),
    Variant("open-quote-at-end-semicolon", f'id;text\n1;{SENT}\n2;"never closed', texts=(SENT,),
            bad=((2, "never closes"),), fatal=True),
    Variant("open-quote-at-end-tsv", f'id\ttext\n1\t{SENT}\n2\t"never closed\n', suffix=".tsv",
            texts=(SENT, '"never closed')),
    Variant("quote-closes-mid-cell", f'id,text\n1,"{SENT}" and more\n2,Rome\n',
            bad=((1, "a quote is followed by text"),), fatal=True),
    # doubled quotes: a quote inside a quoted cell
    Variant("doubled-quotes-csv", 'id,text\n1,"He said ""no"" twice"\n2,"""Quoted"""\n',
            texts=('He said "no" twice', '"Quoted"')),
    Variant("doubled-quotes-tsv-quoted", 'id\ttext\n1\t"He said ""no"" twice"\n', suffix=".tsv",
            options=CsvOptions(quoting="csv"), texts=('He said "no" twice',)),
    Variant("doubled-quotes-tsv-as-text", 'id\ttext\n1\tHe said ""no""\n', suffix=".tsv",
            texts=('He said ""no""',)),
    # quoted line breaks are legitimate CSV and still read
    Variant("quoted-newline", f'id,text\n1,"{SENT}\nand Tehran, too"\n2,Rome\n',
            texts=(f"{SENT}\nand Tehran, too", "Rome")),
    Variant("quoted-crlf", f'id;text\r\n1;"{SENT}\r\n\r\nTehran"\r\n2;Rome\r\n',
            texts=(f"{SENT}\r\n\r\nTehran", "Rome")),
    Variant("quoted-newline-tsv-quoted", f'id\ttext\n1\t"{SENT}\nTehran"\n2\tRome\n', suffix=".tsv",
            options=CsvOptions(quoting="csv"), texts=(f"{SENT}\nTehran", "Rome")),
    # a quoted line break in a TSV read one line per row splits the row: reported, never silent
    Variant("quoted-newline-tsv-as-text", f'id\ttext\n1\t"{SENT}\nTehran"\n2\tRome\n', suffix=".tsv",
            texts=(f'"{SENT}', "Rome"), bad=((2, "1 cell(s) on line 3 but the header has 2"),)),
    # too many and too few cells: that row is bad, the rest goes on
    Variant("too-many-cells", f"id,text\n1,{SENT}, then Tehran\n2,Rome\n", texts=("Rome",),
            bad=((1, "3 cell(s) on line 2 but the header has 2"),)),
    Variant("too-few-cells", f"id,text,source\n1,{SENT}\n2,Rome,AFP\n", texts=("Rome",),
            bad=((1, "2 cell(s) on line 2 but the header has 3"),)),
    Variant("too-many-cells-tsv", f"id\ttext\n1\t{SENT}\tTehran\n2\tRome\n", suffix=".tsv", texts=("Rome",),
            bad=((1, "3 cell(s) on line 2 but the header has 2"),)),
    Variant("too-few-cells-pipe", f"id|text|source\n1|{SENT}|AFP\n2|Rome\n", texts=(SENT,),
            bad=((2, "2 cell(s) on line 3 but the header has 3"),)),
    # blank lines are no rows (ids from rows stay as they were)
    Variant("blank-lines", f"id,text\n\n1,{SENT}\n   \n2,Rome\n\n", texts=(SENT, "Rome")),
]


def _outcome(items: list[RawRecord | BadInput]) -> tuple[tuple[str, ...], list[tuple[int | None, str]]]:
    texts = tuple(i.text for i in items if isinstance(i, RawRecord))
    bad = [(i.row, i.reason) for i in items if isinstance(i, BadInput)]
    return texts, bad


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.name for v in VARIANTS])
def test_delimited_variants(tmp_path: Path, variant: Variant) -> None:
    path = tmp_path / f"export{variant.suffix}"
    path.write_bytes(variant.content.encode("utf-8"))
    items: list[RawRecord | BadInput] = []
    reader = read_source(_source(path), ColumnMap(), 10_000_000, variant.options)
    raised: BadInput | None = None
    try:
        for item in reader:
            items.append(item)
    except BadInput as exc:
        raised = exc
    if raised is not None:
        items.append(raised)
    texts, bad = _outcome(items)
    assert texts == variant.texts
    assert len(bad) == len(variant.bad), bad
    for (row, reason), (want_row, phrase) in zip(bad, variant.bad, strict=True):
        assert row == want_row and phrase in reason, (row, reason)
    assert (raised is not None) == variant.fatal
    # every row a record or a bad row: the data rows are numbered 1, 2, ... with none merged
    rows = [i.row for i in items]
    assert rows == sorted(rows) and len(set(rows)) == len(rows)


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.bad], ids=[v.name for v in VARIANTS if v.bad])
def test_bad_rows_are_exit_2_or_skipped_with_skip_bad(tmp_path: Path, variant: Variant) -> None:
    path = tmp_path / f"export{variant.suffix}"
    path.write_bytes(variant.content.encode("utf-8"))
    options = {"quoting": variant.options.quoting, "delimiter": variant.options.delimiter}
    with pytest.raises(BadInput) as info:
        list(ingest([path], **options))
    assert info.value.row == variant.bad[0][0]
    assert str(info.value).startswith(f"{path}, row {variant.bad[0][0]}: ")
    summary = IngestSummary()
    articles = list(ingest([path], skip_bad=True, summary=summary, **options))
    assert [s.row for s in summary.skipped] == [row for row, _ in variant.bad]
    assert len(articles) == len(variant.texts)


def test_rows_keep_their_ids_when_a_bad_row_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"text\n{SENT} one.\n{SENT}, two, three.\n{SENT} four.\n", encoding="utf-8")
    summary = IngestSummary()
    articles = list(ingest([path], skip_bad=True, summary=summary))
    assert [a.id for a in articles] == ["export#1", "export#3"]
    assert summary.skipped[0].row == 2


def test_oversized_unquoted_cell_is_one_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f"id,text\n1,{'x' * 200}\n2,{SENT}\n", encoding="utf-8")
    items = _read(path, max_bytes=100)
    assert isinstance(items[0], BadInput) and "over the 0.0001 MB limit" in items[0].reason
    assert isinstance(items[1], RawRecord) and items[1].text == SENT and items[1].row == 2


def test_oversized_quoted_cell_stops_the_file(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f'id,text\n1,"{"x" * 60}\n{"y" * 60}"\n2,{SENT}\n', encoding="utf-8")
    with pytest.raises(BadInput, match=r"over the 0\.0001 MB limit .*never closes.*rest of the file is not read"):
        _read(path, max_bytes=100)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("id,text", ","),
        ("id;text;note", ";"),
        ("id|text", "|"),
        ("id\ttext", "\t"),
        ("text", ","),
        ('"id;x","text;y",z', ","),  # delimiters inside quoted names do not count
        ("id;text,body;source", ";"),
    ],
)
def test_sniff_delimiter_from_the_header(tmp_path: Path, header: str, expected: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(f"\n{header}\n1,2\n", encoding="utf-8")
    assert sniff_delimiter(path, "utf-8") == expected


def test_header_names_like_pandas(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text(f"text,,note,note\n{SENT},a,b,c\n", encoding="utf-8")
    (record,) = _read(path)
    assert isinstance(record, RawRecord)
    assert record.extra == {"Unnamed: 1": "a", "note": "b", "note.1": "c"}


@pytest.mark.parametrize(
    ("given", "expected"), [("tab", "\t"), ("\\t", "\t"), ("\t", "\t"), (";", ";"), ("auto", None), (None, None)]
)
def test_delimiter_option(given: str | None, expected: str | None) -> None:
    assert make_options(delimiter=given).delimiter == expected


@pytest.mark.parametrize("given", ["", ";;", '"', "\n"])
def test_bad_delimiter_is_a_config_error(given: str) -> None:
    with pytest.raises(ConfigError, match="delimiter"):
        make_options(delimiter=given)


def test_cli_quoting_and_delimiter_options(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text(f'id\ttext\n1\t"{SENT}\nand Tehran"\n', encoding="utf-8")
    out = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(path), "-o", str(out), "--quoting", "csv"]) == 0
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["text"] == f"{SENT}\nand Tehran"
    semi = tmp_path / "semi.csv"
    semi.write_text(f"id,x;text\n1,a;{SENT}\n", encoding="utf-8")
    assert main(["ingest", str(semi), "-o", str(out), "--delimiter", ";"]) == 0
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (row["id"], row["text"]) == ("semi#1", SENT)


def test_cli_tsv_split_row_names_quoting_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "export.tsv"
    path.write_text(f'id\ttext\n1\t"{SENT}\nand Tehran"\n', encoding="utf-8")
    assert main(["ingest", str(path), "-o", str(tmp_path / "c.jsonl")]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert f"{path}, row 2: 1 cell(s) on line 3 but the header has 2" in err and "--quoting csv" in err


# ---------------------------------------------------------------------------
# property: what a CSV writer writes reads back cell for cell, with every delimiter
# ---------------------------------------------------------------------------

_cells = st.text(alphabet=st.sampled_from(list('ab "\n\r,;|\t\u00e9\u201c')), max_size=12)


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(st.tuples(_cells, _cells), min_size=1, max_size=6),
    delimiter=st.sampled_from([",", ";", "|", "\t"]),
)
def test_csv_writer_output_reads_back_cell_for_cell(rows: list[tuple[str, str]], delimiter: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)  # \r\n: with "\n" alone it leaves a "\r" unquoted
    writer.writerow(["text", "note"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
        items = list(read_source(_source(path), ColumnMap(), 10_000_000))  # the delimiter found from the header
    assert all(isinstance(i, RawRecord) for i in items)
    records = [i for i in items if isinstance(i, RawRecord)]
    assert [(r.text, (r.extra.get("note") or "")) for r in records] == rows
    assert [r.row for r in records] == list(range(1, len(rows) + 1))


_plain = st.text(alphabet=st.sampled_from(list('ab "\',;|\u00e9\u201c')), min_size=1, max_size=12)


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(_plain, _plain), min_size=1, max_size=6))
def test_tsv_lines_read_back_as_written(rows: list[tuple[str, str]]) -> None:
    content = "text\tnote\n" + "".join(f"{a}\t{b}\n" for a, b in rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.tsv"
        path.write_text(content, encoding="utf-8")
        items = list(read_source(_source(path), ColumnMap(), 10_000_000))
    assert all(isinstance(i, RawRecord) for i in items)
    assert [(i.text, i.extra.get("note")) for i in items if isinstance(i, RawRecord)] == rows
