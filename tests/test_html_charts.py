"""Charts as inline SVG: bars proportional to the numbers, labels escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from syndicate.html.charts import GREY, agency_colours, timeline_bars, wire_share_bars
from syndicate.outlets import OutletRow, TimeBucket, Timeline
from syndicate.reuse import UNCREDITED


def test_wire_share_bars_are_proportional_and_labels_escaped() -> None:
    rows = [OutletRow("<b>Gazette</b>", 4, 2, 1000, {"AP": 500.0, UNCREDITED: 250.0}), OutletRow("Herald", 2, 0, 300)]
    colours = agency_colours(["AP", UNCREDITED])
    assert colours[UNCREDITED] == GREY and colours["AP"] != GREY
    svg = str(wire_share_bars(rows, ["AP", UNCREDITED], colours))
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert len(widths) == 2 and widths[0] == 2 * widths[1]  # 50% AP, 25% uncredited
    assert "<b>" not in svg and "&lt;b&gt;Gazette&lt;/b&gt;" in svg
    assert ">75%<" in svg and ">0%<" in svg and 'viewBox="0 0 ' in svg


def test_timeline_draws_a_bar_pair_per_period() -> None:
    start = datetime(2024, 3, 1, tzinfo=UTC)
    buckets = tuple(TimeBucket(start.replace(day=d), articles=d, reusing=d // 2) for d in range(1, 5))
    svg = str(timeline_bars(Timeline("day", buckets, 0, start, start.replace(day=4))))
    assert svg.count("<g>") == 4 and svg.count("<rect") == 8
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', svg)]
    assert max(heights) == 150.0 and heights[0] == 150.0 / 4  # one article of four at most
    assert "2024-03-04: 4 articles, 2 reuse wire copy" in svg
