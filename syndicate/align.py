"""The diff of a copy against its source: the passage alignment that decided their link, shown by paragraph.

Detection aligns sentences (:mod:`syndicate.passages`); people read paragraphs. So the aligned
sentence units are grouped into paragraph blocks: the paragraphs of the source and of the copy
that the chain of units ties together (one to one, a paragraph split in two, a body flattened
into one paragraph, …). Units the chain could not take because the copy moved them become
moves; what is left was deleted (source only) or added (copy only). The alignment is the one
``verify`` computed for the pair, with the same settings, so the diff shows why two articles
were linked, and the share of each inside the other is the link's.

Inside every block, :class:`difflib.SequenceMatcher` diffs the normalised words while each word
keeps the span of its original text, so a respelling such as Hezbollah→Hizbullah is a one-word
``replace`` shown in the outlet's own spelling, and a paraphrased paragraph shows the words it kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Literal

import numpy as np

from .article import Article
from .cluster import UnionFind
from .columns import SketchColumns
from .config import ScanConfig
from .normalise import words
from .passages import GRADES, Grade, PassageAlignment, Unit, UnitSketch, align_units
from .sketch import SignedBatch
from .units import units_batch

ParagraphOp = Literal["same", "edit", "move", "split", "merge", "regroup", "add", "delete"]
WordOpName = Literal["equal", "insert", "delete", "replace"]
PARAGRAPH_OPS: tuple[ParagraphOp, ...] = ("same", "edit", "move", "split", "merge", "regroup", "add", "delete")
MATCHED_OPS = frozenset({"same", "edit", "move", "split", "merge", "regroup"})


# --- words with their original spans -------------------------------------------------------------

_CHUNK = re.compile(r"\S+")
_PLAIN_PUNCTUATION = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-",
                                    "\u2014": "-"})
"""Curly quotes and dashes, which NFKC leaves alone and normalise() folds one character for one: a chunk that is
ASCII once they are folded takes tokenize's fast path."""
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
        plain = chunk.group().translate(_PLAIN_PUNCTUATION)
        if plain.isascii():  # normalise() of ASCII is lower() and ` -> ': each original word is one word
            offset = chunk.start()
            tokens.extend(Token(paragraph, offset + m.start(), offset + m.end(), m.group().lower().replace("`", "'"))
                          for m in _ORIGINAL_WORD.finditer(plain))
            continue
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
    grade: Grade | None = None
    """The weakest grade of the aligned sentences in the block (verbatim, edited, paraphrased); None unmatched."""

    @property
    def matched(self) -> bool:
        return self.op in MATCHED_OPS

    def kept_words(self) -> int:
        return sum(w.source_end - w.source_start for w in self.words if w.op == "equal")


@dataclass(frozen=True)
class ReuseSummary:
    """How much of the source the copy carries: in aligned passages (the link's measure) and word for word."""

    source_words: int
    copy_words: int
    kept_words: int
    """Source words the copy kept as they were, inside matched blocks."""
    source_in_passages: float = 0.0
    """Share of the source's words (furniture left out) inside sentences aligned with the copy: the link's share."""
    copy_in_passages: float = 0.0
    grades: dict[str, float] = field(default_factory=dict)
    """Share of the source's words in aligned sentences of each grade."""
    paragraphs: dict[str, int] = field(default_factory=dict)

    @property
    def source_reused(self) -> float:
        """Share of the source's words that the copy kept, word for word, in matched blocks."""
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
            "source_in_passages": round(self.source_in_passages, 4),
            "copy_in_passages": round(self.copy_in_passages, 4),
            "grades": {grade: round(share, 4) for grade, share in self.grades.items()},
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
        if pair.matched and pair.op != "same":
            record["words"] = [w.to_dict() for w in pair.words]
        if pair.grade is not None:
            record["grade"] = pair.grade
        return record


def _joined(article: Article, indices: Sequence[int]) -> str | None:
    return "\n\n".join(article.paragraphs[i] for i in indices) if indices else None


# --- alignment -----------------------------------------------------------------------------------


def align(source: Article, copy: Article, config: ScanConfig | None = None,
          furniture: tuple[Sequence[bool], Sequence[bool]] | None = None,
          template: np.ndarray | None = None) -> Alignment:
    """Align a copy with its source, sentence by sentence as detection does, shown paragraph by paragraph.

    `furniture` flags the paragraphs of each that are page furniture (a scan knows them): they are left out
    of the alignment, as they are when the pair is verified, and shown as added or deleted. `template`: the
    archive's template vocabulary (``ScanResult.template``), left out of the content terms as the scan does.
    """
    config = config or ScanConfig()
    masks = furniture or (None, None)
    sketch_source, sketch_copy = unit_sketches([source, copy], config, masks, template)
    return _align(source, copy, sketch_source, sketch_copy, config)


def align_copies(source: Article, copies: Sequence[Article], config: ScanConfig | None = None,
                 furniture: Mapping[str, Sequence[bool]] | None = None,
                 template: np.ndarray | None = None) -> list[Alignment]:
    """Each copy aligned with one source (the units of all made in one batch); a copy whose paragraphs repeat
    another's reuses that alignment (syndicated pages often carry the very same text). `furniture` maps article
    ids to paragraph flags; `template` as in :func:`align`."""
    config = config or ScanConfig()
    furniture = furniture or {}
    distinct: dict[tuple[tuple[str, ...], tuple[bool, ...]], Article] = {}
    for copy in copies:
        distinct.setdefault((copy.paragraphs, tuple(furniture.get(copy.id) or ())), copy)
    firsts = list(distinct.values())
    sketches = unit_sketches([source, *firsts], config, [furniture.get(a.id) for a in (source, *firsts)], template)
    done = {key: _align(source, first, sketches[0], sketch, config)
            for (key, first), sketch in zip(distinct.items(), sketches[1:], strict=True)}
    out = []
    for copy in copies:
        known = done[copy.paragraphs, tuple(furniture.get(copy.id) or ())]
        out.append(known if known.copy is copy else replace(known, copy=copy))
    return out


def unit_sketches(articles: Sequence[Article], config: ScanConfig, furniture: Sequence[Sequence[bool] | None],
                  template: np.ndarray | None = None) -> list[UnitSketch]:
    """The articles' evidence made as a scan makes it (one batch through the scan's columns), without signing."""
    units = units_batch([article.paragraphs for article in articles], config.ngram)
    unsigned = SignedBatch(units=units, keys=np.empty((0, 0), dtype=np.uint64),
                           document_keys=np.empty((0, 0), dtype=np.uint64), credits=[None] * len(articles),
                           headlines=[() for _ in articles])
    columns = SketchColumns()
    columns.add(articles, unsigned)
    flags = np.concatenate([np.asarray(mask, dtype=bool) if mask is not None and len(mask)
                            else np.zeros(len(article.paragraphs), dtype=bool)
                            for article, mask in zip(articles, furniture, strict=True)] or [np.zeros(0, bool)])
    columns.settle(flags)
    if template is not None:
        columns.drop_terms(template)
    return [columns.evidence(index)[1] for index in range(len(articles))]


def _align(source: Article, copy: Article, sketch_source: UnitSketch, sketch_copy: UnitSketch,
           config: ScanConfig) -> Alignment:
    passages = align_units(sketch_source, sketch_copy, config)
    chain = [unit for unit in passages.units if not unit.moved]
    moves = [unit for unit in passages.units if unit.moved]
    blocks = _paragraph_blocks(chain, sketch_source.paragraph, sketch_copy.paragraph)
    taken_source = {i for block in blocks for i in block.source}
    taken_copy = {j for block in blocks for j in block.copy}
    moved = [_Block((int(sketch_source.paragraph[u.a[0]]),), (int(sketch_copy.paragraph[u.b[0]]),), (u.grade,), True)
             for u in moves if int(sketch_source.paragraph[u.a[0]]) not in taken_source
             and int(sketch_copy.paragraph[u.b[0]]) not in taken_copy]
    pairs = _order(source, copy, blocks, _distinct_moves(moved))
    return Alignment(source, copy, tuple(pairs), _summary(source, copy, pairs, passages))


@dataclass(frozen=True, slots=True)
class _Block:
    """Paragraphs of the source and of the copy tied together by aligned sentences."""

    source: tuple[int, ...]
    copy: tuple[int, ...]
    grades: tuple[Grade, ...]
    moved: bool = False

    @property
    def grade(self) -> Grade:
        return max(self.grades, key=GRADES.index)


def _paragraph_blocks(chain: list[Unit], source_paragraph: np.ndarray, copy_paragraph: np.ndarray) -> list[_Block]:
    """The paragraphs the chain's units tie together, as blocks in reading order; a block spans whole runs of
    paragraphs on each side (an unaligned paragraph between two tied ones belongs to their block)."""
    forest = UnionFind()
    grades: dict[str, list[Grade]] = {}
    for unit in chain:
        nodes = [f"s{int(source_paragraph[i])}" for i in unit.a] + [f"c{int(copy_paragraph[j])}" for j in unit.b]
        for node in nodes[1:]:
            forest.union(nodes[0], node)
        grades.setdefault(nodes[0], []).append(unit.grade)
    spans: dict[str, list[int]] = {}
    for unit in chain:
        root = forest.find(f"s{int(source_paragraph[unit.a[0]])}")
        span = spans.setdefault(root, [10**9, -1, 10**9, -1])
        for i in unit.a:
            span[0], span[1] = min(span[0], int(source_paragraph[i])), max(span[1], int(source_paragraph[i]))
        for j in unit.b:
            span[2], span[3] = min(span[2], int(copy_paragraph[j])), max(span[3], int(copy_paragraph[j]))
    collected: dict[str, list[Grade]] = {}
    for node, found in grades.items():
        collected.setdefault(forest.find(node), []).extend(found)
    ordered = sorted(spans.items(), key=lambda item: (item[1][0], item[1][2]))
    merged: list[list] = []
    for root, span in ordered:  # overlapping spans (one paragraph shared by two runs) become one block
        if merged and (span[0] <= merged[-1][0][1] or span[2] <= merged[-1][0][3]):
            last = merged[-1]
            last[0] = [min(last[0][0], span[0]), max(last[0][1], span[1]),
                       min(last[0][2], span[2]), max(last[0][3], span[3])]
            last[1].extend(collected[root])
        else:
            merged.append([list(span), list(collected[root])])
    return [_Block(tuple(range(s0, s1 + 1)), tuple(range(c0, c1 + 1)), tuple(found))
            for (s0, s1, c0, c1), found in merged]


def _distinct_moves(moves: list[_Block]) -> list[_Block]:
    """One move per paragraph on each side (the first found)."""
    seen_source: set[int] = set()
    seen_copy: set[int] = set()
    kept = []
    for move in moves:
        if move.source[0] not in seen_source and move.copy[0] not in seen_copy:
            kept.append(move)
            seen_source.add(move.source[0])
            seen_copy.add(move.copy[0])
    return kept


def _order(source: Article, copy: Article, chain: list[_Block], moves: list[_Block]) -> list[ParagraphPair]:
    """Reading order: between two blocks, the source's deleted paragraphs, then the copy's in its order. A paragraph
    without words ("***", "—") has no sentence to align: it is the same as an identical one in the same gap."""
    chain = _wordless_pairs(source, copy, chain)
    moved_to = {move.copy[0]: move for move in moves}
    moved_from = {move.source[0] for move in moves}
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
                move = moved_to[j]
                pairs.append(_matched("move", source, copy, move.source, move.copy, move.grade))
            else:
                pairs.append(_unmatched("add", copy, j))
        if block is None:
            break
        op: ParagraphOp = ("regroup" if len(block.copy) > 1 and len(block.source) > 1 else "split"
                           if len(block.copy) > 1 else "merge" if len(block.source) > 1 else "edit")
        pairs.append(_matched(op, source, copy, block.source, block.copy, block.grade))
        next_source, next_copy = block.source[-1] + 1, block.copy[-1] + 1
    return pairs


def _wordless_pairs(source: Article, copy: Article, chain: list[_Block]) -> list[_Block]:
    """The chain, with identical wordless paragraphs paired in order inside each gap between its blocks."""
    out: list[_Block] = []
    next_source = next_copy = 0
    for block in [*chain, None]:
        source_end = block.source[0] if block else len(source.paragraphs)
        copy_end = block.copy[0] if block else len(copy.paragraphs)
        j = next_copy
        for i in range(next_source, source_end):
            text = source.paragraphs[i].strip()
            if words(text):
                continue
            found = next((k for k in range(j, copy_end) if copy.paragraphs[k].strip() == text), None)
            if found is not None:
                out.append(_Block((i,), (found,), ("verbatim",)))
                j = found + 1
        if block is None:
            break
        out.append(block)
        next_source, next_copy = block.source[-1] + 1, block.copy[-1] + 1
    return out


@lru_cache(maxsize=8192)
def _paragraph_tokens(text: str, paragraph: int) -> tuple[Token, ...]:
    """tokenize, remembered: a cluster's source is aligned with every copy, paragraph by paragraph."""
    return tuple(tokenize(text, paragraph))


def _unmatched(op: ParagraphOp, article: Article, index: int) -> ParagraphPair:
    tokens = _paragraph_tokens(article.paragraphs[index], index)
    if op == "delete":
        return ParagraphPair(op, (index,), (), None, source_tokens=tokens)
    return ParagraphPair(op, (), (index,), None, copy_tokens=tokens)


def _matched(op: ParagraphOp, source: Article, copy: Article, source_paragraphs: tuple[int, ...],
             copy_paragraphs: tuple[int, ...], grade: Grade) -> ParagraphPair:
    source_tokens = tuple(t for i in source_paragraphs for t in _paragraph_tokens(source.paragraphs[i], i))
    copy_tokens = tuple(t for j in copy_paragraphs for t in _paragraph_tokens(copy.paragraphs[j], j))
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
    return ParagraphPair(op, source_paragraphs, copy_paragraphs, similarity, source_tokens, copy_tokens, word_ops,
                         grade)


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


def _summary(source: Article, copy: Article, pairs: list[ParagraphPair], passages: PassageAlignment) -> ReuseSummary:
    counts = Counter(pair.op for pair in pairs)
    return ReuseSummary(
        source_words=len(words(source.text)),
        copy_words=len(words(copy.text)),
        kept_words=sum(pair.kept_words() for pair in pairs),
        source_in_passages=passages.a_in_b,
        copy_in_passages=passages.b_in_a,
        grades={grade: passages.aligned_a[grade] / passages.words_a if passages.words_a else 0.0 for grade in GRADES},
        paragraphs={op: counts.get(op, 0) for op in PARAGRAPH_OPS},
    )
