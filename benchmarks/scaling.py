"""Scan synthetic archives by size and worker count: time, memory, speed-up per stage, and a model for more cores.

    python benchmarks/scaling.py [--sizes 10000,100000] [--workers 1,2] [--repeat 3] [--engine local|ray]
                                 [--archive FILE] [--window DAYS] [--spill] [--model-cores 16] [--json FILE]

Each size scans a file of exactly that many articles (the first N lines of the archive, written once
next to it) through ``syndicate.Archive([FILE]).scan(...)``, as ``syndicate scan FILE`` does: the
driver counts the file's lines and hands out byte ranges, which the workers read and sketch. Every
(size, workers) run is a fresh process; runs are repeated in random order and the median is reported.
Memory: ``peak_rss_mb`` is the driver's VmHWM, ``peak_pss_mb`` the driver and its workers together
(sampled PSS, shared pages counted once), ``peak_anon_mb`` the driver's anonymous memory (sampled; what
spilling cannot hand back), ``peak_system_used_mb`` the machine's memory in use beyond the start of the run
(MemTotal - MemAvailable): it also counts the workers' results waiting in ``/dev/shm``, mapped by the driver but
not yet touched, which no process's RSS or PSS shows (so it is the figure to compare with a memory budget, on an
otherwise quiet machine).

**The model.** A stage's time with n workers is modelled as ``serial + work / n`` (Amdahl, per
stage), both parts measured in the run with the most workers (see :func:`model`): in wall seconds
(``serial`` = the stage's wall time minus its tasks' time / workers, which also absorbs imbalance
between workers) and in CPU seconds (``serial`` = the driver's CPU time in the stage, ``work`` = the
workers' CPU time on its tasks). The CPU form is what an otherwise idle machine would take, which
matters on a shared machine where wall times follow the load. It is a model: it assumes that tasks do
not slow down when 16 run at once (memory bandwidth, a shared L3) and that the driver keeps up with
the workers' results; it adds the driver's time to the workers' instead of overlapping them.

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

from syndicate import Archive, ScanConfig
from syndicate.engine import make_engine

from . import synthetic
from .hotpath import machine
from .measure import in_child

DEFAULT_ARCHIVE = Path(__file__).resolve().parent / "out" / "synthetic-1m.jsonl"
STAGES = {"sketch": ("sketch_part", "read_and_sketch"),
          "furniture": ("find_recurring", "judge_furniture", "settle_blocks"),
          "candidates": ("candidate_bands",), "verify": ("verify_pairs",),
          "cluster": ("describe_linked", "choose_group_sources")}
"""Each stage of ScanResult.stats and the plan's steps that run inside it."""


def prefix(archive: Path, size: int) -> Path:
    """A file of the archive's first `size` lines (the archive itself if it has exactly that many)."""
    target = archive.with_name(f"{archive.stem}.first-{size}.jsonl")
    if target.exists():
        return target
    with archive.open("rb") as source:
        lines = sum(1 for _ in source)
    if lines < size:
        raise SystemExit(f"{archive} has only {lines} articles, not {size}")
    if lines == size:
        return archive
    with archive.open("rb") as source, target.open("wb") as out:
        out.writelines(line for _, line in zip(range(size), source, strict=False))
    return target


def run_scan(path: Path, workers: int, engine: str, window: float | None, spill: bool | None) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        runner = make_engine(engine, workers)
        try:
            started, cpu = time.perf_counter(), time.process_time()
            result = Archive([path]).scan(ScanConfig(window_days=window), engine=runner, spill=spill)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            runner.close()
        return {"seconds": round(seconds, 3), "driver_cpu": round(cpu, 3), "stats": result.stats, "plan": result.plan,
                "clusters": len(result.clusters), "load": os.getloadavg()[0]}

    return in_child(task)


def stage_times(run: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per stage: wall seconds, the wall seconds of its tasks, and in CPU seconds what stayed in the driver
    (``serial_cpu``: its own work and any step it ran inline) and what ran in workers (``work_cpu``)."""
    plan = run["plan"]
    times = {}
    for stage, steps in STAGES.items():
        pooled = [step for step in steps if step not in plan["inline_steps"]]
        times[stage] = {"wall": run["stats"][f"seconds_{stage}"],
                        "work": sum(plan["task_seconds"].get(step, 0.0) for step in steps),
                        "serial_cpu": plan["driver_cpu_seconds"][stage],
                        "work_cpu": sum(plan["task_cpu_seconds"].get(step, 0.0) for step in pooled)}
    return times


def model(runs_by_workers: dict[int, dict[str, Any]], cores: list[int]) -> dict[str, Any]:
    """Per stage ``serial + work / n``, from the run with the most workers, two ways:

    - ``wall``: serial = the stage's wall time minus its tasks' wall time / workers; work = its tasks' wall
      time. Measured under whatever load the machine had.
    - ``cpu``: serial = the driver's CPU seconds in the stage, work = the workers' CPU seconds on its tasks:
      what an otherwise idle machine with n cores would take, with no overlap between driver and workers.
      The driver's CPU outside the stages (making the report's infos) is added to both.
    """
    basis_workers = max(runs_by_workers)
    run = runs_by_workers[basis_workers]
    basis = stage_times(run)
    outside = run["seconds"] - sum(times["wall"] for times in basis.values())
    outside_cpu = run["driver_cpu"] - sum(times["serial_cpu"] for times in basis.values())
    stages: dict[str, dict[str, Any]] = {}
    for stage, times in basis.items():
        serial = max(0.0, times["wall"] - times["work"] / basis_workers)
        stages[stage] = {"serial": round(serial, 3), "work": round(times["work"], 3),
                         "serial_cpu": round(times["serial_cpu"], 3), "work_cpu": round(times["work_cpu"], 3),
                         "wall_at": {n: round(serial + times["work"] / n, 3) for n in cores},
                         "cpu_at": {n: round(times["serial_cpu"] + times["work_cpu"] / n, 3) for n in cores}}
    total = {n: round(outside + sum(s["wall_at"][n] for s in stages.values()), 2) for n in cores}
    total_cpu = {n: round(outside_cpu + sum(s["cpu_at"][n] for s in stages.values()), 2) for n in cores}
    one = runs_by_workers.get(1)
    return {"basis_workers": basis_workers, "outside_stages": round(outside, 3),
            "outside_stages_cpu": round(outside_cpu, 3), "stages": stages, "total": total,
            "total_cpu": total_cpu, "measured": {w: r["seconds"] for w, r in runs_by_workers.items()},
            "cpu_one_worker": one["driver_cpu"] if one else None}


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
                      f"{run['peak_rss_mb']:,.0f} MB (with workers, PSS {run['peak_pss_mb']:,.0f} MB; machine "
                      f"{run['peak_system_used_mb']:,.0f} MB), "
                      f"load {run['load']:.1f}, stages { {k: v['wall'] for k, v in stage_times(run).items()} }",
                      flush=True)
        median = {w: sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2] for w, runs in rounds.items()}
        entry = {"articles": size, "runs": rounds, "median": median,
                 "speedup": {w: round(median[min(worker_counts)]["seconds"] / median[w]["seconds"], 3)
                             for w in worker_counts},
                 "seconds": {w: statistics.median(r["seconds"] for r in runs) for w, runs in rounds.items()}}
        entry["model"] = model(median, cores)
        report["sizes"].append(entry)
        print(f"  speed-up {entry['speedup']}; model ({entry['model']['basis_workers']} workers as basis), wall: "
              f"{entry['model']['total']}; CPU: {entry['model']['total_cpu']} (1 worker used "
              f"{entry['model']['cpu_one_worker']} CPU s)", flush=True)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
