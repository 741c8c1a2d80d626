"""write_json_output: dicts and pydantic models give the same strict JSON, ``schema_version`` first."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from pydantic import BaseModel

from eventgold import SCHEMA_VERSION
from eventgold.console import write_json_output


class First(BaseModel):
    schema_version: str = "9.9"
    name: str = "ünï"
    value: float = math.nan
    items: list[float] = [1.5, math.inf]


class Later(BaseModel):
    name: str = "ünï"
    schema_version: str = "9.9"
    value: float = math.nan


class Without(BaseModel):
    name: str = "ünï"
    value: float = -math.inf


@pytest.mark.parametrize("model", [First(), Later(), Without()], ids=["first", "later", "without"])
def test_a_model_is_written_as_its_dict_would_be(model: BaseModel, tmp_path: Path) -> None:
    as_model, as_dict = tmp_path / "model.json", tmp_path / "dict.json"
    write_json_output(model, as_model)
    write_json_output(model.model_dump(mode="json"), as_dict)
    text = as_model.read_text(encoding="utf-8")
    assert text == as_dict.read_text(encoding="utf-8")
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in strict JSON"))
    assert next(iter(data)) == "schema_version"
    assert data["schema_version"] == getattr(model, "schema_version", SCHEMA_VERSION)
    assert data["value"] is None and "ünï" in text and text.endswith("}\n") and text.startswith('{\n  "schema_version"')
