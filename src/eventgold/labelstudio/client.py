"""A small Label Studio HTTP client: authentication through label-studio-sdk, retries, errors.

The SDK resolves the API key (a legacy token or a personal access token,
which it exchanges for short-lived access tokens) into request headers; this
client sends the few requests eventgold needs, with retries and backoff on
connection errors and 5xx, and turns a 4xx into :class:`APIError` carrying
Label Studio's own validation message. The ``httpx.Client`` is injectable so
tests can inject faults. The API key never appears in messages.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from eventgold.config import Connection
from eventgold.errors import APIError, ConnectionFailed
from eventgold.fileio import atomic_open

RETRY_STATUS = {500, 502, 503, 504}


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
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        self.connection = connection
        self.url = connection.url.rstrip("/")
        self.http = http or httpx.Client(timeout=timeout)
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        self._sdk: Any = None

    # -- authentication -------------------------------------------------

    @property
    def sdk(self) -> Any:
        """The label_studio_sdk client (it turns the API key into auth headers)."""
        if self._sdk is None:
            from label_studio_sdk import LabelStudio

            self._sdk = LabelStudio(base_url=self.url, api_key=self.connection.api_key)
        return self._sdk

    def _auth_headers(self) -> dict[str, str]:
        try:
            headers = self.sdk._client_wrapper.get_headers()
        except Exception as exc:  # the SDK may call the server to refresh a PAT
            raise ConnectionFailed(
                f"cannot authenticate to {self.url}: {type(exc).__name__}; check LABEL_STUDIO_URL "
                "and that LABEL_STUDIO_API_KEY is a valid token"
            ) from None
        return {k: v for k, v in headers.items() if k.lower() in ("authorization", "x-api-key")}

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
        """Send one request; retry connection errors and 5xx; raise on any error status."""
        attempts = self.retries + 1 if retry else 1
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                response = self.http.request(
                    method,
                    f"{self.url}{path}",
                    params=params,
                    json=json_body,
                    headers=self._auth_headers(),
                    timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
                )
            except httpx.TimeoutException:
                raise
            except httpx.TransportError as exc:
                last = exc
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
        raise ConnectionFailed(
            f"cannot reach Label Studio at {self.url} ({type(last).__name__}: {last}); is it "
            "running? (`eventgold server status`)"
        ) from last

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
        self, project_id: int, *, fields: str = "task_only", page_size: int = 1000
    ) -> Iterator[dict[str, Any]]:
        """Every task of a project, paged (``task_only`` skips annotation bodies: fast)."""
        page = 1
        while True:
            try:
                body = self.get_json("/api/tasks", project=project_id, fields=fields, page=page, page_size=page_size)
            except APIError as exc:
                if exc.status == 404:  # past the last page
                    return
                raise
            tasks = body.get("tasks", []) if isinstance(body, dict) else body
            yield from tasks
            if len(tasks) < page_size:
                return
            page += 1

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]]) -> list[int]:
        """Import tasks (with inline predictions) in one request; returns their ids."""
        body = self.post_json(
            f"/api/projects/{project_id}/import", tasks, return_task_ids="true", commit_to_project="true"
        )
        return [int(i) for i in (body or {}).get("task_ids", [])]

    def export_to(self, project_id: int, target: Path, *, timeout: float = 300.0) -> None:
        """Stream the full JSON export (all tasks, relations kept) into ``target`` atomically."""
        params = {"exportType": "JSON", "download_all_tasks": "true"}
        with atomic_open(target, "wb") as fh:
            try:
                with self.http.stream(
                    "GET",
                    f"{self.url}/api/projects/{project_id}/export",
                    params=params,
                    headers=self._auth_headers(),
                    timeout=timeout,
                ) as response:
                    if response.status_code >= 400:
                        response.read()
                        raise APIError(
                            f"Label Studio refused the export of project {project_id} with HTTP "
                            f"{response.status_code}: {_error_message(response)}",
                            status=response.status_code,
                        )
                    for chunk in response.iter_bytes():
                        fh.write(chunk)
            except httpx.TimeoutException:
                raise
            except httpx.TransportError as exc:
                raise ConnectionFailed(f"the export from {self.url} broke off: {exc}") from exc

    def users(self) -> list[dict[str, Any]]:
        """The users of the organisation (id, email)."""
        body = self.get_json("/api/users")
        return list(body.get("results", body) if isinstance(body, dict) else body)

    def close(self) -> None:
        """Close the underlying HTTP client."""
        self.http.close()


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
