"""End-to-end ``scan`` of a corpus (Reuters-21578 by default): wall time, peak RSS, time per stage.

    python benchmarks/endtoend.py [--corpus PATH] [--workers N] [--limit N] [--json FILE]

Two runs, each in a fresh process: *streaming* is what the CLI does (read and scan in one
pass; reading overlaps the sketch workers), *staged* reads the corpus first and reports
scan's own stage timings. A third, one-core pass splits the sketch stage into its steps (units:
sentences, quotes, shingles and terms; then signing, band keys, credits and headlines).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from syndicate import ScanConfig, scan
from syndicate.sign import MinHasher
from syndicate.sketch import sign_batch
from syndicate.units import units_batch

from . import corpus as corpora
from .hotpath import machine
from .measure import in_child

BATCH = 1024


def streaming(path: Path | None, limit: int | None, workers: int | None) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        started = time.perf_counter()
        result = scan(corpora.stream(path, limit)[1], workers=workers)
        return {"seconds": round(time.perf_counter() - started, 3), "stats": result.stats}

    return in_child(task)


def staged(path: Path | None, limit: int | None, workers: int | None) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        started = time.perf_counter()
        articles = corpora.load(path, limit).articles
        read = time.perf_counter() - started
        result = scan(articles, workers=workers)
        stages = {"read": round(read, 3)}
        stages.update({key.removeprefix("seconds_"): value for key, value in result.stats.items()
                       if key.startswith("seconds_")})
        return {"seconds": round(time.perf_counter() - started, 3), "stages": stages,
                "counts": {k: v for k, v in result.stats.items() if not k.startswith("seconds_")}}

    return in_child(task)


def sketch_steps(path: Path | None, limit: int | None) -> dict[str, float]:
    """One core: where the sketch stage's time goes (units = sentences, quotes, shingles, terms; the rest of
    sign_batch = MinHash of each chunk, band keys, document keys, credits, headlines)."""
    articles = corpora.load(path, limit).articles
    config = ScanConfig()
    hasher = MinHasher(config.num_perm, config.seed)
    steps = dict.fromkeys(("units", "sign_and_keys"), 0.0)
    for start in range(0, len(articles), BATCH):
        batch = articles[start : start + BATCH]
        t0 = time.perf_counter()
        units_batch([a.paragraphs for a in batch], config.ngram)
        t1 = time.perf_counter()
        sign_batch(batch, config, hasher)
        t2 = time.perf_counter()
        steps["units"] += t1 - t0
        steps["sign_and_keys"] += (t2 - t1) - (t1 - t0)  # sign_batch makes the units again
    return {k: round(v, 3) for k, v in steps.items()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="End-to-end scan benchmark.")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--workers", type=int, help="sketch processes (default: every core)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    report = {"corpus": corpora.load(args.corpus, 1).name, "workers": args.workers, "machine": machine(),
              "streaming": streaming(args.corpus, args.limit, args.workers),
              "staged": staged(args.corpus, args.limit, args.workers),
              "sketch_steps_one_core": sketch_steps(args.corpus, args.limit)}
    articles = report["staged"]["counts"]["articles"]
    print(f"{report['corpus']}: {articles} articles, workers={args.workers or 'auto (in-process below 3 cores)'}")
    print(f"streaming scan (read + scan in one pass): {report['streaming']['seconds']:.2f} s, "
          f"peak RSS {report['streaming']['peak_rss_mb']:,.0f} MB")
    print(f"staged: {report['staged']['seconds']:.2f} s, peak RSS {report['staged']['peak_rss_mb']:,.0f} MB")
    for stage, seconds in report["staged"]["stages"].items():
        print(f"  {stage:<12} {seconds:7.2f} s")
    print("sketch stage, one core, by step:")
    for step, seconds in report["sketch_steps_one_core"].items():
        print(f"  {step:<12} {seconds:7.2f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
