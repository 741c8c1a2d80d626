"""``eventgold pull``: predictions are fetched by default; ``--no-predictions`` skips them and says so."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.labelstudio.pull import pull_snapshot
from eventgold.labelstudio.snapshot import predictions_path, read_snapshot

TEXT = "Kazemi met Ghaani in Baghdad."
TASKS = [
    {
        "id": task,
        "project": 1,
        "data": {"doc_id": f"d{task}", "title": "T", "text": TEXT},
        "annotations": [],
        "predictions": [10 + task],  # the synchronous JSON export lists predictions by id only
    }
    for task in (1, 2)
]
PREDICTIONS: list[dict[str, Any]] = [
    {"id": 10 + task, "task": task, "model_version": "rules@0.1", "result": [], "created_at": None} for task in (1, 2)
]


class FakeLabelStudio:
    """Just what ``pull`` asks of a Label Studio client: two tasks, each with one prediction."""

    url = "http://127.0.0.1:9"

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __enter__(self) -> FakeLabelStudio:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def find_project(self, title: str) -> dict[str, Any]:
        return {"id": 1, "title": title, "description": ""}

    def export_to(self, project_id: int, target: Path, *, timeout: float = 300.0) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(TASKS), encoding="utf-8")

    def stream_bytes(self, path: str, *, params: dict[str, Any], **kw: Any) -> Iterator[bytes]:
        self.asked.append(path)
        assert path == "/api/predictions" and params == {"project": 1}
        data = json.dumps(PREDICTIONS).encode()
        yield from (data[i : i + 7] for i in range(0, len(data), 7))  # arrives in pieces

    def iter_tasks(self, project_id: int, *, fields: str, page_size: int) -> Iterator[dict[str, Any]]:
        assert fields == "all"  # /api/tasks gives the prediction objects inline
        for task, prediction in zip(TASKS, PREDICTIONS, strict=True):
            yield {**task, "predictions": [prediction]}

    def server_time(self) -> None:
        return None  # a server without a Date header

    def users(self) -> list[dict[str, Any]]:
        return [{"id": 1, "email": "a@example.org"}]


def serve(client: FakeLabelStudio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI talk to ``client``, from ``tmp_path``."""
    import eventgold.commands.labelstudio as ls_commands

    monkeypatch.setattr(ls_commands, "open_client", lambda url, api_key: client)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeLabelStudio:
    client = FakeLabelStudio()
    serve(client, tmp_path, monkeypatch)
    return client


def _pull(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[dict[str, Any], str]:
    assert main(["pull", "--project", "P", "-o", "raw", "--json", "pull.json", *extra]) == 0
    out = " ".join(capsys.readouterr().out.split())  # one line, whatever the terminal width
    return json.loads(Path("pull.json").read_text(encoding="utf-8")), out


@pytest.mark.parametrize("extra", [(), ("--predictions",)], ids=["default", "old --predictions flag"])
def test_pull_fetches_predictions_by_default_and_says_how_many(
    fake: FakeLabelStudio, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...]
) -> None:
    summary, out = _pull(capsys, *extra)
    assert fake.asked == ["/api/predictions"]
    snapshot = Path(summary["snapshot"])
    assert json.loads(predictions_path(snapshot).read_text(encoding="utf-8")) == PREDICTIONS
    assert summary["predictions"] == 2 and summary["predictions_fetched"] == 2
    assert summary["predictions_not_fetched"] == 0
    assert "fetched 2 predictions (pre-annotations) into" in out
    assert "2 tasks, 2 predictions" in out


def test_no_predictions_skips_them_and_says_how_many_were_left_and_how_to_get_them(
    fake: FakeLabelStudio, capsys: pytest.CaptureFixture[str]
) -> None:
    summary, out = _pull(capsys, "--no-predictions")
    assert fake.asked == []
    snapshot = Path(summary["snapshot"])
    assert not predictions_path(snapshot).exists()
    assert summary["predictions"] == 0 and summary["predictions_fetched"] is None
    assert summary["predictions_not_fetched"] == 2
    assert "did not fetch 2 predictions (--no-predictions): pull again without --no-predictions" in out
    assert read_snapshot(snapshot).predictions_not_fetched == 2


def test_paged_no_predictions_says_the_snapshot_holds_them_inline(
    fake: FakeLabelStudio, capsys: pytest.CaptureFixture[str]
) -> None:
    summary, out = _pull(capsys, "--method", "paged", "--no-predictions")
    assert fake.asked == [] and not predictions_path(Path(summary["snapshot"])).exists()
    assert summary["method"] == "paged" and summary["predictions"] == 2 and summary["predictions_fetched"] is None
    assert summary["predictions_not_fetched"] == 0
    assert "the snapshot holds its 2 predictions inline (paged)" in out
    assert "lists none" not in out and "2 tasks, 2 predictions" in out


def test_the_library_fetches_predictions_by_default(fake: FakeLabelStudio, tmp_path: Path) -> None:
    result = pull_snapshot(fake, "P", tmp_path / "raw")  # type: ignore[arg-type]
    assert result.predictions == 2 and predictions_path(result.path).is_file()
    snap = read_snapshot(result.path)
    assert len(snap.predictions) == 2 and snap.predictions_not_fetched == 0
    skipped = pull_snapshot(fake, "P", tmp_path / "raw", with_predictions=False)  # type: ignore[arg-type]
    assert skipped.predictions is None and read_snapshot(skipped.path).predictions_not_fetched == 2


@pytest.mark.parametrize("in_project", [False, True])
def test_pull_default_folder_is_exports_raw_of_the_project(
    fake: FakeLabelStudio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_project: bool
) -> None:
    """Without -o, from a subfolder: the project's exports/raw/ (else the working directory's)."""
    from eventgold.project import init_project

    root = tmp_path / "proj"
    if in_project:
        init_project(root, samples=False)
    work = root / "notes"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    assert main(["pull", "--project", "P", "--json", str(tmp_path / "pull.json")]) == 0
    snapshot = Path(json.loads((tmp_path / "pull.json").read_text(encoding="utf-8"))["snapshot"])
    assert snapshot.parent.resolve() == ((root if in_project else work) / "exports" / "raw").resolve()
    assert snapshot.is_file()
