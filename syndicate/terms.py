"""Content words: what a paraphrase keeps when it changes the wording around them.

A rewrite swaps function words, reorders clauses and changes tense or number ("talks were held"
for "held talks"), so it shares few 5-grams with its source while keeping the names, numbers and
content words. Stop words are dropped and a light suffix stripper folds inflections ("talks",
"talked", "talking" → "talk"); the result is hashed to 32 bits per term.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import xxhash

from .sorting import distinct, distinct_counts, first_of_runs

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren't as at be because been before being below
between both but by can can't could couldn't did didn't do does doesn't doing don't down during each few for
from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my
myself no nor not of off on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves then there there's
these they they'd they'll they're they've this those through to too under until up very was wasn't we we'd we'll
we're we've were weren't what what's when when's where where's which while who who's whom why why's with won't
would wouldn't you you'd you'll you're you've your yours yourself yourselves said says say saying told tells
according also just would will may might could must shall mr mrs ms
""".split())  # noqa: SIM905 (a word list reads better as text)
"""English function words, and the reporting verbs every news sentence carries ("said", "told")."""

_SUFFIXES = ("ings", "ing", "ies", "ied", "es", "ed", "ly", "s")


def stem(word: str) -> str:
    """A light suffix stripper: inflections fold together, the stem stays recognisable."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 4 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                return base + "y"
            if suffix == "s" and base.endswith(("s", "u", "i")):
                return word  # "press", "status", "analysis"
            if suffix in ("ed", "ing", "ings") and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # "stopped" → "stop"
            return base.rstrip("e") if suffix in ("es",) else base
    return word.rstrip("e") if len(word) > 4 and word.endswith("e") else word


_KNOWN: dict[str, int] = {}
_KNOWN_LIMIT = 1 << 20


NUMBER = 1 << 31
"""The top bit of a term marks a number of two digits or more: the facts a paraphrase must keep (see
syndicate.passages). Single digits are left out: fractions ("8-3/4 pct") and small counts share them by chance."""


def term_hash(word: str) -> int:
    """The 31-bit hash of the word's stem, with NUMBER set for a number (two digits or more); never 0 (0 marks
    "no term" in batch arrays). Remembered: news vocabularies repeat from batch to batch (a million words at most,
    then forgotten and learnt again)."""
    found = _KNOWN.get(word)
    if found is None:
        if len(_KNOWN) >= _KNOWN_LIMIT:
            _KNOWN.clear()
        number = NUMBER if len(word) > 1 and word.isdigit() else 0
        found = _KNOWN[word] = ((xxhash.xxh32_intdigest(stem(word).encode()) & (NUMBER - 1)) | number) or 1
    return found


def token_terms(tokens: Iterable[bytes]) -> list[int]:
    """Per UTF-8 word: its term_hash if it is a content word, else 0."""
    return [term_hash(word) if is_content(word) else 0 for word in map(bytes.decode, tokens)]


def is_content(word: str) -> bool:
    """Not a stop word, nor a single letter."""
    return word not in STOPWORDS and not (len(word) == 1 and word.isalpha())


def content_terms(words: Iterable[str]) -> list[int]:
    """The 32-bit hashes of the content words among `words` (stop words out, inflections folded)."""
    return [term_hash(word) for word in words if is_content(word)]


def sorted_terms(words: Iterable[str]) -> np.ndarray:
    """content_terms as a sorted array of distinct uint32 values."""
    return distinct(np.array(content_terms(words), dtype=np.uint32))


def held_terms(terms: np.ndarray) -> np.ndarray:
    """The distinct content terms among an article's `terms` that the template vocabulary counts (numbers never do),
    sorted, as int64: what the persistent index counts per article."""
    terms = np.asarray(terms, dtype=np.uint32)
    return distinct(terms[_words(terms)]).astype(np.int64)


def template_terms(articles: int, terms: np.ndarray, holders: np.ndarray, share: float, least: int) -> np.ndarray:
    """The content terms (numbers never) that `holders` articles of `articles` hold, at or above `share` of the
    archive and `least` articles: the vocabulary of its templates, sorted (see ScanConfig.template_term_share)."""
    limit = max(least, share * articles)
    return np.sort(terms[(holders >= limit) & _words(terms)].astype(np.uint32))


def _words(terms: np.ndarray) -> np.ndarray:
    """Which terms are words, not numbers (NUMBER bit clear): only words can be template vocabulary."""
    return (terms & np.uint32(NUMBER)) == 0


def term_holders(parts: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct term and how many articles hold it, from parts of (sentence offsets per article, term offsets
    per sentence, terms, number of the part's first article): each article counts once per term. By sorts, not
    np.unique: numpy's hashed unique takes seconds on the millions of (article, term) codes of a large archive."""
    codes = []
    for sentence_offsets, term_offsets, terms, first in parts:
        sentence_article = np.repeat(np.arange(len(sentence_offsets) - 1, dtype=np.uint64) + np.uint64(first),
                                     np.diff(sentence_offsets))
        part = np.repeat(sentence_article, np.diff(term_offsets)) << np.uint64(32) | terms.astype(np.uint64)
        part.sort()
        codes.append(part[first_of_runs(part)])
    held = (np.concatenate(codes) & np.uint64(0xFFFFFFFF)).astype(np.uint32) if codes else np.empty(0, np.uint32)
    held.sort()
    starts = np.flatnonzero(first_of_runs(held))
    return held[starts], np.diff(np.r_[starts, len(held)]).astype(np.int64)


def summed_holders(parts: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Term counts of disjoint sets of articles (each from :func:`term_holders`), summed per term: the counts of
    all the articles together."""
    parts = list(parts)
    if not parts:
        return np.empty(0, dtype=np.uint32), np.empty(0, dtype=np.int64)
    terms = np.concatenate([part_terms for part_terms, _ in parts])
    counts = np.concatenate([part_counts for _, part_counts in parts])
    order = np.argsort(terms, kind="stable")
    terms, counts = terms[order], counts[order]
    starts = np.flatnonzero(first_of_runs(terms))
    return terms[starts], np.add.reduceat(counts, starts) if len(starts) else counts[:0]


def without_terms(term_offsets: np.ndarray, terms: np.ndarray, dropped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-sentence terms (``terms[term_offsets[s]:term_offsets[s + 1]]``) with the sorted `dropped` left out."""
    if not len(dropped):
        return term_offsets, terms
    gone = np.flatnonzero(members(terms, dropped))
    offsets = term_offsets - np.searchsorted(gone, term_offsets).astype(term_offsets.dtype)
    return offsets, np.delete(terms, gone)


def members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which `values` are in `sorted_set` (unsigned integers; the set sorted, unique and small beside the values),
    as a mask.

    ``np.isin`` sorts the values (about 1 s for a 100k-article archive's 20M terms). Here a table indexed by the
    low bits of a value names the one set element with those bits, so two gathers and a compare decide; only values
    whose low bits several set elements share are looked up by binary search."""
    found = np.zeros(len(values), dtype=bool)
    if not len(sorted_set) or not len(values):
        return found
    bits = min(22, max(16, (len(sorted_set) * 16).bit_length()))
    low = (1 << bits) - 1
    slot = np.zeros(1 << bits, dtype=np.int32)  # 0: no element, k + 1: sorted_set[k], -1: several
    lows = sorted_set & low
    slot[lows] = np.arange(1, len(sorted_set) + 1, dtype=np.int32)
    shared, counts = distinct_counts(lows)
    slot[shared[counts > 1]] = -1
    named = slot[values & low]
    found[:] = (named > 0) & (sorted_set[np.maximum(named - 1, 0)] == values)
    several = np.flatnonzero(named < 0)
    if len(several):
        at = np.minimum(np.searchsorted(sorted_set, values[several]), len(sorted_set) - 1)
        found[several] = sorted_set[at] == values[several]
    return found
