"""Time to build the HTML report of an archive, against the scan of the same archive, in one run.

    python benchmarks/report_time.py [--corpus PATH] [--paragraph-sep SEP] [--repeat 5] [--json FILE]

The target (issue 13): `syndicate report` of the Helsinki archive takes at most twice as long as
`syndicate scan` of it. Both commands run as a user runs them (a fresh `syndicate` process each,
wall time, the scan printing JSON to /dev/null), alternately, `--repeat` times each; medians and
the ratio of medians are reported with the load average before and after, and the same for CPU
time (user + system, the command and its worker processes), which a loaded machine disturbs less. A last in-process run
splits the report's time into its stages (the scan's own stages, then: reading the clusters'
members again, finding composite articles, aligning and writing the cluster pages, the overview).

Default corpus: the Helsinki CSV in ../shared/data (paragraphs separated by ' ### '); without it,
the seeds.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from syndicate import ReaderOptions, read_articles, scan
from syndicate.html import build_report

ROOT = Path(__file__).resolve().parents[1]
HELSINKI = ROOT.parent / "shared" / "data" / "news-helsinki-2018" / "helsinki_articles.csv"


def _command() -> list[str]:
    """The `syndicate` script installed beside this Python (pip install -e .)."""
    script = Path(sys.executable).with_name("syndicate")
    if not script.exists():
        raise SystemExit(f"{script}: not found; install the project first (make test, or pip install -e .)")
    return [str(script)]


def _timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the command and every process it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(corpus: Path, separator: str | None, repeat: int) -> dict[str, Any]:
    reader = ["--paragraph-sep", separator] if separator else []
    base = [*_command()]
    load_before = os.getloadavg()
    scans, reports = [], []
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report"
        for _ in range(repeat):
            scans.append(_timed([*base, "scan", str(corpus), *reader, "--format", "json"]))
            reports.append(_timed([*base, "report", str(corpus), *reader, "--out", str(out)]))
        stages = _stages(corpus, separator, Path(folder) / "staged")
    # Ratios are taken of the medians as reported, so a reader can recompute them from the same JSON.
    scan_median = round(statistics.median(w for w, _ in scans), 3)
    report_median = round(statistics.median(w for w, _ in reports), 3)
    scan_cpu = round(statistics.median(c for _, c in scans), 3)
    report_cpu = round(statistics.median(c for _, c in reports), 3)
    return {
        "corpus": str(corpus), "repeat": repeat, "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
        "scan_seconds": [round(w, 3) for w, _ in scans], "report_seconds": [round(w, 3) for w, _ in reports],
        "scan_median": scan_median, "report_median": report_median,
        "ratio": round(report_median / scan_median, 2),
        "scan_cpu_median": scan_cpu, "report_cpu_median": report_cpu,
        "cpu_ratio": round(report_cpu / scan_cpu, 2), "stages": stages,
    }


def _stages(corpus: Path, separator: str | None, out: Path) -> dict[str, Any]:
    options = ReaderOptions(paragraph_sep=separator)
    started = time.perf_counter()
    result = scan(read_articles([corpus], options))
    scanned = time.perf_counter() - started
    summary = build_report(result, lambda: read_articles([corpus], options), out)
    shutil.rmtree(out, ignore_errors=True)
    return {"scan": round(scanned, 3), **{f"scan_{k[8:]}": v for k, v in result.stats.items()
                                          if k.startswith("seconds_")},
            **{f"report_{k}": v for k, v in summary.seconds.items()},
            "clusters": summary.clusters, "copies": sum(len(c.members) - 1 for c in result.clusters),
            "composites": summary.composites}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--paragraph-sep", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    corpus, separator = args.corpus, args.paragraph_sep
    if corpus is None:
        corpus, separator = (HELSINKI, " ### ") if HELSINKI.exists() else (ROOT / "seeds", None)
    report = measure(corpus, separator, args.repeat)
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    print(text)
    return report


if __name__ == "__main__":
    main()
