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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .columns import SketchColumns
from .config import ScanConfig
from .terms import first_of_runs


def learn_furniture_columns(columns: SketchColumns, config: ScanConfig) -> set[int]:
    """Fingerprints of the paragraphs that are furniture among these articles (a scan's, or the index's carriers)."""
    carriers, paragraph_size = recurring_paragraphs(columns)
    return judge_recurring(columns, config, carriers, paragraph_size)


def recurring_paragraphs(columns: SketchColumns) -> tuple[dict[int, list[int]], dict[int, int]]:
    """Per paragraph fingerprint carried by two articles or more: its carriers, in article order, and its size in
    shingles (see :class:`RecurringRuns`)."""
    return recurring_runs(columns).paragraphs()


def recurring_runs(columns: SketchColumns) -> RecurringRuns:
    """The recurring paragraphs of these articles as arrays (see :class:`RecurringRuns`)."""
    return RecurringRuns.of(columns.column("fingerprints"), columns.column("shingle_sizes"),
                            columns.article_of_paragraph())


def judge_recurring(columns: SketchColumns, config: ScanConfig, carriers: dict[int, list[int]],
                    paragraph_size: dict[int, int]) -> set[int]:
    """The furniture among these recurring paragraphs. Each is judged on its own carriers only, so any
    split of `carriers` judged apart gives, united, the same set (a scan judges them in worker processes)."""
    story = _StoryOracle(columns.story_set, config.story_containment, columns.story_size)
    return _judge(carriers, paragraph_size, columns.outlet, story, config)


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
    def of(cls, fingerprints: np.ndarray, sizes: np.ndarray, article: np.ndarray) -> RecurringRuns:
        """From per-paragraph fingerprints, shingle sizes and articles; paragraphs without shingles carry nothing.
        One sort of the fingerprint column rather than a dictionary entry per paragraph (~0.7 KB per article at a
        million articles)."""
        rows = np.flatnonzero(sizes > 0)
        rows = rows[np.argsort(fingerprints[rows], kind="stable")]  # by fingerprint, then paragraph (= article) order
        found, carrier = fingerprints[rows], article[rows]
        new_carrier = np.ones(len(rows), dtype=bool)
        new_carrier[1:] = (found[1:] != found[:-1]) | (carrier[1:] != carrier[:-1])
        rows, found, carrier = rows[new_carrier], found[new_carrier], carrier[new_carrier]
        starts = np.flatnonzero(first_of_runs(found))
        counts = np.diff(np.r_[starts, len(found)])
        recurring = counts >= 2
        starts, counts = starts[recurring], counts[recurring]
        return cls(fingerprint=found[starts], start=starts, count=counts, size=sizes[rows[starts + counts - 1]],
                   carrier=carrier)

    def __len__(self) -> int:
        return len(self.start)

    def by_first_carrier(self) -> np.ndarray:
        """The runs ordered by their first carrier (then by fingerprint): a site's bundle of furniture together."""
        return np.argsort(self.carrier[self.start], kind="stable")

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
    """Connected components of the carriers under 'tells the same story' (leaving `excluded` shingles out)."""
    parent = list(range(len(members)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            if find(i) != find(j) and story.same(members[i], members[j], excluded):
                parent[find(j)] = find(i)
    return len({find(i) for i in range(len(members))})


class _StoryOracle:
    """'Do these two articles tell the same story?', on whole-article shingle containment.

    The shared-shingle count of a pair is memoised: a site's furniture comes in bundles, so the
    same pairs are asked about once per paragraph of the bundle. Without `size_of` the sets are
    memoised too (they are made by `set_of`); with it, `set_of` is cheap (a view) and nothing is kept.
    """

    def __init__(self, set_of: Callable[[int], np.ndarray], threshold: float,
                 size_of: Callable[[int], int] | None = None) -> None:
        self._threshold = threshold
        self._shared: dict[tuple[int, int], int] = {}
        if size_of is None:
            sets: dict[int, np.ndarray] = {}

            def memoised(index: int) -> np.ndarray:
                if index not in sets:
                    sets[index] = set_of(index)
                return sets[index]

            self._set: Callable[[int], np.ndarray] = memoised
            self.size: Callable[[int], int] = lambda index: len(memoised(index))
        else:
            self._set, self.size = set_of, size_of

    def same(self, a: int, b: int, excluded: int) -> bool:
        """Same story, not counting the `excluded` shingles both carry (the paragraph under test)."""
        key = (a, b) if a < b else (b, a)
        shared = self._shared.get(key)
        if shared is None:
            shared = len(np.intersect1d(self._set(a), self._set(b), assume_unique=True))
            self._shared[key] = shared
        rest = min(self.size(a), self.size(b)) - excluded
        return rest > 0 and (shared - excluded) / rest >= self._threshold
