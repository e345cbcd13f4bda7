"""Measurement helpers: a run in a fresh forked process (its own peak RSS, results back as JSON, never pickle), and
the clean-up of a benchmark's Redis index."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import resource
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")
SAMPLE_SECONDS = 0.1


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM), in MB."""
    if _STATUS.exists():
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start the peak-RSS count again from the current RSS (Linux; elsewhere the peak includes the parent's)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        with contextlib.suppress(OSError):
            queue += [int(child) for child in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
    return found


def _memory_kb(pid: int, field: str, name: str = "smaps_rollup") -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0


class TreeSampler:
    """Samples, every SAMPLE_SECONDS, the memory of a process and all its descendants (its workers):
    the peak of their summed PSS (proportional set size: a page shared by k processes counts 1/k to each,
    so copy-on-write pages are not counted twice) and the peak anonymous RSS of the process itself (memory
    that cannot be dropped, unlike the pages of spilled, memory-mapped files)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_pss_kb = 0
        self.peak_driver_anon_kb = 0
        self._used_before_kb = _system_used_kb()
        self.peak_system_used_kb = 0
        """The most memory the machine had in use beyond what it had at the start (MemTotal - MemAvailable): unlike
        PSS, it counts the pages of a worker's result in /dev/shm that no process has touched yet (the engine maps
        them; they count in a process's RSS only once read). Only meaningful on a machine with nothing else
        starting or ending meanwhile."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            total = sum(_memory_kb(pid, "Pss:") for pid in _descendants(self.pid))
            self.peak_pss_kb = max(self.peak_pss_kb, total)
            self.peak_driver_anon_kb = max(self.peak_driver_anon_kb, _memory_kb(self.pid, "RssAnon:", "status"))
            self.peak_system_used_kb = max(self.peak_system_used_kb, _system_used_kb() - self._used_before_kb)


def _system_used_kb() -> int:
    """MemTotal - MemAvailable, in kB (0 where /proc/meminfo is not there)."""
    try:
        fields = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        return int(fields["MemTotal"].split()[0]) - int(fields["MemAvailable"].split()[0])
    except (OSError, KeyError, ValueError):
        return 0


def in_child(task: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `task` in a forked child that starts with the parent's loaded data; adds ``peak_rss_mb`` (the child's
    VmHWM), and, sampled, ``peak_pss_mb`` (the child and its workers), ``peak_anon_mb`` (the child) and
    ``peak_system_used_mb`` (the machine's memory in use beyond the start: see TreeSampler)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def run() -> None:
        reset_peak_rss()
        result = task()
        result["peak_rss_mb"] = round(peak_rss_mb(), 1)
        send.send_bytes(json.dumps(result).encode())

    child = context.Process(target=run)
    child.start()
    send.close()
    with TreeSampler(child.pid) as sampler:
        try:
            payload = receive.recv_bytes()
        except EOFError:
            child.join()
            raise RuntimeError(f"benchmark child failed (exit code {child.exitcode})") from None
    child.join()
    result = json.loads(payload)
    result["peak_pss_mb"] = round(sampler.peak_pss_kb / 1024, 1)
    result["peak_anon_mb"] = round(sampler.peak_driver_anon_kb / 1024, 1)
    result["peak_system_used_mb"] = round(sampler.peak_system_used_kb / 1024, 1)
    return result


def drop_redis_namespace(url: str, namespace: str) -> None:
    """Delete every key of an index namespace on the Redis server at `url` (a benchmark's index, once measured)."""
    import itertools

    import redis

    client = redis.Redis.from_url(url.split("?")[0])
    keys = iter(client.scan_iter(match=f"{namespace}:*", count=5000))
    while chunk := list(itertools.islice(keys, 5000)):
        client.delete(*chunk)
