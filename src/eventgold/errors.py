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

Library messages name no command-line option. A message that names an option
is built from text and :class:`Option` parts, joined in order::

    raise ConfigError("unknown split 'x' (e.g. ", Option("splits_example"), ")")

``str(error)`` spells each option as the Python API does (:data:`API_SPELLING`,
e.g. ``splits=['train', 'dev']``); the CLI's one error printer renders the same
parts with its flags instead (``error.render(FLAGS)``, e.g. ``--split train,dev``;
``eventgold.commands.options.FLAGS`` has the same keys as :data:`API_SPELLING`).
A piece passed on to build a message (a hint, a reason) is a :data:`Message`: text,
or a tuple of parts; :func:`render` joins parts that are not an error's.

Third-party exceptions are wrapped with ``raise OurError(...) from exc`` so the
cause stays available to debuggers but never reaches users as a traceback.
Messages never contain API tokens or passwords.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Option:
    """Where a message names an option: ``name`` is a key of :data:`API_SPELLING` (and of the CLI's flags)."""

    name: str


Part = str | Option
"""A piece of a message: text, or an :class:`Option` each reader spells its own way."""

Message = str | tuple[Part, ...]
"""Text, or text and :class:`Option` parts (where a message is passed in pieces)."""

API_SPELLING: dict[str, str] = {
    # Label Studio (config.resolve_connection, labelstudio.server.start, labelstudio.review.push_review)
    "url": "url",
    "api_key": "api_key",
    "port": "port",
    "review_title": "project_title",
    # export (eventgold.export.run.export_gold)
    "splits": "splits",
    "splits_example": "splits=['train', 'dev']",
    "out_dir": "out_dir",
    "actors": "actors_path",
    "as_predictions": "as_predictions",
    "format_labelstudio": "fmt='labelstudio'",
    # training (eventgold.training.api.train)
    "train_split": "train_split",
    "dev_split": "dev_split",
    "curve": "curve",
    # predictions (eventgold.readers.read_predictions)
    "format": "fmt",
    "doc_key": "doc_key",
    # extractors (eventgold.extractors.load_extractor)
    "lexicon_file": "lexicon=PATH",
    # pushing (eventgold.labelstudio.push.push_articles; review: articles_from_label_studio)
    "replace_unannotated": "replace_unannotated=True",
    "project": "project_title",
    "articles": "known=read_articles(PATH)",
    # gold (eventgold.gold.dataset.BuildOptions)
    "allow_problems": "allow_problems=True",
    # ingest (eventgold.ingest.options.IngestOptions; columns: eventgold.ingest.records.ColumnMap)
    "skip_bad": "skip_bad=True",
    "max_size": "max_bytes",
    "quoting_none": "quoting='none'",
    "quoting_csv": "quoting='csv'",
    "delimiter": "delimiter",
    "rules": "rules",
    "near_dup_threshold": "near_dup_threshold",
    **{f"{name}_col": f"ColumnMap.{name}" for name in ("text", "title", "id", "url", "date", "source", "language")},
}
"""How the Python API names each option a library message names (option name -> text)."""


def message_parts(message: Message) -> tuple[Part, ...]:
    """``message`` as a tuple of parts (text alone is one part)."""
    return (message,) if isinstance(message, str) else message


def render(parts: tuple[Part, ...], spelling: Mapping[str, str] = API_SPELLING) -> str:
    """Join a message's parts, each :class:`Option` spelled by ``spelling``.

    Args:
        parts: text and options, in order.
        spelling: option name -> its text (default: the Python API's, :data:`API_SPELLING`).

    Returns:
        The message as one string.

    Raises:
        KeyError: an option that ``spelling`` does not name.
    """
    return "".join(spelling[p.name] if isinstance(p, Option) else p for p in parts)


class EventgoldError(Exception):
    """Base class of every error eventgold raises on purpose.

    Args:
        parts: the message: text and :class:`Option` parts, joined in order (``str(error)``
            spells the options as the Python API does).
    """

    exit_code = 2

    def __init__(self, *parts: Part) -> None:
        self.parts: tuple[Part, ...] = parts
        super().__init__(render(parts))

    def render(self, spelling: Mapping[str, str]) -> str:
        """The message with each option spelled by ``spelling`` (option name -> text), e.g. the CLI's flags.

        Raises:
            KeyError: an option ``spelling`` does not name.
        """
        return render(self.parts, spelling)


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
    bad value, so a message can say what to fix. ``problem`` is text, or text and
    :class:`Option` parts (:attr:`problem` is then its Python API spelling).
    """

    def __init__(
        self,
        problem: Message,
        *,
        file: str | None = None,
        line: int | None = None,
        doc_id: str | None = None,
        record_id: str | None = None,
        field: str | None = None,
        value: Any = None,
        has_value: bool = False,
    ) -> None:
        self.problem_parts = message_parts(problem)
        self.problem = render(self.problem_parts)
        self.file = file
        self.line = line
        self.doc_id = doc_id
        self.record_id = record_id
        self.field = field
        self.value = value
        self.has_value = has_value or value is not None
        super().__init__(*self._message())

    def located(self, *, file: str | None = None, line: int | None = None) -> RecordError:
        """Return a copy of this error that also names the file and line."""
        return RecordError(
            self.problem_parts,
            file=file or self.file,
            line=line or self.line,
            doc_id=self.doc_id,
            record_id=self.record_id,
            field=self.field,
            value=self.value,
            has_value=self.has_value,
        )

    def _message(self) -> tuple[Part, ...]:
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
        return (f"{prefix}: " if prefix else "", *self.problem_parts, value)


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
