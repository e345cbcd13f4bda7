from __future__ import annotations

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
