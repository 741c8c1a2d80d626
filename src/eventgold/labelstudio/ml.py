"""Connect an ML backend (``eventgold ml-backend``) to a Label Studio project, and ask it for predictions.

Label Studio 1.23's ML API (``/api/ml/``) keeps one record per backend and project: ``url``,
``title``, ``is_interactive``, ``auth_method`` with ``basic_auth_user``/``basic_auth_pass``, a
``description`` and LS's ``state`` (``CO`` connected, ``DI`` disconnected, ``ER`` error, ``TR``
training, ``PR`` predicting). Creating or updating one makes Label Studio call the backend's
``/health`` and ``/setup`` first and refuse when either fails, so the backend must be running;
listing the backends of a project makes Label Studio check each again, so the listed ``state``
is fresh. Creating one also makes Label Studio add a project webhook to ``<url>/webhook``
(annotation events), which :func:`disconnect` removes with the backend.

Predictions reach annotators two ways: the data manager action ``retrieve_tasks_predictions``
(:func:`retrieve_predictions`: every task of the project, stored as predictions with the
backend's ``model_version``), and live, when a task is opened, if the project shows predictions
(``show_collab_predictions``) and its ``model_version`` is the backend's *title* (what
``interactive=True`` sets; Label Studio sets it too when a backend is added to a project that has
no model version chosen yet).

Label Studio's SSRF protection refuses backends on local or private addresses unless it runs
with :data:`LOOPBACK_ML_ENV`; :func:`connect` says so. API keys never appear in messages or reprs.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from eventgold.errors import APIError, ConfigError, LabelStudioError, UserError
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.redact import one_line, redact_text

DEFAULT_TITLE = "eventgold"
"""The title a new backend gets when none is given (Label Studio shows it in the project's Model tab)."""

MARK = "served by eventgold (eventgold ml-backend)"
"""The ``description`` of the backends eventgold registers: :func:`disconnect` without a URL removes those."""

BASIC_AUTH_USER = "eventgold"
"""The basic-auth user name Label Studio sends with ``api_key`` as the password."""

RETRIEVE_ACTION = "retrieve_tasks_predictions"
"""Label Studio's data manager action that asks the project's (first) ML backend for predictions."""

STATES = {"CO": "Connected", "DI": "Disconnected", "ER": "Error", "TR": "Training", "PR": "Predicting"}
"""Label Studio's backend states (``MLBackendState``) and how it names them."""

REACHED = {"CO", "ER", "TR", "PR"}
"""States in which Label Studio's last health check of the backend succeeded (``ER``: its setup failed)."""

_RESERVED_BUT_LOOPBACK = (
    "0.0.0.0/8,10.0.0.0/8,100.64.0.0/10,169.254.0.0/16,172.16.0.0/12,192.0.0.0/24,192.0.2.0/24,192.88.99.0/24,"
    "192.168.0.0/16,198.18.0.0/15,198.51.100.0/24,203.0.113.0/24,224.0.0.0/4,233.252.0.0/24,240.0.0.0/4,"
    "255.255.255.255/32,::/128,::ffff:0:0/96,::ffff:0:0:0/96,64:ff9b::/96,64:ff9b:1::/48,100::/64,2001:0000::/32,"
    "2001:20::/28,2001:db8::/32,2002::/16,fc00::/7,fe80::/10,ff00::/8"
)

LOOPBACK_ML_ENV: dict[str, str] = {
    "USE_DEFAULT_BANNED_SUBNETS": "false",
    "USER_ADDITIONAL_BANNED_SUBNETS": _RESERVED_BUT_LOOPBACK,
}
"""The environment a Label Studio 1.23 server needs to accept ML backends on this machine (127.0.0.0/8, ::1).

Its SSRF protection refuses backend URLs (``ML_BLOCK_LOCAL_IP``) and the webhook it adds for them
(``SSRF_PROTECTION_ENABLED``) on every reserved network, loopback included. This keeps its own
list of reserved networks (``core.utils.io.validate_ip``) less the two loopback ones, so
everything else stays refused: the narrowest setting that lets a local ``eventgold ml-backend`` in.
"""

SSRF_HINT = (
    "Label Studio refuses ML backends on local or private addresses (its SSRF protection); start it with "
    "USE_DEFAULT_BANNED_SUBNETS=false and USER_ADDITIONAL_BANNED_SUBNETS set to the other reserved networks "
    "(eventgold.labelstudio.ml.LOOPBACK_ML_ENV), or give an address it may reach"
)


@dataclass(frozen=True)
class BackendInfo:
    """A backend as :func:`connect` left it registered in a project."""

    id: int
    project_id: int
    project_title: str
    url: str
    title: str
    state: str
    """Label Studio's state code (:data:`STATES`)."""
    model_version: str
    """What the backend's ``/setup`` answered (its predictions carry it)."""
    interactive: bool
    auth: bool
    """Whether Label Studio sends basic auth (the API key is never kept here)."""
    created: bool
    """False when a backend with the same URL was already there and was updated."""
    live: bool
    """Whether annotators get this backend's predictions when they open a task."""

    def to_json(self) -> dict[str, Any]:
        """The fields for ``--json`` (``state`` as Label Studio names it)."""
        return {**asdict(self), "state": STATES.get(self.state, self.state)}


@dataclass(frozen=True)
class BackendStatus:
    """One backend of a project and whether Label Studio reaches it."""

    id: int
    url: str
    title: str
    state: str
    """Label Studio's state code after its own health check (:data:`STATES`)."""
    reachable: bool
    """Label Studio's health check of the backend succeeded."""
    model_version: str
    interactive: bool
    eventgold: bool
    """Registered by eventgold (:data:`MARK`)."""
    error: str | None = None
    """Label Studio's error message for the backend (state ``ER``), or why it is unreachable."""
    direct: bool | None = field(default=None)
    """When Label Studio cannot reach it: whether this machine reaches its ``/health`` (None: not checked)."""

    @property
    def state_name(self) -> str:
        """The state as Label Studio names it (``Connected``, ``Disconnected``, ...)."""
        return STATES.get(self.state, self.state)

    def to_json(self) -> dict[str, Any]:
        """The fields for ``--json`` (``state`` as Label Studio names it; ``direct`` as ``reachable_from_here``)."""
        fields = asdict(self)
        direct = fields.pop("direct")
        return {**fields, "state": self.state_name, "reachable_from_here": direct}


def normalize_url(url: str) -> str:
    """The backend URL as Label Studio should store it: ``http(s)://host[:port][/path]``, no trailing slash.

    Raises:
        ConfigError: not an http(s) URL with a host, or one holding ``user:password@``
            (the key goes in ``api_key``, never in the URL).

    Example: ``normalize_url("http://127.0.0.1:9090/")`` -> ``"http://127.0.0.1:9090"``
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"ML backend URL {text!r} is not usable: give http(s)://host:port, e.g. http://127.0.0.1:9090")
    if parts.username or parts.password:
        raise ConfigError(
            "the ML backend URL must not hold user:password@; pass the backend's API key separately"
        )
    if parts.query or parts.fragment:
        raise ConfigError(f"ML backend URL {text!r} has a query or fragment; give http(s)://host:port[/path]")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{port}" if port is not None else host
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def _same_url(a: str, b: str) -> bool:
    try:
        return normalize_url(a) == normalize_url(b)
    except ConfigError:
        return a.rstrip("/") == b.rstrip("/")


def _project(client: LabelStudioClient, title: str) -> dict[str, Any]:
    found = client.find_project(title)
    if found is None:
        raise UserError(
            f"no Label Studio project at {client.url} is titled {title!r}; push a corpus into it first "
            "(`eventgold push`) or check the title"
        )
    return found


def list_backends(client: LabelStudioClient, project_id: int) -> list[dict[str, Any]]:
    """The ML backends of a project as Label Studio lists them (it health-checks each first: fresh ``state``).

    Args:
        client: the Label Studio client.
        project_id: the project's id.

    Returns:
        Label Studio's records (``id``, ``url``, ``title``, ``state``, ``model_version``, ...), by id.
    """
    body = client.get_json("/api/ml/", project=project_id)
    items = body.get("results", []) if isinstance(body, dict) else body
    return sorted((dict(b) for b in items or []), key=lambda b: int(b.get("id") or 0))


def _refusal(exc: APIError, action: str, project: str, url: str, secrets: list[str | None]) -> APIError:
    """Label Studio's refusal to register a backend, as one line saying what to do."""
    reason = one_line(redact_text(str(exc).split(": ", 1)[-1], secrets), 300)
    lowered = reason.lower()
    if "reserved network address" in lowered or (exc.status == 403 and "not allowed" in lowered):
        text = f"cannot {action} the ML backend at {url} in project {project!r}: {SSRF_HINT}"
    elif "authentication" in lowered or "401" in lowered or "unauthorized" in lowered:
        text = (
            f"the ML backend at {url} refused Label Studio's credentials (project {project!r}): connect with "
            "`eventgold ml connect --backend-api-key KEY`, KEY being the one the backend was started with "
            "(`eventgold ml-backend --api-key`)"
        )
    elif "health check failed" in lowered or "can't connect" in lowered:
        text = (
            f"Label Studio cannot reach the ML backend at {url} (project {project!r}); start it "
            "(`eventgold ml-backend -e NAME`) and check that Label Studio can reach that address"
        )
    elif "valid ml backend" in lowered:
        text = (
            f"the ML backend at {url} refused project {project!r}'s setup (its labeling config must match "
            f"the backend's ontology): {reason}"
        )
    else:
        text = f"Label Studio refused to {action} the ML backend at {url} in project {project!r}: {reason}"
    return APIError(text, status=exc.status)


def connect(
    client: LabelStudioClient,
    project_title: str,
    url: str,
    *,
    title: str | None = None,
    interactive: bool = False,
    api_key: str | None = None,
) -> BackendInfo:
    """Register the ML backend at ``url`` in a project; a backend already there with that URL is updated.

    Args:
        client: the Label Studio client.
        project_title: the project's exact title.
        url: where Label Studio reaches the backend (``http(s)://host:port``; Label Studio, not this
            machine, calls it).
        title: the backend's title (default: the existing backend's, else :data:`DEFAULT_TITLE`).
        interactive: turn on interactive pre-annotations: Label Studio sends the annotator's regions to
            the backend (``is_interactive``), and the project shows this backend's predictions live when
            a task is opened (``show_collab_predictions``, ``model_version`` = the backend's title), in
            place of any static predictions chosen before. False leaves the project's settings as they are.
        api_key: the backend's key (``eventgold ml-backend --api-key``): Label Studio sends it as the
            password of basic auth (user :data:`BASIC_AUTH_USER`). None: no auth.

    Returns:
        The backend as registered (state, model version, whether it was created, whether it is live).

    Raises:
        ConfigError: ``url`` is not an http(s) URL.
        UserError: no project has that title.
        APIError: Label Studio refused (it cannot reach the backend, the backend refused its setup or
            credentials, a local address without ``ML_BLOCK_LOCAL_IP=false``): one line saying what to do.

    Example: ``connect(client, "eventgold", "http://127.0.0.1:9090", interactive=True)``
    """
    target = normalize_url(url)
    if title is not None and not title.strip():
        raise UserError("the ML backend title must not be empty")
    project = _project(client, project_title)
    project_id = int(project["id"])
    existing = next((b for b in list_backends(client, project_id) if _same_url(str(b.get("url") or ""), target)), None)
    chosen = title or (str(existing.get("title") or "") if existing else "") or DEFAULT_TITLE
    body: dict[str, Any] = {
        "url": target,
        "project": project_id,
        "title": chosen,
        "description": MARK,
        "is_interactive": interactive,
    }
    live_before = client.project(project_id).get("model_version")
    if api_key:
        body.update(auth_method="BASIC_AUTH", basic_auth_user=BASIC_AUTH_USER, basic_auth_pass=api_key)
    else:
        body.update(auth_method="NONE", basic_auth_user="")
    try:
        if existing is None:
            record = client.post_json("/api/ml/", body)
        else:  # Label Studio validates a PATCH like a create: url and project must be in it
            record = client.patch_json(f"/api/ml/{int(existing['id'])}", body)
    except APIError as exc:
        raise _refusal(exc, "register", project_title, target, [api_key]) from None
    record = dict(record or {})
    _ensure_webhook(client, project_id, target, project_title, api_key)
    if interactive:
        client.patch_json(f"/api/projects/{project_id}", {"show_collab_predictions": True, "model_version": chosen})
    elif client.project(project_id).get("model_version") != live_before:
        # Label Studio makes a new backend the project's live one; without --interactive the project keeps its own
        client.patch_json(f"/api/projects/{project_id}", {"model_version": live_before or ""})
    settings = client.project(project_id)
    return BackendInfo(
        id=int(record["id"]),
        project_id=project_id,
        project_title=project_title,
        url=target,
        title=str(record.get("title") or chosen),
        state=str(record.get("state") or ""),
        model_version=str(record.get("model_version") or ""),
        interactive=bool(record.get("is_interactive")),
        auth=record.get("auth_method") == "BASIC_AUTH",
        created=existing is None,
        live=bool(settings.get("show_collab_predictions")) and settings.get("model_version") == chosen,
    )


def _basic_auth(api_key: str) -> str:
    return "Basic " + base64.b64encode(f"{BASIC_AUTH_USER}:{api_key}".encode()).decode("ascii")


def _ensure_webhook(
    client: LabelStudioClient, project_id: int, url: str, project_title: str, api_key: str | None
) -> None:
    """Make the project webhook to ``<url>/webhook`` exist, with the backend's basic auth when it has a key.

    Label Studio adds the webhook only when it creates a backend (one refused then, by its SSRF
    check after the backend was saved, would never come), and without the backend's credentials.
    """
    hook_url = f"{url}/webhook"
    headers = {"Authorization": _basic_auth(api_key)} if api_key else {}
    hooks = client.get_json("/api/webhooks/", project=project_id)
    found = next(
        (h for h in hooks or [] if h.get("project") == project_id and _same_url(str(h.get("url") or ""), hook_url)),
        None,
    )
    try:
        if found is None:
            body = {"project": project_id, "url": hook_url, "send_payload": True, "send_for_all_actions": True}
            client.post_json("/api/webhooks/", {**body, "headers": headers})
        elif (found.get("headers") or {}) != headers:
            client.request("PATCH", f"/api/webhooks/{int(found['id'])}/", json_body={"headers": headers})
    except APIError as exc:
        raise _refusal(exc, "add the webhook of", project_title, url, [api_key]) from None


def _remove_webhooks(client: LabelStudioClient, project_id: int, urls: set[str]) -> None:
    """Delete the project's webhooks Label Studio added for removed backends (``<url>/webhook``)."""
    hooks = client.get_json("/api/webhooks/", project=project_id)
    for hook in hooks if isinstance(hooks, list) else []:
        if hook.get("project") == project_id and any(_same_url(str(hook.get("url") or ""), u) for u in urls):
            _delete(client, f"/api/webhooks/{int(hook['id'])}/")


def _delete(client: LabelStudioClient, path: str) -> None:
    try:
        client.request("DELETE", path)
    except APIError as exc:
        if exc.status != 404:  # gone already (a retried request, or someone else)
            raise


def disconnect(client: LabelStudioClient, project_title: str, url: str | None = None) -> int:
    """Remove ML backends from a project (and the webhooks Label Studio added for them).

    Args:
        client: the Label Studio client.
        project_title: the project's exact title.
        url: remove the backend with this URL (whoever registered it); None: every backend eventgold
            registered (:data:`MARK`), others are left alone.

    Returns:
        How many backends were removed (0 when none matched: nothing to do).

    Raises:
        ConfigError: ``url`` is not an http(s) URL.
        UserError: no project has that title.
    """
    target = normalize_url(url) if url is not None else None
    project_id = int(_project(client, project_title)["id"])
    backends = list_backends(client, project_id)
    if target is not None:
        chosen = [b for b in backends if _same_url(str(b.get("url") or ""), target)]
    else:
        chosen = [b for b in backends if b.get("description") == MARK]
    for backend in chosen:
        _delete(client, f"/api/ml/{int(backend['id'])}")
    kept = {str(b.get("url") or "") for b in backends if b not in chosen}
    gone = {f"{str(b.get('url') or '').rstrip('/')}/webhook" for b in chosen if b.get("url") not in kept}
    if gone:
        _remove_webhooks(client, project_id, gone)
    return len(chosen)


def probe_health(url: str, *, http: httpx.Client | None = None, timeout: float = 2.0) -> bool:
    """Whether something answers ``GET <url>/health`` from this machine (any HTTP status counts).

    Args:
        url: the backend's base URL.
        http: the HTTP client to use (tests inject one); default: a new one, closed afterwards.
        timeout: seconds to wait for the answer.
    """
    own = http is None
    session = http or httpx.Client(timeout=timeout)
    try:
        session.get(f"{url.rstrip('/')}/health", timeout=timeout)
    except (httpx.HTTPError, httpx.InvalidURL, ValueError):
        return False
    finally:
        if own:
            session.close()
    return True


def _status(backend: dict[str, Any], probe_http: httpx.Client | None, probe: bool) -> BackendStatus:
    state = str(backend.get("state") or "")
    reachable = state in REACHED
    url = str(backend.get("url") or "")
    direct = None if reachable or not probe else probe_health(url, http=probe_http)
    error = backend.get("error_message") or None
    if not reachable and error is None:
        error = (
            "Label Studio cannot reach it, though this machine can: the URL must be one Label Studio can reach"
            if direct
            else "it does not answer: start it (`eventgold ml-backend`) or check the URL"
        )
    return BackendStatus(
        id=int(backend["id"]),
        url=url,
        title=str(backend.get("title") or ""),
        state=state,
        reachable=reachable,
        model_version=str(backend.get("model_version") or ""),
        interactive=bool(backend.get("is_interactive")),
        eventgold=backend.get("description") == MARK,
        error=one_line(str(error), 300) if error else None,
        direct=direct,
    )


def status(
    client: LabelStudioClient, project_title: str, *, probe: bool = True, probe_http: httpx.Client | None = None
) -> list[BackendStatus]:
    """The ML backends of a project and whether Label Studio reaches them.

    Label Studio health-checks each backend when listing them; for one it cannot reach, this
    machine asks the backend's ``/health`` itself (2 s timeout) to tell a stopped backend from an
    address Label Studio cannot reach.

    Args:
        client: the Label Studio client.
        project_title: the project's exact title.
        probe: also ask unreachable backends' ``/health`` from here.
        probe_http: the HTTP client for that (tests inject one).

    Returns:
        One :class:`BackendStatus` per backend, by id (empty: none connected).

    Raises:
        UserError: no project has that title.
    """
    project_id = int(_project(client, project_title)["id"])
    return [_status(b, probe_http, probe) for b in list_backends(client, project_id)]


def retrieve_predictions(client: LabelStudioClient, project_title: str, *, timeout: float = 300.0) -> int:
    """Ask Label Studio to fetch predictions from the project's ML backend for all of its tasks.

    Runs the data manager action :data:`RETRIEVE_ACTION` on every task (``POST /api/dm/actions``).
    Label Studio sends the tasks without a prediction of the backend's current model version to
    its ``/predict`` in one request and stores the answers. With several backends, Label Studio
    asks the first (lowest id) only.

    Args:
        client: the Label Studio client.
        project_title: the project's exact title.
        timeout: seconds to wait for Label Studio (it waits for the backend).

    Returns:
        How many of the project's tasks hold a prediction of the backend's current model version afterwards.

    Raises:
        UserError: no project has that title, or it has no ML backend.
        LabelStudioError: Label Studio cannot reach the backend, or the backend refused the project's setup.
    """
    project_id = int(_project(client, project_title)["id"])
    backends = list_backends(client, project_id)
    if not backends:
        raise UserError(
            f"project {project_title!r} has no ML backend; connect one first (`eventgold ml connect`)"
        )
    first = _status(backends[0], None, probe=False)
    if first.state not in ("CO", "TR", "PR"):
        raise LabelStudioError(
            f"Label Studio cannot use the ML backend at {first.url} for project {project_title!r} "
            f"(state {first.state_name}: {first.error}); start it or fix it, then retry"
        )
    client.request(
        "POST",
        "/api/dm/actions/",
        params={"id": RETRIEVE_ACTION, "project": project_id},
        json_body={"selectedItems": {"all": True, "excluded": []}},
        timeout=timeout,
    )
    after = next((b for b in list_backends(client, project_id) if int(b["id"]) == first.id), backends[0])
    version = str(after.get("model_version") or "")
    predictions = client.get_json("/api/predictions/", project=project_id)
    items = predictions.get("results", []) if isinstance(predictions, dict) else predictions
    return len({p.get("task") for p in items or [] if not version or p.get("model_version") == version})
