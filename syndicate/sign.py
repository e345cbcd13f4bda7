"""MinHash signatures, computed for many shingle sets per numpy call.

The permutation scheme is datasketch's ``affine32`` (MurmurHash3 fmix32 pre-mix, then
``a*h + b mod 2**32``) with datasketch's own parameters for the seed, so every signature
row *is* a datasketch MinHash: :meth:`MinHasher.to_datasketch` wraps it without
recomputation, and it can be inserted into a datasketch ``MinHashLSH``. The scheme name is
stored with every index because values from different schemes are not comparable.
"""

from __future__ import annotations

import numpy as np
from datasketch import LeanMinHash, MinHash

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))
_MAX_CELLS = 1 << 22  # shingles x permutations per numpy step: bounds peak memory to ~16 MB


def fold32(shingles: np.ndarray) -> np.ndarray:
    """The 32-bit value MinHash sees for a 64-bit shingle hash (xor of its halves)."""
    return (shingles ^ (shingles >> np.uint64(32))).astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


class MinHasher:
    """Signs shingle sets; one instance per (num_perm, seed), reused for a whole run."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        self.num_perm = num_perm
        self.seed = seed
        a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        self._a = np.asarray(a, dtype=np.uint32)
        self._b = np.asarray(b, dtype=np.uint32)

    def signatures(self, shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """One signature row per set ``shingles[offsets[i]:offsets[i+1]]``; empty sets get all-EMPTY rows."""
        count = len(offsets) - 1
        out = np.full((count, self.num_perm), EMPTY, dtype=np.uint32)
        sizes = np.diff(offsets)
        nonempty = np.flatnonzero(sizes)
        if len(nonempty) == 0:
            return out
        mixed = _fmix32(fold32(shingles))
        # Walk the non-empty sets in batches whose shingle count bounds the (shingles x perms) matrix.
        limit = max(1, _MAX_CELLS // self.num_perm)
        start = 0
        while start < len(nonempty):
            stop = start + 1
            total = sizes[nonempty[start]]
            while stop < len(nonempty) and total + sizes[nonempty[stop]] <= limit:
                total += sizes[nonempty[stop]]
                stop += 1
            batch = nonempty[start:stop]
            lo, hi = offsets[batch[0]], offsets[batch[-1] + 1]
            permuted = mixed[lo:hi, None] * self._a + self._b
            out[batch] = np.minimum.reduceat(permuted, offsets[batch] - lo, axis=0)
            start = stop
        return out

    def to_datasketch(self, signature: np.ndarray) -> LeanMinHash:
        """A datasketch LeanMinHash holding exactly this signature (no rehashing)."""
        return LeanMinHash(seed=self.seed, hashvalues=np.asarray(signature, dtype=np.uint32), scheme=SCHEME)
