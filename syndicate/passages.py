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
from itertools import compress
from typing import Literal, NamedTuple

import numpy as np

from .config import ScanConfig
from .sorting import distinct as distinct_values
from .sorting import run_lengths, sort_with_order
from .terms import NUMBER, first_of_runs

COMMON_TERM = 0.25
"""Share of a pair's sentences above which a term no longer pairs sentences (see _term_cosine)."""
Grade = Literal["verbatim", "edited", "paraphrased"]
GRADES: tuple[Grade, ...] = ("verbatim", "edited", "paraphrased")


@dataclass(frozen=True, slots=True, eq=False)
class Sentences:
    """Per sentence of one article: what an alignment counts (its words, quoted words, and whether it is active)."""

    words: np.ndarray
    """int32 per sentence: its word count."""
    quoted: np.ndarray
    """int32 per sentence: how many of its words are quoted material."""
    active: np.ndarray
    """bool per sentence: False for sentences of furniture paragraphs."""

    @property
    def sentences(self) -> int:
        return len(self.words)


@dataclass(frozen=True, slots=True, eq=False)
class UnitSketch(Sentences):
    """What alignment needs of one article: per sentence its paragraph, words and evidence; no text.

    Sentences of furniture paragraphs stay numbered (``active`` is False) but carry no evidence.
    Build with :meth:`of`, which derives the per-article term index alignment uses on every pair.
    """

    paragraph: np.ndarray
    """int32 per sentence: the paragraph it sits in."""
    sentence_keys: np.ndarray
    """uint64 per sentence: a hash of its words (identical sentences align, shingles or not)."""
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
        new = first_of_runs(values)  # values sorted: np.unique's inverse and counts from their runs
        firsts = new.nonzero()[0]
        distinct, index, counts = values[firsts], new.cumsum() - 1, run_lengths(firsts, len(values))
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


class EvidenceBound(NamedTuple):
    """Upper bounds, before any chain is drawn, on what an alignment of a pair's scored sentence pairs can hold: its
    units never share a sentence on either side, and hold active sentences only. Numbers for one pair
    (:func:`evidence_bound`), arrays for a batch (:func:`score_batch`). Verify aligns only the pairs whose bounds
    allow a link (:func:`~syndicate.verify.worth_aligning`)."""

    free: int | np.ndarray
    """Words outside quoted material, of the side with fewer."""
    words: int | np.ndarray
    """Words in all, of the side with fewer."""
    sentences: int | np.ndarray
    """Sentences, of the side with fewer: no more units than this."""
    smaller_share: float | np.ndarray
    """Share of the article with fewer active words (the side a rewrite's coverage is of)."""
    copied_free: int | np.ndarray
    """Words outside quoted material in verbatim or edited sentence pairs, of the side with fewer."""
    copied_share: float | np.ndarray
    """Share of an article in verbatim or edited sentence pairs, the larger of the two."""


def evidence_bound(a: Sentences, b: Sentences, pairs: ScoredPairs) -> EvidenceBound:
    """The :class:`EvidenceBound` of one pair's scored sentence pairs."""
    rows = np.array([(i, j, grade) for (i, j), (grade, _) in pairs.items()], dtype=np.int64).reshape(-1, 3)
    copied = rows[rows[:, 2] < _PARAPHRASED]
    active_a, active_b = int(a.words[a.active].sum()), int(b.words[b.active].sum())

    def sides(chosen: np.ndarray) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        found = []
        for sentences, column in ((a, chosen[:, 0]), (b, chosen[:, 1])):
            distinct = distinct_values(column)
            found.append((int(sentences.words[distinct].sum()),
                          int((sentences.words[distinct] - sentences.quoted[distinct]).sum()), len(distinct)))
        return found[0], found[1]

    def share(words: int, active: int) -> float:
        return words / active if active else 0.0

    (words_a, free_a, count_a), (words_b, free_b, count_b) = sides(rows)
    (copied_a, copied_free_a, _), (copied_b, copied_free_b, _) = sides(copied)
    return EvidenceBound(
        free=min(free_a, free_b), words=min(words_a, words_b), sentences=min(count_a, count_b),
        smaller_share=share(words_a, active_a) if active_a <= active_b else share(words_b, active_b),
        copied_free=min(copied_free_a, copied_free_b),
        copied_share=max(share(copied_a, active_a), share(copied_b, active_b)))


def align_scored(a: Sentences, b: Sentences, pairs: ScoredPairs, config: ScanConfig) -> PassageAlignment:
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
    return PassageAlignment(units=tuple(units), words_a=sum(compress(words_a, a.active.tolist())),
                            words_b=sum(compress(words_b, b.active.tolist())), aligned_a=aligned_a,
                            aligned_b=aligned_b, unquoted=unquoted, passages=_passages(chain),
                            matchable=_matchable(pairs, words_a, words_b))


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
    codes_t, cosine, shared_terms, shared_numbers = _term_cosine(a, b, width)
    codes, share_all, cos_all, terms_all, numbers_all = _merge_evidence(
        codes_s, share, _same_sentences(a, b, width), codes_t, cosine, shared_terms, shared_numbers)
    if len(codes) == 0:
        return {}
    i, j = codes // width, codes % width
    keep, grades, similarity = _grade(share_all, cos_all, terms_all, numbers_all, a.words[i], b.words[j],
                                      a.numbers[i], b.numbers[j], config)
    return {(x, y): (g, s) for x, y, g, s in zip(i[keep].tolist(), j[keep].tolist(), grades.tolist(),
                                                  similarity.tolist(), strict=True)}


def _merge_evidence(codes_s: np.ndarray, share: np.ndarray, codes_k: np.ndarray, codes_t: np.ndarray,
                    cosine: np.ndarray, shared_terms: np.ndarray, shared_numbers: np.ndarray,
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sentence pairs found by shingles, by identical words or by terms (codes, sorted; each source's codes
    distinct), each with both kinds of evidence (0 where one kind found nothing): an identical pair's shingle share
    is 1, whatever its shingles say (a pair found both ways counts once, at its best share)."""
    codes, where, _ = _group(np.concatenate([codes_s, codes_k, codes_t]))
    share_all = np.zeros(len(codes))
    share_all[where[: len(codes_s)]] = share
    identical = where[len(codes_s) : len(codes_s) + len(codes_k)]
    share_all[identical] = np.maximum(share_all[identical], 1.0)
    cos_all = np.zeros(len(codes))
    terms_all = np.zeros(len(codes), dtype=np.int64)
    numbers_all = np.zeros(len(codes), dtype=np.int64)
    where = where[len(codes_s) + len(codes_k) :]
    cos_all[where], terms_all[where], numbers_all[where] = cosine, shared_terms, shared_numbers
    return codes, share_all, cos_all, terms_all, numbers_all


def _grade(share: np.ndarray, cosine: np.ndarray, shared_terms: np.ndarray, shared_numbers: np.ndarray,
           words_i: np.ndarray, words_j: np.ndarray, numbers_i: np.ndarray, numbers_j: np.ndarray,
           config: ScanConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which sentence pairs align (mask), and the grade index and similarity of those that do."""
    fewer = np.minimum(numbers_i, numbers_j)
    same_facts = 3 * shared_numbers >= 2 * fewer  # a reworded sentence keeps its numbers; a template's do not
    # Terms align a sentence only on shared words: two earnings lines sharing a year and a figure are not a rewrite.
    shared_words = shared_terms - shared_numbers
    verbatim = (share >= config.verbatim) & (np.minimum(words_i, words_j) >= 0.9 * np.maximum(words_i, words_j))
    edited = ~verbatim & ((share >= config.edited) | ((cosine >= config.edited_terms) & same_facts
                                                      & (shared_words >= config.min_shared_terms)))
    paraphrased = (~verbatim & ~edited & same_facts & (cosine >= config.paraphrased)
                   & (shared_terms >= config.min_shared_terms))
    weak = ~verbatim & ~edited & ~paraphrased & same_facts & (cosine >= config.weak_paraphrased) & (shared_terms >= 2)
    keep = verbatim | edited | paraphrased | weak
    grades = np.where(verbatim, 0, np.where(edited, 1, np.where(paraphrased, _PARAPHRASED, _WEAK)))[keep]
    similarity = np.where(paraphrased | weak, cosine, np.maximum(share, cosine))[keep]
    return keep, grades, similarity


def _shingle_share(a: UnitSketch, b: UnitSketch, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Sentence pairs sharing shingles (codes i * width + j) and shared / the smaller sentence's shingles."""
    in_a, in_b = shared_positions(a.shingles, b.shingles)
    owner_a, owner_b = a.shingle_owner[in_a], b.shingle_owner[in_b]
    keep = a.active[owner_a] & b.active[owner_b]
    codes, _, counts = _group(owner_a[keep].astype(np.int64) * width + owner_b[keep])
    i, j = codes // width, codes % width
    return codes, counts / np.minimum(a.shingle_sizes[i], b.shingle_sizes[j])


def _group(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.unique(codes, return_inverse=True, return_counts=True), by one sort
    (:func:`~syndicate.sorting.sort_with_order`, several times faster than an argsort): numpy's hashed unique is
    slower on the few thousand small integers of a pair of articles, and its sorted unique sorts more than once."""
    order, ordered = sort_with_order(codes)
    new = first_of_runs(ordered)
    starts = new.nonzero()[0]
    inverse = np.empty(len(codes), dtype=np.int64)
    inverse[order] = new.cumsum() - 1
    return ordered[starts], inverse, run_lengths(starts, len(ordered))


def _same_sentences(a: UnitSketch, b: UnitSketch, width: int) -> np.ndarray:
    """Pairs (codes) of active sentences whose words are the same: a sentence too short for a shingle, or repeated
    in its article, has no shingle of its own to be matched by."""
    rows_a, rows_b = np.flatnonzero(a.active), np.flatnonzero(b.active)
    in_a, in_b = _equal_values(a.sentence_keys[rows_a], b.sentence_keys[rows_b])
    return rows_a[in_a].astype(np.int64) * width + rows_b[in_b]


def _equal_values(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with a[i] == b[j] (values may repeat on either side)."""
    order = b.argsort(kind="stable")
    ordered = b[order]
    lo, hi = ordered.searchsorted(a, side="left"), ordered.searchsorted(a, side="right")
    hits = hi - lo
    rows = np.arange(len(a)).repeat(hits)
    cols = order[lo.repeat(hits) + np.arange(len(rows)) - (hits.cumsum() - hits).repeat(hits)]
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
        weight = _idf_weight(sentences, frequency)
        return np.sqrt(np.bincount(side.term_owner, weights=weight[side.term_index], minlength=side.sentences))

    norm_a = norms(a, shared_a, b.term_counts[shared_b])
    norm_b = norms(b, shared_b, a.term_counts[shared_a])
    count_a, count_b = a.term_counts[shared_a], b.term_counts[shared_b]
    number = a.term_values[shared_a] >= NUMBER
    followed = _followed(count_a + count_b, number, sentences)
    shared_a, shared_b, count_a, count_b = shared_a[followed], shared_b[followed], count_a[followed], count_b[followed]
    number = number[followed]
    if len(shared_a) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), empty, empty
    weight = _idf_weight(sentences, count_a + count_b)
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


def _idf_weight(sentences: int | np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """A term's squared idf weight, log(1 + sentences / frequency) ** 2, for a pair whose two articles have
    `sentences` active sentences between them, `frequency` of which hold the term."""
    return np.log1p(sentences / frequency) ** 2


def _followed(frequency: np.ndarray, number: np.ndarray, sentences: int | np.ndarray) -> np.ndarray:
    """Shared terms followed into sentence pairs: those in at most COMMON_TERM of the pair's sentences (or two),
    and every number."""
    return (frequency <= np.maximum(2, COMMON_TERM * sentences)) | number


# --- many candidate pairs at once ------------------------------------------------------------------


def ragged_positions(offsets: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``offsets[k]:offsets[k + 1]`` of every k in `items`, end to end, and where each item's rows start
    there (``len(items) + 1`` bounds)."""
    starts = offsets[items]
    return _ranges(starts, offsets[items + 1] - starts)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions ``starts[k]:starts[k] + lengths[k]`` of every k, end to end, and their bounds."""
    bounds = np.zeros(len(starts) + 1, dtype=np.int64)
    lengths.cumsum(out=bounds[1:])
    return np.arange(bounds[-1], dtype=np.int64) + (starts - bounds[:-1]).repeat(lengths), bounds


def _owners(bounds: np.ndarray) -> np.ndarray:
    """Per row of ragged rows with these bounds: the item it belongs to."""
    return np.arange(len(bounds) - 1, dtype=np.int64).repeat(bounds[1:] - bounds[:-1])


@dataclass(frozen=True, slots=True, eq=False)
class EvidenceBatch:
    """The evidence of many articles, end to end in flat arrays: what a :class:`UnitSketch` holds for one.

    Article k owns sentences ``sentence_offsets[k]:sentence_offsets[k + 1]``, and likewise its distinct shingles
    (by ``shingle_offsets``), its distinct terms (by ``term_offsets``) and its term entries (by ``entry_offsets``).
    Everything that points at a sentence, a term or an entry counts within its own article, as in a UnitSketch.
    """

    sentence_offsets: np.ndarray
    words: np.ndarray
    quoted: np.ndarray
    active: np.ndarray
    sentence_keys: np.ndarray
    numbers: np.ndarray
    shingle_sizes: np.ndarray
    """Per sentence, as in UnitSketch."""
    shingle_offsets: np.ndarray
    shingles: np.ndarray
    """Each article's distinct shingles, sorted."""
    shingle_owner: np.ndarray
    term_offsets: np.ndarray
    term_values: np.ndarray
    """Each article's distinct terms of active sentences, sorted."""
    term_counts: np.ndarray
    term_starts: np.ndarray
    """Per distinct term: its first entry (the entries of a term are consecutive)."""
    entry_offsets: np.ndarray
    entry_owner: np.ndarray
    """Per (term, sentence holding it) of an article, sorted by term then sentence: the sentence."""
    entry_term: np.ndarray
    """…and the term (its index among the article's distinct terms)."""

    @classmethod
    def of(cls, sentence_offsets: np.ndarray, words: np.ndarray, quoted: np.ndarray, active: np.ndarray,
           sentence_keys: np.ndarray, shingle_offsets: np.ndarray, shingles: np.ndarray, shingle_owner: np.ndarray,
           term_offsets: np.ndarray, terms: np.ndarray) -> EvidenceBatch:
        """From per-sentence arrays of many articles (numbered across them; `term_offsets` per sentence), each
        article's shingles distinct and sorted with their first sentence (counted within the article).

        :meth:`UnitSketch.of` for every article in a few whole-batch passes (see :func:`_term_major`)."""
        articles = len(sentence_offsets) - 1
        sentence_article = _owners(sentence_offsets)
        entry_sentence = _owners(term_offsets)
        keep = active[entry_sentence]
        entry_sentence = entry_sentence[keep]
        entry_article = sentence_article[entry_sentence]
        entry_article, values, entry_owner = _term_major(entry_article, terms[keep],
                                                         entry_sentence - sentence_offsets[entry_article])
        entry_sentence = sentence_offsets[entry_article] + entry_owner
        key = (entry_article.astype(np.uint64) << np.uint64(32)) | values
        new = first_of_runs(key)
        firsts = new.nonzero()[0]
        entry_offsets = _offsets(entry_article, articles)
        term_offsets_out = _offsets(entry_article[firsts], articles)
        term_article = entry_article[firsts]
        shingle_sentence = sentence_offsets[_owners(shingle_offsets)] + shingle_owner
        return cls(
            sentence_offsets=sentence_offsets, words=words, quoted=quoted, active=active, sentence_keys=sentence_keys,
            numbers=np.bincount(entry_sentence, weights=values >= NUMBER, minlength=len(words)).astype(np.int64),
            shingle_sizes=np.bincount(shingle_sentence[active[shingle_sentence]], minlength=len(words)),
            shingle_offsets=shingle_offsets, shingles=shingles, shingle_owner=shingle_owner,
            term_offsets=term_offsets_out, term_values=values[firsts],
            term_counts=run_lengths(firsts, len(key)), term_starts=firsts - entry_offsets[term_article],
            entry_offsets=entry_offsets, entry_owner=entry_owner,
            entry_term=new.cumsum() - 1 - term_offsets_out[entry_article])

    def __len__(self) -> int:
        return len(self.sentence_offsets) - 1

    def active_words(self) -> np.ndarray:
        """Per article: the words of its active sentences (what an alignment's shares are of)."""
        counts = np.zeros(len(self.words) + 1, dtype=np.int64)
        np.cumsum(np.where(self.active, self.words, 0), out=counts[1:])
        return counts[self.sentence_offsets[1:]] - counts[self.sentence_offsets[:-1]]

    def sentences(self, article: int) -> Sentences:
        first, last = self.sentence_offsets[article : article + 2].tolist()
        return Sentences(words=self.words[first:last], quoted=self.quoted[first:last], active=self.active[first:last])


def _term_major(article: np.ndarray, terms: np.ndarray, sentence: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Term entries (article, term, sentence within the article), given in (article, sentence) order, sorted by
    (article, term, sentence): one ``np.sort`` of the three packed in 64 bits, which they fit unless a batch of
    tens of thousands of articles holds one of thousands of sentences; else a stable sort of (article, term)."""
    sentence_bits = int(sentence.max(initial=0)).bit_length()
    if int(article.max(initial=0)).bit_length() + 32 + sentence_bits <= _PACKED_BITS:
        shift = np.uint64(sentence_bits)
        key = np.sort((((article.astype(np.uint64) << np.uint64(32)) | terms) << shift) | sentence.astype(np.uint64))
        return ((key >> (shift + np.uint64(32))).astype(np.int64), ((key >> shift) & np.uint64(0xFFFFFFFF)).astype(
            np.uint32), (key & ((np.uint64(1) << shift) - np.uint64(1))).astype(np.int64))
    order = np.argsort((article.astype(np.uint64) << np.uint64(32)) | terms, kind="stable")
    return article[order], terms[order], sentence[order]


_PACKED_BITS = 64
"""Width of _term_major's packed key."""


def _offsets(owner: np.ndarray, count: int) -> np.ndarray:
    """Offsets of `count` consecutive groups, from the (sorted) group of each row."""
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.bincount(owner, minlength=count).cumsum(out=offsets[1:])
    return offsets


@dataclass(frozen=True, slots=True, eq=False)
class ScoredBatch:
    """For each candidate pair of a batch: its Jaccard, its :func:`evidence_bound` and its scored sentence pairs."""

    shared: np.ndarray
    """Per pair: the distinct shingles its two articles share (furniture included)."""
    jaccard: np.ndarray
    bound: EvidenceBound
    """Per pair: its :func:`evidence_bound` (arrays)."""
    offsets: np.ndarray
    """Pair k's sentence pairs are rows offsets[k]:offsets[k + 1] of the arrays below, in (i, j) order."""
    i: np.ndarray
    j: np.ndarray
    grade: np.ndarray
    similarity: np.ndarray

    def pairs(self, k: int) -> ScoredPairs:
        """Pair k's sentence pairs as :func:`score_pairs` gives them."""
        first, last = self.offsets[k : k + 2].tolist()
        return {(x, y): (g, s) for x, y, g, s in zip(
            self.i[first:last].tolist(), self.j[first:last].tolist(), self.grade[first:last].tolist(),
            self.similarity[first:last].tolist(), strict=True)}


@dataclass(frozen=True, slots=True, eq=False)
class _PairLayout:
    """How a batch's candidate pairs number their sentences and sentence pairs.

    Pair k's sentence pair (i, j) is *cell* ``base[k] + i * width[k] + j``: cells sort by (pair, i, j) and never
    collide across pairs (they play the part of the per-pair code's ``i * width + j``). Pair k's sentences of A are
    numbered from ``rows_a[k]`` among all the pairs' sentences of A (likewise of B), for the per-pair sentence
    norms.
    """

    a: np.ndarray
    b: np.ndarray
    """Per pair: its two articles."""
    first_a: np.ndarray
    first_b: np.ndarray
    """Per pair: the batch's index of each article's first sentence."""
    width: np.ndarray
    base: np.ndarray
    rows_a: np.ndarray
    rows_b: np.ndarray

    @classmethod
    def of(cls, evidence: EvidenceBatch, a: np.ndarray, b: np.ndarray) -> _PairLayout:
        offsets = evidence.sentence_offsets
        sentences = offsets[1:] - offsets[:-1]
        sentences_a, sentences_b = sentences[a], sentences[b]
        width = np.maximum(sentences_b, 1)
        base, rows_a, rows_b = (np.zeros(len(a) + 1, dtype=np.int64) for _ in range(3))
        (sentences_a * width).cumsum(out=base[1:])
        sentences_a.cumsum(out=rows_a[1:])
        sentences_b.cumsum(out=rows_b[1:])
        return cls(a=a, b=b, first_a=evidence.sentence_offsets[a], first_b=evidence.sentence_offsets[b], width=width,
                   base=base, rows_a=rows_a, rows_b=rows_b)

    @property
    def cells(self) -> int:
        return int(self.base[-1])

    def cell(self, pair: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return self.base[pair] + i * self.width[pair] + j

    def decode(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pair, i, j) of each cell (cells sorted: the pairs' bounds are searched among them, not the reverse)."""
        bounds = cells.searchsorted(self.base)
        pair = np.arange(len(self.a)).repeat(bounds[1:] - bounds[:-1])
        local = cells - self.base[pair]
        return pair, local // self.width[pair], local % self.width[pair]


def score_batch(evidence: EvidenceBatch, a: np.ndarray, b: np.ndarray, config: ScanConfig) -> ScoredBatch:
    """For each candidate pair (article a[k], article b[k]) of the batch: what verify needs before drawing a chain,
    each equal to its per-pair definition: the whole-article shingle Jaccard, :func:`score_pairs` and
    :func:`evidence_bound`.

    Whole-batch numpy passes, no loop per pair: every pair's rows (shingles, terms, term entries) are laid end to
    end in pair order, keyed by ``pair << 32 | value``, so that one merge joins the two sides of every pair at
    once; sums per sentence and per sentence pair are ``np.bincount`` over (pair, sentence) segments and over
    cells (see :class:`_PairLayout`), which add the same numbers in the same order as the per-pair code (the
    similarities come out bit for bit the same).
    """
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    layout = _PairLayout.of(evidence, a, b)
    shared, jaccard, cells_s, share = _batch_shingle_share(evidence, layout)
    cells_t, cosine, shared_terms, shared_numbers = _batch_term_cosine(evidence, layout)
    cells, share_all, cos_all, terms_all, numbers_all = _merge_evidence(
        cells_s, share, _batch_same_sentences(evidence, layout), cells_t, cosine, shared_terms, shared_numbers)
    pair, i, j = layout.decode(cells)
    sentence_a, sentence_b = layout.first_a[pair] + i, layout.first_b[pair] + j
    keep, grades, similarity = _grade(share_all, cos_all, terms_all, numbers_all, evidence.words[sentence_a],
                                      evidence.words[sentence_b], evidence.numbers[sentence_a],
                                      evidence.numbers[sentence_b], config)
    pair, sentence_a, sentence_b = pair[keep], sentence_a[keep], sentence_b[keep]
    return ScoredBatch(shared=shared, jaccard=jaccard,
                       bound=_batch_bound(evidence, a, b, pair, sentence_a, sentence_b, grades),
                       offsets=_offsets(pair, len(a)),
                       i=i[keep], j=j[keep], grade=grades, similarity=similarity)


def _sum_by_cell(cells: np.ndarray, space: int, *weights: np.ndarray) -> tuple[np.ndarray, ...]:
    """The distinct cells of these rows (sorted), how many rows each holds, and for each array of `weights` the sum
    of its rows' weights, added in the order the rows come (as the per-pair code's ``np.bincount`` adds them).

    By counting over the whole range of cells where the rows fill a good part of it (short articles: no sort), by
    sorting the rows where they are sparse (long ones: the range is the product of their sentence counts)."""
    if space <= _DENSE_CELLS * len(cells):
        counts = np.bincount(cells, minlength=space)
        distinct = counts.nonzero()[0]
        return (distinct, counts[distinct],
                *(np.bincount(cells, weights=weight, minlength=space)[distinct] for weight in weights))
    distinct, inverse, counts = _group(cells)
    return (distinct, counts, *(np.bincount(inverse, weights=weight, minlength=len(distinct)) for weight in weights))


_DENSE_CELLS = 4
"""Sums by cell count over the whole range of cells when it is at most this many times the rows (see
_sum_by_cell): measured on Reuters (mostly dense) and Helsinki (long live pages, 14 % dense)."""


def _join(keys_a: np.ndarray, keys_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `keys_a` and in `keys_b` of the keys both hold (both sorted, unique).

    One stable sort of the two arrays end to end: numpy's stable sort finds the two sorted runs and merges them, which
    costs less than a binary search of millions of keys."""
    both = np.concatenate([keys_a, keys_b])
    order = both.argsort(kind="stable")
    merged = both[order]
    equal = (merged[1:] == merged[:-1]).nonzero()[0]
    return order[equal], order[equal + 1] - len(keys_a)


def _pair_keys(pair: np.ndarray, values: np.ndarray) -> np.ndarray:
    return (pair.astype(np.uint64) << _32) | values.astype(np.uint64)


_32 = np.array(32, dtype=np.uint64)


def _batch_shingle_share(evidence: EvidenceBatch, layout: _PairLayout,
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per pair the shingles its two articles share and the Jaccard of their shingle sets; and, as
    :func:`_shingle_share` gives them, the cells of sentence pairs sharing shingles (both sentences active) with
    their share.

    Only the shingles that two articles of the batch hold (or an article paired with itself) can be shared by a
    pair: the others (most of them) are left out before the pairs' rows are laid out. A shingle's rank among the
    batch's distinct shingles stands for its 64-bit value in the keys (same order, same equality)."""
    pairs = len(layout.a)
    with_itself = np.zeros(len(evidence), dtype=bool)
    with_itself[layout.a[layout.a == layout.b]] = True
    itself = with_itself[_owners(evidence.shingle_offsets)]
    distinct, rank, counts = _group(evidence.shingles)
    if len(distinct) >= 1 << 32:
        raise ValueError("too many distinct shingles in one evidence batch")
    repeated = ((counts[rank] >= 2) | itself).nonzero()[0]
    repeated_rank = rank[repeated]
    repeated_offsets = repeated.searchsorted(evidence.shingle_offsets)
    rows_a, bounds_a = ragged_positions(repeated_offsets, layout.a)
    rows_b, bounds_b = ragged_positions(repeated_offsets, layout.b)
    pair_a = _owners(bounds_a)
    in_a, in_b = _join(_pair_keys(pair_a, repeated_rank[rows_a]),
                       _pair_keys(_owners(bounds_b), repeated_rank[rows_b]))
    pair = pair_a[in_a]
    shared = np.bincount(pair, minlength=pairs)
    sizes = evidence.shingle_offsets[1:] - evidence.shingle_offsets[:-1]
    union = sizes[layout.a] + sizes[layout.b] - shared
    jaccard = np.divide(shared, union, out=np.zeros(pairs), where=union > 0)
    owner_a = evidence.shingle_owner[repeated[rows_a[in_a]]].astype(np.int64)
    owner_b = evidence.shingle_owner[repeated[rows_b[in_b]]].astype(np.int64)
    keep = evidence.active[layout.first_a[pair] + owner_a] & evidence.active[layout.first_b[pair] + owner_b]
    cells, counts = _sum_by_cell(layout.cell(pair[keep], owner_a[keep], owner_b[keep]), layout.cells)
    pair, i, j = layout.decode(cells)
    return shared, jaccard, cells, counts / np.minimum(evidence.shingle_sizes[layout.first_a[pair] + i],
                                               evidence.shingle_sizes[layout.first_b[pair] + j])


def _batch_same_sentences(evidence: EvidenceBatch, layout: _PairLayout) -> np.ndarray:
    """As :func:`_same_sentences` gives them for each pair: the cells of pairs of active sentences whose words are the
    same. Only a key that two active sentences of the batch hold (or that an article paired with itself holds) can
    pair two sentences; a key's rank among the batch's distinct keys stands for it in the pairs' keys."""
    active = evidence.active.nonzero()[0]
    _, rank, counts = _group(evidence.sentence_keys[active])
    with_itself = np.zeros(len(evidence), dtype=bool)
    with_itself[layout.a[layout.a == layout.b]] = True
    keep = (counts[rank] >= 2) | with_itself[_owners(evidence.sentence_offsets)[active]]
    repeated, rank = active[keep], rank[keep]
    repeated_offsets = repeated.searchsorted(evidence.sentence_offsets)
    rows_a, bounds_a = ragged_positions(repeated_offsets, layout.a)
    rows_b, bounds_b = ragged_positions(repeated_offsets, layout.b)
    pair_a = _owners(bounds_a)
    in_a, in_b = _equal_values(_pair_keys(pair_a, rank[rows_a]), _pair_keys(_owners(bounds_b), rank[rows_b]))
    pair = pair_a[in_a]
    return layout.cell(pair, repeated[rows_a[in_a]] - layout.first_a[pair],
                       repeated[rows_b[in_b]] - layout.first_b[pair])


def _batch_term_cosine(evidence: EvidenceBatch, layout: _PairLayout,
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """As :func:`_term_cosine` gives them for each pair: the cells of sentence pairs sharing followed terms, the
    cosine of their terms under the pair's own idf, how many terms they share and how many of those are numbers.

    The pair's idf weighs every term of both articles per pair (the other article's counts and the pair's sentence
    count enter it); the norms add each sentence's weights in term order, as the per-pair code does."""
    terms_a, term_bounds_a = ragged_positions(evidence.term_offsets, layout.a)
    terms_b, term_bounds_b = ragged_positions(evidence.term_offsets, layout.b)
    term_pair_a, term_pair_b = _owners(term_bounds_a), _owners(term_bounds_b)
    in_a, in_b = _join(_pair_keys(term_pair_a, evidence.term_values[terms_a]),
                       _pair_keys(term_pair_b, evidence.term_values[terms_b]))
    active = np.zeros(len(evidence.active) + 1, dtype=np.int64)
    evidence.active.cumsum(out=active[1:])
    active = active[evidence.sentence_offsets]
    active = active[1:] - active[:-1]  # per article: its active sentences
    sentences = active[layout.a] + active[layout.b]
    count_a, count_b = evidence.term_counts[terms_a[in_a]], evidence.term_counts[terms_b[in_b]]

    def norms(articles: np.ndarray, rows: np.ndarray, terms: np.ndarray, term_pair: np.ndarray,
              term_bounds: np.ndarray, shared: np.ndarray, other_counts: np.ndarray) -> np.ndarray:
        """Per pair, the norm of each sentence of one side."""
        frequency = evidence.term_counts[terms].astype(np.float64)
        frequency[shared] += other_counts
        weight = _idf_weight(sentences[term_pair], frequency)
        entries, entry_bounds = ragged_positions(evidence.entry_offsets, articles)
        lengths = entry_bounds[1:] - entry_bounds[:-1]
        return np.sqrt(np.bincount(rows[:-1].repeat(lengths) + evidence.entry_owner[entries],
                                   weights=weight[term_bounds[:-1].repeat(lengths) + evidence.entry_term[entries]],
                                   minlength=int(rows[-1])))

    norm_a = norms(layout.a, layout.rows_a, terms_a, term_pair_a, term_bounds_a, in_a, count_b)
    norm_b = norms(layout.b, layout.rows_b, terms_b, term_pair_b, term_bounds_b, in_b, count_a)
    pair = term_pair_a[in_a]
    number = evidence.term_values[terms_a[in_a]] >= NUMBER
    followed = _followed(count_a + count_b, number, sentences[pair])
    shared_a, shared_b = terms_a[in_a][followed], terms_b[in_b][followed]
    count_a, count_b, number, pair = count_a[followed], count_b[followed], number[followed], pair[followed]
    weight = _idf_weight(sentences[pair], count_a + count_b)
    # Every (sentence of A, sentence of B) holding a shared term: per term, the product of its two owner lists, in
    # the per-pair code's order (term, then A's sentence, then B's).
    rows, row_bounds = _ranges(evidence.entry_offsets[layout.a[pair]] + evidence.term_starts[shared_a], count_a)
    row_term = _owners(row_bounds)
    row_length = count_b[row_term]
    entries_b, _ = _ranges(evidence.entry_offsets[layout.b[pair]][row_term] + evidence.term_starts[shared_b][row_term],
                           row_length)
    term = row_term.repeat(row_length)
    cells = layout.cell(pair[term], evidence.entry_owner[rows].repeat(row_length), evidence.entry_owner[entries_b])
    cells, shared, sums, numbers = _sum_by_cell(cells, layout.cells, weight[term], number[term])
    pair, i, j = layout.decode(cells)
    denominator = norm_a[layout.rows_a[pair] + i] * norm_b[layout.rows_b[pair] + j]
    return (cells, np.divide(sums, denominator, out=np.zeros(len(cells)), where=denominator > 0), shared,
            numbers.astype(np.int64))


def _batch_bound(evidence: EvidenceBatch, a: np.ndarray, b: np.ndarray, pair: np.ndarray, sentence_a: np.ndarray,
                 sentence_b: np.ndarray, grades: np.ndarray) -> EvidenceBound:
    """:func:`evidence_bound` per pair (article a[k] with b[k]), from its scored sentence pairs (rows in (pair, i, j)
    order, with their grades)."""
    active = evidence.active_words()
    active_a, active_b = active[a], active[b]

    def side(rows: np.ndarray | slice, sentences: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per pair: the words and unquoted words of the distinct sentences of one side among these rows, and their
        count."""
        distinct = _pair_keys(pair[rows], sentences[rows])
        distinct.sort()
        distinct = distinct[first_of_runs(distinct)]  # np.unique, without its overhead
        owner = (distinct >> _32).astype(np.int64)
        sentence = (distinct & np.uint64(0xFFFFFFFF)).astype(np.int64)
        words, quoted = evidence.words[sentence].astype(np.int64), evidence.quoted[sentence]
        return (np.bincount(owner, weights=words, minlength=len(a)),
                np.bincount(owner, weights=words - quoted, minlength=len(a)), np.bincount(owner, minlength=len(a)))

    def share(words: np.ndarray, active: np.ndarray) -> np.ndarray:
        return np.divide(words, active, out=np.zeros(len(words)), where=active > 0)

    everything = slice(None)
    copied = (grades < _PARAPHRASED).nonzero()[0]
    (words_a, free_a, count_a), (words_b, free_b, count_b) = side(everything, sentence_a), side(everything, sentence_b)
    (copied_a, copied_free_a, _), (copied_b, copied_free_b, _) = side(copied, sentence_a), side(copied, sentence_b)
    return EvidenceBound(
        free=np.minimum(free_a, free_b).astype(np.int64), words=np.minimum(words_a, words_b).astype(np.int64),
        sentences=np.minimum(count_a, count_b),
        smaller_share=np.where(active_a <= active_b, share(words_a, active_a), share(words_b, active_b)),
        copied_free=np.minimum(copied_free_a, copied_free_b).astype(np.int64),
        copied_share=np.maximum(share(copied_a, active_a), share(copied_b, active_b)))


# --- the ordered chain -----------------------------------------------------------------------------


class _Link(NamedTuple):
    """A candidate block of the chain: sentences of A, of B, grade index, similarity, weight in words (a named tuple:
    the chain search makes hundreds a pair)."""

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
        if (i, j + 1) not in pairs and (i + 1, j) not in pairs:
            continue  # no run starts here (most pairs)
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
    if len(blocks) <= 1:
        return blocks
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
        tree = self._tree
        position += 1
        while position < len(tree):
            if value > tree[position]:  # max() without the call: the chain search runs this hundreds of times a pair
                tree[position] = value
            position += position & -position

    def query(self, bound: int) -> tuple[float, int]:
        tree = self._tree
        result = self._EMPTY
        while bound > 0:
            if tree[bound] > result:
                result = tree[bound]
            bound -= bound & -bound
        return result
