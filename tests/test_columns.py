"""The scan's columnar sketches must give exactly what the per-article reference gives."""

from __future__ import annotations

import random

import numpy as np
from factories import article, story
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Article, ScanConfig, scan
from syndicate.columns import SketchColumns
from syndicate.furniture import learn_furniture_columns
from syndicate.lsh import candidate_pairs
from syndicate.normalise import paragraph_fingerprint
from syndicate.sign import MinHasher, fold32
from syndicate.sketch import sign_batch
from syndicate.units import unit_sketch

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


def test_columns_learn_furniture_and_build_each_article_s_reference_evidence():
    config = ScanConfig()
    articles = mixed_archive()
    columns = columns_of(articles, config)
    furniture = learn_furniture_columns(columns, config)
    boilerplate = {paragraph_fingerprint(p) for p in BOILERPLATE}
    assert boilerplate <= furniture  # the boilerplate is found, so the exclusion path is exercised
    flags = np.isin(columns.column("fingerprints"), np.array(sorted(furniture), dtype=np.uint64))
    columns.settle(flags)
    for index, source in enumerate(articles):
        assert columns.outlet(index) == source.outlet
        mask = [paragraph_fingerprint(p) in furniture for p in source.paragraphs]
        expected = unit_sketch(source.paragraphs, config.ngram, mask)
        article_id, got = columns.evidence(index)
        assert article_id == source.id
        for field in ("paragraph", "words", "quoted", "sentence_keys", "active", "shingles", "shingle_sizes",
                      "term_values", "term_counts"):
            assert getattr(got, field).tolist() == getattr(expected, field).tolist(), (source.id, field)


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


def test_term_holders_count_each_article_once_and_dropped_terms_leave_every_sentence():
    config = ScanConfig()
    articles = mixed_archive()
    columns = columns_of(articles, config)
    columns.settle(np.zeros(len(columns.column("fingerprints")), dtype=bool))
    references = [unit_sketch(a.paragraphs, config.ngram) for a in articles]
    per_article = [set(columns.evidence(i)[1].term_values.tolist()) for i in range(len(articles))]
    terms, holders = columns.term_holders()
    expected: dict[int, int] = {}
    for held in per_article:
        for term in held:
            expected[term] = expected.get(term, 0) + 1
    assert dict(zip(terms.tolist(), holders.tolist(), strict=True)) == expected
    dropped = np.sort(terms[holders >= 3])
    assert len(dropped)  # the shared stories' words
    columns.drop_terms(dropped)
    for index, reference in enumerate(references):
        got = columns.evidence(index)[1]
        assert set(got.term_values.tolist()) == set(reference.term_values.tolist()) - set(dropped.tolist())
        assert got.shingles.tolist() == reference.shingles.tolist()  # shingles are untouched
