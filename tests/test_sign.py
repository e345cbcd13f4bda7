from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.shingle import shingle_paragraphs
from syndicate.sign import EMPTY, SCHEME, MinHasher, affine32_permutations, fold32


def test_signatures_equal_datasketch_minhash_on_the_same_values(seeds_dir) -> None:
    text = (seeds_dir / "002_a03570c17a29d6cf.txt").read_text(encoding="utf-8").splitlines()
    shingles = shingle_paragraphs(text, n=5)
    hasher = MinHasher(num_perm=64, seed=7)
    signatures = hasher.signatures(shingles.values, shingles.offsets)
    for index in np.flatnonzero(shingles.sizes()):
        reference = MinHash(num_perm=64, seed=7, scheme=SCHEME, hashfunc=int)
        reference.update_batch(fold32(shingles.paragraph(index)).tolist())
        assert np.array_equal(reference.hashvalues, signatures[index])


def test_empty_sets_get_the_empty_signature_and_batching_does_not_change_results() -> None:
    rng = np.random.default_rng(3)
    sizes = [0, 5, 0, 2000, 1, 0]
    offsets = np.r_[0, np.cumsum(sizes)]
    values = rng.integers(0, 2**63, size=offsets[-1], dtype=np.uint64)
    hasher = MinHasher(num_perm=256)  # 2000 x 256 exceeds one numpy step: forces several batches
    together = hasher.signatures(values, offsets)
    for i in range(len(sizes)):
        alone = hasher.signatures(values[offsets[i] : offsets[i + 1]], np.array([0, sizes[i]]))
        assert np.array_equal(together[i], alone[0])
    assert (together[[0, 2, 5]] == EMPTY).all()


def test_to_datasketch_round_trips_and_estimates_jaccard() -> None:
    hasher = MinHasher()
    a = np.arange(0, 1000, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    b = np.arange(500, 1500, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    sig = hasher.signatures(np.r_[a, b], np.array([0, 1000, 2000]))
    lean_a, lean_b = hasher.to_datasketch(sig[0]), hasher.to_datasketch(sig[1])
    assert isinstance(lean_a, LeanMinHash)
    assert np.array_equal(lean_a.hashvalues, sig[0])
    assert lean_a.jaccard(lean_b) == pytest.approx(1 / 3, abs=0.15)


def test_estimates_track_exact_jaccard_statistically() -> None:
    """Mean absolute error over 300 random pairs spanning J in [0, 1] stays near the MinHash bound."""
    rng = np.random.default_rng(11)
    hasher = MinHasher(num_perm=128)
    errors = []
    for _ in range(300):
        universe = rng.integers(0, 2**63, size=400, dtype=np.uint64)
        cut_a, cut_b = sorted(rng.integers(1, 400, size=2))
        a, b = universe[:cut_b], universe[cut_a:]
        exact = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
        sig = hasher.signatures(np.r_[a, b], np.array([0, len(a), len(a) + len(b)]))
        errors.append(abs(np.mean(sig[0] == sig[1]) - exact))
    # Standard error of a 128-permutation estimate is at most 0.044; its mean absolute value about 0.035.
    assert np.mean(errors) < 0.04
    assert np.max(errors) < 0.2


@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 7), (256, 42)])
def test_permutations_are_datasketch_affine32_parameters(num_perm: int, seed: int) -> None:
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    mine_a, mine_b = affine32_permutations(num_perm, seed)
    assert np.array_equal(a, mine_a) and np.array_equal(b, mine_b)
    assert mine_a.dtype == mine_b.dtype == np.uint32


def test_importing_the_cli_does_not_import_datasketch() -> None:
    """The hook runs once per article: datasketch (and scipy behind it) must load only when used."""
    import subprocess
    import sys

    code = "import sys, syndicate.cli; print('datasketch' in sys.modules, 'scipy' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False", "False"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5000), max_size=7), st.integers(0, 2**32 - 1))
def test_sets_signed_in_one_block_or_many_equal_each_set_signed_alone(sizes: list[int], seed: int) -> None:
    """Sets that fit in one block together (a checked article's chunks) take a path of their own; a set alone, up to
    5000 shingles, always does; larger totals go block by block."""
    rng = np.random.default_rng(seed)
    offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
    values = rng.integers(0, 2**64, size=int(offsets[-1]), dtype=np.uint64)
    hasher = MinHasher(num_perm=128)
    together = hasher.signatures(values, offsets)
    assert together.dtype == np.uint32 and together.shape == (len(sizes), 128) and together.flags.c_contiguous
    for i, size in enumerate(sizes):
        alone = hasher.signatures(values[offsets[i] : offsets[i + 1]], np.array([0, size]))
        assert np.array_equal(together[i], alone[0])
        assert (alone[0] == EMPTY).all() == (size == 0)
