"""A small Label Studio HTTP client: authentication through label-studio-sdk, retries, errors.

The SDK resolves the API key (a legacy token or a personal access token,
which it exchanges for short-lived access tokens) into request headers; this
client sends the few requests eventgold needs, with retries and backoff on
connection errors and 5xx, and turns a 4xx into :class:`APIError` carrying
Label Studio's own validation message. The ``httpx.Client`` is injectable so
tests can inject faults.

Every transport failure (refused or reset connections, timeouts, TLS errors, a
malformed URL or an unsupported scheme, a failed token refresh in the SDK)
becomes :class:`ConnectionFailed` (:class:`TimedOut` for timeouts): one line
naming the server URL with its ``user:password@`` masked and saying what to
do. Neither the API key nor the URL's userinfo appears in messages or reprs;
the third-party exception is not chained (its text may hold them).

The client is a context manager: ``with LabelStudioClient(conn) as client:``
closes its HTTP connections afterwards.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import ssl
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from eventgold.config import Connection
from eventgold.errors import APIError, ConnectionFailed, Option, TimedOut
from eventgold.fileio import atomic_open
from eventgold.redact import one_line, redact_text, strip_userinfo

RETRY_STATUS = {500, 502, 503, 504}

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (httpx.RequestError, httpx.InvalidURL, ssl.SSLError)
"""What the HTTP layer raises when a request cannot be made or answered (timeouts included)."""

_RETRYABLE = (httpx.NetworkError, httpx.RemoteProtocolError)
"""Transport errors worth another try: refused, reset or broken connections."""


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        text = response.text.strip().replace("\n", " ")
        return text[:300] or response.reason_phrase
    if isinstance(body, dict):
        parts = []
        for key in ("detail", "validation_errors", "non_field_errors", "message"):
            if body.get(key):
                value = body[key]
                parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        if not parts:
            parts.append(json.dumps(body, ensure_ascii=False)[:300])
        return "; ".join(parts)
    return json.dumps(body, ensure_ascii=False)[:300]


class LabelStudioClient:
    """Requests to one Label Studio server, authenticated with one API key."""

    def __init__(
        self,
        connection: Connection,
        *,
        http: httpx.Client | None = None,
        retries: int = 5,
        backoff: float = 0.5,
        timeout: float = 60.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        self.connection = connection
        self.base_url = strip_userinfo(connection.url).rstrip("/")
        """The URL requests go to (may hold ``user:password@``: never show it)."""
        self.url = connection.display_url.rstrip("/")
        """The URL as it may be shown in messages and files (userinfo masked)."""
        self._secrets = connection.secrets()
        self.http = http or httpx.Client(timeout=timeout)
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep or time.sleep
        self._sdk: Any = None

    # -- authentication -------------------------------------------------

    @property
    def sdk(self) -> Any:
        """The label_studio_sdk client (it turns the API key into auth headers)."""
        if self._sdk is None:
            from label_studio_sdk import LabelStudio

            # Our own httpx client: a token refresh goes through it, and close() closes it.
            self._sdk = LabelStudio(base_url=self.base_url, api_key=self.connection.api_key, httpx_client=self.http)
        return self._sdk

    def _auth_headers(self) -> dict[str, str]:
        try:
            headers = self.sdk._client_wrapper.get_headers()
        except Exception as exc:  # the SDK may call the server to refresh a PAT
            raise self._auth_failure(exc) from None
        return {k: v for k, v in headers.items() if k.lower() in ("authorization", "x-api-key")}

    # -- errors ---------------------------------------------------------

    def _describe(self, exc: BaseException) -> str:
        """``Type: detail`` of a third-party exception, one line, secrets masked."""
        detail = one_line(redact_text(str(exc), self._secrets), 200)
        return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__

    def _transport_failure(self, exc: BaseException, method: str, path: str) -> ConnectionFailed:
        """The one-line error for a request that could not be made or answered."""
        if isinstance(exc, httpx.TimeoutException):
            return TimedOut(
                f"timed out: Label Studio at {self.url} did not answer {method} {path} in time "
                f"({self._describe(exc)}); check that it is running and not overloaded "
                "(`eventgold server status`), then retry"
            )
        if isinstance(exc, (httpx.InvalidURL, httpx.UnsupportedProtocol)):
            return ConnectionFailed(
                f"cannot reach Label Studio at {self.url}: not a usable URL ({self._describe(exc)}); "
                "set LABEL_STUDIO_URL or ",
                Option("url"),
                " to http(s)://host:port",
            )
        return ConnectionFailed(
            f"cannot reach Label Studio at {self.url} ({self._describe(exc)}); is it running and is "
            "LABEL_STUDIO_URL right? (`eventgold server status`)"
        )

    def _auth_failure(self, exc: Exception) -> ConnectionFailed:
        """The one-line error for an API key the SDK could not turn into auth headers."""
        if isinstance(exc, TRANSPORT_ERRORS):
            return self._transport_failure(exc, "POST", "/api/token/refresh/")
        status = getattr(exc, "status_code", None)
        body = getattr(exc, "body", None)
        detail = body.get("detail") if isinstance(body, dict) else None
        reason = type(exc).__name__ if status is None else f"HTTP {status}" + (f": {detail}" if detail else "")
        reason = one_line(redact_text(reason, self._secrets), 200)
        return ConnectionFailed(
            f"cannot authenticate to Label Studio at {self.url} ({reason}); check LABEL_STUDIO_URL "
            "and that LABEL_STUDIO_API_KEY is a valid token"
        )

    # -- requests -------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        timeout: float | None = None,
        retry: bool = True,
    ) -> httpx.Response:
        """Send one request; retry connection errors and 5xx; raise on any error status.

        Raises :class:`APIError` for an error status, :class:`TimedOut` on a timeout
        (not retried: the server may still be working on it) and
        :class:`ConnectionFailed` for any other transport error.
        """
        attempts = self.retries + 1 if retry else 1
        last: BaseException | None = None
        for attempt in range(attempts):
            headers = self._auth_headers()
            try:
                response = self.http.request(
                    method,
                    f"{self.base_url}{path}",
                    params=params,
                    json=json_body,
                    headers=headers,
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except _RETRYABLE as exc:
                last = exc
            except TRANSPORT_ERRORS as exc:
                raise self._transport_failure(exc, method, path) from None
            else:
                if response.status_code in RETRY_STATUS and attempt + 1 < attempts:
                    last = APIError(f"{method} {path}: HTTP {response.status_code}", status=response.status_code)
                elif response.status_code >= 400:
                    hint = ""
                    if response.status_code == 401:
                        hint = " (check LABEL_STUDIO_API_KEY or .eventgold/credentials)"
                    raise APIError(
                        f"Label Studio refused {method} {path} with HTTP {response.status_code}: "
                        f"{_error_message(response)}{hint}",
                        status=response.status_code,
                    )
                else:
                    return response
            if attempt + 1 < attempts:
                self._sleep(min(self.backoff * 2**attempt, 10.0))
        if isinstance(last, APIError):
            raise last
        assert last is not None  # the loop ran at least once and did not return
        raise self._transport_failure(last, method, path) from None

    def get_json(self, path: str, **params: Any) -> Any:
        """GET ``path`` and decode the JSON answer."""
        response = self.request("GET", path, params=params or None)
        return _json(response, path)

    def post_json(self, path: str, body: Any, **params: Any) -> Any:
        """POST a JSON body to ``path`` and decode the JSON answer."""
        response = self.request("POST", path, json_body=body, params=params or None)
        return _json(response, path) if response.content else None

    def patch_json(self, path: str, body: Any) -> Any:
        """PATCH ``path`` with a JSON body and decode the JSON answer."""
        return _json(self.request("PATCH", path, json_body=body), path)

    # -- resources ------------------------------------------------------

    def whoami(self) -> dict[str, Any]:
        """The user the API key belongs to."""
        return dict(self.get_json("/api/current-user/whoami"))

    def projects(self) -> list[dict[str, Any]]:
        """All projects visible to the user (id, title, counts, label config)."""
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.get_json("/api/projects", page=page, page_size=100)
            results = body.get("results", []) if isinstance(body, dict) else body
            out.extend(results)
            if not isinstance(body, dict) or not body.get("next"):
                return out
            page += 1

    def find_project(self, title: str) -> dict[str, Any] | None:
        """The project with exactly this title, or None; several is an error."""
        matches = [p for p in self.projects() if p.get("title") == title]
        if len(matches) > 1:
            ids = ", ".join(str(p["id"]) for p in matches)
            raise APIError(f"several projects are titled {title!r} (ids {ids}); rename all but one")
        return matches[0] if matches else None

    def project(self, project_id: int) -> dict[str, Any]:
        """One project's settings and counts."""
        return dict(self.get_json(f"/api/projects/{project_id}"))

    def iter_tasks(
        self, project_id: int, *, fields: str = "task_only", page_size: int = 1000, **params: Any
    ) -> Iterator[dict[str, Any]]:
        """Every task of a project, paged (``task_only`` skips annotation bodies: fast).

        ``params`` are further query parameters (``review="true"``: see :func:`annotators.annotator_stats`).
        """
        page = 1
        while True:
            try:
                body = self.get_json(
                    "/api/tasks", project=project_id, fields=fields, page=page, page_size=page_size, **params
                )
            except APIError as exc:
                if exc.status == 404:  # past the last page
                    return
                raise
            tasks = body.get("tasks", []) if isinstance(body, dict) else body
            yield from tasks
            if len(tasks) < page_size:
                return
            page += 1

    def iter_tasks_by_id(
        self, project_id: int, filters: list[dict[str, Any]], *, fields: str = "all", page_size: int = 100,
        **params: Any
    ) -> Iterator[dict[str, Any]]:
        """The project's tasks that pass Data Manager ``filters``, in id order, paged by id.

        Each request asks for the next ``page_size`` tasks with an id above the last one
        seen (``filter:tasks:id`` greater, ordered by id), so tasks deleted or changed while
        paging never shift a page and make another be skipped, as numbered pages can.
        ``params`` are further query parameters (``include=...``).
        """
        last, by_id = None, {"filter": "filter:tasks:id", "operator": "greater", "type": "Number"}
        while True:
            items = [*filters, *([{**by_id, "value": last}] if last is not None else [])]
            query = json.dumps({"filters": {"conjunction": "and", "items": items}, "ordering": ["tasks:id"]})
            try:
                body = self.get_json("/api/tasks", project=project_id, fields=fields, page=1, page_size=page_size,
                                     query=query, **params)
            except APIError as exc:
                if exc.status == 404:  # an empty first page
                    return
                raise
            tasks = body.get("tasks", []) if isinstance(body, dict) else body
            ids = [t["id"] for t in tasks if isinstance(t.get("id"), int)]
            yield from tasks
            if len(tasks) < page_size or not ids or (last is not None and max(ids) <= last):
                return
            last = max(ids)

    def task_ids(self, project_id: int, *, page_size: int = 5000) -> list[int]:
        """The ids of every task of a project (``/api/tasks?include=id``: nothing else is sent)."""
        ids: list[int] = []
        for task in self.iter_tasks(project_id, page_size=page_size, include="id"):
            if isinstance(task.get("id"), int):
                ids.append(task["id"])
        return ids

    def server_time(self) -> dt.datetime | None:
        """Label Studio's clock (the ``Date`` header of ``GET /api/version``, UTC, to the second); None without one.

        Raises:
            ConnectionFailed: the server could not be reached (a refused request gives None).
        """
        try:
            stamp = self.request("GET", "/api/version").headers.get("date")
        except APIError:
            return None
        try:
            return email.utils.parsedate_to_datetime(stamp).astimezone(dt.UTC) if stamp else None
        except (TypeError, ValueError):
            return None

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> list[int]:
        """Import tasks (with inline predictions) in one request; returns their ids."""
        body = self.post_json(
            f"/api/projects/{project_id}/import", tasks, return_task_ids="true", commit_to_project="true"
        )
        return [int(i) for i in (body or {}).get("task_ids", [])]

    def stream_bytes(
        self, path: str, *, params: dict[str, Any] | None = None, timeout: float | None = None, what: str = ""
    ) -> Generator[bytes, None, None]:
        """GET ``path`` and yield its body in chunks as they arrive (nothing is held in memory).

        Args:
            path: the API path (``/api/...``).
            params: query parameters.
            timeout: seconds without data before giving up: for the connection and each read, not
                the whole download (None: the client's timeout).
            what: what is downloaded, for messages (default ``GET <path>``).

        Raises:
            APIError: an error status (not retried).
            TimedOut: the server sent no data for ``timeout`` seconds (connecting, or between two reads).
            ConnectionFailed: the download could not start or broke off.
        """
        what = what or f"GET {path}"
        headers = self._auth_headers()
        try:
            with self.http.stream(
                "GET",
                f"{self.base_url}{path}",
                params=params,
                headers=headers,
                timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise APIError(
                        f"Label Studio refused {what} with HTTP {response.status_code}: {_error_message(response)}",
                        status=response.status_code,
                    )
                yield from response.iter_bytes()
        except httpx.TimeoutException as exc:
            seconds = timeout if timeout is not None else self.http.timeout.read
            silence = f"sent no data for {seconds:g} s" if seconds is not None else "stopped sending data"
            raise TimedOut(
                f"timed out: {what} from {self.url} {silence} ({self._describe(exc)}); retry allowing more time, "
                "and check that Label Studio is not overloaded (`eventgold server status`)"
            ) from None
        except TRANSPORT_ERRORS as exc:
            failure = self._transport_failure(exc, "GET", path)
            if isinstance(exc, _RETRYABLE):
                failure = ConnectionFailed(
                    f"{what} from {self.url} broke off ({self._describe(exc)}); retry `eventgold pull`"
                )
            raise failure from None

    def download(
        self,
        path: str,
        target: Path,
        *,
        params: dict[str, Any] | None = None,
        timeout: float | None = None,
        what: str = "",
    ) -> None:
        """Stream GET ``path`` into ``target`` atomically: a failed download leaves ``target`` untouched.

        Raises what :meth:`stream_bytes` raises.
        """
        chunks = self.stream_bytes(path, params=params, timeout=timeout, what=what)
        with closing(chunks), atomic_open(target, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)

    def export_to(self, project_id: int, target: Path, *, timeout: float = 300.0) -> None:
        """Stream the full JSON export (all tasks, relations kept) into ``target`` atomically.

        A timeout raises :class:`TimedOut`; a broken-off download raises
        :class:`ConnectionFailed` and leaves ``target`` untouched.
        """
        params = {"exportType": "JSON", "download_all_tasks": "true"}
        what = f"the export of project {project_id}"
        self.download(f"/api/projects/{project_id}/export", target, params=params, timeout=timeout, what=what)

    # -- export snapshots (Label Studio's data_export app) ---------------

    def create_export_snapshot(self, project_id: int, *, title: str, timeout: float | None = None) -> dict[str, Any]:
        """Ask for an export snapshot of every task with every annotation (cancelled and ground truth too).

        ``POST /api/projects/<id>/exports/``. Without Redis, Label Studio builds
        the snapshot within this request, so ``timeout`` should be generous; the
        request is not retried (a retry could make a second snapshot).

        Returns:
            The snapshot record: ``id``, ``title``, ``status`` (``created``,
            ``in_progress``, ``completed`` or ``failed``), ``counters``, ...
        """
        body = {
            "title": title,
            "task_filter_options": {"only_with_annotations": False},
            "annotation_filter_options": {"usual": True, "ground_truth": True, "skipped": True},
            # as the synchronous export: drafts expanded, predictions and annotators by id
            "serialization_options": {
                "drafts": {"only_id": False},
                "predictions": {"only_id": True},
                "annotations__completed_by": {"only_id": True},
            },
        }
        path = f"/api/projects/{project_id}/exports/"
        return dict(_json(self.request("POST", path, json_body=body, timeout=timeout, retry=False), path))

    def export_snapshots(self, project_id: int) -> list[dict[str, Any]]:
        """The project's export snapshots (Label Studio lists the newest 100)."""
        body = self.get_json(f"/api/projects/{project_id}/exports/")
        return list(body.get("results", []) if isinstance(body, dict) else body)

    def export_snapshot(self, project_id: int, export_id: int) -> dict[str, Any]:
        """One export snapshot's record (its ``status`` tells whether it is done)."""
        return dict(self.get_json(f"/api/projects/{project_id}/exports/{export_id}"))

    def download_export_snapshot(
        self, project_id: int, export_id: int, target: Path, *, timeout: float | None = None
    ) -> None:
        """Stream a completed export snapshot (JSON) into ``target`` atomically."""
        self.download(
            f"/api/projects/{project_id}/exports/{export_id}/download",
            target,
            params={"exportType": "JSON"},
            timeout=timeout,
            what=f"the export snapshot {export_id} of project {project_id}",
        )

    def delete_export_snapshot(self, project_id: int, export_id: int) -> None:
        """Delete an export snapshot (its record and its file) on the server."""
        self.request("DELETE", f"/api/projects/{project_id}/exports/{export_id}")

    def users(self) -> list[dict[str, Any]]:
        """The users of the organisation (id, email)."""
        body = self.get_json("/api/users")
        return list(body.get("results", body) if isinstance(body, dict) else body)

    def close(self) -> None:
        """Close the underlying HTTP client (the SDK shares it)."""
        self.http.close()

    def __enter__(self) -> LabelStudioClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"LabelStudioClient(url={self.url!r}, api_key=***)"


def _json(response: httpx.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise APIError(
            f"Label Studio answered {path} with something that is not JSON "
            f"({response.headers.get('content-type', 'no content type')}); is the URL a Label "
            "Studio server?",
            status=response.status_code,
        ) from exc
