"""Start-up of a one-article `syndicate check`: what a pipeline pays that runs the hook once per article.

    python benchmarks/startup.py [--baseline REV [--baseline-python PATH]] [--runs 15] [--json FILE]

Method: each tree (this working tree, and with ``--baseline`` the tree of that revision, ``git archive`` unpacked
in a temporary directory) first builds its own index of the seeds' AFP source (``seeds/002…``) with its own
``syndicate index add``. Then every run is a fresh process, ``python -c "from syndicate.cli import main; main()"
check --db INDEX seeds/003… --format json`` (what the console script runs), timed from spawn to exit, with the
tree's package first on the path and bytecode caching on (``PYTHONDONTWRITEBYTECODE`` removed: an installed
package has its bytecode; the first, untimed run of each tree writes it). The trees alternate run by run, so a
machine that slows down slows both; medians and quartiles are reported, with each tree's Python and its typer and
numpy versions, and the modules a check loads in each tree. ``--baseline-python`` runs the baseline in another
environment (a virtualenv with the dependencies that revision resolved to), so that a change of dependencies is
measured with the code that goes with it.
"""

from __future__ import annotations

import argparse
import json
import os
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

from .stages import unpack

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "seeds" / "002_a03570c17a29d6cf.txt"
COPY = ROOT / "seeds" / "003_17a6059d906b2d12.txt"
CLI = "from syndicate.cli import main; main()"
LOADED = ("import json, sys\nfrom syndicate.cli import main\ntry:\n    main()\nexcept SystemExit:\n"
          "    print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")


Tree = tuple[Path, str]
"""A tree of the package, and the Python that runs it."""


def environment(tree: Path) -> dict[str, str]:
    """The tree's package first on the path, bytecode written and read."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPATH": str(tree)}


def prepare(tree: Tree, scratch: Path) -> Path:
    """The tree's own index of the AFP source (and its bytecode, written by this first run)."""
    path, python = tree
    index = scratch / f"{path.name}.db"
    subprocess.run([python, "-c", CLI, "index", "add", "--db", str(index), str(SOURCE)], check=True,
                   env=environment(path), cwd=scratch, capture_output=True)
    return index


def one_check(tree: Tree, index: Path, scratch: Path) -> float:
    """Seconds from spawning a one-article `syndicate check` to its exit (exit code 1: the copy is a duplicate)."""
    path, python = tree
    started = time.perf_counter()
    done = subprocess.run([python, "-c", CLI, "check", "--db", str(index), str(COPY), "--format", "json"],
                          env=environment(path), cwd=scratch, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 1 or json.loads(done.stdout)["verdict"] != "duplicate":
        raise RuntimeError(f"check in {tree} gave exit code {done.returncode}: {done.stdout}{done.stderr}")
    return seconds


def loaded_modules(tree: Tree, index: Path, scratch: Path) -> list[str]:
    """The syndicate modules a check loads in this tree, and which of numpy.ma, pydantic, scipy and datasketch (by
    package)."""
    path, python = tree
    done = subprocess.run([python, "-c", LOADED, "check", "--db", str(index), str(COPY)],
                          env=environment(path), cwd=scratch, capture_output=True, text=True)
    names = json.loads(done.stderr.splitlines()[-1])
    unneeded = {"numpy.ma" if name.split(".")[:2] == ["numpy", "ma"] else name.split(".")[0] for name in names
                if name.split(".")[:2] == ["numpy", "ma"] or name.split(".")[0] in ("pydantic", "scipy", "datasketch")}
    return [name for name in names if name.split(".")[0] == "syndicate"] + sorted(unneeded)


def versions(python: str) -> dict[str, str]:
    """The Python, typer and numpy versions of the environment of `python`."""
    code = ("import json, sys; from importlib.metadata import version as of\n"
            "print(json.dumps({'python': sys.version.split()[0], 'typer': of('typer'), 'numpy': of('numpy')}))")
    return json.loads(subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout)


def summary(seconds: list[float]) -> dict[str, Any]:
    quartiles = statistics.quantiles(seconds, n=4) if len(seconds) > 1 else seconds * 3
    return {"median_ms": round(statistics.median(seconds) * 1000, 1), "q1_ms": round(quartiles[0] * 1000, 1),
            "q3_ms": round(quartiles[2] * 1000, 1), "runs_ms": [round(s * 1000, 1) for s in seconds]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Start-up of a one-article syndicate check, against a revision.")
    parser.add_argument("--baseline", help="git revision to measure beside this tree")
    parser.add_argument("--baseline-python", default=sys.executable,
                        help="the Python (of a virtualenv) that runs the baseline (default: this one)")
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each tree (default 15)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        trees: dict[str, Tree] = {"this tree": (ROOT, sys.executable)}
        if args.baseline:
            trees[args.baseline] = (unpack(args.baseline, scratch / "baseline"), args.baseline_python)
        indexes = {name: prepare(tree, scratch) for name, tree in trees.items()}
        times: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, tree in trees.items():
                times[name].append(one_check(tree, indexes[name], scratch))
        loaded = {name: loaded_modules(tree, indexes[name], scratch) for name, tree in trees.items()}
    report = {"load_average": [round(x, 2) for x in os.getloadavg()],
              "trees": {name: {**summary(times[name]), **versions(python),
                               "syndicate_modules": sum(m.startswith("syndicate") for m in loaded[name]),
                               "not_needed_loaded": [m for m in loaded[name] if not m.startswith("syndicate")]}
                        for name, (_, python) in trees.items()}}
    for name, result in report["trees"].items():
        spread = f"quartiles {result['q1_ms']:.0f}–{result['q3_ms']:.0f}"
        unneeded = ", ".join(result["not_needed_loaded"]) or "nothing else watched"
        print(f"{name:>12}: median {result['median_ms']:.0f} ms ({spread}), {result['syndicate_modules']} syndicate"
              f" modules and {unneeded}; Python {result['python']},"
              f" typer {result['typer']}, numpy {result['numpy']}")
    print(f"load average {report['load_average']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
