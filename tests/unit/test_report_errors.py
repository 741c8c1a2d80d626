"""Score report errors: counts and a bounded sample in the JSON, every item in ``--errors`` JSONL, schema 2.0."""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import eventgold.scoring.report as score_report_module
from eventgold.cli import main
from eventgold.console import write_json_output
from eventgold.errors import InputError
from eventgold.evaluation.error_items import ErrorItem
from eventgold.fileio import finite_or_null, json_text
from eventgold.report import load_report, render
from eventgold.scoring.api import score
from eventgold.scoring.inputs import load_gold, load_predictions
from eventgold.scoring.report import (
    ERROR_SAMPLE_SIZE,
    SCORE_REPORT_SCHEMA,
    ScoreReport,
    count_errors,
    sample_errors,
)

from .report_fixtures import FIXTURE, score_report

BASE = ["score", "--gold", str(FIXTURE), "--pred", str(FIXTURE / "pred_tagger.jsonl")]
BASE += ["--pred", str(FIXTURE / "pred_coder.jsonl"), "--bootstrap", "0"]


def strict_loads(text: str) -> Any:
    """Parse as a strict JSON parser does: NaN, Infinity and -Infinity are errors."""

    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _library_report() -> ScoreReport:
    gold = load_gold(FIXTURE / "gold.jsonl")
    preds = {n: load_predictions(FIXTURE / f"pred_{n}.jsonl").annotations for n in ("tagger", "coder")}
    return score(gold, preds, bootstrap=0)


def _keys(items: list[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((i["level"], i["kind"]) for i in items)


@pytest.mark.parametrize("size", [1, 2, ERROR_SAMPLE_SIZE])
def test_errors_file_has_every_item_and_the_json_a_bounded_sample(
    size: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(score_report_module, "ERROR_SAMPLE_SIZE", size)
    out, errors = tmp_path / "r.json", tmp_path / "errors.jsonl"
    assert main([*BASE, "--json", str(out), "--errors", str(errors)]) == 0
    data = strict_loads(out.read_text(encoding="utf-8"))
    assert data["schema_version"] == SCORE_REPORT_SCHEMA == "2.0"
    lines = [json.loads(line) for line in errors.read_text(encoding="utf-8").splitlines()]
    assert all(next(iter(line)) == "extractor" for line in lines)  # the extractor first
    library = _library_report()
    assert [ex["name"] for ex in data["extractors"]] == ["tagger", "coder"]
    for ex, mine in zip(data["extractors"], library.extractors, strict=True):
        items = [
            {k: v for k, v in line.items() if k != "extractor"} for line in lines if line["extractor"] == ex["name"]
        ]
        # every item, as the library has it, in report order
        assert items == [it.model_dump(mode="json") for it in mine.errors]
        counts = {(level, kind): n for level, kinds in ex["error_counts"].items() for kind, n in kinds.items()}
        assert counts == dict(_keys(items)) and sum(counts.values()) == len(items) > 0
        # the JSON's errors: the first `size` of each level and kind, in report order
        assert all(n <= size for n in _keys(ex["errors"]).values())
        assert ex["errors"] == [i for i in items if _keys(items[: items.index(i) + 1])[(i["level"], i["kind"])] <= size]
    assert len(lines) == sum(n for ex in data["extractors"] for k in ex["error_counts"].values() for n in k.values())


def test_report_json_is_one_pydantic_encoding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = _library_report()
    out = tmp_path / "r.json"
    write_json_output(report, out)
    assert out.read_text(encoding="utf-8") == report.to_json() + "\n" == json_text(report, indent=2) + "\n"
    write_json_output(report, "-")
    assert capsys.readouterr().out == report.to_json() + "\n"
    # what pydantic-core cannot do (sorted keys) goes through the model's dump and Python's json
    dumped = finite_or_null(report.model_dump(mode="json"))
    assert json_text(report, sort_keys=True) == json.dumps(dumped, sort_keys=True, ensure_ascii=False)


def test_nan_is_null_in_the_report_json(tmp_path: Path) -> None:
    gold = load_gold(FIXTURE / "gold.jsonl")
    preds = {"coder": load_predictions(FIXTURE / "pred_coder.jsonl").annotations}
    report = score(gold, preds, bootstrap=0, zero_division="nan")
    nan_metrics = [k for k, v in report.extractors[0].metrics.items() if math.isnan(v)]
    assert nan_metrics
    out = tmp_path / "r.json"
    write_json_output(report, out)
    text = out.read_text(encoding="utf-8")
    data = strict_loads(text)
    assert all(data["extractors"][0]["metrics"][k] is None for k in nan_metrics)
    assert "NaN" not in text and "Infinity" not in text
    back = load_report(out)
    assert isinstance(back, ScoreReport) and all(math.isnan(back.metric(k)) for k in nan_metrics)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nonfinite_floats_of_any_model_are_null(value: float) -> None:
    from pydantic import BaseModel, ConfigDict

    class Constants(BaseModel):
        model_config = ConfigDict(ser_json_inf_nan="constants")
        x: float
        words: str = "NaN and Infinity are words"

    class Plain(BaseModel):
        x: float

    for model in (Constants(x=value), Plain(x=value)):
        assert strict_loads(json_text(model, indent=2))["x"] is None


def _many_errors(n: int) -> ScoreReport:
    """The fixture report whose first extractor has ``n`` errors of every level and kind in turn."""
    report = score_report().model_copy(deep=True)
    kinds = [("mention", "missed"), ("mention", "boundary"), ("trigger", "spurious"), ("coder", "missed")]
    report.extractors[0].errors = [
        ErrorItem(level=kinds[i % 4][0], kind=kinds[i % 4][1], doc_id=f"d{i}", gold_start=i, gold_end=i + 1)
        for i in range(n)
    ]
    return report


@pytest.mark.parametrize("n", [0, 7, 4 * ERROR_SAMPLE_SIZE, 4 * ERROR_SAMPLE_SIZE + 9, 10 * ERROR_SAMPLE_SIZE])
def test_json_keeps_the_first_errors_of_each_kind(n: int) -> None:
    report = _many_errors(n)
    ex = report.extractors[0]
    data = json.loads(report.to_json())["extractors"][0]
    assert len(data["errors"]) == sum(
        min(k, ERROR_SAMPLE_SIZE) for k in Counter((i.level, i.kind) for i in ex.errors).values()
    )
    assert data["errors"] == [it.model_dump(mode="json") for it in ex.error_sample()]
    assert sum(n for kinds in data["error_counts"].values() for n in kinds.values()) == n == ex.error_total()
    assert ex.errors == report.extractors[0].errors and len(ex.errors) == n  # in memory: every item
    # read back: the sample and the counts, which sample and count to the same JSON again
    back = ScoreReport.model_validate_json(report.to_json())
    assert back.to_json() == report.to_json()
    assert back.extractors[0].error_total() == n and back.extractors[0].errors == ex.error_sample()


def test_sampling_a_sample_gives_it_back() -> None:
    items = _many_errors(3 * ERROR_SAMPLE_SIZE + 5).extractors[0].errors
    once = sample_errors(items)
    assert sample_errors(once) == once == sample_errors(items, ERROR_SAMPLE_SIZE)
    assert sample_errors(items, 1) == items[:4]
    assert list(count_errors(items)) == ["mention", "trigger", "coder"]  # levels in their order
    assert list(count_errors(items)["mention"]) == ["missed", "boundary"]


def test_old_report_with_every_error_still_loads_and_renders(tmp_path: Path) -> None:
    report = _many_errors(5 * ERROR_SAMPLE_SIZE + 3)
    old: dict[str, Any] = json.loads(report.to_json())
    old["schema_version"] = "1.1"
    for raw, ex in zip(old["extractors"], report.extractors, strict=True):
        del raw["error_counts"]
        raw["errors"] = [it.model_dump(mode="json") for it in ex.errors]  # schema 1.x listed every error
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old, indent=2), encoding="utf-8")
    loaded = load_report(path)
    assert isinstance(loaded, ScoreReport) and loaded.schema_version == "1.1"
    for mine, ex in zip(loaded.extractors, report.extractors, strict=True):
        assert mine.errors == ex.errors and mine.error_totals() == count_errors(ex.errors)
    written = render(path, html=tmp_path / "r.html", markdown=tmp_path / "r.md", csv_dir=tmp_path / "csv")
    assert len(written) > 2
    total = sum(len(e.errors) for e in report.extractors)
    shown = sum(len(e.error_sample()) for e in report.extractors)
    assert shown < total
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f"{total:,} errors in all; the table holds {shown:,} of them" in html
    with (tmp_path / "csv" / "errors.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == shown
    totals = {e.name: e.error_totals() for e in loaded.extractors}
    assert all(int(r["kind_total"]) == totals[r["extractor"]][r["level"]][r["kind"]] for r in rows)
    md = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert f"of {len(report.extractors[0].errors)}; the HTML and CSV reports list the first {ERROR_SAMPLE_SIZE}" in md


def test_a_sample_larger_than_its_counts_is_not_a_report(tmp_path: Path) -> None:
    data: dict[str, Any] = json.loads(_many_errors(8).to_json())
    data["extractors"][0]["error_counts"]["mention"]["missed"] = 1
    with pytest.raises(InputError, match=r"not a valid score report: .*errors holds 2 mention missed"):
        load_report(data)


def test_errors_option_refuses_stdout_and_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*BASE, "--errors", "-"]) == 2
    assert "--errors: give the path of a file" in capsys.readouterr().err
    assert main([*BASE, "--errors", str(FIXTURE / "pred_tagger.jsonl")]) == 2
    assert "is also an input" in capsys.readouterr().err


def test_errors_file_is_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = _many_errors(50)
    path = tmp_path / "e.jsonl"
    path.write_text("earlier\n", encoding="utf-8")

    def broken(self: ScoreReport) -> Any:
        yield b'{"extractor":"x"}\n'
        raise RuntimeError("disk gone")

    monkeypatch.setattr(ScoreReport, "error_lines", broken)
    with pytest.raises(RuntimeError):
        report.write_errors(path)
    assert path.read_text(encoding="utf-8") == "earlier\n" and list(tmp_path.iterdir()) == [path]
    monkeypatch.undo()
    assert report.write_errors(path) == sum(len(e.errors) for e in report.extractors)
    assert len(path.read_text(encoding="utf-8").splitlines()) == sum(len(e.errors) for e in report.extractors)


def test_the_help_says_the_sample_size(capsys: pytest.CaptureFixture[str]) -> None:
    """``score --help`` names the sample size as a number (the CLI does not load the scoring stack for it)."""
    assert main(["score", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert f"with the first {ERROR_SAMPLE_SIZE} errors of each (all of them: --errors)" in text
    assert "--errors" in text and "as JSONL" in text
