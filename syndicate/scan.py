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

from .article import Article, parse_date
from .cluster import group_links
from .config import ScanConfig
from .errors import InputError
from .furniture import furniture_mask, learn_furniture
from .lsh import candidate_codes, decode_pairs
from .parallel import sketch_batches
from .sign import MinHasher
from .sketch import ArticleSketch, pick_headline
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
         progress: ProgressCallback | None = None, *, workers: int | None = None) -> ScanResult:
    """Find the clusters of articles that reuse the same wire text.

    `workers`: processes that sketch in parallel; None decides from the core count and the input
    size (see syndicate/parallel.py); 1 keeps everything in this process.
    """
    config = config or ScanConfig()
    report = progress or (lambda stage, done, total: None)
    stats: dict[str, float | int] = {}
    hasher = MinHasher(config.num_perm, config.seed)

    with _timed(stats, "sketch"):
        key_blocks: list[np.ndarray] = []
        sketches = list(_sketch_all(articles, config, hasher, report, workers, key_blocks))
    with _timed(stats, "furniture"):
        furniture = learn_furniture(sketches, config)
        masks = [furniture_mask(sketch, furniture) for sketch in sketches]
        for sketch, mask in zip(sketches, masks, strict=True):
            sketch.settle(mask)
    with _timed(stats, "candidates"):
        pairs = _candidates(sketches, key_blocks, config)
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


def _sketch_all(articles: Iterable[Article], config: ScanConfig, hasher: MinHasher, report: ProgressCallback,
                workers: int | None, key_blocks: list[np.ndarray]) -> Iterator[ArticleSketch]:
    """Every sketch, in input order; each batch's band keys (one row per paragraph) go to `key_blocks`."""
    done = 0
    for sketches, signed in sketch_batches(_unique_ids(articles), config, hasher, workers):
        key_blocks.append(signed.keys)
        for sketch in sketches:
            done += 1
            yield sketch
            report("sketch", done, None)


def _unique_ids(articles: Iterable[Article]) -> Iterator[Article]:
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            raise InputError(article.id, "duplicate article id (ids must be unique within a scan)")
        seen.add(article.id)
        yield article


def _candidates(sketches: list[ArticleSketch], key_blocks: list[np.ndarray], config: ScanConfig) -> np.ndarray:
    """Candidate pairs, one band at a time: a copy of one band's keys is all the extra memory this takes."""
    if not sketches:
        return np.empty((0, 2), dtype=np.int64)
    usable = np.concatenate([sketch.evidence.paragraph_sizes > 0 for sketch in sketches])
    counts = np.fromiter((len(sketch.evidence.paragraph_sizes) for sketch in sketches), dtype=np.int64,
                         count=len(sketches))
    owners = np.repeat(np.arange(len(sketches), dtype=np.int64), counts)[usable]
    codes = np.empty(0, dtype=np.int64)
    for band in range(key_blocks[0].shape[1]):
        column = np.concatenate([block[:, band] for block in key_blocks])[usable, None]
        codes = np.union1d(codes, candidate_codes(column, owners, config.max_bucket))
    return decode_pairs(codes)


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
        facts = {m: MemberFacts(date=parse_date(by_id[m].date), credit=by_id[m].credit) for m in members}
        choice = choose_source(members, member_links, facts)
        clusters.append(Cluster(id=number, source=choice.id, source_reason=choice.reason,
                                members=members, links=member_links))
    return clusters

