"""Label Studio's ML backend protocol: the requests it sends, validated, and the predictions it reads.

The authority is Label Studio's side (``label_studio/ml/api_connector.py`` and ``ml/models.py`` of
Label Studio 1.23):

- ``GET /health`` -> ``{"status": "UP", ...}`` (1 s timeout);
- ``POST /setup`` ``{"project": "<id>.<created>", "schema": <labeling config>, "hostname",
  "access_token", "extra_params"}`` -> ``{"model_version": ...}``; Label Studio then skips tasks
  that already have a prediction of that version;
- ``POST /predict`` ``{"tasks": [<task>...], "project", "label_config", "params": {"login",
  "password", "context"}}`` -> ``{"results": [<prediction>...]}``, one per task in order; a
  prediction is ``{"result": [...], "score"?, "model_version"?}``;
- ``POST /webhook`` ``{"action": "ANNOTATION_CREATED", "project": {...}, "annotation": {...},
  "task": {...}}`` (the webhook Label Studio creates with the backend, for every action).

Tasks carry the ``data`` eventgold's push writes (DESIGN.md's keys); Label Studio adds keys of
its own (``annotations``, ``predictions``, ``drafts`` in interactive mode), which are kept as they
are. A request that does not fit gets one line naming the task and the field.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError, field_validator

from eventgold.errors import RecordError
from eventgold.extractors.base import Extractor, run_extractor
from eventgold.labelstudio.push import prediction_payload
from eventgold.labelstudio.task_data import model_version, task_data_to_article
from eventgold.models import Article, Origin
from eventgold.ontology import Ontology

ANNOTATION_ACTIONS = frozenset(
    {"ANNOTATION_CREATED", "ANNOTATIONS_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_DELETED"}
)
"""Webhook actions about annotations (counted, and passed to the annotation hook)."""


class _Open(BaseModel):
    """A payload part whose unknown keys are kept (Label Studio adds fields between versions)."""

    model_config = ConfigDict(extra="allow")


def _text_only(value: str | None) -> str | None:
    """``value`` unless it holds a lone UTF-16 surrogate (JSON's ``\\ud800`` escape), which is not text."""
    if value is not None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(f"holds a lone surrogate at character {exc.start}, which is not text") from None
    return value


class Candidate(_Open):
    """One ``actor_candidates`` item: ``{"value": "<canonical id> — <name>"}``."""

    value: StrictStr

    _check_text = field_validator("value")(_text_only)


class TaskData(_Open):
    """A task's ``data`` as eventgold's push writes it; only ``text`` is required here."""

    text: StrictStr
    doc_id: StrictStr | None = None
    title: StrictStr | None = None
    source: StrictStr | None = None
    url: StrictStr | None = None
    content_sha: StrictStr | None = None
    duplicate_of: StrictStr | None = None
    published: Any = None
    actor_candidates: list[Candidate] | None = None

    _check_text = field_validator("text", "doc_id", "title", "source", "url", "content_sha", "duplicate_of")(_text_only)


class Task(_Open):
    """One task of a ``/predict`` request."""

    id: StrictInt | None = None
    data: TaskData


class PredictRequest(_Open):
    """The body of ``POST /predict``."""

    tasks: list[Task]
    project: Any = None
    label_config: StrictStr | None = None
    params: dict[str, Any] | None = None


class SetupRequest(_Open):
    """The body of ``POST /setup`` (``access_token`` is Label Studio's: never logged or echoed)."""

    schema_: StrictStr | None = Field(default=None, alias="schema")
    project: Any = None


class WebhookEvent(_Open):
    """The body of ``POST /webhook``: an action and, with the payload, its objects."""

    action: StrictStr
    project: Any = None


def _dotted(loc: list[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
}


def _json_type(value: Any) -> str:
    """How JSON calls the type of a parsed value (never the value itself)."""
    return "null" if value is None else _JSON_TYPES.get(type(value), type(value).__name__)


def task_label(tasks: Any, index: int) -> str:
    """How a message names task ``index`` of a request's raw ``tasks``: ``tasks[0] (id 17)``."""
    task = tasks[index] if isinstance(tasks, list) and 0 <= index < len(tasks) else None
    task_id = task.get("id") if isinstance(task, dict) else None
    return f"tasks[{index}]" + (
        f" (id {task_id})" if isinstance(task_id, int) and not isinstance(task_id, bool) else ""
    )


def validation_message(exc: ValidationError, body: Any, what: str) -> str:
    """One line for the first problem pydantic found in a request body (never echoing values).

    Args:
        exc: the error of ``Model.model_validate(body)``.
        body: the parsed JSON body.
        what: the request, for problems outside any task (``predict request``).

    Returns:
        E.g. ``tasks[1] (id 8): data.text is missing`` or
        ``tasks[0]: data.text: Input should be a valid string (got int)``, with ``(and N more
        problems)`` when there are several.
    """
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = list(first["loc"])
    where = what
    if len(loc) >= 2 and loc[0] == "tasks" and isinstance(loc[1], int):
        where = task_label(body.get("tasks") if isinstance(body, dict) else None, loc[1])
        loc = loc[2:]
    field = _dotted(loc)
    if first["type"] in ("model_type", "model_attributes_type", "dict_type"):
        text = f"{field or 'the body'} must be a JSON object (got {_json_type(first['input'])})"
    elif first["type"] == "missing":
        text = f"{field} is missing"
    elif first["type"] == "value_error":
        text = f"{field or 'the body'} {first['msg'].removeprefix('Value error, ')}"
    else:
        text = f"{field or 'the body'}: {first['msg']} (got {_json_type(first['input'])})"
    more = f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})" if len(errors) > 1 else ""
    return f"{where}: {text}{more}"


def backend_model_version(extractor: Extractor) -> str:
    """The ``model_version`` the backend reports: push's ``<name>@<version>`` for the extractor.

    Example:
        >>> from eventgold.extractors.rules import RulesExtractor
        >>> backend_model_version(RulesExtractor()).startswith("rules@")
        True
    """
    version = getattr(extractor, "version", None)
    return model_version(Origin(kind="extractor", name=extractor.name, version=str(version) if version else None))


def task_article(task: dict[str, Any]) -> Article:
    """The article a task was pushed from (:func:`eventgold.labelstudio.task_data.task_data_to_article`).

    Args:
        task: a task whose ``data`` passed :class:`TaskData`.

    Returns:
        The Article (id ``data.doc_id``; text ``data.text``, the string annotators see).

    Raises:
        RecordError: the data makes no article (no ``doc_id``, ``duplicate_of`` naming itself...).
    """
    try:
        return task_data_to_article(task["data"], task_id=task.get("id"))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = _dotted(list(first["loc"]))
        raise RecordError(f"the task data makes no article: {field}: {first['msg']}", field=f"data.{field}") from exc


def extractor_prediction(
    extractor: Extractor, ontology: Ontology, article: Article, candidates: list[dict[str, str]]
) -> dict[str, Any]:
    """The prediction of ``extractor`` for ``article``, exactly as ``push --predictions`` sends ``extract``'s output.

    Args:
        extractor: the extractor to run.
        ontology: checks the extractor's output (labels, roles, offsets against the text).
        article: the task's article (:func:`task_article`).
        candidates: the task's ``data.actor_candidates`` (a canonical id among them preselects its choice).

    Returns:
        ``{"model_version", "result"[, "score"]}`` (:func:`eventgold.labelstudio.push.prediction_payload`).

    Raises:
        RecordError: the extractor's output does not fit the article or the ontology, or it gave none.
        Exception: whatever the extractor raises.
    """
    annotations = list(run_extractor(extractor, [article], ontology))
    if not annotations:
        raise RecordError(f"extractor {extractor.name!r} yielded no annotation for the article", doc_id=article.id)
    return prediction_payload(annotations[0], article, candidates)
