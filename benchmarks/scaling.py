"""Scan synthetic archives by size and worker count: time, memory, speed-up per stage, and a model for more cores.

    python benchmarks/scaling.py [--sizes 10000,100000] [--workers 1,2] [--repeat 3] [--engine local|ray]
                                 [--archive FILE] [--window DAYS] [--spill] [--model-cores 16] [--json FILE]

Each size scans a file of exactly that many articles (the first N lines of the archive, written once
next to it) through ``syndicate.scan(Archive(...))``, as ``syndicate scan FILE`` does: worker
processes read their own byte ranges. Every (size, workers) run is a fresh process; runs are
repeated in random order and the median is reported. Memory: ``peak_rss_mb`` is the driver's VmHWM,
``peak_pss_mb`` the driver and its workers together (sampled PSS, shared pages counted once),
``peak_anon_mb`` the driver's anonymous memory (sampled; what spilling cannot hand back).

**The model.** A stage's wall time with n workers is modelled as ``serial + work / n`` (Amdahl, per
stage). ``work`` is measured: the seconds the stage's tasks took, summed (the engine times every
task). ``serial`` is measured too: the stage's wall time minus ``work / w`` in a run with w workers
(with w = 1 that is exactly the driver's own time; with w = 2 it also absorbs imbalance between
workers, so it is the more conservative). The model takes both from the run with the most workers,
is checked against the other measured runs, and extrapolates to ``--model-cores``. It is a model:
it assumes that tasks do not slow down when 16 run at once (memory bandwidth, a shared L3) and that
the driver keeps up with the workers' results.

Not part of CI: the 100k runs take a minute each; 1M, several.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from syndicate import ScanConfig, scan
from syndicate.engine import make_engine
from syndicate.inputs import Archive

from . import synthetic
from .hotpath import machine
from .measure import in_child

DEFAULT_ARCHIVE = Path(__file__).resolve().parent / "out" / "synthetic-1m.jsonl"
STAGES = {"sketch": ("sketch_part",), "furniture": ("judge_furniture", "settle_blocks"),
          "candidates": ("candidate_bands",), "verify": ("verify_pairs",), "cluster": ()}
"""Each stage of ScanResult.stats and the plan's steps that run inside it."""


def prefix(archive: Path, size: int) -> Path:
    """A file of the archive's first `size` lines (the archive itself if it has exactly that many)."""
    target = archive.with_name(f"{archive.stem}.first-{size}.jsonl")
    if target.exists():
        return target
    with archive.open("rb") as source:
        lines = [line for _, line in zip(range(size), source, strict=False)]
        if len(lines) < size:
            raise SystemExit(f"{archive} has only {len(lines)} articles, not {size}")
        if not source.readline():
            return archive
    target.write_bytes(b"".join(lines))
    return target


def run_scan(path: Path, workers: int, engine: str, window: float | None, spill: bool | None) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        runner = make_engine(engine, workers)
        try:
            started = time.perf_counter()
            result = scan(Archive((path,)), ScanConfig(window_days=window), engine=runner, spill=spill)
            seconds = time.perf_counter() - started
        finally:
            runner.close()
        return {"seconds": round(seconds, 3), "stats": result.stats, "plan": result.plan,
                "clusters": len(result.clusters), "load": os.getloadavg()[0]}

    return in_child(task)


def stage_times(run: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per stage: wall seconds and the seconds of its tasks."""
    tasks = run["plan"]["task_seconds"]
    return {stage: {"wall": run["stats"][f"seconds_{stage}"], "work": sum(tasks.get(step, 0.0) for step in steps)}
            for stage, steps in STAGES.items()}


def model(runs_by_workers: dict[int, dict[str, Any]], cores: list[int]) -> dict[str, Any]:
    """serial + work / n per stage, from the run with the most workers; predictions for `cores`."""
    basis_workers = max(runs_by_workers)
    basis = stage_times(runs_by_workers[basis_workers])
    other = runs_by_workers[basis_workers]["seconds"] - sum(s["wall"] for s in basis.values())
    stages = {}
    for stage, times in basis.items():
        serial = max(0.0, times["wall"] - times["work"] / basis_workers)
        stages[stage] = {"serial": round(serial, 3), "work": round(times["work"], 3),
                         **{f"at_{n}": round(serial + times["work"] / n, 3) for n in cores}}
    total = {n: round(other + sum(s[f"at_{n}"] for s in stages.values()), 2) for n in cores}
    return {"basis_workers": basis_workers, "outside_stages": round(other, 3), "stages": stages, "total": total,
            "measured": {w: r["seconds"] for w, r in runs_by_workers.items()}}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Scaling benchmark over synthetic archives.")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--workers", default="1,2", help="worker counts to measure, e.g. 1,2")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--engine", default="local", choices=("local", "ray"))
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--window", type=float)
    parser.add_argument("--spill", action=argparse.BooleanOptionalAction, default=None)
    parser.add_argument("--model-cores", default="1,2,4,8,16")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    worker_counts = [int(w) for w in args.workers.split(",")]
    cores = [int(c) for c in args.model_cores.split(",")]
    if not args.archive.exists():
        print(f"generating {sizes[-1]} synthetic articles into {args.archive} ...", flush=True)
        synthetic.write_jsonl(synthetic.archive(sizes[-1]), args.archive)
    report: dict[str, Any] = {"archive": str(args.archive), "machine": machine(), "engine": args.engine,
                              "window": args.window, "spill": args.spill, "repeat": args.repeat, "sizes": []}
    shuffler = random.Random(os.getpid())
    for size in sizes:
        path = prefix(args.archive, size)
        rounds: dict[int, list[dict[str, Any]]] = {w: [] for w in worker_counts}
        for _ in range(args.repeat):
            order = list(worker_counts)
            shuffler.shuffle(order)
            for workers in order:
                run = run_scan(path, workers, args.engine, args.window, args.spill)
                rounds[workers].append(run)
                print(f"{size:>9,} articles, {workers:>2} workers: {run['seconds']:8.2f} s, peak RSS "
                      f"{run['peak_rss_mb']:,.0f} MB (with workers, PSS {run['peak_pss_mb']:,.0f} MB), "
                      f"load {run['load']:.1f}, stages { {k: v['wall'] for k, v in stage_times(run).items()} }",
                      flush=True)
        median = {w: sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2] for w, runs in rounds.items()}
        entry = {"articles": size, "runs": rounds, "median": median,
                 "speedup": {w: round(median[min(worker_counts)]["seconds"] / median[w]["seconds"], 3)
                             for w in worker_counts},
                 "seconds": {w: statistics.median(r["seconds"] for r in runs) for w, runs in rounds.items()}}
        entry["model"] = model(median, cores)
        report["sizes"].append(entry)
        print(f"  speed-up {entry['speedup']}; model ({entry['model']['basis_workers']} workers as basis): "
              f"{entry['model']['total']}", flush=True)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
