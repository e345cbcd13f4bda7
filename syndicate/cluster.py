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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .terms import first_of_runs
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
    return bool(_strong(link.a_in_b, link.b_in_a, mutual))


def _strong(a_in_b: float | np.ndarray, b_in_a: float | np.ndarray, mutual: float) -> bool | np.ndarray:
    """:func:`is_strong` of one link's shares, or of many links' (arrays)."""
    return np.minimum(a_in_b, b_in_a) >= mutual


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
    article in a core's share (see the module doc); without it every article weighs the same.

    Each step is a few whole-array passes over the links, the articles numbered in the order of their ids (so a
    component's smallest number is its smallest id): a scan runs this in its driver alone, over every link of the
    archive (143,000 at a million articles)."""
    links = [link for link in links if link.kind != QUOTES]
    if not links:
        return []
    graph = _Graph.of(links, words or {})
    if len(np.unique(graph.a * len(graph.names) + graph.b)) < len(links):
        # A link given twice counts once (links were kept in sets); two different links of one pair both count.
        links = list(dict.fromkeys(links))
        graph = _Graph.of(links, words or {})
    strong = _strong(graph.a_in_b, graph.b_in_a, mutual)
    cores = _components(len(graph.names), graph.a[strong], graph.b[strong])
    joining, host = _attachments(graph, cores, mutual)
    return _groups(links, graph, _components(len(graph.names), joining, host, cores), mutual, partial_share)


@dataclass(frozen=True)
class _Graph:
    """The links as arrays: per link its articles' numbers and shares; per article (numbered in id order) its
    name and its weight in a core's share."""

    names: list[str]
    a: np.ndarray
    b: np.ndarray
    a_in_b: np.ndarray
    b_in_a: np.ndarray
    words: np.ndarray

    @classmethod
    def of(cls, links: list[Link], words: Mapping[str, int]) -> _Graph:
        names = sorted({article for link in links for article in (link.a, link.b)})
        number = {name: index for index, name in enumerate(names)}
        count = len(links)
        return cls(names=names,
                   a=np.fromiter((number[link.a] for link in links), dtype=np.int64, count=count),
                   b=np.fromiter((number[link.b] for link in links), dtype=np.int64, count=count),
                   a_in_b=np.fromiter((link.a_in_b for link in links), dtype=np.float64, count=count),
                   b_in_a=np.fromiter((link.b_in_a for link in links), dtype=np.float64, count=count),
                   words=np.fromiter((words.get(name, 1) for name in names), dtype=np.int64, count=len(names)))


def _components(count: int, u: np.ndarray, v: np.ndarray, joined: np.ndarray | None = None) -> np.ndarray:
    """Each of `count` nodes' component, named by its smallest node: nodes joined by the edges u[k]-v[k], and by
    sharing a name in `joined` (components found before).

    Every name points at a node no larger than the named node, so the names form a forest: each round hooks the
    larger root of every edge whose ends differ under the smaller one, then follows the pointers to the roots."""
    root = np.arange(count) if joined is None else joined.copy()
    while True:
        root_u, root_v = root[u], root[v]
        apart = (root_u != root_v).nonzero()[0]
        if len(apart) == 0:
            return root
        root_u, root_v = root_u[apart], root_v[apart]
        np.minimum.at(root, np.maximum(root_u, root_v), np.minimum(root_u, root_v))
        while not np.array_equal(jumped := root[root], root):
            root = jumped


def _run_starts(*columns: np.ndarray) -> np.ndarray:
    """Per row (rows sorted by the columns together): whether it starts a run of equal rows."""
    return np.logical_or.reduce([first_of_runs(column) for column in columns])


def _attachments(graph: _Graph, core: np.ndarray, mutual: float) -> tuple[np.ndarray, np.ndarray]:
    """Step 2 of the module docstring: each core (named by `core`, per article) that lies mostly inside another
    joins the best that joins nothing. The (joining core, its host) pairs."""
    root_a, root_b = core[graph.a], core[graph.b]
    cross = (root_a != root_b).nonzero()[0]
    if len(cross) == 0:
        return cross, cross
    # Each link between cores shows its a inside b's core and its b inside a's: in link order, a before b.
    member = np.column_stack([graph.a[cross], graph.b[cross]]).ravel()
    own = np.column_stack([root_a[cross], root_b[cross]]).ravel()
    other = np.column_stack([root_b[cross], root_a[cross]]).ravel()
    share = np.column_stack([graph.a_in_b[cross], graph.b_in_a[cross]]).ravel()
    # Per (core, other core, member): its best share, and where it came first (lexsort is stable).
    order = np.lexsort((member, other, own))
    own, other, member, share = own[order], other[order], member[order], share[order]
    firsts = _run_starts(own, other, member).nonzero()[0]
    best = np.maximum.reduceat(share, firsts)
    first_seen, own, other, member = order[firsts], own[firsts], other[firsts], member[firsts]
    # Per (core, other core): the words of its members inside the other, each at its best share, over the core's
    # words; added in the order the members came (np.bincount adds in input order), as a loop over the links would.
    order = np.lexsort((first_seen, other, own))
    own, other, member, best = own[order], other[order], member[order], best[order]
    starts = _run_starts(own, other)
    heads, pair = starts.nonzero()[0], starts.cumsum() - 1
    own, other = own[heads], other[heads]
    size = np.bincount(core, weights=graph.words, minlength=len(core))
    carried = np.bincount(pair, weights=graph.words[member] * best, minlength=len(heads)) / size[own]
    most = np.maximum.reduceat(best, heads)
    # A host must give a fair part of itself back: a digest holds a short story whole, but the story holds only a
    # sliver of the digest (of its best member).
    count = len(core)
    keys, back = own * count + other, other * count + own
    at = np.minimum(keys.searchsorted(back), len(keys) - 1)
    hosts = (carried >= mutual) & (keys[at] == back) & (most[at] >= HOST_SHARE)
    joins = np.zeros(count, dtype=bool)
    joins[own[hosts]] = True
    allowed = (hosts & ~joins[other]).nonzero()[0]
    # Per joining core, the host that carries the largest share of it (then the largest id, as max() of tuples).
    order = allowed[np.lexsort((other[allowed], carried[allowed], own[allowed]))]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = own[order][1:] != own[order][:-1]
    return own[order[last]], other[order[last]]


def _groups(links: list[Link], graph: _Graph, root: np.ndarray, mutual: float, partial_share: float) -> list[Group]:
    """The clusters of the final components: members, their links, partial members."""
    root_a, root_b = root[graph.a], root[graph.b]
    same = root_a == root_b
    grouped = np.zeros(len(root), dtype=bool)  # the cores with members of their own, before partial members
    grouped[root_a[same]] = True
    # A link between two clusters puts the article carried into its own cluster, and its carrier among that
    # cluster's partial members, when enough of it lies inside the carrier (a story of one article only when
    # another carries most of it: quoted whole in a digest).
    cross = ~same
    b_carried = (cross & (graph.b_in_a >= np.where(grouped[root_b], partial_share, mutual))).nonzero()[0]
    a_carried = (cross & (graph.a_in_b >= np.where(grouped[root_a], partial_share, mutual))).nonzero()[0]
    within = same.nonzero()[0]
    count = len(root)
    member_keys = np.unique(np.concatenate([
        root_a[within] * count + graph.a[within], root_a[within] * count + graph.b[within],
        root_b[b_carried] * count + graph.b[b_carried], root_a[a_carried] * count + graph.a[a_carried]]))
    # A carrier lies in another cluster than the article it carries, so it is never a member of that one.
    partial_keys = np.unique(np.concatenate([root_b[b_carried] * count + graph.a[b_carried],
                                             root_a[a_carried] * count + graph.b[a_carried]]))
    link_root = np.concatenate([root_a[within], root_b[b_carried], root_a[a_carried]])
    link_number = np.concatenate([within, b_carried, a_carried])
    order = np.lexsort((link_number, graph.b[link_number], graph.a[link_number], link_root))
    link_root, link_number = link_root[order], link_number[order]
    names = graph.names
    member_root, member = np.divmod(member_keys, count)
    partial_root, partial = np.divmod(partial_keys, count)
    cluster_roots = member_root[first_of_runs(member_root)]
    member_bounds, partial_bounds, link_bounds = (np.append(rows.searchsorted(cluster_roots), len(rows)).tolist()
                                                  for rows in (member_root, partial_root, link_root))
    member_names = [names[i] for i in member.tolist()]
    partial_names = [names[i] for i in partial.tolist()]
    ordered_links = [links[k] for k in link_number.tolist()]
    groups = []
    for k in range(len(cluster_roots)):
        if member_bounds[k + 1] - member_bounds[k] > 1 or partial_bounds[k + 1] > partial_bounds[k]:
            groups.append(Group(member_names[member_bounds[k]:member_bounds[k + 1]],
                                ordered_links[link_bounds[k]:link_bounds[k + 1]],
                                partial_names[partial_bounds[k]:partial_bounds[k + 1]]))
    groups.sort(key=lambda group: (-len(group.members), group.members[0]))
    return groups
