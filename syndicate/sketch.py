"""Everything the later stages need from one article, without its text.

The text is read, normalised, shingled and signed, then dropped, so an archive larger than
memory streams through. The persistent index works on one ArticleSketch per article; a scan
keeps the same facts for every article as flat columns (:mod:`syndicate.columns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .article import Article
from .config import ScanConfig
from .credit import agency_credit
from .lsh import band_keys
from .shingle import ShingledBatch, Shingles, shingle_articles
from .sign import MinHasher


@dataclass(slots=True)
class ArticleSketch:
    id: str
    outlet: str | None
    """The only metadata a later stage reads (furniture tells outlets apart)."""
    credit: str | None
    headlines: tuple[tuple[int, str], ...]
    """(paragraph index, text) of the title or the first paragraphs of five words or more: the
    headline shown for the article is the first of these that is not furniture."""
    shingles: Shingles
    fingerprints: np.ndarray
    """Per paragraph: digit-folded normalised hash, to recognise recurring paragraphs (furniture)."""
    band_keys: np.ndarray
    """Per paragraph: one LSH key per band; rows of paragraphs without shingles are unused."""
    evidence: Evidence | None = None

    @property
    def word_count(self) -> int:
        return int(self.shingles.word_counts.sum())


@dataclass(frozen=True, slots=True)
class Evidence:
    """The article's shingles that count as evidence of copying, with the paragraph each came from.

    ``values`` is sorted and unique; ``owner[i]`` is the paragraph of ``values[i]`` (the first
    one, if a shingle repeats inside the article); ``paragraph_sizes[p]`` counts the values
    owned by paragraph p. Furniture paragraphs own nothing.
    """

    values: np.ndarray
    owner: np.ndarray
    paragraph_sizes: np.ndarray

    @property
    def paragraph_count(self) -> int:
        return int(np.count_nonzero(self.paragraph_sizes))


def sketch_article(article: Article, config: ScanConfig, hasher: MinHasher) -> ArticleSketch:
    return sketch_articles([article], config, hasher)[0]


def sketch_articles(articles: Sequence[Article], config: ScanConfig, hasher: MinHasher) -> list[ArticleSketch]:
    """Sketch many articles at once: each numpy call covers the whole batch (see benchmarks/README.md)."""
    return assemble(articles, sign_batch(articles, config, hasher))


@dataclass(frozen=True, slots=True)
class SignedBatch:
    """What sketching derives from the text of a batch of articles, in flat arrays and lists.

    Kept apart from the per-article objects so that a worker process sends back a few
    arrays instead of thousands of small objects.
    """

    shingles: ShingledBatch
    keys: np.ndarray
    """One row of LSH band keys per paragraph of the batch."""
    credits: list[str | None]
    headlines: list[tuple[tuple[int, str], ...]]


def sign_batch(articles: Sequence[Article], config: ScanConfig, hasher: MinHasher) -> SignedBatch:
    """The text-derived part of a batch's sketches: what a worker process computes."""
    shingles = shingle_articles([article.paragraphs for article in articles], config.ngram)
    signatures = hasher.signatures(shingles.values, shingles.offsets)
    bands, rows = config.bands_rows
    return SignedBatch(shingles=shingles, keys=band_keys(signatures, bands, rows),
                       credits=[agency_credit(article.paragraphs) for article in articles],
                       headlines=[headline_candidates(article) for article in articles])


def assemble(articles: Sequence[Article], signed: SignedBatch) -> list[ArticleSketch]:
    """One ArticleSketch per article, its arrays views into the batch's."""
    paragraph_offsets = signed.shingles.paragraph_offsets.tolist()
    sketches = []
    for index, article in enumerate(articles):
        first, last = paragraph_offsets[index], paragraph_offsets[index + 1]
        sketches.append(ArticleSketch(
            id=article.id, outlet=article.outlet,
            credit=signed.credits[index], headlines=signed.headlines[index], shingles=signed.shingles.article(index),
            fingerprints=signed.shingles.fingerprints[first:last], band_keys=signed.keys[first:last]))
    return sketches


def headline_candidates(article: Article, width: int = 100, count: int = 4) -> tuple[tuple[int, str], ...]:
    """What a person recognises a story by: its title, else its first paragraphs of five words or more."""
    if article.title:
        return ((-1, _cut(article.title, width)),)
    found = [(i, _cut(p, width)) for i, p in enumerate(article.paragraphs) if len(p.split()) >= 5][:count]
    return tuple(found) or ((0, _cut(article.paragraphs[0], width)),)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def pick_headline(headlines: tuple[tuple[int, str], ...], furniture: np.ndarray) -> str:
    """The first headline candidate (see :func:`headline_candidates`) that is not a furniture paragraph."""
    for index, text in headlines:
        if index < 0 or not furniture[index]:
            return text
    return headlines[0][1]


def build_evidence(shingles: Shingles, excluded: np.ndarray | None = None) -> Evidence:
    """The evidence shingles of an article, leaving out the paragraphs flagged in `excluded`."""
    sizes = shingles.sizes()
    # Paragraph numbers fit 16 bits in any real article: 0.2 KB less per article than int32.
    owner = np.repeat(np.arange(len(sizes), dtype=np.uint16 if len(sizes) <= 1 << 16 else np.int32), sizes)
    values = shingles.values
    if excluded is not None and excluded.any():
        keep = ~excluded[owner]
        values, owner = values[keep], owner[keep]
    order = np.argsort(values, kind="stable")
    values, owner = values[order], owner[order]
    first = np.ones(len(values), dtype=bool)
    first[1:] = values[1:] != values[:-1]
    values, owner = values[first], owner[first]
    return Evidence(values=values, owner=owner,
                    paragraph_sizes=np.bincount(owner, minlength=len(sizes)).astype(np.int64))
