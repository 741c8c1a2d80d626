"""The compact LSH band index: the same candidates and verdicts as datasketch's MinHashLSH."""

from __future__ import annotations

import numpy as np
import pytest

from eventgold.ingest.dedupe import NUM_PERM, BandIndex, Deduplicator, Verdict


def _sha(i: int) -> str:
    return f"{i:032x}" * 2


def _signatures(seed: int, n: int) -> list[np.ndarray]:
    """Random signatures, most of them near copies (0-40 values changed) of an earlier one."""
    rng = np.random.default_rng(seed)
    out: list[np.ndarray] = []
    for _ in range(n):
        if out and rng.random() < 0.7:
            values = out[int(rng.integers(len(out)))].copy()
            changed = rng.choice(NUM_PERM, size=int(rng.integers(0, 41)), replace=False)
            # small value ranges: changed values sometimes equal another signature's by chance
            values[changed] = rng.integers(0, 50, size=len(changed), dtype=np.uint32)
        else:
            values = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
        out.append(values)
    return out


def _reference(signatures: list[np.ndarray], threshold: float) -> list[tuple[str, int | None, float | None]]:
    """The verdicts of the former implementation: datasketch MinHashLSH, exact estimate, ties to the earliest."""
    from datasketch import MinHash, MinHashLSH

    permutations = MinHash(num_perm=NUM_PERM, seed=1).permutations
    lsh = MinHashLSH(threshold=min(threshold, 0.95), num_perm=NUM_PERM)
    kept: dict[int, np.ndarray] = {}
    out: list[tuple[str, int | None, float | None]] = []
    for index, values in enumerate(signatures):
        m = MinHash(num_perm=NUM_PERM, hashvalues=values, permutations=permutations, scheme="affine32")
        best: tuple[float, int] | None = None
        for key in lsh.query(m):
            sim = float(np.count_nonzero(kept[key] == values)) / NUM_PERM
            if sim >= threshold and (best is None or sim > best[0] or (sim == best[0] and key < best[1])):
                best = (sim, key)
        if best is None:
            lsh.insert(index, m, check_duplication=False)
            kept[index] = values
            out.append(("new", None, None))
        else:
            out.append(("near", best[1], round(best[0], 4)))
    return out


def _ours(signatures: list[np.ndarray], threshold: float) -> list[tuple[str, int | None, float | None]]:
    d = Deduplicator(threshold)
    if d._index is not None:
        d._index.buffer = 37  # merges along the way, with recent additions waiting
    verdicts = [d.check(f"id{i}", _sha(i), "", values) for i, values in enumerate(signatures)]
    return [(v.kind, v.index, v.similarity) for v in verdicts]


@pytest.mark.parametrize("threshold", [0.5, 0.7, 0.8, 0.9, 0.97])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_verdicts_as_datasketch_lsh(threshold: float, seed: int) -> None:
    signatures = _signatures(seed, 400)
    ours = _ours(signatures, threshold)
    assert ours == _reference(signatures, threshold)
    assert any(kind == "near" for kind, _, _ in ours) and any(kind == "new" for kind, _, _ in ours)


def test_ties_go_to_the_earliest_original() -> None:
    rng = np.random.default_rng(5)
    first = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32)
    second = first.copy()
    second[:40] += np.uint32(1)  # similarity 88/128 = 0.69: a second original at 0.7
    probe = first.copy()
    probe[:20] = second[:20]
    probe[100:110] = 7  # 98/128 equal to each of them
    verdicts = _ours([first, second, probe], 0.7)
    assert verdicts == [("new", None, None), ("new", None, None), ("near", 0, round(98 / 128, 4))]
    assert verdicts == _reference([first, second, probe], 0.7)


def test_candidates_share_a_whole_band() -> None:
    index = BandIndex(num_perm=8, bands=2, rows=3, buffer=2)
    base = np.arange(8, dtype=np.uint32)
    assert index.candidates(base).tolist() == []
    assert index.add(base) == 0
    other = base.copy()
    other[[0, 3]] = 99  # one value off in each band: no candidate
    assert index.add(other) == 1  # merged into the sorted arrays here (buffer 2)
    probe = base.copy()
    probe[6:] = 50  # only the values outside the bands differ
    assert index.candidates(probe).tolist() == [0]
    probe[0] = 77
    assert index.candidates(probe).tolist() == [0]  # the second band still matches
    probe[3] = 77
    assert index.candidates(probe).tolist() == []
    assert np.array_equal(index.signature(1), other) and len(index) == 2


def test_a_key_collision_proposes_no_false_candidate(monkeypatch: pytest.MonkeyPatch) -> None:
    index = BandIndex(num_perm=4, bands=2, rows=2, buffer=3)
    monkeypatch.setattr(index, "band_keys", lambda values: np.zeros(2, dtype=np.uint64))  # every key collides
    rng = np.random.default_rng(0)
    added = [rng.integers(0, 2**32, size=4, dtype=np.uint32) for _ in range(7)]
    for values in added:
        index.add(values)
    assert index.candidates(added[5]).tolist() == [5]
    assert index.candidates(np.array([1, 2, 3, 4], dtype=np.uint32)).tolist() == []


@pytest.mark.parametrize(("bands", "rows"), [(0, 4), (3, 0), (5, 30)])
def test_bad_banding_is_refused(bands: int, rows: int) -> None:
    with pytest.raises(ValueError, match="bands="):
        BandIndex(num_perm=128, bands=bands, rows=rows)


def test_banding_is_datasketchs() -> None:
    from datasketch import MinHashLSH

    d = Deduplicator(0.8)
    reference = MinHashLSH(threshold=0.8, num_perm=NUM_PERM)
    assert d._index is not None and (d._index.bands, d._index.rows) == (reference.b, reference.r)


def test_near_duplicate_detection_off_indexes_nothing() -> None:
    d = Deduplicator(0.0)
    values = np.arange(NUM_PERM, dtype=np.uint32)
    assert d.check("a", _sha(1), "", values) == Verdict("new")
    assert d.check("b", _sha(2), "", values) == Verdict("new")
    assert d.permutations is None and d._index is None


def test_many_originals_across_chunks() -> None:
    """More originals than one signature chunk: numbers and article indices stay aligned."""
    d = Deduplicator(0.8)
    assert d._index is not None
    d._index.CHUNK = 16
    rng = np.random.default_rng(9)
    signatures = [rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint32) for _ in range(50)]
    for i, values in enumerate(signatures):
        assert d.check(f"id{i}", _sha(i), "", values).kind == "new"
    copy = signatures[41].copy()
    copy[:5] = 0
    verdict = d.check("copy", _sha(99), "", copy)
    assert (verdict.kind, verdict.of, verdict.index) == ("near", "id41", 41)
