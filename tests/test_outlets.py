"""The outlet table: articles, reusing articles, words per agency, top sources and timeline, in every format."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise

import pytest
from report_support import wire_archive
from rich.console import Console

from syndicate import scan
from syndicate.outlets import NO_OUTLET, outlet_table, timeline, to_csv, to_json, to_text
from syndicate.provenance import scan_composites


@pytest.fixture(scope="module")
def result():
    return scan(wire_archive())


@pytest.fixture(scope="module")
def rows(result):
    return {row.outlet: row for row in outlet_table(result).rows}


def test_a_credited_source_runs_agency_copy_but_the_agency_own_feed_does_not(rows) -> None:
    planet, reuters = rows["Daily Planet"], rows["Reuters"]
    assert (planet.reusing, planet.agency_share("AP"), planet.wire_share) == (1, 1.0, 1.0)
    assert (reuters.articles, reuters.reusing, reuters.wire_words, reuters.top_sources) == (1, 0, 0, ())


def test_copies_take_their_share_of_words_from_their_clusters_agency(result, rows) -> None:
    gazette = rows["Gazette"]
    assert (gazette.articles, gazette.reusing) == (3, 2)
    assert set(gazette.agency_words) == {"AP", "Reuters"}
    (a_link,) = [link for c in result.clusters for link in c.links if {link.a, link.b} == {"a-planet", "a-gazette"}]
    taken = a_link.share_of("a-gazette") * result.info["a-gazette"].words
    assert gazette.agency_words["AP"] == pytest.approx(taken)
    assert gazette.words == sum(result.info[i].words for i in ("a-gazette", "b-gazette", "own-gazette"))
    assert 0 < gazette.wire_share < 1 and gazette.wire_share == pytest.approx(gazette.wire_words / gazette.words)
    assert [use.source for use in gazette.top_sources] == ["a-planet", "b-reuters"]  # AP's 240 words tie Reuters'
    herald = rows["Herald"]
    assert (herald.articles, herald.reusing, herald.reusing_share) == (2, 1, 0.5)


def test_a_composite_article_takes_words_from_each_story_it_mixes(result) -> None:
    found = scan_composites(result, wire_archive)
    assert [p.article.id for p in found] == ["mix-courier"]
    plain = next(r for r in outlet_table(result).rows if r.outlet == "Courier")
    courier = next(r for r in outlet_table(result, found).rows if r.outlet == "Courier")
    assert set(plain.agency_words) == {"AP", "Reuters"}  # a partial member of both stories' clusters
    assert courier.agency_words == {"AP": 90.0, "Reuters": 90.0}  # three paragraphs of 30 words from each
    assert [use.source for use in courier.top_sources] == ["a-planet", "b-reuters"]
    assert courier.reusing == 1 and courier.wire_share == pytest.approx(180 / courier.words)


def test_rows_come_most_articles_first_and_agencies_most_words_first(result) -> None:
    table = outlet_table(result)
    assert [row.articles for row in table.rows] == sorted((row.articles for row in table.rows), reverse=True)
    assert table.agencies == ("AP", "Reuters")
    assert table.articles == 8 and table.reusing == sum(row.reusing for row in table.rows)


def test_json_csv_and_text_show_the_same_numbers(result) -> None:
    table = outlet_table(result)
    data = json.loads(to_json(table))
    assert data == json.loads(json.dumps(table.to_dict()))
    by_outlet = {row["outlet"]: row for row in csv.DictReader(io.StringIO(to_csv(table)))}
    for row in data["outlets"]:
        record = by_outlet[row["outlet"]]
        assert int(record["articles"]) == row["articles"] and float(record["wire_share"]) == row["wire_share"]
        for agency in data["agencies"]:
            assert float(record[f"{agency}_share"]) == row["agencies"].get(agency, {"share": 0.0})["share"]
    console = Console(record=True, width=200, no_color=True, file=io.StringIO())
    console.print(to_text(table))
    text = console.export_text()
    gazette = next(r for r in table.rows if r.outlet == "Gazette")
    assert f"2 ({gazette.reusing_share:.0%})" in text and f"{gazette.wire_share:.0%}" in text
    assert "5 outlets · 5 of 8 articles reuse wire copy" in text


def test_articles_without_an_outlet_are_counted_under_one_name() -> None:
    result = scan([replace(a, outlet=None) for a in wire_archive()])
    (row,) = outlet_table(result).rows
    assert (row.outlet, row.articles) == (NO_OUTLET, 8)


def test_timeline_counts_every_dated_article_in_contiguous_periods(result) -> None:
    line = outlet_table(result).timeline
    assert line is not None and line.unit == "hour" and line.undated == 1
    assert sum(b.articles for b in line.buckets) == 7 and sum(b.reusing for b in line.buckets) == 5
    assert len(line.buckets) == 33  # 07:00 on the 1st to 15:00 on the 2nd, empty hours included
    starts = [b.start for b in line.buckets]
    assert all((later - earlier).total_seconds() == 3600 for earlier, later in pairwise(starts))


def test_timeline_picks_a_coarser_unit_for_a_longer_span() -> None:
    dates = [(datetime(2023, month, 15, tzinfo=UTC), month % 2 == 0) for month in range(1, 13)]
    line = timeline(dates)
    assert line.unit == "week" and line.buckets[0].start.weekday() == 0
    months = timeline([(datetime(2000 + n, 6, 1, tzinfo=UTC), False) for n in range(4)])
    assert months.unit == "month" and months.buckets[0].start == datetime(2000, 6, 1, tzinfo=UTC)
    assert len(months.buckets) == 37 and months.buckets[7].start == datetime(2001, 1, 1, tzinfo=UTC)
    years = timeline([(datetime(2000 + n, 6, 1, tzinfo=UTC), False) for n in range(10)])
    assert years.unit == "year" and len(years.buckets) == 10 and sum(b.articles for b in years.buckets) == 10
