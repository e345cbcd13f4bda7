"""Linear hashing of the Redis backend's bucket shards: a split moves records only from the shard that splits,
only to the one it opens, and growth stops at the wanted number of shards."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.index.redis_store import (
    BASE_BITS,
    SHARD_ROWS,
    SPLITS_PER_SCRIPT,
    ShardMap,
    _each_once,
    _stable_order,
)


@settings(max_examples=60, deadline=None)
@given(base_bits=st.integers(0, 4), rows=st.integers(0, 3000), seed=st.integers(0, 2**32 - 1))
def test_each_split_moves_records_only_out_of_the_shard_that_splits(base_bits: int, rows: int, seed: int) -> None:
    buckets = np.random.default_rng(seed).integers(0, 2**39, 400, dtype=np.int64)
    current = ShardMap(base_bits)
    for after, splitting in current.splits(rows):
        assert 0 < len(splitting) <= SPLITS_PER_SCRIPT and splitting.start == current.split
        assert splitting.stop <= current.low  # a run stays within one level
        before_shard, after_shard = current.shards(buckets), after.shards(buckets)
        assert (before_shard < current.count).all() and (after_shard < after.count).all()
        splitting_ones = np.isin(before_shard, np.array(splitting))
        assert (after_shard[~splitting_ones] == before_shard[~splitting_ones]).all()  # the rest stay put
        stays = after_shard[splitting_ones] == before_shard[splitting_ones]
        assert (after_shard[splitting_ones][~stays] == before_shard[splitting_ones][~stays] + current.low).all()
        assert after.count == current.count + len(splitting)
        current = after
    assert current.count == max(2**base_bits, -(-rows // SHARD_ROWS))


def test_a_state_is_spelt_and_read_back() -> None:
    assert ShardMap.parse(ShardMap(10, 3, 77).spelt()) == ShardMap(10, 3, 77)
    assert ShardMap.parse(None) == ShardMap(BASE_BITS)  # an index being created: the empty map of today's base


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), max_size=300), st.booleans())
def test_the_radix_order_is_numpy_s_stable_order(shards: list[int], small: bool) -> None:
    values = np.array(shards, dtype=np.int64) % (2**16 if small else 2**32)
    assert (_stable_order(values) == np.argsort(values, kind="stable")).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 50)), max_size=200), st.booleans())
def test_rows_are_kept_once_in_owner_order(rows: list[tuple[int, int]], wide: bool) -> None:
    """Both ways of sorting (one packed number, or two keys when the keys are too wide to pack) agree with a set."""
    seqs = np.arange(100, 110, dtype=np.int64)
    owners = np.array([seqs[owner] for owner, _ in rows], dtype=np.int64)
    keys = np.array([key << 57 if wide else key + 2**39 for _, key in rows], dtype=np.int64)
    kept_keys, kept_owners = _each_once(keys, owners, seqs) if rows else (keys, owners)
    expected = sorted(set(zip(owners.tolist(), keys.tolist(), strict=True)))
    assert list(zip(kept_owners.tolist(), kept_keys.tolist(), strict=True)) == expected
