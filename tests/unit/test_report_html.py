"""HTML reports: self-contained (no external URL), escaped, charts present, numbers from the JSON."""

from __future__ import annotations

import base64
import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eventgold.evaluation.error_items import ErrorItem
from eventgold.report import render
from eventgold.report.common import fmt, fmt_interval
from eventgold.report.html_agreement import agreement_html
from eventgold.report.html_assets import CSP, JS
from eventgold.report.html_common import PAGE_SIZE, esc, script_json, snippet_html
from eventgold.report.html_score import error_table_rows, score_html
from eventgold.scoring.api import score
from eventgold.scoring.inputs import load_gold, load_predictions
from eventgold.scoring.report import ERROR_SAMPLE_SIZE, ScoreReport

from .report_fixtures import FIXTURE, HOSTILE_ID, agreement_report, score_report

EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


class Page(HTMLParser):
    """Tags with their attributes, script bodies and table rows of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.script_types: list[str | None] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")
            self.script_types.append(dict(attrs).get("type"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    def code(self) -> list[str]:
        """Bodies of the scripts that run (not data blocks)."""
        return [body for body, kind in zip(self.scripts, self.script_types, strict=True) if kind is None]

    def data(self) -> list[str]:
        """Bodies of the JSON data blocks."""
        return [body for body, kind in zip(self.scripts, self.script_types, strict=True) if kind == "application/json"]


DATA_BLOCK = re.compile(r'<script type="application/json" id="[^"]*">(.*?)</script>', re.DOTALL)


def markup(text: str) -> str:
    """A page without its JSON data blocks: what the HTML parser reads as markup and text."""
    return DATA_BLOCK.sub("", text)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def score_page() -> str:
    return score_html(score_report())


@pytest.fixture(scope="module")
def agreement_page() -> str:
    return agreement_html(agreement_report())


@pytest.mark.parametrize("which", ["score", "agreement"])
def test_self_contained_no_external_urls(which: str, score_page: str, agreement_page: str) -> None:
    text = score_page if which == "score" else agreement_page
    page = Page(text)
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "action", "data", "poster"):
            value = attrs.get(name)
            assert value is None or not EXTERNAL.match(value), (tag, name, value)
    for link in page.all("link"):
        assert link.get("href", "").startswith("data:")  # type: ignore[union-attr]
    imgs = page.all("img")
    assert imgs
    for img in imgs:
        src = img["src"] or ""
        assert src.startswith("data:image/png;base64,")
        width, height = _png_size(base64.b64decode(src.split(",", 1)[1]))
        assert width > 100 and height > 100
        assert img.get("alt")
    assert page.code() == [JS]  # ours, and nothing else runs
    assert len(page.scripts) == len(page.code()) + len(page.data())  # the rest is JSON data
    csp = [m for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0]["content"] == CSP


def test_article_text_is_escaped(score_page: str, agreement_page: str) -> None:
    for page in (score_page, agreement_page):
        assert "<script>alert" not in page
        for data in DATA_BLOCK.findall(page):
            assert not set(data) & set("<>&")  # JSON data: no markup can start or end in it
        text = markup(page)
        assert "&lt;script&gt;alert(" in text
        assert 'src="https://evil' not in text and "onerror=" not in text.replace("onerror=&quot;", "")
    assert esc(HOSTILE_ID) in score_page and HOSTILE_ID not in score_page
    assert "<mark>&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;</mark>" in score_page


def test_snippet_html_marks_the_unit() -> None:
    assert snippet_html("a <b> [[x & y]] c") == "a &lt;b&gt; <mark>x &amp; y</mark> c"
    assert snippet_html(None) == ""


def test_charts_per_section(score_page: str) -> None:
    report = score_report()
    alts = [a["alt"] or "" for a in Page(score_page).all("img")]
    assert sum("per type" in a for a in alts) == 3  # actor types, event types, argument roles
    confusion = sum(1 for e in report.extractors for cm in e.confusion.values() if cm.labels)
    assert sum(a.startswith("Confusion heatmap") for a in alts) == confusion
    assert sum("differences between extractors" in a for a in alts) == 1
    assert sum("headline F1" in a for a in alts) == 1


def test_summary_cells_and_best_marks(score_page: str) -> None:
    report = score_report()
    rows = re.findall(r"<tr>(.*?)</tr>", score_page)
    metric = "mention.strict.f1"
    (row,) = [r for r in rows if f"<code>{metric}</code>" in r and "headline" in r]
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", row)[2:]
    values = [e.metrics[metric] for e in report.extractors]
    best = max(values)
    for (attrs, content), e, v in zip(cells, report.extractors, values, strict=True):
        assert content.startswith(fmt(v))
        assert esc(fmt_interval(e.intervals[metric])) in content
        assert ("best" in attrs) == (v == best)


def _error_table(page: str) -> str:
    table = page[page.index('<table id="error-table"') :]
    return table[: table.index("</table>")]


def _error_data(page: str) -> list[list[object]]:
    (data,) = Page(page).data()
    rows: list[list[object]] = json.loads(data)
    return rows


def test_error_table_has_every_error_and_filters(score_page: str) -> None:
    report = score_report()
    n = sum(len(e.errors) for e in report.extractors)
    assert n < PAGE_SIZE  # all on the first page, in the HTML too
    table = _error_table(score_page)
    assert table.count("<tr>") - 1 == n
    assert f'class="sortable" data-source="error-data" data-rows="{n}" data-page-size="100"' in table
    assert 'data-table="error-table"' in score_page and 'type="search"' in score_page
    assert '<div class="pager" data-table="error-table" hidden>' in score_page
    for kind in {it.kind for e in report.extractors for it in e.errors}:
        assert f'<option value="{kind}">' in score_page
    data = _error_data(score_page)
    assert data == json.loads(json.dumps(error_table_rows(report))) and len(data) == n
    assert [r[0] for r in data] == [e.name for e in report.extractors for _ in e.errors]
    assert f"{n} errors in all" in score_page and "<code>errors.csv</code>" in score_page


def test_error_rows_in_the_html_are_the_data_rendered(score_page: str) -> None:
    """The first page in the HTML shows what the data holds, as the table showed before paging."""
    report = score_report()
    table = _error_table(score_page)
    html_rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    items = [(e.name, it) for e in report.extractors for it in e.errors]
    for (name, it), row in zip(items, html_rows, strict=True):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        assert cells[:4] == [esc(name), esc(it.level), esc(it.kind), esc(it.doc_id)]
        text = snippet_html(it.snippet) if it.snippet else esc(it.detail or "")
        if it.snippet and it.detail:
            text += f' <span class="ci">({esc(it.detail)})</span>'
        assert cells[8] == f'<div class="snippet">{text}</div>'
        start = it.gold_start if it.gold_start is not None else it.pred_start
        assert (f'data-sort="{start}"' in row) == (start is not None)


def _many_errors(n: int) -> ScoreReport:
    """The fixture report with ``n`` generated errors for its first extractor, some of them hostile."""
    report = score_report().model_copy(deep=True)
    hostile = '</script><script>alert(1)</script><!-- & "quotes" \u2028'
    items = [
        ErrorItem(
            level="mention",
            kind="missed" if i % 3 else "spurious",
            doc_id=f"d{i:05d}" if i % 97 else f"d{i:05d}{hostile}",
            gold_type="PERSON",
            gold_start=i,
            gold_end=i + 4,
            snippet=f"left {i} [[unit {i}]] right" if i % 5 else f"{hostile} [[{hostile}]] {hostile}",
        )
        for i in range(n)
    ]
    report.extractors[0].errors = items
    report.extractors[1].errors = []
    return report


def test_many_errors_embed_as_data_and_show_one_page() -> None:
    n = 2 * PAGE_SIZE + 7
    report = _many_errors(n)
    page = score_html(report)
    parsed = Page(page)
    assert parsed.code() == [JS] and len(parsed.data()) == 1  # hostile strings did not end the data block
    data = _error_data(page)
    # the page holds the sample: the first ERROR_SAMPLE_SIZE missed (138 in all) and every spurious (69)
    missed, spurious = sum(1 for i in range(n) if i % 3), sum(1 for i in range(n) if i % 3 == 0)
    assert missed > ERROR_SAMPLE_SIZE >= spurious
    sample = ERROR_SAMPLE_SIZE + spurious
    assert len(data) == sample and data == json.loads(json.dumps(error_table_rows(report)))
    assert [r[3] for r in data] == [it.doc_id for it in report.extractors[0].error_sample()]
    assert data[0][3] == 'd00000</script><script>alert(1)</script><!-- & "quotes" \u2028'
    table = _error_table(page)
    assert table.count("<tr>") - 1 == PAGE_SIZE  # only the first page is markup
    assert "d00099" in table and "d00100" not in table
    assert "<script" not in table and "&lt;/script&gt;&lt;script&gt;" in table
    # without JavaScript the page still says how many there are and where all of them are
    assert f"{n} errors in all; the table holds {sample} of them, the first {ERROR_SAMPLE_SIZE}" in page
    assert f"<h3>Errors: the first {ERROR_SAMPLE_SIZE} of each kind</h3>" in page
    assert f"Without JavaScript the table shows the first {PAGE_SIZE} errors only" in page
    assert "<code>errors.csv</code>" in page and "<code>extractors[].errors</code>" in page
    assert "<code>eventgold score --errors FILE</code>" in page
    counts = re.findall(r"<td>tagger</td><td>mention</td><td>(\w+)</td><td[^>]*>(\d+)</td>", page)
    assert dict(counts) == {"missed": str(missed), "spurious": str(spurious)}  # the overview counts every error


@pytest.mark.parametrize(
    "value",
    [
        ["</script>", "<!--", "<script>", "]]>", "&amp;", "a\\</script>"],
        {"k</script>": ["\u2028\u2029", "\x00", "ünï©ødé 𝄞", None, 3, -1.5]},
    ],
)
def test_script_json_cannot_break_out(value: object) -> None:
    text = script_json(value)
    assert not set(text) & set("<>&")
    assert json.loads(text) == value
    parsed = Page(f'<script type="application/json" id="x">{text}</script><p>after</p>')
    assert parsed.data() == [text] and parsed.all("p") == [{}]


def test_gold_and_command(score_page: str) -> None:
    report = score_report()
    assert f"<pre><code>{esc(report.command)}</code></pre>" in score_page
    assert report.gold_info is not None
    for t, n in report.gold_info.mentions.items():
        assert f'<td>{esc(t)}</td><td class="num">{n}</td>' in score_page


def test_agreement_page_tables(agreement_page: str) -> None:
    report = agreement_report()
    for st in report.annotator_stats:
        assert f'<td>{esc(st.name)}</td><td class="num">{st.tasks}</td>' in agreement_page
    table = agreement_page[agreement_page.index('<table id="disagreement-table"') :]
    assert table[: table.index("</table>")].count("<tr>") - 1 == len(report.disagreements)
    for sp in report.spans:
        assert f"{sp.kind} span F1 ({sp.matching})" in agreement_page
        assert fmt(sp.macro_f1) in agreement_page


def test_render_is_deterministic(tmp_path: Path) -> None:
    a = render(score_report(), html=tmp_path / "a.html")[0].read_text()
    b = render(score_report(), html=tmp_path / "b.html")[0].read_text()
    assert a == b


def test_one_extractor_without_bootstrap_renders(tmp_path: Path) -> None:
    report = score(
        load_gold(FIXTURE), {"tagger": load_predictions(FIXTURE / "pred_tagger.jsonl").annotations}, bootstrap=0
    )
    assert not report.tests and not report.extractors[0].intervals
    page = render(report, html=tmp_path / "r.html", markdown=tmp_path / "r.md")[0].read_text()
    assert "No paired tests" in page and not any("best" in c for c in re.findall(r'<td class="([^"]*)"', page))
    assert "Not recorded" in page  # made by the library: no command line
    assert "[0." not in (tmp_path / "r.md").read_text().split("## Per type")[0]  # no intervals to show
