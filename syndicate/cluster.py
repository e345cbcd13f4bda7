"""Group verified links into clusters: union-find over links, never over raw LSH candidates.

Connected components of unverified candidates chain unrelated stories into giant groups
(a peer's known failure); every edge here has passed exact verification. Verified links can
still chain: a caption-only page is contained in every story that ran the photo. So an
article too thin to tell a story (fewer than two evidence paragraphs) may *join* a cluster,
the one it is most similar to, but never *merges* two.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from .verify import Link


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


def group_links(links: Iterable[Link], thin: Callable[[str], bool] = lambda _: False,
                ) -> list[tuple[list[str], list[Link]]]:
    """(members, links) per cluster, largest first, members in id order.

    Thick articles are united over their links; then each group of thin articles (united over
    thin-thin links) joins the one thick cluster it is most similar to, if any.
    """
    links = list(links)
    forest = UnionFind()
    for link in links:
        forest.find(link.a)
        forest.find(link.b)
        if thin(link.a) == thin(link.b):
            forest.union(link.a, link.b)
    best: dict[str, tuple[float, str]] = {}
    for link in links:
        if thin(link.a) != thin(link.b):
            small, large = (link.a, link.b) if thin(link.a) else (link.b, link.a)
            root = forest.find(small)
            candidate = (link.jaccard, forest.find(large))
            if root not in best or candidate > best[root]:
                best[root] = candidate
    for root, (_, target) in best.items():
        forest.union(root, target)
    members: dict[str, set[str]] = defaultdict(set)
    by_root: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        root = forest.find(link.a)
        if root == forest.find(link.b):
            members[root].update((link.a, link.b))
            by_root[root].append(link)
    groups = [(sorted(members[root]), _sorted_links(by_root[root])) for root in members]
    groups.sort(key=lambda group: (-len(group[0]), group[0][0]))
    return groups


def _sorted_links(links: Sequence[Link]) -> list[Link]:
    return sorted(links, key=lambda link: (link.a, link.b))
