"""The managed local Label Studio server, in its own virtual environment.

Label Studio's pins (Django, pytz<2023, an exact label-studio-sdk, numpy,
pyarrow) clash with ordinary NLP libraries, so it never goes into eventgold's
environment. This module owns that separate venv (in the user cache dir), the
server process, its pid/state file, port and data dir. ``eventgold server``,
``eventgold up`` and the integration-test fixture all use exactly this code.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from eventgold.errors import APIError, LabelStudioError, Option, ServerError
from eventgold.fileio import atomic_write_text
from eventgold.labelstudio import postgres
from eventgold.labelstudio.ml import LOOPBACK_ML_ENV
from eventgold.redact import redact_text

LABEL_STUDIO_VERSION = "1.23.2"
"""The one pinned Label Studio version the managed server runs."""

STATE_FILE = "eventgold-server.json"
LOG_FILE = "label-studio.log"
_INSTALLED_MARKER = ".eventgold-installed"


def cache_dir() -> Path:
    """eventgold's cache dir: ``EVENTGOLD_CACHE_DIR``, else ``$XDG_CACHE_HOME/eventgold``."""
    env = os.environ.get("EVENTGOLD_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eventgold"


def venv_dir(version: str = LABEL_STUDIO_VERSION) -> Path:
    """Where the server's virtual environment for ``version`` lives."""
    return cache_dir() / f"labelstudio-{version}"


def label_studio_executable(version: str = LABEL_STUDIO_VERSION) -> Path:
    """The ``label-studio`` entry point inside the server venv."""
    return venv_dir(version) / "bin" / "label-studio"


def is_installed(version: str = LABEL_STUDIO_VERSION) -> bool:
    """Whether the server venv for ``version`` finished installing."""
    return (venv_dir(version) / _INSTALLED_MARKER).is_file() and label_studio_executable(version).is_file()


def install(
    version: str = LABEL_STUDIO_VERSION,
    *,
    force: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> Path:
    """Create the server venv and install ``label-studio==version`` into it.

    Idempotent: an installed venv is reused unless ``force``. Raises ServerError
    with one line saying what to do when pip cannot install (e.g. no network).
    """
    target = venv_dir(version)
    if is_installed(version) and not force:
        return target
    step = on_step or (lambda _msg: None)
    target.parent.mkdir(parents=True, exist_ok=True)
    marker = target / _INSTALLED_MARKER
    marker.unlink(missing_ok=True)
    python = target / "bin" / "python"
    commands = [
        (f"creating the server environment in {target}", [sys.executable, "-m", "venv", "--clear", str(target)]),
        ("upgrading pip there", [str(python), "-m", "pip", "install", "-q", "-U", "pip"]),
        (
            f"installing label-studio=={version} (about 90 s)",
            [str(python), "-m", "pip", "install", "-q", f"label-studio=={version}"],
        ),
    ]
    for message, cmd in commands:
        step(message)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise ServerError(f"cannot run {cmd[0]}: {exc.strerror}") from exc
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and "WARNING" not in ln]
            last = lines[-1] if lines else f"exit code {proc.returncode}"
            raise ServerError(
                f"could not install label-studio=={version} into {target} ({last}); check that "
                "PyPI is reachable and retry `eventgold server install`, or set LABEL_STUDIO_URL "
                "and LABEL_STUDIO_API_KEY to use an existing server"
            )
    marker.write_text(version + "\n", encoding="utf-8")
    return target


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServerState:
    """What a running managed server is: its process, address, data dir and version."""

    pid: int
    port: int
    data_dir: str
    version: str
    log: str
    ml_loopback: bool = False
    """Started with :data:`LOOPBACK_ML_ENV` (it accepts ML backends on 127.0.0.1); False for older servers."""
    database: dict[str, object] | None = None
    """Its database (:func:`eventgold.labelstudio.postgres.describe`, no secrets); None for older servers (SQLite)."""

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"


def _state_path(data_dir: Path) -> Path:
    return data_dir / STATE_FILE


def read_state(data_dir: str | Path) -> ServerState | None:
    """The recorded state of the server of ``data_dir``, or None when none is recorded."""
    path = _state_path(Path(data_dir))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return ServerState(**raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise ServerError(
            f"{path}: unreadable server state ({exc}); remove it and run `eventgold server start`"
        ) from exc


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0): reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    return True


def healthy(url: str, timeout: float = 2.0) -> bool:
    """Whether the server at ``url`` answers ``/health`` with 200."""
    try:
        return httpx.get(f"{url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except (httpx.HTTPError, httpx.InvalidURL):
        return False


@dataclass(frozen=True)
class ServerStatus:
    """Whether the managed server of a data dir runs, and where."""

    running: bool
    healthy: bool
    state: ServerState | None


def status(data_dir: str | Path) -> ServerStatus:
    """Report on the managed server of ``data_dir`` (process alive, ``/health`` answers)."""
    state = read_state(data_dir)
    if state is None or not process_alive(state.pid):
        return ServerStatus(running=False, healthy=False, state=state)
    return ServerStatus(running=True, healthy=healthy(state.url), state=state)


def start(
    data_dir: str | Path,
    *,
    port: int | None = None,
    username: str,
    password: str,
    token: str,
    version: str = LABEL_STUDIO_VERSION,
    timeout: float = 240.0,
    on_step: Callable[[str], None] | None = None,
    database: postgres.Database = None,
) -> ServerState:
    """Start Label Studio on 127.0.0.1 for ``data_dir`` and wait until ``/health`` answers.

    ``database``: None for the embedded SQLite (in the data dir), a
    :class:`~eventgold.labelstudio.postgres.PostgresTarget` for an existing PostgreSQL database, or a
    :class:`~eventgold.labelstudio.postgres.ManagedCluster` that is initialised and started first. A data
    dir keeps the database of its first successful start (recorded once Label Studio answered and took
    ``token``): another one is refused (UserError).
    Reuses a server already running for the same data dir. The admin user,
    password and legacy API token are passed through the environment (never on
    the command line, where ``ps`` would show them); open sign-up is disabled.
    Raises ServerError when the venv is missing, the port is taken, the
    server dies or does not answer within ``timeout`` seconds, or it refuses ``token`` (its
    database already has another eventgold set-up's admin); the process it started is then stopped.
    """
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    data.chmod(0o700)  # Label Studio's database holds the API token and password hashes
    current = status(data)
    running = current.state if current.running else None
    postgres.check_unchanged(data, database, running=(running.database or postgres.describe(None)) if running else None)
    if running is not None:
        if not current.healthy:
            wait_healthy(running.url, "Label Studio", running.log, timeout, None, secrets=(password, token))
        if postgres.read_record(data) is None:  # its first start was interrupted after Label Studio started
            postgres.write_record(data, database)
        return running
    if not is_installed(version):
        raise ServerError(
            f"the Label Studio server environment is not installed ({venv_dir(version)}); "
            "run `eventgold server install` first"
        )
    chosen = port or free_port()
    if not port_free(chosen):
        raise ServerError(f"port {chosen} on 127.0.0.1 is already in use; pass another ", Option("port"))
    step = on_step or (lambda _m: None)
    first = postgres.read_record(data) is None  # (a SQLite file from before the record counts as recorded)
    if isinstance(database, postgres.ManagedCluster):
        step(f"starting PostgreSQL in {database.folder}")
    db_env = postgres.prepare(data, database)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LABEL_STUDIO_", "DJANGO_", "POSTGRE_"))},
        "LABEL_STUDIO_USERNAME": username,
        "LABEL_STUDIO_PASSWORD": password,
        "LABEL_STUDIO_USER_TOKEN": token,
        "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
        "LABEL_STUDIO_BASE_DATA_DIR": str(data),
        "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
        "LABEL_STUDIO_LOCAL_FILES_SERVING_ENABLED": "false",
        "SENTRY_DSN": "",
        "FRONTEND_SENTRY_DSN": "",
        "COLLECT_ANALYTICS": "false",
        # Its SSRF protection refuses ML backends on loopback, so `up --ml-backend` (a backend on
        # 127.0.0.1) could not connect; this opens loopback only, every other reserved network stays refused.
        **LOOPBACK_ML_ENV,
        **db_env,
    }
    log_path = data / LOG_FILE
    cmd = [
        str(label_studio_executable(version)),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(chosen),
        "--data-dir",
        str(data),
    ]
    step(f"starting Label Studio {version} on 127.0.0.1:{chosen}")
    proc = spawn(cmd, log_path, env, data, what="Label Studio")
    state = ServerState(
        pid=proc.pid, port=chosen, data_dir=str(data), version=version, log=str(log_path), ml_loopback=True,
        database=postgres.describe(database),
    )  # fmt: skip
    atomic_write_text(_state_path(data), json.dumps(state.__dict__, indent=2, allow_nan=False) + "\n")
    try:
        secrets = (password, token, db_env.get("POSTGRE_PASSWORD", ""))
        wait_healthy(state.url, "Label Studio", state.log, timeout, proc, secrets=secrets)
        if not token_accepted(state.url, token):
            raise _belongs_elsewhere(data, database)
    except LabelStudioError:
        terminate(proc.pid)
        _state_path(data).unlink(missing_ok=True)
        postgres.release(data, state.database)
        if first and database is None:  # made by this failed start: it must not fix the choice to SQLite
            (data / postgres.SQLITE_FILE).unlink(missing_ok=True)
        raise
    postgres.write_record(data, database)
    return state


def _belongs_elsewhere(data: Path, database: postgres.Database) -> ServerError:
    db = postgres.describe(database)
    where = db["url"] or (f"the PostgreSQL cluster in {db['cluster']}" if db["cluster"] else f"the SQLite of {data}")
    return ServerError(
        f"the database {where} already belongs to another eventgold set-up (another Label Studio admin and API "
        "token; it refused this one's): start with that set-up's .eventgold/credentials, or give an empty database"
    )


def token_accepted(url: str, token: str, *, http: httpx.Client | None = None) -> bool:
    """Whether the Label Studio at ``url`` takes ``token`` (``GET /api/current-user/whoami``).

    Returns:
        False when it answers HTTP 401 or 403 (the token belongs to no user of its database).
    Raises:
        LabelStudioError: any other failure of the request.
    """
    from eventgold.config import Connection
    from eventgold.labelstudio.client import LabelStudioClient

    try:
        with LabelStudioClient(Connection(url, token, "eventgold server"), http=http, retries=2, backoff=0.5) as client:
            client.whoami()
    except APIError as exc:
        if exc.status in (401, 403):
            return False
        raise
    return True


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the server itself: a closed connection in TIME_WAIT does not block the port.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def log_tail(path: str, lines: int = 3, secrets: Iterable[str] = ()) -> str:
    """The last useful lines of the server log, one line, with ``secrets`` masked."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    useful = [ln for ln in text if ln.strip() and "WARNING" not in ln][-lines:]
    return redact_text(" | ".join(useful), secrets)


def spawn(cmd: list[str], log_path: Path, env: dict[str, str], cwd: Path, *, what: str) -> subprocess.Popen[bytes]:
    """Start ``cmd`` in its own session (so :func:`terminate` stops its children too), output appended to ``log_path``.

    Raises:
        ServerError: it cannot be started (naming ``what`` and why).
    """
    with log_path.open("ab") as log:
        try:
            return subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(cwd),
                start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            raise ServerError(f"cannot start {what} ({cmd[0]}): {exc.strerror}") from exc


def wait_healthy(
    url: str,
    what: str,
    log: str,
    timeout: float,
    proc: subprocess.Popen[bytes] | None,
    *,
    secrets: Iterable[str] = (),
    poll: float = 0.5,
) -> None:
    """Wait until ``url`` answers ``/health``.

    Args:
        url: the server's base URL.
        what: what it is, for the messages ("Label Studio", "the ML backend (rules)").
        log: its log file, named and quoted (its last lines, secrets redacted) when it fails.
        timeout: seconds to wait.
        proc: the process just started (its early exit is reported), or None.
        secrets: texts to redact from the quoted log.
        poll: seconds between checks.

    Raises:
        ServerError: the process exited, or ``/health`` did not answer in time.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise ServerError(
                f"{what} exited with code {proc.returncode} while starting; see {log}: {log_tail(log, secrets=secrets)}"
            )
        if healthy(url):
            return
        time.sleep(poll)
    raise ServerError(f"{what} did not answer {url}/health within {timeout:.0f} s; see {log}")


def terminate(pid: int, grace: float = 20.0) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if not process_alive(pid) and not group_alive(pid):
                return
            time.sleep(0.2)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def stop(data_dir: str | Path) -> bool:
    """Stop the managed server of ``data_dir`` and its children, its managed ML backend if any, and then
    the PostgreSQL cluster eventgold runs for it if any.

    Returns:
        True if the server was running (see :func:`eventgold.labelstudio.backend_process.stop_backend`
        for the backend alone).
    """
    from eventgold.labelstudio.backend_process import stop_backend

    data = Path(data_dir).resolve()
    stop_backend(data)
    state = read_state(data)
    was_running = state is not None and (process_alive(state.pid) or group_alive(state.pid))
    if state is not None and was_running:
        terminate(state.pid)
    _state_path(data).unlink(missing_ok=True)
    postgres.release(data, state.database if state is not None else None)
    return was_running
