"""sort_with_order: numpy's stable argsort, by a sort of keys with their positions packed into the low bits."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import sorting
from syndicate.sorting import sort_with_order

_U64 = st.integers(0, 2**64 - 1)
_I64 = st.integers(-(2**63), 2**63 - 1)


def _keys(values: list[int], repeats: list[int], low_only: list[int], dtype: type) -> np.ndarray:
    """Drawn values, some repeated, some changed in their low bits only (ties in the packed keys' high bits)."""
    drawn = list(values)
    if drawn:
        drawn += [drawn[i % len(drawn)] for i in repeats]
        drawn += [(drawn[i % len(drawn)] & ~0xFFFF) | (low & 0xFFFF) for i, low in enumerate(low_only)]
    return np.array(drawn, dtype=dtype)


def _through_packed_keys() -> object:
    """Every size through the packed keys (the scan takes arrays of SMALL_ORDER keys or more that way)."""
    return patch.object(sorting, "SMALL_ORDER", 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(_U64, max_size=300), st.lists(st.integers(0, 299), max_size=300), st.lists(_U64, max_size=300))
def test_the_order_is_the_stable_argsort_of_uint64(values, repeats, low_only) -> None:
    keys = _keys(values, repeats, low_only, np.uint64)
    with _through_packed_keys():
        order, ordered = sort_with_order(keys)
    expected = keys.argsort(kind="stable")
    assert np.array_equal(order, expected)
    assert np.array_equal(ordered, keys[expected]) and ordered.dtype == np.uint64


@settings(max_examples=300, deadline=None)
@given(st.lists(_I64, max_size=300), st.lists(st.integers(0, 299), max_size=300),
       st.lists(st.integers(0, 2**16 - 1), max_size=300))
def test_the_order_is_the_stable_argsort_of_int64(values, repeats, low_only) -> None:
    keys = _keys([v & (2**64 - 1) for v in values], repeats, low_only, np.uint64).view(np.int64)
    with _through_packed_keys():
        order, ordered = sort_with_order(keys)
    expected = keys.argsort(kind="stable")
    assert np.array_equal(order, expected)
    assert np.array_equal(ordered, keys[expected]) and ordered.dtype == np.int64


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 300), st.integers(0, 63), st.data())
def test_small_keys_packed_whole_beside_their_positions_keep_the_stable_argsort(size, width, data) -> None:
    """Keys that fit above their positions (article numbers, labels) are packed whole: drawn up to and past the
    largest that fits, uint64 and non-negative int64 alike (negative ones take the sign-flipped path)."""
    values = data.draw(st.lists(st.integers(0, 2**width - 1), min_size=size, max_size=size))
    for dtype in (np.uint64, np.int64):
        keys = np.array([v & (2**63 - 1) if dtype is np.int64 else v for v in values], dtype=dtype)
        with _through_packed_keys():
            order, ordered = sort_with_order(keys)
        expected = keys.argsort(kind="stable")
        assert np.array_equal(order, expected)
        assert np.array_equal(ordered, keys[expected]) and ordered.dtype == dtype


def test_keys_that_differ_only_below_the_positions_are_put_in_order() -> None:
    """4,096 keys need 12 bits of position: keys that differ only in their lowest 12 bits tie in the packed keys and
    come out by position, here the reverse of their order, which the runs' second sort must put right."""
    rng = np.random.default_rng(7)
    high = rng.integers(0, 1 << 40, 64, dtype=np.uint64) << np.uint64(20)
    keys = (high.repeat(64) | np.tile(np.arange(64, dtype=np.uint64)[::-1], 64))
    order, ordered = sort_with_order(keys)
    assert np.array_equal(order, keys.argsort(kind="stable"))
    assert np.all(ordered[1:] >= ordered[:-1])


def test_other_types_and_empty_arrays_are_ordered_too() -> None:
    """Keys of other types (and none) still come back in their stable order, with their own type: checked against
    Python's sort of the positions, which is stable."""
    for keys in (np.array([3, 1, 2, 1], dtype=np.int32), np.arange(5000, 0, -1, dtype=np.int32) % 7,
                 np.empty(0, np.uint64)):
        order, ordered = sort_with_order(keys)
        expected = sorted(range(len(keys)), key=keys.tolist().__getitem__)
        assert order.tolist() == expected and ordered.tolist() == [keys.tolist()[i] for i in expected]
        assert ordered.dtype == keys.dtype


@settings(max_examples=200, deadline=None)
@given(st.lists(_I64, max_size=40), st.lists(st.integers(0, 39), max_size=40))
def test_distinct_and_its_counts_equal_np_unique(values: list[int], repeats: list[int]) -> None:
    """What np.unique gives (the check path uses these instead: np.unique imports numpy.ma on its first call)."""
    drawn = np.array(values + [values[i % len(values)] for i in repeats] if values else [], dtype=np.int64)
    expected, counts = np.unique(drawn, return_counts=True)
    assert np.array_equal(sorting.distinct(drawn), expected) and sorting.distinct(drawn).dtype == drawn.dtype
    found, found_counts = sorting.distinct_counts(drawn)
    assert np.array_equal(found, expected) and np.array_equal(found_counts, counts)
    grid = drawn[: len(drawn) // 2 * 2].reshape(-1, 2)  # np.unique flattens
    assert np.array_equal(sorting.distinct(grid), np.unique(grid))
