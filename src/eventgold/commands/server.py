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
    """Stop the local Label Studio and its child processes.

    Example: [bold]eventgold server stop[/bold]
    """
    if server.stop(data_dir or server_data_dir()):
        console.print("Label Studio stopped")
    else:
        console.print("Label Studio was not running")


@app.command("status")
def status(
    data_dir: DataDir = None,
    json_out: Annotated[str | None, typer.Option("--json", help="Write JSON here (- for stdout).")] = None,
) -> None:
    """Say whether the local Label Studio runs, where, and whether it is installed.

    Example: [bold]eventgold server status --json -[/bold]
    """
    st = server.status(data_dir or server_data_dir())
    payload = {
        "installed": server.is_installed(),
        "version": server.LABEL_STUDIO_VERSION,
        "running": st.running,
        "healthy": st.healthy,
        "url": st.state.url if st.state and st.running else None,
        "pid": st.state.pid if st.state and st.running else None,
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
