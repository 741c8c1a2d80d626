"""The core loop on both databases of the managed server: the suite's SQLite server and a PostgreSQL one.

The PostgreSQL-backed Label Studio is started by this module the way a user starts it
(``eventgold up --database postgresql`` in a throw-away ``.eventgold/``: server, project and the
samples with predictions, then ``up`` again reusing all of it), so the cluster eventgold
initialises, the credentials file and ``server stop`` are exercised too (``up`` on SQLite:
``test_up.py``). On each back
end: push the seed corpus, three annotators' annotations posted through the API, pull, gold
build, then the review round trip (conflicts pushed to a review project, an adjudicator resolves
them, its pull and the first one built into a second version); both give the same snapshots and
the same gold.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.config import load_credentials
from eventgold.gold.dataset import read_gold_version
from eventgold.labelstudio import postgres, server
from eventgold.labelstudio.convert import annotation_to_results
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.labelstudio.task_listing import ListingCache, existing_tasks
from eventgold.resources import packaged_samples
from tests.conftest import LiveServer

from .test_gold_loop import ANA, BEN, CID, D2, D4, JUDGE, PLAN, annotated_project, doc2, doc4

pytestmark = pytest.mark.integration

PROJECT = "database loop"
REVIEW = "database loop review"
BACKENDS = ("sqlite", "postgresql")


SAMPLES = packaged_samples() / "articles"

@dataclass
class PgServer:
    """The PostgreSQL-backed server this module started, and its ``.eventgold/`` folder."""

    live: LiveServer
    home: Path

    @property
    def cluster(self) -> Path:
        return self.home / "postgresql"


def _processes_of(folder: Path) -> list[int]:
    """Live (not zombie) processes whose command line names ``folder``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(folder) in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


@pytest.fixture(scope="module")
def pg_server() -> Iterator[PgServer]:
    if not server.is_installed():
        server.install()
    postgres.bin_dir()  # one clear error when PostgreSQL is not installed (`./run setup` installs it)
    # Not under pytest's tmp dir: that is mode 0700, and under root the cluster runs as the postgres user,
    # who must reach the folder (eventgold opens .eventgold/ itself; the folder above it is the test's).
    root = Path(tempfile.mkdtemp(prefix="eventgold-pg-"))
    root.chmod(0o711)
    home = root / ".eventgold"
    saved = {k: os.environ.get(k) for k in ("EVENTGOLD_HOME", "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")}
    os.environ["EVENTGOLD_HOME"] = str(home)
    os.environ.pop("LABEL_STUDIO_URL", None)
    os.environ.pop("LABEL_STUDIO_API_KEY", None)
    cwd = Path.cwd()
    os.chdir(root)  # `up` works in the current folder, as a user's would
    try:
        up_json = root / "up.json"  # `up` itself on PostgreSQL: server, project, the samples with predictions
        assert main(["up", "--database", "postgresql", "--articles", str(SAMPLES), "--json", str(up_json)]) == 0
        creds = load_credentials(home / "credentials")
        assert creds is not None
        state = server.read_state(home / "labelstudio")
        assert state is not None
        up = json.loads(up_json.read_text(encoding="utf-8"))
        assert (up["tasks_created"], up["articles"]) == (5, 5)
        assert main(["up", "--articles", str(SAMPLES), "--json", str(up_json)]) == 0  # again: reused, nothing new
        again = json.loads(up_json.read_text(encoding="utf-8"))
        assert (again["tasks_created"], again["tasks_unchanged"], again["url"]) == (0, 5, up["url"])
        assert (up["tasks_listed"], again["tasks_listed"]) == ("full", "incremental")
        live = LiveServer(home / "labelstudio", state, creds.email, creds.password, creds.token)
        project_id = int(up["project_url"].rstrip("/").split("/")[-2])
        kept = ListingCache(home / "listings").load(state.url, project_id)  # the ids PostgreSQL gave, in order
        assert kept is not None
        listed = existing_tasks(live.client(), project_id)
        assert {doc_id: task_id for task_id, doc_id, _ in kept["tasks"]} == {d: t.id for d, t in listed.items()}
        yield PgServer(live, home)
    finally:
        os.chdir(cwd)
        server.stop(home / "labelstudio")
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class LoopResult:
    """What the loop gave on one back end, with the Label Studio ids taken out."""

    snapshot: list[tuple[str, str, bool]]
    manifest_counts: dict[str, Any]
    gold: list[dict[str, Any]]
    reviewed: list[dict[str, Any]]
    """The second version: the first pull and the review project's pull (adjudications) together."""
    reviewed_counts: dict[str, Any]


def _run_loop(live: LiveServer, root: Path) -> LoopResult:
    url = ["--url", live.url, "--api-key", live.token]
    articles, users, client = annotated_project(live, root, PROJECT, [ANA, BEN, CID, JUDGE])
    assert main(["pull", "--project", PROJECT, "-o", str(root / "raw"), "--json", str(root / "pull.json"), *url]) == 0
    snapshot = Path(json.loads((root / "pull.json").read_text())["snapshot"])
    snap = read_snapshot(snapshot)
    assert snap.problems == []
    out = root / "gold"
    assert main(["gold", "build", str(snapshot), "-o", str(out), "--json", str(root / "gold.json")]) == 0
    manifest = json.loads((root / "gold.json").read_text())["manifest"]
    gold = [d.model_dump(mode="json") for d in read_gold_version(out).documents]
    reviewed, reviewed_counts = _review(live, root, client, users, articles, snapshot)
    return LoopResult(
        snapshot=sorted((a.doc_id, a.origin.name, a.ground_truth) for a in snap.annotations),
        manifest_counts=manifest["counts"],
        gold=sorted(gold, key=lambda d: d["article"]["id"]),
        reviewed=reviewed,
        reviewed_counts=reviewed_counts,
    )


def _review(
    live: LiveServer,
    root: Path,
    client: Any,
    users: dict[str, int],
    articles: dict[str, Any],
    snapshot: Path,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Push the majority build's conflicts for review, adjudicate them, pull, build both pulls into a second version."""
    url = ["--url", live.url, "--api-key", live.token]
    round1 = root / "round1"
    assert main(["gold", "build", str(snapshot), "-o", str(round1), "--policy", "majority"]) == 0
    assert main(["review", "push", str(round1 / "conflicts.jsonl"), "--project", REVIEW, *url]) == 0
    project = client.find_project(REVIEW)
    assert project is not None
    tasks = existing_tasks(client, int(project["id"]))
    assert sorted(tasks) == [D2, D4]
    for doc_id, build in ((D2, doc2), (D4, doc4)):
        text = articles[doc_id].text
        result = annotation_to_results(build(text, JUDGE, "adjudicator"), text)
        client.post_json(f"/api/tasks/{tasks[doc_id].id}/annotations", {"result": result, "completed_by": users[JUDGE]})
    pulled = root / "pull-review.json"
    assert main(["pull", "--project", REVIEW, "-o", str(root / "raw"), "--json", str(pulled), *url]) == 0
    summary = json.loads(pulled.read_text())
    assert (summary["annotation_kind"], summary["annotations"]) == ("adjudicator", 2)
    v2 = root / "v2"
    out = root / "v2.json"
    assert main(["gold", "build", str(snapshot), summary["snapshot"], "-o", str(v2), "--json", str(out)]) == 0
    counts = json.loads(out.read_text())["manifest"]["counts"]
    assert (counts["conflicts"], counts["decisions"]) == (0, {"adjudicator": 2, "majority": 2})
    docs = [d.model_dump(mode="json") for d in read_gold_version(v2).documents]
    return sorted(docs, key=lambda d: d["article"]["id"]), counts


@pytest.fixture(scope="module")
def loops(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The loop's result on each back end, run once, on first use."""
    done: dict[str, LoopResult] = {}

    def run(backend: str) -> LoopResult:
        if backend not in done:
            live = request.getfixturevalue("live_server" if backend == "sqlite" else "pg_server")
            live = live if isinstance(live, LiveServer) else live.live
            done[backend] = _run_loop(live, tmp_path_factory.mktemp(f"loop-{backend}"))
        return done[backend]

    return {"run": run}


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_the_loop_gives_every_annotation_and_the_gold(loops: dict[str, Any], backend: str) -> None:
    result: LoopResult = loops["run"](backend)
    assert result.snapshot == sorted((d, who, who == ANA and d == D4) for d, people in PLAN.items() for who in people)
    assert sum(result.manifest_counts["documents"].values()) == len(result.gold) > 0


def test_both_back_ends_give_the_same_gold(loops: dict[str, Any]) -> None:
    sqlite, pg = loops["run"]("sqlite"), loops["run"]("postgresql")
    assert pg.snapshot == sqlite.snapshot
    assert pg.manifest_counts == sqlite.manifest_counts
    assert pg.gold == sqlite.gold
    assert pg.reviewed_counts == sqlite.reviewed_counts
    assert pg.reviewed == sqlite.reviewed


def test_status_shows_the_database_without_its_password(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["server", "status", "--json", "-"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["running"] and payload["healthy"]
    assert payload["database"] == {
        "backend": "postgresql",
        "url": None,
        "cluster": str(pg_server.cluster.resolve()),
        "cluster_running": True,
    }
    creds = json.loads((pg_server.home / "credentials").read_text())
    assert creds["database"]["backend"] == "postgresql"
    password = creds["database"]["password"]
    assert password not in json.dumps(payload)
    assert not (pg_server.home / "labelstudio" / postgres.SQLITE_FILE).exists()
    # a second start reuses both servers
    assert main(["server", "start"]) == 0
    assert server.read_state(pg_server.home / "labelstudio") == pg_server.live.state
    assert password not in capsys.readouterr().out


def test_switching_the_database_is_refused(pg_server: PgServer, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["server", "start", "--database", "sqlite"]) == 2
    err = capsys.readouterr().err
    assert "keeps its data in the PostgreSQL cluster" in " ".join(err.split())
    assert len(err.strip().splitlines()) <= 3  # one message (wrapped at most by the console)
    assert server.status(pg_server.home / "labelstudio").healthy


def test_a_database_of_another_setup_is_refused_in_one_line(
    pg_server: PgServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = json.loads((pg_server.home / "credentials").read_text())
    port = json.loads((pg_server.cluster / postgres.CLUSTER_FILE).read_text())["port"]
    url = f"postgresql://{postgres.DEFAULT_ROLE}:{creds['database']['password']}@127.0.0.1:{port}/{postgres.DEFAULT_DATABASE}"
    other = pg_server.home.parent / "other" / ".eventgold"  # another set-up: its own admin and token
    monkeypatch.setenv("EVENTGOLD_HOME", str(other))
    capsys.readouterr()
    try:
        assert main(["server", "start", "--database-url", url]) == 2
    finally:
        server.stop(other / "labelstudio")  # (a no-op when it was refused, as it must be)
    err = " ".join(capsys.readouterr().err.split())
    assert "already belongs to another eventgold set-up" in err and ".eventgold/credentials" in err
    assert creds["database"]["password"] not in err
    assert _processes_of(other) == [] and server.read_state(other / "labelstudio") is None
    assert postgres.read_record(other / "labelstudio") is None  # nothing fixed: an empty database may follow
    assert server.status(pg_server.home / "labelstudio").healthy


def test_server_stop_leaves_no_postgres_process(pg_server: PgServer, capsys: pytest.CaptureFixture[str]) -> None:
    assert _processes_of(pg_server.cluster)
    capsys.readouterr()
    assert main(["server", "stop"]) == 0
    out = capsys.readouterr().out
    assert "Label Studio stopped" in out and "PostgreSQL stopped" in out
    assert _processes_of(pg_server.cluster) == []
    assert not postgres.cluster_running(pg_server.cluster)
    assert not server.status(pg_server.home / "labelstudio").running
