"""Scan results for machines (JSON, JSONL, CSV) and for people (a rich table), and the words both use.

Kinds of reuse are described once, in :data:`syndicate.reuse.KINDS`; every view counts and shows
whatever kinds the links carry (a kind missing from the table is shown by its name). A cluster's
members are counted by how each is linked to the cluster's source (:func:`~syndicate.reuse.member_kinds`),
and "passages" is the share of the source's words each member carries in aligned passages
(``Cluster.reuse_of_source``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import fields
from statistics import median

from rich import box
from rich.table import Table
from rich.text import Text

from .reuse import KINDS, kind_counts, kind_order
from .scan import Cluster, ScanResult
from .verify import Link

LINK_COLUMNS = ["cluster", "source", *(field.name for field in fields(Link))]

OUTLETS_MIN_WIDTH = 120
"""Narrower tables leave out the outlets column: at 80 columns it would break names mid-word."""


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 cluster``, ``2 clusters``: a count with its noun."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def natural_key(text: str) -> tuple:
    """Sort key that orders the digits in ids as numbers: 'a-729' before 'a-10552'."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


# --- machines ------------------------------------------------------------------------------------------


def to_json(result: ScanResult) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def to_jsonl(result: ScanResult) -> str:
    """One cluster per line, with its members' outlets and titles for convenience."""
    lines = []
    for cluster in result.clusters:
        record = cluster.to_dict()
        record["outlets"] = {m: result.info[m].outlet for m in cluster.members}
        lines.append(json.dumps(record, ensure_ascii=False))
    return "\n".join(lines) + ("\n" if lines else "")


def to_csv(result: ScanResult) -> str:
    """One row per verified link."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LINK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for cluster in result.clusters:
        for link in cluster.links:
            record = link.to_dict()
            grades = record.pop("grades")
            writer.writerow({"cluster": cluster.id, "source": cluster.source, **record, **grades})
    return buffer.getvalue()


# --- people --------------------------------------------------------------------------------------------


def to_table(result: ScanResult, limit: int | None = None, width: int = 80) -> Table:
    """Clusters, largest first: articles, probable source, members per kind, and how much of the source they keep.

    Laid out for a terminal of `width` columns without breaking a word (outlets appear from
    OUTLETS_MIN_WIDTH columns up); the caption says what the numbers are.
    """
    clustered = sum(len(c.members) for c in result.clusters)
    table = Table(title=f"{plural(len(result.clusters), 'cluster')} · {clustered:,} of "
                        f"{plural(result.articles, 'article')} reuse wire text",
                  title_justify="left", box=box.SIMPLE_HEAD, expand=False, caption_justify="left",
                  show_header=bool(result.clusters))
    wide = width >= OUTLETS_MIN_WIDTH
    ids = [cluster.source or "" for cluster in result.clusters[:limit]]
    table.add_column("#", justify="right", style="bold", no_wrap=True)
    table.add_column("articles", justify="right", no_wrap=True)
    table.add_column("source", min_width=min(max(map(len, ids), default=6), 36), ratio=3)
    if wide:
        table.add_column("outlets", ratio=2)
    table.add_column("members by kind", no_wrap=True)
    table.add_column("passages", justify="right", no_wrap=True)
    shown = result.clusters if limit is None else result.clusters[:limit]
    kinds_shown: set[str] = set()
    for cluster in shown:
        counts = kind_counts(cluster)
        kinds_shown.update(counts)
        row = [str(cluster.id), str(len(cluster.members)), _source_cell(result, cluster)]
        if wide:
            row.append(Text(_outlets(result, cluster)))
        row += [Text("\n".join(f"{kind} {count}" for kind, count in counts.items())), _kept(cluster)]
        table.add_row(*row, end_section=True)
    notes = [f"{kind}: {KINDS.get(kind, 'see the documentation')}"
             for kind in sorted(kinds_shown, key=lambda k: (kind_order(k), k))]
    notes.append("passages: share of the source's words inside the passages aligned with each member linked to it, "
                 "median (lowest–highest)")
    if limit is not None and len(result.clusters) > limit:
        notes.append(f"… {plural(len(result.clusters) - limit, 'more cluster')} (raise --limit, or --format json)")
    table.caption = "\n".join(notes) if shown else None
    return table


def _source_cell(result: ScanResult, cluster: Cluster) -> Text:
    info = result.info[cluster.source] if cluster.source else None
    text = Text(str(cluster.source), style="bold")
    if info and info.outlet:
        text.append(f"\n{info.outlet}", style="dim")
    if info:
        text.append(f"\n{info.headline}", style="italic")
    text.append(f"\n({cluster.source_reason})", style="dim")
    return text


def _outlets(result: ScanResult, cluster: Cluster) -> str:
    outlets = sorted({result.info[m].outlet or "-" for m in cluster.members})
    head = ", ".join(outlets[:4])
    return head + (f" +{len(outlets) - 4}" if len(outlets) > 4 else "")


def _kept(cluster: Cluster) -> str:
    """Median share of the source's text carried by the members linked to it directly, and the range."""
    shares = list(cluster.reuse_of_source().values())
    if not shares:
        return "-"
    return f"{median(shares):.0%}" + (f"\n({min(shares):.0%}–{max(shares):.0%})" if len(shares) > 1 else "")
