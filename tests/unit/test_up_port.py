"""`up --port` on a folder whose server port is already fixed: one yellow warning line, the old port kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventgold.cli import main
from eventgold.commands import server as server_commands
from eventgold.config import create_credentials


class Stop(Exception):
    """Raised by the fake ensure_running: the test only needs what `up` did before starting."""


@pytest.mark.parametrize(
    ("stored", "asked", "warned"),
    [(8080, 8792, True), (8080, 8080, False), (8080, None, False), (None, 8792, False)],
)
def test_up_warns_that_the_port_is_fixed_at_the_first_run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stored: int | None,
    asked: int | None,
    warned: bool,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVENTGOLD_HOME", str(tmp_path / ".eventgold"))
    if stored is not None:
        create_credentials(stored)
    ports: list[int | None] = []

    def ensure_running(data_dir: Path | None = None, port: int | None = None, **database: object) -> None:
        assert database == {"database": None, "database_url": None}  # up passes the defaults through
        ports.append(port)
        raise Stop

    monkeypatch.setattr(server_commands, "ensure_running", ensure_running)
    args = ["up", "--no-init"] + ([] if asked is None else ["--port", str(asked)])
    with pytest.raises(Stop):
        main(args)
    raw = capsys.readouterr().err
    err = " ".join(raw.split())
    assert ports == [asked]
    if warned:
        assert raw.count("warning:") == 1 and raw.count("\n") == 1  # one line, however long the path
        assert f"--port {asked} ignored: the port is fixed at the first run" in err
        assert f"using port {stored}" in err
    else:
        assert "warning" not in err


@pytest.mark.parametrize("extractor", ["gazetteer", "rules"])
def test_ml_extractor_without_ml_backend_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], extractor: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVENTGOLD_HOME", str(tmp_path / ".eventgold"))
    monkeypatch.setattr(server_commands, "ensure_running", lambda *a, **kw: pytest.fail("started a server"))
    assert main(["up", "--ml-extractor", extractor]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--ml-extractor needs --ml-backend" in err
    assert list(tmp_path.iterdir()) == []  # nothing made: not even `init`


def test_ml_extractor_with_ml_backend_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVENTGOLD_HOME", str(tmp_path / ".eventgold"))
    monkeypatch.setattr(server_commands, "ensure_running", lambda *a, **kw: pytest.fail("started a server"))
    assert main(["up", "--no-init", "--ml-backend", "--ml-extractor", "no-such-extractor"]) == 2
    assert "unknown extractor 'no-such-extractor'" in capsys.readouterr().err  # loaded before anything starts
