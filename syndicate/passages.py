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

    def active_words(self) -> int:
        return int(self.words[self.active].sum())


@dataclass(frozen=True, slots=True, eq=False)
class UnitSketch(Sentences):
    """What alignment needs of one article: per sentence its paragraph, words and evidence; no text.

    Sentences of furniture paragraphs stay numbered (``active`` is False) but carry no evidence.
    Build with :meth:`of`, which derives the per-article term index alignment uses on every pair.
    """

    paragraph: np.ndarray
    """int32 per sentence: the paragraph it sits in."""
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
    def of(cls, paragraph: np.ndarray, words: np.ndarray, quoted: np.ndarray, active: np.ndarray,
           shingles: np.ndarray, shingle_owner: np.ndarray, terms: np.ndarray, term_offsets: np.ndarray,
           ) -> UnitSketch:
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
        return cls(paragraph=paragraph, words=words, quoted=quoted, active=active, shingles=shingles,
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


def evidence_bound(a: Sentences, b: Sentences, pairs: ScoredPairs) -> tuple[int, int]:
    """Upper bounds, before any chain is drawn, on the words an alignment of these scored pairs can hold outside
    quoted material, and in all: the units of an alignment never share a sentence on either side."""
    if not pairs:
        return 0, 0
    rows = np.array(list(pairs), dtype=np.int64)
    side_a, side_b = np.unique(rows[:, 0]), np.unique(rows[:, 1])
    words = min(int(a.words[side_a].sum()), int(b.words[side_b].sum()))
    free = min(int((a.words[side_a] - a.quoted[side_a]).sum()), int((b.words[side_b] - b.quoted[side_b]).sum()))
    return free, words


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
    return PassageAlignment(units=tuple(units), words_a=a.active_words(), words_b=b.active_words(),
                            aligned_a=aligned_a, aligned_b=aligned_b, unquoted=unquoted, passages=_passages(chain))


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
    codes, share_all, cos_all, terms_all, numbers_all = _merge_evidence(codes_s, share, codes_t, cosine, shared_terms,
                                                                        shared_numbers)
    if len(codes) == 0:
        return {}
    i, j = codes // width, codes % width
    keep, grades, similarity = _grade(share_all, cos_all, terms_all, numbers_all, a.words[i], b.words[j],
                                      a.numbers[i], b.numbers[j], config)
    return {(x, y): (g, s) for x, y, g, s in zip(i[keep].tolist(), j[keep].tolist(), grades.tolist(),
                                                  similarity.tolist(), strict=True)}


def _merge_evidence(codes_s: np.ndarray, share: np.ndarray, codes_t: np.ndarray, cosine: np.ndarray,
                    shared_terms: np.ndarray, shared_numbers: np.ndarray,
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The sentence pairs found by shingles or by terms (codes, sorted), each with both kinds of evidence (0 where
    one kind found nothing)."""
    codes = _group(np.concatenate([codes_s, codes_t]))[0]
    share_all = np.zeros(len(codes))
    share_all[np.searchsorted(codes, codes_s)] = share
    cos_all = np.zeros(len(codes))
    terms_all = np.zeros(len(codes), dtype=np.int64)
    numbers_all = np.zeros(len(codes), dtype=np.int64)
    where = np.searchsorted(codes, codes_t)
    cos_all[where], terms_all[where], numbers_all[where] = cosine, shared_terms, shared_numbers
    return codes, share_all, cos_all, terms_all, numbers_all


def _grade(share: np.ndarray, cosine: np.ndarray, shared_terms: np.ndarray, shared_numbers: np.ndarray,
           words_i: np.ndarray, words_j: np.ndarray, numbers_i: np.ndarray, numbers_j: np.ndarray,
           config: ScanConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which sentence pairs align (mask), and the grade index and similarity of those that do."""
    fewer = np.minimum(numbers_i, numbers_j)
    same_facts = 3 * shared_numbers >= 2 * fewer  # a reworded sentence keeps its numbers; a template's do not
    verbatim = (share >= config.verbatim) & (np.minimum(words_i, words_j) >= 0.9 * np.maximum(words_i, words_j))
    edited = ~verbatim & ((share >= config.edited) | ((cosine >= config.edited_terms) & same_facts))
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

    The two articles' active sentences are the corpus: a term in most of them (the story's protagonists)
    weighs little; one that each article uses in a single sentence weighs most. A term in more than
    ``COMMON_TERM`` of the sentences still weighs in every norm, but is not followed into sentence pairs: its
    weight is small, and the pairs it alone would make are thousands. Numbers are always followed: they are the
    facts two sentences must share to be one reworded.
    """
    shared_a, shared_b = shared_positions(a.term_values, b.term_values)
    if len(shared_a) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, np.empty(0), empty, empty
    sentences = int(a.active.sum()) + int(b.active.sum())
    scale = _idf_scale(sentences)

    def norms(side: UnitSketch, shared: np.ndarray, other_counts: np.ndarray) -> np.ndarray:
        frequency = side.term_counts.astype(np.float64)
        frequency[shared] += other_counts
        weight = _idf_weight(scale, frequency)
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
    weight = _idf_weight(scale, count_a + count_b)
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


def _idf_scale(sentences: int | np.ndarray) -> np.ndarray:
    """log(N + 1) for a pair whose two articles have N active sentences between them."""
    return np.log(sentences + 1)


def _idf_weight(scale: np.ndarray, frequency: np.ndarray) -> np.ndarray:
    """A term's squared idf weight, from the pair's scale and how many of its sentences hold the term."""
    return (scale - np.log(frequency)) ** 2


def _followed(frequency: np.ndarray, number: np.ndarray, sentences: int | np.ndarray) -> np.ndarray:
    """Shared terms followed into sentence pairs: those in at most COMMON_TERM of the pair's sentences (or two),
    and every number."""
    return (frequency <= np.maximum(2, COMMON_TERM * sentences)) | number


# --- many candidate pairs at once ------------------------------------------------------------------


def ragged_positions(offsets: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows ``offsets[k]:offsets[k + 1]`` of every k in `items`, end to end, and where each item's rows start
    there (``len(items) + 1`` bounds)."""
    starts = offsets[items]
    lengths = offsets[items + 1] - starts
    bounds = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return np.arange(bounds[-1], dtype=np.int64) + np.repeat(starts - bounds[:-1], lengths), bounds


def _owners(bounds: np.ndarray) -> np.ndarray:
    """Per row of ragged rows with these bounds: the item it belongs to."""
    return np.repeat(np.arange(len(bounds) - 1, dtype=np.int64), np.diff(bounds))


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
           shingle_offsets: np.ndarray, shingles: np.ndarray, shingle_owner: np.ndarray, term_offsets: np.ndarray,
           terms: np.ndarray) -> EvidenceBatch:
        """From per-sentence arrays of many articles (numbered across them; `term_offsets` per sentence), each
        article's shingles distinct and sorted with their first sentence (counted within the article).

        :meth:`UnitSketch.of` for every article in a few whole-batch passes: entries sorted by (article, term)
        with a stable sort keep each term's sentences in order."""
        articles = len(sentence_offsets) - 1
        sentence_article = _owners(sentence_offsets)
        entry_sentence = _owners(term_offsets)
        keep = active[entry_sentence]
        entry_sentence = entry_sentence[keep]
        values = terms[keep]
        key = (sentence_article[entry_sentence].astype(np.uint64) << np.uint64(32)) | values
        order = np.argsort(key, kind="stable")
        key, values, entry_sentence = key[order], values[order], entry_sentence[order]
        entry_article = sentence_article[entry_sentence]
        new = np.empty(len(key), dtype=bool)
        new[:1] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        firsts = np.flatnonzero(new)
        entry_offsets = _offsets(entry_article, articles)
        term_offsets_out = _offsets(entry_article[firsts], articles)
        term_article = entry_article[firsts]
        shingle_sentence = sentence_offsets[_owners(shingle_offsets)] + shingle_owner
        return cls(
            sentence_offsets=sentence_offsets, words=words, quoted=quoted, active=active,
            numbers=np.bincount(entry_sentence, weights=values >= NUMBER, minlength=len(words)).astype(np.int64),
            shingle_sizes=np.bincount(shingle_sentence[active[shingle_sentence]], minlength=len(words)),
            shingle_offsets=shingle_offsets, shingles=shingles, shingle_owner=shingle_owner,
            term_offsets=term_offsets_out, term_values=values[firsts],
            term_counts=np.diff(firsts, append=len(key)), term_starts=firsts - entry_offsets[term_article],
            entry_offsets=entry_offsets, entry_owner=entry_sentence - sentence_offsets[entry_article],
            entry_term=np.cumsum(new) - 1 - term_offsets_out[entry_article])

    def __len__(self) -> int:
        return len(self.sentence_offsets) - 1

    def sentences(self, article: int) -> Sentences:
        first, last = self.sentence_offsets[article : article + 2].tolist()
        return Sentences(words=self.words[first:last], quoted=self.quoted[first:last], active=self.active[first:last])


def _offsets(owner: np.ndarray, count: int) -> np.ndarray:
    """Offsets of `count` consecutive groups, from the (sorted) group of each row."""
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=count), out=offsets[1:])
    return offsets


@dataclass(frozen=True, slots=True, eq=False)
class ScoredBatch:
    """For each candidate pair of a batch: its Jaccard, its :func:`evidence_bound` and its scored sentence pairs."""

    jaccard: np.ndarray
    free: np.ndarray
    words: np.ndarray
    """evidence_bound's two values, per pair."""
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
    """How a batch's candidate pairs number their sentence pairs: pair k's sentence pair (i, j) has the code
    ``base[k] + i * width[k] + j``, so codes sort by (pair, i, j) and never collide across pairs."""

    a: np.ndarray
    b: np.ndarray
    """Per pair: its two articles."""
    first_a: np.ndarray
    first_b: np.ndarray
    """Per pair: the batch's index of each article's first sentence."""
    width: np.ndarray
    base: np.ndarray

    @classmethod
    def of(cls, evidence: EvidenceBatch, a: np.ndarray, b: np.ndarray) -> _PairLayout:
        sentences = np.diff(evidence.sentence_offsets)
        width = np.maximum(sentences[b], 1)
        base = np.zeros(len(a) + 1, dtype=np.int64)
        np.cumsum(sentences[a] * width, out=base[1:])
        return cls(a=a, b=b, first_a=evidence.sentence_offsets[a], first_b=evidence.sentence_offsets[b], width=width,
                   base=base)

    def code(self, pair: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        return self.base[pair] + i * self.width[pair] + j

    def decode(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pair, i, j) of each code."""
        pair = np.searchsorted(self.base, codes, side="right") - 1
        local = codes - self.base[pair]
        return pair, local // self.width[pair], local % self.width[pair]


def score_batch(evidence: EvidenceBatch, a: np.ndarray, b: np.ndarray, config: ScanConfig) -> ScoredBatch:
    """For each candidate pair (article a[k], article b[k]) of the batch: what verify needs before drawing a chain,
    each equal to its per-pair definition: the whole-article shingle Jaccard, :func:`score_pairs` and
    :func:`evidence_bound`.

    Whole-batch numpy passes, no loop per pair: every pair's rows (shingles, terms, term entries) are laid end to
    end in pair order, keyed by ``pair << 32 | value``, so that one sorted search joins the two sides of every pair
    at once, and ``np.bincount`` over (pair, sentence) segments sums what the per-pair code sums per sentence,
    in the same order (the similarities come out bit for bit the same).
    """
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    layout = _PairLayout.of(evidence, a, b)
    jaccard, codes_s, share = _batch_shingle_share(evidence, layout)
    codes_t, cosine, shared_terms, shared_numbers = _batch_term_cosine(evidence, layout)
    codes, share_all, cos_all, terms_all, numbers_all = _merge_evidence(codes_s, share, codes_t, cosine, shared_terms,
                                                                        shared_numbers)
    pair, i, j = layout.decode(codes)
    sentence_a, sentence_b = layout.first_a[pair] + i, layout.first_b[pair] + j
    keep, grades, similarity = _grade(share_all, cos_all, terms_all, numbers_all, evidence.words[sentence_a],
                                      evidence.words[sentence_b], evidence.numbers[sentence_a],
                                      evidence.numbers[sentence_b], config)
    pair, sentence_a, sentence_b = pair[keep], sentence_a[keep], sentence_b[keep]
    free, words = _batch_bound(evidence, len(a), pair, sentence_a, sentence_b)
    return ScoredBatch(jaccard=jaccard, free=free, words=words, offsets=_offsets(pair, len(a)), i=i[keep], j=j[keep],
                       grade=grades, similarity=similarity)


def _join(keys_a: np.ndarray, keys_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `keys_a` and in `keys_b` of the keys both hold (both sorted, unique)."""
    if len(keys_a) == 0 or len(keys_b) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    positions = np.searchsorted(keys_b, keys_a)
    positions[positions == len(keys_b)] = 0
    found = keys_b[positions] == keys_a
    return np.flatnonzero(found), positions[found]


def _pair_keys(pair: np.ndarray, values: np.ndarray) -> np.ndarray:
    return (pair.astype(np.uint64) << np.uint64(32)) | values.astype(np.uint64)


def _batch_shingle_share(evidence: EvidenceBatch, layout: _PairLayout,
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair the Jaccard of the two articles' shingle sets; and, as in :func:`_shingle_share`, the sentence pairs
    sharing shingles (codes) with their share.

    Only the shingles that two articles of the batch hold (or an article paired with itself) can be shared by a
    pair: the others (most of them) are left out before the pairs' rows are laid out. A shingle's rank among the
    batch's distinct shingles stands for its 64-bit value in the keys (same order, same equality)."""
    pairs = len(layout.a)
    distinct, rank, counts = np.unique(evidence.shingles, return_inverse=True, return_counts=True)
    if len(distinct) >= 1 << 32:
        raise ValueError("too many distinct shingles in one evidence batch")
    with_itself = np.zeros(len(evidence), dtype=bool)
    with_itself[layout.a[layout.a == layout.b]] = True
    repeated = np.flatnonzero((counts[rank] >= 2) | with_itself[_owners(evidence.shingle_offsets)])
    repeated_offsets = np.searchsorted(repeated, evidence.shingle_offsets)
    rows_a, bounds_a = ragged_positions(repeated_offsets, layout.a)
    rows_b, bounds_b = ragged_positions(repeated_offsets, layout.b)
    pair_a = _owners(bounds_a)
    in_a, in_b = _join(_pair_keys(pair_a, rank[repeated[rows_a]]),
                       _pair_keys(_owners(bounds_b), rank[repeated[rows_b]]))
    pair = pair_a[in_a]
    shared = np.bincount(pair, minlength=pairs)
    sizes = np.diff(evidence.shingle_offsets)
    union = sizes[layout.a] + sizes[layout.b] - shared
    jaccard = np.divide(shared, union, out=np.zeros(pairs), where=union > 0)
    owner_a = evidence.shingle_owner[repeated[rows_a[in_a]]].astype(np.int64)
    owner_b = evidence.shingle_owner[repeated[rows_b[in_b]]].astype(np.int64)
    sentence_a, sentence_b = layout.first_a[pair] + owner_a, layout.first_b[pair] + owner_b
    keep = evidence.active[sentence_a] & evidence.active[sentence_b]
    codes, _, counts = _group(layout.code(pair[keep], owner_a[keep], owner_b[keep]))
    pair, i, j = layout.decode(codes)
    share = counts / np.minimum(evidence.shingle_sizes[layout.first_a[pair] + i],
                                evidence.shingle_sizes[layout.first_b[pair] + j])
    return jaccard, codes, share


def _batch_term_cosine(evidence: EvidenceBatch, layout: _PairLayout,
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_term_cosine` for every pair: sentence pairs sharing followed terms (codes), their cosine under the
    pair's own idf, how many terms they share and how many of those are numbers.

    The idf weights depend on the pair (the other article's counts, the pair's sentence count), so every term of
    both articles is weighed per pair; the norms sum each sentence's weights in term order, as the per-pair code
    does."""
    empty = np.empty(0, dtype=np.int64)
    terms_a, term_bounds_a = ragged_positions(evidence.term_offsets, layout.a)
    terms_b, term_bounds_b = ragged_positions(evidence.term_offsets, layout.b)
    term_pair_a, term_pair_b = _owners(term_bounds_a), _owners(term_bounds_b)
    in_a, in_b = _join(_pair_keys(term_pair_a, evidence.term_values[terms_a]),
                       _pair_keys(term_pair_b, evidence.term_values[terms_b]))
    if len(in_a) == 0:
        return empty, np.empty(0), empty, empty
    active = np.zeros(len(evidence.active) + 1, dtype=np.int64)
    np.cumsum(evidence.active, out=active[1:])
    active = np.diff(active[evidence.sentence_offsets])  # per article: its active sentences
    sentences = active[layout.a] + active[layout.b]
    scale = _idf_scale(sentences)
    count_a, count_b = evidence.term_counts[terms_a[in_a]], evidence.term_counts[terms_b[in_b]]

    def norms(articles: np.ndarray, terms: np.ndarray, term_pair: np.ndarray, term_bounds: np.ndarray,
              shared: np.ndarray, other_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per pair, the norm of each sentence of one side (numbered from the pair's bound)."""
        frequency = evidence.term_counts[terms].astype(np.float64)
        frequency[shared] += other_counts
        weight = _idf_weight(scale[term_pair], frequency)
        entries, entry_bounds = ragged_positions(evidence.entry_offsets, articles)
        entry_pair = _owners(entry_bounds)
        sentence_bounds = np.zeros(len(articles) + 1, dtype=np.int64)
        np.cumsum(np.diff(evidence.sentence_offsets)[articles], out=sentence_bounds[1:])
        sums = np.bincount(sentence_bounds[entry_pair] + evidence.entry_owner[entries],
                           weights=weight[term_bounds[entry_pair] + evidence.entry_term[entries]],
                           minlength=int(sentence_bounds[-1]))
        return np.sqrt(sums), sentence_bounds

    norm_a, sentence_bounds_a = norms(layout.a, terms_a, term_pair_a, term_bounds_a, in_a, count_b)
    norm_b, sentence_bounds_b = norms(layout.b, terms_b, term_pair_b, term_bounds_b, in_b, count_a)
    pair = term_pair_a[in_a]
    number = evidence.term_values[terms_a[in_a]] >= NUMBER
    followed = _followed(count_a + count_b, number, sentences[pair])
    shared_a, shared_b = terms_a[in_a][followed], terms_b[in_b][followed]
    count_a, count_b, number, pair = count_a[followed], count_b[followed], number[followed], pair[followed]
    if len(pair) == 0:
        return empty, np.empty(0), empty, empty
    weight = _idf_weight(scale[pair], count_a + count_b)
    # Every (sentence of A, sentence of B) holding a shared term: per term, the product of its two owner lists.
    products = count_a * count_b
    term = np.repeat(np.arange(len(pair)), products)
    rank = np.arange(len(term)) - np.repeat(np.cumsum(products) - products, products)
    start_a = evidence.entry_offsets[layout.a[pair]] + evidence.term_starts[shared_a]
    start_b = evidence.entry_offsets[layout.b[pair]] + evidence.term_starts[shared_b]
    owner_a = evidence.entry_owner[start_a[term] + rank // count_b[term]]
    owner_b = evidence.entry_owner[start_b[term] + rank % count_b[term]]
    term_pair = pair[term]
    codes, inverse, counts = _group(layout.code(term_pair, owner_a, owner_b))
    sums = np.bincount(inverse, weights=weight[term], minlength=len(codes))
    numbers = np.bincount(inverse, weights=number[term], minlength=len(codes)).astype(np.int64)
    code_pair, i, j = layout.decode(codes)
    denominator = norm_a[sentence_bounds_a[code_pair] + i] * norm_b[sentence_bounds_b[code_pair] + j]
    return codes, np.divide(sums, denominator, out=np.zeros(len(codes)), where=denominator > 0), counts, numbers


def _batch_bound(evidence: EvidenceBatch, pairs: int, pair: np.ndarray, sentence_a: np.ndarray,
                 sentence_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`evidence_bound` per pair, from its scored sentence pairs (rows in (pair, i, j) order): the words, and
    the unquoted words, of the distinct sentences on each side, the smaller side's."""
    totals = []
    for sentence in (sentence_a, sentence_b):
        distinct = np.unique(_pair_keys(pair, sentence))
        owner = (distinct >> np.uint64(32)).astype(np.int64)
        sentence = (distinct & np.uint64(0xFFFFFFFF)).astype(np.int64)
        words = evidence.words[sentence].astype(np.int64)
        totals.append((np.bincount(owner, weights=words, minlength=pairs),
                       np.bincount(owner, weights=words - evidence.quoted[sentence], minlength=pairs)))
    (words_a, free_a), (words_b, free_b) = totals
    return np.minimum(free_a, free_b).astype(np.int64), np.minimum(words_a, words_b).astype(np.int64)


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
