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
from .passages import UnitSketch
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
        order = np.lexsort((units.shingles, article_of_value))
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

    def article_arrays(self, index: int) -> dict[str, np.ndarray]:
        """One article's part of its block (views, numbered within the article): all that :meth:`add_stored`
        needs to put it back, without its text. The persistent index stores these."""
        block, local = self.locate(index)
        first_paragraph, last_paragraph = block.paragraph_offsets[local : local + 2].tolist()
        first, last = block.sentence_offsets[local : local + 2].tolist()
        start, stop = block.value_offsets[local : local + 2].tolist()
        term_offsets = block.term_offsets[first : last + 1]
        return {"fingerprints": block.fingerprints[first_paragraph:last_paragraph],
                "shingle_sizes": block.shingle_sizes[first_paragraph:last_paragraph],
                "sentence_paragraph": block.sentence_paragraph[first:last],
                "sentence_words": block.sentence_words[first:last],
                "sentence_quoted": block.sentence_quoted[first:last],
                "sentence_keys": block.sentence_keys[first:last], "values": block.values[start:stop],
                "owner": block.owner[start:stop], "term_offsets": term_offsets - term_offsets[0],
                "terms": block.terms[term_offsets[0] : term_offsets[-1]]}

    def add_stored(self, articles: Sequence[Article], arrays: Sequence[Mapping[str, np.ndarray]]) -> None:
        """Append articles as one block from their :meth:`article_arrays` (no credit, no headlines): the
        persistent index's stored articles, verified and judged without signing their text again."""
        if not articles:
            return

        def joined(name: str) -> np.ndarray:
            return np.concatenate([part[name] for part in arrays])

        def offsets(sizes: list[int]) -> np.ndarray:
            out = np.zeros(len(sizes) + 1, dtype=np.int64)
            np.cumsum(sizes, out=out[1:])
            return out

        sentence_offsets = offsets([len(part["sentence_words"]) for part in arrays])
        term_sizes = np.concatenate([np.diff(part["term_offsets"]) for part in arrays])
        owner = joined("owner")
        widest = int(np.diff(sentence_offsets).max(initial=0))
        share = self._shared.setdefault
        self.blocks.append(Block(
            ids=[a.id for a in articles],
            meta={name: [v if (v := getattr(a, name, None)) is None or name not in _REPEATING else share(v, v)
                         for a in articles] for name in _META},
            headlines=zlib.compress(json.dumps([[] for _ in articles]).encode(), 1),
            paragraph_offsets=offsets([len(part["fingerprints"]) for part in arrays]),
            fingerprints=joined("fingerprints"), shingle_sizes=joined("shingle_sizes"),
            words=np.array([int(part["sentence_words"].sum()) for part in arrays], dtype=np.int64),
            sentence_offsets=sentence_offsets, sentence_paragraph=joined("sentence_paragraph"),
            sentence_words=joined("sentence_words"), sentence_quoted=joined("sentence_quoted"),
            sentence_keys=joined("sentence_keys"),
            value_offsets=offsets([len(part["values"]) for part in arrays]), values=joined("values"),
            owner=owner.astype(np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32),
            term_offsets=offsets(term_sizes.tolist()),
            terms=joined("terms")))
        self._starts.append(self._starts[-1] + len(articles))
        self._paragraph_starts.append(self._paragraph_starts[-1] + int(self.blocks[-1].paragraph_offsets[-1]))

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

    def settle(self, furniture: np.ndarray) -> None:
        """Mark, block by block, the sentences of the paragraphs flagged in `furniture` (one flag per paragraph of
        the scan) as inactive: they stay in the evidence, which leaves them out of alignment."""
        for number, block in enumerate(self.blocks):
            start = self._paragraph_starts[number]
            flags = furniture[start : start + len(block.fingerprints)]
            article = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(block.sentence_offsets))
            block.active = ~flags[block.paragraph_offsets[article] + block.sentence_paragraph]

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

    def active_words(self, index: int) -> int:
        """The article's words outside furniture paragraphs, after :meth:`settle`."""
        block, local = self.locate(index)
        assert block.active is not None, "settle() first"
        first, last = block.sentence_offsets[local : local + 2].tolist()
        return int(block.sentence_words[first:last][block.active[first:last]].sum())


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
