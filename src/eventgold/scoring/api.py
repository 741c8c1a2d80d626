"""``score(gold, predictions)``: every metric of every extractor, as a ScoreReport.

Predictions are any iterables of DocumentAnnotation, one per extractor, so any
reader (our JSONL, PLOVER JSONL, Label Studio JSON, DocBin) can feed it.
Documents are aligned by id with the selected gold documents:

- a gold document with no prediction is scored as an empty prediction (all its
  units missed) and listed in ``missing_docs``;
- a prediction for a document that is not in the gold is ignored and listed in
  ``unknown_docs``; one for a gold document outside the selected split is
  ignored and counted in ``outside_selection``;
- a prediction whose offsets fall outside its article's text, or whose span
  text differs from the text there, is a RecordError naming document and unit.

Every warning about one extractor's predictions starts with its name
(``rules: 2 gold documents have no prediction…``), in the JSON and in every report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from eventgold.errors import RecordError, UserError
from eventgold.models import SPLITS, DocumentAnnotation, GoldDocument
from eventgold.ontology import Ontology, load_ontology
from eventgold.scoring.actors import actor_set_counts, id_accuracy
from eventgold.scoring.aligned import _align, _Aligned
from eventgold.scoring.coder import CODER_VARIANTS, score_coder_doc
from eventgold.scoring.counts import (
    ZERO_DIVISION_CHOICES,
    PRFCounts,
    SchemeCounts,
    Warnings,
    f1_from_counts,
    ratio,
)
from eventgold.scoring.error_analysis import ErrorItem, mention_errors
from eventgold.scoring.events import ACE_METRICS, EventDocResult, score_events_doc
from eventgold.scoring.flat import flat_metrics
from eventgold.scoring.mentions import SCHEME_NAMES, MentionRows, MentionScores, build_rows, score_mentions
from eventgold.scoring.report import (
    Accuracy,
    ActorScores,
    ConfusionMatrix,
    EventScores,
    ExtractorScore,
    GoldInfo,
    MentionSchemeResult,
    PRFScore,
    SchemeScore,
    ScoreReport,
    SignificanceTest,
)
from eventgold.scoring.significance import (  # noqa: F401 - moved there, re-exported here
    NONE_GROUP,
    SPECS,
    _column_specs,
    _groups,
    _Result,
    _statistics,
)

GROUP_BY: tuple[str, ...] = ("type", "source", "split")
SMALL_SAMPLE = 30
"""Fewer documents than this: resampling statistics come with a warning."""


def _scheme_score(c: SchemeCounts, partial: bool, zd: str, what: str, w: Warnings) -> SchemeScore:
    credit = c.credit(partial)
    return SchemeScore(
        cor=c.cor,
        inc=c.inc,
        par=c.par,
        mis=c.mis,
        spu=c.spu,
        actual=c.actual,
        possible=c.possible,
        precision=ratio(credit, c.actual, policy=zd, what=f"{what} precision", warnings=w),
        recall=ratio(credit, c.possible, policy=zd, what=f"{what} recall", warnings=w),
        f1=f1_from_counts(credit, c.actual, c.possible, policy=zd, what=f"{what} F1", warnings=w),
    )


def _prf(c: PRFCounts, zd: str, what: str, w: Warnings) -> PRFScore:
    return PRFScore(
        tp=c.tp,
        fp=c.fp,
        fn=c.fn,
        precision=ratio(c.tp, c.actual, policy=zd, what=f"{what} precision", warnings=w),
        recall=ratio(c.tp, c.possible, policy=zd, what=f"{what} recall", warnings=w),
        f1=f1_from_counts(c.tp, c.actual, c.possible, policy=zd, what=f"{what} F1", warnings=w),
    )


def _prf_from(tp: float, actual: float, possible: float) -> PRFCounts:
    return PRFCounts(int(tp), int(actual - tp), int(possible - tp))


def _mean(values: Sequence[float], zd: str, what: str, w: Warnings) -> float:
    if not values:
        return ratio(0, 0, policy=zd, what=what, warnings=w)
    return float(np.mean(values))


def confusion_matrix(pairs: Sequence[tuple[str, str]], zd: str, what: str, w: Warnings) -> ConfusionMatrix:
    """Gold x predicted label counts over matched pairs, with Cohen's kappa."""
    labels = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    pos = {label: i for i, label in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for g, p in pairs:
        m[pos[g], pos[p]] += 1
    n = int(m.sum())
    if n:
        po = np.trace(m) / n
        pe = float((m.sum(axis=1) * m.sum(axis=0)).sum()) / (n * n)
        kappa = ratio(po - pe, 1.0 - pe, policy=zd, what=f"{what} kappa", warnings=w)
    else:
        kappa = ratio(0, 0, policy=zd, what=f"{what} kappa", warnings=w)
    return ConfusionMatrix(labels=labels, matrix=m.tolist(), n=n, kappa=kappa)


def _per_label(
    per_doc: Sequence[Counter[tuple[str, str]]], labels: Sequence[str], family: str, zd: str, w: Warnings
) -> dict[str, PRFScore]:
    """P/R/F1 per label (event type or role) from per-document (label, tp | actual | possible) counts."""
    total: Counter[tuple[str, str]] = Counter()
    for counts in per_doc:
        total.update(counts)
    return {
        label: _prf(
            _prf_from(total[(label, "tp")], total[(label, "actual")], total[(label, "possible")]),
            zd,
            f"{family} {label}",
            w,
        )
        for label in labels
    }


def _type_matrix(
    ms: MentionScores,
    type_codes: dict[str, int],
    mention_types: Iterable[str],
    ev: Sequence[EventDocResult],
    roles: Iterable[str] = (),
) -> tuple[NDArray[np.float64], list[tuple[str, str]]]:
    """Per-document counts behind the per-type F1s (strict mentions, trigger classification, argument roles)."""
    n = len(ev)
    blocks: list[NDArray[np.float64]] = []
    columns: list[tuple[str, str]] = []
    strict = ms.per_doc_type.get("strict")
    if strict is not None:
        for t in mention_types:
            c = strict[:, type_codes[t], :]
            credit, actual, possible = c[:, 0], c[:, [0, 1, 2, 4]].sum(axis=1), c[:, [0, 1, 2, 3]].sum(axis=1)
            blocks.append(np.stack([credit, actual, possible], axis=1).astype(np.float64))
            columns.append(("mention.strict", t))
    for t in sorted({t for r in ev for t, _ in r.per_type}):
        blocks.append(
            np.array(
                [[r.per_type[(t, "tp")], r.per_type[(t, "actual")], r.per_type[(t, "possible")]] for r in ev],
                dtype=np.float64,
            ).reshape(n, 3)
        )
        columns.append(("event.trigger_cls", t))
    for role in roles:
        blocks.append(
            np.array(
                [[r.per_role[(role, "tp")], r.per_role[(role, "actual")], r.per_role[(role, "possible")]] for r in ev],
                dtype=np.float64,
            ).reshape(n, 3)
        )
        columns.append(("event.arg_cls", role))
    if not blocks:
        return np.zeros((n, 0), dtype=np.float64), columns
    return np.hstack(blocks).astype(np.float64), columns


def _score_one(
    name: str,
    source: str | None,
    gold: Sequence[GoldDocument],
    aligned: _Aligned,
    gold_rows: MentionRows,
    type_codes: dict[str, int],
    ontology: Ontology,
    zd: str,
    by: Sequence[str],
) -> _Result:
    w = Warnings(list(aligned.warnings))
    n = len(gold)
    preds = aligned.preds
    pred_mentions = [p.mentions if p else [] for p in preds]
    pred_events = [p.events if p else [] for p in preds]
    pred_rows = build_rows(pred_mentions, type_codes)
    type_names = sorted(type_codes, key=type_codes.__getitem__)
    ms = score_mentions(gold_rows, pred_rows, n, type_names)
    doc_ids = [g.doc_id for g in gold]
    texts = [g.article.text for g in gold]

    matrix = np.zeros((n, 3 * len(SPECS)), dtype=np.float64)
    col = {s.name: s for s in SPECS}
    mentions: dict[str, MentionSchemeResult] = {}
    for scheme in SCHEME_NAMES:
        partial = scheme == "partial"
        per_doc = ms.per_doc[scheme]
        spec = col[f"mention.{scheme}"]
        matrix[:, spec.score] = per_doc[:, 0] + (0.5 * per_doc[:, 2] if partial else 0.0)
        matrix[:, spec.actual] = per_doc[:, [0, 1, 2, 4]].sum(axis=1)
        matrix[:, spec.possible] = per_doc[:, [0, 1, 2, 3]].sum(axis=1)
        per_type = {
            t: _scheme_score(c, partial, zd, f"mention.{scheme} {t}", w) for t, c in ms.per_type[scheme].items()
        }
        mentions[scheme] = MentionSchemeResult(
            overall=_scheme_score(ms.totals(scheme), partial, zd, f"mention.{scheme}", w),
            per_type=per_type,
            macro_precision=_mean([s.precision for s in per_type.values()], zd, f"mention.{scheme} macro", w),
            macro_recall=_mean([s.recall for s in per_type.values()], zd, f"mention.{scheme} macro", w),
            macro_f1=_mean([s.f1 for s in per_type.values()], zd, f"mention.{scheme} macro", w),
        )

    ida = id_accuracy(ms.matchings["exact"], gold_rows, pred_rows)
    set_spec = col["actor.set"]
    doc_set_f1: list[float] = []
    g_no_id = p_no_id = 0
    ev: list[EventDocResult] = []
    coder_errors: list[ErrorItem] = []
    for i, g in enumerate(gold):
        tp, act, pos, gn, pn = actor_set_counts(g.mentions, pred_mentions[i])
        matrix[i, set_spec.score], matrix[i, set_spec.actual], matrix[i, set_spec.possible] = (
            tp,
            act,
            pos,
        )
        g_no_id += gn
        p_no_id += pn
        if act + pos:
            doc_set_f1.append(2 * tp / (act + pos))
        r = score_events_doc(g.doc_id, g.article.text, g.mentions, g.events, pred_mentions[i], pred_events[i])
        ev.append(r)
        for metric in ACE_METRICS:
            s = col[f"event.{metric}"]
            matrix[i, s.score], matrix[i, s.actual], matrix[i, s.possible] = r.counts[metric]
        coder_counts, errs = score_coder_doc(g.doc_id, g.mentions, g.events, pred_mentions[i], pred_events[i], ontology)
        coder_errors.extend(errs)
        for variant in CODER_VARIANTS:
            s = col[f"coder.{variant}"]
            matrix[i, s.score], matrix[i, s.actual], matrix[i, s.possible] = coder_counts[variant]

    totals = matrix.sum(axis=0)

    def prf_of(metric: str) -> PRFScore:
        s = col[metric]
        return _prf(_prf_from(totals[s.score], totals[s.actual], totals[s.possible]), zd, metric, w)

    event_types = sorted({t for r in ev for t, _ in r.per_type})
    trig_per_type = _per_label([r.per_type for r in ev], event_types, "event.trigger_cls", zd, w)
    rank = {role.name: i for i, role in enumerate(ontology.roles)}
    roles = sorted({role for r in ev for role, _ in r.per_role}, key=lambda role: (rank.get(role, len(rank)), role))
    arg_per_role = _per_label([r.per_role for r in ev], roles, "event.arg_cls", zd, w)
    mode_c, mode_ok = sum(r.mode_compared for r in ev), sum(r.mode_correct for r in ev)
    ctx_c, ctx_ok = sum(r.context_compared for r in ev), sum(r.context_exact for r in ev)
    events = EventScores(
        trigger_id=prf_of("event.trigger_id"),
        trigger_cls=prf_of("event.trigger_cls"),
        arg_id=prf_of("event.arg_id"),
        arg_cls=prf_of("event.arg_cls"),
        trigger_cls_per_type=trig_per_type,
        trigger_cls_macro_f1=_mean([s.f1 for s in trig_per_type.values()], zd, "event.trigger_cls macro", w),
        arg_cls_per_role=arg_per_role,
        mode=Accuracy(
            compared=mode_c,
            correct=mode_ok,
            accuracy=ratio(mode_ok, mode_c, policy=zd, what="event.mode accuracy", warnings=w),
        ),
        context=Accuracy(
            compared=ctx_c,
            correct=ctx_ok,
            accuracy=ratio(ctx_ok, ctx_c, policy=zd, what="event.context accuracy", warnings=w),
        ),
        context_labels=_prf(
            PRFCounts(
                sum(r.context_tp for r in ev),
                sum(r.context_fp for r in ev),
                sum(r.context_fn for r in ev),
            ),
            zd,
            "event.context",
            w,
        ),
        gold_events_without_trigger=sum(r.gold_without_trigger for r in ev),
        pred_events_without_trigger=sum(r.pred_without_trigger for r in ev),
        gold_args_without_span=sum(r.gold_args_without_span for r in ev),
        pred_args_without_span=sum(r.pred_args_without_span for r in ev),
    )
    actors = ActorScores(
        id_pairs=ida.pairs,
        id=Accuracy(
            compared=ida.compared,
            correct=ida.correct,
            accuracy=ratio(ida.correct, ida.compared, policy=zd, what="actor.id accuracy", warnings=w),
        ),
        gold_pairs_without_id=ida.gold_without_id,
        pred_pairs_without_id=ida.pred_without_id,
        set=prf_of("actor.set"),
        set_macro_f1=_mean(doc_set_f1, zd, "actor.set macro", w),
        gold_mentions_without_id=g_no_id,
        pred_mentions_without_id=p_no_id,
    )
    coder = {v: prf_of(f"coder.{v}") for v in CODER_VARIANTS}
    exact = ms.matchings["exact"]
    ok = np.flatnonzero(exact.correct)
    actor_pairs = [
        (gold_rows.mentions[g].type, pred_rows.mentions[p].type)
        for g, p in zip(exact.gold[ok].tolist(), exact.pred[ok].tolist(), strict=True)
    ]
    confusion = {
        "actor_type": confusion_matrix(actor_pairs, zd, "actor_type", w),
        "event_type": confusion_matrix([p for r in ev for p in r.type_pairs], zd, "event_type", w),
    }
    metrics = flat_metrics(mentions, actors, events, coder, confusion)
    groups = {key: _groups(key, gold, matrix, zd) for key in by if key != "type"}
    errors = mention_errors(ms, doc_ids, texts)
    errors += [e for r in ev for e in r.errors] + coder_errors
    score = ExtractorScore(
        name=name,
        source=source,
        docs_scored=n,
        docs_predicted=sum(p is not None for p in preds),
        missing_docs=aligned.missing,
        unknown_docs=aligned.unknown,
        outside_selection=aligned.outside,
        gold_mentions_without_span=sum(len(g.mentions) for g in gold) - len(gold_rows.table),
        pred_mentions_without_span=sum(len(m) for m in pred_mentions) - len(pred_rows.table),
        metrics=metrics,
        mentions=mentions,
        actors=actors,
        events=events,
        coder=coder,
        confusion=confusion,
        groups=groups,
        errors=errors,
        warnings=w.summary(zd, subject=name),
        zero_division_in=w.zero_division,
    )
    type_matrix, type_columns = _type_matrix(ms, type_codes, mentions["strict"].per_type, ev, roles)
    return _Result(score, matrix, type_matrix, type_columns)


def score(
    gold: Iterable[GoldDocument],
    predictions: Mapping[str, Iterable[DocumentAnnotation]],
    *,
    split: Sequence[str] | None = None,
    by: Sequence[str] = (),
    zero_division: str = "0",
    bootstrap: int = 1000,
    seed: int = 0,
    ci_level: float = 0.95,
    randomization_rounds: int | None = None,
    ontology: Ontology | None = None,
    sources: Mapping[str, str] | None = None,
    gold_source: str | None = None,
    input_warnings: Mapping[str, Sequence[str]] | None = None,
) -> ScoreReport:
    """Score each extractor's predictions against the gold; see the module docstring.

    ``bootstrap`` resamples (0 to skip) give the confidence intervals and the
    paired bootstrap test; ``randomization_rounds`` (default: ``bootstrap``)
    the approximate-randomization test. ``by`` adds per-source or per-split
    groups (``type`` tables are always there). ``input_warnings`` (extractor name ->
    messages, e.g. what reading its prediction file warned about) become that
    extractor's first warnings, named like the others.
    """
    if zero_division not in ZERO_DIVISION_CHOICES:
        raise UserError(f"zero_division must be one of {', '.join(ZERO_DIVISION_CHOICES)}, not {zero_division!r}")
    for key in by:
        if key not in GROUP_BY:
            raise UserError(f"cannot group by {key!r}; choose from {', '.join(GROUP_BY)}")
    if bootstrap < 0:
        raise UserError("bootstrap must be 0 (no intervals) or a number of resamples")
    if not 0 < ci_level < 1:
        raise UserError(f"ci_level must be between 0 and 1, got {ci_level}")
    if not predictions:
        raise UserError("no predictions to score; give at least one prediction file")
    ontology = ontology or load_ontology()
    all_gold: list[GoldDocument] = list(gold)
    ids: set[str] = set()
    for g in all_gold:
        if g.doc_id in ids:
            raise RecordError("document appears twice in the gold", file=gold_source, doc_id=g.doc_id)
        ids.add(g.doc_id)
    wanted = set(split or ())
    selected = [g for g in all_gold if not wanted or g.split in wanted]
    if not selected:
        where = f" in {gold_source}" if gold_source else ""
        present = sorted({g.split for g in all_gold if g.split}, key=SPLITS.index)
        has = f"the gold's splits are {', '.join(present)}" if present else "the gold has no splits"
        unknown = sorted(wanted - set(SPLITS))
        if unknown:
            raise UserError(f"unknown split {', '.join(map(repr, unknown))}; {has}{where}")
        if wanted:
            raise UserError(f"no gold documents in split {','.join(sorted(wanted))}{where}; {has}")
        raise UserError(f"no gold documents{where}")
    type_codes: dict[str, int] = {}
    gold_rows = build_rows([g.mentions for g in selected], type_codes)
    results: list[_Result] = []
    for name, preds in predictions.items():
        source = (sources or {}).get(name)
        aligned = _align(name, selected, ids, preds, source)
        aligned.warnings[:0] = [f"{name}: {m}" for m in (input_warnings or {}).get(name, ())]
        results.append(_score_one(name, source, selected, aligned, gold_rows, type_codes, ontology, zero_division, by))
    tests: list[SignificanceTest] = []
    if bootstrap > 0:
        tests = _statistics(results, bootstrap, seed, ci_level, randomization_rounds or bootstrap, zero_division)
    warnings: list[str] = []
    if bootstrap > 0 and len(selected) < SMALL_SAMPLE:
        warnings.append(  # about the gold selection, so about every extractor alike
            f"only {len(selected)} gold documents: the bootstrap intervals and paired tests of every "
            f"extractor resample documents and are unreliable with fewer than {SMALL_SAMPLE}"
        )
    gold_info = GoldInfo(
        documents=dict(sorted(Counter(g.split or NONE_GROUP for g in selected).items())),
        mentions=dict(sorted(Counter(m.type for g in selected for m in g.mentions).items())),
        events=dict(sorted(Counter(e.type for g in selected for e in g.events).items())),
    )
    return ScoreReport(
        warnings=warnings,
        gold_info=gold_info,
        gold=gold_source,
        split=sorted(wanted),
        gold_docs=len(selected),
        zero_division=zero_division,
        bootstrap=bootstrap,
        seed=seed,
        ci_level=ci_level,
        extractors=[r.score for r in results],
        tests=tests,
    )
