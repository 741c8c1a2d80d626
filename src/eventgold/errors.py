"""The exception tree of eventgold.

Library code raises these narrow types; the CLI turns them into one message and
an exit code, once (see ``cli.py``)::

    EventgoldError                 base of everything the tool raises on purpose
    ├── UserError                  bad input or settings: exit 2, one red line
    │   ├── ConfigError            settings, credentials, paths
    │   ├── OntologyError          ontology.yaml is malformed or inconsistent
    │   ├── RecordError            a record breaks an invariant (file, line, doc, field)
    │   ├── InputError             a raw input file cannot be read (ingest, predictions)
    │   └── LabelStudioError       anything to do with a Label Studio server
    │       ├── ServerError        the managed local server: install, start, stop
    │       ├── ConnectionFailed   the server cannot be reached (any transport error)
    │       │   └── TimedOut       it did not answer in time
    │       └── APIError           the server answered with an error (status, its message)
    └── CheckFailed                a requested check failed (e.g. ``--fail-under``): exit 1

    EventgoldWarning (UserWarning) read on, but the user should know (one yellow line)

Third-party exceptions are wrapped with ``raise OurError(...) from exc`` so the
cause stays available to debuggers but never reaches users as a traceback.
Messages never contain API tokens or passwords.
"""

from __future__ import annotations

from typing import Any


class EventgoldError(Exception):
    """Base class of every error eventgold raises on purpose."""

    exit_code = 2


class UserError(EventgoldError):
    """Bad input, settings or state the user can fix; the CLI exits 2."""

    exit_code = 2


class ConfigError(UserError):
    """Settings, credentials or paths are missing or wrong."""


class OntologyError(UserError):
    """The ontology file is malformed or inconsistent."""


class InputError(UserError):
    """A raw input file cannot be read or parsed."""


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class RecordError(UserError):
    """A record breaks an invariant.

    Carries where it happened (file, line, document, record id, field) and the
    bad value, so a message can say what to fix.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        line: int | None = None,
        doc_id: str | None = None,
        record_id: str | None = None,
        field: str | None = None,
        value: Any = None,
        has_value: bool = False,
    ) -> None:
        self.problem = problem
        self.file = file
        self.line = line
        self.doc_id = doc_id
        self.record_id = record_id
        self.field = field
        self.value = value
        self.has_value = has_value or value is not None
        super().__init__(self._message())

    def located(self, *, file: str | None = None, line: int | None = None) -> RecordError:
        """Return a copy of this error that also names the file and line."""
        return RecordError(
            self.problem,
            file=file or self.file,
            line=line or self.line,
            doc_id=self.doc_id,
            record_id=self.record_id,
            field=self.field,
            value=self.value,
            has_value=self.has_value,
        )

    def _message(self) -> str:
        where = []
        if self.file:
            where.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.doc_id:
            where.append(f"document {self.doc_id!r}")
        if self.record_id:
            where.append(f"record {self.record_id!r}")
        if self.field:
            where.append(f"field {self.field!r}")
        prefix = ", ".join(where)
        value = f" (got {_short(self.value)})" if self.has_value else ""
        return f"{prefix}: {self.problem}{value}" if prefix else f"{self.problem}{value}"


class LabelStudioError(UserError):
    """Something went wrong talking to or running Label Studio."""


class ServerError(LabelStudioError):
    """The managed local Label Studio server cannot be installed, started or stopped."""


class ConnectionFailed(LabelStudioError):
    """The Label Studio server cannot be reached (refused, timed out, bad URL, TLS, ...)."""


class TimedOut(ConnectionFailed):
    """The Label Studio server did not answer within the timeout."""


class APIError(LabelStudioError):
    """Label Studio answered a request with an error status."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class CheckFailed(EventgoldError):
    """A requested check (such as ``--fail-under``) failed; the CLI exits 1."""

    exit_code = 1


class EventgoldWarning(UserWarning):
    """Base class of the warnings eventgold emits (``warnings.warn``) for the CLI to show.

    Library code never prints: it warns with a subclass of this, and the CLI
    prints each as one yellow ``warning:`` line on stderr.
    """
