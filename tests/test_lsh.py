from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from syndicate.config import ScanConfig
from syndicate.lsh import band_keys, candidate_pairs, optimal_banding


def test_identical_rows_collide_in_every_band_and_disjoint_ones_in_none() -> None:
    sig = np.array([[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], dtype=np.uint32)
    keys = band_keys(sig, bands=3, rows=2)
    assert keys.shape == (3, 3)
    assert (keys[0] == keys[1]).all()
    assert not (keys[0] == keys[2]).any()


def test_one_differing_row_breaks_only_its_band() -> None:
    sig = np.array([[1, 2, 3, 4, 5, 6], [1, 2, 3, 99, 5, 6]], dtype=np.uint32)
    keys = band_keys(sig, bands=3, rows=2)
    assert (keys[0] == keys[1]).tolist() == [True, False, True]


def test_too_many_rows_for_the_signature_is_an_error() -> None:
    with pytest.raises(ValueError, match="permutations"):
        band_keys(np.zeros((1, 8), dtype=np.uint32), bands=3, rows=3)


def test_candidate_pairs_are_distinct_ordered_article_pairs_without_self_pairs() -> None:
    # Paragraph owners: article 0 has two paragraphs in one bucket (no self pair), 1 and 2 share a key.
    keys = np.array([[5, 1], [5, 2], [7, 3], [7, 3], [9, 4]], dtype=np.uint64)
    owners = np.array([0, 0, 1, 2, 0])
    pairs = candidate_pairs(keys, owners)
    assert pairs.tolist() == [[1, 2]]


def test_large_buckets_stay_connected_but_bounded() -> None:
    keys = np.zeros((10, 1), dtype=np.uint64)
    pairs = candidate_pairs(keys, np.arange(10), max_bucket=2)
    assert {tuple(p) for p in pairs.tolist()} == {(0, i) for i in range(1, 10)} | {(1, i) for i in range(2, 10)}


def test_default_banding_leans_to_recall_at_the_paragraph_threshold() -> None:
    config = ScanConfig()
    bands, rows = config.bands_rows
    assert bands * rows <= config.num_perm
    def chance(similarity: float) -> float:
        return 1 - (1 - similarity**rows) ** bands
    assert chance(config.paragraph_threshold) >= 0.9
    assert chance(0.5) >= 0.999


@pytest.mark.parametrize("num_perm", [32, 64, 128, 256])
@pytest.mark.parametrize("weights", [(0.5, 0.5), (0.1, 0.9)])
def test_banding_optimiser_agrees_with_datasketch(num_perm: int, weights: tuple[float, float]) -> None:
    from datasketch.lsh import _optimal_param

    for threshold in (0.1, 0.2, 0.3, 0.5, 0.8, 0.9):
        assert optimal_banding(threshold, num_perm, *weights) == _optimal_param(threshold, num_perm, *weights)


def window_pairs(keys, owners, days, window, max_bucket=256):
    from syndicate.lsh import candidate_codes, decode_pairs

    return {tuple(p) for p in decode_pairs(candidate_codes(keys, owners, max_bucket, days, window)).tolist()}


def test_a_window_drops_pairs_far_apart_in_time_but_never_undated_ones() -> None:
    keys = np.array([[7], [7], [7], [7]], dtype=np.uint64)
    owners = np.arange(4)
    days = np.array([0.0, 2.0, 30.0, np.nan])
    assert window_pairs(keys, owners, days, None) == {(a, b) for a in range(4) for b in range(a + 1, 4)}
    assert window_pairs(keys, owners, days, 3.0) == {(0, 1), (0, 3), (1, 3), (2, 3)}


def test_a_large_bucket_under_a_window_links_members_close_in_time_and_stays_connected() -> None:
    members = 60
    keys = np.zeros((members, 1), dtype=np.uint64)
    rng = np.random.default_rng(1)
    days = rng.permutation(np.arange(members, dtype=float) * 2)  # one member every two days, shuffled
    days[5] = np.nan
    pairs = window_pairs(keys, np.arange(members), days, window=5.0, max_bucket=8)
    assert pairs, "the bucket is linked"
    for a, b in pairs:
        assert np.isnan(days[a]) or np.isnan(days[b]) or abs(days[a] - days[b]) <= 5
    assert {b for a, b in pairs if a == 5} | {a for a, b in pairs if b == 5}, "the undated member is linked"
    # Every dated member reaches the next one in time: the bucket stays one connected group along time.
    order = [m for m in np.argsort(days) if not np.isnan(days[m])]
    assert all((min(a, b), max(a, b)) in pairs for a, b in pairwise(order))
    assert len(pairs) <= members * 8  # linear, as without a window
