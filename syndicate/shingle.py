"""Word n-gram shingles, hashed without ever building the n-gram strings.

Each word is hashed once with xxh3; the hash of an n-gram is a polynomial of its words'
hashes, computed for every position of the article in n vectorised steps. Building the
n-gram strings costs more than all the arithmetic after it (see benchmarks/), so avoiding
them is the main saving of this stage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from .normalise import words

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd: the polynomial stays a bijection per position
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


def hash_words(tokens: Sequence[str], seed: int = 0) -> np.ndarray:
    """xxh3-64 of each word, as uint64."""
    hash_one = xxhash.xxh3_64_intdigest
    return np.fromiter((hash_one(t.encode(), seed) for t in tokens), dtype=np.uint64, count=len(tokens))


def ngram_hashes(word_hashes: np.ndarray, n: int) -> np.ndarray:
    """The 64-bit hash of every run of n consecutive words (empty if fewer than n words)."""
    count = len(word_hashes) - n + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    combined = word_hashes[:count].copy()
    for offset in range(1, n):
        combined *= _MULTIPLIER
        combined += word_hashes[offset : offset + count]
    return _fmix64(combined)


def _fmix64(values: np.ndarray) -> np.ndarray:
    shift, m1, m2 = _FMIX
    values ^= values >> shift
    values *= m1
    values ^= values >> shift
    values *= m2
    values ^= values >> shift
    return values


@dataclass(frozen=True, slots=True)
class Shingles:
    """The distinct shingle hashes of each paragraph of one article.

    ``values[offsets[i]:offsets[i + 1]]`` are paragraph i's shingles, sorted and unique
    within the paragraph; ``word_counts[i]`` is its number of words. A paragraph shorter
    than n words has no shingles: it is too short to be evidence of copying.
    """

    values: np.ndarray
    offsets: np.ndarray
    word_counts: np.ndarray

    def __len__(self) -> int:
        return len(self.word_counts)

    def paragraph(self, index: int) -> np.ndarray:
        return self.values[self.offsets[index] : self.offsets[index + 1]]

    def sizes(self) -> np.ndarray:
        return np.diff(self.offsets)


def shingle_paragraphs(paragraphs: Sequence[str], n: int = 5, seed: int = 0) -> Shingles:
    """Shingle every paragraph of an article in one vectorised pass over all its words."""
    paragraph_words = [words(p) for p in paragraphs]
    word_counts = np.fromiter((len(w) for w in paragraph_words), dtype=np.int64, count=len(paragraph_words))
    all_words = [w for ws in paragraph_words for w in ws]
    hashes = ngram_hashes(hash_words(all_words, seed), n)
    # An n-gram starting at global word position s belongs to paragraph p if it ends inside p.
    ends = np.cumsum(word_counts)
    owner = np.repeat(np.arange(len(word_counts)), word_counts)[: len(hashes)]
    keep = np.arange(len(hashes)) + n <= ends[owner] if len(hashes) else np.zeros(0, dtype=bool)
    hashes, owner = hashes[keep], owner[keep]
    order = np.lexsort((hashes, owner))
    hashes, owner = hashes[order], owner[order]
    distinct = np.ones(len(hashes), dtype=bool)
    distinct[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])
    hashes, owner = hashes[distinct], owner[distinct]
    offsets = np.zeros(len(word_counts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=len(word_counts)), out=offsets[1:])
    return Shingles(values=hashes, offsets=offsets, word_counts=word_counts)
