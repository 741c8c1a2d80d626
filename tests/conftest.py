"""Shared fixtures: one real Label Studio server per test session, started with eventgold's own server code."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Hypothesis keeps an example database and caches under ./.hypothesis; the tests leave the checkout
# unchanged, so they go to a temporary folder (set before hypothesis is imported).
# The folder is removed when the session ends.
if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
    _hypothesis_dir = tempfile.mkdtemp(prefix="eventgold-hypothesis-")
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = _hypothesis_dir
    atexit.register(shutil.rmtree, _hypothesis_dir, ignore_errors=True)

import pytest
from hypothesis import settings

from eventgold.config import Connection
from eventgold.extractors.base import load_extractor
from eventgold.labelstudio import server
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.ontology import load_ontology

# Hypothesis' 200 ms per-example deadline fails on a busy CI machine without saying anything about
# the code: property tests here check behaviour, and speed is measured in benchmarks/.
settings.register_profile("eventgold", deadline=None, database=None)
settings.load_profile("eventgold")


@dataclass
class LiveServer:
    """A running Label Studio with its admin login (for tests only; the secrets stay out of its repr)."""

    data_dir: Path
    state: server.ServerState
    email: str
    password: str = field(repr=False)
    token: str = field(repr=False)

    @property
    def url(self) -> str:
        return self.state.url

    def connection(self) -> Connection:
        return Connection(url=self.url, api_key=self.token, source="tests")

    def client(self) -> LabelStudioClient:
        return LabelStudioClient(self.connection(), retries=2, backoff=0.2)

    def restart(self) -> None:
        server.stop(self.data_dir)
        self.state = server.start(
            self.data_dir,
            port=self.state.port,
            username=self.email,
            password=self.password,
            token=self.token,
        )


@pytest.fixture(scope="session", autouse=True)
def _workspace_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Local state (a push's listings, credentials) goes to a temporary folder unless a test sets its own.

    Set for the session in ``os.environ`` (not with monkeypatch: a fixture of a wider scope that
    sets ``EVENTGOLD_HOME`` itself would see its value undone after the first test).
    """
    if "EVENTGOLD_HOME" in os.environ:
        yield
        return
    os.environ["EVENTGOLD_HOME"] = str(tmp_path_factory.mktemp("workspace") / ".eventgold")
    try:
        yield
    finally:
        os.environ.pop("EVENTGOLD_HOME", None)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not server.is_installed():
        server.install()
    data_dir = tmp_path_factory.mktemp("labelstudio")
    email, password, token = "admin@example.org", secrets.token_urlsafe(16), secrets.token_hex(20)
    state = server.start(data_dir, username=email, password=password, token=token)
    live = LiveServer(data_dir, state, email, password, token)
    os.environ.pop("LABEL_STUDIO_URL", None)
    os.environ.pop("LABEL_STUDIO_API_KEY", None)
    try:
        yield live
    finally:
        server.stop(data_dir)
        assert not server.status(data_dir).running


@pytest.fixture
def ls_env(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> LiveServer:
    """Point the CLI at the live server through the environment, in a clean working dir."""
    monkeypatch.setenv("LABEL_STUDIO_URL", live_server.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", live_server.token)
    monkeypatch.setenv("EVENTGOLD_HOME", str(tmp_path / ".eventgold"))
    monkeypatch.chdir(tmp_path)
    return live_server


@contextmanager
def running_backend(extractor: str = "rules", api_key: str | None = None) -> Iterator[str]:
    """The extractor served by ``eventgold.mlbackend`` on a free loopback port, in a thread; yields its URL."""
    import uvicorn

    from eventgold.mlbackend import create_app

    ontology = load_ontology()
    app = create_app(load_extractor(extractor, ontology=ontology), ontology, api_key=api_key)
    port = server.free_port()
    backend = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=backend.run, name="ml-backend", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not backend.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the ML backend did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        backend.should_exit = True
        thread.join(15)
