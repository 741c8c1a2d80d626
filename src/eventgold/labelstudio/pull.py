"""Pull a project's annotations as a raw, never-overwritten snapshot.

The full JSON export is the only Label Studio export that keeps relations, so
that is what is stored, byte for byte, as ``<project>-<UTC timestamp>.json``
with a ``.sha256`` sidecar, a ``.meta.json`` sidecar (project, export time,
annotator e-mails by user id) and, unless told not to (``--no-predictions``), a
``.predictions.json`` sidecar (the JSON export lists predictions by id only, so the
prediction objects are fetched separately; skipping them saves time on large
projects). When the synchronous export times out on a
large project, the tasks are paged through ``/api/tasks`` instead and written
in the same format. Files the tool writes itself (paged tasks, sidecars) are strict
JSON: a non-finite number (which Label Studio's strict JSON API does not send)
would be written as null.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eventgold.errors import APIError, TimedOut, UserError
from eventgold.fileio import atomic_open, atomic_write_text, json_text, sha256_file
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.review import is_review_project
from eventgold.labelstudio.snapshot import meta_path, predictions_path


def slug(title: str) -> str:
    """A file-name-safe form of a project title."""
    return re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower() or "project"


@dataclass(frozen=True)
class PullResult:
    """Where the snapshot went and how it was obtained."""

    path: Path
    sha256: str
    method: str
    project_id: int
    annotation_kind: str = "annotator"
    """``adjudicator`` for a review project's snapshot, else ``annotator``."""
    predictions: int | None = None
    """Predictions fetched into the ``.predictions.json`` sidecar; None when not fetched."""


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
    export_timeout: float = 300.0,
    page_size: int = 100,
    annotation_kind: str | None = None,
    with_predictions: bool = True,
    now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    on_fallback: Callable[[str], None] | None = None,
) -> PullResult:
    """Export ``project_title`` into a new snapshot file in ``out_dir``; never overwrite one.

    The snapshot is Label Studio's JSON export of every task (``GET
    /api/projects/<id>/export?exportType=JSON&download_all_tasks=true``, the
    format of https://labelstud.io/guide/task_format),
    stored byte for byte; when that export times out or fails with a 5xx the
    tasks are paged through ``/api/tasks`` into the same format instead.

    Args:
        client: an open client (:class:`LabelStudioClient`).
        project_title: the project's exact title.
        out_dir: the folder of snapshots (made when missing).
        export_timeout: seconds to wait for the synchronous export before paging.
        page_size: tasks per page when paging.
        annotation_kind: ``annotator`` or ``adjudicator``, recorded in the metadata
            sidecar; None: ``adjudicator`` for a review project (made by
            ``eventgold review push``), else ``annotator``.
        with_predictions: also store the project's predictions in a
            ``.predictions.json`` sidecar; False skips that request (faster on large projects).
        now: the clock (UTC) naming the file ``<project>-<time>.json``.
        on_fallback: told, in one line, when the export falls back to paging.

    Returns:
        A :class:`PullResult`: the snapshot's path, its sha256 (also written to a
        ``.sha256`` sidecar), the method (``export`` or ``paged``), the annotation
        kind and how many predictions were fetched (None when not asked for).

    Raises:
        UserError: no project has that title.
        APIError: Label Studio refused a request (a 4xx export is not retried by paging).
        ConnectionFailed: the server could not be reached.
    """
    project = client.find_project(project_title)
    if project is None:
        raise UserError(f"no Label Studio project is titled {project_title!r}")
    if annotation_kind is None:
        annotation_kind = "adjudicator" if is_review_project(project) else "annotator"
    project_id = int(project["id"])
    exported_at = now()
    path = _snapshot_path(out_dir, project_title, exported_at)
    method = "export"
    try:
        client.export_to(project_id, path, timeout=export_timeout)
    except (TimedOut, APIError) as exc:
        if isinstance(exc, APIError) and (exc.status or 0) < 500:
            raise
        method = "paged"
        if on_fallback:
            on_fallback(f"the synchronous export did not finish ({type(exc).__name__}); paging tasks")
        _write_paged(client, project_id, path, page_size)
    digest = sha256_file(path)
    atomic_write_text(path.with_name(path.name + ".sha256"), f"{digest}  {path.name}\n")
    fetched: int | None = None
    if with_predictions:
        preds = client.get_json("/api/predictions", project=project_id)
        atomic_write_text(predictions_path(path), json_text(preds) + "\n")
        fetched = len(preds) if isinstance(preds, list) else 0
    users = {str(u["id"]): u.get("email") for u in client.users() if "id" in u}
    meta = {
        "project_id": project_id,
        "project_title": project_title,
        "exported_at": exported_at.isoformat(),
        "method": method,
        "annotation_kind": annotation_kind,
        "users": users,
        "label_studio_url": client.url,
    }
    atomic_write_text(meta_path(path), json_text(meta, indent=2) + "\n")
    return PullResult(
        path=path,
        sha256=digest,
        method=method,
        project_id=project_id,
        annotation_kind=annotation_kind,
        predictions=fetched,
    )


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


def verify_snapshot(path: Path) -> bool:
    """Whether a snapshot still matches its ``.sha256`` sidecar (True when it has none)."""
    sidecar = path.with_name(path.name + ".sha256")
    if not sidecar.is_file():
        return True
    expected = sidecar.read_text(encoding="utf-8").split()[0]
    return sha256_file(path) == expected
