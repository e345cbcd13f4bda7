"""Exact verification of a candidate pair, and the rule that names the kind of reuse.

LSH only proposes; this stage decides, on the exact shingle sets:

* ``copy``: at least ``copy_threshold`` of the smaller article's shingles appear in the other
  (containment, not Jaccard: a copy that adds a long section keeps its containment while its
  Jaccard halves), and the shared text spans at least two matching paragraphs (one, if the
  smaller article has only one, or if ``single_paragraph_copy`` of it is inside the other: a
  teaser whose restyled headline no longer matches is still a copy of its one paragraph);
* ``rewrite``: too little verbatim text for a copy, but at least ``rewrite_min_chain``
  paragraph pairs are related (share two or more shingles and ``rewrite_paragraph`` of the
  smaller paragraph) *in the same order*, and the chained paragraphs hold at least
  ``rewrite_min_coverage`` of the smaller article's text. Independent reports of one event share
  names and a quote or two, but not an ordered chain of paragraphs: on the seeds the rewrite 001
  chains 8 of its 10 paragraphs to the AFP copy, the independent reports 000 and 004 chain at
  most 1. Coverage is measured by mass, not by paragraph count, and the pair must share at least
  ``rewrite_min_containment`` of one side, so that a few quotes (a tweet, a press remark) that two
  independent reports both print in the same order do not pass for a rewrite.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import asdict, dataclass

import numpy as np

from .config import ScanConfig
from .sketch import Evidence


@dataclass(frozen=True, slots=True)
class Comparison:
    """Exact overlap of two articles, A and B."""

    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    shared_paragraphs: int
    """Paragraphs of A matched one-to-one with a paragraph of B (``paragraph_match`` or more)."""
    ordered_paragraphs: int
    """Longest chain of related paragraph pairs in the same order in both articles."""
    ordered_coverage: float
    """Share of the smaller article's shingles that lie in the paragraphs of that chain."""
    paragraphs_a: int
    paragraphs_b: int


@dataclass(frozen=True, slots=True)
class Link:
    a: str
    b: str
    kind: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    shared_paragraphs: int
    ordered_paragraphs: int
    ordered_coverage: float

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("jaccard", "containment_a_in_b", "containment_b_in_a", "ordered_coverage"):
            data[key] = round(data[key], 4)
        return data


def compare(a: Evidence, b: Evidence, config: ScanConfig) -> Comparison | None:
    """Exact overlap of two articles' evidence shingles, or None if they share none."""
    return _compare_shared(a, b, *_shared_positions(a.values, b.values), config)


def _compare_shared(a: Evidence, b: Evidence, index_a: np.ndarray, index_b: np.ndarray,
                    config: ScanConfig) -> Comparison | None:
    shared = len(index_a)
    if shared == 0:
        return None
    size_a, size_b = len(a.values), len(b.values)
    # Shingles shared per paragraph pair (pa, pb).
    width = len(b.paragraph_sizes)
    codes, counts = np.unique(a.owner[index_a].astype(np.int64) * width + b.owner[index_b], return_counts=True)
    para_a, para_b = codes // width, codes % width
    smaller = np.minimum(a.paragraph_sizes[para_a], b.paragraph_sizes[para_b])
    overlap = counts / smaller
    matched = overlap >= config.paragraph_match
    related = matched | ((overlap >= config.rewrite_paragraph) & (counts >= 2))
    chain = _longest_ordered_chain(para_a[related], para_b[related])
    smaller_side, smaller_paragraphs = (a, para_a[related][chain]) if size_a <= size_b else (b, para_b[related][chain])
    return Comparison(
        jaccard=shared / (size_a + size_b - shared),
        containment_a_in_b=shared / size_a,
        containment_b_in_a=shared / size_b,
        shared_paragraphs=_one_to_one(para_a[matched], para_b[matched], overlap[matched]),
        ordered_paragraphs=len(chain),
        ordered_coverage=float(smaller_side.paragraph_sizes[smaller_paragraphs].sum()) / min(size_a, size_b),
        paragraphs_a=a.paragraph_count,
        paragraphs_b=b.paragraph_count,
    )


def _shared_positions(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `a` and in `b` of the values both hold; both arrays sorted and unique.

    A binary search of the shorter array into the longer: ``np.intersect1d`` would concatenate
    and re-sort both on every call, and verify runs once per candidate pair.
    """
    if len(a) > len(b):
        in_b, in_a = _shared_positions(b, a)
        return in_a, in_b
    if len(a) == 0 or len(b) == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    positions = np.searchsorted(b, a)
    positions[positions == len(b)] = 0
    found = b[positions] == a
    return np.flatnonzero(found), positions[found]


def classify(comparison: Comparison, config: ScanConfig) -> str | None:
    """'copy', 'rewrite' or None (not reuse), by the rule in this module's docstring."""
    fewer = min(comparison.paragraphs_a, comparison.paragraphs_b)
    if fewer == 0:
        return None
    containment = max(comparison.containment_a_in_b, comparison.containment_b_in_a)
    enough_paragraphs = comparison.shared_paragraphs >= min(2, fewer) or (
        comparison.shared_paragraphs >= 1 and containment >= config.single_paragraph_copy)
    if containment >= config.copy_threshold and enough_paragraphs:
        return "copy"
    if (comparison.ordered_paragraphs >= config.rewrite_min_chain
            and comparison.ordered_coverage >= config.rewrite_min_coverage
            and containment >= config.rewrite_min_containment):
        return "rewrite"
    return None


def verify(id_a: str, a: Evidence, id_b: str, b: Evidence, config: ScanConfig) -> Link | None:
    """The link between two articles if their overlap is reuse, else None.

    Every kind of link needs some containment (``copy_threshold`` for a copy,
    ``rewrite_min_containment`` for a rewrite), so a pair below both is rejected as soon as its
    shared shingles are counted, before the paragraph analysis: most LSH candidates end there.
    """
    index_a, index_b = _shared_positions(a.values, b.values)
    least = min(config.copy_threshold, config.rewrite_min_containment)
    if len(index_a) < least * min(len(a.values), len(b.values)):
        return None
    comparison = _compare_shared(a, b, index_a, index_b, config)
    if comparison is None:
        return None
    kind = classify(comparison, config)
    if kind is None:
        return None
    return Link(a=id_a, b=id_b, kind=kind, jaccard=comparison.jaccard,
                containment_a_in_b=comparison.containment_a_in_b,
                containment_b_in_a=comparison.containment_b_in_a,
                shared_paragraphs=comparison.shared_paragraphs,
                ordered_paragraphs=comparison.ordered_paragraphs,
                ordered_coverage=comparison.ordered_coverage)


def _one_to_one(para_a: np.ndarray, para_b: np.ndarray, score: np.ndarray) -> int:
    """Size of a greedy one-to-one matching, best-scoring pairs first."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    for i in np.argsort(-score, kind="stable"):
        pa, pb = int(para_a[i]), int(para_b[i])
        if pa not in used_a and pb not in used_b:
            used_a.add(pa)
            used_b.add(pb)
    return len(used_a)


def _longest_ordered_chain(para_a: np.ndarray, para_b: np.ndarray) -> np.ndarray:
    """Indices of the longest set of pairs increasing in both articles (each paragraph used once).

    Patience sorting on the copy's paragraph numbers, after ordering pairs by the source's (ties
    by decreasing copy number, so one source paragraph cannot be used twice), with back-pointers.
    """
    order = np.lexsort((-para_b, para_a))
    tails: list[int] = []  # copy paragraph number ending the best chain of each length
    tail_index: list[int] = []  # position in `order` of that pair
    previous = [-1] * len(order)
    for position, pb in enumerate(para_b[order].tolist()):
        length = bisect_left(tails, pb)
        previous[position] = tail_index[length - 1] if length else -1
        if length == len(tails):
            tails.append(pb)
            tail_index.append(position)
        else:
            tails[length] = pb
            tail_index[length] = position
    chain = []
    position = tail_index[-1] if tail_index else -1
    while position >= 0:
        chain.append(order[position])
        position = previous[position]
    return np.array(chain[::-1], dtype=np.int64)
