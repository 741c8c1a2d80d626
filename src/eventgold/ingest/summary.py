"""The summary of one ingest run: what was read, written, merged, marked and skipped."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, Field

from eventgold.errors import Part, render


class SkippedInput(BaseModel):
    """An input skipped under ``--skip-bad``: where and why."""

    path: str
    line: int | None = None
    row: int | None = None
    reason: str
    """Why, options spelled as the Python API does."""
    reason_parts: tuple[Part, ...] = Field(default=(), exclude=True)
    """The reason as text and :class:`~eventgold.errors.Option` parts (empty: just :attr:`reason`)."""


class DuplicateRecord(BaseModel):
    """A duplicate found: its id, the article it duplicates, exact or near (with similarity)."""

    id: str
    duplicate_of: str
    kind: Literal["exact", "near"]
    similarity: float | None = None
    path: str


class IngestSummary(BaseModel):
    """What one ingest run read, wrote, merged, marked and skipped."""

    output: str | None = None
    files_read: int = 0
    files_ignored: int = 0
    records_read: int = 0
    articles_written: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    by_format: dict[str, int] = Field(default_factory=dict)
    skipped: list[SkippedInput] = Field(default_factory=list)
    duplicates: list[DuplicateRecord] = Field(default_factory=list)

    def spelled(self, spelling: Mapping[str, str]) -> IngestSummary:
        """This summary with the skipped inputs' reasons naming options as ``spelling`` does (e.g. CLI flags).

        Args:
            spelling: option name -> its text (see :data:`eventgold.errors.API_SPELLING`).

        Returns:
            A copy; this summary is unchanged.

        Raises:
            KeyError: a reason names an option ``spelling`` does not.
        """
        skipped = [
            item.model_copy(update={"reason": render(item.reason_parts, spelling)}) if item.reason_parts else item
            for item in self.skipped
        ]
        return self.model_copy(update={"skipped": skipped})
