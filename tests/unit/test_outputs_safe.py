"""Outputs safe to open, from the cases of the wild, round two (``../shared/cases``, copied to ``data/cases/outputs``).

Three kinds of fault, each with a table of variants:

- CSV cells a spreadsheet would evaluate as formulas (``csv-formula/``):
  every CSV file the tool writes x every dangerous first character;
- names that matplotlib's mathtext would parse (``dollar-names/``): every
  chart x names holding ``$``, ``\\``, ``<``, ``{``, ``_``, ``^``;
- NaN and Infinity in JSON (``nan-lead-time.json``): every JSON output of the
  tool, parsed with a strict parser, and NaN/Infinity refused on input.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
import math
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import pytest

from eventgold.cli import main
from eventgold.console import write_json_output
from eventgold.errors import RecordError, TimedOut
from eventgold.fileio import finite_or_null, json_text
from eventgold.gold.agreement import AgreementReport, compute_agreement
from eventgold.jsonl import iter_json_lines
from eventgold.labelstudio.snapshot import read_snapshot
from eventgold.models import Article, DocumentAnnotation, Event, GoldDocument, Mention, Origin, Span
from eventgold.report import plots
from eventgold.report.csv import FORMULA_STARTS, cell, neutralise, write_csv
from eventgold.report.markdown import md
from eventgold.scoring.api import score
from eventgold.scoring.report import ScoreReport

CASES = Path(__file__).parent / "data" / "cases" / "outputs"

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]
"""First characters OWASP lists for CSV injection."""


@pytest.fixture
def cases(tmp_path: Path) -> Path:
    out = tmp_path / "cases"
    shutil.copytree(CASES, out)
    return out


def _run(args: Sequence[object], code: int = 0) -> None:
    assert main([str(a) for a in args]) == code, args


# --- 1. CSV safe to open ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("'already quoted", "''already quoted"),  # so dropping one leading ' always gives the value back
        ("plain", "plain"),
        ("a=b+c", "a=b+c"),
        ("", ""),
        (-0.5, "-0.5"),  # numbers the tool computed stay numbers
        (-3, "-3"),
        (0.25, "0.25"),
        (None, ""),
        (math.nan, ""),
    ],
    ids=repr,
)
def test_a_cell_neutralises_text_and_keeps_numbers(value: Any, written: str) -> None:
    assert cell(value) == written
    if isinstance(value, str):
        assert neutralise(value) == written
        assert written.removeprefix("'") == value or written == value


TEXT = "Kazemi met Ghaani in Baghdad. Pompeo called Iraq later."


def _m(mid: str, text: str, phrase: str, type_: str) -> Mention:
    start = text.index(phrase)
    return Mention(id=mid, type=type_, start=start, end=start + len(phrase), text=phrase)


def _e(eid: str, text: str, phrase: str, type_: str, **kw: Any) -> Event:
    start = text.index(phrase)
    return Event(id=eid, type=type_, trigger=Span(start=start, end=start + len(phrase), text=phrase), **kw)


@functools.cache
def _score_report(ch: str) -> ScoreReport:
    """Two extractors on two documents, every name, id and text starting with ``ch``."""
    text = ch + TEXT
    gold, tagger, coder = [], [], []
    for n in (1, 2):
        doc = f"{ch}doc{n}"
        gold.append(
            GoldDocument(
                article=Article(id=doc, text=text),
                mentions=[_m("g1", text, "Kazemi", "PERSON"), _m("g2", text, "Ghaani", "PERSON")],
                events=[_e("g3", text, "met", "CONSULT", actors=["g1"], recipients=["g2"])],
                split="test",
            )
        )
        tagger.append(
            DocumentAnnotation(
                doc_id=doc,
                origin=Origin(kind="extractor", name=f"{ch}tagger"),
                mentions=[
                    _m(f"{ch}p1", text, ch + "Kazemi", "PERSON"),
                    _m(f"{ch}p2", text, "Ghaani", "ORGANIZATION"),
                    _m(f"{ch}p3", text, "Pompeo", "PERSON"),
                ],
                events=[_e(f"{ch}p4", text, "met", "CONSULT")],
            )
        )
        coder.append(
            DocumentAnnotation(
                doc_id=doc,
                origin=Origin(kind="extractor", name=f"{ch}coder"),
                mentions=[_m(f"{ch}p1", text, "Kazemi", "STATE")],
                events=[_e(f"{ch}p2", text, "called", "AGREE")],
            )
        )
    return score(gold, {f"{ch}tagger": tagger, f"{ch}coder": coder}, bootstrap=20, seed=1)


@functools.cache
def _agreement_report(ch: str) -> AgreementReport:
    """Three annotators disagreeing on a document whose id, text and annotators start with ``ch``."""
    text = ch + TEXT
    doc = f"{ch}doc1"

    def ann(who: str, mentions: list[Mention], events: list[Event]) -> DocumentAnnotation:
        return DocumentAnnotation(
            doc_id=doc, origin=Origin(kind="annotator", name=f"{ch}{who}@example.org"), mentions=mentions, events=events
        )

    anns = [
        ann(
            "alice",
            [_m("m1", text, ch + "Kazemi", "PERSON"), _m("m2", text, "Ghaani", "PERSON")],
            [_e("e1", text, "met", "CONSULT", actors=["m1"])],
        ),
        ann("bob", [_m("m2", text, "Ghaani", "ORGANIZATION")], [_e("e1", text, "met", "CONSULT")]),
        ann("carol", [_m("m2", text, "Ghaani", "PERSON")], []),
    ]
    return compute_agreement(anns, {doc: Article(id=doc, text=text)})


# CSV file -> columns that hold text from the data (None: a file with only the tool's own labels)
SCORE_CSV: dict[str, tuple[str, ...]] = {
    "summary.csv": ("extractor",),
    "per_type.csv": ("extractor",),
    "confusion.csv": ("extractor",),
    "significance.csv": ("a", "b"),
    "errors.csv": ("extractor", "doc_id", "pred_id", "snippet"),
    "gold_counts.csv": (),
}
AGREEMENT_CSV: dict[str, tuple[str, ...]] = {
    "annotators.csv": ("annotator",),
    "pairs.csv": ("a", "b"),
    "fields.csv": (),
    "cohen.csv": ("a", "b"),
    "roles.csv": (),  # role names come from the ontology, which allows no formula start
    "disagreements.csv": ("doc_id", "text", "snippet"),
}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _assert_inert(path: Path) -> list[dict[str, str]]:
    """Every cell of a CSV file: a number, or text that does not start a formula."""
    rows = _read_csv(path)
    for i, row in enumerate(rows, start=2):
        for column, value in row.items():
            assert not value.startswith(FORMULA_STARTS) or _is_number(value), (path.name, i, column, value)
    return rows


def test_the_table_lists_every_csv_file_the_tool_writes(tmp_path: Path) -> None:
    written = write_csv(_score_report("="), tmp_path / "s") + write_csv(_agreement_report("="), tmp_path / "a")
    assert sorted(p.name for p in written) == sorted([*SCORE_CSV, *AGREEMENT_CSV])


@pytest.mark.parametrize("ch", DANGEROUS, ids=repr)
@pytest.mark.parametrize(
    ("name", "columns"), [*SCORE_CSV.items(), *AGREEMENT_CSV.items()], ids=[*SCORE_CSV, *AGREEMENT_CSV]
)
def test_no_csv_cell_starts_a_formula(name: str, columns: tuple[str, ...], ch: str, tmp_path: Path) -> None:
    report = _score_report(ch) if name in SCORE_CSV else _agreement_report(ch)
    write_csv(report, tmp_path)
    rows = _assert_inert(tmp_path / name)
    assert rows, name
    for column in columns:
        values = [row[column] for row in rows if row[column]]
        assert any(v.startswith("'" + ch) for v in values), (column, values)
        # readable: one leading quote dropped gives the value as the data has it
        assert all(not v.startswith("'") or v[1:].startswith((*FORMULA_STARTS, "'")) for v in values)
    if name == "summary.csv":
        assert {row["extractor"] for row in rows} == {f"'{ch}tagger", f"'{ch}coder"}
    if name == "annotators.csv":
        assert [row["annotator"][1:] for row in rows] == [f"{ch}{w}@example.org" for w in ("alice", "bob", "carol")]


def test_negative_numbers_stay_numbers(tmp_path: Path) -> None:
    write_csv(_score_report("="), tmp_path)
    deltas = [row["delta"] for row in _read_csv(tmp_path / "significance.csv")]
    assert any(d.startswith("-") for d in deltas) and all(_is_number(d) for d in deltas)


def test_score_and_report_csv_on_the_case_files(cases: Path, tmp_path: Path) -> None:
    case = cases / "csv-formula"
    gold, score_json, agree_json = tmp_path / "gold", tmp_path / "score.json", tmp_path / "agree.json"
    _run(["gold", "build", case / "single.json", "-o", gold, "--policy", "single"])
    _run(
        [
            "score",
            "--gold",
            gold,
            "--pred",
            case / "pred.jsonl",
            "--bootstrap",
            "20",
            "--json",
            score_json,
            "--csv",
            tmp_path / "score",
        ]
    )
    _run(["agree", case / "inj.json", "--json", agree_json])
    _run(["report", score_json, "--csv", tmp_path / "report-score"])
    _run(["report", agree_json, "--csv", tmp_path / "report-agree"])
    tables = {p.parent.name + "/" + p.name: _assert_inert(p) for p in sorted(tmp_path.glob("*/*.csv"))}
    assert len(tables) == 2 * len(SCORE_CSV) + len(AGREEMENT_CSV)
    assert tables["score/summary.csv"] == tables["report-score/summary.csv"]
    pred = [json.loads(line) for line in (case / "pred.jsonl").read_text(encoding="utf-8").splitlines()]
    (extractor,) = {p["origin"]["name"] for p in pred}
    assert extractor.startswith("=") and {r["extractor"] for r in tables["score/summary.csv"]} == {"'" + extractor}
    doc_ids = {r["doc_id"] for r in tables["score/errors.csv"]}
    assert {"'" + p["doc_id"] for p in pred} <= doc_ids
    assert "'=1+2@example.org" in {r["annotator"] for r in tables["report-agree/annotators.csv"]}


# --- 2. names in charts shown literally ------------------------------------------------------

NAMES = [
    "price$$model",
    "a$$b@example.org",
    "$x^2$",
    "cost $5",
    r"back\slash",
    r"\frac{1}{2}",
    "{braces}",
    "a_b_c",
    "x^y",
    "<b>bold</b> & co",
    "_leading_underscore",
    "50% $",
]


@pytest.fixture
def svg_charts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Charts rendered as SVG (text kept as text) as well as PNG, to read what they show."""
    drawn: list[str] = []
    png = plots._png

    def both(fig: Any) -> bytes:
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        drawn.append(buf.getvalue())
        return png(fig)

    monkeypatch.setattr(plots, "_png", both)
    yield drawn


def _charts(name: str) -> list[bytes]:
    return [
        plots.grouped_bars(
            name,
            [name, "b"],
            [plots.Series(name, [0.5, None], [0.4, None], [0.6, None]), plots.Series("other", [0.2, 0.3])],
        ),
        plots.heatmap(
            name, [name, "b"], [name, "b"], [[1.0, 0.5], [0.5, None]], xlabel=name, ylabel=name, subtitle=name
        ),
        plots.significance(
            name,
            [plots.Comparison(f"{name} − other", -0.2, {"paired_bootstrap": 0.01})],
            alpha=0.05,
            primary="paired_bootstrap",
        ),
    ]


@pytest.mark.parametrize("name", NAMES)
def test_charts_show_names_as_written(name: str, svg_charts: list[str]) -> None:
    pngs = _charts(name)
    assert all(png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000 for png in pngs)
    assert len(svg_charts) == 3
    for svg in svg_charts:  # svg.fonttype none: every text is an SVG text element, as drawn
        assert html.escape(name, quote=False) in svg or name in svg, name


def test_charts_ignore_a_callers_tex_and_mathtext_settings() -> None:
    with matplotlib.rc_context({"text.usetex": True, "text.parse_math": True}):
        assert all(png.startswith(b"\x89PNG") for png in _charts("price$$model"))
        assert matplotlib.rcParams["text.usetex"] is True  # left as the caller set it
    assert matplotlib.rcParams["text.parse_math"] is True


@pytest.mark.parametrize("name", NAMES)
def test_markdown_shows_names_as_written(name: str) -> None:
    escaped = md(name)
    assert "$" not in escaped.replace("\\$", "")  # no bare dollar: GitHub would render maths
    assert "_" not in escaped.replace("\\_", "")


def test_html_reports_on_the_case_files(cases: Path, tmp_path: Path) -> None:
    case = cases / "dollar-names"
    score_json, agree_json = tmp_path / "score.json", tmp_path / "agree.json"
    _run(
        [
            "score",
            "--gold",
            case / "gold",
            "--pred",
            case / "pred_dollar.jsonl",
            "--bootstrap",
            "20",
            "--json",
            score_json,
            "--html",
            tmp_path / "score.html",
            "--markdown",
            tmp_path / "score.md",
        ]
    )
    _run(["agree", case / "snap.json", "--json", agree_json, "--html", tmp_path / "agree.html"])
    _run(["report", score_json, "--html", tmp_path / "report-score.html"])
    _run(["report", agree_json, "--html", tmp_path / "report-agree.html", "--markdown", tmp_path / "agree.md"])
    assert "price$$model" in (tmp_path / "score.html").read_text(encoding="utf-8")
    assert "price\\$\\$model" in (tmp_path / "score.md").read_text(encoding="utf-8")
    assert "a$$b@" in (tmp_path / "agree.html").read_text(encoding="utf-8")
    assert "a\\$\\$b@" in (tmp_path / "agree.md").read_text(encoding="utf-8")


# --- 3. every JSON the tool writes parses strictly -------------------------------------------


def _refuse(name: str) -> Any:
    raise AssertionError(f"{name} in JSON output")


def strict_loads(text: str) -> Any:
    """Parse like a strict JSON parser: NaN, Infinity and -Infinity are errors."""
    return json.loads(text, parse_constant=_refuse)


def _strict_file(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [strict_loads(line) for line in text.splitlines() if line.strip()]
    return [strict_loads(text)]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The cases, a gold built from the NaN snapshot, a corpus whose source rows hold NaN, and predictions."""
    ws = tmp_path_factory.mktemp("outputs")
    shutil.copytree(CASES, ws / "cases")
    _run(["gold", "build", ws / "cases" / "nan-lead-time.json", "-o", ws / "gold", "--include-conflicts"])
    (ws / "raw.jsonl").write_text(
        '{"id": "a1", "text": "Kazemi met Ghaani in Baghdad. Pompeo called Iraq.", "rating": NaN, '
        '"extra": {"x": Infinity, "y": [-Infinity]}}\n'
        '{"id": "a2", "text": "Protesters gathered in Basra; the army withdrew from Mosul."}\n',
        encoding="utf-8",
    )
    _run(["ingest", ws / "raw.jsonl", "-o", ws / "corpus.jsonl"])
    _run(["extract", ws / "corpus.jsonl", "-e", "gazetteer", "-o", ws / "gazetteer.jsonl"])
    _run(["extract", ws / "corpus.jsonl", "-e", "rules", "-o", ws / "rules.jsonl"])
    return ws


class FakeLabelStudio:
    """Just what ``pull`` asks of a Label Studio client; the tasks are the NaN case's."""

    url = "http://127.0.0.1:9"

    def __init__(self, snapshot: Path, *, export_works: bool) -> None:
        self.snapshot = snapshot
        self.export_works = export_works

    def __enter__(self) -> FakeLabelStudio:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def find_project(self, title: str) -> dict[str, Any]:
        return {"id": 1, "title": title, "description": ""}

    def export_to(self, project_id: int, target: Path, *, timeout: float = 300.0) -> None:
        if not self.export_works:
            raise TimedOut("export took too long")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.snapshot.read_bytes())  # the server's bytes, kept as they are

    def iter_tasks(self, project_id: int, **kw: Any) -> Iterator[dict[str, Any]]:
        yield from json.loads(self.snapshot.read_text(encoding="utf-8"))  # NaN and Infinity as floats

    def stream_bytes(self, path: str, **kw: Any) -> Iterator[bytes]:
        yield b'[{"id": 5, "task": 1, "model_version": "m", "score": NaN, "result": []}]'

    def server_time(self) -> None:
        return None  # a server without a Date header

    def users(self) -> list[dict[str, Any]]:
        return [{"id": 1, "email": "=1+2@example.org"}, {"id": 2, "email": "b@example.org"}]


def _pull(ws: Path, out: Path, monkeypatch: pytest.MonkeyPatch, *, export_works: bool) -> list[Path]:
    import eventgold.commands.labelstudio as ls_commands

    fake = FakeLabelStudio(ws / "cases" / "nan-lead-time.json", export_works=export_works)
    monkeypatch.setattr(ls_commands, "open_client", lambda url, api_key: fake)
    _run(
        [
            "pull",
            "--project",
            "bughunt",
            "-o",
            out / "raw",
            "--predictions",
            "--method",
            "export" if export_works else "paged",
            "--json",
            out / "pull.json",
            "--jsonl",
            out / "annotations.jsonl",
        ]
    )
    (snapshot,) = (out / "raw").glob("*[0-9Z].json")
    payload = strict_loads((out / "pull.json").read_text(encoding="utf-8"))
    # the server's export is kept byte for byte, and its NaN lead times read as missing, each listed;
    # a paged snapshot is serialised by the tool, which writes them as null
    expected = ["nonfinite_lead_time"] * 2 if export_works else []
    assert [r["kind"] for r in payload["repairs"]] == expected
    written = [out / "pull.json", out / "annotations.jsonl", *(out / "raw").glob("*.*.json")]
    return written if export_works else [*written, snapshot]  # a paged snapshot is written by the tool


def _export(fmt: str) -> Callable[[Path, Path, pytest.MonkeyPatch], list[Path]]:
    def run(ws: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
        if fmt == "spacy":
            pytest.importorskip("spacy")
        _run(["export", ws / "gold", "-f", fmt, "-o", out / fmt, "--json", out / "export.json"])
        return [out / "export.json", *sorted((out / fmt).rglob("*.json")), *sorted((out / fmt).rglob("*.jsonl"))]

    return run


def _gold_build(ws: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    gold = out / "gold"
    _run(
        [
            "gold",
            "build",
            ws / "cases" / "nan-lead-time.json",
            "-o",
            gold,
            "--include-conflicts",
            "--json",
            out / "build.json",
        ]
    )
    return [out / "build.json", *sorted(gold.glob("*.json")), *sorted(gold.glob("*.jsonl"))]


def _gold_diff(ws: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    _run(["gold", "build", ws / "cases" / "nan-lead-time.json", "-o", out / "v2", "--include-conflicts", "--seed", "5"])
    _run(["gold", "diff", ws / "gold", out / "v2", "--json", out / "diff.json"])
    return [out / "diff.json"]


def _score(ws: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    _run(
        [
            "score",
            "--gold",
            ws / "gold",
            "--pred",
            ws / "cases" / "csv-formula" / "pred.jsonl",
            "--zero-division",
            "nan",
            "--bootstrap",
            "20",
            "--json",
            out / "score.json",
        ]
    )
    report = strict_loads((out / "score.json").read_text(encoding="utf-8"))
    assert report["extractors"][0]["metrics"]["event.trigger_cls.precision"] is None  # 0/0 as NaN, written null
    return [out / "score.json"]


def _write_json_output(ws: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    write_json_output({"nan": math.nan, "inf": [math.inf, -math.inf], "deep": {"t": (math.nan, 1.5)}}, out / "o.json")
    assert strict_loads((out / "o.json").read_text(encoding="utf-8"))["deep"] == {"t": [None, 1.5]}
    return [out / "o.json"]


def _cli(args: Sequence[object], *outputs: Path) -> list[Path]:
    """Run a command; the files it was asked to write."""
    _run(args)
    return list(outputs)


NAN_SNAPSHOT = Path("cases") / "nan-lead-time.json"

JSON_OUTPUTS: dict[str, Callable[[Path, Path, pytest.MonkeyPatch], list[Path]]] = {
    "agree --json": lambda ws, out, mp: _cli(["agree", ws / NAN_SNAPSHOT, "--json", out / "a.json"], out / "a.json"),
    "gold build (--json, manifest, agreement, JSONL)": _gold_build,
    "gold diff --json": _gold_diff,
    "score --json (--zero-division nan)": _score,
    "export conll": _export("conll"),
    "export spacy": _export("spacy"),
    "export hf": _export("hf"),
    "export plover": _export("plover"),
    "ingest --json and corpus (NaN in source rows)": lambda ws, out, mp: _cli(
        ["ingest", ws / "raw.jsonl", "-o", out / "corpus.jsonl", "--json", out / "ingest.json"],
        out / "ingest.json",
        out / "corpus.jsonl",
    ),
    "extract --json": lambda ws, out, mp: _cli(
        ["extract", ws / "corpus.jsonl", "-e", "rules", "-o", out / "p.jsonl", "--json", out / "x.json"],
        out / "x.json",
        out / "p.jsonl",
    ),
    "extractors --json": lambda ws, out, mp: _cli(["extractors", "--json", out / "e.json"], out / "e.json"),
    "actors pending --json (NaN snapshot)": lambda ws, out, mp: _cli(
        ["actors", "pending", ws / NAN_SNAPSHOT, "--json", out / "a.json"], out / "a.json"
    ),
    "suggest --json": lambda ws, out, mp: _cli(
        [
            "suggest",
            ws / "corpus.jsonl",
            "--pred",
            f"{ws / 'gazetteer.jsonl'},{ws / 'rules.jsonl'}",
            "--json",
            out / "s.json",
        ],
        out / "s.json",
    ),
    "pull --json, sidecars (synchronous export)": lambda ws, out, mp: _pull(ws, out, mp, export_works=True),
    "pull --json, sidecars, paged snapshot": lambda ws, out, mp: _pull(ws, out, mp, export_works=False),
    "write_json_output": _write_json_output,
}


@pytest.mark.parametrize("make", JSON_OUTPUTS.values(), ids=list(JSON_OUTPUTS))
def test_every_json_output_parses_strictly(
    make: Callable[[Path, Path, pytest.MonkeyPatch], list[Path]],
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = make(workspace, tmp_path, monkeypatch)
    assert paths
    for path in paths:
        assert path.is_file(), path
        values = _strict_file(path)
        assert path.suffix == ".jsonl" or values[0] is not None, path


def test_nonfinite_lead_times_are_missing_and_said_so(cases: Path, tmp_path: Path) -> None:
    snapshot = cases / "nan-lead-time.json"
    snap = read_snapshot(snapshot)
    lead = {(a.doc_id, a.origin.name): a.lead_time for a in snap.annotations}
    assert all(v is None or math.isfinite(v) for v in lead.values()) and 10.0 in lead.values()
    found = {(r.kind, r.task, r.annotation, r.annotator) for r in snap.repairs}
    assert found == {
        ("nonfinite_lead_time", 1, 12, '"><img src=x onerror=alert(6)>@example.org'),
        ("nonfinite_lead_time", 2, 21, "=1+2@example.org"),
    }
    _run(["agree", snapshot, "--json", tmp_path / "agree.json"])
    report = strict_loads((tmp_path / "agree.json").read_text(encoding="utf-8"))
    medians = {st["name"]: st["median_lead_time"] for st in report["annotator_stats"]}
    assert medians == {'"><img src=x onerror=alert(6)>@example.org': 10.0, "=1+2@example.org": None}
    assert [r["kind"] for r in report["repairs"]] == ["nonfinite_lead_time"] * 2
    _run(["gold", "build", snapshot, "-o", tmp_path / "gold", "--include-conflicts"])
    manifest = strict_loads((tmp_path / "gold" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["repairs"] == {"nonfinite_lead_time": 2}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize(
    ("kind", "line"),
    [
        (
            "prediction score",
            '{"doc_id": "d", "origin": {"kind": "extractor", "name": "m"}, '
            '"mentions": [{"id": "p", "type": "PERSON", "score": %s}]}',
        ),
        ("annotation lead time", '{"doc_id": "d", "origin": {"kind": "annotator", "name": "a"}, "lead_time": %s}'),
        ("article meta", '{"id": "d", "text": "Kazemi met Ghaani.", "meta": {"x": [%s]}}'),
    ],
)
def test_nan_and_infinity_in_json_lines_are_refused_with_file_and_line(
    kind: str, line: str, constant: str, tmp_path: Path
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text("\n" + '{"id": "ok"}\n' + line % constant + "\n", encoding="utf-8")
    with pytest.raises(RecordError) as info:
        list(iter_json_lines(path))
    assert info.value.file == str(path) and info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: {constant} is not a JSON number")


def test_the_cli_refuses_nan_predictions_in_one_line(
    cases: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pred = tmp_path / "pred.jsonl"
    pred.write_text(
        '{"doc_id": "x", "origin": {"kind": "extractor", "name": "m"}, '
        '"mentions": [{"id": "p1", "type": "PERSON", "start": 0, "end": 6, "text": "Kazemi", "score": NaN}]}\n',
        encoding="utf-8",
    )
    _run(["score", "--gold", cases / "dollar-names" / "gold", "--pred", pred], code=2)
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and f"{pred.name}:1: NaN is not a JSON number" in err.replace("\n", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (math.nan, None),
        ([1.0, math.inf, {"a": -math.inf}], [1.0, None, {"a": None}]),
        ((math.nan,), [None]),
        ({"k": "NaN", "n": 0, "b": True}, {"k": "NaN", "n": 0, "b": True}),
    ],
    ids=repr,
)
def test_json_text_writes_nonfinite_numbers_as_null(value: Any, expected: Any) -> None:
    assert finite_or_null(value) == expected
    assert strict_loads(json_text(value)) == expected
