"""Every knob of detection in one frozen object, with the values it derives (LSH bands and rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .lsh import optimal_banding


@dataclass(frozen=True)
class ScanConfig:
    """Detection settings. Defaults were chosen on the seeds and the Helsinki archive (see README)."""

    ngram: int = 5
    """Words per shingle. Five keeps shared stock phrases ("the white house said") from looking like reuse."""
    num_perm: int = 128
    seed: int = 1
    paragraph_threshold: float = 0.2
    """Paragraph Jaccard the LSH is tuned to catch; candidates are verified exactly, so it leans to recall.
    0.2 (64 bands x 2 rows) proposes 99.2% of the Reuters-21578 pairs the exact copy rule accepts; 0.3 (32 x 2)
    only 97.8%, missing short articles whose text sits inside longer paragraphs (benchmarks/RESULTS-quality.md)."""
    lsh_false_negative_weight: float = 0.9
    # --- aligned passages (syndicate.passages): when two sentences align, and how well --------------------
    verbatim: float = 0.9
    """A verbatim unit: this share of the smaller sentence's shingles is in the other (and lengths within 10 %)."""
    edited: float = 0.5
    """An edited unit: this share of its shingles (a respelt name in a 25-word sentence leaves about 70 %)…"""
    edited_terms: float = 0.8
    """…or this cosine of content terms (an edit that breaks most shingles but keeps the words)."""
    paraphrased: float = 0.5
    """A paraphrased unit: this cosine of content terms, under an idf over the two articles' own sentences."""
    min_shared_terms: int = 3
    """A paraphrased unit also shares at least this many content terms, and a unit edited by its terms this many
    words (numbers apart: two earnings lines sharing a year and a figure are not an edit of each other)."""
    weak_paraphrased: float = 0.25
    """A looser paraphrase (this cosine, two shared terms) counts only between two firmer units…"""
    anchor_gap: int = 3
    """…each at most this many sentences away from it in both articles."""
    max_group: int = 3
    """Most sentences one sentence may be split into, or merged from."""
    template_term_share: float = 0.01
    """A content term (not a number) held by this share of the archive's articles, and by at least
    template_term_articles of them, is template vocabulary ("is issuing a … eurobond due … lead manager"): it stops
    counting toward edited and paraphrased units, so one-template briefs about different companies do not read as
    rewrites of each other. Shingles, and so verbatim and edited copies, are untouched."""
    template_term_articles: int = 50
    # --- the link (syndicate.verify): what the alignment must show ----------------------------------------
    min_unit_words: int = 5
    """Units whose smaller side has fewer words (a headline fragment, "Share", a dateline) show reuse but never
    decide a link."""
    min_evidence_words: int = 15
    """No link rests on less aligned text outside quoted material than this (about one sentence)."""
    copy_threshold: float = 0.5
    """A copy: this share of one article lies in verbatim or edited units (the other may add its own text)."""
    excerpt_threshold: float = 0.2
    """An excerpt: a smaller share, but at least this much of one article…"""
    excerpt_min_words: int = 25
    """…holding at least this many words outside quoted material."""
    rewrite_min_chain: int = 3
    rewrite_min_coverage: float = 0.3
    """A rewrite: at least rewrite_min_chain units in the same order in both articles, holding this share of
    the smaller one's words…"""
    rewrite_min_words: int = 30
    """…and at least this many words outside quoted material…"""
    rewrite_min_order: float = 0.7
    """…and its ordered chain holds this share of the smaller article's words that align in any order."""
    quotes: bool = False
    """Also align the pairs that could share only quoted material, and report them (kind "quotes": not a link)."""
    near_identical: float = 0.9
    """Two articles whose whole shingle sets (furniture and quotes included) have this Jaccard are copies, whatever
    the evidence rules say: identical re-sends whose every line is a template."""
    # --- furniture (syndicate.furniture) -------------------------------------------------------------------
    furniture_min_articles: int = 3
    furniture_min_stories: int = 3
    furniture_max_site_outlets: int = 2
    """A paragraph seen at more outlets than this is wire text unless it spans furniture_min_stories stories."""
    story_containment: float = 0.25
    """Two articles tell the same story when this share of the smaller one is shared (used to spot furniture)."""
    furniture_sample: int = 48
    max_bucket: int = 256
    """Larger LSH buckets link each member only to this many others (clusters stay connected)."""
    lsh_params: tuple[int, int] | None = field(default=None)
    """(bands, rows) to override the derived banding."""
    window_days: float | None = None
    """Time window: only articles dated within this many days of each other become candidates (undated
    articles meet every other). None: no window. Wire copies run within days of their source."""

    def __post_init__(self) -> None:
        if self.ngram < 1:
            raise ValueError("ngram must be at least 1")
        for name in ("paragraph_threshold", "verbatim", "edited", "edited_terms", "paraphrased", "weak_paraphrased",
                     "copy_threshold",
                     "excerpt_threshold", "rewrite_min_coverage", "rewrite_min_order", "near_identical",
                     "story_containment"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.window_days is not None and not self.window_days > 0:
            raise ValueError(f"window_days must be positive, got {self.window_days}")

    @cached_property
    def document_bands(self) -> tuple[int, int]:
        """LSH banding of whole-article signatures, so that near-identical re-sends are candidates even when every line
        of them is furniture (a template), which the chunk bands never propose. Tuned, leaning to recall, to a Jaccard
        well under near_identical: at 128 permutations it is 16 bands x 8 rows, which proposes a pair at Jaccard 0.9
        with probability 0.9999 and one at 0.5 with 0.06."""
        fn = self.lsh_false_negative_weight
        return optimal_banding(self.near_identical - 0.15, self.num_perm, 1.0 - fn, fn)

    @cached_property
    def bands_rows(self) -> tuple[int, int]:
        """LSH banding for paragraph signatures, weighted towards recall (datasketch's optimiser, in numpy)."""
        if self.lsh_params is not None:
            return self.lsh_params
        fn = self.lsh_false_negative_weight
        return optimal_banding(self.paragraph_threshold, self.num_perm, 1.0 - fn, fn)
