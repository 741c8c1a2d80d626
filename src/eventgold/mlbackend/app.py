"""Any extractor served to Label Studio as an ML backend (Starlette app, run by uvicorn).

Routes (Label Studio's side: :mod:`eventgold.mlbackend.protocol`):

- ``GET /health``, ``GET /``: ``{"status": "UP", "model_class", "model_version"}`` (never behind the key);
- ``POST /setup``: refuses (422) a project whose labeling config does not fit the ontology;
- ``POST /predict``: one prediction per task, in order, the same as ``push --predictions``;
- ``POST /webhook``: counts annotation events per project, hands them to ``on_annotation``;
- ``GET /versions``: ``{"versions": [model_version]}`` (Label Studio's model versions list).

A request that does not fit gets a 4xx ``{"error": "<one line naming the task and field>"}``;
an extractor that fails on a task gets a 500 with one line (its traceback goes to the log only).
Extraction runs in a worker thread, one request at a time (extractors need not be thread-safe),
so ``/health`` keeps answering within Label Studio's 1 s while a long batch is predicted.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from eventgold.errors import ConfigError, RecordError
from eventgold.extractors.base import Extractor
from eventgold.mlbackend.config_check import ConfigChecker
from eventgold.mlbackend.protocol import (
    ANNOTATION_ACTIONS,
    PredictRequest,
    SetupRequest,
    WebhookEvent,
    backend_model_version,
    extractor_prediction,
    task_article,
    task_label,
    validation_message,
)
from eventgold.ontology import Ontology

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 2**20
"""Largest request body read (about 20,000 seed-sized tasks); a larger one gets 413."""
REALM = 'Basic realm="eventgold ml-backend", charset="UTF-8"'


@dataclass(frozen=True)
class AnnotationEvent:
    """One annotation webhook from Label Studio, as the annotation hook receives it.

    Attributes:
        action: ``ANNOTATION_CREATED``, ``ANNOTATIONS_CREATED``, ``ANNOTATION_UPDATED`` or ``ANNOTATIONS_DELETED``.
        project_id: the Label Studio project (None when the payload does not say).
        task_ids: the tasks concerned (from ``task``/``tasks``), possibly empty.
        annotation_ids: the annotations concerned, possibly empty.
        payload: the whole webhook body (Label Studio's serializers: ``annotation``, ``task``, ``project``).
    """

    action: str
    project_id: int | None
    task_ids: tuple[int, ...]
    annotation_ids: tuple[int, ...]
    payload: dict[str, Any]


AnnotationHook = Callable[[AnnotationEvent], None]
"""Called (in a worker thread) for every annotation webhook: where retraining will start from."""


class Refused(Exception):
    """A request the backend answers with ``{"error": message}`` and a 4xx/5xx status."""

    def __init__(self, status: int, message: str) -> None:
        """Args: status: the HTTP status; message: one line for the caller (never a secret)."""
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class BackendState:
    """What one backend app serves and has seen (``app.state.backend``).

    Attributes:
        extractor: the extractor predictions come from.
        ontology: the ontology outputs and labeling configs are checked against.
        model_version: ``<extractor name>@<version>``, as ``push --predictions`` names its predictions.
        max_task_chars: longest ``data.text`` predicted.
        on_annotation: the annotation hook, or None.
        annotation_events: project id (None: unknown) -> action -> webhooks received.
    """

    extractor: Extractor
    ontology: Ontology
    model_version: str
    max_task_chars: int
    on_annotation: AnnotationHook | None = None
    annotation_events: dict[int | None, Counter[str]] = field(default_factory=dict)
    checker: ConfigChecker = field(init=False)
    _extract_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _count_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.checker = ConfigChecker(self.ontology)

    def annotations_seen(self, project_id: int | None) -> int:
        """Annotation webhooks received for ``project_id`` since the backend started."""
        with self._count_lock:
            return sum(self.annotation_events.get(project_id, Counter()).values())

    def count(self, project_id: int | None, action: str) -> None:
        """Count one webhook of ``action`` for ``project_id``."""
        with self._count_lock:
            self.annotation_events.setdefault(project_id, Counter())[action] += 1

    def replace_extractor(self, extractor: Extractor) -> str:
        """Serve ``extractor`` from now on (a retrained model), between two prediction requests.

        Label Studio learns the new ``model_version`` at its next ``/setup`` (before each batch)
        and then asks again for tasks that only have the old version's predictions.

        Returns:
            The new model version.
        """
        with self._extract_lock:
            self.extractor = extractor
            self.model_version = backend_model_version(extractor)
        log.info("now serving %s", self.model_version)
        return self.model_version

    def health(self) -> dict[str, str]:
        """The ``/health`` body: ``{"status": "UP", "model_class", "model_version", "extractor"}``."""
        return {
            "status": "UP",
            "model_class": type(self.extractor).__name__,
            "model_version": self.model_version,
            "extractor": self.extractor.name,
        }

    def predict(self, tasks: list[dict[str, Any]]) -> dict[str, Any]:
        """The ``/predict`` answer: ``{"results": [one prediction per task, in order], "model_version"}``.

        Args:
            tasks: the request's tasks, validated (:class:`~eventgold.mlbackend.protocol.PredictRequest`).

        Raises:
            Refused: 422 for a task whose data makes no article; 500 when the extractor fails
                on a task or gives an output that does not fit it (logged with its traceback).
        """
        out: list[dict[str, Any]] = []
        with self._extract_lock:
            name = self.extractor.name
            for index, task in enumerate(tasks):
                label = task_label(tasks, index)
                try:
                    article = task_article(task)
                except RecordError as exc:
                    where = exc.field if (exc.field or "").startswith("data") else f"data.{exc.field or ''}".rstrip(".")
                    raise Refused(422, f"{label}: {where}: {exc.problem}") from exc
                try:
                    out.append(
                        extractor_prediction(
                            self.extractor, self.ontology, article, task["data"].get("actor_candidates") or []
                        )
                    )
                except RecordError as exc:
                    log.error("extractor %r gave an invalid output for %s: %s", name, label, exc)
                    raise Refused(500, f"{label}: {exc}") from exc
                except Exception as exc:  # the extractor's own failure: one line out, the traceback in the log
                    log.exception("extractor %r failed on %s (document %s)", name, label, article.id)
                    detail = " ".join(str(exc).split())[:200]
                    raise Refused(
                        500,
                        f"{label}: extractor {name!r} failed ({type(exc).__name__}: {detail}); see the backend's log",
                    ) from exc
            return {"results": out, "model_version": self.model_version}


def _authorized(request: Request, api_key: str) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    _, sep, password = decoded.partition(b":")
    return bool(sep) and secrets.compare_digest(password, api_key.encode("utf-8"))


M = TypeVar("M", bound=BaseModel)


async def _json_body(request: Request, what: str, max_bytes: int) -> Any:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise Refused(
            413, f"{what}: the body has {int(declared):,} bytes, more than this backend reads ({max_bytes:,})"
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # a chunked body declares no length: stop reading at the limit
        size += len(chunk)
        if size > max_bytes:
            raise Refused(413, f"{what}: the body has more than the {max_bytes:,} bytes this backend reads")
        chunks.append(chunk)
    raw = b"".join(chunks)
    try:
        return json.loads(raw)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        detail = " ".join(str(exc).split())[:120]
        raise Refused(400, f"{what}: the body is not JSON ({detail})") from exc


async def _request(request: Request, model: type[M], what: str, max_bytes: int) -> tuple[Any, M]:
    """The JSON body of ``request`` and ``model`` validated from it; 4xx :class:`Refused` with one line otherwise."""
    body = await _json_body(request, what, max_bytes)
    try:
        return body, model.model_validate(body)
    except ValidationError as exc:
        raise Refused(422, validation_message(exc, body, what)) from exc


def _int_id(raw: Any) -> int | None:
    if isinstance(raw, dict):
        raw = raw.get("id")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    if isinstance(raw, str):  # /setup and /predict name a project "<id>.<created timestamp>"
        head = raw.partition(".")[0]
        return int(head) if head.isdigit() else None
    return None


def _ids(*raws: Any) -> tuple[int, ...]:
    out: list[int] = []
    for raw in raws:
        for item in raw if isinstance(raw, list) else [raw]:
            found = _int_id(item)
            if found is not None:
                out.append(found)
    return tuple(out)


def create_app(
    extractor: Extractor,
    ontology: Ontology,
    *,
    api_key: str | None = None,
    max_task_chars: int = 1_000_000,
    on_annotation: AnnotationHook | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Starlette:
    """A Label Studio ML backend serving ``extractor``'s predictions.

    Args:
        extractor: any :class:`~eventgold.extractors.base.Extractor` (``load_extractor(name, ontology=...)``).
        ontology: checks outputs and the projects' labeling configs.
        api_key: when set, every route but ``/health`` and ``/`` asks for HTTP Basic auth whose
            password is the key (any user name: Label Studio's ``basic_auth_user``/``basic_auth_pass``);
            401 otherwise.
        max_task_chars: longest ``data.text`` (characters) predicted; a longer task gets 413.
        on_annotation: called for each annotation webhook (see :class:`AnnotationEvent`).
        max_body_bytes: largest request body read; a larger one gets 413.

    Returns:
        The Starlette app; its state is ``app.state.backend`` (a :class:`BackendState`).

    Raises:
        ConfigError: an empty ``api_key``, or a limit below 1.

    Example:
        >>> from starlette.testclient import TestClient
        >>> from eventgold.extractors.rules import RulesExtractor
        >>> from eventgold.ontology import load_ontology
        >>> client = TestClient(create_app(RulesExtractor(), load_ontology()))
        >>> client.get("/health").json()["status"]
        'UP'
    """
    if api_key is not None and not api_key:
        raise ConfigError("the API key is empty; give a key, or none to serve without authentication")
    if max_task_chars < 1 or max_body_bytes < 1:
        raise ConfigError(
            f"limits must be at least 1, got max_task_chars={max_task_chars}, max_body_bytes={max_body_bytes}"
        )
    state = BackendState(
        extractor=extractor,
        ontology=ontology,
        model_version=backend_model_version(extractor),
        max_task_chars=max_task_chars,
        on_annotation=on_annotation,
    )

    def guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                if api_key is not None and not _authorized(request, api_key):
                    raise Refused(
                        401, "authentication required: HTTP Basic auth with the backend's API key as password"
                    )
                return await handler(request)
            except Refused as exc:
                if exc.status >= 500:
                    log.warning("%s %s: %s", request.method, request.url.path, exc.message)
                else:
                    log.info("%s %s refused (%d): %s", request.method, request.url.path, exc.status, exc.message)
                headers = {"WWW-Authenticate": REALM} if exc.status == 401 else None
                return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)

        return endpoint

    async def health(request: Request) -> Response:
        return JSONResponse(state.health())

    async def versions(request: Request) -> Response:
        return JSONResponse({"versions": [state.model_version]})

    async def setup(request: Request) -> Response:
        _, payload = await _request(request, SetupRequest, "setup request", max_body_bytes)
        if payload.schema_ is None:
            raise Refused(422, "setup request: schema is missing (the project's labeling config)")
        problem = await run_in_threadpool(state.checker.problem, payload.schema_)
        if problem:
            raise Refused(422, problem)
        return JSONResponse({"model_version": state.model_version})

    async def predict(request: Request) -> Response:
        body, payload = await _request(request, PredictRequest, "predict request", max_body_bytes)
        tasks: list[dict[str, Any]] = body["tasks"]
        for index, task in enumerate(payload.tasks):
            size = len(task.data.text)
            if size > max_task_chars:
                raise Refused(
                    413,
                    f"{task_label(tasks, index)}: data.text has {size:,} characters, more than this backend "
                    f"predicts ({max_task_chars:,}, max_task_chars)",
                )
        if payload.label_config is not None:
            problem = await run_in_threadpool(state.checker.problem, payload.label_config)
            if problem:
                raise Refused(422, problem)
        return JSONResponse(await run_in_threadpool(state.predict, tasks))

    async def webhook(request: Request) -> Response:
        body, event = await _request(request, WebhookEvent, "webhook", max_body_bytes)
        if event.action not in ANNOTATION_ACTIONS:
            return JSONResponse({"status": "ignored", "action": event.action})
        project_id = _int_id(event.project)
        state.count(project_id, event.action)
        if state.on_annotation is not None:
            annotation_event = AnnotationEvent(
                action=event.action,
                project_id=project_id,
                task_ids=_ids(body.get("task"), body.get("tasks")),
                annotation_ids=_ids(body.get("annotation"), body.get("annotations")),
                payload=body,
            )
            try:
                await run_in_threadpool(state.on_annotation, annotation_event)
            except Exception as exc:
                log.exception("the annotation hook failed on %s for project %s", event.action, project_id)
                raise Refused(
                    500, f"webhook: the annotation hook failed ({type(exc).__name__}); see the backend's log"
                ) from exc
        return JSONResponse({"status": "ok", "action": event.action})

    routes = [
        Route("/health", health, methods=["GET"]),
        Route("/", health, methods=["GET"]),
        Route("/versions", guarded(versions), methods=["GET"]),
        Route("/setup", guarded(setup), methods=["POST"]),
        Route("/predict", guarded(predict), methods=["POST"]),
        Route("/webhook", guarded(webhook), methods=["POST"]),
    ]

    async def internal_error(request: Request, exc: Exception) -> Response:
        # uvicorn logs the traceback; the caller gets one line without it
        return JSONResponse({"error": f"internal error of the backend ({type(exc).__name__}); see its log"}, 500)

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "error"
        return JSONResponse({"error": f"{request.method} {request.url.path}: {detail}"}, status)

    handlers = {HTTPException: http_error, Exception: internal_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.backend = state
    return app
