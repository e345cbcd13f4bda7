"""Scan synthetic archives of growing size: wall time and peak RSS per size (near-linear? fits in 4 GB?).

    python benchmarks/scaling.py [--sizes 10000,100000,1000000] [--archive FILE] [--workers N] [--json FILE]

The archive (benchmarks/synthetic.py; generated on first use, ~1 GB of JSONL for a million
articles) is read as a stream, exactly as ``syndicate scan`` reads a file; each size scans
the first N articles in a fresh process. Not part of CI: the million-article run takes minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from syndicate import read_articles, scan

from . import synthetic
from .hotpath import machine
from .measure import in_child

DEFAULT_ARCHIVE = Path(__file__).resolve().parent / "out" / "synthetic-1m.jsonl"


def run_size(archive: Path, size: int, workers: int | None) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        started = time.perf_counter()
        result = scan(islice(read_articles([archive]), size), workers=workers)
        return {"articles": size, "seconds": round(time.perf_counter() - started, 2), "stats": result.stats,
                "clusters": len(result.clusters)}

    return in_child(task)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Scaling benchmark over synthetic archives.")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    if not args.archive.exists():
        print(f"generating {sizes[-1]} synthetic articles into {args.archive} ...", flush=True)
        synthetic.write_jsonl(synthetic.archive(sizes[-1]), args.archive)
    report: dict[str, Any] = {"archive": str(args.archive), "machine": machine(), "workers": args.workers, "runs": []}
    for size in sizes:
        run = run_size(args.archive, size, args.workers)
        report["runs"].append(run)
        per_k = run["seconds"] / size * 1000
        stages = {k.removeprefix("seconds_"): v for k, v in run["stats"].items() if k.startswith("seconds_")}
        print(f"{size:>9,} articles: {run['seconds']:8.1f} s ({per_k:.2f} s per 1,000), peak RSS "
              f"{run['peak_rss_mb']:,.0f} MB, {run['clusters']:,} clusters, stages {stages}", flush=True)
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
