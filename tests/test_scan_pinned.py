"""Scan results on the seeds, pinned as the passage alignment (issue 9) produced them.

The scan runs in batches, worker processes and (later) partitions; none of that may change a detection.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndicate import read_articles, scan
from syndicate.normalise import words

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# (a, b, kind, jaccard, passages, a_in_b, b_in_a) from the passage alignment (commit fad1008).
PINNED_LINKS = [
    ("001_4f88ccd7cf78f350", "002_a03570c17a29d6cf", "rewrite", 0.131, 1, 0.91, 0.87),
    ("001_4f88ccd7cf78f350", "003_17a6059d906b2d12", "rewrite", 0.081, 3, 0.67, 0.36),
    ("002_a03570c17a29d6cf", "003_17a6059d906b2d12", "copy", 0.291, 2, 0.89, 0.56),
]


@pytest.mark.parametrize("workers", [1, 2])
def test_seed_scan_is_unchanged(workers):
    result = scan(read_articles([SEEDS]), workers=workers)
    labels = json.loads((SEEDS / "labels.json").read_text())
    group = next(g for g in labels["groups"] if len(g["members"]) > 1)
    assert len(result.clusters) == 1
    cluster = result.clusters[0]
    assert sorted(cluster.members) == sorted(group["members"])
    assert cluster.source == group["source"]
    links = sorted((link.a, link.b, link.kind, round(link.jaccard, 3), link.passages, round(link.a_in_b, 2),
                    round(link.b_in_a, 2)) for link in cluster.links)
    assert links == PINNED_LINKS
    assert (result.stats["paragraphs"], result.stats["sentences"], result.stats["candidate_pairs"]) == (88, 96, 3)
    # Sketches keep word counts after letting go of their shingle values.
    expected_words = {a.id: sum(len(words(p)) for p in a.paragraphs) for a in read_articles([SEEDS])}
    assert {article_id: info.words for article_id, info in result.info.items()} == expected_words
