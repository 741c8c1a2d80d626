"""Settings: connection precedence, credentials file permissions, secrets never in reprs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventgold.config import (
    create_credentials,
    load_credentials,
    read_dotenv,
    resolve_connection,
)
from eventgold.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    monkeypatch.delenv("LABEL_STUDIO_API_KEY", raising=False)
    monkeypatch.setenv("EVENTGOLD_HOME", str(tmp_path / ".eventgold"))
    monkeypatch.chdir(tmp_path)


def test_credentials_are_private_and_never_shown() -> None:
    creds = create_credentials(8123)
    path = Path(os.environ["EVENTGOLD_HOME"]) / "credentials"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_credentials() == creds
    assert creds.password not in repr(creds) and creds.token not in str(creds)


def test_loose_permissions_are_refused() -> None:
    create_credentials(8123)
    path = Path(os.environ["EVENTGOLD_HOME"]) / "credentials"
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_credentials()


def test_precedence_flags_env_dotenv_local(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="eventgold up"):
        resolve_connection()
    creds = create_credentials(8123)
    local = resolve_connection()
    assert (local.url, local.api_key, local.source) == ("http://127.0.0.1:8123", creds.token, "local server")
    Path(".env").write_text(
        "# team server\nLABEL_STUDIO_URL='https://ls.example.org/'\nexport LABEL_STUDIO_API_KEY=abc\n"
    )
    dot = resolve_connection()
    assert (dot.url, dot.api_key, dot.source) == ("https://ls.example.org", "abc", "environment")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "fromenv")
    assert resolve_connection().api_key == "fromenv"
    flags = resolve_connection("http://flag:1", "flagkey")
    assert (flags.url, flags.api_key, flags.source) == ("http://flag:1", "flagkey", "flags")
    assert "flagkey" not in repr(flags)


def test_bad_dotenv_line() -> None:
    Path(".env").write_text("LABEL_STUDIO_URL\n")
    with pytest.raises(ConfigError, match=r"\.env:1: expected KEY=value"):
        read_dotenv()


def test_corrupt_credentials() -> None:
    path = Path(os.environ["EVENTGOLD_HOME"]) / "credentials"
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="not a valid credentials file"):
        load_credentials()


def test_outputs_get_the_umask_mode_and_secrets_0600(tmp_path: Path) -> None:
    """Ordinary outputs are shareable (0666 less the umask); credentials stay 0600."""
    import stat

    from eventgold.fileio import atomic_write_text

    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "out.txt", "x")
        atomic_write_text(tmp_path / "secret", "x", perms=0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_connection_never_shows_the_api_key_or_the_urls_userinfo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://admin:pw-SECRET@127.0.0.1:8080/")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "tok-SECRET")
    conn = resolve_connection()
    assert conn.url == "http://admin:pw-SECRET@127.0.0.1:8080"  # requests still use it
    assert conn.display_url == "http://***@127.0.0.1:8080"
    for shown in (repr(conn), str(conn), f"{conn}", f"{conn!r}"):
        assert "pw-SECRET" not in shown and "tok-SECRET" not in shown and "admin" not in shown
    assert repr(conn) == "Connection(url='http://***@127.0.0.1:8080', api_key=***, source='environment')"
    assert set(conn.secrets()) >= {"tok-SECRET", "pw-SECRET", "admin:pw-SECRET"}


def test_no_secret_field_is_in_a_generated_repr() -> None:
    """Should a hand-written __repr__ go away, the dataclass one still leaves the secrets out."""
    from dataclasses import fields

    from eventgold.config import Connection, Credentials

    assert {f.name for f in fields(Credentials) if not f.repr} == {"password", "token", "database"}
    assert {f.name for f in fields(Connection) if not f.repr} == {"api_key"}
