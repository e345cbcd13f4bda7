"""Detection quality on the ground-truth sets; writes benchmarks/out/quality.json.

    python benchmarks/quality.py [--stories 300] [--seeds 0,1] [--short-sources 100] [--sweep copy_threshold]

1. seeds/labels.json; 2. the syndication simulator over Reuters-21578 bodies, one run per seed,
with recall per kind (copies, teasers, excerpts, graded paraphrase, quote-heavy copies) and the
false-positive rate per kind of hard negative; 3. short texts derived from Reuters stories at
three revision levels against independent ones (`simulate_short`), with the ROC AUC of the diff's
kept share and of word-3-gram containment; 4. the hand-checked Helsinki pairs
(eval/helsinki-labels.json), per kind; 5. Reuters-21578 natural duplicates: LSH candidate
recall against an exact all-pairs computation over the same evidence shingles.

The exact all-pairs side uses an inverted index: every (shingle, article) posting is sorted by
shingle, each shingle's posting list yields its article pairs, and np.unique counts the shared
shingles per pair. Shingles carried by more than --max-posting articles are left out of the
counting (they are stock phrases); a pair is then measured as if it lacked them, which can only
lower its overlap, so pairs above the threshold are never invented, and the number of pairs this
could hide is reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import reuters
from syndicate import Article, ReaderOptions, ScanConfig, read_articles, scan
from syndicate.evaluate import SWEEPS, evaluate, load_labels, parse_labels, sweep
from syndicate.shingle import shingle_paragraphs
from syndicate.simulate import ShortTextConfig, SimulationConfig, simulate, simulate_short

ROOT = Path(__file__).resolve().parents[1]
HELSINKI = ROOT.parent / "shared" / "data" / "news-helsinki-2018" / "helsinki_articles.csv"


def summary(evaluation, points=()) -> dict:
    data = evaluation.to_dict()
    data["error_count"] = len(data.pop("errors"))
    data["sweep"] = [p.to_dict() for p in points]
    return data


def seeds(knobs: list[str]) -> dict:
    articles = list(read_articles([ROOT / "seeds"]))
    labels = load_labels(ROOT / "seeds" / "labels.json")
    return summary(evaluate(scan(articles), labels), sweep(articles, labels, knobs))


def simulated(stories: int, knobs: list[str], seed: int) -> dict:
    simulation = simulate(reuters.read_reuters(), SimulationConfig(stories=stories, seed=seed))
    labels = parse_labels(simulation.labels, "simulation")
    started = time.perf_counter()
    result = scan(simulation.articles)
    seconds = round(time.perf_counter() - started, 2)
    data = summary(evaluate(result, labels), sweep(simulation.articles, labels, knobs))
    data["articles"] = len(simulation.articles)
    data["scan_seconds"] = seconds
    data["made"] = describe(simulation)
    return data


def describe(simulation) -> dict:
    """What the simulator made, measured: per kind, the share of the copy's word 5-grams found in its wire
    (median, 10th and 90th percentile) and the share of the wire's words the copy was cut from."""
    by_id = {a.id: a for a in simulation.articles}
    shares: dict[str, list[float]] = {}
    kept: dict[str, list[float]] = {}
    for facts in simulation.copies:
        wire_id = facts.get("wire") or facts.get("source")
        copy = set(shingle_paragraphs(by_id[facts["id"]].paragraphs).values.tolist())
        wire = set(shingle_paragraphs(by_id[wire_id].paragraphs).values.tolist())
        shares.setdefault(facts["kind"], []).append(len(copy & wire) / len(copy) if copy else 0.0)
        if "kept_words" in facts:  # (short texts record their length instead)
            kept.setdefault(facts["kind"], []).append(facts["kept_words"])
    return {kind: {"copies": len(values),
                   "copy_5grams_in_wire": [round(float(np.percentile(values, q)), 3) for q in (10, 50, 90)],
                   **({"wire_words_used": [round(float(np.percentile(kept[kind], q)), 3) for q in (10, 50, 90)]}
                      if kind in kept else {})}
            for kind, values in sorted(shares.items())}


def short_texts(sources: int, seed: int) -> dict:
    simulation = simulate_short(reuters.read_reuters(), ShortTextConfig(sources=sources, seed=seed))
    labels = parse_labels(simulation.labels, "short texts")
    data = summary(evaluate(scan(simulation.articles), labels, articles=simulation.articles))
    data["articles"] = len(simulation.articles)
    data["made"] = describe(simulation)
    return data


def helsinki(knobs: list[str]) -> dict:
    articles = list(read_articles([HELSINKI], ReaderOptions(paragraph_sep=" ### ")))
    labels = load_labels(ROOT / "eval" / "helsinki-labels.json")
    evaluation = evaluate(scan(articles), labels, articles=articles)
    data = summary(evaluation, sweep(articles, labels, knobs))
    data["errors"] = evaluation.errors  # ids and labels only
    return data


def reuters_lsh(config: ScanConfig, max_posting: int, articles: Iterable[Article] | None = None) -> dict:
    """LSH candidate recall against exact all-pairs comparison (default: all of Reuters-21578).

    The scan's own stages sketch the archive and learn its furniture; then every pair of articles
    that shares two evidence shingles or more (shingles held by more than `max_posting` articles
    left out) is verified exactly, and each link found so is looked up among the LSH candidates.
    A link between articles sharing fewer than two 5-word shingles rests on identical short
    sentences or paraphrase alone, which no shingle index can propose; those are not counted.
    """
    from syndicate import plan
    from syndicate.engine import LocalEngine
    from syndicate.spill import Spill
    from syndicate.verify import QUOTES, verify

    engine = LocalEngine(1)
    with Spill(False) as spill:
        columns, keys = plan.sketch_all(articles or reuters.read_reuters(), config, engine, spill,
                                        lambda *a: None)
        _, flags, _, evidence_columns = plan.evidence_of(columns, keys, config, engine, spill)
        candidates = plan.candidates(columns, keys, flags, config, engine)
    candidate_codes = set((candidates[:, 0] << 32 | candidates[:, 1]).tolist())
    evidence = [evidence_columns.evidence(i) for i in range(len(evidence_columns))]
    sizes = np.array([len(sketch.shingles) for _, sketch in evidence], dtype=np.int64)
    values = np.concatenate([sketch.shingles for _, sketch in evidence])
    docs = np.repeat(np.arange(len(evidence), dtype=np.int64), sizes)
    order = np.argsort(values, kind="stable")
    values, docs = values[order], docs[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    lengths = np.diff(np.r_[starts, len(values)])
    pair_codes, skipped = [np.empty(0, dtype=np.int64)], 0
    for length in np.unique(lengths[lengths >= 2]):
        if length > max_posting:
            skipped += int((lengths == length).sum())
            continue
        block = docs[starts[lengths == length][:, None] + np.arange(length)]  # (shingles, length)
        i, j = np.triu_indices(length, 1)
        a, b = block[:, i].ravel(), block[:, j].ravel()
        pair_codes.append(np.minimum(a, b) << 32 | np.maximum(a, b))
    codes, shared = np.unique(np.concatenate(pair_codes), return_counts=True)
    verified: dict[str, list[int]] = {}
    missed = []
    for code in codes[shared >= 2].tolist():
        a, b = code >> 32, code & 0xFFFFFFFF
        link = verify(*evidence[a], *evidence[b], config)
        if link is None or link.kind == QUOTES:  # shared quotes are not reuse (scan sets them aside)
            continue
        hit = code in candidate_codes
        counts = verified.setdefault(link.kind, [0, 0])
        counts[0] += 1
        counts[1] += hit
        if not hit and len(missed) < 20:
            missed.append({"a": link.a, "b": link.b, "kind": link.kind, "a_in_b": round(link.a_in_b, 3),
                           "b_in_a": round(link.b_in_a, 3), "shared_shingles": int(shared[codes == code][0])})
    total = [sum(n for n, _ in verified.values()), sum(f for _, f in verified.values())]
    report = {"articles": len(evidence), "candidate_pairs": len(candidates),
              "pairs_sharing_two_shingles": int((shared >= 2).sum()), "frequent_shingles_left_out": skipped,
              "max_posting": max_posting,
              "verified_rule": {kind: {"pairs": n, "found_by_lsh": f, "recall": round(f / n, 4) if n else None}
                                for kind, (n, f) in sorted({**verified, "all": total}.items())},
              "missed": missed}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--seeds", default="0,1", help="simulator seeds, comma-separated")
    parser.add_argument("--short-sources", type=int, default=100)
    parser.add_argument("--sweep", default="copy_threshold", help="comma-separated knobs, 'all' or 'none'")
    parser.add_argument("--skip-lsh", action="store_true", help="leave out the Reuters LSH recall (section 5)")
    parser.add_argument("--max-posting", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "quality.json")
    args = parser.parse_args()
    knobs = list(SWEEPS) if args.sweep == "all" else [] if args.sweep == "none" else args.sweep.split(",")
    report: dict = {"config": {k: getattr(ScanConfig(), k) for k in SWEEPS}}
    report["seeds"] = seeds(knobs)
    if reuters.available():
        for seed in (int(s) for s in args.seeds.split(",")):
            report[f"simulated_seed{seed}"] = simulated(args.stories, knobs, seed)
            report[f"short_seed{seed}"] = short_texts(args.short_sources, seed)
        if not args.skip_lsh:
            report["reuters_lsh"] = reuters_lsh(ScanConfig(), args.max_posting)
    if HELSINKI.exists():
        report["helsinki"] = helsinki(knobs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
