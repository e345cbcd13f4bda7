"""Crashes and concurrency: a killed `index add`, writers racing on one index, check_and_add atomicity."""

from __future__ import annotations

import json
import multiprocessing
import queue
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from factories import article, story
from index_support import target_fixture  # noqa: F401  (fixture `target`)

from syndicate.index import Index

CONTEXT = multiprocessing.get_context("fork")
CLI = [sys.executable, "-c", "from syndicate.cli import main; main()"]


def _committed(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def test_sigkill_during_index_add_keeps_every_committed_batch(tmp_path: Path) -> None:
    batch = 40
    records = [{"id": f"a{i:05d}", "text": "\n".join(story(i, paragraphs=3, length=25))} for i in range(6000)]
    source = tmp_path / "archive.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    db = tmp_path / "crash.db"
    process = subprocess.Popen([*CLI, "index", "add", "--db", str(db), str(source), "--batch-size", str(batch)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        seen = 0
        deadline = time.monotonic() + 120
        while seen < 3 * batch and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
            seen = _committed(db)
        assert process.poll() is None, "index add finished before it could be killed: make the archive larger"
        process.send_signal(signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
    check = subprocess.run([*CLI, "index", "check", "--db", str(db)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    with Index.open(db, create=False) as index:
        held = list(index.ids())
        assert len(held) >= seen and len(held) % batch == 0
        assert held == [r["id"] for r in records[: len(held)]]
        assert index.get(held[-1]).paragraphs == tuple(records[len(held) - 1]["text"].split("\n"))
        last = records[len(held) - 1]
        assert [m.id for m in index.check(article("probe", last["text"].split("\n"))).matches] == [last["id"]]


def _run_workers(work, workers: int, *args) -> list:
    """Run work(*args, worker, results) in `workers` processes; every result each one reported."""
    results = CONTEXT.Queue()
    processes = [CONTEXT.Process(target=work, args=(*args, worker, results)) for worker in range(workers)]
    for process in processes:
        process.start()
    collected = []
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
    while True:
        try:
            collected.append(results.get(timeout=1))
        except queue.Empty:
            return collected


def _add_worker(target: str, count: int, barrier, worker: int, results) -> None:
    articles = [article(f"w{worker}-{i}", story(1000 * worker + i, paragraphs=3)) for i in range(count)]
    with Index.open(target) as index:
        barrier.wait()
        index.add_many(articles, batch_size=3)
    results.put(worker)


def test_writers_adding_at_once_lose_nothing(target: str) -> None:
    workers, count = 3, 24
    Index.open(target).close()  # create it, so the workers race on adds rather than on creation
    barrier = CONTEXT.Barrier(workers)
    finished = _run_workers(_add_worker, workers, target, count, barrier)
    assert sorted(finished) == list(range(workers))
    with Index.open(target, create=False) as index:
        assert sorted(index.ids()) == sorted(f"w{w}-{i}" for w in range(workers) for i in range(count))
        assert index.integrity_problems() == []
        probe = article("probe", story(1000 * 2 + 5, paragraphs=3))
        assert [m.id for m in index.check(probe).matches] == ["w2-5"]


def _check_and_add_worker(target: str, seeds: list[int], barriers, worker: int, results) -> None:
    with Index.open(target) as index:
        for round_, seed in enumerate(seeds):
            barriers[round_].wait()
            verdict = index.check_and_add(article(f"r{round_}-w{worker}", story(seed)))
            results.put((round_, worker, verdict.duplicate))


def test_check_and_add_tells_only_one_racer_a_story_is_new(target: str) -> None:
    workers, seeds = 4, [11, 12, 13]
    Index.open(target).close()
    barriers = [CONTEXT.Barrier(workers) for _ in seeds]
    outcomes = _run_workers(_check_and_add_worker, workers, target, seeds, barriers)
    assert len(outcomes) == workers * len(seeds)
    with Index.open(target, create=False) as index:
        held = sorted(index.ids())
    for round_ in range(len(seeds)):
        new = [worker for r, worker, duplicate in outcomes if r == round_ and not duplicate]
        assert len(new) == 1, f"round {round_}: {len(new)} workers were told the story is new"
        assert f"r{round_}-w{new[0]}" in held
    assert len(held) == len(seeds)
