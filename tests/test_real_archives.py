"""Regression checks on the real archives in ../shared/data (skipped when absent).

The expectations come from reading the clusters (see README, "What it found on real archives");
only article ids are used here, never their copyrighted text.
"""

from __future__ import annotations

import pytest

from syndicate import ReaderOptions, read_articles, scan


@pytest.fixture(scope="module")
def helsinki(helsinki_csv):
    return scan(read_articles([helsinki_csv], ReaderOptions(paragraph_sep=" ### ")))


def cluster_of(result, article_id: str):
    return next((c for c in result.clusters if article_id in c.members), None)


def test_helsinki_scan_covers_the_archive(helsinki) -> None:
    assert helsinki.articles == 612
    assert 60 <= len(helsinki.clusters) <= 130
    assert max(len(c.members) for c in helsinki.clusters) <= 45  # no giant chained cluster
    assert helsinki.stats["furniture_distinct"] >= 100


@pytest.mark.parametrize(
    ("together", "story"),
    [
        (("4579", "7783", "10921"), "AP pre-summit story and its write-thrus"),
        (("1693", "6521", "12125"), "Washington Post story syndicated to two papers"),
        (("375", "2351", "1478"), "CNN live page scraped several times"),
    ],
)
def test_helsinki_copies_of_one_story_share_a_cluster(helsinki, together: tuple[str, ...], story: str) -> None:
    cluster = cluster_of(helsinki, together[0])
    assert cluster is not None, story
    assert set(together) <= set(cluster.members), story


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("4579", "2499"),  # AP pre-summit story vs AP summit-day story
        ("10168", "11382"),  # AP "The Latest" file vs the "Putin arrives late" story it quotes
        ("5632", "2499"),  # "Trump wins sympathy from Russian media" vs the summit-day story
    ],
)
def test_helsinki_different_stories_stay_apart(helsinki, a: str, b: str) -> None:
    assert cluster_of(helsinki, a) is not None and cluster_of(helsinki, b) is not None
    assert cluster_of(helsinki, a) is not cluster_of(helsinki, b)


def test_helsinki_clusters_name_their_agency_and_mostly_pick_a_credited_source(helsinki) -> None:
    from syndicate.reuse import cluster_agency

    credited = [c for c in helsinki.clusters if any(helsinki.info[m].credit for m in c.members)]
    assert len(credited) >= 20
    assert all(cluster_agency(c, helsinki.info) in {helsinki.info[m].credit for m in c.members} for c in credited)
    # The source holds the shared text first: a credited copy wins among those that hold it (22 of 26 when written).
    assert sum(bool(helsinki.info[c.source].credit) for c in credited) >= 0.8 * len(credited)


def test_reuters_first_file_scans_and_finds_its_resends(reuters_dir) -> None:
    from benchmarks.reuters import read_reuters

    named = {"reuters-5906", "reuters-6102", "reuters-15188"}
    articles = [a for a in read_reuters(reuters_dir) if int(a.id.split("-")[1]) <= 1000 or a.id in named]
    result = scan(articles)
    assert result.articles == len(articles) > 900
    assert result.clusters, "re-sent stories in the first thousand must cluster"
    assert all(len(c.members) < 50 for c in result.clusters)
    links = {frozenset((link.a, link.b)): link for cluster in result.clusters for link in cluster.links}
    # An identical re-send whose every templated line is furniture is still linked, as a copy.
    assert links[frozenset(("reuters-5906", "reuters-6102"))].kind == "copy"
    # Earnings briefs of two companies that share a 5-gram are not.
    assert frozenset(("reuters-13", "reuters-15188")) not in links
    # No link rests on less than min_evidence_words of aligned text outside quotes, re-sends apart.
    assert all(link.unquoted_words >= 15 or link.jaccard >= 0.9 for link in links.values())
