"""How views name and measure reuse: the kinds of link, the shares a link carries, a cluster's agency.

Every view (the outlet table, provenance, the HTML report) reads links through this module,
so a new kind of link or a new way of measuring its shares changes one line here:

* ``KINDS`` describes each kind of link; a view counts and shows whatever kinds appear, and
  an unknown kind is shown under its own name.
* ``link_shares`` is the one place that reads a link's numbers: the share of each side's text
  found in the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from .credit import AGENCIES
from .scan import ArticleInfo, Cluster
from .verify import Link

KINDS: dict[str, str] = {
    "copy": "a full copy of the source, verbatim or edited, possibly with material of its own",
    "excerpt": "carries a part of the source, verbatim or edited, inside a text of its own",
    "rewrite": "follows the source's paragraphs in order, paraphrased",
    "indirect": "linked to another copy in the cluster, not to the source itself",
    "source": "the cluster's probable source: the wire text the others derive from",
}
"""Kind → what it means, for legends and help. The first three are kinds of link (syndicate.verify)."""

UNCREDITED = "uncredited"
"""The agency of a cluster whose source credits none: the text is reused, its agency unknown."""


def kinds_in_order(kinds: Iterable[str]) -> list[str]:
    """The kinds given, in KINDS order, then any unknown ones by name."""
    present = set(kinds)
    return [kind for kind in KINDS if kind in present] + sorted(present - KINDS.keys())


def link_shares(link: Link) -> tuple[float, float]:
    """(share of a's text found in b, share of b's text found in a)."""
    return link.containment_a_in_b, link.containment_b_in_a


def share_inside(link: Link, article_id: str) -> float:
    """Share of `article_id`'s text (one side of the link) found in the other side."""
    a_in_b, b_in_a = link_shares(link)
    return a_in_b if link.a == article_id else b_in_a


def member_kinds(cluster: Cluster) -> dict[str, str]:
    """Each member's relation to the source: 'source', the kind of its link to it, or 'indirect'."""
    kinds = dict.fromkeys(cluster.members, "indirect")
    for link in cluster.links:
        if cluster.source in (link.a, link.b):
            kinds[link.b if link.a == cluster.source else link.a] = link.kind
    if cluster.source is not None:
        kinds[cluster.source] = "source"
    return kinds


def member_shares(cluster: Cluster) -> dict[str, float]:
    """Per member other than the source: the share of its own text found in the source.

    A member linked to the source directly is measured against it; an indirect member by its
    best link to another member (which carries the source's text in turn).
    """
    direct: dict[str, float] = {}
    best: dict[str, float] = {}
    for link in cluster.links:
        for member, other in ((link.a, link.b), (link.b, link.a)):
            share = share_inside(link, member)
            if other == cluster.source:
                direct[member] = share
            best[member] = max(best.get(member, 0.0), share)
    return {m: direct.get(m, best.get(m, 0.0)) for m in cluster.members if m != cluster.source}


def cluster_agency(cluster: Cluster, info: Mapping[str, ArticleInfo]) -> str:
    """The agency whose copy a cluster reuses: the source's credit, else the credit most of its members
    give (ties in name order), else UNCREDITED."""
    if cluster.source is not None and info[cluster.source].credit:
        return str(info[cluster.source].credit)
    credits = Counter(info[m].credit for m in cluster.members if info[m].credit)
    if not credits:
        return UNCREDITED
    return min(credits, key=lambda agency: (-credits[agency], agency))


def is_agency_outlet(outlet: str | None, agency: str) -> bool:
    """Whether an outlet is the agency itself (an agency's own feed is not reuse of its copy)."""
    return outlet is not None and AGENCIES.get(outlet.strip().lower()) == agency
