"""Scan results on the seeds, pinned as the per-article implementation produced them.

The sketch stage was rebuilt for speed (batches, worker processes) and sketches now drop their
shingle values once the evidence is built; none of that may change a detection.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from syndicate import read_articles, scan
from syndicate.normalise import words

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# (a, b, kind, jaccard, shared_paragraphs, ordered_paragraphs) from the per-article implementation (commit 1c8fd20).
PINNED_LINKS = [
    ("001_4f88ccd7cf78f350", "002_a03570c17a29d6cf", "rewrite", 0.125, 2, 8),
    ("001_4f88ccd7cf78f350", "003_17a6059d906b2d12", "rewrite", 0.078, 1, 6),
    ("002_a03570c17a29d6cf", "003_17a6059d906b2d12", "copy", 0.29, 11, 11),
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
    links = sorted((link.a, link.b, link.kind, round(link.jaccard, 3), link.shared_paragraphs,
                    link.ordered_paragraphs) for link in cluster.links)
    assert links == PINNED_LINKS
    assert (result.stats["paragraphs"], result.stats["evidence_paragraphs"], result.stats["candidate_pairs"]) == (
        88, 79, 3)
    # Sketches keep word counts after letting go of their shingle values.
    expected_words = {a.id: sum(len(words(p)) for p in a.paragraphs) for a in read_articles([SEEDS])}
    assert {article_id: info.words for article_id, info in result.info.items()} == expected_words
