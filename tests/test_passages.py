"""The batched evidence of many candidate pairs must equal the per-pair reference functions, pair by pair."""

from __future__ import annotations

from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Article, ScanConfig, passages
from syndicate import verify as verify_module
from syndicate.columns import SketchColumns
from syndicate.passages import EvidenceBatch, evidence_bound, score_batch, score_pairs, shared_positions
from syndicate.sign import MinHasher
from syndicate.sketch import sign_batch
from syndicate.verify import verify, verify_batch

# A small vocabulary, so that articles share terms in many sentences (some past COMMON_TERM), numbers (the "same
# facts" rule), quotes and abbreviations (sentence ends); sentences come from a shared pool, cut or not, so that
# articles share shingles too.
_WORD = st.sampled_from([
    "Putin", "Trump", "summit", "talks", "Helsinki", "said", "the", "of", "met", "leaders", "nuclear", "arms",
    "treaty", "sanctions", "meeting", "press", "2018", "1,400", "45", "12", "7", "Mr.", "U.S.", "and", "election",
    "Russia", "hours", "two", "Moscow", "agreed", '"', "'", "«", "»", "(@jane)", "—",
])
_SENTENCE = st.lists(_WORD, min_size=1, max_size=14).map(lambda words: " ".join(words).capitalize() + ".")
_MATERIAL = [
    "TRUMP: {}", "Q: {}", "ROD ROSENSTEIN:", "{} pic.twitter.com/x1", "— Jane Doe (@jane) July 16, 2018",
    "{} (Hussein Malla/AP)", "FILE - In this photo, {}", "Putin wrote on Twitter:", "KIMMO BRANDT, EPA-EFE",
    "{} Advertisement.",
]
"""Paragraphs of quoted material (posts, credit lines, captions, transcript turns and labels alone, the line that
introduces a post) around sentences of the pool: whole paragraphs, or one sentence of a long one."""


@st.composite
def _archives(draw: st.DrawFn) -> tuple[list[Article], np.ndarray]:
    """Articles made of a shared pool of sentences, and a furniture flag per paragraph of them all."""
    pool = draw(st.lists(_SENTENCE, min_size=1, max_size=8))
    cut = st.sampled_from(pool).flatmap(
        lambda sentence: st.integers(0, 3).map(lambda drop: " ".join(sentence.split()[drop:]) or sentence))
    plain = st.lists(st.one_of(st.sampled_from(pool), cut), min_size=1, max_size=5).map(" ".join)
    paragraph = st.one_of(plain, plain, st.tuples(st.sampled_from(_MATERIAL), plain).map(
        lambda parts: parts[0].format(parts[1])))
    articles = [Article(id=f"a{number}", paragraphs=tuple(draw(st.lists(paragraph, min_size=1, max_size=6))))
                for number in range(draw(st.integers(2, 5)))]
    paragraphs = sum(len(article.paragraphs) for article in articles)
    furniture = np.array(draw(st.lists(st.booleans().map(lambda flag: flag and draw(st.booleans())),
                                       min_size=paragraphs, max_size=paragraphs)), dtype=bool)
    return articles, furniture


def _columns(articles: list[Article], furniture: np.ndarray, config: ScanConfig, split: int) -> SketchColumns:
    """The scan's columns of the articles, in two blocks (split articles in the first) when split > 0."""
    columns = SketchColumns()
    hasher = MinHasher(config.num_perm, config.seed)
    for batch in (articles[:split], articles[split:]) if split else (articles,):
        columns.add(batch, sign_batch(batch, config, hasher))
    columns.settle(furniture)
    return columns


_CONFIGS = st.sampled_from([ScanConfig(), ScanConfig(quotes=True), ScanConfig(min_evidence_words=3, edited=0.3,
                                                                                paraphrased=0.3, min_shared_terms=1)])


@settings(max_examples=200, deadline=None)
@given(_archives(), _CONFIGS, st.integers(0, 1))
def test_score_batch_equals_the_per_pair_functions(archive: tuple[list[Article], np.ndarray], config: ScanConfig,
                                                    split: int) -> None:
    articles, furniture = archive
    columns = _columns(articles, furniture, config, split)
    everyone = np.arange(len(articles))
    evidence = columns.evidence_batch(everyone)
    a, b = (side.ravel() for side in np.meshgrid(everyone, everyone, indexing="ij"))  # (i, i) included
    scores = score_batch(evidence, a, b, config)
    for k, (x, y) in enumerate(zip(a.tolist(), b.tolist(), strict=True)):
        sketch_a, sketch_b = columns.evidence(x)[1], columns.evidence(y)[1]
        expected = score_pairs(sketch_a, sketch_b, config)
        got = scores.pairs(k)
        assert list(got.items()) == list(expected.items())  # similarities bit for bit
        assert tuple(value[k] for value in scores.bound) == evidence_bound(sketch_a, sketch_b, expected)
        shared = len(shared_positions(sketch_a.shingles, sketch_b.shingles)[0])
        union = len(sketch_a.shingles) + len(sketch_b.shingles) - shared
        assert (scores.shared[k], scores.jaccard[k]) == (shared, shared / union if union else 0.0)


@settings(max_examples=100, deadline=None)
@given(_archives(), _CONFIGS)
def test_verify_batch_links_what_verify_links(archive: tuple[list[Article], np.ndarray], config: ScanConfig) -> None:
    articles, furniture = archive
    columns = _columns(articles, furniture, config, 0)
    pairs = [(x, y) for x in range(len(articles)) for y in range(x + 1, len(articles))]
    a, b = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    got = verify_batch([article.id for article in articles], columns.evidence_batch(np.arange(len(articles))), a, b,
                       config)
    assert got == [verify(*columns.evidence(x), *columns.evidence(y), config) for x, y in pairs]


@settings(max_examples=100, deadline=None)
@given(_archives(), st.integers(0, 1))
def test_evidence_batch_holds_each_articles_unit_sketch(archive: tuple[list[Article], np.ndarray],
                                                        split: int) -> None:
    articles, furniture = archive
    columns = _columns(articles, furniture, ScanConfig(), split)
    chosen = np.arange(len(articles))[::-1][::2][::-1]  # every other article, gathered from either block
    evidence = columns.evidence_batch(chosen)
    for k, index in enumerate(chosen.tolist()):
        sketch = columns.evidence(index)[1]
        sentences = slice(*evidence.sentence_offsets[k : k + 2])
        for name in ("words", "quoted", "active", "sentence_keys", "numbers", "shingle_sizes"):
            assert getattr(evidence, name)[sentences].tolist() == getattr(sketch, name).tolist(), name
        shingles = slice(*evidence.shingle_offsets[k : k + 2])
        assert evidence.shingles[shingles].tolist() == sketch.shingles.tolist()
        assert evidence.shingle_owner[shingles].tolist() == sketch.shingle_owner.tolist()
        terms = slice(*evidence.term_offsets[k : k + 2])
        assert evidence.term_values[terms].tolist() == sketch.term_values.tolist()
        assert evidence.term_counts[terms].tolist() == sketch.term_counts.tolist()
        assert evidence.term_starts[terms].tolist() == sketch.term_starts[:-1].tolist()
        entries = slice(*evidence.entry_offsets[k : k + 2])
        assert evidence.entry_owner[entries].tolist() == sketch.term_owner.tolist()
        assert evidence.entry_term[entries].tolist() == sketch.term_index.tolist()


def test_an_empty_batch_of_pairs_scores_nothing() -> None:
    offsets, nothing = np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.int32)
    evidence = EvidenceBatch.of(offsets, nothing, nothing, nothing.astype(bool), nothing.astype(np.uint64), offsets,
                                nothing.astype(np.uint64), nothing, offsets, nothing.astype(np.uint32))
    scores = score_batch(evidence, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), ScanConfig())
    assert len(scores.jaccard) == 0 and scores.offsets.tolist() == [0]


def test_term_entries_sort_alike_packed_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries are sorted by (article, term, sentence) with one packed key when it fits, else by a stable sort: the
    evidence comes out the same either way."""
    paragraphs = [["Putin met Trump in Helsinki. Putin and Trump talked for two hours.",
                   "Trump said the summit in Helsinki was a success. Putin agreed, 2018."],
                  ["Sanctions on Russia stay, Trump said. Putin said nothing on sanctions in Helsinki."]]
    articles = [Article(id=str(number), paragraphs=tuple(text)) for number, text in enumerate(paragraphs)]
    columns = _columns(articles, np.zeros(3, dtype=bool), ScanConfig(), 0)
    packed = columns.evidence_batch(np.arange(2))
    monkeypatch.setattr(passages, "_PACKED_BITS", 0)
    unpacked = columns.evidence_batch(np.arange(2))
    assert packed.term_counts.max() >= 3  # terms held by several sentences: their order is what is compared
    for name in ("term_offsets", "term_values", "term_counts", "term_starts", "entry_offsets", "entry_owner",
                 "entry_term", "numbers"):
        assert getattr(packed, name).tolist() == getattr(unpacked, name).tolist(), name


def test_the_batch_follows_identical_short_sentences_quoted_spans_and_numbers() -> None:
    """A known archive holding each of the reference's rules: short identical sentences (no shingle of their own) and
    a sentence repeated in its article pair by their words; a tweet inside a long paragraph quotes its sentence only;
    a reworded sentence keeps its numbers, a template's do not."""
    body = ("Putin met Trump in Helsinki for two hours on Monday. The talks covered the nuclear arms treaty. "
            "Trump wrote that it went well pic.twitter.com/x1 — Jane Doe (@jane) July 16, 2018. "
            "Sanctions on Russia stay in place. Both leaders agreed to meet again.")
    articles = [
        Article(id="wire", paragraphs=("Advertisement", body, "Shares of 45 firms rose 12 pct.", "Advertisement")),
        Article(id="copy", paragraphs=("Advertisement", body, "Shares of 45 firms rose 12 pct on the news.")),
        Article(id="other", paragraphs=("Advertisement", "Shares of 61 firms rose 17 pct.")),
    ]
    columns = _columns(articles, np.zeros(9, dtype=bool), ScanConfig(), 0)
    evidence = columns.evidence_batch(np.arange(3))
    wire, copy = (columns.evidence(index)[1] for index in range(2))
    assert wire.shingle_sizes[0] == 0 and wire.sentence_keys[0] == wire.sentence_keys[-1] == copy.sentence_keys[0]
    assert wire.quoted.tolist()[:7] == [0, 0, 0, wire.words[3], 0, 0, 0]  # the tweet's sentence, not its paragraph
    a, b = np.array([0, 0, 0, 1]), np.array([1, 2, 0, 2])
    pairs = list(zip(a.tolist(), b.tolist(), strict=True))
    scores = score_batch(evidence, a, b, ScanConfig())
    expected = [score_pairs(columns.evidence(x)[1], columns.evidence(y)[1], ScanConfig()) for x, y in pairs]
    assert [scores.pairs(k) for k in range(len(a))] == expected
    assert {(0, 0), (7, 0)} <= set(expected[0])  # "Advertisement", twice in the wire, pairs with the copy's
    assert (6, 6) in expected[0] and (6, 1) not in expected[1]  # same numbers reworded; other numbers do not pair
    assert verify_batch(["wire", "copy", "other"], evidence, a, b, ScanConfig()) == [
        verify(*columns.evidence(x), *columns.evidence(y), ScanConfig()) for x, y in pairs]


_BOUND_CONFIGS = st.sampled_from([
    ScanConfig(), ScanConfig(quotes=True),
    ScanConfig(min_evidence_words=3, edited=0.3, paraphrased=0.3, min_shared_terms=1),
    ScanConfig(min_evidence_words=4, excerpt_min_words=6, rewrite_min_words=6, rewrite_min_chain=2,
               rewrite_min_order=0.3, paraphrased=0.3, min_shared_terms=1, copy_threshold=0.8),
])


@settings(max_examples=300, deadline=None)
@given(_archives(), _BOUND_CONFIGS)
def test_the_bound_turns_away_no_pair_that_links(archive: tuple[list[Article], np.ndarray],
                                                  config: ScanConfig) -> None:
    """Verify aligns only the pairs whose evidence bound allows a link: aligning every pair instead finds the same
    links, of the same kinds and shares (the bound is a bound on each of classify's rules)."""
    articles, furniture = archive
    columns = _columns(articles, furniture, config, 0)
    pairs = [(x, y) for x in range(len(articles)) for y in range(len(articles)) if x != y]
    bounded = [verify(*columns.evidence(x), *columns.evidence(y), config) for x, y in pairs]
    with patch.object(verify_module, "worth_aligning", lambda *_: True):
        unbounded = [verify(*columns.evidence(x), *columns.evidence(y), config) for x, y in pairs]
    assert bounded == unbounded
