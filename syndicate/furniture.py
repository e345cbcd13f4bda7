"""Learn page furniture from the archive itself, so that it never counts as evidence.

A paragraph that recurs in many articles is either furniture ("Skip to main content",
share buttons, a site's stock caption) or wire text republished by many outlets. Counting
alone cannot tell them apart; what they recur *across* can:

* furniture recurs across **different stories** (of one outlet, or of many);
* wire text recurs across outlets **within one story**.

So for each recurring paragraph we ask how many different stories its carriers tell, where
two carriers tell the same story when, *leaving the paragraph itself out*, a good share of the
smaller one's shingles is found in the other (``story_containment``). Carriers that are little
more than the paragraph (a caption-only page, a one-paragraph teaser) say nothing about
stories and are left out of the count. A paragraph is furniture when its carriers span at
least ``furniture_min_stories`` stories, or when it stays within one or two outlets
(``furniture_max_site_outlets``) and two carriers from the same outlet tell different stories
(a site's stock caption under two unrelated articles). A paragraph republished by twenty
outlets of one wire story spans one story and stays evidence, even where an outlet also ran a
digest quoting it.

Templates recur at the scale of words too: a thousand eurobond briefs say "is issuing a … eurobond
due … lead manager", a different company each time. A content term held by a good share of the
archive (``template_term_share``, and ``template_term_articles`` articles at least) is template
vocabulary and stops counting toward edited and paraphrased sentences (:func:`~syndicate.terms.template_terms`);
numbers never do, since they are the facts a rewrite keeps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

from .columns import SketchColumns
from .config import ScanConfig
from .passages import shared_positions
from .sorting import distinct, sort_with_order
from .terms import first_of_runs


def learn_furniture_columns(columns: SketchColumns, config: ScanConfig) -> set[int]:
    """Fingerprints of the paragraphs that are furniture among these articles (a scan's, or the index's carriers)."""
    carriers, paragraph_size = recurring_paragraphs(columns)
    return judge_recurring(columns, config, carriers, paragraph_size)


def recurring_paragraphs(columns: SketchColumns) -> tuple[dict[int, list[int]], dict[int, int]]:
    """Per paragraph fingerprint carried by two articles or more: its carriers, in article order, and its size in
    shingles (see :class:`RecurringRuns`)."""
    return recurring_runs(columns).paragraphs()


def recurring_runs(columns: SketchColumns, within: tuple[int, int] | None = None) -> RecurringRuns:
    """The recurring paragraphs of these articles as arrays (see :class:`RecurringRuns`); only those whose
    fingerprints lie `within` (first, last), when given."""
    return RecurringRuns.of(columns.column("fingerprints"), columns.column("shingle_sizes"),
                            columns.article_of_paragraph(), within)


def fingerprint_ranges(count: int) -> list[tuple[int, int]]:
    """`count` ranges (first, last) of about equal width that cover every 64-bit fingerprint, in order (paragraph
    fingerprints are hashes: the paragraphs spread evenly over them)."""
    cuts = [(1 << 64) * k // count for k in range(count + 1)]
    return [(cuts[k], cuts[k + 1] - 1) for k in range(count)]


def judge_recurring(columns: SketchColumns, config: ScanConfig, carriers: dict[int, list[int]],
                    paragraph_size: dict[int, int]) -> set[int]:
    """The furniture among these recurring paragraphs. Each is judged on its own carriers only, so any
    split of `carriers` judged apart gives, united, the same set (a scan judges them in worker processes)."""
    judged = distinct(np.fromiter(chain.from_iterable(carriers.values()), dtype=np.int64))
    sizes, outlets = columns.story_facts(judged)
    story = _StoryOracle(columns.story_set, config.story_containment, dict(zip(judged.tolist(), sizes, strict=True)))
    return _judge(carriers, paragraph_size, dict(zip(judged.tolist(), outlets, strict=True)).__getitem__, story,
                  config)


@dataclass(frozen=True)
class RecurringRuns:
    """Every paragraph fingerprint carried by two articles or more, as runs of arrays: fingerprint ``k``'s carriers,
    in article order, are ``carrier[start[k] : start[k] + count[k]]``, and its size in shingles is ``size[k]`` (its
    first occurrence in the last carrier). Fingerprints ascend with ``k``. A scan's driver makes these with a sort,
    and its workers make the dictionaries of a share of them (:meth:`paragraphs`)."""

    fingerprint: np.ndarray
    start: np.ndarray
    count: np.ndarray
    size: np.ndarray
    carrier: np.ndarray

    @classmethod
    def of(cls, fingerprints: np.ndarray, sizes: np.ndarray, article: np.ndarray,
           within: tuple[int, int] | None = None) -> RecurringRuns:
        """From per-paragraph fingerprints, shingle sizes and articles; paragraphs without shingles carry nothing,
        nor those whose fingerprints lie outside `within` (first, last), when given. One sort of the fingerprint
        column rather than a dictionary entry per paragraph (~0.7 KB per article at a million articles)."""
        kept = sizes > 0
        if within is not None:
            kept &= (fingerprints >= np.uint64(within[0])) & (fingerprints <= np.uint64(within[1]))
        rows = np.flatnonzero(kept)
        order, found = sort_with_order(fingerprints[rows])  # by fingerprint, then paragraph (= article) order
        rows = rows[order]
        carrier = article[rows]
        new_carrier = np.ones(len(rows), dtype=bool)
        new_carrier[1:] = (found[1:] != found[:-1]) | (carrier[1:] != carrier[:-1])
        rows, found, carrier = rows[new_carrier], found[new_carrier], carrier[new_carrier]
        starts = np.flatnonzero(first_of_runs(found))
        counts = np.diff(np.r_[starts, len(found)])
        recurring = counts >= 2
        starts, counts = starts[recurring], counts[recurring]
        return cls(fingerprint=found[starts], start=starts, count=counts, size=sizes[rows[starts + counts - 1]],
                   carrier=carrier)

    @classmethod
    def joined(cls, parts: Sequence[RecurringRuns]) -> RecurringRuns:
        """The runs of parts (one or more) made for ascending ranges of fingerprints (see
        :func:`fingerprint_ranges`), as the runs of the whole: a scan's workers sort a range each."""
        bases = np.cumsum([0, *(len(part.carrier) for part in parts)])
        return cls(fingerprint=np.concatenate([part.fingerprint for part in parts]),
                   start=np.concatenate([part.start + base for part, base in zip(parts, bases.tolist(), strict=False)]),
                   count=np.concatenate([part.count for part in parts]),
                   size=np.concatenate([part.size for part in parts]),
                   carrier=np.concatenate([part.carrier for part in parts]))

    def __len__(self) -> int:
        return len(self.start)

    def by_first_carrier(self) -> np.ndarray:
        """The runs ordered by their first carrier (then by fingerprint): a site's bundle of furniture together."""
        return np.argsort(self.carrier[self.start], kind="stable")

    def shares(self, sample: int, budget: float, most: int) -> list[np.ndarray]:
        """The runs by first carrier, cut into shares of about `budget` in estimated cost and `most` runs at most,
        for workers to judge a share each. A run costs about ``1 + min(carriers, sample)² / 16``: a story count
        weighs every pair of its sample of carriers, and the few paragraphs with many carriers (a site's bundle of
        furniture, all with early first carriers) would otherwise fill one share that the others wait for."""
        order = self.by_first_carrier()
        if not len(order):
            return []
        spent = np.cumsum(1 + np.minimum(self.count[order], sample) ** 2 / 16)
        cuts = np.union1d(np.searchsorted(spent, np.arange(budget, spent[-1], budget), side="right"),
                          np.arange(most, len(order), most))
        return [share for share in np.split(order, cuts) if len(share)]

    def paragraphs(self, runs: np.ndarray | None = None) -> tuple[dict[int, list[int]], dict[int, int]]:
        """Per fingerprint of these runs (default: all, by fingerprint), in their order: its carriers, and its size."""
        selected = slice(None) if runs is None else runs
        carriers: dict[int, list[int]] = {}
        paragraph_size: dict[int, int] = {}
        for fingerprint, start, count, size in zip(self.fingerprint[selected].tolist(), self.start[selected].tolist(),
                                                   self.count[selected].tolist(), self.size[selected].tolist(),
                                                   strict=True):
            carriers[fingerprint] = self.carrier[start : start + count].tolist()
            paragraph_size[fingerprint] = size
        return carriers, paragraph_size


def _judge(carriers: dict[int, list[int]], paragraph_size: dict[int, int], outlet_of: Callable[[int], str | None],
           story: _StoryOracle, config: ScanConfig) -> set[int]:
    """The furniture among recurring paragraphs, by the rule in this module's docstring."""
    furniture: set[int] = set()
    for fingerprint, members in carriers.items():
        if len(members) < 2:
            continue
        size = paragraph_size[fingerprint]
        informative = [m for m in members if story.size(m) >= 2 * size]
        outlets = {outlet for outlet in map(outlet_of, members) if outlet}
        site_only = len(outlets) <= config.furniture_max_site_outlets
        if (site_only and _same_outlet_different_stories(informative, outlet_of, story, size)) or (
            len(members) >= config.furniture_min_articles
            and _story_count(_sample(informative, config.furniture_sample), story, size)
            >= config.furniture_min_stories
        ):
            furniture.add(fingerprint)
    return furniture


def _sample(members: list[int], limit: int) -> list[int]:
    if len(members) <= limit:
        return members
    picks = np.linspace(0, len(members) - 1, limit).round().astype(int)
    return [members[i] for i in picks]


def _same_outlet_different_stories(members: list[int], outlet_of: Callable[[int], str | None],
                                   story: _StoryOracle, excluded: int) -> bool:
    by_outlet: dict[str, list[int]] = defaultdict(list)
    for member in members:
        outlet = outlet_of(member)
        if outlet:
            by_outlet[outlet.lower()].append(member)
    for group in by_outlet.values():
        group = group[:16]
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if not story.same(a, b, excluded):
                    return True
    return False


def _story_count(members: list[int], story: _StoryOracle, excluded: int) -> int:
    """Connected components of the carriers under 'tells the same story' (leaving `excluded` shingles out).

    Few carriers: pair by pair, skipping pairs already joined, each a sorted-set intersection. More: every pair's
    shared count at once (:func:`shared_counts`). A paragraph that is furniture spans many stories, so pair by
    pair joins little and asks nearly every pair; the components are the same either way."""
    if len(members) < SHARED_MATRIX_MEMBERS:
        return _components(len(members), lambda i, j: story.same(members[i], members[j], excluded))
    same = story.same_matrix(members, excluded)
    return _components(len(members), lambda i, j: bool(same[i, j]))


def _components(count: int, joined: Callable[[int, int], bool]) -> int:
    """The number of connected components of `count` nodes under `joined` (asked only of pairs not yet joined)."""
    parent = list(range(count))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(count):
        for j in range(i + 1, count):
            if find(i) != find(j) and joined(i, j):
                parent[find(j)] = find(i)
    return len({find(i) for i in range(count)})


SHARED_MATRIX_MEMBERS = 8
"""From this many carriers on, a story count takes every pair's shared shingles in one pass (see _story_count)."""


class _StoryOracle:
    """'Do these two articles tell the same story?', on whole-article shingle containment.

    `set_of` gives an article's distinct shingles, sorted; `sizes` holds the count of every article asked about.
    The shared-shingle count of a pair is memoised: a site's furniture comes in bundles, so the same pairs are
    asked about once per paragraph of the bundle.
    """

    def __init__(self, set_of: Callable[[int], np.ndarray], threshold: float, sizes: dict[int, int]) -> None:
        self._set, self._threshold, self._sizes = set_of, threshold, sizes
        self._shared: dict[tuple[int, int], int] = {}

    def size(self, index: int) -> int:
        return self._sizes[index]

    def same(self, a: int, b: int, excluded: int) -> bool:
        """Same story, not counting the `excluded` shingles both carry (the paragraph under test)."""
        key = (a, b) if a < b else (b, a)
        shared = self._shared.get(key)
        if shared is None:
            shared = len(shared_positions(self._set(a), self._set(b))[0])
            self._shared[key] = shared
        rest = min(self._sizes[a], self._sizes[b]) - excluded
        return rest > 0 and (shared - excluded) / rest >= self._threshold

    def same_matrix(self, members: list[int], excluded: int) -> np.ndarray:
        """:meth:`same` of every pair of `members` (distinct articles), as a matrix."""
        sizes = np.array([self._sizes[m] for m in members], dtype=np.int64)
        rest = np.minimum.outer(sizes, sizes) - excluded
        shared = shared_counts([self._set(m) for m in members]) - excluded
        return (rest > 0) & (shared / np.maximum(rest, 1) >= self._threshold)  # the division same() makes


def shared_counts(sets: list[np.ndarray]) -> np.ndarray:
    """How many values each pair of these sorted arrays of distinct values shares, as a symmetric matrix whose
    diagonal holds each array's size: one sort of all the values, then the product of the incidence matrix of the
    values held twice or more with itself."""
    sizes = np.array([len(values) for values in sets], dtype=np.int64)
    shared = np.zeros((len(sets), len(sets)), dtype=np.int64)
    if sizes.sum():
        values = np.concatenate(sets)
        order, values = sort_with_order(values)
        owner = np.repeat(np.arange(len(sets), dtype=np.int64), sizes)[order]
        counts = np.diff(np.r_[np.flatnonzero(first_of_runs(values)), len(values)])
        repeated = counts >= 2
        held = np.repeat(repeated, counts)
        incidence = np.zeros((len(sets), int(repeated.sum())), dtype=np.float32)
        incidence[owner[held], np.repeat(np.cumsum(repeated) - 1, counts)[held]] = 1.0
        shared = (incidence @ incidence.T).round().astype(np.int64)
    np.fill_diagonal(shared, sizes)
    return shared
