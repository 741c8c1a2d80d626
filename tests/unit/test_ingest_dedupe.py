"""Duplicates: exact merged, near marked duplicate_of (MinHash LSH), clashes reported."""

from __future__ import annotations

import random

import numpy as np
import pytest

from eventgold.ingest.dedupe import Deduplicator, Verdict, shingle_hashes, shingles
from eventgold.models import sha256_text
from eventgold.resources import packaged_samples

SEEDS = packaged_samples() / "articles"


def _seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _edit(text: str, n: int, seed: int = 0) -> str:
    """``text`` with ``n`` words replaced (a re-publication with small edits)."""
    rng = random.Random(seed)
    words = text.split(" ")
    for i in rng.sample(range(len(words)), n):
        words[i] = "edited"
    return " ".join(words)


def _jaccard(a: str, b: str) -> float:
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def _check(d: Deduplicator, id_: str, text: str) -> Verdict:
    return d.check(id_, sha256_text(text), text)


def test_signature_is_exactly_datasketch_minhash() -> None:
    """Our vectorised signature equals datasketch's own MinHash.update_batch (the reference)."""
    from datasketch import MinHash

    d = Deduplicator()
    for prefix in ("000", "003"):
        text = _seed(prefix)
        grams = shingle_hashes(text)
        reference = MinHash(num_perm=128, seed=1, hashfunc=int, scheme="affine32")
        reference.update_batch(grams.tolist())
        ours = d.signature(text)
        assert ours is not None and np.array_equal(ours, reference.hashvalues)
        assert len(grams) == len(shingles(text))  # no 32-bit hash collisions on a seed


def test_exact_duplicate_is_reported_with_the_kept_id() -> None:
    d = Deduplicator()
    text = _seed("004")
    assert _check(d, "a", text).kind == "new"
    verdict = _check(d, "b", text)
    assert (verdict.kind, verdict.of, verdict.index) == ("exact", "a", 0)
    assert len(d) == 1


def test_near_duplicate_is_marked_with_the_original() -> None:
    d = Deduplicator(0.8)
    original = _seed("004")
    edited = _edit(original, 10)
    assert _jaccard(original, edited) > 0.85  # the reference: exact Jaccard of the 3-gram sets
    _check(d, "orig", original)
    verdict = _check(d, "copy", edited)
    assert verdict.kind == "near" and verdict.of == "orig"
    assert verdict.similarity is not None and abs(verdict.similarity - _jaccard(original, edited)) < 0.1


def test_different_stories_are_not_duplicates() -> None:
    d = Deduplicator(0.8)
    for prefix in ("000", "001", "002", "003", "004"):
        assert _check(d, prefix, _seed(prefix)).kind == "new"


def test_duplicate_of_always_names_an_original() -> None:
    d = Deduplicator(0.7)
    original = _seed("003")
    first = _edit(original, 4, seed=1)
    second = _edit(first, 4, seed=2)
    _check(d, "orig", original)
    assert _check(d, "first", first).of == "orig"
    assert _check(d, "second", second).of == "orig"


@pytest.mark.parametrize(("threshold", "kind"), [(0.0, "new"), (0.5, "near"), (0.99, "new")])
def test_threshold_is_configurable(threshold: float, kind: str) -> None:
    d = Deduplicator(threshold)
    original = _seed("002")
    edited = _edit(original, 25)
    _check(d, "orig", original)
    assert _check(d, "copy", edited).kind == kind


def test_same_id_different_text_is_a_clash() -> None:
    d = Deduplicator()
    _check(d, "x", "one text about talks in Baghdad")
    verdict = _check(d, "x", "another text about a visit to Tehran")
    assert (verdict.kind, verdict.of) == ("clash", "x")


def test_short_and_empty_texts() -> None:
    assert shingles("") == set()
    assert shingles("Two words") == {b"two", b"words"}
    assert len(shingle_hashes("")) == 0
    d = Deduplicator()
    assert _check(d, "a", "!!!").kind == "new"
    assert _check(d, "b", "???").kind == "new"
