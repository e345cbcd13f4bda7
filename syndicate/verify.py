"""The link decision: what the aligned passages of a candidate pair must show, and the kind of reuse they show.

LSH only proposes; this stage aligns the two articles sentence by sentence
(:mod:`syndicate.passages`) and decides on what the alignment shows, in words:

* no link rests on less than ``min_evidence_words`` of aligned text outside quoted material
  (quotations, embedded posts, transcripts, photo captions: see :mod:`syndicate.units`), and units
  whose smaller side is shorter than ``min_unit_words`` (a headline fragment, "Share") never
  count towards it. Two reports that share only quotes are ``quotes``: shown on request, not a link;
* **copy**: at least ``copy_threshold`` of one article lies in verbatim or edited units (the
  other may add as much of its own as it likes: a copy with a long extra section, a teaser);
* **rewrite**: the source's order, paraphrased: at least ``rewrite_min_chain`` units in the same
  order in both, holding ``rewrite_min_coverage`` of the smaller article and ``rewrite_min_order`` of
  its sentences that align in any order (a shuffle keeps few of them in order), a third of them or
  more paraphrased;
* **excerpt**: a part of the source, verbatim or edited, inside a text that adds its own: at
  least ``excerpt_threshold`` of one article, with ``excerpt_min_words`` outside quoted material in
  units that keep their order (a sentence or two that two reports happen to share, scattered, is not
  an excerpt);
* an ordered chain that meets the rewrite rule without much paraphrase is a rewrite too (an
  edited write-thru).

Independent reports of one event share names, a quote or two, even a background sentence, but
not a run of aligned sentences outside their quotes. Two articles whose whole text is nearly the
same (``near_identical``, furniture and quotes included) are copies whatever the rules above say:
identical re-sends whose every line is a template are still re-sends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .config import ScanConfig
from .passages import (
    GRADES,
    EvidenceBatch,
    EvidenceBound,
    PassageAlignment,
    ScoredPairs,
    Sentences,
    UnitSketch,
    align_scored,
    evidence_bound,
    score_batch,
    score_pairs,
    shared_positions,
)
from .pickling import pickled_as_tuples

KINDS = ("copy", "excerpt", "rewrite")
"""Kinds of link. "quotes" (shares quoted material only) is reported apart and links nothing."""
QUOTES = "quotes"


@pickled_as_tuples  # a scan's verify workers send back every link
@dataclass(frozen=True, slots=True)
class Link:
    """Two articles and what their alignment shows. Shares are of each article's words (furniture left out)."""

    a: str
    b: str
    kind: str
    a_in_b: float
    """Share of a's words inside units aligned with b."""
    b_in_a: float
    verbatim: float
    edited: float
    paraphrased: float
    """Shares of a's words in units of each grade (they sum to a_in_b)."""
    unquoted_words: int
    """Aligned words outside quoted material (the smaller side of each unit)."""
    passages: int
    """Runs of the ordered chain of units."""
    jaccard: float
    """Jaccard of the two articles' whole shingle sets."""

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "kind": self.kind, "a_in_b": round(self.a_in_b, 4),
                "b_in_a": round(self.b_in_a, 4),
                "grades": {grade: round(getattr(self, grade), 4) for grade in GRADES},
                "unquoted_words": self.unquoted_words, "passages": self.passages, "jaccard": round(self.jaccard, 4)}

    def share_of(self, article: str) -> float:
        """Share of `article` (a or b) inside the other."""
        return self.a_in_b if article == self.a else self.b_in_a


def verify(id_a: str, a: UnitSketch, id_b: str, b: UnitSketch, config: ScanConfig) -> Link | None:
    """The link between two articles if their alignment shows reuse (kind "quotes" if it shows only shared quoted
    material and ``config.quotes`` asks for those), else None.

    Before any chain is drawn, what an alignment of the scored sentence pairs could hold is bounded
    (:func:`~syndicate.passages.evidence_bound`): a pair whose bound meets none of the rules links nothing
    (:func:`worth_aligning`), and most candidates end there.
    """
    shared = len(shared_positions(a.shingles, b.shingles)[0])
    union = len(a.shingles) + len(b.shingles) - shared
    jaccard = shared / union if union else 0.0
    pairs = score_pairs(a, b, config)
    if not worth_aligning(jaccard, evidence_bound(a, b, pairs), config):
        return None
    return _link(id_a, a, id_b, b, pairs, (shared, len(a.shingles), len(b.shingles)), jaccard, config)


def verify_batch(ids: Sequence[str], evidence: EvidenceBatch, a: np.ndarray, b: np.ndarray,
                 config: ScanConfig) -> list[Link | None]:
    """:func:`verify` for many candidate pairs at once: pair k is articles a[k] and b[k] of `evidence` (numbered
    within it), named ``ids[a[k]]`` and ``ids[b[k]]``; the result is per pair, in order.

    The Jaccard, the scored sentence pairs and the bound of every pair come from whole-batch passes
    (:func:`~syndicate.passages.score_batch`); only the pairs worth aligning are aligned one by one. Any share of
    the pairs may be verified apart (a worker's): a pair's result depends on its two articles only."""
    scores = score_batch(evidence, a, b, config)
    sizes = (evidence.shingle_offsets[1:] - evidence.shingle_offsets[:-1]).tolist()
    found: list[Link | None] = [None] * len(a)
    for k in np.asarray(worth_aligning(scores.jaccard, scores.bound, config)).nonzero()[0].tolist():
        x, y = int(a[k]), int(b[k])
        found[k] = _link(ids[x], evidence.sentences(x), ids[y], evidence.sentences(y), scores.pairs(k),
                         (int(scores.shared[k]), sizes[x], sizes[y]), float(scores.jaccard[k]), config)
    return found


def worth_aligning(jaccard: float | np.ndarray, bound: EvidenceBound, config: ScanConfig) -> bool | np.ndarray:
    """Whether a pair can link (or share quotes, when ``config.quotes`` asks for those), from its Jaccard and the
    bound on what its alignment can hold (:func:`~syndicate.passages.evidence_bound`): :func:`classify`'s rules,
    each asked of the bound instead of the alignment. Near-identical pairs always can; a copy needs
    ``copy_threshold`` of one article in verbatim or edited units, an excerpt ``excerpt_threshold`` and
    ``excerpt_min_words`` of them, a rewrite ``rewrite_min_chain`` units, ``rewrite_min_words`` and
    ``rewrite_min_coverage`` of the smaller article; each ``min_evidence_words`` outside quotes. Scalars or arrays
    of pairs (then with ``&`` and ``|``, which numpy and Python's bools both take)."""
    evidence = bound.free >= config.min_evidence_words
    copied = bound.copied_free >= config.min_evidence_words
    copy = copied & (bound.copied_share >= config.copy_threshold)
    excerpt = (bound.copied_free >= config.excerpt_min_words) & (bound.copied_share >= config.excerpt_threshold)
    rewrite = ((bound.sentences >= config.rewrite_min_chain) & (bound.free >= config.rewrite_min_words)
               & (bound.smaller_share >= config.rewrite_min_coverage))
    return ((jaccard >= config.near_identical) | (evidence & (copy | excerpt | rewrite))
            | (config.quotes & (bound.words >= config.min_evidence_words)))


def never_links(shingles: np.ndarray, words: np.ndarray, config: ScanConfig) -> np.ndarray:
    """Per article (its distinct shingles, its words): whether no pair it is in can pass :func:`worth_aligning`.
    Without a shingle its Jaccard with any article is 0 (below ``near_identical``, which ScanConfig keeps above 0),
    and a pair's evidence bound is at most its words: with fewer than ``min_evidence_words`` of them, it links with
    nothing and shares quotes with nothing. (A one-line caption or a dateline alone; they would otherwise all meet
    in one bucket, the empty set's.)"""
    return (shingles == 0) & (words < config.min_evidence_words)


def _link(id_a: str, a: Sentences, id_b: str, b: Sentences, pairs: ScoredPairs, shingles: tuple[int, int, int],
          jaccard: float, config: ScanConfig) -> Link | None:
    """The link the alignment of the scored pairs shows, if any. `shingles`: how many distinct shingles the two
    articles share, and how many each holds (furniture included)."""
    alignment = align_scored(a, b, pairs, config)
    if jaccard >= config.near_identical:
        # Re-sends: whole texts compared, furniture and quotes included (a template's every line is furniture).
        shared, size_a, size_b = shingles
        a_in_b, b_in_a = shared / size_a, shared / size_b
        return Link(a=id_a, b=id_b, kind="copy", a_in_b=a_in_b, b_in_a=b_in_a, verbatim=a_in_b, edited=0.0,
                    paraphrased=0.0, unquoted_words=alignment.unquoted, passages=max(1, alignment.passages),
                    jaccard=jaccard)
    kind = classify(alignment, config)
    if kind is None or (kind == QUOTES and not config.quotes):
        return None
    share = {grade: alignment.aligned_a[grade] / alignment.words_a if alignment.words_a else 0.0 for grade in GRADES}
    return Link(a=id_a, b=id_b, kind=kind, a_in_b=alignment.a_in_b, b_in_a=alignment.b_in_a, **share,
                unquoted_words=alignment.unquoted, passages=alignment.passages, jaccard=jaccard)


def classify(alignment: PassageAlignment, config: ScanConfig) -> str | None:
    """'copy', 'excerpt', 'rewrite', 'quotes' or None, by the rules of this module's docstring (near-identical
    articles are decided before, in :func:`verify`)."""
    evidence = [unit for unit in alignment.units if unit.evidence >= config.min_unit_words]
    unquoted = sum(unit.unquoted for unit in evidence)
    if unquoted < config.min_evidence_words:
        aligned = sum(unit.evidence for unit in evidence)
        return QUOTES if aligned >= config.min_evidence_words else None
    copied = [unit for unit in evidence if unit.grade != "paraphrased"]
    copied_unquoted = sum(unit.unquoted for unit in copied)
    copied_share = max(alignment.copied_share())
    if copied_share >= config.copy_threshold and copied_unquoted >= config.min_evidence_words:
        return "copy"
    chain = [unit for unit in evidence if not unit.moved]
    smaller = alignment.a_in_b if alignment.words_a <= alignment.words_b else alignment.b_in_a
    ordered = (len(chain) >= config.rewrite_min_chain and smaller >= config.rewrite_min_coverage
               and unquoted >= config.rewrite_min_words and alignment.ordered_share() >= config.rewrite_min_order)
    paraphrased = alignment.aligned_a["paraphrased"] + alignment.aligned_b["paraphrased"]
    aligned_words = sum(alignment.aligned_a.values()) + sum(alignment.aligned_b.values())
    if ordered and 3 * paraphrased >= aligned_words:
        return "rewrite"
    in_order = sum(unit.unquoted for unit in copied if not unit.moved)
    if copied_share >= config.excerpt_threshold and in_order >= config.excerpt_min_words:
        return "excerpt"
    return "rewrite" if ordered else None
