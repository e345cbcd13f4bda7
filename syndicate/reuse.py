"""How views name and measure reuse: the kinds of link, the shares a link carries, a cluster's agency.

Every view (the outlet table, provenance, the HTML report) reads links through this module,
so a new kind of link or a new way of measuring its shares changes one line here:

* ``KINDS`` describes each kind of link; a view counts and shows whatever kinds appear, and
  an unknown kind is shown under its own name.
* a link's numbers are read through ``Link.share_of`` (the share of one side's words inside the
  passages aligned with the other).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from .credit import AGENCIES
from .scan import ArticleInfo, Cluster

KINDS: dict[str, str] = {
    "copy": "the source's sentences, verbatim or edited, for half of it or of the source or more (it may add its own)",
    "excerpt": "a part of the source (a fifth of either or more), verbatim or edited, inside text of its own",
    "rewrite": "the source's sentences in the same order, paraphrased",
    "indirect": "linked to another member, not to the source itself (a copy of a copy)",
    "partial": "belongs to another cluster but carries part of this story (a digest, a round-up, a composite)",
    "source": "the cluster's probable source: the member that holds the text the others share",
}
"""Kind → what it means, for legends and help. The first three are kinds of link (syndicate.verify)."""
INDIRECT, PARTIAL, SOURCE = "indirect", "partial", "source"

UNCREDITED = "uncredited"
"""The agency of a cluster whose source credits none: the text is reused, its agency unknown."""


def kinds_in_order(kinds: Iterable[str]) -> list[str]:
    """The kinds given, in KINDS order, then any unknown ones by name."""
    present = set(kinds)
    return [kind for kind in KINDS if kind in present] + sorted(present - KINDS.keys())


def kind_order(kind: str) -> int:
    return list(KINDS).index(kind) if kind in KINDS else len(KINDS)


def member_kinds(cluster: Cluster, source: bool = True) -> dict[str, str]:
    """Each member's relation to the source: the kind of its link to it, 'indirect', 'partial' for the partial
    members, and (with `source`) 'source' for the source itself."""
    kinds = dict.fromkeys(cluster.members, INDIRECT) | dict.fromkeys(cluster.partial, PARTIAL)
    for link in cluster.links:
        if cluster.source in (link.a, link.b):
            other = link.b if link.a == cluster.source else link.a
            if other in cluster.members:
                kinds[other] = link.kind
    if cluster.source is not None:
        if source:
            kinds[cluster.source] = SOURCE
        else:
            del kinds[cluster.source]
    return kinds


def kind_counts(cluster: Cluster) -> dict[str, int]:
    """Members other than the source per kind (see member_kinds), in the order of KINDS."""
    counts = Counter(member_kinds(cluster, source=False).values())
    return dict(sorted(counts.items(), key=lambda item: (kind_order(item[0]), item[0])))


def member_shares(cluster: Cluster) -> dict[str, float]:
    """Per member other than the source, partial members included: the share of its own text found in
    the source.

    A member linked to the source directly is measured against it; an indirect or partial member by
    its best link to another member (which carries the source's text in turn).
    """
    direct: dict[str, float] = {}
    best: dict[str, float] = {}
    for link in cluster.links:
        for member, other in ((link.a, link.b), (link.b, link.a)):
            share = link.share_of(member)
            if other == cluster.source:
                direct[member] = share
            best[member] = max(best.get(member, 0.0), share)
    return {m: direct.get(m, best.get(m, 0.0)) for m in (*cluster.members, *cluster.partial) if m != cluster.source}


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
