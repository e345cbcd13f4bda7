"""The scan's columnar sketches must give exactly what the per-article definitions give."""

from __future__ import annotations

import random
from itertools import pairwise

import numpy as np
from factories import article, story
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Article, ScanConfig, plan, scan
from syndicate.columns import EvidenceColumns, SketchColumns
from syndicate.furniture import (
    RecurringRuns,
    fingerprint_ranges,
    judge_recurring,
    learn_furniture_columns,
    recurring_paragraphs,
    recurring_runs,
)
from syndicate.lsh import candidate_pairs
from syndicate.normalise import paragraph_fingerprint
from syndicate.passages import UnitSketch
from syndicate.sign import MinHasher, fold32
from syndicate.sketch import headline_candidates, sign_batch
from syndicate.terms import summed_holders
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


def same_sketch(got: UnitSketch, expected: UnitSketch) -> bool:
    return all(np.array_equal(getattr(got, name), getattr(expected, name)) for name in UnitSketch.__slots__)


def test_columns_build_the_evidence_each_article_gives_alone():
    config = ScanConfig()
    articles = mixed_archive()
    columns = columns_of(articles, config)
    furniture = learn_furniture_columns(columns, config)
    boilerplate = {paragraph_fingerprint(text) for text in BOILERPLATE}
    assert furniture == boilerplate  # found, so the exclusion path is exercised; the wire paragraphs stay evidence
    sizes, outlets = columns.story_facts(np.arange(len(articles)))
    for index, source in enumerate(articles):
        assert columns.headlines(index) == headline_candidates(source)
        assert outlets[index] == source.outlet
        alone = unit_sketch(source.paragraphs, config.ngram)
        assert columns.story_set(index).tolist() == alone.shingles.tolist()
        assert sizes[index] == len(alone.shingles)
    columns.settle(np.isin(columns.column("fingerprints"), np.array(sorted(furniture), dtype=np.uint64)))
    for index, source in enumerate(articles):
        flags = [paragraph_fingerprint(text) in furniture for text in source.paragraphs]
        article_id, got = columns.evidence(index)
        assert article_id == source.id
        assert same_sketch(got, unit_sketch(source.paragraphs, config.ngram, flags))
        assert columns.active_words(index) == int(got.words[got.active].sum())


def settled_both_ways(articles: list[Article],
                      config: ScanConfig) -> tuple[SketchColumns, SketchColumns, EvidenceColumns]:
    """The archive's blocks settled in place; the same articles' blocks, and the evidence columns assembled from
    them."""
    columns, reference = columns_of(articles, config, chunk=3), columns_of(articles, config, chunk=3)
    flags = np.isin(columns.column("fingerprints"), np.array(sorted(learn_furniture_columns(columns, config)),
                                                               dtype=np.uint64))
    reference.settle(flags)
    return reference, columns, columns.assemble(columns.settle_block(n, flags) for n in range(len(columns.blocks)))


def test_assembled_evidence_columns_equal_the_blocks_evidence():
    config = ScanConfig()
    articles = mixed_archive()
    reference, columns, evidence = settled_both_ways(articles, config)
    assert len(evidence) == len(articles) and evidence.sentences == sum(len(b.sentence_words) for b in reference.blocks)
    assert evidence.active_words().tolist() == [reference.active_words(i) for i in range(len(articles))]
    for index in range(len(articles)):
        article_id, got = evidence.evidence(index)
        expected_id, expected = reference.evidence(index)
        assert article_id == expected_id and same_sketch(got, expected)
        assert got.active.dtype == bool
    assert all(len(block.values) == len(block.sentence_words) == 0 for block in columns.blocks)  # moved, not copied


def test_furniture_judged_in_shares_is_the_furniture_judged_at_once():
    config = ScanConfig()
    columns = columns_of(mixed_archive(), config)
    carriers, sizes = recurring_paragraphs(columns)
    assert len(carriers) > 2
    found = set()
    for fingerprint in carriers:
        found |= judge_recurring(columns, config, {fingerprint: carriers[fingerprint]},
                                 {fingerprint: sizes[fingerprint]})
    assert found == learn_furniture_columns(columns, config) != set()


def test_recurring_runs_found_by_fingerprint_range_and_joined_are_the_whole_archives():
    """A scan's workers each sort the paragraphs of one range of fingerprints; joined in range order, their runs are
    those one sort of the whole column gives, array for array."""
    columns = columns_of(mixed_archive(), ScanConfig())
    whole = recurring_runs(columns)
    assert len(whole) > 2
    for count in (1, 2, 3, 7, 64):
        ranges = fingerprint_ranges(count)
        assert ranges[0][0] == 0 and ranges[-1][1] == (1 << 64) - 1
        assert all(last + 1 == first for (_, last), (first, _) in pairwise(ranges))
        parts = [recurring_runs(columns, within) for within in ranges]
        assert sum(len(part) > 0 for part in parts) >= min(count, 2)  # the runs do spread over the ranges
        joined = RecurringRuns.joined(parts)
        for name in ("fingerprint", "start", "count", "size", "carrier"):
            assert np.array_equal(getattr(joined, name), getattr(whole, name)), (count, name)


def test_recurring_runs_give_each_share_its_carriers_as_the_whole_does():
    """A scan's workers make the carriers of a share of the recurring paragraphs from the runs: each share's are the
    whole's, in the share's order; the shares, by first carrier, cover every recurring paragraph once."""
    columns = columns_of(mixed_archive(), ScanConfig())
    carriers, sizes = recurring_paragraphs(columns)
    runs = recurring_runs(columns)
    order = runs.by_first_carrier()
    assert len(runs) == len(carriers) > 2
    assert [carriers[f][0] for f in runs.fingerprint[order].tolist()] == sorted(c[0] for c in carriers.values())
    united: dict[int, list[int]] = {}
    for share in (order[first : first + 2] for first in range(0, len(order), 2)):
        part, part_sizes = runs.paragraphs(share)
        assert list(part) == runs.fingerprint[share].tolist()
        assert part == {f: carriers[f] for f in part} and part_sizes == {f: sizes[f] for f in part}
        united |= part
    assert united == carriers
    reference: dict[int, list[int]] = {}  # paragraph by paragraph: each fingerprint's carriers, each once
    for fingerprint, size, owner in zip(columns.column("fingerprints").tolist(),
                                        columns.column("shingle_sizes").tolist(),
                                        columns.article_of_paragraph().tolist(), strict=True):
        found = reference.setdefault(fingerprint, [])
        if size > 0 and owner not in found:
            found.append(owner)
    assert carriers == {f: found for f, found in reference.items() if len(found) >= 2}


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
    """Counted and dropped as a scan does (each sketch task's counts summed; each settle task dropping a block's
    terms), and as the index does (on the columns)."""
    config = ScanConfig()
    articles = mixed_archive()
    columns, blocks = columns_of(articles, config), columns_of(articles, config)
    no_furniture = np.zeros(len(columns.column("fingerprints")), dtype=bool)
    blocks.settle(no_furniture)
    references = [unit_sketch(a.paragraphs, config.ngram) for a in articles]
    expected: dict[int, int] = {}
    for reference in references:
        for term in set(reference.term_values.tolist()):
            expected[term] = expected.get(term, 0) + 1
    parts = [plan.sketch_part(config, tuple(articles[start : start + 5])) for start in range(0, len(articles), 5)]
    for terms, holders in (summed_holders([part.held_terms for part in parts]), blocks.term_holders()):
        assert dict(zip(terms.tolist(), holders.tolist(), strict=True)) == expected
    dropped = np.sort(np.array([term for term, count in expected.items() if count >= 3], dtype=np.uint32))
    assert len(dropped)  # the shared stories' words
    settled = plan.settle_blocks((columns, no_furniture, dropped), range(len(columns.blocks)))
    for block, (_, term_offsets, terms) in zip(columns.blocks, settled, strict=True):
        block.term_offsets, block.terms = term_offsets, terms
    evidence = columns.assemble(active for active, _, _ in settled)
    blocks.drop_terms(dropped)
    for index, reference in enumerate(references):
        for held in (evidence, blocks):
            got = held.evidence(index)[1]
            assert set(got.term_values.tolist()) == set(reference.term_values.tolist()) - set(dropped.tolist())
            assert got.shingles.tolist() == reference.shingles.tolist()  # shingles are untouched


def test_a_batch_of_evidence_columns_equals_the_blocks_batch():
    articles = mixed_archive()
    blocks, _, evidence = settled_both_ways(articles, ScanConfig())
    picked = np.array([0, 2, 3, 7, len(articles) - 1])
    got, expected = evidence.evidence_batch(picked), blocks.evidence_batch(picked)
    for name in ("sentence_offsets", "shingle_offsets", "shingles", "term_offsets", "term_values", "active",
                 "sentence_keys", "entry_term"):
        assert getattr(got, name).tolist() == getattr(expected, name).tolist(), name


def test_recurring_metadata_is_one_string_across_blocks():
    """Blocks arrive from workers with strings of their own; the columns keep one of each recurring value."""
    config = ScanConfig()
    articles = [article(f"m{i}", story(i, paragraphs=2), outlet="".join(["Same", " Outlet"]), date=None)
                for i in range(6)]
    columns = columns_of(articles, config, chunk=2)
    outlets = [outlet for block in columns.blocks for outlet in block.meta["outlet"]]
    assert len(columns.blocks) == 3 and outlets == ["Same Outlet"] * 6
    assert len({id(outlet) for outlet in outlets}) == 1
    assert [date for block in columns.blocks for date in block.meta["date"]] == [None] * 6


def test_articles_put_back_from_their_stored_arrays_rebuild_every_column() -> None:
    """The index verifies stored articles from the arrays :meth:`article_arrays` gives (add_stored, a few hundred
    at once in a check): every column must come back as signing made it, sentences without terms included."""
    config = ScanConfig()
    articles = [*mixed_archive(), article("one-word", ["Thanks."]), article("empty-ish", ["Yes.", "No."]),
                article("tail", story(3, paragraphs=2))]
    signed = columns_of(articles, config, chunk=len(articles))
    restored = SketchColumns()
    restored.add_stored(articles, [signed.article_arrays(index) for index in range(len(articles))])
    (got,), (expected,) = restored.blocks, signed.blocks
    assert 0 in np.diff(expected.term_offsets)  # a sentence without a content term is among them
    for name in ("paragraph_offsets", "fingerprints", "shingle_sizes", "words", "sentence_offsets",
                 "sentence_paragraph", "sentence_words", "sentence_quoted", "sentence_keys", "value_offsets", "values",
                 "owner", "term_offsets", "terms"):
        assert np.array_equal(getattr(got, name), getattr(expected, name)), name
    assert [restored.headlines(index) for index in range(len(articles))] == [()] * len(articles)
