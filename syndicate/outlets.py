"""The outlet view of an archive: how much of each outlet is agency copy (the churnalism measure).

Computed once from a scan's clusters and article facts, then written for terminals (a rich
table), machines (JSON, CSV) and the HTML report, so every output shows the same numbers.

An article *reuses* wire copy when it belongs to a cluster and either is not the cluster's
source, or is the source of a cluster whose copy an agency is credited for (an outlet printing
AP's story under "(AP)" runs agency copy; the agency's own feed does not reuse itself). Its
words from the agency are its words times the share of its text found in the source
(:func:`syndicate.reuse.member_shares`); a credited source counts all its words. The agency of
a cluster is :func:`syndicate.reuse.cluster_agency`. A composite article (two stories or more,
:mod:`syndicate.provenance`) takes from each story's source the words of its paragraphs found there.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rich.table import Table
from rich.text import Text

from .article import parse_date
from .provenance import Provenance
from .reuse import UNCREDITED, cluster_agency, is_agency_outlet, member_shares
from .scan import ScanResult

NO_OUTLET = "(no outlet)"
"""The outlet of articles whose record names none."""
TOP_SOURCES = 3
"""Most reused sources listed per outlet."""
MAX_BUCKETS = 60
"""The timeline takes the finest unit (hour, day, week, month, year) that keeps it within this many bars."""


@dataclass(frozen=True, slots=True)
class SourceUse:
    """A cluster's source as one outlet reused it."""

    cluster: int
    source: str
    headline: str
    agency: str
    articles: int
    words: float

    def to_dict(self) -> dict:
        return {"cluster": self.cluster, "source": self.source, "headline": self.headline, "agency": self.agency,
                "articles": self.articles, "words": round(self.words)}


@dataclass(frozen=True)
class OutletRow:
    outlet: str
    articles: int
    reusing: int
    """Articles that reuse wire copy."""
    words: int
    agency_words: dict[str, float] = field(default_factory=dict)
    """Words taken from each agency's copy (UNCREDITED: from sources crediting no agency)."""
    top_sources: tuple[SourceUse, ...] = ()

    @property
    def wire_words(self) -> float:
        return sum(self.agency_words.values())

    @property
    def reusing_share(self) -> float:
        return self.reusing / self.articles if self.articles else 0.0

    @property
    def wire_share(self) -> float:
        """Share of the outlet's words that come from wire copy, whatever the agency."""
        return self.wire_words / self.words if self.words else 0.0

    def agency_share(self, agency: str) -> float:
        return self.agency_words.get(agency, 0.0) / self.words if self.words else 0.0

    def to_dict(self) -> dict:
        return {
            "outlet": self.outlet,
            "articles": self.articles,
            "reusing_articles": self.reusing,
            "reusing_share": round(self.reusing_share, 4),
            "words": self.words,
            "wire_words": round(self.wire_words),
            "wire_share": round(self.wire_share, 4),
            "agencies": {agency: {"words": round(words), "share": round(self.agency_share(agency), 4)}
                         for agency, words in self.agency_words.items()},
            "top_sources": [use.to_dict() for use in self.top_sources],
        }


@dataclass(frozen=True, slots=True)
class TimeBucket:
    start: datetime
    articles: int
    reusing: int

    def to_dict(self) -> dict:
        return {"start": self.start.isoformat(), "articles": self.articles, "reusing_articles": self.reusing}


@dataclass(frozen=True)
class Timeline:
    """Articles and reusing articles per period, every period from the first date to the last."""

    unit: str
    buckets: tuple[TimeBucket, ...]
    undated: int
    """Articles without a readable date, left out."""
    first: datetime
    last: datetime

    def to_dict(self) -> dict:
        return {"unit": self.unit, "first": self.first.isoformat(), "last": self.last.isoformat(),
                "undated": self.undated, "buckets": [b.to_dict() for b in self.buckets]}


@dataclass(frozen=True)
class OutletTable:
    articles: int
    rows: tuple[OutletRow, ...]
    agencies: tuple[str, ...]
    """Agencies with reused copy, most words first, UNCREDITED last."""
    timeline: Timeline | None

    @property
    def reusing(self) -> int:
        return sum(row.reusing for row in self.rows)

    def to_dict(self) -> dict:
        return {"articles": self.articles, "reusing_articles": self.reusing, "agencies": list(self.agencies),
                "outlets": [row.to_dict() for row in self.rows],
                "timeline": self.timeline.to_dict() if self.timeline else None}


def article_reuse(result: ScanResult, composites: Iterable[Provenance] = ()) -> dict[str, dict[int, float]]:
    """Every article that reuses wire copy (see the module docstring): the share of its words taken
    from each cluster's source, by cluster number. A composite article's shares come from its
    provenance, traced against the clusters' sources."""
    reuse: dict[str, dict[int, float]] = {}
    for cluster in result.clusters:
        for member, share in member_shares(cluster).items():
            reuse.setdefault(member, {})[cluster.id] = share  # a partial member may take from several stories
        source = cluster.source
        agency = cluster_agency(cluster, result.info)
        if source is not None and agency != UNCREDITED and not is_agency_outlet(result.info[source].outlet, agency):
            reuse[source] = {cluster.id: 1.0}
    cluster_of_source = {cluster.source: cluster.id for cluster in result.clusters}
    for provenance in composites:
        total = provenance.total_words()
        if total:
            reuse[provenance.article.id] = {cluster_of_source[source]: words / total
                                            for source, words in provenance.words_by_source().items()}
    return reuse


def outlet_table(result: ScanResult, composites: Iterable[Provenance] = ()) -> OutletTable:
    """The outlet table of a scanned archive, one row per outlet, most articles first; `composites`: the
    archive's composite articles (:func:`syndicate.provenance.scan_composites`), counted from their provenance."""
    reuse = article_reuse(result, composites)
    agencies = {c.id: cluster_agency(c, result.info) for c in result.clusters}
    articles: Counter[str] = Counter()
    reusing: Counter[str] = Counter()
    words: Counter[str] = Counter()
    agency_words: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    by_source: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    dated: list[tuple[datetime, bool]] = []
    undated = 0
    for article_id in result.info:
        info = result.info[article_id]
        outlet = info.outlet or NO_OUTLET
        articles[outlet] += 1
        words[outlet] += info.words
        taken = reuse.get(article_id)
        if taken is not None:
            reusing[outlet] += 1
            for number, share in taken.items():
                agency_words[outlet][agencies[number]] += share * info.words
                by_source[outlet][number].append(share * info.words)
        date = parse_date(info.date)
        if date is None:
            undated += 1
        else:
            dated.append((date, taken is not None))
    clusters = {cluster.id: cluster for cluster in result.clusters}

    def top_sources(outlet: str) -> tuple[SourceUse, ...]:
        ranked = sorted(by_source[outlet].items(), key=lambda item: (-sum(item[1]), item[0]))[:TOP_SOURCES]
        return tuple(SourceUse(cluster=number, source=str(clusters[number].source),
                               headline=result.info[str(clusters[number].source)].headline,
                               agency=agencies[number], articles=len(taken), words=sum(taken))
                     for number, taken in ranked)

    rows = tuple(OutletRow(outlet=outlet, articles=count, reusing=reusing[outlet], words=words[outlet],
                           agency_words=dict(sorted(agency_words[outlet].items())), top_sources=top_sources(outlet))
                 for outlet, count in sorted(articles.items(), key=lambda item: (-item[1], item[0])))
    totals: Counter[str] = Counter()
    for row in rows:
        totals.update(row.agency_words)
    order = sorted(totals, key=lambda agency: (agency == UNCREDITED, -totals[agency], agency))
    return OutletTable(articles=sum(articles.values()), rows=rows, agencies=tuple(order),
                       timeline=timeline(dated, undated) if dated else None)


# --- timeline ------------------------------------------------------------------------------------

_UNITS = (("hour", timedelta(hours=1)), ("day", timedelta(days=1)), ("week", timedelta(weeks=1)),
          ("month", timedelta(days=31)), ("year", timedelta(days=366)))


def timeline(dated: list[tuple[datetime, bool]], undated: int = 0) -> Timeline:
    """Bucket (date, reusing) pairs by the finest unit giving at most MAX_BUCKETS periods (UTC)."""
    moments = [date.astimezone(UTC) for date, _ in dated]
    first, last = min(moments), max(moments)
    unit = next((name for name, step in _UNITS if (last - first) / step < MAX_BUCKETS - 1), "year")
    counts: Counter[datetime] = Counter()
    reusing: Counter[datetime] = Counter()
    for moment, (_, reuses) in zip(moments, dated, strict=True):
        start = _floor(moment, unit)
        counts[start] += 1
        reusing[start] += reuses
    buckets = []
    start = _floor(first, unit)
    while start <= last:
        buckets.append(TimeBucket(start, counts[start], reusing[start]))
        start = _next(start, unit)
    return Timeline(unit=unit, buckets=tuple(buckets), undated=undated, first=first, last=last)


def _floor(moment: datetime, unit: str) -> datetime:
    hour = moment.replace(minute=0, second=0, microsecond=0)
    if unit == "hour":
        return hour
    day = hour.replace(hour=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1) if unit == "month" else day.replace(month=1, day=1)


def _next(start: datetime, unit: str) -> datetime:
    if unit == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    if unit == "year":
        return start.replace(year=start.year + 1)
    return start + dict(_UNITS)[unit]


# --- outputs -------------------------------------------------------------------------------------


def to_json(table: OutletTable) -> str:
    return json.dumps(table.to_dict(), indent=2, ensure_ascii=False)


def csv_columns(table: OutletTable) -> list[str]:
    per_agency = [f"{agency}_{what}" for agency in table.agencies for what in ("words", "share")]
    return ["outlet", "articles", "reusing_articles", "reusing_share", "words", "wire_words", "wire_share",
            *per_agency, "top_sources"]


def to_csv(table: OutletTable) -> str:
    """One row per outlet; per agency, its words and share; top sources as 'cluster N: ID (W words)' joined by '; '."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=csv_columns(table), lineterminator="\n")
    writer.writeheader()
    for row in table.rows:
        record = row.to_dict()
        agencies = record.pop("agencies")
        record["top_sources"] = "; ".join(f"cluster {use['cluster']}: {use['source']} ({use['words']} words)"
                                          for use in record["top_sources"])
        for agency in table.agencies:
            taken = agencies.get(agency, {"words": 0, "share": 0.0})
            record[f"{agency}_words"], record[f"{agency}_share"] = taken["words"], taken["share"]
        writer.writerow(record)
    return buffer.getvalue()


def to_text(table: OutletTable) -> Table:
    """The outlet table for a terminal: shares of articles and of words, per agency, and the top source."""
    outlets = len(table.rows)
    view = Table(title=Text(f"{outlets} outlet{'s' * (outlets != 1)} · {table.reusing} of {table.articles} "
                            f"articles reuse wire copy"), title_justify="left", expand=False)
    view.add_column("outlet", overflow="fold")
    view.add_column("articles", justify="right")
    view.add_column("reusing", justify="right")
    view.add_column("wire words", justify="right")
    for agency in table.agencies:
        view.add_column(agency, justify="right")
    view.add_column("most reused source", overflow="fold")
    for row in table.rows:
        top = row.top_sources[0] if row.top_sources else None
        view.add_row(Text(row.outlet), str(row.articles), f"{row.reusing} ({row.reusing_share:.0%})",
                     f"{row.wire_share:.0%}", *(_share(row, agency) for agency in table.agencies),
                     Text(f"cluster {top.cluster}: {top.headline}") if top else "-")
    view.caption = "wire words: share of the outlet's words taken from wire copy, in all and per agency"
    return view


def _share(row: OutletRow, agency: str) -> str:
    return f"{row.agency_share(agency):.0%}" if agency in row.agency_words else "-"
