"""Readers: txt, html (trafilatura), jsonl, csv (pandas), folder walking; fuzzed with hypothesis."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventgold.commands.options import FLAGS
from eventgold.errors import ConfigError, InputError
from eventgold.ingest.errors import BadInput
from eventgold.ingest.pipeline import Ingestor
from eventgold.ingest.readers import ColumnMap, RawRecord, SourceFile, discover, read_source

PAGE = """<html lang="en-GB"><head><title>Iraq FM Requests Calm | Asharq Al-Awsat</title>
<meta property="og:title" content="Iraq FM Requests Calm from Tehran">
<meta property="og:site_name" content="Asharq Al-Awsat">
<meta property="article:published_time" content="2020-09-28T10:00:00Z">
<link rel="canonical" href="https://english.aawsat.com/article/1">
<script>document.write('Leave a Reply')</script><style>p {color: red}</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Iraq FM Requests Calm from Tehran</h1>
<p>Iraqi Foreign Minister Fouad Hussein concluded on Sunday a visit to Tehran where he held talks with
Iranian officials on bilateral relations and the threat to close the embassy in Baghdad.</p>
<p>Deputy chief of the Iranian armed forces, Brigadier Ghadir Nezami, was also in Baghdad.</p>
</article><footer>Back to top button</footer></body></html>"""


def _source(path: Path, root: Path | None = None) -> SourceFile:
    root = root or path.parent
    fmt = {".txt": "txt", ".html": "html", ".jsonl": "jsonl", ".csv": "csv", ".tsv": "csv"}[path.suffix]
    return SourceFile(path, str(path), path.relative_to(root).as_posix(), fmt, path.stat().st_size)


def _read(path: Path, columns: ColumnMap | None = None, max_bytes: int = 10_000_000) -> list[RawRecord | BadInput]:
    return list(read_source(_source(path), columns or ColumnMap(), max_bytes))


def test_html_body_and_metadata_by_trafilatura(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    (record,) = _read(path)
    assert isinstance(record, RawRecord)
    assert "Fouad Hussein concluded" in record.text
    for dropped in ("document.write", "color: red", "Home", "World"):
        assert dropped not in record.text
    assert record.html["title"] == "Iraq FM Requests Calm from Tehran"
    assert record.html["sitename"] == "Asharq Al-Awsat"
    assert record.html["date"] == "2020-09-28T10:00:00Z"  # the value as the page states it
    assert record.html["url"] == "https://english.aawsat.com/article/1"
    assert record.html["language"] == "en"


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><script>var a = 1;</script></head><body><script>alert(1)</script></body></html>",
        "<html><body><style>p {}</style><nav><a href='/'>Home</a></nav></body></html>",
        "<html></html>",
    ],
    ids=["scripts", "style-nav", "empty-html"],
)
def test_html_without_article_text_is_bad_input(tmp_path: Path, html: str) -> None:
    path = tmp_path / "p.html"
    path.write_text(html, encoding="utf-8")
    with pytest.raises(BadInput, match="no article text found in the HTML"):
        _read(path)


def test_jsonl_fields_are_mapped_and_extras_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    rows = [
        {"doc": "d1", "body": "Text one about Baghdad.", "headline": "One", "outlet": "Reuters", "tags": ["x"]},
        {"doc": 2, "body": "Text two about Tehran.", "headline": None},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    records = _read(path, ColumnMap(text="body", title="headline", id="doc", source="outlet"))
    assert all(isinstance(r, RawRecord) for r in records)
    first, second = records
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert first.given == {"title": "One", "id": "d1", "url": None, "date": None, "source": "Reuters", "language": None}
    assert first.extra == {"tags": ["x"]}
    assert (first.line, second.line, second.given["id"], second.given["title"]) == (1, 2, "2", None)


def test_jsonl_bad_lines_are_yielded_with_their_line_and_the_rest_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    lines = ['{"text": "fine"}', '{"text": broken}', "[1, 2]", '{"body": "no text"}', '{"text": 5}', '{"text": "ok"}']
    path.write_text("\n".join(lines) + "\n")
    items = _read(path)
    kinds = [(type(i).__name__, i.line) for i in items]
    assert kinds == [("RawRecord", 1), ("BadInput", 2), ("BadInput", 3), ("RawRecord", 4), ("BadInput", 5),
                     ("RawRecord", 6)]
    bad = [i for i in items if isinstance(i, BadInput)]
    assert "invalid JSON at column 10" in bad[0].reason
    assert str(bad[0]).startswith(f"{path}:2: ")
    assert "expected a JSON object" in bad[1].reason
    assert "must be a string" in bad[2].reason


def test_jsonl_named_text_key_missing(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"text": "x"}\n')
    (bad,) = _read(path, ColumnMap(text="body"))
    assert isinstance(bad, BadInput)
    assert bad.line == 1 and "no field 'body' (named by ColumnMap.text)" in bad.reason
    assert "a.jsonl:1: no field 'body' (named by --text-col)" in bad.render(FLAGS)


def test_csv_with_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        'doc,content,headline,when,outlet,link,extra\n'
        'a1,"Text, with a comma\nand a newline",Headline one,2020-09-28,Reuters,https://x.org/1,7\n'
        'a2,Second text,,,,,\n',
        encoding="utf-8",
    )
    cols = ColumnMap(text="content", title="headline", id="doc", date="when", source="outlet", url="link")
    first, second = _read(path, cols)
    assert isinstance(first, RawRecord) and isinstance(second, RawRecord)
    assert first.text == "Text, with a comma\nand a newline"
    assert first.given["date"] == "2020-09-28" and first.given["url"] == "https://x.org/1"
    assert first.extra == {"extra": "7"} and first.row == 1
    assert second.given["title"] is None and second.row == 2


@pytest.mark.parametrize(
    ("content", "columns", "needle"),
    [
        (
            "id,body\n1,hello\n",
            ColumnMap(text="content"),
            "no column 'content' (named by ColumnMap.text); it has: 'id', 'body'",
        ),
        ("id,notes\n1,hello\n", ColumnMap(), "no text column (tried text, body"),
        ("id,text\n1,x\n", ColumnMap(title="headline"), "no column 'headline' (named by ColumnMap.title)"),
        ("id,text\n", ColumnMap(), "no rows under the header"),
        ('id,text\n1,"ok"\n2,"unterminated\n', ColumnMap(), "malformed CSV"),
    ],
    ids=["named-text-missing", "no-text-column", "named-title-missing", "header-only", "malformed"],
)
def test_bad_csv_is_bad_input_naming_the_file(tmp_path: Path, content: str, columns: ColumnMap, needle: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput) as info:
        _read(path, columns)
    assert needle in str(info.value)
    assert str(info.value).startswith(str(path))
    flagged = needle.replace("ColumnMap.text", "--text-col").replace("ColumnMap.title", "--title-col")
    assert flagged in info.value.render(FLAGS)


def test_tsv_and_cp1252_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.tsv"
    path.write_bytes("id\ttext\n1\tCaf\u00e9 \u201cquoted\u201d\n".encode("cp1252"))
    (record,) = _read(path)
    assert isinstance(record, RawRecord)
    assert (record.text, record.encoding) == ("Caf\u00e9 \u201cquoted\u201d", "cp1252")


def test_discover_walks_sorted_skips_hidden_and_counts_ignored(tmp_path: Path) -> None:
    for name in ("b/2.txt", "a/1.html", "a/.hidden.txt", ".git/x.txt", "notes.md", "c.jsonl"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = discover([tmp_path, tmp_path / "a"], outputs=[tmp_path / "new.jsonl", tmp_path / "notes.md", None, "-"])
    assert [f.relative for f in found.items() if isinstance(f, SourceFile)] == ["c.jsonl", "a/1.html", "b/2.txt"]
    assert (found.found, found.ignored) == (3, 1)
    assert found.total_bytes() == 3


@pytest.mark.parametrize(
    ("inputs", "output", "refused"),
    [
        (["in"], "in/a.txt", True),  # a file the walk finds
        (["in"], "in/sub/b.jsonl", True),  # in a sub-folder
        (["in/sub"], "in/sub/../a.txt", False),  # outside the folder read
        (["in/link"], "in/a.txt", True),  # the folder named through a link to it
        (["in"], "in/.hidden.txt", False),  # hidden files are not read
        (["in"], "in/.git/x.txt", False),  # nor hidden folders
        (["in"], "in/notes.md", False),  # nor other file types
        (["in"], "in/missing.txt", False),  # nothing to lose yet
        (["in/a.txt"], "in/a.txt", True),  # named directly
        (["in/a.txt"], "in/sub/b.jsonl", False),
    ],
)
def test_discover_refuses_an_output_it_would_read(
    tmp_path: Path, inputs: list[str], output: str, refused: bool
) -> None:
    for name in ("in/a.txt", "in/sub/b.jsonl", "in/.hidden.txt", "in/.git/x.txt", "in/notes.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "in" / "link").symlink_to(tmp_path / "in")
    paths = [tmp_path / p for p in inputs]
    if refused:
        with pytest.raises(ConfigError, match=r"is (also an input|one of the inputs)"):
            discover(paths, outputs=[tmp_path / output])
    else:
        discover(paths, outputs=[tmp_path / output])


def test_discover_named_unsupported_file_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_text("x")
    (problem,) = discover([tmp_path / "a.pdf"]).items()
    assert isinstance(problem, BadInput) and "unsupported file type '.pdf'" in problem.reason
    with pytest.raises(InputError, match="no such file or folder"):
        discover([tmp_path / "missing"])


# ---------------------------------------------------------------------------
# fuzz: random bytes and random HTML never give a traceback
# ---------------------------------------------------------------------------

_TAGS = ["p", "div", "span", "script", "style", "nav", "article", "h1", "a", "ul", "li", "table", "td", "br",
         "html", "body", "head", "title", "meta", "footer", "header", "main", "section", "!--", "![CDATA["]
_texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@st.composite
def _html(draw: st.DrawFn, depth: int = 0) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.integers(0, 3))
        if choice == 0 or depth >= 3:
            parts.append(draw(_texts))
        elif choice == 1:
            parts.append(draw(st.sampled_from(["<", ">", "&", "&#0;", "&#x110000;", "]]>", "<!DOCTYPE html>", "\x00"])))
        else:
            tag = draw(st.sampled_from(_TAGS))
            attrs = draw(st.sampled_from(["", ' class="x"', ' lang="ar"', " id=", ' content="2020-01-02"']))
            inner = draw(_html(depth + 1))
            close = draw(st.sampled_from([f"</{tag}>", "", "</div>"]))
            parts.append(f"<{tag}{attrs}>{inner}{close}")
    return "".join(parts)


def _through_pipeline(path: Path) -> None:
    """Read and build every record; only BadInput (an InputError) may come out."""
    ingestor = Ingestor()
    try:
        for item in read_source(_source(path), ColumnMap(), 10_000_000):
            if isinstance(item, RawRecord):
                try:
                    article = ingestor.build(item)
                except BadInput:
                    continue
                assert article.text and article.text == article.text.strip()
    except InputError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".html", ".jsonl", ".csv"]))
def test_fuzz_random_bytes_never_traceback(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        _through_pipeline(path)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=_html(), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_fuzz_random_html_never_traceback(html: str, encoding: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.html"
        path.write_bytes(html.encode(encoding, errors="replace"))
        _through_pipeline(path)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=500))
def test_fuzz_random_text_files(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.txt"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        _through_pipeline(path)
