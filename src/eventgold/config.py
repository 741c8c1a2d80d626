"""Settings: where the project's configuration and workspace live and how to reach Label Studio.

The configuration folder (``label_config/``: ontology, actor dictionary,
guidelines, rendered labeling config) is, in order: ``--config-dir`` (see
:func:`config_dir_override`), ``EVENTGOLD_CONFIG_DIR``, a ``label_config/``
holding an ``ontology.yaml`` in the working directory or one of its parents
(a project made by ``eventgold init``), else the packaged default.

Connection settings come from, in order: command-line flags, the environment
(``LABEL_STUDIO_URL``, ``LABEL_STUDIO_API_KEY``, as label-studio-sdk names
them), a ``.env`` file in the working directory, and finally the credentials
of the local server that ``eventgold up`` manages (``.eventgold/credentials``,
mode 0600). The token and passwords live only in that file or the user's own
environment; they are never printed, logged or exported.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from eventgold.errors import ConfigError, Option
from eventgold.fileio import atomic_write_text
from eventgold.redact import redact_url, url_secrets

WORKSPACE_ENV = "EVENTGOLD_HOME"
CONFIG_DIR_ENV = "EVENTGOLD_CONFIG_DIR"
CONFIG_DIR_NAME = "label_config"
ONTOLOGY_FILE = "ontology.yaml"
WORKSPACE_NAME = ".eventgold"
DEFAULT_EMAIL = "admin@eventgold.local"

log = logging.getLogger(__name__)
_config_dir_option: ContextVar[Path | None] = ContextVar("config_dir_option", default=None)
ConfigOrigin = Literal["--config-dir", "EVENTGOLD_CONFIG_DIR", "project", "packaged default"]


@dataclass(frozen=True)
class ConfigDir:
    """A configuration folder and why it was chosen (``origin``)."""

    path: Path
    origin: ConfigOrigin

    def describe(self) -> str:
        """One line for ``--verbose``: which folder, and why."""
        return f"label_config: {self.path} ({self.origin})"


@contextmanager
def config_dir_override(path: Path | None) -> Iterator[None]:
    """Use ``path`` as the configuration folder inside the block (the CLI's ``--config-dir``)."""
    token = _config_dir_option.set(path)
    try:
        yield
    finally:
        _config_dir_option.reset(token)


def find_project_config(start: Path | None = None) -> Path | None:
    """The nearest ``label_config/`` holding an ``ontology.yaml``, from ``start`` (cwd) upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_DIR_NAME
        if (candidate / ONTOLOGY_FILE).is_file():
            return candidate
    return None


def find_config_dir() -> ConfigDir:
    """The configuration folder every verb reads (see the module docstring for the order).

    Logs the choice at INFO (shown by ``eventgold --verbose``).
    """
    from eventgold.resources import packaged_label_config

    option = _config_dir_option.get()
    env = os.environ.get(CONFIG_DIR_ENV)
    project = None if option or env else find_project_config()
    if option is not None:
        chosen = ConfigDir(_checked_config_dir(option, f"--config-dir {option}"), "--config-dir")
    elif env:
        chosen = ConfigDir(_checked_config_dir(Path(env), f"{CONFIG_DIR_ENV}={env}"), "EVENTGOLD_CONFIG_DIR")
    elif project is not None:
        chosen = ConfigDir(project, "project")
    else:
        chosen = ConfigDir(packaged_label_config(), "packaged default")
    log.info(chosen.describe())
    return chosen


def _checked_config_dir(folder: Path, given: str) -> Path:
    """``folder`` when it can be a configuration folder; else one ConfigError saying what was meant.

    A file is no folder; a project root (holding ``label_config/``) is not its configuration folder.
    """
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"{given}: not a folder; give the label_config/ folder that holds {ONTOLOGY_FILE}")
    if folder.is_dir() and not (folder / ONTOLOGY_FILE).exists():
        nested = folder / CONFIG_DIR_NAME
        if (nested / ONTOLOGY_FILE).is_file():
            raise ConfigError(f"{given}: has no {ONTOLOGY_FILE}; did you mean {nested}?")
    return folder


def workspace() -> Path:
    """The local state folder: ``EVENTGOLD_HOME``, else ``.eventgold`` beside the project's
    ``label_config/`` (found from the working directory upwards), else ``./.eventgold``."""
    env = os.environ.get(WORKSPACE_ENV)
    if env:
        return Path(env)
    project = find_project_config()
    return project.parent / WORKSPACE_NAME if project is not None else Path(WORKSPACE_NAME)


def credentials_path() -> Path:
    """Where the local server's admin credentials live (mode 0600)."""
    return workspace() / "credentials"


def listings_path() -> Path:
    """Where pushes keep what they listed of each project's tasks (:mod:`eventgold.labelstudio.task_listing`)."""
    return workspace() / "listings"


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
    database: dict[str, str] | None = field(default=None, repr=False)
    """The server's database: ``{"backend": "sqlite"}``, ``{"backend": "postgresql", "url": ...}`` (an existing
    one) or ``{"backend": "postgresql", "cluster": folder, "password": ...}`` (the cluster eventgold runs);
    None in files from before the choice (SQLite). Holds secrets: never printed."""

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
        database = raw.get("database")
        return Credentials(
            email=str(raw["email"]),
            password=str(raw["password"]),
            token=str(raw["token"]),
            port=int(raw["port"]),
            database=None if database is None else {str(k): str(v) for k, v in dict(database).items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
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
    save_credentials(creds, file)
    return creds


def save_credentials(creds: Credentials, path: Path | None = None) -> None:
    """Write ``creds`` (with its database, if any) to the credentials file, mode 0600."""
    file = path or credentials_path()
    payload: dict[str, object] = {"email": creds.email, "password": creds.password, "token": creds.token}
    payload["port"] = creds.port
    if creds.database is not None:
        payload["database"] = creds.database
    file.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(file, json.dumps(payload, indent=2, allow_nan=False) + "\n", perms=0o600)


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
            "no Label Studio connection: run `eventgold up` for a local server, or set LABEL_STUDIO_URL and "
            "LABEL_STUDIO_API_KEY (environment or .env) or pass ",
            Option("url"),
            "/",
            Option("api_key"),
        )
    return Connection(url=url.rstrip("/"), api_key=api_key, source=source)
