"""A scan's sketches as flat columns, one block per batch: no object per article.

A million articles as one ArticleSketch each cost ~0.8 KB apiece in object and array headers
alone, and kept every batch's shingle values alive until the furniture stage. Here a batch
becomes a few arrays as soon as it is signed (in the worker that signed it), and its shingles are
kept only in the form the evidence is built from: per article, sorted by value (ties in paragraph
order), with the paragraph owning each one. The evidence of an article is then that array minus
the furniture paragraphs and minus repeats, exactly what :func:`~syndicate.sketch.build_evidence`
returns; :meth:`SketchColumns.settle` builds it for every article at once, as
:class:`EvidenceColumns`: a bundle of named arrays per shingle, per paragraph and per article that
verification reads, in whichever process it runs.
"""

from __future__ import annotations

import json
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np

from .article import Article, parse_date
from .sketch import Evidence, SignedBatch

Info = TypeVar("Info")
_META = ("title", "outlet", "date", "url", "credit")
_REPEATING = frozenset({"outlet", "date", "credit"})
"""Fields whose values recur across articles: one string each is kept (titles and URLs rarely repeat)."""

_encode_json = json.JSONEncoder(ensure_ascii=False).encode
"""json.dumps(…, ensure_ascii=False) without building an encoder per call (once per article here)."""

Allocate = Callable[[str, int, np.dtype], np.ndarray]
"""Makes a one-dimensional array to fill: (name, length, dtype) -> array (in memory, or a file on disk)."""

SHINGLE_ARRAYS = ("values", "owner")
"""Evidence arrays with one entry per shingle: Block attributes (sorted like ``values``), kept for the shingles
that settle keeps, and sliced per article by ``value_offsets``."""
PARAGRAPH_ARRAYS = ("evidence_sizes",)
"""Evidence arrays with one entry per paragraph, sliced per article by ``paragraph_offsets``: computed by
:meth:`SketchColumns.settle_block` (``evidence_sizes``) or carried from a Block attribute of that name."""
EVIDENCE_FIELDS = {"values": "values", "owner": "owner", "paragraph_sizes": "evidence_sizes"}
"""Field of :class:`~syndicate.sketch.Evidence` -> the array it is sliced from.

Adding an array to the evidence (a quoted bit per shingle, word counts per paragraph) is: the Block
attribute, filled in :func:`build_block` (per shingle: in ``order``, like ``values``); its name in
SHINGLE_ARRAYS or PARAGRAPH_ARRAYS; its Evidence field here. Settling, assembling, the engines and
spilling carry it without a change."""


@dataclass(slots=True)
class Block:
    """One batch of articles. Paragraph arrays are numbered across the block; values per article."""

    ids: list[str]
    meta: dict[str, list[str | None]]
    """Per field of _META, one value per article."""
    headlines: bytes
    """Every article's headline candidates, as zlib-compressed JSON, one document per article end to end:
    ~0.4 KB less per article than tuples of strings, and a report reads back only the few it shows."""
    headline_offsets: np.ndarray
    """Per article, where its JSON starts in the decompressed ``headlines`` (and where the last one ends)."""
    paragraph_offsets: np.ndarray
    fingerprints: np.ndarray
    shingle_sizes: np.ndarray
    """Per paragraph: its distinct shingles (0 for a paragraph shorter than n words)."""
    words: np.ndarray
    """Per article: its word count."""
    days: np.ndarray
    """Per article: its date as days since the epoch (float), NaN when it has none (time windows)."""
    value_offsets: np.ndarray
    values: np.ndarray
    owner: np.ndarray
    distinct: np.ndarray
    """Per article: distinct values (a shingle in two paragraphs is in ``values`` twice until settled)."""

    def __len__(self) -> int:
        return len(self.ids)


def build_block(articles: Sequence[Article], signed: SignedBatch) -> Block:
    """A signed batch as a block; nothing of it but these arrays outlives the call (runs in workers)."""
    shingles = signed.shingles
    sizes = np.diff(shingles.offsets)
    paragraph_of_value = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    article_of_paragraph = np.repeat(np.arange(len(articles), dtype=np.int64), np.diff(shingles.paragraph_offsets))
    article_of_value = article_of_paragraph[paragraph_of_value]
    order = _sort_by_article_then_value(article_of_value, shingles.values)
    values = shingles.values[order]
    owner = paragraph_of_value[order] - shingles.paragraph_offsets[article_of_value[order]]
    value_offsets = np.zeros(len(articles) + 1, dtype=np.int64)
    np.cumsum(np.bincount(article_of_value, minlength=len(articles)), out=value_offsets[1:])
    repeat = np.zeros(len(values), dtype=bool)
    repeat[1:] = (values[1:] == values[:-1]) & (article_of_value[order][1:] == article_of_value[order][:-1])
    repeats = np.bincount(article_of_value[order][repeat], minlength=len(articles))
    widest = int(np.diff(shingles.paragraph_offsets).max(initial=0))
    shared: dict[str, str] = {}
    encoded = [_encode_json(headlines).encode() for headlines in signed.headlines]
    fields = {name: [getattr(a, name) for a in articles] for name in _META[:-1]}
    fields["credit"] = signed.credits
    return Block(
        ids=[a.id for a in articles],
        meta={name: [v if v is None or name not in _REPEATING else shared.setdefault(v, v) for v in values]
              for name, values in fields.items()},
        headlines=zlib.compress(b"".join(encoded), 1),
        headline_offsets=np.cumsum([0, *map(len, encoded)], dtype=np.int64),
        paragraph_offsets=shingles.paragraph_offsets.copy(),
        fingerprints=shingles.fingerprints.copy(),
        shingle_sizes=sizes.astype(np.int32),
        words=np.bincount(article_of_paragraph, weights=shingles.word_counts,
                          minlength=len(articles)).astype(np.int64),
        days=_days_of(fields["date"]),
        value_offsets=value_offsets, values=values,
        owner=owner.astype(np.uint8 if widest <= 1 << 8 else np.uint16 if widest <= 1 << 16 else np.int32),
        distinct=(np.diff(value_offsets) - repeats).astype(np.int32))


def _sort_by_article_then_value(article: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The order sorting by (article, value), stable: equal values of one article keep paragraph order, as
    build_evidence's stable argsort does.

    One stable argsort of packed keys (article in the top bits, the value's top bits below) instead of a
    lexsort: the input is already sorted within each paragraph, so the sort merges a few runs per article
    (ten times faster). Two values of one article that differ only in the dropped low bits would be left
    in input order; the check catches that and the lexsort redoes it.
    """
    if len(values) == 0:
        return np.empty(0, dtype=np.int64)
    bits = max(1, int(article[-1]).bit_length())
    order = np.argsort((article.astype(np.uint64) << np.uint64(64 - bits)) | (values >> np.uint64(bits)),
                       kind="stable")
    ordered_values, ordered_article = values[order], article[order]
    if np.any((ordered_article[1:] == ordered_article[:-1]) & (ordered_values[1:] < ordered_values[:-1])):
        return np.lexsort((values, article))
    return order


def _days_of(dates: list[str | None]) -> np.ndarray:
    """Days since the epoch per date (NaN when absent or unreadable); each distinct date parsed once."""
    parsed = {date: parse_date(date) for date in set(dates)}
    days = {date: value.timestamp() / 86400 if value is not None else float("nan") for date, value in parsed.items()}
    return np.array([days[date] for date in dates], dtype=np.float64)


def in_memory(name: str, length: int, dtype: np.dtype) -> np.ndarray:
    """The default :data:`Allocate`: pages never written are never resident, so an upper bound costs nothing."""
    return np.empty(length, dtype=dtype)


class SketchColumns:
    """Every article of a scan, by index in input order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._starts: list[int] = [0]
        self._paragraph_starts: list[int] = [0]

    def __len__(self) -> int:
        return self._starts[-1]

    def add(self, articles: Sequence[Article], signed: SignedBatch) -> None:
        """Append a signed batch."""
        self.append(build_block(articles, signed))

    def append(self, block: Block) -> None:
        self.blocks.append(block)
        self._starts.append(self._starts[-1] + len(block))
        self._paragraph_starts.append(self._paragraph_starts[-1] + len(block.fingerprints))

    @property
    def paragraphs(self) -> int:
        return self._paragraph_starts[-1]

    def locate(self, index: int) -> tuple[Block, int]:
        """The block holding article `index`, and its position there."""
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

    def outlet(self, index: int) -> str | None:
        return self.meta(index, "outlet")

    def headlines(self, index: int) -> tuple[tuple[int, str], ...]:
        block, local = self.locate(index)
        first, last = block.headline_offsets[local : local + 2].tolist()
        return tuple((int(i), text) for i, text in json.loads(_decompressed(block.headlines)[first:last]))

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

    def settle(self, furniture: np.ndarray, allocate: Allocate = in_memory) -> EvidenceColumns:
        """Every article's evidence: its sorted shingles, leaving out the paragraphs flagged in `furniture`
        (one flag per paragraph of the scan) and every repeat of a kept value."""
        return self.assemble((self.settle_block(number, furniture) for number in range(len(self.blocks))), allocate)

    def settle_block(self, number: int, furniture: np.ndarray) -> Settled:
        """One block's evidence (what :meth:`settle` does, a block at a time: worker processes run this)."""
        block = self.blocks[number]
        first_paragraph = self._paragraph_starts[number]
        flags = furniture[first_paragraph : self._paragraph_starts[number + 1]]
        article = np.repeat(np.arange(len(block), dtype=np.int64), np.diff(block.value_offsets))
        paragraph = block.paragraph_offsets[article] + block.owner
        kept = np.flatnonzero(~flags[paragraph])
        values, article_kept = block.values[kept], article[kept]
        first = np.ones(len(kept), dtype=bool)
        first[1:] = (values[1:] != values[:-1]) | (article_kept[1:] != article_kept[:-1])
        kept = kept[first]
        computed = {"evidence_sizes": np.bincount(paragraph[kept], minlength=len(block.fingerprints)).astype(np.int32)}
        return Settled(shingle={name: getattr(block, name)[kept] for name in SHINGLE_ARRAYS},
                       paragraph={name: computed[name] if name in computed else getattr(block, name)
                                  for name in PARAGRAPH_ARRAYS},
                       counts=np.bincount(article[kept], minlength=len(block)))

    def assemble(self, settled: Iterable[Settled], allocate: Allocate = in_memory) -> EvidenceColumns:
        """The evidence columns from every block's :class:`Settled`, in block order.

        Per-shingle arrays are copied into arrays made by `allocate` (sized by the values before settling,
        an upper bound), each block letting go of its shingles once its evidence is in: the evidence never
        exists twice.
        """
        total = sum(len(block.values) for block in self.blocks)
        shingle = {name: allocate(name, total, np.result_type(np.uint8, *(getattr(b, name).dtype for b in self.blocks)))
                   for name in SHINGLE_ARRAYS}
        paragraph: dict[str, list[np.ndarray]] = {name: [] for name in PARAGRAPH_ARRAYS}
        value_offsets = np.zeros(len(self) + 1, dtype=np.int64)
        filled = 0
        for number, (block, part) in enumerate(zip(self.blocks, settled, strict=True)):
            kept = int(part.counts.sum())
            for name, array in part.shingle.items():
                shingle[name][filled : filled + kept] = array
                setattr(block, name, array[:0].copy())
            for name, array in part.paragraph.items():
                paragraph[name].append(array)
            start = self._starts[number]
            value_offsets[start + 1 : start + len(block) + 1] = filled + np.cumsum(part.counts)
            filled += kept
        paragraph_offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(np.concatenate([np.diff(b.paragraph_offsets) for b in self.blocks]) if self.blocks
                  else np.empty(0, dtype=np.int64), out=paragraph_offsets[1:])
        arrays = {name: array[:filled] for name, array in shingle.items()}
        arrays.update({name: np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)
                       for name, parts in paragraph.items()})
        return EvidenceColumns(ids=list(self.ids()), value_offsets=value_offsets, paragraph_offsets=paragraph_offsets,
                               arrays=arrays)


@dataclass(slots=True)
class Settled:
    """One block's evidence: its SHINGLE_ARRAYS (article by article), its PARAGRAPH_ARRAYS, and per article
    the count of its evidence shingles."""

    shingle: dict[str, np.ndarray]
    paragraph: dict[str, np.ndarray]
    counts: np.ndarray


@dataclass
class EvidenceColumns:
    """The evidence of every article of a scan, as named arrays: what verification reads.

    ``arrays`` holds the SHINGLE_ARRAYS (sliced per article by ``value_offsets``) and the
    PARAGRAPH_ARRAYS (sliced by ``paragraph_offsets``). Only arrays and a list of ids: a worker
    process reads them copy-on-write after a fork, Ray from its object store, and on disk they
    can be memory-mapped files.
    """

    ids: list[str]
    value_offsets: np.ndarray
    paragraph_offsets: np.ndarray
    arrays: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def values(self) -> np.ndarray:
        return self.arrays["values"]

    def sizes(self, indices: np.ndarray) -> np.ndarray:
        """Evidence shingles of each article in `indices`."""
        return self.value_offsets[indices + 1] - self.value_offsets[indices]

    def evidence(self, index: int) -> tuple[str, Evidence]:
        """The article's id and evidence (views into the arrays)."""
        shingles = slice(*self.value_offsets[index : index + 2].tolist())
        paragraphs = slice(*self.paragraph_offsets[index : index + 2].tolist())
        parts = {name: self.arrays[name][shingles if name in SHINGLE_ARRAYS else paragraphs]
                 for name in EVIDENCE_FIELDS.values()}
        return self.ids[index], Evidence(**{field: parts[name] for field, name in EVIDENCE_FIELDS.items()})


@lru_cache(maxsize=4)
def _decompressed(packed: bytes) -> bytes:
    return zlib.decompress(packed)


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
