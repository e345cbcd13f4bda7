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
from .furniture import learn_furniture_columns, learn_template_terms
from .lsh import candidate_codes, decode_pairs
from .parallel import signed_batches
from .sign import MinHasher, fold32
from .sketch import pick_headline
from .source import MemberFacts, choose_source
from .verify import QUOTES, Link, verify_batch

_VERIFY_ROWS = 1 << 20
"""Rows per verify batch (see _verify_batches). 2^20 and 2^21 verify Reuters and Helsinki equally fast (2^19 and
2^22 slower); 2^20 keeps a Reuters scan's peak RSS at 189 MB, below the per-pair verify's 195 MB."""
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
    furniture: tuple[int, ...] = ()
    """The paragraphs the scan found to be page furniture (numbered from 0): left out of every alignment."""

    def furniture_mask(self, paragraphs: int) -> tuple[bool, ...]:
        """Per paragraph of the article: furniture or not."""
        return tuple(index in self.furniture for index in range(paragraphs))


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
        chunks: list[_Chunks] = []
        columns = _sketch_all(articles, config, hasher, report, workers, chunks)
    with _timed(stats, "furniture"):
        furniture = learn_furniture_columns(columns, config)
        flags = np.isin(columns.column("fingerprints"), np.fromiter(furniture, dtype=np.uint64, count=len(furniture)))
        columns.settle(flags)
        template = learn_template_terms(columns, config)
        columns.drop_terms(template)
    with _timed(stats, "candidates"):
        pairs = _candidates(chunks, flags, config)
        del chunks
    with _timed(stats, "verify"):
        found = _verify_all(columns, pairs, config, report)
        links = [link for link in found if link.kind != QUOTES]
    with _timed(stats, "cluster"):
        clusters = _clusters(links, columns)

    stats.update(
        articles=len(columns),
        paragraphs=int(sum(len(block.fingerprints) for block in columns.blocks)),
        sentences=int(sum(len(block.sentence_words) for block in columns.blocks)),
        furniture_paragraphs=int(flags.sum()),
        furniture_distinct=len(furniture),
        template_terms=len(template),
        candidate_pairs=len(pairs),
        links=len(links),
        quote_pairs=len(found) - len(links),
        clustered_articles=sum(len(c.members) for c in clusters),
    )

    def info_of(index: int) -> ArticleInfo:
        block, local = columns.locate(index)
        first, last = columns.paragraph_span(index)
        return ArticleInfo(block.meta["credit"][local], int(block.words[local]),
                           pick_headline(columns.headlines(index), flags[first:last]),
                           tuple(np.flatnonzero(flags[first:last]).tolist()),
                           **{name: block.meta[name][local] for name in METADATA})

    members = {member for cluster in clusters for member in cluster.members}
    members |= {article_id for cluster in clusters for article_id in cluster.partial}
    known = {article_id: info_of(index) for index, article_id in enumerate(columns.ids()) if article_id in members}
    return ScanResult(articles=len(columns), clusters=clusters, info=LazyInfo(columns, info_of, known), stats=stats,
                      quotes=[link for link in found if link.kind == QUOTES], config=config)


@contextmanager
def _timed(stats: dict[str, float | int], stage: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    stats[f"seconds_{stage}"] = round(time.perf_counter() - started, 4)


@dataclass(frozen=True, slots=True)
class _Chunks:
    """One batch's LSH chunks that have shingles: their band keys, article and paragraph (numbered across the scan)."""

    keys: np.ndarray
    article: np.ndarray
    paragraph: np.ndarray
    documents: np.ndarray
    """The batch's whole-article band keys, folded to 32 bits, one row per article."""


def _sketch_all(articles: Iterable[Article], config: ScanConfig, hasher: MinHasher, report: ProgressCallback,
                workers: int | None, chunks: list[_Chunks]) -> SketchColumns:
    """Every sketch, in input order, as columns; each batch's chunk band keys go to `chunks`, folded to 32 bits.

    The band keys are the largest array a scan holds; folded, they take half the memory. Two distinct keys
    then share a bucket with odds 2^-32 per pair of chunks: a few more candidate pairs, which verify rejects.
    The persistent index keeps the full keys."""
    columns = SketchColumns()
    for batch, signed in signed_batches(_unique_ids(articles), config, hasher, workers):
        units = signed.units
        first_sentence = units.chunk_offsets[:-1]
        sized = np.diff(units.chunk_shingle_offsets()) > 0
        paragraph = units.sentence_paragraph[first_sentence[sized]]
        article = np.searchsorted(units.paragraph_offsets, paragraph, side="right") - 1
        chunks.append(_Chunks(keys=fold32(signed.keys[sized]), article=article + len(columns),
                              paragraph=paragraph + (columns.paragraph_start(len(columns.blocks)) if columns.blocks
                                                     else 0), documents=fold32(signed.document_keys)))
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


def _candidates(chunks: list[_Chunks], furniture: np.ndarray, config: ScanConfig) -> np.ndarray:
    """Candidate pairs, one band at a time: a copy of one band's keys is all the extra memory this takes.
    Chunks of furniture paragraphs propose nothing; whole articles propose their near-identical re-sends."""
    if not chunks:
        return np.empty((0, 2), dtype=np.int64)
    usable = ~furniture[np.concatenate([c.paragraph for c in chunks])]
    owners = np.concatenate([c.article for c in chunks])[usable]
    articles = np.arange(sum(len(c.documents) for c in chunks), dtype=np.int64)
    codes = np.empty(0, dtype=np.int64)
    pending: list[np.ndarray] = []
    columns = [(np.concatenate([c.keys[:, band] for c in chunks])[usable, None], owners)
               for band in range(chunks[0].keys.shape[1])]
    columns += [(np.concatenate([c.documents[:, band] for c in chunks])[:, None], articles)
                for band in range(chunks[0].documents.shape[1])]
    for number, (column, owner) in enumerate(columns):
        pending.append(candidate_codes(column, owner, config.max_bucket))
        if len(pending) == _BANDS_PER_MERGE or number == len(columns) - 1:  # one sort per 16 bands, not per band
            codes = np.unique(np.concatenate([codes, *pending]))
            pending = []
    return decode_pairs(codes)


def _verify_all(columns: SketchColumns, pairs: np.ndarray, config: ScanConfig,
                report: ProgressCallback) -> list[Link]:
    """Every candidate pair verified, a batch of pairs at a time (:func:`~syndicate.verify.verify_batch`): each batch
    gathers the evidence of the articles its pairs name, then scores all its pairs in whole-array passes."""
    found = []
    total = len(pairs)
    ids = list(columns.ids())
    for start, stop in _verify_batches(columns, pairs):
        chunk = pairs[start:stop]
        articles, local = np.unique(chunk, return_inverse=True)
        local = local.reshape(chunk.shape)
        names = [ids[index] for index in articles.tolist()]
        evidence = columns.evidence_batch(articles)
        found += [link for link in verify_batch(names, evidence, local[:, 0], local[:, 1], config) if link is not None]
        report("verify", stop, total)
    return found


def _verify_batches(columns: SketchColumns, pairs: np.ndarray) -> Iterator[tuple[int, int]]:
    """Runs of consecutive pairs holding about _VERIFY_ROWS rows between them (shingles of both sides, and sentence
    pairs): big enough that whole-array passes dominate, small enough that a batch's arrays stay a few tens of MB
    whatever the articles' length."""
    if len(pairs) == 0:
        return
    shingles, sentences = columns.evidence_sizes()
    a, b = pairs[:, 0], pairs[:, 1]
    cost = np.cumsum(shingles[a] + shingles[b] + sentences[a] * sentences[b] + 1)
    start, before = 0, 0
    while start < len(pairs):
        stop = max(int(np.searchsorted(cost, before + _VERIFY_ROWS, side="right")), start + 1)
        yield start, stop
        start, before = stop, int(cost[stop - 1])


def _clusters(links: list[Link], columns: SketchColumns) -> list[Cluster]:
    linked = {link.a for link in links} | {link.b for link in links}
    facts: dict[str, MemberFacts] = {}
    index = 0
    for block in columns.blocks:
        for article_id, date, credit in zip(block.ids, block.meta["date"], block.meta["credit"], strict=True):
            if article_id in linked:
                facts[article_id] = MemberFacts(date=parse_date(date), credit=credit,
                                                words=columns.active_words(index))
            index += 1
    clusters = []
    for number, group in enumerate(group_links(links, {m: fact.words for m, fact in facts.items()}), start=1):
        choice = choose_source(group.members, group.links, {m: facts[m] for m in group.members})
        clusters.append(Cluster(id=number, source=choice.id, source_reason=choice.reason,
                                members=group.members, links=group.links, partial=group.partial))
    return clusters
