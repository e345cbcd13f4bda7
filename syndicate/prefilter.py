"""Reject candidate pairs that cannot be links, for a whole chunk of pairs at once, before verification.

Every kind of link needs its pair to share at least :attr:`ScanConfig.least_containment` of the
smaller article's evidence shingles (the one place that bound lives). Counting the shared shingles
of each pair is what verification starts with, in Python, pair by pair; here it is one sort for
thousands of pairs: each side's evidence is tagged with the pair's number, and equal neighbours
in the sorted tags are shared shingles. Tags keep the top 40 bits of a shingle, so two different
shingles can look alike: that only ever *raises* a count, so a pair rejected here fails the bound
with its exact count too, and verification would reject it the same way. What passes is verified
exactly, so the scan's output is the same with or without this step.
"""

from __future__ import annotations

import numpy as np

from .columns import EvidenceColumns
from .config import ScanConfig

_PAIR_BITS = 24
_PAIR_SHIFT = np.uint64(64 - _PAIR_BITS)
MAX_PAIRS = 1 << _PAIR_BITS
"""Pairs per call (the pair number takes the top 24 bits of a tag)."""


def shared_upper_bound(pairs: np.ndarray, evidence: EvidenceColumns) -> np.ndarray:
    """For each (a, b) row of `pairs` (sorted rows), a count no smaller than the evidence shingles a and b share."""
    if len(pairs) > MAX_PAIRS:
        raise ValueError(f"at most {MAX_PAIRS} pairs per call, got {len(pairs)}")
    # Each side's tags come out sorted (pairs in order, values sorted per article): the stable sort of the two
    # runs end to end is a single merge.
    tags = np.concatenate([_tags(side, evidence) for side in (pairs[:, 0], pairs[:, 1])])
    tags.sort(kind="stable")
    equal = tags[1:] == tags[:-1]
    return np.bincount((tags[1:][equal] >> _PAIR_SHIFT).astype(np.int64), minlength=len(pairs))


def _tags(articles: np.ndarray, evidence: EvidenceColumns) -> np.ndarray:
    """(pair number << 40) | top 40 bits of the shingle, for every evidence shingle of each article."""
    starts = evidence.value_offsets[articles]
    lengths = evidence.value_offsets[articles + 1] - starts
    ends = np.cumsum(lengths)
    positions = np.arange(int(ends[-1]) if len(ends) else 0, dtype=np.int64) + np.repeat(starts - (ends - lengths),
                                                                                          lengths)
    pair = np.repeat(np.arange(len(articles), dtype=np.uint64), lengths)
    return (pair << _PAIR_SHIFT) | (evidence.values[positions] >> np.uint64(_PAIR_BITS))


def could_link(pairs: np.ndarray, evidence: EvidenceColumns, config: ScanConfig) -> np.ndarray:
    """True for the pairs that may pass verification: they share something, and at least the least
    containment any link needs (by the upper bound above)."""
    shared = shared_upper_bound(pairs, evidence)
    smaller = np.minimum(evidence.sizes(pairs[:, 0]), evidence.sizes(pairs[:, 1]))
    return (shared > 0) & ~(shared < config.least_containment * smaller)
