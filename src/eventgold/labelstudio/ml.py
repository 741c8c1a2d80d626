"""Connect an ML backend (``eventgold ml-backend``) to a Label Studio project, and ask it for predictions.

Label Studio 1.23's ML API (``/api/ml/``) keeps one record per backend and project (``url``,
``title``, ``is_interactive``, ``auth_method``, basic auth, ``description``, ``state``: :data:`STATES`).
Creating or updating one makes Label Studio call the backend's ``/health`` and ``/setup`` first and
refuse when either fails; listing them makes it check each again (fresh ``state``). Creating one
also adds a project webhook to ``<url>/webhook``, which :func:`disconnect` removes with the backend.

Predictions reach annotators two ways: the data manager action :data:`RETRIEVE_ACTION`
(:func:`eventgold.labelstudio.ml_status.retrieve`: every task, stored with the backend's ``model_version``),
and live when a task is opened, if the project shows predictions (``show_collab_predictions``) and its
``model_version`` is a backend's *title* (``interactive=True``; Label Studio sets it too for a project
without one). Either way Label Studio asks the project's *first* backend (lowest id,
``Project.ml_backend``), whichever backend's title matched: :func:`live_backend`.

Label Studio's SSRF protection refuses backends on local or private addresses unless it runs
with :data:`LOOPBACK_ML_ENV`; :func:`connect` says so. API keys never appear in messages or reprs.
A backend connected without a title is named after what it serves (:func:`default_title`).
"""

from __future__ import annotations

import base64
import shlex
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from eventgold.errors import APIError, ConfigError, UserError
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.redact import one_line, redact_text

DEFAULT_TITLE = "eventgold"
"""The title earlier eventgolds gave every backend; connecting one so titled again gives it :func:`default_title`."""

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
"""The environment a Label Studio 1.23 server needs to accept ML backends on this machine (127.0.0.0/8, ::1):
its SSRF protection refuses backend URLs (``ML_BLOCK_LOCAL_IP``) and their webhooks on every reserved
network, loopback included; this keeps its list (``core.utils.io.validate_ip``) less the two loopback ones."""

SSRF_HINT = (
    "this Label Studio refuses ML backends on local or private addresses (its SSRF protection): give a --url "
    "it may reach, or use the local server `eventgold up` manages (it accepts 127.0.0.1), or, if you run this "
    "Label Studio yourself, restart it allowing loopback (USE_DEFAULT_BANNED_SUBNETS=false with "
    "USER_ADDITIONAL_BANNED_SUBNETS listing the other reserved networks; README, Live pre-annotation)"
)


@dataclass(frozen=True)
class LiveBackend:
    """The backend whose predictions annotators get live when they open a task (:func:`live_backend`)."""

    id: int
    title: str
    url: str


def live_backend(project: dict[str, Any], backends: list[dict[str, Any]]) -> LiveBackend | None:
    """The backend Label Studio 1.23 asks for live predictions when an annotator opens a task of ``project``.

    Label Studio does so when the project shows predictions (``show_collab_predictions``) and its
    ``model_version`` is the title of one of its backends; it then asks its *first* backend (lowest
    id, ``Project.ml_backend``), not necessarily the one so titled.

    Args:
        project: Label Studio's project record (``show_collab_predictions``, ``model_version``).
        backends: the project's backend records (:func:`list_backends`), any order.

    Returns the first backend, or None when the project has no live predictions (off, or its
    ``model_version`` names static predictions).

    Example: backends 3 (title ``a``) and 5 (``b``), ``model_version`` ``b`` -> backend 3.
    """
    version = project.get("model_version")
    if not project.get("show_collab_predictions") or not version:
        return None
    if not any(str(b.get("title") or "") == version for b in backends):
        return None
    first = min(backends, key=lambda b: int(b.get("id") or 0))
    return LiveBackend(int(first["id"]), str(first.get("title") or ""), str(first.get("url") or ""))


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
    live_backend: LiveBackend | None = None
    """The backend whose predictions they get live (this one or the project's first), None: none."""

    def to_json(self) -> dict[str, Any]:
        """The fields for ``--json`` (``state`` as Label Studio names it; ``live_backend``: id, title, url)."""
        return {**asdict(self), "state": STATES.get(self.state, self.state)}

    def shadow_warning(self) -> str | None:
        """What to tell when the project's live predictions come from another backend (plain text, one line).

        None when they come from this one, or when the project has none.
        """
        other = self.live_backend
        if other is None or other.id == self.id:
            return None
        return (
            f"annotators get live predictions from the project's first ML backend {other.title!r} (id {other.id}, "
            f"{other.url}), not from {self.title!r} (id {self.id}): Label Studio asks only the first (lowest id); "
            f"to make this one live, remove that one: eventgold ml disconnect --project "
            f"{shlex.quote(self.project_title)} --url {shlex.quote(other.url)}"
        )


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
        raise ConfigError("the ML backend URL must not hold user:password@; pass the backend's API key separately")
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


def project_record(client: LabelStudioClient, title: str) -> dict[str, Any]:
    """Label Studio's record of the project titled ``title``; raises UserError when there is none."""
    found = client.find_project(title)
    if found is None:
        raise UserError(
            f"no Label Studio project at {client.url} is titled {title!r}; push a corpus into it first "
            "(`eventgold push`) or check the title"
        )
    return found


def list_backends(client: LabelStudioClient, project_id: int) -> list[dict[str, Any]]:
    """The ML backends of project ``project_id`` as Label Studio lists them (it health-checks each first).

    Returns Label Studio's records (``id``, ``url``, ``title``, fresh ``state``, ``model_version``, ...), by id.
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
    probe_http: httpx.Client | None = None,
) -> BackendInfo:
    """Register the ML backend at ``url`` in a project; a backend already there with that URL is updated.

    Args:
        client: the Label Studio client.
        project_title: the project's exact title.
        url: where Label Studio reaches the backend (``http(s)://host:port``; Label Studio, not this
            machine, calls it).
        title: the backend's title (default: the existing backend's unless eventgold made it, else
            :func:`default_title`; a project whose live predictions were the backend's keeps them).
        interactive: turn on interactive pre-annotations: Label Studio sends the annotator's regions to
            the backend (``is_interactive``), and the project shows live predictions when a task is opened
            (``show_collab_predictions``, ``model_version`` = the backend's title), in place of any static
            predictions chosen before: this backend's if it is the project's first (lowest id), else the
            first's (``live_backend`` of the result; it becomes this one once those before it are removed).
            False leaves the project's settings as they are.
        api_key: the backend's key (``eventgold ml-backend --api-key``): Label Studio sends it as the
            password of basic auth (user :data:`BASIC_AUTH_USER`). None: no auth.
        probe_http: the HTTP client asking the backend's ``/health`` for :func:`default_title` (tests inject one).

    Returns:
        The backend as registered (state, model version, whether it was created, whether it is live,
        which backend is).

    Raises:
        ConfigError: ``url`` is not an http(s) URL.
        UserError: no project has that title.
        APIError: Label Studio refused (it cannot reach the backend, the backend refused its setup or
            credentials, a local address its SSRF protection blocks): one line saying what to do.

    Example: ``connect(client, "eventgold", "http://127.0.0.1:9090", interactive=True)``
    """
    target = normalize_url(url)
    if title is not None and not title.strip():
        raise UserError("the ML backend title must not be empty")
    project_id = int(project_record(client, project_title)["id"])
    existing = next((b for b in list_backends(client, project_id) if _same_url(str(b.get("url") or ""), target)), None)
    old = str(existing.get("title") or "") if existing else ""
    chosen = title or (old if old and not _made_title(old, target) else default_title(target, http=probe_http))
    body: dict[str, Any] = {"url": target, "project": project_id, "title": chosen, "description": MARK}
    body["is_interactive"] = interactive
    live_before = client.project(project_id).get("model_version")
    keep = chosen if old and live_before == old else live_before  # a live backend renamed stays live
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
    elif client.project(project_id).get("model_version") != keep:
        # Label Studio makes a new backend the project's live one; without --interactive the project keeps its own
        client.patch_json(f"/api/projects/{project_id}", {"model_version": keep or ""})
    settings = client.project(project_id)
    live = live_backend(settings, list_backends(client, project_id))
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
        live=live is not None and live.id == int(record["id"]),
        live_backend=live,
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

    Returns how many backends were removed (0 when none matched: nothing to do).

    Raises:
        ConfigError: ``url`` is not an http(s) URL.
        UserError: no project has that title.
    """
    target = normalize_url(url) if url is not None else None
    project_id = int(project_record(client, project_title)["id"])
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


def default_title(url: str, *, http: httpx.Client | None = None) -> str:
    """The title of a backend connected without one: ``eventgold <extractor> @ <host:port[/path]>``.

    The extractor is the one the backend's ``/health`` names (asked with ``http``; tests inject one); when
    this machine cannot ask it, ``eventgold @ <host:port[/path]>``. Raises ConfigError for a non-http(s) URL.

    Example: ``default_title("http://127.0.0.1:9090")`` -> ``"eventgold rules @ 127.0.0.1:9090"``
    """
    from eventgold.labelstudio.backend_process import health_info  # it imports the server, which imports this

    where = normalize_url(url).split("://", 1)[1]
    name = " ".join(str((health_info(url, http=http) or {}).get("extractor") or "").split())
    return f"eventgold {name} @ {where}" if name else f"eventgold @ {where}"


def _made_title(title: str, url: str) -> bool:
    """Whether ``title`` is one eventgold chose for the backend at ``url`` (not one a user gave)."""
    where = normalize_url(url).split("://", 1)[1]
    return title == DEFAULT_TITLE or (title.startswith("eventgold ") and title.endswith(f" @ {where}"))
