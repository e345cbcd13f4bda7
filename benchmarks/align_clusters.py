"""Align every cluster member with its cluster's source on a real archive: cost, and agreement with detection.

    .venv/bin/python benchmarks/align_clusters.py [CSV] [--paragraph-sep ' ### ']

Defaults to the Helsinki archive in ../shared/data. Prints the number of alignments, their total
and per-pair time (alignment only; the scan is not timed), the median share of the source's words
kept per kind of link, and how closely that share tracks the scan's containment of the source in
the copy (Pearson r over the members linked to the source directly).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

from syndicate import ReaderOptions, align, read_articles, scan

HELSINKI = Path(__file__).resolve().parents[2] / "shared" / "data" / "news-helsinki-2018" / "helsinki_articles.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive", nargs="?", type=Path, default=HELSINKI)
    parser.add_argument("--paragraph-sep", default=" ### ")
    args = parser.parse_args()
    articles = {a.id: a for a in read_articles([args.archive], ReaderOptions(paragraph_sep=args.paragraph_sep))}
    result = scan(articles.values())
    rows = []
    for cluster in result.clusters:
        direct = cluster.reuse_of_source()
        kinds = {link.b if link.a == cluster.source else link.a: link.kind
                 for link in cluster.links if cluster.source in (link.a, link.b)}
        for member in cluster.members:
            if member == cluster.source:
                continue
            started = time.perf_counter()
            alignment = align(articles[cluster.source], articles[member])
            seconds = time.perf_counter() - started
            paired = sum(pair.matched for pair in alignment.pairs)
            rows.append((seconds, kinds.get(member, "indirect"), alignment.summary.source_reused, direct.get(member),
                         paired, len(alignment.source.paragraphs), len(alignment.copy.paragraphs)))
    times = [row[0] for row in rows]
    slowest = max(rows, key=lambda row: row[0])
    print(f"{len(rows)} alignments in {sum(times):.2f} s: median {statistics.median(times) * 1000:.1f} ms, "
          f"slowest {slowest[0] * 1000:.0f} ms ({slowest[5]} x {slowest[6]} paragraphs)")
    for kind in ("copy", "rewrite", "indirect"):
        chosen = [row for row in rows if row[1] == kind]
        if chosen:
            print(f"{kind:9} {len(chosen):4} members: median kept {statistics.median(r[2] for r in chosen):.0%}, "
                  f"{sum(r[4] == 0 for r in chosen)} with no paired paragraph")
    linked = [row for row in rows if row[3] is not None]
    r = np.corrcoef([row[2] for row in linked], [row[3] for row in linked])[0, 1]
    print(f"kept share vs scan containment of the source: Pearson r = {r:.3f} over {len(linked)} direct links")


if __name__ == "__main__":
    main()
