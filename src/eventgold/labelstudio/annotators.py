"""Annotator accounts: create them while open sign-up stays disabled; count their work.

Label Studio's user API cannot set a password, so accounts are made through
the organisation's invite link (the same form a person would use), with a
generated password that is written once to a 0600 file and never printed.
"""

from __future__ import annotations

import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from eventgold.errors import APIError, ConfigError, UserError
from eventgold.fileio import atomic_write_text
from eventgold.labelstudio.client import LabelStudioClient

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class NewAnnotator:
    """An annotator account created (or found) by ``add_annotators``."""

    email: str
    user_id: int | None
    created: bool


def _read_passwords(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid JSON; move it away and retry") from exc
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def add_annotators(client: LabelStudioClient, emails: list[str], password_file: Path) -> list[NewAnnotator]:
    """Create annotator accounts with generated passwords stored in ``password_file`` (0600).

    An e-mail that already has an account is left alone (idempotent).
    """
    bad = [e for e in emails if not EMAIL.match(e)]
    if bad:
        raise UserError(f"not an e-mail address: {', '.join(bad)}")
    users = {str(u.get("email", "")).lower(): u for u in client.users()}
    invite = client.get_json("/api/invite")
    token = invite.get("token") if isinstance(invite, dict) else None
    if not token:
        raise APIError("Label Studio gave no invite token (GET /api/invite); is the key an admin's?")
    passwords = _read_passwords(password_file)
    out: list[NewAnnotator] = []
    for email in emails:
        key = email.lower()
        if key in users:
            out.append(NewAnnotator(email=key, user_id=users[key].get("id"), created=False))
            continue
        password = secrets.token_urlsafe(12) + "-Eg1"
        _signup(client.base_url, token, key, password)
        passwords[key] = password
        atomic_write_text(password_file, json.dumps(passwords, indent=2, allow_nan=False) + "\n", perms=0o600)
        out.append(NewAnnotator(email=key, user_id=None, created=True))
    if any(a.created for a in out):
        refreshed = {str(u.get("email", "")).lower(): u.get("id") for u in client.users()}
        out = [NewAnnotator(a.email, refreshed.get(a.email, a.user_id), a.created) for a in out]
    return out


def _signup(url: str, token: str, email: str, password: str) -> None:
    with httpx.Client(base_url=url, timeout=30.0) as web:
        try:
            web.get(f"/user/signup/?token={token}")
            csrf = web.cookies.get("csrftoken") or ""
            response = web.post(
                f"/user/signup/?token={token}",
                data={"email": email, "password": password, "csrfmiddlewaretoken": csrf},
                headers={"Referer": f"{url}/user/signup/"},
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise APIError(f"cannot create the account {email}: {type(exc).__name__}") from exc
    if response.status_code != 302:
        messages = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', response.text)
        detail = "; ".join(m.strip() for m in messages if m.strip()) or f"HTTP {response.status_code}"
        raise APIError(f"Label Studio refused to create the account {email}: {detail}")


@dataclass(frozen=True)
class AnnotatorStats:
    """An annotator and the number of tasks they annotated, per project and in all."""

    email: str
    user_id: int
    tasks_done: int
    by_project: dict[str, int]


def annotator_stats(client: LabelStudioClient) -> list[AnnotatorStats]:
    """Every user with the number of tasks they annotated (from task listings, not exports).

    ``GET /api/tasks?fields=task_only`` leaves ``annotators`` empty (Label Studio 1.23 fills it
    only for the columns a view shows, or for ``fields=all``, which sends every annotation and
    prediction). ``review=true`` asks for just the annotators (and the review state) on top of
    ``task_only``: the cheapest listing that has them. A server that ignores it (annotations
    counted but no annotators) gets the full listing for that project, never a silent 0.
    """
    users = {int(u["id"]): str(u.get("email", "")) for u in client.users() if "id" in u}
    per_project: dict[int, Counter[str]] = {uid: Counter() for uid in users}
    for project in client.projects():
        pid, title = int(project["id"]), str(project.get("title"))
        counts = _count_annotators(client.iter_tasks(pid, fields="task_only", review="true"))
        if counts is None:
            counts = _count_annotators(client.iter_tasks(pid, fields="all"), fallback=True)
        for uid, done in (counts or {}).items():
            if uid in per_project:
                per_project[uid][title] += done
    return sorted(
        (
            AnnotatorStats(email=users[uid], user_id=uid, tasks_done=sum(c.values()), by_project=dict(c))
            for uid, c in per_project.items()
        ),
        key=lambda s: s.email,
    )


def _count_annotators(tasks: Iterable[dict[str, Any]], *, fallback: bool = False) -> Counter[int] | None:
    """Tasks done per user id; None (not ``fallback``) when a task is annotated but lists no annotators."""
    counts: Counter[int] = Counter()
    for task in tasks:
        ids = _annotator_ids(task)
        if not ids and not fallback and _annotated(task):
            return None
        counts.update(ids)
    return counts


def _annotated(task: dict[str, Any]) -> bool:
    """Whether a task listing counts any annotation (submitted or cancelled) on the task."""
    return any(isinstance(task.get(k), int) and task[k] > 0 for k in ("total_annotations", "cancelled_annotations"))


def _annotator_ids(task: dict[str, Any]) -> set[int]:
    """The user ids that annotated a task: its ``annotators`` (ids or users), else its annotations' authors."""
    ids: set[int] = set()
    for annotator in task.get("annotators") or []:
        uid = annotator if isinstance(annotator, int) else annotator.get("id") if isinstance(annotator, dict) else None
        if isinstance(uid, int):
            ids.add(uid)
    if not ids:
        for annotation in task.get("annotations") or []:
            by = annotation.get("completed_by") if isinstance(annotation, dict) else None
            uid = by if isinstance(by, int) else by.get("id") if isinstance(by, dict) else None
            if isinstance(uid, int):
                ids.add(uid)
    return ids
