"""MinHash signatures, computed for many shingle sets per numpy call.

The permutation scheme is datasketch's ``affine32`` (MurmurHash3 fmix32 pre-mix, then
``a*h + b mod 2**32``) with datasketch's own parameters for the seed, so every signature
row *is* a datasketch MinHash: :meth:`MinHasher.to_datasketch` wraps it without
recomputation, and it can be inserted into a datasketch ``MinHashLSH``. The scheme name is
stored with every index because values from different schemes are not comparable.

The parameters are drawn here exactly as datasketch draws them (tests compare the two), not
fetched from a datasketch ``MinHash``: importing datasketch pulls in scipy, 0.7 s that a
pre-ingest hook would pay on every call. datasketch is imported only by ``to_datasketch``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from datasketch import LeanMinHash

SCHEME = "affine32"
EMPTY = np.uint32(0xFFFFFFFF)
_FMIX32 = tuple(np.array(value, dtype=np.uint32) for value in (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16))
"""As 0-d arrays, which numpy applies faster than scalars (a checked article has a few hundred shingles: the cost of
each call counts)."""
_32 = np.array(32, dtype=np.uint64)
_CHUNK = 8192
"""Shingles per numpy step. The (permutations x shingles) block, 4 MB at 128 permutations, stays in
cache while it is permuted and reduced; larger steps ran slower on Reuters-21578, not faster."""


def fold32(shingles: np.ndarray) -> np.ndarray:
    """The 32-bit value MinHash sees for a 64-bit shingle hash (xor of its halves)."""
    return (shingles ^ (shingles >> _32)).astype(np.uint32)


def _fmix32(values: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX32
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The (a, b) of datasketch's ``affine32`` scheme for this seed: odd multipliers, any offsets."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


class MinHasher:
    """Signs shingle sets; one instance per (num_perm, seed), reused for a whole run."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        self.num_perm = num_perm
        self.seed = seed
        self._a, self._b = affine32_permutations(num_perm, seed)
        self._columns = self._a[:, None], self._b[:, None]

    def signatures(self, shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """One signature row per set ``shingles[offsets[i]:offsets[i+1]]``; empty sets get all-EMPTY rows."""
        return self.signatures_by_permutation(shingles, offsets).T.copy()

    def signatures_by_permutation(self, shingles: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """The signatures of :meth:`signatures` laid out the other way, as they are computed: one row per
        permutation, one column per set (``permutations x sets``). Band keys and whole-article signatures read
        this layout along its rows (:func:`~syndicate.lsh.band_keys_by_band`), without a transposed copy.

        Permutations run along the rows of a (permutations x shingles) block, so one
        ``minimum.reduceat`` over contiguous memory takes the minimum of many sets at once;
        the block is filled in place, a few thousand shingles at a time. Sets that fit in one block together (a
        checked article's chunks) are reduced at once, in a block of their own size.
        """
        offsets = np.asarray(offsets, dtype=np.int64)
        sets = len(offsets) - 1
        nonempty = (offsets[1:] > offsets[:-1]).nonzero()[0]
        if len(nonempty) == 0:
            return np.full((self.num_perm, sets), EMPTY, dtype=np.uint32)
        mixed = _fmix32(fold32(np.asarray(shingles, dtype=np.uint64)))
        a, b = self._columns
        starts, ends = offsets[nonempty], offsets[nonempty + 1]
        if ends[-1] - starts[0] <= _CHUNK:  # one block holds every set (one article's chunks): one reduction
            permuted = a * mixed[None, starts[0] : ends[-1]]
            permuted += b
            minima = np.minimum.reduceat(permuted, starts - starts[0], axis=1)
            if len(nonempty) == sets:
                return minima
            found = np.full((self.num_perm, sets), EMPTY, dtype=np.uint32)
            found[:, nonempty] = minima
            return found
        out = np.full((self.num_perm, sets), EMPTY, dtype=np.uint32)
        block = np.empty((self.num_perm, _CHUNK), dtype=np.uint32)
        first = 0
        while first < len(nonempty):
            lo = starts[first]
            # As many whole sets as fit in one block; a larger set is reduced alone, block by block.
            last = max(first + 1, int(ends.searchsorted(lo + _CHUNK, side="right")))
            hi = ends[last - 1]
            minima = None
            for step in range(lo, hi, _CHUNK) if last == first + 1 else (lo,):
                stop = min(hi, step + _CHUNK) if last == first + 1 else hi
                permuted = np.multiply(a, mixed[None, step:stop], out=block[:, : stop - step])
                permuted += b
                if last == first + 1:
                    reduced = permuted.min(axis=1, keepdims=True)
                    minima = reduced if minima is None else np.minimum(minima, reduced)
                else:
                    minima = np.minimum.reduceat(permuted, starts[first:last] - lo, axis=1)
            out[:, nonempty[first:last]] = minima
            first = last
        return out

    def to_datasketch(self, signature: np.ndarray) -> LeanMinHash:
        """A datasketch LeanMinHash holding exactly this signature (no rehashing)."""
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self.seed, hashvalues=np.asarray(signature, dtype=np.uint32), scheme=SCHEME)


@lru_cache(maxsize=4)
def shared_hasher(num_perm: int, seed: int) -> MinHasher:
    """One MinHasher per parameters in a process (a worker signs many batches with it)."""
    return MinHasher(num_perm, seed)
