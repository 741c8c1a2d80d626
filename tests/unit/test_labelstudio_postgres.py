"""The PostgreSQL choice of the managed server: URL parsing and redaction, the per-data-dir record, credentials."""

from __future__ import annotations

import json
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventgold.commands.server import choose_database, cluster_folder
from eventgold.config import Credentials, load_credentials, save_credentials
from eventgold.errors import ServerError, UserError
from eventgold.labelstudio import postgres
from eventgold.labelstudio.postgres import ManagedCluster, PostgresTarget, parse_database_url

SECRET = "s3cr:et@/x"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://ls:pw@db.example.org:6543/labels", ("db.example.org", 6543, "labels", "ls", "pw")),
        ("postgres://ls:pw@127.0.0.1/labels", ("127.0.0.1", 5432, "labels", "ls", "pw")),
        ("postgresql://ls@localhost/labels", ("localhost", 5432, "labels", "ls", "")),
        ("postgresql://l%40s:p%2Fw%3A@[::1]:5433/my%20db", ("::1", 5433, "my db", "l@s", "p/w:")),
    ],
)
def test_database_url_is_read_like_psycopg(url: str, expected: tuple[str, int, str, str, str]) -> None:
    t = parse_database_url(url)
    assert (t.host, t.port, t.name, t.user, t.password) == expected


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("mysql://u:pw@h/db", "scheme 'mysql'"),
        ("db.example.org/labels", "scheme '(none)'"),
        ("postgresql://u:pw@h:5432/", "no database name"),
        ("postgresql://u:pw@h/a/b", "has a '/'"),
        ("postgresql://:pw@h/db", "no user"),
        ("postgresql://u:pw@/db", "no host"),
        ("postgresql://u:pw@h:99999/db", "unreadable"),
        ("postgresql://u:pw@h/db?sslmode=require", "query parameters"),
    ],
)
def test_bad_database_url_is_one_error_without_the_password(url: str, why: str) -> None:
    with pytest.raises(UserError) as err:
        parse_database_url(url)
    assert why in str(err.value)
    assert "pw" not in str(err.value).replace("USER:PASSWORD", "")


def test_the_password_is_never_shown() -> None:
    t = parse_database_url("postgresql://ls:" + SECRET.replace("@", "%40").replace("/", "%2F") + "@h:1/db")
    assert t.password == SECRET
    shown = [t.display_url, repr(t), str(postgres.describe(t)), repr(ManagedCluster(Path("/x"), SECRET))]
    assert all(SECRET not in s and "s3cr" not in s for s in shown)
    assert t.display_url == "postgresql://ls@h:1/db"
    assert t.env()["POSTGRE_PASSWORD"] == SECRET and t.env()["DJANGO_DB"] == "default"


def test_describe_each_backend(tmp_path: Path) -> None:
    assert postgres.describe(None) == {"backend": "sqlite", "url": None, "cluster": None}
    managed = postgres.describe(ManagedCluster(tmp_path / "pg", "pw"))
    assert managed == {"backend": "postgresql", "url": None, "cluster": str((tmp_path / "pg").resolve())}


def test_a_data_dir_keeps_its_first_database(tmp_path: Path) -> None:
    data = tmp_path / "ls"
    data.mkdir()
    remote = PostgresTarget("h", 5432, "db", "u", "pw")
    assert postgres.read_record(data) is None
    postgres.check_unchanged(data, remote)  # fresh: anything goes
    postgres.write_record(data, remote)
    assert postgres.read_record(data) == {"backend": "postgresql", "url": "postgresql://u@h:5432/db", "cluster": None}
    assert "pw" not in (data / postgres.RECORD_FILE).read_text()
    postgres.check_unchanged(data, PostgresTarget("h", 5432, "db", "u", "a new password"))
    for other in (None, PostgresTarget("h2", 5432, "db", "u", "pw"), ManagedCluster(tmp_path / "pg", "pw")):
        with pytest.raises(UserError, match="keeps its data in PostgreSQL at postgresql://u@h:5432/db"):
            postgres.check_unchanged(data, other)


def test_a_sqlite_data_dir_from_before_the_record_refuses_postgresql(tmp_path: Path) -> None:
    (tmp_path / postgres.SQLITE_FILE).write_bytes(b"")
    assert postgres.read_record(tmp_path) == postgres.describe(None)
    postgres.check_unchanged(tmp_path, None)
    with pytest.raises(UserError, match="keeps its data in SQLite; it will not switch to the PostgreSQL cluster"):
        postgres.check_unchanged(tmp_path, ManagedCluster(tmp_path / "pg", "pw"))


def test_a_broken_record_is_one_error(tmp_path: Path) -> None:
    (tmp_path / postgres.RECORD_FILE).write_text('{"backend": "oracle"}')
    with pytest.raises(UserError, match="not a database record"):
        postgres.read_record(tmp_path)


def test_no_cluster_is_not_running(tmp_path: Path) -> None:
    assert postgres.read_cluster(tmp_path) is None
    assert postgres.cluster_running(tmp_path) is False
    assert postgres.stop_cluster(tmp_path) is False


def _creds(database: dict[str, str] | None = None) -> Credentials:
    return Credentials(email="a@b.c", password="admin-pw", token="tok", port=8080, database=database)


def test_credentials_keep_the_database_with_mode_0600(tmp_path: Path) -> None:
    file = tmp_path / "credentials"
    entry = {"backend": "postgresql", "url": "postgresql://u:pw@h/db"}
    save_credentials(_creds(entry), file)
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    loaded = load_credentials(file)
    assert loaded is not None and loaded.database == entry
    assert "pw" not in repr(loaded)
    old = {"email": "a@b.c", "password": "p", "token": "t", "port": 1}  # a file from before the choice
    file.write_text(json.dumps(old))
    loaded = load_credentials(file)
    assert loaded is not None and loaded.database is None


@pytest.mark.parametrize(
    ("recorded", "backend", "url", "expected_backend"),
    [
        (None, None, None, "sqlite"),
        (None, "sqlite", None, "sqlite"),
        (None, "postgresql", None, "postgresql"),
        (None, None, "postgresql://u:pw@h/db", "postgresql"),
        ({"backend": "postgresql", "url": "postgresql://u:pw@h/db"}, None, None, "postgresql"),
        ({"backend": "sqlite"}, None, None, "sqlite"),
    ],
)
def test_choose_database(
    tmp_path: Path, recorded: dict[str, str] | None, backend: str | None, url: str | None, expected_backend: str
) -> None:
    chosen, entry = choose_database(tmp_path / "labelstudio", _creds(recorded), backend, url)
    assert entry["backend"] == expected_backend == postgres.describe(chosen)["backend"]


def test_the_managed_cluster_keeps_its_password_and_folder(tmp_path: Path) -> None:
    data = tmp_path / ".eventgold" / "labelstudio"
    assert cluster_folder(data) == (tmp_path / ".eventgold" / "postgresql").resolve()
    assert cluster_folder(tmp_path / "mine") == (tmp_path / "mine-postgresql").resolve()
    first, entry = choose_database(data, _creds(), "postgresql", None)
    assert isinstance(first, ManagedCluster) and entry["password"] == first.password and len(first.password) >= 24
    again, _ = choose_database(data, _creds(entry), None, None)
    assert again == first


@pytest.mark.parametrize(
    ("backend", "url", "message"),
    [
        ("mysql", None, "expected one of sqlite, postgresql"),
        ("sqlite", "postgresql://u:pw@h/db", "goes with --database postgresql"),
        ("postgresql", "http://u:pw@h/db", "scheme 'http'"),
    ],
)
def test_choose_database_refuses(tmp_path: Path, backend: str, url: str | None, message: str) -> None:
    with pytest.raises(UserError, match=message):
        choose_database(tmp_path, None, backend, url)


# --- the choice is fixed at the first successful start; a plain start reuses it -------------------


@pytest.mark.parametrize(
    ("fixed", "creds_db", "expected"),
    [
        (
            {"backend": "postgresql", "url": "postgresql://u@h:5432/db"},
            {"backend": "postgresql", "url": "postgresql://u:pw@h/db"},
            PostgresTarget("h", 5432, "db", "u", "pw"),
        ),
        ({"backend": "sqlite"}, {"backend": "postgresql", "url": "postgresql://u:pw@h/db"}, None),
        ({"backend": "postgresql", "cluster": "CLUSTER"}, {"backend": "sqlite"}, "cluster"),
        ({"backend": "postgresql", "cluster": "CLUSTER"}, None, "cluster"),
    ],
)
def test_a_plain_start_reuses_the_data_dirs_database(
    tmp_path: Path, fixed: dict[str, str], creds_db: dict[str, str] | None, expected: object
) -> None:
    data = tmp_path / "labelstudio"
    data.mkdir()
    fixed = {k: (str(tmp_path / "pg") if v == "CLUSTER" else v) for k, v in fixed.items()}
    (data / postgres.RECORD_FILE).write_text(json.dumps(fixed))
    chosen, entry = choose_database(data, _creds(creds_db), None, None)
    if expected == "cluster":
        assert isinstance(chosen, ManagedCluster) and chosen.folder == (tmp_path / "pg").resolve()
        assert entry == {"backend": "postgresql", "cluster": str(chosen.folder), "password": chosen.password}
    else:
        assert chosen == expected
    postgres.check_unchanged(data, chosen)  # never refused


def test_a_plain_start_keeps_the_recorded_clusters_password(tmp_path: Path) -> None:
    data = tmp_path / "labelstudio"
    first, entry = choose_database(data, _creds(), "postgresql", None)
    data.mkdir()
    postgres.write_record(data, first)
    again, _ = choose_database(data, _creds(entry), None, None)
    assert again == first


def test_a_plain_start_without_the_urls_password_says_what_to_give(tmp_path: Path) -> None:
    postgres.write_record(tmp_path, PostgresTarget("h", 5432, "db", "u", "pw"))
    for creds_db in (None, {"backend": "postgresql", "url": "postgresql://u:pw@other/db"}):
        with pytest.raises(UserError, match=r"PostgreSQL at postgresql://u@h:5432/db.*--database-url"):
            choose_database(tmp_path, _creds(creds_db), None, None)


def test_a_running_server_without_a_record_keeps_its_database(tmp_path: Path) -> None:
    running = postgres.describe(PostgresTarget("h", 5432, "db", "u", "pw"))
    postgres.check_unchanged(tmp_path, PostgresTarget("h", 5432, "db", "u", "pw2"), running=running)
    with pytest.raises(UserError, match="keeps its data in PostgreSQL at postgresql://u@h:5432/db"):
        postgres.check_unchanged(tmp_path, None, running=running)


@pytest.fixture
def fake_label_studio(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """server.start with Label Studio replaced: a sleeping process; ``healthy``/``token`` say how it answers."""
    from eventgold.labelstudio import server

    monkeypatch.setenv("EVENTGOLD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(server, "is_installed", lambda version=server.LABEL_STUDIO_VERSION: True)
    fake: dict[str, Any] = {"healthy": True, "token": True, "procs": [], "sqlite": False}

    def spawn(cmd: list[str], log_path: Path, env: dict[str, str], cwd: Path, *, what: str) -> subprocess.Popen[bytes]:
        if fake["sqlite"]:
            (cwd / postgres.SQLITE_FILE).write_bytes(b"")
        proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
        fake["procs"].append(proc)
        return proc

    def wait_healthy(*_: object, **__: object) -> None:
        if not fake["healthy"]:
            raise ServerError("Label Studio exited with code 1 while starting")

    monkeypatch.setattr(server, "spawn", spawn)
    monkeypatch.setattr(server, "wait_healthy", wait_healthy)
    monkeypatch.setattr(server, "token_accepted", lambda url, token: fake["token"])
    yield fake
    server.stop(tmp_path / "ls")
    for proc in fake["procs"]:
        proc.kill()
        proc.wait()


def _start(data: Path, database: postgres.Database) -> Any:
    from eventgold.labelstudio import server

    return server.start(data, username="a@b.c", password="admin-pw", token="tok", database=database)


def test_a_failed_first_start_does_not_fix_the_database(tmp_path: Path, fake_label_studio: dict[str, Any]) -> None:
    from eventgold.labelstudio import server

    data = tmp_path / "ls"
    wrong, right = PostgresTarget("127.0.0.1", 1, "db", "u", "pw"), PostgresTarget("127.0.0.1", 5432, "db", "u", "pw")
    fake_label_studio["healthy"] = False
    with pytest.raises(ServerError, match="exited with code 1"):
        _start(data, wrong)
    assert postgres.read_record(data) is None and server.read_state(data) is None
    assert fake_label_studio["procs"][-1].poll() is not None  # stopped
    fake_label_studio["healthy"] = True
    state = _start(data, right)
    assert postgres.read_record(data) == postgres.describe(right) == state.database
    server.stop(data)
    with pytest.raises(UserError, match=r"keeps its data in PostgreSQL at postgresql://u@127\.0\.0\.1:5432/db"):
        _start(data, wrong)


def test_a_failed_first_sqlite_start_leaves_no_sqlite_choice(tmp_path: Path, fake_label_studio: dict[str, Any]) -> None:
    data = tmp_path / "ls"
    fake_label_studio.update(healthy=False, sqlite=True)
    with pytest.raises(ServerError):
        _start(data, None)
    assert postgres.read_record(data) is None
    postgres.check_unchanged(data, PostgresTarget("h", 5432, "db", "u", "pw"))


def test_a_database_of_another_setup_is_one_error_and_stops_label_studio(
    tmp_path: Path, fake_label_studio: dict[str, Any]
) -> None:
    from eventgold.labelstudio import server

    data = tmp_path / "ls"
    fake_label_studio["token"] = False
    with pytest.raises(ServerError) as err:
        _start(data, PostgresTarget("h", 5432, "db", "u", SECRET))
    message = str(err.value)
    assert "the database postgresql://u@h:5432/db already belongs to another eventgold set-up" in message
    assert ".eventgold/credentials, or give an empty database" in message
    assert "\n" not in message and SECRET not in message and err.value.exit_code == 2
    assert fake_label_studio["procs"][-1].poll() is not None
    assert postgres.read_record(data) is None and server.read_state(data) is None


@pytest.mark.parametrize(("status", "accepted"), [(200, True), (401, False), (403, False), (404, None)])
def test_token_accepted_asks_whoami(status: int, accepted: bool | None) -> None:
    import httpx

    from eventgold.errors import APIError
    from eventgold.labelstudio.server import token_accepted

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"id": 1} if status == 200 else {"detail": "Invalid token."})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    if accepted is None:
        with pytest.raises(APIError, match="HTTP 404"):
            token_accepted("http://127.0.0.1:9", "tok", http=http)
    else:
        assert token_accepted("http://127.0.0.1:9", "tok", http=http) is accepted
    assert seen[0].url.path == "/api/current-user/whoami"
    assert seen[0].headers["authorization"] == "Token tok"
