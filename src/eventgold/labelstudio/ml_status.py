"""The ML backends of a Label Studio project as it sees them (:func:`status`), and asking the first for
predictions for every task (:func:`retrieve`).

Label Studio health-checks each backend when listing them (fresh ``state``: :data:`~eventgold.labelstudio.ml.STATES`).
When several are connected it asks the first (lowest id) only, both for :func:`retrieve` and for the live
predictions annotators get when they open a task (:func:`~eventgold.labelstudio.ml.live_backend`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import httpx

from eventgold.errors import LabelStudioError, UserError
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.ml import (
    MARK,
    REACHED,
    RETRIEVE_ACTION,
    STATES,
    LiveBackend,
    list_backends,
    live_backend,
    project_record,
)
from eventgold.redact import one_line


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
    live: bool = False
    """Annotators get its predictions live when they open a task (the project's first backend, when the
    project has live predictions on: :func:`~eventgold.labelstudio.ml.live_backend`)."""

    @property
    def state_name(self) -> str:
        """The state as Label Studio names it (``Connected``, ``Disconnected``, ...)."""
        return STATES.get(self.state, self.state)

    def to_json(self) -> dict[str, Any]:
        """The fields for ``--json`` (``state`` as Label Studio names it; ``direct`` as ``reachable_from_here``)."""
        fields = asdict(self)
        direct = fields.pop("direct")
        return {**fields, "state": self.state_name, "reachable_from_here": direct}


def _status(
    backend: dict[str, Any], probe_http: httpx.Client | None, probe: bool, live: LiveBackend | None = None
) -> BackendStatus:
    from eventgold.labelstudio.backend_process import probe_health

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
        live=live is not None and live.id == int(backend["id"]),
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
        probe: also ask unreachable backends' ``/health`` from here (with ``probe_http``, tests inject one).

    Returns one :class:`BackendStatus` per backend, by id (empty: none connected), ``live`` on the one
    annotators get predictions from when they open a task; raises UserError when no project has that title.
    """
    project_id = int(project_record(client, project_title)["id"])
    backends = list_backends(client, project_id)
    live = live_backend(client.project(project_id), backends) if backends else None
    return [_status(b, probe_http, probe, live) for b in backends]


@dataclass(frozen=True)
class Retrieved:
    """What :func:`retrieve` did: the backend Label Studio asked (the first, as after the call), how many
    of the project's tasks hold a prediction of its model version after and before the call, and how
    many ``others`` the project has (Label Studio asks none of them)."""

    backend: BackendStatus
    tasks_with_prediction: int
    tasks_before: int
    others: int


def _predicted(client: LabelStudioClient, project_id: int) -> set[tuple[Any, str]]:
    """(task id, model version) of each of the project's predictions."""
    body = client.get_json("/api/predictions/", project=project_id)
    items = (body.get("results", []) if isinstance(body, dict) else body) or []
    return {(p.get("task"), str(p.get("model_version") or "")) for p in items}


def retrieve(client: LabelStudioClient, project_title: str, *, timeout: float = 300.0) -> Retrieved:
    """Ask Label Studio to fetch predictions from the project's ML backend for all of its tasks.

    Runs the data manager action :data:`RETRIEVE_ACTION` on every task: Label Studio sends the tasks
    without a prediction of the backend's current model version to its ``/predict`` in one request and
    stores the answers. With several backends, Label Studio asks the first (lowest id) only.

    Args:
        client: the Label Studio client.
        project_title: the project's exact title.
        timeout: seconds to wait for Label Studio (it waits for the backend).

    Raises:
        UserError: no project has that title, or it has no ML backend.
        LabelStudioError: Label Studio cannot reach the backend, or the backend refused the project's setup.
    """
    project_id = int(project_record(client, project_title)["id"])
    backends = list_backends(client, project_id)
    if not backends:
        raise UserError(f"project {project_title!r} has no ML backend; connect one first (`eventgold ml connect`)")
    first = _status(backends[0], None, probe=False)
    if first.state not in ("CO", "TR", "PR"):
        raise LabelStudioError(
            f"Label Studio cannot use the ML backend {first.title!r} at {first.url} for project {project_title!r} "
            f"(state {first.state_name}: {first.error}); start it or fix it, then retry"
        )
    before = _predicted(client, project_id)
    every = {"selectedItems": {"all": True, "excluded": []}}
    params = {"id": RETRIEVE_ACTION, "project": project_id}
    client.request("POST", "/api/dm/actions/", params=params, json_body=every, timeout=timeout)
    after = next((b for b in list_backends(client, project_id) if int(b["id"]) == first.id), backends[0])
    backend = _status(after, None, False, live_backend(client.project(project_id), backends))

    def tasks(predicted: set[tuple[Any, str]]) -> int:
        return len({task for task, v in predicted if v == backend.model_version or not backend.model_version})

    return Retrieved(backend, tasks(_predicted(client, project_id)), tasks(before), len(backends) - 1)


def retrieve_predictions(client: LabelStudioClient, project_title: str, *, timeout: float = 300.0) -> int:
    """:func:`retrieve`, returning how many tasks hold a prediction of the backend's current model version."""
    return retrieve(client, project_title, timeout=timeout).tasks_with_prediction
