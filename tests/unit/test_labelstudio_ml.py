"""Connecting ML backends to a project, against a fake Label Studio (the real one is in integration/)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from eventgold.config import Connection
from eventgold.errors import APIError, ConfigError, LabelStudioError, UserError
from eventgold.labelstudio.backend_process import health_info, probe_health
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.ml import (
    BASIC_AUTH_USER,
    MARK,
    RETRIEVE_ACTION,
    LiveBackend,
    connect,
    default_title,
    disconnect,
    live_backend,
    normalize_url,
)
from eventgold.labelstudio.ml_status import retrieve, retrieve_predictions, status

TOKEN = "a1b2c3d4e5f6a7b8c9d0"
BACKEND_KEY = "backend-secret-key-42"
URL = "http://127.0.0.1:9090"
TITLE = "eventgold rules @ 127.0.0.1:9090"
"""The default title of the backend at URL, whose /health names the extractor ``rules``."""


@pytest.fixture(autouse=True)
def backend_health(monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """What each backend's /health answers to this machine (URL: ``rules``; none for other URLs).

    A call given its own HTTP client (``http=``, a test's MockTransport) gets the real function.
    """
    answers = {URL: {"status": "UP", "model_version": "rules@0.3", "extractor": "rules"}}

    def fake(url: str, *, http: httpx.Client | None = None, timeout: float = 2.0) -> dict[str, Any] | None:
        return health_info(url, http=http, timeout=timeout) if http is not None else answers.get(url.rstrip("/"))

    monkeypatch.setattr("eventgold.labelstudio.backend_process.health_info", fake)
    return answers


@dataclass
class FakeLS:
    """Label Studio 1.23's ML, project, webhook, action and prediction endpoints, in memory."""

    backends: dict[int, dict[str, Any]] = field(default_factory=dict)
    webhooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    predictions: list[dict[str, Any]] = field(default_factory=list)
    project: dict[str, Any] = field(
        default_factory=lambda: {"id": 7, "title": "news", "show_collab_predictions": True, "model_version": ""}
    )
    up: set[str] = field(default_factory=lambda: {URL})
    """Backend URLs whose /health answers (Label Studio's own check)."""
    block_local: bool = False
    setup_error: str | None = None
    tasks: int = 3
    model_versions: dict[str, str] = field(default_factory=dict)
    """What each backend URL's /setup answers as its model version (default ``rules@0.3``)."""
    requests: list[httpx.Request] = field(default_factory=list)
    next_id: int = 1

    def state(self, url: str) -> str:
        if url not in self.up:
            return "DI"
        return "ER" if self.setup_error else "CO"

    def refresh(self, backend: dict[str, Any]) -> None:
        backend["state"] = self.state(backend["url"])
        backend["error_message"] = self.setup_error if backend["state"] == "ER" else None
        version = self.model_versions.get(backend["url"], "rules@0.3")
        backend["model_version"] = version if backend["state"] == "CO" else backend.get("model_version", "")

    def public(self, backend: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in backend.items() if k != "basic_auth_pass"}

    def validate(self, body: dict[str, Any]) -> httpx.Response | None:
        if self.block_local and "127.0.0.1" in body["url"]:
            detail = "URL resolves to a reserved network address (block: 127.0.0.0/8)"  # what LS 1.23.2 says
            return httpx.Response(403, json={"detail": detail})
        if body["url"] not in self.up:
            msg = f"Can't connect to ML backend {body['url']}, health check failed. Additional info: refused"
            return httpx.Response(400, json={"validation_errors": {"non_field_errors": [msg]}})
        if self.setup_error:
            msg = f"Successfully connected to {body['url']} but it doesn't look like a valid ML backend. Reason: "
            msg += self.setup_error
            return httpx.Response(400, json={"validation_errors": {"non_field_errors": [msg]}})
        return None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path, method = request.url.path, request.method
        params = dict(request.url.params)
        body: dict[str, Any] = json.loads(request.content) if request.content else {}
        if path == "/api/projects":
            return httpx.Response(200, json={"results": [self.project], "next": None})
        if path == "/api/projects/7":
            if method == "PATCH":
                self.project.update(body)
            return httpx.Response(200, json=self.project)
        if path == "/api/ml/" and method == "GET":
            assert params["project"] == "7"
            for b in self.backends.values():
                self.refresh(b)
            return httpx.Response(200, json=[self.public(b) for b in self.backends.values()])
        if path == "/api/ml/" and method == "POST":
            refused = self.validate(body)
            if refused is not None:
                return refused
            backend = {"id": self.next_id, "description": "", "is_interactive": False, **body}
            self.next_id += 1
            self.refresh(backend)
            self.backends[backend["id"]] = backend
            hook = {"id": 100 + backend["id"], "project": 7, "url": backend["url"] + "/webhook"}
            self.webhooks[hook["id"]] = hook
            if self.project["show_collab_predictions"] and not self.project["model_version"]:
                self.project["model_version"] = backend["title"]
            return httpx.Response(201, json=self.public(backend))
        if match := re.fullmatch(r"/api/ml/(\d+)", path):
            backend_id = int(match.group(1))
            if backend_id not in self.backends:
                return httpx.Response(404, json={"detail": "Not found."})
            if method == "DELETE":
                gone = self.backends.pop(backend_id)
                if self.project["model_version"] == gone["title"]:
                    self.project["model_version"] = ""
                return httpx.Response(204)
            if method == "PATCH":
                assert "url" in body and "project" in body  # LS validates a PATCH like a create
                refused = self.validate(body)
                if refused is not None:
                    return refused
                self.backends[backend_id].update(body)
                self.refresh(self.backends[backend_id])
            return httpx.Response(200, json=self.public(self.backends[backend_id]))
        if path == "/api/webhooks/" and method == "GET":
            return httpx.Response(200, json=list(self.webhooks.values()))
        if path == "/api/webhooks/" and method == "POST":
            if self.block_local:
                return httpx.Response(403, json={"detail": "URL resolves to a reserved network address (block: x)"})
            hook = {"id": 500 + len(self.webhooks), **body}
            self.webhooks[hook["id"]] = hook
            return httpx.Response(201, json=hook)
        if match := re.fullmatch(r"/api/webhooks/(\d+)/", path):
            if method == "PATCH":
                self.webhooks[int(match.group(1))].update(body)
                return httpx.Response(200, json=self.webhooks[int(match.group(1))])
            self.webhooks.pop(int(match.group(1)))
            return httpx.Response(204)
        if path == "/api/dm/actions/":
            assert params == {"id": RETRIEVE_ACTION, "project": "7"}
            assert body == {"selectedItems": {"all": True, "excluded": []}}
            first = min(self.backends)
            self.refresh(self.backends[first])
            version = self.backends[first]["model_version"]
            done = {p["task"] for p in self.predictions if p["model_version"] == version}
            for task in range(1, self.tasks + 1):
                if task not in done:
                    self.predictions.append({"task": task, "model_version": version, "result": []})
            return httpx.Response(200, json={"processed_items": self.tasks, "detail": "Retrieved"})
        if path == "/api/predictions/":
            return httpx.Response(200, json=self.predictions)
        return httpx.Response(404, json={"detail": f"no route {method} {path}"})


def fake_client(fake: FakeLS) -> LabelStudioClient:
    return LabelStudioClient(
        Connection(url="http://ls.test", api_key=TOKEN, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(fake)),
        retries=0,
    )


def _probe(answers: bool) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if not answers:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"status": "UP"})

    return httpx.Client(transport=httpx.MockTransport(handler))


def test_connect_twice_leaves_one_backend() -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        first = connect(client, "news", URL + "/")
        second = connect(client, "news", URL, title="rules live")
    assert len(fake.backends) == 1
    assert (first.created, second.created) == (True, False)
    assert first.id == second.id and second.title == "rules live"
    assert second.state == "CO" and second.model_version == "rules@0.3" and second.url == URL
    backend = fake.backends[first.id]
    assert backend["description"] == MARK and backend["url"] == URL and backend["auth_method"] == "NONE"
    assert [r.method for r in fake.requests if r.url.path.startswith("/api/ml/") and r.method != "GET"] == [
        "POST",
        "PATCH",
    ]


def test_connect_keeps_the_existing_title_when_none_is_given() -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        connect(client, "news", URL, title="mine")
        again = connect(client, "news", URL)
    assert again.title == "mine"


def test_interactive_makes_the_backend_the_projects_live_predictions() -> None:
    fake = FakeLS()
    fake.project["model_version"] = "rules@0.1"  # static predictions chosen earlier
    with fake_client(fake) as client:
        plain = connect(client, "news", URL)
        assert not plain.live and not plain.interactive
        assert fake.project["model_version"] == "rules@0.1"
        live = connect(client, "news", URL, interactive=True)
    assert live.live and live.interactive
    assert fake.project["model_version"] == TITLE and fake.project["show_collab_predictions"] is True


def test_api_key_becomes_basic_auth_and_stays_out_of_results() -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        info = connect(client, "news", URL, api_key=BACKEND_KEY)
    backend = fake.backends[info.id]
    assert (backend["auth_method"], backend["basic_auth_user"], backend["basic_auth_pass"]) == (
        "BASIC_AUTH",
        BASIC_AUTH_USER,
        BACKEND_KEY,
    )
    assert info.auth
    assert BACKEND_KEY not in repr(info) and BACKEND_KEY not in json.dumps(info.to_json())
    assert TOKEN not in repr(client)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda f: f.up.clear(), r"reach the ML backend at http://127\.0\.0\.1:9090 \(project 'news'\); start it"),
        (lambda f: setattr(f, "block_local", True), r"SSRF protection\): give a --url it may reach, .*`eventgold up`"),
        (lambda f: setattr(f, "setup_error", "labels differ"), r"refused project 'news''s setup"),
        (lambda f: setattr(f, "setup_error", "401 Client Error: Unauthorized"), r"refused Label Studio's credentials"),
    ],
)
def test_refusals_say_what_to_do(setup: Any, message: str) -> None:
    fake = FakeLS()
    setup(fake)
    with fake_client(fake) as client, pytest.raises(APIError, match=message) as caught:
        connect(client, "news", URL, api_key=BACKEND_KEY)
    text = str(caught.value)
    assert "\n" not in text and BACKEND_KEY not in text and TOKEN not in text
    assert caught.value.__cause__ is None
    assert fake.backends == {}


def test_a_missing_webhook_is_added_with_the_backends_credentials() -> None:
    import base64

    fake = FakeLS()
    with fake_client(fake) as client:
        connect(client, "news", URL)
        fake.webhooks.clear()  # refused when the backend was created (Label Studio's SSRF check comes after)
        connect(client, "news", URL)
        [hook] = fake.webhooks.values()
        assert (hook["url"], hook["project"], hook["headers"]) == (URL + "/webhook", 7, {})
        connect(client, "news", URL, api_key=BACKEND_KEY)
        [hook] = fake.webhooks.values()
    sent = base64.b64decode(hook["headers"]["Authorization"].removeprefix("Basic ")).decode()
    assert sent == f"{BASIC_AUTH_USER}:{BACKEND_KEY}"
    assert [r.method for r in fake.requests if r.url.path.startswith("/api/webhooks/")].count("POST") == 1


def test_loopback_env_keeps_every_other_reserved_network() -> None:
    from eventgold.labelstudio.ml import LOOPBACK_ML_ENV

    banned = LOOPBACK_ML_ENV["USER_ADDITIONAL_BANNED_SUBNETS"].split(",")
    assert LOOPBACK_ML_ENV["USE_DEFAULT_BANNED_SUBNETS"] == "false"
    assert "127.0.0.0/8" not in banned and "::1/128" not in banned
    assert {"10.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"} <= set(banned)


def test_refusal_on_update_says_what_to_do_too() -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        connect(client, "news", URL)
        fake.setup_error = "labels differ"
        with pytest.raises(APIError, match="setup"):
            connect(client, "news", URL)
    assert len(fake.backends) == 1


@pytest.mark.parametrize(
    "bad", ["127.0.0.1:9090", "ftp://host:1", "http://", "http://user:pw@host:9090", "http://h:99999", "http://h?x=1"]
)
def test_unusable_urls_are_refused_before_any_request(bad: str) -> None:
    fake = FakeLS()
    with fake_client(fake) as client, pytest.raises(ConfigError) as caught:
        connect(client, "news", bad)
    assert fake.requests == []
    assert "pw" not in str(caught.value)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("http://127.0.0.1:9090/", "http://127.0.0.1:9090"),
        (" HTTP://Localhost:9090 ", "http://localhost:9090"),
        ("https://ml.example.org/eventgold/", "https://ml.example.org/eventgold"),
        ("http://[::1]:9090", "http://[::1]:9090"),
    ],
)
def test_normalize_url(given: str, stored: str) -> None:
    assert normalize_url(given) == stored


def test_unknown_project_is_named() -> None:
    with fake_client(FakeLS()) as client, pytest.raises(UserError, match=r"no Label Studio project .* titled 'nope'"):
        connect(client, "nope", URL)


def test_disconnect_removes_eventgolds_backends_and_their_webhooks() -> None:
    fake = FakeLS(up={URL, "http://other:9090"})
    with fake_client(fake) as client:
        mine = connect(client, "news", URL, interactive=True)
        fake.backends[99] = {"id": 99, "url": "http://other:9090", "title": "theirs", "description": "x"}
        fake.webhooks[199] = {"id": 199, "project": 7, "url": "http://other:9090/webhook"}
        assert disconnect(client, "news") == 1
        assert list(fake.backends) == [99] and list(fake.webhooks) == [199]
        assert fake.project["model_version"] == ""
        assert disconnect(client, "news") == 0
        assert disconnect(client, "news", URL) == 0
        assert disconnect(client, "news", "http://other:9090/") == 1
    assert fake.backends == {} and fake.webhooks == {}
    assert mine.id not in fake.backends


def test_status_says_whether_label_studio_reaches_each_backend() -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        connect(client, "news", URL)
        [up] = status(client, "news", probe_http=_probe(False))
        assert (up.reachable, up.state_name, up.direct, up.error, up.eventgold) == (True, "Connected", None, None, True)
        fake.up.clear()  # the backend stopped
        [down] = status(client, "news", probe_http=_probe(False))
        assert (down.reachable, down.state_name, down.direct) == (False, "Disconnected", False)
        assert down.error is not None and "does not answer" in down.error
        [hidden] = status(client, "news", probe_http=_probe(True))  # this machine reaches it, LS does not
        assert hidden.direct is True and hidden.error is not None and "Label Studio can reach" in hidden.error
        assert hidden.to_json()["reachable"] is False and hidden.to_json()["reachable_from_here"] is True
        assert "direct" not in hidden.to_json()


def test_status_of_a_backend_whose_setup_fails_shows_label_studios_error() -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        connect(client, "news", URL)
        fake.setup_error = "the labeling config lacks Actor"
        [row] = status(client, "news")
    assert row.reachable and row.state_name == "Error" and row.error == "the labeling config lacks Actor"


def test_status_without_backends_is_empty() -> None:
    with fake_client(FakeLS()) as client:
        assert status(client, "news") == []


def test_retrieve_predictions_counts_tasks_with_the_backends_version() -> None:
    fake = FakeLS(tasks=4)
    fake.predictions.append({"task": 1, "model_version": "rules@0.1", "result": []})  # a pushed one
    with fake_client(fake) as client:
        connect(client, "news", URL)
        assert retrieve_predictions(client, "news") == 4
        assert retrieve_predictions(client, "news") == 4  # again: nothing new
    assert len(fake.predictions) == 5


def test_retrieve_names_the_backend_asked_and_counts_before_and_after() -> None:
    fake = FakeLS(tasks=4, up={URL, "http://127.0.0.1:9191"})
    fake.predictions.append({"task": 1, "model_version": "rules@0.1", "result": []})  # pushed: not the backend's
    fake.predictions.append({"task": 2, "model_version": "rules@0.3", "result": []})  # the backend's already
    with fake_client(fake) as client:
        connect(client, "news", URL)
        connect(client, "news", "http://127.0.0.1:9191")
        first = retrieve(client, "news")
        again = retrieve(client, "news")
    assert (first.backend.id, first.backend.title, first.backend.url) == (1, TITLE, URL)
    assert first.backend.model_version == "rules@0.3" and first.others == 1
    assert (first.tasks_before, first.tasks_with_prediction) == (1, 4)
    assert (again.tasks_before, again.tasks_with_prediction) == (4, 4)


def test_retrieve_predictions_needs_a_reachable_backend() -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        with pytest.raises(UserError, match="no ML backend; connect one first"):
            retrieve_predictions(client, "news")
        connect(client, "news", URL)
        fake.up.clear()
        with pytest.raises(LabelStudioError, match=rf"cannot use the ML backend '{TITLE}' at {URL} .*Disconn"):
            retrieve_predictions(client, "news")
    assert not any(r.url.path == "/api/dm/actions/" for r in fake.requests)


@pytest.mark.parametrize("answers", [True, False])
def test_probe_health(answers: bool) -> None:
    assert probe_health(URL, http=_probe(answers)) is answers


def test_probe_health_of_a_closed_port_is_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the real /health call, with its own HTTP client
    assert probe_health("http://127.0.0.1:1", timeout=0.5) is False
    assert health_info("http://127.0.0.1:1", timeout=0.5) is None


@pytest.mark.parametrize(
    ("answer", "info"),
    [
        (httpx.Response(200, json={"status": "UP", "extractor": "spacy"}), {"status": "UP", "extractor": "spacy"}),
        (httpx.Response(200, text="<html>"), {}),
        (httpx.Response(200, json=["UP"]), {}),
        (httpx.Response(503, json={"status": "DOWN"}), {}),
    ],
)
def test_health_info_is_the_json_object_of_a_success(answer: httpx.Response, info: dict[str, Any]) -> None:
    http = httpx.Client(transport=httpx.MockTransport(lambda request: answer))
    assert health_info(URL, http=http) == info
    assert probe_health(URL, http=http) is True


# -- default titles ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "title"),
    [
        (URL + "/", TITLE),
        ("http://10.0.0.5:9191", "eventgold @ 10.0.0.5:9191"),  # /health does not answer here: the URL only
        ("https://ml.example.org/eg/", "eventgold @ ml.example.org/eg"),
    ],
)
def test_default_title_names_the_extractor_and_where(url: str, title: str) -> None:
    assert default_title(url) == title


def test_two_backends_get_titles_that_tell_them_apart(backend_health: dict[str, dict[str, Any]]) -> None:
    other = "http://127.0.0.1:9191"
    backend_health[other] = {"status": "UP", "extractor": "gazetteer"}
    fake = FakeLS(up={URL, other})
    with fake_client(fake) as client:
        connect(client, "news", URL)
        connect(client, "news", other)
        rows = status(client, "news")
    assert [r.title for r in rows] == [TITLE, "eventgold gazetteer @ 127.0.0.1:9191"]


def test_a_title_given_is_kept_and_one_eventgold_made_follows_the_extractor(
    backend_health: dict[str, dict[str, Any]],
) -> None:
    fake = FakeLS()
    with fake_client(fake) as client:
        assert connect(client, "news", URL, title="my rules").title == "my rules"
        assert connect(client, "news", URL).title == "my rules"  # a title given stays
        fake.backends[1]["title"] = "eventgold"  # what an earlier eventgold named every backend
        fake.project["model_version"] = "eventgold"  # ... and it was the project's live one
        assert connect(client, "news", URL).title == TITLE
        assert fake.project["model_version"] == TITLE  # still live, under its new title
        backend_health[URL]["extractor"] = "gazetteer"  # the backend now serves another extractor
        again = connect(client, "news", URL)
    assert again.title == "eventgold gazetteer @ 127.0.0.1:9090" and again.live
    assert fake.project["model_version"] == again.title


# -- which backend annotators get live predictions from ------------------------

OTHER = "http://127.0.0.1:9191"
OTHER_TITLE = "eventgold gazetteer @ 127.0.0.1:9191"


def _two_backends(backend_health: dict[str, dict[str, Any]]) -> FakeLS:
    backend_health[OTHER] = {"status": "UP", "extractor": "gazetteer"}
    return FakeLS(up={URL, OTHER}, model_versions={OTHER: "gazetteer@0.2"})


@pytest.mark.parametrize(
    ("show", "version", "live"),
    [
        (True, "b", LiveBackend(3, "a", "http://a")),  # b's title is the project's: LS asks the first, a
        (True, "a", LiveBackend(3, "a", "http://a")),
        (False, "a", None),  # predictions not shown
        (True, "rules@0.1", None),  # static predictions of that model version
        (True, "", None),
        (True, None, None),
    ],
)
def test_live_backend_is_the_first_when_the_project_shows_a_backends_predictions(
    show: bool, version: str | None, live: LiveBackend | None
) -> None:
    backends = [{"id": 5, "title": "b", "url": "http://b"}, {"id": 3, "title": "a", "url": "http://a"}]
    project = {"show_collab_predictions": show, "model_version": version}
    assert live_backend(project, backends) == live
    assert live_backend(project, []) is None


def test_an_interactive_second_backend_is_not_live_while_the_first_is_there(
    backend_health: dict[str, dict[str, Any]],
) -> None:
    fake = _two_backends(backend_health)
    with fake_client(fake) as client:
        first = connect(client, "news", URL, interactive=True)
        second = connect(client, "news", OTHER, interactive=True)
        assert first.live and first.shadow_warning() is None
        assert fake.project["model_version"] == OTHER_TITLE  # what Label Studio checks before asking the first
        assert not second.live and second.live_backend == LiveBackend(1, TITLE, URL)
        assert second.to_json()["live_backend"] == {"id": 1, "title": TITLE, "url": URL}
        warning = second.shadow_warning()
        assert warning is not None and "\n" not in warning
        assert f"first ML backend {TITLE!r} (id 1, {URL}), not from {OTHER_TITLE!r} (id 2)" in warning
        assert warning.endswith(f"eventgold ml disconnect --project news --url {URL}")
        assert [(r.id, r.live) for r in status(client, "news")] == [(1, True), (2, False)]
        assert retrieve(client, "news").backend.live  # retrieve asks the first too
        assert disconnect(client, "news", URL) == 1  # what the warning says to do
        [row] = status(client, "news")
        again = connect(client, "news", OTHER, interactive=True)
    assert row.id == 2 and row.live and row.to_json()["live"] is True
    assert again.live and again.shadow_warning() is None


def test_no_backend_is_live_when_the_project_shows_static_predictions() -> None:
    fake = FakeLS()
    fake.project["model_version"] = "rules@0.1"
    with fake_client(fake) as client:
        info = connect(client, "news", URL)
        [row] = status(client, "news")
    assert info.live_backend is None and not info.live and info.shadow_warning() is None
    assert not row.live
