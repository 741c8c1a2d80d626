"""Browser fixtures: one Chromium per session (Debian's, never downloaded), a new context per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Cookie, Dialog, Page, sync_playwright

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
    password: str
    user_id: int


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
def page(browser: Browser, page_errors: PageErrors) -> Iterator[Page]:
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


IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
"""Where the README's screenshots go; created by the tests when missing."""


@pytest.fixture(scope="session")
def img_dir() -> Path:
    IMG.mkdir(parents=True, exist_ok=True)
    return IMG
