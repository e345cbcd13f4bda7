from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from syndicate.normalise import words
from syndicate.shingle import shingle_paragraphs

vocabulary = st.sampled_from([f"w{i}" for i in range(30)])
paragraph = st.lists(vocabulary, min_size=0, max_size=40).map(" ".join)


def test_each_paragraph_gets_its_own_sorted_unique_shingles() -> None:
    shingles = shingle_paragraphs(["a b c d e f", "too short", "a b c d e"], n=5)
    assert shingles.word_counts.tolist() == [6, 2, 5]
    assert shingles.sizes().tolist() == [2, 0, 1]
    assert shingles.paragraph(2)[0] in shingles.paragraph(0)  # "a b c d e" appears in both
    for i in range(3):
        values = shingles.paragraph(i)
        assert np.all(values[1:] > values[:-1])


def test_ngrams_never_span_paragraph_boundaries() -> None:
    split = shingle_paragraphs(["a b c", "d e f"], n=3)
    joined = shingle_paragraphs(["a b c d e f"], n=3)
    assert split.sizes().tolist() == [1, 1]
    assert len(np.intersect1d(split.values, joined.values)) == 2  # "a b c" and "d e f" only


@given(st.lists(paragraph, min_size=1, max_size=5), st.integers(min_value=1, max_value=6))
def test_shingle_count_is_distinct_ngrams_per_paragraph(paragraphs: list[str], n: int) -> None:
    shingles = shingle_paragraphs(paragraphs, n=n)
    for index, text in enumerate(paragraphs):
        tokens = words(text)
        distinct = {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}
        assert shingles.sizes()[index] == len(distinct)


@given(st.lists(paragraph, min_size=1, max_size=4))
def test_shingles_ignore_case_and_spacing(paragraphs: list[str]) -> None:
    plain = shingle_paragraphs(paragraphs, n=3)
    shouted = shingle_paragraphs(["  " + p.upper().replace(" ", " \t ") for p in paragraphs], n=3)
    assert np.array_equal(plain.values, shouted.values)
    assert np.array_equal(plain.offsets, shouted.offsets)


@given(paragraph, paragraph)
def test_a_paragraph_inside_a_longer_one_shares_all_its_shingles(left: str, right: str) -> None:
    inner = "x1 x2 x3 x4 x5 x6"
    part = shingle_paragraphs([inner], n=5).values
    whole = shingle_paragraphs([f"{left} {inner} {right}"], n=5).values
    assert np.isin(part, whole).all()
