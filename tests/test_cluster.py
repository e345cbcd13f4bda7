from __future__ import annotations

from datetime import UTC, datetime

from syndicate.cluster import UnionFind, group_links, is_strong
from syndicate.source import MemberFacts, choose_source
from syndicate.verify import Link


def link(a: str, b: str, a_in_b: float = 0.9, b_in_a: float = 0.9, kind: str = "copy") -> Link:
    return Link(a=a, b=b, kind=kind, jaccard=min(a_in_b, b_in_a), containment_a_in_b=a_in_b,
                containment_b_in_a=b_in_a, shared_paragraphs=3, ordered_paragraphs=3, ordered_coverage=0.5)


def test_union_find_joins_transitively() -> None:
    forest = UnionFind()
    forest.union("a", "b")
    forest.union("c", "d")
    forest.union("b", "c")
    assert len({forest.find(x) for x in "abcd"}) == 1
    assert forest.find("e") == "e"
    assert sorted(forest.sizes().values()) == [1, 4]


def test_components_largest_first_with_their_own_links() -> None:
    groups = group_links([link("x", "y"), link("a", "b"), link("b", "c")])
    assert [members for members, _ in groups] == [["a", "b", "c"], ["x", "y"]]
    assert [(found.a, found.b) for found in groups[0][1]] == [("a", "b"), ("b", "c")]


def test_a_lone_article_joins_its_closest_cluster_but_never_merges_two() -> None:
    # A caption page is contained in two stories that ran the photo (one-sided, weak links).
    links = [link("s1", "s2"), link("t1", "t2"), link("cap", "s1", 1.0, 0.05), link("cap", "t1", 1.0, 0.2)]
    members = [m for m, _ in group_links(links)]
    assert sorted(members) == [["cap", "t1", "t2"], ["s1", "s2"]]  # the higher-Jaccard side wins


def test_a_digest_run_by_several_outlets_does_not_merge_the_stories_it_quotes() -> None:
    story_a, story_b = [link("a1", "a2"), link("a2", "a3")], [link("b1", "b2")]
    digest = [link("d1", "d2"), link("a1", "d1", 1.0, 0.1), link("a2", "d2", 1.0, 0.1), link("b1", "d1", 1.0, 0.1)]
    members = [m for m, _ in group_links(story_a + story_b + digest)]
    assert sorted(members) == [["a1", "a2", "a3"], ["b1", "b2"], ["d1", "d2"]]


def test_groups_merge_when_each_carries_a_good_part_of_the_other() -> None:
    # Trimmed versions (two outlets) wholly inside the full versions; one full version carries 35% of a
    # trim back. Every link is weak on its own; together each group carries a good part of the other.
    story_a = [link("a1", "a2"), link("a2", "a3")]
    trims = [link("t1", "t2"), link("t1", "a1", 1.0, 0.2), link("a3", "t2", 0.35, 0.25)]
    members = [m for m, _ in group_links(story_a + trims)]
    assert members == [["a1", "a2", "a3", "t1", "t2"]]
    rewrites_only = [link("t1", "t2"), link("t1", "a1", 0.2, 0.25, kind="rewrite")]
    assert len(group_links(story_a + rewrites_only)) == 2


def test_strong_links_need_substantial_containment_both_ways() -> None:
    assert is_strong(link("a", "b", 0.6, 0.36))
    assert not is_strong(link("a", "b", 1.0, 0.1))
    assert not is_strong(link("a", "b", 0.9, 0.9, kind="rewrite"))


def test_source_prefers_agency_credit_then_earliest_date_then_containment() -> None:
    day = datetime(2023, 10, 25, tzinfo=UTC)
    later = datetime(2023, 10, 26, tzinfo=UTC)
    links = [link("wire", "copy", a_in_b=0.9, b_in_a=0.4)]
    undated = {"wire": MemberFacts(None, None), "copy": MemberFacts(None, None)}
    assert choose_source(["copy", "wire"], links, undated).id == "wire"
    assert choose_source(["copy", "wire"], links, undated).reason == "containment direction"
    credited = {"wire": MemberFacts(None, None), "copy": MemberFacts(None, "AFP")}
    assert choose_source(["copy", "wire"], links, credited).reason == "agency credit (AFP)"
    dated = {"wire": MemberFacts(later, "AFP"), "copy": MemberFacts(day, None)}
    assert choose_source(["copy", "wire"], links, dated).id == "wire"  # the credit outranks the date
    both_credited = {"wire": MemberFacts(later, "AFP"), "copy": MemberFacts(day, "AFP")}
    choice = choose_source(["copy", "wire"], links, both_credited)
    assert (choice.id, choice.reason) == ("copy", "agency credit (AFP), earliest date")
    undated_credit = {"wire": MemberFacts(None, None), "copy": MemberFacts(day, None)}
    assert choose_source(["copy", "wire"], links, undated_credit).reason == "earliest date"
