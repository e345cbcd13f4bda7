"""A scan's sketches as flat columns, one block per batch: no object per article.

A batch becomes a few arrays as soon as it is signed: per paragraph its fingerprint and shingle
count (furniture learning), per sentence its paragraph, words, quoted words and content terms, and
per article its distinct shingles sorted by value with the sentence owning each one (the first, if
a shingle repeats). The evidence of an article (:class:`~syndicate.passages.UnitSketch`) is made
from views of these arrays once the furniture paragraphs are known (:meth:`SketchColumns.settle`).
"""

from __future__ import annotations

import json
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np

from .article import METADATA, Article
from .passages import EvidenceBatch, UnitSketch, ragged_positions
from .shingle import order_within_owner
from .sketch import SignedBatch

Info = TypeVar("Info")
_META = (*METADATA, "credit")
_REPEATING = frozenset({"outlet", "date", "credit"})
"""Fields whose values recur across articles: one string each is kept (titles and URLs rarely repeat)."""


@dataclass(slots=True)
class Block:
    """One batch of articles. Paragraph and sentence arrays are numbered across the block; values per article."""

    ids: list[str]
    meta: dict[str, list[str | None]]
    """Per field of _META, one value per article."""
    headlines: bytes
    """Every article's headline candidates, as zlib-compressed JSON: ~0.4 KB less per article than
    tuples of strings, and a report reads back only the few it shows."""
    paragraph_offsets: np.ndarray
    fingerprints: np.ndarray
    shingle_sizes: np.ndarray
    """Per paragraph: the shingles of its sentences (0 for a paragraph with no sentence of n words)."""
    words: np.ndarray
    """Per article: its word count."""
    sentence_offsets: np.ndarray
    sentence_paragraph: np.ndarray
    """Per sentence: its paragraph, counted within its article."""
    sentence_words: np.ndarray
    sentence_quoted: np.ndarray
    sentence_keys: np.ndarray
    value_offsets: np.ndarray
    values: np.ndarray
    owner: np.ndarray
    """Per value: the sentence (within its article) holding it first."""
    term_offsets: np.ndarray
    terms: np.ndarray
    """Per sentence of the block: its distinct content terms."""
    active: np.ndarray | None = None
    """Per sentence: not in a furniture paragraph (set by SketchColumns.settle)."""

    def __len__(self) -> int:
        return len(self.ids)


class SketchColumns:
    """Every article of a scan, by index in input order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._starts: list[int] = [0]
        self._paragraph_starts: list[int] = [0]
        self._shared: dict[str, str] = {}

    def __len__(self) -> int:
        return self._starts[-1]

    def add(self, articles: Sequence[Article], signed: SignedBatch) -> None:
        """Append a signed batch; nothing of it but these columns outlives the call."""
        units = signed.units
        sentence_offsets = units.sentence_offsets
        shingle_sizes = np.diff(units.shingle_offsets)
        sentence_of_value = np.repeat(np.arange(len(shingle_sizes), dtype=np.int64), shingle_sizes)
        article_of_sentence = np.repeat(np.arange(len(articles), dtype=np.int64), np.diff(sentence_offsets))
        article_of_value = article_of_sentence[sentence_of_value]
        # Stable: equal values of one article keep sentence order, so the first of a repeat owns it.
        order = order_within_owner(units.shingles, article_of_value, stable=True)
        values, article_sorted = units.shingles[order], article_of_value[order]
        first = np.ones(len(values), dtype=bool)
        first[1:] = (values[1:] != values[:-1]) | (article_sorted[1:] != article_sorted[:-1])
        order, values, article_sorted = order[first], values[first], article_sorted[first]
        owner = sentence_of_value[order] - sentence_offsets[article_sorted]
        value_offsets = np.zeros(len(articles) + 1, dtype=np.int64)
        np.cumsum(np.bincount(article_sorted, minlength=len(articles)), out=value_offsets[1:])
        widest = int(np.diff(sentence_offsets).max(initial=0))
        share = self._shared.setdefault
        fields = {name: [getattr(a, name) for a in articles] for name in _META[:-1]}
        fields["credit"] = signed.credits
        paragraph_of_sentence = units.sentence_paragraph
        self.blocks.append(Block(
            ids=[a.id for a in articles],
            meta={name: [v if v is None or name not in _REPEATING else share(v, v) for v in values]
                  for name, values in fields.items()},
            headlines=zlib.compress(json.dumps(signed.headlines, ensure_ascii=False).encode(), 1),
            paragraph_offsets=units.paragraph_offsets.copy(),
            fingerprints=units.fingerprints.copy(),
            shingle_sizes=np.bincount(paragraph_of_sentence, weights=shingle_sizes,
                                      minlength=len(units.fingerprints)).astype(np.int32),
            words=np.bincount(article_of_sentence, weights=units.sentence_words,
                              minlength=len(articles)).astype(np.int64),
            sentence_offsets=sentence_offsets.copy(),
            sentence_paragraph=(paragraph_of_sentence - units.paragraph_offsets[article_of_sentence]).astype(np.int32),
            sentence_words=units.sentence_words.copy(), sentence_quoted=units.sentence_quoted.copy(),
            sentence_keys=units.sentence_keys.copy(),
            value_offsets=value_offsets, values=values,
            owner=owner.astype(np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32),
            term_offsets=units.term_offsets.copy(), terms=units.terms.copy()))
        self._starts.append(self._starts[-1] + len(articles))
        self._paragraph_starts.append(self._paragraph_starts[-1] + len(units.fingerprints))

    def locate(self, index: int) -> tuple[Block, int]:
        """The block holding article `index`, and its position there (bisect: verify asks twice per pair)."""
        number = bisect_right(self._starts, index) - 1
        return self.blocks[number], index - self._starts[number]

    def paragraph_span(self, index: int) -> tuple[int, int]:
        """The article's paragraphs, numbered across the scan."""
        number = bisect_right(self._starts, index) - 1
        block, local = self.blocks[number], index - self._starts[number]
        start = self._paragraph_starts[number]
        return start + int(block.paragraph_offsets[local]), start + int(block.paragraph_offsets[local + 1])

    def paragraph_start(self, block_number: int) -> int:
        """The scan-wide number of the block's first paragraph."""
        return self._paragraph_starts[block_number]

    def article_start(self, block_number: int) -> int:
        return self._starts[block_number]

    def ids(self) -> Iterator[str]:
        for block in self.blocks:
            yield from block.ids

    def column(self, name: str) -> np.ndarray:
        """One per-paragraph array of every block, end to end."""
        if not self.blocks:
            return np.empty(0, dtype=np.uint64 if name == "fingerprints" else np.int32)
        return np.concatenate([getattr(block, name) for block in self.blocks])

    def article_of_paragraph(self) -> np.ndarray:
        if not self.blocks:
            return np.empty(0, dtype=np.int64)
        return np.concatenate([start + np.repeat(np.arange(len(b), dtype=np.int64), np.diff(b.paragraph_offsets))
                               for start, b in zip(self._starts, self.blocks, strict=False)])

    def meta(self, index: int, name: str) -> str | None:
        block, local = self.locate(index)
        return block.meta[name][local]

    def outlet(self, index: int) -> str | None:
        return self.meta(index, "outlet")

    def headlines(self, index: int) -> tuple[tuple[int, str], ...]:
        block, local = self.locate(index)
        return tuple((int(i), text) for i, text in _headlines(block.headlines)[local])

    def story_set(self, index: int) -> np.ndarray:
        """The article's distinct shingles, sorted."""
        block, local = self.locate(index)
        return block.values[block.value_offsets[local] : block.value_offsets[local + 1]]

    def story_size(self, index: int) -> int:
        block, local = self.locate(index)
        return int(block.value_offsets[local + 1] - block.value_offsets[local])

    def evidence_sizes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every article's count of distinct shingles, and of sentences."""
        if not self.blocks:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return (np.concatenate([np.diff(block.value_offsets) for block in self.blocks]),
                np.concatenate([np.diff(block.sentence_offsets) for block in self.blocks]))

    def settle(self, furniture: np.ndarray) -> None:
        """Mark, block by block, the sentences of the paragraphs flagged in `furniture` (one flag per paragraph of
        the scan) as inactive: they stay in the evidence, which leaves them out of alignment."""
        for number, block in enumerate(self.blocks):
            start = self._paragraph_starts[number]
            flags = furniture[start : start + len(block.fingerprints)]
            article = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(block.sentence_offsets))
            block.active = ~flags[block.paragraph_offsets[article] + block.sentence_paragraph]

    def term_holders(self) -> tuple[np.ndarray, np.ndarray]:
        """Every content term of the archive and how many articles hold it (each article counted once)."""
        codes = []
        for start, block in zip(self._starts, self.blocks, strict=False):
            sentence_article = np.repeat(np.arange(len(block), dtype=np.uint64), np.diff(block.sentence_offsets))
            term_article = np.repeat(sentence_article + np.uint64(start), np.diff(block.term_offsets))
            codes.append(np.unique(term_article << np.uint64(32) | block.terms.astype(np.uint64)))
        if not codes:
            return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64)
        terms, holders = np.unique((np.concatenate(codes) & np.uint64(0xFFFFFFFF)).astype(np.uint32),
                                   return_counts=True)
        return terms, holders

    def drop_terms(self, dropped: np.ndarray) -> None:
        """Leave the sorted terms `dropped` out of every sentence's content terms (template vocabulary)."""
        if not len(dropped):
            return
        for block in self.blocks:
            keep = ~np.isin(block.terms, dropped)
            owner = np.repeat(np.arange(len(block.term_offsets) - 1), np.diff(block.term_offsets))
            kept = np.bincount(owner[keep], minlength=len(block.term_offsets) - 1)
            block.terms = block.terms[keep]
            block.term_offsets = np.r_[0, np.cumsum(kept)].astype(block.term_offsets.dtype)

    def evidence(self, index: int) -> tuple[str, UnitSketch]:
        """The article's id and evidence (made from views into its block), after :meth:`settle`."""
        block, local = self.locate(index)
        assert block.active is not None, "settle() first"
        first, last = block.sentence_offsets[local : local + 2].tolist()
        start, stop = block.value_offsets[local : local + 2].tolist()
        term_offsets = block.term_offsets[first : last + 1]
        return block.ids[local], UnitSketch.of(
            paragraph=block.sentence_paragraph[first:last], words=block.sentence_words[first:last],
            quoted=block.sentence_quoted[first:last], sentence_keys=block.sentence_keys[first:last],
            active=block.active[first:last],
            shingles=block.values[start:stop], shingle_owner=block.owner[start:stop].astype(np.int64),
            terms=block.terms[term_offsets[0] : term_offsets[-1]], term_offsets=term_offsets - term_offsets[0])

    def evidence_batch(self, indices: np.ndarray) -> EvidenceBatch:
        """The evidence of the articles at `indices` (sorted), article k of the batch being indices[k], after
        :meth:`settle`. Gathered a block at a time, whole arrays per block."""
        number = np.searchsorted(self._starts, indices, side="right") - 1
        parts = []
        for block_number in np.unique(number).tolist():
            block = self.blocks[block_number]
            assert block.active is not None, "settle() first"
            local = indices[number == block_number] - self._starts[block_number]
            sentences, sentence_bounds = ragged_positions(block.sentence_offsets, local)
            values, value_bounds = ragged_positions(block.value_offsets, local)
            terms, term_bounds = ragged_positions(block.term_offsets, sentences)
            parts.append({"sentence_offsets": sentence_bounds, "words": block.sentence_words[sentences],
                          "quoted": block.sentence_quoted[sentences], "active": block.active[sentences],
                          "sentence_keys": block.sentence_keys[sentences], "shingle_offsets": value_bounds,
                          "shingles": block.values[values], "shingle_owner": block.owner[values],
                          "term_offsets": term_bounds, "terms": block.terms[terms]})
        if len(parts) == 1:
            return EvidenceBatch.of(**parts[0])
        return EvidenceBatch.of(**{name: (_join_bounds if name.endswith("_offsets") else np.concatenate)(
            [part[name] for part in parts]) for name in parts[0]})

    def active_words(self, index: int) -> int:
        """The article's words outside furniture paragraphs, after :meth:`settle`."""
        block, local = self.locate(index)
        assert block.active is not None, "settle() first"
        first, last = block.sentence_offsets[local : local + 2].tolist()
        return int(block.sentence_words[first:last][block.active[first:last]].sum())


def _join_bounds(bounds: Sequence[np.ndarray]) -> np.ndarray:
    """Bounds of ragged rows laid end to end, from each part's own bounds."""
    joined = np.zeros(sum(len(b) - 1 for b in bounds) + 1, dtype=np.int64)
    np.cumsum(np.concatenate([np.diff(b) for b in bounds]), out=joined[1:])
    return joined


@lru_cache(maxsize=4)
def _headlines(packed: bytes) -> list:
    return json.loads(zlib.decompress(packed))


class LazyInfo(Mapping[str, Info]):
    """``ScanResult.info`` without an object per article: each ArticleInfo is made when asked for.

    `known` holds the ones made up front (the clustered articles, which reports show); any other id
    is found through an id -> index table built on first need.
    """

    def __init__(self, columns: SketchColumns, make: Callable[[int], Info], known: dict[str, Info]) -> None:
        self._columns, self._make, self._known = columns, make, known
        self._index: dict[str, int] | None = None

    def __getitem__(self, article_id: str) -> Info:
        if article_id in self._known:
            return self._known[article_id]
        if self._index is None:
            self._index = {article_id: index for index, article_id in enumerate(self._columns.ids())}
        return self._make(self._index[article_id])

    def __iter__(self) -> Iterator[str]:
        return self._columns.ids()

    def __len__(self) -> int:
        return len(self._columns)
