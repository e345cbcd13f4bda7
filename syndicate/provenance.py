"""Where each paragraph of an article came from: which other article holds its text, or own reporting.

A composite article mixes two wire stories and local reporting; at article level it may link to
neither story (each covers too little of it), so provenance works paragraph by paragraph. A
paragraph *comes from* another article when at least ``min_share`` of its word 5-grams (the
shingles detection compares) are found anywhere in that article: wherever the source split or
merged its paragraphs, the wording is found. When several articles hold a paragraph, the one
holding most of it wins; among equals, an article crediting an agency, then the earliest, then
the first id. That prefers the wire text to the copies that carry the same paragraph. A
paragraph of fewer than five words has no shingles and cannot be traced; whatever else is found
nowhere is *own reporting*.

Matching is one set intersection in numpy: the shingles of the queried paragraphs against the
shingles of the candidate articles, each value counted once per candidate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from rich import box
from rich.table import Table
from rich.text import Text

from .article import Article
from .config import ScanConfig
from .credit import agency_credit
from .engine import batches
from .scan import ScanResult
from .shingle import shingle_articles

OriginKind = Literal["source", "own", "short"]
ORIGIN_LABELS: dict[str, str] = {"source": "from", "own": "own reporting", "short": "too short to trace"}
BATCH = 1024
"""Articles shingled at a time while streaming an archive."""


@dataclass(frozen=True)
class ProvenanceConfig:
    ngram: int = ScanConfig.ngram
    """Words per shingle: detection's, so a paragraph found here is one detection would match."""
    min_share: float = ScanConfig.edited
    """A paragraph comes from an article holding at least this share of its shingles (as much as detection asks of
    a sentence it calls edited)."""
    composite_share: float = 0.15
    """A composite article takes at least this share of its words from each of two or more sources."""
    part_share: float = 0.2
    """A source paragraph is named when it supplies at least this share of what was found in the source."""


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one paragraph came from."""

    paragraph: int
    words: int
    source: str | None
    """The article holding the paragraph's text; None for own reporting or a paragraph too short to trace."""
    share: float
    """Share of the paragraph's shingles found in the source (0 when there is none)."""
    source_paragraphs: tuple[int, ...]
    """The source's paragraphs (from 0) that hold the text, most first."""
    traceable: bool = True

    @property
    def kind(self) -> OriginKind:
        return "short" if not self.traceable else "own" if self.source is None else "source"


@dataclass(frozen=True)
class Provenance:
    article: Article
    origins: tuple[Origin, ...]
    sources: dict[str, Article]
    """Every article named as a source, by id, in order of first use."""

    def words_by_source(self) -> dict[str, int]:
        taken: dict[str, int] = defaultdict(int)
        for origin in self.origins:
            if origin.source is not None:
                taken[origin.source] += origin.words
        return dict(taken)

    def own_words(self) -> int:
        return sum(o.words for o in self.origins if o.kind == "own")

    def total_words(self) -> int:
        return sum(o.words for o in self.origins)

    def is_composite(self, share: float = ProvenanceConfig.composite_share) -> bool:
        """At least two sources each supply `share` of the article's words."""
        total = self.total_words()
        return total > 0 and sum(words >= share * total for words in self.words_by_source().values()) >= 2

    def to_dict(self) -> dict:
        total = self.total_words()
        return {
            "article": self.article.id,
            "title": self.article.title,
            "outlet": self.article.outlet,
            "words": total,
            "own_words": self.own_words(),
            "composite": self.is_composite(),
            "sources": [{"id": source.id, "title": source.title, "outlet": source.outlet, "date": source.date,
                         "credit": credit_of(source), "words": words,
                         "share": round(words / total, 4) if total else 0.0}
                        for source, words in ((self.sources[i], w) for i, w in self.words_by_source().items())],
            "paragraphs": [{"paragraph": o.paragraph, "origin": o.kind, "source": o.source,
                            "share": round(o.share, 4), "source_paragraphs": list(o.source_paragraphs),
                            "words": o.words, "text": self.article.paragraphs[o.paragraph]}
                           for o in self.origins],
        }


def credit_of(article: Article) -> str | None:
    return agency_credit(article.paragraphs)


def preference(article: Article) -> tuple:
    """Sort key among articles holding equal shares of a paragraph: agency credit, then earliest date, then id."""
    date = article.parsed_date()
    return (credit_of(article) is None, date.timestamp() if date else float("inf"), article.id)


# --- shingled paragraphs -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Paragraphs:
    """The paragraphs of some articles as flat arrays; paragraph ids run across the articles."""

    articles: list[Article]
    values: np.ndarray
    groups: np.ndarray
    """Paragraph id of each value."""
    sizes: np.ndarray
    """Shingles per paragraph."""
    words: np.ndarray
    first: np.ndarray
    """Id of each article's first paragraph; first[-1] is the number of paragraphs."""

    @classmethod
    def of(cls, articles: Sequence[Article], ngram: int, *, once_per_article: bool = False) -> _Paragraphs:
        """`once_per_article`: keep each shingle once per article, in the first paragraph holding it."""
        batch = shingle_articles([a.paragraphs for a in articles], ngram, fingerprints=False)
        sizes = np.diff(batch.offsets)
        groups = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        values = batch.values
        if once_per_article and len(values):
            owners = np.searchsorted(batch.paragraph_offsets, groups, side="right") - 1
            order = np.lexsort((groups, values, owners))
            values, groups, owners = values[order], groups[order], owners[order]
            first = np.ones(len(values), dtype=bool)
            first[1:] = (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])
            values, groups = values[first], groups[first]
        return cls(articles, values, groups, sizes, batch.word_counts, batch.paragraph_offsets)


def _overlaps(query: _Paragraphs, found_in: _Paragraphs) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(query paragraph, candidate paragraph, shared shingles) for every pair sharing any."""
    q_hit = np.isin(query.values, found_in.values)
    r_hit = np.isin(found_in.values, query.values[q_hit])
    q_values, q_groups = query.values[q_hit], query.groups[q_hit]
    order = np.argsort(found_in.values[r_hit], kind="stable")
    r_values, r_groups = found_in.values[r_hit][order], found_in.groups[r_hit][order]
    low = np.searchsorted(r_values, q_values, side="left")
    counts = np.searchsorted(r_values, q_values, side="right") - low
    total = int(counts.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    steps = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pairs = np.repeat(q_groups, counts) * len(found_in.sizes) + r_groups[np.repeat(low, counts) + steps]
    codes, shared = np.unique(pairs, return_counts=True)
    return codes // len(found_in.sizes), codes % len(found_in.sizes), shared


@dataclass
class _Candidate:
    """What one candidate article holds of one queried paragraph."""

    found: int = 0
    """Shingles of the paragraph it holds."""
    parts: dict[int, int] = field(default_factory=dict)
    """Its paragraphs holding them (from 0): how many each."""


class _Tracer:
    """Collects, for the paragraphs of some articles, what each candidate article holds of them."""

    def __init__(self, query: _Paragraphs, config: ProvenanceConfig) -> None:
        self.query = query
        self.config = config
        self.found: list[dict[str, _Candidate]] = [{} for _ in range(len(query.sizes))]
        self.articles: dict[str, Article] = {}
        self.preferences: dict[str, tuple] = {}

    def add(self, candidates: _Paragraphs) -> None:
        query_paragraphs, candidate_paragraphs, shared = _overlaps(self.query, candidates)
        query_articles = np.searchsorted(self.query.first, query_paragraphs, side="right") - 1
        owners = np.searchsorted(candidates.first, candidate_paragraphs, side="right") - 1
        local = candidate_paragraphs - candidates.first[owners]
        query_ids = [a.id for a in self.query.articles]
        for q, q_article, owner_index, part, count in zip(query_paragraphs.tolist(), query_articles.tolist(),
                                                         owners.tolist(), local.tolist(), shared.tolist(), strict=True):
            owner = candidates.articles[owner_index]
            if owner.id == query_ids[q_article]:
                continue
            candidate = self.found[q].setdefault(owner.id, _Candidate())
            candidate.found += count
            candidate.parts[part] = count
            if owner.id not in self.articles:
                self.articles[owner.id], self.preferences[owner.id] = owner, preference(owner)

    def provenance(self, index: int) -> Provenance:
        """The provenance of query article `index`."""
        article = self.query.articles[index]
        start = int(self.query.first[index])
        origins = []
        used: dict[str, Article] = {}
        for local in range(len(article.paragraphs)):
            origin = self._origin(start + local, local)
            if origin.source is not None:
                used.setdefault(origin.source, self.articles[origin.source])
            origins.append(origin)
        return Provenance(article, tuple(origins), used)

    def _origin(self, paragraph: int, local: int) -> Origin:
        size = int(self.query.sizes[paragraph])
        words = int(self.query.words[paragraph])
        if size == 0:
            return Origin(local, words, None, 0.0, (), traceable=False)
        held = [(candidate.found / size, article_id) for article_id, candidate in self.found[paragraph].items()]
        held = [(share, article_id) for share, article_id in held if share >= self.config.min_share]
        if not held:
            best = max((c.found for c in self.found[paragraph].values()), default=0)
            return Origin(local, words, None, best / size, ())
        share, source = min(held, key=lambda item: (-item[0], self.preferences[item[1]]))
        parts = self.found[paragraph][source].parts
        most = max(parts.values())
        named = sorted((p for p, n in parts.items() if n >= self.config.part_share * sum(parts.values()) or n == most),
                       key=lambda p: (-parts[p], p))
        return Origin(local, words, source, share, tuple(named))


# --- the two uses --------------------------------------------------------------------------------


def trace(article: Article, archive: Iterable[Article], config: ProvenanceConfig | None = None) -> Provenance:
    """Where each paragraph of `article` came from, among the articles of `archive` (itself left out)."""
    config = config or ProvenanceConfig()
    tracer = _Tracer(_Paragraphs.of([article], config.ngram), config)
    for batch in batches(archive, BATCH):
        tracer.add(_Paragraphs.of(batch, config.ngram, once_per_article=True))
    return tracer.provenance(0)


def composites(archive: Iterable[Article], sources: Sequence[Article], config: ProvenanceConfig | None = None,
               accept: Callable[[Provenance], bool] | None = None) -> Iterator[Provenance]:
    """The provenance of every article of `archive` that is composite, traced against `sources` only.

    `accept` replaces the composite test (:meth:`Provenance.is_composite`) when given.
    """
    config = config or ProvenanceConfig()
    keep = accept or (lambda provenance: provenance.is_composite(config.composite_share))
    if not sources:
        return
    known = _Paragraphs.of(list(sources), config.ngram, once_per_article=True)
    for batch in batches(archive, BATCH):
        tracer = _Tracer(_Paragraphs.of(batch, config.ngram), config)
        tracer.add(known)
        for index in range(len(batch)):
            if len({c for found in _paragraph_range(tracer, index) for c in found}) >= 2:
                provenance = tracer.provenance(index)
                if keep(provenance):
                    yield provenance


def scan_composites(result: ScanResult, archive: Callable[[], Iterable[Article]],
                    config: ProvenanceConfig | None = None) -> list[Provenance]:
    """The composite articles of a scanned archive, traced against its clusters' sources.

    `archive` gives a fresh pass over the articles the scan read; it is read twice (the sources,
    then every article).
    """
    wanted = {cluster.source for cluster in result.clusters if cluster.source is not None}
    sources: list[Article] = []
    for article in archive():
        if article.id in wanted:
            sources.append(article)
            if len(sources) == len(wanted):
                break
    return list(composites(archive(), sources, config))


def to_text(provenance: Provenance) -> Table:
    """The provenance for a terminal: one row per paragraph, its origin beside its text."""
    total = provenance.total_words() or 1
    parts = [f"{words / total:.0%} {source}" + (f" ({credit})" if (credit := credit_of(provenance.sources[source]))
                                                 else "")
             for source, words in sorted(provenance.words_by_source().items(), key=lambda item: -item[1])]
    parts.append(f"{provenance.own_words() / total:.0%} own reporting")
    article = provenance.article
    count = len(article.paragraphs)
    title = Text.assemble("Where ", (article.id, "bold"), " came from",
                          f" · {count} paragraph{'s' * (count != 1)} · {provenance.total_words()} words: ",
                          ", ".join(parts))
    if provenance.is_composite():
        title.append(" · composite", style="bold")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=True)
    table.add_column("¶", justify="right", no_wrap=True)
    table.add_column("origin", ratio=1, overflow="fold")
    table.add_column("text", ratio=3, overflow="fold")
    for origin in provenance.origins:
        if origin.kind == "source":
            where = Text(str(origin.source), style="bold")
            if origin.source_paragraphs:
                where.append(" " + ", ".join(f"¶{p + 1}" for p in origin.source_paragraphs), style="dim")
            where.append(f" · {origin.share:.0%} found")
        else:
            where = Text(ORIGIN_LABELS[origin.kind], style="italic")
        table.add_row(str(origin.paragraph + 1), where, Text(article.paragraphs[origin.paragraph]))
    return table


def _paragraph_range(tracer: _Tracer, index: int) -> list[dict[str, _Candidate]]:
    return tracer.found[int(tracer.query.first[index]) : int(tracer.query.first[index + 1])]
