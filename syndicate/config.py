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
    copy_threshold: float = 0.5
    """A copy: at least this share of the smaller article's shingles is found in the other."""
    single_paragraph_copy: float = 0.9
    """One matched paragraph makes a copy when this share of the smaller article is inside the other."""
    paragraph_match: float = 0.5
    """Two paragraphs match when this share of the smaller one's shingles is shared."""
    rewrite_paragraph: float = 0.1
    """Two paragraphs are related (a paraphrase) when they share this share and at least two shingles."""
    rewrite_min_chain: int = 3
    rewrite_min_containment: float = 0.15
    """A rewrite also carries this share of one article's shingles: a chain of shared quotes alone is not one."""
    rewrite_min_coverage: float = 0.3
    """A rewrite: at least this many related paragraphs in the same order, holding this share of the smaller text."""
    furniture_min_articles: int = 3
    furniture_min_stories: int = 3
    furniture_max_site_outlets: int = 2
    """A paragraph seen at more outlets than this is wire text unless it spans furniture_min_stories stories."""
    story_containment: float = 0.15
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
        for name in ("paragraph_threshold", "copy_threshold", "single_paragraph_copy", "paragraph_match",
                     "rewrite_paragraph", "rewrite_min_coverage", "rewrite_min_containment", "story_containment"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.window_days is not None and not self.window_days > 0:
            raise ValueError(f"window_days must be positive, got {self.window_days}")

    @property
    def least_containment(self) -> float:
        """The least share of the smaller article's evidence shingles that any kind of link needs.

        The one bound that lets a pair be rejected before verification looks at its paragraphs
        (the scan's vectorised prefilter; verify's early exit applies the same rule): every kind
        needs some containment, ``copy_threshold`` for a copy, ``rewrite_min_containment`` for a rewrite.
        """
        return min(self.copy_threshold, self.rewrite_min_containment)

    @cached_property
    def bands_rows(self) -> tuple[int, int]:
        """LSH banding for paragraph signatures, weighted towards recall (datasketch's optimiser, in numpy)."""
        if self.lsh_params is not None:
            return self.lsh_params
        fn = self.lsh_false_negative_weight
        return optimal_banding(self.paragraph_threshold, self.num_perm, 1.0 - fn, fn)
