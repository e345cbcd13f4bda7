"""Bulk ingest speed of `Index.add_many` on Reuters-21578, against the code before the bulk path, in one run.

Method: the 19,043 Reuters-21578 stories with a body are read into memory first (reading is not
timed). Each run adds them to a fresh index with ``Index.add_many`` (default batch size; signing
processes as ``--workers`` says, by default as ``syndicate index add`` picks them: one per idle
core) and is timed from opening the index to closing it. The baseline is the code at
``--baseline-ref`` (git archive of that commit into a temporary directory, run in a subprocess on
the first ``--baseline-size`` stories, with its default workers); the new code runs on the same
first stories too, so the ratio compares like with like: ``--baseline-runs`` of each, alternating, medians.
Redis runs against a server given with ``--redis`` (a namespace is created and deleted).

    python benchmarks/ingest.py                                   # SQLite, baseline a760d14 (core before the port)
    python benchmarks/ingest.py --redis redis://127.0.0.1:6379/0 --runs 3 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import drop_redis_namespace
from benchmarks.reuters import DEFAULT_DIR, available, read_reuters
from syndicate import Article
from syndicate.engine import default_workers
from syndicate.index import Index

ROOT = Path(__file__).resolve().parents[1]
BASELINE = """
import sys, time, tempfile
from pathlib import Path
from benchmarks.reuters import read_reuters
from syndicate.index import Index
articles = list(read_reuters(Path(sys.argv[2])))[: int(sys.argv[1])]
with tempfile.TemporaryDirectory() as directory:
    started = time.perf_counter()
    with Index.open(directory + "/baseline.db") as index:
        index.add_many(articles)
    print(time.perf_counter() - started)
"""


def timed_add(target: str, articles: list[Article], workers: int | None = None) -> float:
    started = time.perf_counter()
    with Index.open(target) as index:
        report = index.add_many(articles, workers=workers)
    seconds = time.perf_counter() - started
    assert report.added == len(articles), report
    return seconds


def baseline_seconds(ref: str, size: int) -> float:
    """Seconds the code at `ref` takes to add the first `size` stories (in its own process and tree)."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory() as tree:
        with tarfile.open(fileobj=BytesIO(archive)) as bundle:
            bundle.extractall(tree, filter="data")
        result = subprocess.run([sys.executable, "-c", BASELINE, str(size), str(DEFAULT_DIR)], cwd=tree,
                                capture_output=True, text=True, env={**os.environ, "PYTHONPATH": tree}, check=True)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of the full archive per backend (median kept)")
    parser.add_argument("--baseline-ref", default="a760d14", help="commit to compare with ('' to skip)")
    parser.add_argument("--baseline-size", type=int, default=3000)
    parser.add_argument("--baseline-runs", type=int, default=3, help="runs of each tree on the first stories, "
                        "alternating (median kept)")
    parser.add_argument("--redis", help="redis:// URL of a server to measure too")
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--workers", type=int, help="signing processes (default: as `syndicate index add`, one per "
                        "idle core, which a benchmark's own previous run can make 1 on 2 cores)")
    args = parser.parse_args()
    if not available():
        sys.exit("Reuters-21578 not found in ../shared/data/reuters21578")
    args.workdir.mkdir(parents=True, exist_ok=True)
    articles = list(read_reuters())
    load = os.getloadavg()
    results: dict = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                                f"Python {platform.python_version()}", "stories": len(articles),
                     "load_average_at_start": [round(x, 2) for x in load],
                     "workers": args.workers if args.workers is not None else f"default ({default_workers()} at start)"}

    def sqlite_target(name: str) -> str:
        path = args.workdir / f"ingest-{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return str(path)

    if args.baseline_ref:
        size = args.baseline_size
        olds, news = [], []
        for _ in range(args.baseline_runs):  # alternating, so that the machine's drift reaches both alike
            olds.append(baseline_seconds(args.baseline_ref, size))
            news.append(timed_add(sqlite_target("same-as-baseline"), articles[:size], args.workers))
        old, new = statistics.median(olds), statistics.median(news)
        results["baseline"] = {"ref": args.baseline_ref, "stories": size, "old_runs": [round(s, 2) for s in olds],
                               "new_runs": [round(s, 2) for s in news], "old_articles_per_second": round(size / old),
                               "new_articles_per_second": round(size / new), "speedup": round(old / new, 1)}
        print(json.dumps(results["baseline"]), flush=True)
    backends = [("sqlite", None)] + ([("redis", args.redis)] if args.redis else [])
    for backend, url in backends:
        seconds = []
        for run in range(args.runs):
            if backend == "sqlite":
                target = sqlite_target(f"run{run}")
            else:
                namespace = f"bench-ingest-{os.getpid()}-{run}"
                target = f"{url}{'&' if '?' in url else '?'}namespace={namespace}"
            seconds.append(timed_add(target, articles, args.workers))
            if backend == "sqlite":
                size_bytes = Path(target).stat().st_size
            else:
                drop_redis_namespace(url, namespace)
                size_bytes = None
            print(json.dumps({"backend": backend, "run": run, "seconds": round(seconds[-1], 2),
                              "articles_per_second": round(len(articles) / seconds[-1])}), flush=True)
        median = statistics.median(seconds)
        results[backend] = {"runs": [round(s, 2) for s in seconds], "median_seconds": round(median, 2),
                            "articles_per_second": round(len(articles) / median),
                            **({"file_bytes_per_article": round(size_bytes / len(articles))} if size_bytes else {})}
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out = args.workdir / "ingest.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
