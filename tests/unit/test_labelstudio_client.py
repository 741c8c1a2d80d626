"""The HTTP client under injected faults (mocked transport; the real server is in integration/)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from eventgold.config import Connection
from eventgold.errors import APIError, ConnectionFailed
from eventgold.labelstudio.client import LabelStudioClient

TOKEN = "a1b2c3d4e5f6a7b8c9d0"


def _client(
    handler: Callable[[httpx.Request], httpx.Response], retries: int = 3
) -> tuple[LabelStudioClient, list[float]]:
    sleeps: list[float] = []
    client = LabelStudioClient(
        Connection(url="http://ls.test", api_key=TOKEN, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        retries=retries,
        backoff=0.1,
        sleep=sleeps.append,
    )
    return client, sleeps


def test_legacy_token_is_sent_as_token_header() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={"id": 1, "email": "a@x.org"})

    client, _ = _client(handler)
    assert client.whoami()["email"] == "a@x.org"
    assert seen == [f"Token {TOKEN}"]


def test_5xx_is_retried_with_backoff() -> None:
    answers = iter([503, 502, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        return httpx.Response(status, json={"results": []} if status == 200 else {"detail": "busy"})

    client, sleeps = _client(handler)
    assert client.projects() == []
    assert sleeps == [0.1, 0.2]


def test_connection_errors_exhaust_retries_with_a_clear_message() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, sleeps = _client(handler, retries=2)
    with pytest.raises(ConnectionFailed) as info:
        client.projects()
    assert "cannot reach Label Studio at http://ls.test" in str(info.value)
    assert "eventgold server status" in str(info.value)
    assert TOKEN not in str(info.value)
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            400,
            {
                "detail": "Validation error",
                "validation_errors": {"title": ["Ensure this field has at least 3 characters."]},
            },
            'HTTP 400: Validation error; {"title": ["Ensure this field has at least 3 characters."]}',
        ),
        (401, {"detail": "Invalid token."}, "Invalid token. (check LABEL_STUDIO_API_KEY"),
        (404, {"detail": "Not found."}, "HTTP 404: Not found."),
    ],
)
def test_4xx_carries_label_studios_message_and_is_not_retried(
    status: int, body: dict[str, object], expected: str
) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(status, json=body)

    client, _ = _client(handler)
    with pytest.raises(APIError) as info:
        client.post_json("/api/projects", {"title": "x"})
    assert expected in str(info.value)
    assert info.value.status == status and len(calls) == 1
    assert TOKEN not in str(info.value)


def test_non_json_answer_is_explained() -> None:
    client, _ = _client(lambda r: httpx.Response(200, text="<html>proxy</html>", headers={"content-type": "text/html"}))
    with pytest.raises(APIError, match=r"not JSON.*is the URL a Label Studio server"):
        client.whoami()


def test_duplicate_project_titles_are_refused() -> None:
    client, _ = _client(
        lambda r: httpx.Response(200, json={"results": [{"id": 1, "title": "a b"}, {"id": 2, "title": "a b"}]})
    )
    with pytest.raises(APIError, match="several projects are titled 'a b' \\(ids 1, 2\\)"):
        client.find_project("a b")


def test_task_paging_stops_on_a_short_page() -> None:
    pages = {1: [{"id": i} for i in range(3)], 2: [{"id": 3}]}

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        assert request.url.params["fields"] == "task_only"
        return httpx.Response(200, json={"tasks": pages[page]})

    client, _ = _client(handler)
    assert [t["id"] for t in client.iter_tasks(1, page_size=3)] == [0, 1, 2, 3]


def test_negative_retries_rejected() -> None:
    with pytest.raises(ValueError, match="retries must be >= 0, got -1"):
        LabelStudioClient(Connection(url="http://x", api_key="k", source="t"), retries=-1)
