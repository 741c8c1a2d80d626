"""``suggest -o`` -> file -> ``push --only-ids``: every listed id reads back and selects its article.

No server: the push goes to an in-memory Label Studio (httpx's MockTransport) through the real
command, so what is tested is the reading of the id list, the matching of ids (NFC, trimmed, an
id starting with ``#``) and the report of listed ids that match nothing (a warning line with the
count and the first few; all of them in ``--json``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import httpx
import pytest

from eventgold.cli import main
from eventgold.config import Connection
from eventgold.extractors.suggest import read_id_list
from eventgold.jsonl import write_jsonl
from eventgold.labelstudio.client import LabelStudioClient
from eventgold.labelstudio.push import match_ids
from eventgold.models import DocumentAnnotation, Origin


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# given ids as raw exports hold them: decomposed accents and jamo, spaces, scripts, a leading #
RAW_IDS = [
    nfd("Zo\u00eb report"),
    "doc 1",
    "\u062e\u0628\u0631-\u0663",
    nfd("\ud55c\uad6d-\ub274\uc2a4"),
    "#7",
    "a1",
]
STORIES = [
    "Iraqi Prime Minister Mustafa Al-Kazemi met a delegation in Baghdad on Sunday to discuss security.",
    "Rocket attacks on the Green Zone continued overnight, officials in the Iraqi capital said on Monday.",
    "Mike Pompeo phoned the Iraqi prime minister to discuss the withdrawal of 500 American troops.",
    "The parliament in Baghdad demanded that foreign forces leave the country after the drone strike.",
    "Ismail Ghaani, head of the Quds Force, visited Tehran officials after a trip through the region.",
    "Pro-Iran factions threatened to escalate attacks unless Washington announced a timetable to leave.",
]


class FakeLabelStudio:
    """The endpoints a push uses, kept in dicts."""

    def __init__(self) -> None:
        self.projects: dict[int, dict[str, Any]] = {}
        self.tasks: dict[int, dict[str, Any]] = {}

    def handler(self, request: httpx.Request) -> httpx.Response:
        method, path = request.method, request.url.path
        body: Any = json.loads(request.content) if request.content else {}
        if path == "/api/projects" and method == "GET":
            return httpx.Response(200, json={"results": list(self.projects.values()), "next": None})
        if path == "/api/projects" and method == "POST":
            pid = len(self.projects) + 1
            self.projects[pid] = {"id": pid, **body}
            return httpx.Response(201, json=self.projects[pid])
        if (m := re.fullmatch(r"/api/projects/(\d+)", path)) and method == "PATCH":
            self.projects[int(m.group(1))].update(body)
            return httpx.Response(200, json=self.projects[int(m.group(1))])
        if m := re.fullmatch(r"/api/projects/(\d+)/import", path):
            ids = []
            for item in body:
                tid = len(self.tasks) + 1
                self.tasks[tid] = {"id": tid, "project": int(m.group(1)), "data": item["data"], "total_annotations": 0}
                ids.append(tid)
            return httpx.Response(201, json={"task_ids": ids})
        if path == "/api/tasks":
            rows = [t for t in self.tasks.values() if t["project"] == int(request.url.params["project"])]
            return httpx.Response(200, json={"tasks": rows if request.url.params.get("page") == "1" else []})
        return httpx.Response(404, json={"detail": f"no fake for {method} {path}"})

    def doc_ids(self) -> list[str]:
        return sorted(t["data"]["doc_id"] for t in self.tasks.values())


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeLabelStudio:
    from eventgold.commands import labelstudio as ls_commands

    server = FakeLabelStudio()

    def client(_url: str | None, _api_key: str | None) -> LabelStudioClient:
        return LabelStudioClient(
            Connection(url="http://ls.test", api_key="k" * 20, source="test"),
            http=httpx.Client(transport=httpx.MockTransport(server.handler)),
            retries=0,
        )

    monkeypatch.setattr(ls_commands, "open_client", client)
    return server


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list[str]]:
    """A corpus ingested from raw rows with awkward ids, and its ids (NFC: ingest's one form)."""
    raw = tmp_path / "raw.jsonl"
    raw.write_text(
        "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in zip(RAW_IDS, STORIES, strict=True)),
        encoding="utf-8",
    )
    path = tmp_path / "corpus.jsonl"
    assert main(["ingest", str(raw), "-o", str(path)]) == 0
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]
    assert ids == [unicodedata.normalize("NFC", i) for i in RAW_IDS]
    return path, ids


def _suggest(tmp_path: Path, corpus: Path, ids: list[str]) -> Path:
    for name in ("x", "y"):
        write_jsonl(
            tmp_path / f"{name}.jsonl",
            [DocumentAnnotation(doc_id=i, origin=Origin(kind="extractor", name=name)) for i in ids],
        )
    out = tmp_path / "next.txt"
    assert main(["suggest", str(corpus), "--pred", f"{tmp_path}/x.jsonl,{tmp_path}/y.jsonl", "-o", str(out)]) == 0
    return out


def test_suggest_list_reads_back_into_only_ids(tmp_path: Path, corpus: tuple[Path, list[str]]) -> None:
    path, ids = corpus
    listed = read_id_list(_suggest(tmp_path, path, ids), known=ids)
    assert sorted(listed) == sorted(ids)
    match = match_ids(listed, ids)
    assert match.ids == set(ids) and match.unmatched == []


def test_suggest_to_push_only_ids(
    tmp_path: Path, corpus: tuple[Path, list[str]], fake: FakeLabelStudio, capsys: pytest.CaptureFixture[str]
) -> None:
    path, ids = corpus
    listed = _suggest(tmp_path, path, ids)
    out = tmp_path / "push.json"
    assert main(["push", str(path), "--only-ids", str(listed), "--json", str(out)]) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert (payload["created"], payload["not_selected"], payload["unmatched_ids"]) == (len(ids), 0, [])
    assert fake.doc_ids() == sorted(ids)
    assert "warning" not in capsys.readouterr().err


def test_hand_written_list_in_other_forms_and_unknown_ids(
    tmp_path: Path, corpus: tuple[Path, list[str]], fake: FakeLabelStudio, capsys: pytest.CaptureFixture[str]
) -> None:
    path, ids = corpus
    listed = tmp_path / "picked.txt"
    unknown = ["nope", "Zoe report", "doc  1", "missing-1", "missing-2", "missing-3"]
    listed.write_text(
        "# picked by hand\n"
        + "  " + nfd("Zo\u00eb report") + "  \n"  # decomposed and padded
        + "doc 1\r\n\n#7\n"
        + "".join(f"{u}\n" for u in unknown),
        encoding="utf-8",
    )
    out = tmp_path / "push.json"
    capsys.readouterr()
    assert main(["push", str(path), "--only-ids", str(listed), "--json", str(out)]) == 0
    assert fake.doc_ids() == sorted(["#7", "Zo\u00eb report", "doc 1"])
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["unmatched_ids"] == unknown and payload["not_selected"] == len(ids) - 3
    err = " ".join(capsys.readouterr().err.split())
    assert f"warning: 6 id(s) listed in {listed} match no article in {path}:" in err
    assert "'nope', 'Zoe report', 'doc 1', 'missing-1', 'missing-2' …" in err  # the first five
    # pushing again creates nothing and still reports them
    assert main(["push", str(path), "--only-ids", str(listed), "--json", str(out)]) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert (payload["created"], payload["unchanged"], len(payload["unmatched_ids"])) == (0, 3, 6)


@pytest.mark.parametrize(
    ("listed", "corpus_ids", "selected", "unmatched"),
    [
        (["a"], ["a", "b"], {"a"}, []),
        ([nfd("Zo\u00eb")], ["Zo\u00eb"], {"Zo\u00eb"}, []),  # NFD listed, NFC in the corpus
        (["Zo\u00eb"], [nfd("Zo\u00eb")], {nfd("Zo\u00eb")}, []),  # a corpus made elsewhere, decomposed
        (["doc 1"], ["doc 1", "doc1"], {"doc 1"}, []),
        (["x", "y", "x"], ["a"], set(), ["x", "y"]),  # each unmatched id once, in order
        ([], ["a"], set(), []),
    ],
)
def test_match_ids(listed: list[str], corpus_ids: list[str], selected: set[str], unmatched: list[str]) -> None:
    match = match_ids(listed, corpus_ids)
    assert (match.ids, match.unmatched) == (selected, unmatched)
