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

Memory: per article a few hundred bytes (its id, a 16-byte digest of its text) plus, in
the near-duplicate index, its 512-byte signature and LSH band keys.
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
        self._signatures: dict[int, bytes] = {}
        self._minhash = MinHash
        self._lsh: Any = None
        self._permutations: Any = None
        if near_threshold > 0:
            self._permutations = MinHash(num_perm=num_perm, seed=1).permutations
            a, b = self._permutations
            self._a = np.asarray(a, dtype=np.uint32).reshape(-1, 1)
            self._b = np.asarray(b, dtype=np.uint32).reshape(-1, 1)
            # LSH banding needs b >= 2: above 0.95 it proposes candidates at 0.95, the check is exact
            self._lsh = MinHashLSH(threshold=min(near_threshold, 0.95), num_perm=num_perm)

    @property
    def permutations(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The permutations ``(a, b)`` as uint32 columns for :func:`signature`; None when off."""
        if self._lsh is None:
            return None
        return self._a, self._b

    def signature(self, text: str) -> np.ndarray | None:
        """The MinHash signature of ``text`` (see :func:`signature`); None without words or when off."""
        return signature(text, self._a, self._b) if self._lsh is not None else None

    def minhash(self, text: str) -> Any:
        """The datasketch MinHash of ``text`` (for the LSH index); None for a text without words."""
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
        if self._lsh is not None:
            values = precomputed if precomputed is not None else self.signature(text)
            if values is not None:
                m = self._minhash(
                    num_perm=self.num_perm, hashvalues=values, permutations=self._permutations, scheme="affine32"
                )
                best: tuple[float, int] | None = None
                for key in self._lsh.query(m):
                    other = np.frombuffer(self._signatures[key], dtype=values.dtype)
                    sim = float(np.count_nonzero(other == values)) / self.num_perm
                    if sim >= self.threshold and (best is None or sim > best[0] or (sim == best[0] and key < best[1])):
                        best = (sim, key)
                if best is not None:
                    verdict = Verdict("near", self._ids[best[1]], best[1], round(best[0], 4))
                else:
                    self._lsh.insert(index, m, check_duplication=False)
                    self._signatures[index] = values.tobytes()
        self._ids.append(article_id)
        self._by_id[article_id] = index
        self._by_sha[digest] = index
        return verdict

    def __len__(self) -> int:
        """How many articles were registered (written)."""
        return len(self._ids)
