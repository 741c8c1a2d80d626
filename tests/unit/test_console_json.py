"""write_json_output: dicts and pydantic models give the same strict JSON, ``schema_version`` first."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from eventgold import SCHEMA_VERSION
from eventgold.console import write_json_output
from eventgold.errors import ConfigError


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


@pytest.mark.parametrize("items", [[], [{"a": 1}], [{"a": 1}, {"b": [2, "ü"]}, {"c": None}]])
@pytest.mark.parametrize("dest", ["file", "-"])
def test_streamed_lists_read_back_as_the_lists(
    items: list[dict[str, object]], dest: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = {"x": 1, "tail": "\x00problems\x00 is text, not a mark"}
    streamed = {"problems": (json.dumps(i) for i in items), "repairs": iter([json.dumps({"k": 2})])}
    target = tmp_path / "out.json" if dest == "file" else "-"
    write_json_output(payload, target, streamed=streamed)
    text = target.read_text(encoding="utf-8") if isinstance(target, Path) else capsys.readouterr().out
    assert json.loads(text) == {"schema_version": SCHEMA_VERSION, **payload, "problems": items, "repairs": [{"k": 2}]}


def test_a_stream_that_fails_leaves_no_file_and_an_old_one_intact(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")

    def broken() -> Iterator[str]:
        yield "{}"
        raise OSError(28, "No space left on device")

    with pytest.raises(ConfigError, match="cannot write JSON output"):
        write_json_output({}, target, streamed={"repairs": broken()})
    assert target.read_text(encoding="utf-8") == "old" and sorted(tmp_path.iterdir()) == [target]
