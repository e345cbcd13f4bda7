"""Race syndicate's signer against datasketch and rensa on the same documents and shingles.

    python benchmarks/hotpath.py [--corpus PATH] [--quick] [--json FILE] [--repeat N]

Every engine turns raw document text into 128-permutation MinHash signatures of its word
5-grams (see benchmarks/engines.py for what each one does) in its own forked process, one
core, engines in random order; the figure is the median of ``--repeat`` runs. Accuracy is
the mean absolute error of each engine's Jaccard estimate against the exact Jaccard of the
5-gram sets, on the same sampled document pairs (stratified over the Jaccard range, so
near-duplicates count as much as strangers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

os.environ["RAYON_NUM_THREADS"] = "1"  # rensa: one thread, like every other engine here

from . import corpus as corpora
from . import engines
from .measure import in_child

REQUIRED = ("syndicate", "datasketch-update", "datasketch-batch", "rensa")
QUICK_DOCS = 2000


def sample_pairs(texts: list[str], per_bin: int = 60, strangers: int = 100,
                 seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Document pairs with their exact 5-gram Jaccard: up to `per_bin` in each tenth of [0, 1]
    among pairs sharing a shingle, plus `strangers` random pairs."""
    rng = np.random.default_rng(seed)
    sets = [engines.shingle_set(t) for t in texts]
    sizes = np.array([len(s) for s in sets])
    values = np.concatenate(sets)
    owners = np.repeat(np.arange(len(sets)), sizes)
    order = np.argsort(values, kind="stable")
    values, owners = values[order], owners[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    ends = np.r_[starts[1:], len(values)]
    candidates: set[tuple[int, int]] = set()
    shared = (ends - starts >= 2) & (ends - starts <= 20)  # larger groups are boilerplate, not pairs worth sampling
    for start, end in zip(starts[shared], ends[shared], strict=True):
        members = owners[start:end].tolist()
        candidates.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :] if a != b)
    nonempty = np.flatnonzero(sizes > 0)
    for _ in range(strangers):
        a, b = rng.choice(nonempty, 2, replace=False)
        candidates.add((int(min(a, b)), int(max(a, b))))
    pairs = sorted(candidates)
    exact = np.array([_jaccard(sets[a], sets[b]) for a, b in pairs])
    chosen = []
    bins = np.minimum((exact * 10).astype(int), 9)
    for tenth in range(10):
        members = np.flatnonzero(bins == tenth)
        chosen.extend(rng.choice(members, min(per_bin, len(members)), replace=False).tolist())
    chosen.sort()
    return np.array(pairs, dtype=np.int64)[chosen], exact[chosen]


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


def run_engine(name: str, texts: list[str], repeat: int, pairs: np.ndarray, exact: np.ndarray) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        sign = engines.ENGINES[name]()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            signatures = sign(texts)
            times.append(time.perf_counter() - started)
        errors = np.abs((signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1) - exact)
        return {"seconds": times, "mae": float(errors.mean()),
                "mae_se": float(errors.std(ddof=1) / np.sqrt(len(errors)))}

    return in_child(task)


def machine() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                    if line.startswith("model name")), cpu)
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "platform": platform.platform()}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Hashing hot path: syndicate vs datasketch vs rensa.")
    parser.add_argument("--corpus", type=Path, help="Reuters-21578 directory or any archive syndicate reads "
                        "(default: ../shared/data/reuters21578, synthetic if absent)")
    parser.add_argument("--quick", action="store_true", help=f"first {QUICK_DOCS} documents, 3 runs (< 40 s)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--repeat", type=int, help="runs per engine; the median counts (default 5, quick 3)")
    parser.add_argument("--limit", type=int, help="use only the first LIMIT documents")
    parser.add_argument("--engines", default=",".join(engines.ENGINES), help="comma-separated engine names")
    args = parser.parse_args(argv)

    limit = args.limit or (QUICK_DOCS if args.quick else None)
    corpus = corpora.load(args.corpus, limit)
    texts = corpus.texts
    repeat = args.repeat or (3 if args.quick else 5)
    names = [n for n in args.engines.split(",") if n]
    if not engines.rensa_installed():
        print("rensa not installed (pip install -e '.[bench]'): skipping the rensa rows", file=sys.stderr)
        names = [n for n in names if not n.startswith("rensa")]
    random.Random(os.getpid()).shuffle(names)
    pairs, exact = sample_pairs(texts)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    results = []
    for name in names:
        measured = run_engine(name, texts, repeat, pairs, exact)
        seconds = statistics.median(measured["seconds"])
        results.append({"name": name, "docs_per_s": round(len(texts) / seconds, 1),
                        "mb_per_s": round(megabytes / seconds, 3), "mae": round(measured["mae"], 5),
                        "mae_se": round(measured["mae_se"], 5), "peak_rss_mb": measured["peak_rss_mb"],
                        "runs": measured["seconds"]})
    results.sort(key=lambda r: list(engines.ENGINES).index(r["name"]))
    report = {"corpus": corpus.name, "docs": len(texts), "megabytes": round(megabytes, 2), "num_perm": engines.NUM_PERM,
              "ngram": engines.NGRAM, "pairs": len(pairs), "repeat": repeat, "order": names, "machine": machine(),
              "results": results}
    print(table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


def table(report: dict[str, Any]) -> str:
    speed = {r["name"]: r["docs_per_s"] for r in report["results"]}
    lines = [f"{report['corpus']}: {report['docs']} documents, {report['megabytes']} MB, word {report['ngram']}-grams, "
             f"{report['num_perm']} permutations, one core, median of {report['repeat']} runs, "
             f"MAE on {report['pairs']} pairs",
             f"{'engine':<18} {'docs/s':>9} {'MB/s':>7} {'x ds-update':>11} {'x rensa':>8} {'MAE (±se)':>16} "
             f"{'peak RSS MB':>11}"]
    for r in report["results"]:
        base, rensa = speed.get("datasketch-update"), speed.get("rensa")
        lines.append(f"{r['name']:<18} {r['docs_per_s']:>9,.0f} {r['mb_per_s']:>7.2f} "
                     f"{_ratio(r['docs_per_s'], base):>11} {_ratio(r['docs_per_s'], rensa):>8} "
                     f"{r['mae']:>8.4f} ±{r['mae_se']:.4f} {r['peak_rss_mb']:>11,.0f}")
    return "\n".join(lines)


def _ratio(value: float, base: float | None) -> str:
    return f"{value / base:.2f}x" if base else "-"


if __name__ == "__main__":
    main()
