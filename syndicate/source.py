"""Which member of a cluster is the probable source: the one that holds the text its cluster shares.

Every copy, excerpt and rewrite of a wire story carries some part of it; the wire text holds all
of those parts. So each member is scored by how much of the other members' text lies inside it
(for every link, the linked member's words times its share inside this one). An excerpt holds
little of the others, however much of it they hold; a copy that adds a long section of its own
holds no more than the wire does, since nobody else shares its additions.

When several members hold about as much (within ``HELD_MARGIN`` of the best, as an outlet's
verbatim copy and the wire do), the signals that decide are, strongest first: an agency credit
in the dateline or byline ("Beirut (AFP)", "By Reuters"), because a copy that credits the agency
carries the wire text as filed; then the earliest date (in scraped archives often the scrape
time, a weak proxy for publication); then the least text of its own (the largest share of its
words found inside another member: the wire is wholly inside the copies that add to it); then the
most held. ``reason`` says which signal decided, and names the agency credit wherever there is one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .verify import Link

HELD_MARGIN = 0.1


@dataclass(frozen=True, slots=True)
class MemberFacts:
    date: datetime | None
    credit: str | None
    words: int
    """Words of the article (furniture left out): shares of it become words held."""


@dataclass(frozen=True, slots=True)
class SourceChoice:
    id: str
    reason: str


def held_words(members: Sequence[str], links: Sequence[Link], facts: Mapping[str, MemberFacts]) -> dict[str, float]:
    """Per member: words of the other members that lie inside it, over the links between members."""
    inside = set(members)
    held = dict.fromkeys(members, 0.0)
    for link in links:
        if link.a in inside and link.b in inside:
            held[link.a] += link.b_in_a * facts[link.b].words
            held[link.b] += link.a_in_b * facts[link.a].words
    return held


def choose_source(members: Sequence[str], links: Sequence[Link], facts: Mapping[str, MemberFacts]) -> SourceChoice:
    """The probable source of a cluster and the evidence that decided it."""
    if len(members) == 1:
        return SourceChoice(members[0], "only member")
    held = held_words(members, links, facts)
    best = max(held.values())
    contenders = sorted(m for m in members if held[m] >= (1 - HELD_MARGIN) * best)
    if len(contenders) == 1:
        return SourceChoice(contenders[0], _with_credit("holds the shared text", facts[contenders[0]]))
    carried = carried_share(members, links)

    def rank(member: str) -> tuple:
        fact = facts[member]
        when = fact.date.timestamp() if fact.date else float("inf")
        return (fact.credit is None, when, -round(carried[member], 2), -held[member], member)

    ranked = sorted(contenders, key=rank)
    return SourceChoice(ranked[0], _reason(ranked[0], ranked[1], facts, held, carried))


def carried_share(members: Sequence[str], links: Sequence[Link]) -> dict[str, float]:
    """Per member: the largest share of its words that lies inside another member."""
    inside = set(members)
    carried = dict.fromkeys(members, 0.0)
    for link in links:
        if link.a in inside and link.b in inside:
            carried[link.a] = max(carried[link.a], link.a_in_b)
            carried[link.b] = max(carried[link.b], link.b_in_a)
    return carried


def _with_credit(reason: str, fact: MemberFacts) -> str:
    return f"{reason}, agency credit ({fact.credit})" if fact.credit else reason


def _reason(
    best: str, other: str, facts: Mapping[str, MemberFacts], held: Mapping[str, float], carried: Mapping[str, float]
) -> str:
    mine, theirs = facts[best], facts[other]
    if mine.credit and not theirs.credit:
        return _with_credit("holds the shared text", mine)
    if mine.date and (theirs.date is None or mine.date < theirs.date):
        return _with_credit("holds the shared text", mine) + ", earliest date"
    if round(carried[best], 2) > round(carried[other], 2):
        return _with_credit("holds the shared text", mine) + ", least text of its own"
    if held[best] > held[other]:
        return _with_credit("holds the most of the shared text", mine)
    return "tie (first id)"
