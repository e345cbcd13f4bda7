"""Scan results for machines (JSON, JSONL, CSV) and for people (a rich table)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from statistics import median

from rich.table import Table
from rich.text import Text

from .scan import Cluster, ScanResult
from .verify import Link

LINK_COLUMNS = ["cluster", "source", *(field.name for field in fields(Link))]


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
            writer.writerow({"cluster": cluster.id, "source": cluster.source, **link.to_dict()})
    return buffer.getvalue()


def to_table(result: ScanResult, limit: int | None = None) -> Table:
    """Clusters, largest first: members, outlets, probable source, kinds of reuse, reuse share."""
    clustered = sum(len(c.members) for c in result.clusters)
    table = Table(
        title=f"{len(result.clusters)} clusters · {clustered} of {result.articles} articles reuse wire text",
        title_justify="left",
        expand=False,
    )
    table.add_column("#", justify="right", style="bold")
    table.add_column("members", justify="right")
    table.add_column("source", overflow="fold")
    table.add_column("outlets", overflow="fold")
    table.add_column("kinds")
    table.add_column("reuse", justify="right")
    shown = result.clusters if limit is None else result.clusters[:limit]
    for cluster in shown:
        table.add_row(str(cluster.id), str(len(cluster.members)), _source_cell(result, cluster),
                      Text(_outlets(result, cluster)), _kinds(cluster), _reuse(cluster))
    if limit is not None and len(result.clusters) > limit:
        table.caption = f"… {len(result.clusters) - limit} more clusters (use --limit or --format json)"
    return table


def _source_cell(result: ScanResult, cluster: Cluster) -> Text:
    info = result.info[cluster.source] if cluster.source else None
    text = Text(str(cluster.source), style="bold")
    if info and info.outlet:
        text.append(f" {info.outlet}", style="dim")
    if info:
        text.append(f"\n{info.headline}", style="italic")
    text.append(f"\n({cluster.source_reason})", style="dim")
    return text


def _outlets(result: ScanResult, cluster: Cluster) -> str:
    outlets = sorted({result.info[m].outlet or "-" for m in cluster.members})
    head = ", ".join(outlets[:4])
    return head + (f" +{len(outlets) - 4}" if len(outlets) > 4 else "")


def _kinds(cluster: Cluster) -> str:
    return " · ".join(f"{kind} {count}" for kind, count in sorted(cluster.kinds().items()))


def _reuse(cluster: Cluster) -> str:
    """Median share of the source's text carried by the members linked to it directly."""
    shares = list(cluster.reuse_of_source().values())
    if not shares:
        return "-"
    return f"{median(shares):.0%}" + (f" ({min(shares):.0%}–{max(shares):.0%})" if len(shares) > 1 else "")
