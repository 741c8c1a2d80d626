"""`annotator_stats`: tasks done per annotator from the cheapest task listing that names them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from eventgold.config import Connection
from eventgold.labelstudio.annotators import annotator_stats
from eventgold.labelstudio.client import LabelStudioClient

USERS = [{"id": 1, "email": "admin@x.org"}, {"id": 2, "email": "ann@x.org"}, {"id": 3, "email": "ben@x.org"}]
# what each task's annotations are (author ids); the third is annotated twice by ann
ANNOTATIONS = [[2, 3], [2], [2, 2], []]


def _task(i: int, authors: list[int], listing: str) -> dict[str, Any]:
    task: dict[str, Any] = {"id": i, "data": {"text": "x"}, "total_annotations": len(authors)}
    if listing == "annotators":
        task["annotators"] = sorted(set(authors))
    elif listing == "empty":  # Label Studio 1.23.2 with fields=task_only: never filled
        task["annotators"] = []
    else:  # fields=all: the annotations themselves (with annotators too, as users)
        task["annotators"] = [{"id": a} for a in sorted(set(authors))]
        task["annotations"] = [{"completed_by": a, "result": []} for a in authors]
    return task


@pytest.mark.parametrize("honours_review", [True, False])
def test_annotator_stats_counts_tasks_per_annotator(honours_review: bool) -> None:
    asked: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        if request.url.path == "/api/users":
            return httpx.Response(200, json=USERS)
        if request.url.path == "/api/projects":
            return httpx.Response(200, json={"results": [{"id": 7, "title": "events"}], "next": None})
        assert request.url.path == "/api/tasks"
        asked.append({k: v for k, v in params.items() if k in ("fields", "review")})
        if params["fields"] == "all":
            listing = "all"
        else:
            listing = "annotators" if honours_review and params.get("review") == "true" else "empty"
        return httpx.Response(200, json={"tasks": [_task(i, a, listing) for i, a in enumerate(ANNOTATIONS)]})

    client = LabelStudioClient(
        Connection(url="http://ls.test", api_key="t0k3n", source="test"),
        http=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    stats = {s.email: (s.tasks_done, s.by_project) for s in annotator_stats(client)}
    assert stats == {"admin@x.org": (0, {}), "ann@x.org": (3, {"events": 3}), "ben@x.org": (1, {"events": 1})}
    # the cheap listing first; the full one only when the server left the annotators out
    expected = [{"fields": "task_only", "review": "true"}] + ([] if honours_review else [{"fields": "all"}])
    assert asked == expected
