"""``eventgold up`` end to end: its own local Label Studio, the samples pushed, a second run reuses all.

This starts a second server (the README's main job on the embedded default), separate from the
session's ``live_server``: ``up`` owns the server of its workspace. The second run adds
``--ml-backend`` (the backend started beside the server and connected), a third one reuses it,
and ``server stop`` stops both.
"""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.config import Connection, credentials_path, load_credentials, server_data_dir
from eventgold.labelstudio import server
from eventgold.labelstudio.backend_process import backend_status
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.resources import packaged_samples

SAMPLES = packaged_samples() / "articles"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / ".eventgold"
    monkeypatch.setenv("EVENTGOLD_HOME", str(home))
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    try:
        yield home
    finally:
        server.stop(server_data_dir())


def _up(out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict[str, Any], str]:
    code = main(["up", "--articles", str(SAMPLES), "--json", str(out), *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(out.read_text(encoding="utf-8")), captured.out + captured.err


def test_up_twice_reuses_server_project_and_tasks(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, printed = _up(tmp_path / "up1.json", capsys)
    creds = load_credentials()
    assert creds is not None
    assert stat.S_IMODE(credentials_path().stat().st_mode) == 0o600
    assert stat.S_IMODE(server_data_dir().stat().st_mode) == 0o700, "the server's database holds the token"
    assert creds.token not in printed and creds.password not in printed
    assert creds.email in printed and str(first["project_url"]) in printed
    assert first["tasks_created"] == 5 and first["articles"] == 5
    pid = server.status(server_data_dir()).state
    assert pid is not None

    client = LabelStudioClient(Connection(url=str(first["url"]), api_key=creds.token, source="tests"))
    project_id = int(str(first["project_url"]).split("/projects/")[1].split("/")[0])
    tasks = list(client.iter_tasks(project_id))
    assert len(tasks) == 5
    assert {t["data"]["doc_id"] for t in tasks} == {p.stem for p in SAMPLES.glob("*.txt")}
    detail = client.get_json(f"/api/tasks/{tasks[0]['id']}")
    assert detail["predictions"], "the built-in extractors' pre-annotations were pushed"

    second, printed = _up(tmp_path / "up2.json", capsys, "--ml-backend")
    assert second["tasks_created"] == 0 and second["tasks_unchanged"] == 5
    assert (first["tasks_listed"], second["tasks_listed"]) == ("full", "incremental")  # .eventgold/listings/
    assert second["project_url"] == first["project_url"]
    state = server.status(server_data_dir()).state
    assert state is not None and state.pid == pid.pid
    assert "password was generated" not in printed
    assert creds.token not in printed and creds.password not in printed
    assert len(list(client.iter_tasks(project_id))) == 5

    backend = second["ml_backend"]
    assert (backend["extractor"], backend["created"], backend["live"]) == ("rules", True, True)
    assert backend["url"] in printed and "live suggestions are on" in printed
    running = backend_status(server_data_dir())
    assert running.running and running.healthy and running.state is not None
    assert running.state.url == backend["url"]
    assert first["ml_backend"] is None

    third, _ = _up(tmp_path / "up3.json", capsys, "--ml-backend")
    assert (third["ml_backend"]["url"], third["ml_backend"]["pid"]) == (backend["url"], backend["pid"])
    assert third["ml_backend"]["created"] is False
    assert main(["ml", "status", "--project", "eventgold", "--json", str(tmp_path / "ml.json")]) == 0
    [row] = json.loads((tmp_path / "ml.json").read_text(encoding="utf-8"))["backends"]
    assert (row["url"], row["state"], row["reachable"]) == (backend["url"], "Connected", True)

    assert main(["server", "stop"]) == 0
    assert not server.status(server_data_dir()).running
    assert not backend_status(server_data_dir()).running
    port = int(backend["url"].rsplit(":", 1)[1])
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0, "the ML backend's port is closed"
