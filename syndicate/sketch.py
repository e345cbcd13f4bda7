"""Everything the later stages need from one article, without its text.

A scan keeps one ArticleSketch per article in memory, never the articles themselves, so
an archive larger than memory streams through: the text is read, normalised, shingled
and signed, then dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .article import Article
from .config import ScanConfig
from .credit import agency_credit
from .lsh import band_keys
from .normalise import paragraph_fingerprint
from .shingle import Shingles, shingle_paragraphs
from .sign import MinHasher


@dataclass(slots=True)
class ArticleSketch:
    id: str
    title: str | None
    outlet: str | None
    date: str | None
    url: str | None
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
    shingles = shingle_paragraphs(article.paragraphs, config.ngram)
    signatures = hasher.signatures(shingles.values, shingles.offsets)
    bands, rows = config.bands_rows
    return ArticleSketch(
        id=article.id,
        title=article.title,
        outlet=article.outlet,
        date=article.date,
        url=article.url,
        credit=agency_credit(article.paragraphs),
        headlines=headline_candidates(article),
        shingles=shingles,
        fingerprints=np.fromiter((paragraph_fingerprint(p) for p in article.paragraphs), dtype=np.uint64,
                                 count=len(article.paragraphs)),
        band_keys=band_keys(signatures, bands, rows),
    )


def headline_candidates(article: Article, width: int = 100, count: int = 4) -> tuple[tuple[int, str], ...]:
    """What a person recognises a story by: its title, else its first paragraphs of five words or more."""
    if article.title:
        return ((-1, _cut(article.title, width)),)
    found = [(i, _cut(p, width)) for i, p in enumerate(article.paragraphs) if len(p.split()) >= 5][:count]
    return tuple(found) or ((0, _cut(article.paragraphs[0], width)),)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def pick_headline(sketch: ArticleSketch, furniture: np.ndarray) -> str:
    """The first headline candidate that is not a furniture paragraph."""
    for index, text in sketch.headlines:
        if index < 0 or not furniture[index]:
            return text
    return sketch.headlines[0][1]


def build_evidence(shingles: Shingles, excluded: np.ndarray | None = None) -> Evidence:
    """The evidence shingles of an article, leaving out the paragraphs flagged in `excluded`."""
    sizes = shingles.sizes()
    owner = np.repeat(np.arange(len(sizes), dtype=np.int32), sizes)
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
