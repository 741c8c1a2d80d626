"""Export snapshots and ``pull --method`` under injected faults (mocked transport; a real server: integration/)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventgold.config import Connection
from eventgold.errors import APIError, ConnectionFailed, TimedOut, UserError
from eventgold.fileio import json_text
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.export_snapshot import LOOKUP_PAUSE, LOOKUPS, snapshot_export_to
from eventgold.labelstudio.pull import SNAPSHOT_ABOVE, iter_json_list, pull_snapshot
from eventgold.labelstudio.snapshot import predictions_path

TOKEN = "a1b2c3d4e5f6a7b8c9d0"
TASKS: list[dict[str, Any]] = [
    {"id": i, "data": {"doc_id": f"d{i}", "text": "x"}, "annotations": [], "predictions": []} for i in (1, 2, 3)
]
EXPORTS = "/api/projects/7/exports/"


class Broken(httpx.SyncByteStream):
    """A body that breaks off after its first bytes."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'[{"id": 1},'
        raise httpx.ReadError("connection reset")


class Silent(httpx.SyncByteStream):
    """A body that stops sending after its first bytes (the read times out)."""

    def __iter__(self) -> Iterator[bytes]:
        yield b'[{"id": 1},'
        raise httpx.ReadTimeout("timed out")


class FakeServer:
    """Label Studio's export endpoints for project 7 ("P"), each fault switchable."""

    def __init__(
        self,
        *,
        task_number: int | None = 3,
        export: str = "ok",
        statuses: tuple[str, ...] = ("completed",),
        download: str = "ok",
        delete: int = 204,
        create: str = "ok",
        predictions: bytes = b"[]",
    ) -> None:
        self.task_number = task_number
        self.export, self.download, self.delete, self.create = export, download, delete, create
        self.statuses = list(statuses)
        self.predictions = predictions
        self.calls: list[str] = []
        self.created: list[dict[str, Any]] = []
        self.snapshots: dict[int, dict[str, Any]] = {}
        self.late: dict[str, Any] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        self.calls.append(f"{method} {path}")
        if path == "/api/projects":
            project: dict[str, Any] = {"id": 7, "title": "P"}
            if self.task_number is not None:
                project["task_number"] = self.task_number
            return httpx.Response(200, json={"results": [project], "next": None})
        if path == "/api/projects/7/export":
            if self.export == "timeout":
                raise httpx.ReadTimeout("slow", request=request)
            if self.export == "503":
                return httpx.Response(503, json={"detail": "busy"})
            return httpx.Response(200, content=json.dumps(TASKS).encode())
        if path == EXPORTS and method == "POST":
            body = json.loads(request.content)
            self.created.append(body)
            self.snapshots[3] = {"id": 3, "title": body["title"], "status": self.statuses.pop(0)}
            if self.create == "timeout":
                raise httpx.ReadTimeout("slow", request=request)
            if self.create == "504":  # a proxy gave up; Label Studio goes on
                return httpx.Response(504, text="Gateway Timeout")
            if self.create == "lost":  # a timeout before the server made the record
                self.snapshots.pop(3)
                raise httpx.ReadTimeout("slow", request=request)
            if self.create == "late":  # the server makes the record after the POST timed out
                self.late = self.snapshots.pop(3)
                raise httpx.ReadTimeout("slow", request=request)
            if self.create == "dropped":  # the connection broke off after the server made the record
                raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
            return httpx.Response(201, json=self.snapshots[3])
        if path == EXPORTS:
            listed = list(self.snapshots.values())
            if self.late is not None:  # listed from the second look on
                self.snapshots[3], self.late = self.late, None
            return httpx.Response(200, json=listed)
        if path == f"{EXPORTS}3" and method == "GET":
            self.snapshots[3]["status"] = self.statuses.pop(0) if self.statuses else "completed"
            return httpx.Response(200, json=self.snapshots[3])
        if path == f"{EXPORTS}3" and method == "DELETE":
            if self.delete == 204:
                self.snapshots.pop(3)
            return httpx.Response(self.delete, json={"detail": "no"} if self.delete >= 400 else None)
        if path == f"{EXPORTS}3/download":
            assert request.url.params["exportType"] == "JSON"
            if self.download == "broken":
                return httpx.Response(200, stream=Broken())
            if self.download == "silent":
                return httpx.Response(200, stream=Silent())
            return httpx.Response(200, content=json.dumps(TASKS).encode())
        if path == "/api/tasks":
            page, size = int(request.url.params["page"]), int(request.url.params["page_size"])
            return httpx.Response(200, json={"tasks": TASKS[(page - 1) * size : page * size]})
        if path == "/api/users":
            return httpx.Response(200, json=[{"id": 1, "email": "a@x.org"}])
        if path == "/api/version":
            return httpx.Response(200, json={"release": "1.23.2"}, headers={"date": "Tue, 01 Dec 2026 09:00:00 GMT"})
        if path == "/api/predictions":
            return httpx.Response(200, content=self.predictions)
        return httpx.Response(404, json={"detail": "not here"})


def _client(server: FakeServer) -> LabelStudioClient:
    return LabelStudioClient(
        Connection(url="http://ls.test", api_key=TOKEN, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(server)),
        retries=0,
        sleep=lambda s: None,
    )


class Clock:
    """Fake monotonic time that moves only when slept."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_snapshot_is_created_for_all_tasks_polled_downloaded_and_deleted(tmp_path: Path) -> None:
    server = FakeServer(statuses=("created", "in_progress", "in_progress", "completed"))
    clock = Clock()
    target = tmp_path / "snap.json"
    record = snapshot_export_to(_client(server), 7, target, sleep=clock.sleep, clock=lambda: clock.now)
    assert record["status"] == "completed"
    assert json.loads(target.read_text(encoding="utf-8")) == TASKS
    (body,) = server.created
    # every task, every annotation (cancelled and ground truth too), as the synchronous export
    assert body["task_filter_options"] == {"only_with_annotations": False}
    assert body["annotation_filter_options"] == {"usual": True, "ground_truth": True, "skipped": True}
    assert body["serialization_options"]["drafts"] == {"only_id": False}
    assert clock.slept == [0.5, 1.0, 2.0]  # backing off
    assert server.calls[-1] == f"DELETE {EXPORTS}3" and server.snapshots == {}


def test_poll_timeout_is_timed_out_and_still_deletes_the_snapshot(tmp_path: Path) -> None:
    server = FakeServer(statuses=("in_progress",) * 50)
    clock = Clock()
    with pytest.raises(TimedOut, match=r"not ready within 10 s \(status 'in_progress'\).*--snapshot-timeout"):
        snapshot_export_to(
            _client(server), 7, tmp_path / "s.json", timeout=10, sleep=clock.sleep, clock=lambda: clock.now
        )
    assert clock.now == 10
    assert server.snapshots == {} and list(tmp_path.iterdir()) == []


def test_failed_snapshot_is_an_api_error_and_is_deleted(tmp_path: Path) -> None:
    server = FakeServer(statuses=("in_progress", "failed"))
    with pytest.raises(APIError, match="could not build the export snapshot 3 of project 7") as info:
        snapshot_export_to(_client(server), 7, tmp_path / "s.json", sleep=lambda s: None)
    assert info.value.status is None
    assert server.snapshots == {} and list(tmp_path.iterdir()) == []


def test_broken_off_download_leaves_no_file_and_deletes_the_snapshot(tmp_path: Path) -> None:
    server = FakeServer(download="broken")
    with pytest.raises(ConnectionFailed, match=r"export snapshot 3 of project 7 from http://ls\.test broke off"):
        snapshot_export_to(_client(server), 7, tmp_path / "s.json")
    assert list(tmp_path.iterdir()) == [] and server.snapshots == {}


@pytest.mark.parametrize("create", ["timeout", "504"])
def test_a_create_request_that_timed_out_is_found_by_its_title(tmp_path: Path, create: str) -> None:
    """Without Redis Label Studio builds the snapshot within the POST: it may finish after we stopped waiting."""
    server = FakeServer(create=create)
    snapshot_export_to(_client(server), 7, tmp_path / "s.json")
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8")) == TASKS
    assert f"GET {EXPORTS}" in server.calls and server.snapshots == {}


def test_a_create_request_that_timed_out_before_the_record_was_made_is_timed_out(tmp_path: Path) -> None:
    server = FakeServer(create="lost")
    clock, said = Clock(), list[str]()
    with pytest.raises(TimedOut, match=r"^timed out: .*did not answer POST /api/projects/7/exports/ in time"):
        snapshot_export_to(_client(server), 7, tmp_path / "s.json", sleep=clock.sleep, on_note=said.append)
    assert f"DELETE {EXPORTS}3" not in server.calls and list(tmp_path.iterdir()) == []
    assert server.calls.count(f"GET {EXPORTS}") == LOOKUPS and clock.slept == [LOOKUP_PAUSE] * (LOOKUPS - 1)
    assert len(said) == 1 and "may still make the export snapshot 'eventgold-pull-" in said[0]
    assert "delete it there" in said[0]


@pytest.mark.parametrize("create", ["late", "dropped"])
def test_a_snapshot_made_after_its_request_failed_is_found_and_deleted(tmp_path: Path, create: str) -> None:
    """The POST timed out before the server listed the snapshot, or the connection broke off after it made it."""
    server = FakeServer(create=create)
    clock = Clock()
    snapshot_export_to(_client(server), 7, tmp_path / "s.json", sleep=clock.sleep)
    assert json.loads((tmp_path / "s.json").read_text(encoding="utf-8")) == TASKS
    assert server.calls[-1] == f"DELETE {EXPORTS}3" and server.snapshots == {} and server.late is None


def test_a_download_that_goes_silent_is_timed_out_says_so_and_deletes_the_snapshot(tmp_path: Path) -> None:
    server = FakeServer(download="silent")
    with pytest.raises(TimedOut) as info:
        snapshot_export_to(_client(server), 7, tmp_path / "s.json", download_timeout=12.5)
    message = str(info.value)
    assert message.startswith(
        "timed out: the export snapshot 3 of project 7 from http://ls.test sent no data for 12.5 s"
    )
    assert "cannot reach" not in message and "\n" not in message
    assert list(tmp_path.iterdir()) == [] and server.snapshots == {}
    assert server.calls[-1] == f"DELETE {EXPORTS}3"


def test_a_poll_that_times_out_says_so_and_deletes_the_snapshot(tmp_path: Path) -> None:
    server = FakeServer(statuses=("in_progress",))

    def slow_poll(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == f"{EXPORTS}3":
            raise httpx.ReadTimeout("slow", request=request)
        return server(request)

    client = LabelStudioClient(
        Connection(url="http://ls.test", api_key=TOKEN, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(slow_poll)),
        retries=0,
    )
    with pytest.raises(TimedOut, match=r"^timed out: .*did not answer GET /api/projects/7/exports/3 in time"):
        snapshot_export_to(client, 7, tmp_path / "s.json", sleep=lambda s: None)
    assert server.snapshots == {} and list(tmp_path.iterdir()) == []


BAD_SECONDS = [-5.0, 0.0, float("nan"), float("inf"), float("-inf")]


@pytest.mark.parametrize("seconds", BAD_SECONDS)
@pytest.mark.parametrize("name", ["timeout", "download_timeout"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_refused_before_any_request(
    tmp_path: Path, seconds: float, name: str
) -> None:
    server = FakeServer()
    with pytest.raises(UserError, match=f"^{name} must be a finite number of seconds > 0, got "):
        snapshot_export_to(_client(server), 7, tmp_path / "s.json", **{name: seconds})  # type: ignore[arg-type]
    assert server.calls == []


@pytest.mark.parametrize("seconds", BAD_SECONDS)
@pytest.mark.parametrize("name", ["export_timeout", "snapshot_timeout"])
def test_pull_refuses_a_bad_timeout_before_any_request(tmp_path: Path, seconds: float, name: str) -> None:
    server = FakeServer()
    with pytest.raises(UserError, match=f"^{name} must be a finite number of seconds > 0"):
        pull_snapshot(_client(server), "P", tmp_path, **{name: seconds})  # type: ignore[arg-type]
    assert server.calls == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--snapshot-timeout", "-5"),
        ("--snapshot-timeout", "0"),
        ("--snapshot-timeout", "nan"),
        ("--snapshot-timeout", "inf"),
        ("--export-timeout", "-1"),
        ("--export-timeout", "-inf"),
    ],
)
def test_cli_refuses_a_bad_timeout_in_one_line_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    import eventgold.commands.labelstudio as ls_commands
    from eventgold.cli import main

    server = FakeServer()
    monkeypatch.setattr(ls_commands, "open_client", lambda url, api_key: _client(server))
    monkeypatch.chdir(tmp_path)
    assert main(["pull", "--project", "P", "-o", "raw", f"{option}={value}"]) == 2
    raw = capsys.readouterr().err
    err = " ".join(raw.split())
    assert raw.count("\n") == 1 and f"{option} must be a finite number of seconds > 0" in err and "Traceback" not in err
    assert server.calls == [] and not (tmp_path / "raw").exists()


def test_a_snapshot_that_cannot_be_deleted_is_told_not_raised(tmp_path: Path) -> None:
    server = FakeServer(delete=403, task_number=SNAPSHOT_ABOVE + 1)
    said: list[str] = []
    result = pull_snapshot(_client(server), "P", tmp_path, on_fallback=said.append)
    assert result.method == "snapshot"
    assert len(said) == 1 and "could not delete the export snapshot 3 of project 7" in said[0]


@pytest.mark.parametrize(
    ("task_number", "expected", "first_request"),
    [
        (SNAPSHOT_ABOVE + 1, "snapshot", f"POST {EXPORTS}"),
        (SNAPSHOT_ABOVE, "export", "GET /api/projects/7/export"),
        (None, "export", "GET /api/projects/7/export"),  # a server that gives no count
    ],
)
def test_auto_takes_a_snapshot_above_the_threshold(
    tmp_path: Path, task_number: int | None, expected: str, first_request: str
) -> None:
    server = FakeServer(task_number=task_number)
    said: list[str] = []
    result = pull_snapshot(_client(server), "P", tmp_path, on_fallback=said.append)
    assert result.method == expected and said == []
    assert server.calls[1:3] == ["GET /api/version", first_request]  # after the project listing, the clock
    assert json.loads(result.path.read_text(encoding="utf-8")) == TASKS
    meta = json.loads(result.path.with_name(result.path.name + ".meta.json").read_text(encoding="utf-8"))
    assert meta["method"] == expected
    assert meta["server_time"] == "2026-12-01T09:00:00+00:00"  # Label Studio's clock, where the next delta starts
    assert server.snapshots == {}


@pytest.mark.parametrize("export", ["timeout", "503"])
def test_auto_falls_back_from_a_failed_export_to_a_snapshot(tmp_path: Path, export: str) -> None:
    server = FakeServer(export=export)
    said: list[str] = []
    result = pull_snapshot(_client(server), "P", tmp_path, on_fallback=said.append)
    assert result.method == "snapshot"
    assert said == [
        f"the synchronous export did not finish ({'TimedOut' if export == 'timeout' else 'APIError'}); "
        "using an export snapshot"
    ]
    assert json.loads(result.path.read_text(encoding="utf-8")) == TASKS


def test_a_failed_snapshot_falls_back_to_paging_with_a_message(tmp_path: Path) -> None:
    server = FakeServer(task_number=SNAPSHOT_ABOVE + 1, statuses=("failed",))
    said: list[str] = []
    result = pull_snapshot(_client(server), "P", tmp_path, page_size=2, on_fallback=said.append)
    assert result.method == "paged"
    assert said == ["the export snapshot did not finish (APIError); paging tasks"]
    assert json.loads(result.path.read_text(encoding="utf-8")) == TASKS
    assert server.snapshots == {}  # deleted all the same


def test_a_4xx_export_does_not_fall_back(tmp_path: Path) -> None:
    server = FakeServer()
    server.export = "403"

    def refuse(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/projects/7/export":
            return httpx.Response(403, json={"detail": "no permission"})
        return server(request)

    client = LabelStudioClient(
        Connection(url="http://ls.test", api_key=TOKEN, source="test"),
        http=httpx.Client(transport=httpx.MockTransport(refuse)),
        retries=0,
    )
    with pytest.raises(APIError, match="HTTP 403: no permission"):
        pull_snapshot(client, "P", tmp_path)
    assert not any("exports" in call or "tasks" in call for call in server.calls)


@pytest.mark.parametrize(
    ("method", "fault", "error"),
    [("export", {"export": "timeout"}, TimedOut), ("snapshot", {"statuses": ("failed",)}, APIError)],
)
def test_a_method_asked_for_by_name_does_not_fall_back(
    tmp_path: Path, method: str, fault: dict[str, Any], error: type[Exception]
) -> None:
    server = FakeServer(**fault)
    said: list[str] = []
    with pytest.raises(error):
        pull_snapshot(_client(server), "P", tmp_path / "raw", method=method, on_fallback=said.append)
    assert said == [] and [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("method", ["export", "snapshot", "paged"])
def test_each_method_by_name_gives_the_same_tasks(tmp_path: Path, method: str) -> None:
    server = FakeServer(task_number=SNAPSHOT_ABOVE + 1)
    result = pull_snapshot(_client(server), "P", tmp_path, method=method, page_size=2)
    assert result.method == method
    assert json.loads(result.path.read_text(encoding="utf-8")) == TASKS


def test_an_unknown_method_names_the_allowed_ones(tmp_path: Path) -> None:
    server = FakeServer()
    with pytest.raises(UserError, match="unknown pull method 'fast'; use one of auto, export, snapshot, paged"):
        pull_snapshot(_client(server), "P", tmp_path, method="fast")
    assert server.calls == []


PREDICTIONS: list[dict[str, Any]] = [
    {"id": 11, "task": 1, "model_version": "r@1", "score": 0.5, "result": [{"value": {"text": "Bagdad — بغداد"}}]},
    {"id": 12, "task": 2, "model_version": "m", "score": 1.5e-07, "result": []},
]


@pytest.mark.parametrize("body", [PREDICTIONS, []])
def test_predictions_are_streamed_into_the_same_file_as_before(tmp_path: Path, body: list[Any]) -> None:
    """The sidecar holds what ``json_text(predictions) + "\\n"`` held when the list was fetched whole."""
    server = FakeServer(predictions=json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    result = pull_snapshot(_client(server), "P", tmp_path)
    assert result.predictions == len(body)
    assert predictions_path(result.path).read_text(encoding="utf-8") == json_text(body) + "\n"


@pytest.mark.parametrize("body", [b'{"detail": "x"}', b'[{"id": 1}', b"[1,]", b"<html>"])
def test_predictions_that_are_not_a_list_are_an_api_error_and_leave_no_sidecar(tmp_path: Path, body: bytes) -> None:
    server = FakeServer(predictions=body)
    with pytest.raises(APIError, match=r"answered /api/predictions\?project=7 with something that is not a JSON list"):
        pull_snapshot(_client(server), "P", tmp_path)
    assert not list(tmp_path.glob("*.predictions.json*")) and not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("size", [1, 2, 5, 64, 10_000])
def test_iter_json_list_reads_items_across_any_chunk_boundary(size: int) -> None:
    items: list[Any] = [*PREDICTIONS, 12, -3.5e10, 'a\\"b ][', None, True, [], {}]
    data = json.dumps(items, ensure_ascii=False).encode()
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    assert list(iter_json_list(chunks)) == items


@pytest.mark.parametrize("data", [b"", b"{}", b"[1 2]", b"[1]x", b"[12", b'["a', b"[,1]", b"\xff[]"])
def test_iter_json_list_refuses_what_is_not_one_list(data: bytes) -> None:
    with pytest.raises(APIError, match="not a JSON list"):
        list(iter_json_list([data], what="GET /x"))


def test_cli_method_option(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import eventgold.commands.labelstudio as ls_commands
    from eventgold.cli import main

    server = FakeServer()
    monkeypatch.setattr(ls_commands, "open_client", lambda url, api_key: _client(server))
    monkeypatch.chdir(tmp_path)
    assert main(["pull", "--project", "P", "-o", "raw", "--method", "snapshot", "--json", "pull.json"]) == 0
    assert json.loads(Path("pull.json").read_text(encoding="utf-8"))["method"] == "snapshot"
    assert "(snapshot, sha256" in " ".join(capsys.readouterr().out.split())
    assert main(["pull", "--project", "P", "-o", "raw", "--method", "fast"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "auto, export, snapshot, paged" in err
