"""Paragraph-level LSH banding: which article pairs share a paragraph worth verifying.

Banding is done in bulk with numpy (one sort per band over all paragraphs) rather than
by inserting into datasketch's MinHashLSH one key at a time: a batch scan knows every
key up front, and a sort finds all collisions at once. The persistent index stores the
same band keys, so both paths agree on what a candidate is.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from .terms import first_of_runs

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(128)


def optimal_banding(threshold: float, num_perm: int, false_positive_weight: float,
                    false_negative_weight: float) -> tuple[int, int]:
    """The (bands, rows) minimising the weighted false positive and negative areas.

    datasketch's ``_optimal_param``, computed for every (bands, rows) at once with Gauss-Legendre
    quadrature instead of scipy (which datasketch imports, at 0.7 s a process); tests check both
    agree over a grid of thresholds, permutation counts and weights.
    """
    grid = np.array([(b, r) for b in range(1, num_perm + 1) for r in range(1, num_perm // b + 1)], dtype=float)
    bands, rows = grid[:, :1], grid[:, 1:]

    def collide(similarity: np.ndarray) -> np.ndarray:
        return 1 - (1 - similarity**rows) ** bands

    def area(low: float, high: float, curve) -> np.ndarray:
        points = (high - low) / 2 * _NODES + (high + low) / 2
        return (curve(points) * _WEIGHTS).sum(axis=1) * (high - low) / 2

    false_positive = area(0.0, threshold, collide)
    false_negative = area(threshold, 1.0, lambda s: 1 - collide(s))
    best = int(np.argmin(false_positive * false_positive_weight + false_negative * false_negative_weight))
    return int(grid[best, 0]), int(grid[best, 1])


_BAND_MIX = np.random.default_rng(0x5EED).integers(1, 2**63, size=64, dtype=np.uint64) | np.uint64(1)
_BAND_MIX_ROWS = _BAND_MIX[:, None, None]
_29 = np.array(29, dtype=np.uint64)
"""A 0-d array: numpy applies it faster than a scalar, and band_keys applies it to every checked article."""


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One 64-bit key per (paragraph, band): a mix of that band's `rows` signature values; from signatures a row per
    set (:meth:`~syndicate.sign.MinHasher.signatures`), a row of keys per set."""
    return np.ascontiguousarray(band_keys_by_band(np.asarray(signatures).T, bands, rows).T)


def band_keys_by_band(by_permutation: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """:func:`band_keys` of signatures laid out a row per permutation (``permutations x sets``, see
    :meth:`~syndicate.sign.MinHasher.signatures_by_permutation`), as a row of keys per band (``bands x sets``): the
    layout the candidate step reads, one band at a time."""
    if bands * rows > by_permutation.shape[0]:
        raise ValueError(f"{bands} bands x {rows} rows need {bands * rows} permutations, "
                         f"signatures have {by_permutation.shape[0]}")
    if rows > len(_BAND_MIX):
        raise ValueError(f"at most {len(_BAND_MIX)} rows per band")
    sets = by_permutation.shape[1]
    if rows == 0:
        return np.zeros((bands, sets), dtype=np.uint64)
    # Row-major blocks (row, band, set), each multiplied by its row's mix in one pass: the additions and mixes that
    # must follow one another, row by row, then run over contiguous rows (a permutation's row is copied whole).
    block = by_permutation[: bands * rows].reshape(bands, rows, sets).transpose(1, 0, 2).astype(np.uint64, order="C")
    block *= _BAND_MIX_ROWS[:rows]
    keys = block[0] ^ (block[0] >> _29)  # an array of its own, not a view keeping the whole block alive
    shifted = np.empty_like(keys)
    for row in range(1, rows):
        keys += block[row]
        keys ^= np.right_shift(keys, _29, out=shifted)
    return keys


def candidate_pairs(keys: np.ndarray, owners: np.ndarray, max_bucket: int = 256) -> np.ndarray:
    """Distinct (a, b) owner pairs, a < b, whose paragraphs share a key in some band.

    `keys` is (paragraphs, bands); `owners[i]` is the article index of paragraph i. A bucket
    with more than `max_bucket` articles links each to the bucket's first `max_bucket`
    articles only, which keeps the work linear while leaving every member connected.
    """
    return decode_pairs(candidate_codes(keys, owners, max_bucket))


def decode_pairs(codes: np.ndarray) -> np.ndarray:
    """(a, b) rows from sorted pair codes (see :func:`candidate_codes`)."""
    return np.stack([codes >> 32, codes & 0xFFFFFFFF], axis=1)


def candidate_codes(keys: np.ndarray, owners: np.ndarray, max_bucket: int = 256, days: np.ndarray | None = None,
                    window: float | None = None) -> np.ndarray:
    """:func:`candidate_pairs` as sorted unique int64 codes ``a << 32 | b``: cheap to merge across calls.

    With a `window` (days), a pair is proposed only when its articles are dated within `window` days
    of each other or either has no date (``days[article]``: days since the epoch, NaN when undated).
    In a bucket larger than `max_bucket`, dated members are then linked, in date order, to the
    `max_bucket` members before them that are close enough in time (instead of to the bucket's first
    `max_bucket` members, which may all be months away), and undated members to the bucket's first
    `max_bucket` members; the work stays linear and the bucket stays connected along time.
    """
    windowed = window is not None and days is not None
    found: list[np.ndarray] = []
    packable = keys.dtype.itemsize <= 4 and (len(owners) == 0 or int(owners.max()) < 1 << 32)
    for band in range(keys.shape[1]):
        if packable:  # one sort of (key, owner) packed in 64 bits: no argsort, no gathers (32-bit keys, the scan's)
            packed = (keys[:, band].astype(np.uint64) << np.uint64(32)) | owners.astype(np.uint64)
            packed.sort()
            sorted_keys, sorted_owners = packed >> np.uint64(32), (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
        else:
            order = np.argsort(keys[:, band])
            sorted_keys, sorted_owners = keys[order, band], owners[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        sizes = np.diff(np.r_[starts, len(sorted_keys)])
        # Buckets of up to max_bucket rows pair every member with every other, vectorised per bucket size
        # (buckets grouped by size with one sort: a scan over all buckets per size grew with the square of
        # the archive); self-pairs (two paragraphs of one article) and repeats are dropped by _encode and the sort.
        small = (sizes >= 2) & (sizes <= max_bucket)
        by_size = np.argsort(sizes[small], kind="stable")
        small_starts, small_sizes = starts[small][by_size], sizes[small][by_size]
        bounds = np.flatnonzero(np.r_[True, small_sizes[1:] != small_sizes[:-1], True]).tolist() if len(
            small_sizes) else []
        for low, high in pairwise(bounds):
            size = int(small_sizes[low])
            members = sorted_owners[small_starts[low:high, None] + np.arange(size)]
            first, second = np.triu_indices(size, k=1)
            a, b = members[:, first].ravel(), members[:, second].ravel()
            if windowed:
                close = _close_in_time(a, b, days, window)
                a, b = a[close], b[close]
            found.append(_encode(a, b))
        for start, size in zip(starts[sizes > max_bucket], sizes[sizes > max_bucket], strict=True):
            members = np.unique(sorted_owners[start : start + size])
            if windowed:
                found.append(_windowed_hub_codes(members, days, window, max_bucket))
                continue
            hubs = members[:max_bucket]
            a = np.repeat(hubs, len(members))
            b = np.tile(members, len(hubs))
            found.append(_encode(a, b))
    if not found:
        return np.empty(0, dtype=np.int64)
    codes = np.concatenate(found)
    codes.sort()
    codes = without_repeats(codes)
    return codes[codes >= 0]


def without_repeats(sorted_codes: np.ndarray) -> np.ndarray:
    """A sorted array with each value once. With a sort before it, this is np.unique, whose hashed implementation
    (numpy 2) took 25 s on the 28 million candidate codes of a 1M-article scan, against 1 s for a sort."""
    return sorted_codes[first_of_runs(sorted_codes)]


def merged_codes(parts: list[np.ndarray]) -> np.ndarray:
    """The distinct codes of several sorted arrays, sorted: a stable sort merges the sorted runs."""
    if not parts:
        return np.empty(0, dtype=np.int64)
    return without_repeats(np.sort(np.concatenate(parts), kind="stable"))


def _close_in_time(a: np.ndarray, b: np.ndarray, days: np.ndarray, window: float) -> np.ndarray:
    """True where articles a and b are within `window` days, or either is undated (NaN compares false)."""
    return ~(np.abs(days[a] - days[b]) > window)


def _windowed_hub_codes(members: np.ndarray, days: np.ndarray, window: float, max_bucket: int) -> np.ndarray:
    """A large bucket under a time window (see :func:`candidate_codes`)."""
    member_days = days[members]
    undated = np.isnan(member_days)
    dated = members[~undated][np.lexsort((members[~undated], member_days[~undated]))]
    codes = []
    for step in range(1, min(max_bucket, len(dated) - 1) + 1):
        a, b = dated[:-step], dated[step:]
        close = _close_in_time(a, b, days, window)
        if not close.any():
            break  # in date order: further steps are further apart
        codes.append(_encode(a[close], b[close]))
    if undated.any():
        hubs = members[:max_bucket]
        codes.append(_encode(np.repeat(members[undated], len(hubs)), np.tile(hubs, int(undated.sum()))))
    return np.concatenate(codes) if codes else np.empty(0, dtype=np.int64)


def _encode(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pack an unordered pair into one int64 (smaller << 32 | larger); self-pairs become -1."""
    a, b = a.astype(np.int64), b.astype(np.int64)
    low, high = np.minimum(a, b), np.maximum(a, b)
    return np.where(low == high, -1, (low << 32) | high)
