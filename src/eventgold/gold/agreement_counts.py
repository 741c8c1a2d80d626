"""Span match counts for :mod:`eventgold.gold.agreement` (moved out of it; re-exported there).

:class:`Counts` and :class:`PairCounts` are the count types of an agreement
report; :func:`match_spans` counts typed span matches between two annotators; the
figure types (:class:`SpanAgreement` ... :class:`Disagreement`) are the parts of
an :class:`~eventgold.gold.agreement.AgreementReport`.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from eventgold.gold.units import Item, Kind

Matching = Literal["strict", "overlap"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


def f1_from_counts(tp: int, fp: int, fn: int) -> float | None:
    """F1 = 2tp / (2tp + fp + fn); None when nothing was marked by either side."""
    denominator = 2 * tp + fp + fn
    return None if denominator == 0 else 2 * tp / denominator


class Counts(_Out):
    """Match counts; for a pair of annotators ``fp`` is "only a", ``fn`` "only b"."""

    # the derived ratios appear in JSON; reading it back recomputes them
    model_config = ConfigDict(extra="ignore")

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Add another count in place."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @computed_field  # type: ignore[prop-decorator]
    @property
    def precision(self) -> float | None:
        """tp / (tp + fp); None when fp and tp are 0."""
        return None if self.tp + self.fp == 0 else self.tp / (self.tp + self.fp)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recall(self) -> float | None:
        """tp / (tp + fn); None when fn and tp are 0."""
        return None if self.tp + self.fn == 0 else self.tp / (self.tp + self.fn)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def f1(self) -> float | None:
        """2tp / (2tp + fp + fn); None when all counts are 0."""
        return f1_from_counts(self.tp, self.fp, self.fn)


class PairCounts(_Out):
    """Counts between annotators ``a`` and ``b`` over the documents both annotated."""

    a: str
    b: str
    documents: int
    counts: Counts
    per_label: dict[str, Counts] = Field(default_factory=dict)


class SpanAgreement(_Out):
    """Pairwise span F1 for one kind of span and one matching scheme."""

    kind: Kind
    matching: Matching
    pairs: list[PairCounts]
    macro_f1: float | None
    per_label: dict[str, float | None]
    """Label -> mean over pairs of that label's F1 (pairs where it is defined)."""


class PairKappa(_Out):
    """Cohen's kappa of one pair on the units both annotators have."""

    a: str
    b: str
    units: int
    kappa: float | None


class FieldAgreement(_Out):
    """Chance-corrected agreement on one categorical field of aligned units."""

    field: str
    kind: Kind
    units: int
    cohen: list[PairKappa]
    cohen_mean: float | None
    fleiss: float | None
    fleiss_units: int
    fleiss_raters: int
    alpha: float | None
    alpha_units: int
    """Units with at least two values (pairable)."""


class RoleF1(Counts):
    """One role's agreement on matched triggers over all annotator pairs.

    ``tp`` / ``fp`` / ``fn`` (both / only a / only b) are the role's
    (trigger, role, argument) triples summed over the pairs, and ``f1`` the F1
    of those sums (pooled); ``macro_f1`` is the mean of the pairs' F1s, like
    :attr:`RoleAgreement.macro_f1`. With two annotators the two are equal.
    """

    pairs: int = 0
    """Annotator pairs where the role's F1 is defined (either annotator gave the role on a matched trigger)."""
    macro_f1: float | None = None
    """Mean over those pairs of the role's F1 (None when there is none)."""


class RoleAgreement(_Out):
    """Pairwise F1 of (trigger, role, argument) triples on matched triggers, overall and per role.

    Each pair's ``per_label`` holds its counts per role.
    """

    pairs: list[PairCounts]
    macro_f1: float | None
    per_role: dict[str, RoleF1] = Field(default_factory=dict)
    """Role -> its agreement, roles in the ontology's order (reports written before it have none)."""


class AnnotatorStats(_Out):
    """What Label Studio Community does not tell about an annotator."""

    name: str
    tasks: int
    """Tasks annotated, each (annotator, task) once, from the annotator's latest annotation."""
    cancelled: int
    superseded: int = 0
    """Earlier annotations (or copies) of a task the annotator annotated again later; not counted as tasks."""
    median_lead_time: float | None
    """Median lead time of the kept annotations (seconds)."""
    with_others: Counts
    with_gold: Counts | None = None
    gold_documents: int = 0


class Disagreement(_Out):
    """One aligned unit on which the annotators of a task differ."""

    doc_id: str
    kind: Kind
    start: int | None
    end: int | None
    text: str | None
    fields: list[str]
    """``presence`` (not every annotator has the unit) and/or differing field names."""
    values: dict[str, dict[str, str] | None]
    """Annotator -> field values, None when the annotator does not have the unit."""
    snippet: str | None = None
    """The text around the unit, the unit itself between ``[[`` and ``]]`` (when the article is known)."""


# ---------------------------------------------------------------------------
# span matching
# ---------------------------------------------------------------------------


def _spans(items: Iterable[Item]) -> list[Item]:
    return [it for it in items if it.has_span]


def match_spans(a: Sequence[Item], b: Sequence[Item], matching: Matching) -> dict[str, Counts]:
    """Per-label counts of typed span matches between two annotators' items of one document.

    ``strict``: identical offsets and label (multiset). ``overlap``: overlapping
    offsets and the same label, one-to-one, greedily by largest overlap (ties
    by position). Items without offsets are ignored.
    """
    a, b = _spans(a), _spans(b)
    out: dict[str, Counts] = defaultdict(Counts)
    if matching == "strict":
        ca = Counter((it.start, it.end, it.label) for it in a)
        cb = Counter((it.start, it.end, it.label) for it in b)
        for key in ca.keys() | cb.keys():
            tp = min(ca[key], cb[key])
            counts = out[key[2]]
            counts.tp += tp
            counts.fp += ca[key] - tp
            counts.fn += cb[key] - tp
        return dict(out)
    candidates = []
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            if x.label != y.label:
                continue
            overlap = min(x.end, y.end) - max(x.start, y.start)  # type: ignore[type-var,operator]
            if overlap > 0 or (x.start, x.end) == (y.start, y.end):
                candidates.append((-overlap, x.start, x.end, y.start, y.end, i, j))
    candidates.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    for *_, i, j in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        out[a[i].label].tp += 1
    for i, x in enumerate(a):
        if i not in used_a:
            out[x.label].fp += 1
    for j, y in enumerate(b):
        if j not in used_b:
            out[y.label].fn += 1
    return dict(out)


def _total(per_label: Mapping[str, Counts]) -> Counts:
    total = Counts()
    for counts in per_label.values():
        total.add(counts)
    return total


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return statistics.fmean(defined) if defined else None
