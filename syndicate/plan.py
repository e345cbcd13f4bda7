"""The scan as one partitioned plan, the same whichever engine runs it (syndicate/engine.py).

    parts of the input ──sketch──▶ blocks + band keys      (workers: read, normalise, shingle, sign)
    recurring paragraphs ──furniture──▶ fingerprints        (workers, a share of the paragraphs each)
    blocks ──settle──▶ evidence columns                       (workers; the driver copies them end to end)
    band keys, by groups of bands ──candidates──▶ pairs      (workers; buckets never span two groups)
    pairs, by chunks ──prefilter, verify──▶ links            (workers, reading the evidence in place)
    links ──cluster, source──▶ clusters                      (driver)

Each step is a module-level function of a read-only context and one task, so a local process pool
or Ray can run it. Nothing a step computes depends on how the work was cut: article numbers are
input order, a band's buckets are whole within a task, candidate pairs are a set (merged and
sorted), and verified links come back in pair order. So the output is identical for any
partitioning, worker count and engine (tests check it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, islice

import numpy as np

from .article import Article
from .columns import Block, EvidenceColumns, Settled, SketchColumns, build_block
from .config import ScanConfig
from .engine import Engine
from .errors import InputError
from .furniture import judge_recurring, recurring_paragraphs
from .inputs import Archive, ArticlesPart, Part
from .lsh import candidate_codes, decode_pairs
from .prefilter import could_link
from .sign import MinHasher, fold32
from .sketch import sign_batch
from .spill import Spill, release_free_memory
from .verify import Link, verify

BATCH = 1024
"""Articles signed per numpy pass: large enough that numpy calls dominate, small enough to stay in cache."""
BANDS_PER_TASK = 4
VERIFY_CHUNK = 8192
"""Candidate pairs per verify task."""
PREFILTER_CHUNK = 2048
"""Candidate pairs per prefilter sort (its arrays stay a few megabytes)."""
INLINE_ROWS = 50_000
"""Candidate steps over fewer paragraphs than this run in the driver: a pool costs more than they take."""
INLINE_PAIRS = 20_000
INLINE_ARTICLES = 20_000
"""Furniture and settling of fewer articles than this run in the driver."""
FURNITURE_TASK = 4096
"""Recurring paragraphs judged per task."""
BLOCKS_PER_TASK = 8
TRIM_EVERY = 4
"""Parts received between two hand-backs of freed memory (each costs a few milliseconds)."""

Report = Callable[[str, int, int | None], None]


# --- sketch: a part of the input -> blocks and band keys -------------------------------------------------------

@dataclass
class SketchedPart:
    blocks: list[Block]
    keys: np.ndarray
    """Band-major (bands x paragraphs with shingles) band keys folded to 32 bits (see :func:`sketch_part`)."""
    skipped: list[InputError]
    error: InputError | None


@lru_cache(maxsize=2)
def _hasher(num_perm: int, seed: int) -> MinHasher:
    return MinHasher(num_perm, seed)


def sketch_part(config: ScanConfig, part: Part) -> SketchedPart:
    """Read a part and sketch it, a batch at a time.

    The band keys are the largest array a scan holds; folded to 32 bits they take half the memory. Two
    distinct keys then share a bucket with odds 2^-32 per pair of paragraphs: a few more candidate pairs
    (56 more of 74,033 on Reuters-21578), which verify rejects. The persistent index keeps the full keys.
    Only paragraphs with shingles get keys (the others never match); they are stored one band after the
    other, so the candidate step reads one band without touching the others.
    """
    read = part.read()
    hasher = _hasher(config.num_perm, config.seed)
    blocks, keys = [], []
    for start in range(0, len(read.articles), BATCH):
        batch = read.articles[start : start + BATCH]
        signed = sign_batch(batch, config, hasher)
        keys.append(fold32(signed.keys[np.diff(signed.shingles.offsets) > 0]))
        blocks.append(build_block(batch, signed))
    bands = config.bands_rows[0]
    band_major = np.ascontiguousarray(np.concatenate(keys).T) if keys else np.empty((bands, 0), dtype=np.uint32)
    return SketchedPart(blocks, band_major, read.skipped, read.error)


# --- furniture and evidence: recurring paragraphs judged, blocks settled ----------------------------------------

def judge_furniture(context: tuple[SketchColumns, ScanConfig], recurring: tuple[dict[int, list[int]], dict[int, int]],
                    ) -> set[int]:
    """The furniture among a share of the recurring paragraphs (each is judged on its own carriers)."""
    columns, config = context
    return judge_recurring(columns, config, *recurring)


def settle_blocks(context: tuple[SketchColumns, np.ndarray], numbers: range) -> list[Settled]:
    columns, flags = context
    return [columns.settle_block(number, flags) for number in numbers]


# --- candidates: groups of bands -> pair codes ------------------------------------------------------------------

@dataclass
class CandidateInputs:
    keys: list[np.ndarray]
    """Per part, its band-major keys."""
    usable: list[np.ndarray]
    """Per part, which of its key rows belong to paragraphs that still hold evidence (not furniture)."""
    owners: np.ndarray
    """Per usable key row, in part order: its article."""
    days: np.ndarray | None
    config: ScanConfig


def candidate_bands(inputs: CandidateInputs, bands: range) -> np.ndarray:
    """Sorted unique pair codes proposed by these bands (a band's buckets are all in one task)."""
    config = inputs.config
    found = [candidate_codes(np.concatenate([keys[band][usable] for keys, usable in zip(inputs.keys, inputs.usable,
                                                                                         strict=True)])[:, None],
                             inputs.owners, config.max_bucket, inputs.days, config.window_days)
             for band in bands]
    return np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)


# --- verify: chunks of pairs -> links ---------------------------------------------------------------------------

@dataclass
class Verified:
    links: list[Link]
    prefiltered: int
    """Pairs the prefilter rejected."""


def verify_pairs(context: tuple[EvidenceColumns, ScanConfig], pairs: np.ndarray) -> Verified:
    """Prefilter a chunk of pairs, then verify the survivors exactly, in pair order."""
    evidence, config = context
    possible = np.concatenate([could_link(pairs[first : first + PREFILTER_CHUNK], evidence, config)
                               for first in range(0, len(pairs), PREFILTER_CHUNK)]) if len(pairs) else np.zeros(0, bool)
    links = []
    for i, j in pairs[possible].tolist():
        link = verify(*evidence.evidence(i), *evidence.evidence(j), config)
        if link is not None:
            links.append(link)
    return Verified(links, int(len(pairs) - np.count_nonzero(possible)))


# --- the driver -------------------------------------------------------------------------------------------------

def parts_of(source: Iterable[Article] | Archive) -> Iterator[Part]:
    return source.parts() if isinstance(source, Archive) else ArticlesPart.chunks(source)


def sketch_all(parts: Iterable[Part], config: ScanConfig, engine: Engine, spill: Spill,
               on_skip: Callable[[InputError], None] | None, report: Report) -> tuple[SketchColumns, list[np.ndarray]]:
    """Every part sketched (by the engine), kept in input order; errors raised in input order."""
    parts = iter(parts)
    head = list(islice(parts, 2))
    columns = SketchColumns()
    keys: list[np.ndarray] = []
    seen: set[str] = set()
    for sketched in engine.map(sketch_part, config, chain(head, parts), inline=len(head) < 2):
        for skipped in sketched.skipped:
            if on_skip is not None:
                on_skip(skipped)
        for block in sketched.blocks:
            for article_id in block.ids:
                if article_id in seen:
                    raise InputError(article_id, "duplicate article id (ids must be unique within a scan)")
                seen.add(article_id)
            block.values = spill.keep(block.values, "values")
            columns.append(block)
        keys.append(spill.keep(sketched.keys, "keys"))
        if sketched.error is not None:
            raise sketched.error
        if len(keys) % TRIM_EVERY == 0:
            release_free_memory()  # what reading and signing the parts left in the heap
        report("sketch", len(columns), None)
    return columns, keys


def evidence_of(columns: SketchColumns, config: ScanConfig, engine: Engine,
                spill: Spill) -> tuple[set[int], np.ndarray, EvidenceColumns]:
    """Furniture (fingerprints, and a flag per paragraph) and the evidence columns."""
    inline = len(columns) < INLINE_ARTICLES
    carriers, sizes = recurring_paragraphs(columns)
    by_carrier = sorted(carriers, key=lambda fingerprint: carriers[fingerprint][0])  # a site's bundle in one task
    shares = [({f: carriers[f] for f in chunk}, {f: sizes[f] for f in chunk})
              for chunk in (by_carrier[i : i + FURNITURE_TASK] for i in range(0, len(by_carrier), FURNITURE_TASK))]
    furniture = set().union(*engine.map(judge_furniture, (columns, config), shares, inline=inline))
    flags = np.isin(columns.column("fingerprints"), np.fromiter(furniture, dtype=np.uint64, count=len(furniture)))
    groups = [range(first, min(first + BLOCKS_PER_TASK, len(columns.blocks)))
              for first in range(0, len(columns.blocks), BLOCKS_PER_TASK)]
    return furniture, flags, columns.assemble(_trimmed(engine.map(settle_blocks, (columns, flags), groups,
                                                                   inline=inline)), spill.allocate)


def _trimmed(groups: Iterable[list[Settled]]) -> Iterator[Settled]:
    """Each block's evidence; now and then, the pages of the blocks already assembled go back."""
    for number, parts in enumerate(groups):
        if number % TRIM_EVERY == 0:
            release_free_memory()
        yield from parts


def candidates(columns: SketchColumns, evidence: EvidenceColumns, keys: list[np.ndarray], config: ScanConfig,
               engine: Engine) -> np.ndarray:
    """Candidate pairs (rows a < b), sorted."""
    has_shingles = columns.column("shingle_sizes") > 0  # the key rows, in order
    usable = evidence.arrays["evidence_sizes"][has_shingles] > 0
    owners = columns.article_of_paragraph()[has_shingles][usable]
    split = np.cumsum([part.shape[1] for part in keys])[:-1]
    days = columns.column("days") if config.window_days is not None else None
    inputs = CandidateInputs(keys=keys, usable=np.split(usable, split), owners=owners, days=days, config=config)
    bands = config.bands_rows[0]
    groups = [range(first, min(first + BANDS_PER_TASK, bands)) for first in range(0, bands, BANDS_PER_TASK)]
    found = list(engine.map(candidate_bands, inputs, groups, inline=len(owners) < INLINE_ROWS))
    codes = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    return decode_pairs(codes)


def verify_all(evidence: EvidenceColumns, pairs: np.ndarray, config: ScanConfig, engine: Engine,
               report: Report) -> tuple[list[Link], int]:
    chunks = (pairs[start : start + VERIFY_CHUNK] for start in range(0, len(pairs), VERIFY_CHUNK))
    links: list[Link] = []
    prefiltered = done = 0
    for verified, size in zip(engine.map(verify_pairs, (evidence, config), chunks, inline=len(pairs) < INLINE_PAIRS),
                              (min(VERIFY_CHUNK, len(pairs) - s) for s in range(0, len(pairs), VERIFY_CHUNK)),
                              strict=True):
        links += verified.links
        prefiltered += verified.prefiltered
        done += size
        report("verify", done, len(pairs))
    return links, prefiltered
