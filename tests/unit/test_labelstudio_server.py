"""The managed server's bookkeeping (the real start/stop is in tests/integration)."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from eventgold.errors import ServerError
from eventgold.labelstudio import backend_process, server


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
        server.wait_healthy(state.url, "Label Studio", state.log, 5, proc, secrets=("pw-SECRET", "tok-SECRET"))
    message = str(info.value)
    assert "password *** | CommandError: token *** rejected" in message
    assert "SECRET" not in message and "\n" not in message


def test_label_studio_starts_allowing_ml_backends_on_loopback_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventgold.labelstudio.ml import LOOPBACK_ML_ENV

    seen: dict[str, str] = {}

    def fake_popen(cmd: list[str], *, env: dict[str, str], **_: object) -> None:
        seen.update(env)
        raise OSError(2, "no such file")

    monkeypatch.setattr(server, "is_installed", lambda version=server.LABEL_STUDIO_VERSION: True)
    monkeypatch.setattr(server.subprocess, "Popen", fake_popen)
    with pytest.raises(ServerError, match="cannot start"):
        server.start(tmp_path, username="a", password="b", token="c")
    assert {k: seen[k] for k in LOOPBACK_ML_ENV} == LOOPBACK_ML_ENV
    assert "127.0.0.0/8" not in seen["USER_ADDITIONAL_BANNED_SUBNETS"]
    assert "10.0.0.0/8" in seen["USER_ADDITIONAL_BANNED_SUBNETS"]


def test_old_state_files_without_the_loopback_flag_still_read(tmp_path: Path) -> None:
    state = {"pid": 1, "port": 1, "data_dir": str(tmp_path), "version": "x", "log": "l"}
    (tmp_path / server.STATE_FILE).write_text(json.dumps(state))
    got = server.read_state(tmp_path)
    assert got is not None and got.ml_loopback is False


def test_no_ml_backend_recorded(tmp_path: Path) -> None:
    st = backend_process.backend_status(tmp_path)
    assert (st.running, st.healthy, st.state) == (False, False, None)
    assert backend_process.stop_backend(tmp_path) is False


def test_corrupt_ml_backend_state(tmp_path: Path) -> None:
    (tmp_path / backend_process.BACKEND_STATE_FILE).write_text("[1")
    with pytest.raises(ServerError, match="unreadable ML backend state"):
        backend_process.backend_status(tmp_path)


@pytest.mark.parametrize("pid", [None, "dead"])
def test_a_stopped_ml_backend_is_not_running_and_keeps_its_port(tmp_path: Path, pid: str | None) -> None:
    if pid == "dead":
        proc = subprocess.Popen(["true"])
        proc.wait()
    record = {"pid": proc.pid if pid else None, "port": 4321, "extractor": "rules", "log": "l"}
    (tmp_path / backend_process.BACKEND_STATE_FILE).write_text(json.dumps(record))
    assert backend_process.backend_status(tmp_path).running is False
    assert backend_process.stop_backend(tmp_path) is False
    kept = backend_process.read_backend_state(tmp_path)
    assert kept is not None and (kept.pid, kept.port) == (None, 4321)


def test_server_stop_stops_its_ml_backend_too(tmp_path: Path) -> None:
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    record = {"pid": proc.pid, "port": 4321, "extractor": "rules", "log": "l"}
    (tmp_path / backend_process.BACKEND_STATE_FILE).write_text(json.dumps(record))
    assert backend_process.backend_status(tmp_path).running
    assert server.stop(tmp_path) is False  # no Label Studio was running
    assert proc.wait(5) is not None
    assert not backend_process.backend_status(tmp_path).running


def test_an_ml_backend_that_cannot_start_says_why(tmp_path: Path) -> None:
    with pytest.raises(ServerError, match=r"ML backend \(no-such-extractor\) exited with code 2.*no-such-extractor"):
        backend_process.start_backend(tmp_path, "no-such-extractor", timeout=60)
    st = backend_process.backend_status(tmp_path)
    assert not st.running and st.state is not None and st.state.pid is None


def test_ml_backend_starts_is_reused_and_stops(tmp_path: Path) -> None:
    first = backend_process.start_backend(tmp_path, "rules", timeout=60)
    try:
        assert server.healthy(first.url)
        assert backend_process.start_backend(tmp_path, "rules") == first  # already running: reused
        assert (tmp_path / backend_process.BACKEND_LOG_FILE).is_file()
    finally:
        assert backend_process.stop_backend(tmp_path) is True
    assert not server.healthy(first.url, timeout=0.5)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", first.port)) != 0
