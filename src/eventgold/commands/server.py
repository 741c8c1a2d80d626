"""``eventgold server install|start|stop|status``: the managed local Label Studio."""

from __future__ import annotations

import dataclasses
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer

from eventgold.config import Credentials, create_credentials, load_credentials, save_credentials, server_data_dir
from eventgold.console import console, err_console, write_json_output
from eventgold.errors import UserError
from eventgold.labelstudio import postgres, server

app = typer.Typer(
    help="The managed local Label Studio server (its own virtual environment).",
    no_args_is_help=True,
)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Server data dir (default: .eventgold/labelstudio)."),
]


DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="sqlite (embedded, the default) or postgresql (a local cluster eventgold runs under .eventgold/); "
        "fixed at the first successful start; later starts without it reuse it.",
        show_default=False,
    ),
]
DatabaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="An existing PostgreSQL database, postgresql://USER:PASSWORD@HOST:PORT/DBNAME (kept in the 0600 "
        "credentials file).",
        show_default=False,
    ),
]


def cluster_folder(data_dir: Path) -> Path:
    """Where the managed PostgreSQL cluster of the server data dir ``data_dir`` lives.

    ``.eventgold/labelstudio`` -> ``.eventgold/postgresql``; any other ``X/name`` -> ``X/name-postgresql``.
    """
    data = data_dir.resolve()
    return data.parent / ("postgresql" if data.name == "labelstudio" else f"{data.name}-postgresql")


def choose_database(
    data_dir: Path, creds: Credentials | None, backend: str | None, url: str | None
) -> tuple[postgres.Database, dict[str, str]]:
    """The database to start the server with, and its entry for the credentials file.

    With neither option, the database the data dir was first started with (its record) is used again,
    its URL or cluster password taken from ``creds``; a data dir without a record takes the one in ``creds``.

    Args:
        data_dir: the server data dir.
        creds: the credentials so far (their recorded database counts when neither option is given).
        backend: ``--database`` (sqlite, postgresql) or None.
        url: ``--database-url`` or None.

    Raises:
        UserError: an unknown back end, ``--database sqlite`` with a URL, a malformed URL, or (neither option)
            the data dir's database is one at a URL that ``creds`` do not hold.
    """
    if backend is not None and backend not in postgres.BACKENDS:
        raise UserError(f"--database {backend!r}: expected one of {', '.join(postgres.BACKENDS)}")
    if url is not None and backend == "sqlite":
        raise UserError("--database-url names a PostgreSQL database; it goes with --database postgresql, not sqlite")
    recorded = creds.database if creds is not None else None
    if url is None and backend is None:
        fixed = postgres.read_record(data_dir)
        if fixed is not None:
            return _recorded_database(data_dir, fixed, recorded)
        if recorded is None or recorded.get("backend") != "postgresql":
            return None, {"backend": "sqlite"}
        url = recorded.get("url")
        backend = "postgresql"
    if url is not None:
        return postgres.parse_database_url(url), {"backend": "postgresql", "url": url}
    if backend == "sqlite":
        return None, {"backend": "sqlite"}
    return _cluster(cluster_folder(data_dir), recorded)


def _recorded_database(
    data_dir: Path, fixed: dict[str, Any], recorded: dict[str, str] | None
) -> tuple[postgres.Database, dict[str, str]]:
    """The database of ``data_dir``'s record ``fixed`` again, with the URL or password from ``recorded``."""
    if fixed["backend"] == "sqlite":
        return None, {"backend": "sqlite"}
    if fixed.get("cluster"):
        return _cluster(Path(fixed["cluster"]), recorded)
    url = (recorded or {}).get("url")
    if url is not None and postgres.parse_database_url(url).display_url == fixed.get("url"):
        return postgres.parse_database_url(url), {"backend": "postgresql", "url": url}
    raise UserError(
        f"the local Label Studio in {data_dir} keeps its data in PostgreSQL at {fixed.get('url')}, and the "
        "credentials file holds no password for it: start it with --database-url "
        "postgresql://USER:PASSWORD@HOST:PORT/DBNAME for that database"
    )


def _cluster(folder_path: Path, recorded: dict[str, str] | None) -> tuple[postgres.Database, dict[str, str]]:
    """The managed cluster in ``folder_path``, keeping the role password ``recorded`` holds for it."""
    folder = str(folder_path.resolve())
    same = recorded is not None and recorded.get("cluster") == folder and recorded.get("password")
    password = recorded["password"] if same and recorded is not None else secrets.token_urlsafe(24)
    return postgres.ManagedCluster(Path(folder), password), {"backend": "postgresql", "cluster": folder,
                                                              "password": password}  # fmt: skip


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


def ensure_running(
    data_dir: Path | None = None,
    port: int | None = None,
    database: str | None = None,
    database_url: str | None = None,
) -> server.ServerState:
    """Install if needed, create credentials on first run, start (or reuse) the server.

    ``database`` / ``database_url``: see :func:`choose_database`; the choice is kept in the credentials
    file, and a server whose data is in another database is refused (UserError, exit 2).
    """
    data = data_dir or server_data_dir()
    existing = load_credentials()
    chosen, entry = choose_database(data, existing, database, database_url)
    if not server.is_installed():
        server.install(on_step=_step)
    # The port is chosen once, on the first run, and kept with the credentials.
    creds = existing or create_credentials(port or server.free_port())
    state = server.start(
        data,
        port=creds.port,
        username=creds.email,
        password=creds.password,
        token=creds.token,
        on_step=_step,
        database=chosen,
    )
    if creds.database != entry:
        save_credentials(dataclasses.replace(creds, database=entry))
    return state


def database_summary(folder: Path, state: server.ServerState | None) -> dict[str, Any]:
    """The database of the server of ``folder``: backend, url (no password), cluster and whether it runs."""
    record = (state.database if state is not None else None) or postgres.read_record(folder) or {"backend": "sqlite"}
    cluster = record.get("cluster")
    return {
        "backend": record.get("backend", "sqlite"),
        "url": record.get("url"),
        "cluster": cluster,
        "cluster_running": postgres.cluster_running(str(cluster)) if cluster else None,
    }


def _database_line(db: dict[str, Any]) -> str:
    if db["backend"] == "sqlite":
        return "database: SQLite (in the data dir)"
    if db["cluster"]:
        return f"database: PostgreSQL cluster in {db['cluster']} ({'running' if db['cluster_running'] else 'stopped'})"
    return f"database: PostgreSQL at {db['url']}"


@app.command("start")
def start(
    data_dir: DataDir = None,
    port: Annotated[int | None, typer.Option(help="Port on 127.0.0.1 (first run only).")] = None,
    database: DatabaseOpt = None,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """Start the local Label Studio on 127.0.0.1 (installing it on first use).

    Its database is SQLite by default; --database postgresql runs it on a local PostgreSQL cluster that
    eventgold initialises and starts, --database-url on an existing one. The choice is kept from the first
    successful start (a start without either option reuses it); a server whose data is in one database is
    never switched to another, and a database that already holds another eventgold set-up's admin is refused.

    Example: [bold]eventgold server start --database postgresql[/bold]
    """
    state = ensure_running(data_dir, port, database, database_url)
    console.print(f"Label Studio is running at {state.url} (pid {state.pid})")
    db = database_summary(Path(state.data_dir), state)
    if db["backend"] != "sqlite":
        console.print(_database_line(db), highlight=False, soft_wrap=True)


@app.command("stop")
def stop(data_dir: DataDir = None) -> None:
    """Stop the local Label Studio, its child processes, the ML backend `up --ml-backend` started and then
    the PostgreSQL cluster `--database postgresql` started.

    Example: [bold]eventgold server stop[/bold]
    """
    from eventgold.labelstudio.backend_process import backend_status

    folder = data_dir or server_data_dir()
    backend = backend_status(folder).running
    state = server.read_state(folder)
    cluster = (postgres.read_record(folder) or (state.database if state else None) or {}).get("cluster")
    cluster_was_running = bool(cluster) and postgres.cluster_running(str(cluster))
    stopped = server.stop(folder)  # stops the backend and the managed PostgreSQL too
    if backend:
        console.print("ML backend stopped")
    console.print("Label Studio stopped" if stopped else "Label Studio was not running")
    if cluster_was_running:
        console.print(f"PostgreSQL stopped ({cluster})", highlight=False, soft_wrap=True)


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
    db = database_summary(folder, st.state if st.running else None)
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
        "database": db,
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
    console.print(_database_line(db), highlight=False, soft_wrap=True)
    if b.running and b.state:
        health = "healthy" if b.healthy else "not answering /health"
        console.print(f"ML backend ({b.state.extractor}) running at {b.state.url} (pid {b.state.pid}, {health})")
