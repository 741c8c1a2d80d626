"""ErrorList: a score's errors built when first read; counts, samples and chunks equal to the built list's."""

from __future__ import annotations

import copy
import pickle
import random
from collections import Counter
from operator import itemgetter

import pytest

from eventgold.evaluation.error_items import ErrorItem, ErrorSide, ErrorSpec, error_item, unmatched_item
from eventgold.models import Mention
from eventgold.scoring.error_analysis import MentionErrors, mention_errors
from eventgold.scoring.error_list import ErrorList, Part, SpecErrors
from eventgold.scoring.mentions import MentionScores, build_rows, score_mentions
from eventgold.scoring.report import count_errors, sample_errors

from .report_fixtures import score_report

TYPES = ("PERSON", "ORG", "GPE")


def _mention_scores(seed: int, n_docs: int = 6) -> tuple[MentionScores, list[str], list[str]]:
    """Random gold and predicted mentions (overlapping, shifted, retyped, extra) over ``n_docs`` texts."""
    rnd = random.Random(seed)
    texts = ["".join(rnd.choice("ab [c]\n") for _ in range(120)) for _ in range(n_docs)]
    gold: list[list[Mention]] = []
    pred: list[list[Mention]] = []
    for d, text in enumerate(texts):
        g: list[Mention] = []
        p: list[Mention] = []
        for i in range(rnd.randint(0, 8)):
            s = rnd.randint(0, 110)
            e = s + rnd.randint(1, 9)
            g.append(Mention(id=f"g{d}-{i}", type=rnd.choice(TYPES), start=s, end=e, text=text[s:e]))
            if rnd.random() < 0.8:
                ps, pe = max(0, s + rnd.choice([0, 0, -1, 1])), e + rnd.choice([0, 0, 1])
                ptype = g[-1].type if rnd.random() < 0.7 else rnd.choice(TYPES)
                p.append(Mention(id=f"p{d}-{i}", type=ptype, start=ps, end=pe, text=text[ps:pe]))
        for i in range(rnd.randint(0, 3)):
            s = rnd.randint(0, 110)
            p.append(Mention(id=f"x{d}-{i}", type=rnd.choice(TYPES), start=s, end=s + 3, text=text[s : s + 3]))
        gold.append(g)
        pred.append(p)
    codes: dict[str, int] = {}
    g_rows, p_rows = build_rows(gold, codes), build_rows(pred, codes)
    scores = score_mentions(g_rows, p_rows, n_docs, sorted(codes, key=codes.__getitem__))
    return scores, [f"d{i}" for i in range(n_docs)], texts


def _reference_mention_errors(scores: MentionScores, doc_ids: list[str], texts: list[str]) -> list[ErrorItem]:
    """The mention errors as they were built one by one before MentionErrors (the order it keeps)."""
    gold, pred = scores.gold, scores.pred
    m = scores.matchings["strict"]
    items: list[tuple[int, int, ErrorItem]] = []
    for g, p, ok in zip(m.gold.tolist(), m.pred.tolist(), m.correct.tolist(), strict=True):
        if ok:
            continue
        gm, pm = gold.mentions[g], pred.mentions[p]
        d = int(gold.table.doc[g])
        kind = (
            "wrong_type"
            if (gm.start, gm.end) == (pm.start, pm.end)
            else "boundary"
            if gm.type == pm.type
            else "boundary_and_type"
        )
        sides = {
            "gold": ErrorSide(gm.id, gm.type, gm.start, gm.end),
            "pred": ErrorSide(pm.id, pm.type, pm.start, pm.end),
        }
        items.append((d, gm.start or 0, error_item("mention", kind, doc_ids[d], texts[d], **sides)))  # type: ignore[arg-type]
    for rows, is_gold, matched in ((gold, True, set(m.gold.tolist())), (pred, False, set(m.pred.tolist()))):
        for row, mention in enumerate(rows.mentions):
            if row not in matched:
                d = int(rows.table.doc[row])
                side = ErrorSide(mention.id, mention.type, mention.start, mention.end)
                items.append(
                    (d, mention.start or 0, unmatched_item("mention", doc_ids[d], texts[d], side, gold=is_gold))
                )
    items.sort(key=itemgetter(0, 1))
    return [item for _, _, item in items]


@pytest.mark.parametrize("seed", range(8))
def test_mention_errors_equal_the_one_by_one_build_in_order(seed: int) -> None:
    scores, doc_ids, texts = _mention_scores(seed)
    expected = _reference_mention_errors(scores, doc_ids, texts)
    deferred = MentionErrors(scores, doc_ids, texts)
    assert mention_errors(scores, doc_ids, texts) == expected
    assert deferred.keys() == [(e.level, e.kind) for e in expected]
    assert deferred.build([]) == []
    positions = list(range(0, len(expected), 3))
    assert deferred.build(positions) == [expected[i] for i in positions]


def _specs() -> list[ErrorSpec]:
    side_g, side_p = ErrorSide("g1", "ATTACK", 4, 9, "actor"), ErrorSide("p1", "ATTACK", 4, 9, "target")
    text = "The [[army]] attacked\nthe town."
    return [
        ErrorSpec("argument", "wrong_role", "d1", text, gold=side_g, pred=side_p),
        ErrorSpec.unmatched("trigger", "d1", text, ErrorSide("e1", "PROTEST", 0, 3), gold=True),
        ErrorSpec.unmatched("trigger", "d1", text, ErrorSide("e2", "PROTEST", 13, 21), gold=False),
        ErrorSpec.unmatched("coder", "d2", None, ErrorSide("e3", "ATTACK"), gold=True, detail="ATTACK: [] -> []"),
    ]


def test_error_spec_builds_what_error_item_and_unmatched_item_build() -> None:
    wrong, missed, spurious, coder = _specs()
    assert wrong.build() == error_item("argument", "wrong_role", "d1", wrong.text, gold=wrong.gold, pred=wrong.pred)
    assert missed.build() == unmatched_item("trigger", "d1", missed.text, missed.gold, gold=True)  # type: ignore[arg-type]
    assert spurious.build() == unmatched_item("trigger", "d1", spurious.text, spurious.pred, gold=False)  # type: ignore[arg-type]
    built = coder.build()
    assert built == unmatched_item("coder", "d2", None, ErrorSide("e3", "ATTACK"), gold=True, detail="ATTACK: [] -> []")
    assert built.model_fields_set == ErrorItem.model_validate(built.model_dump(exclude_unset=True)).model_fields_set


def _deferred() -> tuple[ErrorList, list[ErrorItem]]:
    scores, doc_ids, texts = _mention_scores(3)
    specs = _specs()
    built = [error_item("mention", "missed", "d9", "some text", gold=ErrorSide("m9", "ORG", 0, 4))]
    parts: list[Part] = [MentionErrors(scores, doc_ids, texts), built, SpecErrors(specs)]
    expected = [*mention_errors(scores, doc_ids, texts), *built, *(s.build() for s in specs)]
    return ErrorList.deferred(parts), expected


@pytest.mark.parametrize("size", [0, 1, 2, 100])
def test_counts_sample_and_chunks_build_nothing_else_and_equal_the_built_lists(size: int) -> None:
    errors, expected = _deferred()
    assert errors.counts() == Counter((e.level, e.kind) for e in expected)
    assert count_errors(errors) == count_errors(list(expected))
    assert sample_errors(errors, size) == sample_errors(list(expected), size)
    assert [item for chunk in errors.chunks(size or 1) for item in chunk] == expected
    assert errors.pending  # none of the above built the list
    errors.fill()
    assert not errors.pending and list.__len__(errors) == len(expected)
    assert sample_errors(errors, size) == sample_errors(list(expected), size)
    assert errors.counts() == Counter((e.level, e.kind) for e in expected)
    assert [item for chunk in errors.chunks(size or 1) for item in chunk] == expected


@pytest.mark.parametrize(
    "read",
    [
        len,
        list,
        bool,
        repr,
        lambda e: e[2],
        lambda e: e[-3:],
        lambda e: e == list(e),
        lambda e: [] + e,  # noqa: RUF005 (the operator is what is tested)
        lambda e: e + [],  # noqa: RUF005
        lambda e: e * 2,
        lambda e: e[0] in e,
        lambda e: e.index(e[1]),
        lambda e: e.count(e[0]),
        lambda e: sorted(e, key=lambda i: i.doc_id),
        lambda e: list(reversed(e)),
        lambda e: e.copy(),
        lambda e: pickle.loads(pickle.dumps(e)),
        copy.copy,
        copy.deepcopy,
    ],
)
def test_reading_it_as_a_list_sees_every_item(read: object) -> None:
    errors, expected = _deferred()
    assert callable(read)
    assert read(errors) == read(list(expected))
    assert not errors.pending and errors == expected


def test_changing_it_changes_the_built_list() -> None:
    errors, expected = _deferred()
    extra = expected[0]
    errors.append(extra)
    assert errors == [*expected, extra]
    other, _ = _deferred()
    assert other == errors[:-1] and errors[:-1] == other  # an unbuilt list compares by its items too
    copied = pickle.loads(pickle.dumps(errors))
    assert type(copied) is ErrorList and copied == errors and not copied.pending


def test_a_scored_report_keeps_errors_unbuilt_until_read() -> None:
    report = score_report.__wrapped__()  # a fresh report: the cached one may have been read by other tests
    ex = report.extractors[0]
    assert isinstance(ex.errors, ErrorList) and ex.errors.pending
    report.to_json()
    ex.error_sample()
    ex.error_total()
    assert ex.errors.pending  # the JSON and the reports' sample and counts built only the sample
    n = len(ex.errors)
    assert not ex.errors.pending and n == ex.error_total() and ex.errors == list(ex.errors)
