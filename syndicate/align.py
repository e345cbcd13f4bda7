"""Paragraph alignment of a source and a copy, with a word diff inside each matched pair.

Paragraphs are compared on word-trigram shingles of their normalised words (the same
normalisation detection uses). Two paragraphs are *related* when a large share of the
smaller one's shingles is shared. An order-aware dynamic programme then picks the chain of
related blocks (one-to-one pairs, and one-to-many blocks for splits and merges) that keeps
the most shared text in the same order in both articles; related pairs left off the chain
because the copy reordered them become moves. Whatever is still unmatched was deleted
(source only) or added (copy only).

Inside every matched pair, :class:`difflib.SequenceMatcher` diffs the normalised words while
each word keeps the span of its original text, so a respelling such as Hezbollah→Hizbullah
is a one-word ``replace`` shown in the outlet's own spelling.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Literal

import numpy as np

from .article import Article
from .config import ScanConfig
from .normalise import normalise, words
from .shingle import shingle_paragraphs

ParagraphOp = Literal["same", "edit", "move", "split", "merge", "add", "delete"]
WordOpName = Literal["equal", "insert", "delete", "replace"]
PARAGRAPH_OPS: tuple[ParagraphOp, ...] = ("same", "edit", "move", "split", "merge", "add", "delete")
MATCHED_OPS = frozenset({"same", "edit", "move", "split", "merge"})


@dataclass(frozen=True)
class AlignConfig:
    """How alike two paragraphs must be to count as one paragraph, possibly edited."""

    ngram: int = 3
    """Words per shingle. Three, not detection's five: paragraphs are short, and one respelt word
    must not erase a short paragraph's evidence."""
    min_overlap: float = ScanConfig.paragraph_match
    """Related paragraphs share at least this share of the smaller one's shingles, as detection's matching ones do."""
    min_shared: int = 2
    """…and at least this many shingles, so that one stock phrase does not pair two paragraphs."""
    max_group: int = 3
    """Most paragraphs one paragraph may be split into, or merged from."""

    def __post_init__(self) -> None:
        if self.ngram < 1 or self.min_shared < 1 or self.max_group < 1:
            raise ValueError("ngram, min_shared and max_group must be at least 1")
        if not 0.0 < self.min_overlap <= 1.0:
            raise ValueError(f"min_overlap must be in (0, 1], got {self.min_overlap}")


# --- words with their original spans -------------------------------------------------------------

_CHUNK = re.compile(r"\S+")
_ORIGINAL_WORD = re.compile(r"[^\W_]+(?:['\u2018\u2019\u201a\u201b\u2032`\u00b4][^\W_]+)*")


@dataclass(frozen=True, slots=True)
class Token:
    """One normalised word and where its original spelling sits in its paragraph."""

    paragraph: int
    start: int
    end: int
    word: str


def tokenize(text: str, paragraph: int = 0) -> list[Token]:
    """The words of a paragraph, exactly ``normalise.words(text)``, each with its original span.

    Words never span whitespace, so each whitespace-separated chunk is normalised on its own;
    inside a chunk ("Lebanon-Israel", "al-Aruri") each word gets its own span. In the rare chunk
    where Unicode normalisation changes the word count, its first word takes the whole chunk.
    """
    tokens: list[Token] = []
    for chunk in _CHUNK.finditer(text):
        chunk_words = words(chunk.group())
        if not chunk_words:
            continue
        offset = chunk.start()
        matches = list(_ORIGINAL_WORD.finditer(chunk.group()))
        spelled = [words(m.group()) for m in matches]
        if len(matches) == len(chunk_words) and all(s == [w] for s, w in zip(spelled, chunk_words, strict=True)):
            tokens.extend(Token(paragraph, offset + m.start(), offset + m.end(), w)
                          for m, w in zip(matches, chunk_words, strict=True))
        else:
            tokens.append(Token(paragraph, offset, chunk.end(), chunk_words[0]))
            tokens.extend(Token(paragraph, chunk.end(), chunk.end(), w) for w in chunk_words[1:])
    return tokens


# --- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WordOp:
    """One step of a word diff: ``source_tokens[source_start:source_end]`` became the copy's slice."""

    op: WordOpName
    source_start: int
    source_end: int
    copy_start: int
    copy_end: int
    source: str
    copy: str

    def to_dict(self) -> dict:
        return {"op": self.op, "source": self.source, "copy": self.copy}


@dataclass(frozen=True)
class ParagraphPair:
    """A row of the alignment: paragraphs of the source, of the copy, and what happened between them."""

    op: ParagraphOp
    source_paragraphs: tuple[int, ...]
    copy_paragraphs: tuple[int, ...]
    similarity: float | None
    """Share of the two sides' words in common (difflib ratio over normalised words); None for add/delete."""
    source_tokens: tuple[Token, ...] = ()
    copy_tokens: tuple[Token, ...] = ()
    words: tuple[WordOp, ...] = ()

    @property
    def matched(self) -> bool:
        return self.op in MATCHED_OPS

    def kept_words(self) -> int:
        return sum(w.source_end - w.source_start for w in self.words if w.op == "equal")


@dataclass(frozen=True)
class ReuseSummary:
    """How much of the source the copy carries, in words and in paragraphs."""

    source_words: int
    copy_words: int
    kept_words: int
    paragraphs: dict[str, int] = field(default_factory=dict)

    @property
    def source_reused(self) -> float:
        """Share of the source's words that the copy kept, in matched paragraphs."""
        return self.kept_words / self.source_words if self.source_words else 0.0

    @property
    def added_words(self) -> int:
        return self.copy_words - self.kept_words

    @property
    def deleted_words(self) -> int:
        return self.source_words - self.kept_words

    def to_dict(self) -> dict:
        return {
            "source_words": self.source_words,
            "copy_words": self.copy_words,
            "source_reused": round(self.source_reused, 4),
            "added_words": self.added_words,
            "deleted_words": self.deleted_words,
            "kept_words": self.kept_words,
            "paragraphs": dict(self.paragraphs),
        }


@dataclass(frozen=True)
class Alignment:
    """The paragraph alignment of a copy with its source, in reading order."""

    source: Article
    copy: Article
    pairs: tuple[ParagraphPair, ...]
    summary: ReuseSummary

    def to_dict(self) -> dict:
        """The JSON shape of ``syndicate diff --format json`` (paragraph numbers count from 0)."""
        return {
            "source": self.source.id,
            "copy": self.copy.id,
            "source_title": self.source.title,
            "copy_title": self.copy.title,
            "summary": self.summary.to_dict(),
            "pairs": [self._pair_dict(pair) for pair in self.pairs],
        }

    def _pair_dict(self, pair: ParagraphPair) -> dict:
        record: dict = {
            "op": pair.op,
            "source_paragraphs": list(pair.source_paragraphs),
            "copy_paragraphs": list(pair.copy_paragraphs),
            "source_text": _joined(self.source, pair.source_paragraphs),
            "copy_text": _joined(self.copy, pair.copy_paragraphs),
            "similarity": None if pair.similarity is None else round(pair.similarity, 4),
        }
        if pair.op in ("edit", "move", "split", "merge"):
            record["words"] = [w.to_dict() for w in pair.words]
        return record


def _joined(article: Article, indices: Sequence[int]) -> str | None:
    return "\n\n".join(article.paragraphs[i] for i in indices) if indices else None


# --- alignment -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Block:
    """Candidate run of paragraphs that correspond: 1:1, or one source paragraph to several copy ones or back."""

    source: tuple[int, ...]
    copy: tuple[int, ...]
    weight: float


class _Paragraphs:
    """Per-paragraph shingle sets and word lists of one article.

    A paragraph too short to have shingles ("Advertisement", "***") is recognised only by its
    ``short_key``: its words, or its normalised text if it has none.
    """

    def __init__(self, article: Article, ngram: int) -> None:
        shingles = shingle_paragraphs(article.paragraphs, ngram)
        self.sets = [shingles.paragraph(i) for i in range(len(shingles))]
        self.words = [tuple(words(p)) for p in article.paragraphs]
        self.short_keys = [(ws or (normalise(p),)) if len(values) == 0 else None
                           for p, ws, values in zip(article.paragraphs, self.words, self.sets, strict=True)]

    def __len__(self) -> int:
        return len(self.words)


def align(source: Article, copy: Article, config: AlignConfig | None = None) -> Alignment:
    """Align a copy with its source paragraph by paragraph, with a word diff inside each matched pair."""
    config = config or AlignConfig()
    src, cpy = _Paragraphs(source, config.ngram), _Paragraphs(copy, config.ngram)
    shared = _shared_counts(src, cpy)
    related = {pair: count for pair, count in shared.items() if _related(count, *pair, src, cpy, config)}
    chain = _best_chain(_blocks(related, src, cpy, config))
    matched_source = {i for block in chain for i in block.source}
    matched_copy = {j for block in chain for j in block.copy}
    moves = _moves(related, matched_source, matched_copy)
    pairs = _order(source, copy, chain, moves)
    return Alignment(source, copy, tuple(pairs), _summary(src, cpy, pairs))


def _shared_counts(src: _Paragraphs, cpy: _Paragraphs) -> Counter[tuple[int, int]]:
    """Shingles shared by every pair of paragraphs that share any; identical short paragraphs count their words."""
    owners: dict[int, list[int]] = defaultdict(list)
    for j, values in enumerate(cpy.sets):
        for value in values.tolist():
            owners[value].append(j)
    shared: Counter[tuple[int, int]] = Counter()
    for i, values in enumerate(src.sets):
        for value in values.tolist():
            for j in owners.get(value, ()):
                shared[i, j] += 1
    short: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for j, key in enumerate(cpy.short_keys):
        if key and key[0]:
            short[key].append(j)
    for i, key in enumerate(src.short_keys):
        for j in short.get(key, ()) if key else ():
            shared[i, j] = max(1, len(src.words[i]))
    return shared


def _related(count: int, i: int, j: int, src: _Paragraphs, cpy: _Paragraphs, config: AlignConfig) -> bool:
    size_i, size_j = len(src.sets[i]), len(cpy.sets[j])
    if size_i == 0 or size_j == 0:
        return src.short_keys[i] is not None and src.short_keys[i] == cpy.short_keys[j]
    return count >= min(config.min_shared, size_i, size_j) and count >= config.min_overlap * min(size_i, size_j)


def _blocks(related: dict[tuple[int, int], int], src: _Paragraphs, cpy: _Paragraphs,
            config: AlignConfig) -> list[_Block]:
    """Every related pair, plus each run of consecutive paragraphs contained in one paragraph of the other side."""
    blocks = [_Block((i,), (j,), count) for (i, j), count in related.items()]

    def contained(count: int, part: np.ndarray) -> bool:
        return len(part) > 0 and count >= config.min_overlap * len(part)

    for i, j in related:
        # split: source i became copy j, j+1, …; merge: source i, i+1, … became copy j.
        for k in range(2, config.max_group + 1):
            pieces = tuple(range(j, j + k))
            if pieces[-1] >= len(cpy) or not all(
                    (i, p) in related and contained(related[i, p], cpy.sets[p]) for p in pieces):
                break
            blocks.append(_Block((i,), pieces, _union_shared(src.sets[i], [cpy.sets[p] for p in pieces], k)))
        for k in range(2, config.max_group + 1):
            pieces = tuple(range(i, i + k))
            if pieces[-1] >= len(src) or not all(
                    (p, j) in related and contained(related[p, j], src.sets[p]) for p in pieces):
                break
            blocks.append(_Block(pieces, (j,), _union_shared(cpy.sets[j], [src.sets[p] for p in pieces], k)))
    return blocks


def _union_shared(whole: np.ndarray, parts: list[np.ndarray], count: int) -> float:
    """Shingles the whole shares with its parts together, less half a shingle per extra part.

    The penalty keeps a one-to-one pair ahead of a "split" whose extra part adds nothing new.
    """
    union = np.unique(np.concatenate(parts))
    return len(np.intersect1d(whole, union, assume_unique=True)) - 0.5 * (count - 1)


def _best_chain(blocks: list[_Block]) -> list[_Block]:
    """The heaviest set of blocks in the same order in both articles (weighted chain DP, gaps cost nothing).

    Blocks are swept in source order; a block becomes a possible predecessor once the sweep has
    passed its last source paragraph, and a Fenwick tree over copy positions gives the best chain
    ending before a block's first copy paragraph: O(B log B), so a page of a hundred identical
    "Advertisement" lines (ten thousand blocks) costs no more than it should. Ties go to the
    earliest block, which keeps the result deterministic.
    """
    if not blocks:
        return []
    blocks = sorted(blocks, key=lambda b: (b.source[0], b.copy[0], -len(b.source) - len(b.copy)))
    chains = _PrefixMax(max(b.copy[-1] for b in blocks) + 1)
    best = [0.0] * len(blocks)
    previous = [-1] * len(blocks)
    waiting: list[tuple[int, int]] = []  # (last source paragraph, block) not yet usable as predecessors
    for n, block in enumerate(blocks):
        while waiting and waiting[0][0] < block.source[0]:
            _, m = heapq.heappop(waiting)
            chains.update(blocks[m].copy[-1], (best[m], -m))
        before, negated = chains.query(block.copy[0])
        best[n], previous[n] = (before + block.weight, -negated) if negated <= 0 else (block.weight, -1)
        heapq.heappush(waiting, (block.source[-1], n))
    n = max(range(len(blocks)), key=lambda k: (best[k], -k))
    chain = []
    while n != -1:
        chain.append(blocks[n])
        n = previous[n]
    return chain[::-1]


class _PrefixMax:
    """Fenwick tree: raise the value at a position; read the maximum over positions below a bound."""

    _EMPTY = (float("-inf"), 1)

    def __init__(self, size: int) -> None:
        self._tree = [self._EMPTY] * (size + 1)

    def update(self, position: int, value: tuple[float, int]) -> None:
        position += 1
        while position < len(self._tree):
            self._tree[position] = max(self._tree[position], value)
            position += position & -position

    def query(self, bound: int) -> tuple[float, int]:
        """Maximum over positions 0 … bound - 1; (-inf, 1) when there are none."""
        result = self._EMPTY
        while bound > 0:
            result = max(result, self._tree[bound])
            bound -= bound & -bound
        return result


def _moves(related: dict[tuple[int, int], int], matched_source: set[int],
           matched_copy: set[int]) -> list[tuple[int, int]]:
    """Related pairs the ordered chain could not take, best first, each paragraph used once."""
    moves = []
    for (i, j), _ in sorted(related.items(), key=lambda item: (-item[1], item[0])):
        if i not in matched_source and j not in matched_copy:
            moves.append((i, j))
            matched_source.add(i)
            matched_copy.add(j)
    return moves


def _order(source: Article, copy: Article, chain: list[_Block],
           moves: list[tuple[int, int]]) -> list[ParagraphPair]:
    """Reading order: between two ordered blocks, the source's deleted paragraphs, then the copy's in its order."""
    moved_to = {j: i for i, j in moves}
    moved_from = set(moved_to.values())
    pairs: list[ParagraphPair] = []
    next_source = next_copy = 0
    for block in [*chain, None]:
        source_end = block.source[0] if block else len(source.paragraphs)
        copy_end = block.copy[0] if block else len(copy.paragraphs)
        for i in range(next_source, source_end):
            if i not in moved_from:
                pairs.append(_unmatched("delete", source, i))
        for j in range(next_copy, copy_end):
            if j in moved_to:
                pairs.append(_matched("move", source, copy, (moved_to[j],), (j,)))
            else:
                pairs.append(_unmatched("add", copy, j))
        if block is None:
            break
        op = "split" if len(block.copy) > 1 else "merge" if len(block.source) > 1 else "edit"
        pairs.append(_matched(op, source, copy, block.source, block.copy))
        next_source, next_copy = block.source[-1] + 1, block.copy[-1] + 1
    return pairs


def _unmatched(op: ParagraphOp, article: Article, index: int) -> ParagraphPair:
    tokens = tuple(tokenize(article.paragraphs[index], index))
    if op == "delete":
        return ParagraphPair(op, (index,), (), None, source_tokens=tokens)
    return ParagraphPair(op, (), (index,), None, copy_tokens=tokens)


def _matched(op: ParagraphOp, source: Article, copy: Article, source_paragraphs: tuple[int, ...],
             copy_paragraphs: tuple[int, ...]) -> ParagraphPair:
    source_tokens = tuple(t for i in source_paragraphs for t in tokenize(source.paragraphs[i], i))
    copy_tokens = tuple(t for j in copy_paragraphs for t in tokenize(copy.paragraphs[j], j))
    source_words = [t.word for t in source_tokens]
    copy_words = [t.word for t in copy_tokens]
    matcher = SequenceMatcher(None, source_words, copy_words, autojunk=False)
    word_ops = tuple(
        WordOp(tag, a1, a2, b1, b2, span_text(source, source_tokens[a1:a2]), span_text(copy, copy_tokens[b1:b2]))
        for tag, a1, a2, b1, b2 in matcher.get_opcodes()
    )
    if op == "edit" and source_words == copy_words:
        op = "same"
    similarity = matcher.ratio() if source_words or copy_words else 1.0
    return ParagraphPair(op, source_paragraphs, copy_paragraphs, similarity, source_tokens, copy_tokens, word_ops)


def span_text(article: Article, tokens: Sequence[Token]) -> str:
    """The original text from the first token to the last, per paragraph, paragraphs joined by a space."""
    pieces = []
    start = 0
    while start < len(tokens):
        end = start
        while end + 1 < len(tokens) and tokens[end + 1].paragraph == tokens[start].paragraph:
            end += 1
        pieces.append(article.paragraphs[tokens[start].paragraph][tokens[start].start : tokens[end].end])
        start = end + 1
    return " ".join(pieces)


def _summary(src: _Paragraphs, cpy: _Paragraphs, pairs: list[ParagraphPair]) -> ReuseSummary:
    counts = Counter(pair.op for pair in pairs)
    return ReuseSummary(
        source_words=sum(len(w) for w in src.words),
        copy_words=sum(len(w) for w in cpy.words),
        kept_words=sum(pair.kept_words() for pair in pairs),
        paragraphs={op: counts.get(op, 0) for op in PARAGRAPH_OPS},
    )
