"""Clusters from verified links (cores, attachments, partial members) and the probable source of each."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from hypothesis import example, given, settings
from hypothesis import strategies as st

from syndicate.cluster import HOST_SHARE, MUTUAL_SHARE, PARTIAL_SHARE, Group, UnionFind, group_links, is_strong
from syndicate.source import MemberFacts, SourceChoice, choose_source, held_words
from syndicate.verify import QUOTES, Link


def link(a: str, b: str, a_in_b: float = 0.9, b_in_a: float = 0.9, kind: str = "copy") -> Link:
    return Link(a=a, b=b, kind=kind, a_in_b=a_in_b, b_in_a=b_in_a, verbatim=a_in_b, edited=0.0, paraphrased=0.0,
                unquoted_words=100, passages=1, jaccard=min(a_in_b, b_in_a))


def members(links: list[Link]) -> list[list[str]]:
    return [group.members for group in group_links(links)]


def test_union_find_joins_transitively() -> None:
    forest = UnionFind()
    forest.union("a", "b")
    forest.union("c", "d")
    forest.union("b", "c")
    assert len({forest.find(x) for x in "abcd"}) == 1
    assert forest.find("e") == "e"
    assert sorted(forest.sizes().values()) == [1, 4]
    assert forest.roots() == {"a": "a", "b": "a", "c": "a", "d": "a", "e": "e"}


def test_clusters_come_largest_first_with_their_own_links() -> None:
    groups = group_links([link("x", "y"), link("a", "b"), link("b", "c")])
    assert [g.members for g in groups] == [["a", "b", "c"], ["x", "y"]]
    assert [(found.a, found.b) for found in groups[0].links] == [("a", "b"), ("b", "c")]


def test_strong_links_need_each_side_mostly_inside_the_other_whatever_the_kind() -> None:
    assert is_strong(link("a", "b", 0.6, 0.5))
    assert is_strong(link("a", "b", 0.7, 0.6, kind="rewrite"))
    assert not is_strong(link("a", "b", 1.0, 0.2))


def test_a_teaser_or_a_trimmed_copy_joins_the_story_that_holds_it() -> None:
    story = [link("a1", "a2"), link("a2", "a3")]
    assert members([*story, link("teaser", "a1", 1.0, 0.15)]) == [["a1", "a2", "a3", "teaser"]]
    trims = [link("t1", "t2"), link("t1", "a1", 1.0, 0.25), link("t2", "a2", 0.95, 0.2)]
    assert members(story + trims) == [["a1", "a2", "a3", "t1", "t2"]]  # a group of trims joins its story too


def test_a_lone_article_joins_the_cluster_that_carries_the_largest_share_of_it() -> None:
    links = [link("s1", "s2"), link("t1", "t2"), link("x", "s1", 0.6, 0.3, kind="excerpt"),
             link("x", "t1", 0.8, 0.3, kind="excerpt")]
    assert members(links) == [["t1", "t2", "x"], ["s1", "s2"]]


def test_a_digest_carrying_two_stories_joins_neither_and_is_a_partial_member_of_both() -> None:
    story_a, story_b = [link("a1", "a2"), link("a2", "a3")], [link("b1", "b2")]
    digest = [link("a1", "d", 0.9, 0.3, kind="excerpt"), link("b1", "d", 0.9, 0.3, kind="excerpt")]
    groups = group_links(story_a + story_b + digest)
    assert [(g.members, g.partial) for g in groups] == [(["a1", "a2", "a3"], ["d"]), (["b1", "b2"], ["d"])]


def test_a_short_story_quoted_whole_in_a_digest_does_not_follow_it_into_another_story() -> None:
    story_a = [link("a1", "a2"), link("a2", "a3")]
    digest = [link("d", "a1", 0.7, 0.3, kind="excerpt")]  # the digest is mostly story a: it joins a
    short = [link("s", "d", 1.0, 0.2, kind="excerpt")]  # a short story whose text the digest quotes whole
    groups = group_links(story_a + digest + short)
    assert groups[0].members == ["a1", "a2", "a3", "d"]
    assert [(g.members, g.partial) for g in groups[1:]] == [(["s"], ["d"])]


def test_pairs_that_share_quotes_only_make_no_cluster() -> None:
    assert group_links([link("a", "b", kind=QUOTES)]) == []


def test_the_source_is_the_member_holding_the_text_the_others_share_not_an_excerpt_of_it() -> None:
    """The wire (500 words) holds what each copy kept (400 and 300 words), the copies hold less of each other
    (200 words in common), and every one holds the excerpt (150 words), which holds little of them."""
    words = {"wire": 500, "top": 480, "tail": 350, "excerpt": 150}
    shared = {("wire", "top"): 400, ("wire", "tail"): 300, ("tail", "top"): 200, ("excerpt", "wire"): 150,
              ("excerpt", "top"): 150, ("excerpt", "tail"): 150}
    links = [link(a, b, n / words[a], n / words[b]) for (a, b), n in shared.items()]
    facts = {name: MemberFacts(None, None, count) for name, count in words.items()}
    held = held_words(sorted(words), links, facts)
    assert held["excerpt"] < held["tail"] < held["top"] < held["wire"]
    assert choose_source(sorted(words), links, facts) == SourceChoice("wire", "holds the shared text")


def test_between_members_holding_about_as_much_the_credit_then_the_date_decide() -> None:
    day = datetime(2023, 10, 25, tzinfo=UTC)
    later = datetime(2023, 10, 26, tzinfo=UTC)
    links = [link("wire", "copy", a_in_b=0.95, b_in_a=0.95)]

    def choice(wire: MemberFacts, copy: MemberFacts) -> tuple[str, str]:
        found = choose_source(["copy", "wire"], links, {"wire": wire, "copy": copy})
        return found.id, found.reason

    assert choice(MemberFacts(None, None, 400), MemberFacts(None, "AFP", 400)) == (
        "copy", "holds the shared text, agency credit (AFP)")
    assert choice(MemberFacts(later, "AFP", 400), MemberFacts(day, None, 400))[0] == "wire"  # credit over date
    assert choice(MemberFacts(later, "AFP", 400), MemberFacts(day, "AFP", 400)) == (
        "copy", "holds the shared text, agency credit (AFP), earliest date")
    assert choice(MemberFacts(None, None, 400), MemberFacts(day, None, 400)) == (
        "copy", "holds the shared text, earliest date")
    assert choose_source(["only"], [], {"only": MemberFacts(None, None, 10)}).reason == "only member"


def test_a_short_story_and_its_copies_pasted_whole_into_live_files_stay_a_story_of_their_own() -> None:
    live = [link("live1", "live2")]  # write-thrus of a long live file
    short = [link("s1", "s2")]  # a short story and an outlet's copy of it
    pasted = [link("s1", "live1", 0.95, 0.06, kind="excerpt"), link("s2", "live2", 0.95, 0.06, kind="excerpt")]
    groups = group_links(live + short + pasted)
    assert sorted((g.members, g.partial) for g in groups) == [(["live1", "live2"], []),
                                                             (["s1", "s2"], ["live1", "live2"])]
    # The same core joins a story it is a fair part of (a teaser of a short story).
    teased = [link("s1", "live1", 0.95, 0.3, kind="excerpt"), link("s2", "live2", 0.95, 0.3, kind="excerpt")]
    assert [g.members for g in group_links(live + short + teased)] == [["live1", "live2", "s1", "s2"]]


def _plain_group_links(links: list[Link], words: dict[str, int]) -> list[Group]:
    """The module docstring's steps one link at a time, with a union-find over ids and dicts: what group_links
    computes in whole-array passes. Shares are added one by one in the order the links come."""
    links = [found for found in links if found.kind != QUOTES]
    forest = UnionFind()
    for found in links:
        forest.find(found.a)
        forest.find(found.b)
        if is_strong(found):
            forest.union(found.a, found.b)
    inside: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for found in links:
        root_a, root_b = forest.find(found.a), forest.find(found.b)
        if root_a != root_b:
            for member, root, other, share in ((found.a, root_a, root_b, found.a_in_b),
                                               (found.b, root_b, root_a, found.b_in_a)):
                inside[root, other][member] = max(inside[root, other].get(member, 0.0), share)
    cores: dict[str, list[str]] = defaultdict(list)
    for item, root in forest.roots().items():
        cores[root].append(item)
    size = {root: sum(words.get(m, 1) for m in members) for root, members in cores.items()}
    carried: dict[str, dict[str, float]] = defaultdict(dict)
    for (core, other), shares in inside.items():
        total = 0.0
        for member, share in shares.items():
            total += words.get(member, 1) * share
        carried[core][other] = total / size[core]
    hosts = {core: {other for other, share in shares.items() if share >= MUTUAL_SHARE
                    and max(inside.get((other, core), {}).values(), default=0.0) >= HOST_SHARE}
             for core, shares in carried.items()}
    joining = {core for core, others in hosts.items() if others}
    for core in sorted(joining):
        targets = [(carried[core][other], other) for other in hosts[core] if other not in joining]
        if targets:
            forest.union(core, max(targets)[1])
    root_of = forest.roots()
    members: dict[str, set[str]] = defaultdict(set)
    within: dict[str, list[Link]] = defaultdict(list)
    for found in links:
        if root_of[found.a] == root_of[found.b]:
            members[root_of[found.a]].update((found.a, found.b))
            within[root_of[found.a]].append(found)
    partial: dict[str, set[str]] = defaultdict(set)
    grouped = set(members)
    for found in links:
        root_a, root_b = root_of[found.a], root_of[found.b]
        for carrier, carried_id, root in ((found.a, found.b, root_b), (found.b, found.a, root_a)) \
                if root_a != root_b else ():
            if found.share_of(carried_id) >= (PARTIAL_SHARE if root in grouped else MUTUAL_SHARE):
                partial[root].add(carrier)
                members[root].add(carried_id)
                within[root].append(found)
    groups = [Group(sorted(members[root]), sorted(set(within[root]), key=lambda found: (found.a, found.b)),
                    sorted(partial[root] - members[root]))
              for root in members if len(members[root]) > 1 or partial[root] - members[root]]
    return sorted(groups, key=lambda group: (-len(group.members), group.members[0]))


# Shares at and around every threshold of the module (and any other), so that ties and edges are drawn often.
_SHARES = st.one_of(st.sampled_from([0.0, 0.05, HOST_SHARE, 0.15, PARTIAL_SHARE, 0.3, 0.45, MUTUAL_SHARE, 0.55,
                                     0.8, 1.0]), st.floats(0.0, 1.0))
_LINKS = st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14), _SHARES, _SHARES,
                            st.sampled_from(["copy", "copy", "excerpt", "rewrite", QUOTES])), max_size=40)


@settings(max_examples=400, deadline=None)
@given(_LINKS, st.dictionaries(st.integers(0, 14), st.integers(1, 400)), st.booleans())
@example([(1, 2, 0.9, 0.9, "copy"), (3, 4, 0.9, 0.9, "copy"), (0, 1, 0.6, 0.3, "excerpt"),
          (0, 3, 0.6, 0.3, "excerpt")], {}, False)  # two hosts carry as much of n00: the larger id takes it
def test_whole_array_clustering_equals_the_plain_one_link_at_a_time(
        drawn: list[tuple[int, int, float, float, str]], weights: dict[int, int], repeat: bool) -> None:
    # One link per ordered pair, as verify gives them (two different links of one pair would come in no set order).
    firsts = {(a, b): (a_in_b, b_in_a, kind) for a, b, a_in_b, b_in_a, kind in reversed(drawn) if a != b}
    links = [link(f"n{a:02d}", f"n{b:02d}", *values) for (a, b), values in reversed(firsts.items())]
    if repeat:
        links += links[: len(links) // 3]  # links given twice change nothing
    words = {f"n{number:02d}": count for number, count in weights.items()}
    assert group_links(links, words) == _plain_group_links(links, words)
