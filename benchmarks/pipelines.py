"""Race the whole job, texts in memory -> verified pairs, against plain rensa and datasketch pipelines.

    python benchmarks/pipelines.py [--corpus PATH] [--limit N] [--repeat 3] [--json FILE]

Every pipeline gets the same Reuters-21578 articles, already in memory, and runs on one core in its
own forked process (pipelines in random order, ``--repeat`` rounds, median reported):

* ``syndicate``: ``scan(articles, workers=1)``; its pairs are the links of its clusters (copies and
  rewrites, judged on paragraph evidence with page furniture left out).
* ``rensa``: the 5-gram strings of each document (syndicate's tokeniser), ``RMinHash.from_token_sets``,
  an ``RMinHashLSH`` at threshold 0.5 (32 bands x 4 rows), ``query_all``, then an
  exact check of every candidate on Python sets of the 5-grams: a pair is kept when one side has at
  least half of its 5-grams in the other (containment >= 0.5). ``RAYON_NUM_THREADS=1``.
* ``datasketch``: the same strings, ``MinHash.bulk`` (xxh32), ``MinHashLSH`` at 0.5, the same exact check.

Two floors are timed in the same run: ``read`` (Reuters SGML -> articles) and ``tokenise`` (every
article's words through syndicate's batch tokeniser, the least any of the pipelines does).

**Ground truth**: every pair of documents whose exact 5-gram containment (shared / smaller set) is at
least 0.5, found over all pairs with an inverted index (every posting list of a shingle yields its
pairs; shingles in more than ``--max-posting`` documents, stock phrases, are left out of the counting,
which can only lower a pair's overlap, so no pair is invented; how many postings were left out is
reported). Each pipeline's pairs are scored against it: found (recall) and pairs outside it. syndicate
also links rewrites and judges copies without furniture, so some of its pairs are outside this truth
by design; the table counts them rather than calling them errors.
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

import numpy as np

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    __package__ = "benchmarks"

os.environ["RAYON_NUM_THREADS"] = "1"  # rensa: one thread, like every other pipeline here

from syndicate import Article, scan
from syndicate.shingle import marked_words

from . import corpus as corpora
from . import engines
from .hotpath import machine
from .measure import in_child

THRESHOLD = 0.5
PIPELINES = ("syndicate", "rensa", "datasketch")
RENSA_BANDS = 32
"""rensa needs bands dividing 128: 32 x 4 rows puts the S-curve's midpoint, (1/32)^(1/4) = 0.42, nearest 0.5
(16 x 8 would put it at 0.71 and miss more)."""


def syndicate_pairs(articles: list[Article]) -> set[tuple[int, int]]:
    index = {article.id: number for number, article in enumerate(articles)}
    result = scan(articles, workers=1)
    return {_pair(index[link.a], index[link.b]) for cluster in result.clusters for link in cluster.links}


def _grams(articles: list[Article]) -> list[list[bytes]]:
    return [engines.five_grams(words) for words in engines.document_words([" ".join(a.paragraphs) for a in articles])]


def _verified(candidates: set[tuple[int, int]], grams: list[list[bytes]]) -> set[tuple[int, int]]:
    """The exact containment check a plain pipeline does on its LSH candidates."""
    sets = [set(g) for g in grams]
    kept = set()
    for a, b in candidates:
        smaller = min(len(sets[a]), len(sets[b]))
        if smaller and len(sets[a] & sets[b]) >= THRESHOLD * smaller:
            kept.add((a, b))
    return kept


def rensa_pairs(articles: list[Article]) -> set[tuple[int, int]]:
    from rensa import RMinHash, RMinHashLSH

    grams = _grams(articles)
    minhashes = RMinHash.from_token_sets(grams, engines.NUM_PERM, engines.SEED)
    lsh = RMinHashLSH(THRESHOLD, engines.NUM_PERM, RENSA_BANDS)
    lsh.insert_many(minhashes)
    candidates = {_pair(a, int(b)) for a, found in enumerate(lsh.query_all(minhashes)) for b in found if int(b) != a}
    return _verified(candidates, grams)


def datasketch_pairs(articles: list[Article]) -> set[tuple[int, int]]:
    import xxhash
    from datasketch import MinHash, MinHashLSH

    grams = _grams(articles)
    minhashes = MinHash.bulk(grams, num_perm=engines.NUM_PERM, seed=engines.SEED, hashfunc=xxhash.xxh32_intdigest)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=engines.NUM_PERM)
    with lsh.insertion_session() as session:
        for number, minhash in enumerate(minhashes):
            session.insert(number, minhash)
    candidates = {_pair(a, b) for a, minhash in enumerate(minhashes) for b in lsh.query(minhash) if b != a}
    return _verified(candidates, grams)


RUNNERS = {"syndicate": syndicate_pairs, "rensa": rensa_pairs, "datasketch": datasketch_pairs}


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def ground_truth(articles: list[Article], max_posting: int) -> tuple[set[tuple[int, int]], int]:
    """Pairs with exact 5-gram containment >= THRESHOLD, and the postings left out (see the docstring)."""
    sets = [engines.shingle_set(" ".join(a.paragraphs)) for a in articles]
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    values = np.concatenate(sets)
    docs = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)
    order = np.argsort(values, kind="stable")
    values, docs = values[order], docs[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    lengths = np.diff(np.r_[starts, len(values)])
    codes, left_out = [], 0
    for length in np.unique(lengths[lengths >= 2]).tolist():
        if length > max_posting:
            left_out += int((lengths == length).sum())
            continue
        block = docs[starts[lengths == length][:, None] + np.arange(length)]
        i, j = np.triu_indices(length, 1)
        a, b = block[:, i].ravel(), block[:, j].ravel()
        codes.append(np.minimum(a, b) << 32 | np.maximum(a, b))
    pair_codes, shared = np.unique(np.concatenate(codes), return_counts=True)
    a, b = pair_codes >> 32, pair_codes & 0xFFFFFFFF
    above = shared >= THRESHOLD * np.minimum(sizes[a], sizes[b])
    return set(zip(a[above].tolist(), b[above].tolist(), strict=True)), left_out


def run(name: str, articles: list[Article]) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        started, cpu = time.perf_counter(), time.process_time()
        pairs = RUNNERS[name](articles)
        return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "pairs": sorted(pairs)}

    return in_child(task)


def floors(path: Path | None, limit: int | None) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        started, cpu = time.perf_counter(), time.process_time()
        articles = corpora.load(path, limit).articles
        read, read_cpu = time.perf_counter() - started, time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        for first in range(0, len(articles), 1024):
            marked_words([a.paragraphs for a in articles[first : first + 1024]])
        return {"read": read, "tokenise": time.perf_counter() - started, "read_cpu": read_cpu,
                "tokenise_cpu": time.process_time() - cpu}

    return in_child(task)


def streaming_scan(path: Path | None, limit: int | None) -> dict[str, Any]:
    def task() -> dict[str, Any]:
        started, cpu = time.perf_counter(), time.process_time()
        scan(corpora.stream(path, limit)[1], workers=1)
        return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}

    return in_child(task)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description="Whole-job race: texts -> verified pairs.")
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-posting", type=int, default=2000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    loaded = corpora.load(args.corpus, args.limit)
    articles = loaded.articles
    names = [name for name in PIPELINES if name != "rensa" or engines.rensa_installed()]
    truth, left_out = ground_truth(articles, args.max_posting)
    rounds: dict[str, list[float]] = {name: [] for name in names}
    rounds.update({"read": [], "tokenise": [], "read+scan": []})
    cpu: dict[str, list[float]] = {name: [] for name in rounds}
    found: dict[str, list] = {}
    shuffler = random.Random(os.getpid())
    for _ in range(args.repeat):
        jobs = [*names, "floors", "read+scan"]
        shuffler.shuffle(jobs)
        for job in jobs:
            if job == "floors":
                measured = floors(args.corpus, args.limit)
                for floor in ("read", "tokenise"):
                    rounds[floor].append(measured[floor])
                    cpu[floor].append(measured[f"{floor}_cpu"])
            else:
                measured = streaming_scan(args.corpus, args.limit) if job == "read+scan" else run(job, articles)
                rounds[job].append(measured["seconds"])
                cpu[job].append(measured["cpu"])
            if job in names:
                found[job] = measured["pairs"]
    median = {name: statistics.median(times) for name, times in rounds.items()}
    median_cpu = {name: statistics.median(times) for name, times in cpu.items()}
    results = []
    for name in names:
        pairs = {tuple(pair) for pair in found[name]}
        hits = len(pairs & truth)
        results.append({"name": name, "seconds": round(median[name], 3), "cpu": round(median_cpu[name], 3),
                        "runs": [round(t, 3) for t in rounds[name]],
                        "pairs": len(pairs), "truth_found": hits,
                        "recall": round(hits / len(truth), 4) if truth else None,
                        "outside_truth": len(pairs - truth)})
    report = {"corpus": loaded.name, "documents": len(articles), "truth_pairs": len(truth),
              "postings_left_out": left_out, "repeat": args.repeat, "machine": machine(),
              "load_average": os.getloadavg(), "results": results,
              "floors": {name: round(median[name], 3) for name in ("read", "tokenise", "read+scan")},
              "floors_cpu": {name: round(median_cpu[name], 3) for name in ("read", "tokenise", "read+scan")},
              "runs": {name: [round(t, 3) for t in times] for name, times in rounds.items()}}
    print(table(report))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return report


def table(report: dict[str, Any]) -> str:
    by_name = {r["name"]: r for r in report["results"]}
    rensa = by_name.get("rensa", {}).get("seconds")
    rensa_cpu = by_name.get("rensa", {}).get("cpu")
    lines = [f"{report['corpus']}: {report['documents']} documents, {report['truth_pairs']} pairs with 5-gram "
             f"containment >= {THRESHOLD} (exact), median of {report['repeat']}, load {report['load_average']}",
             f"{'pipeline':<12}{'seconds':>9}{'x rensa':>9}{'CPU s':>8}{'x rensa':>9}{'pairs':>8}{'recall':>8}"
             f"{'outside':>9}"]
    for r in report["results"]:
        ratio = f"{r['seconds'] / rensa:.2f}" if rensa else "-"
        cpu_ratio = f"{r['cpu'] / rensa_cpu:.2f}" if rensa_cpu else "-"
        recall = "-" if r["recall"] is None else r["recall"]  # no exact pairs to find (the Zipf fallback)
        lines.append(f"{r['name']:<12}{r['seconds']:>9.2f}{ratio:>9}{r['cpu']:>8.2f}{cpu_ratio:>9}{r['pairs']:>8}"
                     f"{recall:>8}{r['outside_truth']:>9}")
    for kind, f in (("wall", report["floors"]), ("CPU", report["floors_cpu"])):
        lines.append(f"floors ({kind}): read {f['read']:.2f} s, tokenise {f['tokenise']:.2f} s; read + scan (one core) "
                     f"{f['read+scan']:.2f} s = {f['read+scan'] / (f['read'] + f['tokenise']):.2f}x read + tokenise")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
