"""Pull a project's annotations as a raw, never-overwritten snapshot.

The full JSON export is the only Label Studio export that keeps relations, so
that is what is stored, byte for byte, as ``<project>-<UTC timestamp>.json``
with a ``.sha256`` sidecar, a ``.meta.json`` sidecar (project, export time,
annotator e-mails by user id) and, unless told not to (``--no-predictions``), a
``.predictions.json`` sidecar (the JSON export lists predictions by id only, so the
prediction objects are fetched separately; skipping them saves time on large
projects; they are streamed to the file, never held whole in memory).

Three ways to get the export (``method``): ``export``, the synchronous export
(one request; fast on small projects, may time out on large ones);
``snapshot``, an export snapshot created, polled, downloaded and deleted again
(:mod:`eventgold.labelstudio.export_snapshot`); ``paged``, the tasks paged
through ``/api/tasks`` and written in the same format. ``auto`` takes the
synchronous export up to :data:`SNAPSHOT_ABOVE` tasks and a snapshot above,
and falls back (export → snapshot → paged) when one times out or fails on the
server's side. ``since`` (``pull --since``) writes a delta snapshot instead: only
the tasks changed since an earlier snapshot, and the ids of those deleted
(:func:`write_delta`; read with its base by
:func:`eventgold.labelstudio.snapshot_delta.read_snapshots`). Every sidecar records
Label Studio's own time at the start of the pull, which the next delta starts
from. Files the tool writes itself (paged tasks, sidecars) are strict
JSON: a non-finite number (which Label Studio's strict JSON API does not send)
would be written as null.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eventgold.errors import APIError, InputError, TimedOut, UserError
from eventgold.fileio import atomic_open, atomic_write_text, json_text, sha256_file
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.convert import parse_created
from eventgold.labelstudio.export_snapshot import check_seconds, snapshot_export_to
from eventgold.labelstudio.review import is_review_project
from eventgold.labelstudio.snapshot import meta_path, predictions_path, read_snapshot_meta, snapshot_files
from eventgold.labelstudio.snapshot_delta import Delta, chain_of, id_ranges, known_task_ids
from eventgold.labelstudio.task_listing import updated_after

METHODS = ("auto", "export", "snapshot", "paged")
"""What ``pull_snapshot(method=...)`` takes; ``PullResult.method`` is one of the last three."""
SNAPSHOT_ABOVE = 5000
"""``auto`` uses an export snapshot for a project with more tasks than this (the synchronous export below)."""


def slug(title: str) -> str:
    """A file-name-safe form of a project title."""
    return re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower() or "project"


@dataclass(frozen=True)
class PullResult:
    """Where the snapshot went and how it was obtained."""

    path: Path
    sha256: str
    method: str
    """How the export was got: ``export``, ``snapshot`` or ``paged`` (see :data:`METHODS`)."""
    project_id: int
    annotation_kind: str = "annotator"
    """``adjudicator`` for a review project's snapshot, else ``annotator``."""
    predictions: int | None = None
    """Predictions fetched into the ``.predictions.json`` sidecar; None when not fetched."""
    delta: Delta | None = None
    """For a pull ``since`` an earlier snapshot: what the delta holds (None for a full snapshot)."""


def _snapshot_path(out_dir: Path, title: str, now: dt.datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    base = f"{slug(title)}-{stamp}"
    path = out_dir / f"{base}.json"
    n = 1
    while path.exists():
        path = out_dir / f"{base}-{n}.json"
        n += 1
    return path


def pull_snapshot(
    client: LabelStudioClient,
    project_title: str,
    out_dir: Path,
    *,
    method: str = "auto",
    export_timeout: float = 300.0,
    snapshot_timeout: float = 1800.0,
    page_size: int = 100,
    annotation_kind: str | None = None,
    with_predictions: bool = True,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    on_fallback: Callable[[str], None] | None = None,
    since: Path | None = None,
    since_margin: float = 120.0,
) -> PullResult:
    """Export ``project_title`` into a new snapshot file in ``out_dir``; never overwrite one.

    The snapshot is Label Studio's JSON export of every task (the format of
    https://labelstud.io/guide/task_format), stored byte for byte, got so (``method``):

    - ``export``: ``GET /api/projects/<id>/export?exportType=JSON&download_all_tasks=true``;
    - ``snapshot``: an export snapshot (``POST /api/projects/<id>/exports/``,
      polled, downloaded, then deleted on the server);
    - ``paged``: the tasks paged through ``/api/tasks`` into the same format;
    - ``auto`` (default): ``export`` for projects of up to :data:`SNAPSHOT_ABOVE` tasks, else
      ``snapshot``; a timeout or server-side failure falls back to the next one (export →
      snapshot → paged). A method asked for by name does not fall back.

    Args:
        client: an open client (:class:`LabelStudioClient`).
        project_title: the project's exact title.
        out_dir: the folder of snapshots (made when missing).
        method: one of :data:`METHODS`.
        export_timeout: seconds without data before a download (the synchronous export, a
            snapshot's file) is given up: for each read, not the whole download; finite, > 0.
        snapshot_timeout: seconds to wait for an export snapshot to be built; finite, > 0.
        page_size: tasks per page when paging.
        annotation_kind: ``annotator`` or ``adjudicator``, recorded in the metadata sidecar; None:
            ``adjudicator`` for a review project (made by ``eventgold review push``), else ``annotator``.
        with_predictions: also store the project's predictions in a ``.predictions.json`` sidecar;
            False skips that request (faster on large projects).
        now: the clock (UTC) naming the file ``<project>-<time>.json``.
        on_fallback: told, in one line, when ``auto`` falls back to another method
            (or a snapshot could not be deleted on the server).
        since: an earlier snapshot of the project (full or a delta): write a delta snapshot of the tasks
            changed since then instead (:func:`write_delta`; paged, predictions inline: no sidecar).
        since_margin: seconds taken off the base's Label Studio time, so saves still being
            committed while the base was exported come again (a number >= 0; default 120).

    Returns:
        A :class:`PullResult`: the snapshot's path, its sha256 (also in a ``.sha256`` sidecar), the method
        used (``export``, ``snapshot`` or ``paged``), the annotation kind and how many predictions were
        fetched (None when not asked for).

    Raises:
        UserError: no project has that title, ``method`` is not one of :data:`METHODS`, or a
            timeout is not a finite number > 0 (both checked before any request); ``since``
            is a snapshot of another project (or of an earlier one with its id), not in ``out_dir``,
            or given with a ``method`` other than auto or paged.
        InputError: ``since`` (or a base of it) is missing or changed since it was pulled.
        APIError: Label Studio refused a request (a 4xx synchronous export does not fall back).
        TimedOut: the method asked for by name timed out.
        ConnectionFailed: the server could not be reached, or a download broke off.
    """
    if method not in METHODS:
        raise UserError(f"unknown pull method {method!r}; use one of {', '.join(METHODS)}")
    check_seconds(export_timeout, "export_timeout")
    check_seconds(snapshot_timeout, "snapshot_timeout")
    if not math.isfinite(since_margin) or since_margin < 0:
        raise UserError(f"the --since margin must be a number of seconds >= 0, got {since_margin!r}")
    if since is not None and method not in ("auto", "paged"):
        raise UserError(f"a pull --since pages the changed tasks; it cannot use --method {method} (leave it out)")
    if since is not None:
        _check_since_file(since)
        if Path(out_dir).resolve() != since.parent.resolve():
            raise UserError(f"a delta is written beside its base: leave -o out or give -o {since.parent}")
    project = client.find_project(project_title)
    if project is None:
        raise UserError(f"no Label Studio project is titled {project_title!r}")
    if annotation_kind is None:
        annotation_kind = "adjudicator" if is_review_project(project) else "annotator"
    project_id = int(project["id"])
    margin = dt.timedelta(seconds=since_margin)
    created_at = project.get("created_at") if isinstance(project.get("created_at"), str) else None
    delta_from = _delta_base(since, project_id, project_title, created_at, margin) if since is not None else None
    server_time = client.server_time()  # before the export: the next delta asks for what changed after it
    exported_at = now()
    path = _snapshot_path(out_dir, project_title, exported_at)
    delta: Delta | None = None
    if since is not None and delta_from is not None:
        delta = write_delta(client, project_id, since, delta_from[0], path, page_size, base_sha256=delta_from[1])
        used = "paged"
    else:
        used = _export(
            client, project_id, path, _plan(method, project), export_timeout, snapshot_timeout, page_size, on_fallback
        )
    digest = sha256_file(path)
    atomic_write_text(path.with_name(path.name + ".sha256"), f"{digest}  {path.name}\n")
    wanted = with_predictions and delta is None  # paged tasks carry their predictions inline
    fetched = _write_predictions(client, project_id, predictions_path(path)) if wanted else None
    users = {str(u["id"]): u.get("email") for u in client.users() if "id" in u}
    meta = {
        "project_id": project_id,
        "project_title": project_title,
        "exported_at": exported_at.isoformat(),
        "method": used,
        "annotation_kind": annotation_kind,
        "users": users,
        "label_studio_url": client.url,
        "project_created_at": created_at,  # tells this project from a later one with its id (a server set up again)
        "server_time": server_time.isoformat() if server_time is not None else None,
    }
    if delta is not None:
        meta["delta"] = delta.to_json()
    atomic_write_text(meta_path(path), json_text(meta, indent=2) + "\n")
    return PullResult(
        path=path,
        sha256=digest,
        method=used,
        project_id=project_id,
        annotation_kind=annotation_kind,
        predictions=fetched,
        delta=delta,
    )


LOCAL_CLOCK_MARGIN = dt.timedelta(minutes=30)
"""Taken off a base's local export time when it has no Label Studio time (pulled before eventgold recorded it)."""


def _check_since_file(since: Path) -> None:
    """One line for a ``since`` that is not a snapshot ``eventgold pull`` wrote (a folder, missing, a sidecar)."""
    if since.is_dir():
        raise InputError(f"{since}: a folder; give one earlier snapshot in it (<project>-<UTC time>.json)")
    if not since.is_file():
        raise InputError(f"{since}: snapshot not found; give an earlier snapshot (exports/raw/<name>.json)")
    snapshot_files([since])  # a sidecar given instead names its snapshot
    if not meta_path(since).is_file():
        raise InputError(f"{since}: no {meta_path(since).name} beside it, so not a snapshot `eventgold pull` wrote; "
                         "pull a full snapshot (without --since)")


def _delta_base(
    since: Path, project_id: int, title: str, created_at: str | None, margin: dt.timedelta
) -> tuple[dt.datetime, str]:
    """(the time a delta starts from: the base's Label Studio time less ``margin``, the base's sha256), checked."""
    digest = sha256_file(since)
    if not verify_snapshot(since, digest):
        raise InputError(f"{since}: changed since it was pulled (sha256 differs from its .sha256); give another")
    chain_of(since)  # its own bases are there and unchanged
    meta = read_snapshot_meta(since)
    if meta.get("project_id") != project_id:
        raise UserError(
            f"{since} is a snapshot of project {meta.get('project_title')!r} (id {meta.get('project_id')}), "
            f"not of {title!r} (id {project_id}); give a snapshot of this project"
        )
    if isinstance(base_made := meta.get("project_created_at"), str) and created_at and base_made != created_at:
        raise UserError(f"{since} is a snapshot of an earlier project with id {project_id} (made {base_made}; this one "
                        f"{created_at}: Label Studio was set up again); pull a full snapshot (without --since)")
    server_time = parse_created(meta.get("server_time"))
    if server_time is not None:
        return server_time - margin, digest
    exported = parse_created(meta.get("exported_at"))
    if exported is None:
        raise InputError(f"{meta_path(since)}: no export time; pull a full snapshot (without --since)")
    return exported - max(margin, LOCAL_CLOCK_MARGIN), digest


def write_delta(
    client: LabelStudioClient,
    project_id: int,
    base: Path,
    since: dt.datetime,
    path: Path,
    page_size: int = 100,
    *,
    base_sha256: str | None = None,
) -> Delta:
    """Write the tasks of a project updated after ``since`` to ``path`` (paged) and list those deleted.

    Label Studio sets a task's ``updated_at`` whenever one of its annotations or predictions
    is saved or deleted (``Annotation.update_task``, ``Prediction.update_task``; the Data
    Manager's bulk deletion of annotations too), so the tasks changed since the base are
    those a ``filter:tasks:updated_at`` greater than ``since`` lists, paged by id
    (:meth:`~eventgold.labelstudio.client.LabelStudioClient.iter_tasks_by_id`: a task
    deleted meanwhile cannot make another be skipped); each is written as it is now, with
    all its annotations. The project's task ids (kept as ranges) are the base's and the updated
    ones when Label Studio counts that many (only a deletion makes the counts differ: a task
    made since was updated since), else all listed (``/api/tasks?include=id``).

    Args:
        client: an open client.
        project_id: the project's id.
        base: the snapshot the delta follows (full, whose task ids are read, or a delta itself).
        since: tasks updated after this time (Label Studio's clock) are written.
        path: the delta snapshot to write (atomically).
        page_size: tasks per page.
        base_sha256: the base's sha256 when already computed (else it is).

    Returns:
        The :class:`~eventgold.labelstudio.snapshot_delta.Delta` for the sidecar.

    Raises:
        InputError: a base of ``base`` is missing or changed.
        APIError, ConnectionFailed: as for the paged method.
    """
    changed: list[int] = []
    with atomic_open(path, "w") as fh:
        fh.write("[")
        for task in client.iter_tasks_by_id(project_id, [updated_after(since)], page_size=page_size):
            fh.write("," if changed else "")
            fh.write(json_text(task))
            changed.append(int(task["id"]))
        fh.write("]")
    known = known_task_ids(base) | set(changed)
    current = known if task_count(client.project(project_id)) == len(known) else set(client.task_ids(project_id))
    deleted = sorted(known - current)
    return Delta(
        base=base.name,
        base_sha256=base_sha256 or sha256_file(base),
        since=since,
        changed_tasks=len(changed),
        deleted_tasks=tuple(deleted),
        task_ids=id_ranges(current),
    )


def task_count(project: dict[str, Any]) -> int | None:
    """The number of tasks a project record gives (``task_number``), or None when it gives none."""
    value = project.get("task_number")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _plan(method: str, project: dict[str, Any]) -> list[str]:
    """The methods to try in order: one asked for by name, or ``auto``'s chain for this project."""
    if method != "auto":
        return [method]
    tasks = task_count(project)
    if tasks is not None and tasks > SNAPSHOT_ABOVE:
        return ["snapshot", "paged"]
    return ["export", "snapshot", "paged"]


_NAMES = {"export": "the synchronous export", "snapshot": "the export snapshot", "paged": "paging"}
_NEXT = {"snapshot": "using an export snapshot", "paged": "paging tasks"}


def _export(
    client: LabelStudioClient,
    project_id: int,
    path: Path,
    plan: list[str],
    export_timeout: float,
    snapshot_timeout: float,
    page_size: int,
    on_fallback: Callable[[str], None] | None,
) -> str:
    """Write the export to ``path`` with the first method of ``plan`` that works; return its name."""
    for i, method in enumerate(plan):
        try:
            if method == "export":
                client.export_to(project_id, path, timeout=export_timeout)
            elif method == "snapshot":
                snapshot_export_to(
                    client,
                    project_id,
                    path,
                    timeout=snapshot_timeout,
                    download_timeout=export_timeout,
                    on_note=on_fallback,
                )
            else:
                _write_paged(client, project_id, path, page_size)
            return method
        except (TimedOut, APIError) as exc:
            last = i + 1 == len(plan)
            # a refused synchronous export (401, 403, 404) would be refused when paged too
            refused = method == "export" and isinstance(exc, APIError) and (exc.status or 0) < 500
            if last or refused:
                raise
            if on_fallback:
                on_fallback(f"{_NAMES[method]} did not finish ({type(exc).__name__}); {_NEXT[plan[i + 1]]}")
    raise AssertionError("unreachable: the plan is never empty")


def _write_predictions(client: LabelStudioClient, project_id: int, target: Path) -> int:
    """Stream the project's predictions (``GET /api/predictions?project=<id>``) into ``target``; return how many.

    The file holds what ``json_text(predictions) + "\\n"`` would (the list
    written item by item as it arrives, never whole in memory); a failure leaves
    no file behind.
    """
    chunks = client.stream_bytes(
        "/api/predictions", params={"project": project_id}, what=f"the predictions of project {project_id}"
    )
    n = 0
    with closing(chunks), atomic_open(target, "w") as fh:
        fh.write("[")
        for item in iter_json_list(chunks, what=f"/api/predictions?project={project_id}"):
            fh.write(", " if n else "")
            fh.write(json_text(item))
            n += 1
        fh.write("]\n")
    return n


def iter_json_list(chunks: Iterable[bytes], *, what: str = "the answer") -> Iterator[Any]:
    """The items of a JSON list whose UTF-8 bytes arrive in ``chunks``, one by one as they are complete.

    Only the item being read is held in memory (and one chunk). Items are decoded
    by :mod:`json` (as ``httpx.Response.json`` does).

    Raises:
        APIError: the bytes are not one JSON list (``what`` names where they came from).

    Example: ``list(iter_json_list([b'[{"a": 1}, ', b'2]']))`` is ``[{'a': 1}, 2]``.
    """
    reader = _Chunks(chunks)
    try:
        if reader.char() != "[":
            raise ValueError("not a list")
        reader.pos += 1
        first = True
        while (c := reader.char()) != "]":
            if not first:
                if c != ",":
                    raise ValueError("expected , or ]")
                reader.pos += 1
            yield reader.value()
            first = False
        reader.pos += 1
        if reader.char() != "":
            raise ValueError("data after the list")
    except (ValueError, UnicodeDecodeError) as exc:
        raise APIError(f"Label Studio answered {what} with something that is not a JSON list ({exc})") from None


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER_CHARS = frozenset("0123456789+-.eE")


class _Chunks:
    """Text decoded from byte chunks, read from ``pos`` on; more is read only when needed."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._decoder = json.JSONDecoder()
        self.text = ""
        self.pos = 0
        self.eof = False

    def _more(self) -> None:
        chunk = next(self._chunks, None)
        if chunk is None:
            self.eof = True
            fresh = self._utf8.decode(b"", final=True)
        else:
            fresh = self._utf8.decode(chunk)
        self.text = self.text[self.pos :] + fresh
        self.pos = 0

    def char(self) -> str:
        """The next character after whitespace ("" at the end)."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text) or self.eof:
                return self.text[self.pos : self.pos + 1]
            self._more()

    def value(self) -> Any:
        """The JSON value that starts at the next character."""
        self.char()
        while True:
            try:
                value, end = self._decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError:
                if self.eof:
                    raise
            else:
                # a number cut by a chunk's end ("-3." of "-3.5") may go on in the next chunk
                if self.eof or (end < len(self.text) and self.text[end] not in _NUMBER_CHARS):
                    self.pos = end
                    return value
            self._more()


def _write_paged(client: LabelStudioClient, project_id: int, path: Path, page_size: int) -> None:
    with atomic_open(path, "w") as fh:
        fh.write("[")
        first = True
        for task in client.iter_tasks(project_id, fields="all", page_size=page_size):
            if not first:
                fh.write(",")
            fh.write(json_text(task))
            first = False
        fh.write("]")


def verify_snapshot(path: Path, digest: str | None = None) -> bool:
    """Whether a snapshot still matches its ``.sha256`` sidecar (True when it has none).

    ``digest``: the file's sha256 when already computed (else the file is hashed).
    """
    sidecar = path.with_name(path.name + ".sha256")
    if not sidecar.is_file():
        return True
    expected = sidecar.read_text(encoding="utf-8").split()[0]
    return (digest or sha256_file(path)) == expected
