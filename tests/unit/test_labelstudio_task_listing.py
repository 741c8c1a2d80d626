"""Incremental task listings for a push: merged with the tasks updated since, or a full listing when in doubt."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.task_listing import MARGIN, ListingCache, TaskListing, push_listing
from eventgold.models import Article

START = dt.datetime(2026, 12, 1, 9, 0, 0, tzinfo=dt.UTC)
URL = "http://ls.test"


class Project:
    """One Label Studio project as the listing sees it: tasks with ``updated_at``, a clock, monotonic ids."""

    base_url = URL

    def __init__(self) -> None:
        self.clock = START
        self.created_at = "2026-11-30T08:00:00.000000Z"
        self.tasks: dict[int, dict[str, Any]] = {}
        self.next_id = 1
        self.requests: list[tuple[str, Any]] = []
        self.send_time = True

    # what the listing asks of the client
    def server_time(self) -> dt.datetime | None:
        self.requests.append(("time", None))
        return self.clock.replace(microsecond=0) if self.send_time else None

    def project(self, project_id: int) -> dict[str, Any]:
        self.requests.append(("project", project_id))
        return {"id": project_id, "created_at": self.created_at, "task_number": len(self.tasks)}

    def iter_tasks(self, project_id: int, **params: Any) -> Iterator[dict[str, Any]]:
        self.requests.append(("all", params))
        for task_id in sorted(self.tasks):
            yield self._row(task_id)

    def iter_tasks_by_id(self, project_id: int, filters: list[dict[str, Any]], **params: Any) -> Iterator[
            dict[str, Any]]:
        self.requests.append(("filtered", filters))
        for task_id in sorted(self.tasks):
            if all(self._passes(task_id, f) for f in filters):
                yield self._row(task_id)

    def _passes(self, task_id: int, item: dict[str, Any]) -> bool:
        if item["filter"] == "filter:tasks:updated_at":
            assert item["operator"] == "greater"
            since = dt.datetime.strptime(item["value"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
            return bool(self.tasks[task_id]["updated_at"] > since)
        assert item["filter"] == "filter:tasks:id"
        inside = item["value"]["min"] <= task_id <= item["value"]["max"]
        return inside if item["operator"] == "in" else not inside

    def _row(self, task_id: int) -> dict[str, Any]:
        task = self.tasks[task_id]
        data = {"doc_id": task["doc_id"], "content_sha": task["sha"]} if task["doc_id"] is not None else {}
        return {"id": task_id, "data": data, "total_annotations": task["annotations"], "cancelled_annotations": 0}

    # what happens in Label Studio
    def tick(self, seconds: float) -> None:
        self.clock += dt.timedelta(seconds=seconds)

    def create(self, doc_id: str | None, sha: str = "s0") -> int:
        task_id, self.next_id = self.next_id, self.next_id + 1
        self.tasks[task_id] = {"doc_id": doc_id, "sha": sha, "annotations": 0, "updated_at": self.clock}
        return task_id

    def update(self, task_id: int, *, late: float = 0.0, **changes: Any) -> None:
        """Change a task; ``late``: its save stamped that many seconds earlier (committed now)."""
        self.tasks[task_id].update(changes, updated_at=self.clock - dt.timedelta(seconds=late))

    def truth(self) -> dict[int, tuple[str | None, str]]:
        return {i: (t["doc_id"], t["sha"] if t["doc_id"] is not None else "") for i, t in self.tasks.items()}


def client(project: Project) -> LabelStudioClient:
    return cast(LabelStudioClient, project)


def push(project: Project, cache: ListingCache, new_docs: list[str]) -> TaskListing:
    """What a push does with the listing: list, create the new documents' tasks, keep the listing."""
    listing = cache.list_tasks(client(project), 1)
    for doc_id in new_docs:
        project.tick(0.01)
        listing.record_created(project.create(doc_id), doc_id, "s0")
    if listing.created:
        project.tick(2)  # the last import's answer
        listing.created_until = project.server_time()
    cache.save(URL, 1, listing)
    return listing


def known(listing: TaskListing) -> dict[int, tuple[str | None, str]]:
    return {i: (doc_id, sha) for i, (doc_id, sha, _) in listing.tasks.items()}


@pytest.fixture
def cache(tmp_path: Path) -> ListingCache:
    return ListingCache(tmp_path / "listings")


def test_the_first_push_lists_every_task_and_the_next_only_those_updated_since(cache: ListingCache) -> None:
    project = Project()
    for i in range(5):
        project.create(f"d{i}")
    project.tick(600)
    first = push(project, cache, ["d5", "d6"])
    assert (first.method, first.note) == ("full", "no earlier listing of this project")
    project.tick(600)
    project.update(2, annotations=1)
    project.requests.clear()
    second = cache.list_tasks(client(project), 1)
    assert second.method == "incremental" and known(second) == project.truth()
    assert second.note == "1 task(s) updated since 120 s before the last push's listing"
    assert second.tasks[2] == ("d1", "s0", 1) and second.tasks[6][2] is None  # counts only of tasks listed
    assert ("all", {"fields": "task_only", "include": "id,data,total_annotations,cancelled_annotations"}) not in (
        project.requests)


def test_documents_held_by_several_tasks_are_listed() -> None:
    listing = TaskListing({1: ("a", "s", 0), 2: ("b", "s", 0), 5: ("a", "t", 1), 7: (None, "", 0), 9: ("a", "s", 0)},
                          "full", "", None, "")
    assert listing.duplicate_doc_ids() == {"a": [1, 5, 9]}
    assert listing.by_doc_id()["a"].id == 9  # matched to the last


def test_what_is_asked_for_the_tasks_known_and_those_the_push_created(cache: ListingCache) -> None:
    project = Project()
    project.create("d0")
    push(project, cache, ["d1", "d2"])  # tasks 2-3 created by the push
    listed_at = START.replace(microsecond=0)
    project.tick(30)
    project.requests.clear()
    cache.list_tasks(client(project), 1)
    queries = [q for kind, q in project.requests if kind == "filtered"]
    stamp = (listed_at - MARGIN).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert queries[0] == [
        {"filter": "filter:tasks:updated_at", "operator": "greater", "type": "Datetime", "value": stamp},
        {"filter": "filter:tasks:id", "operator": "not_in", "type": "Number", "value": {"min": 2, "max": 3}},
    ]
    assert queries[1][1] == {"filter": "filter:tasks:id", "operator": "in", "type": "Number",
                             "value": {"min": 2, "max": 3}}
    assert len(queries) == 2


@pytest.mark.parametrize(
    ("change", "note"),
    [
        (lambda p: p.tasks.pop(1), "Label Studio counts 2 task(s); the kept listing with the tasks updated since: 3"),
        (lambda p: (p.tasks.pop(1), p.create("other")),
         "Label Studio counts 3 task(s); the kept listing with the tasks updated since: 4"),
        (lambda p: setattr(p, "created_at", "2026-12-01T10:00:00Z"), "the project was made again"),
        (lambda p: setattr(p, "send_time", False), "Label Studio sent no time"),
    ],
    ids=["a task deleted", "one deleted, one created by someone else", "another project, same id", "no clock"],
)
def test_in_doubt_every_task_is_listed(cache: ListingCache, change: Any, note: str) -> None:
    project = Project()
    for i in range(3):
        project.create(f"d{i}")
    push(project, cache, [])
    project.tick(300)
    change(project)
    listing = cache.list_tasks(client(project), 1)
    assert (listing.method, listing.note) == ("full", note)
    assert known(listing) == project.truth()


@pytest.mark.parametrize(
    "content",
    ["", "not json", "[]", '{"format": 2}', json.dumps({"format": 1, "url": URL, "project_id": 1, "tasks": [[1]],
                                                          "server_time": "2026-12-01T09:00:00+00:00", "created": None}),
     json.dumps({"format": 1, "url": URL, "project_id": 1, "tasks": [], "server_time": "2026-12-01T09:00:00",
                 "created": None, "project_created_at": "2026-11-30T08:00:00.000000Z"})],
    ids=["empty", "not json", "a list", "another format", "a short task row", "a time without zone"],
)
def test_a_cache_that_cannot_be_read_means_a_full_listing(cache: ListingCache, content: str) -> None:
    project = Project()
    project.create("d0")
    path = cache.path(URL, 1)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    listing = cache.list_tasks(client(project), 1)
    assert (listing.method, listing.note) == ("full", "the kept listing cannot be read")
    assert known(listing) == project.truth()


def test_the_cache_keeps_no_token_and_one_file_per_server_and_project(cache: ListingCache) -> None:
    project = Project()
    project.create("d0")
    push(project, cache, ["d1"])
    record = json.loads(cache.path(URL, 1).read_text(encoding="utf-8"))
    assert set(record) == {"format", "url", "project_id", "project_created_at", "server_time", "created", "tasks"}
    assert record["tasks"] == [[1, "d0", "s0"], [2, "d1", "s0"]] and record["created"]["ranges"] == [[2, 2]]
    assert cache.path(URL, 2) != cache.path(URL, 1) != cache.path("http://other:8080", 1)


def test_refresh_lists_every_task_and_keeps_the_listing(cache: ListingCache) -> None:
    project = Project()
    project.create("d0")
    push(project, cache, [])
    project.tick(60)
    refreshing = ListingCache(cache.folder, refresh=True)
    listing = push(project, refreshing, ["d1"])
    assert (listing.method, listing.note) == ("full", "a full listing was asked for")
    assert cache.list_tasks(client(project), 1).method == "incremental"


def _article(doc_id: str, text: str) -> Article:
    return Article(id=doc_id, title="T", text=text, source="test")


@pytest.mark.parametrize(
    ("use_cache", "imports", "text", "expected"),
    [
        (False, False, "Iraq.", ("full", "")),
        (True, False, "Iraq.", ("incremental", "0 task(s) updated since 120 s before the last push's listing")),
        (True, True, "Iraq.", ("full", "annotations to import need each task's annotation count")),
        (True, False, "Iraq changed.", ("full", "1 article(s) changed text: annotation counts are needed")),
    ],
    ids=["no cache", "nothing changed", "annotations to import", "a changed article"],
)
def test_a_push_lists_everything_when_it_needs_annotation_counts(
    cache: ListingCache, use_cache: bool, imports: bool, text: str, expected: tuple[str, str]
) -> None:
    project = Project()
    sha = _article("d0", "Iraq.").content_sha
    project.create("d0", sha)
    project.tick(600)
    push(project, cache, [])
    project.tick(600)
    listing = push_listing(client(project), 1, cache if use_cache else None, [_article("d0", text)], imports=imports)
    assert (listing.method, listing.note) == expected
    assert listing.by_doc_id()["d0"].annotations == (None if expected[0] == "incremental" else 0)


def test_a_listing_without_label_studios_time_is_not_kept(cache: ListingCache) -> None:
    project = Project()
    project.send_time = False
    project.create("d0")
    push(project, cache, [])
    assert not cache.path(URL, 1).exists()


@pytest.mark.parametrize("blocked", ["the folder is a file", "the file is a folder"])
def test_a_listing_that_cannot_be_kept_is_not_an_error(tmp_path: Path, blocked: str) -> None:
    cache = ListingCache(tmp_path / "listings")
    if blocked == "the folder is a file":
        cache.folder.write_text("a file", encoding="utf-8")
    else:
        cache.path(URL, 1).mkdir(parents=True)
    project = Project()
    project.create("d0")
    listing = cache.list_tasks(client(project), 1)
    assert cache.save(URL, 1, listing) is False


# between two pushes: (operation, seconds later)
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["annotate", "edit", "late edit", "create other", "create without doc_id", "delete"]),
        st.integers(min_value=0, max_value=10_000),
        st.floats(min_value=0.001, max_value=400),
    ),
    max_size=8,
)


@given(rounds=st.lists(st.tuples(OPERATIONS, st.integers(min_value=0, max_value=4)), min_size=1, max_size=5),
       start=st.integers(min_value=0, max_value=4))
def test_an_incremental_listing_is_what_label_studio_holds(
    tmp_path_factory: pytest.TempPathFactory, rounds: list[tuple[list[tuple[str, int, float]], int]], start: int
) -> None:
    """Random edits between pushes: an incremental listing equals the full one; only a deletion of a task
    listed before forces a full one."""
    cache = ListingCache(tmp_path_factory.mktemp("listings"))
    project = Project()
    for i in range(start):
        project.create(f"old{i}")
    created_by_last_push: set[int] = set()
    listed: set[int] = set()
    pushed_at = project.clock
    n = 0
    for operations, new in rounds:
        deleted = False
        for op, pick, seconds in operations:
            project.tick(seconds)
            ids = sorted(project.tasks)
            if op.startswith("create"):
                n += 1
                project.create(None if op.endswith("doc_id") else f"other{n}")
            elif not ids:
                continue
            elif op == "delete":
                task_id = ids[pick % len(ids)]
                project.tasks.pop(task_id)
                deleted = deleted or task_id in listed  # one made since the last push was never listed
            elif op == "annotate":
                task_id = ids[pick % len(ids)]
                project.update(task_id, annotations=project.tasks[task_id]["annotations"] + 1)
            elif op == "edit":
                project.update(ids[pick % len(ids)], sha=f"edited{pick}")
            else:  # a save stamped before the last listing, committed after it (not of a task just created)
                older = [i for i in ids if i not in created_by_last_push]
                if older:
                    since_push = (project.clock - pushed_at).total_seconds()
                    project.update(older[pick % len(older)], sha=f"late{pick}", late=since_push + min(seconds, 100.0))
        project.tick(1)
        had_cache = cache.load(URL, 1) is not None
        pushed_at = project.clock
        listing = push(project, cache, [f"new{n}-{i}" for i in range(new)])
        n += 1
        created_by_last_push, listed = set(listing.created), set(listing.tasks)
        assert {i: r for i, r in known(listing).items() if i not in listing.created} == {
            i: r for i, r in project.truth().items() if i not in listing.created}
        assert listing.method == ("full" if deleted or not had_cache else "incremental"), listing.note
