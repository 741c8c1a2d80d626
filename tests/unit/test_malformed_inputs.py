"""Malformed inputs through the real CLI: every verb that reads files, every way a file can be bad.

Each row damages a copy of the samples (``samples/``) and runs ``eventgold.cli.main``.
Whatever the damage, the verb must exit 2 with exactly one ``error:`` line on stderr
naming the file (and the line, document and field where the input has them), show no
traceback, and leave an earlier output at its output paths byte-identical. Rows marked
``warns`` may print ``warning:`` lines (and their indented details) before the error.

``push`` and ``review push`` must refuse the bad file before contacting a server:
``LABEL_STUDIO_URL`` points at a closed port, so a connection attempt would fail differently.

Not malformed, so not here: an empty ``conflicts.jsonl`` (a gold build without conflicts:
``review push`` has nothing to review, exit 0); a gold line in a predictions file (read as the
gold's annotation, by design); labels in ``gold diff`` and ``gold build --previous`` (they compare
versions or take their splits, whatever ontology built them); labels and offsets of a snapshot's
regions for ``agree`` and ``actors pending`` (listed problems, DESIGN.md; ``gold build`` refuses them).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eventgold.cli import main
from eventgold.resources import packaged_label_config, packaged_samples

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = packaged_samples()
RAW = ROOT / "samples" / "raw"
SNAPSHOT_NAME = "eventgold-sample-20261123T092540Z.json"
EARLIER = b"an earlier output that must survive\n"

# The working folder every row starts from (see the ``template`` fixture).
CORPUS = "corpus.jsonl"
GOLD = "gold/v1"
GOLD_FILE = "gold/v1/gold.jsonl"
GOLD_V2 = "gold/v2"
SNAP = "raw/snap.json"
PRED = "pred/rules.jsonl"
PRED2 = "pred/gazetteer.jsonl"
CONFLICTS = "conflicts.jsonl"
SCORE = "score.json"
AGREEMENT = "agreement.json"
ONTOLOGY = "ontology.yaml"
ARTICLES = "articles"
RAW_JSONL = "raw-articles.jsonl"

Setup = Callable[[Path], None]


# ---------------------------------------------------------------------------
# damage
# ---------------------------------------------------------------------------


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def empty(rel: str) -> Setup:
    def setup(w: Path) -> None:
        (w / rel).write_bytes(b"")

    return setup


def truncated(rel: str, line: int | None = None) -> Setup:
    """Cut a JSONL line (1-based) mid-object, or a whole JSON file half-way."""

    def setup(w: Path) -> None:
        path = w / rel
        if line is None:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
            return
        lines = _lines(path)
        lines[line - 1] = lines[line - 1][: len(lines[line - 1]) // 2]
        _write_lines(path, lines)

    return setup


def binary(rel: str) -> Setup:
    """Random bytes (not UTF-8, not UTF-16: no BOM) in place of the file."""

    def setup(w: Path) -> None:
        path = w / rel
        if path.is_dir():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x80\x9f\x00\xc3" + random.Random(7).randbytes(2048))

    return setup


def dangling(rel: str) -> Setup:
    """A symlink to nothing in place of the file (root can read any file: this one cannot be)."""

    def setup(w: Path) -> None:
        path = w / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(w / "no-such-target", path)

    return setup


def folder(rel: str) -> Setup:
    """A folder in place of the file."""

    def setup(w: Path) -> None:
        path = w / rel
        if path.exists():
            path.unlink()
        path.mkdir(parents=True)
        (path / "notes.md").write_text("not what the verb wants\n", encoding="utf-8")

    return setup


def edit_line(rel: str, line: int, change: Callable[[dict[str, Any]], Any]) -> Setup:
    """Change the JSON object on a JSONL line (1-based) in place."""

    def setup(w: Path) -> None:
        path = w / rel
        lines = _lines(path)
        record = json.loads(lines[line - 1])
        change(record)
        lines[line - 1] = json.dumps(record, ensure_ascii=False)
        _write_lines(path, lines)

    return setup


def replace_line(rel: str, line: int, source: str, source_line: int = 1) -> Setup:
    """Put line ``source_line`` of another file of the workspace on a JSONL line: a record of the wrong kind."""

    def setup(w: Path) -> None:
        path = w / rel
        lines = _lines(path)
        lines[line - 1] = _lines(w / source)[source_line - 1]
        _write_lines(path, lines)

    return setup


def repeat_line(rel: str, line: int, change: Callable[[dict[str, Any]], Any]) -> Setup:
    """Append a changed copy of a JSONL line: a different record with the same id."""

    def setup(w: Path) -> None:
        path = w / rel
        lines = _lines(path)
        record = json.loads(lines[line - 1])
        change(record)
        lines.append(json.dumps(record, ensure_ascii=False))
        _write_lines(path, lines)

    return setup


def edit_json(rel: str, change: Callable[[Any], Any]) -> Setup:
    def setup(w: Path) -> None:
        path = w / rel
        data = json.loads(path.read_text(encoding="utf-8"))
        out = change(data)
        path.write_text(json.dumps(data if out is None else out, ensure_ascii=False), encoding="utf-8")

    return setup


def copy(source: str, rel: str) -> Setup:
    def setup(w: Path) -> None:
        target = w / rel
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        if (w / source).is_dir():
            shutil.copytree(w / source, target)
        else:
            shutil.copyfile(w / source, target)

    return setup


def remove(rel: str) -> Setup:
    def setup(w: Path) -> None:
        path = w / rel
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return setup


def write(rel: str, text: str) -> Setup:
    def setup(w: Path) -> None:
        (w / rel).parent.mkdir(parents=True, exist_ok=True)
        (w / rel).write_text(text, encoding="utf-8")

    return setup


def both(*setups: Setup) -> Setup:
    def setup(w: Path) -> None:
        for one in setups:
            one(w)

    return setup


# record edits ---------------------------------------------------------------


def unknown_mention_type(record: dict[str, Any]) -> None:
    record["mentions"][0]["type"] = "WIZARD"


def unknown_event_type(record: dict[str, Any]) -> None:
    record["events"][0]["type"] = "CONJURE"


def mention_out_of_range(record: dict[str, Any]) -> None:
    mention = record["mentions"][0]
    mention["start"], mention["end"] = 100_000, 100_000 + len(mention["text"])


def other_article_text(record: dict[str, Any]) -> None:
    """The same id with another text (a gold line: its article)."""
    article = record.get("article", record)
    article["text"] = article["text"] + " An added sentence."
    if "content_sha" in article:
        article["content_sha"] = hashlib.sha256(article["text"].encode("utf-8")).hexdigest()


def other_annotation(record: dict[str, Any]) -> None:
    """The same document and origin, other mentions (a different record with the same id)."""
    record["mentions"] = record["mentions"][:1]
    record["events"] = []


def other_conflict(record: dict[str, Any]) -> None:
    record["issues"] = record["issues"][:1]


def snap_label(label: str) -> Callable[[Any], None]:
    def change(tasks: Any) -> None:
        for result in tasks[0]["annotations"][0]["result"]:
            if result.get("from_name") == "actor":
                result["value"]["labels"] = [label]
                return

    return change


def snap_out_of_range(tasks: Any) -> None:
    for result in tasks[0]["annotations"][0]["result"]:
        if result.get("from_name") == "actor":
            result["value"]["start"] = 100_000
            result["value"]["end"] = 100_000 + len(result["value"]["text"])
            return


def snap_doc_twice(tasks: Any) -> None:
    """Another task carrying the first task's doc_id with another text."""
    twin = json.loads(json.dumps(tasks[0]))
    twin["id"] = 99
    twin["data"]["text"] += " An added sentence."
    tasks.append(twin)


def snap_task_twice(tasks: Any) -> None:
    """The first task listed again under its id with other data."""
    twin = json.loads(json.dumps(tasks[0]))
    twin["data"]["title"] = "another title"
    tasks.append(twin)


# ---------------------------------------------------------------------------
# the working folder
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Good inputs of every verb (and an earlier export), made once from ``samples/``."""
    w = tmp_path_factory.mktemp("template")
    shutil.copytree(SAMPLES / "gold" / "v1", w / GOLD)
    (w / "raw").mkdir()
    for suffix in ("", ".meta.json", ".sha256"):
        shutil.copyfile(RAW / (SNAPSHOT_NAME + suffix), w / (SNAP + suffix))
    shutil.copyfile(RAW / "conflicts-round1.jsonl", w / CONFLICTS)
    shutil.copytree(SAMPLES / "articles", w / ARTICLES)
    shutil.copyfile(packaged_label_config() / "ontology.yaml", w / ONTOLOGY)
    articles = [json.loads(line)["article"] for line in _lines(w / GOLD_FILE)]
    _write_lines(w / CORPUS, [json.dumps(a, ensure_ascii=False) for a in articles])
    _write_lines(
        w / RAW_JSONL,
        [json.dumps({"id": a["id"], "title": a["title"], "text": a["text"]}, ensure_ascii=False) for a in articles],
    )
    cwd = Path.cwd()
    os.chdir(w)
    try:
        assert main(["extract", CORPUS, "--extractor", "rules", "-o", PRED]) == 0
        assert main(["extract", CORPUS, "--extractor", "gazetteer", "-o", PRED2]) == 0
        assert main(["score", "--gold", GOLD, "--pred", PRED, "--json", SCORE]) == 0
        assert main(["agree", SNAP, "--json", AGREEMENT]) == 0
        for fmt in ("conll", "hf", "plover"):
            assert main(["export", GOLD, "--format", fmt, "-o", f"exports/{fmt}"]) == 0
    finally:
        os.chdir(cwd)
    return w


@dataclass(frozen=True)
class Case:
    """One malformed input: the command, how the input is damaged, what the error must name."""

    id: str
    argv: tuple[str, ...]
    setup: Setup
    names: tuple[str, ...]
    """Substrings of the error line: the file, and ``file:line``, document, field where they exist."""
    outputs: tuple[str, ...] = ()
    """Earlier outputs (files seeded with known bytes, or folders already there) that must not change."""
    absent: tuple[str, ...] = ()
    """Outputs that must not appear."""
    warns: bool = False
    """``warning:`` lines (with indented details) may precede the error."""


def _snapshot_tree(path: Path) -> Any:
    if path.is_dir():
        return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return path.read_bytes()


def _cases() -> Iterator[Case]:
    yield from _ingest()
    yield from _extract()
    yield from _actors_pending()
    yield from _suggest()
    yield from _agree()
    yield from _gold_build()
    yield from _gold_diff()
    yield from _score()
    yield from _report()
    yield from _export()
    yield from _config_validate()
    yield from _push()
    yield from _review_push()


# --- ingest -------------------------------------------------------------------


def _ingest() -> Iterator[Case]:
    out = ("out/corpus.jsonl", "ingest.json")

    def case(name: str, target: str, setup: Setup, *names: str) -> Case:
        return Case(f"ingest-{name}", ("ingest", target, "-o", out[0], "--json", out[1]), setup, names, out)

    txt = f"{ARTICLES}/000_87d7f54058e42e0b.txt"
    yield case("empty-txt", ARTICLES, empty(txt), "000_87d7f54058e42e0b.txt")
    yield case("binary-txt", ARTICLES, binary(f"{ARTICLES}/005.txt"), "005.txt")
    yield case("dangling-txt-in-folder", ARTICLES, dangling(f"{ARTICLES}/005.txt"), "005.txt")
    yield case("dangling-txt", "link.txt", dangling("link.txt"), "link.txt")
    yield case("empty-jsonl", RAW_JSONL, empty(RAW_JSONL), RAW_JSONL)
    yield case("truncated-jsonl", RAW_JSONL, truncated(RAW_JSONL, 3), f"{RAW_JSONL}:3")
    yield case("wrong-kind-gold-line", RAW_JSONL, replace_line(RAW_JSONL, 2, GOLD_FILE), f"{RAW_JSONL}:2")
    yield case("id-twice", RAW_JSONL, repeat_line(RAW_JSONL, 1, other_article_text), RAW_JSONL)
    yield case("binary-jsonl", RAW_JSONL, binary(RAW_JSONL), RAW_JSONL)
    yield case("binary-csv", "export.csv", binary("export.csv"), "export.csv")
    yield case("folder-without-articles", "nothing", folder("nothing"), "nothing")


# --- extract ------------------------------------------------------------------


def _corpus_rows(prefix: str, argv: Callable[[str], tuple[str, ...]], out: tuple[str, ...]) -> Iterator[Case]:
    """The corpus damages shared by extract, suggest and push."""

    def case(name: str, setup: Setup, *names: str, **kw: Any) -> Case:
        return Case(f"{prefix}-{name}", argv(CORPUS), setup, names, out, **kw)

    yield case("empty", empty(CORPUS), CORPUS)
    yield case("truncated", truncated(CORPUS, 3), f"{CORPUS}:3")
    yield case("wrong-kind-gold-line", replace_line(CORPUS, 2, GOLD_FILE), f"{CORPUS}:2")
    yield case("wrong-kind-annotation", replace_line(CORPUS, 2, PRED), f"{CORPUS}:2")
    yield case("id-twice", repeat_line(CORPUS, 1, other_article_text), CORPUS, "lines 1 and 6")
    yield case("folder", folder(CORPUS), CORPUS)
    yield case("dangling", dangling(CORPUS), CORPUS)
    yield case("binary", binary(CORPUS), CORPUS)


def _extract() -> Iterator[Case]:
    out = ("out.jsonl", "extract.json")
    yield from _corpus_rows(
        "extract", lambda c: ("extract", c, "--extractor", "rules", "-o", out[0], "--json", out[1]), out
    )


# --- actors pending -----------------------------------------------------------


def _gold_rows(
    prefix: str, argv: tuple[str, ...], out: tuple[str, ...], gold: str = GOLD, *, labels: bool = True, **kw: Any
) -> Iterator[Case]:
    """Damages of a gold version folder's gold.jsonl, shared by the verbs that read gold.

    ``labels``: whether the verb checks labels against an ontology (``gold diff`` compares versions
    whatever ontology built them; ``gold build --previous`` takes only the splits of the older version).
    """
    file = f"{gold}/gold.jsonl"

    def case(name: str, setup: Setup, *names: str) -> Case:
        return Case(f"{prefix}-{name}", argv, setup, names, out, **kw)

    yield case("gold-empty", empty(file), file)
    yield case("gold-truncated", truncated(file, 2), f"{file}:2")
    yield case("gold-wrong-kind-article", replace_line(file, 2, CORPUS, 2), f"{file}:2")
    yield case("gold-wrong-kind-annotation", replace_line(file, 2, PRED), f"{file}:2")
    if labels:
        yield case("gold-unknown-actor-type", edit_line(file, 1, unknown_mention_type), f"{file}:1", "WIZARD")
        yield case("gold-unknown-event-type", edit_line(file, 1, unknown_event_type), f"{file}:1", "CONJURE")
    yield case("gold-offsets-out-of-range", edit_line(file, 1, mention_out_of_range), f"{file}:1", "start")
    yield case("gold-id-twice", repeat_line(file, 1, other_annotation), file, "lines 1 and 6")
    yield case("gold-binary", binary(file), file)
    yield case("gold-dangling", dangling(file), file)


def _snapshot_rows(prefix: str, argv: tuple[str, ...], out: tuple[str, ...], **kw: Any) -> Iterator[Case]:
    """Damages of a raw snapshot (and its sidecar), shared by the verbs that read snapshots.

    Labels and offsets a snapshot's regions break are listed problems, not errors (DESIGN.md):
    ``gold build`` refuses them (rows of its own), ``agree`` and ``actors pending`` list them.
    """

    def case(name: str, setup: Setup, *names: str) -> Case:
        return Case(f"{prefix}-{name}", argv, setup, names, out, **kw)

    yield case("snapshot-empty", empty(SNAP), SNAP)
    yield case("snapshot-truncated", truncated(SNAP), SNAP)
    yield case("snapshot-wrong-kind-jsonl", copy(PRED, SNAP), SNAP)
    yield case("snapshot-wrong-kind-score", copy(SCORE, SNAP), SNAP)
    yield case("snapshot-id-twice", edit_json(SNAP, snap_doc_twice), SNAP, "000_87d7f54058e42e0b")
    yield case("snapshot-task-twice", edit_json(SNAP, snap_task_twice), SNAP, "task 1")
    yield case("snapshot-folder", folder(SNAP), SNAP)
    yield case("snapshot-dangling", dangling(SNAP), SNAP)
    yield case("snapshot-binary", binary(SNAP), SNAP)
    yield case("sidecar-truncated", truncated(SNAP + ".meta.json"), SNAP + ".meta.json")


def _actors_pending() -> Iterator[Case]:
    out = ("pending.json",)
    yield from _gold_rows("pending", ("actors", "pending", GOLD, "--json", out[0]), out)
    argv = ("actors", "pending", SNAP, "--json", out[0])
    yield from _snapshot_rows("pending", argv, out)
    yield Case(
        "pending-lone-sidecar",
        ("actors", "pending", SNAP + ".meta.json", "--json", out[0]),
        remove(SNAP),
        (SNAP + ".meta.json", "sidecar"),
        out,
    )
    yield Case(
        "pending-folder-without-gold",
        ("actors", "pending", "nothing", "--json", out[0]),
        folder("nothing"),
        ("nothing",),
        out,
    )
    yield Case(
        "pending-dangling",
        ("actors", "pending", "link.jsonl", "--json", out[0]),
        dangling("link.jsonl"),
        ("link.jsonl",),
        out,
    )
    yield Case(
        "pending-annotations-wrong-kind-article",
        ("actors", "pending", PRED, "--json", out[0]),
        replace_line(PRED, 1, CORPUS),
        (f"{PRED}:1",),
        out,
    )


# --- suggest ------------------------------------------------------------------


def _suggest() -> Iterator[Case]:
    out = ("ids.txt", "suggest.json")

    def argv(corpus: str, pred: str = f"{PRED},{PRED2}") -> tuple[str, ...]:
        return ("suggest", corpus, "--pred", pred, "-o", out[0], "--json", out[1])

    yield from _corpus_rows("suggest", argv, out)

    def case(name: str, setup: Setup, *names: str, warns: bool = False) -> Case:
        return Case(f"suggest-{name}", argv(CORPUS), setup, names, out, warns=warns)

    yield case("pred-empty", empty(PRED), PRED)
    yield case("pred-truncated", truncated(PRED, 2), f"{PRED}:2")
    yield case("pred-wrong-kind-article", replace_line(PRED, 2, CORPUS, 2), f"{PRED}:2")
    yield case("pred-unknown-actor-type", edit_line(PRED, 1, unknown_mention_type), f"{PRED}:1", "WIZARD")
    yield case("pred-unknown-event-type", edit_line(PRED, 1, unknown_event_type), f"{PRED}:1", "CONJURE")
    yield case("pred-offsets-out-of-range", edit_line(PRED, 1, mention_out_of_range), f"{PRED}:1", "start")
    yield case("pred-id-twice", repeat_line(PRED, 1, other_annotation), PRED, "lines 1 and 6")
    yield case("pred-folder", folder(PRED), PRED)
    yield case("pred-dangling", dangling(PRED), PRED)
    yield case("pred-binary", binary(PRED), PRED)


# --- agree, gold build --------------------------------------------------------


def _agree() -> Iterator[Case]:
    out = ("agree.json", "agree.html")
    argv = ("agree", SNAP, "--json", out[0], "--html", out[1])
    yield from _snapshot_rows("agree", argv, out)
    yield Case(
        "agree-lone-sidecar",
        ("agree", SNAP + ".meta.json", "--json", out[0]),
        remove(SNAP),
        (SNAP + ".meta.json", "sidecar"),
        out,
    )
    yield from _gold_rows("agree-with", (*argv, "--gold", GOLD), out)


def _gold_build() -> Iterator[Case]:
    out = ("build.json",)
    argv = ("gold", "build", SNAP, "-o", GOLD_V2, "--json", out[0])
    yield from _snapshot_rows("build", argv, out, absent=(GOLD_V2,))
    yield Case(
        "build-unknown-label",
        argv,
        edit_json(SNAP, snap_label("WIZARD")),
        ("snap.json", "WIZARD"),
        out,
        (GOLD_V2,),
        warns=True,
    )
    yield Case(
        "build-offsets-out-of-range",
        argv,
        edit_json(SNAP, snap_out_of_range),
        ("snap.json", "100000"),
        out,
        (GOLD_V2,),
        warns=True,
    )
    yield Case(
        "build-lone-sidecar",
        ("gold", "build", SNAP + ".meta.json", "-o", GOLD_V2, "--json", out[0]),
        remove(SNAP),
        (SNAP + ".meta.json", "sidecar"),
        out,
        (GOLD_V2,),
    )
    yield from _gold_rows("build-previous", (*argv, "--previous", GOLD), out, labels=False, absent=(GOLD_V2,))


# --- gold diff ----------------------------------------------------------------


def _gold_diff() -> Iterator[Case]:
    out = ("diff.json",)
    argv = ("gold", "diff", GOLD, GOLD_V2, "--json", out[0])
    for row in _gold_rows("diff", argv, out, gold=GOLD_V2, labels=False):
        yield Case(row.id, row.argv, both(copy(GOLD, GOLD_V2), row.setup), row.names, row.outputs)
    yield Case("diff-file-not-folder", argv, copy(GOLD_FILE, GOLD_V2), (GOLD_V2,), out)
    yield Case("diff-dangling-folder", argv, dangling(GOLD_V2), (GOLD_V2,), out)
    yield Case(
        "diff-no-manifest",
        argv,
        both(copy(GOLD, GOLD_V2), remove(f"{GOLD_V2}/manifest.json")),
        (f"{GOLD_V2}/manifest.json",),
        out,
    )
    yield Case(
        "diff-manifest-truncated",
        argv,
        both(copy(GOLD, GOLD_V2), truncated(f"{GOLD_V2}/manifest.json")),
        (f"{GOLD_V2}/manifest.json",),
        out,
    )


# --- score ----------------------------------------------------------------------


def _score() -> Iterator[Case]:
    out = ("score-out.json", "score.html")
    argv = ("score", "--gold", GOLD, "--pred", PRED, "--json", out[0], "--html", out[1])
    yield from _gold_rows("score", argv, out)
    yield Case(
        "score-gold-folder-without-gold",
        ("score", "--gold", "nothing", "--pred", PRED, "--json", out[0]),
        folder("nothing"),
        ("nothing",),
        out,
    )
    yield Case(
        "score-gold-dangling-folder",
        ("score", "--gold", "link", "--pred", PRED, "--json", out[0]),
        dangling("link"),
        ("link",),
        out,
    )

    def case(name: str, setup: Setup, *names: str) -> Case:
        return Case(f"score-{name}", argv, setup, names, out)

    yield case("pred-empty", empty(PRED), PRED)
    yield case("pred-truncated", truncated(PRED, 2), f"{PRED}:2")
    yield case("pred-wrong-kind-article", replace_line(PRED, 2, CORPUS, 2), f"{PRED}:2")
    yield case("pred-unknown-actor-type", edit_line(PRED, 1, unknown_mention_type), f"{PRED}:1", "WIZARD")
    yield case("pred-unknown-event-type", edit_line(PRED, 1, unknown_event_type), f"{PRED}:1", "CONJURE")
    yield case("pred-offsets-out-of-range", edit_line(PRED, 1, mention_out_of_range), f"{PRED}:1", "start")
    yield case("pred-id-twice", repeat_line(PRED, 1, other_annotation), PRED, "lines 1 and 6")
    yield case("pred-folder", folder(PRED), PRED)
    yield case("pred-dangling", dangling(PRED), PRED)
    yield case("pred-binary", binary(PRED), PRED)


# --- report ---------------------------------------------------------------------


def _report() -> Iterator[Case]:
    out = ("report.html", "report.md")
    for source in (SCORE, AGREEMENT):
        argv = ("report", source, "--html", out[0], "--markdown", out[1])
        stem = source.split(".")[0]

        def case(name: str, setup: Setup, *names: str, argv: tuple[str, ...] = argv, stem: str = stem) -> Case:
            return Case(f"report-{stem}-{name}", argv, setup, names, out)

        yield case("empty", empty(source), source)
        yield case("truncated", truncated(source), source)
        yield case("folder", folder(source), source)
        yield case("dangling", dangling(source), source)
        yield case("binary", binary(source), source)
        other = AGREEMENT if source == SCORE else SCORE
        # the file says it is one kind of report but holds the other
        yield case(
            "wrong-kind-field",
            both(copy(other, source), edit_json(source, lambda d, k=stem: d.update(kind=k))),
            source,
        )
        yield case("wrong-kind-snapshot", copy(SNAP, source), source)
        yield case("wrong-kind-manifest", copy(f"{GOLD}/manifest.json", source), source)
        yield case("wrong-kind-gold-jsonl", copy(GOLD_FILE, source), source)


# --- export ---------------------------------------------------------------------


def _export() -> Iterator[Case]:
    for fmt in ("conll", "hf", "plover"):
        out = (f"exports/{fmt}", "export.json")
        argv = ("export", GOLD, "--format", fmt, "-o", out[0], "--json", out[1])
        rows = list(_gold_rows(f"export-{fmt}", argv, out))
        if fmt != "conll":  # the other formats share the reader: the damages that reach the writers
            rows = [r for r in rows if r.id.endswith(("truncated", "type", "range", "id-twice"))]
        yield from rows
        yield Case(
            f"export-{fmt}-file-not-folder",
            ("export", GOLD_FILE, "--format", fmt, "-o", out[0]),
            lambda w: None,
            (GOLD_FILE,),
            out,
        )
    out = ("exports/conll", "export.json")
    argv = ("export", GOLD, "--format", "conll", "-o", out[0], "--json", out[1])
    yield Case("export-conll-no-manifest", argv, remove(f"{GOLD}/manifest.json"), (f"{GOLD}/manifest.json",), out)
    yield Case(
        "export-conll-dangling-folder",
        ("export", "link", "--format", "conll", "-o", out[0]),
        dangling("link"),
        ("link",),
        out,
    )


# --- config validate ------------------------------------------------------------


def _config_validate() -> Iterator[Case]:
    argv = ("config", "validate", "--ontology", ONTOLOGY)

    def case(name: str, setup: Setup, *names: str) -> Case:
        return Case(f"config-validate-{name}", argv, setup, names)

    def duplicate_event_type(w: Path) -> None:
        text = (w / ONTOLOGY).read_text(encoding="utf-8")
        (w / ONTOLOGY).write_text(text.replace("ASSAULT", "AGREE"), encoding="utf-8")

    yield case("empty", empty(ONTOLOGY), ONTOLOGY)
    yield case("truncated", truncated(ONTOLOGY), ONTOLOGY)
    yield case("not-yaml", write(ONTOLOGY, "event_types: [AGREE\n  - : :\n"), ONTOLOGY)
    yield case("wrong-kind-snapshot", copy(SNAP, ONTOLOGY), ONTOLOGY)
    yield case("wrong-kind-jsonl", copy(CORPUS, ONTOLOGY), ONTOLOGY)
    yield case("id-twice", duplicate_event_type, ONTOLOGY, "AGREE")
    yield case("folder", folder(ONTOLOGY), ONTOLOGY)
    yield case("dangling", dangling(ONTOLOGY), ONTOLOGY)
    yield case("binary", binary(ONTOLOGY), ONTOLOGY)


# --- push, review push ------------------------------------------------------------


def _push() -> Iterator[Case]:
    out = ("push.json",)

    def argv(corpus: str) -> tuple[str, ...]:
        return ("push", corpus, "--project", "T", "--json", out[0])

    yield from _corpus_rows("push", argv, out)
    with_pred = ("push", CORPUS, "--predictions", PRED, "--project", "T", "--json", out[0])

    def case(name: str, setup: Setup, *names: str) -> Case:
        return Case(f"push-{name}", with_pred, setup, names, out)

    yield case("pred-empty", empty(PRED), PRED)
    yield case("pred-truncated", truncated(PRED, 2), f"{PRED}:2")
    yield case("pred-wrong-kind-article", replace_line(PRED, 2, CORPUS, 2), f"{PRED}:2")
    yield case("pred-unknown-actor-type", edit_line(PRED, 1, unknown_mention_type), f"{PRED}:1", "WIZARD")
    yield case("pred-unknown-event-type", edit_line(PRED, 1, unknown_event_type), f"{PRED}:1", "CONJURE")
    yield case("pred-offsets-out-of-range", edit_line(PRED, 1, mention_out_of_range), f"{PRED}:1", "start")
    yield case("pred-id-twice", repeat_line(PRED, 1, other_annotation), PRED, "lines 1 and 6")
    yield case("pred-folder", folder(PRED), PRED)
    yield case("pred-dangling", dangling(PRED), PRED)
    yield case("pred-binary", binary(PRED), PRED)


def _review_push() -> Iterator[Case]:
    out = ("review.json",)
    argv = ("review", "push", CONFLICTS, "--project", "R", "--json", out[0])

    def case(name: str, setup: Setup, *names: str, args: tuple[str, ...] = argv) -> Case:
        return Case(f"review-push-{name}", args, setup, names, out)

    # an empty conflicts.jsonl is what a gold build without conflicts writes: "nothing to review", exit 0
    yield case("truncated", truncated(CONFLICTS, 2), f"{CONFLICTS}:2")
    yield case("wrong-kind-gold-line", replace_line(CONFLICTS, 2, GOLD_FILE), f"{CONFLICTS}:2")
    yield case("wrong-kind-article", replace_line(CONFLICTS, 2, CORPUS), f"{CONFLICTS}:2")
    yield case("id-twice", repeat_line(CONFLICTS, 1, other_conflict), CONFLICTS, ":4")
    yield case("folder", folder(CONFLICTS), CONFLICTS)
    yield case("dangling", dangling(CONFLICTS), CONFLICTS)
    yield case("binary", binary(CONFLICTS), CONFLICTS)
    with_articles = (*argv, "--articles", SNAP)
    yield case("articles-truncated-snapshot", truncated(SNAP), SNAP, args=with_articles)
    yield case(
        "articles-lone-sidecar",
        remove(SNAP),
        SNAP + ".meta.json",
        "sidecar",
        args=(*argv, "--articles", SNAP + ".meta.json"),
    )
    yield case("articles-corpus-truncated", truncated(CORPUS, 2), f"{CORPUS}:2", args=(*argv, "--articles", CORPUS))
    yield case("articles-dangling", dangling("link.jsonl"), "link.jsonl", args=(*argv, "--articles", "link.jsonl"))


CASES = list(_cases())


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_input_is_one_error_line(
    case: Case,
    template: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = tmp_path / "w"
    shutil.copytree(template, w, symlinks=True)
    monkeypatch.chdir(w)
    monkeypatch.setenv("COLUMNS", "1000")
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "not-a-real-token")
    monkeypatch.delenv("EVENTGOLD_CONFIG_DIR", raising=False)
    case.setup(w)
    before = {}
    for rel in case.outputs:
        path = w / rel
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(EARLIER)
        before[rel] = _snapshot_tree(path)
    capsys.readouterr()

    code = main(list(case.argv))

    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    others = [line for line in lines if not line.startswith("error:")]
    assert len(errors) == 1, f"exit {code}; stderr:\n{err}"
    if case.warns:
        assert all(line.startswith(("warning:", "note:", "  ")) for line in others), err
    else:
        assert not others, f"unexpected lines on stderr:\n{err}"
    for name in case.names:
        assert name in errors[0], f"{name!r} not in {errors[0]!r}"
    assert "127.0.0.1:9" not in errors[0], "contacted the server before checking the file"
    assert code == 2, f"exit {code}; stderr:\n{err}"
    for rel, content in before.items():
        assert _snapshot_tree(w / rel) == content, f"{rel} changed"
    for rel in case.absent:
        assert not (w / rel).exists(), f"{rel} was written"
