"""``eventgold server install|start|stop|status``: the managed local Label Studio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eventgold.config import create_credentials, load_credentials, server_data_dir
from eventgold.console import console, err_console, write_json_output
from eventgold.labelstudio import server

app = typer.Typer(
    help="The managed local Label Studio server (its own virtual environment).",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Server data dir (default: .eventgold/labelstudio)."),
]


def _step(message: str) -> None:
    err_console.print(f"[cyan]…[/cyan] {message}")


@app.command("install")
def install(
    force: Annotated[bool, typer.Option(help="Reinstall even if installed.")] = False,
) -> None:
    """Install Label Studio into its own venv in the user cache dir.

    Example: [bold]eventgold server install[/bold]
    """
    path = server.install(force=force, on_step=_step)
    console.print(f"Label Studio {server.LABEL_STUDIO_VERSION} installed in {path}")


def ensure_running(data_dir: Path | None = None, port: int | None = None) -> server.ServerState:
    """Install if needed, create credentials on first run, start (or reuse) the server."""
    data = data_dir or server_data_dir()
    if not server.is_installed():
        server.install(on_step=_step)
    # The port is chosen once, on the first run, and kept with the credentials.
    creds = load_credentials() or create_credentials(port or server.free_port())
    return server.start(
        data,
        port=creds.port,
        username=creds.email,
        password=creds.password,
        token=creds.token,
        on_step=_step,
    )


@app.command("start")
def start(
    data_dir: DataDir = None,
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (first run only).")] = None,
) -> None:
    """Start the local Label Studio on 127.0.0.1 (installing it on first use).

    Example: [bold]eventgold server start[/bold]
    """
    state = ensure_running(data_dir, port)
    console.print(f"Label Studio is running at {state.url} (pid {state.pid})")


@app.command("stop")
def stop(data_dir: DataDir = None) -> None:
    """Stop the local Label Studio, its child processes and the ML backend `up --ml-backend` started.

    Example: [bold]eventgold server stop[/bold]
    """
    from eventgold.labelstudio.backend_process import backend_status

    folder = data_dir or server_data_dir()
    backend = backend_status(folder).running
    stopped = server.stop(folder)  # stops the backend too
    if backend:
        console.print("ML backend stopped")
    console.print("Label Studio stopped" if stopped else "Label Studio was not running")


@app.command("status")
def status(
    data_dir: DataDir = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write JSON here (- for stdout).")] = None,
) -> None:
    """Say whether the local Label Studio (and the ML backend `up --ml-backend` started) runs, and where.

    Example: [bold]eventgold server status --json -[/bold]
    """
    from eventgold.labelstudio.backend_process import backend_status

    folder = data_dir or server_data_dir()
    st = server.status(folder)
    b = backend_status(folder)
    backend = {
        "running": b.running,
        "healthy": b.healthy,
        "url": b.state.url if b.running and b.state else None,
        "pid": b.state.pid if b.running and b.state else None,
        "extractor": b.state.extractor if b.state else None,
    }
    payload = {
        "installed": server.is_installed(),
        "version": server.LABEL_STUDIO_VERSION,
        "running": st.running,
        "healthy": st.healthy,
        "url": st.state.url if st.state and st.running else None,
        "pid": st.state.pid if st.state and st.running else None,
        "ml_backend": backend,
    }
    if json_out:
        write_json_output(payload, json_out)
        return
    if st.running and st.state:
        health = "healthy" if st.healthy else "not answering /health yet"
        console.print(f"running at {st.state.url} (pid {st.state.pid}, {health})")
    else:
        installed = "installed" if payload["installed"] else "not installed"
        console.print(f"not running (Label Studio {server.LABEL_STUDIO_VERSION} {installed})")
    if b.running and b.state:
        health = "healthy" if b.healthy else "not answering /health"
        console.print(f"ML backend ({b.state.extractor}) running at {b.state.url} (pid {b.state.pid}, {health})")
