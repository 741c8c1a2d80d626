"""Per-document, per-type mention counts: what per-type confidence intervals resample."""

from __future__ import annotations

import numpy as np

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
