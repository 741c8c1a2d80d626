"""The one error type of ingest: an input that cannot become an article.

:class:`BadInput` is an :class:`~eventgold.errors.InputError` (so the CLI
turns it into one red line and exit 2) that also carries where it happened and
why, so ``--skip-bad`` can list the reason in the summary instead of failing.
"""

from __future__ import annotations

from typing import Any

from eventgold.errors import InputError, Message, Option, Part, message_parts, render

SKIP_BAD = Option("skip_bad")
"""The option that skips bad inputs (``--skip-bad``; ``skip_bad=True`` of the Python API)."""

SKIP_HINT: tuple[Part, ...] = ("fix or remove it, or pass ", SKIP_BAD, " to skip bad inputs")


class BadInput(InputError):
    """A file, line or row that cannot be ingested: what, where and what to do.

    ``reason`` and ``hint`` name options as :class:`~eventgold.errors.Option` parts
    (:attr:`reason` and :attr:`hint` are their Python API spelling; the CLI renders the
    error, and a skipped input's reason, with its flags).
    """

    def __init__(
        self,
        path: str,
        reason: Message,
        *,
        line: int | None = None,
        row: int | None = None,
        hint: Message = SKIP_HINT,
    ) -> None:
        self.path = path
        self.line = line
        self.row = row
        self.reason_parts = message_parts(reason)
        self.reason = render(self.reason_parts)
        self.hint_parts = message_parts(hint)
        self.hint = render(self.hint_parts)
        super().__init__(f"{self.where}: ", *self.reason_parts, "; ", *self.hint_parts)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by the constructor's arguments (worker processes send BadInputs back)."""
        return (_rebuild, (self.path, self.reason_parts, self.line, self.row, self.hint_parts))

    @property
    def where(self) -> str:
        """``file``, ``file:line`` (JSONL, text) or ``file, row N`` (CSV)."""
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.row is not None:
            return f"{self.path}, row {self.row}"
        return self.path


def _rebuild(path: str, reason: Message, line: int | None, row: int | None, hint: Message) -> BadInput:
    return BadInput(path, reason, line=line, row=row, hint=hint)
