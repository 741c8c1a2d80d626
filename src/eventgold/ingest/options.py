"""Ingest options: the bad-input policy, limits, workers, column mapping and CSV splitting."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from eventgold.errors import ConfigError
from eventgold.ingest.delimited import CsvOptions
from eventgold.ingest.records import ColumnMap

DEFAULT_MAX_BYTES = 10_000_000


class IngestOptions(BaseModel):
    """How to ingest: bad-input policy, raw text, rules, near-duplicate threshold, limits, columns."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    skip_bad: bool = False
    keep_raw: bool = False
    rules: Path | None = None
    near_dup_threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, gt=0)
    workers: int = Field(default=0, ge=0, le=64)
    columns: ColumnMap = ColumnMap()
    """The JSONL key / CSV column of each article field (None: tried by :data:`DEFAULT_COLUMNS`)."""
    delimiter: str | None = None
    quoting: Literal["auto", "csv", "none"] = "auto"

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        """One character (``tab`` or ``\\t`` for a tab), not a quote or a line break; None: by the file."""
        if value is None or value == "auto":
            return None
        value = {"tab": "\t", "\\t": "\t"}.get(value.lower(), value)
        if len(value) != 1 or value in '"\r\n':
            raise ValueError("must be one character other than a quote or a line break (or 'tab')")
        return value

    @property
    def csv(self) -> CsvOptions:
        """How .csv/.tsv files are split into rows and cells."""
        return CsvOptions(delimiter=self.delimiter, quoting=self.quoting)

    @property
    def worker_count(self) -> int:
        """Worker processes for whole-file inputs: ``workers``, or 0 = up to two, by the cores."""
        return self.workers or min(2, os.cpu_count() or 1)


def make_options(**kwargs: Any) -> IngestOptions:
    """IngestOptions from keywords; a bad value is a ConfigError naming the option."""
    try:
        return IngestOptions(**kwargs)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(x) for x in err["loc"]) or "options"
        raise ConfigError(f"ingest option {name!r}: {err['msg']} (got {err.get('input')!r})") from exc
