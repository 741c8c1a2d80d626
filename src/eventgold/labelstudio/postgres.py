"""PostgreSQL for the managed Label Studio: an existing database by URL, or a local cluster eventgold runs.

A managed cluster lives in one folder (``.eventgold/postgresql`` for ``eventgold server start
--database postgresql``)::

    data/                the cluster (initdb), owned by the user the server runs as
    run/                 its unix socket (mode 0700: nobody else reaches it)
    postgresql.log       the server's log
    eventgold-cluster.json  port, role, database, OS user (no secrets)

It listens on 127.0.0.1 only, on a free port chosen at the first start and kept; the Label
Studio role logs in over TCP with a password (scram-sha-256), the superuser only through the
socket (peer). initdb and postgres refuse to run as root, so under root they run as the
``postgres`` user that Debian's package creates. The role's password is not stored here: the
caller keeps it (``.eventgold/credentials``, mode 0600) and passes it on every start, which
(re)sets it, so the credentials file stays the one place that holds it.

Which database a Label Studio data dir uses is fixed at its first successful start (``eventgold-database.json``
in the data dir, no secrets, written once Label Studio answered); starting it later with another one is
refused, so data never silently stays behind in the other database.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, unquote, urlsplit

from eventgold.errors import ServerError, UserError
from eventgold.fileio import atomic_write_text
from eventgold.redact import redact_text

Backend = Literal["sqlite", "postgresql"]
BACKENDS: tuple[Backend, ...] = ("sqlite", "postgresql")
DEFAULT_ROLE = "eventgold"
DEFAULT_DATABASE = "labelstudio"
SERVICE_USER = "postgres"
"""The unprivileged OS user the cluster runs as when eventgold runs as root (Debian's package creates it)."""

CLUSTER_FILE = "eventgold-cluster.json"
RECORD_FILE = "eventgold-database.json"
SQLITE_FILE = "label_studio.sqlite3"
PG_BIN_ENV = "EVENTGOLD_PG_BINDIR"
_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class PostgresTarget:
    """A PostgreSQL database Label Studio connects to over TCP (the password never in repr or output)."""

    host: str
    port: int
    name: str
    user: str
    password: str = field(repr=False, default="")

    @property
    def display_url(self) -> str:
        """``postgresql://user@host:port/name``: what may be shown (no password)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"postgresql://{quote(self.user, safe='')}@{host}:{self.port}/{quote(self.name, safe='')}"

    def env(self) -> dict[str, str]:
        """The environment that points Label Studio at this database (``DJANGO_DB``, ``POSTGRE_*``)."""
        return {
            "DJANGO_DB": "default",
            "POSTGRE_NAME": self.name,
            "POSTGRE_USER": self.user,
            "POSTGRE_PASSWORD": self.password,
            "POSTGRE_HOST": self.host,
            "POSTGRE_PORT": str(self.port),
        }


@dataclass(frozen=True)
class ManagedCluster:
    """A local cluster eventgold initialises and runs in ``folder``; its role logs in with ``password``."""

    folder: Path
    password: str = field(repr=False)
    role: str = DEFAULT_ROLE
    database: str = DEFAULT_DATABASE


Database = PostgresTarget | ManagedCluster | None
"""What a managed Label Studio stores its data in: None for the embedded SQLite."""


def parse_database_url(url: str) -> PostgresTarget:
    """Read ``postgresql://user:password@host:port/dbname`` (psycopg-style; user, password, name percent-decoded).

    Args:
        url: scheme ``postgresql`` or ``postgres``; the port defaults to 5432; a user and a database name
            are required; no query (Label Studio takes only host, port, name, user and password).

    Returns:
        The target; its ``display_url`` has no password.

    Raises:
        UserError: the URL is malformed; the message shows it with its userinfo masked.

    Example:
        >>> parse_database_url("postgresql://ls:s3cret@db.example.org/labelstudio").display_url
        'postgresql://ls@db.example.org:5432/labelstudio'
    """
    shown = redact_text(url)

    def bad(why: str) -> UserError:
        return UserError(f"database URL {shown!r}: {why} (expected USER:PASSWORD@HOST:PORT/DBNAME after postgresql://)")

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise bad(f"unreadable ({redact_text(str(exc), [url])})") from exc
    if parts.scheme.lower() not in _SCHEMES:
        raise bad(f"scheme {parts.scheme or '(none)'!r} is not postgresql")
    if parts.query or parts.fragment:
        raise bad("query parameters are not supported")
    if not parts.hostname:
        raise bad("no host")
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise bad("no database name" if not name else f"database name {name!r} has a '/'")
    if not parts.username:
        raise bad("no user")
    return PostgresTarget(
        host=parts.hostname,
        port=port or 5432,
        name=name,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
    )


def describe(database: Database) -> dict[str, Any]:
    """What may be recorded and shown about ``database``: ``{"backend", "url", "cluster"}``, never a password."""
    if database is None:
        return {"backend": "sqlite", "url": None, "cluster": None}
    if isinstance(database, PostgresTarget):
        return {"backend": "postgresql", "url": database.display_url, "cluster": None}
    return {"backend": "postgresql", "url": None, "cluster": str(database.folder.resolve())}


def read_record(data_dir: str | Path) -> dict[str, Any] | None:
    """Which database the Label Studio of ``data_dir`` was first started with (see :func:`describe`).

    A data dir from before this record holding a SQLite database counts as SQLite; a fresh one gives None.

    Raises:
        ServerError: the record is unreadable.
    """
    data = Path(data_dir)
    path = data / RECORD_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return describe(None) if (data / SQLITE_FILE).exists() else None
    except (OSError, ValueError) as exc:
        raise ServerError(f"{path}: unreadable database record ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("backend") not in BACKENDS:
        raise ServerError(f"{path}: not a database record (expected JSON with backend sqlite or postgresql)")
    return raw


def _label(record: dict[str, Any]) -> str:
    if record["backend"] == "sqlite":
        return "SQLite"
    return f"PostgreSQL at {record['url']}" if record.get("url") else f"the PostgreSQL cluster in {record['cluster']}"


def check_unchanged(data_dir: str | Path, database: Database, running: dict[str, Any] | None = None) -> None:
    """Refuse to start the Label Studio of ``data_dir`` on another database than the one it has its data in.

    ``running``: the database (:func:`describe`) of a server of ``data_dir`` that runs, counted when no record is.

    Raises:
        UserError: it was first started with another back end, URL or cluster (one line: which, and what to do).
    """
    recorded = read_record(data_dir) or running
    wanted = describe(database)
    keys = ("backend", "url", "cluster")
    if recorded is None or [recorded.get(k) for k in keys] == [wanted[k] for k in keys]:
        return
    raise UserError(
        f"the local Label Studio in {data_dir} keeps its data in {_label(recorded)}; it will not switch to "
        f"{_label(wanted)} (its projects and annotations would stay behind): start it with the same database, "
        "or move that folder away to start afresh"
    )


def write_record(data_dir: str | Path, database: Database) -> None:
    """Record which database the Label Studio of ``data_dir`` uses (no secrets)."""
    atomic_write_text(Path(data_dir) / RECORD_FILE, json.dumps(describe(database), indent=2) + "\n")


# --- the managed cluster -------------------------------------------------------------------------


def bin_dir() -> Path:
    """The PostgreSQL server programs: ``EVENTGOLD_PG_BINDIR``, Debian's newest ``/usr/lib/postgresql/N/bin``, PATH.

    Raises:
        ServerError: no ``initdb`` is found (saying what to install).
    """
    env = os.environ.get(PG_BIN_ENV)
    candidates = [Path(env)] if env else []
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        found = [p / "bin" for p in debian.iterdir() if p.name.isdigit()]
        candidates += sorted(found, key=lambda p: int(p.parent.name), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise ServerError(
        "the PostgreSQL server programs (initdb, pg_ctl) are not installed: install Debian's postgresql "
        "(`apt-get install postgresql`; `./run setup` does it as root), set "
        f"{PG_BIN_ENV}, or give an existing database by URL"
    )


def _service_user() -> pwd.struct_passwd | None:
    """The OS user to run the cluster as: None for the current (unprivileged) user, ``postgres`` under root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        raise ServerError(
            f"running as root, but there is no {SERVICE_USER!r} user to run PostgreSQL as (initdb refuses root): "
            "install Debian's postgresql, which creates it"
        ) from None


def _as_service(cmd: list[str], user: pwd.struct_passwd | None) -> list[str]:
    return cmd if user is None else ["runuser", "-u", user.pw_name, "--", *cmd]


def _run(cmd: list[str], *, what: str, cwd: Path, stdin: str | None = None, timeout: float = 120.0) -> str:
    try:
        proc = subprocess.run(
            cmd, input=stdin, capture_output=True, text=True, cwd=str(cwd), timeout=timeout, check=False,
            start_new_session=True,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ServerError(f"cannot {what} ({cmd[0]}): {exc}") from exc
    if proc.returncode != 0:
        lines = [ln.strip() for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
        raise ServerError(f"could not {what}: {lines[-1] if lines else f'exit code {proc.returncode}'}")
    return proc.stdout


def _reachable(folder: Path, user: pwd.struct_passwd) -> bool:
    """Whether ``user`` may enter ``folder`` (its search bit for owner, group or others)."""
    st = folder.stat()
    if st.st_uid == user.pw_uid:
        return bool(st.st_mode & stat.S_IXUSR)
    groups = {user.pw_gid, *os.getgrouplist(user.pw_name, user.pw_gid)}
    if st.st_gid in groups:
        return bool(st.st_mode & stat.S_IXGRP)
    return bool(st.st_mode & stat.S_IXOTH)


def _make_reachable(folder: Path, user: pwd.struct_passwd) -> None:
    """Let ``user`` reach ``folder``: its parent (eventgold's own folder) gets a search bit for others;
    any other ancestor it cannot pass is reported."""
    parent = folder.parent
    if not _reachable(parent, user):
        parent.chmod(stat.S_IMODE(parent.stat().st_mode) | stat.S_IXOTH)  # search only: nothing becomes readable
    for ancestor in parent.parents:
        if not _reachable(ancestor, user):
            raise ServerError(
                f"the {user.pw_name!r} user that runs PostgreSQL cannot reach {folder}: {ancestor} has no search "
                f"permission for it (`chmod o+x {ancestor}`), or give an existing database by URL"
            )


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sql_ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


@dataclass(frozen=True)
class ClusterInfo:
    """A managed cluster's settings, chosen at its initialisation (``eventgold-cluster.json``)."""

    folder: str
    port: int
    role: str
    database: str
    os_user: str
    version: str

    @property
    def data(self) -> Path:
        """The cluster's data directory (PGDATA)."""
        return Path(self.folder) / "data"

    @property
    def socket_dir(self) -> Path:
        """Where its unix socket is."""
        return Path(self.folder) / "run"

    @property
    def log(self) -> Path:
        """Its server log."""
        return Path(self.folder) / "postgresql.log"


def read_cluster(folder: str | Path) -> ClusterInfo | None:
    """The settings of the managed cluster in ``folder``, or None when none was initialised there.

    Raises:
        ServerError: the settings file is unreadable.
    """
    path = Path(folder) / CLUSTER_FILE
    try:
        return ClusterInfo(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        raise ServerError(f"{path}: unreadable cluster settings ({exc}); move {folder} away to start afresh") from exc


def init_cluster(cluster: ManagedCluster, *, port: int | None = None) -> ClusterInfo:
    """Initialise the cluster of ``cluster.folder`` (initdb) unless it is; idempotent.

    Args:
        cluster: where, and the role and database Label Studio uses.
        port: a port on 127.0.0.1 for a new cluster (default: a free one); an existing cluster keeps its own.

    Returns:
        Its settings.
    Raises:
        ServerError: PostgreSQL is not installed, its user cannot reach the folder, or initdb fails.
    """
    from eventgold.labelstudio.server import free_port

    folder = cluster.folder.resolve()
    info = read_cluster(folder)
    if info is not None and (info.data / "PG_VERSION").is_file():
        return info
    bins = bin_dir()
    user = _service_user()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    if user is not None:
        _make_reachable(folder, user)
    info = ClusterInfo(
        folder=str(folder),
        port=port or free_port(),
        role=cluster.role,
        database=cluster.database,
        os_user=user.pw_name if user is not None else pwd.getpwuid(os.geteuid()).pw_name,
        version=bins.parent.name,
    )
    if info.data.exists():
        shutil.rmtree(info.data)  # a half-made cluster from an interrupted initdb
    for sub in (info.data, info.socket_dir):
        sub.mkdir(mode=0o700)
    if user is not None:
        for path in (folder, info.data, info.socket_dir):
            os.chown(path, user.pw_uid, user.pw_gid)
    initdb = [str(bins / "initdb"), "-D", str(info.data), "-U", info.os_user, "-E", "UTF8", "--no-locale"]
    _run(_as_service([*initdb, "--auth-local=peer", "--auth-host=scram-sha-256"], user), what="initdb", cwd=folder)
    settings = {
        "port": str(info.port),
        "listen_addresses": _sql_literal("127.0.0.1"),
        "unix_socket_directories": _sql_literal(str(info.socket_dir)),
        "unix_socket_permissions": "0700",
        "password_encryption": "scram-sha-256",
    }
    with (info.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# eventgold\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))
    (info.data / "pg_hba.conf").write_text(
        "# eventgold: the superuser through the socket only, Label Studio's role over TCP on 127.0.0.1\n"
        f"local all {_sql_ident(info.os_user)} peer\n"
        f"host {_sql_ident(info.database)} {_sql_ident(info.role)} 127.0.0.1/32 scram-sha-256\n",
        encoding="utf-8",
    )
    atomic_write_text(folder / CLUSTER_FILE, json.dumps(info.__dict__, indent=2) + "\n")
    return info


def cluster_running(folder: str | Path) -> bool:
    """Whether the managed cluster of ``folder`` runs (``pg_ctl status``); False when there is none."""
    info = read_cluster(folder)
    if info is None or not (info.data / "PG_VERSION").is_file():
        return False
    pid_file = info.data / "postmaster.pid"
    try:
        pid = int(pid_file.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, as another user
    return True


def start_cluster(cluster: ManagedCluster, *, timeout: float = 60.0) -> PostgresTarget:
    """Initialise (first time) and start the cluster, then make sure its role and database exist.

    Idempotent: a running cluster is reused, a stopped one restarted. The role's password is set to
    ``cluster.password`` each time (sent on stdin, never on a command line).

    Returns:
        Where Label Studio connects (127.0.0.1, the cluster's port).
    Raises:
        ServerError: initdb, start (e.g. the kept port is taken) or the set-up SQL fails; the message quotes the log.
    """
    info = init_cluster(cluster)
    bins = bin_dir()
    user = _service_user()
    folder = Path(info.folder)
    if not cluster_running(folder):
        if user is not None:
            _make_reachable(folder, user)
        cmd = [str(bins / "pg_ctl"), "-D", str(info.data), "-l", str(info.log), "-w", "-t", str(int(timeout)), "start"]
        try:
            _run(_as_service(cmd, user), what="start PostgreSQL", cwd=folder, timeout=timeout + 10)
        except ServerError as exc:
            from eventgold.labelstudio.server import log_tail

            raise ServerError(f"{exc}; see {info.log}: {log_tail(str(info.log))}") from exc
    role, db = _sql_ident(info.role), _sql_ident(info.database)
    sql = (
        f"SELECT 'CREATE ROLE {role} LOGIN' WHERE NOT EXISTS "
        f"(SELECT FROM pg_roles WHERE rolname = {_sql_literal(info.role)})\\gexec\n"
        f"ALTER ROLE {role} WITH LOGIN PASSWORD {_sql_literal(cluster.password)};\n"
        f"SELECT 'CREATE DATABASE {db} OWNER {role}' WHERE NOT EXISTS "
        f"(SELECT FROM pg_database WHERE datname = {_sql_literal(info.database)})\\gexec\n"
    )
    psql = [str(bins / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(info.socket_dir), "-p", str(info.port)]
    _run(_as_service([*psql, "-U", info.os_user, "-d", "postgres"], user), what="set up the Label Studio role and "
         "database", cwd=folder, stdin=sql)  # fmt: skip
    return PostgresTarget("127.0.0.1", info.port, info.database, info.role, password=cluster.password)


def stop_cluster(folder: str | Path, *, timeout: float = 60.0) -> bool:
    """Stop the managed cluster of ``folder`` (fast shutdown: open sessions are ended) and wait for it.

    Returns:
        True if it was running.
    Raises:
        ServerError: pg_ctl cannot stop it.
    """
    info = read_cluster(folder)
    if info is None or not cluster_running(folder):
        return False
    cmd = [str(bin_dir() / "pg_ctl"), "-D", str(info.data), "-m", "fast", "-w", "-t", str(int(timeout)), "stop"]
    _run(_as_service(cmd, _service_user()), what="stop PostgreSQL", cwd=Path(info.folder), timeout=timeout + 10)
    return True


def prepare(data_dir: str | Path, database: Database) -> dict[str, str]:
    """Make ``database`` ready for the Label Studio of ``data_dir``: refuse a change of database
    (:func:`check_unchanged`), start a managed cluster. The caller records the choice (:func:`write_record`)
    once Label Studio answered.

    Returns:
        The environment for Label Studio (empty for SQLite).
    Raises:
        UserError: another database holds this data dir's data; ServerError: the cluster cannot start.
    """
    check_unchanged(data_dir, database)
    target = start_cluster(database) if isinstance(database, ManagedCluster) else database
    return target.env() if target is not None else {}


def release(data_dir: str | Path, started: dict[str, Any] | None = None) -> bool:
    """Stop the managed cluster the Label Studio of ``data_dir`` uses, if any; True if one was running.

    ``started``: the database (:func:`describe`) it was started with, counted when no record is (a first start).
    """
    cluster = (read_record(data_dir) or started or {}).get("cluster")
    return stop_cluster(cluster) if cluster else False
