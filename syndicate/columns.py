"""A scan's sketches as flat columns, one block per batch: no object per article.

A million articles as one ArticleSketch each cost ~0.8 KB apiece in object and array headers
alone, and kept every batch's shingle values alive until the furniture stage. Here a batch
becomes a few arrays as soon as it is signed, and its shingles are kept only in the form the
evidence is built from: per article, sorted by value (ties in paragraph order), with the
paragraph owning each one. The evidence of an article is then that array minus the furniture
paragraphs and minus repeats, exactly what :func:`~syndicate.sketch.build_evidence` returns.
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
from .sketch import Evidence, SignedBatch

Info = TypeVar("Info")
_META = (*METADATA, "credit")
_REPEATING = frozenset({"outlet", "date", "credit"})
"""Fields whose values recur across articles: one string each is kept (titles and URLs rarely repeat)."""


@dataclass(slots=True)
class Block:
    """One batch of articles. Paragraph arrays are numbered across the block; values per article."""

    ids: list[str]
    meta: dict[str, list[str | None]]
    """Per field of _META, one value per article."""
    headlines: bytes
    """Every article's headline candidates, as zlib-compressed JSON: ~0.4 KB less per article than
    tuples of strings, and a report reads back only the few it shows."""
    paragraph_offsets: np.ndarray
    fingerprints: np.ndarray
    shingle_sizes: np.ndarray
    """Per paragraph: its distinct shingles (0 for a paragraph shorter than n words)."""
    words: np.ndarray
    """Per article: its word count."""
    value_offsets: np.ndarray
    values: np.ndarray
    owner: np.ndarray
    distinct: np.ndarray
    """Per article: distinct values (a shingle in two paragraphs is in ``values`` twice until settled)."""
    evidence_sizes: np.ndarray | None = None

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
        shingles = signed.shingles
        sizes = np.diff(shingles.offsets)
        paragraph_of_value = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        article_of_paragraph = np.repeat(np.arange(len(articles), dtype=np.int64), np.diff(shingles.paragraph_offsets))
        article_of_value = article_of_paragraph[paragraph_of_value]
        # Stable: equal values of one article keep paragraph order, as build_evidence's stable argsort does.
        order = np.lexsort((shingles.values, article_of_value))
        values = shingles.values[order]
        owner = paragraph_of_value[order] - shingles.paragraph_offsets[article_of_value[order]]
        value_offsets = np.zeros(len(articles) + 1, dtype=np.int64)
        np.cumsum(np.bincount(article_of_value, minlength=len(articles)), out=value_offsets[1:])
        repeat = np.zeros(len(values), dtype=bool)
        repeat[1:] = (values[1:] == values[:-1]) & (article_of_value[order][1:] == article_of_value[order][:-1])
        repeats = np.bincount(article_of_value[order][repeat], minlength=len(articles))
        widest = int(np.diff(shingles.paragraph_offsets).max(initial=0))
        share = self._shared.setdefault
        fields = {name: [getattr(a, name) for a in articles] for name in _META[:-1]}
        fields["credit"] = signed.credits
        self.blocks.append(Block(
            ids=[a.id for a in articles],
            meta={name: [v if v is None or name not in _REPEATING else share(v, v) for v in values]
                  for name, values in fields.items()},
            headlines=zlib.compress(json.dumps(signed.headlines, ensure_ascii=False).encode(), 1),
            paragraph_offsets=shingles.paragraph_offsets.copy(),
            fingerprints=shingles.fingerprints.copy(),
            shingle_sizes=sizes.astype(np.int32),
            words=np.bincount(article_of_paragraph, weights=shingles.word_counts,
                              minlength=len(articles)).astype(np.int64),
            value_offsets=value_offsets, values=values,
            owner=owner.astype(np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32),
            distinct=(np.diff(value_offsets) - repeats).astype(np.int32)))
        self._starts.append(self._starts[-1] + len(articles))
        self._paragraph_starts.append(self._paragraph_starts[-1] + len(sizes))

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
        """The article's distinct shingles, sorted (before settle)."""
        block, local = self.locate(index)
        values = block.values[block.value_offsets[local] : block.value_offsets[local + 1]]
        if len(values) == block.distinct[local]:
            return values
        return np.unique(values)

    def story_size(self, index: int) -> int:
        block, local = self.locate(index)
        return int(block.distinct[local])

    def settle(self, furniture: np.ndarray) -> None:
        """Turn each block's sorted shingles into evidence, block by block, leaving out the paragraphs
        flagged in `furniture` (one flag per paragraph of the scan) and every repeat of a kept value."""
        start = 0
        for block in self.blocks:
            flags = furniture[start : start + len(block.fingerprints)]
            start += len(block.fingerprints)
            article = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(block.value_offsets))
            paragraph = block.paragraph_offsets[article] + block.owner
            kept = np.flatnonzero(~flags[paragraph])
            values, article_kept = block.values[kept], article[kept]
            first = np.ones(len(kept), dtype=bool)
            first[1:] = (values[1:] != values[:-1]) | (article_kept[1:] != article_kept[:-1])
            kept = kept[first]
            if len(kept) != len(block.values):
                block.values, block.owner = block.values[kept], block.owner[kept]
            article, paragraph = article[kept], paragraph[kept]
            np.cumsum(np.bincount(article, minlength=len(block)), out=block.value_offsets[1:])
            block.evidence_sizes = np.bincount(paragraph, minlength=len(block.fingerprints)).astype(np.int32)

    def evidence(self, index: int) -> tuple[str, Evidence]:
        """The article's id and evidence (views into its block), after :meth:`settle`."""
        block, local = self.locate(index)
        first, last = block.value_offsets[local : local + 2].tolist()
        paragraphs = slice(*block.paragraph_offsets[local : local + 2].tolist())
        assert block.evidence_sizes is not None, "settle() first"
        return block.ids[local], Evidence(values=block.values[first:last], owner=block.owner[first:last],
                                          paragraph_sizes=block.evidence_sizes[paragraphs])


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
