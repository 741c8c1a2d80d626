"""The one error type of ingest: an input that cannot become an article.

:class:`BadInput` is an :class:`~eventgold.errors.InputError` (so the CLI
turns it into one red line and exit 2) that also carries where it happened and
why, so ``--skip-bad`` can list the reason in the summary instead of failing.
"""

from __future__ import annotations

from typing import Any

from eventgold.errors import InputError

SKIP_HINT = "fix or remove it, or pass --skip-bad to skip bad inputs"


class BadInput(InputError):
    """A file, line or row that cannot be ingested: what, where and what to do."""

    def __init__(
        self,
        path: str,
        reason: str,
        *,
        line: int | None = None,
        row: int | None = None,
        hint: str = SKIP_HINT,
    ) -> None:
        self.path = path
        self.line = line
        self.row = row
        self.reason = reason
        self.hint = hint
        super().__init__(f"{self.where}: {reason}; {hint}")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by the constructor's arguments (worker processes send BadInputs back)."""
        return (_rebuild, (self.path, self.reason, self.line, self.row, self.hint))

    @property
    def where(self) -> str:
        """``file``, ``file:line`` (JSONL, text) or ``file, row N`` (CSV)."""
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.row is not None:
            return f"{self.path}, row {self.row}"
        return self.path


def _rebuild(path: str, reason: str, line: int | None, row: int | None, hint: str) -> BadInput:
    return BadInput(path, reason, line=line, row=row, hint=hint)
