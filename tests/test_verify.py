from __future__ import annotations

import random

import numpy as np
from factories import VOCABULARY, paragraph, story

from syndicate import ScanConfig
from syndicate.shingle import shingle_paragraphs
from syndicate.sketch import build_evidence
from syndicate.verify import classify, compare, verify

CONFIG = ScanConfig()


def evidence(paragraphs: list[str]):
    return build_evidence(shingle_paragraphs(paragraphs, CONFIG.ngram))


def paraphrase(text: str, rng: random.Random, rate: float = 0.3) -> str:
    """Replace a share of the words: what a rewrite does to a paragraph it keeps."""
    return " ".join(rng.choice(VOCABULARY) if rng.random() < rate else w for w in text.split())


def test_identical_articles_are_a_full_copy() -> None:
    text = story(1)
    comparison = compare(evidence(text), evidence(text), CONFIG)
    assert (comparison.jaccard, comparison.containment_a_in_b, comparison.containment_b_in_a) == (1.0, 1.0, 1.0)
    assert comparison.shared_paragraphs == comparison.ordered_paragraphs == len(text)
    assert classify(comparison, CONFIG) == "copy"


def test_containment_is_asymmetric_when_the_copy_adds_a_long_section() -> None:
    wire = story(2, paragraphs=6)
    copy = wire + story(3, paragraphs=12)
    link = verify("wire", evidence(wire), "copy", evidence(copy), CONFIG)
    assert link is not None and link.kind == "copy"
    assert link.containment_a_in_b == 1.0
    assert link.containment_b_in_a < 0.4
    assert link.jaccard < 0.4  # a document-level Jaccard threshold would miss this copy


def test_a_single_shared_paragraph_is_not_a_copy_of_a_long_article() -> None:
    quote = paragraph(random.Random(4))
    a, b = [*story(5), quote], [quote, *story(6)]
    assert verify("a", evidence(a), "b", evidence(b), CONFIG) is None


def test_paraphrased_paragraphs_in_order_make_a_rewrite() -> None:
    rng = random.Random(7)
    wire = story(8, paragraphs=8)
    rewrite = [paraphrase(p, rng, rate=0.2) for p in wire]
    link = verify("wire", evidence(wire), "rewrite", evidence(rewrite), CONFIG)
    assert link is not None and link.kind == "rewrite"
    assert link.ordered_paragraphs >= 5  # a paragraph with fewer than two surviving 5-grams drops out


def test_the_same_paraphrases_shuffled_are_not_a_rewrite() -> None:
    rng = random.Random(7)
    wire = story(8, paragraphs=8)
    rewrite = [paraphrase(p, rng, rate=0.2) for p in wire]
    shuffled = [rewrite[i] for i in (7, 3, 5, 1, 6, 0, 4, 2)]  # longest increasing run: 2
    comparison = compare(evidence(wire), evidence(shuffled), CONFIG)
    assert comparison.ordered_paragraphs <= 2
    assert classify(comparison, CONFIG) is None


def test_articles_sharing_nothing_are_not_compared() -> None:
    assert compare(evidence(story(10)), evidence(story(11)), CONFIG) is None


def test_copy_threshold_is_the_knob_for_copies() -> None:
    wire = story(12, paragraphs=10)
    partial = wire[:4] + story(13, paragraphs=6)
    assert verify("w", evidence(wire), "p", evidence(partial), ScanConfig(copy_threshold=0.35)).kind == "copy"
    # Below the copy threshold the four verbatim paragraphs in order still link, as a rewrite.
    assert verify("w", evidence(wire), "p", evidence(partial), ScanConfig(copy_threshold=0.45)).kind == "rewrite"


def test_a_few_shared_quotes_in_order_are_not_a_rewrite() -> None:
    rng = random.Random(21)
    quotes = [paragraph(rng, 12) for _ in range(3)]
    a = [*story(22, paragraphs=3), quotes[0], *story(23, paragraphs=3), quotes[1], *story(24, paragraphs=3), quotes[2]]
    b = [quotes[0], *story(25, paragraphs=4), quotes[1], *story(26, paragraphs=4), quotes[2], *story(27, paragraphs=4)]
    comparison = compare(evidence(a), evidence(b), CONFIG)
    assert comparison.ordered_paragraphs == 3  # an ordered chain exists…
    assert max(comparison.containment_a_in_b, comparison.containment_b_in_a) < CONFIG.rewrite_min_containment
    assert classify(comparison, CONFIG) is None  # …but it is only quotes


def test_a_teaser_with_a_restyled_headline_is_a_copy_of_its_one_paragraph() -> None:
    rng = random.Random(31)
    lead = paragraph(rng, 60)
    teaser = ["Trump Plays Golf Before Summit", lead]
    full = ["Trump plays golf in Scotland before Putin summit amid charges", lead, *story(32, paragraphs=8)]
    comparison = compare(evidence(teaser), evidence(full), CONFIG)
    assert comparison.shared_paragraphs == 1 and comparison.containment_a_in_b >= 0.9
    assert classify(comparison, CONFIG) == "copy"
    # One shared paragraph of a long article stays below the bar.
    other = [lead, *story(33, paragraphs=8)]
    assert classify(compare(evidence(full), evidence(other), CONFIG), CONFIG) != "copy"


def test_shared_positions_equal_numpy_intersection() -> None:
    from syndicate.verify import _shared_positions

    rng = np.random.default_rng(5)
    for size_a, size_b in [(0, 5), (5, 0), (1, 1), (40, 400), (400, 40), (300, 300)]:
        a = np.unique(rng.integers(0, 600, size=size_a, dtype=np.uint64))
        b = np.unique(rng.integers(0, 600, size=size_b, dtype=np.uint64))
        _, expected_a, expected_b = np.intersect1d(a, b, assume_unique=True, return_indices=True)
        got_a, got_b = _shared_positions(a, b)
        assert np.array_equal(got_a, expected_a) and np.array_equal(got_b, expected_b)


def test_verify_early_rejection_agrees_with_the_full_comparison() -> None:
    """verify() skips the paragraph analysis below the least containment any link needs; same verdicts."""
    rng = random.Random(41)
    wire = story(42, paragraphs=10)
    variants = [wire[: k] + story(43 + k, paragraphs=10 - k) for k in range(0, 11)]
    variants += [[paraphrase(p, rng, rate) for p in wire] for rate in (0.1, 0.2, 0.3, 0.5)]
    kinds = set()
    for variant in variants:
        full = compare(evidence(wire), evidence(variant), CONFIG)
        expected = classify(full, CONFIG) if full is not None else None
        link = verify("w", evidence(wire), "v", evidence(variant), CONFIG)
        assert (link.kind if link else None) == expected
        kinds.add(expected)
    assert kinds == {None, "copy", "rewrite"}  # the cases span every outcome
