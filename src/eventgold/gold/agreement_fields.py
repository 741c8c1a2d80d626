"""Agreement on categorical fields of aligned units, and the units annotators disagree on.

The parts of :func:`eventgold.gold.agreement.compute_agreement` that read the
aligned units' values (:data:`FIELDS`): Cohen's, Fleiss' kappa and
Krippendorff's alpha per field (:func:`field_agreement`, computed on integer
codes by :mod:`eventgold.gold.stats`) and the disagreement list
(:func:`disagreements`). The values are read once per kind (:func:`field_rows`).
"""

from __future__ import annotations

import statistics
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from eventgold.evaluation.error_items import snippet
from eventgold.gold.agreement_counts import (
    NONE_VALUE,
    AgreementDoc,
    Disagreement,
    FieldAgreement,
    PairKappa,
)
from eventgold.gold.stats import cohen_kappa_codes, fleiss_kappa_codes, krippendorff_alpha_codes
from eventgold.gold.units import AlignedUnit, Kind

FIELDS: dict[Kind, tuple[str, ...]] = {
    "mention": ("actor_type", "canonical_id"),
    "event": ("event_type", "mode"),
}
T = TypeVar("T")


def quietly(call: Callable[[], T], context: str, sink: list[str]) -> T:
    """``call()``, its warnings appended to ``sink`` as lines naming ``context`` (:func:`in_context`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    sink.extend(in_context(context, str(w.message)) for w in caught)
    return result


def in_context(context: str, message: str) -> str:
    """``field: Krippendorff's alpha is undefined: …`` — the statistic named once, not twice.

    ``context`` names the field and the statistic (``event_type: Cohen's kappa a / b``); a
    message that starts with that statistic (``Cohen's kappa is undefined: …``) continues it.
    """
    statistic, sep, rest = message.partition(" is ")
    if sep and statistic and statistic in context:
        return f"{context} is {rest}"
    return f"{context}: {message}"


def _mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None; None when there is none."""
    defined = [v for v in values if v is not None]
    return statistics.fmean(defined) if defined else None


@dataclass
class FieldTable:
    """Each aligned unit of one kind (documents in order) with its members' values of ``FIELDS[kind]``.

    ``rows`` hold (document, unit, annotator -> values); ``codes[i]`` is field ``i``
    as an annotators x units array of integer codes (-1: the annotator lacks the
    unit); ``members`` and ``annotators`` count, per unit, the annotators who have
    it and the annotators of its document.
    """

    rows: list[tuple[AgreementDoc, AlignedUnit, dict[str, tuple[str, ...]]]]
    names: list[str]
    codes: list[NDArray[np.int64]]
    members: NDArray[np.int64]
    annotators: NDArray[np.int64]

    def differs(self) -> NDArray[np.bool_]:
        """Per unit: whether an annotator of its document lacks it, or its members give a field two values."""
        out = self.members != self.annotators
        for matrix in self.codes:
            present = matrix >= 0
            high = np.where(present, matrix, -1).max(axis=0, initial=-1)
            low = np.where(present, matrix, np.iinfo(np.int64).max).min(axis=0, initial=np.iinfo(np.int64).max)
            out |= present.any(axis=0) & (high != low)
        return out


FieldRows = FieldTable
"""What :func:`field_rows` gives."""


def field_rows(docs: Sequence[AgreementDoc], kind: Kind) -> FieldTable:
    """Every aligned unit of ``kind`` with each member's values of ``FIELDS[kind]`` (:func:`field_value`)."""
    second = "canonical_id" if kind == "mention" else "mode"  # FIELDS[kind]: the type, then this
    names = sorted({name for doc in docs for name in doc.annotations})
    rater = {name: i for i, name in enumerate(names)}
    rows: list[tuple[AgreementDoc, AlignedUnit, dict[str, tuple[str, ...]]]] = []
    index: dict[str, int] = {}
    raters: list[int] = []
    firsts: list[int] = []
    seconds: list[int] = []
    members: list[int] = []
    annotators: list[int] = []
    for doc in docs:
        records = doc.records
        count = len(doc.annotations)
        for unit in doc.units[kind]:
            values: dict[str, tuple[str, ...]] = {}
            for name, item in unit.members.items():
                record = records[name][item.record_id] if name in records else doc.record(item)
                value = getattr(record, second, None) or NONE_VALUE
                values[name] = (item.label, value)
                raters.append(rater[name])
                firsts.append(index.setdefault(item.label, len(index)))
                seconds.append(index.setdefault(value, len(index)))
            rows.append((doc, unit, values))
            members.append(len(values))
            annotators.append(count)
    sizes = np.asarray(members, dtype=np.int64)
    where = (np.asarray(raters, dtype=np.int64), np.repeat(np.arange(len(rows)), sizes))
    codes: list[NDArray[np.int64]] = []
    for column in (firsts, seconds):
        matrix = np.full((len(names), len(rows)), -1, dtype=np.int64)
        matrix[where] = column
        codes.append(matrix)
    return FieldTable(rows, names, codes, sizes, np.asarray(annotators, dtype=np.int64))


def field_agreement(
    docs: Sequence[AgreementDoc], kind: Kind, field: str, sink: list[str], rows: FieldTable | None = None
) -> FieldAgreement:
    """Cohen (per pair), Fleiss (units every annotator has) and alpha (all) on one field.

    ``rows`` are :func:`field_rows` of ``docs`` and ``kind`` when already built.
    """
    table_of = rows if rows is not None else field_rows(docs, kind)
    names = table_of.names
    rater = {name: i for i, name in enumerate(names)}
    matrix = table_of.codes[FIELDS[kind].index(field)]
    members = table_of.members
    units = table_of.rows
    # raters of a unit every annotator of its task has (else 0)
    complete = np.where((table_of.annotators >= 2) & (members == table_of.annotators), members, 0)
    cohen = []
    for a, b in combinations(names, 2):
        first, second = matrix[rater[a]], matrix[rater[b]]
        both = (first >= 0) & (second >= 0)
        count = int(np.count_nonzero(both))
        if not count:
            continue
        kappa = quietly(
            partial(cohen_kappa_codes, first[both], second[both]), f"{field}: Cohen's kappa {a} / {b}", sink
        )
        cohen.append(PairKappa(a=a, b=b, units=count, kappa=kappa))
    fleiss: float | None = None
    raters = fleiss_units = 0
    sizes = np.bincount(complete)
    if len(sizes) > 2 and sizes[2:].any():
        # the most common number of raters among complete units (ties: the larger number)
        raters = max(range(2, len(sizes)), key=lambda n: (int(sizes[n]), n))
        fleiss_units = int(sizes[raters])
        chosen = matrix[:, complete == raters].T
        table = chosen[chosen >= 0].reshape(fleiss_units, raters)  # each unit's codes, rater order
        fleiss = quietly(partial(fleiss_kappa_codes, table), f"{field}: Fleiss' kappa", sink)
    else:
        sink.append(f"{field}: Fleiss' kappa undefined — no unit was labelled by every annotator of its task")
    alpha = quietly(partial(krippendorff_alpha_codes, matrix), f"{field}: Krippendorff's alpha", sink)
    pairable = int(np.count_nonzero(members >= 2))
    return FieldAgreement(
        field=field,
        kind=kind,
        units=len(units),
        cohen=cohen,
        cohen_mean=_mean(k.kappa for k in cohen),
        fleiss=fleiss,
        fleiss_units=fleiss_units,
        fleiss_raters=raters,
        alpha=alpha,
        alpha_units=pairable,
    )


def _unit_text(doc: AgreementDoc, unit: AlignedUnit) -> str | None:
    if doc.text is not None and unit.start is not None and unit.end is not None:
        return doc.text[unit.start : unit.end]
    return None


def disagreements(docs: Sequence[AgreementDoc], rows: Mapping[Kind, FieldTable] | None = None) -> list[Disagreement]:
    """Aligned units on which the annotators of a task differ (presence or a field).

    ``rows`` are :func:`field_rows` of ``docs`` per kind when already built.
    """
    out = []
    by_kind = rows or {}
    tables = {kind: by_kind.get(kind) or field_rows(docs, kind) for kind in ("mention", "event")}
    differs = {kind: table.differs().tolist() for kind, table in tables.items()}
    position = {"mention": 0, "event": 0}  # each document's units are the next rows of its kind's table
    for doc in docs:
        names = sorted(doc.annotations)
        for kind in ("mention", "event"):
            fields = FIELDS[kind]
            first = position[kind]
            position[kind] = first + len(doc.units[kind])
            if len(names) < 2:
                continue
            flags = differs[kind]
            for row in range(first, position[kind]):
                if not flags[row]:
                    continue  # every annotator has the unit, with the same values
                _, unit, given = tables[kind].rows[row]
                values: dict[str, dict[str, str] | None] = {}
                for name in names:
                    found = given.get(name)
                    values[name] = None if found is None else dict(zip(fields, found, strict=True))
                listed = [] if len(given) == len(names) else ["presence"]
                listed += [f for i, f in enumerate(fields) if len({v[i] for v in given.values()}) > 1]
                if listed:
                    out.append(
                        Disagreement(
                            doc_id=doc.doc_id,
                            kind=kind,
                            start=unit.start,
                            end=unit.end,
                            text=_unit_text(doc, unit),
                            snippet=snippet(doc.text, unit.start, unit.end) if doc.text is not None else None,
                            fields=listed,
                            values=values,
                        )
                    )
    return out
