"""Align one extractor's predictions with the selected gold documents (moved out of :mod:`eventgold.scoring.api`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eventgold.errors import RecordError
from eventgold.models import DocumentAnnotation, GoldDocument, check_against_article


@dataclass
class AlignedPredictions:
    """One extractor's predictions aligned with the selected gold documents."""

    preds: list[DocumentAnnotation | None]
    """One entry per selected gold document, in gold order; None where the extractor gave none."""
    missing: list[str]
    """Gold document ids without a prediction."""
    unknown: list[str]
    """Predicted document ids not in the gold file (sorted)."""
    outside: int
    """Predicted documents in the gold but outside the selected split."""
    warnings: list[str]
    """Messages about these predictions, each starting with the extractor's name."""


def align_predictions(
    name: str,
    gold: Sequence[GoldDocument],
    all_gold_ids: set[str],
    predictions: Iterable[DocumentAnnotation],
    source: str | None,
) -> AlignedPredictions:
    """Put extractor ``name``'s ``predictions`` in the order of the selected ``gold`` documents.

    ``all_gold_ids`` are the ids of the whole gold file (selected or not); ``source``
    names the prediction file in errors. Raises RecordError when a document is
    annotated twice, or when a prediction's offsets or span texts do not fit its article.
    """
    index = {g.doc_id: i for i, g in enumerate(gold)}
    preds: list[DocumentAnnotation | None] = [None] * len(gold)
    unknown: list[str] = []
    outside = 0
    kinds: Counter[str] = Counter()
    seen: set[str] = set()
    for ann in predictions:
        if ann.doc_id in seen:
            raise RecordError(
                f"extractor {name!r} annotates this document twice; keep one annotation per document",
                file=source,
                doc_id=ann.doc_id,
                field="doc_id",
                value=ann.doc_id,
            )
        seen.add(ann.doc_id)
        kinds[ann.origin.kind] += 1
        i = index.get(ann.doc_id)
        if i is None:
            if ann.doc_id in all_gold_ids:
                outside += 1
            else:
                unknown.append(ann.doc_id)
            continue
        try:
            check_against_article(ann, gold[i].article)
        except RecordError as exc:
            raise exc.located(file=source) from exc
        preds[i] = ann
    warnings: list[str] = []
    others = {k: n for k, n in kinds.items() if k != "extractor"}
    if others:
        warnings.append(
            f"{name}: {sum(others.values())} annotations have origin.kind "
            f"{', '.join(sorted(others))}, not extractor; scored all the same"
        )
    missing = [g.doc_id for g, p in zip(gold, preds, strict=True) if p is None]
    if missing:
        warnings.append(f"{name}: {len(missing)} gold documents have no prediction; scored as empty predictions")
    if unknown:
        warnings.append(f"{name}: {len(unknown)} predicted documents are not in the gold; ignored")
    return AlignedPredictions(preds, missing, sorted(unknown), outside, warnings)
