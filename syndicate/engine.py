"""Where the steps of a scan run: in this process, in local worker processes, or on a Ray cluster.

The plan (syndicate/plan.py) says *what* each step computes, as a function of a read-only context
and one task; an engine only decides *where* the calls happen and hands the results back in task
order (the split datatrove makes between a pipeline and its executor). So a scan gives the same
output whichever engine runs it, with however many workers.

- :class:`LocalEngine`: a pool of worker processes, started for each step once its context exists.
  On Linux they are forked, so they see the context (the scan's columns, gigabytes at a million
  articles) copy-on-write, without copying or pickling it; elsewhere they are spawned and receive
  it once each. Tasks and results travel through pipes, pickled between our own processes as
  multiprocessing does; the arrays of a large result (a part's sketch: 15 MB) are written by the worker,
  raw, to a file in a private directory in memory (/dev/shm), which the driver maps (a large array's pages
  become its pages, copy-on-write: nothing is copied) and deletes, instead of pulling them through a pipe 64 KB at a
  time (0.75 s of the driver's CPU per 100k articles). Nothing read from a file is unpickled. One worker, or a
  step too small to repay a pool, runs in this process.
- :class:`RayEngine`: the same calls as Ray tasks. The context goes into the object store once
  (numpy arrays are then read in place by every worker of a node) and each worker process
  deserialises it once.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import mmap
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Protocol, TypeVar

import numpy as np

Context = TypeVar("Context")
Task = TypeVar("Task")
Result = TypeVar("Result")
Step = Callable[[Any, Any], Any]
"""A step of the plan: (context, task) -> result; a module-level function, so any engine can ship it."""


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def batches(items: Iterable[Task], size: int) -> Iterator[tuple[Task, ...]]:
    """`items` in consecutive tuples of `size` (the last one shorter): the tasks a step is handed."""
    iterator = iter(items)
    while batch := tuple(islice(iterator, size)):
        yield batch


def default_workers() -> int:
    """One worker per core that other work leaves idle: the cores minus the busy ones (:func:`busy_cores`), rounded,
    at least 1. On a 2-core machine shared with other jobs (load average 5-7), two workers scanned 100k
    articles slower than one (benchmarks/RESULTS.md, 6.2); idle, two use both cores."""
    cores = available_cores()
    return max(1, min(cores, round(cores - busy_cores())))


BUSY_SAMPLE_SECONDS = 0.1


def busy_cores() -> float:
    """How many cores other work keeps busy now: the share of CPU time not idle in /proc/stat over
    BUSY_SAMPLE_SECONDS, times the machine's cores. Where there is no /proc/stat, the 1-minute load average
    (which lags: for a minute after a scan it still counts the scan's own cores, so a second scan started then
    would take one worker on an idle 2-core machine); 0 where neither exists."""
    before = _cpu_times()
    if before is not None:
        time.sleep(BUSY_SAMPLE_SECONDS)
        after = _cpu_times()
        if after is not None and after[1] > before[1]:
            idle, total = after[0] - before[0], after[1] - before[1]
            return (1.0 - idle / total) * (os.cpu_count() or 1)
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):  # not on Unix
        return 0.0


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) CPU time of the whole machine from /proc/stat, in clock ticks (idle counts I/O wait; stolen
    time, a hypervisor's other guests, counts as busy), or None where it cannot be read."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    ticks = [int(value) for value in fields[1:9]]  # user nice system idle iowait irq softirq steal
    return ticks[3] + ticks[4], sum(ticks)


class Engine(Protocol):
    name: str
    workers: int
    local_files: bool
    """Whether the workers see this machine's files (then they read their share of a JSONL input, or of a SQLite
    index, themselves)."""
    task_seconds: dict[str, float]
    """Per step (function name): seconds its tasks took, summed over tasks wherever they ran. With the
    stages' wall times this measures what runs in parallel and what stays serial (benchmarks/scaling.py)."""
    task_cpu_seconds: dict[str, float]
    """The same in CPU seconds of the processes that ran the tasks (the driver's own, for inline steps)."""
    inline_steps: set[str]
    """Steps that ran (at least once) in the driver."""

    def map(self, step: Step, context: object, tasks: Iterable[object], *, inline: bool = False,
            spool: Path | None = None) -> Iterator[Any]:
        """``step(context, task)`` for every task, results in task order. `inline`: the step is too small to
        repay shipping it; run it here. `spool`: where workers on this machine write their large results
        (default: memory, ``/dev/shm``), for a caller that keeps them on disk anyway (see
        :meth:`~syndicate.spill.Spill.spool`); engines whose workers are elsewhere ignore it."""
        ...

    def close(self) -> None: ...


Timed = tuple[object, float, float]
"""A task's result, wall seconds and CPU seconds."""


def _timed(step: Step, context: object, task: object) -> Timed:
    started, cpu = time.perf_counter(), time.process_time()
    result = step(context, task)
    return result, time.perf_counter() - started, time.process_time() - cpu


def _inline(step: Step, context: object, tasks: Iterable[object]) -> Iterator[Timed]:
    for task in tasks:
        yield _timed(step, context, task)


def _counted(engine: Engine, step: Step, timed: Iterator[Timed], inline: bool) -> Iterator[Any]:
    name = step.__name__
    if inline:
        engine.inline_steps.add(name)
    for result, seconds, cpu in timed:
        engine.task_seconds[name] = engine.task_seconds.get(name, 0.0) + seconds
        engine.task_cpu_seconds[name] = engine.task_cpu_seconds.get(name, 0.0) + cpu
        yield result


_frozen = 0
"""How many frozen_heap sections this process is inside."""


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Python's cyclic collector leaves the objects that exist now alone until the outermost section ends
    (:func:`gc.freeze`; sections nest). A scan's driver holds millions of long-lived objects (its columns'
    lists, every link, every linked article's facts), which every full collection would otherwise walk again; a
    forked worker that collects would write to (and so copy) each page holding one."""
    global _frozen
    gc.freeze()
    _frozen += 1
    try:
        yield
    finally:
        _frozen -= 1
        if _frozen == 0:
            gc.unfreeze()


class LocalEngine:
    """Worker processes on this machine; `workers` None = :func:`default_workers`, 1 = everything in this process."""

    name = "local"
    local_files = True

    def __init__(self, workers: int | None = None) -> None:
        self._workers = None if workers is None else max(1, workers)
        self.task_seconds: dict[str, float] = {}
        self.task_cpu_seconds: dict[str, float] = {}
        self.inline_steps: set[str] = set()

    @property
    def workers(self) -> int:
        """The worker count, decided (by :func:`default_workers`, when not given) the first time a step needs it."""
        if self._workers is None:
            self._workers = default_workers()
        return self._workers

    def map(self, step: Step, context: object, tasks: Iterable[object], *, inline: bool = False,
            spool: Path | None = None) -> Iterator[Any]:
        inline = inline or self.workers <= 1
        return _counted(self, step, _inline(step, context, tasks) if inline
                        else self._pooled(step, context, tasks, spool), inline)

    def _pooled(self, step: Step, context: object, tasks: Iterable[object], root: Path | None) -> Iterator[Timed]:
        spool = _spool_directory(root)
        with frozen_heap():  # the children's collector then never writes to (and so never copies) our objects
            pool = process_context().Pool(self.workers, initializer=_install, initargs=(step, context, spool))
        pending: deque[multiprocessing.pool.AsyncResult] = deque()
        try:
            for task in tasks:
                pending.append(pool.apply_async(_run, (task,)))
                while len(pending) > 2 * self.workers:
                    yield _received(pending.popleft().get())
            while pending:
                yield _received(pending.popleft().get())
            pool.close()
        except (Exception, GeneratorExit):
            # Stopped early (an input error, a fallback): the tasks in flight finish first. A worker killed while
            # it writes its result leaves half a message in the pool's result pipe, and Pool.terminate() then
            # waits for the rest of it forever. (On Ctrl-C the workers are interrupted too: no waiting.)
            for result in pending:
                result.wait(SETTLE_SECONDS)
            raise
        finally:
            pool.terminate()
            pool.join()
            if spool is not None:
                shutil.rmtree(spool, ignore_errors=True)

    def close(self) -> None:
        """Nothing outlives a step."""


def process_context() -> multiprocessing.context.BaseContext:
    """fork on Linux: workers start in milliseconds, see the context without a copy, and the caller's
    script needs no ``__main__`` guard. They only run numpy, xxhash and re, so a lock some thread of the
    caller held at fork time is never waited on. Elsewhere spawn, the safe default."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


SETTLE_SECONDS = 600
"""The longest a stopped step waits for one task in flight (a task takes seconds)."""
SPOOL_BYTES = 1 << 20
"""Results whose arrays hold more than this many bytes send them through a file in memory, not the pipe."""


SPOOL_ROOT = "/dev/shm"


def _spool_directory(root: Path | None = None) -> str | None:
    """A private directory (mode 0700) for a pool's large results: in `root` when given (a scan's spill directory,
    on disk), else on the in-memory file system where there is one; None where there is none (they then come
    through the pipe). In memory, its name carries this process's id, so that the directories of processes killed
    before they could remove theirs are removed here (a spill directory is its owner's to remove)."""
    if root is not None:
        try:
            return tempfile.mkdtemp(prefix="spool-", dir=root)
        except OSError:
            return None
    if not os.path.isdir(SPOOL_ROOT):
        return None
    _remove_orphans()
    try:
        return tempfile.mkdtemp(prefix=f"syndicate-{os.getpid()}-", dir=SPOOL_ROOT)
    except OSError:
        return None


def _remove_orphans() -> None:
    """Remove the spool directories, ours (same user), of processes that no longer exist (killed with SIGKILL, say:
    memory in /dev/shm outlives them until someone removes it)."""
    try:
        entries = list(os.scandir(SPOOL_ROOT))
    except OSError:
        return
    for entry in entries:
        parts = entry.name.split("-")
        if len(parts) < 3 or parts[0] != "syndicate" or not parts[1].isdigit():
            continue
        try:
            if entry.stat(follow_symlinks=False).st_uid != os.getuid() or not entry.is_dir(follow_symlinks=False):
                continue
            os.kill(int(parts[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:  # another user's process, or the entry is gone: leave it
            continue


class _Spooled:
    """A large result: its structure, each array in it replaced by an :class:`_ArrayAt` (it travels through the
    pool's pipe, as every result does), and its arrays' raw bytes in files of the pool's spool directory: each
    array of MAP_SMALLEST bytes or more in a file of its own, the smaller ones together, each on a page boundary
    (`files`: each file's path and the numbers of the arrays it holds, in order). Nothing read from the files is
    unpickled: their bytes only back arrays, as spilled arrays are mapped back from disk."""

    __slots__ = ("files", "sizes", "structure")

    def __init__(self, structure: object, files: list[tuple[str, tuple[int, ...]]], sizes: list[int]) -> None:
        self.structure, self.files, self.sizes = structure, files, sizes


@dataclass(frozen=True, slots=True)
class _ArrayAt:
    """An array of a spooled result: the `index`-th in its file, of this dtype and shape."""

    index: int
    dtype: np.dtype
    shape: tuple[int, ...]


_PLAIN = (str, bytes, int, float, bool, type(None))


def _swapped(value: Any, swap: Callable[[Any], Any | None]) -> Any:
    """`value` with each part that `swap` replaces (returns non-None for) replaced, through tuples (named ones
    too), lists, dicts and dataclasses; everything else is kept as it is. What holds no replaced part is returned
    itself, uncopied. A list or tuple that starts with a plain value (a block's ids, dates, outlets) is taken for
    plain values and not walked: an array left inside a result still travels, through the pipe."""
    swapped = swap(value)
    if swapped is not None:
        return swapped
    kind = type(value)
    if kind is list or kind is tuple or (issubclass(kind, tuple) and hasattr(kind, "_make")):
        if not value or isinstance(value[0], _PLAIN):
            return value
        items = [_swapped(item, swap) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return items if kind is list else tuple(items) if kind is tuple else kind._make(items)
    if kind is dict:
        entries = {key: _swapped(item, swap) for key, item in value.items()}
        return value if all(entries[key] is item for key, item in value.items()) else entries
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
        changed = {name: new for name, item in fields.items() if (new := _swapped(item, swap)) is not item}
        if not changed:
            return value
        out = copy.copy(value)
        for name, new in changed.items():
            object.__setattr__(out, name, new)  # frozen dataclasses too: `out` is a fresh copy
        return out
    return value


def _detached(result: object) -> tuple[object, list[np.ndarray]]:
    """A result's structure, its arrays (of plain values) replaced by _ArrayAt, and those arrays, contiguous."""
    arrays: list[np.ndarray] = []

    def detach(value: object) -> _ArrayAt | None:
        if not isinstance(value, np.ndarray) or value.dtype.hasobject or value.dtype.itemsize == 0:
            return None
        arrays.append(np.ascontiguousarray(value))
        return _ArrayAt(len(arrays) - 1, value.dtype, value.shape)

    return _swapped(result, detach), arrays


def _attached(structure: object, buffers: list[memoryview | bytearray]) -> Any:
    """The result a _detached structure was made from, each array backed by its buffer (no copy)."""
    def attach(value: object) -> np.ndarray | None:
        if not isinstance(value, _ArrayAt):
            return None
        return np.frombuffer(buffers[value.index], dtype=value.dtype).reshape(value.shape)

    return _swapped(structure, attach)


def _received(result: Timed | _Spooled) -> Timed:
    """A result as the worker made it. A spooled one's large arrays are mapped from their files (copy-on-write, so
    they stay writable), not read into memory: nothing is zero-filled or copied. Each file is unlinked at once and
    its mapping keeps it alive, so a large array's memory goes back when that array is freed (a file in memory
    holds all its pages for as long as any part of it is mapped: hence a file per large array)."""
    if not isinstance(result, _Spooled):
        return result
    buffers: list[memoryview | bytearray] = [bytearray()] * len(result.sizes)
    for path, numbers in result.files:
        sizes = [result.sizes[number] for number in numbers]
        offsets = _spool_offsets(sizes)
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size < offsets[-1]:
                raise OSError(f"{path}: a worker's result is shorter than it said")
            for number, size, offset in zip(numbers, sizes, offsets, strict=False):
                buffers[number] = _array_buffer(handle, size, offset)
        os.unlink(path)
    return _attached(result.structure, buffers)


MAP_SMALLEST = 1 << 18
"""A spooled array of this many bytes or more is mapped; a smaller one is read into memory (a part's sketch holds
about 80 arrays, 7 of them this large, and those 7 hold 85 % of its bytes)."""
MAP_MOST = 1 << 14
"""Arrays mapped at once in this process, at most; past it, arrays are read into memory. Linux allows a process
65,530 mappings, which malloc and spilled arrays need too, and a scan keeps most parts' arrays until its
candidates are found: a 10M-article scan would otherwise hold about 17,000 mappings."""


class _Mappings:
    """How many spooled arrays are mapped now (each mapping counted off when it is freed)."""

    def __init__(self) -> None:
        self.live = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.live >= MAP_MOST:
                return False
            self.live += 1
            return True

    def release(self) -> None:
        with self._lock:
            self.live -= 1


_mappings = _Mappings()


def _array_buffer(handle: BinaryIO, size: int, offset: int) -> memoryview | bytearray:
    """One array of a spool file: mapped copy-on-write (writable; its pages go back when the array is freed) when
    it is large and the budget allows, else read into a buffer of its own."""
    if size >= MAP_SMALLEST and _mappings.take():
        try:
            mapping = mmap.mmap(handle.fileno(), size, access=mmap.ACCESS_COPY, offset=offset)
        except BaseException:
            _mappings.release()
            raise
        weakref.finalize(mapping, _mappings.release)
        return memoryview(mapping)
    buffer = bytearray(size)
    handle.seek(offset)
    if handle.readinto(buffer) != size:
        raise OSError(f"{handle.name}: a worker's result is shorter than it said")
    return buffer


def mapped_from_file(array: np.ndarray) -> bool:
    """Whether `array` is backed by a spooled result's file mapping (see :func:`_received`), not by memory of its
    own: then its pages are the file's, which the kernel may drop and read again when the file is on disk."""
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    return isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap)


def _spool_offsets(sizes: list[int]) -> list[int]:
    """Where each array starts in a spool file, and where the file ends: each array on a page boundary (where a
    mapping may start), so that each can be mapped, and unmapped, on its own."""
    offsets = [0]
    for size in sizes:
        offsets.append(offsets[-1] + -(-size // mmap.ALLOCATIONGRANULARITY) * mmap.ALLOCATIONGRANULARITY)
    return offsets


_installed: tuple[Step, object, str | None] | None = None


def _install(step: Step, context: object, spool: str | None = None) -> None:
    global _installed
    _installed = (step, context, spool)


def _run(task: object) -> Timed | _Spooled:
    """A task in a worker; a result whose arrays hold more than SPOOL_BYTES goes through spool files."""
    assert _installed is not None, "worker not initialised"
    step, context, spool = _installed
    result = _timed(step, context, task)
    if spool is None:
        return result
    structure, arrays = _detached(result)
    sizes = [array.nbytes for array in arrays]
    if sum(sizes) < SPOOL_BYTES:
        return result
    files: list[tuple[str, tuple[int, ...]]] = []
    try:
        for numbers in _spool_files(sizes):
            handle, path = tempfile.mkstemp(dir=spool)
            files.append((path, numbers))
            offsets = _spool_offsets([sizes[number] for number in numbers])
            with os.fdopen(handle, "wb") as out:
                for number, offset in zip(numbers, offsets, strict=False):
                    out.seek(offset)
                    out.write(memoryview(arrays[number].reshape(-1).view(np.uint8)))
                out.truncate(offsets[-1])
    except OSError:  # the in-memory file system is full (a container's 64 MB /dev/shm): the pipe still works
        for path, _ in files:
            with suppress(OSError):
                os.unlink(path)
        return result
    return _Spooled(structure, files, sizes)


def _spool_files(sizes: list[int]) -> list[tuple[int, ...]]:
    """How a result's arrays (of these sizes) are cut into spool files: one file for each array the receiver maps
    (MAP_SMALLEST bytes or more), then one for all the others, which it reads."""
    large = tuple(number for number, size in enumerate(sizes) if size >= MAP_SMALLEST)
    small = tuple(number for number, size in enumerate(sizes) if size < MAP_SMALLEST)
    return [(number,) for number in large] + ([small] if small else [])


class RayEngine:
    """Ray tasks. `address` None starts a local Ray instance (with `workers` CPUs, default every core) and
    stops it on close; "auto" or "ray://HOST:10001" joins a running cluster, which must have syndicate
    installed (see README, "Scanning past one machine")."""

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        from .errors import SyndicateError

        try:
            import ray
        except ImportError as error:
            raise SyndicateError("--engine ray needs Ray: pip install 'syndicate[ray]'") from error
        self._ray = ray
        self._owned = not ray.is_initialized()
        if self._owned:
            local = address is None
            try:
                ray.init(address=address, num_cpus=(workers or available_cores()) if local else None,
                         include_dashboard=False, configure_logging=False, log_to_driver=False)
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise SyndicateError(f"cannot start or join Ray at {address or 'this machine'}: {error}") from error
        self.workers = max(1, workers or int(ray.cluster_resources().get("CPU", 1)))
        self.local_files = address is None  # a cluster's other nodes may not see the driver's files
        self.task_seconds: dict[str, float] = {}
        self.task_cpu_seconds: dict[str, float] = {}
        self.inline_steps: set[str] = set()
        self._remote = ray.remote(_ray_run)

    def map(self, step: Step, context: object, tasks: Iterable[object], *, inline: bool = False,
            spool: Path | None = None) -> Iterator[Any]:
        return _counted(self, step, _inline(step, context, tasks) if inline else self._tasks(step, context, tasks),
                        inline)

    def _tasks(self, step: Step, context: object, tasks: Iterable[object]) -> Iterator[Timed]:
        ray = self._ray
        context_ref = ray.put(context)
        pending: deque = deque()
        try:
            for task in tasks:
                pending.append(self._remote.remote(step, [context_ref], task))  # in a list: not resolved per task
                while len(pending) > 2 * self.workers:
                    yield ray.get(pending.popleft())
            while pending:
                yield ray.get(pending.popleft())
        finally:
            for ref in pending:
                ray.cancel(ref)
            del context_ref

    def close(self) -> None:
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()


_ray_context: tuple[str, object] | None = None


def _ray_run(step: Step, boxed_context: list, task: object) -> Timed:
    """One Ray task; the context is fetched and deserialised once per worker process and step."""
    global _ray_context
    import ray

    key = boxed_context[0].hex()
    if _ray_context is None or _ray_context[0] != key:
        _ray_context = (key, ray.get(boxed_context[0]))
    return _timed(step, _ray_context[1], task)


def make_engine(name: str = "local", workers: int | None = None, address: str | None = None) -> Engine:
    """The engine called `name` ("local" or "ray")."""
    if name == "local":
        if address is not None:
            raise ValueError("--address is for --engine ray")
        return LocalEngine(workers)
    if name == "ray":
        return RayEngine(address, workers)
    raise ValueError(f"unknown engine {name!r} (local or ray)")
