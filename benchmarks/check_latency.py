"""p50/p99 latency of `Index.check` on SQLite indexes of 10k and 100k articles, and on Redis.

Method: the index is built from Reuters-21578 (``benchmarks/reuters.py``), padded with a
synthetic archive (Zipf-distributed words, 3-8 paragraphs of 15-60 words) when the size asked
for exceeds Reuters' ~19k stories with a body. The queries are a fixed mix, in random order:
half are Reuters stories *not* in the index (new), half are edited copies of indexed stories
(one paragraph dropped, one added), which must come back as duplicates. Each query is timed
around ``Index.check`` alone, in one process, warm (after 20 untimed queries); the time
includes sketching the query (normalise, shingle, sign), furniture, candidate lookup and
verification. The end-to-end time of the `syndicate check` command (a new Python process per
call, as an ingest hook runs it) is reported separately.

    python benchmarks/check_latency.py                       # 10k and 100k on SQLite
    python benchmarks/check_latency.py --redis redis://127.0.0.1:6379/0 --redis-size 10000
    python benchmarks/check_latency.py --quick               # 2k, for a smoke run
    python benchmarks/check_latency.py --synthetic 1000000   # the 1M synthetic index (benchmarks/synthetic.py)

With ``--synthetic N`` the index is built by streaming ``benchmarks.synthetic.archive(N)`` into
``Index.add_many`` (an interrupted build resumes: what is stored is "already indexed"), and the
queries are 500 edited copies of indexed articles and 500 new synthetic articles (another seed).
Besides ``Index.check``, it times the same queries through ``syndicate serve`` (one keep-alive
HTTP connection on loopback, from this process), and one ``syndicate check`` call on 1,000
articles (JSONL in, JSON lines out).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.measure import drop_redis_namespace
from benchmarks.reuters import available, read_reuters
from syndicate import Article
from syndicate.index import Index

WARMUP = 20


def synthetic_archive(count: int, seed: int = 7) -> Iterator[Article]:
    """Articles of Zipf-distributed pseudo-words: unrelated to each other, like most of an archive."""
    rng = np.random.default_rng(seed)
    syllables = [a + b for a in "bcdfghklmnprstvwz" for b in "aeiou"]
    vocabulary = np.array([rng.choice(syllables) + rng.choice(syllables) + rng.choice(syllables)
                           for _ in range(30000)])
    for number in range(count):
        paragraphs = []
        for _ in range(int(rng.integers(3, 9))):
            ranks = np.minimum(rng.zipf(1.3, size=int(rng.integers(15, 61))), len(vocabulary)) - 1
            paragraphs.append(" ".join(vocabulary[ranks]).capitalize() + ".")
        yield Article(id=f"synthetic-{number}", paragraphs=tuple(paragraphs), outlet="synthetic")


def edited_copy(original: Article, rng: random.Random) -> Article:
    paragraphs = list(original.paragraphs)
    if len(paragraphs) > 2:
        paragraphs.pop(rng.randrange(len(paragraphs)))
    paragraphs.append("Additional reporting by our correspondent, who contributed to this story from the field.")
    return Article(id=f"copy-of-{original.id}", paragraphs=tuple(paragraphs), outlet="another outlet")


def corpus(size: int, held_out: int) -> tuple[list[Article], list[Article]]:
    """(articles to index, Reuters stories kept out of it for 'new' queries)."""
    reuters = list(read_reuters())
    fresh, rest = reuters[:held_out], reuters[held_out:]
    indexed = rest[:size] + list(synthetic_archive(max(0, size - len(rest))))
    return indexed, fresh


def queries(indexed: list[Article], fresh: list[Article], count: int) -> list[tuple[Article, bool]]:
    rng = random.Random(11)
    reuters_indexed = [a for a in indexed if a.id.startswith("reuters-") and len(a.paragraphs) >= 3]
    copies = [(edited_copy(a, rng), True) for a in rng.sample(reuters_indexed, count // 2)]
    news = [(a, False) for a in rng.sample(fresh, count - count // 2)]
    mixed = copies + news
    rng.shuffle(mixed)
    return mixed


def build(target: str, articles: list[Article]) -> float:
    started = time.perf_counter()
    with Index.open(target) as index:
        index.add_many(articles)
    return time.perf_counter() - started


def measure(target: str, workload: list[tuple[Article, bool]]) -> dict:
    timings, copies_found, new_called_new = [], 0, 0
    with Index.open(target, create=False) as index:
        for article, _ in workload[:WARMUP]:
            index.check(article)
        for article, is_copy in workload:
            started = time.perf_counter()
            verdict = index.check(article)
            timings.append(time.perf_counter() - started)
            copies_found += is_copy and verdict.duplicate
            new_called_new += not is_copy and not verdict.duplicate
        stats = index.stats()
    ms = np.array(timings) * 1000
    copies = sum(is_copy for _, is_copy in workload)
    return {"queries": len(ms), "p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p99_ms": round(float(np.percentile(ms, 99)), 2), "max_ms": round(float(ms.max()), 2),
            "copies_found": f"{copies_found}/{copies}", "new_called_new": f"{new_called_new}/{len(ms) - copies}",
            "index": stats}


def cli_latency(target: str, article: Article, runs: int) -> dict:
    """Wall time of `syndicate check` as a hook runs it: a fresh process per call."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write(article.text)
    command = [sys.executable, "-c", "from syndicate.cli import main; main()", "check", "--db", target, handle.name]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append((time.perf_counter() - started) * 1000)
    os.unlink(handle.name)
    return {"runs": runs, "p50_ms": round(float(np.percentile(times, 50)), 1),
            "p99_ms": round(float(np.percentile(times, 99)), 1)}


def synthetic_run(size: int, workdir: Path, count: int, build_only: bool, measure_only: bool) -> dict:
    """Build (or resume) the synthetic index, then time Index.check, syndicate serve and syndicate check.
    `measure_only` times an index as far as an interrupted build got, without resuming it."""
    from benchmarks.synthetic import archive

    target = str(workdir / f"synthetic-{size}.db")
    started = time.perf_counter()
    with Index.open(target, create=not measure_only) as index:
        def progress(report) -> None:
            if report.committed % 65536 < 1024:
                print(f"  {report.committed} committed ({report.added} added) after "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

        report = index.add_many([] if measure_only else archive(size), batch_size=8192, progress=progress)
        held = len(index)
    build = {"build_seconds": round(time.perf_counter() - started, 1), "added_this_run": report.added,
             "articles": held, "file_bytes": Path(target).stat().st_size,
             "bytes_per_article": round(Path(target).stat().st_size / held)}
    print(json.dumps(build), file=sys.stderr, flush=True)
    if build_only:
        return build
    rng = random.Random(11)
    with Index.open(target, create=False) as index:
        originals = [index.get(f"syn-{i}") for i in sorted(rng.sample(range(held), count // 2))]
    workload = [(edited_copy(a, rng), True) for a in originals]
    workload += [(a, False) for a in itertools.islice(archive(count - count // 2, seed=99), count - count // 2)]
    workload = [(Article(id=f"q{i}-{a.id}", paragraphs=a.paragraphs, outlet=a.outlet), copy)
                for i, (a, copy) in enumerate(workload)]
    rng.shuffle(workload)
    run = {"backend": "sqlite", "synthetic": size, **build, **measure(target, workload)}
    run["serve"] = serve_latency(target, workload)
    run["cli_check_1000"] = cli_bulk_check(target, [a for a, _ in workload], workdir)
    return run


def serve_latency(target: str, workload: list[tuple[Article, bool]]) -> dict:
    """p50/p99 of POST /check through `syndicate serve`, one keep-alive connection, warm."""
    import http.client
    import re

    process = subprocess.Popen([sys.executable, "-c", "from syndicate.cli import main; main()", "serve", "--db",
                                target, "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        host, port = re.search(r"http://([\d.]+):(\d+)", process.stderr.readline()).groups()
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        timings = []
        for number, (article, _) in enumerate(workload[:WARMUP] + workload):
            body = json.dumps({"id": article.id, "text": "\n".join(article.paragraphs)})
            started = time.perf_counter()
            connection.request("POST", "/check", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            if number >= WARMUP:
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status == 200
        connection.close()
    finally:
        process.terminate()
        process.wait(timeout=60)
    return {"requests": len(timings), "p50_ms": round(float(np.percentile(timings, 50)), 2),
            "p99_ms": round(float(np.percentile(timings, 99)), 2)}


def cli_bulk_check(target: str, articles: list[Article], workdir: Path) -> dict:
    """One `syndicate check` process on 1,000 articles (JSONL), start-up included."""
    path = workdir / "check-1000.jsonl"
    path.write_text("".join(json.dumps({"id": a.id, "text": "\n".join(a.paragraphs)}) + "\n"
                            for a in articles[:1000]))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", "from syndicate.cli import main; main()", "check", "--db", target,
                             str(path), "--format", "json"], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    verdicts = [json.loads(line)["verdict"] for line in result.stdout.splitlines()]
    return {"articles": len(verdicts), "seconds": round(seconds, 2), "exit_code": result.returncode,
            "duplicates": verdicts.count("duplicate")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000],
                        help="SQLite index sizes (none: skip SQLite)")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--redis", help="redis:// URL of a server to benchmark too (a namespace is created and "
                                        "deleted)")
    parser.add_argument("--redis-size", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=Path(__file__).parent / "out")
    parser.add_argument("--quick", action="store_true", help="2k articles, 200 queries")
    parser.add_argument("--synthetic", type=int, help="build/resume a synthetic index of this size and time it")
    parser.add_argument("--build-only", action="store_true", help="with --synthetic: only build")
    parser.add_argument("--measure-only", action="store_true", help="with --synthetic: time the index as it is")
    args = parser.parse_args()
    if args.synthetic:
        args.workdir.mkdir(parents=True, exist_ok=True)
        run = synthetic_run(args.synthetic, args.workdir, args.queries, args.build_only, args.measure_only)
        run["load_average"] = [round(x, 2) for x in os.getloadavg()]
        print(json.dumps({k: v for k, v in run.items() if k != "index"}), flush=True)
        (args.workdir / f"check_latency_synthetic_{args.synthetic}.json").write_text(json.dumps(run, indent=2))
        return
    if not available():
        sys.exit("Reuters-21578 not found in ../shared/data/reuters21578")
    if args.quick:
        args.sizes, args.queries, args.redis_size = [2000], 200, 2000
    args.workdir.mkdir(parents=True, exist_ok=True)
    held_out = args.queries
    results: dict = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                                f"Python {platform.python_version()}", "runs": []}
    backends = [("sqlite", size) for size in args.sizes] + ([("redis", args.redis_size)] if args.redis else [])
    for backend, size in backends:
        indexed, fresh = corpus(size, held_out)
        workload = queries(indexed, fresh, args.queries)
        if backend == "sqlite":
            target = str(args.workdir / f"check-latency-{size}.db")
            for suffix in ("", "-wal", "-shm"):
                Path(target + suffix).unlink(missing_ok=True)
        else:
            namespace = f"bench-{size}-{os.getpid()}"
            target = f"{args.redis}{'&' if '?' in args.redis else '?'}namespace={namespace}"
        print(f"{backend} {size}: building …", file=sys.stderr, flush=True)
        seconds = build(target, indexed)
        run = {"backend": backend, "articles": size, "build_seconds": round(seconds, 1),
               "build_articles_per_second": round(size / seconds), **measure(target, workload)}
        if backend == "sqlite":
            run["cli"] = cli_latency(target, next(a for a, is_copy in workload if is_copy), runs=20)
        else:
            drop_redis_namespace(args.redis, namespace)
        results["runs"].append(run)
        print(json.dumps({k: v for k, v in run.items() if k != "index"}), flush=True)
    out = args.workdir / "check_latency.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
