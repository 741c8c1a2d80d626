"""Browser fixtures: one Chromium per session (Debian's, never downloaded), a new context per test."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Cookie, Dialog, Error, Page, sync_playwright

from eventgold.labelstudio.annotators import add_annotators
from tests.conftest import LiveServer

from .ui import login

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Annotator:
    """An annotator account made by ``add_annotators``, with the password from its 0600 file."""

    email: str
    password: str = field(repr=False)
    user_id: int


@pytest.fixture(scope="session")
def failure_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where a failed browser test leaves its page: a screenshot and the DOM (never in the checkout)."""
    return tmp_path_factory.mktemp("browser-failures")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On a failed browser test, save what its pages showed while they are still open (before teardown).

    Any test using ``failure_dir`` (the ``page`` fixture does) and a ``Page``, or an object with a
    ``page``, among its fixtures.
    """
    report = yield
    funcargs = getattr(item, "funcargs", {})
    folder = funcargs.get("failure_dir")
    if report.when == "call" and report.failed and isinstance(folder, Path):
        pages = [v if isinstance(v, Page) else getattr(v, "page", None) for v in funcargs.values()]
        for n, page in enumerate(p for p in pages if isinstance(p, Page) and not p.is_closed()):
            stem = folder / f"{item.name}-{n}".replace("/", "_")
            try:
                page.screenshot(path=f"{stem}.png", full_page=True, timeout=10_000)
                Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            except Error as exc:
                report.sections.append(("browser", f"could not save the page ({page.url}): {exc}"))
                continue
            report.sections.append(("browser", f"{page.url}: saved as {stem}.png and {stem}.html"))
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def annotator(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Annotator:
    pw_file = tmp_path_factory.mktemp("annotators") / "passwords.json"
    (made,) = add_annotators(live_server.client(), ["browser.annotator@example.org"], pw_file)
    passwords = json.loads(pw_file.read_text(encoding="utf-8"))
    assert made.user_id is not None
    return Annotator(made.email, passwords[made.email], made.user_id)


@pytest.fixture(scope="session")
def annotator_cookies(browser: Browser, live_server: LiveServer, annotator: Annotator) -> list[Cookie]:
    """The annotator logs in once through Label Studio's own form; tests reuse the session cookies."""
    context = browser.new_context()
    try:
        page = context.new_page()
        login(page, live_server.url, annotator.email, annotator.password)
        return context.cookies()
    finally:
        context.close()


@dataclass
class PageErrors:
    """Dialogs that fired and uncaught page errors, collected while a test runs."""

    dialogs: list[str]
    errors: list[str]


@pytest.fixture
def page_errors() -> PageErrors:
    return PageErrors([], [])


@pytest.fixture
def page(browser: Browser, page_errors: PageErrors, failure_dir: Path) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    pg = context.new_page()

    def on_dialog(dialog: Dialog) -> None:
        page_errors.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda exc: page_errors.errors.append(str(exc)))
    try:
        yield pg
    finally:
        context.close()


SCREENSHOT_DIR_ENV = "EVENTGOLD_SCREENSHOT_DIR"
"""Where the browser tests save their screenshots; set it to docs/img to regenerate the README's images."""


@pytest.fixture(scope="session")
def img_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The screenshot folder: ``$EVENTGOLD_SCREENSHOT_DIR`` if set, else a pytest temporary folder.

    The tests never write into the checkout unless asked to: ``./run test`` leaves it unchanged.
    """
    chosen = os.environ.get(SCREENSHOT_DIR_ENV)
    if not chosen:
        return tmp_path_factory.mktemp("screenshots")
    folder = Path(chosen).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder
