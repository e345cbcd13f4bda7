from __future__ import annotations

import random

import numpy as np
from factories import article, brief, paragraph, story

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
