"""Spill a scan's largest arrays to disk when they would not fit in memory.

The band keys (1.2 KB per article) and the shingle values that become the evidence (1 KB per
article) are most of what a scan holds (see README, "Scanning past one machine"). When spilling,
each part's arrays go to a raw file in a private temporary directory as the part arrives, and the
scan reads them back as read-only numpy memory maps: the operating system keeps in memory only
the pages in use and can drop them again at any time, since they are clean copies of the files.
The directory is removed when the scan ends, whatever way it ends.

Spilling is on, off, or automatic: the arrays stay in memory until they reach `budget` bytes (by
default half the memory available when the scan starts), and every part after that spills.
"""

from __future__ import annotations

import ctypes
import shutil
import tempfile
from pathlib import Path
from types import TracebackType

import numpy as np

from .engine import mapped_from_file

BUDGET_SHARE = 0.5
"""Automatic spilling: share of the memory available at the start that the spillable arrays may take."""


def available_memory() -> int:
    """Bytes the kernel says can be allocated without swapping (MemAvailable), or 0 if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def release_free_memory() -> None:
    """Hand the allocator's free pages back to the system (glibc's malloc_trim; elsewhere nothing).

    A block's arrays are a few hundred kilobytes: glibc serves them from its heap, and when they are freed
    it keeps the pages. Without this, the evidence (made while the blocks' shingles are freed) would take
    its size again in memory (100 MB more at 100k articles)."""
    global _trim
    if _trim is None:
        try:
            _trim = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _trim = False
    if _trim:
        _trim(0)


_trim = None


class Spill:
    """`mode` True: always spill; False: never; None: once the kept arrays pass `budget` bytes.
    `directory`: where the temporary directory goes (default: the system's, $TMPDIR)."""

    def __init__(self, mode: bool | None = None, directory: str | Path | None = None,
                 budget: int | None = None) -> None:
        self.mode = mode
        self.budget = budget if budget is not None else int(available_memory() * BUDGET_SHARE) or 1 << 62
        self._parent = directory
        self._directory: Path | None = None
        self._count = 0
        self._over_budget = False
        self.held = 0
        """Bytes of spillable arrays kept in memory."""
        self.spilled = 0
        """Bytes written to disk."""

    @property
    def active(self) -> bool:
        return self.mode is True or (self.mode is None and self._over_budget)

    def spool(self) -> Path | None:
        """Where a step's workers should write their large results when everything spills (``mode`` True): in the
        spill directory, on disk, so that :meth:`keep` maps them where they are instead of copying them there.
        None otherwise (automatic spilling starts only once the budget is passed, part way through a step)."""
        return self._dir() if self.mode is True else None

    def keep(self, array: np.ndarray, name: str = "array", spooled: bool = False) -> np.ndarray:
        """`array`, or a read-only memory map of a copy of it on disk when spilling. `spooled`: the array came from
        a step whose workers wrote to :meth:`spool`; one that is still mapped from their file (see
        :func:`~syndicate.engine.mapped_from_file`) is on disk already, and is kept as it is."""
        if self.held + array.nbytes > self.budget:
            self._over_budget = True  # from here on every array spills
        if not self.active or array.nbytes == 0:
            self.held += array.nbytes
            return array
        if spooled and mapped_from_file(array):
            self.spilled += array.nbytes
            array.flags.writeable = False  # as a spilled copy is (its mapping is copy-on-write: no write reaches disk)
            return array
        path = self._path(name)
        np.ascontiguousarray(array).tofile(path)
        self.spilled += array.nbytes
        return np.memmap(path, dtype=array.dtype, mode="r", shape=array.shape)

    def allocate(self, name: str, length: int, dtype: np.dtype) -> np.ndarray:
        """An array to fill, on disk when spilling (a sparse file: pages never written take no space)."""
        if not self.active or length == 0:
            return np.empty(length, dtype=dtype)
        self.spilled += length * np.dtype(dtype).itemsize
        return np.memmap(self._path(name), dtype=dtype, mode="w+", shape=(length,))

    def _dir(self) -> Path:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="syndicate-spill-", dir=self._parent))
        return self._directory

    def _path(self, name: str) -> Path:
        self._count += 1
        return self._dir() / f"{self._count:06d}-{name}.bin"

    def close(self) -> None:
        """Remove the files. Maps still open stay readable (the files go when the last map closes)."""
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = None

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
