"""The ``ml`` commands, ``ml-backend`` and ``server status`` on the command line (a fake Label Studio)."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from eventgold.errors import APIError, ConfigError

from .test_labelstudio_ml import BACKEND_KEY, TITLE, URL, FakeLS, backend_health, fake_client

__all__ = ["backend_health"]  # the autouse fixture answering the backends' /health, used here too


@pytest.fixture
def cli_fake(monkeypatch: pytest.MonkeyPatch) -> FakeLS:
    """The ``ml`` commands talking to a fake Label Studio."""
    from eventgold.commands import ml as ml_commands

    fake = FakeLS()
    monkeypatch.setattr(ml_commands, "_client", lambda url, key: fake_client(fake))
    monkeypatch.setattr("eventgold.labelstudio.backend_process.probe_health", lambda url, **kw: False)
    return fake


def _run(args: list[str]) -> tuple[int, str, BaseException | None]:
    from eventgold.commands.ml import app

    result = CliRunner().invoke(app, args)
    return result.exit_code, result.stdout, result.exception


def test_cli_connect_twice_then_status_json(cli_fake: FakeLS) -> None:
    code, out, _ = _run(["connect", "--project", "news", "--url", URL, "--backend-api-key", BACKEND_KEY])
    assert code == 0 and f"connected ML backend '{TITLE}'" in out and BACKEND_KEY not in out
    code, out, _ = _run(["connect", "--project", "news", "--url", URL + "/", "--json", "-"])
    assert code == 0 and json.loads(out)["created"] is False
    code, out, _ = _run(["status", "--project", "news", "--json", "-"])
    [row] = json.loads(out)["backends"]
    assert (row["url"], row["title"], row["state"], row["reachable"]) == (URL, TITLE, "Connected", True)
    cli_fake.up.clear()
    code, out, _ = _run(["status", "--project", "news"])
    assert code == 0 and "Disconnected" in out and "no" in out
    code, out, _ = _run(["disconnect", "--project", "news", "--json", "-"])
    assert json.loads(out)["removed"] == 1 and cli_fake.backends == {}


def test_cli_connect_title_overrides_the_default(cli_fake: FakeLS) -> None:
    code, out, _ = _run(["connect", "--project", "news", "--url", URL, "--title", "rules [live]", "--json", "-"])
    assert code == 0 and json.loads(out)["title"] == "rules [live]"
    code, out, _ = _run(["connect", "--project", "news", "--url", URL])
    assert "updated ML backend 'rules [live]'" in out  # markup-like titles are printed as they are


def test_cli_status_never_cuts_a_long_url(
    cli_fake: FakeLS, backend_health: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from eventgold.console import console

    long_url = "http://annotation-backend.internal.example.org:9090/eventgold/live/pre-annotation/v2"
    cli_fake.up.add(long_url)
    backend_health[long_url] = {"status": "UP", "extractor": "rules"}
    version = "model:models/v1-retrained-2026-12-01T14:37:24+00:00@sha256:0f3a9c"
    cli_fake.model_versions[long_url] = version
    monkeypatch.setattr(console, "_width", 80)
    _run(["connect", "--project", "news", "--url", long_url])
    code, out, _ = _run(["status", "--project", "news"])
    assert code == 0 and "…" not in out and max(len(line) for line in out.splitlines()) <= 80
    cells = [line.split("│") for line in out.splitlines() if line.count("│") == 8]
    assert long_url in "".join(c[3].strip() for c in cells)  # the URL column, folded over lines
    title = f"eventgold rules @ {long_url.split('://')[1]}"
    assert title.replace(" ", "") in "".join(c[2] for c in cells).replace(" ", "")  # wrapped at its spaces
    assert version in "".join(c[6].strip() for c in cells)  # the model version too
    _, out, _ = _run(["status", "--project", "news", "--json", "-"])
    [row] = json.loads(out)["backends"]
    assert (row["url"], row["model_version"], row["live"]) == (long_url, version, False)  # not --interactive


def test_cli_status_without_backends_says_how_to_connect(cli_fake: FakeLS) -> None:
    code, out, _ = _run(["status", "--project", "news"])
    assert code == 0 and "eventgold ml connect" in out


def test_cli_connect_interactive_behind_another_backend_warns_naming_it(
    cli_fake: FakeLS, backend_health: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from eventgold import cli

    other = "http://127.0.0.1:9191"
    cli_fake.up.add(other)
    backend_health[other] = {"status": "UP", "extractor": "gazetteer"}
    assert cli.main(["ml", "connect", "--project", "news", "--url", URL, "--interactive"]) == 0
    out, err = capsys.readouterr()
    assert "annotators get its predictions live" in out and err == ""
    assert cli.main(["ml", "connect", "--project", "news", "--url", other, "--interactive"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("warning: ") and err.count("\n") == 1  # one line
    assert f"first ML backend '{TITLE}' (id 1, {URL})" in err
    assert f"eventgold ml disconnect --project news --url {URL}" in err
    line = " ".join(out.split())
    assert "its predictions live" not in line and f"live predictions from backend '{TITLE}' (id 1) instead" in line
    assert cli.main(["ml", "connect", "--project", "news", "--url", other, "--interactive", "--json", "-"]) == 0
    out, err = capsys.readouterr()
    info = json.loads(out)
    assert info["live"] is False and info["live_backend"] == {"id": 1, "title": TITLE, "url": URL}
    assert err.count("warning: ") == 1
    assert cli.main(["ml", "connect", "--project", "news", "--url", other]) == 0  # not --interactive: no claim
    out, err = capsys.readouterr()
    assert err == "" and "live" not in out.split("\n")[0]
    assert cli.main(["ml", "status", "--project", "news"]) == 0
    out = capsys.readouterr().out
    lives = [line.split("│")[7].strip() for line in out.splitlines() if line.count("│") == 8]
    assert [v for v in lives if v] == ["yes", "no"]
    assert "live predictions come from backend 1 only" in out
    assert cli.main(["ml", "status", "--project", "news", "--json", "-"]) == 0
    rows = json.loads(capsys.readouterr().out)["backends"]
    assert [(r["id"], r["live"]) for r in rows] == [(1, True), (2, False)]


def test_cli_retrieve_json(cli_fake: FakeLS) -> None:
    _run(["connect", "--project", "news", "--url", URL])
    code, out, _ = _run(["retrieve", "--project", "news", "--json", "-"])
    assert code == 0
    assert {k: v for k, v in json.loads(out).items() if k != "schema_version"} == {
        "project": "news",
        "tasks_with_prediction": 3,
        "tasks_with_prediction_before": 0,
        "backend": {"id": 1, "title": TITLE, "url": URL, "model_version": "rules@0.3"},
        "other_backends": 0,
    }


def test_cli_retrieve_names_the_backend_and_what_the_call_fetched(cli_fake: FakeLS) -> None:
    cli_fake.up.add("http://127.0.0.1:9191")
    _run(["connect", "--project", "news", "--url", URL])
    _run(["connect", "--project", "news", "--url", "http://127.0.0.1:9191"])
    cli_fake.predictions.append({"task": 2, "model_version": "rules@0.3", "result": []})
    code, out, _ = _run(["retrieve", "--project", "news"])
    line = " ".join(out.split())
    assert code == 0 and out.count("\n") == 1
    assert f"asked ML backend '{TITLE}' (id 1, {URL}, model version rules@0.3)" in line
    assert "3 task(s) of project 'news' hold one now, 1 before" in line
    assert "not the project's 1 other(s)" in line


def test_cli_refusal_is_an_eventgold_error(cli_fake: FakeLS) -> None:
    cli_fake.up.clear()
    _, _, exc = _run(["connect", "--project", "news", "--url", URL, "--backend-api-key", BACKEND_KEY])
    assert isinstance(exc, APIError) and "\n" not in str(exc) and BACKEND_KEY not in str(exc)


def test_cli_errors_are_one_line_exit_2(cli_fake: FakeLS, capsys: pytest.CaptureFixture[str]) -> None:
    from eventgold import cli

    cli_fake.up.clear()
    assert cli.main(["ml", "connect", "--project", "news", "--url", URL, "--backend-api-key", BACKEND_KEY]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and BACKEND_KEY not in err


def test_cli_ssrf_refusal_says_what_to_do_without_internal_names(
    cli_fake: FakeLS, capsys: pytest.CaptureFixture[str]
) -> None:
    from eventgold import cli

    cli_fake.block_local = True
    assert cli.main(["ml", "connect", "--project", "news", "--url", URL]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "give a --url it may reach" in err and "eventgold up" in err
    assert "ML_BLOCK_LOCAL_IP" not in err and "LOOPBACK_ML_ENV" not in err and "eventgold.labelstudio" not in err


def test_cli_connect_reads_the_backend_key_from_the_environment(cli_fake: FakeLS) -> None:
    from eventgold.commands.ml import BACKEND_KEY_ENV, app

    result = CliRunner().invoke(
        app, ["connect", "--project", "news", "--url", URL, "--json", "-"], env={BACKEND_KEY_ENV: BACKEND_KEY}
    )
    assert result.exit_code == 0 and json.loads(result.stdout)["auth"] is True
    [backend] = cli_fake.backends.values()
    assert backend["basic_auth_pass"] == BACKEND_KEY and BACKEND_KEY not in result.stdout


# -- ml-backend ----------------------------------------------------------------


def _ml_backend_app() -> typer.Typer:
    from eventgold.commands.ml import ml_backend

    app = typer.Typer()
    app.command()(ml_backend)
    return app


def test_cli_ml_backend_serves_the_named_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    import eventgold.mlbackend

    calls: list[dict[str, Any]] = []

    def serve(ex: Any, onto: Any, **kw: Any) -> None:
        calls.append({"name": ex.name, "onto": onto, **kw})
        kw["on_listening"]("http://127.0.0.1:9191")

    monkeypatch.setattr(eventgold.mlbackend, "serve", serve)
    result = CliRunner().invoke(_ml_backend_app(), ["-e", "rules", "--port", "9191", "--api-key", BACKEND_KEY])
    assert result.exit_code == 0, result.output
    [call] = calls
    assert (call["name"], call["host"], call["port"], call["api_key"]) == ("rules", "127.0.0.1", 9191, BACKEND_KEY)
    assert "serving rules to Label Studio at http://127.0.0.1:9191" in result.output
    assert BACKEND_KEY not in result.output


def test_cli_ml_backend_on_port_0_prints_the_bound_port(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    ran: list[int] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: ran.append(sockets[0].getsockname()[1]))
    result = CliRunner().invoke(_ml_backend_app(), ["-e", "rules", "--port", "0"])
    assert result.exit_code == 0, result.output
    [port] = ran
    assert port != 0 and f"serving rules to Label Studio at http://127.0.0.1:{port}\n" in result.output


@pytest.mark.parametrize(
    ("args", "part"),
    [
        (["--host", "0.0.0.0"], "API key"),
        (["--port", "70000"], "port must be between"),
        (["--log-level", "loud"], "unknown log level"),
        (["-e", "no-such-extractor"], "no-such-extractor"),
    ],
)
def test_cli_ml_backend_refusal_prints_no_serving_line(
    monkeypatch: pytest.MonkeyPatch, args: list[str], part: str
) -> None:
    import eventgold.mlbackend

    monkeypatch.delenv("EVENTGOLD_ML_BACKEND_KEY", raising=False)
    monkeypatch.setattr(eventgold.mlbackend, "serve", lambda *a, **kw: pytest.fail("served"))
    result = CliRunner().invoke(_ml_backend_app(), ["-e", "rules", *args])
    assert isinstance(result.exception, ConfigError) and part in str(result.exception)
    assert "serving" not in result.output


@pytest.mark.parametrize(
    ("host", "port", "key", "level", "part"),
    [
        ("0.0.0.0", 9090, None, "info", "serve it with an API key"),
        ("192.168.1.20", 9090, "", "info", "serve it with an API key"),
        ("127.0.0.1", 65536, None, "info", "port must be between 0 and 65535, got 65536"),
        ("::1", -1, None, "info", "got -1"),
        ("localhost", 0, None, "INFO", "unknown log level 'INFO'"),
    ],
)
def test_check_serve_options_refuses(host: str, port: int, key: str | None, level: str, part: str) -> None:
    from eventgold.mlbackend.server import check_serve_options

    with pytest.raises(ConfigError, match=part):
        check_serve_options(host, port, key, level)


@pytest.mark.parametrize(("host", "port"), [("127.0.0.1", 0), ("0.0.0.0", 9090), ("::1", 65535), ("localhost", 1)])
def test_check_serve_options_accepts(host: str, port: int) -> None:
    from eventgold.mlbackend.server import check_serve_options

    check_serve_options(host, port, "a-key", "warning")


@pytest.mark.parametrize(
    ("host", "url"),
    [("127.0.0.1", "http://127.0.0.1:9090"), ("::1", "http://[::1]:9090"), ("[::1]", "http://[::1]:9090")],
)
def test_listening_url(host: str, url: str) -> None:
    from eventgold.mlbackend.server import listening_url

    assert listening_url(host, 9090) == url


def test_cli_ml_backend_on_a_port_in_use_prints_no_serving_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(_ml_backend_app(), ["-e", "rules", "--port", str(port)])
    assert isinstance(result.exception, ConfigError) and f"cannot listen on 127.0.0.1:{port}" in str(result.exception)
    assert "serving" not in result.output


# -- server status ---------------------------------------------------------------


def test_server_status_json_has_the_ml_backends_pid(tmp_path: Path) -> None:
    from eventgold.commands.server import app
    from eventgold.labelstudio.backend_process import BACKEND_STATE_FILE

    with socket.socket() as probe:  # a port nothing answers on: running, not healthy
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = {"pid": os.getpid(), "port": port, "extractor": "rules", "log": str(tmp_path / "ml-backend.log")}
    (tmp_path / BACKEND_STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    result = CliRunner().invoke(app, ["status", "--data-dir", str(tmp_path), "--json", "-"])
    assert result.exit_code == 0, result.output
    backend = json.loads(result.stdout)["ml_backend"]
    assert backend == {
        "running": True,
        "healthy": False,
        "url": f"http://127.0.0.1:{port}",
        "pid": os.getpid(),
        "extractor": "rules",
    }


@pytest.mark.parametrize(
    ("args", "part"),
    [
        (["--retrain", "5"], "--retrain needs a model: extractor (e.g. -e model:models/v1), not 'rules'"),
        (["--ls-url", "http://127.0.0.1:8080"], "are for --retrain N"),
        (["--retrain-dir", "somewhere"], "are for --retrain N"),
        (["--retrain-gold", "exports/gold/v1"], "are for --retrain N"),
    ],
)
def test_cli_ml_backend_retrain_options_are_checked_before_serving(
    monkeypatch: pytest.MonkeyPatch, args: list[str], part: str
) -> None:
    import eventgold.mlbackend

    monkeypatch.setattr(eventgold.mlbackend, "serve", lambda *a, **kw: pytest.fail("served"))
    result = CliRunner().invoke(_ml_backend_app(), ["-e", "rules", *args])
    assert isinstance(result.exception, ConfigError) and part in str(result.exception)
    assert "serving" not in result.output


def test_the_readme_gives_the_loopback_settings_the_managed_server_uses() -> None:
    from eventgold.labelstudio.ml import LOOPBACK_ML_ENV

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for name, value in LOOPBACK_ML_ENV.items():
        assert f"{name}={value}\n" in readme
