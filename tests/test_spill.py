"""Spilling: arrays past the budget go to disk as read-only memory maps, and the files go when the scan ends."""

from __future__ import annotations

import numpy as np
import pytest

from syndicate.spill import Spill, available_memory


def test_arrays_stay_in_memory_until_the_budget_then_spill(tmp_path):
    with Spill(None, tmp_path, budget=1000) as spill:
        small = spill.keep(np.arange(100, dtype=np.uint8))
        assert not isinstance(small, np.memmap) and spill.held == 100
        big = spill.keep(np.arange(200, dtype=np.uint64), "keys")  # 1,600 bytes: past the budget
        assert isinstance(big, np.memmap) and big.tolist() == list(range(200))
        with pytest.raises(ValueError):
            big[0] = 1  # read-only
        later = spill.keep(np.arange(3, dtype=np.uint8))
        assert isinstance(later, np.memmap), "every array after the budget spills"
        filled = spill.allocate("values", 50, np.dtype(np.uint64))
        filled[:] = 7
        assert isinstance(filled, np.memmap) and spill.spilled == 1600 + 3 + 400
        assert len(list(next(tmp_path.iterdir()).iterdir())) == 3
    assert list(tmp_path.iterdir()) == []
    assert big.tolist() == list(range(200)), "a map still open stays readable"


def test_never_and_always(tmp_path):
    with Spill(False, tmp_path, budget=1) as never:
        assert not isinstance(never.keep(np.zeros(1000)), np.memmap)
    with Spill(True, tmp_path) as always:
        assert isinstance(always.keep(np.zeros(10)), np.memmap)
        assert always.allocate("empty", 0, np.dtype(np.uint8)).shape == (0,)


def test_the_default_budget_follows_the_memory_available():
    assert Spill().budget == (int(available_memory() * 0.5) or 1 << 62)
