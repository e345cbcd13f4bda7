"""The batched evidence of many candidate pairs must equal the per-pair reference functions, pair by pair."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import Article, ScanConfig, passages
from syndicate.columns import SketchColumns
from syndicate.passages import EvidenceBatch, evidence_bound, score_batch, score_pairs
from syndicate.sign import MinHasher
from syndicate.sketch import sign_batch
from syndicate.verify import _jaccard, verify, verify_batch

# A small vocabulary, so that articles share terms in many sentences (some past COMMON_TERM), numbers (the "same
# facts" rule), quotes and abbreviations (sentence ends); sentences come from a shared pool, cut or not, so that
# articles share shingles too.
_WORD = st.sampled_from([
    "Putin", "Trump", "summit", "talks", "Helsinki", "said", "the", "of", "met", "leaders", "nuclear", "arms",
    "treaty", "sanctions", "meeting", "press", "2018", "1,400", "45", "12", "7", "Mr.", "U.S.", "and", "election",
    "Russia", "hours", "two", "Moscow", "agreed", '"', "'", "«", "»", "(@jane)", "—",
])
_SENTENCE = st.lists(_WORD, min_size=1, max_size=14).map(lambda words: " ".join(words).capitalize() + ".")


@st.composite
def _archives(draw: st.DrawFn) -> tuple[list[Article], np.ndarray]:
    """Articles made of a shared pool of sentences, and a furniture flag per paragraph of them all."""
    pool = draw(st.lists(_SENTENCE, min_size=1, max_size=8))
    cut = st.sampled_from(pool).flatmap(
        lambda sentence: st.integers(0, 3).map(lambda drop: " ".join(sentence.split()[drop:]) or sentence))
    paragraph = st.lists(st.one_of(st.sampled_from(pool), cut), min_size=1, max_size=3).map(" ".join)
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
        assert list(got) == list(expected)
        assert [grade for grade, _ in got.values()] == [grade for grade, _ in expected.values()]
        assert [similarity for _, similarity in got.values()] == pytest.approx(
            [similarity for _, similarity in expected.values()], rel=1e-12)
        assert (scores.free[k], scores.words[k]) == evidence_bound(sketch_a, sketch_b, expected)
        assert scores.jaccard[k] == pytest.approx(_jaccard(sketch_a, sketch_b), rel=1e-12)


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
        for name in ("words", "quoted", "active", "numbers", "shingle_sizes"):
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
    evidence = EvidenceBatch.of(offsets, nothing, nothing, nothing.astype(bool), offsets, nothing.astype(np.uint64),
                                nothing, offsets, nothing.astype(np.uint32))
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
