"""Crashes, races and damage: killed adds, racing writers and creators, disk full, read-only, corruption."""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from factories import article, story
from index_support import (  # noqa: F401  (fixture `target`)
    assert_term_counts_are_a_recount,
    fresh_namespace_url,
    redis_url,
    target_fixture,
)

from syndicate.index import Index, IndexDamagedError, IndexStoreError

CONTEXT = multiprocessing.get_context("fork")
CLI = [sys.executable, "-c", "from syndicate.cli import main; main()"]


ARCHIVE_SIZE = 1500
KILLS = 20


def _archive(tmp_path: Path) -> tuple[Path, list[dict]]:
    records = [{"id": f"a{i:05d}", "text": "\n".join(story(i, paragraphs=3, length=25))} for i in range(ARCHIVE_SIZE)]
    source = tmp_path / "archive.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records))
    return source, records


def _kill_during_add(target: str, source: Path, delay: float, batch: int) -> int:
    """Start `index add --format json`, SIGKILL it after `delay` seconds; how many articles it reported committed."""
    process = subprocess.Popen([*CLI, "index", "add", "--db", target, str(source), "--batch-size", str(batch),
                                "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        lines = [json.loads(line) for line in process.stdout.read().splitlines()]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    return max((line["committed"] for line in lines if "committed" in line), default=0)


def _sigkill_at_random_moments(target: str, tmp_path: Path, kills: int, latest: float) -> None:
    """Each run re-adds the archive (what it committed before is 'already indexed') and is killed at a random
    moment; after every kill the index passes the integrity check, holds every article reported committed, and its
    term counts are a recount of the articles it holds."""
    source, records = _archive(tmp_path)
    rng = random.Random(14)
    reported = 0
    for kill in range(kills):
        committed = _kill_during_add(target, source, delay=rng.uniform(0.05, latest), batch=rng.choice([25, 60, 200]))
        reported = max(reported, committed)
        if target.startswith("redis"):  # the dead writer's lease would expire in seconds (tested on its own)
            client = redis.Redis.from_url(target.split("?")[0])
            client.delete(target.split("namespace=")[1] + ":lock")
            client.close()
        try:
            opened = Index.open(target, create=False)
        except IndexStoreError as error:  # killed before it created the index
            assert "no such index" in str(error) and reported == 0, error
            continue
        with opened as index:  # what `syndicate index check` runs (the term counts against a recount, too)
            assert index.integrity_problems() == [], f"kill {kill}"
            assert_term_counts_are_a_recount(index)
            held = list(index.ids())
            assert held[:reported] == [r["id"] for r in records[:reported]], f"kill {kill}"
            assert held == [r["id"] for r in records[: len(held)]]
            last = records[len(held) - 1] if held else None
            if last:
                assert index.get(last["id"]).paragraphs == tuple(last["text"].split("\n"))
    assert reported > 0


def test_sigkill_during_bulk_add_at_20_random_moments(tmp_path: Path) -> None:
    _sigkill_at_random_moments(str(tmp_path / "crash.db"), tmp_path, KILLS, latest=1.8)


@pytest.mark.redis
def test_sigkill_during_bulk_add_on_redis(tmp_path: Path) -> None:
    for url in fresh_namespace_url(redis_url()):
        _sigkill_at_random_moments(url, tmp_path, 6, latest=3.5)


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


def _create_and_add(path: str, barrier, worker: int, results) -> None:
    barrier.wait()
    with Index.open(path) as index:
        index.add(article(f"c{worker}", story(500 + worker, paragraphs=2)))
    results.put(worker)


def test_many_processes_creating_one_index_all_succeed(tmp_path: Path) -> None:
    workers = 8
    path = str(tmp_path / "new.db")
    finished = _run_workers(_create_and_add, workers, path, CONTEXT.Barrier(workers))
    assert sorted(finished) == list(range(workers))
    with Index.open(path, create=False) as index:
        assert sorted(index.ids()) == sorted(f"c{w}" for w in range(workers))
        assert index.integrity_problems() == []
    assert sorted(p.name for p in tmp_path.iterdir() if "creating" in p.name) == []


def test_a_first_add_killed_early_leaves_no_half_made_index(tmp_path: Path, seeds_dir: Path) -> None:
    for attempt, delay in enumerate([0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0]):
        path = tmp_path / f"early-{attempt}.db"
        process = subprocess.Popen([*CLI, "index", "add", "--db", str(path), str(seeds_dir)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        if path.exists():
            check = subprocess.run([*CLI, "index", "check", "--db", str(path)], capture_output=True, text=True)
            assert check.returncode == 0, check.stdout + check.stderr


def test_disk_full_says_so_and_leaves_the_index_sound(tmp_path: Path) -> None:
    path = tmp_path / "full.db"
    with Index.open(path) as index:
        index.add_many([article(f"a{i}", story(i, paragraphs=3)) for i in range(20)], batch_size=10)
        pages = index._store._db.execute("PRAGMA page_count").fetchone()[0]
        index._store._db.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up
        with pytest.raises(IndexStoreError, match="disk full"):
            index.add_many([article(f"b{i}", story(100 + i, paragraphs=6)) for i in range(200)], batch_size=100)
        assert len(index) == 20
    with Index.open(path, create=False) as index:
        assert index.integrity_problems() == []
        assert len(index) == 20 and [m.id for m in index.check(article("p", story(3, paragraphs=3))).matches] == ["a3"]


def test_read_commands_work_on_a_read_only_index(tmp_path: Path, seeds_dir: Path, monkeypatch) -> None:
    """Neither the file nor its directory can be written (root ignores permission bits, so the check that
    decides is made to say so): the index opens read-only, checks answer, writes are refused by name."""
    from typer.testing import CliRunner

    from syndicate.cli import app
    from syndicate.read import read_articles

    path = tmp_path / "ro.db"
    with Index.open(path) as index:
        index.add_many(read_articles([seeds_dir / "002_a03570c17a29d6cf.txt"]))
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if mode & os.W_OK else real_access(p, mode, **kw))
    tmp_path.chmod(0o555)
    try:
        runner = CliRunner()
        copy = str(seeds_dir / "003_17a6059d906b2d12.txt")
        check = runner.invoke(app, ["check", "--db", str(path), copy, "--format", "json"])
        assert check.exit_code == 1, check.output
        assert json.loads(check.stdout)["verdict"] == "duplicate"
        stats = runner.invoke(app, ["index", "stats", "--db", str(path), "--format", "json"])
        assert stats.exit_code == 0 and json.loads(stats.stdout)["read_only"] == 1
        assert runner.invoke(app, ["index", "check", "--db", str(path)]).exit_code == 0
        add = runner.invoke(app, ["check", "--db", str(path), copy, "--add-if-new"])
        assert add.exit_code == 2 and "read-only" in add.stderr
    finally:
        tmp_path.chmod(0o755)


def test_another_applications_database_is_left_as_it_was(tmp_path: Path, seeds_dir: Path) -> None:
    path = tmp_path / "theirs.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (body TEXT)")
        connection.execute("INSERT INTO notes VALUES ('keep me')")
    connection.close()
    before = path.read_bytes()
    for command in (["check", "--db", str(path), str(seeds_dir / "000_8ada7a739096a9c5.txt")],
                    ["index", "add", "--db", str(path), str(seeds_dir)], ["index", "stats", "--db", str(path)]):
        result = subprocess.run([*CLI, *command], capture_output=True, text=True)
        assert result.returncode == 2 and "not a syndicate index" in result.stderr
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_an_older_index_format_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        connection.execute("INSERT INTO meta VALUES ('format', '1')")
    connection.close()
    with pytest.raises(IndexStoreError, match=r"format 1 .*rebuild it"):
        Index.open(path)


def _damage(path: Path, share: float, seed: int) -> None:
    """Overwrite a share of the file's pages, past the header page, with random bytes."""
    rng = random.Random(seed)
    with path.open("r+b") as handle:
        page_size = int.from_bytes(handle.read(18)[16:18], "big")  # the database header's page size
        pages = path.stat().st_size // page_size
        for page in rng.sample(range(1, pages), max(1, int(pages * share))):
            handle.seek(page * page_size)
            handle.write(rng.randbytes(page_size))


def test_a_damaged_index_is_an_error_never_a_verdict(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from syndicate.cli import app

    stories = [article(f"s{i}", story(i, paragraphs=4)) for i in range(300)]
    path = tmp_path / "damaged.db"
    with Index.open(path) as index:
        index.add_many(stories, batch_size=100)
    _damage(path, 0.3, seed=1)
    runner = CliRunner()
    probes = tmp_path / "probes.jsonl"
    codes = []
    for i in range(0, 300, 10):
        probes.write_text(json.dumps({"id": f"copy-{i}", "text": "\n".join(stories[i].paragraphs)}) + "\n")
        for extra in ([], ["--add-if-new"]):
            result = runner.invoke(app, ["check", "--db", str(path), str(probes), *extra])
            assert result.exit_code in (1, 2), result.output  # every probe is a copy: never "new"
            assert "Traceback" not in result.output
            if result.exit_code == 2:
                assert len(result.stderr.splitlines()) == 1 and "damaged" in result.stderr
            codes.append(result.exit_code)
    assert 2 in codes
    check = runner.invoke(app, ["index", "check", "--db", str(path)])
    assert check.exit_code in (1, 2) and ("problem" in check.stdout or "damaged" in check.stderr)


def test_a_stored_article_altered_behind_our_back_fails_its_checksum(tmp_path: Path) -> None:
    path = tmp_path / "altered.db"
    with Index.open(path) as index:
        index.add(article("a", story(1)))
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE articles SET record = replace(record, '\"a\"', '\"b\"')")
    connection.close()
    with Index.open(path, create=False) as index:
        with pytest.raises(IndexDamagedError, match="damaged"):
            index.check(article("probe", story(1)))
        assert [p for p in index.integrity_problems() if "checksum" in p]


def test_a_term_count_altered_behind_our_back_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "counts.db"
    with Index.open(path) as index:
        index.add_many([article(f"s{i}", story(i)) for i in range(3)])
        assert index.integrity_problems() == []
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE terms SET holders = holders + 1 WHERE term = (SELECT min(term) FROM terms)")
    connection.close()
    with Index.open(path, create=False) as index:
        assert index.integrity_problems() == ["1 term counts differ from a recount of the stored articles"]
