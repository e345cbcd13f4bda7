"""The scan's columnar sketches must give exactly what the per-article sketches give."""

from __future__ import annotations

import random

import numpy as np
from factories import article, story
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Article, ScanConfig, scan
from syndicate.columns import SketchColumns
from syndicate.furniture import furniture_mask, learn_furniture, learn_furniture_columns
from syndicate.lsh import candidate_pairs
from syndicate.sign import MinHasher, fold32
from syndicate.sketch import build_evidence, sign_batch, sketch_articles

BOILERPLATE = [
    "Sign up for our newsletter to get the best stories delivered to your inbox every morning.",
    "Share this article on Facebook Twitter WhatsApp or copy the link to send it to a friend today.",
]


def mixed_archive() -> list[Article]:
    """Site furniture, wire copies, an article repeating its own paragraph, short paragraphs and a titled one."""
    rng = random.Random(7)
    articles = []
    for i in range(14):
        paragraphs = [*story(i % 5, paragraphs=rng.randint(4, 7), length=rng.randint(20, 30)), "Reporting by staff."]
        if i % 3 == 0:
            paragraphs = [BOILERPLATE[i % 2], *paragraphs]
        if i % 4 == 1:
            paragraphs = [*paragraphs, paragraphs[0]]  # the same shingles owned by two paragraphs
        articles.append(article(f"a{i:02d}", paragraphs, outlet=f"site-{i % 3}" if i % 6 else None,
                                date=f"2024-01-{1 + i % 9:02d}"))
    articles.append(Article(id="titled", paragraphs=tuple(story(99, paragraphs=3)), title="A title"))
    return articles


def columns_of(articles: list[Article], config: ScanConfig, chunk: int = 4) -> SketchColumns:
    hasher = MinHasher(config.num_perm, config.seed)
    columns = SketchColumns()
    for start in range(0, len(articles), chunk):
        batch = articles[start : start + chunk]
        columns.add(batch, sign_batch(batch, config, hasher))
    return columns


def test_columns_learn_the_same_furniture_and_build_the_same_evidence():
    config = ScanConfig()
    articles = mixed_archive()
    sketches = sketch_articles(articles, config, MinHasher(config.num_perm, config.seed))
    columns = columns_of(articles, config)
    furniture = learn_furniture(sketches, config)
    assert furniture  # the boilerplate is found, so the exclusion path is exercised
    assert learn_furniture_columns(columns, config) == furniture
    for index, sketch in enumerate(sketches):
        assert columns.headlines(index) == sketch.headlines
        assert columns.outlet(index) == sketch.outlet
        assert len(columns.story_set(index)) == columns.story_size(index) == len(np.unique(sketch.shingles.values))
    evidence = columns.settle(np.isin(columns.column("fingerprints"), np.array(sorted(furniture), dtype=np.uint64)))
    for index, sketch in enumerate(sketches):
        article_id, got = evidence.evidence(index)
        expected = build_evidence(sketch.shingles, furniture_mask(sketch, furniture))
        assert article_id == sketch.id
        assert got.values.tolist() == expected.values.tolist()
        assert got.owner.tolist() == expected.owner.tolist()
        assert got.paragraph_sizes.tolist() == expected.paragraph_sizes.tolist()


def test_scan_info_covers_every_article_and_skips_furniture_headlines():
    articles = mixed_archive()
    result = scan(articles)
    assert list(result.info) == [a.id for a in articles]
    by_id = {a.id: a for a in articles}
    for article_id, info in result.info.items():
        source = by_id[article_id]
        assert (info.title, info.outlet, info.date) == (source.title, source.outlet, source.date)
        assert info.headline not in BOILERPLATE
    assert result.info["titled"].headline == "A title"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 9)), min_size=1, max_size=60),
       st.integers(0, 2))
def test_folded_band_keys_propose_every_pair_the_full_keys_propose(rows, collide):
    keys = np.array([[key] for key, _ in rows], dtype=np.uint64)
    # Keys whose halves xor alike fold to one 32-bit key: the fold may add pairs, never lose one.
    keys[: collide + 1, 0] = np.uint64(0x1234) | (keys[: collide + 1, 0] & np.uint64(0xFFFFFFFF00000000))
    keys[: collide + 1, 0] ^= (keys[: collide + 1, 0] >> np.uint64(32)) & np.uint64(0xFFFFFFFF)
    owners = np.array([owner for _, owner in rows])
    full = {tuple(p) for p in candidate_pairs(keys, owners).tolist()}
    folded = {tuple(p) for p in candidate_pairs(fold32(keys), owners).tolist()}
    assert full <= folded


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 2000)), max_size=12), min_size=1,
                max_size=40))
def test_the_packed_sort_orders_by_article_then_value_keeping_paragraph_order(paragraph_values):
    from syndicate.columns import _sort_by_article_then_value

    rng = random.Random(len(paragraph_values))
    article = np.array(sorted(rng.randrange(4) for _ in paragraph_values), dtype=np.int64)
    values = np.concatenate([np.array(sorted(v), dtype=np.uint64) for v in paragraph_values])
    owners = np.repeat(article, [len(v) for v in paragraph_values])
    assert _sort_by_article_then_value(owners, values).tolist() == np.lexsort((values, owners)).tolist()
