"""A project's tasks as a push needs them: listed in full, or only those updated since the last push.

Label Studio is the source of truth for which tasks a project holds (DESIGN.md), but listing
them all costs it about 0.75 ms a task on PostgreSQL (each page loads its tasks' annotations and
predictions whatever ``include`` asks): 75–80 s for 100,000 tasks, on every push. So a push
keeps, in the workspace (``.eventgold/listings/``), what it learned: each task's id, ``doc_id``
and ``content_sha``, with Label Studio's clock read before it listed, and the ids of the tasks it
created with Label Studio's clock read after its last import. The next push of the same project
asks only for the tasks updated since (``filter:tasks:updated_at`` greater, paged by id): the
tasks it knew, since its listing less :data:`MARGIN`; the tasks it created, since it created
them. It uses the merged listing only when it holds exactly as many tasks as the project counts
(``task_number``): a task deleted makes the counts differ; a task created by anyone else was
updated after the listing and is listed. Any doubt — no cache, another project under the same id
(a server set up again), a count that differs, a server without a clock — and the push lists
every task, as it always did.

Not seen: an edit of a task's ``doc_id`` or ``content_sha`` made while the push that created
the task was still running. What the merged listing cannot give is a task's annotation count
(annotations saved on a task the last push created are not asked for): a push that needs one —
an article whose text changed, annotations to import — lists everything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eventgold.errors import EventgoldError
from eventgold.fileio import atomic_open
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.snapshot_delta import id_ranges
from eventgold.models import Article

LISTED_FIELDS = "id,data,total_annotations,cancelled_annotations"
"""The task fields a listing asks for (older servers ignore ``include`` and send all)."""
MARGIN = dt.timedelta(seconds=120)
"""Taken off the kept listing's Label Studio time: saves still being written then are listed again."""
SECOND = dt.timedelta(seconds=1)
MAX_CREATED_RANGES = 20
"""Id ranges of created tasks kept (one query each); beyond, they are asked for as updated since the listing."""
FORMAT = 1


@dataclass(frozen=True)
class ExistingTask:
    """What eventgold needs to know of a task already in Label Studio.

    ``annotations`` (submitted and skipped) is None when the listing came from a kept one and the
    task was not updated since.
    """

    id: int
    doc_id: str
    content_sha: str
    annotations: int | None


@dataclass
class TaskListing:
    """A project's tasks, with how they were listed.

    Attributes:
        tasks: task id -> (``doc_id`` or None, ``content_sha``, annotation count or None), every task.
        method: ``full`` (every task listed) or ``incremental`` (the kept listing + tasks updated since).
        note: why a full listing (or how many tasks an incremental one asked for).
        server_time: Label Studio's clock before the listing (None: the server sent no ``Date``).
        project_created_at: the project's ``created_at``, told apart from a later project with its id.
        created: ids of the tasks this push created (:meth:`record_created`).
        created_until: Label Studio's clock after the push's last import (set by the push).
    """

    tasks: dict[int, tuple[str | None, str, int | None]]
    method: str
    note: str
    server_time: dt.datetime | None
    project_created_at: str
    created: set[int] = field(default_factory=set)
    created_until: dt.datetime | None = None

    def by_doc_id(self) -> dict[str, ExistingTask]:
        """The tasks that have a ``doc_id``, by it (of two tasks with one ``doc_id``, the later id)."""
        out: dict[str, ExistingTask] = {}
        for task_id in sorted(self.tasks):
            doc_id, sha, annotations = self.tasks[task_id]
            if doc_id is not None:
                out[doc_id] = ExistingTask(id=task_id, doc_id=doc_id, content_sha=sha, annotations=annotations)
        return out

    def duplicate_doc_ids(self) -> dict[str, list[int]]:
        """Each ``doc_id`` that several tasks hold, with their ids (ascending)."""
        ids: dict[str, list[int]] = {}
        for task_id in sorted(self.tasks):
            if (doc_id := self.tasks[task_id][0]) is not None:
                ids.setdefault(doc_id, []).append(task_id)
        return {doc_id: held for doc_id, held in ids.items() if len(held) > 1}

    def record_created(self, task_id: int, doc_id: str, content_sha: str) -> None:
        """Note a task this push created (the next push asks for it only if updated after :attr:`created_until`)."""
        self.created.add(task_id)
        self.tasks[task_id] = (doc_id, content_sha, None)

    def record_deleted(self, task_id: int) -> None:
        """Note a task this push deleted."""
        self.tasks.pop(task_id, None)
        self.created.discard(task_id)


def _row(task: dict[str, Any]) -> tuple[int, tuple[str | None, str, int | None]]:
    data = task.get("data") or {}
    doc_id = data.get("doc_id") if isinstance(data.get("doc_id"), str) else None
    annotations = int(task.get("total_annotations") or 0) + int(task.get("cancelled_annotations") or 0)
    return int(task["id"]), (doc_id, str(data.get("content_sha") or ""), annotations)


def _every_task(client: LabelStudioClient, project_id: int) -> dict[int, tuple[str | None, str, int | None]]:
    # ``include`` (REST flex fields) leaves out the data manager's per-task columns: 5x faster a page
    return dict(_row(t) for t in client.iter_tasks(project_id, fields="task_only", include=LISTED_FIELDS))


def existing_tasks(client: LabelStudioClient, project_id: int) -> dict[str, ExistingTask]:
    """The project's tasks by ``doc_id`` (tasks without one are left out), every task listed.

    Raises:
        APIError, ConnectionFailed: Label Studio refused a request or could not be reached.
    """
    return TaskListing(_every_task(client, project_id), "full", "", None, "").by_doc_id()


def full_listing(client: LabelStudioClient, project_id: int, note: str = "") -> TaskListing:
    """Every task of the project (``/api/tasks``, ``fields=task_only``, only :data:`LISTED_FIELDS`),
    with Label Studio's time read before and the project's ``created_at`` (not asked for when the
    server sends no time: such a listing cannot be kept).

    Raises:
        APIError, ConnectionFailed: Label Studio refused a request or could not be reached.
    """
    server_time = client.server_time()
    created_at = str(client.project(project_id).get("created_at") or "") if server_time is not None else ""
    return TaskListing(_every_task(client, project_id), "full", note, server_time, created_at)


class ListingCache:
    """Listings kept in a folder, one file per Label Studio URL and project id (no token is kept).

    Example:
        >>> cache = ListingCache(Path(".eventgold/listings"))  # doctest: +SKIP
        >>> listing = cache.list_tasks(client, project_id=3)  # doctest: +SKIP
        >>> cache.save(client.base_url, 3, listing)  # doctest: +SKIP
    """

    def __init__(self, folder: Path, *, refresh: bool = False) -> None:
        """Args: folder: where the listings are kept; refresh: list every task (and keep that listing)."""
        self.folder = folder
        self.refresh = refresh

    def path(self, url: str, project_id: int) -> Path:
        """The cache file of one project of one server."""
        key = hashlib.sha256(url.rstrip("/").encode("utf-8")).hexdigest()[:16]
        return self.folder / f"project-{project_id}-{key}.json"

    def load(self, url: str, project_id: int) -> dict[str, Any] | None:
        """The kept listing's record, or None when there is none or it cannot be read (never raises)."""
        try:
            record = json.loads(self.path(url, project_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        ok = (isinstance(record, dict) and record.get("format") == FORMAT and record.get("url") == url.rstrip("/")
              and record.get("project_id") == project_id and isinstance(record.get("tasks"), list)
              and isinstance(record.get("server_time"), str) and isinstance(record.get("project_created_at"), str))
        return record if ok else None

    def list_tasks(self, client: LabelStudioClient, project_id: int, page_size: int = 1000) -> TaskListing:
        """The project's tasks: the cache merged with the tasks updated since, else a full listing.

        Args:
            client: an open client.
            project_id: the project.
            page_size: tasks a request for the updated tasks.

        Returns:
            A :class:`TaskListing`; ``method`` says which, ``note`` why a full one.

        Raises:
            APIError, ConnectionFailed: Label Studio refused a request or could not be reached.
        """
        if self.refresh:
            return full_listing(client, project_id, "a full listing was asked for")
        record = self.load(client.base_url, project_id)
        if record is None:
            kept = self.path(client.base_url, project_id).exists()
            why = "the kept listing cannot be read" if kept else "no earlier listing of this project"
            return full_listing(client, project_id, why)
        server_time = client.server_time()
        project = client.project(project_id)
        created_at = str(project.get("created_at") or "")
        if server_time is None or record.get("project_created_at") != created_at:
            why = "Label Studio sent no time" if server_time is None else "the project was made again"
            return full_listing(client, project_id, why)
        try:
            tasks, since, created, created_until = _cached_tasks(record)
        except (TypeError, ValueError, KeyError, IndexError):
            return full_listing(client, project_id, "the kept listing cannot be read")
        not_created = [_id_filter("not_in", a, b) for a, b in created]
        queries = [[updated_after(since - MARGIN), *not_created]]
        if created_until is not None:
            # less a second: Label Studio's Date header drops the fraction
            queries += [[updated_after(created_until - SECOND), _id_filter("in", a, b)] for a, b in created]
        updated = 0
        for filters in queries:
            for task in client.iter_tasks_by_id(project_id, filters, fields="task_only", page_size=page_size,
                                                include=LISTED_FIELDS):
                task_id, row = _row(task)
                tasks[task_id] = row
                updated += 1
        # counted after the listing, so that a task created meanwhile is in both
        counted = client.project(project_id).get("task_number")
        if not isinstance(counted, int) or counted != len(tasks):
            why = f"Label Studio counts {counted} task(s); the kept listing with the tasks updated since: {len(tasks)}"
            return full_listing(client, project_id, why)
        seconds = int(MARGIN.total_seconds())
        note = f"{updated} task(s) updated since {seconds} s before the last push's listing"
        return TaskListing(tasks, "incremental", note, server_time, created_at)

    def save(self, url: str, project_id: int, listing: TaskListing) -> bool:
        """Keep ``listing`` for the next push; False (nothing written) when it cannot serve one.

        A listing without Label Studio's time cannot; a failure to write is not an error (the
        next push lists everything).
        """
        if listing.server_time is None:
            return False
        ranges = id_ranges(listing.created)
        created = None  # not kept: the next push asks for these tasks as updated since the listing
        if ranges and listing.created_until is not None and len(ranges) <= MAX_CREATED_RANGES:
            created = {"ranges": ranges, "until": listing.created_until.astimezone(dt.UTC).isoformat()}
        record = {
            "format": FORMAT,
            "url": url.rstrip("/"),
            "project_id": project_id,
            "project_created_at": listing.project_created_at,
            "server_time": listing.server_time.astimezone(dt.UTC).isoformat(),
            "created": created,
            "tasks": [[i, doc_id, sha] for i, (doc_id, sha, _) in sorted(listing.tasks.items())],
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with atomic_open(self.path(url, project_id), "w") as fh:
                json.dump(record, fh, ensure_ascii=False, separators=(",", ":"))
        except (OSError, EventgoldError):  # a folder where the file goes, say: the next push lists everything
            return False
        return True


def push_listing(
    client: LabelStudioClient, project_id: int, cache: ListingCache | None, articles: list[Article], *, imports: bool
) -> TaskListing:
    """The project's tasks for a push of ``articles``: from ``cache`` when it can serve, else in full.

    A push needs each task's annotation count, which a kept listing lacks, when it imports
    annotations (``imports``) or an article's text changed under its task.

    Raises:
        APIError, ConnectionFailed: Label Studio refused a request or could not be reached.
    """
    if cache is None:  # nothing to keep: no clock or creation time to ask for
        return TaskListing(_every_task(client, project_id), "full", "", None, "")
    if imports:
        return full_listing(client, project_id, "annotations to import need each task's annotation count")
    listing = cache.list_tasks(client, project_id)
    if listing.method == "full":
        return listing
    existing = listing.by_doc_id()
    changed = sum(1 for a in articles if (t := existing.get(a.id)) is not None and t.content_sha != a.content_sha)
    if changed:
        return full_listing(client, project_id, f"{changed} article(s) changed text: annotation counts are needed")
    return listing


def updated_after(time: dt.datetime) -> dict[str, Any]:
    """The Data Manager filter of the tasks updated after ``time`` (``filter:tasks:updated_at`` greater)."""
    stamp = time.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # the only form Label Studio parses
    return {"filter": "filter:tasks:updated_at", "operator": "greater", "type": "Datetime", "value": stamp}


def _id_filter(operator: str, low: int, high: int) -> dict[str, Any]:
    return {"filter": "filter:tasks:id", "operator": operator, "type": "Number", "value": {"min": low, "max": high}}


def _time(value: Any) -> dt.datetime:
    time = dt.datetime.fromisoformat(value)
    if time.tzinfo is None:
        raise ValueError("a time without a zone")
    return time


def _cached_tasks(record: dict[str, Any]) -> tuple[
        dict[int, tuple[str | None, str, int | None]], dt.datetime, list[tuple[int, int]], dt.datetime | None]:
    """(tasks, the listing's time, the ranges of ids the push created, the time after it created them)."""
    tasks: dict[int, tuple[str | None, str, int | None]] = {}
    for task_id, doc_id, sha in record["tasks"]:
        if not isinstance(task_id, int) or not (doc_id is None or isinstance(doc_id, str)) or not isinstance(sha, str):
            raise TypeError("a malformed task row")
        tasks[task_id] = (doc_id, sha, None)
    created = record["created"]
    if created is None:
        return tasks, _time(record["server_time"]), [], None
    ranges = [(int(a), int(b)) for a, b in created["ranges"]]
    return tasks, _time(record["server_time"]), ranges, _time(created["until"])
