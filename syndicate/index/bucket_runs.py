"""The SQLite index's bucket rows, kept as sorted runs of packed blocks and merged by size.

An index holds about 300 (bucket, article) rows an article: one per LSH band of every evidence
chunk, and the whole text's. With a B-tree row per bucket, SQLite took about 1 µs to insert each
into a large table, because a batch's rows land all over it and every commit rewrote pages
across the whole table (benchmarks/RESULTS.md §18, §22): a bulk add spent most of its time there,
and building a large index slowed as the table outgrew memory.

Here a write puts its rows down as one **run**: sorted by (bucket, article), cut into blocks of
BLOCK_ROWS rows, each block one row of ``bucket_blocks`` keyed by (run, its last bucket, its
last article), its rows a blob of (bucket, article) pairs, 12 bytes each. A block costs SQLite about what
one bucket row did, so a write costs about 1/64th of the B-tree's inserts, and every page it
writes is new.

* **Lookup.** The block of a run that can hold a bucket is the first whose last row is not below
  it: one B-tree seek per bucket and run, all in one statement. A bucket whose members run on
  past that block's end is followed into the next blocks, until ``max_bucket`` of them are in hand.
  Each bucket's members come out oldest first, and its first ``max_bucket`` are kept, as before.
* **Merging.** Runs of one size tier (row counts within a factor of MERGE_RUNS of each other) are
  merged into one once MERGE_RUNS of them exist, inside the writer's transaction, streaming a
  few hundred blocks of each at a time. A row is rewritten once a tier (a few times over the
  index's life: log base MERGE_RUNS of its size in batches), each time in bulk, and a lookup
  visits at most MERGE_RUNS - 1 runs a tier.
* **Removal** rewrites the blocks that hold the removed rows, in the runs whose article range
  covers them; a run left empty is dropped.
* **Atomicity** is SQLite's: a run, a merge and a removal are each part of the writer's
  transaction, so a reader sees every row exactly once, before or after.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator

import numpy as np

ROW = np.dtype([("bucket", "<i8"), ("article", "<u4")])
"""A stored row, 12 bytes: the bucket and the seq of the article in it (an index numbers its articles in order
from 1: 2^32 of them would take a century of a thousand a second)."""
BLOCK_ROWS = 64
"""Rows a block: 768 bytes, a small part of a 16 KB page. A lookup reads one block a bucket and run."""
MERGE_RUNS = 4
"""Runs of one tier merged at once: also the factor between tiers."""
TIER_ROWS = 1 << 16
"""Runs under this many rows (about 200 articles) are all of tier 0."""
MERGE_FETCH_BLOCKS = 256
"""Blocks read from each run at a time while merging: memory stays a few MB whatever the runs' size."""
FOLLOW_BLOCKS = 4
"""Blocks read at a time while following a bucket past the end of its first block."""

SCHEMA = """
CREATE TABLE bucket_runs (
    run INTEGER PRIMARY KEY, rows INTEGER NOT NULL, lowest_article INTEGER NOT NULL,
    highest_article INTEGER NOT NULL);
CREATE TABLE bucket_blocks (
    run INTEGER NOT NULL, last_bucket INTEGER NOT NULL, last_article INTEGER NOT NULL, rows BLOB NOT NULL,
    PRIMARY KEY (run, last_bucket, last_article)) WITHOUT ROWID;
"""

_LOOKUP_CHUNK = 400
"""Buckets a lookup statement (one variable each: under SQLite's oldest variable limit, 999)."""


def tier(rows: int) -> int:
    """The size tier of a run of `rows` rows: 0 under TIER_ROWS, then one more for each factor of MERGE_RUNS."""
    if rows < TIER_ROWS:
        return 0
    return ((rows // TIER_ROWS).bit_length() + 1) // 2


def ordered_rows(buckets: np.ndarray, articles: np.ndarray, unique: bool = False, runs: bool = False) -> np.ndarray:
    """(bucket, article) rows as a ROW array sorted by bucket then article (repeated rows dropped when `unique`).

    Where every bucket is non-negative and leaves room below it for the largest article number in 64 bits
    (bucket keys do: a band number and 32 bits), the two are sorted as one packed number; otherwise by a lexsort.
    `runs` says the rows come as a few sorted runs, which a stable sort (timsort) merges in about linear time:
    a third of the time quicksort takes on them, where on rows in no order it takes four times as long."""
    buckets = np.asarray(buckets, dtype=np.int64)
    articles = np.asarray(articles, dtype=np.int64)
    rows = np.empty(len(buckets), dtype=ROW)
    if not len(rows):
        return rows
    shift = max(1, int(articles.max()).bit_length())
    if buckets.min() >= 0 and articles.min() >= 0 and int(buckets.max()) < 1 << (64 - shift):
        packed = (buckets.astype(np.uint64) << np.uint64(shift)) | articles.astype(np.uint64)
        packed.sort(kind="stable" if runs else "quicksort")
        if unique:
            packed = packed[np.concatenate(([True], packed[1:] != packed[:-1]))]
            rows = np.empty(len(packed), dtype=ROW)
        rows["bucket"] = (packed >> np.uint64(shift)).astype(np.int64)
        rows["article"] = (packed & np.uint64((1 << shift) - 1)).astype(np.int64)
        return rows
    order = np.lexsort((articles, buckets))
    rows["bucket"], rows["article"] = buckets[order], articles[order]
    if unique:
        rows = rows[np.concatenate(([True], (rows["bucket"][1:] != rows["bucket"][:-1])
                                    | (rows["article"][1:] != rows["article"][:-1])))]
    return rows


def write_run(db: sqlite3.Connection, buckets: np.ndarray, articles: np.ndarray) -> None:
    """Store these (bucket, article) rows as a new run (inside the caller's write transaction), then merge any
    tier that has MERGE_RUNS runs."""
    if len(articles) and int(np.max(articles)) > np.iinfo(np.uint32).max:
        raise OverflowError("bucket runs number articles in 32 bits; this index has used them all")
    rows = ordered_rows(buckets, articles, unique=True)
    if not len(rows):
        return
    run = db.execute("INSERT INTO bucket_runs (rows, lowest_article, highest_article) VALUES (?, ?, ?)",
                     (len(rows), int(rows["article"].min()), int(rows["article"].max()))).lastrowid
    _write_blocks(db, run, rows)
    merge_full_tiers(db)


def _write_blocks(db: sqlite3.Connection, run: int, rows: np.ndarray) -> None:
    """`rows` (sorted, following any earlier blocks of the run) as blocks of BLOCK_ROWS rows."""
    data = rows.tobytes()
    size = BLOCK_ROWS * ROW.itemsize
    lasts = rows[np.minimum(np.arange(BLOCK_ROWS - 1, len(rows) + BLOCK_ROWS - 1, BLOCK_ROWS), len(rows) - 1)]
    db.executemany("INSERT INTO bucket_blocks (run, last_bucket, last_article, rows) VALUES (?, ?, ?, ?)",
                   ((run, bucket, article, data[start : start + size])
                    for start, (bucket, article) in zip(range(0, len(data), size), lasts.tolist(), strict=True)))


def merge_full_tiers(db: sqlite3.Connection) -> None:
    """Merge the runs of the lowest tier that has MERGE_RUNS of them, and again, until no tier has."""
    while True:
        by_tier: dict[int, list[int]] = defaultdict(list)
        for run, rows in db.execute("SELECT run, rows FROM bucket_runs ORDER BY run"):
            by_tier[tier(rows)].append(run)
        full = [runs for _, runs in sorted(by_tier.items()) if len(runs) >= MERGE_RUNS]
        if not full:
            return
        merge(db, full[0])


def merge(db: sqlite3.Connection, sources: list[int]) -> int:
    """Merge these runs into a new one (returned) and drop them, streaming: each round takes, from every run's rows
    read so far, those up to the least of the last rows read from the runs not yet finished, so nothing later can
    sort before them."""
    marks = ", ".join("?" * len(sources))
    low, high = db.execute(f"SELECT min(lowest_article), max(highest_article) FROM bucket_runs WHERE run IN ({marks})",
                           sources).fetchone()
    run = db.execute("INSERT INTO bucket_runs (rows, lowest_article, highest_article) VALUES (0, ?, ?)",
                     (low, high)).lastrowid
    readers = [_RunReader(db, source) for source in sources]
    held = np.empty(0, dtype=ROW)  # merged rows short of a whole block, all below what is still to come
    written = 0
    while readers:
        for reader in readers:
            reader.fill(MERGE_FETCH_BLOCKS * BLOCK_ROWS)
        readers = [reader for reader in readers if len(reader.pending)]
        if not readers:
            break
        open_ends = [reader.pending[-1] for reader in readers if not reader.finished]
        bound = min(open_ends, key=lambda row: (int(row["bucket"]), int(row["article"]))) if open_ends else None
        parts = [reader.take_through(bound) for reader in readers]
        if not any(len(part) for part in parts):  # the reader the bound came from takes all it holds
            raise AssertionError("a merge round took no rows")
        merged = np.concatenate([held, ordered_rows(np.concatenate([p["bucket"] for p in parts]),
                                                    np.concatenate([p["article"] for p in parts]), runs=True)])
        whole = len(merged) - len(merged) % BLOCK_ROWS
        if whole:
            _write_blocks(db, run, merged[:whole])
            written += whole
        held = merged[whole:]
    if len(held):
        _write_blocks(db, run, held)
        written += len(held)
    db.execute(f"DELETE FROM bucket_blocks WHERE run IN ({marks})", sources)
    db.execute(f"DELETE FROM bucket_runs WHERE run IN ({marks})", sources)
    db.execute("UPDATE bucket_runs SET rows = ? WHERE run = ?", (written, run))
    return run


class _RunReader:
    """A run's rows in order, a few hundred blocks at a time."""

    def __init__(self, db: sqlite3.Connection, run: int) -> None:
        self._cursor = db.execute("SELECT rows FROM bucket_blocks WHERE run = ? ORDER BY last_bucket, last_article",
                                  (run,))
        self.pending = np.empty(0, dtype=ROW)
        self.finished = False

    def fill(self, rows: int) -> None:
        if self.finished or len(self.pending) >= rows:
            return
        blobs = self._cursor.fetchmany(max(1, (rows - len(self.pending)) // BLOCK_ROWS + 1))
        if not blobs:
            self.finished = True
            return
        self.pending = np.concatenate([self.pending, np.frombuffer(b"".join(blob for (blob,) in blobs), dtype=ROW)])

    def take_through(self, bound: np.void | None) -> np.ndarray:
        """The pending rows up to and including `bound` (all of them when None), removed from pending."""
        if bound is None:
            count = len(self.pending)
        else:
            count = _rows_through(self.pending, int(bound["bucket"]), int(bound["article"]))
        taken, self.pending = self.pending[:count], self.pending[count:]
        return taken


def _rows_through(rows: np.ndarray, bucket: int, article: int) -> int:
    """How many of these sorted rows are at or below (bucket, article)."""
    low = int(np.searchsorted(rows["bucket"], bucket, side="left"))
    high = int(np.searchsorted(rows["bucket"], bucket, side="right"))
    return low + int(np.searchsorted(rows["article"][low:high], article, side="right"))


def members(db: sqlite3.Connection, buckets: np.ndarray, max_bucket: int) -> list[int]:
    """The articles in any of these buckets, at most the oldest (lowest) `max_bucket` of each bucket, sorted."""
    wanted = np.unique(np.asarray(buckets, dtype=np.int64))
    runs = db.execute("SELECT count(*) FROM bucket_runs").fetchone()[0]
    if not runs or not len(wanted):
        return []
    found: list[np.ndarray] = []
    for start in range(0, len(wanted), _LOOKUP_CHUNK):
        chunk = wanted[start : start + _LOOKUP_CHUNK].tolist()
        rows = db.execute(
            f"WITH wanted (bucket) AS (VALUES {', '.join(['(?)'] * len(chunk))}) "
            "SELECT wanted.bucket, r.run, (SELECT b.rows FROM bucket_blocks AS b WHERE b.run = r.run "
            "AND b.last_bucket >= wanted.bucket ORDER BY b.last_bucket, b.last_article LIMIT 1) "
            "FROM wanted CROSS JOIN bucket_runs AS r", chunk).fetchall()
        blocks = [row for row in rows if row[2] is not None]
        if not blocks:
            continue
        data = np.frombuffer(b"".join(row[2] for row in blocks), dtype=ROW)
        found.append(data)
        sizes = np.fromiter((len(row[2]) for row in blocks), dtype=np.int64, count=len(blocks)) // ROW.itemsize
        ends = np.cumsum(sizes)
        for index in np.flatnonzero(data["bucket"][ends - 1] == np.array([row[0] for row in blocks])).tolist():
            bucket, run, _ = blocks[index]
            found += _following(db, run, data[ends[index] - 1], bucket, max_bucket)
    if not found:
        return []
    rows = np.concatenate(found)
    rows = rows[np.isin(rows["bucket"], wanted)]
    rows = ordered_rows(rows["bucket"], rows["article"], unique=True)
    first = np.concatenate(([True], rows["bucket"][1:] != rows["bucket"][:-1]))
    starts = np.maximum.accumulate(np.where(first, np.arange(len(rows)), 0))
    kept = rows["article"][np.arange(len(rows)) - starts < max_bucket]
    return np.unique(kept).tolist()


def _following(db: sqlite3.Connection, run: int, last: np.void, bucket: int, max_bucket: int) -> list[np.ndarray]:
    """The blocks after the one ending at `last`, while they go on holding `bucket`, until `max_bucket` rows of it."""
    blocks: list[np.ndarray] = []
    after, held = (int(last["bucket"]), int(last["article"])), 0
    while held < max_bucket:
        rows = db.execute("SELECT rows FROM bucket_blocks WHERE run = ? AND (last_bucket, last_article) > (?, ?) "
                          "ORDER BY last_bucket, last_article LIMIT ?", (run, *after, FOLLOW_BLOCKS)).fetchall()
        for (blob,) in rows:
            block = np.frombuffer(blob, dtype=ROW)
            blocks.append(block)
            held += int(np.count_nonzero(block["bucket"] == bucket))
            if int(block[-1]["bucket"]) != bucket or held >= max_bucket:
                return blocks
            after = (int(block[-1]["bucket"]), int(block[-1]["article"]))
        if len(rows) < FOLLOW_BLOCKS:
            return blocks
    return blocks


def remove_rows(db: sqlite3.Connection, buckets: np.ndarray, articles: np.ndarray) -> None:
    """Take these (bucket, article) rows out of the runs whose article range covers them (inside the caller's
    write transaction): each block holding any of them is written again without them, and tiers that fill as runs
    shrink are merged."""
    gone = ordered_rows(buckets, articles, unique=True)
    if not len(gone):
        return
    for run, low, high in db.execute("SELECT run, lowest_article, highest_article FROM bucket_runs").fetchall():
        mine = gone[(gone["article"] >= low) & (gone["article"] <= high)]
        blocks: dict[tuple[int, int], bytes] = {}
        for bucket, article in mine.tolist():
            block = db.execute("SELECT last_bucket, last_article, rows FROM bucket_blocks WHERE run = ? AND "
                               "(last_bucket, last_article) >= (?, ?) ORDER BY last_bucket, last_article LIMIT 1",
                               (run, bucket, article)).fetchone()
            if block is not None:
                blocks.setdefault((block[0], block[1]), block[2])
        pairs = set(mine.tolist())
        removed = 0
        for (last_bucket, last_article), blob in blocks.items():
            block = np.frombuffer(blob, dtype=ROW)
            keep = np.fromiter((row not in pairs for row in block.tolist()), dtype=bool, count=len(block))
            if keep.all():
                continue
            removed += int(np.count_nonzero(~keep))
            db.execute("DELETE FROM bucket_blocks WHERE run = ? AND last_bucket = ? AND last_article = ?",
                       (run, last_bucket, last_article))
            rest = block[keep]
            if len(rest):
                db.execute("INSERT INTO bucket_blocks (run, last_bucket, last_article, rows) VALUES (?, ?, ?, ?)",
                           (run, int(rest[-1]["bucket"]), int(rest[-1]["article"]), rest.tobytes()))
        if removed:
            db.execute("UPDATE bucket_runs SET rows = rows - ? WHERE run = ?", (removed, run))
            db.execute("DELETE FROM bucket_runs WHERE run = ? AND rows <= 0", (run,))
    merge_full_tiers(db)  # a run that shrank may have joined a tier that now holds MERGE_RUNS


def row_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(sum(rows), 0) FROM bucket_runs").fetchone()[0]


def run_count(db: sqlite3.Connection) -> int:
    return db.execute("SELECT count(*) FROM bucket_runs").fetchone()[0]


def problems(db: sqlite3.Connection) -> list[str]:
    """Every run read through: its blocks whole and in order, each keyed by its last row, its row count and article
    range as recorded; and how many rows point to no stored article."""
    found: list[str] = []
    seqs = np.array([seq for (seq,) in db.execute("SELECT seq FROM articles ORDER BY seq")], dtype=np.int64)
    orphans = 0
    for run, rows, low, high in db.execute("SELECT run, rows, lowest_article, highest_article FROM bucket_runs"
                                           ).fetchall():
        counted, previous, trouble = 0, np.empty(0, dtype=ROW), None
        for blocks in _blocks(db, run):
            sizes = np.fromiter((len(blob) for _, _, blob in blocks), dtype=np.int64, count=len(blocks))
            if np.any(sizes == 0) or np.any(sizes % ROW.itemsize):
                trouble = "a block that is not whole rows"
                break
            data = np.frombuffer(b"".join(blob for _, _, blob in blocks), dtype=ROW)
            if not _strictly_ascending(np.concatenate([previous, data])):
                trouble = f"rows out of order near bucket {int(data[0]['bucket'])}"
                break
            lasts = data[np.cumsum(sizes // ROW.itemsize) - 1]
            if lasts["bucket"].tolist() != [block[0] for block in blocks] or (
                    lasts["article"].tolist() != [block[1] for block in blocks]):
                trouble = "a block keyed by another row than its last"
                break
            if int(data["article"].min()) < low or int(data["article"].max()) > high:
                trouble = f"an article outside its recorded range {low}-{high}"
                break
            counted += len(data)
            previous = data[-1:]
            at = np.minimum(np.searchsorted(seqs, data["article"]), max(len(seqs) - 1, 0))
            orphans += len(data) if not len(seqs) else int(np.count_nonzero(seqs[at] != data["article"]))
        else:
            if counted != rows:
                trouble = f"{counted} rows, recorded as {rows}"
        if trouble:
            found.append(f"bucket run {run}: {trouble}")
    if orphans:
        found.append(f"{orphans} buckets rows point to no article")
    return found


def _blocks(db: sqlite3.Connection, run: int) -> Iterator[list[tuple[int, int, bytes]]]:
    """A run's blocks in order, MERGE_FETCH_BLOCKS at a time."""
    cursor = db.execute("SELECT last_bucket, last_article, rows FROM bucket_blocks WHERE run = ? "
                        "ORDER BY last_bucket, last_article", (run,))
    while blocks := cursor.fetchmany(MERGE_FETCH_BLOCKS):
        yield blocks


def _strictly_ascending(rows: np.ndarray) -> bool:
    buckets, articles = rows["bucket"], rows["article"]
    return bool(np.all((buckets[1:] > buckets[:-1]) | ((buckets[1:] == buckets[:-1]) & (articles[1:] > articles[:-1]))))
