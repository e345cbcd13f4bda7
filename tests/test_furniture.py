from __future__ import annotations

import random

import numpy as np
from factories import article, brief, paragraph, story
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import ScanConfig, scan

FURNITURE = [
    "Sign up for our newsletter to get the best stories delivered to your inbox every morning.",
    "Share this article on Facebook Twitter WhatsApp or copy the link to send it to a friend.",
    "Weather forecast for today sunny with a high of 0 degrees and light winds from the west.",
]


def site_article(id: str, seed: int, outlet: str | None) -> object:
    return article(id, [FURNITURE[0], *story(seed, paragraphs=6), FURNITURE[1], FURNITURE[2]], outlet=outlet)


def test_shared_site_furniture_alone_links_nothing() -> None:
    articles = [site_article(f"site-{i}", seed=i, outlet="example.com") for i in range(12)]
    result = scan(articles)
    assert result.clusters == []
    assert result.stats["furniture_distinct"] == len(FURNITURE)


def test_furniture_is_learned_without_outlet_names_too() -> None:
    articles = [site_article(f"anon-{i}", seed=100 + i, outlet=None) for i in range(6)]
    result = scan(articles)
    assert result.clusters == []
    assert result.stats["furniture_distinct"] == len(FURNITURE)


def test_wire_text_republished_by_twenty_outlets_is_signal_not_furniture() -> None:
    wire = story(7, paragraphs=6)
    rng = random.Random(1)
    copies = [
        article(f"outlet{i}", [FURNITURE[0], *wire[: 4 + i % 3], paragraph(rng), FURNITURE[1]], outlet=f"outlet{i}.com")
        for i in range(20)
    ]
    others = [site_article(f"other-{i}", seed=200 + i, outlet=f"outlet{i}.com") for i in range(5)]
    result = scan(copies + others)
    assert len(result.clusters) == 1
    assert sorted(result.clusters[0].members) == sorted(a.id for a in copies)
    assert {link.kind for link in result.clusters[0].links} == {"copy"}


def test_a_caption_repeated_across_different_stories_does_not_bridge_them() -> None:
    caption = "Protesters hold placards during the march towards the square ahead of the summit photo agency."
    stories = [article(f"story-{i}", [*story(300 + i), caption], outlet=f"o{i}") for i in range(3)]
    caption_pages = [article(f"caption-{i}", [caption], outlet="aggregator") for i in range(4)]
    result = scan(stories + caption_pages)
    for cluster in result.clusters:
        assert sum(member.startswith("story-") for member in cluster.members) <= 1


def test_story_threshold_is_configurable() -> None:
    # With a story threshold of 1.0 even copies count as different stories, so shared text becomes furniture.
    wire = story(9, paragraphs=6)
    copies = [article(f"c{i}", [*wire, *story(400 + i, paragraphs=3)]) for i in range(3)]
    assert len(scan(copies).clusters) == 1
    assert scan(copies, ScanConfig(story_containment=1.0)).clusters == []


def test_template_vocabulary_is_learnt_and_one_template_briefs_do_not_read_as_rewrites() -> None:
    rng = random.Random(3)
    briefs = [brief(rng, n) for n in range(60)]
    resent = article("brief-0-resent", list(briefs[0].paragraphs))
    result = scan([*briefs, resent])
    assert result.stats["template_terms"] >= 15  # eurobond, issuing, priced, manager, denominations…
    linked = {frozenset((link.a, link.b)) for cluster in result.clusters for link in cluster.links}
    assert linked == {frozenset(("brief-0", "brief-0-resent"))}
    # Without the template vocabulary, the template's words in the template's order read as paraphrase.
    loose = scan([*briefs, resent], ScanConfig(template_term_articles=10_000))
    assert loose.stats["template_terms"] == 0
    assert sum(link.kind == "rewrite" for cluster in loose.clusters for link in cluster.links) >= 10


def test_template_terms_are_counted_once_per_article_and_numbers_never_count() -> None:
    from syndicate.terms import NUMBER, template_terms

    terms = np.array([5, 7, 9, NUMBER | 3], dtype=np.uint32)
    holders = np.array([50, 49, 200, 500])
    assert template_terms(1000, terms, holders, 0.05, 10).tolist() == [5, 9]  # at least 5 % of 1,000
    assert template_terms(100, terms, holders, 0.01, 50).tolist() == [5, 9]  # at least 50 articles


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.integers(0, 40), max_size=30), min_size=1, max_size=12))
def test_shared_counts_of_many_sets_are_each_pairs_intersection(sets) -> None:
    from syndicate.furniture import shared_counts
    from syndicate.passages import shared_positions

    arrays = [np.array(sorted(values), dtype=np.uint64) for values in sets]
    matrix = shared_counts(arrays)
    for i, a in enumerate(sets):
        for j, b in enumerate(sets):
            assert matrix[i, j] == len(a & b)
            assert len(shared_positions(arrays[i], arrays[j])[0]) == len(a & b)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sets(st.integers(0, 24), max_size=20), min_size=8, max_size=20),
       st.integers(0, 6), st.sampled_from([0.25, 0.5, 1 / 3]))
def test_a_story_count_from_the_shared_matrix_is_the_count_pair_by_pair(sets, excluded, threshold) -> None:
    """Small sets over a small range: ratios land exactly on the threshold, some pairs have nothing left but the
    excluded paragraph, and the components range from one to every carrier."""
    from syndicate.furniture import _components, _story_count, _StoryOracle

    arrays = [np.array(sorted(values), dtype=np.uint64) for values in sets]
    story = _StoryOracle(arrays.__getitem__, threshold, {i: len(a) for i, a in enumerate(arrays)})
    members = list(range(len(sets)))  # (8 or more: SHARED_MATRIX_MEMBERS, the matrix path)
    same = story.same_matrix(members, excluded)
    assert [[bool(same[i, j]) for j in members] for i in members] == [
        [story.same(i, j, excluded) for j in members] for i in members]
    pair_by_pair = _components(len(members), lambda i, j: story.same(i, j, excluded))
    assert _story_count(members, story, excluded) == pair_by_pair


def test_furniture_shares_cover_every_run_once_by_first_carrier_and_split_the_costly_ones() -> None:
    from syndicate.columns import SketchColumns
    from syndicate.furniture import recurring_runs
    from syndicate.sign import MinHasher
    from syndicate.sketch import sign_batch

    config = ScanConfig()
    articles = [site_article(f"s{i}", i, "site") for i in range(40)]
    articles += [article(f"w{i}", story(100 + i % 7, paragraphs=5), outlet=f"o{i}") for i in range(60)]
    columns = SketchColumns()
    columns.add(articles, sign_batch(articles, config, MinHasher(config.num_perm, config.seed)))
    runs = recurring_runs(columns)
    order = runs.by_first_carrier()
    shares = runs.shares(config.furniture_sample, budget=200, most=6)
    assert np.array_equal(np.concatenate(shares), order)
    assert all(1 <= len(share) <= 6 for share in shares)
    cost = 1 + np.minimum(runs.count, config.furniture_sample) ** 2 / 16
    # A share goes past the budget only by its first run; the three furniture paragraphs (40 carriers each, cost
    # 101 apiece, all first carried by s0) do not all land in one share.
    assert all(cost[share[1:]].sum() < 200 for share in shares)
    costly = np.flatnonzero(runs.count == 40)
    assert len(costly) == 3 and len({next(k for k, s in enumerate(shares) if r in s) for r in costly}) >= 2
    whole = runs.shares(config.furniture_sample, budget=1e9, most=10**6)
    assert len(whole) == 1 and np.array_equal(whole[0], order)
