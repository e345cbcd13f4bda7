"""The link decision: what the aligned passages of two articles must show, and the kind they show."""

from __future__ import annotations

import random

import numpy as np
from factories import VOCABULARY, paragraph, story
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate import ScanConfig
from syndicate.units import unit_sketch
from syndicate.verify import QUOTES, never_links, verify

CONFIG = ScanConfig()


def link(a: list[str], b: list[str], config: ScanConfig = CONFIG, furniture: tuple | None = None):
    masks = furniture or (None, None)
    return verify("a", unit_sketch(a, config.ngram, masks[0]), "b", unit_sketch(b, config.ngram, masks[1]), config)


def reword(text: str, rng: random.Random, rate: float) -> str:
    """Replace a share of the words of every sentence: what a rewrite does to the text it keeps."""
    return " ".join(rng.choice(VOCABULARY) if rng.random() < rate else w for w in text.split())


def test_identical_articles_are_a_full_verbatim_copy() -> None:
    text = story(1)
    found = link(text, text)
    assert found is not None and found.kind == "copy"
    assert (found.a_in_b, found.b_in_a, found.verbatim, found.jaccard) == (1.0, 1.0, 1.0, 1.0)


def test_a_copy_that_adds_a_long_section_is_a_copy_with_one_sided_shares() -> None:
    wire = story(2, paragraphs=6)
    found = link(wire, wire + story(3, paragraphs=12))
    assert found is not None and found.kind == "copy"
    assert found.a_in_b == 1.0 and found.b_in_a < 0.4
    assert found.jaccard < 0.4  # a document-level Jaccard threshold would miss this copy


def test_a_teaser_flattening_the_body_into_one_paragraph_under_a_restyled_headline_is_a_copy() -> None:
    wire = ["Hamas officials meet Hezbollah chief in Beirut", *story(4, paragraphs=5)]
    teaser = ["Beirut talks: militant leaders meet", "Outlet•", "Beirut talks: militant leaders meet", "More",
              " ".join(wire[1:4])]
    found = link(wire, teaser)
    assert found is not None and found.kind == "copy"
    assert found.b_in_a > 0.8  # nearly all of the teaser is wire text, whatever its layout


def test_an_excerpt_of_a_third_of_the_wire_inside_a_longer_local_story() -> None:
    wire = story(5, paragraphs=9)
    local = [*story(6, paragraphs=6), *wire[2:5], *story(7, paragraphs=6)]
    found = link(wire, local)
    assert found is not None and found.kind == "excerpt"
    assert 0.25 < found.a_in_b < 0.4


def test_one_shared_sentence_in_two_long_articles_links_nothing() -> None:
    shared = paragraph(random.Random(8))
    assert link([*story(9), shared], [shared, *story(10)]) is None


def test_one_shared_five_word_phrase_is_not_evidence() -> None:
    """The Reuters-21578 earnings briefs of two companies shared one 5-gram and were linked as copies."""
    a = ["Shr loss two cts vs profit seven cts", "Revs 291.8 mln vs 151.1 mln"]
    b = ["Shr loss two cts vs profit nine cts", "Sales 18.2 mln vs 17.5 mln"]
    assert link(a, b) is None


def test_identical_re_sends_are_copies_even_when_every_line_is_furniture() -> None:
    brief = ["Shr loss 26 cts vs loss 12 cts", "Net loss 289,649 vs loss 138,372", "Revs 5,944,286 vs 5,902,074"]
    everything = (True, True, True)
    found = link(brief, brief, furniture=(everything, everything))
    assert found is not None and found.kind == "copy" and found.a_in_b == 1.0


def test_paraphrased_sentences_in_order_make_a_rewrite_and_shuffled_they_do_not() -> None:
    rng = random.Random(11)
    wire = story(12, paragraphs=8)
    rewrite = [reword(p, rng, rate=0.35) for p in wire]
    found = link(wire, rewrite)
    assert found is not None and found.kind == "rewrite"
    assert found.paraphrased > 0.3
    shuffled = rewrite[:]
    random.Random(13).shuffle(shuffled)
    assert link(wire, shuffled) is None


def test_independent_reports_sharing_only_quotes_are_not_linked() -> None:
    rng = random.Random(14)
    quotes = [f'"{paragraph(rng)[:-1]}," the minister said.' for _ in range(3)]
    a = [*story(15, paragraphs=3), *quotes, *story(16, paragraphs=2)]
    b = [*story(17, paragraphs=2), *quotes, *story(18, paragraphs=3)]
    assert link(a, b) is None
    shown = link(a, b, ScanConfig(quotes=True))
    assert shown is not None and shown.kind == QUOTES


def test_a_wire_paragraph_that_contains_a_quote_still_counts_as_wire_text() -> None:
    rng = random.Random(19)
    wire = [f'{paragraph(rng)[:-1]}, he said, adding: "{paragraph(rng)[:-1]}."' for _ in range(6)]
    found = link(wire, wire[:4] + story(20, paragraphs=2))
    assert found is not None and found.kind == "copy"


def test_embedded_posts_shared_by_two_reports_are_quoted_material() -> None:
    tweet = ["Our relationship with the country has never been worse thanks to many years of foolishness!",
             "— Jane Doe (@janedoe) July 16, 2018"]
    a = [*story(21, paragraphs=4), *tweet, *story(22, paragraphs=2)]
    b = [*story(23, paragraphs=3), *tweet, *story(24, paragraphs=3)]
    assert link(a, b) is None


def test_the_copy_threshold_and_the_evidence_minimum_are_the_knobs() -> None:
    wire = story(25, paragraphs=10)
    copy = wire[:6] + story(26, paragraphs=2)
    assert link(wire, copy).kind == "copy"  # 60 % of the wire, 75 % of the copy
    assert link(wire, copy, ScanConfig(copy_threshold=0.8)).kind == "excerpt"
    assert link(wire, copy, ScanConfig(min_evidence_words=10_000)) is None


def test_to_dict_is_the_json_contract_of_a_link() -> None:
    text = story(27)
    data = link(text, text).to_dict()
    assert set(data) == {"a", "b", "kind", "a_in_b", "b_in_a", "grades", "unquoted_words", "passages", "jaccard"}
    assert set(data["grades"]) == {"verbatim", "edited", "paraphrased"}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(VOCABULARY[:40]), min_size=1, max_size=5), min_size=1, max_size=3),
       st.integers(0, 10_000), st.booleans(), st.booleans())
def test_an_article_that_never_links_links_with_nothing(lines, seed, same_text, quotes) -> None:
    """never_links is verify's own bound: an article it says links with nothing (no shingle, fewer than
    min_evidence_words words) links with no article (itself, a copy of itself, a long story holding its lines),
    quote pairs included. Lines of up to 5 words: some drawn articles have a shingle, and the rule decides."""
    config = ScanConfig(quotes=quotes)
    short = [" ".join(words).capitalize() + "." for words in lines]
    sketch = unit_sketch(short, config.ngram)
    rng = random.Random(seed)
    others = [short, [*story(seed % 50, paragraphs=3), *short], [paragraph(rng) for _ in range(3)] + short]
    found = [link for other in (others[:1] if same_text else others)
             for link in (verify("a", sketch, "b", unit_sketch(other, config.ngram), config),
                          verify("b", unit_sketch(other, config.ngram), "a", sketch, config))]
    if never_links(np.array([len(sketch.shingles)]), np.array([int(sketch.words.sum())]), config)[0]:
        assert found == [None] * len(found)


def test_never_links_keeps_every_article_with_a_shingle_or_enough_words() -> None:
    config = ScanConfig()
    shingles, words = np.array([0, 0, 1, 0, 3]), np.array([14, 15, 2, 40, 20])
    assert never_links(shingles, words, config).tolist() == [True, False, False, False, False]
