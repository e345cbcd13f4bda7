"""A scan's sketches as flat columns, one block per batch: no object per article.

A batch becomes a few arrays as soon as it is signed: per paragraph its fingerprint and shingle
count (furniture learning), per sentence its paragraph, words, quoted words and content terms, and
per article its distinct shingles sorted by value with the sentence owning each one (the first, if
a shingle repeats). The evidence of an article (:class:`~syndicate.passages.UnitSketch`) is made
from views of these arrays once the furniture paragraphs are known (:meth:`SketchColumns.settle`).

A partitioned scan (:mod:`syndicate.plan`) builds the blocks in worker processes (:func:`build_block`),
settles them a group at a time (:meth:`SketchColumns.settle_block`) and moves their evidence arrays,
end to end, into :class:`EvidenceColumns`: a bundle of named arrays that verification reads in
whichever process it runs (forked, Ray, or memory-mapped from disk).
"""

from __future__ import annotations

import json
import os
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import TypeVar

import numpy as np

from .article import METADATA, Article, ArticleInfo, parse_date
from .passages import EvidenceBatch, UnitSketch, ragged_positions
from .shingle import order_within_owner
from .sketch import SignedBatch, pick_headline
from .sorting import distinct
from .terms import term_holders, without_terms

Info = TypeVar("Info")
_META = (*METADATA, "credit")
_REPEATING = frozenset({"outlet", "date", "credit"})
"""Fields whose values recur across articles: one string each is kept (titles and URLs rarely repeat)."""

Allocate = Callable[[str, int, np.dtype], np.ndarray]
"""Makes a one-dimensional array to fill: (name, length, dtype) -> array (in memory, or a file on disk)."""

SENTENCE_ARRAYS = ("sentence_paragraph", "sentence_words", "sentence_quoted", "sentence_keys", "active")
"""Evidence arrays with one entry per sentence (Block attributes; ``active`` is set by settling)."""
VALUE_ARRAYS = ("values", "owner")
"""Evidence arrays with one entry per distinct shingle of an article, sliced by ``value_offsets``."""
TERM_ARRAYS = ("terms",)
"""Evidence arrays with one entry per content term of a sentence, sliced by ``term_offsets``."""


@dataclass(slots=True)
class Block:
    """One batch of articles. Paragraph and sentence arrays are numbered across the block; values per article."""

    ids: list[str]
    meta: dict[str, list[str | None]]
    """Per field of _META, one value per article."""
    headlines: bytes
    """Every article's headline candidates, as one JSON array zlib-compressed: ~0.4 KB less per article than tuples
    of strings. Asking for one article's decodes its block's (see _headline_rows)."""
    paragraph_offsets: np.ndarray
    fingerprints: np.ndarray
    shingle_sizes: np.ndarray
    """Per paragraph: the shingles of its sentences (0 for a paragraph with no sentence of n words)."""
    words: np.ndarray
    """Per article: its word count."""
    days: np.ndarray
    """Per article: its date as days since the epoch (float), NaN when it has none (time windows)."""
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


def build_block(articles: Sequence[Article], signed: SignedBatch) -> Block:
    """A signed batch as a block; nothing of it but these arrays outlives the call (worker processes run this)."""
    units = signed.units
    sentence_offsets = units.sentence_offsets
    shingle_sizes = np.diff(units.shingle_offsets)
    sentence_of_value = np.repeat(np.arange(len(shingle_sizes), dtype=np.int64), shingle_sizes)
    article_of_sentence = np.repeat(np.arange(len(articles), dtype=np.int64), np.diff(sentence_offsets))
    article_of_value = article_of_sentence[sentence_of_value]
    # Stable: equal values of one article keep sentence order, so the first of a repeat owns it.
    order = order_within_owner(units.shingles, article_of_value)
    values, article_sorted = units.shingles[order], article_of_value[order]
    first = np.ones(len(values), dtype=bool)
    first[1:] = (values[1:] != values[:-1]) | (article_sorted[1:] != article_sorted[:-1])
    order, values, article_sorted = order[first], values[first], article_sorted[first]
    owner = sentence_of_value[order] - sentence_offsets[article_sorted]
    value_offsets = np.zeros(len(articles) + 1, dtype=np.int64)
    np.cumsum(np.bincount(article_sorted, minlength=len(articles)), out=value_offsets[1:])
    widest = int(np.diff(sentence_offsets).max(initial=0))
    fields = {name: [getattr(a, name) for a in articles] for name in _META[:-1]}
    fields["credit"] = signed.credits
    paragraph_of_sentence = units.sentence_paragraph
    return Block(
        ids=[a.id for a in articles],
        meta=fields,
        headlines=_packed_rows(signed.headlines),
        paragraph_offsets=units.paragraph_offsets.copy(),
        fingerprints=units.fingerprints.copy(),
        shingle_sizes=np.bincount(paragraph_of_sentence, weights=shingle_sizes,
                                  minlength=len(units.fingerprints)).astype(np.int32),
        words=np.bincount(article_of_sentence, weights=units.sentence_words,
                          minlength=len(articles)).astype(np.int64),
        days=_days_of(fields["date"]),
        sentence_offsets=sentence_offsets.copy(),
        sentence_paragraph=(paragraph_of_sentence - units.paragraph_offsets[article_of_sentence]).astype(np.int32),
        sentence_words=units.sentence_words.copy(), sentence_quoted=units.sentence_quoted.copy(),
        sentence_keys=units.sentence_keys.copy(),
        value_offsets=value_offsets, values=values,
        owner=owner.astype(np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32),
        term_offsets=units.term_offsets.copy(), terms=units.terms.copy())


def _days_of(dates: list[str | None]) -> np.ndarray:
    """Days since the epoch per date (NaN when absent or unreadable); each distinct date parsed once."""
    parsed = {date: parse_date(date) for date in set(dates)}
    days = {date: value.timestamp() / 86400 if value is not None else float("nan") for date, value in parsed.items()}
    return np.array([days[date] for date in dates], dtype=np.float64)


COPY_THREADS = min(8, os.cpu_count() or 1)
"""Threads that copy the blocks' evidence into the evidence columns (most of the copying is page faults and memory
bandwidth, which threads share: 0.33 -> 0.21-0.24 s at 100k articles on two cores)."""


def in_memory(name: str, length: int, dtype: np.dtype) -> np.ndarray:
    """The default :data:`Allocate`: pages never written are never resident, so an upper bound costs nothing."""
    return np.empty(length, dtype=dtype)


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
        self.append(build_block(articles, signed))

    def append(self, block: Block) -> None:
        """Append a block (the recurring strings of its metadata shared with the blocks before)."""
        share = self._shared.setdefault
        for name in _REPEATING:
            values = block.meta[name]
            kept = {value: None if value is None else share(value, value) for value in set(values)}
            block.meta[name] = list(map(kept.__getitem__, values))
        self.blocks.append(block)
        self._starts.append(self._starts[-1] + len(block))
        self._paragraph_starts.append(self._paragraph_starts[-1] + len(block.fingerprints))

    @property
    def paragraphs(self) -> int:
        return self._paragraph_starts[-1]

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

        # Whole-block passes, not one per article: a check adds a few hundred stored candidates at times.
        sentence_offsets = offsets([len(part["sentence_words"]) for part in arrays])
        sentence_words = joined("sentence_words")
        stored_offsets = joined("term_offsets")  # each article's own, from 0: their steps are the term counts
        article_ends = sentence_offsets[1:] + np.arange(len(arrays))
        term_sizes = np.delete(np.diff(stored_offsets), article_ends[:-1])
        owner = joined("owner")
        widest = int(np.diff(sentence_offsets).max(initial=0))
        meta = {name: [getattr(a, name, None) for a in articles] for name in _META}
        self.append(Block(
            ids=[a.id for a in articles], meta=meta,
            headlines=_packed_rows([[]] * len(articles)),
            paragraph_offsets=offsets([len(part["fingerprints"]) for part in arrays]),
            fingerprints=joined("fingerprints"), shingle_sizes=joined("shingle_sizes"),
            words=_sums(sentence_words, sentence_offsets),
            days=_days_of(meta["date"]),
            sentence_offsets=sentence_offsets, sentence_paragraph=joined("sentence_paragraph"),
            sentence_words=sentence_words, sentence_quoted=joined("sentence_quoted"),
            sentence_keys=joined("sentence_keys"),
            value_offsets=offsets([len(part["values"]) for part in arrays]), values=joined("values"),
            owner=owner.astype(np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32),
            term_offsets=offsets(term_sizes.tolist()),
            terms=joined("terms")))

    def locate(self, index: int) -> tuple[Block, int]:
        """The block holding article `index`, and its position there (bisect: verify asks twice per pair)."""
        number = bisect_right(self._starts, index) - 1
        return self.blocks[number], index - self._starts[number]

    def _by_block(self, indices: np.ndarray) -> Iterator[tuple[Block, np.ndarray]]:
        """The articles at `indices` (sorted), block by block: each block holding some, and their positions in it."""
        number = np.searchsorted(self._starts, indices, side="right") - 1
        for block_number in distinct(number).tolist():
            yield self.blocks[block_number], indices[number == block_number] - self._starts[block_number]

    def paragraph_span(self, index: int) -> tuple[int, int]:
        """The article's paragraphs, numbered across the scan."""
        number = bisect_right(self._starts, index) - 1
        block, local = self.blocks[number], index - self._starts[number]
        start = self._paragraph_starts[number]
        return start + int(block.paragraph_offsets[local]), start + int(block.paragraph_offsets[local + 1])

    def block_articles(self, number: int) -> range:
        """The indices of block `number`'s articles."""
        return range(self._starts[number], self._starts[number + 1])

    def info(self, index: int, furniture: np.ndarray) -> ArticleInfo:
        """What reports show of article `index`, given the scan's furniture flags (one per paragraph)."""
        block, local = self.locate(index)
        first, last = self.paragraph_span(index)
        flags = furniture[first:last]
        return ArticleInfo(block.meta["credit"][local], int(block.words[local]),
                           pick_headline(self.headlines(index), flags), tuple(np.flatnonzero(flags).tolist()),
                           **{name: block.meta[name][local] for name in METADATA})

    def ids(self) -> Iterator[str]:
        for block in self.blocks:
            yield from block.ids

    def column(self, name: str) -> np.ndarray:
        """One per-paragraph (or per-article) array of every block, end to end."""
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

    def headlines(self, index: int) -> tuple[tuple[int, str], ...]:
        block, local = self.locate(index)
        return tuple((int(i), text) for i, text in _headline_rows(block.headlines)[local])

    def story_set(self, index: int) -> np.ndarray:
        """The article's distinct shingles, sorted."""
        block, local = self.locate(index)
        return block.values[block.value_offsets[local] : block.value_offsets[local + 1]]

    def story_facts(self, indices: np.ndarray) -> tuple[list[int], list[str | None]]:
        """Of the articles at `indices` (sorted): each one's count of distinct shingles, and its outlet; gathered a
        block at a time (the furniture judgment asks them of every carrier)."""
        sizes: list[int] = []
        outlets: list[str | None] = []
        for block, local in self._by_block(indices):
            sizes += (block.value_offsets[local + 1] - block.value_offsets[local]).tolist()
            outlet = block.meta["outlet"]
            outlets += [outlet[i] for i in local.tolist()]
        return sizes, outlets

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
            block.active = self.settle_block(number, furniture)

    def settle_block(self, number: int, furniture: np.ndarray) -> np.ndarray:
        """One block's ``active`` flags (what :meth:`settle` sets, a block at a time: worker processes run this)."""
        block = self.blocks[number]
        start = self._paragraph_starts[number]
        flags = furniture[start : start + len(block.fingerprints)]
        article = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(block.sentence_offsets))
        return ~flags[block.paragraph_offsets[article] + block.sentence_paragraph]

    def assemble(self, active: Iterable[np.ndarray], allocate: Allocate = in_memory) -> EvidenceColumns:
        """The evidence columns, from every block's ``active`` flags in block order (see :meth:`settle_block`).

        Each evidence array of the blocks is copied, end to end, into an array made by `allocate`, and each
        block lets go of its own once copied: the evidence never exists twice. The blocks keep what reports
        read (ids, metadata, headlines, paragraphs); :meth:`evidence` on them no longer works.
        """
        blocks = self.blocks
        for block, flags in zip(blocks, active, strict=True):
            block.active = flags
        names = (*SENTENCE_ARRAYS, *VALUE_ARRAYS, *TERM_ARRAYS)
        arrays = {name: allocate(name, sum(len(getattr(b, name)) for b in blocks),
                                 np.result_type(*(getattr(b, name).dtype for b in blocks)) if blocks else np.int64)
                  for name in names}
        sentence_offsets = _joined_offsets([b.sentence_offsets for b in blocks])
        value_offsets = _joined_offsets([b.value_offsets for b in blocks])
        term_offsets = _joined_offsets([b.term_offsets for b in blocks])
        filled = dict.fromkeys(names, 0)
        with ThreadPoolExecutor(COPY_THREADS) as copying:  # numpy copies without holding the GIL
            copies = []
            for block in blocks:
                for name in names:
                    array = getattr(block, name)
                    copies.append(copying.submit(arrays[name].__setitem__,
                                                 slice(filled[name], filled[name] + len(array)), array))
                    filled[name] += len(array)
                    setattr(block, name, array[:0].copy())  # (the copy holds the array until it is done)
            for copy in copies:
                copy.result()
        return EvidenceColumns(ids=list(self.ids()), sentence_offsets=sentence_offsets, value_offsets=value_offsets,
                               term_offsets=term_offsets, arrays=arrays)

    def term_holders(self) -> tuple[np.ndarray, np.ndarray]:
        """Every content term of the archive and how many articles hold it (each article counted once)."""
        return term_holders([(block.sentence_offsets, block.term_offsets, block.terms, start)
                             for start, block in zip(self._starts, self.blocks, strict=False)])

    def drop_terms(self, dropped: np.ndarray) -> None:
        """Leave the sorted terms `dropped` out of every sentence's content terms (template vocabulary)."""
        for block in self.blocks:
            block.term_offsets, block.terms = without_terms(block.term_offsets, block.terms, dropped)

    def evidence(self, index: int) -> tuple[str, UnitSketch]:
        """The article's id and evidence (made from views into its block), after :meth:`settle`."""
        block, local = self.locate(index)
        assert block.active is not None, "settle() first"
        return block.ids[local], _unit_sketch(partial(getattr, block), block.sentence_offsets, block.value_offsets,
                                              block.term_offsets, local)

    def evidence_batch(self, indices: np.ndarray) -> EvidenceBatch:
        """The evidence of the articles at `indices` (sorted), article k of the batch being indices[k], after
        :meth:`settle`. Gathered a block at a time, whole arrays per block."""
        parts = []
        for block, local in self._by_block(indices):
            assert block.active is not None, "settle() first"
            parts.append(_batch_part(partial(getattr, block), block.sentence_offsets, block.value_offsets,
                                     block.term_offsets, local))
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


def _batch_part(array: Callable[[str], np.ndarray], sentence_offsets: np.ndarray, value_offsets: np.ndarray,
                term_offsets: np.ndarray, articles: np.ndarray) -> dict[str, np.ndarray]:
    """The evidence of `articles` (numbered as these offsets slice the named arrays), as EvidenceBatch.of takes it."""
    sentences, sentence_bounds = ragged_positions(sentence_offsets, articles)
    values, value_bounds = ragged_positions(value_offsets, articles)
    terms, term_bounds = ragged_positions(term_offsets, sentences)
    return {"sentence_offsets": sentence_bounds, "words": array("sentence_words")[sentences],
            "quoted": array("sentence_quoted")[sentences], "active": array("active")[sentences],
            "sentence_keys": array("sentence_keys")[sentences], "shingle_offsets": value_bounds,
            "shingles": array("values")[values], "shingle_owner": array("owner")[values],
            "term_offsets": term_bounds, "terms": array("terms")[terms]}


def _joined_offsets(parts: list[np.ndarray]) -> np.ndarray:
    """Offsets of blocks (each starting at 0) as the offsets of their arrays end to end."""
    joined = np.zeros(1 + sum(len(p) - 1 for p in parts), dtype=np.int64)
    at = filled = 0
    for offsets in parts:
        joined[at + 1 : at + len(offsets)] = offsets[1:] + filled
        at += len(offsets) - 1
        filled += int(offsets[-1])
    return joined


def _unit_sketch(array: Callable[[str], np.ndarray], sentence_offsets: np.ndarray, value_offsets: np.ndarray,
                 term_offsets: np.ndarray, article: int) -> UnitSketch:
    """Article `article`'s evidence, from views of the named arrays these offsets slice."""
    first, last = sentence_offsets[article : article + 2].tolist()
    start, stop = value_offsets[article : article + 2].tolist()
    terms = term_offsets[first : last + 1]
    return UnitSketch.of(
        paragraph=array("sentence_paragraph")[first:last], words=array("sentence_words")[first:last],
        quoted=array("sentence_quoted")[first:last], sentence_keys=array("sentence_keys")[first:last],
        active=array("active")[first:last],
        shingles=array("values")[start:stop], shingle_owner=array("owner")[start:stop].astype(np.int64),
        terms=array("terms")[terms[0] : terms[-1]], term_offsets=terms - terms[0])


@dataclass
class EvidenceColumns:
    """The evidence of every article of a scan, as named arrays: what verification reads.

    ``arrays`` holds the SENTENCE_ARRAYS (sliced per article by ``sentence_offsets``), the VALUE_ARRAYS
    (by ``value_offsets``) and the TERM_ARRAYS (per sentence, by ``term_offsets``). Only arrays and a list
    of ids: a worker process reads them copy-on-write after a fork, Ray from its object store, and on disk
    they can be memory-mapped files.
    """

    ids: list[str]
    sentence_offsets: np.ndarray
    value_offsets: np.ndarray
    term_offsets: np.ndarray
    arrays: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def sentences(self) -> int:
        return int(self.sentence_offsets[-1])

    def evidence(self, index: int) -> tuple[str, UnitSketch]:
        """The article's id and evidence (views into the arrays), as :meth:`SketchColumns.evidence` makes it."""
        return self.ids[index], _unit_sketch(self.arrays.__getitem__, self.sentence_offsets, self.value_offsets,
                                             self.term_offsets, index)

    def evidence_batch(self, indices: np.ndarray) -> EvidenceBatch:
        """The evidence of the articles at `indices` (sorted), article k of the batch being indices[k]."""
        return EvidenceBatch.of(**_batch_part(self.arrays.__getitem__, self.sentence_offsets, self.value_offsets,
                                              self.term_offsets, indices))

    def evidence_sizes(self) -> tuple[np.ndarray, np.ndarray]:
        """Every article's count of distinct shingles, and of sentences."""
        return np.diff(self.value_offsets), np.diff(self.sentence_offsets)

    def active_words(self) -> np.ndarray:
        """Per article: its words outside furniture paragraphs."""
        article = np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.sentence_offsets))
        words = self.arrays["sentence_words"]
        return np.bincount(article, weights=np.where(self.arrays["active"], words, 0),
                           minlength=len(self)).astype(np.int64)


def _packed_rows(rows: list) -> bytes:
    """The rows as one JSON array, compressed: one ``json.dumps`` of the whole list (a call per row took 1.2 to 3
    times as long on a batch of 4,096 articles)."""
    return zlib.compress(json.dumps(rows, ensure_ascii=False).encode(), 1)


def _sums(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """int64 sums of ``values[offsets[i]:offsets[i + 1]]`` for each i (0 for an empty run)."""
    running = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(values, out=running[1:])
    return np.diff(running[offsets])


@lru_cache(maxsize=4)
def _headline_rows(packed: bytes) -> list[list[list]]:
    """A block's headline candidates, per article (the block's members are asked for in order: a few blocks cached
    suffice)."""
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
