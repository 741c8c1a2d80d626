"""The floor of a columnar `eventgold score` path on this machine (part `floor` of benchmarks/score.py, issue #17).

How long the least work a correct `eventgold score` CLI must do takes, each step in a fresh
interpreter: start Python, decode both JSONL files into msgspec Structs mirroring the records and
build the span arrays, check the records' invariants in bulk, count strict and exact mention
matches. Compared with the 5x budget (nervaluate's in-process time / 5), it says whether any
Python reader and scorer could meet the goal here.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _floor_worker(step: int, gold_path: str, pred_path: str, labels: str, slices: bool = True) -> None:
    """Run in a fresh interpreter by :func:`floor_part` (its source is sent through ``-c``; imports are its own).

    Step 2 decodes both files into msgspec Structs mirroring eventgold's records (unknown fields
    refused, offsets >= 0, ids non-empty: in C while decoding) and builds the span arrays; step 3
    adds the bulk invariant checks; step 4 the strict and exact mention counts; step 5 is step 4
    ending by ``os._exit`` (no interpreter teardown). Prints a JSON object: seconds per phase (and
    counts from step 4). ``labels`` is JSON: mention types, event types, roles and the allowed
    [event type, role, mention type] triples. ``slices``: check span texts by slicing the article
    per span (else against one code-point array of all texts, in numpy). Only the fast path is
    covered (every span has offsets, every event a trigger); a broken invariant exits with a
    message, not a RecordError.
    """
    import time

    t_begin = time.perf_counter()
    import datetime as dt
    import gc
    import hashlib
    import json
    import os
    from itertools import repeat
    from operator import attrgetter, is_not
    from typing import Annotated, Literal

    import msgspec
    import numpy as np

    gc.disable()  # as the CLI's readers: millions of new objects, no cycles
    field = msgspec.field
    nonneg = Annotated[int, msgspec.Meta(ge=0)]
    ident = Annotated[str, msgspec.Meta(min_length=1)]

    class Span(msgspec.Struct, forbid_unknown_fields=True):
        start: nonneg
        end: nonneg
        text: str

    class Mention(msgspec.Struct, forbid_unknown_fields=True):
        id: ident
        type: str
        start: nonneg | None = None
        end: nonneg | None = None
        text: str | None = None
        canonical_id: str | None = None
        country: str | None = None
        sector: str | None = None
        score: float | None = None

    class Argument(msgspec.Struct, forbid_unknown_fields=True):
        role: ident
        mention: ident

    class Event(msgspec.Struct, forbid_unknown_fields=True):
        id: ident
        type: str
        trigger: Span | None = None
        mode: str | None = None
        arguments: list[Argument] = field(default_factory=list)
        date: dt.date | None = None
        contexts: list[str] = field(default_factory=list)
        flags: list[str] = field(default_factory=list)
        score: float | None = None

    class Article(msgspec.Struct, forbid_unknown_fields=True):
        id: ident
        text: str
        title: str | None = None
        source: str | None = None
        url: str | None = None
        published: dt.date | None = None
        language: str | None = None
        content_sha: str = ""
        duplicate_of: str | None = None
        meta: dict[str, object] = field(default_factory=dict)

    class Provenance(msgspec.Struct, forbid_unknown_fields=True):
        annotators: list[str] = field(default_factory=list)
        decision: str = ""

    class GoldDocument(msgspec.Struct, forbid_unknown_fields=True):
        article: Article
        mentions: list[Mention] = field(default_factory=list)
        events: list[Event] = field(default_factory=list)
        split: Literal["train", "dev", "test"] | None = None
        provenance: dict[str, Provenance] = field(default_factory=dict)

    class Origin(msgspec.Struct, forbid_unknown_fields=True):
        kind: Literal["annotator", "extractor", "adjudicator"]
        name: str
        version: str | None = None

    class DocumentAnnotation(msgspec.Struct, forbid_unknown_fields=True):
        doc_id: ident
        origin: Origin
        mentions: list[Mention] = field(default_factory=list)
        events: list[Event] = field(default_factory=list)
        relevance: str | None = None
        notes: str | None = None
        ground_truth: bool = False
        cancelled: bool = False
        lead_time: float | None = None
        created: dt.datetime | None = None
        labelstudio: dict[str, int | None] | None = None

    times: dict[str, Any] = {"import": time.perf_counter() - t_begin}
    t0 = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        times[name] = now - t0
        t0 = now

    with open(gold_path, "rb") as f:
        gold = msgspec.json.Decoder(GoldDocument).decode_lines(f.read())
    with open(pred_path, "rb") as f:
        pred = msgspec.json.Decoder(DocumentAnnotation).decode_lines(f.read())
    lap("decode")
    known = json.loads(labels)
    code = [{name: i for i, name in enumerate(names)} for names in known[:3]]
    texts = [g.article.text for g in gold]
    doc_of = {doc_id: i for i, doc_id in enumerate(g.article.id for g in gold)}
    pred_doc = [doc_of.get(p.doc_id, -1) for p in pred]
    side: dict[str, dict[str, Any]] = {}
    for name, docs, doc_idx in (("gold", gold, range(len(gold))), ("pred", pred, pred_doc)):
        ms = [m for d in docs for m in d.mentions]
        evs = [e for d in docs for e in d.events]
        trig = [e.trigger for e in evs if e.trigger is not None]
        if len(trig) != len(evs):
            raise SystemExit("the floor's fast path takes events with triggers only")
        s: dict[str, Any] = {"docs": docs, "doc_idx": doc_idx, "mentions": ms, "events": evs, "triggers": trig}
        s["m_doc"] = np.repeat(np.fromiter(doc_idx, np.int64, len(docs)), [len(d.mentions) for d in docs])
        s["e_doc"] = np.repeat(np.fromiter(doc_idx, np.int64, len(docs)), [len(d.events) for d in docs])
        for key, units in (("m", ms), ("t", trig)):  # fast path: every span has offsets
            s[key + "_s"] = np.fromiter(map(attrgetter("start"), units), np.int64, len(units))
            s[key + "_e"] = np.fromiter(map(attrgetter("end"), units), np.int64, len(units))
        s["m_type"] = np.fromiter(map(code[0].get, map(attrgetter("type"), ms), repeat(-1)), np.int64, len(ms))
        s["e_type"] = np.fromiter(map(code[1].get, map(attrgetter("type"), evs), repeat(-1)), np.int64, len(evs))
        rows: list[tuple[int, int, int]] = []  # argument rows (event, role, mention)
        n_ev = n_m = 0
        for d in docs:
            if d.events:
                ids = dict(zip(map(attrgetter("id"), d.mentions), range(n_m, n_m + len(d.mentions)), strict=True))
                for e in d.events:
                    rows += [(n_ev, code[2].get(a.role, -1), ids.get(a.mention, -1)) for a in e.arguments]
                    n_ev += 1
            n_m += len(d.mentions)
        s["args"] = np.array(rows, np.int64).reshape(-1, 3)
        side[name] = s
    lap("arrays")
    if step >= 3:
        if len(doc_of) != len(gold) or len(set(map(attrgetter("doc_id"), pred))) != len(pred):
            raise SystemExit("a document id is repeated in a file")
        if -1 in pred_doc:
            raise SystemExit("a prediction names a document the gold lacks")
        for a in (g.article for g in gold):
            if a.content_sha and hashlib.sha256(a.text.encode()).hexdigest() != a.content_sha:
                raise SystemExit(f"{a.id}: content_sha is not the sha256 of text")
        lap("doc ids, content_sha")
        n_text = np.fromiter(map(len, texts), np.int64, len(texts))
        allowed = np.zeros([len(c) for c in (code[1], code[2], code[0])], bool)
        for e_type, role, m_type in known[3]:
            allowed[code[1][e_type], code[2][role], code[0][m_type]] = True
        for s in side.values():
            if (s["m_type"] < 0).any() or (s["e_type"] < 0).any() or (s["args"] < 0).any():
                raise SystemExit("an unknown label, or an argument naming a mention its document lacks")
            ev, role, men = s["args"].T
            if not allowed[s["e_type"][ev], role, s["m_type"][men]].all():
                raise SystemExit("a role its event type does not allow, or a mention type the role does not take")
            for d in s["docs"]:
                unit_ids = set(map(attrgetter("id"), d.mentions))
                unit_ids.update(map(attrgetter("id"), d.events))
                if len(unit_ids) != len(d.mentions) + len(d.events):
                    raise SystemExit("an id is repeated in a document")
        lap("labels, ids, references")
        # the texts as one array of code points (Python's offsets): each span's text is checked against it in bulk
        flat = np.frombuffer("".join(texts).encode("utf-32-le"), np.uint32)
        doc_off = np.cumsum(n_text) - n_text
        blank = np.array([c for c in range(0x3001) if chr(c).isspace()], np.uint32)  # all of str.isspace
        for name, s in side.items():
            for key, doc in (("m", s["m_doc"]), ("t", s["e_doc"])):
                start, end = s[key + "_s"], s[key + "_e"]
                if ((start > end) | (end > n_text[doc])).any():
                    raise SystemExit("offsets past the end of the text, or end before start")
                stated = list(map(attrgetter("text"), s["mentions" if key == "m" else "triggers"]))
                if slices:  # per span, in Python
                    doc_texts = list(map(texts.__getitem__, s["doc_idx"]))
                    pairs = zip(doc_texts, s["docs"], strict=True)
                    if key == "m":
                        pieces = [t[m.start : m.end] for t, d in pairs for m in d.mentions]
                    else:
                        pieces = [t[e.trigger.start : e.trigger.end] for t, d in pairs for e in d.events]
                    if pieces != stated:
                        raise SystemExit("a span's text is not the slice of the article its offsets name")
                    stripped = list(map(str.strip, pieces))  # the same object when nothing is stripped
                    padded = np.flatnonzero(np.fromiter(map(is_not, pieces, stripped), bool, len(pieces)))
                else:
                    lens = np.fromiter(map(len, stated), np.int64, len(stated))
                    base = doc_off[doc] + start
                    chars = np.frombuffer("".join(stated).encode("utf-32-le"), np.uint32)
                    at = np.arange(len(chars)) + np.repeat(base - (np.cumsum(lens) - lens), lens)
                    if not np.array_equal(lens, end - start) or not np.array_equal(flat[at], chars):
                        raise SystemExit("a span's text is not the slice of the article its offsets name")
                    edge = np.flatnonzero(lens > 0)
                    first, last = flat[base[edge]], flat[base[edge] + lens[edge] - 1]
                    padded = edge[np.isin(first, blank) | np.isin(last, blank)]
                if name == "gold":
                    continue
                # predicted spans padded with whitespace are trimmed, as the CLI's reader does
                for i in padded.tolist():
                    piece = stated[i]
                    if not piece.strip():
                        raise SystemExit("a span of whitespace only")
                    start[i] += len(piece) - len(piece.lstrip())
                    end[i] = start[i] + len(piece.strip())
        lap("span texts")
    if step >= 4:
        g, p = side["gold"], side["pred"]
        n_types = len(code[0])
        width = int(max(g["m_e"].max(initial=0), p["m_e"].max(initial=0))) + 1
        if (len(texts) * width * width * n_types).bit_length() > 63:
            raise SystemExit("keys do not fit in int64")
        counts: dict[str, Any] = {"gold": len(g["mentions"]), "pred": len(p["mentions"])}
        for scheme, types in (("strict", True), ("exact", False)):
            keys = []
            for s in (g, p):
                k = (s["m_doc"] * width + s["m_s"]) * width + s["m_e"]
                keys.append(np.unique(k * n_types + s["m_type"] if types else k, return_counts=True))
            common, ig, ip = np.intersect1d(keys[0][0], keys[1][0], assume_unique=True, return_indices=True)
            matched = np.minimum(keys[0][1][ig], keys[1][1][ip])
            counts[scheme] = int(matched.sum())
            if types:
                per_type = np.bincount(common % n_types, weights=matched, minlength=n_types)
                counts["strict_per_type"] = dict(zip(known[0], map(int, per_type), strict=True))
        times["counts"] = counts
        lap("strict + exact counts")
    print(json.dumps(times), flush=True)
    if step >= 5:
        os._exit(0)  # a CLI may skip the interpreter's teardown (freeing every object) once its output is written


def floor_part(gpath: Path, ppath: Path, ref: dict[str, Any], t_ref: float) -> None:
    """Part 4: the floor of a columnar `eventgold score` path on this machine, against the 5x budget.

    Each step runs in a fresh interpreter (start-up counts), best of 3: ``python -c pass``; importing
    numpy and msgspec; then :func:`_floor_worker` steps 2 (decode into msgspec Structs + span
    arrays), 3 (+ bulk invariant checks; span texts by slicing, and instead on a code-point array),
    4 (+ strict and exact mention counts, which must
    equal ``ref``'s) and 4 again ending by ``os._exit`` (no teardown). The budget is ``t_ref``
    (nervaluate's :func:`nervaluate_reference` seconds) / 5.
    """
    import inspect

    from eventgold.ontology import load_ontology

    onto = load_ontology()
    m_types, e_types, roles = (sorted(x) for x in (onto.actor_type_names, onto.event_type_names, onto.role_names))
    triples = [[e, r, m] for e in e_types for r in roles for m in m_types if onto.argument_problem(e, r, m) is None]
    labels = json.dumps([m_types, e_types, roles, triples])
    source = inspect.getsource(_floor_worker)
    # (label, code or (worker step, per-span slicing), index of the row its "seconds" are counted from)
    steps: list[tuple[str, str | tuple[int, bool], int]] = [
        ("1a  python -c pass", "pass", -1),
        ("1b  + import numpy, msgspec", "import numpy, msgspec", 0),
        ("2   + decode (typed Structs) + span arrays", (2, False), 1),
        ("3   2 + checks (span texts sliced per span)", (3, True), 2),
        ("3b  3, span texts on a code-point array", (3, False), 2),
        ("4   3 + strict/exact mention counts", (4, True), 3),
        ("4x  4, exiting by os._exit (no teardown)", (5, True), 5),
    ]
    rows: list[tuple[str, float, dict[str, Any]]] = []
    for label, what, _ in steps:
        if isinstance(what, str):
            code = what
        else:
            call = f"_floor_worker({what[0]}, {str(gpath)!r}, {str(ppath)!r}, {labels!r}, slices={what[1]})"
            code = f"{source}\n{call}"
        best, phases = float("inf"), dict[str, Any]()
        for _ in range(3):
            gc.collect()
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - t0
            if done.returncode != 0:
                raise SystemExit(f"floor step {label!r} failed ({done.returncode}):\n{done.stderr}{done.stdout}")
            if elapsed < best:
                best, phases = elapsed, json.loads(done.stdout) if done.stdout.strip() else {}
        rows.append((label, best, phases))
    overall = ref["overall"]
    expected = {"gold": overall["strict"].possible, "pred": overall["strict"].actual}
    expected |= {"strict": overall["strict"].correct, "exact": overall["exact"].correct}
    expected["strict_per_type"] = {t: ref["entities"][t]["strict"].correct for t in m_types}
    for label, _, phases in rows[5:]:
        assert phases.pop("counts") == expected, (label, expected)
    budget = t_ref / 5
    print(
        f"floor of a columnar CLI path (fresh interpreter per step, best of 3); budget = nervaluate {t_ref:.2f} s / 5"
    )
    print(f"  {'step':<46} {'seconds':>8} {'cumulative':>11}   in-process phases (s)")
    for (label, total, phases), (_, _, base) in zip(rows, steps, strict=True):
        detail = ", ".join(f"{k} {v:.3f}" for k, v in phases.items())
        print(f"  {label:<46} {total - (rows[base][1] if base >= 0 else 0):>8.3f} {total:>11.3f}   {detail}")
    print(f"  {'budget (nervaluate / 5)':<46} {'':>8} {budget:>11.3f}")
    for label, total, _ in rows[3:]:
        room = budget - total
        verdict = f"leaves {room:.2f} s" if room > 0 else f"is {-room:.2f} s OVER"
        print(f"  floor to step {label.split()[0]} ({total:.2f} s) {verdict} of the {budget:.2f} s budget")
    print(
        "  steps 4 and 4x: counts equal nervaluate's (strict and exact correct, overall and per type; possible, "
        f"actual): {expected}"
    )
