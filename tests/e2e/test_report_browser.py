"""The HTML report in headless Chromium: no console errors, charts render, table sorting and filtering work.

Needs no Label Studio: reports are made by ``eventgold score --html`` (the
scoring fixture; the sample gold ``samples/gold/v1`` against the built-in
extractors) and opened from disk. A report with 100,000 generated errors
(``eventgold report --html`` of its JSON) checks the paged error table: one
page of rows in the DOM, sorting, filtering and paging over all of them,
compared with the rows the page embeds as data. Saves the README screenshot of the sample
gold report (``report.png`` in the ``img_dir`` fixture's folder: a temporary one, or
``$EVENTGOLD_SCREENSHOT_DIR``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request

import eventgold.scoring.report
from eventgold.cli import main
from eventgold.report import render
from eventgold.report.html_common import PAGE_SIZE
from eventgold.report.html_score import error_table_rows
from tests.unit.report_fixtures import agreement_report, score_report

from .big_report import HOSTILE, NEEDLE, many_errors_report

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Watched:
    """A page and what it reported: console errors, uncaught errors, dialogs, requests."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def clean(self) -> None:
        assert self.console_errors == [], self.console_errors
        assert self.page_errors == [], self.page_errors
        assert self.dialogs == [], self.dialogs
        assert all(u.startswith(("file:", "data:")) for u in self.requests), self.requests


@pytest.fixture
def watched(browser: Browser, failure_dir: Path) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    w = Watched(page)

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            w.console_errors.append(msg.text)

    def on_request(request: Request) -> None:
        w.requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: w.page_errors.append(str(exc)))
    page.on("dialog", lambda d: (w.dialogs.append(d.message), d.dismiss()))
    page.on("request", on_request)
    try:
        yield w
    finally:
        context.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder outside the checkout (``eventgold init``) whose ``samples/fixture`` is the checkout's.

    The CLI runs there with relative paths, as a user would type them (they show in the report),
    and anything it might write next to them stays out of the checkout.
    """
    from eventgold.project import init_project

    folder = tmp_path_factory.mktemp("workdir") / "project"
    init_project(folder)
    (folder / "samples" / "fixture").symlink_to(ROOT / "samples" / "fixture", target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def fixture_report(tmp_path_factory: pytest.TempPathFactory, workdir: Path) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("report") / "report.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(workdir)
        argv = ["score", "--gold", "samples/fixture", "--pred", "samples/fixture/pred_tagger.jsonl"]
        argv += ["--pred", "samples/fixture/pred_coder.jsonl", "--html", str(out)]
        assert main(argv) == 0
    yield out


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory: pytest.TempPathFactory, workdir: Path) -> Iterator[Path]:
    """samples/gold/v1 scored against the built-in gazetteer and rules extractors (README's report)."""
    tmp = tmp_path_factory.mktemp("sample")
    out = tmp / "report.html"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(workdir)
        assert main(["ingest", "samples/articles", "-o", str(tmp / "corpus.jsonl")]) == 0
        preds = []
        for name in ("gazetteer", "rules"):
            preds += ["--pred", str(tmp / f"{name}.jsonl")]
            assert main(["extract", str(tmp / "corpus.jsonl"), "-e", name, "-o", str(tmp / f"{name}.jsonl")]) == 0
        assert main(["score", "--gold", "samples/gold/v1", *preds, "--html", str(out)]) == 0
    yield out


def _column(page: Page, table: str, col: int) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden])",
        f"rows => rows.map(r => r.cells[{col}].getAttribute('data-sort') ?? r.cells[{col}].textContent.trim())",
    )
    return texts


def _charts_render(page: Page) -> None:
    sizes: list[list[int]] = page.eval_on_selector_all(
        "img.chart", "imgs => imgs.map(i => [i.complete ? 1 : 0, i.naturalWidth, i.naturalHeight])"
    )
    assert sizes, "no charts"
    for complete, width, height in sizes:
        assert complete == 1 and width > 0 and height > 0


def test_score_report_renders_sorts_and_filters(watched: Watched, fixture_report: Path) -> None:
    page = watched.page
    page.goto(fixture_report.as_uri())
    page.wait_for_load_state("load")
    _charts_render(page)

    count = page.locator('.filters[data-table="error-table"] .count')
    total = int(re.match(r"(\d+) of (\d+)", count.inner_text()).group(2))  # type: ignore[union-attr]
    assert total == len(_column(page, "error-table", 0)) > 10

    header = page.locator("#error-table thead th", has_text="Offsets")
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    offsets = [float(x) for x in _column(page, "error-table", 7) if x]
    assert offsets == sorted(offsets) and len(set(offsets)) > 1
    header.click()
    assert header.get_attribute("aria-sort") == "descending"
    offsets = [float(x) for x in _column(page, "error-table", 7) if x]
    assert offsets == sorted(offsets, reverse=True)

    page.locator("#error-table thead th", has_text="Kind").click()
    kinds = _column(page, "error-table", 2)
    assert kinds == sorted(kinds) and len(set(kinds)) > 1

    page.fill("#error-table-filter", "Pompeo")
    shown = _column(page, "error-table", 8)
    assert 0 < len(shown) < total and all("pompeo" in s.lower() for s in shown)
    assert count.inner_text() == f"{len(shown)} of {total} shown"

    page.fill("#error-table-filter", "")
    page.select_option('.filters[data-table="error-table"] select[data-col="0"]', "coder")
    extractors = _column(page, "error-table", 0)
    assert extractors and set(extractors) == {"coder"}
    page.select_option('.filters[data-table="error-table"] select[data-col="2"]', "missed")
    assert set(_column(page, "error-table", 2)) == {"missed"}
    watched.clean()


def test_sample_gold_report_and_screenshot(watched: Watched, sample_report: Path, img_dir: Path) -> None:
    page = watched.page
    page.goto(sample_report.as_uri())
    page.wait_for_load_state("load")
    _charts_render(page)
    assert page.locator("#gold dd", has_text="v1").count() >= 1  # the gold manifest made it in
    screenshot = img_dir / "report.png"
    page.screenshot(path=str(screenshot), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1800})
    assert screenshot.stat().st_size > 10_000
    # more errors than a page holds: the first page starts with the first extractor's, the last ends with the second's
    assert int(page.locator("#error-table").get_attribute("data-rows") or 0) > PAGE_SIZE
    assert _column(page, "error-table", 0)[0] == "gazetteer"
    page.click('.pager[data-table="error-table"] [data-go=last]')
    assert _column(page, "error-table", 0)[-1] == "rules"
    page.select_option('.filters[data-table="error-table"] select[data-col="0"]', "rules")
    assert set(_column(page, "error-table", 0)) == {"rules"}
    watched.clean()


def test_markup_in_articles_stays_text(watched: Watched, tmp_path: Path) -> None:
    html = render(score_report(), html=tmp_path / "hostile.html")[0]
    page = watched.page
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    _charts_render(page)
    page.fill("#error-table-filter", "pwned")
    marks = page.locator("#error-table tbody tr:not([hidden]) mark")
    assert marks.count() >= 1
    assert marks.first.inner_text() == '<script>alert("pwned")</script>'
    assert page.locator("#error-table script, #error-table img").count() == 0
    watched.clean()


def test_agreement_report(watched: Watched, tmp_path: Path) -> None:
    html = render(agreement_report(), html=tmp_path / "agreement.html")[0]
    page = watched.page
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    _charts_render(page)
    total = len(_column(page, "disagreement-table", 0))
    page.locator("#disagreement-table thead th", has_text="Kind").click()
    kinds = _column(page, "disagreement-table", 1)
    assert kinds == sorted(kinds)
    page.select_option('.filters[data-table="disagreement-table"] select[data-col="1"]', "event")
    assert 0 < len(_column(page, "disagreement-table", 1)) < total
    assert set(_column(page, "disagreement-table", 1)) == {"event"}
    watched.clean()


# ---------------------------------------------------------------------------
# a report with 100,000 errors: the paged error table
# ---------------------------------------------------------------------------

BIG = 100_000
OFFSETS, TEXT = 7, 8


@dataclass(frozen=True)
class BigReport:
    """The page of a report with :data:`BIG` errors and its error rows (as the page embeds them)."""

    html: Path
    rows: list[list[object]]

    def text(self, i: int, col: int) -> str:
        """Cell ``col`` of row ``i`` as the page shows it."""
        value = self.rows[i][col]
        if isinstance(value, str):
            return value.strip()
        assert isinstance(value, list)
        if col == OFFSETS:
            return str(value[0]).strip()
        left, unit, right, detail = (str(v) for v in value)
        snippet = left + unit + right
        return (f"{snippet} ({detail})" if detail else snippet).strip() if snippet else detail.strip()

    def search_text(self, i: int) -> str:
        return "\n".join(self.text(i, c) for c in range(len(self.rows[i]))).lower()

    def sort_key(self, i: int, col: int) -> float | str:
        if col == OFFSETS:
            start = self.rows[i][col][1]  # type: ignore[index]
            return float("-inf") if start is None else float(start)
        return self.text(i, col).lower()


@pytest.fixture(scope="module")
def big_report(tmp_path_factory: pytest.TempPathFactory) -> BigReport:
    report = many_errors_report(BIG)
    folder = tmp_path_factory.mktemp("big")
    # a report keeps the first ERROR_SAMPLE_SIZE errors of each kind; raised here so the paged table gets them all
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(eventgold.scoring.report, "ERROR_SAMPLE_SIZE", BIG)
        (folder / "score.json").write_text(report.to_json(), encoding="utf-8")
        assert main(["report", str(folder / "score.json"), "--html", str(folder / "big.html")]) == 0
        rows = json.loads(json.dumps(error_table_rows(report)))
    assert len(rows) == BIG
    return BigReport(folder / "big.html", rows)


def _shown(page: Page) -> list[list[str]]:
    """The cell texts of the error table's rows in the DOM."""
    rows: list[list[str]] = page.eval_on_selector_all(
        "#error-table tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent.trim()))"
    )
    return rows


def _expected(big: BigReport, order: Sequence[int], first: int = 0) -> list[list[str]]:
    return [[big.text(i, c) for c in range(len(big.rows[i]))] for i in order[first : first + PAGE_SIZE]]


def _status(page: Page) -> str:
    return page.locator('.pager[data-table="error-table"] .status').inner_text()


def _count(page: Page) -> str:
    return page.locator('.filters[data-table="error-table"] .count').inner_text()


def _open_big(watched: Watched, big: BigReport) -> Page:
    page = watched.page
    page.goto(big.html.as_uri())
    page.wait_for_load_state("load")
    return page


def test_big_report_opens_on_one_page_of_rows(watched: Watched, big_report: BigReport) -> None:
    page = _open_big(watched, big_report)
    _charts_render(page)
    assert page.locator('.pager[data-table="error-table"]').is_visible()
    assert page.locator("#error-table tbody tr").count() == PAGE_SIZE  # not 100,000
    assert _shown(page) == _expected(big_report, range(BIG))
    assert _count(page) == f"{BIG} of {BIG} shown"
    assert _status(page) == "Rows 1–100 of 100,000 · page 1 of 1,000"
    assert page.locator("[data-go=prev]").is_disabled() and page.locator("[data-go=next]").is_enabled()
    assert page.get_by_text(f"{BIG:,} errors in all").is_visible()
    assert not page.get_by_text("Without JavaScript").is_visible()  # it has run

    page.click("[data-go=next]")
    assert _shown(page) == _expected(big_report, range(BIG), PAGE_SIZE)
    assert _status(page).startswith("Rows 101–200 of 100,000 · page 2 ")
    page.click("[data-go=last]")
    assert _shown(page) == _expected(big_report, range(BIG), BIG - PAGE_SIZE)
    assert _shown(page)[-1][3] == big_report.rows[-1][3]  # the very last error
    assert page.locator("[data-go=next]").is_disabled()
    page.fill('.pager[data-table="error-table"] input.page', "500")
    page.dispatch_event('.pager[data-table="error-table"] input.page', "change")
    assert _shown(page) == _expected(big_report, range(BIG), 499 * PAGE_SIZE)
    page.select_option('.pager[data-table="error-table"] select.size', "1000")
    assert page.locator("#error-table tbody tr").count() == 1000
    assert _status(page) == "Rows 49,001–50,000 of 100,000 · page 50 of 100"
    watched.clean()


def test_big_report_sorts_all_rows(watched: Watched, big_report: BigReport) -> None:
    page = _open_big(watched, big_report)
    big = big_report
    ascending = sorted(range(BIG), key=lambda i: big.sort_key(i, OFFSETS))
    header = page.locator("#error-table thead th", has_text="Offsets")
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert _shown(page) == _expected(big, ascending)
    assert _status(page).startswith("Rows 1–100 of 100,000 · page 1 ")

    header.click()  # descending; ties keep the previous order
    descending = sorted(ascending, key=lambda i: big.sort_key(i, OFFSETS), reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    assert _shown(page) == _expected(big, descending)
    page.click("[data-go=last]")
    assert _shown(page) == _expected(big, descending, BIG - PAGE_SIZE)
    assert _shown(page)[-1][OFFSETS] == big.text(descending[-1], OFFSETS)  # the smallest offset, last

    page.locator("#error-table thead th", has_text="Document").click()  # a text column, from the last sort
    by_doc = sorted(descending, key=lambda i: big.sort_key(i, 3))
    assert _shown(page) == _expected(big, by_doc)
    docs = [r[3] for r in _shown(page)]
    assert docs == sorted(docs, key=str.lower) and len(set(docs)) > 1
    watched.clean()


def test_big_report_filters_all_rows(watched: Watched, big_report: BigReport) -> None:
    page = _open_big(watched, big_report)
    big = big_report
    page.fill("#error-table-filter", NEEDLE)
    needles = [i for i in range(BIG) if NEEDLE in big.search_text(i)]
    assert PAGE_SIZE < len(needles) < 2 * PAGE_SIZE  # two pages
    assert _count(page) == f"{len(needles)} of {BIG} shown"
    assert _shown(page) == _expected(big, needles)
    page.click("[data-go=next]")
    assert _shown(page) == _expected(big, needles, PAGE_SIZE)
    assert _status(page) == f"Rows 101–{len(needles)} of {len(needles)} · page 2 of 2"

    page.fill("#error-table-filter", "")
    page.select_option('.filters[data-table="error-table"] select[data-col="2"]', "wrong_role")
    page.select_option('.filters[data-table="error-table"] select[data-col="0"]', "coder")
    wanted = [i for i in range(BIG) if big.rows[i][2] == "wrong_role" and big.rows[i][0] == "coder"]
    assert _count(page) == f"{len(wanted)} of {BIG} shown" and len(wanted) > PAGE_SIZE
    assert _shown(page) == _expected(big, wanted)  # back on the first page

    page.fill("#error-table-filter", "ceasefire doc-001")  # every word must appear
    both = [i for i in wanted if all(w in big.search_text(i) for w in ("ceasefire", "doc-001"))]
    assert 0 < len(both) < len(wanted) and _shown(page) == _expected(big, both)

    page.select_option('.filters[data-table="error-table"] select[data-col="2"]', "")
    page.select_option('.filters[data-table="error-table"] select[data-col="0"]', "")
    page.fill("#error-table-filter", HOSTILE)  # markup in the data stays text
    hostile = [i for i in range(BIG) if HOSTILE.lower() in big.search_text(i)]
    assert hostile and _shown(page) == _expected(big, hostile)
    marks = page.locator("#error-table tbody mark")
    assert marks.count() == len(hostile) and marks.first.inner_text() == HOSTILE
    assert page.locator("#error-table script, #error-table img").count() == 0

    page.fill("#error-table-filter", "no such words anywhere")
    assert page.locator("#error-table tbody tr").count() == 0
    assert _count(page) == f"0 of {BIG} shown" and _status(page) == "No rows match"
    watched.clean()


def test_big_report_without_javascript(browser: Browser, big_report: BigReport) -> None:
    """No script: the first page of errors, how many there are in all and where all of them are."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(big_report.html.as_uri())
        assert page.locator("#error-table tbody tr").count() == PAGE_SIZE
        assert _shown(page) == _expected(big_report, range(BIG))
        assert not page.locator('.pager[data-table="error-table"]').is_visible()  # its buttons need the script
        note = page.get_by_text(f"{BIG:,} errors in all")
        assert note.is_visible() and "errors.csv" in note.inner_text()
        assert page.get_by_text(f"Without JavaScript the table shows the first {PAGE_SIZE} errors").is_visible()
    finally:
        context.close()
