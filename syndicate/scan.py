"""The scan pipeline: articles in, clusters of reused wire text out.

Stages, in the data's order, each timed into ``ScanResult.stats``:
sketch (read, normalise, shingle, sign) → furniture → candidates (paragraph LSH) →
verify (prefilter, then exact) → cluster (union-find, probable source). How the work is cut into
tasks and where they run is syndicate/plan.py and syndicate/engine.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .article import Article, parse_date
from .cluster import group_links
from .columns import LazyInfo, SketchColumns
from .config import ScanConfig
from .engine import Engine, LocalEngine
from .inputs import Archive
from .plan import candidates, evidence_of, parts_of, sketch_all, verify_all
from .sketch import pick_headline
from .source import MemberFacts, choose_source
from .spill import Spill
from .verify import Link

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (stage, items done, items in total or None) while a scan runs."""


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What a report says about an article besides its id."""

    title: str | None
    outlet: str | None
    date: str | None
    url: str | None
    credit: str | None
    words: int
    headline: str
    """The title, or else the first paragraph of five words or more, cut to 100 characters."""


@dataclass(frozen=True)
class Cluster:
    id: int
    source: str | None
    source_reason: str
    members: list[str]
    links: list[Link]

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for link in self.links:
            counts[link.kind] = counts.get(link.kind, 0) + 1
        return counts

    def reuse_of_source(self) -> dict[str, float]:
        """Per member directly linked to the source: the share of the source's text it carries."""
        shares: dict[str, float] = {}
        for link in self.links:
            if link.a == self.source:
                shares[link.b] = link.containment_a_in_b
            elif link.b == self.source:
                shares[link.a] = link.containment_b_in_a
        return shares

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "source_reason": self.source_reason,
            "members": self.members,
            "links": [link.to_dict() for link in self.links],
        }


@dataclass
class ScanResult:
    articles: int
    clusters: list[Cluster]
    info: dict[str, ArticleInfo]
    stats: dict[str, float | int] = field(default_factory=dict)
    plan: dict[str, object] = field(default_factory=dict)
    """How the scan ran (engine, workers, pairs the prefilter rejected, bytes spilled): not part of the output."""

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "clusters": [cluster.to_dict() for cluster in self.clusters],
            "stats": self.stats,
        }


def scan(articles: Iterable[Article] | Archive, config: ScanConfig | None = None,
         progress: ProgressCallback | None = None, *, workers: int | None = None, engine: Engine | None = None,
         spill: bool | None = None, spill_dir: str | Path | None = None) -> ScanResult:
    """Find the clusters of articles that reuse the same wire text.

    `articles`: any iterable of articles, or an :class:`~syndicate.inputs.Archive` (paths and reader
    options), which worker processes read part by part themselves. `engine`: where the steps run
    (syndicate/engine.py); by default a local pool of `workers` processes (None: one per idle core; 1:
    everything in this process). `spill`: write the largest arrays to disk (True), never (False), or
    once they would take half the available memory (None); `spill_dir` is where (default $TMPDIR).
    The result is the same whatever the engine, workers and spilling.
    """
    config = config or ScanConfig()
    report = progress or (lambda stage, done, total: None)
    stats: dict[str, float | int] = {}
    runner = engine or LocalEngine(workers)
    busy_before = dict(runner.task_seconds)
    cpu_before = dict(runner.task_cpu_seconds)
    driver_cpu: dict[str, float] = {}
    on_skip = articles.options.on_skip if isinstance(articles, Archive) else None
    try:
        with Spill(spill, spill_dir) as spilling:
            with _timed(stats, "sketch", driver_cpu):
                columns, keys = sketch_all(parts_of(articles), config, runner, spilling, on_skip, report)
            with _timed(stats, "furniture", driver_cpu):
                furniture, flags, evidence = evidence_of(columns, config, runner, spilling)
            with _timed(stats, "candidates", driver_cpu):
                pairs = candidates(columns, evidence, keys, config, runner)
                del keys
            with _timed(stats, "verify", driver_cpu):
                links, prefiltered = verify_all(evidence, pairs, config, runner, report)
                evidence_paragraphs = int(np.count_nonzero(evidence.arrays["evidence_sizes"]))
                del evidence
            spilled = spilling.spilled
    finally:
        if engine is None:
            runner.close()
    with _timed(stats, "cluster", driver_cpu):
        clusters = _clusters(links, columns)

    stats.update(
        articles=len(columns),
        paragraphs=columns.paragraphs,
        evidence_paragraphs=evidence_paragraphs,
        furniture_paragraphs=int(flags.sum()),
        furniture_distinct=len(furniture),
        candidate_pairs=len(pairs),
        links=len(links),
        clustered_articles=sum(len(c.members) for c in clusters),
    )

    def info_of(index: int) -> ArticleInfo:
        block, local = columns.locate(index)
        first, last = columns.paragraph_span(index)
        return ArticleInfo(*(block.meta[name][local] for name in ("title", "outlet", "date", "url", "credit")),
                           int(block.words[local]), pick_headline(columns.headlines(index), flags[first:last]))

    members = {member for cluster in clusters for member in cluster.members}
    known = {article_id: info_of(index) for index, article_id in enumerate(columns.ids()) if article_id in members}
    plan = {"engine": runner.name, "workers": runner.workers, "prefiltered_pairs": prefiltered,
            "verified_pairs": len(pairs) - prefiltered, "spilled_bytes": spilled,
            "task_seconds": {step: round(seconds - busy_before.get(step, 0.0), 4)
                             for step, seconds in runner.task_seconds.items()},
            "task_cpu_seconds": {step: round(seconds - cpu_before.get(step, 0.0), 4)
                                 for step, seconds in runner.task_cpu_seconds.items()},
            "inline_steps": sorted(runner.inline_steps), "driver_cpu_seconds": driver_cpu}
    return ScanResult(articles=len(columns), clusters=clusters, info=LazyInfo(columns, info_of, known), stats=stats,
                      plan=plan)


@contextmanager
def _timed(stats: dict[str, float | int], stage: str, cpu: dict[str, float]) -> Iterator[None]:
    started, cpu_started = time.perf_counter(), time.process_time()
    yield
    stats[f"seconds_{stage}"] = round(time.perf_counter() - started, 4)
    cpu[stage] = round(time.process_time() - cpu_started, 4)


def _clusters(links: list[Link], columns: SketchColumns) -> list[Cluster]:
    linked = {link.a for link in links} | {link.b for link in links}
    facts: dict[str, MemberFacts] = {}
    for block in columns.blocks:
        for article_id, date, credit in zip(block.ids, block.meta["date"], block.meta["credit"], strict=True):
            if article_id in linked:
                facts[article_id] = MemberFacts(date=parse_date(date), credit=credit)
    clusters = []
    for number, (members, member_links) in enumerate(group_links(links), start=1):
        choice = choose_source(members, member_links, {m: facts[m] for m in members})
        clusters.append(Cluster(id=number, source=choice.id, source_reason=choice.reason,
                                members=members, links=member_links))
    return clusters
