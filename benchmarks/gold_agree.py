"""Benchmark for `eventgold agree` and `eventgold gold build` from a Label Studio snapshot (issue 17).

A seeded snapshot like the one `eventgold pull` stores under ``exports/raw/<snapshot>.json``
(Label Studio's full JSON export: a list of tasks, each with its ``data`` and three
annotators' ``annotations``, every one a ``result`` list of ``labels`` regions with their
per-region controls (mode, contexts, sector, actor id, country) and ``relation`` results
for the roles), plus the ``.meta.json`` (annotator e-mails), ``.predictions.json`` and
``.sha256`` sidecars. Each document is a seed-article-sized text (~3 kB) in which every
annotator marks ~20 regions (16 actor mentions, 4 event triggers with ~2.5 roles each);
annotators agree most of the time, with seeded disagreements (missed or extra mentions,
other types, shifted boundaries, other modes, contexts and roles).

The script times, against the issue's goal of 10 s each at 10,000 documents:
in-process phases (reading the snapshot, merging, agreement, the agreement JSON, and the
gold build's steps) and the real CLI commands (wall time, and CPU time: on a shared machine the
CPU time tells what the code costs), run in a subprocess with the virtual
environment's ``eventgold``; a reference line gives the bare parse of the snapshot file
(``json.loads`` and ``pydantic_core.from_json``).

Run: .venv/bin/python benchmarks/gold_agree.py [--docs 10000] [--seed 0] [--keep DIR] [--no-cli]

``--keep DIR`` caches the generated snapshot there (one file per --docs/--seed), so a
second run skips generating it.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

GOAL_S = 10.0
ACTOR_TYPES = ["PERSON", "ORGANIZATION", "STATE", "ARMED_GROUP", "GROUP", "LOCATION"]
ACTORS: dict[str, list[tuple[str, str, str]]] = {  # type -> (text, canonical id, sector)
    "PERSON": [
        ("Mustafa Al-Kazemi", "alkazemi_mustafa", "GOV"),
        ("Ismail Ghaani", "ghaani_ismail", "MIL"),
        ("Mike Pompeo", "pompeo_mike", "GOV"),
        ("Mohammed Shia Al-Sudani", "alsudani_mohammed", "GOV"),
        ("Muqtada al-Sadr", "alsadr_muqtada", "REL"),
        ("Qassem Soleimani", "soleimani_qassem", "MIL"),
    ],
    "ORGANIZATION": [
        ("Shafaq News", "shafaq_news", "JRN"),
        ("the Fateh coalition", "fateh_coalition", "PTY"),
        ("the United Nations", "united_nations", "GOV"),
        ("the Sadrist movement", "sadrist_movement", "PTY"),
    ],
    "STATE": [
        ("Iraq", "IRQ", "GOV"),
        ("Iran", "IRN", "GOV"),
        ("the United States", "USA", "GOV"),
        ("Washington", "USA", "GOV"),
        ("Tehran", "IRN", "GOV"),
    ],
    "ARMED_GROUP": [
        ("the Quds Force", "quds_force", "MIL"),
        ("Kata'ib Hezbollah", "kataib_hezbollah", "PRM"),
        ("pro-Iran factions", "pro_iran_factions", "PRM"),
        ("the Popular Mobilization Forces", "pmf", "PRM"),
    ],
    "GROUP": [
        ("demonstrators", "", "CVL"),
        ("Iraqi officials", "", "GOV"),
        ("protesters", "", "CVL"),
        ("tribal leaders", "", "SOC"),
    ],
    "LOCATION": [
        ("Baghdad", "baghdad", ""),
        ("the Green Zone", "green_zone", ""),
        ("Basra", "basra", ""),
        ("Erbil", "erbil", ""),
        ("Tahrir Square", "tahrir_square", ""),
    ],
}
EVENTS: dict[str, tuple[list[str], list[str]]] = {  # type -> (trigger words, modes)
    "CONSULT": (["met", "visited", "called", "hosted"], ["visit", "third-party", "multilateral", "phone"]),
    "ACCUSE": (["accused", "condemned", "criticized"], ["disapprove", "investigate", "allege"]),
    "ASSAULT": (["attacked", "shelled", "struck"], ["firearms", "explosives", "aerial", "drone"]),
    "RETREAT": (["withdrew from", "released", "left"], ["withdraw", "release", "ceasefire"]),
    "SUPPORT": (["backed", "endorsed", "praised"], []),
    "THREATEN": (["threatened", "warned"], ["violence", "relations", "restrict"]),
    "PROTEST": (["marched against", "rallied against"], ["demo", "strike", "obstruct"]),
    "REQUEST": (["urged", "asked"], ["assist", "change", "meet"]),
}
CONTEXTS = ["military", "diplomatic", "political_institutions", "economic", "terrorism", "human_rights"]
FILLER_FALLBACK = (
    "According to media reports, the talks lasted three days and took place during the middle of the week. "
    "The meeting focused on easing tensions between the government and factions close to its neighbour. "
    "Observers said the visit came around the same time that foreign troops began their reduction. "
)
USERS = {1: "admin@example.org", 2: "ann.one@example.org", 3: "ann.two@example.org", 4: "ann.three@example.org"}
ANNOTATORS = (2, 3, 4)


def _filler_sentences() -> list[str]:
    """Sentences of the packaged seed articles (the texts annotators read), as filler."""
    folder = Path(__file__).resolve().parents[1] / "src" / "eventgold" / "data" / "samples" / "articles"
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))) or FILLER_FALLBACK
    parts = [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s.strip()) > 40]
    return parts or [FILLER_FALLBACK]


def _region_id(rnd: random.Random) -> str:
    """A Label Studio-like region id (10 characters)."""
    return "".join(rnd.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", k=10))


def _make_doc(rnd: random.Random, fillers: list[str]) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """A text with its true mentions and events (offsets into the text)."""
    parts: list[str] = []
    pos = 0
    mentions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []

    def add(piece: str) -> int:
        nonlocal pos
        start = pos
        parts.append(piece)
        pos += len(piece)
        return start

    def actor(type_: str) -> int:
        surface, canonical, sector = rnd.choice(ACTORS[type_])
        start = add(surface)
        mentions.append(
            {"start": start, "end": start + len(surface), "type": type_, "canonical": canonical, "sector": sector}
        )
        return len(mentions) - 1

    for _ in range(4):  # 4 x (4 mentions + 1 event): 20 regions
        add(" ".join(rnd.choice(fillers) for _ in range(3)) + " ")
        a = actor(rnd.choice(ACTOR_TYPES[:5]))
        add(" ")
        event_type = rnd.choice(list(EVENTS))
        words, modes = EVENTS[event_type]
        word = rnd.choice(words)
        trig = add(word)
        add(" ")
        r = actor(rnd.choice(ACTOR_TYPES[:5]))
        add(" in ")
        loc = actor("LOCATION")
        add(" on Saturday, ")
        other = actor(rnd.choice(ACTOR_TYPES))
        add(" said. ")
        roles = [("actor", a), ("recipient", r)] + ([("location", loc)] if rnd.random() < 0.6 else [])
        events.append(
            {
                "start": trig,
                "end": trig + len(word),
                "type": event_type,
                "mode": rnd.choice(modes) if modes and rnd.random() < 0.85 else None,
                "contexts": rnd.sample(CONTEXTS, k=rnd.choice([0, 1, 1, 2])),
                "roles": roles,
            }
        )
        del other  # mentioned, in no role
    add(rnd.choice(fillers))
    return "".join(parts), mentions, events


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def _annotation_results(
    rnd: random.Random, text: str, mentions: list[dict[str, Any]], events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """One annotator's ``result`` list: the truth with seeded disagreements."""
    out: list[dict[str, Any]] = []
    ids: dict[int, str] = {}

    def region(rid: str, control: str, kind: str, value: dict[str, Any]) -> None:
        out.append(
            {"id": rid, "from_name": control, "to_name": "text", "type": kind, "value": value, "origin": "manual"}
        )

    for k, m in enumerate(mentions):
        if rnd.random() < 0.05:  # missed
            continue
        start, end, type_ = m["start"], m["end"], m["type"]
        if rnd.random() < 0.06:
            type_ = rnd.choice(ACTOR_TYPES)
        if rnd.random() < 0.04 and end - start > 6 and text[start:end].startswith("the "):
            start += 4  # without the article
        rid = _region_id(rnd)
        ids[k] = rid
        span = _span(text, start, end)
        region(rid, "actor", "labels", {**span, "labels": [type_]})
        if m["canonical"] and rnd.random() < 0.3:
            region(rid, "actor_id_other", "textarea", {**span, "text": [m["canonical"]]})
        if m["sector"] and rnd.random() < 0.4:
            region(rid, "sector", "choices", {**span, "choices": [m["sector"]]})
        if type_ == "STATE" and rnd.random() < 0.2:
            region(rid, "country", "textarea", {**span, "text": [m["canonical"]]})
    if rnd.random() < 0.3:  # an extra mention in the filler
        start = rnd.randrange(0, max(1, len(text) - 12))
        while start < len(text) and not text[start].isalpha():
            start += 1
        end = start
        while end < len(text) and text[end].isalpha():
            end += 1
        if end > start:
            region(_region_id(rnd), "actor", "labels", {**_span(text, start, end), "labels": [rnd.choice(ACTOR_TYPES)]})
    relations: list[dict[str, Any]] = []
    for e in events:
        if rnd.random() < 0.04:
            continue
        type_, mode = e["type"], e["mode"]
        if rnd.random() < 0.06:
            type_ = rnd.choice(list(EVENTS))
            mode = rnd.choice(EVENTS[type_][1]) if EVENTS[type_][1] else None
        elif mode and rnd.random() < 0.1:
            mode = rnd.choice(EVENTS[type_][1])
        rid = _region_id(rnd)
        span = _span(text, e["start"], e["end"])
        region(rid, "event", "labels", {**span, "labels": [type_]})
        if mode:
            region(rid, f"mode_{type_}", "choices", {**span, "choices": [mode]})
        contexts = list(e["contexts"]) if rnd.random() < 0.85 else rnd.sample(CONTEXTS, k=1)
        if contexts:
            region(rid, "contexts", "choices", {**span, "choices": contexts})
        for role, k in e["roles"]:
            if k not in ids or rnd.random() < 0.05:
                continue
            if role != "location" and rnd.random() < 0.04:
                role = "recipient" if role == "actor" else "actor"
            relations.append(
                {"from_id": rid, "to_id": ids[k], "type": "relation", "direction": "right", "labels": [role]}
            )
    out.extend(relations)
    out.append(
        {
            "id": "relevance",
            "from_name": "relevance",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": ["relevant"]},
            "origin": "manual",
        }
    )
    return out


def _stamp(rnd: random.Random) -> str:
    day, hour, minute, second = rnd.randint(1, 28), rnd.randint(0, 23), rnd.randint(0, 59), rnd.randint(0, 59)
    return f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{rnd.randint(0, 999999):06d}Z"


def make_snapshot(path: Path, docs: int, seed: int) -> Path:
    """Write a seeded Label Studio snapshot (JSON export + pull's sidecars) to ``path``.

    Args:
        path: the snapshot file to write (``.../<name>.json``); its folder is made.
            The sidecars ``<name>.json.meta.json``, ``.predictions.json`` and ``.sha256``
            are written beside it, as ``eventgold pull`` does.
        docs: number of tasks (documents); each has 3 annotations of ~20 regions.
        seed: the random seed (same docs and seed: byte-identical files).

    Returns:
        ``path``.
    """
    rnd = random.Random(seed)
    fillers = _filler_sentences()
    path.parent.mkdir(parents=True, exist_ok=True)
    annotation_id = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(docs):
            text, mentions, events = _make_doc(rnd, fillers)
            task_id = 1000 + i
            annotations = []
            for user in ANNOTATORS:
                annotation_id += 1
                results = _annotation_results(rnd, text, mentions, events)
                stamp = _stamp(rnd)
                annotations.append(
                    {
                        "id": annotation_id,
                        "completed_by": user,
                        "result": results,
                        "was_cancelled": False,
                        "ground_truth": False,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "draft_created_at": None,
                        "lead_time": round(rnd.uniform(20, 600), 3),
                        "prediction": {},
                        "result_count": sum(1 for r in results if r.get("type") == "labels"),
                        "unique_id": f"{rnd.getrandbits(128):032x}",
                        "import_id": None,
                        "last_action": None,
                        "bulk_created": False,
                        "task": task_id,
                        "project": 7,
                        "updated_by": user,
                        "parent_prediction": None,
                        "parent_annotation": None,
                        "last_created_by": None,
                    }
                )
            task = {
                "id": task_id,
                "annotations": annotations,
                "drafts": [],
                "predictions": [],
                "data": {
                    "doc_id": f"bench_{i:06d}",
                    "title": f"Bench article {i}",
                    "text": text,
                    "source": rnd.choice(["seed", "shafaq", "rudaw"]),
                    "published": f"2020-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                    "url": f"https://example.org/{i}",
                    "content_sha": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    "actor_candidates": [],
                    "duplicate_of": "",
                },
                "meta": {},
                "created_at": "2026-11-20T10:00:00.000000Z",
                "updated_at": "2026-11-29T10:00:00.000000Z",
                "allow_skip": True,
                "inner_id": i + 1,
                "total_annotations": len(annotations),
                "cancelled_annotations": 0,
                "total_predictions": 0,
                "comment_count": 0,
                "unresolved_comment_count": 0,
                "last_comment_updated_at": None,
                "project": 7,
                "updated_by": 1,
                "comment_authors": [],
            }
            if i:
                fh.write(", ")
            fh.write(json.dumps(task, ensure_ascii=False))
        fh.write("]")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    path.with_name(path.name + ".sha256").write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    path.with_name(path.name + ".predictions.json").write_text("[]\n", encoding="utf-8")
    meta = {
        "project_id": 7,
        "project_title": "bench",
        "exported_at": "2026-11-30T12:00:00+00:00",
        "method": "export",
        "annotation_kind": "annotator",
        "users": {str(k): v for k, v in USERS.items()},
        "label_studio_url": "http://127.0.0.1:8080",
    }
    path.with_name(path.name + ".meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return path


def _timed(results: list[tuple[str, float]], name: str, fn: Callable[[], Any]) -> Any:
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    seconds = time.perf_counter() - start
    results.append((name, seconds))
    print(f"  {name:<44} {seconds:8.2f} s   (cpu {time.process_time() - cpu:.2f} s)", flush=True)
    return value


def _reference(results: list[tuple[str, float]], data: bytes) -> None:
    """Time the bare parse of the snapshot file: the floor any reader stands on."""
    import pydantic_core

    _timed(results, "reference: json.loads(snapshot)", lambda: json.loads(data))
    gc.collect()
    _timed(results, "reference: pydantic_core.from_json(snapshot)", lambda: pydantic_core.from_json(data))


def _in_process(snapshot: Path, work: Path) -> list[tuple[str, float]]:
    """Time the library steps of `agree` and `gold build` (and the bare parse, for reference)."""
    from eventgold.console import write_json_output
    from eventgold.gold.agreement import compute_agreement
    from eventgold.gold.dataset import BuildOptions, build_gold, write_gold_version
    from eventgold.gold.inputs import merge_snapshots
    from eventgold.labelstudio.snapshot import read_snapshot
    from eventgold.ontology import load_ontology

    results: list[tuple[str, float]] = []
    _reference(results, snapshot.read_bytes())
    gc.collect()
    onto = load_ontology()
    snap = _timed(results, "read_snapshot", lambda: read_snapshot(snapshot))
    inputs = _timed(results, "merge_snapshots", lambda: merge_snapshots([snap], onto))
    report = _timed(results, "compute_agreement", lambda: compute_agreement(inputs.raw, inputs.articles, None, onto))
    report.problems = inputs.problems
    report.repairs = inputs.repairs
    _timed(
        results,
        "agreement report JSON (write_json_output)",
        lambda: write_json_output(report, str(work / "agreement.json")),  # as `agree --json` writes it
    )
    options = BuildOptions(version="bench", allow_problems=True)
    built = _timed(results, "build_gold", lambda: build_gold([snap], onto, options))
    out = work / "gold-inproc"
    shutil.rmtree(out, ignore_errors=True)
    _timed(results, "write_gold_version", lambda: write_gold_version(built, out))
    return results


def _cli(snapshot: Path, work: Path) -> list[tuple[str, float]]:
    """Time the real commands, each in a fresh process (the venv's ``eventgold``)."""
    exe = Path(sys.executable).parent / "eventgold"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "eventgold.cli"]
    env = {k: v for k, v in os.environ.items() if k != "EVENTGOLD_CONFIG_DIR"}
    out = work / "gold-cli"
    shutil.rmtree(out, ignore_errors=True)
    runs = [
        ("CLI: eventgold agree --json", [*command, "agree", str(snapshot), "--json", str(work / "agree.json")]),
        (
            "CLI: eventgold gold build --json",
            [
                *command,
                "gold",
                "build",
                str(snapshot),
                "-o",
                str(out),
                "--allow-problems",
                "--json",
                str(work / "build.json"),
            ],
        ),
    ]
    results: list[tuple[str, float]] = []
    for name, argv in runs:
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        if proc.returncode != 0:
            print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
            raise SystemExit(f"{name} failed with exit {proc.returncode}")
        results.append((name, seconds))
        print(f"  {name:<44} {seconds:8.2f} s   (cpu {cpu:.2f} s)", flush=True)
    return results


def main() -> None:
    """Generate (or reuse) the snapshot, time every phase and the CLI, print them against 10 s."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="Folder caching the generated snapshot.")
    parser.add_argument("--no-cli", action="store_true", help="Skip the CLI runs.")
    args = parser.parse_args()
    tmp = None
    if args.keep is None:
        tmp = tempfile.TemporaryDirectory(prefix="gold-agree-")
        folder = Path(tmp.name)
    else:
        folder = args.keep
    try:
        snapshot = folder / "raw" / f"bench-d{args.docs}-s{args.seed}.json"
        if not snapshot.is_file() or not snapshot.with_name(snapshot.name + ".meta.json").is_file():
            start = time.perf_counter()
            make_snapshot(snapshot, args.docs, args.seed)
            print(f"generated {snapshot} in {time.perf_counter() - start:.1f} s")
        size = snapshot.stat().st_size
        print(f"snapshot: {args.docs} documents x {len(ANNOTATORS)} annotators, {size / 1e6:.1f} MB ({snapshot})")
        work = folder / "work"
        work.mkdir(parents=True, exist_ok=True)
        print("in process:")
        results = _in_process(snapshot, work)
        if not args.no_cli:
            gc.collect()
            print("command line:")
            results += _cli(snapshot, work)
        print(f"\nagainst the goal ({GOAL_S:.0f} s each for agree and gold build at 10,000 documents):")
        for name, seconds in results:
            mark = "" if name.startswith("reference") else ("  ok" if seconds <= GOAL_S else "  OVER")
            print(f"  {name:<44} {seconds:8.2f} s{mark}")
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    main()
