"""Label Studio's export snapshots: create one, wait for it, download it, delete it.

The synchronous export (``GET /api/projects/<id>/export``) builds the whole
export within one request, which a large project can make time out. An export
snapshot (``POST /api/projects/<id>/exports/``) is built by a background job
when the server has Redis (else within the POST itself), polled until its
``status`` is ``completed`` or ``failed``, and then downloaded as a file. It
holds the same JSON as the synchronous export with ``download_all_tasks=true``:
every task, every annotation (cancelled and ground truth too), drafts expanded,
predictions by id. The snapshot is deleted through the API afterwards,
whatever happened, so no pull leaves a snapshot listed in the project. (Label
Studio 1.23.2 Community deletes only the record: the flag that would also
delete the file is retired as off, so the file stays in the server's
``media/export/<project id>/``, as the synchronous export leaves its copy in
``export/``.)
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventgold.errors import APIError, ConnectionFailed, TimedOut
from eventgold.labelstudio.client import LabelStudioClient

DONE = "completed"
FAILED = "failed"
POLL_FIRST = 0.5
"""Seconds before the first status poll; the wait doubles up to :data:`POLL_MAX`."""
POLL_MAX = 5.0


def snapshot_export_to(
    client: LabelStudioClient,
    project_id: int,
    target: Path,
    *,
    timeout: float = 1800.0,
    download_timeout: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_note: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Export every task of a project through an export snapshot into ``target`` atomically.

    Args:
        client: an open client.
        project_id: the project's id.
        target: the file to write (JSON list of tasks, the synchronous export's format).
        timeout: seconds to wait for the snapshot to be built (creation and polling).
        download_timeout: seconds to wait for each read of the download.
        sleep: waits between polls (injectable for tests).
        clock: monotonic seconds (injectable for tests).
        on_note: told, in one line, when the snapshot could not be deleted on the server.

    Returns:
        The snapshot's last record from the server (``id``, ``status``, ``counters``...).

    Raises:
        APIError: Label Studio refused a request, or the snapshot's status became
            ``failed`` (then ``status`` is None).
        TimedOut: the snapshot was not built within ``timeout`` seconds.
        ConnectionFailed: the server could not be reached or the download broke off
            (``target`` is then untouched).

    Example: ``snapshot_export_to(client, 7, Path("exports/raw/p.json"))``
    """
    title = f"eventgold-pull-{uuid.uuid4().hex[:12]}"
    deadline = clock() + timeout
    try:
        record = client.create_export_snapshot(project_id, title=title, timeout=timeout)
    except (TimedOut, APIError) as exc:
        # without Redis the POST builds the snapshot itself: after a timeout (ours, or a proxy's 504)
        # it may exist, and finish, all the same
        if isinstance(exc, APIError) and (exc.status or 0) < 500:
            raise
        found = [r for r in client.export_snapshots(project_id) if r.get("title") == title]
        if not found:
            raise
        record = found[0]
    export_id = int(record["id"])
    try:
        record = _wait(client, project_id, record, deadline, sleep, clock, timeout)
        client.download_export_snapshot(project_id, export_id, target, timeout=download_timeout)
    finally:
        _delete(client, project_id, export_id, on_note)
    return record


def _wait(
    client: LabelStudioClient,
    project_id: int,
    record: dict[str, Any],
    deadline: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    timeout: float,
) -> dict[str, Any]:
    """Poll the snapshot until it is completed; raise when it failed or ``deadline`` passed."""
    export_id = int(record["id"])
    pause = POLL_FIRST
    while record.get("status") != DONE:
        if record.get("status") == FAILED:
            raise APIError(
                f"Label Studio could not build the export snapshot {export_id} of project {project_id} "
                "(status failed; its log says why)"
            )
        left = deadline - clock()
        if left <= 0:
            raise TimedOut(
                f"the export snapshot {export_id} of project {project_id} was not ready within {timeout:g} s "
                f"(status {record.get('status')!r}); retry with a longer --snapshot-timeout"
            )
        sleep(min(pause, left))
        pause = min(pause * 2, POLL_MAX)
        record = client.export_snapshot(project_id, export_id)
    return record


def _delete(client: LabelStudioClient, project_id: int, export_id: int, on_note: Callable[[str], None] | None) -> None:
    """Delete the snapshot on the server; a failure is told, not raised (the pull itself may have worked)."""
    try:
        client.delete_export_snapshot(project_id, export_id)
    except (APIError, ConnectionFailed) as exc:
        if on_note:
            on_note(
                f"could not delete the export snapshot {export_id} of project {project_id} on the server "
                f"({type(exc).__name__}: {exc}); delete it in the project's Export dialog"
            )
