"""Per-document, per-type mention counts: what per-type confidence intervals resample."""

from __future__ import annotations

import numpy as np
import pytest

from eventgold.models import Mention
from eventgold.scoring.inputs import load_gold, load_predictions
from eventgold.scoring.mentions import SCHEME_NAMES, build_rows, counts_by_doc_type, row_counts, score_mentions

from .report_fixtures import FIXTURE, score_report


def test_per_document_type_counts_sum_to_the_per_type_counts() -> None:
    gold = load_gold(FIXTURE)
    preds = {a.doc_id: a for a in load_predictions(FIXTURE / "pred_tagger.jsonl").annotations}
    codes: dict[str, int] = {}
    g = build_rows([d.mentions for d in gold], codes)
    p = build_rows([preds[d.doc_id].mentions if d.doc_id in preds else [] for d in gold], codes)
    names = sorted(codes, key=codes.__getitem__)
    ms = score_mentions(g, p, len(gold), names)
    for scheme in SCHEME_NAMES:
        per_doc_type = ms.per_doc_type[scheme]
        assert per_doc_type.shape == (len(gold), len(names), 5)
        summed = per_doc_type.sum(axis=0)
        for t, counts in ms.per_type[scheme].items():
            assert row_counts(summed[codes[t]]) == counts
        assert (per_doc_type >= 0).all()


def test_counts_by_doc_type_of_nothing_is_zero() -> None:
    empty = build_rows([[], []], {})
    ms = score_mentions(empty, empty, 2, ["PERSON"])
    assert counts_by_doc_type(ms.matchings["exact"], empty.table, empty.table, 2, 1, False).shape == (2, 1, 5)
    assert not np.any(ms.per_doc_type["strict"])


def test_every_listed_type_has_an_interval() -> None:
    report = score_report()
    for e in report.extractors:
        assert set(e.type_intervals["mention.strict"]) == set(e.mentions["strict"].per_type)
        assert set(e.type_intervals.get("event.trigger_cls", {})) == set(e.events.trigger_cls_per_type)
        for family in e.type_intervals.values():
            for ci in family.values():
                assert 0.0 <= ci.low <= ci.high <= 1.0 and ci.resamples == report.bootstrap


def _reference_rows(docs: list[list[Mention]], codes: dict[str, int]) -> tuple[list[list[int]], list[Mention]]:
    """The span table row by row, as a plain loop builds it (what build_rows must equal)."""
    rows: list[list[int]] = []
    kept: list[Mention] = []
    for i, ms in enumerate(docs):
        for mention in ms:
            if mention.start is None:
                continue
            code = codes.setdefault(mention.type, len(codes))
            rows.append([i, mention.start, mention.end or 0, code])
            kept.append(mention)
    return rows, kept


def _span(mid: str, type_: str, start: int) -> Mention:
    return Mention(id=mid, type=type_, start=start, end=start + 3)


def _no_span(mid: str, type_: str) -> Mention:
    return Mention(id=mid, type=type_, text="Iran")


@pytest.mark.parametrize(
    ("docs", "known"),
    [
        ([], {}),
        ([[], []], {"PERSON": 0}),
        ([[_span("a", "STATE", 0), _span("b", "PERSON", 5)], [], [_span("c", "STATE", 2)]], {}),
        ([[_span("a", "STATE", 0)], [_span("b", "GROUP", 5)]], {"PERSON": 0, "STATE": 1}),
        # a type seen first on a mention without offsets gets its code where a mention with offsets has it
        ([[_no_span("n", "GROUP"), _span("a", "STATE", 0)], [_span("b", "GROUP", 1), _no_span("o", "PERSON")]], {}),
        ([[_no_span("n", "GROUP")], [_no_span("o", "STATE")]], {"PERSON": 0}),
    ],
    ids=["no-docs", "empty-docs", "new-codes", "known-codes", "without-offsets", "only-without-offsets"],
)
def test_build_rows_equals_a_plain_loop(docs: list[list[Mention]], known: dict[str, int]) -> None:
    codes, expected_codes = dict(known), dict(known)
    rows = build_rows(docs, codes)
    expected, kept = _reference_rows(docs, expected_codes)
    assert list(codes.items()) == list(expected_codes.items())
    assert rows.mentions == kept
    table = rows.table
    got = np.stack([table.doc, table.start, table.end, table.type], axis=1).tolist() if len(table) else []
    assert got == expected
    assert all(a.dtype == np.int64 for a in (table.doc, table.start, table.end, table.type))
