"""A persistent index that answers "does this article reuse one we hold?", and ingests archives in bulk.

It runs the same steps as ``scan``, with the same functions, on the few articles a question
involves, pulled from a backend (:mod:`.sqlite_store` or :mod:`.redis_store`):

1. sketch (``sign_batch``: sentences, shingles, content terms, fingerprints, chunk and
   whole-article band keys), a batch at a time, in worker processes when there are idle cores for them
   (``syndicate.engine.LocalEngine``), kept as the scan keeps them (:class:`~syndicate.columns.SketchColumns`);
   each stored article keeps its columns (its evidence arrays), so that nothing stored is signed again;
2. furniture, learned incrementally: a paragraph that other articles already carry is judged by
   ``learn_furniture_columns`` over its carriers (the stored ones, at most ``furniture_sample``, oldest
   first, and those of the batch being added). The rule only ever looks at a paragraph's
   carriers, so where a paragraph has at most ``furniture_sample`` carriers, the stored verdict
   is exactly the one a scan of the same articles reaches. Verdicts are re-judged whenever a
   paragraph's carriers change; a check trusts the stored "furniture" verdicts and judges the
   other recurring paragraphs of the article it checks;
3. candidates: articles with an evidence chunk (an LSH chunk outside furniture) in one of the
   article's chunk buckets, or sharing one of its whole-article buckets (near-identical re-sends, even
   all furniture), as a scan proposes them (band key and band number; at most ``max_bucket`` per
   bucket, oldest first);
4. ``verify_batch`` of the candidates (as a scan verifies a batch of pairs), from their stored evidence
   arrays, furniture paragraphs left out of the alignment, and the template vocabulary left out of both
   articles' content terms:
   the store counts, per content term, the stored articles that hold it (updated with the articles
   themselves), so the terms of the pair that a scan of the index with the checked article in would
   call template (``terms.template_terms``) are known from a few counts.

Ids are never replaced implicitly: adding an id the index holds with the same text is a no-op
("already indexed"), with different text an error unless ``replace=True``.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice, pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Self

import numpy as np

from ..article import Article
from ..columns import SketchColumns
from ..config import ScanConfig
from ..engine import LocalEngine, batches
from ..errors import InputError, SyndicateError
from ..furniture import learn_furniture_columns
from ..sign import SCHEME, MinHasher, shared_hasher
from ..sketch import SignedBatch, sign_batch
from ..terms import held_terms, template_terms
from ..units import units_batch
from ..verify import QUOTES, Link, never_links, verify_batch
from .store import (
    FORMAT_VERSION,
    EncodedArrays,
    Entry,
    IndexStoreError,
    Store,
    article_json,
    bucket_keys,
    carried_fingerprints,
)

if TYPE_CHECKING:
    from datasketch import LeanMinHash

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_BATCH = 4096
"""Articles per transaction in a bulk add. Measured on Reuters-21578 (paired runs, same process): 4,096 added
22 % faster than 1,024 (fewer commits rewriting the same bucket pages); a batch holds the write lock about a second."""
SPLIT_SMALLEST = 512
"""With worker processes, a batch is signed in one part per worker, each of at least this many articles (smaller
parts would not repay handing them out), and stored whole, in one transaction."""

CHECK_BATCH = 256
"""Articles signed at once by :meth:`Index.check_many` (and handed to a worker at a time)."""
PARALLEL_CHECKS = 2 * CHECK_BATCH
"""The fewest articles :meth:`Index.check_many` hands to worker processes: below that, starting them and opening
the index in each would not repay."""

NEW, DUPLICATE, ALREADY_INDEXED = "new", "duplicate", "already indexed"
DUPLICATE_KINDS = frozenset({"copy"})
"""Kinds of reuse that make the checked article a duplicate (syndicate.reuse.KINDS says what each means); other
kinds are listed as matches but leave it new."""


class IdConflictError(SyndicateError):
    """An id the index holds, given again with different text, without asking to replace it."""


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed article the checked one reuses (or that reuses it)."""

    id: str
    kind: str
    new_in_match: float
    """Share of the checked article's text found in the indexed one."""
    match_in_new: float
    """Share of the indexed article's text found in the checked one."""
    title: str | None = None
    outlet: str | None = None
    date: str | None = None

    @classmethod
    def of(cls, link: Link, stored: Article) -> Match:
        """From the link verify made with the checked article first and the `stored` one second."""
        return cls(id=stored.id, kind=link.kind, new_in_match=link.share_of(link.a), match_in_new=link.share_of(link.b),
                   title=stored.title, outlet=stored.outlet, date=stored.date)

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "outlet": self.outlet, "date": self.date, "kind": self.kind,
                "new_in_match": round(self.new_in_match, 4), "match_in_new": round(self.match_in_new, 4)}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one article: ``new``, ``duplicate`` (some match's kind is in DUPLICATE_KINDS) or
    ``already indexed`` (the index holds this id with this text)."""

    id: str
    matches: tuple[Match, ...]
    already_indexed: bool = False
    added: bool | None = None
    """With check-and-add: whether this call added it; None for a plain check."""

    @property
    def verdict(self) -> str:
        if self.already_indexed:
            return ALREADY_INDEXED
        return DUPLICATE if self.duplicate else NEW

    @property
    def duplicate(self) -> bool:
        return any(match.kind in DUPLICATE_KINDS for match in self.matches)

    @property
    def copies(self) -> tuple[Match, ...]:
        return tuple(match for match in self.matches if match.kind in DUPLICATE_KINDS)

    def to_dict(self) -> dict:
        data = {"id": self.id, "verdict": self.verdict, "matches": [match.to_dict() for match in self.matches]}
        if self.added is not None:
            data["added"] = self.added
        return data


@dataclass(slots=True)
class AddReport:
    """What an add did: articles stored, re-deliveries skipped, ids replaced (only with ``replace``)."""

    added: int = 0
    already_indexed: int = 0
    replaced: list[str] = field(default_factory=list)

    @property
    def committed(self) -> int:
        return self.added + self.already_indexed

    def to_dict(self) -> dict:
        return {"added": self.added, "already_indexed": self.already_indexed, "replaced": self.replaced}


ProgressCallback = Callable[[AddReport], None]


class Index:
    """Open with :meth:`Index.open`; use as a context manager to close the backend."""

    def __init__(self, store: Store, config: ScanConfig, opened: tuple[str, str] | None = None) -> None:
        self._store = store
        self.config = config
        self._hasher = MinHasher(config.num_perm, config.seed)
        self._opened = opened
        """(target, namespace) this index was opened with: what a worker process opens it with again."""

    # --- opening ------------------------------------------------------------------------------------

    @classmethod
    def open(cls, target: str | Path, config: ScanConfig | None = None, *, create: bool = True,
             namespace: str = "syndicate") -> Self:
        """An index in a SQLite file (a path) or on a Redis server (``redis://HOST:PORT/DB``).

        Refuses (IndexStoreError) an index built with another MinHash scheme, num_perm, seed,
        ngram or banding: their signatures and band keys would not be comparable.
        """
        config = config or ScanConfig()
        wanted = parameters(config)
        if str(target).startswith(REDIS_SCHEMES):
            from .redis_store import RedisStore

            store: Store = RedisStore(str(target), namespace=namespace, create=create)
        else:
            from .sqlite_store import SQLiteStore

            store = SQLiteStore(target, create=create, meta=wanted)
        try:
            _agree_on_parameters(store, wanted, create)
        except BaseException:
            store.close()
            raise
        return cls(store, config, (str(target), namespace))

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the API ------------------------------------------------------------------------------------

    def check(self, article: Article) -> Verdict:
        """What the index holds that this article reuses or that reuses it; the index is not changed.

        An id the index holds with the same text is ``already indexed``; with other text, it is checked
        against everything but its stored namesake.
        """
        return self._check(self._sign([article]))

    def check_many(self, articles: Iterable[Article], workers: int | None = None) -> Iterator[Verdict]:
        """:meth:`check` of each article, in input order (the index is not changed). The articles are signed
        CHECK_BATCH at a time; with worker processes (one per idle core, or as `workers` says), each worker checks
        a part of them through a connection of its own (which only reads), once there are PARALLEL_CHECKS or more."""
        pending = iter(articles)
        head = list(islice(pending, PARALLEL_CHECKS))
        engine = LocalEngine(workers)
        if len(head) < PARALLEL_CHECKS or engine.workers < 2 or self._opened is None:
            for batch in batches(chain(head, pending), CHECK_BATCH):
                signed = self._sign(list(batch))
                yield from (self._check(signed.one(index)) for index in range(len(batch)))
            return
        context = (*self._opened, self.config)
        for verdicts in engine.map(_check_part, context, batches(chain(head, pending), CHECK_BATCH)):
            yield from verdicts

    def _check(self, signed: _Signed) -> Verdict:
        """The verdict on a signed article (a batch of one)."""
        article = signed.articles[0]
        with self._store.reading():
            stored = self._store.load([article.id])
            if stored and stored[0].article.paragraphs == article.paragraphs:
                return Verdict(id=article.id, matches=(), already_indexed=True)
            return self._assess(signed, stored)

    def check_and_add(self, article: Article, *, replace: bool = False) -> Verdict:
        """Check, and add the article if it is not a duplicate, atomically: two workers checking the
        same new story at the same time cannot both be told it is new."""
        signed = self._sign([article])
        with self._store.writing():
            stored = self._store.load([article.id])
            if stored and stored[0].article.paragraphs == article.paragraphs:
                return Verdict(id=article.id, matches=(), already_indexed=True, added=False)
            if stored and not replace:
                raise _id_conflict(article.id)
            verdict = self._assess(signed, stored)
            if verdict.duplicate:
                return Verdict(id=article.id, matches=verdict.matches, added=False)
            self._add_batch(signed, replace=replace)
        return Verdict(id=article.id, matches=verdict.matches, added=True)

    def add(self, article: Article, *, replace: bool = False) -> AddReport:
        """Index one article, in one transaction."""
        return self.add_many([article], replace=replace)

    def add_many(self, articles: Iterable[Article], batch_size: int = DEFAULT_BATCH,
                 progress: ProgressCallback | None = None, *, replace: bool = False,
                 workers: int | None = None) -> AddReport:
        """Index a stream, one transaction per batch, sketching a batch at a time (in worker processes, one per
        idle core, or as `workers` says: each signs a part of the batch, of SPLIT_SMALLEST articles or more, while
        this process stores the batch before).

        If the stream fails (bad input, an id conflict), the batches already committed stay and the
        open batch is dropped whole: the index never holds part of a batch.
        """
        report = AddReport()
        for parts in _signed_batches(_unique_ids(articles), self.config, workers, batch_size):
            encodings = [encoded for _, (_, encoded) in parts]
            batch = _Signed.of([(part, part_signed) for part, (part_signed, _) in parts], self.config,
                               None if None in encodings else [item for encoded in encodings for item in encoded])
            done = self._add_batch(batch, replace=replace)
            report.added += done.added
            report.already_indexed += done.already_indexed
            report.replaced += done.replaced
            if progress:
                progress(report)
        return report

    def remove(self, article_id: str) -> bool:
        """Drop an article; False if the index did not hold it."""
        return not self.remove_many([article_id])

    def remove_many(self, ids: Iterable[str]) -> list[str]:
        """Drop articles in one transaction; returns the ids the index did not hold."""
        wanted = list(dict.fromkeys(ids))
        with self._store.writing():
            found = self._store.load(wanted)
            self._drop(found)
        held = {entry.article.id for entry in found}
        return [article_id for article_id in wanted if article_id not in held]

    def get(self, article_id: str) -> Article:
        """The stored article, with its paragraphs as the outlet wrote them (KeyError if absent)."""
        found = self._store.load([article_id])
        if not found:
            raise KeyError(article_id)
        return found[0].article

    def minhashes(self, article_id: str) -> list[LeanMinHash]:
        """The MinHash signatures of the article's LSH chunks (the ones its buckets come from), as datasketch
        MinHashes. Signatures are not stored: they are recomputed from the stored text."""
        units = units_batch([self.get(article_id).paragraphs], self.config.ngram)
        signatures = self._hasher.signatures(units.shingles, units.chunk_shingle_offsets())
        return [self._hasher.to_datasketch(row) for row in signatures]

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and bool(self._store.load([article_id]))

    def __len__(self) -> int:
        return self._store.count()

    def ids(self) -> Iterator[str]:
        return self._store.ids()

    def articles(self, chunk: int = 256) -> StoredArticles:
        """Every stored article, oldest first, read a chunk at a time (or, by a scan's workers, a range each)."""
        return StoredArticles(self, chunk)

    def _each_article(self, chunk: int) -> Iterator[Article]:
        pending: list[str] = []
        for article_id in self._store.ids():
            pending.append(article_id)
            if len(pending) >= chunk:
                yield from (entry.article for entry in self._store.load(pending))
                pending = []
        yield from (entry.article for entry in self._store.load(pending))

    def stats(self) -> dict[str, int | str]:
        """Sizes as numbers, parameters as stored."""
        meta = self._store.read_meta() or {}
        numeric = {name: int(value) if value.isdigit() else value for name, value in meta.items()}
        return {**self._store.stats(), **numeric}

    def integrity_problems(self, full: bool = True) -> list[str]:
        """Empty when the backend is sound and every stored article decodes and passes its checksum.
        ``full`` adds the backend's own deep check (SQLite's integrity_check; Redis: every bucket entry)."""
        return self._store.integrity_problems(full)

    @property
    def location(self) -> str:
        return self._store.location

    # --- the steps ----------------------------------------------------------------------------------

    def _sign(self, articles: list[Article]) -> _Signed:
        return _Signed.of([(articles, sign_batch(articles, self.config, self._hasher))], self.config)

    def _add_batch(self, signed: _Signed, *, replace: bool) -> AddReport:
        """Store a batch in one write section: id checks, furniture for the whole batch, then the rows."""
        report = AddReport()
        articles = signed.articles
        with self._store.writing():
            stored = {entry.article.id: entry for entry in self._store.load([a.id for a in articles])}
            fresh: list[int] = []
            replaced: list[Entry] = []
            for index, article in enumerate(articles):
                old = stored.get(article.id)
                if old is not None and old.article.paragraphs == article.paragraphs:
                    report.already_indexed += 1
                    continue
                if old is not None:
                    if not replace:
                        raise _id_conflict(article.id)
                    replaced.append(old)
                fresh.append(index)
            gone = {entry.article.id for entry in replaced}
            self._drop(replaced, refresh=False)
            furniture, judged = self._judge_batch(signed, fresh, gone)
            leaving = {f for entry in replaced for f in entry.carried_fingerprints()} - judged
            self._store.set_furniture(judged | leaving, furniture | self._rejudge(leaving, gone))
            banded, buckets = signed.bucketed(furniture)
            self._store.put([Entry(article=articles[index], evidence=signed.arrays[index], banded=banded[index],
                                   buckets=buckets[index], encoded=signed.encoded and signed.encoded[index])
                             for index in fresh])
        report.added = len(fresh)
        report.replaced = [entry.article.id for entry in replaced]
        return report

    def _judge_batch(self, signed: _Signed, fresh: list[int], gone: set[str]) -> tuple[set[int], set[int]]:
        """(furniture, judged): every fingerprint of the batch's `fresh` articles carried by two articles or more,
        stored or new, judged over its stored carriers (oldest first, at most furniture_sample) and the batch's."""
        carried_by = {index: signed.carried(index) for index in fresh}
        carried = {f for found in carried_by.values() for f in found}
        if not carried:
            return set(), set()
        stored = self._carriers(carried, gone)
        in_batch = Counter(f for found in carried_by.values() for f in found)
        recurring = {f for f in carried if in_batch[f] + len(stored.get(f, ())) >= 2}
        if not recurring:
            return set(), set()
        involved = [(signed.articles[i], signed.arrays[i]) for i in fresh if not recurring.isdisjoint(carried_by[i])]
        return self._learn(involved, {f: stored.get(f, []) for f in recurring}), recurring

    def _carriers(self, fingerprints: Iterable[int], gone: set[str]) -> dict[int, list[str]]:
        """Stored carriers (oldest furniture_sample) of each fingerprint, leaving out the articles in `gone`."""
        limit = self.config.furniture_sample
        found = self._store.carriers(sorted(fingerprints), limit + len(gone))
        return {f: kept[:limit] for f, ids in found.items() if (kept := [i for i in ids if i not in gone])}

    def _learn(self, new: list[tuple[Article, Mapping[str, np.ndarray]]], carriers: dict[int, list[str]]) -> set[int]:
        """The fingerprints among `carriers` that the furniture rule calls furniture, given their stored carriers
        and the `new` articles with their evidence arrays (stored ones first, oldest first: the order a scan of
        the same articles sees them in)."""
        if not carriers:
            return set()
        own = {article.id for article, _ in new}
        others = sorted(self._store.load(sorted({i for ids in carriers.values() for i in ids} - own)),
                        key=lambda entry: entry.seq)
        columns = SketchColumns()
        columns.add_stored([*(entry.article for entry in others), *(article for article, _ in new)],
                           [*(entry.evidence for entry in others), *(arrays for _, arrays in new)])
        return learn_furniture_columns(columns, self.config) & carriers.keys()

    def _rejudge(self, fingerprints: set[int], gone: set[str]) -> set[int]:
        """The furniture among fingerprints whose carriers lost the articles in `gone`."""
        return self._learn([], self._carriers(fingerprints, gone)) if fingerprints else set()

    def _drop(self, entries: list[Entry], refresh: bool = True) -> None:
        """Remove stored entries (inside a write section); `refresh` re-judges the furniture they carried.
        Their buckets are not stored: signing their stored text again gives them."""
        if not entries:
            return
        buckets = self._sign([entry.article for entry in entries]).buckets([entry.banded for entry in entries])
        for index, entry in enumerate(entries):
            entries[index] = Entry(article=entry.article, evidence=entry.evidence, banded=entry.banded, seq=entry.seq,
                                   buckets=buckets[index])
        self._store.remove(entries)
        if refresh:
            gone = {entry.article.id for entry in entries}
            touched = {f for entry in entries for f in entry.carried_fingerprints()}
            self._store.set_furniture(touched, self._rejudge(touched, gone))

    def _template(self, terms: np.ndarray, joining: list[np.ndarray], leaving: list[Entry]) -> np.ndarray:
        """The template vocabulary among `terms` (sorted int64), as a scan of the stored articles, with articles
        holding the `joining` terms in and the `leaving` entries out, would learn it (see
        ScanConfig.template_term_share): their stored holders, adjusted, against the threshold. Only these
        terms' counts are read; the article count only when a term could reach the threshold."""
        holders = self._store.term_holders(terms)
        for held, sign in chain(((held, 1) for held in joining), ((entry.held_terms(), -1) for entry in leaving)):
            holders += sign * np.isin(terms, held, assume_unique=True)
        least, share = self.config.template_term_articles, self.config.template_term_share
        if not len(holders) or holders.max() < least:
            return np.empty(0, dtype=np.uint32)
        articles = self._store.count() + len(joining) - len(leaving)
        return template_terms(articles, terms.astype(np.uint32), holders, share, least)

    def _assess(self, signed: _Signed, namesake: list[Entry]) -> Verdict:
        """Furniture of the article (a batch of one: stored verdicts, and its other recurring paragraphs judged
        now), then its candidates, each verified from its stored evidence arrays, the template vocabulary of the
        index with this article in (and its stored `namesake`, if any, out) left out of both sides' terms. Its
        stored namesake is no candidate."""
        article, arrays = signed.articles[0], signed.arrays[0]
        carried = signed.carried(0)
        known = self._store.furniture(carried)
        questions = [f for f in carried if f not in known]
        learned = self._learn([(article, arrays)], self._carriers(questions, {article.id})) if questions else set()
        furniture = known | learned
        (buckets,) = signed.bucketed(furniture)[1]
        candidates = [entry for entry in self._store.candidates(buckets, self.config.max_bucket)
                      if entry.article.id != article.id]
        if not candidates:
            return Verdict(id=article.id, matches=())
        theirs = set(carried_fingerprints(np.concatenate([entry.evidence["shingle_sizes"] for entry in candidates]),
                                          np.concatenate([entry.fingerprints for entry in candidates])))
        their_furniture = self._store.furniture(theirs - set(questions)) | (learned & theirs)
        # The checked article first, then its candidates: one block, verified as a scan verifies a batch of pairs.
        pair = SketchColumns()
        pair.add_stored([article, *(entry.article for entry in candidates)],
                        [arrays, *(entry.evidence for entry in candidates)])
        fingerprints = pair.column("fingerprints")
        mine = len(arrays["fingerprints"])
        pair.settle(np.concatenate([np.isin(fingerprints[:mine], _fingerprint_array(furniture)),
                                    np.isin(fingerprints[mine:], _fingerprint_array(their_furniture))]))
        held = held_terms(arrays["terms"])
        # The distinct terms of both sides: held_terms of all their terms at once (the union of each one's).
        template = self._template(held_terms(np.concatenate([arrays["terms"], *(entry.evidence["terms"]
                                                                                 for entry in candidates)])),
                                  [held], namesake)
        pair.drop_terms(template)
        others = np.arange(1, len(candidates) + 1)
        links = verify_batch(list(pair.ids()), pair.evidence_batch(np.arange(len(candidates) + 1)),
                             np.zeros_like(others), others, self.config)
        matches = [Match.of(link, entry.article) for link, entry in zip(links, candidates, strict=True)
                   if link is not None and link.kind != QUOTES]
        matches.sort(key=lambda m: (m.kind not in DUPLICATE_KINDS, -max(m.new_in_match, m.match_in_new), m.id))
        return Verdict(id=article.id, matches=tuple(matches))


@dataclass(slots=True)
class _Signed:
    """A batch of articles signed once (in one part or several), in the shapes the index works on: each article's
    evidence arrays (its part of the scan's columns: what is stored), and its LSH chunks and band keys."""

    articles: list[Article]
    arrays: list[dict[str, np.ndarray]]
    proposing: np.ndarray
    """Per article: whether its whole text has buckets (not if it links with nothing, see verify.never_links)."""
    chunk_starts: np.ndarray
    """Article i owns chunks ``chunk_starts[i]:chunk_starts[i + 1]`` of the batch."""
    chunk_fingerprint: np.ndarray
    """Per chunk: the fingerprint of its paragraph."""
    chunk_sized: np.ndarray
    """Per chunk: whether it has shingles (one without proposes nothing)."""
    chunk_keys: np.ndarray
    """Per chunk: its band keys (a row each)."""
    document_keys: np.ndarray
    """Per article: its whole text's band keys (a row each)."""
    chunk_bands: int
    encoded: list[tuple[str, EncodedArrays]] | None = None
    """Per article, its record and evidence arrays encoded for storage, when a worker did it (see _sign)."""

    @classmethod
    def of(cls, parts: Sequence[tuple[Sequence[Article], SignedBatch]], config: ScanConfig,
           encoded: list[tuple[str, EncodedArrays]] | None = None) -> _Signed:
        """The batch of these consecutive `parts`, each signed on its own (by sign_batch)."""
        columns = SketchColumns()
        starts, fingerprints, sized = [np.zeros(1, dtype=np.int64)], [], []
        for articles, signed in parts:
            columns.add(articles, signed)
            units = signed.units
            paragraph = units.sentence_paragraph[units.chunk_offsets[:-1]]
            article = np.searchsorted(units.paragraph_offsets, paragraph, side="right") - 1
            starts.append(np.searchsorted(article, np.arange(1, len(articles) + 1)) + starts[-1][-1])
            fingerprints.append(units.fingerprints[paragraph])
            sized.append(np.diff(units.chunk_shingle_offsets()) > 0)
        return cls(articles=[article for articles, _ in parts for article in articles],
                   arrays=[columns.article_arrays(index) for index in range(len(columns))],
                   proposing=~never_links(columns.evidence_sizes()[0], columns.column("words"), config),
                   chunk_starts=np.concatenate(starts), chunk_fingerprint=np.concatenate(fingerprints),
                   chunk_sized=np.concatenate(sized), chunk_keys=np.concatenate([s.keys for _, s in parts]),
                   document_keys=np.concatenate([s.document_keys for _, s in parts]),
                   chunk_bands=config.bands_rows[0], encoded=encoded)

    def one(self, index: int) -> _Signed:
        """Article `index` of the batch, as a batch of one (its arrays are views into this batch's)."""
        start, stop = self.chunk_starts[index : index + 2].tolist()
        return _Signed(articles=[self.articles[index]], arrays=[self.arrays[index]],
                       proposing=self.proposing[index : index + 1], chunk_starts=np.array([0, stop - start]),
                       chunk_fingerprint=self.chunk_fingerprint[start:stop], chunk_sized=self.chunk_sized[start:stop],
                       chunk_keys=self.chunk_keys[start:stop], document_keys=self.document_keys[index : index + 1],
                       chunk_bands=self.chunk_bands)

    def carried(self, index: int) -> list[int]:
        return carried_fingerprints(self.arrays[index]["shingle_sizes"], self.arrays[index]["fingerprints"])

    def bucketed(self, furniture: set[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per article: the chunks that propose candidates, numbered within it (with shingles, outside furniture
        paragraphs: what a scan proposes), and its buckets (see :meth:`buckets`). One pass over the batch."""
        is_furniture = np.isin(self.chunk_fingerprint, _fingerprint_array(furniture))
        chunks = np.flatnonzero(self.chunk_sized & ~is_furniture)
        bounds = np.searchsorted(chunks, self.chunk_starts)
        banded = [chunks[start:stop] - first for start, stop, first
                  in zip(bounds[:-1].tolist(), bounds[1:].tolist(), self.chunk_starts[:-1].tolist(), strict=True)]
        return banded, self.buckets(banded)

    def buckets(self, banded: list[np.ndarray]) -> list[np.ndarray]:
        """Per article, given its `banded` chunks (numbered within it): their buckets, and its whole text's unless
        it links with nothing (the scan proposes near-identical re-sends by their whole text, even when every line
        is furniture)."""
        sizes = [len(chunks) for chunks in banded]
        chunks = np.repeat(self.chunk_starts[:-1], sizes) + (np.concatenate(banded).astype(np.int64) if banded
                                                            else np.empty(0, dtype=np.int64))
        proposing = np.flatnonzero(self.proposing)
        keys = np.concatenate([bucket_keys(self.chunk_keys[chunks]),
                               bucket_keys(self.document_keys[proposing], first_band=self.chunk_bands)])
        owner = np.concatenate([np.repeat(np.repeat(np.arange(len(banded)), sizes), self.chunk_bands),
                                np.repeat(proposing, self.document_keys.shape[1])])
        order = np.argsort(owner, kind="stable")
        keys, bounds = keys[order], np.searchsorted(owner[order], np.arange(len(banded) + 1))
        return [keys[start:stop] for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]


def _fingerprint_array(fingerprints: set[int]) -> np.ndarray:
    return np.fromiter(fingerprints, dtype=np.uint64, count=len(fingerprints))


def parameters(config: ScanConfig) -> dict[str, str]:
    """What must match between an index and the run that opens it."""
    bands, rows = config.bands_rows
    return {"format": FORMAT_VERSION, "scheme": SCHEME, "num_perm": str(config.num_perm), "seed": str(config.seed),
            "ngram": str(config.ngram), "bands": str(bands), "rows": str(rows)}


def _agree_on_parameters(store: Store, wanted: dict[str, str], create: bool) -> None:
    meta = store.read_meta()
    if meta is None and create:
        with store.writing():
            meta = store.read_meta()
            if meta is None:
                store.create(wanted)
                return
    if meta is None:
        raise IndexStoreError(f"{store.location}: not a syndicate index (no parameters stored)")
    if meta.get("format") != wanted["format"]:
        raise IndexStoreError(f"{store.location}: index format {meta.get('format')}, this version of syndicate "
                              f"reads format {wanted['format']}: rebuild it with `syndicate index add`")
    differing = [f"{name}={meta.get(name)!r} (this run: {value!r})" for name, value in wanted.items()
                 if meta.get(name) != value]
    if differing:
        raise IndexStoreError(f"{store.location}: index was built with other parameters: {', '.join(differing)}; "
                              "rebuild it or run with the same settings")


@dataclass(frozen=True, slots=True)
class StoredRange:
    """The articles stored with seqs `first` to `last` in the SQLite index at `path`: a share a worker reads."""

    path: str
    first: int
    last: int


class StoredArticles(Iterator[Article]):
    """Every stored article, oldest first (:meth:`Index.articles`); a scan's workers may read them instead, a range
    each (:meth:`ranges`), rather than have this process read and send them."""

    def __init__(self, index: Index, chunk: int) -> None:
        self._index = index
        self._articles = index._each_article(chunk)
        self._started = False

    def __next__(self) -> Article:
        self._started = True
        return next(self._articles)

    def ranges(self, size: int) -> list[StoredRange] | None:
        """The stored articles in runs of `size`, for :func:`read_stored_range`, where the index is a SQLite file;
        None for Redis, or once reading here has begun."""
        from .sqlite_store import SQLiteStore

        store = self._index._store
        if self._started or not isinstance(store, SQLiteStore):
            return None
        self._started = True
        return [StoredRange(store.location, first, last) for first, last in store.seq_ranges(size)]


def read_stored_range(part: StoredRange) -> list[Article]:
    """The articles of a stored range, oldest first (in a worker: through a connection of its own)."""
    from .sqlite_store import read_stored

    return read_stored(part.path, part.first, part.last)


def _id_conflict(article_id: str) -> IdConflictError:
    return IdConflictError(f"id {article_id!r} is already indexed with different text; it is never replaced "
                           "implicitly (give --replace to replace it)")


_Prepared = tuple[SignedBatch, list[tuple[str, EncodedArrays]] | None]
"""A batch signed, with each article's record JSON and evidence arrays encoded for storage (or None)."""


def _signed_batches(articles: Iterable[Article], config: ScanConfig, workers: int | None,
                    size: int) -> Iterator[list[tuple[tuple[Article, ...], _Prepared]]]:
    """Each batch of `size` articles, as its parts with their signed arrays and their articles encoded for storage,
    in input order. With worker processes, a batch is cut into a part per worker (each of SPLIT_SMALLEST articles or
    more) and the workers sign them at once, and the batches after while this process stores one; in this process,
    a batch is one part."""
    pending = batches(articles, size)
    head = list(islice(pending, 2))
    engine = LocalEngine(workers)
    pooled = engine.workers > 1 and bool(head) and (len(head) > 1 or _part_count(head[0], engine.workers) > 1)
    handed: deque[tuple[tuple[Article, ...], bool]] = deque()

    def tasks() -> Iterator[tuple[Article, ...]]:
        for batch in chain(head, pending):
            parts = _shares(batch, _part_count(batch, engine.workers) if pooled else 1)
            for number, part in enumerate(parts, start=1):
                handed.append((part, number == len(parts)))
                yield part

    # Encoding for storage is worth moving only into a worker; in this process the driver encodes as it stores.
    done: list[tuple[tuple[Article, ...], _Prepared]] = []
    for signed in engine.map(_sign, (config, pooled), tasks(), inline=not pooled):
        part, last = handed.popleft()
        done.append((part, signed))
        if last:
            yield done
            done = []


def _check_part(context: tuple[str, str, ScanConfig], articles: tuple[Article, ...]) -> list[Verdict]:
    """The verdicts on a part of a check_many, in a worker: through a connection of its own (none crosses a
    fork), opened for the part and closed after it."""
    target, namespace, config = context
    with Index.open(target, config, create=False, namespace=namespace) as index:
        signed = index._sign(list(articles))
        return [index._check(signed.one(number)) for number in range(len(articles))]


def _part_count(batch: tuple[Article, ...], workers: int) -> int:
    """Parts the workers sign `batch` in: one a worker, of SPLIT_SMALLEST articles or more."""
    return max(1, min(workers, len(batch) // SPLIT_SMALLEST))


def _shares(batch: tuple[Article, ...], parts: int) -> list[tuple[Article, ...]]:
    """`batch` in `parts` consecutive runs of (nearly) equal size (one run when `parts` is below 2)."""
    bounds = np.linspace(0, len(batch), max(1, parts) + 1).round().astype(int).tolist()
    return [batch[start:stop] for start, stop in pairwise(bounds)]


def _sign(context: tuple[ScanConfig, bool], batch: tuple[Article, ...]) -> _Prepared:
    """A batch signed and, when `context` says to encode, each article's record and evidence arrays encoded: the
    part of storing it that does not depend on the index, done in a worker beside the driver's writes."""
    config, encode = context
    signed = sign_batch(batch, config, shared_hasher(config.num_perm, config.seed))
    if not encode:
        return signed, None
    arrays = _Signed.of([(batch, signed)], config).arrays
    return signed, [(article_json(article), EncodedArrays.of(evidence))
                    for article, evidence in zip(batch, arrays, strict=True)]


def _unique_ids(articles: Iterable[Article]) -> Iterator[Article]:
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            raise InputError(article.id, "the same id twice in one input (ids must be unique)")
        seen.add(article.id)
        yield article


__all__ = ["AddReport", "IdConflictError", "Index", "IndexStoreError", "Match", "StoredArticles", "StoredRange",
           "Verdict", "parameters", "read_stored_range"]
