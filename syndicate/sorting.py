"""The order that sorts an array of 64-bit keys, found by numpy's sort rather than its argsort.

numpy sorts 64-bit integers with a vectorised quicksort (x86-simd-sort) on AVX2 machines, but vectorises their
argsort only with AVX-512: on this project's 2-core VM, the 585,000 word hashes of 4,096 Reuters stories take 13 ms
to ``np.sort`` and 76 ms to ``argsort`` (57 ms stable). Many of the scan's orders are of such keys (the batch's word
hashes, verify's shingles and sentence-pair cells, the recurring paragraphs' fingerprints), so
:func:`sort_with_order` packs each position into the low bits of its key, sorts, and reads the order back out of the
sorted keys.
"""

from __future__ import annotations

import numpy as np

SMALL_ORDER = 1024
"""Below this many keys an argsort costs less than the extra passes (a pre-ingest check's arrays)."""
MAX_POSITION_BITS = 30
"""Past 2^30 keys the packed keys would keep too few bits of each key to be worth it."""


def sort_with_order(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(order, keys[order])`` where order is ``keys.argsort(kind="stable")``: the positions that sort `keys` (equal
    keys in position order), and the keys sorted. By packed keys for uint64 and int64 arrays, by argsort otherwise.

    Keys small enough to leave room for a position beside them (labels, counts, article numbers) are shifted up and
    packed with their positions whole: one ``np.sort`` is then the whole order. Larger keys (hashes) have their low
    bits replaced by each key's position: one ``np.sort`` orders them by their high bits, and keys whose high bits
    tie by position; wherever that leaves two neighbours out of order (keys that differ only in the low bits: rare
    for hashes), their run of tied high bits is sorted again on its own, stably.
    """
    size = len(keys)
    bits = max(1, (size - 1).bit_length())
    if keys.dtype == np.uint64 and size >= SMALL_ORDER and bits <= MAX_POSITION_BITS:
        return _sort_with_order(keys, bits)
    if keys.dtype == np.int64 and size >= SMALL_ORDER and bits <= MAX_POSITION_BITS:
        if keys.min() >= 0:  # (read as uint64 they keep their values: small ones stay small)
            order, ordered = _sort_with_order(keys.view(np.uint64), bits)
            return order, ordered.view(np.int64)
        order, ordered = _sort_with_order(keys.view(np.uint64) ^ _SIGN, bits)  # the flipped sign bit maps int64's
        ordered ^= _SIGN  # order onto uint64's
        return order, ordered.view(np.int64)
    order = keys.argsort(kind="stable")  # few keys, or of another type
    return order, keys[order]


_SIGN = np.uint64(1 << 63)


def _sort_with_order(keys: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """sort_with_order for uint64 keys, `bits` the bits a position needs."""
    size = len(keys)
    shift = np.uint64(bits)
    whole = int(keys.max()) >> (64 - bits) == 0  # each key fits above its position
    packed = keys << shift if whole else (keys >> shift) << shift
    packed |= np.arange(size, dtype=np.uint64)
    packed.sort()
    order = np.bitwise_and(packed, np.uint64((1 << bits) - 1)).view(np.int64)
    ordered = keys[order]
    if whole:
        return order, ordered
    descents = (ordered[1:] < ordered[:-1]).nonzero()[0]
    if len(descents):
        packed >>= shift
        _sort_tied_runs(order, ordered, packed, descents)
    return order, ordered


def _sort_tied_runs(order: np.ndarray, ordered: np.ndarray, high: np.ndarray, descents: np.ndarray) -> None:
    """Sort, in place and stably, each run of `order` whose keys tie in their `high` bits (sorted) and which holds a
    descent (``ordered[i + 1] < ordered[i]``): within such a run the order is by position, so a stable sort of the
    run by key gives the keys' stable order."""
    runs = distinct(high[descents])
    starts, stops = high.searchsorted(runs, side="left"), high.searchsorted(runs, side="right")
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        within = ordered[start:stop].argsort(kind="stable")
        order[start:stop] = order[start:stop][within]
        ordered[start:stop] = ordered[start:stop][within]


def first_of_runs(sorted_values: np.ndarray) -> np.ndarray:
    """Per value of a sorted array: whether it differs from the one before (the first of its run). Written into one
    array, without temporaries: a check calls it on small arrays many times."""
    first = np.empty(len(sorted_values), dtype=bool)
    first[:1] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=first[1:])
    return first


def distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)``: the values (flattened) sorted, each once, by one sort. Without np.unique's fixed costs,
    among them a masked-array test that imports numpy.ma (25 ms) the first time a process calls it: a one-article
    ``syndicate check`` would pay that on every run."""
    ordered = np.sort(values, axis=None)
    return ordered[first_of_runs(ordered)]


def distinct_counts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)``, as :func:`distinct` does it: each value once, sorted, and how many
    times it occurs."""
    ordered = np.sort(values, axis=None)
    starts = first_of_runs(ordered).nonzero()[0]
    return ordered[starts], run_lengths(starts, len(ordered))


def run_lengths(starts: np.ndarray, total: int) -> np.ndarray:
    """The length of each run, given where each starts (ascending) in an array of `total` values: ``np.diff(starts,
    append=total)``, without np.diff's overhead (a check's arrays are small, its calls many)."""
    lengths = np.empty(len(starts), dtype=np.int64)
    np.subtract(starts[1:], starts[:-1], out=lengths[:-1])
    lengths[-1:] = total - starts[-1:]
    return lengths
