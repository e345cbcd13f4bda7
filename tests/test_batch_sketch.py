"""The batched sketch path must agree exactly with the per-article definitions it replaces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Article, ScanConfig, read_articles
from syndicate import plan as plan_module
from syndicate.engine import LocalEngine
from syndicate.lsh import _BAND_MIX, candidate_pairs
from syndicate.normalise import paragraph_fingerprint
from syndicate.plan import sketch_part
from syndicate.shingle import shingle_articles, shingle_paragraphs
from syndicate.sign import SCHEME, MinHasher, fold32
from syndicate.sketch import headline_candidates, sign_batch

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# Letters, digits, apostrophes and backticks, punctuation, typography and Unicode that normalise() folds.
ALPHABET = "abcXYZ019 '`’“”-—.,;:_\t\n\x00éßİﬁ٣Ω"
paragraph = st.text(alphabet=ALPHABET, max_size=60)
articles = st.lists(st.lists(paragraph, min_size=1, max_size=4), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(articles, st.integers(1, 5))
def test_batch_shingles_and_fingerprints_equal_the_per_article_functions(batch, n):
    shingled = shingle_articles(batch, n)
    assert len(shingled) == len(batch)
    fingerprints = [paragraph_fingerprint(p) for paragraphs in batch for p in paragraphs]
    assert shingled.fingerprints.tolist() == fingerprints
    for index, paragraphs in enumerate(batch):
        expected, got = shingle_paragraphs(paragraphs, n), shingled.article(index)
        assert got.values.tolist() == expected.values.tolist()
        assert got.offsets.tolist() == expected.offsets.tolist()
        assert got.word_counts.tolist() == expected.word_counts.tolist()


def test_ascii_and_unicode_articles_in_one_batch_keep_their_order():
    batch = [["Plain ASCII words here, don't stop"], ["Ünïcode “quotes” — and ’apostrophes’ here"], ["more ascii 12,5"]]
    shingled = shingle_articles(batch, 2)
    for index, paragraphs in enumerate(batch):
        assert shingled.article(index).values.tolist() == shingle_paragraphs(paragraphs, 2).values.tolist()


@pytest.mark.parametrize("sizes", [[0], [1, 0, 5], [9000, 0, 3, 8192, 8191, 1], [20000]])
def test_signatures_are_datasketch_affine32_signatures(sizes):
    rng = np.random.default_rng(len(sizes))
    sets = [rng.integers(0, 2**64, size, dtype=np.uint64) for size in sizes]
    offsets = np.r_[0, np.cumsum(sizes)]
    hasher = MinHasher(128, 1)
    rows = hasher.signatures(np.concatenate(sets), offsets)
    for values, row in zip(sets, rows, strict=True):
        reference = MinHash(num_perm=128, seed=1, scheme=SCHEME, hashfunc=int)
        reference.update_batch(fold32(values).tolist())
        assert row.tolist() == reference.hashvalues.astype(np.uint32).tolist()


def _reference_pairs(keys, owners, max_bucket):
    """The definition: per band and key, every distinct-article pair, or hubs x members past max_bucket."""
    found = set()
    for band in range(keys.shape[1]):
        buckets = {}
        for key, owner in zip(keys[:, band].tolist(), owners.tolist(), strict=True):
            buckets.setdefault(key, set()).add(owner)
        for members in buckets.values():
            members = sorted(members)
            for hub in members[:max_bucket]:
                found.update((min(hub, m), max(hub, m)) for m in members if m != hub)
    return sorted(found)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4))
def test_candidate_pairs_match_the_definition(seed, max_bucket):
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(0, 60))
    keys = rng.integers(0, 6, size=(rows, 3)).astype(np.uint64)  # few keys: big buckets, repeated owners
    owners = rng.integers(0, 12, size=rows)
    got = candidate_pairs(keys, owners, max_bucket)
    assert [tuple(p) for p in got.tolist()] == _reference_pairs(keys, owners, max_bucket)


@pytest.fixture
def seed_articles() -> list[Article]:
    return [*read_articles([SEEDS]), Article(id="tiny", paragraphs=("Too short.",))]


def test_a_part_signed_in_batches_has_the_keys_of_one_batch_numbered_across_the_part(seed_articles, monkeypatch):
    config = ScanConfig()
    monkeypatch.setattr(plan_module, "BATCH", 2)
    part = sketch_part(config, tuple(seed_articles))
    assert [len(block) for block in part.blocks] == [2, 2, 2]
    whole = sign_batch(seed_articles, config, MinHasher(config.num_perm, config.seed))
    units = whole.units
    sized = np.diff(units.chunk_shingle_offsets()) > 0
    paragraph = units.sentence_paragraph[units.chunk_offsets[:-1][sized]]
    assert part.chunk_keys.T.tolist() == fold32(whole.keys[sized]).tolist()
    assert part.chunk_paragraph.tolist() == paragraph.tolist()
    assert part.chunk_article.tolist() == (np.searchsorted(units.paragraph_offsets, paragraph, side="right") - 1
                                           ).tolist()
    assert part.document_keys.T.tolist() == fold32(whole.document_keys).tolist()
    assert part.chunk_keys.shape[0] == config.bands_rows[0] and part.chunk_article.max() == 4  # "tiny" has no chunk


def test_a_part_sketched_in_a_worker_process_equals_the_part_sketched_here(seed_articles, monkeypatch):
    config = ScanConfig()
    monkeypatch.setattr(plan_module, "BATCH", 2)
    part = tuple(seed_articles)
    here = sketch_part(config, part)
    engine = LocalEngine(2)
    [there] = list(engine.map(sketch_part, config, [part]))
    assert engine.inline_steps == set()
    for name in ("chunk_keys", "chunk_paragraph", "chunk_article", "document_keys"):
        assert getattr(there, name).tolist() == getattr(here, name).tolist()
    for ours, theirs in zip(here.blocks, there.blocks, strict=True):
        assert ours.ids == theirs.ids and ours.meta == theirs.meta and ours.headlines == theirs.headlines
        assert all(np.array_equal(getattr(ours, name), getattr(theirs, name), equal_nan=name == "days")
                   for name in ("values", "owner", "sentence_keys", "terms", "term_offsets", "days"))


_WORDS = st.sampled_from(["Mr.", "U.S.", "the", "talks", "Putin", "said", "5", "1,400", "it's", "Hamas'", ".", "!",
                          "?", '"', "“", "”", "«", "»", "'", "‘", "’", "(Hussein Malla/AP)", "pic.twitter.com/x1",
                          "— Jane Doe (@jane) July 1, 2018", "FILE - In this photo,", "TRUMP:", "Q:", "东京", "今天。",
                          "Zürich", "ﬁne", "\x00", "\x01", "\x02", "-"])
_PARAGRAPHS = st.one_of(st.lists(_WORDS, max_size=70).map(" ".join), st.sampled_from(["", " ", "Word", "word."]),
                        st.text(alphabet=ALPHABET, max_size=60))
"""Paragraphs with quotes, marks, non-ASCII text, posts and captions; empty ones and one-word ones."""


def _same(alone: np.ndarray, part: np.ndarray) -> bool:
    return alone.dtype == part.dtype and alone.shape == part.shape and np.array_equal(alone, part)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_PARAGRAPHS, min_size=1, max_size=6), min_size=1, max_size=4))
def test_an_article_signed_alone_is_its_part_of_a_batch(texts):
    """The pre-ingest check signs one article at a time: every array of a batch of one is the article's part of any
    batch (the paths that shortcut a batch of one give what the batch path gives)."""
    config = ScanConfig()
    hasher = MinHasher(config.num_perm, config.seed)
    articles = [Article(id=str(number), paragraphs=tuple(paragraphs)) for number, paragraphs in enumerate(texts)]
    batch = sign_batch(articles, config, hasher)
    units = batch.units
    for number, article in enumerate(articles):
        alone = sign_batch([article], config, hasher)
        one = alone.units
        p0, p1 = units.paragraph_offsets[number : number + 2]
        s0, s1 = units.sentence_offsets[number : number + 2]
        chunks = np.flatnonzero((units.chunk_offsets[:-1] >= s0) & (units.chunk_offsets[:-1] < s1))
        assert _same(one.paragraph_offsets, units.paragraph_offsets[number : number + 2] - p0)
        assert _same(one.sentence_offsets, units.sentence_offsets[number : number + 2] - s0)
        for name in ("fingerprints", "paragraph_words"):
            assert _same(getattr(one, name), getattr(units, name)[p0:p1])
        assert _same(one.sentence_paragraph, units.sentence_paragraph[s0:s1] - p0)
        for name in ("sentence_words", "sentence_quoted", "sentence_keys"):
            assert _same(getattr(one, name), getattr(units, name)[s0:s1])
        for values, offsets in (("shingles", "shingle_offsets"), ("terms", "term_offsets")):
            o0, o1 = getattr(units, offsets)[[s0, s1]]
            assert _same(getattr(one, values), getattr(units, values)[o0:o1])
            assert _same(getattr(one, offsets), getattr(units, offsets)[s0 : s1 + 1] - o0)
        assert _same(one.chunk_offsets, np.concatenate([units.chunk_offsets[chunks], [s1]]) - s0)
        assert _same(alone.keys, batch.keys[chunks])
        assert _same(alone.document_keys, batch.document_keys[number : number + 1])
        assert alone.credits == batch.credits[number : number + 1]
        assert alone.headlines == batch.headlines[number : number + 1]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_PARAGRAPHS, min_size=1, max_size=6), min_size=1, max_size=4))
def test_document_keys_are_the_band_keys_of_each_articles_whole_shingle_set(texts):
    """Signatures made a row per permutation, and the whole-article signatures reduced from them, give the keys of the
    signature of each article's shingles taken as one set (an article without shingles: the empty signature); the
    chunk keys are the band keys of each chunk's signature."""
    config = ScanConfig()
    hasher = MinHasher(config.num_perm, config.seed)
    articles = [Article(id=str(number), paragraphs=tuple(paragraphs)) for number, paragraphs in enumerate(texts)]
    batch = sign_batch(articles, config, hasher)
    units = batch.units
    offsets = units.chunk_shingle_offsets()
    chunk_signatures = hasher.signatures(units.shingles, offsets)
    assert batch.keys.tolist() == [_band_keys_by_hand(row, *config.bands_rows) for row in chunk_signatures.tolist()]
    for number in range(len(articles)):
        s0, s1 = units.sentence_offsets[number : number + 2]
        o0, o1 = units.shingle_offsets[[s0, s1]]
        whole = hasher.signatures(units.shingles[o0:o1], np.array([0, o1 - o0]))[0].tolist()
        assert batch.document_keys[number].tolist() == _band_keys_by_hand(whole, *config.document_bands)


def _band_keys_by_hand(signature: list[int], bands: int, rows: int) -> list[int]:
    """lsh.band_keys of one signature in Python integers: per band, each row's value times its row's mix, added and
    folded (x ^ x >> 29) row after row, modulo 2^64."""
    keys = []
    for band in range(bands):
        key = 0
        for row in range(rows):
            key = (key + signature[band * rows + row] * int(_BAND_MIX[row])) % 2**64
            key ^= key >> 29
        keys.append(key)
    return keys


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab .\t\n\u3000\xa0", max_size=30), min_size=1, max_size=8),
       st.sampled_from([None, "", "A title"]), st.integers(-2, 6))
def test_headline_candidates_are_the_first_paragraphs_of_five_words(paragraphs, title, count):
    """headline_candidates stops at the paragraphs it needs: it gives what the definition over all of them gives."""
    article = Article(id="a", paragraphs=tuple(paragraphs), title=title)

    def cut(text: str) -> str:
        return text if len(text) <= 10 else text[:9].rstrip() + "…"

    if title:
        expected = ((-1, title),)
    else:
        found = [(i, cut(p)) for i, p in enumerate(paragraphs) if len(p.split()) >= 5][:count]
        expected = tuple(found) or ((0, cut(paragraphs[0])),)
    assert headline_candidates(article, 10, count) == expected
