"""`syndicate report`: a static HTML report of a scanned archive, like a coverage report.

The report is a folder that works from the file system, offline: ``index.html`` (the archive's
numbers, charts, the clusters table sortable and filterable by outlet, agency and kind, the
outlet table, the composite articles), one ``cluster-N.html`` per cluster (source, members and
each copy's side-by-side diff), one ``article-ID.html`` per composite article (each paragraph
marked with where it came from), ``style.css``, ``report.js`` and ``report.json`` (the same
numbers for machines).

It is built in a fresh folder beside the target and moved into place at the end, so a failed
build leaves the previous report whole; a folder that is not a syndicate report is never
overwritten. The cluster pages (aligning each copy with its source is most of the work) are
written by worker processes when there are several cores.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from ..align import align_copies
from ..article import Article, parse_date
from ..config import ScanConfig
from ..engine import available_cores, process_context
from ..errors import SyndicateError
from ..outlets import NO_OUTLET, OutletTable, outlet_table
from ..provenance import ORIGIN_LABELS, Provenance, ProvenanceConfig, scan_composites
from ..reuse import KINDS, UNCREDITED, cluster_agency, kinds_in_order
from ..scan import ArticleInfo, Cluster, ScanResult
from . import charts
from .pages import (
    OVERVIEW,
    STATIC_FILES,
    article_page,
    article_view,
    cluster_html,
    cluster_page,
    kept_summary,
    render,
    static_text,
)

Archive = Callable[[], Iterable[Article]]
"""Gives a fresh pass over the archive each time it is called."""
MARKER = "report.json"
GENERATOR = "syndicate report"
CHART_OUTLETS = 30
"""The wire-share chart shows the outlets with the most articles, up to this many (the table has them all)."""
PARALLEL_MIN_COPIES = 32
"""Fewer copies than this are aligned in-process: starting workers would cost more than it saves."""


@dataclass(frozen=True)
class ReportSummary:
    out: Path
    pages: int
    clusters: int
    composites: int
    seconds: dict[str, float]


def build_report(result: ScanResult, archive: Archive, out: Path, *, inputs: Sequence[str] = (),
                 workers: int | None = None, config: ProvenanceConfig | None = None) -> ReportSummary:
    """Write the report of a scanned archive to `out` (created, or replaced if it holds an earlier report).

    `archive` must give the articles the scan read; it is read three times more (the clusters'
    members, then their sources and every article for the composite ones). `workers`: processes
    writing cluster pages (None: one per core when there is enough to do).
    """
    config = config or ProvenanceConfig()
    _check_target(out)
    staging = out.parent / f".{out.name}.building-{secrets.token_hex(4)}"
    try:
        staging.mkdir()
        summary = _build(result, archive, staging, inputs, workers, config)
        _move_into_place(staging, out)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise SyndicateError(f"{out}: cannot write the report: {error.strerror or error}") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ReportSummary(out, summary.pages, summary.clusters, summary.composites, summary.seconds)


def _check_target(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise SyndicateError(f"{out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not is_report(out):
        raise SyndicateError(f"{out}: directory is not empty and holds no syndicate report; "
                             "give a new or empty directory (an earlier report is replaced)")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SyndicateError(f"{out.parent}: cannot create: {error.strerror or error}") from error


def is_report(folder: Path) -> bool:
    """Whether a folder holds a report written by this command (its report.json says so)."""
    try:
        return json.loads((folder / MARKER).read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def _move_into_place(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    old = out.parent / f".{out.name}.old-{secrets.token_hex(4)}"
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


# --- the build -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ClusterJob:
    """What writing a cluster's page needs, shared with the workers once."""

    clusters: list[Cluster]
    articles: dict[str, Article]
    info: dict[str, ArticleInfo]
    agencies: dict[int, str]
    composites: dict[str, str]
    folder: Path
    inputs: tuple[str, ...]
    scan_config: ScanConfig
    """The scan's settings: a copy is shown aligned as the scan aligned it…"""
    template: np.ndarray
    """…without the archive's template vocabulary."""


_job: _ClusterJob | None = None


def _build(result: ScanResult, archive: Archive, folder: Path, inputs: Sequence[str], workers: int | None,
           config: ProvenanceConfig) -> ReportSummary:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    members = _members(result, archive)
    info = {article_id: result.info[article_id] for article_id in members}
    agencies = {cluster.id: cluster_agency(cluster, result.info) for cluster in result.clusters}
    seconds["members"] = time.perf_counter() - started

    started = time.perf_counter()
    found = scan_composites(result, archive, config)
    composite_pages = {p.article.id: article_page(p.article.id) for p in found}
    cluster_of = {member: cluster.id for cluster in result.clusters for member in cluster.members}
    for provenance in found:
        _write(folder / composite_pages[provenance.article.id],
               _composite_html(provenance, result, cluster_of, agencies, inputs))
    seconds["composites"] = time.perf_counter() - started

    started = time.perf_counter()
    job = _ClusterJob(result.clusters, members, info, agencies, composite_pages, folder, tuple(inputs), result.config,
                      result.template)
    kept = _write_cluster_pages(job, workers)
    seconds["clusters"] = time.perf_counter() - started

    started = time.perf_counter()
    table = outlet_table(result, found)
    _write(folder / OVERVIEW, _overview_html(result, table, kept, agencies, found, composite_pages, config, inputs))
    for name in STATIC_FILES:
        _write(folder / name, static_text(name))
    _write(folder / MARKER, json.dumps(_report_json(result, table, kept, agencies, found, composite_pages),
                                       indent=2, ensure_ascii=False) + "\n")
    seconds["overview"] = time.perf_counter() - started
    pages = 1 + len(result.clusters) + len(found)
    return ReportSummary(folder, pages, len(result.clusters), len(found), {k: round(v, 3) for k, v in seconds.items()})


def _members(result: ScanResult, archive: Archive) -> dict[str, Article]:
    wanted = {member for cluster in result.clusters for member in (*cluster.members, *cluster.partial)}
    found: dict[str, Article] = {}
    for article in archive():
        if article.id in wanted:
            found[article.id] = article
            if len(found) == len(wanted):
                break
    missing = sorted(wanted - found.keys())
    if missing:
        raise SyndicateError(f"{missing[0]}: article scanned but not found on reading the archive again "
                             "(did the archive change during the report?)")
    return found


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


# --- cluster pages -------------------------------------------------------------------------------


def _write_cluster_pages(job: _ClusterJob, workers: int | None) -> dict[int, dict[str, float]]:
    """Every cluster's page; returns, per cluster, the share of the source each copy kept."""
    copies = sum(len(cluster.members) - 1 for cluster in job.clusters)
    if workers is None:
        workers = available_cores() if copies >= PARALLEL_MIN_COPIES else 1
    workers = max(1, min(workers, len(job.clusters)))
    # Largest clusters first, so that no worker is left with a big one at the end.
    order = sorted(range(len(job.clusters)), key=lambda n: -len(job.clusters[n].members))
    if workers == 1:
        _start_worker(job)
        try:
            return dict(map(_cluster_page, order))
        finally:
            _start_worker(None)
    with ProcessPoolExecutor(workers, mp_context=process_context(), initializer=_start_worker,
                             initargs=(job,)) as pool:
        return dict(pool.map(_cluster_page, order))


def _start_worker(job: _ClusterJob | None) -> None:
    global _job
    _job = job


def _cluster_page(index: int) -> tuple[int, dict[str, float]]:
    assert _job is not None, "worker not initialised"
    cluster = _job.clusters[index]
    source = _job.articles[cluster.source or cluster.members[0]]
    copies = [_job.articles[m] for m in (*cluster.members, *cluster.partial) if m != source.id]
    alignments = align_copies(source, copies, _job.scan_config, {
        article.id: _job.info[article.id].furniture_mask(len(article.paragraphs)) for article in (source, *copies)},
        _job.template)
    page = cluster_html(cluster, source, alignments, info=_job.info, agency=_job.agencies[cluster.id],
                        composites=_job.composites, inputs=_job.inputs)
    _write(_job.folder / cluster_page(cluster.id), page)
    return cluster.id, {a.copy.id: a.summary.source_reused for a in alignments}


# --- composite articles --------------------------------------------------------------------------


def _composite_html(provenance: Provenance, result: ScanResult, cluster_of: dict[str, int],
                    agencies: dict[int, str], inputs: Sequence[str]) -> str:
    article = provenance.article
    total = provenance.total_words() or 1
    taken = sorted(provenance.words_by_source().items(), key=lambda item: (-item[1], item[0]))
    colours = {source: charts.PALETTE[n % len(charts.PALETTE)] for n, (source, _) in enumerate(taken)}
    sources = []
    for source_id, words in taken:
        cluster = cluster_of.get(source_id)
        sources.append({
            "id": source_id, "outlet": provenance.sources[source_id].outlet, "share": words / total,
            "headline": result.info[source_id].headline, "colour": colours[source_id], "cluster": cluster,
            "cluster_page": cluster_page(cluster) if cluster else None,
            "agency": agencies.get(cluster) if cluster and agencies.get(cluster) != UNCREDITED else None,
        })
    paragraphs = [{"number": o.paragraph + 1, "kind": o.kind, "label": ORIGIN_LABELS[o.kind], "source": o.source,
                   "source_paragraphs": [p + 1 for p in o.source_paragraphs], "share": o.share,
                   "text": article.paragraphs[o.paragraph], "colour": colours.get(o.source or "")}
                  for o in provenance.origins]
    own = cluster_of.get(article.id)
    view = article_view(article, result.info[article.id])
    return render("article.html", article={**view.__dict__, "cluster": own,
                                           "cluster_page": cluster_page(own) if own else None},
                  sources=sources, own_share=provenance.own_words() / total, paragraphs=paragraphs,
                  overview=OVERVIEW, inputs=inputs, inline_css=None, script=False)


# --- overview ------------------------------------------------------------------------------------


def _overview_html(result: ScanResult, table: OutletTable, kept: dict[int, dict[str, float]],
                   agencies: dict[int, str], found: list[Provenance], composite_pages: dict[str, str],
                   config: ProvenanceConfig, inputs: Sequence[str]) -> str:
    rows = _cluster_rows(result, kept, agencies)
    colours = charts.agency_colours(table.agencies)
    charted = sorted(sorted(table.rows, key=lambda r: (-r.articles, r.outlet))[:CHART_OUTLETS],
                     key=lambda r: (-r.wire_share, r.outlet))
    link_kinds: Counter[str] = Counter(link.kind for cluster in result.clusters for link in cluster.links)
    clustered = sum(len(cluster.members) for cluster in result.clusters)
    timeline = table.timeline
    numbers = {
        "articles": result.articles, "outlets": len(table.rows), "clusters": len(result.clusters),
        "clustered": clustered, "clustered_share": clustered / result.articles if result.articles else 0.0,
        "reusing": table.reusing, "reusing_share": table.reusing / result.articles if result.articles else 0.0,
        "composites": len(found), "kinds": {kind: link_kinds[kind] for kind in kinds_in_order(link_kinds)},
        "first_date": _when(timeline.first) if timeline else None,
        "last_date": _when(timeline.last) if timeline else None,
    }
    composite_rows = [{"id": p.article.id, "page": composite_pages[p.article.id],
                       "headline": result.info[p.article.id].headline, "outlet": p.article.outlet,
                       "sources": len(p.words_by_source()), "own_share": p.own_words() / (p.total_words() or 1)}
                      for p in found]
    return render(
        "overview.html", numbers=numbers, kinds=KINDS,
        kind_legend=kinds_in_order([k for row in rows for k in row["kinds"]]),
        agencies=table.agencies, colours=colours, chart_outlets=len(charted),
        share_chart=charts.wire_share_bars(charted, table.agencies, colours),
        timeline=timeline, timeline_chart=charts.timeline_bars(timeline) if timeline else None,
        clusters=rows, filter_outlets=sorted({o for row in rows for o in row["outlets"]}),
        filter_agencies=sorted({row["agency"] for row in rows}),
        filter_kinds=kinds_in_order([k for row in rows for k in row["kinds"]]),
        outlets=table.to_dict()["outlets"], cluster_pages={c.id: cluster_page(c.id) for c in result.clusters},
        uncredited=UNCREDITED, composites=composite_rows, composite_share=config.composite_share,
        overview=OVERVIEW, inputs=inputs, inline_css=None, script=True,
    )


def _cluster_rows(result: ScanResult, kept: dict[int, dict[str, float]], agencies: dict[int, str]) -> list[dict]:
    rows = []
    for cluster in result.clusters:
        source = cluster.source or cluster.members[0]
        kinds = Counter(link.kind for link in cluster.links)
        median, spread = kept_summary(list(kept.get(cluster.id, {}).values()))
        dates = [d for d in (parse_date(result.info[m].date) for m in cluster.members) if d is not None]
        rows.append({
            "id": cluster.id, "page": cluster_page(cluster.id), "source": source,
            "headline": result.info[source].headline, "source_outlet": result.info[source].outlet,
            "source_reason": cluster.source_reason, "agency": agencies[cluster.id], "members": len(cluster.members),
            "outlets": sorted({result.info[m].outlet or NO_OUTLET for m in cluster.members}),
            "kinds": {kind: kinds[kind] for kind in kinds_in_order(kinds)},
            "kinds_text": " ".join(f"{kind} {kinds[kind]}" for kind in kinds_in_order(kinds)),
            "kept": median, "kept_range": spread, "first_date": _when(min(dates)) if dates else None,
        })
    return rows


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _report_json(result: ScanResult, table: OutletTable, kept: dict[int, dict[str, float]],
                 agencies: dict[int, str], found: list[Provenance], composite_pages: dict[str, str]) -> dict:
    return {
        "generator": GENERATOR,
        "articles": result.articles,
        "clusters": [{**cluster.to_dict(), "page": cluster_page(cluster.id), "agency": agencies[cluster.id],
                      "kept": {member: round(share, 4) for member, share in sorted(kept.get(cluster.id, {}).items())}}
                     for cluster in result.clusters],
        "outlets": table.to_dict(),
        "composites": [{**p.to_dict(), "page": composite_pages[p.article.id]} for p in found],
        "kinds": KINDS,
    }
