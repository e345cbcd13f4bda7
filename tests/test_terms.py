"""The term helpers that the template vocabulary leans on, against numpy's plain versions."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from syndicate.terms import members, summed_holders, term_holders, without_terms

uint32 = st.integers(0, 2**32 - 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(uint32, max_size=300), st.lists(uint32, max_size=60), st.integers(0, 8))
def test_members_is_isin(values: list[int], others: list[int], shared: int) -> None:
    """Values in and out of the set, including ones that share the low bits the filter looks at first."""
    values_array = np.array(values, dtype=np.uint32)
    chosen = values[:shared] + others + [(v ^ (1 << 31)) for v in values[:shared]]  # same low bits, other value
    sorted_set = np.unique(np.array(chosen, dtype=np.uint32))
    assert np.array_equal(members(values_array, sorted_set), np.isin(values_array, sorted_set))


def test_members_of_64_bit_values_and_a_large_set() -> None:
    rng = np.random.default_rng(7)
    values = rng.integers(0, 2**63, 50_000, dtype=np.uint64)
    sorted_set = np.unique(np.concatenate([rng.choice(values, 5_000), rng.integers(0, 2**63, 5_000, dtype=np.uint64)]))
    found = members(values, sorted_set)
    assert found.sum() >= 4_000
    assert np.array_equal(found, np.isin(values, sorted_set))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=6), max_size=8), st.sets(st.integers(0, 40), max_size=10))
def test_without_terms_drops_exactly_the_dropped_terms_sentence_by_sentence(sentences: list[list[int]],
                                                                             dropped: set[int]) -> None:
    offsets = np.cumsum([0, *map(len, sentences)]).astype(np.int64)
    terms = np.array([t for sentence in sentences for t in sentence], dtype=np.uint32)
    kept_offsets, kept = without_terms(offsets, terms, np.array(sorted(dropped), dtype=np.uint32))
    expected = [[t for t in sentence if t not in dropped] for sentence in sentences]
    assert [kept[kept_offsets[i] : kept_offsets[i + 1]].tolist() for i in range(len(sentences))] == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.lists(st.integers(0, 30), max_size=5), max_size=4), max_size=12),
       st.lists(st.integers(0, 12), max_size=4))
def test_summed_holders_of_parts_are_the_holders_of_the_whole(articles: list[list[list[int]]],
                                                              cuts: list[int]) -> None:
    """Articles (lists of sentences of terms) cut into parts anywhere: counting each part and summing gives what
    counting them all does, and what a plain count of the articles holding each term gives."""
    def part(chosen: list[list[list[int]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        sentences = [sentence for article in chosen for sentence in article]
        sentence_offsets = np.cumsum([0, *map(len, chosen)]).astype(np.int64)
        term_offsets = np.cumsum([0, *map(len, sentences)]).astype(np.int64)
        return sentence_offsets, term_offsets, np.array([t for s in sentences for t in s], dtype=np.uint32), 0

    bounds = sorted({0, len(articles), *(min(cut, len(articles)) for cut in cuts)})
    parts = [term_holders([part(articles[a:b])]) for a, b in pairwise(bounds)]
    terms, holders = summed_holders(parts)
    whole_terms, whole_holders = term_holders([part(articles)])
    assert terms.tolist() == whole_terms.tolist() and holders.tolist() == whole_holders.tolist()
    plain: dict[int, int] = {}
    for article in articles:
        for term in {t for sentence in article for t in sentence}:
            plain[term] = plain.get(term, 0) + 1
    assert dict(zip(terms.tolist(), holders.tolist(), strict=True)) == plain
