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

from .article import METADATA, Article, Metadata, parse_date
from .cluster import group_links
from .columns import LazyInfo, SketchColumns
from .config import ScanConfig
from .errors import InputError
from .furniture import learn_furniture_columns
from .lsh import candidate_codes, decode_pairs
from .parallel import signed_batches
from .sign import MinHasher, fold32
from .sketch import pick_headline
from .source import MemberFacts, choose_source
from .verify import Link, verify

_VERIFY_CHUNK = 1 << 16
_BANDS_PER_MERGE = 16

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (stage, items done, items in total or None) while a scan runs."""


@dataclass(frozen=True, slots=True)
class ArticleInfo(Metadata):
    """What a report says about an article besides its id: its metadata, and these."""

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
        columns = _sketch_all(articles, config, hasher, report, workers, key_blocks)
    with _timed(stats, "furniture"):
        furniture = learn_furniture_columns(columns, config)
        flags = np.isin(columns.column("fingerprints"), np.fromiter(furniture, dtype=np.uint64, count=len(furniture)))
        columns.settle(flags)
    with _timed(stats, "candidates"):
        pairs = _candidates(columns, key_blocks, config)
        del key_blocks
    with _timed(stats, "verify"):
        links = _verify_all(columns, pairs, config, report)
    with _timed(stats, "cluster"):
        clusters = _clusters(links, columns)

    evidence_sizes = [block.evidence_sizes for block in columns.blocks if block.evidence_sizes is not None]
    stats.update(
        articles=len(columns),
        paragraphs=int(sum(len(block.fingerprints) for block in columns.blocks)),
        evidence_paragraphs=int(sum(np.count_nonzero(sizes) for sizes in evidence_sizes)),
        furniture_paragraphs=int(flags.sum()),
        furniture_distinct=len(furniture),
        candidate_pairs=len(pairs),
        links=len(links),
        clustered_articles=sum(len(c.members) for c in clusters),
    )

    def info_of(index: int) -> ArticleInfo:
        block, local = columns.locate(index)
        first, last = columns.paragraph_span(index)
        return ArticleInfo(block.meta["credit"][local], int(block.words[local]),
                           pick_headline(columns.headlines(index), flags[first:last]),
                           **{name: block.meta[name][local] for name in METADATA})

    members = {member for cluster in clusters for member in cluster.members}
    known = {article_id: info_of(index) for index, article_id in enumerate(columns.ids()) if article_id in members}
    return ScanResult(articles=len(columns), clusters=clusters, info=LazyInfo(columns, info_of, known), stats=stats)


@contextmanager
def _timed(stats: dict[str, float | int], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    stats[f"seconds_{stage}"] = round(time.perf_counter() - started, 4)


def _sketch_all(articles: Iterable[Article], config: ScanConfig, hasher: MinHasher, report: ProgressCallback,
                workers: int | None, key_blocks: list[np.ndarray]) -> SketchColumns:
    """Every sketch, in input order, as columns; each batch's band keys go to `key_blocks`, one row per
    paragraph with shingles (the others never match), folded to 32 bits.

    The band keys are the largest array a scan holds; folded, they take half the memory. Two distinct keys
    then share a bucket with odds 2^-32 per pair of paragraphs: a few more candidate pairs (56 more of
    74,033 on Reuters-21578), which verify rejects. The persistent index keeps the full keys."""
    columns = SketchColumns()
    for batch, signed in signed_batches(_unique_ids(articles), config, hasher, workers):
        key_blocks.append(fold32(signed.keys[np.diff(signed.shingles.offsets) > 0]))
        columns.add(batch, signed)
        report("sketch", len(columns), None)
    return columns


def _unique_ids(articles: Iterable[Article]) -> Iterator[Article]:
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            raise InputError(article.id, "duplicate article id (ids must be unique within a scan)")
        seen.add(article.id)
        yield article


def _candidates(columns: SketchColumns, key_blocks: list[np.ndarray], config: ScanConfig) -> np.ndarray:
    """Candidate pairs, one band at a time: a copy of one band's keys is all the extra memory this takes."""
    if not len(columns):
        return np.empty((0, 2), dtype=np.int64)
    has_shingles = columns.column("shingle_sizes") > 0  # the rows of key_blocks
    usable = columns.column("evidence_sizes")[has_shingles] > 0
    owners = columns.article_of_paragraph()[has_shingles][usable]
    codes = np.empty(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    bands = key_blocks[0].shape[1]
    for band in range(bands):
        column = np.concatenate([block[:, band] for block in key_blocks])[usable, None]
        pending.append(candidate_codes(column, owners, config.max_bucket))
        if len(pending) == _BANDS_PER_MERGE or band == bands - 1:  # one sort per 16 bands, not one per band
            codes = np.unique(np.concatenate([codes, *pending]))
            pending = []
    return decode_pairs(codes)


def _verify_all(columns: SketchColumns, pairs: np.ndarray, config: ScanConfig,
                report: ProgressCallback) -> list[Link]:
    """Pairs become Python ints a chunk at a time: the whole list would cost ~130 B a pair (~0.5 GB at 1M articles)."""
    links = []
    total = len(pairs)
    done = 0
    for start in range(0, total, _VERIFY_CHUNK):
        chunk = pairs[start : start + _VERIFY_CHUNK].tolist()
        for i, j in chunk:
            link = verify(*columns.evidence(i), *columns.evidence(j), config)
            if link is not None:
                links.append(link)
            done += 1
            if done % 1024 == 0 or done == total:
                report("verify", done, total)
    return links


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
