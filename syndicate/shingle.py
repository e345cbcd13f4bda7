"""Word n-gram shingles, hashed without ever building the n-gram strings.

Each word is hashed once with xxh3; the hash of an n-gram is a polynomial of its words'
hashes, computed for every position of the article in n vectorised steps. Building the
n-gram strings costs more than all the arithmetic after it (see benchmarks/), so avoiding
them is the main saving of this stage.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import groupby

import numpy as np
import xxhash

from .normalise import _DIGITS, _WORD, normalise, words

WORD_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # odd: the polynomial stays a bijection per position
_FMIX = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
MARK = b"\x00"
"""Ends every paragraph in a batch's token stream: survives normalise(), is never part of a word."""
_SPACE, _APOSTROPHE, _ZERO = 32, 39, 48
_MAX_BATCH_PARAGRAPHS = 1 << 24  # paragraph index in the high bits of a 64-bit sort key


def _ascii_word_table() -> np.ndarray:
    """Byte -> byte map doing, for ASCII text, what normalise() + words() do: lower case, `
    as ', every other non-word byte a space (the paragraph mark kept)."""
    table = np.full(256, _SPACE, dtype=np.uint8)
    for char in b"abcdefghijklmnopqrstuvwxyz0123456789'" + MARK:
        table[char] = char
    for char in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        table[char] = char + 32
    table[ord("`")] = _APOSTROPHE
    return table


_ASCII_WORDS = _ascii_word_table()
ASCII_UNIT_TOKENS = _ascii_word_table()
ASCII_UNIT_TOKENS[list(b'"\x01\x02')] = list(b'"\x01\x02')
"""As _ASCII_WORDS, keeping double quotes and the unit marks of syndicate.units (their text is spaced out)."""
_ALNUM = np.zeros(256, dtype=bool)
_ALNUM[list(b"abcdefghijklmnopqrstuvwxyz0123456789")] = True
_TOKEN = re.compile(f"{_WORD.pattern}|{MARK.decode()}")


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
        combined *= _WORD_MULTIPLIER
        combined += word_hashes[offset : offset + count]
    return fmix64(combined)


def fmix64(values: np.ndarray) -> np.ndarray:
    shift, m1, m2 = _FMIX_ARRAYS
    values ^= values >> shift
    values *= m1
    values ^= values >> shift
    values *= m2
    values ^= values >> shift
    return values


_WORD_MULTIPLIER = np.array(WORD_MULTIPLIER)
_FMIX_ARRAYS = tuple(np.array(value) for value in _FMIX)
"""The constants as 0-d arrays, which numpy applies faster than scalars (a checked article's shingles are a few
hundred: the cost of each call counts)."""


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


def hash_tokens(tokens: list[bytes], seed: int = 0) -> np.ndarray:
    """xxh3-64 of each UTF-8 word: ``hash_words`` without the per-word ``encode`` and generator.

    Measured on Reuters-21578, mapping the hash function over the tokens in C is faster than a
    vocabulary cache: looking a fresh bytes object up in a dict costs as much as hashing it.
    """
    hash_one = xxhash.xxh3_64_intdigest if seed == 0 else partial(xxhash.xxh3_64_intdigest, seed=seed)
    return np.fromiter(map(hash_one, tokens), dtype=np.uint64, count=len(tokens))


@dataclass(frozen=True, slots=True)
class ShingledBatch:
    """Shingles and paragraph fingerprints of a batch of articles, in flat arrays.

    Paragraph p (numbered across the whole batch) owns ``values[offsets[p]:offsets[p + 1]]``
    and ``word_counts[p]``, ``fingerprints[p]``; article a owns paragraphs
    ``paragraph_offsets[a]:paragraph_offsets[a + 1]``.
    """

    values: np.ndarray
    offsets: np.ndarray
    word_counts: np.ndarray
    fingerprints: np.ndarray
    paragraph_offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.paragraph_offsets) - 1

    def article(self, index: int) -> Shingles:
        """Article `index`'s shingles, as :func:`shingle_paragraphs` would return them."""
        first, last = self.paragraph_offsets[index], self.paragraph_offsets[index + 1]
        offsets = self.offsets[first : last + 1]
        return Shingles(values=self.values[offsets[0] : offsets[-1]], offsets=offsets - offsets[0],
                        word_counts=self.word_counts[first:last])


def shingle_articles(articles: Sequence[Sequence[str]], n: int = 5, seed: int = 0, *,
                     fingerprints: bool = True) -> ShingledBatch:
    """Shingle and fingerprint the paragraphs of many articles in a few whole-batch passes.

    Paragraph by paragraph equal to :func:`shingle_paragraphs` and
    :func:`~syndicate.normalise.paragraph_fingerprint`; what it saves is their per-paragraph
    Python work (normalise, regex, one hash call and one ``encode`` per word). Without
    `fingerprints` the batch's fingerprints are left empty (signing only needs the shingles).
    """
    counts = np.fromiter(map(len, articles), dtype=np.int64, count=len(articles))
    paragraph_offsets = np.zeros(len(articles) + 1, dtype=np.int64)
    np.cumsum(counts, out=paragraph_offsets[1:])
    tokens = marked_words(articles)
    hashes = hash_tokens(tokens, seed)
    is_mark = _marks(tokens, hashes, seed, int(paragraph_offsets[-1]))
    word_counts = np.diff(np.flatnonzero(is_mark), prepend=-1) - 1
    values, offsets = _per_paragraph_unique(ngram_hashes(hashes[~is_mark], n), word_counts, n)
    return ShingledBatch(values=values, offsets=offsets, word_counts=word_counts,
                         fingerprints=_fingerprints(tokens) if fingerprints else np.empty(0, dtype=np.uint64),
                         paragraph_offsets=paragraph_offsets)


def marked_words(articles: Sequence[Sequence[str]]) -> list[bytes]:
    """The UTF-8 words of every paragraph, each paragraph followed by MARK, as words() splits them.

    Runs of all-ASCII articles (most news) take a byte-table path that needs neither
    Unicode normalisation nor the regex; the others go through normalise() and the regex.
    """
    tokens: list[bytes] = []
    mark = MARK.decode()
    for ascii_run, run in groupby(articles, key=lambda paragraphs: all(map(str.isascii, paragraphs))):
        text = "".join(f"{p.replace(mark, ' ') if mark in p else p} {mark} " for ps in run for p in ps)
        if ascii_run:
            tokens += ascii_tokens(text.encode())
        else:
            tokens += [word.encode() for word in _TOKEN.findall(normalise(text))]
    return tokens


def ascii_tokens(text: bytes, table: np.ndarray = _ASCII_WORDS) -> list[bytes]:
    """The words (and kept marks) of ASCII text through a byte table: what normalise() + the word regex find."""
    return ascii_mapped(text, table).tobytes().split()


def ascii_mapped(text: bytes, table: np.ndarray = _ASCII_WORDS) -> np.ndarray:
    """ASCII text through a byte table, as uint8: its words (and kept marks) between spaces."""
    # bytes.translate maps a byte in a fraction of the time a numpy gather takes, short text or long.
    mapped = np.frombuffer(bytearray(text.translate(table.tobytes())), dtype=np.uint8)
    # An apostrophe belongs to a word only between two word characters ("o'neil's", not "'quote'").
    apostrophes = (mapped == _APOSTROPHE).nonzero()[0]
    if len(apostrophes):
        last = len(mapped) - 1
        # The neighbours of the apostrophes only (an apostrophe at either end of the text has one, which is no word).
        inner = (_ALNUM[mapped[apostrophes - 1]] & _ALNUM[mapped[np.minimum(apostrophes + 1, last)]]
                 & (apostrophes > 0) & (apostrophes < last))
        mapped[apostrophes[~inner]] = _SPACE
    return mapped


def _marks(tokens: list[bytes], hashes: np.ndarray, seed: int, paragraphs: int) -> np.ndarray:
    """Where the paragraph marks are: by hash, checked against the paragraph count (a word colliding
    with the mark's 64-bit hash would add one), by value if the check fails."""
    is_mark = hashes == np.uint64(xxhash.xxh3_64_intdigest(MARK, seed))
    if np.count_nonzero(is_mark) != paragraphs:
        is_mark = np.fromiter(map(MARK.__eq__, tokens), dtype=bool, count=len(tokens))
    return is_mark


def _per_paragraph_unique(hashes: np.ndarray, word_counts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Drop the n-grams that straddle paragraphs, then sort and deduplicate within each paragraph."""
    ends = np.cumsum(word_counts)
    owner = np.repeat(np.arange(len(word_counts), dtype=np.uint64), word_counts)[: len(hashes)]
    keep = np.arange(len(hashes)) + n <= ends[owner] if len(hashes) else np.zeros(0, dtype=bool)
    hashes, owner = hashes[keep], owner[keep]
    hashes, owner = sort_within_owner(hashes, owner)
    distinct = np.ones(len(hashes), dtype=bool)
    distinct[1:] = (hashes[1:] != hashes[:-1]) | (owner[1:] != owner[:-1])
    hashes, owner = hashes[distinct], owner[distinct]
    offsets = np.zeros(len(word_counts) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=len(word_counts)), out=offsets[1:])
    return hashes, offsets


def sort_within_owner(hashes: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort by (owner, hash) (see :func:`order_within_owner`)."""
    _, sorted_hashes, sorted_owner = _within_owner(hashes, owner)
    return sorted_hashes, sorted_owner


def order_within_owner(hashes: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """The order that sorts by (owner, hash), owner ascending already; equal (owner, hash) keep their order, as with
    lexsort. One argsort of owner-prefixed keys is ten times faster than lexsort; keys keep only the top 40 bits of a
    hash, so the rare tie is caught by the check and lexsort redoes it. The argsort is numpy's stable one (timsort),
    which takes the keys' ascending owners as given: 2.4 times faster than its quicksort on a batch of Reuters
    stories' shingles (9.5 against 23 ms for 450,000)."""
    return _within_owner(hashes, owner)[0]


def _within_owner(hashes: np.ndarray, owner: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """order_within_owner's order, and the hashes and owners in that order (the check has them already)."""
    if len(owner) and int(owner[-1]) < _MAX_BATCH_PARAGRAPHS:
        order = ((owner.astype(np.uint64, copy=False) << _40) | (hashes >> _24)).argsort(kind="stable")
        sorted_hashes, sorted_owner = hashes[order], owner[order]
        same_owner = sorted_owner[1:] == sorted_owner[:-1]
        if not np.count_nonzero(same_owner & (sorted_hashes[1:] < sorted_hashes[:-1])):
            return order, sorted_hashes, sorted_owner
    order = np.lexsort((hashes, owner))
    return order, hashes[order], owner[order]


_40, _24 = np.array(40, dtype=np.uint64), np.array(24, dtype=np.uint64)


def _fingerprints(tokens: list[bytes]) -> np.ndarray:
    """paragraph_fingerprint of every paragraph, from the marked token stream."""
    return fingerprints_of_text(b" ".join(tokens))


def fingerprints_of_text(joined: bytes) -> np.ndarray:
    """paragraph_fingerprint of every paragraph of `joined`: words one space apart, each paragraph followed by
    MARK (as a word of its own).

    Digit runs never span the spaces that join words, so folding digits in the joined text is
    the same as folding them word by word.
    """
    if joined.isascii():
        raw = np.frombuffer(joined.translate(_DIGITS_AS_ZERO), dtype=np.uint8)  # every digit a 0 (bytes.translate)
        digit = raw == _ZERO
        keep = np.empty(len(raw), dtype=bool)
        keep[:1] = True
        keep[1:] = ~(digit[1:] & digit[:-1])
        folded = raw[keep].tobytes()
    else:
        folded = _DIGITS.sub("0", joined.decode()).encode()
    paragraphs = folded.split(MARK)[:-1]
    hash_one = xxhash.xxh3_64_intdigest
    return np.fromiter(map(hash_one, map(bytes.strip, paragraphs)), dtype=np.uint64, count=len(paragraphs))


_DIGITS_AS_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
