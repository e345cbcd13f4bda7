"""Aligned passages: the one alignment of two articles that decides a link and that the diff shows.

Both articles are sequences of sentences (:mod:`syndicate.units`). Two sentences *align* when
they carry the same text, graded by how much of the wording survived:

* **verbatim**: nearly all of the smaller sentence's 5-word shingles are in the other;
* **edited**: most of them are, or nearly all of its content words (a respelt name, a cut clause);
* **paraphrased**: the wording changed but the content words did not (synonyms around the same
  names, numbers and nouns), weighed so that what both articles say everywhere ("Trump", "Putin",
  "summit") counts for little and what they say once counts for much: the cosine of the two
  sentences' content words under an idf computed over the pair's own sentences.

An order-keeping dynamic programme picks the chain of aligned units (one sentence to one, or
one to a run of up to ``max_group`` for a split or merge) that covers the most words in the same
order in both articles. A looser paraphrase (cosine ``weak_paraphrased``) may join the chain only
between two firmer units, each within ``anchor_gap`` sentences of it on both sides (or at the
articles' ends): a rewrite reworded further in the middle of a run that otherwise follows its
source, never a pair of sentences that merely share a topic. Verbatim and edited units the chain
could not take (a paragraph the outlet moved) are kept as moves; a paraphrase out of order is not
evidence. Runs of the chain form *passages*.

The numbers a link is judged on come from here: the share of each article's words inside aligned
units (by grade), and how many of those words are outside quotation marks.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .config import ScanConfig
from .terms import NUMBER

COMMON_TERM = 0.25
"""Share of a pair's sentences above which a term no longer pairs sentences (see _term_cosine)."""
Grade = Literal["verbatim", "edited", "paraphrased"]
GRADES: tuple[Grade, ...] = ("verbatim", "edited", "paraphrased")


@dataclass(frozen=True, slots=True, eq=False)
class UnitSketch:
    """What alignment needs of one article: per sentence its paragraph, words and evidence; no text.

    Sentences of furniture paragraphs stay numbered (``active`` is False) but carry no evidence.
    Build with :meth:`of`, which derives the per-article term index alignment uses on every pair.
    """

    paragraph: np.ndarray
    """int32 per sentence: the paragraph it sits in."""
    words: np.ndarray
    """int32 per sentence: its word count."""
    quoted: np.ndarray
    """int32 per sentence: how many of its words are quoted material."""
    sentence_keys: np.ndarray
    """uint64 per sentence: a hash of its words (identical sentences align, shingles or not)."""
    active: np.ndarray
    """bool per sentence: False for sentences of furniture paragraphs."""
    shingles: np.ndarray
    """uint64: the article's distinct 5-word shingles, sorted (those of inactive sentences included: they count
    when two articles are compared whole, never in the alignment)."""
    shingle_owner: np.ndarray
    """int per shingle: the first sentence holding it."""
    shingle_sizes: np.ndarray
    """int per sentence: the shingles it owns (0 for inactive sentences)."""
    term_values: np.ndarray
    """uint32: the distinct content terms of the active sentences, sorted."""
    term_counts: np.ndarray
    """Per distinct term: how many active sentences hold it."""
    term_owner: np.ndarray
    """The sentences holding each term: term_values[k] is in term_owner[term_starts[k]:term_starts[k + 1]]."""
    term_starts: np.ndarray
    term_index: np.ndarray
    """Per entry of term_owner: the index of its term in term_values."""
    numbers: np.ndarray
    """Per sentence: its distinct numbers (terms with syndicate.terms.NUMBER set)."""

    @classmethod
    def of(cls, paragraph: np.ndarray, words: np.ndarray, quoted: np.ndarray, sentence_keys: np.ndarray,
           active: np.ndarray, shingles: np.ndarray, shingle_owner: np.ndarray, terms: np.ndarray,
           term_offsets: np.ndarray) -> UnitSketch:
        """From per-sentence arrays, and each sentence's distinct terms (``terms[term_offsets[s]:…[s + 1]]``)."""
        owners = np.repeat(np.arange(len(words), dtype=np.int64), np.diff(term_offsets))
        keep = active[owners]
        values, owners = terms[keep], owners[keep]
        order = np.lexsort((owners, values))
        values, owners = values[order], owners[order]
        distinct, index, counts = np.unique(values, return_inverse=True, return_counts=True)
        starts = np.zeros(len(distinct) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        owned = np.bincount(shingle_owner[active[shingle_owner]], minlength=len(words)) if len(shingle_owner) else (
            np.zeros(len(words), dtype=np.int64))
        index = index.ravel()
        numbers = np.bincount(owners, weights=distinct[index] >= NUMBER, minlength=len(words)).astype(np.int64)
        return cls(paragraph=paragraph, words=words, quoted=quoted, sentence_keys=sentence_keys, active=active,
                   shingles=shingles,
                   shingle_owner=shingle_owner, shingle_sizes=owned, term_values=distinct, term_counts=counts,
                   term_owner=owners, term_starts=starts, term_index=index, numbers=numbers)

    @property
    def sentences(self) -> int:
        return len(self.words)

    def active_words(self) -> int:
        return int(self.words[self.active].sum())


@dataclass(frozen=True, slots=True)
class Unit:
    """Sentences of A aligned with sentences of B."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    grade: Grade
    similarity: float
    moved: bool = False
    evidence: int = 0
    """Words of the unit's smaller side: what it weighs as evidence."""
    unquoted: int = 0
    """…of which outside quoted material (the smaller of the two sides' unquoted words)."""


@dataclass(frozen=True)
class PassageAlignment:
    units: tuple[Unit, ...]
    words_a: int
    words_b: int
    """Active (non-furniture) words of each article."""
    aligned_a: dict[str, int]
    aligned_b: dict[str, int]
    """Per grade: words of the article inside aligned units."""
    unquoted: int
    """Aligned words outside quoted material (the smaller side of each unit)."""
    passages: int
    matchable: tuple[int, int] = (0, 0)
    """Words of A, and of B, in sentences with a firm partner (verbatim, edited, paraphrased) anywhere in the other, or
    a loose one that is each other's best: what any order could align. The ordered chain holds most of them in a
    rewrite, few in a shuffle."""

    def ordered_share(self) -> float:
        """Of the smaller article's matchable words, the share its ordered chain holds."""
        side = 0 if self.words_a <= self.words_b else 1
        chained = sum(u.evidence for u in self.units if not u.moved)
        matchable = self.matchable[side]
        return min(1.0, chained / matchable) if matchable else 0.0

    @property
    def a_in_b(self) -> float:
        return sum(self.aligned_a.values()) / self.words_a if self.words_a else 0.0

    @property
    def b_in_a(self) -> float:
        return sum(self.aligned_b.values()) / self.words_b if self.words_b else 0.0

    def copied_share(self) -> tuple[float, float]:
        """Share of each side inside verbatim or edited units."""
        a = (self.aligned_a["verbatim"] + self.aligned_a["edited"]) / self.words_a if self.words_a else 0.0
        b = (self.aligned_b["verbatim"] + self.aligned_b["edited"]) / self.words_b if self.words_b else 0.0
        return a, b


def align_units(a: UnitSketch, b: UnitSketch, config: ScanConfig) -> PassageAlignment:
    """The alignment of two articles' active sentences (see the module doc)."""
    return align_scored(a, b, score_pairs(a, b, config), config)


def evidence_bound(a: UnitSketch, b: UnitSketch, pairs: ScoredPairs) -> tuple[int, int]:
    """Upper bounds, before any chain is drawn, on the words an alignment of these scored pairs can hold outside
    quoted material, and in all: the units of an alignment never share a sentence on either side."""
    if not pairs:
        return 0, 0
    rows = np.array(list(pairs), dtype=np.int64)
    side_a, side_b = np.unique(rows[:, 0]), np.unique(rows[:, 1])
    words = min(int(a.words[side_a].sum()), int(b.words[side_b].sum()))
    free = min(int((a.words[side_a] - a.quoted[side_a]).sum()), int((b.words[side_b] - b.quoted[side_b]).sum()))
    return free, words


def align_scored(a: UnitSketch, b: UnitSketch, pairs: ScoredPairs, config: ScanConfig) -> PassageAlignment:
    """The alignment, from the scored sentence pairs (see :func:`score_pairs`)."""
    words_a, words_b = a.words.tolist(), b.words.tolist()
    chain = _anchored(_best_chain(_blocks(pairs, words_a, words_b, config)), a.sentences, b.sentences,
                      config.anchor_gap)
    used_a = {i for unit in chain for i in unit.a}
    used_b = {j for unit in chain for j in unit.b}
    moves = []
    for (i, j), (grade, similarity) in sorted(pairs.items(), key=lambda item: (-item[1][1], item[0])):
        if grade < _PARAPHRASED and i not in used_a and j not in used_b:
            moves.append(Unit((i,), (j,), GRADES[grade], similarity, moved=True))
            used_a.add(i)
            used_b.add(j)
    quoted_a, quoted_b = a.quoted.tolist(), b.quoted.tolist()
    aligned_a = dict.fromkeys(GRADES, 0)
    aligned_b = dict.fromkeys(GRADES, 0)
    unquoted = 0
    units = []
    for unit in sorted([*chain, *moves], key=lambda u: (u.b[0], u.a[0])):
        side_a = sum(words_a[i] for i in unit.a)
        side_b = sum(words_b[j] for j in unit.b)
        aligned_a[unit.grade] += side_a
        aligned_b[unit.grade] += side_b
        free = min(side_a - sum(quoted_a[i] for i in unit.a), side_b - sum(quoted_b[j] for j in unit.b))
        unquoted += free
        units.append(Unit(unit.a, unit.b, unit.grade, unit.similarity, unit.moved, min(side_a, side_b), free))
    matchable = _matchable(pairs, words_a, words_b)
    return PassageAlignment(units=tuple(units), words_a=a.active_words(), words_b=b.active_words(),
                            aligned_a=aligned_a, aligned_b=aligned_b, unquoted=unquoted, passages=_passages(chain),
                            matchable=matchable)


def _matchable(pairs: ScoredPairs, words_a: list[int], words_b: list[int]) -> tuple[int, int]:
    """See PassageAlignment.matchable."""
    best_a: dict[int, tuple[float, int]] = {}
    best_b: dict[int, tuple[float, int]] = {}
    for (i, j), (_, similarity) in pairs.items():
        best_a[i] = max(best_a.get(i, (-1.0, -1)), (similarity, j))
        best_b[j] = max(best_b.get(j, (-1.0, -1)), (similarity, i))
    chosen = [(i, j) for (i, j), (grade, _) in pairs.items()
              if grade <= _PARAPHRASED or (best_a[i][1] == j and best_b[j][1] == i)]
    return sum(words_a[i] for i in {i for i, _ in chosen}), sum(words_b[j] for j in {j for _, j in chosen})


def _anchored(chain: list[_Link], sentences_a: int, sentences_b: int, gap: int) -> list[Unit]:
    """The chain's units, loose paraphrases kept only between two firmer units each at most `gap` sentences away on
    both sides (the articles' starts and ends count as firm)."""
    firm = [(-1, -1), *((block.a[-1], block.b[-1]) for block in chain if block.grade != _WEAK),
            (sentences_a, sentences_b)]
    firm_starts = [(-1, -1), *((block.a[0], block.b[0]) for block in chain if block.grade != _WEAK),
                   (sentences_a, sentences_b)]
    kept: list[Unit] = []
    anchor = 0  # index in firm of the last firm unit before the current block
    for block in chain:
        if block.grade != _WEAK:
            anchor += 1
            kept.append(Unit(block.a, block.b, GRADES[block.grade], block.similarity))
            continue
        before, after = firm[anchor], firm_starts[anchor + 1]
        real = (before != (-1, -1)) or (after != (sentences_a, sentences_b))
        if (real and block.a[0] - before[0] <= gap and block.b[0] - before[1] <= gap
                and after[0] - block.a[-1] <= gap and after[1] - block.b[-1] <= gap):
            kept.append(Unit(block.a, block.b, "paraphrased", block.similarity))
    return kept


def _passages(chain: list[Unit], gap: int = 2) -> int:
    count = 0
    last: Unit | None = None
    for unit in chain:
        if last is None or unit.a[0] - last.a[-1] > gap or unit.b[0] - last.b[-1] > gap:
            count += 1
        last = unit
    return count


# --- sentence pairs --------------------------------------------------------------------------------


_PARAPHRASED, _WEAK = 2, 3
"""Grades by index: GRADES[0..2], and a loose paraphrase (kept only between firmer units, shown as paraphrased)."""


ScoredPairs = dict[tuple[int, int], tuple[int, float]]
"""(sentence of A, sentence of B) -> (grade index, similarity), for the pairs that align."""


def score_pairs(a: UnitSketch, b: UnitSketch, config: ScanConfig) -> ScoredPairs:
    """Every pair of active sentences that align, with its grade index and similarity (whole arrays, no loop per
    pair of sentences: two long articles on one event share terms in thousands of sentence pairs)."""
    width = max(b.sentences, 1)
    codes_s, share = _shingle_share(a, b, width)
    codes_k = _same_sentences(a, b, width)
    codes_s, share = np.concatenate([codes_s, codes_k]), np.concatenate([share, np.ones(len(codes_k))])
    order = np.lexsort((-share, codes_s))  # an identical sentence pair found both ways: once, at its best share
    codes_s, share = codes_s[order], share[order]
    first = np.ones(len(codes_s), dtype=bool)
    first[1:] = codes_s[1:] != codes_s[:-1]
    codes_s, share = codes_s[first], share[first]
    codes_t, cosine, shared_terms, shared_numbers = _term_cosine(a, b, width)
    codes = _group(np.concatenate([codes_s, codes_t]))[0]
    if len(codes) == 0:
        return {}
    share_all = np.zeros(len(codes))
    share_all[np.searchsorted(codes, codes_s)] = share
    cos_all = np.zeros(len(codes))
    terms_all = np.zeros(len(codes), dtype=np.int64)
    numbers_all = np.zeros(len(codes), dtype=np.int64)
    where = np.searchsorted(codes, codes_t)
    cos_all[where], terms_all[where], numbers_all[where] = cosine, shared_terms, shared_numbers
    i, j = codes // width, codes % width
    words_i, words_j = a.words[i], b.words[j]
    fewer = np.minimum(a.numbers[i], b.numbers[j])
    same_facts = 3 * numbers_all >= 2 * fewer  # a reworded sentence keeps its numbers; a template's do not
    verbatim = (share_all >= config.verbatim) & (np.minimum(words_i, words_j) >= 0.9 * np.maximum(words_i, words_j))
    edited = ~verbatim & ((share_all >= config.edited) | ((cos_all >= config.edited_terms) & same_facts))
    paraphrased = (~verbatim & ~edited & same_facts & (cos_all >= config.paraphrased)
                   & (terms_all >= config.min_shared_terms))
    weak = ~verbatim & ~edited & ~paraphrased & same_facts & (cos_all >= config.weak_paraphrased) & (terms_all >= 2)
    keep = verbatim | edited | paraphrased | weak
    grades = np.where(verbatim, 0, np.where(edited, 1, np.where(paraphrased, _PARAPHRASED, _WEAK)))[keep]
    similarity = np.where(paraphrased | weak, cos_all, np.maximum(share_all, cos_all))[keep]
    return {(x, y): (g, s) for x, y, g, s in zip(i[keep].tolist(), j[keep].tolist(), grades.tolist(),
                                                  similarity.tolist(), strict=True)}


def _shingle_share(a: UnitSketch, b: UnitSketch, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentence pairs sharing shingles (codes i * width + j) and shared / the smaller sentence's shingles."""
    in_a, in_b = shared_positions(a.shingles, b.shingles)
    owner_a, owner_b = a.shingle_owner[in_a], b.shingle_owner[in_b]
    keep = a.active[owner_a] & b.active[owner_b]
    codes, _, counts = _group(owner_a[keep].astype(np.int64) * width + owner_b[keep])
    i, j = codes // width, codes % width
    return codes, counts / np.minimum(a.shingle_sizes[i], b.shingle_sizes[j])


def _group(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique(codes, return_inverse=True, return_counts=True), by one sort: numpy's hashed unique is slower on
    the few thousand small integers of a pair of articles."""
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    new = np.empty(len(ordered), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    inverse = np.empty(len(codes), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[starts], inverse, np.diff(starts, append=len(ordered))


def _same_sentences(a: UnitSketch, b: UnitSketch, width: int) -> np.ndarray:
    """Pairs (codes) of active sentences whose words are the same: a sentence too short for a shingle, or repeated
    in its article, has no shingle of its own to be matched by."""
    rows_a, rows_b = np.flatnonzero(a.active), np.flatnonzero(b.active)
    in_a, in_b = _equal_values(a.sentence_keys[rows_a], b.sentence_keys[rows_b])
    return rows_a[in_a].astype(np.int64) * width + rows_b[in_b]


def _equal_values(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with a[i] == b[j] (values may repeat on either side)."""
    order = np.argsort(b, kind="stable")
    lo, hi = np.searchsorted(b[order], a, side="left"), np.searchsorted(b[order], a, side="right")
    hits = hi - lo
    rows = np.repeat(np.arange(len(a)), hits)
    cols = order[np.repeat(lo, hits) + np.arange(len(rows)) - np.repeat(np.cumsum(hits) - hits, hits)]
    return rows, cols


def shared_positions(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `a` and in `b` of the values both hold; both arrays sorted and unique.

    A binary search of the shorter array into the longer: ``np.intersect1d`` would concatenate
    and re-sort both on every call.
    """
    if len(a) > len(b):
        in_b, in_a = shared_positions(b, a)
        return in_a, in_b
    if len(a) == 0 or len(b) == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty
    positions = np.searchsorted(b, a)
    positions[positions == len(b)] = 0
    found = b[positions] == a
    return np.flatnonzero(found), positions[found]


def _term_cosine(a: UnitSketch, b: UnitSketch, width: int,
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sentence pairs sharing content terms (codes), the cosine of their terms under the pair's own idf, how many
    terms they share and how many of those are numbers.

    The two articles' active sentences are the corpus, and a term's weight is log(1 + sentences / sentences
    holding it): a term in most of them (the story's protagonists) weighs little, one that each article uses in
    a single sentence weighs most, and two one-sentence articles still weigh what they share. A term in more than
    ``COMMON_TERM`` of the sentences still weighs in every norm, but is not followed into sentence pairs: its
    weight is small, and the pairs it alone would make are thousands. Numbers are always followed: they are the
    facts two sentences must share to be one reworded.
    """
    shared_a, shared_b = shared_positions(a.term_values, b.term_values)
    if len(shared_a) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), empty, empty
    sentences = int(a.active.sum()) + int(b.active.sum())

    def norms(side: UnitSketch, shared: np.ndarray, other_counts: np.ndarray) -> np.ndarray:
        frequency = side.term_counts.astype(np.float64)
        frequency[shared] += other_counts
        weight = np.log1p(sentences / frequency) ** 2
        return np.sqrt(np.bincount(side.term_owner, weights=weight[side.term_index], minlength=side.sentences))

    norm_a = norms(a, shared_a, b.term_counts[shared_b])
    norm_b = norms(b, shared_b, a.term_counts[shared_a])
    count_a, count_b = a.term_counts[shared_a], b.term_counts[shared_b]
    number = a.term_values[shared_a] >= NUMBER
    followed = (count_a + count_b <= max(2, COMMON_TERM * sentences)) | number
    shared_a, shared_b, count_a, count_b = shared_a[followed], shared_b[followed], count_a[followed], count_b[followed]
    number = number[followed]
    if len(shared_a) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), empty, empty
    weight = np.log1p(sentences / (count_a + count_b)) ** 2
    # Every (sentence of A, sentence of B) holding a shared term: per term, the product of its two owner lists.
    pairs = count_a * count_b
    term = np.repeat(np.arange(len(shared_a)), pairs)
    rank = np.arange(len(term)) - np.repeat(np.cumsum(pairs) - pairs, pairs)
    owner_a = a.term_owner[a.term_starts[shared_a][term] + rank // count_b[term]]
    owner_b = b.term_owner[b.term_starts[shared_b][term] + rank % count_b[term]]
    codes, inverse, counts = _group(owner_a * width + owner_b)
    sums = np.bincount(inverse, weights=weight[term], minlength=len(codes))
    numbers = np.bincount(inverse, weights=number[term], minlength=len(codes)).astype(np.int64)
    denominator = norm_a[codes // width] * norm_b[codes % width]
    return codes, np.divide(sums, denominator, out=np.zeros(len(codes)), where=denominator > 0), counts, numbers


# --- the ordered chain -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Link:
    """A candidate block of the chain: sentences of A, of B, grade index, similarity, weight in words."""

    a: tuple[int, ...]
    b: tuple[int, ...]
    grade: int
    similarity: float
    weight: float


_GRADE_WEIGHT = (1.0, 1.0, 0.8, 0.4)


def _blocks(pairs: ScoredPairs, words_a: list[int], words_b: list[int], config: ScanConfig) -> list[_Link]:
    """Every aligned pair, plus a sentence split into (or merged from) a run of consecutive sentences that each align
    with it (graded by the weakest, weighed by the words of the run)."""
    blocks = [_Link((i,), (j,), grade, similarity, _GRADE_WEIGHT[grade] * min(words_a[i], words_b[j]))
              for (i, j), (grade, similarity) in pairs.items()]
    for i, j in pairs:
        for pieces, run_a, run_b in _runs(pairs, i, j, config.max_group):
            grade = max(pairs[p][0] for p in pieces)
            similarity = min(pairs[p][1] for p in pieces)
            words = min(sum(words_a[k] for k in run_a), sum(words_b[k] for k in run_b))
            blocks.append(_Link(run_a, run_b, grade, similarity,
                                _GRADE_WEIGHT[grade] * words - 0.5 * (len(pieces) - 1)))
    return blocks


def _runs(pairs: ScoredPairs, i: int, j: int, longest: int,
          ) -> list[tuple[list[tuple[int, int]], tuple[int, ...], tuple[int, ...]]]:
    """The splits (i with j, j+1, …) and merges (i, i+1, … with j) of 2 to `longest` pieces that start at (i, j)."""
    found = []
    for split in (True, False):
        pieces = [(i, j)]
        for k in range(1, longest):
            piece = (i, j + k) if split else (i + k, j)
            if piece not in pairs:
                break
            pieces.append(piece)
            run = tuple(range(j, j + k + 1)) if split else tuple(range(i, i + k + 1))
            found.append((list(pieces), (i,) if split else run, run if split else (j,)))
    return found


def _best_chain(blocks: list[_Link]) -> list[_Link]:
    """The heaviest set of blocks in the same order in both articles (weighted chain DP, gaps free).

    Blocks are swept in A's order; a block becomes a possible predecessor once the sweep has passed
    its last sentence of A, and a Fenwick tree over B's positions gives the best chain ending before
    a block's first sentence of B: O(n log n). Ties go to the earliest block (deterministic).
    """
    if not blocks:
        return []
    blocks = sorted(blocks, key=lambda k: (k.a[0], k.b[0], -len(k.a) - len(k.b)))
    tree = _PrefixMax(max(k.b[-1] for k in blocks) + 1)
    best = [0.0] * len(blocks)
    previous = [-1] * len(blocks)
    waiting: list[tuple[int, int]] = []
    for n, block in enumerate(blocks):
        while waiting and waiting[0][0] < block.a[0]:
            _, m = heapq.heappop(waiting)
            tree.update(blocks[m].b[-1], (best[m], -m))
        before, negated = tree.query(block.b[0])
        best[n], previous[n] = (before + block.weight, -negated) if negated <= 0 else (block.weight, -1)
        heapq.heappush(waiting, (block.a[-1], n))
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
        result = self._EMPTY
        while bound > 0:
            result = max(result, self._tree[bound])
            bound -= bound & -bound
        return result
