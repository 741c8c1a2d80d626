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
from operator import itemgetter
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
from eventgold.gold.units import AlignedUnit, Item, Kind

FIELDS: dict[Kind, tuple[str, ...]] = {
    "mention": ("actor_type", "canonical_id"),
    "event": ("event_type", "mode"),
}
T = TypeVar("T")
_annotator = itemgetter(0)
_label = itemgetter(2)


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

    ``rows`` hold (document, unit) and ``doc`` the document's position in the ``docs``
    the table was built from; ``codes[i]`` is field ``i`` as an annotators x units array
    of integer codes (-1: the annotator lacks the unit), ``values[code]`` the value a
    code stands for; ``members`` and ``annotators`` count, per unit, the annotators who
    have it and the annotators of its document.
    """

    rows: list[tuple[AgreementDoc, AlignedUnit]]
    names: list[str]
    codes: list[NDArray[np.int64]]
    members: NDArray[np.int64]
    annotators: NDArray[np.int64]
    doc: NDArray[np.int64]
    values: list[str]

    def field_differs(self) -> list[NDArray[np.bool_]]:
        """Per field, per unit: whether the unit's members give the field two values."""
        out = []
        for matrix in self.codes:
            present = matrix >= 0
            high = np.where(present, matrix, -1).max(axis=0, initial=-1)
            low = np.where(present, matrix, np.iinfo(np.int64).max).min(axis=0, initial=np.iinfo(np.int64).max)
            out.append(present.any(axis=0) & (high != low))
        return out

    def differs(self) -> NDArray[np.bool_]:
        """Per unit: whether an annotator of its document lacks it, or its members give a field two values."""
        out = self.members != self.annotators
        for flags in self.field_differs():
            out |= flags
        return out


FieldRows = FieldTable
"""What :func:`field_rows` gives."""


def field_rows(docs: Sequence[AgreementDoc], kind: Kind) -> FieldTable:
    """Every aligned unit of ``kind`` with each member's values of ``FIELDS[kind]`` (:func:`field_value`)."""
    second = "canonical_id" if kind == "mention" else "mode"  # FIELDS[kind]: the type, then this
    names = sorted({name for doc in docs for name in doc.annotations})
    rater = {name: i for i, name in enumerate(names)}
    rows: list[tuple[AgreementDoc, AlignedUnit]] = []
    items: list[Item] = []  # every unit's members, units in order
    values: list[str] = []  # their values of the second field
    members: list[int] = []
    annotators: list[int] = []
    positions: list[int] = []
    for position, doc in enumerate(docs):
        units = doc.units[kind]
        start = len(items)
        for unit in units:
            items.extend(unit.members.values())
            members.append(len(unit.members))
        records = doc.records
        values += [
            getattr(records[item[0]][item[5]] if item[0] in records else doc.record(item), second, None) or NONE_VALUE
            for item in items[start:]
        ]
        rows += [(doc, unit) for unit in units]
        annotators += [len(doc.annotations)] * len(units)
        positions += [position] * len(units)
    labels = list(map(_label, items))
    index: dict[str, int] = {}
    for value in (*dict.fromkeys(labels), *dict.fromkeys(values)):
        index.setdefault(value, len(index))
    sizes = np.asarray(members, dtype=np.int64)
    where = (
        np.asarray([rater[name] for name in map(_annotator, items)], dtype=np.int64),
        np.repeat(np.arange(len(rows)), sizes),
    )
    codes: list[NDArray[np.int64]] = []
    for column in (labels, values):
        matrix = np.full((len(names), len(rows)), -1, dtype=np.int64)
        matrix[where] = np.asarray(list(map(index.__getitem__, column)), dtype=np.int64)
        codes.append(matrix)
    return FieldTable(
        rows,
        names,
        codes,
        sizes,
        np.asarray(annotators, dtype=np.int64),
        np.asarray(positions, dtype=np.int64),
        list(index),
    )


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

    ``rows`` are :func:`field_rows` of ``docs`` per kind when already built. Units come
    document by document, each document's mentions, then its events, in unit order.
    """
    by_kind = rows or {}
    kinds: tuple[Kind, Kind] = ("mention", "event")
    tables = [by_kind.get(kind) or field_rows(docs, kind) for kind in kinds]
    # the flagged units of both kinds, in (document, kind, unit) order
    chosen = [np.flatnonzero(t.differs() & (t.annotators >= 2)) for t in tables]
    which = np.concatenate([np.full(len(c), k, dtype=np.int64) for k, c in enumerate(chosen)])
    where = np.concatenate(chosen)
    order = np.lexsort((where, which, np.concatenate([t.doc[c] for t, c in zip(tables, chosen, strict=True)])))
    flags = []  # per kind: rows -> (presence, field 0 differs, field 1 differs, codes of field 0, of field 1)
    for table, picked in zip(tables, chosen, strict=True):
        differing = table.field_differs()
        flags.append(
            {
                row: parts
                for row, *parts in zip(
                    picked.tolist(),
                    (table.members[picked] != table.annotators[picked]).tolist(),
                    differing[0][picked].tolist(),
                    differing[1][picked].tolist(),
                    table.codes[0][:, picked].T.tolist(),
                    table.codes[1][:, picked].T.tolist(),
                    strict=True,
                )
            }
        )
    raters = [{name: i for i, name in enumerate(t.names)} for t in tables]
    out = []
    for k, row in zip(which[order].tolist(), where[order].tolist(), strict=True):
        table = tables[k]
        first_field, second_field = FIELDS[kinds[k]]
        strings = table.values
        rater = raters[k]
        doc, unit = table.rows[row]
        presence, first_differs, second_differs, first, second = flags[k][row]
        values: dict[str, dict[str, str] | None] = {}
        for name in sorted(doc.annotations):
            r = rater[name]
            values[name] = (
                None if first[r] < 0 else {first_field: strings[first[r]], second_field: strings[second[r]]}
            )
        listed = ["presence"] if presence else []
        if first_differs:
            listed.append(first_field)
        if second_differs:
            listed.append(second_field)
        out.append(
            Disagreement(
                doc_id=doc.doc_id,
                kind=kinds[k],
                start=unit.start,
                end=unit.end,
                text=_unit_text(doc, unit),
                fields=listed,
                values=values,
                snippet=snippet(doc.text, unit.start, unit.end) if doc.text is not None else None,
            )
        )
    return out
