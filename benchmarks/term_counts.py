"""What the persistent index's term counts (format 4) cost a bulk ingest, measured in isolation.

Method: Reuters-21578's stories with a body are added to a fresh SQLite index with ``Index.add_many``
(batches of 4,096, timed whole). Its stored entries are then taken in the same batches through what
``SQLiteStore.put`` adds for the counts: each entry's held terms aggregated per batch
(``store.term_counts``), and the upsert into an empty ``terms`` table of a fresh file (WAL,
``synchronous=FULL``, one transaction per batch), each timed apart, ``--runs`` times.

    python benchmarks/term_counts.py
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.reuters import available, read_reuters
from syndicate.index import Index
from syndicate.index.index import DEFAULT_BATCH
from syndicate.index.store import term_counts

UPSERT = ("INSERT INTO terms (term, holders) VALUES (?, ?) ON CONFLICT (term) "
          "DO UPDATE SET holders = holders + excluded.holders")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not available():
        sys.exit("Reuters-21578 not found in ../shared/data/reuters21578")
    articles = list(read_reuters())
    with tempfile.TemporaryDirectory() as workdir:
        started = time.perf_counter()
        with Index.open(Path(workdir) / "index.db") as index:
            index.add_many(articles)
            ingest = time.perf_counter() - started
            entries = index._store.load([a.id for a in articles])
        for run in range(args.runs):
            db = sqlite3.connect(Path(workdir) / f"terms-{run}.db", isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("CREATE TABLE terms (term INTEGER PRIMARY KEY, holders INTEGER NOT NULL)")
            counting = upserting = 0.0
            for start in range(0, len(entries), DEFAULT_BATCH):
                clock = time.perf_counter()
                terms, counts = term_counts(entry.held_terms() for entry in entries[start : start + DEFAULT_BATCH])
                counting += time.perf_counter() - clock
                clock = time.perf_counter()
                db.execute("BEGIN IMMEDIATE")
                db.executemany(UPSERT, zip(terms.tolist(), counts.tolist(), strict=True))
                db.execute("COMMIT")
                upserting += time.perf_counter() - clock
            rows = db.execute("SELECT count(*) FROM terms").fetchone()[0]
            db.close()
            print(f"run {run}: add_many {ingest:.2f} s; held terms and aggregation {counting:.2f} s, upserts "
                  f"{upserting:.2f} s ({rows} terms, {(counting + upserting) / ingest:.1%} of the ingest)", flush=True)


if __name__ == "__main__":
    main()
