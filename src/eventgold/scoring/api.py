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
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter

import numpy as np
from numpy.typing import NDArray

from eventgold.errors import RecordError, UserError
from eventgold.evaluation.counts import (
    ZERO_DIVISION_CHOICES,
    Counts,
    SchemeCounts,
    Warnings,
    f1_from_counts,
    ratio,
)
from eventgold.evaluation.error_items import ErrorSpec
from eventgold.memory import paused_gc
from eventgold.models import SPLITS, DocumentAnnotation, GoldDocument, Mention
from eventgold.ontology import Ontology, load_ontology
from eventgold.scoring.actors import actor_set_counts, id_accuracy
from eventgold.scoring.aligned import AlignedPredictions, align_predictions
from eventgold.scoring.coder import CODER_VARIANTS, score_coder_doc
from eventgold.scoring.error_analysis import MentionErrors
from eventgold.scoring.error_list import ErrorList, SpecErrors
from eventgold.scoring.events import ACE_METRICS, EventDocResult, score_events_doc
from eventgold.scoring.mentions import SCHEME_NAMES, MentionRows, MentionScores, build_rows, score_mentions
from eventgold.scoring.metrics import SCHEME_COUNT_KEYS, flat_metrics
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
from eventgold.scoring.significance import (
    NONE_GROUP,
    SPECS,
    ScoredExtractor,
    group_scores,
    label_counts,
    resampled_statistics,
    type_count_matrix,
)

GROUP_BY: tuple[str, ...] = ("type", "source", "split")
"""What ``score(by=...)`` can break the scores down by."""
SMALL_SAMPLE = 30
"""Fewer documents than this: resampling statistics come with a warning."""
COLUMN = {s.name: s for s in SPECS}
"""Resampled metric family -> its (score, actual, possible) columns in the per-document matrix."""
_TYPE, _ID = attrgetter("type"), attrgetter("id")


def _scheme_score(c: SchemeCounts, partial: bool, zd: str, what: str, w: Warnings) -> SchemeScore:
    credit = c.credit(partial)
    return SchemeScore(
        **{k: getattr(c, k) for k in SCHEME_COUNT_KEYS},
        precision=ratio(credit, c.actual, policy=zd, what=f"{what} precision", warnings=w),
        recall=ratio(credit, c.possible, policy=zd, what=f"{what} recall", warnings=w),
        f1=f1_from_counts(credit, c.actual, c.possible, policy=zd, what=f"{what} F1", warnings=w),
    )


def _prf(c: Counts, zd: str, what: str, w: Warnings) -> PRFScore:
    return PRFScore(
        tp=c.tp,
        fp=c.fp,
        fn=c.fn,
        precision=ratio(c.tp, c.actual, policy=zd, what=f"{what} precision", warnings=w),
        recall=ratio(c.tp, c.possible, policy=zd, what=f"{what} recall", warnings=w),
        f1=f1_from_counts(c.tp, c.actual, c.possible, policy=zd, what=f"{what} F1", warnings=w),
    )


def _prf_from(tp: float, actual: float, possible: float) -> Counts:
    return Counts(int(tp), int(actual - tp), int(possible - tp))


def _mean(values: Sequence[float], zd: str, what: str, w: Warnings) -> float:
    if not values:
        return ratio(0, 0, policy=zd, what=what, warnings=w)
    return float(np.mean(values))


def _accuracy(compared: int, correct: int, zd: str, what: str, w: Warnings) -> Accuracy:
    return Accuracy(
        compared=compared,
        correct=correct,
        accuracy=ratio(correct, compared, policy=zd, what=f"{what} accuracy", warnings=w),
    )


def confusion_matrix(pairs: Sequence[tuple[str, str]], zd: str, what: str, w: Warnings) -> ConfusionMatrix:
    """Gold x predicted label counts over matched pairs, with Cohen's kappa.

    ``pairs`` are (gold label, predicted label) of matched units; ``zd`` is the
    zero-division policy (``0``, ``1`` or ``nan``) of the kappa, whose zero
    denominator is recorded in ``w`` under ``what``. Labels are sorted; rows are gold.
    """
    tally = Counter(pairs)
    labels = sorted({g for g, _ in tally} | {p for _, p in tally})
    pos = {label: i for i, label in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype=np.int64)
    for (g, p), k in tally.items():
        m[pos[g], pos[p]] = k
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
    return {
        label: _prf(_prf_from(*label_counts(per_doc, label).sum(axis=0)), zd, f"{family} {label}", w)
        for label in labels
    }


def _mention_schemes(
    ms: MentionScores, matrix: NDArray[np.float64], zd: str, w: Warnings
) -> dict[str, MentionSchemeResult]:
    """Every mention scheme's micro, per-type and macro scores; fills its per-document columns of ``matrix``."""
    mentions: dict[str, MentionSchemeResult] = {}
    for scheme in SCHEME_NAMES:
        partial = scheme == "partial"
        per_doc = ms.per_doc[scheme]
        spec = COLUMN[f"mention.{scheme}"]
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
    return mentions


@dataclass
class _DocumentCounts:
    """What scoring each document one by one gives: event results, coder errors, actor-id set counts."""

    events: list[EventDocResult] = field(default_factory=list)
    coder_errors: list[ErrorSpec] = field(default_factory=list)
    set_f1: list[float] = field(default_factory=list)
    gold_without_id: int = 0
    pred_without_id: int = 0


def _score_documents(
    gold: Sequence[GoldDocument],
    pred_mentions: Sequence[list[Mention]],
    preds: Sequence[DocumentAnnotation | None],
    ontology: Ontology,
    matrix: NDArray[np.float64],
) -> _DocumentCounts:
    """Actor-id sets, ACE events and coder tuples per document; fills their columns of ``matrix``."""
    out = _DocumentCounts()
    families = ["actor.set", *(f"event.{m}" for m in ACE_METRICS), *(f"coder.{v}" for v in CODER_VARIANTS)]
    rows: list[tuple[float, ...]] = []  # per document, (score, actual, possible) of each family in turn
    quads: dict[str, Hashable] = {}  # event type -> its coder quad key, for every document
    for g, pred, p_mentions in zip(gold, preds, pred_mentions, strict=True):
        events = pred.events if pred else []
        tp, act, pos, gn, pn = actor_set_counts(g.mentions, p_mentions)
        out.gold_without_id += gn
        out.pred_without_id += pn
        if act + pos:
            out.set_f1.append(2 * tp / (act + pos))
        gm = dict(zip(map(_ID, g.mentions), g.mentions, strict=True))
        pm = dict(zip(map(_ID, p_mentions), p_mentions, strict=True))
        r = score_events_doc(g.doc_id, g.article.text, gm, g.events, pm, events, build_errors=False)
        out.events.append(r)
        coder_counts, errs = score_coder_doc(g.doc_id, gm, g.events, pm, events, ontology, quads=quads)
        out.coder_errors.extend(errs)
        counts = [r.counts[m] for m in ACE_METRICS] + [coder_counts[v] for v in CODER_VARIANTS]
        rows.append((tp, act, pos, *chain.from_iterable(counts)))
    if rows:
        block = np.array(rows, dtype=np.float64)
        for k, family in enumerate(families):
            s = COLUMN[family]
            matrix[:, s.score], matrix[:, s.actual], matrix[:, s.possible] = block[:, 3 * k : 3 * k + 3].T
    return out


def _event_scores(
    ev: Sequence[EventDocResult], roles: Sequence[str], prf_of: Callable[[str], PRFScore], zd: str, w: Warnings
) -> EventScores:
    """ACE-style event scores from the per-document results (micro over documents)."""
    event_types = sorted({t for r in ev for t, _ in r.per_type})
    trig_per_type = _per_label([r.per_type for r in ev], event_types, "event.trigger_cls", zd, w)
    arg_per_role = _per_label([r.per_role for r in ev], roles, "event.arg_cls", zd, w)
    mode_c, mode_ok = sum(r.mode_compared for r in ev), sum(r.mode_correct for r in ev)
    ctx_c, ctx_ok = sum(r.context_compared for r in ev), sum(r.context_exact for r in ev)
    return EventScores(
        trigger_id=prf_of("event.trigger_id"),
        trigger_cls=prf_of("event.trigger_cls"),
        arg_id=prf_of("event.arg_id"),
        arg_cls=prf_of("event.arg_cls"),
        trigger_cls_per_type=trig_per_type,
        trigger_cls_macro_f1=_mean([s.f1 for s in trig_per_type.values()], zd, "event.trigger_cls macro", w),
        arg_cls_per_role=arg_per_role,
        mode=_accuracy(mode_c, mode_ok, zd, "event.mode", w),
        context=_accuracy(ctx_c, ctx_ok, zd, "event.context", w),
        context_labels=_prf(
            Counts(sum(r.context_tp for r in ev), sum(r.context_fp for r in ev), sum(r.context_fn for r in ev)),
            zd,
            "event.context",
            w,
        ),
        gold_events_without_trigger=sum(r.gold_without_trigger for r in ev),
        pred_events_without_trigger=sum(r.pred_without_trigger for r in ev),
        gold_args_without_span=sum(r.gold_args_without_span for r in ev),
        pred_args_without_span=sum(r.pred_args_without_span for r in ev),
    )


def _score_one(
    name: str,
    source: str | None,
    gold: Sequence[GoldDocument],
    aligned: AlignedPredictions,
    gold_rows: MentionRows,
    type_codes: dict[str, int],
    ontology: Ontology,
    zd: str,
    by: Sequence[str],
) -> ScoredExtractor:
    """Every score of one extractor, with the per-document counts its statistics resample."""
    w = Warnings(list(aligned.warnings))
    n = len(gold)
    pred_mentions = [p.mentions if p else [] for p in aligned.preds]
    pred_rows = build_rows(pred_mentions, type_codes)
    ms = score_mentions(gold_rows, pred_rows, n, sorted(type_codes, key=type_codes.__getitem__))
    matrix = np.zeros((n, 3 * len(SPECS)), dtype=np.float64)
    mentions = _mention_schemes(ms, matrix, zd, w)
    ida = id_accuracy(ms.matchings["exact"], gold_rows, pred_rows)
    docs = _score_documents(gold, pred_mentions, aligned.preds, ontology, matrix)
    totals = matrix.sum(axis=0)

    def prf_of(metric: str) -> PRFScore:
        """Micro P/R/F1 of a resampled family (``event.arg_cls``) from its summed per-document counts."""
        s = COLUMN[metric]
        return _prf(_prf_from(totals[s.score], totals[s.actual], totals[s.possible]), zd, metric, w)

    rank = {role.name: i for i, role in enumerate(ontology.roles)}
    ev = docs.events
    roles = sorted({role for r in ev for role, _ in r.per_role}, key=lambda role: (rank.get(role, len(rank)), role))
    events = _event_scores(ev, roles, prf_of, zd, w)
    actors = ActorScores(
        id_pairs=ida.pairs,
        id=_accuracy(ida.compared, ida.correct, zd, "actor.id", w),
        gold_pairs_without_id=ida.gold_without_id,
        pred_pairs_without_id=ida.pred_without_id,
        set=prf_of("actor.set"),
        set_macro_f1=_mean(docs.set_f1, zd, "actor.set macro", w),
        gold_mentions_without_id=docs.gold_without_id,
        pred_mentions_without_id=docs.pred_without_id,
    )
    coder = {v: prf_of(f"coder.{v}") for v in CODER_VARIANTS}
    exact = ms.matchings["exact"]
    ok = np.flatnonzero(exact.correct)
    names = np.array(sorted(type_codes, key=type_codes.__getitem__), dtype=object)
    g_types, p_types = names[gold_rows.table.type[exact.gold[ok]]], names[pred_rows.table.type[exact.pred[ok]]]
    actor_pairs = list(zip(g_types.tolist(), p_types.tolist(), strict=True))
    confusion = {
        "actor_type": confusion_matrix(actor_pairs, zd, "actor_type", w),
        "event_type": confusion_matrix([p for r in ev for p in r.type_pairs], zd, "event_type", w),
    }
    errors = MentionErrors(ms, [g.doc_id for g in gold], [g.article.text for g in gold])  # built when read
    score = ExtractorScore(
        name=name,
        source=source,
        docs_scored=n,
        docs_predicted=sum(p is not None for p in aligned.preds),
        missing_docs=aligned.missing,
        unknown_docs=aligned.unknown,
        outside_selection=aligned.outside,
        gold_mentions_without_span=sum(len(g.mentions) for g in gold) - len(gold_rows.table),
        pred_mentions_without_span=sum(map(len, pred_mentions)) - len(pred_rows.table),
        metrics={},
        mentions=mentions,
        actors=actors,
        events=events,
        coder=coder,
        confusion=confusion,
        groups={key: group_scores(key, gold, matrix, zd) for key in by if key != "type"},
        warnings=w.summary(zd, subject=name),
        zero_division_in=w.zero_division,
    )
    event_errors = SpecErrors([e for r in ev for e in r.error_specs])
    score.errors = ErrorList.deferred([errors, event_errors, SpecErrors(docs.coder_errors)])  # built when read
    score.metrics = flat_metrics(score)
    type_matrix, type_columns = type_count_matrix(ms, type_codes, mentions["strict"].per_type, ev, roles)
    return ScoredExtractor(score, matrix, type_matrix, type_columns)


def score(
    gold: Iterable[GoldDocument],
    predictions: Mapping[str, Iterable[DocumentAnnotation]],
    *,
    split: str | Sequence[str] | None = None,
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

    Args:
        gold: the gold documents (e.g. ``gold.jsonl`` of a gold version); each
            document id once.
        predictions: extractor name -> its DocumentAnnotations (at most one per
            document; documents it skipped are scored as empty predictions).
        split: score only the gold documents of this split or these splits
            (``"test"`` or ``["dev", "test"]``); None or empty: every document.
        by: extra breakdowns, from :data:`GROUP_BY`: ``source`` and ``split``
            add micro scores per group (``ExtractorScore.groups``); ``type``
            tables are always computed.
        zero_division: the value of a ratio whose denominator is zero: ``"0"``,
            ``"1"`` or ``"nan"`` (each time recorded in the extractor's warnings).
        bootstrap: document resamples for the percentile confidence intervals
            and the paired bootstrap test (Efron & Tibshirani); 0 skips every
            resampled statistic.
        seed: seed of the resampling (same seed, same intervals and p-values).
        ci_level: the intervals' coverage, between 0 and 1 (0.95: 95 %).
        randomization_rounds: rounds of the approximate-randomization test
            (Noreen); default: ``bootstrap``.
        ontology: orders the per-role tables and maps coder tuples (default:
            the project's or packaged ontology).
        sources: extractor name -> where its predictions came from (shown in
            reports and errors).
        gold_source: where the gold came from (shown in reports and errors).
        input_warnings: extractor name -> messages (e.g. what reading its
            prediction file warned about); they become that extractor's first
            warnings, named like the others.

    Returns:
        A ScoreReport: per extractor, the flat metrics of
        :data:`eventgold.scoring.metrics.METRICS` with, where resampled, their
        intervals; per-type tables, confusion matrices with Cohen's kappa and
        the error list; and, for two or more extractors, paired tests of the
        headline F1s, Holm-corrected. Where the metrics come from: mention
        schemes ``strict``, ``exact``, ``partial`` and ``type`` with their
        COR/INC/PAR/MIS/SPU counts follow nervaluate (the SemEval-2013 task 9.1
        evaluation; partial matches count half); event metrics are ACE-style
        trigger/argument identification and classification; every P/R/F1 is
        micro (MUC-style: summed counts, then ratios); ``macro_*`` are
        unweighted means over types.

    Raises:
        UserError: an unknown ``zero_division`` or ``by`` key, a negative
            ``bootstrap``, a ``ci_level`` outside (0, 1), no predictions, or no
            gold document in the selected splits.
        RecordError: a gold document appears twice; an extractor annotates a
            document twice, or its offsets or span texts do not fit the article.

    Example (one gold document, an extractor that finds one of its two mentions):

    >>> from eventgold.models import Article, DocumentAnnotation, GoldDocument, Mention, Origin
    >>> text = "Kazemi met Ghaani in Baghdad."
    >>> kazemi = Mention(id="m1", type="PERSON", start=0, end=6, text="Kazemi")
    >>> ghaani = Mention(id="m2", type="PERSON", start=11, end=17, text="Ghaani")
    >>> gold = [GoldDocument(article=Article(id="d1", text=text), mentions=[kazemi, ghaani])]
    >>> found = DocumentAnnotation(doc_id="d1", origin=Origin(kind="extractor", name="rules"), mentions=[kazemi])
    >>> report = score(gold, {"rules": [found]}, bootstrap=0)
    >>> report.metric("mention.strict.precision"), report.metric("mention.strict.recall")
    (1.0, 0.5)
    >>> round(report.metric("mention.strict.f1"), 3)
    0.667
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
        raise UserError("no predictions to score (predictions is empty)")
    ontology = ontology or load_ontology()
    all_gold: list[GoldDocument] = list(gold)
    ids: set[str] = set()
    for g in all_gold:
        if g.doc_id in ids:
            raise RecordError("document appears twice in the gold", file=gold_source, doc_id=g.doc_id)
        ids.add(g.doc_id)
    wanted = {split} if isinstance(split, str) else set(split or ())
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
    results: list[ScoredExtractor] = []
    with paused_gc():  # hundreds of thousands of new objects (counts, error items), no cycles among them
        gold_rows = build_rows([g.mentions for g in selected], type_codes)
        for name, preds in predictions.items():
            source = (sources or {}).get(name)
            aligned = align_predictions(name, selected, ids, preds, source)
            aligned.warnings[:0] = [f"{name}: {m}" for m in (input_warnings or {}).get(name, ())]
            args = (gold_rows, type_codes, ontology, zero_division, by)
            results.append(_score_one(name, source, selected, aligned, *args))
    tests: list[SignificanceTest] = []
    if bootstrap > 0:
        tests = resampled_statistics(
            results, bootstrap, seed, ci_level, randomization_rounds or bootstrap, zero_division
        )
    warnings: list[str] = []
    if bootstrap > 0 and len(selected) < SMALL_SAMPLE:
        warnings.append(  # about the gold selection, so about every extractor alike
            f"only {len(selected)} gold documents: the bootstrap intervals and paired tests of every "
            f"extractor resample documents and are unreliable with fewer than {SMALL_SAMPLE}"
        )
    gold_info = GoldInfo(
        documents=dict(sorted(Counter(g.split or NONE_GROUP for g in selected).items())),
        mentions=dict(sorted(Counter(map(_TYPE, chain.from_iterable(g.mentions for g in selected))).items())),
        events=dict(sorted(Counter(map(_TYPE, chain.from_iterable(g.events for g in selected))).items())),
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
