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

import math
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eventgold.errors import APIError, ConnectionFailed, TimedOut, UserError
from eventgold.labelstudio.client import LabelStudioClient

DONE = "completed"
FAILED = "failed"
POLL_FIRST = 0.5
"""Seconds before the first status poll; the wait doubles up to :data:`POLL_MAX`."""
POLL_MAX = 5.0
LOOKUPS = 3
"""Times the snapshot is looked for by its title after its POST timed out or broke off (:data:`LOOKUP_PAUSE` apart)."""
LOOKUP_PAUSE = 1.0


def check_seconds(value: float, name: str) -> float:
    """``value`` when it is a finite number of seconds > 0; else a :class:`UserError` naming ``name``.

    Example: ``check_seconds(30, "timeout")`` is 30; ``check_seconds(float("nan"), "timeout")`` raises.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise UserError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return value


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
        timeout: seconds to wait for the snapshot to be built (creation and polling); finite, > 0.
        download_timeout: seconds without data before the download is given up (for each read,
            not the whole download); finite, > 0.
        sleep: waits between polls (injectable for tests).
        clock: monotonic seconds (injectable for tests).
        on_note: told, in one line, when the snapshot could not be deleted on the server (or
            may be made after its request timed out, too late to be found and deleted).

    Returns:
        The snapshot's last record from the server (``id``, ``status``, ``counters``...).

    Raises:
        UserError: ``timeout`` or ``download_timeout`` is not a finite number > 0 (before any request).
        APIError: Label Studio refused a request, or the snapshot's status became
            ``failed`` (then ``status`` is None).
        TimedOut: the snapshot was not built within ``timeout`` seconds, or its download sent
            no data for ``download_timeout`` seconds (``target`` is then untouched).
        ConnectionFailed: the server could not be reached or the download broke off
            (``target`` is then untouched).

    Once the snapshot exists it is deleted on the server whatever happens next
    (a failed build, a timeout, a failed download, an interrupt).

    Example: ``snapshot_export_to(client, 7, Path("exports/raw/p.json"))``
    """
    check_seconds(timeout, "timeout")
    check_seconds(download_timeout, "download_timeout")
    title = f"eventgold-pull-{uuid.uuid4().hex[:12]}"
    deadline = clock() + timeout
    try:
        record = client.create_export_snapshot(project_id, title=title, timeout=timeout)
    except (ConnectionFailed, APIError) as exc:
        # without Redis the POST builds the snapshot itself: after a timeout (ours, or a proxy's 504)
        # or a connection that broke off it may exist, and finish, all the same
        if isinstance(exc, APIError) and (exc.status or 0) < 500:
            raise
        found = _find(client, project_id, title, sleep)
        if found is None:
            if on_note and isinstance(exc, TimedOut | APIError):
                on_note(
                    f"Label Studio may still make the export snapshot {title!r} of project {project_id} "
                    "(its request timed out); if it appears in the project's Export dialog, delete it there"
                )
            raise
        record = found
    export_id = int(record["id"])
    try:
        record = _wait(client, project_id, record, deadline, sleep, clock, timeout)
        client.download_export_snapshot(project_id, export_id, target, timeout=download_timeout)
    finally:
        _delete(client, project_id, export_id, on_note)
    return record


def _find(
    client: LabelStudioClient, project_id: int, title: str, sleep: Callable[[float], None]
) -> dict[str, Any] | None:
    """The snapshot titled ``title``, looked for :data:`LOOKUPS` times (the server may not have made it yet)."""
    for attempt in range(LOOKUPS):
        if attempt:
            sleep(LOOKUP_PAUSE)
        try:
            found = [r for r in client.export_snapshots(project_id) if r.get("title") == title]
        except (APIError, ConnectionFailed):
            return None  # the caller raises the error of the POST itself
        if found:
            return found[0]
    return None


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
