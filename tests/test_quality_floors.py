"""Detection quality floors that hold today, so that a regression fails CI.

Each floor sits a little under the value measured when it was set (benchmarks/RESULTS-quality.md
has the full report), and each false-positive ceiling a little over it; every simulation is
seeded, so the values are exact, not noisy. The real-corpus floors skip when ../shared/data is
absent. The figures are those of the passage alignment (issue 9); the comments give the value measured.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS
from test_simulate import _stories

from benchmarks.quality import reuters_lsh
from benchmarks.reuters import read_reuters
from syndicate import ReaderOptions, ScanConfig, read_articles, scan
from syndicate.evaluate import evaluate, load_labels, parse_labels
from syndicate.simulate import ShortTextConfig, SimulationConfig, simulate, simulate_short


def test_seeds_cluster_exactly() -> None:
    result = scan(read_articles([SEEDS]))
    assert [sorted(c.members) for c in result.clusters] == [
        ["001_4f88ccd7cf78f350", "002_a03570c17a29d6cf", "003_17a6059d906b2d12"]]
    kinds = {frozenset((link.a[:3], link.b[:3])): link.kind for link in result.clusters[0].links}
    assert kinds[frozenset(("002", "003"))] == "copy"
    assert "rewrite" in {kinds.get(frozenset(("001", "002"))), kinds.get(frozenset(("001", "003")))}
    evaluation = evaluate(result, load_labels(SEEDS / "labels.json"))
    assert evaluation.pairs.f1 == 1.0 and evaluation.clusters.ari == 1.0


def test_synthetic_simulation_floors() -> None:
    simulation = simulate(_stories(60), SimulationConfig(stories=30, seed=11, min_paragraphs=6, min_words=100))
    evaluation = evaluate(scan(simulation.articles), parse_labels(simulation.labels))
    assert evaluation.by_tag["target"].recall >= 0.98  # measured 1.0
    assert evaluation.pairs.precision >= 0.98  # measured 1.0
    assert evaluation.clusters.pair_precision >= 0.97  # measured 1.0
    assert evaluation.by_subtype["verbatim"].recall == 1.0


@pytest.fixture(scope="module")
def reuters_sample(reuters_dir: Path) -> list:
    """The first 4,000 stories: enough natural re-sends and wire-like stories, fast enough for CI."""
    return list(islice(read_reuters(reuters_dir), 4000))


def test_reuters_simulation_floors(reuters_sample: list) -> None:
    simulation = simulate(reuters_sample, SimulationConfig(stories=60, seed=0))
    evaluation = evaluate(scan(simulation.articles), parse_labels(simulation.labels))
    assert evaluation.by_tag["target"].recall >= 0.98  # copies keeping half the wire, not rewritten: 1.0
    assert evaluation.without_hard_negatives.precision >= 0.99  # measured 1.0
    assert evaluation.pairs.precision >= 0.98  # measured 0.995 (0.981 before issue 9)
    assert evaluation.by_subtype["edited"].recall >= 0.95  # measured 0.972 (0.859 before)
    assert evaluation.by_subtype["rewritten"].recall >= 0.94  # measured 0.970 (0.828 before)
    # measured 0.876 (0.917 before): teasers and excerpts are now partial members, which ARI counts as apart
    assert evaluation.clusters.ari >= 0.86


NEW_KINDS = SimulationConfig(stories=100, copies=4, seed=1, verbatim=0.05, rewritten=0.3, teaser=0.25, excerpt=0.3,
                             shares_quotes=0.4, shares_tweets=0.3, shares_instagram=0.2, shares_transcript=0.3)
"""More of each new kind than the default rates give, so that every kind has about 30 pairs or more (about 4 s)."""


def test_reuters_new_kinds_floors(reuters_sample: list) -> None:
    simulation = simulate(reuters_sample, NEW_KINDS)
    evaluation = evaluate(scan(simulation.articles), parse_labels(simulation.labels))
    recall = {kind: counts.recall for kind, counts in evaluation.by_kind.items()}
    measured = {"copy": 1.0, "teaser": 0.95, "teaser-short": 1.0, "excerpt-20-40": 0.71, "excerpt-40-60": 0.955,
                "paraphrase-light": 1.0, "paraphrase-moderate": 1.0, "paraphrase-heavy": 1.0, "quote-heavy": 1.0}
    for kind, value in measured.items():
        assert recall[kind] >= value - 0.03, kind
    wrongly = {kind: counts.fp for kind, counts in evaluation.by_kind.items() if kind.startswith("shares-")}
    # measured (before issue 9: 17, 5, 0, 0); the tweet pairs share tweets the simulator pastes without quote marks
    ceilings = {"shares-quotes": 0, "shares-tweets": 5, "shares-instagram": 0, "shares-transcript": 0}
    assert all(wrongly[kind] <= ceiling for kind, ceiling in ceilings.items()), wrongly
    assert evaluation.without_hard_negatives.precision == 1.0
    assert evaluation.sources_correct >= 70  # of 100, measured 74 (80 before issue 9): see README, source choice


def test_short_texts_floors(reuters_sample: list) -> None:
    simulation = simulate_short(reuters_sample, ShortTextConfig(sources=15, seed=0))
    evaluation = evaluate(scan(simulation.articles), parse_labels(simulation.labels), articles=simulation.articles)
    recall = {kind: counts.recall for kind, counts in evaluation.by_kind.items()}
    assert recall["short-near"] >= 0.95 and recall["short-light"] >= 0.9  # measured 1.0 and 1.0
    assert recall["short-heavy"] >= 0.9  # measured 1.0 (0.333 before issue 9; the target is 0.85)
    assert evaluation.by_kind["short-independent"].fp == 0
    auc = evaluation.separation["auc"]
    assert auc["word3_containment"]["all"] >= 0.95 and auc["diff_source_kept"]["all"] >= 0.9  # measured 1.0, 1.0


def test_reuters_lsh_recall_against_exact_all_pairs(reuters_sample: list) -> None:
    report = reuters_lsh(ScanConfig(), 200, reuters_sample)
    assert report["verified_rule"]["copy"]["recall"] >= 0.99  # the target
    # measured 0.988 (copies 1.0): LSH proposes pairs by shared 5-word shingles; excerpts sharing 3-5 are missed
    assert report["verified_rule"]["all"]["pairs"] > 300 and report["verified_rule"]["all"]["recall"] >= 0.97


def test_helsinki_hand_labels_floors(helsinki_csv: Path) -> None:
    articles = list(read_articles([helsinki_csv], ReaderOptions(paragraph_sep=" ### ")))
    evaluation = evaluate(scan(articles), load_labels(ROOT / "eval" / "helsinki-labels.json"),
                          archive_ids=[a.id for a in articles])
    assert evaluation.pairs.recall >= 0.93  # measured 0.951 (0.753 before issue 9)
    assert evaluation.pairs.precision >= 0.94  # measured 0.963 (0.924 before): see README for the 3 pairs
    assert evaluation.without_hard_negatives.precision >= 0.95  # measured 0.975
    assert evaluation.by_subtype["verbatim"].recall == 1.0
    assert evaluation.by_kind["write-thru"].recall >= 0.94  # measured 0.969
    assert evaluation.by_kind["shares-transcript"].fp == 0  # measured 0 of 7 (4 before issue 9)


@pytest.mark.parametrize(("name", "recall"), [("census", 0.75), ("spotify", 1.0)])
def test_census_and_spotify_hand_labels_floors(helsinki_csv: Path, name: str, recall: float) -> None:
    archive = helsinki_csv.parent / f"{name}_articles.csv"
    articles = list(read_articles([archive], ReaderOptions(paragraph_sep=" ### ")))
    evaluation = evaluate(scan(articles), load_labels(ROOT / "eval" / f"{name}-labels.json"),
                          archive_ids=[a.id for a in articles])
    assert evaluation.pairs.precision == 1.0 and evaluation.pairs.recall >= recall  # as measured
