"""score(): the fixture's numbers, alignment reports, errors, confusion/kappa vs scikit-learn."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score
from sklearn.metrics import confusion_matrix as sk_confusion

from eventgold.errors import RecordError, UserError
from eventgold.evaluation.counts import Warnings
from eventgold.models import DocumentAnnotation, Mention, Origin
from eventgold.scoring.api import confusion_matrix, score
from eventgold.scoring.inputs import load_gold, load_predictions
from eventgold.scoring.metrics import METRIC_NAMES
from eventgold.scoring.report import ScoreReport

FIXTURE = Path(__file__).resolve().parents[2] / "samples" / "fixture"
ORIGIN = Origin(kind="extractor", name="x")


@pytest.fixture(scope="module")
def gold():
    return load_gold(FIXTURE)


@pytest.fixture(scope="module")
def preds():
    return {
        p.name: p.annotations
        for p in (
            load_predictions(FIXTURE / "pred_tagger.jsonl"),
            load_predictions(FIXTURE / "pred_coder.jsonl"),
        )
    }


def test_one_split_may_be_named_by_a_plain_string(gold, preds) -> None:
    as_string = score(gold, preds, split="test", bootstrap=0)
    as_list = score(gold, preds, split=["test"], bootstrap=0)
    assert as_string.split == ["test"]
    assert as_string.model_dump_json() == as_list.model_dump_json()


def test_fixture_numbers_by_hand(gold, preds) -> None:
    r = score(gold, preds, split=["test"], bootstrap=0)
    t = r.extractor("tagger")
    # 12 gold mentions in the test docs; tagger: 7 exact+type, 2 wrong type, 1 boundary, 1 spurious
    s = t.mentions["strict"].overall
    assert (s.cor, s.inc, s.par, s.mis, s.spu) == (7, 3, 0, 2, 1)
    p = t.mentions["partial"].overall
    assert (p.cor, p.par) == (9, 1) and p.f1 == pytest.approx(2 * 9.5 / (11 + 12))
    # triggers: gold met, troop reduction, visit, warning, rocket attacks; tagger met, withdrawing,
    # visit, rocket attacks
    assert (t.events.trigger_cls.tp, t.events.trigger_cls.fp, t.events.trigger_cls.fn) == (3, 1, 2)
    assert t.metrics["event.trigger_cls.f1"] == pytest.approx(6 / 9)
    # coder tuples: test docs have 5 gold events; coder gets CONSULT and RETREAT of doc 000 and
    # ASSAULT of doc 002 (CONSULT recipient differs)
    c = r.extractor("coder").coder["tuple"]
    assert (c.tp, c.fp, c.fn) == (3, 1, 2)
    assert r.extractor("coder").unknown_docs == ["999_not_in_gold"]
    assert r.extractor("coder").outside_selection == 1
    # 9 same-boundary pairs; Baghdad has no predicted id; Washington: USA vs us_washington
    assert (t.actors.id_pairs, t.actors.pred_pairs_without_id) == (9, 1)
    assert (t.actors.id.compared, t.actors.id.correct) == (8, 7)


def test_missing_documents_are_scored_empty_and_reported(gold, preds) -> None:
    r = score(gold, preds, bootstrap=0)
    t = r.extractor("tagger")
    assert t.missing_docs == ["004_7e88fb271410e547"]
    assert t.mentions["strict"].overall.mis == 2 + 4
    assert any("no prediction" in w for w in t.warnings)


def test_perfect_prediction_scores_one(gold) -> None:
    pred = [
        DocumentAnnotation(doc_id=g.doc_id, origin=ORIGIN, mentions=g.mentions, events=g.events)
        for g in gold
    ]
    r = score(gold, {"self": pred}, bootstrap=50)
    for name in (
        "mention.strict.f1",
        "mention.partial.f1",
        "event.trigger_cls.f1",
        "event.arg_cls.f1",
        "coder.tuple.f1",
        "actor.set.f1",
        "actor.id.accuracy",
        "actor_type.kappa",
    ):
        assert r.metric(name) == 1.0, name
    assert r.extractors[0].intervals["mention.strict.f1"].low == 1.0
    assert r.extractors[0].errors == []


def test_document_order_does_not_matter(gold, preds) -> None:
    a = score(gold, preds, bootstrap=0)
    b = score(list(reversed(gold)), {k: list(reversed(v)) for k, v in preds.items()}, bootstrap=0)
    for x, y in zip(a.extractors, b.extractors, strict=True):
        assert x.metrics == pytest.approx(y.metrics)


def test_offsets_outside_text_name_document_and_unit(gold) -> None:
    bad = DocumentAnnotation(
        doc_id=gold[0].doc_id,
        origin=ORIGIN,
        mentions=[Mention(id="far", type="STATE", start=10**6, end=10**6 + 2)],
    )
    with pytest.raises(RecordError) as err:
        score(gold, {"x": [bad]}, bootstrap=0)
    assert gold[0].doc_id in str(err.value) and "far" in str(err.value)


def test_duplicate_prediction_documents_are_an_error(gold) -> None:
    ann = DocumentAnnotation(doc_id=gold[0].doc_id, origin=ORIGIN)
    with pytest.raises(RecordError, match="twice"):
        score(gold, {"x": [ann, ann]}, bootstrap=0)


@pytest.mark.parametrize("kwargs", [{"zero_division": "2"}, {"by": ["color"]}, {"split": ["nope"]}])
def test_bad_arguments(gold, preds, kwargs) -> None:
    with pytest.raises(UserError):
        score(gold, preds, bootstrap=0, **kwargs)


@pytest.mark.parametrize(
    ("zd", "check"), [("0", lambda v: v == 0.0), ("1", lambda v: v == 1.0), ("nan", math.isnan)]
)
def test_zero_division_policy_is_explicit(gold, zd, check) -> None:
    empty = [DocumentAnnotation(doc_id=g.doc_id, origin=ORIGIN) for g in gold]
    r = score(gold, {"empty": empty}, bootstrap=0, zero_division=zd)
    assert check(r.metric("mention.strict.precision"))
    assert r.metric("mention.strict.recall") == 0.0
    assert "mention.strict precision" in r.extractors[0].zero_division_in
    assert any("--zero-division" in w for w in r.extractors[0].warnings)


def test_confusion_and_kappa_equal_sklearn() -> None:
    pairs = [("A", "A"), ("A", "B"), ("B", "B"), ("C", "B"), ("C", "C"), ("A", "A"), ("B", "A")]
    cm = confusion_matrix(pairs, "0", "t", Warnings())
    g, p = zip(*pairs, strict=True)
    assert cm.matrix == sk_confusion(g, p, labels=cm.labels).tolist()
    assert cm.kappa == pytest.approx(cohen_kappa_score(g, p))


def test_report_json_round_trip_and_pandas(gold, preds) -> None:
    r = score(gold, preds, bootstrap=100, by=["split", "source"], zero_division="nan")
    data = json.loads(r.to_json())
    assert data["schema_version"]
    back = ScoreReport.model_validate(data)
    assert back.extractors[0].metrics.keys() == r.extractors[0].metrics.keys()
    df = r.to_pandas()
    assert set(df["metric"]) == set(METRIC_NAMES)
    assert set(r.extractors[0].groups) == {"split", "source"}
    assert {t.method for t in r.tests} == {"paired_bootstrap", "approximate_randomization"}
    assert all(t.p_holm >= t.p_value for t in r.tests)


def test_bootstrap_is_seeded(gold, preds) -> None:
    a = score(gold, preds, bootstrap=100, seed=5)
    b = score(gold, preds, bootstrap=100, seed=5)
    assert a.extractors[0].intervals == b.extractors[0].intervals
