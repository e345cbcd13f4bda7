"""How views name and measure reuse: member kinds and shares, a cluster's agency, the kind table."""

from __future__ import annotations

from test_cluster import link

from syndicate.reuse import (
    KINDS,
    UNCREDITED,
    cluster_agency,
    is_agency_outlet,
    kind_counts,
    kinds_in_order,
    member_kinds,
    member_shares,
)
from syndicate.scan import ArticleInfo, Cluster


def info(credit: str | None = None, outlet: str | None = None) -> ArticleInfo:
    return ArticleInfo(title=None, outlet=outlet, date=None, url=None, credit=credit, words=100, headline="h")


CLUSTER = Cluster(id=1, source="s", source_reason="agency credit (AP)", members=["c", "r", "s", "x"],
                  links=[link("s", "c", 0.6, 0.9), link("r", "s", 0.2, 0.3, kind="rewrite"), link("c", "x", 0.4, 0.7)])


def test_member_kinds_name_the_link_to_the_source_or_say_indirect_or_partial() -> None:
    assert member_kinds(CLUSTER) == {"s": "source", "c": "copy", "r": "rewrite", "x": "indirect"}
    assert set(member_kinds(CLUSTER).values()) <= KINDS.keys()
    with_digest = Cluster(id=2, source="s", source_reason="", members=["c", "s"], links=[link("s", "c")],
                          partial=["digest"])
    assert member_kinds(with_digest, source=False) == {"c": "copy", "digest": "partial"}
    assert kind_counts(with_digest) == {"copy": 1, "partial": 1}


def test_member_shares_measure_each_copy_inside_the_source_or_its_best_neighbour() -> None:
    shares = member_shares(CLUSTER)
    assert shares == {"c": 0.9, "r": 0.2, "x": 0.7}  # x is indirect: its share inside c
    assert CLUSTER.links[0].share_of("s") == 0.6 and CLUSTER.links[0].share_of("c") == 0.9


def test_cluster_agency_is_the_source_credit_else_the_members_majority_else_uncredited() -> None:
    assert cluster_agency(CLUSTER, {"s": info("AP"), "c": info("Reuters"), "r": info(), "x": info()}) == "AP"
    majority = {"s": info(), "c": info("Reuters"), "r": info("Reuters"), "x": info("AFP")}
    assert cluster_agency(CLUSTER, majority) == "Reuters"
    assert cluster_agency(CLUSTER, dict.fromkeys("scrx", info())) == UNCREDITED


def test_an_agencys_own_feed_is_recognised_by_its_outlet_name() -> None:
    assert is_agency_outlet("Reuters", "Reuters") and is_agency_outlet("The Associated Press", "AP")
    assert not is_agency_outlet("Gazette", "AP") and not is_agency_outlet(None, "AP")


def test_kinds_come_in_table_order_and_unknown_ones_last() -> None:
    assert kinds_in_order(["rewrite", "zeta", "copy", "copy", "excerpt"]) == ["copy", "excerpt", "rewrite", "zeta"]
