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
from syndicate.index.bucket_runs import (
    ROW,
    FilterCache,
    RunFilter,
    members,
    ordered_rows,
    problems,
    remove_rows,
    row_count,
    tier,
    write_run,
)


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


PALETTE = np.random.default_rng(9).integers(0, 80 << 32, 13).tolist()
"""Thirteen bucket keys of the real shape (band number, 32 bits of hash), so the filters tell them apart."""
OUTSIDE = [-1, 1 << 41]
"""Keys the filters do not cover: looked up in every run."""

operation = st.one_of(
    st.tuples(st.just("add"), st.lists(st.tuples(st.sampled_from(PALETTE + OUTSIDE), st.integers(0, 2)),
                                       min_size=0, max_size=30)),
    st.tuples(st.just("remove"), st.integers(0, 40)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(operation, min_size=1, max_size=14), max_bucket=st.integers(1, 9))
def test_runs_hold_exactly_the_rows_written_and_not_removed(tiny: None, operations: list, max_bucket: int) -> None:
    """Adds (a batch of new articles, each with buckets drawn from a few, so buckets run across blocks) and removes
    of one article's rows, in any order: after each, every bucket's oldest members are the plain set's, the rows
    and their count are the set's, no tier holds MERGE_RUNS runs, and the runs read through without a problem."""
    db = database()
    filters = FilterCache()  # one for the whole sequence: kept filters must stay right through merges and removes
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
        wanted = PALETTE + OUTSIDE + [5, 1 << 39]  # and two keys never added
        assert members(db, np.array(wanted), max_bucket, filters) == expected_members(rows, iter(wanted), max_bucket)
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
        assert members(db, np.array([5]), max_bucket, FilterCache()) == list(range(100, 100 + min(max_bucket, 40)))
    assert members(db, np.array([4, 6]), 1, FilterCache()) == [1, 2]


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


def test_a_run_filter_holds_every_row_and_few_others() -> None:
    """A run's filter passes every bucket the run holds and, of real-shaped buckets it does not hold, 6-12 in a
    hundred (8-16 bits a row); buckets outside the filtered range always pass. Kept filters follow the runs."""
    db = database()
    rng = np.random.default_rng(1)
    held = rng.integers(0, 80 << 32, 20_000)
    write_run(db, held, rng.integers(1, 500, len(held)))
    ((run, shift),) = db.execute("SELECT run, filter_shift FROM bucket_runs").fetchall()
    cache = FilterCache()
    (run_filter,) = cache.of(db, [(run, shift)])
    assert isinstance(run_filter, RunFilter) and run_filter.may_hold(held).all()
    others = rng.integers(0, 80 << 32, 50_000)
    passing = run_filter.may_hold(others[~np.isin(others, held)]).mean()
    assert 0.04 < passing < 0.13
    assert run_filter.may_hold(np.array([-5, 1 << 45])).all()
    db.execute("DELETE FROM bucket_runs")
    assert cache.of(db, []) == [] and cache._filters == {}  # a run gone: its kept filter goes too


def test_problems_name_a_missing_or_wrong_filter() -> None:
    db = database()
    db.executemany("INSERT INTO articles (seq) VALUES (?)", ((a,) for a in range(1, 50)))
    write_run(db, np.random.default_rng(2).integers(0, 80 << 32, 300), np.arange(300) % 49 + 1)
    ((run, blob),) = db.execute("SELECT run, words FROM bucket_filters").fetchall()
    db.execute("UPDATE bucket_filters SET words = ?", (bytes(len(blob)),))
    assert problems(db) == [f"bucket run {run}: a row its filter does not hold"]
    db.execute("UPDATE bucket_filters SET words = ?", (blob[:-8],))
    assert problems(db) == [f"bucket run {run}: its filter is missing or not of its size"]
    db.execute("DELETE FROM bucket_filters")
    assert problems(db) == [f"bucket run {run}: its filter is missing or not of its size"]


class CountingConnection:
    """A connection that counts the (bucket, run) pairs the lookup statements seek."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db, self.sought = db, 0

    def execute(self, sql: str, parameters: tuple | list = ()) -> sqlite3.Cursor:
        if sql.startswith("WITH sought"):
            self.sought += len(parameters) // 2
        return self.db.execute(sql, parameters)


def test_a_lookup_seeks_only_the_buckets_a_runs_filter_passes() -> None:
    """Of 1,000 buckets no run holds, looked up in three runs, about a tenth of the 3,000 pairs pass the filters and
    are sought; the runs' own buckets are all found."""
    db = database()
    rng = np.random.default_rng(4)
    runs = [rng.integers(0, 80 << 32, 20_000) for _ in range(3)]
    for number, buckets in enumerate(runs):
        write_run(db, buckets, np.full(len(buckets), number + 1))
    counting = CountingConnection(db)
    absent = rng.integers(0, 80 << 32, 1000)
    absent = absent[~np.isin(absent, np.concatenate(runs))]
    assert members(counting, absent, 256, FilterCache()) == []
    assert 0 < counting.sought < 0.15 * 3 * len(absent)
    assert members(counting, np.array([runs[0][7], runs[2][9]]), 256, FilterCache()) == [1, 3]


def test_a_run_number_is_never_used_again_so_a_kept_filter_stays_right() -> None:
    """The newest run emptied by a removal is dropped; the next run gets a new number, so the filter a connection
    kept for the old one cannot answer for it."""
    db = database()
    cache = FilterCache()
    rng = np.random.default_rng(6)
    first, second, third = (rng.integers(0, 80 << 32, 50) for _ in range(3))
    write_run(db, first, np.full(50, 1))
    write_run(db, second, np.full(50, 2))
    assert members(db, second[:3], 256, cache) == [2]  # both runs' filters now kept
    remove_rows(db, second, np.full(50, 2))
    assert [run for (run,) in db.execute("SELECT run FROM bucket_runs")] == [1]
    write_run(db, third, np.full(50, 3))
    assert [run for (run,) in db.execute("SELECT run FROM bucket_runs")] == [1, 3]
    assert members(db, third, 256, cache) == [3]
