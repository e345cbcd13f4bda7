"""Charts as inline SVG: a few rectangles and labels need no plotting library, and work offline.

Every label is escaped; the drawings scale to their container (viewBox, width 100%), so they
never cause horizontal scrolling.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from ..outlets import OutletRow, Timeline
from ..reuse import UNCREDITED

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D31", "#7570B3")
"""Okabe-Ito colours (readable with colour blindness), then two more; UNCREDITED is grey."""
GREY = "#9A9A9A"
OWN = "#E4E4E4"
BAR_HEIGHT = 18
LABEL_WIDTH = 190
WIDTH = 760


def agency_colours(agencies: Sequence[str]) -> dict[str, str]:
    colours = {}
    named = [a for a in agencies if a != UNCREDITED]
    for n, agency in enumerate(named):
        colours[agency] = PALETTE[n % len(PALETTE)]
    colours[UNCREDITED] = GREY
    return colours


def _cut(label: str, width: int = 30) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def wire_share_bars(rows: Sequence[OutletRow], agencies: Sequence[str], colours: Mapping[str, str]) -> Markup:
    """One horizontal bar per outlet: its wire share, in segments per agency, and the figure at its end."""
    plot = WIDTH - LABEL_WIDTH - 50
    height = BAR_HEIGHT * len(rows) + 24
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="Share of each outlet\'s words taken from wire copy, by agency">']
    for tick in (0, 25, 50, 75, 100):
        x = LABEL_WIDTH + plot * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 18}" class="grid"/>'
                     f'<text x="{x:.1f}" y="{height - 4}" class="tick">{tick}%</text>')
    for n, row in enumerate(rows):
        y = n * BAR_HEIGHT
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 13}" class="label">{escape(_cut(row.outlet))}'
                     f'<title>{escape(row.outlet)}</title></text>')
        x = float(LABEL_WIDTH)
        for agency in agencies:
            share = row.agency_share(agency)
            if share <= 0:
                continue
            width = plot * share
            parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{BAR_HEIGHT - 6}" '
                         f'fill="{colours[agency]}"><title>{escape(row.outlet)}: {share:.1%} of its words from '
                         f'{escape(agency)} copy</title></rect>')
            x += width
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}" class="value">{row.wire_share:.0%}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def timeline_bars(timeline: Timeline) -> Markup:
    """Articles per period, the reusing ones darker, with the first and last periods labelled."""
    buckets = timeline.buckets
    top = max((b.articles for b in buckets), default=0) or 1
    plot_height, left, top_margin = 150, 40, 10
    step = (WIDTH - left - 10) / max(len(buckets), 1)
    parts = [f'<svg class="chart" viewBox="0 -{top_margin} {WIDTH} {plot_height + 40 + top_margin}" role="img" '
             f'aria-label="Articles per {escape(timeline.unit)}, and how many reuse wire copy">']
    for fraction in (0.0, 0.5, 1.0):
        y = plot_height - plot_height * fraction
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - 10}" y2="{y:.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" class="label">{round(top * fraction)}</text>')
    for n, bucket in enumerate(buckets):
        x = left + n * step
        width = max(step - 2, 1)
        total = plot_height * bucket.articles / top
        reused = plot_height * bucket.reusing / top
        when = bucket.start.strftime("%Y-%m-%d %H:%M UTC" if timeline.unit == "hour" else "%Y-%m-%d")
        parts.append(f'<g><title>{when}: {bucket.articles} articles, {bucket.reusing} reuse wire copy</title>'
                     f'<rect x="{x:.1f}" y="{plot_height - total:.1f}" width="{width:.1f}" height="{total:.1f}" '
                     f'fill="{OWN}"/><rect x="{x:.1f}" y="{plot_height - reused:.1f}" width="{width:.1f}" '
                     f'height="{reused:.1f}" fill="{PALETTE[0]}"/></g>')
    if buckets:
        fmt = "%d %b %H:%M" if timeline.unit == "hour" else "%d %b %Y"
        parts.append(f'<text x="{left}" y="{plot_height + 16}" class="tick-start">'
                     f'{buckets[0].start.strftime(fmt)}</text>'
                     f'<text x="{WIDTH - 10}" y="{plot_height + 16}" class="label">'
                     f'{buckets[-1].start.strftime(fmt)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
