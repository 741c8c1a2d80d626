"""The managed server's bookkeeping (the real start/stop is in tests/integration)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from eventgold.errors import ServerError
from eventgold.labelstudio import server


@pytest.fixture(autouse=True)
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("EVENTGOLD_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_venv_lives_in_the_cache_dir_named_after_the_pinned_version(cache: Path) -> None:
    assert server.venv_dir() == cache / f"labelstudio-{server.LABEL_STUDIO_VERSION}"
    assert not server.is_installed()


def test_status_without_a_server(tmp_path: Path) -> None:
    st = server.status(tmp_path)
    assert (st.running, st.healthy, st.state) == (False, False, None)
    assert server.stop(tmp_path) is False


def test_stale_state_file_is_not_running_and_stop_cleans_it(tmp_path: Path) -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    state = {"pid": proc.pid, "port": 1, "data_dir": str(tmp_path), "version": "x", "log": "l"}
    (tmp_path / server.STATE_FILE).write_text(json.dumps(state))
    assert server.status(tmp_path).running is False
    assert server.stop(tmp_path) is False
    assert not (tmp_path / server.STATE_FILE).exists()


def test_corrupt_state_file(tmp_path: Path) -> None:
    (tmp_path / server.STATE_FILE).write_text("{nope")
    with pytest.raises(ServerError, match="unreadable server state"):
        server.status(tmp_path)


def test_start_without_install_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match="run `eventgold server install` first"):
        server.start(tmp_path, username="a@x.org", password="p", token="t")


def test_failed_install_gives_one_line_with_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_run(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        failing = "label-studio==" in " ".join(cmd)
        return subprocess.CompletedProcess(
            cmd, 1 if failing else 0, "", "ERROR: Could not find a version (network unreachable)\n" if failing else ""
        )

    monkeypatch.setattr(server.subprocess, "run", fake_run)
    with pytest.raises(ServerError) as info:
        server.install()
    message = str(info.value)
    assert "\n" not in message
    assert "network unreachable" in message and "LABEL_STUDIO_URL" in message
    assert not server.is_installed()
    assert len(calls) == 3


def test_port_in_use_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    monkeypatch.setattr(server, "is_installed", lambda version=server.LABEL_STUDIO_VERSION: True)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            server.start(tmp_path, port=port, username="a", password="b", token="c")
