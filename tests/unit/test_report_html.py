"""HTML reports: self-contained (no external URL), escaped, charts present, numbers from the JSON."""

from __future__ import annotations

import base64
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest

from eventgold.report import render
from eventgold.report.common import fmt, fmt_interval
from eventgold.report.html import CSP, JS, agreement_html, esc, score_html, snippet_html
from eventgold.scoring.api import score
from eventgold.scoring.inputs import load_gold, load_predictions

from .report_fixtures import FIXTURE, HOSTILE_ID, agreement_report, score_report

EXTERNAL = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


class Page(HTMLParser):
    """Tags with their attributes, script bodies and table rows of a page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


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
    assert page.scripts == [JS]  # ours, and nothing else runs
    csp = [m for m in page.all("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0]["content"] == CSP


def test_article_text_is_escaped(score_page: str, agreement_page: str) -> None:
    for text in (score_page, agreement_page):
        assert "<script>alert" not in text
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
    assert sum("per type" in a for a in alts) == 2
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


def test_error_table_has_every_error_and_filters(score_page: str) -> None:
    report = score_report()
    table = score_page[score_page.index('<table id="error-table"') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") - 1 == sum(len(e.errors) for e in report.extractors)
    assert 'class="sortable"' in table
    assert 'data-table="error-table"' in score_page and 'type="search"' in score_page
    for kind in {it.kind for e in report.extractors for it in e.errors}:
        assert f'<option value="{kind}">' in score_page


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
