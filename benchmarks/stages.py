"""CPU seconds of each stage of a one-process ``scan``, for this tree and for a git revision, in one run.

    python benchmarks/stages.py [--corpus PATH] [--paragraph-sep SEP] [--limit N] [--baseline REV]
                                [--repeat 3] [--json FILE]

The corpus (Reuters-21578 by default) is read once and written to a temporary JSON-lines file. Each
measurement is a fresh process that reads that file (untimed) and runs ``syndicate.scan(..., workers=1)``
with the package of one tree on its path: this working tree, or ``git archive REV`` unpacked in a temporary
directory. The stage timings ``scan`` reports (``seconds_sketch``, ``seconds_verify``…) are taken with
``time.process_time`` instead of ``time.perf_counter``: CPU seconds of this process, which another job on a
shared machine inflates less than it inflates wall time. The trees alternate, their order swapped from one
round to the next, for ``--repeat`` rounds; medians are reported, with the load average before and after.
Each process also writes the scan's JSON (timings left out): the report says whether every tree gave the
same output.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

from syndicate import ReaderOptions, read_articles
from syndicate.article import write_jsonl

from . import corpus as corpora
from .hotpath import machine

ROOT = Path(__file__).resolve().parents[1]
STAGES = ("sketch", "furniture", "candidates", "verify", "cluster")

_CHILD = """
import hashlib, importlib, inspect, json, sys, time, types
corpus, output = sys.argv[1:3]
import syndicate
from syndicate import read_articles, scan
articles = list(read_articles([corpus]))
scan_module = importlib.import_module("syndicate.scan")
scan_module.time = types.SimpleNamespace(perf_counter=time.process_time, process_time=time.process_time)  # CPU s
started = time.process_time()
scanned = scan(articles, workers=1)
total = time.process_time() - started
quotes = {"quotes": True} if "quotes" in inspect.signature(scanned.to_dict).parameters else {}  # older trees: none
result = scanned.to_dict(**quotes)
stats = result["stats"]
seconds = {key.removeprefix("seconds_"): value for key, value in stats.items() if key.startswith("seconds_")}
result["stats"] = {key: value for key, value in stats.items() if not key.startswith("seconds_")}
digest = hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
json.dump({"seconds": seconds, "scan": round(total, 3), "output": digest, "counts": result["stats"],
           "package": syndicate.__file__}, open(output, "w"))
"""


def measure(tree: Path, corpus: Path) -> dict[str, Any]:
    """One scan of the corpus by the package in `tree`, in a fresh process."""
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "result.json"
        environment = {**os.environ, "PYTHONPATH": str(tree)}
        subprocess.run([sys.executable, "-c", _CHILD, str(corpus), str(output)], check=True, env=environment,
                       cwd=scratch)
        result = json.loads(output.read_text())
    if not Path(result["package"]).resolve().is_relative_to(tree.resolve()):
        raise RuntimeError(f"measured {result['package']}, not the package in {tree}")
    return result


def unpack(revision: str, into: Path) -> Path:
    """The tree of `revision` of this repository, unpacked under `into`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision], check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def median_report(runs: list[dict[str, Any]]) -> dict[str, Any]:
    stages = {stage: round(statistics.median(run["seconds"][stage] for run in runs), 3) for stage in STAGES}
    return {"stages": stages, "scan": round(statistics.median(run["scan"] for run in runs), 3),
            "counts": runs[0]["counts"], "runs": [{"stages": run["seconds"], "scan": run["scan"]} for run in runs]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="CPU seconds per scan stage: this tree against a git revision.")
    parser.add_argument("--corpus", type=Path, help="an archive syndicate reads (default: Reuters-21578)")
    parser.add_argument("--paragraph-sep", help="as syndicate scan's option (the Helsinki CSV needs ' ### ')")
    parser.add_argument("--limit", type=int, help="use only the first LIMIT articles")
    parser.add_argument("--baseline", help="git revision to measure beside this tree (e.g. HEAD~3, a branch)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the median counts (default 3)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    if args.paragraph_sep is not None:
        articles = list(read_articles([args.corpus], ReaderOptions(paragraph_sep=args.paragraph_sep)))[: args.limit]
        name = str(args.corpus)
    else:
        loaded = corpora.load(args.corpus, args.limit)
        articles, name = loaded.articles, loaded.name
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "corpus.jsonl"
        with corpus.open("w", encoding="utf-8") as handle:
            write_jsonl(articles, handle)
        trees = {"this tree": ROOT}
        if args.baseline:
            trees = {args.baseline: unpack(args.baseline, Path(scratch) / "baseline"), **trees}
        load_before = os.getloadavg()
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label in trees}
        for round_number in range(args.repeat):
            for label in list(trees)[:: 1 if round_number % 2 == 0 else -1]:
                runs[label].append(measure(trees[label], corpus))
        load_after = os.getloadavg()
    outputs = {run["output"] for label_runs in runs.values() for run in label_runs}
    report = {"corpus": name, "articles": len(articles), "machine": machine(),
              "load_average": {"before": [round(x, 2) for x in load_before],
                               "after": [round(x, 2) for x in load_after]},
              "same_output": len(outputs) == 1,
              "trees": {label: median_report(label_runs) for label, label_runs in runs.items()}}
    print(f"{name}: {len(articles)} articles; CPU seconds, median of {args.repeat}; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print(f"  {'tree':<16}" + "".join(f"{stage:>12}" for stage in (*STAGES, "scan")) + f"{'pairs':>9}{'links':>7}")
    for label, tree_report in report["trees"].items():
        print(f"  {label:<16}" + "".join(f"{tree_report['stages'][stage]:>12.3f}" for stage in STAGES)
              + f"{tree_report['scan']:>12.3f}{tree_report['counts']['candidate_pairs']:>9}"
              + f"{tree_report['counts']['links']:>7}")
    print("  same output: " + ("yes" if report["same_output"] else "NO"))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


if __name__ == "__main__":
    main()
