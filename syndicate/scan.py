"""The scan pipeline: articles in, clusters of reused wire text out.

Stages, in the data's order, each timed into ``ScanResult.stats``:
sketch (read, normalise, shingle, sign) → furniture → candidates (paragraph LSH) →
verify (exact) → cluster (union-find, probable source, the members' report facts). How the work
is cut into tasks and where they run is syndicate/plan.py and syndicate/engine.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from .article import Article, ArticleInfo
from .cluster import group_links
from .columns import LazyInfo
from .config import ScanConfig
from .engine import Engine, LocalEngine, frozen_heap
from .plan import LinkedArticle, candidates, evidence_of, group_sources, linked_articles, sketch_all, verify_all
from .spill import Spill
from .verify import QUOTES, Link

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (stage, items done, items in total or None) while a scan runs."""


@dataclass(frozen=True)
class Cluster:
    id: int
    source: str | None
    source_reason: str
    members: list[str]
    links: list[Link]
    partial: list[str] = field(default_factory=list)
    """Articles of other clusters that carry part of this story (digests, round-ups, composites)."""

    def kinds(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for link in self.links:
            counts[link.kind] = counts.get(link.kind, 0) + 1
        return counts

    def reuse_of_source(self) -> dict[str, float]:
        """Per member directly linked to the source: the share of the source's words it carries."""
        shares: dict[str, float] = {}
        for link in self.links:
            if link.a == self.source:
                shares[link.b] = link.a_in_b
            elif link.b == self.source:
                shares[link.a] = link.b_in_a
        return shares

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "source": self.source,
            "source_reason": self.source_reason,
            "members": self.members,
            "partial_members": self.partial,
            "links": [link.to_dict() for link in self.links],
        }


SCHEMA = 2
"""Version of the JSON a scan writes: 2 has passage-evidence links (kinds copy/excerpt/rewrite, word shares and
grades) and partial members; 1 had containment of shingles and kinds copy/rewrite."""


@dataclass
class ScanResult:
    articles: int
    clusters: list[Cluster]
    info: dict[str, ArticleInfo]
    stats: dict[str, float | int] = field(default_factory=dict)
    quotes: list[Link] = field(default_factory=list)
    """Pairs that share quoted material only: not links, shown on request."""
    config: ScanConfig = field(default_factory=ScanConfig)
    """The settings of the scan (views align copies with them)."""
    plan: dict[str, object] = field(default_factory=dict)
    """How the scan ran (engine, workers, task seconds, bytes spilled): not part of the output."""
    template: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint32))
    """The archive's template vocabulary (sorted term hashes, see ScanConfig.template_term_share): views align
    copies without it, as verification did."""

    def to_dict(self, quotes: bool = False) -> dict:
        data: dict = {
            "schema": SCHEMA,
            "articles": self.articles,
            "clusters": [cluster.to_dict() for cluster in self.clusters],
            "stats": self.stats,
        }
        if quotes:
            data["quotes"] = [link.to_dict() for link in self.quotes]
        return data


def scan(articles: Iterable[Article], config: ScanConfig | None = None,
         progress: ProgressCallback | None = None, *, workers: int | None = None, engine: Engine | None = None,
         spill: bool | None = None, spill_dir: str | Path | None = None) -> ScanResult:
    """Find the clusters of articles that reuse the same wire text.

    `engine`: where the steps run (syndicate/engine.py); by default a local pool of `workers` processes
    (None: one per idle core; 1: everything in this process). `spill`: write the largest arrays to disk
    (True), never (False), or once they would take half the available memory (None); `spill_dir` is where
    (default $TMPDIR). The result is the same whatever the engine, workers and spilling.
    """
    config = config or ScanConfig()
    report = progress or (lambda stage, done, total: None)
    stats: dict[str, float | int] = {}
    runner = engine or LocalEngine(workers)
    busy_before = dict(runner.task_seconds)
    cpu_before = dict(runner.task_cpu_seconds)
    driver_cpu: dict[str, float] = {}
    try:
        with frozen_heap():  # the collector leaves the driver's long-lived objects alone (engine.py)
            with Spill(spill, spill_dir) as spilling:
                with _timed(stats, "sketch", driver_cpu):
                    columns, keys = sketch_all(articles, config, runner, spilling, report)
                with _timed(stats, "furniture", driver_cpu):
                    furniture, flags, template, evidence = evidence_of(columns, keys, config, runner, spilling)
                with _timed(stats, "candidates", driver_cpu):
                    pairs = candidates(columns, keys, flags, config, runner)
                    del keys
                with _timed(stats, "verify", driver_cpu):
                    found = verify_all(evidence, pairs, config, runner, report)
                    links = [link for link in found if link.kind != QUOTES]
                sentences, active_words = evidence.sentences, evidence.active_words()
                del evidence
                spilled = spilling.spilled
            with _timed(stats, "cluster", driver_cpu):  # the clusters, and what reports show of their members
                linked = frozenset(article_id for link in links for article_id in (link.a, link.b))
                described = linked_articles(columns, flags, active_words, linked, runner)
                clusters = _clusters(links, described, runner)
                members = {member for cluster in clusters for member in cluster.members}
                members |= {article_id for cluster in clusters for article_id in cluster.partial}
                known = {article_id: info for article_id, _, info in described if article_id in members}
    finally:
        if engine is None:
            runner.close()

    stats.update(
        articles=len(columns),
        paragraphs=columns.paragraphs,
        sentences=sentences,
        furniture_paragraphs=int(flags.sum()),
        furniture_distinct=len(furniture),
        template_terms=len(template),
        candidate_pairs=len(pairs),
        links=len(links),
        quote_pairs=len(found) - len(links),
        clustered_articles=sum(len(c.members) for c in clusters),
    )
    pooled = set(runner.task_seconds) - runner.inline_steps  # a scan too small for a pool used none
    plan = {"engine": runner.name, "workers": runner.workers if pooled else 1, "spilled_bytes": spilled,
            "task_seconds": {step: round(seconds - busy_before.get(step, 0.0), 4)
                             for step, seconds in runner.task_seconds.items()},
            "task_cpu_seconds": {step: round(seconds - cpu_before.get(step, 0.0), 4)
                                 for step, seconds in runner.task_cpu_seconds.items()},
            "inline_steps": sorted(runner.inline_steps), "driver_cpu_seconds": driver_cpu}
    info = LazyInfo(columns, partial(columns.info, furniture=flags), known)
    return ScanResult(articles=len(columns), clusters=clusters, info=info, stats=stats,
                      quotes=[link for link in found if link.kind == QUOTES], config=config, plan=plan,
                      template=template)


@contextmanager
def _timed(stats: dict[str, float | int], stage: str, cpu: dict[str, float]) -> Iterator[None]:
    started, cpu_started = time.perf_counter(), time.process_time()
    yield
    stats[f"seconds_{stage}"] = round(time.perf_counter() - started, 4)
    cpu[stage] = round(time.process_time() - cpu_started, 4)


def _clusters(links: list[Link], described: list[LinkedArticle], engine: Engine) -> list[Cluster]:
    """The clusters of the links, each with its probable source, from the linked articles' facts."""
    groups = group_links(links, {article_id: words for article_id, words, _ in described})
    sources = group_sources(groups, {article_id: (words, info) for article_id, words, info in described}, engine)
    return [Cluster(id=number, source=source, source_reason=reason, members=group.members, links=group.links,
                    partial=group.partial)
            for number, (group, (source, reason)) in enumerate(zip(groups, sources, strict=True), start=1)]
