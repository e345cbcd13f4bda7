"""The scan as one partitioned plan, the same whichever engine runs it (syndicate/engine.py).

    articles, by parts ──sketch──▶ blocks + band keys       (workers: normalise, cut units, shingle, sign)
    recurring paragraphs ──furniture──▶ fingerprints        (workers, a share of the paragraphs each)
    blocks ──settle──▶ evidence columns                      (workers flag furniture sentences; the driver copies
                                                              the evidence arrays end to end)
    band keys, by groups of bands ──candidates──▶ pairs     (workers; buckets never span two groups)
    pairs, by chunks ──verify──▶ links                       (workers, reading the evidence in place; the pairs in
                                                              locality order, the links put back in pair order)
    linked articles, by blocks ──describe──▶ words, infos    (workers: what clustering and reports need of them)
    links ──cluster──▶ groups                                (driver: a union-find over every link)
    groups, by runs ──source──▶ clusters                     (workers: each group's probable source)

JSONL files are read by the workers, a byte range of whole lines each (syndicate/read.py: the driver
only counts lines, then accounts for each range in input order: skipped records, repeated ids, errors),
and so is a SQLite index, a run of rows each; other inputs are read by the driver and handed out in
parts of articles. Each step is a
module-level function of a read-only context and one task, so a local process pool or Ray can run
it. Nothing a step computes depends on how the work was cut: article numbers are input order, a
band's buckets are whole within a task, candidate pairs are a set (merged and sorted), and verified
links come back in pair order. So the output is identical for any partitioning, worker count and
engine (tests/test_plan.py checks it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice

import numpy as np

from .article import Article, ArticleInfo, parse_date
from .cluster import Group
from .columns import Block, EvidenceColumns, SketchColumns, build_block
from .config import ScanConfig
from .engine import Engine, batches
from .errors import InputError
from .furniture import RecurringRuns, fingerprint_ranges, judge_recurring, recurring_runs
from .index.index import StoredArticles, StoredRange, read_stored_range
from .lsh import candidate_codes, decode_pairs, merged_codes
from .read import ArticleStream, ByteRange, RangeRead, ReaderOptions, ReadHere, read_range
from .sign import fold32, shared_hasher
from .sketch import sign_batch
from .sorting import sort_with_order
from .source import MemberFacts, choose_source
from .spill import Spill, release_free_memory
from .terms import members, summed_holders, template_terms, term_holders, without_terms
from .verify import Link, never_links, verify_batch

BATCH = 1024
"""Articles signed per numpy pass: large enough that numpy calls dominate, small enough to stay in cache."""
PART = 4096
"""Articles per sketch task."""
PART_BYTES = 4 << 20
"""Bytes of JSONL per read-and-sketch task (about 4,000 news articles)."""
BANDS_PER_TASK = 4
VERIFY_CHUNK = 8192
"""Candidate pairs per verify task."""
INLINE_ROWS = 50_000
"""Candidate steps over fewer chunks than this run in the driver: a pool costs more than they take."""
INLINE_PAIRS = 20_000
INLINE_ARTICLES = 20_000
"""Furniture and settling of fewer articles than this run in the driver."""
INLINE_LINKED = 2_000
"""Linked articles described in the driver below this many (each takes about 70 microseconds)."""
INLINE_GROUPS = 2_000
"""Clusters whose sources are chosen in the driver below this many (each takes about 30 microseconds)."""
GROUPS_PER_TASK = 512
FURNITURE_TASK = 4096
"""Recurring paragraphs judged per task, at most."""
FURNITURE_TASK_COST = 4096
"""Estimated cost of a furniture task (see RecurringRuns.shares): about 50 ms."""
BLOCKS_PER_TASK = 8
TRIM_EVERY = 4
"""Parts received between two hand-backs of freed memory (each costs a few milliseconds)."""

Report = Callable[[str, int, int | None], None]


# --- sketch: a part of the input -> blocks and band keys -------------------------------------------------------

@dataclass
class SketchedPart:
    """A part's blocks and LSH keys. Chunk numbers (paragraph, article) count from the part's start."""

    blocks: list[Block]
    chunk_keys: np.ndarray
    """Band-major (bands x chunks with shingles) chunk band keys, folded to 32 bits (see :func:`sketch_part`)."""
    chunk_paragraph: np.ndarray
    """Per keyed chunk: the paragraph of its first sentence."""
    chunk_article: np.ndarray
    document_keys: np.ndarray
    """Band-major (document bands x articles) whole-article band keys, folded to 32 bits."""
    held_terms: tuple[np.ndarray, np.ndarray]
    """The part's content terms and how many of its articles hold each (the template vocabulary's counts)."""
    read: RangeRead | None = None
    """For a part a worker read itself: what the reading found."""


def sketch_part(config: ScanConfig, articles: tuple[Article, ...]) -> SketchedPart:
    """Sketch a part, a batch at a time.

    The band keys are the largest array a scan holds; folded to 32 bits they take half the memory. Two
    distinct keys then share a bucket with odds 2^-32 per pair of chunks: a few more candidate pairs,
    which verify rejects. The persistent index keeps the full keys. Only chunks with shingles get keys
    (the others never match); they are stored one band after the other, so the candidate step reads
    one band without touching the others.
    """
    hasher = shared_hasher(config.num_perm, config.seed)
    blocks: list[Block] = []
    keys, paragraphs, owners, documents = [], [], [], []
    paragraphs_before = articles_before = 0
    for start in range(0, len(articles), BATCH):
        batch = articles[start : start + BATCH]
        signed = sign_batch(batch, config, hasher)
        units = signed.units
        sized = np.diff(units.chunk_shingle_offsets()) > 0
        paragraph = units.sentence_paragraph[units.chunk_offsets[:-1][sized]]
        owners.append(np.searchsorted(units.paragraph_offsets, paragraph, side="right") - 1 + articles_before)
        paragraphs.append(paragraph + paragraphs_before)
        keys.append(fold32(signed.keys.T[:, sized]))  # a row per band, as signed
        documents.append(fold32(signed.document_keys.T))
        blocks.append(build_block(batch, signed))
        paragraphs_before += len(units.fingerprints)
        articles_before += len(batch)
    starts = np.cumsum([0] + [len(block) for block in blocks])[:-1].tolist()
    held = term_holders([(block.sentence_offsets, block.term_offsets, block.terms, start)
                         for start, block in zip(starts, blocks, strict=True)])
    return SketchedPart(blocks, _band_major(keys, config.bands_rows[0]), _joined(paragraphs), _joined(owners),
                        _band_major(documents, config.document_bands[0]), held)


def read_stored_and_sketch(config: ScanConfig, part: StoredRange) -> SketchedPart:
    """A sketch task that reads its articles from the index first (a range of stored rows)."""
    return sketch_part(config, tuple(read_stored_range(part)))


def read_and_sketch(context: tuple[ScanConfig, ReaderOptions], part: ByteRange) -> SketchedPart:
    """A sketch task that reads its articles first: only the range travels, not the text."""
    config, options = context
    articles, read = read_range(part, options)
    sketched = sketch_part(config, tuple(articles))
    sketched.read = read
    return sketched


def _band_major(batches: list[np.ndarray], bands: int) -> np.ndarray:
    """The batches' keys (each a row per band) joined, band by band."""
    return np.concatenate(batches, axis=1) if batches else np.empty((bands, 0), dtype=np.uint32)


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)


# --- furniture and evidence: recurring paragraphs judged, blocks settled ----------------------------------------

def find_recurring(columns: SketchColumns, within: tuple[int, int]) -> RecurringRuns:
    """The recurring paragraphs whose fingerprints lie `within` (first, last): a sort of that share of the
    fingerprint column (see :meth:`RecurringRuns.joined`)."""
    return recurring_runs(columns, within)


def judge_furniture(context: tuple[SketchColumns, ScanConfig, RecurringRuns], runs: np.ndarray) -> set[int]:
    """The furniture among a share of the recurring paragraphs, these runs (each is judged on its own carriers)."""
    columns, config, recurring = context
    return judge_recurring(columns, config, *recurring.paragraphs(runs))


def settle_blocks(context: tuple[SketchColumns, np.ndarray, np.ndarray],
                  numbers: range) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per block: its per-sentence furniture flags, and its sentences' term offsets and terms without the template
    vocabulary."""
    columns, flags, template = context
    return [(columns.settle_block(number, flags),
             *without_terms(columns.blocks[number].term_offsets, columns.blocks[number].terms, template))
            for number in numbers]


# --- candidates: groups of bands -> pair codes ------------------------------------------------------------------

@dataclass
class CandidateInputs:
    chunk_keys: list[np.ndarray]
    """Per part, its band-major chunk keys."""
    usable: list[np.ndarray]
    """Per part, which of its chunks start in a paragraph that is not furniture."""
    owners: np.ndarray
    """Per usable chunk, in part order: its article."""
    document_keys: list[np.ndarray]
    """Per part, its band-major document keys (every article, furniture included)."""
    proposing: np.ndarray
    """The articles whose document keys propose pairs: all but those that link with nothing
    (:func:`~syndicate.verify.never_links`)."""
    days: np.ndarray | None
    config: ScanConfig


def candidate_bands(inputs: CandidateInputs, bands: range) -> np.ndarray:
    """Sorted unique pair codes proposed by these bands: the chunk bands first, then the document bands
    (a band's buckets are all in one task)."""
    config = inputs.config
    chunk_bands = config.bands_rows[0]
    found = []
    for band in bands:
        if band < chunk_bands:
            column = np.concatenate([keys[band][usable] for keys, usable in zip(inputs.chunk_keys, inputs.usable,
                                                                                strict=True)])
            owners = inputs.owners
        else:
            column = np.concatenate([keys[band - chunk_bands] for keys in inputs.document_keys])[inputs.proposing]
            owners = inputs.proposing
        found.append(candidate_codes(column[:, None], owners, config.max_bucket, inputs.days, config.window_days))
    return merged_codes(found)


# --- verify: chunks of pairs -> links ---------------------------------------------------------------------------

def verify_chunk(evidence: EvidenceColumns, pairs: np.ndarray, config: ScanConfig) -> tuple[np.ndarray, list[Link]]:
    """Every link (quote pairs included) among these candidate pairs, in pair order, and where each is among them: a
    batch of pairs at a time (:func:`~syndicate.verify.verify_batch`), each batch gathering the evidence of the
    articles its pairs name."""
    found: list[Link] = []
    positions: list[int] = []
    for start, stop in _verify_batches(evidence, pairs):
        chunk = pairs[start:stop]
        articles, local = np.unique(chunk, return_inverse=True)
        local = local.reshape(chunk.shape)
        names = [evidence.ids[index] for index in articles.tolist()]
        batch = evidence.evidence_batch(articles)
        for position, link in enumerate(verify_batch(names, batch, local[:, 0], local[:, 1], config), start=start):
            if link is not None:
                found.append(link)
                positions.append(position)
    return np.array(positions, dtype=np.int64), found


def verify_pairs(context: tuple[EvidenceColumns, ScanConfig], pairs: np.ndarray) -> tuple[np.ndarray, list[Link]]:
    """A verify task: :func:`verify_chunk` with the scan's context."""
    evidence, config = context
    return verify_chunk(evidence, pairs, config)


VERIFY_ROWS = 1 << 20
"""Rows per verify batch (see _verify_batches). 2^20 and 2^21 verify Reuters and Helsinki equally fast (2^19 and
2^22 slower); 2^20 keeps a Reuters scan's peak RSS at 189 MB, below the per-pair verify's 195 MB."""


def _verify_batches(evidence: EvidenceColumns, pairs: np.ndarray) -> Iterator[tuple[int, int]]:
    """Runs of consecutive pairs holding about VERIFY_ROWS rows between them (shingles of both sides, and sentence
    pairs): big enough that whole-array passes dominate, small enough that a batch's arrays stay a few tens of MB
    whatever the articles' length."""
    if len(pairs) == 0:
        return
    shingles, sentences = evidence.evidence_sizes()
    a, b = pairs[:, 0], pairs[:, 1]
    cost = np.cumsum(shingles[a] + shingles[b] + sentences[a] * sentences[b] + 1)
    start, before = 0, 0
    while start < len(pairs):
        stop = max(int(np.searchsorted(cost, before + VERIFY_ROWS, side="right")), start + 1)
        yield start, stop
        start, before = stop, int(cost[stop - 1])


# --- cluster: the linked articles' facts, by groups of blocks ------------------------------------------------------

LinkedArticle = tuple[str, int, ArticleInfo]
"""A linked article's id, its words outside furniture paragraphs (what clustering and the source weigh), and what
reports show of it (:meth:`~syndicate.columns.SketchColumns.info`)."""


def describe_linked(context: tuple[SketchColumns, np.ndarray, np.ndarray, frozenset[str]], numbers: range,
                    ) -> list[LinkedArticle]:
    """The linked articles of these blocks, in input order. The context: the columns, the furniture flags (one per
    paragraph), every article's words outside furniture, and the ids of the linked articles."""
    columns, flags, active_words, linked = context
    found = []
    for number in numbers:
        for index, article_id in zip(columns.block_articles(number), columns.blocks[number].ids, strict=True):
            if article_id in linked:
                found.append((article_id, int(active_words[index]), columns.info(index, flags)))
    return found


def choose_group_sources(context: tuple[list[Group], Mapping[str, tuple[int, ArticleInfo]]], numbers: range,
                         ) -> list[tuple[str, str]]:
    """The probable source of each of these groups and the reason (:func:`~syndicate.source.choose_source`), from
    its members' words (outside furniture), credits and dates. The context: every group, and per linked article its
    words and info."""
    groups, described = context
    choices = []
    for group in groups[numbers.start : numbers.stop]:
        facts = {member: member_facts(*described[member]) for member in group.members}
        choice = choose_source(group.members, group.links, facts)
        choices.append((choice.id, choice.reason))
    return choices


def member_facts(words: int, info: ArticleInfo) -> MemberFacts:
    """What the choice of a source weighs of an article."""
    return MemberFacts(date=parse_date(info.date), credit=info.credit, words=words)


# --- the driver -------------------------------------------------------------------------------------------------

@dataclass
class Keys:
    """What the driver keeps of every part besides its blocks, as they arrived (see :class:`SketchedPart`): the LSH
    keys, chunk numbers scan-wide, and the term counts."""

    chunk_keys: list[np.ndarray] = field(default_factory=list)
    chunk_paragraph: list[np.ndarray] = field(default_factory=list)
    chunk_article: list[np.ndarray] = field(default_factory=list)
    document_keys: list[np.ndarray] = field(default_factory=list)
    held_terms: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def term_holders(self) -> tuple[np.ndarray, np.ndarray]:
        """Every content term of the archive and how many articles hold it (what ``EvidenceColumns.term_holders``
        counts, summed from the parts' counts)."""
        return summed_holders(self.held_terms)


def sketch_all(articles: Iterable[Article], config: ScanConfig, engine: Engine, spill: Spill,
               report: Report) -> tuple[SketchColumns, Keys]:
    """Every article sketched (by the engine, a part per task), kept in input order; a repeated id is an error
    where it is met. An :class:`~syndicate.read.ArticleStream` of JSONL files is read by the workers, a byte
    range each, where they see this machine's files (``engine.local_files``), and so are the articles of a SQLite
    index (:class:`~syndicate.index.StoredArticles`), a run of rows each; should a byte range need reading here
    (:class:`~syndicate.read.ReadHere`: a file not in UTF-8), the stream is read again from its start, in this
    process."""
    if engine.local_files and isinstance(articles, StoredArticles):
        stored = articles.ranges(PART)
        if stored is not None:
            return _sketched(read_stored_and_sketch, config, iter(stored), engine, spill, report)
    if engine.local_files and isinstance(articles, ArticleStream):
        ranges = articles.ranges(guided(PART_BYTES, PART_BYTES // 8, engine.workers))
        if ranges is not None:
            try:
                return _sketched(read_and_sketch, (config, articles.worker_options), ranges, engine, spill, report,
                                 articles.settle)
            except ReadHere:
                articles = articles.read_here()
    return _sketched(sketch_part, config, batches(articles, PART), engine, spill, report)


def _sketched(step: Callable, context: object, parts: Iterator, engine: Engine, spill: Spill, report: Report,
              settle: Callable[[RangeRead], bool] | None = None) -> tuple[SketchColumns, Keys]:
    head = list(islice(parts, 2))
    columns = SketchColumns()
    keys = Keys()
    seen: set[str] | None = set() if settle is None else None  # settle() rejects repeated ids, with file and line
    spool = spill.spool()  # when everything spills, the workers write their arrays to the spill directory
    spooled = spool is not None
    for sketched in engine.map(step, context, chain(head, parts), inline=len(head) < 2, spool=spool):
        if settle is not None and not settle(sketched.read):
            continue
        paragraphs_before, articles_before = columns.paragraphs, len(columns)
        for block in sketched.blocks:
            if seen is not None:
                for article_id in block.ids:
                    if article_id in seen:
                        raise InputError(article_id, "duplicate article id (ids must be unique within a scan)")
                    seen.add(article_id)
            block.values = spill.keep(block.values, "values", spooled=spooled)
            columns.append(block)
        keys.chunk_keys.append(spill.keep(sketched.chunk_keys, "keys", spooled=spooled))
        keys.chunk_paragraph.append(sketched.chunk_paragraph + paragraphs_before)
        keys.chunk_article.append(sketched.chunk_article + articles_before)
        keys.document_keys.append(spill.keep(sketched.document_keys, "documents", spooled=spooled))
        keys.held_terms.append(sketched.held_terms)
        if len(keys.chunk_keys) % TRIM_EVERY == 0:
            release_free_memory()  # what signing the parts left in the heap
        report("sketch", len(columns), None)
    return columns, keys


def evidence_of(columns: SketchColumns, keys: Keys, config: ScanConfig, engine: Engine,
                spill: Spill) -> tuple[set[int], np.ndarray, np.ndarray, EvidenceColumns]:
    """Furniture (fingerprints, and a flag per paragraph), the template vocabulary (from the parts' term counts;
    left out of the evidence's terms) and the evidence columns."""
    inline = len(columns) < INLINE_ARTICLES
    ranges = fingerprint_ranges(1 if inline or engine.workers <= 1 else 2 * engine.workers)
    recurring = RecurringRuns.joined(list(engine.map(find_recurring, columns, ranges, inline=inline)))
    shares = recurring.shares(config.furniture_sample, FURNITURE_TASK_COST, FURNITURE_TASK)
    furniture = set().union(*engine.map(judge_furniture, (columns, config, recurring), shares, inline=inline))
    flags = members(columns.column("fingerprints"), np.sort(np.fromiter(furniture, dtype=np.uint64,
                                                                         count=len(furniture))))
    template = template_terms(len(columns), *keys.term_holders(), config.template_term_share,
                              config.template_term_articles)
    groups = [range(first, min(first + BLOCKS_PER_TASK, len(columns.blocks)))
              for first in range(0, len(columns.blocks), BLOCKS_PER_TASK)]
    settled = engine.map(settle_blocks, (columns, flags, template), groups, inline=inline)
    evidence = columns.assemble(_settled(columns, settled), spill.allocate)
    return furniture, flags, template, evidence


def _settled(columns: SketchColumns, groups: Iterable[list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
             ) -> Iterator[np.ndarray]:
    """Each block's flags, its terms replaced by those settled; now and then, the pages of the blocks already
    assembled go back."""
    blocks = iter(columns.blocks)
    for number, parts in enumerate(groups):
        if number % TRIM_EVERY == 0:
            release_free_memory()
        for (active, term_offsets, terms), block in zip(parts, blocks, strict=False):
            block.term_offsets, block.terms = term_offsets, terms
            yield active


def candidates(columns: SketchColumns, keys: Keys, flags: np.ndarray, config: ScanConfig,
               engine: Engine) -> np.ndarray:
    """Candidate pairs (rows a < b), sorted. Chunks that start in a furniture paragraph propose nothing;
    whole articles propose their near-identical re-sends, but for those that link with nothing."""
    if not keys.chunk_keys:
        return np.empty((0, 2), dtype=np.int64)
    usable = [~flags[paragraph] for paragraph in keys.chunk_paragraph]
    owners = _joined([article[kept] for article, kept in zip(keys.chunk_article, usable, strict=True)])
    proposing = np.flatnonzero(~never_links(columns.evidence_sizes()[0], columns.column("words"), config))
    days = columns.column("days") if config.window_days is not None else None
    inputs = CandidateInputs(chunk_keys=keys.chunk_keys, usable=usable, owners=owners,
                             document_keys=keys.document_keys, proposing=proposing, days=days, config=config)
    bands = config.bands_rows[0] + config.document_bands[0]
    groups = [range(first, min(first + BANDS_PER_TASK, bands)) for first in range(0, bands, BANDS_PER_TASK)]
    found = list(engine.map(candidate_bands, inputs, groups, inline=len(owners) < INLINE_ROWS))
    codes = merged_codes(found)
    return decode_pairs(codes)


def verify_all(evidence: EvidenceColumns, pairs: np.ndarray, config: ScanConfig, engine: Engine,
               report: Report) -> list[Link]:
    """Every link among the candidate pairs, quote pairs included, in pair order. Verified in an order where pairs
    that share articles come together (:func:`locality_order`), the links then put back in pair order."""
    order = locality_order(pairs, len(evidence)) if len(pairs) >= INLINE_PAIRS else None
    bounds = guided_bounds(len(pairs), guided(VERIFY_CHUNK, VERIFY_CHUNK // 8, engine.workers))
    # Each chunk gathered as it goes out: the pairs are never held twice (at 1M, 6.6M pairs take 105 MB).
    chunks = (pairs[start:stop] if order is None else pairs[order[start:stop]] for start, stop in bounds)
    links: list[Link] = []
    at: list[np.ndarray] = []
    for (positions, found), (start, stop) in zip(engine.map(verify_pairs, (evidence, config), chunks,
                                                            inline=len(pairs) < INLINE_PAIRS), bounds, strict=True):
        links += found
        at.append(positions + start)
        report("verify", stop, len(pairs))
    if order is None or not links:
        return links
    return [links[k] for k in np.argsort(order[np.concatenate(at)]).tolist()]


LOCALITY_ROUNDS = 2
"""Rounds of label spreading in :func:`locality_order`: on the 100k synthetic archive's candidates, in batches of
1,890 pairs, one round brings the articles the batches gather from 86,414 to 52,959, two to 50,343, more spread the
labels too far (three: 51,127; the fewest possible, each article once: 37,913)."""


def locality_order(pairs: np.ndarray, articles: int) -> np.ndarray:
    """An order of the candidate pairs (rows a < b, sorted) in which pairs that share articles come together, so that
    each verify batch gathers the evidence of fewer articles (the gathering and the grouping of their shingles cost
    by the article, the rest by the pair). Each article is labelled with the smallest article within
    LOCALITY_ROUNDS links of it (the label spread along the candidate pairs, a round at a time); pairs go by the
    smaller label of their two articles, and keep their order under one label. Verify's results do not depend on the
    order: each pair's depends on its two articles only."""
    a, b = pairs[:, 0], pairs[:, 1]
    label = np.arange(articles, dtype=np.int64)
    for _ in range(LOCALITY_ROUNDS):
        spread = label.copy()
        np.minimum.at(spread, a, label[b])
        np.minimum.at(spread, b, label[a])
        label = spread
    return sort_with_order(np.minimum(label[a], label[b]))[0]  # (labels are small: one sort of label and position)


def guided(most: int, least: int, workers: int) -> Callable[[int], int]:
    """The size of the next part, given how much is left to cut: `most` while plenty is left, then a
    2 × `workers`th of what is left, `least` at the smallest (guided self-scheduling). The last parts handed out
    are small, so the workers finish together rather than all but one waiting on a last large part. One worker
    waits on nobody: `most` throughout."""
    if workers <= 1:
        return lambda left: most
    return lambda left: max(least, min(most, left // (2 * workers)))


def guided_bounds(total: int, size_of: Callable[[int], int]) -> list[tuple[int, int]]:
    """(start, stop) of each part of `total` items, each `size_of(items left)` long."""
    bounds, start = [], 0
    while start < total:
        stop = min(total, start + max(1, size_of(total - start)))
        bounds.append((start, stop))
        start = stop
    return bounds


def linked_articles(columns: SketchColumns, flags: np.ndarray, active_words: np.ndarray, linked: frozenset[str],
                    engine: Engine) -> list[LinkedArticle]:
    """The articles named in `linked` (those some link names), in input order (see :func:`describe_linked`: workers
    describe them, a group of blocks each)."""
    if not linked:
        return []
    groups = [range(first, min(first + BLOCKS_PER_TASK, len(columns.blocks)))
              for first in range(0, len(columns.blocks), BLOCKS_PER_TASK)]
    found = engine.map(describe_linked, (columns, flags, active_words, linked), groups,
                       inline=len(linked) < INLINE_LINKED)
    return list(chain.from_iterable(found))


def group_sources(groups: list[Group], described: Mapping[str, tuple[int, ArticleInfo]],
                  engine: Engine) -> list[tuple[str, str]]:
    """Per group, in order: its probable source and the reason (see :func:`choose_group_sources`; workers choose
    them, a run of groups each). `described`: per linked article, its words and info (:func:`linked_articles`)."""
    runs = [range(first, min(first + GROUPS_PER_TASK, len(groups))) for first in range(0, len(groups), GROUPS_PER_TASK)]
    chosen = engine.map(choose_group_sources, (groups, described), runs, inline=len(groups) < INLINE_GROUPS)
    return list(chain.from_iterable(chosen))
