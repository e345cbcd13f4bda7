"""Sketching in worker processes, for inputs big enough to repay starting them.

Sketching is the one stage whose work splits cleanly by article, and it is pure CPU in
Python and numpy, so threads would serialise on the GIL: processes it is. The main process
keeps reading (the readers are plain iterators) and sends chunks of articles out, with a
bounded number in flight so memory stays flat however long the input; sketches come back
in input order. An input that fits in one chunk is sketched in-process: a worker pool
costs more to start than such an input takes to sketch. So is everything on fewer than
MIN_CORES cores unless the caller asks for workers: measured, they did not pay on 2.

Chunks travel between our own processes through :mod:`concurrent.futures` (which pickles
them in transit); nothing pickled is ever stored or read from outside.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice

from .article import Article
from .config import ScanConfig
from .sign import MinHasher
from .sketch import SignedBatch, sign_batch

CHUNK = 1024
"""Articles per batch: large enough that numpy calls dominate, small enough to keep the worker's arrays in cache."""
MIN_CORES = 3
"""Fewest cores at which workers are used by default. The main process reads, sends and assembles, which
costs about as much as sketching itself: on 2 cores, 2 workers scanned 100k synthetic articles in 9.8 s
of sketch stage against 7.1 s in-process (benchmarks/RESULTS.md), so below 3 cores it stays in-process."""

_worker: tuple[ScanConfig, MinHasher] | None = None


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def signed_batches(articles: Iterable[Article], config: ScanConfig, hasher: MinHasher, workers: int | None = None,
                   chunk: int = CHUNK) -> Iterator[tuple[list[Article], SignedBatch]]:
    """Each batch of articles with its flat arrays, in input order (the scan keeps only the arrays)."""
    chunks = _chunks(articles, chunk)
    head = list(islice(chunks, 2))
    if workers is None:
        cores = available_cores()
        workers = cores - 1 if cores >= MIN_CORES else 1
    if len(head) < 2 or workers <= 1:
        for batch in chain(head, chunks):
            yield batch, sign_batch(batch, config, hasher)
        return
    with ProcessPoolExecutor(workers, mp_context=process_context(), initializer=_start_worker,
                             initargs=(config,)) as pool:
        pending: deque[tuple[list[Article], Future[SignedBatch]]] = deque()
        for batch in chain(head, chunks):
            pending.append((batch, pool.submit(_sign_in_worker, batch)))
            while len(pending) > 2 * workers:
                batch_done, future = pending.popleft()
                yield batch_done, future.result()
        while pending:
            batch_done, future = pending.popleft()
            yield batch_done, future.result()


def _chunks(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(islice(iterator, size)):
        yield batch


def process_context() -> multiprocessing.context.BaseContext:
    """fork on Linux: workers start in milliseconds and the caller's script needs no ``__main__`` guard
    (forkserver and spawn re-run it). The workers only run numpy, xxhash and re, so a lock some
    thread of the caller held at fork time is never waited on. Elsewhere spawn, the safe default."""
    return multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")


def _start_worker(config: ScanConfig) -> None:
    global _worker
    _worker = (config, MinHasher(config.num_perm, config.seed))


def _sign_in_worker(articles: list[Article]) -> SignedBatch:
    assert _worker is not None, "worker not initialised"
    config, hasher = _worker
    return sign_batch(articles, config, hasher)
