"""The scan pipeline: articles in, clusters of reused wire text out.

Stages, in the data's order, each timed into ``ScanResult.stats``:
sketch (read, normalise, shingle, sign) → furniture → candidates (paragraph LSH) →
verify (exact) → cluster (union-find, probable source).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .article import Article
from .cluster import group_links
from .config import ScanConfig
from .errors import InputError
from .furniture import furniture_mask, learn_furniture
from .lsh import candidate_pairs
from .sign import MinHasher
from .sketch import ArticleSketch, build_evidence, pick_headline, sketch_article
from .source import MemberFacts, choose_source
from .verify import Link, verify

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

    def to_dict(self) -> dict:
        return {
            "articles": self.articles,
            "clusters": [cluster.to_dict() for cluster in self.clusters],
            "stats": self.stats,
        }


def scan(articles: Iterable[Article], config: ScanConfig | None = None,
         progress: ProgressCallback | None = None) -> ScanResult:
    """Find the clusters of articles that reuse the same wire text."""
    config = config or ScanConfig()
    report = progress or (lambda stage, done, total: None)
    stats: dict[str, float | int] = {}
    hasher = MinHasher(config.num_perm, config.seed)

    with _timed(stats, "sketch"):
        sketches = list(_sketch_all(articles, config, hasher, report))
    with _timed(stats, "furniture"):
        furniture = learn_furniture(sketches, config)
        masks = [furniture_mask(sketch, furniture) for sketch in sketches]
        for sketch, mask in zip(sketches, masks, strict=True):
            sketch.evidence = build_evidence(sketch.shingles, mask)
    with _timed(stats, "candidates"):
        pairs = _candidates(sketches, config)
    with _timed(stats, "verify"):
        links = _verify_all(sketches, pairs, config, report)
    with _timed(stats, "cluster"):
        clusters = _clusters(links, sketches)

    stats.update(
        articles=len(sketches),
        paragraphs=int(sum(len(s.shingles) for s in sketches)),
        evidence_paragraphs=int(sum(s.evidence.paragraph_count for s in sketches if s.evidence)),
        furniture_paragraphs=int(sum(int(m.sum()) for m in masks)),
        furniture_distinct=len(furniture),
        candidate_pairs=len(pairs),
        links=len(links),
        clustered_articles=sum(len(c.members) for c in clusters),
    )
    info = {s.id: ArticleInfo(s.title, s.outlet, s.date, s.url, s.credit, s.word_count, pick_headline(s, mask))
            for s, mask in zip(sketches, masks, strict=True)}
    return ScanResult(articles=len(sketches), clusters=clusters, info=info, stats=stats)


@contextmanager
def _timed(stats: dict[str, float | int], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    stats[f"seconds_{stage}"] = round(time.perf_counter() - started, 4)


def _sketch_all(articles: Iterable[Article], config: ScanConfig, hasher: MinHasher,
                report: ProgressCallback) -> Iterator[ArticleSketch]:
    seen: set[str] = set()
    for done, article in enumerate(articles, start=1):
        if article.id in seen:
            raise InputError(article.id, "duplicate article id (ids must be unique within a scan)")
        seen.add(article.id)
        yield sketch_article(article, config, hasher)
        report("sketch", done, None)


def _candidates(sketches: list[ArticleSketch], config: ScanConfig) -> np.ndarray:
    keys, owners = [], []
    for index, sketch in enumerate(sketches):
        usable = np.flatnonzero(sketch.evidence.paragraph_sizes > 0)
        if len(usable):
            keys.append(sketch.band_keys[usable])
            owners.append(np.full(len(usable), index, dtype=np.int64))
    if not keys:
        return np.empty((0, 2), dtype=np.int64)
    return candidate_pairs(np.concatenate(keys), np.concatenate(owners), config.max_bucket)


def _verify_all(sketches: list[ArticleSketch], pairs: np.ndarray, config: ScanConfig,
                report: ProgressCallback) -> list[Link]:
    links = []
    total = len(pairs)
    for done, (i, j) in enumerate(pairs.tolist(), start=1):
        a, b = sketches[i], sketches[j]
        link = verify(a.id, a.evidence, b.id, b.evidence, config)
        if link is not None:
            links.append(link)
        if done % 1024 == 0 or done == total:
            report("verify", done, total)
    return links


def _clusters(links: list[Link], sketches: list[ArticleSketch]) -> list[Cluster]:
    by_id = {s.id: s for s in sketches}
    clusters = []
    for number, (members, member_links) in enumerate(group_links(links), start=1):
        facts = {m: MemberFacts(date=_parsed_date(by_id[m]), credit=by_id[m].credit) for m in members}
        choice = choose_source(members, member_links, facts)
        clusters.append(Cluster(id=number, source=choice.id, source_reason=choice.reason,
                                members=members, links=member_links))
    return clusters


def _parsed_date(sketch: ArticleSketch):
    return Article(id=sketch.id, paragraphs=(), date=sketch.date).parsed_date()
