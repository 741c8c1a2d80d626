"""The HTTP client under injected faults (mocked transport; the real server is in integration/)."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from eventgold.config import Connection
from eventgold.errors import APIError, ConnectionFailed, TimedOut
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


# -- secrets and transport errors ------------------------------------------------

PASSWORD = "pw-SECRET"
SECRET_URL = f"http://user:{PASSWORD}@ls.test"


def _secret_client(
    handler: Callable[[httpx.Request], httpx.Response], api_key: str = TOKEN
) -> tuple[LabelStudioClient, list[float]]:
    sleeps: list[float] = []
    client = LabelStudioClient(
        Connection(url=SECRET_URL, api_key=api_key, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        retries=2,
        backoff=0.1,
        sleep=sleeps.append,
    )
    return client, sleeps


def _no_secret(text: str) -> None:
    assert PASSWORD not in text and TOKEN not in text and "\n" not in text


# Each fault says the secrets out loud, the worst a library could do.
LOUD = f"failed for {SECRET_URL} with Authorization: Token {TOKEN}"
TRANSPORT_FAULTS: list[tuple[Callable[[httpx.Request], BaseException], type[ConnectionFailed], bool]] = [
    (lambda r: httpx.ConnectError(LOUD, request=r), ConnectionFailed, True),
    (lambda r: httpx.ReadError(LOUD, request=r), ConnectionFailed, True),
    (lambda r: httpx.WriteError(LOUD, request=r), ConnectionFailed, True),
    (lambda r: httpx.CloseError(LOUD, request=r), ConnectionFailed, True),
    (lambda r: httpx.RemoteProtocolError(LOUD + "\nsecond line", request=r), ConnectionFailed, True),
    (lambda r: httpx.ConnectTimeout(LOUD, request=r), TimedOut, False),
    (lambda r: httpx.ReadTimeout(LOUD, request=r), TimedOut, False),
    (lambda r: httpx.WriteTimeout(LOUD, request=r), TimedOut, False),
    (lambda r: httpx.PoolTimeout(LOUD, request=r), TimedOut, False),
    (lambda r: httpx.LocalProtocolError(LOUD, request=r), ConnectionFailed, False),
    (lambda r: httpx.ProxyError(LOUD, request=r), ConnectionFailed, False),
    (lambda r: httpx.UnsupportedProtocol(LOUD, request=r), ConnectionFailed, False),
    (lambda r: httpx.DecodingError(LOUD, request=r), ConnectionFailed, False),
    (lambda r: httpx.TooManyRedirects(LOUD, request=r), ConnectionFailed, False),
    (lambda r: httpx.InvalidURL(LOUD), ConnectionFailed, False),
    (lambda r: ssl.SSLError(1, LOUD), ConnectionFailed, False),
    (lambda r: ssl.SSLCertVerificationError(1, LOUD), ConnectionFailed, False),
]


@pytest.mark.parametrize(
    ("fault", "expected", "retried"),
    TRANSPORT_FAULTS,
    ids=[f"{i}-{e.__name__}" for i, (_, e, _r) in enumerate(TRANSPORT_FAULTS)],
)
def test_every_transport_error_is_one_line_without_secrets(
    fault: Callable[[httpx.Request], BaseException], expected: type[ConnectionFailed], retried: bool
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise fault(request)

    client, sleeps = _secret_client(handler)
    with pytest.raises(ConnectionFailed) as info:
        client.projects()
    message = str(info.value)
    assert type(info.value) is expected
    assert "http://***@ls.test" in message
    assert "eventgold server status" in message or "LABEL_STUDIO_URL" in message
    _no_secret(message)
    _no_secret(repr(info.value))
    # the third-party exception (whose text may hold the secrets) is not chained
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert len(sleeps) == (2 if retried else 0)


@pytest.mark.parametrize(
    "url",
    [
        f"http://user:{PASSWORD}@127.0.0.1:notaport",
        f"http://user:{PASSWORD}@[::1",
        f"ftp://user:{PASSWORD}@127.0.0.1:21",
        f"http://user:{PASSWORD}@:80",
    ],
)
def test_unusable_urls_are_connection_failures_without_secrets(url: str) -> None:
    sleeps: list[float] = []
    client = LabelStudioClient(Connection(url=url, api_key=TOKEN, source="test"), retries=2, sleep=sleeps.append)
    with client, pytest.raises(ConnectionFailed, match=r"not a usable URL.*LABEL_STUDIO_URL") as info:
        client.whoami()
    assert "***@" in str(info.value) and sleeps == []
    _no_secret(str(info.value))


def test_export_timeout_is_timed_out_and_still_lets_pull_fall_back(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(LOUD, request=request)

    client, _ = _secret_client(handler)
    with pytest.raises(TimedOut) as info:
        client.export_to(1, tmp_path / "snap.json", timeout=1)
    _no_secret(str(info.value))
    assert not (tmp_path / "snap.json").exists()


def test_export_broken_off_is_connection_failed_and_writes_nothing(tmp_path: Path) -> None:
    class Broken(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield b'[{"id": 1},'
            raise httpx.ReadError(LOUD)

    client, _ = _secret_client(lambda r: httpx.Response(200, stream=Broken()))
    with pytest.raises(ConnectionFailed, match="broke off") as info:
        client.export_to(1, tmp_path / "snap.json")
    _no_secret(str(info.value))
    assert list(tmp_path.iterdir()) == []


def _jwt(exp: float, token_type: str = "refresh") -> str:
    import jwt

    return jwt.encode({"exp": int(exp), "token_type": token_type}, "k" * 32, algorithm="HS256")


def test_expired_personal_access_token_is_one_line_without_it() -> None:
    pat = _jwt(time.time() - 3600)
    client, _ = _secret_client(lambda r: httpx.Response(200, json={}), api_key=pat)
    with pytest.raises(ConnectionFailed, match=r"cannot authenticate.*HTTP 401: API key has expired") as info:
        client.whoami()
    assert pat not in str(info.value)
    _no_secret(str(info.value))


def _refused(request: httpx.Request, pat: str) -> httpx.Response:
    raise httpx.ConnectError(f"refresh with {pat} at {SECRET_URL} refused", request=request)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_refused, "cannot reach Label Studio at http://***@ls.test"),
        (lambda r, pat: httpx.Response(401, json={"detail": f"{pat} is blacklisted"}), "HTTP 401: *** is blacklisted"),
        (lambda r, pat: httpx.Response(502, text=f"<html>bad gateway {pat}</html>"), "cannot authenticate"),
    ],
)
def test_failed_token_refresh_is_one_line_without_the_token(
    answer: Callable[[httpx.Request, str], httpx.Response], expected: str
) -> None:
    pat = _jwt(time.time() + 3600)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/token/refresh/"
        return answer(request, pat)

    client, _ = _secret_client(handler, api_key=pat)
    with pytest.raises(ConnectionFailed) as info:
        client.whoami()
    assert expected in str(info.value)
    assert pat not in str(info.value)
    _no_secret(str(info.value))


@pytest.mark.filterwarnings("ignore::DeprecationWarning:label_studio_sdk")  # the SDK's parse_obj
def test_refreshed_access_token_goes_through_the_same_http_client() -> None:
    pat, access = _jwt(time.time() + 3600), _jwt(time.time() + 300, "access")
    seen: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("authorization", "")))
        if request.url.path == "/api/token/refresh/":
            return httpx.Response(200, json={"access": access})
        return httpx.Response(200, json={"id": 1})

    client = LabelStudioClient(
        Connection(url="http://ls.test", api_key=pat, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    assert client.whoami() == {"id": 1}
    assert seen == [("/api/token/refresh/", ""), ("/api/current-user/whoami", f"Bearer {access}")]


def test_client_is_a_context_manager_and_shows_no_secret() -> None:
    client, _ = _secret_client(lambda r: httpx.Response(200, json={}))
    with client as entered:
        assert entered is client
        assert client.url == "http://***@ls.test" and client.base_url == "http://ls.test"
        _no_secret(repr(client))
        _no_secret(repr(client.connection))
    assert client.http.is_closed


# -- the CLI: exit 2, one line, no secret anywhere ---------------------------------

CLI_PASSWORD, CLI_TOKEN = "pw-SECRET", "tok-SECRET"


@pytest.mark.parametrize(
    "args",
    [
        ["annotators", "list"],
        ["annotators", "list", "--json", "-"],
        ["annotators", "add", "ana@example.org", "--json", "-"],
        ["pull", "--project", "p", "--json", "-"],
        ["pull", "--project", "p", "--json", "out.json"],
    ],
    ids=" ".join,
)
def test_cli_unreachable_server_is_exit_2_one_line_no_secret(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from eventgold.cli import main
    from eventgold.labelstudio.server import free_port

    port = free_port()  # closed again: nothing listens there
    sleeps: list[float] = []
    monkeypatch.setattr("eventgold.labelstudio.client.time.sleep", sleeps.append)
    monkeypatch.chdir(tmp_path)
    env = {
        "LABEL_STUDIO_URL": f"http://user:{CLI_PASSWORD}@127.0.0.1:{port}",
        "LABEL_STUDIO_API_KEY": CLI_TOKEN,
        "EVENTGOLD_HOME": str(tmp_path / ".eventgold"),
    }
    with CliRunner().isolation(env=env) as (out, err, _both):
        code = main(args)
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    assert code == 2, (stdout, stderr)
    assert stdout == ""
    assert stderr.startswith("error: cannot reach Label Studio at ") and stderr.count("\n") == 1, stderr
    assert f"http://***@127.0.0.1:{port}" in stderr
    for secret in (CLI_PASSWORD, CLI_TOKEN, "user:"):
        assert secret not in stdout + stderr
    assert sleeps  # connection refused is retried (without waiting here)
    assert not (tmp_path / "out.json").exists()


def test_cli_an_unwrapped_transport_error_is_still_one_line_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should library code let an httpx error through, the CLI still prints one masked line."""
    from typer.testing import CliRunner

    from eventgold.cli import main
    from eventgold.labelstudio import annotators

    def leaky(client: LabelStudioClient) -> list[object]:
        raise httpx.ReadError(f"GET {client.base_url}/api/users with Token {CLI_TOKEN}\nfailed")

    monkeypatch.setattr(annotators, "annotator_stats", leaky)
    monkeypatch.chdir(tmp_path)
    env = {
        "LABEL_STUDIO_URL": f"http://user:{CLI_PASSWORD}@127.0.0.1:9",
        "LABEL_STUDIO_API_KEY": CLI_TOKEN,
        "EVENTGOLD_HOME": str(tmp_path / ".eventgold"),
    }
    with CliRunner().isolation(env=env) as (out, err, _both):
        code = main(["annotators", "list", "--json", "-"])
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    assert code == 2 and stdout == ""
    assert stderr.startswith("error: cannot reach Label Studio (ReadError: GET http://127.0.0.1:9/api/users")
    assert CLI_PASSWORD not in stderr and CLI_TOKEN not in stderr and stderr.count("\n") == 1


def test_pull_falls_back_to_paging_when_the_export_times_out(tmp_path: Path) -> None:
    from eventgold.labelstudio.pull import pull_snapshot

    tasks = [{"id": i, "data": {"doc_id": f"d{i}", "text": "x"}, "annotations": []} for i in range(3)]

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/export"):
            raise httpx.ReadTimeout(LOUD, request=request)
        if path == "/api/projects/" or path == "/api/projects":
            return httpx.Response(200, json={"results": [{"id": 7, "title": "P"}], "next": None})
        if path.rstrip("/") == "/api/tasks":
            page = int(request.url.params["page"])
            return httpx.Response(200, json={"tasks": tasks[(page - 1) * 2 : page * 2]})
        if path.rstrip("/") == "/api/users":
            return httpx.Response(200, json=[{"id": 1, "email": "a@x.org"}])
        if path.rstrip("/") == "/api/predictions":  # fetched by default
            return httpx.Response(200, json=[])
        return httpx.Response(404, json={"detail": "not here"})

    client, _ = _secret_client(handler)
    said: list[str] = []
    result = pull_snapshot(client, "P", tmp_path, page_size=2, on_fallback=said.append)
    # the synchronous export timed out, the export snapshot was refused (404 here): paged
    assert result.method == "paged" and len(said) == 2 and "TimedOut" in said[0] and "APIError" in said[1]
    assert result.predictions == 0
    _no_secret(said[0])
    _no_secret(said[1])
    assert json.loads(result.path.read_text(encoding="utf-8")) == tasks
    meta = json.loads(result.path.with_name(result.path.name + ".meta.json").read_text(encoding="utf-8"))
    assert meta["method"] == "paged" and PASSWORD not in json.dumps(meta)


def test_credentials_in_the_url_are_never_sent_and_the_token_is() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client, _ = _secret_client(handler)
    client.get_json("/api/users")
    (request,) = seen
    assert request.headers["Authorization"] == f"Token {TOKEN}"
    assert "@" not in str(request.url) and PASSWORD not in str(request.url)


@pytest.mark.parametrize("page_size", [1, 2, 3, 10])
def test_tasks_paged_by_id_skip_none_when_tasks_are_deleted_between_pages(page_size: int) -> None:
    """Numbered pages skip a task when one before it is deleted meanwhile; pages by id do not."""
    tasks = {i: {"id": i, "data": {"doc_id": f"d{i}"}} for i in range(1, 8)}
    asked: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        query = json.loads(request.url.params["query"])
        asked.append(query)
        assert query["ordering"] == ["tasks:id"] and request.url.params["page"] == "1"
        after = [f["value"] for f in query["filters"]["items"] if f["filter"] == "filter:tasks:id"]
        listed = sorted(i for i in tasks if not after or i > after[0])[:page_size]
        page = {"tasks": [tasks[i] for i in listed]}
        tasks.pop(1, None)  # deleted after the first page was sent
        return httpx.Response(200, json=page)

    keep = {"filter": "filter:tasks:updated_at", "operator": "greater", "type": "Datetime", "value": "x"}
    client, _ = _client(handler)
    got = [t["id"] for t in client.iter_tasks_by_id(3, [keep], page_size=page_size)]
    assert got == list(range(1, 8))
    assert all(q["filters"]["items"][0] == keep for q in asked)
    assert len(asked) == 7 // page_size + 1
