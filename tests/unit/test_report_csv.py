"""CSV tables: every number read back equals the JSON's, text is kept as data."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from eventgold.errors import ConfigError
from eventgold.report import render
from eventgold.report.csv import agreement_tables, cell, score_tables

from .report_fixtures import HOSTILE_TEXT, agreement_report, score_report


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _num(value: str) -> float:
    return math.nan if value == "" else float(value)


def _same(a: float, b: float | None) -> bool:
    b = math.nan if b is None else b
    return (math.isnan(a) and math.isnan(b)) or a == b


def test_summary_holds_every_metric_and_interval_exactly() -> None:
    report = score_report()
    rows = _read(score_tables(report)["summary.csv"])
    assert len(rows) == sum(len(e.metrics) for e in report.extractors)
    for row in rows:
        ex = report.extractor(row["extractor"])
        assert _same(_num(row["value"]), ex.metrics[row["metric"]])
        ci = ex.intervals.get(row["metric"])
        assert _same(_num(row["ci_low"]), ci.low if ci else None)
        assert _same(_num(row["ci_high"]), ci.high if ci else None)


def test_per_type_rows_match_the_json() -> None:
    report = score_report()
    rows = _read(score_tables(report)["per_type.csv"])
    for row in rows:
        ex = report.extractor(row["extractor"])
        family, t = row["family"], row["type"]
        if family.startswith("mention."):
            s = ex.mentions[family.split(".")[1]].per_type[t]
            assert (int(row["cor"]), int(row["mis"]), int(row["spu"]), int(row["gold"])) == (
                s.cor,
                s.mis,
                s.spu,
                s.possible,
            )
            assert _same(_num(row["f1"]), s.f1)
        else:
            table = ex.events.arg_cls_per_role if family == "event.arg_cls" else ex.events.trigger_cls_per_type
            p = table[t]
            assert (int(row["tp"]), int(row["fp"]), int(row["fn"])) == (p.tp, p.fp, p.fn)
            assert _same(_num(row["f1"]), p.f1)
        ci = ex.type_intervals.get(family, {}).get(t)
        assert _same(_num(row["ci_low"]), ci.low if ci else None)
    strict = [r for r in rows if r["family"] == "mention.strict"]
    assert strict and all(r["ci_low"] != "" for r in strict)
    roles = [r for r in rows if r["family"] == "event.arg_cls"]
    assert roles and all(r["ci_low"] != "" for r in roles)


def test_confusion_significance_and_errors() -> None:
    report = score_report()
    tables = score_tables(report)
    rows = _read(tables["confusion.csv"])
    for e in report.extractors:
        for key, cm in e.confusion.items():
            mine = [r for r in rows if r["extractor"] == e.name and r["matrix"] == key]
            assert sum(int(r["count"]) for r in mine) == cm.n
            for r in mine:
                assert int(r["count"]) == cm.matrix[cm.labels.index(r["gold"])][cm.labels.index(r["predicted"])]
    sig = _read(tables["significance.csv"])
    assert len(sig) == len(report.tests)
    for r, t in zip(sig, report.tests, strict=True):
        assert (r["metric"], r["method"]) == (t.metric, t.method)
        assert _same(_num(r["p_value"]), t.p_value) and _same(_num(r["p_holm"]), t.p_holm)
    errors = _read(tables["errors.csv"])
    assert len(errors) == sum(len(e.errors) for e in report.extractors)
    script = next(r for r in errors if r["pred_start"] and HOSTILE_TEXT[int(r["pred_start"]) :].startswith("<script>"))
    assert '<script>alert("pwned")</script>' in script["snippet"]  # CSV is data: kept verbatim
    gold = _read(tables["gold_counts.csv"])
    assert report.gold_info is not None
    assert {r["name"]: int(r["count"]) for r in gold if r["what"] == "split"} == report.gold_info.documents


def test_agreement_tables_match_the_json() -> None:
    report = agreement_report()
    tables = agreement_tables(report)
    people = {r["annotator"]: r for r in _read(tables["annotators.csv"])}
    for st in report.annotator_stats:
        assert int(people[st.name]["tasks"]) == st.tasks
        assert _same(_num(people[st.name]["others_f1"]), st.with_others.f1)
    pairs = _read(tables["pairs.csv"])
    for sp in report.spans:
        for p in sp.pairs:
            (row,) = [
                r
                for r in pairs
                if (r["kind"], r["matching"], r["a"], r["b"], r["label"]) == (sp.kind, sp.matching, p.a, p.b, "(all)")
            ]
            assert _same(_num(row["f1"]), p.counts.f1)
    cohen = _read(tables["cohen.csv"])
    assert len(cohen) == sum(len(fa.cohen) for fa in report.fields)
    dis = _read(tables["disagreements.csv"])
    assert len(dis) == len(report.disagreements)
    for r, d in zip(dis, report.disagreements, strict=True):
        assert json.loads(r["values"]) == d.values and r["snippet"] == (d.snippet or "")


@pytest.mark.parametrize(("value", "text"), [(None, ""), (math.nan, ""), (0.1, "0.1"), (3, "3"), ("a,b", "a,b")])
def test_cell(value: str | int | float | None, text: str) -> None:
    assert cell(value) == text


def test_render_writes_csv_files_and_refuses_a_file_as_folder(tmp_path: Path) -> None:
    written = render(score_report(), csv_dir=tmp_path / "tables")
    assert sorted(p.name for p in written) == sorted(score_tables(score_report()))
    assert all(p.is_file() for p in written)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="needs a folder"):
        render(agreement_report(), csv_dir=tmp_path / "file")
