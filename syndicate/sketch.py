"""Everything the later stages need from a batch of articles, without their text.

The text is read, cut into units (:mod:`syndicate.units`: sentences, quoted material, shingles,
content terms), signed per LSH chunk, then dropped, so an archive larger than memory streams
through. A scan keeps these facts for every article as flat columns (:mod:`syndicate.columns`);
the persistent index works on the same batches, a single article being a batch of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np

from .article import Article
from .config import ScanConfig
from .credit import agency_credit
from .lsh import band_keys_by_band
from .sign import EMPTY, MinHasher
from .terms import first_of_runs
from .units import UnitBatch, units_batch


@dataclass(frozen=True, slots=True)
class SignedBatch:
    """What sketching derives from the text of a batch of articles, in flat arrays and lists.

    Kept apart from any per-article object so that a worker process sends back a few arrays
    instead of thousands of small objects.
    """

    units: UnitBatch
    keys: np.ndarray
    """One row of LSH band keys per chunk of the batch (see UnitBatch.chunk_offsets): the transposed view of a row
    per band, the layout they are made in (``keys.T`` is contiguous)."""
    document_keys: np.ndarray
    """One row of band keys per article, over all its shingles, furniture included (see ScanConfig.document_bands);
    a transposed view too."""
    credits: list[str | None]
    headlines: list[tuple[tuple[int, str], ...]]


def sign_batch(articles: Sequence[Article], config: ScanConfig, hasher: MinHasher) -> SignedBatch:
    """The text-derived part of a batch's sketches: what a worker process computes."""
    units = units_batch([article.paragraphs for article in articles], config.ngram)
    signatures = hasher.signatures_by_permutation(units.shingles, units.chunk_shingle_offsets())
    bands, rows = config.bands_rows
    return SignedBatch(units=units, keys=band_keys_by_band(signatures, bands, rows).T,
                       document_keys=band_keys_by_band(document_signatures(units, signatures),
                                                       *config.document_bands).T,
                       credits=[agency_credit(article.paragraphs) for article in articles],
                       headlines=[headline_candidates(article) for article in articles])


def document_signatures(units: UnitBatch, chunk_signatures: np.ndarray) -> np.ndarray:
    """Each article's MinHash over all its shingles: the minimum of its chunks' signatures (a MinHash of a union is
    the minimum of the MinHashes); an article without shingles gets the empty signature. Both laid out a row per
    permutation (``permutations x chunks`` in, ``permutations x articles`` out), where the minimum over each
    article's run of chunks reads contiguous rows."""
    out = np.full((chunk_signatures.shape[0], len(units)), EMPTY, dtype=np.uint32)
    chunks = len(units.chunk_offsets) - 1
    if chunks == 0:
        return out
    if len(units) == 1:  # a checked article: all its chunks are its own
        out[:, 0] = chunk_signatures.min(axis=1)
        return out
    chunk_article = units.paragraph_offsets.searchsorted(units.sentence_paragraph[units.chunk_offsets[:-1]],
                                                         side="right") - 1
    starts = first_of_runs(chunk_article).nonzero()[0]
    out[:, chunk_article[starts]] = np.minimum.reduceat(chunk_signatures, starts, axis=1)
    return out


def headline_candidates(article: Article, width: int = 100, count: int = 4) -> tuple[tuple[int, str], ...]:
    """What a person recognises a story by: its title, else its first paragraphs of five words or more."""
    if article.title:
        return ((-1, _cut(article.title, width)),)
    # The first `count` paragraphs of five words or more: words counted up to five, paragraphs up to the last needed.
    candidates = ((i, _cut(p, width)) for i, p in enumerate(article.paragraphs) if len(p.split(None, 4)) >= 5)
    found = list(islice(candidates, count)) if count >= 0 else list(candidates)[:count]
    return tuple(found) or ((0, _cut(article.paragraphs[0], width)),)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def pick_headline(headlines: tuple[tuple[int, str], ...], furniture: np.ndarray) -> str:
    """The first headline candidate (see :func:`headline_candidates`) that is not a furniture paragraph."""
    for index, text in headlines:
        if index < 0 or not furniture[index]:
            return text
    return headlines[0][1]
