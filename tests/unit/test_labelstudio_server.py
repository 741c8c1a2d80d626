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


def test_reprs_hold_no_secret(tmp_path: Path) -> None:
    from tests.conftest import LiveServer

    state = server.ServerState(pid=1, port=8080, data_dir=str(tmp_path), version="x", log="l")
    live = LiveServer(tmp_path, state, "admin@example.org", "pw-SECRET", "tok-SECRET")
    for shown in (repr(live), str(live), repr(state), repr(live.connection()), repr(live.client())):
        assert "pw-SECRET" not in shown and "tok-SECRET" not in shown, shown
    assert "admin@example.org" in repr(live)  # the rest still helps a failing test


def test_server_log_tail_in_an_error_masks_the_password_and_token(tmp_path: Path) -> None:
    log = tmp_path / server.LOG_FILE
    log.write_text("starting\nuser admin password pw-SECRET\nCommandError: token tok-SECRET rejected\n")
    proc = subprocess.Popen(["false"])
    proc.wait()
    state = server.ServerState(pid=proc.pid, port=1, data_dir=str(tmp_path), version="x", log=str(log))
    with pytest.raises(ServerError, match="exited with code 1") as info:
        server._wait_healthy(state, 5, proc, secrets=("pw-SECRET", "tok-SECRET"))
    message = str(info.value)
    assert "password *** | CommandError: token *** rejected" in message
    assert "SECRET" not in message and "\n" not in message
