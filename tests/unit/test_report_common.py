"""Loading report JSON, kind detection, snippet markers and the small formatting helpers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventgold.errors import InputError
from eventgold.evaluation.error_items import ZWSP, snippet
from eventgold.gold.agreement import AgreementReport
from eventgold.report import load_report, report_kind
from eventgold.report.common import best_indices, fmt, fmt_p, pair_matrix, split_snippet
from eventgold.scoring.report import ScoreReport

from .report_fixtures import agreement_report, score_report


@pytest.mark.parametrize(
    ("values", "best"),
    [
        ([0.5, 0.7], {1}),
        ([0.7, 0.7, 0.1], {0, 1}),
        ([0.5, 0.5], set()),  # a tie of everyone marks no one
        ([math.nan, 0.3], set()),  # one defined value: nothing to compare
        ([None, 0.3, 0.2], {1}),
        ([0.9], set()),
        ([], set()),
    ],
)
def test_best_indices(values: list[float | None], best: set[int]) -> None:
    assert best_indices(values) == best


@pytest.mark.parametrize(
    ("value", "text"), [(0.51851, "0.519"), (None, "—"), (math.nan, "—"), (1.0, "1.000"), (0.0, "0.000")]
)
def test_fmt(value: float | None, text: str) -> None:
    assert fmt(value) == text


@pytest.mark.parametrize(("value", "text"), [(0.0004, "<0.001"), (0.039, "0.039"), (None, "—")])
def test_fmt_p(value: float | None, text: str) -> None:
    assert fmt_p(value) == text


@given(
    st.text(alphabet=st.sampled_from("ab [] \n<>*|…"), min_size=1, max_size=120),
    st.data(),
)
def test_snippet_markers_always_find_the_unit(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    left, unit, right = split_snippet(snippet(text, start, end))
    assert unit.replace(ZWSP, "") == text[start:end].replace("\n", " ")
    assert (left + unit + right).replace(ZWSP, "").replace("…", "") in text.replace("\n", " ").replace("…", "")


def test_split_snippet_without_markers() -> None:
    assert split_snippet("plain text") == ("plain text", "", "")
    assert split_snippet(None) == ("", "", "")


def test_pair_matrix_is_symmetric_with_an_empty_diagonal() -> None:
    report = agreement_report()
    names = report.annotators
    sp = report.spans[0]
    matrix = pair_matrix(names, sp.pairs)
    for p in sp.pairs:
        i, j = names.index(p.a), names.index(p.b)
        assert matrix[i][j] == matrix[j][i] == p.counts.f1
    assert all(matrix[i][i] is None for i in range(len(names)))


def _dump(model: ScoreReport | AgreementReport) -> dict[str, object]:
    data: dict[str, object] = json.loads(model.model_dump_json())
    return data


@pytest.mark.parametrize("make", [score_report, agreement_report])
def test_load_report_round_trips_through_json(make: object, tmp_path: Path) -> None:
    model = make()  # type: ignore[operator]
    path = tmp_path / "r.json"
    path.write_text(model.model_dump_json(indent=2))
    loaded = load_report(path)
    assert type(loaded) is type(model)
    assert _dump(loaded) == _dump(model)
    assert load_report(_dump(model)).model_dump_json() == loaded.model_dump_json()
    assert load_report(model) is model


def test_kind_falls_back_to_keys_for_files_without_it() -> None:
    score = _dump(score_report())
    agree = _dump(agreement_report())
    assert score.pop("kind") == "score" and agree.pop("kind") == "agreement"
    assert report_kind(score) == "score"
    assert report_kind(agree) == "agreement"
    assert isinstance(load_report(agree), AgreementReport)


def test_an_agreement_json_from_a_gold_folder_loads(tmp_path: Path) -> None:
    # gold build writes {"schema_version": ..., **AgreementReport}; older ones lack kind and command
    data = _dump(agreement_report())
    del data["kind"], data["command"]
    path = tmp_path / "agreement.json"
    path.write_text(json.dumps({"schema_version": "1.0", **data}))
    assert isinstance(load_report(path), AgreementReport)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"status": "written"}', "neither a score report"),
        ('{"kind": "export"}', "kind 'export'"),
        ('{"kind": "score", "schema_version": "3.0"}', "schema_version 3.0 is not readable .*score report schema 2.0"),
        ('{"kind": "agreement", "schema_version": "2.0"}', "schema_version 2.0 is not readable .*agreement report"),
        ('{"kind": "score", "gold_docs": "many"}', "not a valid score report"),
    ],
)
def test_load_report_user_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "r.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_report(path)


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_report(tmp_path / "nope.json")
