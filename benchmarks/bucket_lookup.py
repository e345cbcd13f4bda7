"""What a check's bucket lookup costs on a SQLite index of bucket runs: seeks, and time, per kind of query.

    python benchmarks/bucket_lookup.py INDEX.db [--archive ARCHIVE.jsonl] [--queries 600]

Method: the queries are the first ``--queries / 2`` articles of ``--archive`` (JSONL, the archive the index
was built from, e.g. ``benchmarks/out/synthetic-100k.jsonl``), each with one paragraph dropped (edited copies of
indexed articles), and as many new articles from ``benchmarks/synthetic.py`` (another seed). For each query: its
distinct buckets (what a B-tree row per bucket, SQLite layout 1, seeks: one each), the (bucket, run) pairs that
pass the runs' filters (what layout 2 seeks), and the time of the bucket query alone
(``SQLiteStore.candidates`` without loading the candidates: ``bucket_runs.members``), warm, one process. The seek
counts are deterministic; the times depend on the machine and its load (stated with them).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import archive
from syndicate import Article
from syndicate.index import Index, bucket_runs
from syndicate.read import read_articles


def workload(path: Path, count: int) -> list[tuple[str, Article]]:
    copies = []
    for article in itertools.islice(read_articles([path]), count // 2):
        paragraphs = list(article.paragraphs)
        if len(paragraphs) > 2:
            paragraphs.pop(len(paragraphs) // 2)
        copies.append(("edited copy", Article(id=f"copy-of-{article.id}", paragraphs=tuple(paragraphs))))
    news = [("new", Article(id=f"new-{n}", paragraphs=a.paragraphs))
            for n, a in enumerate(itertools.islice(archive(count - count // 2, seed=99), count - count // 2))]
    return copies + news


def measure(index_path: Path, archive_path: Path, count: int) -> dict:
    queries = workload(archive_path, count)
    with Index.open(index_path, create=False) as index:
        store = index._store
        db = store._db
        runs = db.execute("SELECT run, filter_shift FROM bucket_runs").fetchall()
        rows = bucket_runs.row_count(db)
        filters = store._filters.of(db, runs)
        keyed = [(kind, np.unique(index._sign([article]).bucketed(set())[1][0])) for kind, article in queries]
        for _, keys in keyed[:20]:
            bucket_runs.members(db, keys, index.config.max_bucket, store._filters)
        report: dict[str, dict[str, float]] = {}
        for kind in dict.fromkeys(kind for kind, _ in keyed):
            mine = [keys for k, keys in keyed if k == kind]
            times = []
            for keys in mine:
                started = time.perf_counter()
                bucket_runs.members(db, keys, index.config.max_bucket, store._filters)
                times.append((time.perf_counter() - started) * 1000)
            report[kind] = {
                "queries": len(mine),
                "buckets (layout 1 seeks)": round(statistics.fmean(len(keys) for keys in mine), 1),
                "pairs past the filters (layout 2 seeks)": round(statistics.fmean(
                    sum(int(f.may_hold(keys).sum()) if f is not None else len(keys) for f in filters)
                    for keys in mine), 1),
                "bucket query p50 ms": round(float(np.percentile(times, 50)), 2),
                "bucket query mean ms": round(statistics.fmean(times), 2),
            }
    return {"index": str(index_path), "runs": len(runs), "bucket_rows": rows,
            "load_average": [round(load, 2) for load in os.getloadavg()], "by_kind": report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--archive", type=Path, default=Path(__file__).parent / "out" / "synthetic-100k.jsonl")
    parser.add_argument("--queries", type=int, default=600)
    args = parser.parse_args()
    print(json.dumps(measure(args.index, args.archive, args.queries), indent=2))


if __name__ == "__main__":
    main()
