"""The SQLite index's bucket runs against a plain set of (bucket, article) rows.

Blocks, tiers and merge rounds are made tiny here, so that a few dozen rows already span blocks, fill
tiers and merge in several rounds: what a real index does only past hundreds of thousands of rows."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syndicate.index import bucket_runs
from syndicate.index.bucket_runs import ROW, members, ordered_rows, problems, remove_rows, row_count, tier, write_run


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bucket_runs, "BLOCK_ROWS", 4)
    monkeypatch.setattr(bucket_runs, "TIER_ROWS", 8)
    monkeypatch.setattr(bucket_runs, "MERGE_FETCH_BLOCKS", 2)
    monkeypatch.setattr(bucket_runs, "FOLLOW_BLOCKS", 2)
    monkeypatch.setattr(bucket_runs, "_LOOKUP_CHUNK", 5)


def database() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:", isolation_level=None)
    db.execute("CREATE TABLE articles (seq INTEGER PRIMARY KEY)")
    db.executescript(bucket_runs.SCHEMA)
    return db


def expected_members(rows: set[tuple[int, int]], wanted: Iterator[int], max_bucket: int) -> list[int]:
    """The oldest `max_bucket` articles of each wanted bucket, from the plain set."""
    kept: set[int] = set()
    for bucket in set(wanted):
        kept.update(sorted(article for b, article in rows if b == bucket)[:max_bucket])
    return sorted(kept)


def runs_by_tier(db: sqlite3.Connection) -> dict[int, int]:
    counts: dict[int, int] = {}
    for (rows,) in db.execute("SELECT rows FROM bucket_runs"):
        counts[tier(rows)] = counts.get(tier(rows), 0) + 1
    return counts


@pytest.mark.parametrize("low, high", [(0, 2**39), (-(2**63), 2**63 - 1), (2**58, 2**63 - 1)])
def test_ordered_rows_packed_or_not_are_the_lexsorted_rows(low: int, high: int) -> None:
    """Bucket keys are sorted packed with their articles; keys that leave no room for one (negative fingerprints,
    keys near 2^63) take a lexsort: the same rows either way, repeated rows dropped when asked."""
    rng = np.random.default_rng(low & 0xFFFF)
    keys = rng.integers(low, high, 5000, dtype=np.int64)
    keys[::7] = keys[0]  # repeated keys, with different articles
    owners = rng.integers(0, 4096, len(keys))
    owners[::11] = owners[0]  # and some repeated rows
    rows = ordered_rows(keys, owners)
    order = np.lexsort((owners, keys))
    assert rows["bucket"].tolist() == keys[order].tolist() and rows["article"].tolist() == owners[order].tolist()
    unique = ordered_rows(keys, owners, unique=True)
    assert list(zip(unique["bucket"].tolist(), unique["article"].tolist(), strict=True)) == \
        sorted(set(zip(keys.tolist(), owners.tolist(), strict=True)))


def test_tiers_grow_by_the_merge_factor() -> None:
    assert [tier(n) for n in (0, 1, 65535)] == [0, 0, 0]
    assert [tier(65536 * k) for k in (1, 3, 4, 15, 16, 63, 64)] == [1, 1, 2, 2, 3, 3, 4]


operation = st.one_of(
    st.tuples(st.just("add"), st.lists(st.tuples(st.integers(0, 12), st.integers(0, 2)), min_size=0, max_size=30)),
    st.tuples(st.just("remove"), st.integers(0, 40)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=14), max_bucket=st.integers(1, 9))
def test_runs_hold_exactly_the_rows_written_and_not_removed(tiny: None, operations: list, max_bucket: int) -> None:
    """Adds (a batch of new articles, each with buckets drawn from a few, so buckets run across blocks) and removes
    of one article's rows, in any order: after each, every bucket's oldest members are the plain set's, the rows
    and their count are the set's, no tier holds MERGE_RUNS runs, and the runs read through without a problem."""
    db = database()
    rows: set[tuple[int, int]] = set()
    next_article = 1
    for kind, argument in operations:
        if kind == "add":
            batch = {(bucket, next_article + offset) for bucket, offset in argument}
            next_article += 3
            buckets = np.array([b for b, _ in batch], dtype=np.int64)
            articles = np.array([a for _, a in batch], dtype=np.int64)
            db.executemany("INSERT OR IGNORE INTO articles (seq) VALUES (?)", ((a,) for a in set(articles.tolist())))
            write_run(db, np.concatenate([buckets, buckets[:2]]), np.concatenate([articles, articles[:2]]))  # repeats
            rows |= batch
        else:
            gone = {row for row in rows if row[1] == argument}
            remove_rows(db, np.array([b for b, _ in gone], dtype=np.int64),
                        np.array([a for _, a in gone], dtype=np.int64))
            db.execute("DELETE FROM articles WHERE seq = ?", (argument,))
            rows -= gone
        wanted = list(range(-1, 14))
        assert members(db, np.array(wanted), max_bucket) == expected_members(rows, iter(wanted), max_bucket)
        assert row_count(db) == len(rows)
        assert all(count < bucket_runs.MERGE_RUNS for count in runs_by_tier(db).values())
        assert problems(db) == []
        stored = np.concatenate([np.frombuffer(blob, dtype=ROW) for (blob,) in
                                 db.execute("SELECT rows FROM bucket_blocks")] or [np.empty(0, dtype=ROW)])
        assert sorted(zip(stored["bucket"].tolist(), stored["article"].tolist(), strict=True)) == sorted(rows)


def test_a_bucket_running_over_many_blocks_keeps_its_oldest_members(tiny: None) -> None:
    """One bucket with 40 members (10 blocks of 4) in one run, its neighbours around it: the lookup follows it
    block after block until it holds `max_bucket` of them, whichever block the count ends in."""
    db = database()
    buckets = np.array([5] * 40 + [4, 6, 6], dtype=np.int64)
    articles = np.array([*range(100, 140), 1, 2, 3], dtype=np.int64)
    write_run(db, buckets, articles)
    for max_bucket in (1, 3, 4, 5, 9, 17, 40, 60):
        assert members(db, np.array([5]), max_bucket) == list(range(100, 100 + min(max_bucket, 40)))
    assert members(db, np.array([4, 6]), 1) == [1, 2]


def test_merging_in_many_rounds_keeps_every_row_in_order(tiny: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """MERGE_RUNS runs of 40 interleaved rows (10 blocks each, read three blocks at a time), with one bucket
    holding 60 rows across them: the merged run holds every row once, in order, in whole blocks but the last,
    and the sources are gone."""
    monkeypatch.setattr(bucket_runs, "TIER_ROWS", 64)  # runs of 40 rows are all of tier 0
    db = database()
    rng = np.random.default_rng(5)
    expected = set()
    for run in range(bucket_runs.MERGE_RUNS):
        buckets = np.concatenate([rng.integers(0, 50, 25), np.full(15, 20)])
        articles = np.arange(run * 100, run * 100 + 40)
        assert db.execute("SELECT count(*) FROM bucket_runs").fetchone()[0] == run  # merged only at the fourth
        write_run(db, buckets, articles)
        expected |= set(zip(buckets.tolist(), articles.tolist(), strict=True))
    ((run, rows),) = db.execute("SELECT run, rows FROM bucket_runs").fetchall()
    sizes = [len(blob) // ROW.itemsize for (blob,) in
             db.execute("SELECT rows FROM bucket_blocks WHERE run = ? ORDER BY last_bucket, last_article", (run,))]
    assert rows == len(expected) == sum(sizes) and set(sizes[:-1]) == {4}
    data = np.concatenate([np.frombuffer(blob, dtype=ROW) for (blob,) in
                           db.execute("SELECT rows FROM bucket_blocks ORDER BY last_bucket, last_article")])
    assert list(zip(data["bucket"].tolist(), data["article"].tolist(), strict=True)) == sorted(expected)


def test_problems_name_damage_in_a_run() -> None:
    """Rows out of order, a block keyed by another row than its last, a count that disagrees with the blocks and
    rows of articles no longer stored are each reported, naming the run."""
    db = database()
    db.executemany("INSERT INTO articles (seq) VALUES (?)", ((a,) for a in range(1, 200)))
    write_run(db, np.arange(200, dtype=np.int64) * 3, np.arange(200, dtype=np.int64) % 150 + 1)
    ((run,),) = db.execute("SELECT run FROM bucket_runs").fetchall()
    assert problems(db) == []

    db.execute("UPDATE bucket_runs SET rows = rows + 1")
    assert problems(db) == [f"bucket run {run}: 200 rows, recorded as 201"]
    db.execute("UPDATE bucket_runs SET rows = rows - 1")

    db.execute("DELETE FROM articles WHERE seq IN (1, 2)")
    assert problems(db) == ["4 buckets rows point to no article"]
    db.executemany("INSERT INTO articles (seq) VALUES (?)", ((1,), (2,)))

    first, second = db.execute("SELECT last_bucket, last_article, rows FROM bucket_blocks ORDER BY last_bucket "
                               "LIMIT 2").fetchall()
    db.execute("UPDATE bucket_blocks SET rows = ? WHERE last_bucket = ?", (second[2], first[0]))
    assert problems(db) == [f"bucket run {run}: rows out of order near bucket {second[0] - 63 * 3}"]
    db.execute("UPDATE bucket_blocks SET rows = ? WHERE last_bucket = ?", (first[2], first[0]))
    assert problems(db) == []

    db.execute("UPDATE bucket_blocks SET last_article = last_article + 1000 WHERE last_bucket = ?", (first[0],))
    assert problems(db) == [f"bucket run {run}: a block keyed by another row than its last"]
