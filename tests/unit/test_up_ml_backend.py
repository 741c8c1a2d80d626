"""`up --ml-backend` behind another ML backend: one warning line naming the live one, a truthful summary."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from eventgold.commands.up import _live_note, _start_and_connect
from eventgold.labelstudio.ml import connect

from .test_labelstudio_ml import TITLE, URL, FakeLS, backend_health, fake_client

__all__ = ["backend_health"]  # the autouse fixture answering the backends' /health, used here too

RULES = "http://127.0.0.1:9191"
"""Where the fake managed backend of `up` listens."""
RULES_TITLE = "eventgold rules @ 127.0.0.1:9191"


@pytest.fixture
def up_fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend_health: dict[str, dict[str, Any]]) -> FakeLS:
    """`up`'s backend start and Label Studio client, faked: the backend at RULES serves ``rules``."""
    monkeypatch.setenv("EVENTGOLD_HOME", str(tmp_path / ".eventgold"))
    fake = FakeLS(up={URL, RULES})
    backend_health[RULES] = {"status": "UP", "extractor": "rules"}
    started = SimpleNamespace(url=RULES, pid=4242)
    monkeypatch.setattr("eventgold.labelstudio.backend_process.start_backend", lambda *a, **kw: started)
    monkeypatch.setattr("eventgold.labelstudio.client.LabelStudioClient", lambda *a, **kw: fake_client(fake))
    return fake


def test_up_alone_says_live_suggestions_are_on(up_fake: FakeLS, capsys: pytest.CaptureFixture[str]) -> None:
    backend = _start_and_connect("rules", "news", "http://ls.test", "token")
    assert backend["live"] is True and backend["live_backend"] == {"id": 1, "title": RULES_TITLE, "url": RULES}
    assert "warning" not in capsys.readouterr().err
    assert _live_note(backend).startswith("live suggestions are on")


def test_up_behind_another_backend_warns_once_and_names_it(up_fake: FakeLS, capsys: pytest.CaptureFixture[str]) -> None:
    with fake_client(up_fake) as client:  # a user's backend, connected first (interactive)
        connect(client, "news", URL, interactive=True)
    backend = _start_and_connect("rules", "news", "http://ls.test", "token")
    err = capsys.readouterr().err
    assert backend["live"] is False and backend["live_backend"] == {"id": 1, "title": TITLE, "url": URL}
    assert err.count("warning:") == 1 and err.count("\n") == 1  # one line, however long
    assert f"first ML backend '{TITLE}' (id 1, {URL})" in err
    assert f"eventgold ml disconnect --project news --url {URL}" in err
    note = _live_note(backend)
    assert "live suggestions are on" not in note and f"from backend '{TITLE}' (id 1)" in note


def test_live_note_without_live_predictions_says_so() -> None:
    assert "off" in _live_note({"live": False, "live_backend": None})
