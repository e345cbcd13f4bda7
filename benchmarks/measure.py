"""Run a measurement in a fresh forked process: its own peak RSS, results back as JSON (never pickle)."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

_STATUS = Path("/proc/self/status")


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


def in_child(task: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `task` in a forked child that starts with the parent's loaded data; adds ``peak_rss_mb``."""
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
    try:
        payload = receive.recv_bytes()
    except EOFError:
        child.join()
        raise RuntimeError(f"benchmark child failed (exit code {child.exitcode})") from None
    child.join()
    return json.loads(payload)
