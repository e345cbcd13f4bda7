"""Group verified links into clusters: union-find over links, never over raw LSH candidates.

Connected components of unverified candidates chain unrelated stories into giant groups (a
peer's known failure). Verified links can still chain when containment is one-sided: a
digest ("News in Brief", AP's "The Latest") contains the leads of several stories, a caption
page is contained in every story that ran the photo. So links come in two strengths:

* **strong**: a copy where each article carries at least ``mutual_containment`` of the other.
  Strong links unite their articles unconditionally.
* **weak**: one-sided copies (a short piece inside a long one) and rewrites. A weak link lets a
  lone article *join* the cluster it is most similar to. Two groups of several articles merge
  only when, over the weak links between them, each group carries at least
  ``mutual_containment`` of the other (the best containment in each direction): the rule for a
  strong link, lifted from articles to groups. A digest carries all of each story it quotes,
  but no story carries much of the digest, so the digest stays a cluster of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from .verify import Link

MUTUAL_CONTAINMENT = 0.3


class UnionFind:
    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def find(self, item: str) -> str:
        parent = self._parent.setdefault(item, item)
        while parent != item:
            grand = self._parent[parent]
            self._parent[item] = grand
            item, parent = parent, grand
        return item

    def union(self, a: str, b: str) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self._parent[max(root_a, root_b)] = min(root_a, root_b)

    def sizes(self) -> dict[str, int]:
        """Members per component, keyed by root."""
        counts: dict[str, int] = defaultdict(int)
        for item in list(self._parent):
            counts[self.find(item)] += 1
        return counts


def is_strong(link: Link, mutual_containment: float = MUTUAL_CONTAINMENT) -> bool:
    return link.kind == "copy" and min(link.containment_a_in_b, link.containment_b_in_a) >= mutual_containment


def group_links(links: Iterable[Link], mutual_containment: float = MUTUAL_CONTAINMENT,
                ) -> list[tuple[list[str], list[Link]]]:
    """(members, links inside the cluster) per cluster, largest first, members in id order."""
    links = list(links)
    forest = UnionFind()
    weak: list[Link] = []
    for link in links:
        forest.find(link.a)
        forest.find(link.b)
        if is_strong(link, mutual_containment):
            forest.union(link.a, link.b)
        else:
            weak.append(link)
    _merge_weak(forest, weak, mutual_containment)
    members: dict[str, set[str]] = defaultdict(set)
    inside: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        root = forest.find(link.a)
        if root == forest.find(link.b):
            members[root].update((link.a, link.b))
            inside[root].append(link)
    groups = [(sorted(members[root]), _sorted_links(inside[root])) for root in members]
    groups.sort(key=lambda group: (-len(group[0]), group[0][0]))
    return groups


def _merge_weak(forest: UnionFind, weak: list[Link], mutual_containment: float) -> None:
    """Apply the weak-link rule of the module docstring to the strong components in `forest`."""
    size = forest.sizes()
    between: dict[tuple[str, str], _Between] = {}
    for link in weak:
        root_a, root_b = forest.find(link.a), forest.find(link.b)
        if root_a != root_b:
            key = (root_a, root_b) if root_a < root_b else (root_b, root_a)
            between.setdefault(key, _Between()).add(link, key[0] == root_a)
    best_for_lone: dict[str, tuple[float, str]] = {}
    for (root_a, root_b), found in between.items():
        if size[root_a] > 1 and size[root_b] > 1:
            if min(found.first_in_second, found.second_in_first) >= mutual_containment:
                forest.union(root_a, root_b)
            continue
        for lone, other in ((root_a, root_b), (root_b, root_a)):
            if size[lone] == 1 and (lone not in best_for_lone or (found.strength, other) > best_for_lone[lone]):
                best_for_lone[lone] = (found.strength, other)
    for lone, (_, other) in sorted(best_for_lone.items()):
        forest.union(lone, other)


class _Between:
    """The weak links between two strong components: best Jaccard, best containment each way."""

    def __init__(self) -> None:
        self.strength = 0.0
        self.first_in_second = 0.0
        self.second_in_first = 0.0

    def add(self, link: Link, a_is_first: bool) -> None:
        a_in_b, b_in_a = link.containment_a_in_b, link.containment_b_in_a
        if not a_is_first:
            a_in_b, b_in_a = b_in_a, a_in_b
        self.strength = max(self.strength, link.jaccard)
        self.first_in_second = max(self.first_in_second, a_in_b)
        self.second_in_first = max(self.second_in_first, b_in_a)


def _sorted_links(links: Sequence[Link]) -> list[Link]:
    return sorted(links, key=lambda link: (link.a, link.b))
