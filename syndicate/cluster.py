"""Group verified links into clusters, one story each: union-find over links, never over raw LSH candidates.

Connected components of unverified candidates chain unrelated stories into giant groups (a
peer's known failure). Verified links can still chain when reuse is one-sided: a digest ("News
in Brief", AP's "The Latest") carries the top of several stories, a teaser carries a part of one.
So clusters are built in two steps, on the same evidence that decided the links (the share of
each article inside the units aligned with the other):

1. **Cores**: articles whose link shows each lying at least ``MUTUAL_SHARE`` inside the other
   unite: write-thrus and outlet copies of one story.
2. **Attachments**: a core that lies mostly (``MUTUAL_SHARE``) inside another core joins the one
   that carries the largest share of it: a teaser, a trimmed copy, a rewrite, a group of trimmed
   copies joins its story. The host must hold a fair part of itself inside the core too
   (``HOST_SHARE`` of one of its members): a live file that pastes a short story whole is 5–8 %
   that story, a story's teaser is 15 % or more of it, so the short story and its copies stay a
   story of their own, with the live file as a partial member. How much of a core lies inside
   another is the words of its members inside it (each member counted by its best link there)
   over the core's words: one short copy of a story quoted whole in a digest does not carry the
   story's other copies into the digest.
   Only cores that join nothing themselves take others in, so an article cannot bridge two
   stories: a short story quoted whole in a digest does not follow the digest into the cluster of
   the story the digest is mostly about.

An article that carries a part of another cluster's story without belonging to it (the digest, a
round-up, a composite of two wire stories) is that cluster's **partial member**: a link shows at
least ``PARTIAL_SHARE`` of a member's text inside it. A story of one article is a cluster when
another article carries most of it (``MUTUAL_SHARE``: a short story quoted whole in a digest).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .verify import QUOTES, Link

MUTUAL_SHARE = 0.5
PARTIAL_SHARE = 0.2
HOST_SHARE = 0.1


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

    def roots(self) -> dict[str, str]:
        """Every item's root."""
        return {item: self.find(item) for item in list(self._parent)}

    def sizes(self) -> dict[str, int]:
        """Members per component, keyed by root."""
        counts: dict[str, int] = defaultdict(int)
        for item in list(self._parent):
            counts[self.find(item)] += 1
        return counts


def is_strong(link: Link, mutual: float = MUTUAL_SHARE) -> bool:
    """Each article lies at least `mutual` inside the other."""
    return min(link.a_in_b, link.b_in_a) >= mutual


@dataclass(frozen=True)
class Group:
    members: list[str]
    """In id order."""
    links: list[Link]
    """Links between members, and between a partial member and a member whose text it carries."""
    partial: list[str]
    """Articles of other clusters that carry part of this one's story (in id order)."""


def group_links(links: Iterable[Link], words: Mapping[str, int] | None = None, mutual: float = MUTUAL_SHARE,
                partial_share: float = PARTIAL_SHARE) -> list[Group]:
    """Clusters, largest first (then by first member). Links of kind "quotes" are ignored. `words` weighs each
    article in a core's share (see the module doc); without it every article weighs the same."""
    links = [link for link in links if link.kind != QUOTES]
    forest = UnionFind()
    for link in links:
        forest.find(link.a)
        forest.find(link.b)
        if is_strong(link, mutual):
            forest.union(link.a, link.b)
    _attach(forest, links, words or {}, mutual)
    root_of = forest.roots()  # the forest is final: each item's root, looked up once
    members: dict[str, set[str]] = defaultdict(set)
    inside: dict[str, list[Link]] = defaultdict(list)
    for link in links:
        root_a, root_b = root_of[link.a], root_of[link.b]
        if root_a == root_b:
            members[root_a].update((link.a, link.b))
            inside[root_a].append(link)
    partial: dict[str, set[str]] = defaultdict(set)
    grouped = set(members)  # the cores with members of their own, before partial members are added
    for link in links:
        root_a, root_b = root_of[link.a], root_of[link.b]
        for carrier, carried, root in ((link.a, link.b, root_b), (link.b, link.a, root_a)) if root_a != root_b else ():
            # A story of one article is a cluster only when another carries most of it (quoted whole in a digest).
            least = partial_share if root in grouped else mutual
            if link.share_of(carried) >= least:
                partial[root].add(carrier)
                members[root].add(carried)
                inside[root].append(link)
    groups = [Group(sorted(members[root]), _sorted_links(inside[root]), sorted(partial[root] - members[root]))
              for root in members if len(members[root]) > 1 or partial[root] - members[root]]
    groups.sort(key=lambda group: (-len(group.members), group.members[0]))
    return groups


def _attach(forest: UnionFind, links: list[Link], words: Mapping[str, int], mutual: float) -> None:
    """Step 2 of the module docstring: each core that lies mostly inside another joins the best that joins nothing."""
    inside: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)  # (core, other core) -> member -> share
    for link in links:
        root_a, root_b = forest.find(link.a), forest.find(link.b)
        if root_a != root_b:
            for member, root, other, share in ((link.a, root_a, root_b, link.a_in_b), (link.b, root_b, root_a,
                                                                                       link.b_in_a)):
                best = inside[root, other]
                best[member] = max(best.get(member, 0.0), share)
    cores: dict[str, list[str]] = defaultdict(list)
    for item, root in forest.roots().items():
        cores[root].append(item)
    size = {root: sum(words.get(m, 1) for m in members) for root, members in cores.items()}
    carried: dict[str, dict[str, float]] = defaultdict(dict)
    for (core, other), shares in inside.items():
        carried[core][other] = sum(words.get(m, 1) * share for m, share in shares.items()) / size[core]
    # A host must give a fair part of itself back: a digest holds a short story whole, but the story holds
    # only a sliver of the digest (of its best member).
    hosts = {core: {other for other, share in shares.items() if share >= mutual
                    and max(inside.get((other, core), {}).values(), default=0.0) >= HOST_SHARE}
             for core, shares in carried.items()}
    joining = {core for core, others in hosts.items() if others}
    for core in sorted(joining):
        targets = [(carried[core][other], other) for other in hosts[core] if other not in joining]
        if targets:
            forest.union(core, max(targets)[1])


def _sorted_links(links: Sequence[Link]) -> list[Link]:
    return sorted(set(links), key=lambda link: (link.a, link.b))
