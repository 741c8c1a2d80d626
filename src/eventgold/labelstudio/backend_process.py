"""The managed ML backend (``eventgold ml-backend``) beside the managed local Label Studio.

``eventgold up --ml-backend`` starts it as a background process on 127.0.0.1, kept like the
server's own process (:mod:`eventgold.labelstudio.server`): a state file and a log in the
server's data dir, ``/health`` awaited, reused when already running, stopped by
``eventgold server stop``. Its port is chosen once and kept (the state file stays, without a
pid, after a stop), so the project's registered backend URL stays valid across restarts.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from eventgold.errors import ServerError
from eventgold.fileio import atomic_write_text
from eventgold.labelstudio.server import (
    free_port,
    group_alive,
    healthy,
    port_free,
    process_alive,
    spawn,
    terminate,
    wait_healthy,
)

BACKEND_STATE_FILE = "eventgold-ml-backend.json"
BACKEND_LOG_FILE = "ml-backend.log"
DEFAULT_EXTRACTOR = "rules"
"""What ``up --ml-backend`` serves unless told otherwise (one of ``up``'s pre-annotators)."""

_KEY_ENV = "EVENTGOLD_ML_BACKEND_KEY"
_RUN_CLI = "import sys; from eventgold.cli import main; sys.exit(main(sys.argv[1:]))"


@dataclass(frozen=True)
class BackendProcess:
    """The managed ML backend of a server data dir: its process (None once stopped), port and extractor."""

    pid: int | None
    port: int
    extractor: str
    log: str

    @property
    def url(self) -> str:
        """Where the backend listens (and where Label Studio reaches it)."""
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True)
class BackendProcessStatus:
    """Whether the managed ML backend of a data dir runs and answers ``/health``."""

    running: bool
    healthy: bool
    state: BackendProcess | None


def health_info(url: str, *, http: httpx.Client | None = None, timeout: float = 2.0) -> dict[str, Any] | None:
    """What an ML backend's ``GET <url>/health`` answers from this machine.

    ``eventgold ml-backend`` answers ``{"status": "UP", "model_class", "model_version", "extractor"}``.

    Args:
        url: the backend's base URL.
        http: the HTTP client to use (tests inject one); default: a new one, closed afterwards.
        timeout: seconds to wait for the answer.

    Returns:
        The JSON object of a 2xx answer; ``{}`` for any other answer; None when nothing answers.
    """
    own = http is None
    session = http or httpx.Client(timeout=timeout)
    try:
        answer = session.get(f"{url.rstrip('/')}/health", timeout=timeout)
    except (httpx.HTTPError, httpx.InvalidURL, ValueError):
        return None
    finally:
        if own:
            session.close()
    try:
        body = answer.json() if answer.is_success else None
    except ValueError:  # not JSON
        body = None
    return body if isinstance(body, dict) else {}


def probe_health(url: str, *, http: httpx.Client | None = None, timeout: float = 2.0) -> bool:
    """Whether something answers ``GET <url>/health`` from this machine (any HTTP status counts).

    ``http``: the client to use (tests inject one; default: a new one); ``timeout`` in seconds.
    """
    return health_info(url, http=http, timeout=timeout) is not None


def _state_path(data_dir: Path) -> Path:
    return data_dir / BACKEND_STATE_FILE


def read_backend_state(data_dir: str | Path) -> BackendProcess | None:
    """The recorded ML backend of the server ``data_dir``, or None when none was ever started.

    Raises:
        ServerError: the state file cannot be read; the message says to remove it.
    """
    path = _state_path(Path(data_dir))
    try:
        return BackendProcess(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise ServerError(
            f"{path}: unreadable ML backend state ({exc}); remove it and run `eventgold up --ml-backend`"
        ) from exc


def _write(data_dir: Path, state: BackendProcess) -> None:
    atomic_write_text(_state_path(data_dir), json.dumps(asdict(state), indent=2, allow_nan=False) + "\n")


def backend_status(data_dir: str | Path) -> BackendProcessStatus:
    """Report on the managed ML backend of the server ``data_dir`` (process alive, ``/health`` answers)."""
    state = read_backend_state(data_dir)
    if state is None or state.pid is None or not process_alive(state.pid):
        return BackendProcessStatus(running=False, healthy=False, state=state)
    return BackendProcessStatus(running=True, healthy=healthy(state.url), state=state)


def start_backend(
    data_dir: str | Path,
    extractor: str = DEFAULT_EXTRACTOR,
    *,
    port: int | None = None,
    cwd: str | Path | None = None,
    timeout: float = 90.0,
    on_step: Callable[[str], None] | None = None,
) -> BackendProcess:
    """Start ``eventgold ml-backend -e EXTRACTOR`` on 127.0.0.1 beside the server of ``data_dir``.

    Idempotent: a backend already running with the same extractor is reused; one with another
    extractor is restarted on the same port. The port is the one recorded before if it is free,
    else ``port``, else a free one. The backend runs in ``cwd`` (default: here) with this
    environment, so it finds the same project and ontology; it listens on loopback only, without
    an API key (``EVENTGOLD_ML_BACKEND_KEY`` is not passed on).

    Args:
        data_dir: the managed server's data dir (state file and log go there).
        extractor: the extractor name, as ``eventgold extract -e`` takes it.
        port: the port for a first start (default: a free one).
        cwd: the backend's working directory.
        timeout: seconds to wait for ``/health``.
        on_step: called with a one-line progress message.

    Returns:
        The running backend.

    Raises:
        ServerError: the process exits while starting (the log's last lines say why) or does not
            answer ``/health`` within ``timeout``.

    Example: ``start_backend(server_data_dir(), "rules").url`` -> ``"http://127.0.0.1:41234"``
    """
    data = Path(data_dir).resolve()
    data.mkdir(parents=True, exist_ok=True)
    current = backend_status(data)
    if current.running and current.state is not None:
        if current.state.extractor == extractor:
            if not current.healthy:
                wait_healthy(
                    current.state.url,
                    f"the ML backend ({current.state.extractor})",
                    current.state.log,
                    timeout,
                    None,
                    poll=0.25,
                )
            return current.state
        stop_backend(data)
    previous = read_backend_state(data)
    if previous is not None and port_free(previous.port):
        chosen = previous.port
    elif port is not None:
        if not port_free(port):
            raise ServerError(f"port {port} on 127.0.0.1 is already in use; the ML backend cannot listen there")
        chosen = port
    else:
        chosen = free_port()
    log_path = data / BACKEND_LOG_FILE
    cmd = [sys.executable, "-c", _RUN_CLI, "ml-backend", "-e", extractor, "--host", "127.0.0.1"]
    cmd += ["--port", str(chosen), "--log-level", "warning"]
    env = {k: v for k, v in os.environ.items() if k != _KEY_ENV}
    (on_step or (lambda _m: None))(f"starting the ML backend ({extractor}) on 127.0.0.1:{chosen}")
    proc = spawn(cmd, log_path, env, Path(cwd or Path.cwd()), what=f"the ML backend ({extractor})")
    state = BackendProcess(pid=proc.pid, port=chosen, extractor=extractor, log=str(log_path))
    _write(data, state)
    try:
        wait_healthy(state.url, f"the ML backend ({state.extractor})", state.log, timeout, proc, poll=0.25)
    except ServerError:
        terminate(proc.pid)
        _write(data, BackendProcess(pid=None, port=chosen, extractor=extractor, log=str(log_path)))
        raise
    return state


def stop_backend(data_dir: str | Path) -> bool:
    """Stop the managed ML backend of the server ``data_dir``; True if one was running.

    The state file stays, without a pid, so the next start reuses the port.
    """
    data = Path(data_dir).resolve()
    state = read_backend_state(data)
    if state is None or state.pid is None:
        return False
    was_running = process_alive(state.pid) or group_alive(state.pid)
    if was_running:
        terminate(state.pid)
    _write(data, BackendProcess(pid=None, port=state.port, extractor=state.extractor, log=state.log))
    return was_running
