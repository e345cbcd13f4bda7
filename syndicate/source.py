"""Which member of a cluster is the probable source (the wire text the others derive from).

Evidence, strongest first: an agency credit in the dateline or byline ("Beirut (AFP)", "By
Reuters"), because a copy that credits the agency carries the wire text as filed; then the
earliest date, when dates are known (in scraped archives this is often the scrape time, a weak
proxy for publication, which is why it ranks second); then the direction of containment, since
outlets add to wire copy far more often than they cut it to something the source does not
contain: the source is the member most contained in its neighbours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .verify import Link


@dataclass(frozen=True, slots=True)
class MemberFacts:
    date: datetime | None
    credit: str | None


@dataclass(frozen=True, slots=True)
class SourceChoice:
    id: str
    reason: str


def choose_source(members: Sequence[str], links: Sequence[Link], facts: Mapping[str, MemberFacts]) -> SourceChoice:
    """The probable source of a cluster and the evidence that decided it."""
    direction = dict.fromkeys(members, 0.0)
    for link in links:
        # Positive when a member is contained in the other more than the other is in it.
        direction[link.a] += link.containment_a_in_b - link.containment_b_in_a
        direction[link.b] += link.containment_b_in_a - link.containment_a_in_b

    def rank(member: str) -> tuple:
        fact = facts[member]
        timestamp = fact.date.timestamp() if fact.date else float("inf")
        return (fact.credit is None, timestamp, -direction[member], member)

    ranked = sorted(members, key=rank)
    best, runner_up = ranked[0], ranked[1] if len(ranked) > 1 else None
    return SourceChoice(id=best, reason=_reason(best, runner_up, facts, direction))


def _reason(best: str, other: str | None, facts: Mapping[str, MemberFacts], direction: Mapping[str, float]) -> str:
    if other is None:
        return "only member"
    mine, theirs = facts[best], facts[other]
    credit = f"agency credit ({mine.credit})" if mine.credit else None
    if credit and not theirs.credit:
        return credit
    if mine.date and (theirs.date is None or mine.date < theirs.date):
        return f"{credit}, earliest date" if credit else "earliest date"
    if direction[best] > direction[other]:
        return "containment direction"
    return "tie (first id)"
