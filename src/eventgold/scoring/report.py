"""The typed result of scoring: :class:`ScoreReport` (JSON with ``schema_version``).

Flat metric names are stable dotted paths (``mention.strict.f1``,
``event.trigger_cls.f1``, ...), defined in :mod:`eventgold.scoring.metrics`; they are what
``--fail-under`` and ``ScoreReport.metric`` accept. Everything a later
HTML/Markdown report needs is here: per-type tables, confusion matrices,
error counts and a sample of the errors with snippets, confidence intervals
and significance tests. Undefined ratios (zero division under ``nan``) are NaN
in Python and ``null`` in JSON.

Errors: after scoring, ``ExtractorScore.errors`` holds every error item (an
:class:`~eventgold.scoring.error_list.ErrorList`, whose items are built the
first time it is read as a list; counting, sampling and writing them build no
more than they need); the JSON keeps, per extractor, the count of each (level,
kind) in ``error_counts`` and the first :data:`ERROR_SAMPLE_SIZE` items of each in
``errors`` (:meth:`ExtractorScore.error_sample`), so the report stays small on
any corpus. :meth:`ScoreReport.write_errors` writes every item as JSONL
(``eventgold score --errors FILE``). The score report has its own
:data:`SCORE_REPORT_SCHEMA` (2.0 since errors are sampled); a schema 1.x report,
which lists every error, still loads (its counts are counted from its list).
"""

from __future__ import annotations

import math
import typing
from collections import Counter
from collections.abc import Iterator
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    field_serializer,
    model_validator,
)

from eventgold.evaluation.error_items import ErrorItem, ErrorKind, ErrorLevel
from eventgold.fileio import atomic_open
from eventgold.scoring.error_list import ErrorList
from eventgold.scoring.metrics import METRIC_NAMES

if TYPE_CHECKING:  # pandas loads only when a report is turned into a DataFrame (0.3 s of start-up)
    import pandas as pd

SCORE_REPORT_SCHEMA = "2.0"
"""The score report's ``schema_version`` (its own, apart from the records' ``eventgold.SCHEMA_VERSION``).

2.0: ``extractors[].errors`` is a sample (:data:`ERROR_SAMPLE_SIZE` per level and kind) and
``extractors[].error_counts`` counts every error; 1.x reports list every error and have no counts.
"""

ERROR_SAMPLE_SIZE = 100
"""How many error items of each (level, kind) a score report's JSON keeps per extractor: the first ones,
in report order (so the sample is the same every run, and the same when a report is sampled again)."""

_LEVEL_ORDER = {level: i for i, level in enumerate(typing.get_args(ErrorLevel))}
_KIND_ORDER = {kind: i for i, kind in enumerate(typing.get_args(ErrorKind))}
_LEVEL_KIND = attrgetter("level", "kind")


def count_errors(items: typing.Iterable[ErrorItem]) -> dict[str, dict[str, int]]:
    """How many of ``items`` there are of each level and kind: level -> kind -> count.

    Levels in the order mention, trigger, argument, coder; kinds in the order
    missed, spurious, boundary, wrong_type, boundary_and_type, wrong_role.
    """
    # an ErrorList counts without building its items; others are counted in C (hundreds of thousands)
    counts = items.counts() if isinstance(items, ErrorList) else Counter(map(_LEVEL_KIND, items))
    out: dict[str, dict[str, int]] = {}
    for (level, kind), n in sorted(counts.items(), key=lambda kv: (_LEVEL_ORDER[kv[0][0]], _KIND_ORDER[kv[0][1]])):
        out.setdefault(level, {})[kind] = n
    return out


def sample_errors(items: typing.Iterable[ErrorItem], size: int | None = None) -> list[ErrorItem]:
    """The first ``size`` (default :data:`ERROR_SAMPLE_SIZE`) items of each (level, kind) of ``items``, in their order.

    Sampling a sample gives it back, so a report read from JSON samples to what it holds.
    """
    if size is None:
        size = ERROR_SAMPLE_SIZE
    if isinstance(items, ErrorList):
        return items.sample(size)  # building only the items sampled
    seen: dict[tuple[str, str], int] = {}
    out: list[ErrorItem] = []
    for item in items:
        key = (item.level, item.kind)
        n = seen.get(key, 0)
        if n < size:
            seen[key] = n + 1
            out.append(item)
    return out


def _nan_from_null(value: Any) -> Any:
    return math.nan if value is None else value


Ratio = Annotated[float, BeforeValidator(_nan_from_null)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", ser_json_inf_nan="null")


class SchemeScore(_Model):
    """COR/INC/PAR/MIS/SPU counts and the ratios derived from them."""

    cor: int
    inc: int
    par: int
    mis: int
    spu: int
    actual: int
    possible: int
    precision: Ratio
    recall: Ratio
    f1: Ratio


class MentionSchemeResult(_Model):
    """One matching scheme: overall (micro) counts, per-type counts, macro averages."""

    overall: SchemeScore
    per_type: dict[str, SchemeScore]
    macro_precision: Ratio
    macro_recall: Ratio
    macro_f1: Ratio


class PRFScore(_Model):
    """tp/fp/fn and the ratios derived from them."""

    tp: int
    fp: int
    fn: int
    precision: Ratio
    recall: Ratio
    f1: Ratio


class Accuracy(_Model):
    """How many compared items were correct."""

    compared: int
    correct: int
    accuracy: Ratio


class ConfusionMatrix(_Model):
    """Rows are gold labels, columns predicted labels (over matched pairs)."""

    labels: list[str]
    matrix: list[list[int]]
    n: int
    kappa: Ratio
    """Cohen's kappa of gold vs predicted label on the matched pairs."""


class ActorScores(_Model):
    """Canonical-actor metrics (see ``eventgold.scoring.actors``)."""

    id_pairs: int
    id: Accuracy
    gold_pairs_without_id: int
    pred_pairs_without_id: int
    set: PRFScore
    set_macro_f1: Ratio
    gold_mentions_without_id: int
    pred_mentions_without_id: int


class EventScores(_Model):
    """ACE-style event metrics (see ``eventgold.scoring.events``)."""

    trigger_id: PRFScore
    trigger_cls: PRFScore
    arg_id: PRFScore
    arg_cls: PRFScore
    trigger_cls_per_type: dict[str, PRFScore]
    trigger_cls_macro_f1: Ratio
    arg_cls_per_role: dict[str, PRFScore] = Field(default_factory=dict)
    """Argument classification per role (the ontology's roles, in its order; roles it does not know after)."""
    mode: Accuracy
    context: Accuracy
    context_labels: PRFScore
    gold_events_without_trigger: int
    pred_events_without_trigger: int
    gold_args_without_span: int
    pred_args_without_span: int


class Interval(_Model):
    """A percentile bootstrap confidence interval."""

    low: Ratio
    high: Ratio
    level: float
    resamples: int


class ExtractorScore(_Model):
    """Everything measured for one extractor against the gold."""

    name: str
    source: str | None = None
    docs_scored: int
    docs_predicted: int
    missing_docs: list[str] = Field(default_factory=list)
    """Gold documents the extractor gave no annotation for (scored as empty predictions)."""
    unknown_docs: list[str] = Field(default_factory=list)
    """Predicted documents that are not in the gold file (ignored)."""
    outside_selection: int = 0
    """Predicted documents in gold but outside the selected split (ignored)."""
    gold_mentions_without_span: int = 0
    pred_mentions_without_span: int = 0
    metrics: dict[str, Ratio]
    intervals: dict[str, Interval] = Field(default_factory=dict)
    type_intervals: dict[str, dict[str, Interval]] = Field(default_factory=dict)
    """F1 intervals per type: ``mention.strict`` (actor types), ``event.trigger_cls`` (event types)
    and ``event.arg_cls`` (roles)."""
    mentions: dict[str, MentionSchemeResult]
    actors: ActorScores
    events: EventScores
    coder: dict[str, PRFScore]
    confusion: dict[str, ConfusionMatrix]
    groups: dict[str, dict[str, dict[str, Ratio]]] = Field(default_factory=dict)
    """by (source, split) -> group value -> metric name -> value."""
    error_counts: dict[str, dict[str, int]] = Field(default_factory=dict)
    """Level -> kind -> how many errors of that kind there are, as read from a report's JSON.

    Empty after scoring (``errors`` then holds every item, and :meth:`error_totals`
    counts them); every JSON written has the counts (:meth:`error_totals`).
    """
    errors: list[ErrorItem] = Field(default_factory=list)
    """The error items: after scoring every one, in report order (mention errors by document and
    offset, then trigger and argument errors document by document, then coder errors), as an
    :class:`~eventgold.scoring.error_list.ErrorList` that builds them when first read as a list.

    Serialized (``to_json``, ``model_dump``) as :meth:`error_sample` only, so a report read from
    JSON (schema 2) holds that sample here, and ``error_counts`` the totals; a schema 1.x report
    holds every item. Every item as JSONL: :meth:`ScoreReport.write_errors`.
    """
    warnings: list[str] = Field(default_factory=list)
    zero_division_in: list[str] = Field(default_factory=list)
    """Every ratio whose denominator was zero (its value is the ``zero_division`` choice)."""

    @model_validator(mode="after")
    def _sample_within_counts(self) -> ExtractorScore:
        """A report's error sample holds no more items of a level and kind than its counts say."""
        if self.error_counts:
            for level, kinds in count_errors(self.errors).items():
                for kind, n in kinds.items():
                    total = self.error_counts.get(level, {}).get(kind, 0)
                    if n > total:
                        raise ValueError(f"errors holds {n} {level} {kind} item(s) but error_counts says {total}")
        return self

    @field_serializer("error_counts")
    def _serialize_counts(self, counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        return self.error_totals()

    @field_serializer("errors", mode="wrap")
    def _serialize_sample(self, errors: list[ErrorItem], handler: SerializerFunctionWrapHandler) -> Any:
        return handler(sample_errors(errors))

    def error_totals(self) -> dict[str, dict[str, int]]:
        """Level -> kind -> number of errors: ``error_counts`` when read from a report, else counted from ``errors``."""
        return self.error_counts or count_errors(self.errors)

    def error_total(self) -> int:
        """How many errors the extractor made in all (also when ``errors`` holds a sample)."""
        return sum(n for kinds in self.error_totals().values() for n in kinds.values())

    def error_sample(self) -> list[ErrorItem]:
        """The errors a report shows and its JSON holds: the first :data:`ERROR_SAMPLE_SIZE` of each
        level and kind, in report order (every item is in :meth:`ScoreReport.write_errors`'s JSONL)."""
        return sample_errors(self.errors)

    def named_warnings(self) -> list[str]:
        """The warnings, each starting with the extractor's name (``rules: …``), as every report shows them.

        ``score`` writes them so; a report JSON from before that gets the name added here.
        """
        prefix = f"{self.name}: "
        return [w if w.startswith(prefix) else prefix + w for w in self.warnings]


class SignificanceTest(_Model):
    """A paired test of two extractors on one metric over the same documents."""

    metric: str
    a: str
    b: str
    a_value: Ratio
    b_value: Ratio
    delta: Ratio
    method: str
    rounds: int
    p_value: Ratio
    p_holm: Ratio
    """Holm-corrected over every test of the same method in this report."""


class GoldInfo(_Model):
    """What was scored against: counts of the selected gold documents and, for a gold
    version folder, its manifest and headline agreement figures."""

    documents: dict[str, int]
    """Split -> selected documents (``(none)`` for documents without a split)."""
    mentions: dict[str, int]
    """Actor type -> gold mentions in the selected documents."""
    events: dict[str, int]
    """Event type -> gold events in the selected documents."""
    version: str | None = None
    created: str | None = None
    manifest: dict[str, Any] | None = None
    """``manifest.json`` of the gold version, as written by ``gold build``."""
    agreement: dict[str, float | None] = Field(default_factory=dict)
    """Headline figures of the version's ``agreement.json`` (name -> value; None = undefined)."""


class ScoreReport(_Model):
    """The result of ``score``: per extractor metrics, intervals, errors; paired tests."""

    schema_version: str = SCORE_REPORT_SCHEMA
    """:data:`SCORE_REPORT_SCHEMA` for a new report; what the file said for one read from JSON."""
    kind: Literal["score"] = "score"
    """Tells a score report from other JSON outputs (``eventgold report`` reads it)."""
    command: str | None = None
    """The command line that produced the report (set by the CLI)."""
    gold_info: GoldInfo | None = None
    gold: str | None = None
    split: list[str] = Field(default_factory=list)
    gold_docs: int
    zero_division: str
    bootstrap: int
    seed: int
    ci_level: float
    matching: str = (
        "one-to-one, optimal: most correct pairs first, then most matched pairs "
        "(nervaluate's greedy matching gives the same counts when no span overlaps two others)"
    )
    extractors: list[ExtractorScore]
    tests: list[SignificanceTest] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    metric_names: list[str] = Field(default_factory=lambda: list(METRIC_NAMES))

    def all_warnings(self) -> list[str]:
        """The report's warnings, then every extractor's, each of those naming its extractor."""
        return [*self.warnings, *(w for e in self.extractors for w in e.named_warnings())]

    def extractor(self, name: str) -> ExtractorScore:
        """The scores of the extractor called ``name``."""
        for e in self.extractors:
            if e.name == name:
                return e
        raise KeyError(f"no extractor {name!r}; have {', '.join(e.name for e in self.extractors)}")

    def metric(self, name: str, extractor: str | None = None) -> float:
        """The value of flat metric ``name`` (for the only or the named extractor)."""
        ex = self.extractor(extractor) if extractor else self.extractors[0]
        return ex.metrics[name]

    def to_pandas(self) -> pd.DataFrame:
        """One row per (extractor, metric): value and confidence interval where computed."""
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for e in self.extractors:
            for name, value in e.metrics.items():
                ci = e.intervals.get(name)
                rows.append(
                    {
                        "extractor": e.name,
                        "metric": name,
                        "value": value,
                        "ci_low": ci.low if ci else math.nan,
                        "ci_high": ci.high if ci else math.nan,
                    }
                )
        return pd.DataFrame(rows, columns=["extractor", "metric", "value", "ci_low", "ci_high"])

    def to_json(self) -> str:
        """The canonical JSON form (NaN as null; per extractor the error counts and sample, not every error).

        Encoded once by pydantic-core, indented by two spaces, non-ASCII characters as they are.
        """
        return self.model_dump_json(indent=2)

    def error_lines(self) -> Iterator[bytes]:
        """Every error item of every extractor as one JSON line (UTF-8, ending in a newline).

        Each line is the item's JSON (the fields of ``extractors[].errors`` in the report)
        after an ``extractor`` field naming whose error it is; extractors in report order,
        items in report order. A report read from JSON gives the items it holds (schema 2: the sample).
        """
        for ex in self.extractors:
            head = b'{"extractor":' + _STR_JSON.dump_json(ex.name) + b","
            dump = ErrorItem.__pydantic_serializer__.to_json
            errors = ex.errors
            for chunk in errors.chunks() if isinstance(errors, ErrorList) else (errors,):  # built a chunk at a time
                for item in chunk:
                    yield head + dump(item)[1:] + b"\n"

    def write_errors(self, path: str | Path) -> int:
        """Write :meth:`error_lines` to ``path`` atomically (JSONL); return how many items were written.

        Raises:
            OSError: the file cannot be written (nothing is left at ``path`` then).
            ConfigError: ``path`` is a folder or a link to one.
        """
        n = 0
        with atomic_open(path, "wb") as fh:
            chunk: list[bytes] = []
            for line in self.error_lines():
                chunk.append(line)
                if len(chunk) == 4096:
                    fh.write(b"".join(chunk))
                    n += len(chunk)
                    chunk.clear()
            fh.write(b"".join(chunk))
            n += len(chunk)
        return n


_STR_JSON: TypeAdapter[str] = TypeAdapter(str)
