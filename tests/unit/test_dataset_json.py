"""JSON text (``fileio.json_text``, the files of a gold version) is the bytes Python's json writes.

pydantic-core encodes it where it spells every value as Python's ``json`` does;
the reference here is ``json.dumps`` itself (non-finite floats as null).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from eventgold import SCHEMA_VERSION
from eventgold.fileio import finite_or_null, json_text
from eventgold.gold.dataset import AGREEMENT_FILE, BuildOptions, build_gold, json_file_bytes
from eventgold.ontology import load_ontology

from .gold_fixtures import ann, article, event, mention, snapshot


def python_json(payload: Any) -> bytes:
    text = json.dumps(finite_or_null(payload), ensure_ascii=False, allow_nan=False, indent=2)
    return (text + "\n").encode("utf-8")


floats = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-3, max_value=1e-3),
    st.sampled_from([0.0, -0.0, 1e-05, 3.2e-05, 1e-07, 0.0001, 1e16, 1e22, 0.8333333333333334]),
)
leaves = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), floats, st.text(max_size=12))
json_data = st.recursive(
    leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(json_data)
def test_json_file_bytes_are_pythons(payload: Any) -> None:
    assert json_file_bytes(payload) == python_json(payload)
    assert json_text(payload, indent=4) == json.dumps(finite_or_null(payload), ensure_ascii=False, indent=4)


@pytest.mark.parametrize(
    "payload",
    [
        {},
        [],
        {"a": [], "b": {}, "c": [{}]},
        {"f1": 1e-05, "kappa": -2.5e-06, "alpha": 0.5},
        {"text": "0.0000 and 3e-5 inside a string", "x": 1.5},
        {"nan": math.nan, "inf": [math.inf, -math.inf]},
        {"quote": 'say "hi"\\ \n\t\x01 é \u2028 \x7f'},
        {"big": 2**80, "neg": -(2**65)},
    ],
)
def test_json_file_bytes_edge_cases(payload: Any) -> None:
    assert json_file_bytes(payload) == python_json(payload)


def test_json_file_bytes_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        json_file_bytes({"a": object()})


class Figures(BaseModel):
    schema_version: str = SCHEMA_VERSION
    values: list[float]
    label: str


@pytest.mark.parametrize("values", [[0.5, 1.0], [1e-05, math.inf], [math.nan, -3.2e-06, 0.25]])
def test_a_model_is_written_as_its_json_dump(values: list[float]) -> None:
    figures = Figures(values=values, label="e-mail 0.0000")
    assert json_file_bytes(figures) == python_json(figures.model_dump(mode="json"))


def test_the_agreement_file_is_the_report_with_the_schema_version_first() -> None:
    articles = {"d1": article("d1")}
    anns = [
        ann("alice", "d1", [mention("m1", "Kazemi"), mention("m2", "Ghaani")], [event("e1", "met", actors=["m1"])]),
        ann("bob", "d1", [mention("m1", "Kazemi"), mention("m2", "Ghaani", "STATE")], [event("e1", "met")]),
        ann("carol", "d1", [mention("m1", "Kazemi")]),
    ]
    built = build_gold([snapshot(list(articles.values()), anns)], load_ontology(), BuildOptions(version="v1"))
    for version in (SCHEMA_VERSION, "0.9"):
        built.agreement.schema_version = version
        expected = python_json({"schema_version": SCHEMA_VERSION, **built.agreement.model_dump(mode="json")})
        assert built.files()[AGREEMENT_FILE] == expected
        assert expected.startswith(b'{\n  "schema_version": "' + version.encode() + b'",\n')
