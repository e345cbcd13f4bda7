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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from .config import ScanConfig
from .sketch import ArticleSketch


def learn_furniture(sketches: Sequence[ArticleSketch], config: ScanConfig) -> set[int]:
    """Fingerprints of the paragraphs that are furniture in this archive."""
    carriers: dict[int, list[int]] = defaultdict(list)
    paragraph_size: dict[int, int] = {}
    for index, sketch in enumerate(sketches):
        sizes = sketch.shingles.sizes()
        for fingerprint, size in zip(sketch.fingerprints.tolist(), sizes.tolist(), strict=True):
            if size and (not carriers[fingerprint] or carriers[fingerprint][-1] != index):
                carriers[fingerprint].append(index)
                paragraph_size[fingerprint] = size
    story = _StoryOracle(sketches, config.story_containment)
    furniture: set[int] = set()
    for fingerprint, members in carriers.items():
        if len(members) < 2:
            continue
        size = paragraph_size[fingerprint]
        informative = [m for m in members if story.size(m) >= 2 * size]
        outlets = {sketches[m].outlet for m in members if sketches[m].outlet}
        site_only = len(outlets) <= config.furniture_max_site_outlets
        if (site_only and _same_outlet_different_stories(informative, sketches, story, size)) or (
            len(members) >= config.furniture_min_articles
            and _story_count(_sample(informative, config.furniture_sample), story, size)
            >= config.furniture_min_stories
        ):
            furniture.add(fingerprint)
    return furniture


def furniture_mask(sketch: ArticleSketch, furniture: set[int]) -> np.ndarray:
    """Per paragraph: True where the paragraph is furniture."""
    return np.fromiter((f in furniture for f in sketch.fingerprints.tolist()), dtype=bool,
                       count=len(sketch.fingerprints))


def _sample(members: list[int], limit: int) -> list[int]:
    if len(members) <= limit:
        return members
    picks = np.linspace(0, len(members) - 1, limit).round().astype(int)
    return [members[i] for i in picks]


def _same_outlet_different_stories(members: list[int], sketches: Sequence[ArticleSketch],
                                   story: _StoryOracle, excluded: int) -> bool:
    by_outlet: dict[str, list[int]] = defaultdict(list)
    for member in members:
        outlet = sketches[member].outlet
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
    same pairs are asked about once per paragraph of the bundle.
    """

    def __init__(self, sketches: Sequence[ArticleSketch], threshold: float) -> None:
        self._sketches = sketches
        self._threshold = threshold
        self._sets: dict[int, np.ndarray] = {}
        self._shared: dict[tuple[int, int], int] = {}

    def _set(self, index: int) -> np.ndarray:
        values = self._sets.get(index)
        if values is None:
            values = np.unique(self._sketches[index].shingles.values)
            self._sets[index] = values
        return values

    def size(self, index: int) -> int:
        return len(self._set(index))

    def same(self, a: int, b: int, excluded: int) -> bool:
        """Same story, not counting the `excluded` shingles both carry (the paragraph under test)."""
        key = (a, b) if a < b else (b, a)
        shared = self._shared.get(key)
        if shared is None:
            shared = len(np.intersect1d(self._set(a), self._set(b), assume_unique=True))
            self._shared[key] = shared
        rest = min(self.size(a), self.size(b)) - excluded
        return rest > 0 and (shared - excluded) / rest >= self._threshold
