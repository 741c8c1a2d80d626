"""Duplicates: exact ones are merged, near ones are marked ``duplicate_of`` and kept.

- **Exact duplicate**: the same ``text`` (same ``content_sha``) as an earlier article. It is not
  written again; the article kept (the first, in input order) lists the others' ids in
  ``meta["merged_from"]`` (``ingest_to_file``) and the summary counts them.
- **Near duplicate**: the same story re-published with small edits. Each article's set of
  word 3-grams (lower-cased, whitespace-separated words; a 3-gram's 32-bit hash combines
  its words' CRC32s) gets a MinHash signature (128 permutations, datasketch's ``affine32``
  scheme); a datasketch MinHash LSH index over the *original* articles proposes candidates
  and the estimated Jaccard similarity decides: at or above the threshold (default 0.8),
  the article keeps its own id and text and gets
  ``duplicate_of`` = the id of the most similar earlier original (ties: the earliest), and
  ``meta["near_duplicate_similarity"]``. Duplicates are not indexed themselves, so
  ``duplicate_of`` always names an original, never a chain.
- **Id clash**: a different text under an id already used. That is a bad input (two
  articles cannot share an id), reported like any other.

The LSH banding (``b`` bands of ``r`` signature values) is datasketch's own choice for the
threshold (``MinHashLSH(threshold, num_perm).b, .r``); a candidate is any indexed original
sharing a whole band with the article, exactly as ``MinHashLSH.query`` proposes them. The
bands are stored in :class:`BandIndex`, a compact numpy structure (datasketch's in-memory
storage, a dict of band key -> set per band, takes about 3.5 KB per article, 3.5 GB per million).

Memory: per article about 250 bytes (its id, a 16-byte digest of its text) plus, for an
original in the near-duplicate index, its 512-byte signature and 9 band keys of 12 bytes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from eventgold.errors import Option
from eventgold.ingest.deps import require

NUM_PERM = 128
SHINGLE = 3
_U32 = np.uint64(0xFFFFFFFF)
_MIX = (np.uint64(0x9E3779B1), np.uint64(0x85EBCA77), np.uint64(0xC2B2AE3D))


def tokens(text: str) -> list[str]:
    """The words near-duplicate detection compares: lower-cased, split on whitespace."""
    return text.lower().split()


def shingles(text: str, size: int = SHINGLE) -> set[bytes]:
    """The set of word ``size``-grams of ``text`` (single words for short texts).

    The reference definition (tests compare MinHash estimates with its exact Jaccard);
    :func:`shingle_hashes` is the fast equivalent the index uses.
    """
    words = tokens(text)
    if len(words) < size:
        return {w.encode("utf-8") for w in words}
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


_WORD_HASHES: dict[str, int] = {}
_WORD_HASHES_MAX = 1 << 17


def _word_hash(word: str) -> int:
    value = zlib.crc32(word.encode("utf-8"))
    if len(_WORD_HASHES) < _WORD_HASHES_MAX:  # a bounded cache of frequent words
        _WORD_HASHES[word] = value
    return value


def shingle_hashes(text: str) -> np.ndarray:
    """Distinct 32-bit hashes of the word 3-grams of ``text`` (uint32, sorted).

    A 3-gram's hash combines its words' CRC32s; deterministic across processes (no Python
    ``hash``) and vectorised: one CRC32 per word, numpy for the rest.
    """
    words = tokens(text)
    if not words:
        return np.empty(0, dtype=np.uint32)
    cached = _WORD_HASHES.get
    hashed = np.fromiter(
        [cached(w) or _word_hash(w) for w in words], dtype=np.uint64, count=len(words)
    )
    if len(hashed) < SHINGLE:
        grams = hashed
    else:
        grams = hashed[:-2] * _MIX[0] + hashed[1:-1] * _MIX[1] + hashed[2:] * _MIX[2]
        grams ^= grams >> np.uint64(29)
    return np.unique((grams & _U32).astype(np.uint32))


def signature(text: str, a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """The MinHash signature of ``text``'s 3-grams (uint32, one value per permutation); None without words.

    Exactly datasketch's ``MinHash(scheme="affine32").update_batch`` over the 3-gram hashes
    (``min over grams of a * fmix32(h) + b mod 2**32`` for each permutation ``(a, b)``, given
    as uint32 columns), computed as one matrix operation.
    """
    grams = shingle_hashes(text)
    if not len(grams):
        return None
    products = a * _fmix32(grams)
    products += b
    return products.min(axis=1)


def _fmix32(h: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer, which datasketch's ``affine32`` scheme mixes inputs with."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h = h * np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


_BAND_SEED = np.random.default_rng(20).integers(1, 2**63, size=(256, 64), dtype=np.uint64) | np.uint64(1)


class BandIndex:
    """The originals' MinHash signatures, findable by LSH band: ``b`` bands of ``r`` values.

    What datasketch's ``MinHashLSH`` (dict storage) does, in bounded memory: each band of an
    added signature gets a 64-bit key (a hash of the band's values and its number), kept in
    one sorted ``uint64`` array with the original's number beside it (``int32``); the latest
    additions wait in a small dict until ``buffer`` of them are merged in. Signatures are kept
    in ``uint32`` chunks. :meth:`candidates` checks every hit against the stored signature, so
    a key collision never proposes an original that shares no band. About ``12 * b`` bytes
    per original for the bands plus ``4 * num_perm`` for the signature.

    >>> index = BandIndex(num_perm=4, bands=2, rows=2)
    >>> index.add(np.array([1, 2, 3, 4], dtype=np.uint32))
    0
    >>> index.candidates(np.array([1, 2, 9, 9], dtype=np.uint32)).tolist()
    [0]
    """

    CHUNK = 1 << 14

    def __init__(self, num_perm: int, bands: int, rows: int, buffer: int = 1 << 13) -> None:
        """``bands * rows`` <= ``num_perm`` (the first ``bands * rows`` values are banded)."""
        if bands < 1 or rows < 1 or bands * rows > num_perm or bands > len(_BAND_SEED) or rows > _BAND_SEED.shape[1]:
            raise ValueError(f"bands={bands}, rows={rows}: need 1 <= bands * rows <= num_perm={num_perm}")
        self.num_perm, self.bands, self.rows = num_perm, bands, rows
        self.buffer = buffer
        self._mult = _BAND_SEED[:bands, :rows]
        self._band_no = np.arange(bands, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        self._keys: np.ndarray = np.empty(0, dtype=np.uint64)
        self._owners: np.ndarray = np.empty(0, dtype=np.int32)
        self._recent: dict[int, list[int]] = {}
        self._chunks: list[np.ndarray] = []
        self._count = 0

    def __len__(self) -> int:
        """How many signatures were added."""
        return self._count

    def band_keys(self, values: np.ndarray) -> np.ndarray:
        """The ``bands`` 64-bit keys of a signature (uint64): equal bands give equal keys."""
        banded = values[: self.bands * self.rows].reshape(self.bands, self.rows).astype(np.uint64)
        keys = (banded * self._mult).sum(axis=1, dtype=np.uint64) ^ self._band_no
        keys ^= keys >> np.uint64(31)
        keys *= np.uint64(0xBF58476D1CE4E5B9)
        keys ^= keys >> np.uint64(29)
        return keys

    def signature(self, number: int) -> np.ndarray:
        """The signature added as ``number`` (uint32, a view)."""
        return self._chunks[number // self.CHUNK][number % self.CHUNK]

    def add(self, values: np.ndarray) -> int:
        """Add a signature (``num_perm`` uint32 values) and return its number (0, 1, ...)."""
        number = self._count
        if number % self.CHUNK == 0:
            self._chunks.append(np.empty((self.CHUNK, self.num_perm), dtype=np.uint32))
        self._chunks[-1][number % self.CHUNK] = values
        self._count += 1
        for key in self.band_keys(values).tolist():
            self._recent.setdefault(key, []).append(number)
        if self._count % self.buffer == 0:
            self._merge()
        return number

    def _merge(self) -> None:
        """Move the recent additions into the sorted arrays."""
        if not self._recent:
            return
        pairs = [(key, owner) for key, owners in self._recent.items() for owner in owners]
        pairs.sort()
        keys = np.fromiter((k for k, _ in pairs), dtype=np.uint64, count=len(pairs))
        owners = np.fromiter((o for _, o in pairs), dtype=np.int32, count=len(pairs))
        where = np.searchsorted(self._keys, keys, side="right")
        self._keys = np.insert(self._keys, where, keys)
        self._owners = np.insert(self._owners, where, owners)
        self._recent = {}

    def candidates(self, values: np.ndarray) -> np.ndarray:
        """The numbers of the added signatures sharing at least one whole band with ``values`` (sorted)."""
        keys = self.band_keys(values)
        low = np.searchsorted(self._keys, keys, side="left")
        high = np.searchsorted(self._keys, keys, side="right")
        found: list[int] = []
        for lo, hi in zip(low[high > low].tolist(), high[high > low].tolist(), strict=True):
            found.extend(self._owners[lo:hi].tolist())
        recent = self._recent
        for key in keys.tolist():
            hit = recent.get(key)
            if hit:
                found.extend(hit)
        if not found:
            return np.empty(0, dtype=np.int64)
        numbers = np.unique(np.asarray(found, dtype=np.int64))
        width = self.bands * self.rows
        ours = values[:width].reshape(self.bands, self.rows)
        shares = [(self.signature(n)[:width].reshape(self.bands, self.rows) == ours).all(axis=1).any() for n in numbers]
        return numbers[np.asarray(shares, dtype=bool)]


@dataclass(frozen=True)
class Verdict:
    """What the index says about one article."""

    kind: Literal["new", "exact", "near", "clash"]
    of: str | None = None
    index: int | None = None
    similarity: float | None = None


class Deduplicator:
    """Streaming duplicate detection; :meth:`check` each article in output order."""

    def __init__(self, near_threshold: float = 0.8, num_perm: int = NUM_PERM) -> None:
        """``near_threshold`` 0 switches near-duplicate detection off."""
        datasketch = require("datasketch", ("near-duplicate detection (", Option("near_dup_threshold"), ")"))
        MinHash, MinHashLSH = datasketch.MinHash, datasketch.MinHashLSH

        self.threshold = near_threshold
        self.num_perm = num_perm
        self._ids: list[str] = []
        self._by_id: dict[str, int] = {}
        self._by_sha: dict[bytes, int] = {}
        self._minhash = MinHash
        self._index: BandIndex | None = None
        self._article_of: list[np.ndarray] = []  # per indexed original: its article index (int32 chunks)
        self._permutations: Any = None
        if near_threshold > 0:
            self._permutations = MinHash(num_perm=num_perm, seed=1).permutations
            a, b = self._permutations
            self._a = np.asarray(a, dtype=np.uint32).reshape(-1, 1)
            self._b = np.asarray(b, dtype=np.uint32).reshape(-1, 1)
            # datasketch's banding; it needs b >= 2: above 0.95 it proposes candidates at 0.95, the check is exact
            params = MinHashLSH(threshold=min(near_threshold, 0.95), num_perm=num_perm)
            self._index = BandIndex(num_perm, params.b, params.r)

    @property
    def permutations(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The permutations ``(a, b)`` as uint32 columns for :func:`signature`; None when off."""
        if self._index is None:
            return None
        return self._a, self._b

    def signature(self, text: str) -> np.ndarray | None:
        """The MinHash signature of ``text`` (see :func:`signature`); None without words or when off."""
        return signature(text, self._a, self._b) if self._index is not None else None

    def minhash(self, text: str) -> Any:
        """The datasketch MinHash of ``text``; None for a text without words or when off."""
        values = self.signature(text)
        if values is None:
            return None
        return self._minhash(
            num_perm=self.num_perm, hashvalues=values, permutations=self._permutations, scheme="affine32"
        )

    def check(
        self, article_id: str, content_sha: str, text: str, precomputed: np.ndarray | None = None
    ) -> Verdict:
        """Classify an article and, unless it is an exact duplicate or a clash, register it.

        ``precomputed`` (the signature, computed by a worker) saves computing it from ``text``.
        A near duplicate's original is the candidate (an indexed original sharing an LSH band)
        with the highest share of equal signature values, at least the threshold; ties: the earliest.
        """
        digest = bytes.fromhex(content_sha[:32])
        kept = self._by_sha.get(digest)
        if kept is not None:
            return Verdict("exact", self._ids[kept], kept)
        clash = self._by_id.get(article_id)
        if clash is not None:
            return Verdict("clash", self._ids[clash], clash)
        verdict = Verdict("new")
        index = len(self._ids)
        if self._index is not None:
            values = precomputed if precomputed is not None else self.signature(text)
            if values is not None:
                best = self._nearest(values)
                if best is not None:
                    verdict = Verdict("near", self._ids[best[1]], best[1], round(best[0], 4))
                else:
                    number, chunk = self._index.add(values), self._index.CHUNK
                    if number % chunk == 0:
                        self._article_of.append(np.empty(chunk, dtype=np.int32))
                    self._article_of[-1][number % chunk] = index
        self._ids.append(article_id)
        self._by_id[article_id] = index
        self._by_sha[digest] = index
        return verdict

    def _nearest(self, values: np.ndarray) -> tuple[float, int] | None:
        """(similarity, article index) of the most similar candidate at or above the threshold; None."""
        assert self._index is not None
        numbers, chunk = self._index.candidates(values), self._index.CHUNK
        best: tuple[float, int] | None = None
        for number in numbers.tolist():  # ascending: the earliest original first
            sim = float(np.count_nonzero(self._index.signature(number) == values)) / self.num_perm
            if sim >= self.threshold and (best is None or sim > best[0]):
                best = (sim, int(self._article_of[number // chunk][number % chunk]))
        return best

    def __len__(self) -> int:
        """How many articles were registered (written)."""
        return len(self._ids)
