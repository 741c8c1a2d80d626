"""The HTML report in headless Chromium: no console errors, charts render, table sorting and filtering work.

Needs no Label Studio: reports are made by ``eventgold score --html`` (the
scoring fixture; the sample gold ``samples/gold/v1`` against the built-in
extractors) and opened from disk. Saves the README screenshot of the sample
gold report (``report.png`` in the ``img_dir`` fixture's folder: a temporary one, or
``$EVENTGOLD_SCREENSHOT_DIR``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request

from eventgold.cli import main
from eventgold.report import render
from tests.unit.report_fixtures import agreement_report, score_report

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
    """A working directory outside the checkout whose ``samples`` is the checkout's (read only).

    The CLI runs there with relative paths, as a user would type them (they show in the report),
    and anything it might write next to them stays out of the checkout.
    """
    folder = tmp_path_factory.mktemp("workdir")
    (folder / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
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
    assert set(_column(page, "error-table", 0)) == {"gazetteer", "rules"}
    screenshot = img_dir / "report.png"
    page.screenshot(path=str(screenshot), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1800})
    assert screenshot.stat().st_size > 10_000
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
