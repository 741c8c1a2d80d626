"""Settings: where the local workspace lives and how to reach Label Studio.

Connection settings come from, in order: command-line flags, the environment
(``LABEL_STUDIO_URL``, ``LABEL_STUDIO_API_KEY``, as label-studio-sdk names
them), a ``.env`` file in the working directory, and finally the credentials
of the local server that ``eventgold up`` manages (``.eventgold/credentials``,
mode 0600). The token and passwords live only in that file or the user's own
environment; they are never printed, logged or exported.
"""

from __future__ import annotations

import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from eventgold.errors import ConfigError
from eventgold.fileio import atomic_write_text
from eventgold.redact import redact_url, url_secrets

WORKSPACE_ENV = "EVENTGOLD_HOME"
DEFAULT_EMAIL = "admin@eventgold.local"


def workspace() -> Path:
    """The local state folder: ``EVENTGOLD_HOME`` or ``./.eventgold``."""
    return Path(os.environ.get(WORKSPACE_ENV) or ".eventgold")


def credentials_path() -> Path:
    """Where the local server's admin credentials live (mode 0600)."""
    return workspace() / "credentials"


def server_data_dir() -> Path:
    """The data dir of the managed local Label Studio (SQLite database, media)."""
    return workspace() / "labelstudio"


@dataclass(frozen=True)
class Credentials:
    """The local server's admin login and API token (never printed)."""

    email: str
    password: str = field(repr=False)
    token: str = field(repr=False)
    port: int

    def __repr__(self) -> str:
        return f"Credentials(email={self.email!r}, password=***, token=***, port={self.port})"

    __str__ = __repr__


def _check_mode(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by others (mode {mode:o}); run `chmod 600 {path}`")


def load_credentials(path: Path | None = None) -> Credentials | None:
    """Read the credentials file, or None when there is none; refuse loose permissions."""
    file = path or credentials_path()
    if not file.is_file():
        return None
    _check_mode(file)
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        return Credentials(
            email=str(raw["email"]),
            password=str(raw["password"]),
            token=str(raw["token"]),
            port=int(raw["port"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{file}: not a valid credentials file (expected JSON with email, password, token, "
            "port); move it away and run `eventgold up` to create a new one"
        ) from exc


def create_credentials(port: int, path: Path | None = None, email: str = DEFAULT_EMAIL) -> Credentials:
    """Generate an admin password and API token and store them with mode 0600."""
    file = path or credentials_path()
    creds = Credentials(
        email=email,
        password=secrets.token_urlsafe(18),
        token=secrets.token_hex(20),
        port=port,
    )
    payload = {"email": creds.email, "password": creds.password, "token": creds.token, "port": port}
    file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(file, json.dumps(payload, indent=2, allow_nan=False) + "\n", perms=0o600)
    return creds


def read_dotenv(path: Path = Path(".env")) -> dict[str, str]:
    """Parse a simple ``KEY=value`` .env file (comments and blank lines ignored)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"{path}:{lineno}: expected KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


@dataclass(frozen=True)
class Connection:
    """How to reach a Label Studio server: base URL and API key (legacy token or PAT)."""

    url: str
    api_key: str = field(repr=False)
    source: str

    @property
    def display_url(self) -> str:
        """The URL as it may be shown: any ``user:password@`` replaced by ``***@``."""
        return redact_url(self.url)

    def secrets(self) -> list[str]:
        """Every secret this connection holds (API key, the URL's userinfo), to scrub from text."""
        return [self.api_key, *url_secrets(self.url)]

    def __repr__(self) -> str:
        return f"Connection(url={self.display_url!r}, api_key=***, source={self.source!r})"

    __str__ = __repr__


def resolve_connection(url: str | None = None, api_key: str | None = None) -> Connection:
    """Find the Label Studio URL and API key: flags, environment, .env, local credentials."""
    dotenv = read_dotenv()
    env_url = os.environ.get("LABEL_STUDIO_URL") or dotenv.get("LABEL_STUDIO_URL")
    env_key = os.environ.get("LABEL_STUDIO_API_KEY") or dotenv.get("LABEL_STUDIO_API_KEY")
    if url or api_key:
        source = "flags"
    elif env_url or env_key:
        source = "environment"
    else:
        source = "local server"
    url = url or env_url
    api_key = api_key or env_key
    if not url or not api_key:
        creds = load_credentials()
        if creds is not None:
            url = url or f"http://127.0.0.1:{creds.port}"
            api_key = api_key or creds.token
    if not url or not api_key:
        raise ConfigError(
            "no Label Studio connection: run `eventgold up` for a local server, or set "
            "LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY (environment or .env) or pass --url/--api-key"
        )
    return Connection(url=url.rstrip("/"), api_key=api_key, source=source)
