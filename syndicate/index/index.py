"""A persistent index that answers "does this article reuse one we hold?", and ingests archives in bulk.

It runs the same steps as ``scan``, with the same functions, on the few articles a question
involves, pulled from a backend (:mod:`.sqlite_store` or :mod:`.redis_store`):

1. sketch (``sign_batch``: shingles, fingerprints, paragraph band keys), a batch at a time,
   in worker processes when there are cores for them (``syndicate.parallel``);
2. furniture, learned incrementally: a paragraph that other articles already carry is judged by
   ``learn_furniture`` over its carriers (the stored ones, at most ``furniture_sample``, oldest
   first, and those of the batch being added). The rule only ever looks at a paragraph's
   carriers, so where a paragraph has at most ``furniture_sample`` carriers, the stored verdict
   is exactly the one a scan of the same articles reaches. Verdicts are re-judged whenever a
   paragraph's carriers change; a check trusts the stored "furniture" verdicts and judges the
   other recurring paragraphs of the article it checks;
3. candidates: articles with an evidence paragraph in one of the article's buckets (band key and
   band number; at most ``max_bucket`` per bucket, oldest first);
4. exact verification of each candidate with ``verify``, after leaving out the candidate's own
   furniture paragraphs.

Ids are never replaced implicitly: adding an id the index holds with the same text is a no-op
("already indexed"), with different text an error unless ``replace=True``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self

import numpy as np

from ..article import Article
from ..config import ScanConfig
from ..errors import InputError, SyndicateError
from ..furniture import furniture_mask, learn_furniture
from ..lsh import band_keys
from ..parallel import signed_batches
from ..sign import SCHEME, MinHasher
from ..sketch import ArticleSketch, assemble, build_evidence, sketch_article
from ..verify import Link, verify
from .store import FORMAT_VERSION, Entry, IndexStoreError, Store, bucket_keys, carried_fingerprints

if TYPE_CHECKING:
    from datasketch import LeanMinHash

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_BATCH = 4096
"""Articles per transaction in a bulk add. Measured on Reuters-21578 (paired runs, same process): 4,096 added
22 % faster than 1,024 (fewer commits rewriting the same bucket pages); a batch holds the write lock about a second."""

NEW, DUPLICATE, ALREADY_INDEXED = "new", "duplicate", "already indexed"
DUPLICATE_KINDS = frozenset({"copy"})
"""Kinds of reuse that make the checked article a duplicate; other kinds are listed but leave it new."""
KIND_DESCRIPTIONS = {
    "copy": "a copy of",
    "excerpt": "an excerpt of",
    "rewrite": "a rewrite of",
}
"""How each kind of link is said in text output (any other kind is shown by its name)."""


def link_shares(link: Link) -> tuple[float, float]:
    """(share of A's text inside B, share of B's inside A): the one place a link's reuse shares are read."""
    return link.containment_a_in_b, link.containment_b_in_a


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

    def __init__(self, store: Store, config: ScanConfig) -> None:
        self._store = store
        self.config = config
        self._hasher = MinHasher(config.num_perm, config.seed)

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
        return cls(store, config)

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
        sketch = sketch_article(article, self.config, self._hasher)
        with self._store.reading():
            if self._held_as_is(article):
                return Verdict(id=article.id, matches=(), already_indexed=True)
            return self._assess(sketch)

    def check_and_add(self, article: Article, *, replace: bool = False) -> Verdict:
        """Check, and add the article if it is not a duplicate, atomically: two workers checking the
        same new story at the same time cannot both be told it is new."""
        sketch = sketch_article(article, self.config, self._hasher)
        with self._store.writing():
            stored = self._store.load([article.id])
            if stored and stored[0].article.paragraphs == article.paragraphs:
                return Verdict(id=article.id, matches=(), already_indexed=True, added=False)
            if stored and not replace:
                raise _id_conflict(article.id)
            verdict = self._assess(sketch)
            if verdict.duplicate:
                return Verdict(id=article.id, matches=verdict.matches, added=False)
            self._add_batch([article], [sketch], replace=replace)
        return Verdict(id=article.id, matches=verdict.matches, added=True)

    def add(self, article: Article, *, replace: bool = False) -> AddReport:
        """Index one article, in one transaction."""
        return self.add_many([article], replace=replace)

    def add_many(self, articles: Iterable[Article], batch_size: int = DEFAULT_BATCH,
                 progress: ProgressCallback | None = None, *, replace: bool = False,
                 workers: int | None = None) -> AddReport:
        """Index a stream, one transaction per batch, sketching a batch at a time (in worker processes
        when there are at least syndicate.parallel.MIN_CORES cores, or as `workers` says).

        If the stream fails (bad input, an id conflict), the batches already committed stay and the
        open batch is dropped whole: the index never holds part of a batch.
        """
        report = AddReport()
        for batch, signed in signed_batches(_unique_ids(articles), self.config, self._hasher, workers, batch_size):
            done = self._add_batch(batch, assemble(batch, signed), replace=replace)
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
        """The article's paragraph signatures as datasketch MinHashes (recomputed from its stored shingles)."""
        found = self._store.load([article_id])
        if not found:
            raise KeyError(article_id)
        signatures = self._hasher.signatures(found[0].shingles.values, found[0].shingles.offsets)
        return [self._hasher.to_datasketch(row) for row in signatures]

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and bool(self._store.load([article_id]))

    def __len__(self) -> int:
        return self._store.count()

    def ids(self) -> Iterator[str]:
        return self._store.ids()

    def articles(self, chunk: int = 256) -> Iterator[Article]:
        """Every stored article, oldest first, read a chunk at a time."""
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

    def _held_as_is(self, article: Article) -> bool:
        stored = self._store.load([article.id])
        return bool(stored) and stored[0].article.paragraphs == article.paragraphs

    def _add_batch(self, articles: list[Article], sketches: list[ArticleSketch], *, replace: bool) -> AddReport:
        """Store a batch in one write section: id checks, furniture for the whole batch, then the rows."""
        report = AddReport()
        with self._store.writing():
            stored = {entry.article.id: entry for entry in self._store.load([a.id for a in articles])}
            fresh: list[tuple[Article, ArticleSketch]] = []
            replaced: list[Entry] = []
            for article, sketch in zip(articles, sketches, strict=True):
                old = stored.get(article.id)
                if old is not None and old.article.paragraphs == article.paragraphs:
                    report.already_indexed += 1
                    continue
                if old is not None:
                    if not replace:
                        raise _id_conflict(article.id)
                    replaced.append(old)
                fresh.append((article, sketch))
            gone = {entry.article.id for entry in replaced}
            self._drop(replaced, refresh=False)
            furniture, judged = self._judge_batch([sketch for _, sketch in fresh], gone)
            leaving = {f for entry in replaced for f in entry.carried_fingerprints()} - judged
            self._store.set_furniture(judged | leaving, furniture | self._rejudge(leaving, gone))
            entries = []
            for article, sketch in fresh:
                evidence = build_evidence(sketch.shingles, furniture_mask(sketch, furniture))
                banded = np.flatnonzero(evidence.paragraph_sizes > 0)
                entries.append(Entry(article=article, shingles=sketch.shingles, fingerprints=sketch.fingerprints,
                                     banded=banded, buckets=bucket_keys(sketch.band_keys[banded])))
            self._store.put(entries)
        report.added = len(fresh)
        report.replaced = [entry.article.id for entry in replaced]
        return report

    def _judge_batch(self, sketches: list[ArticleSketch], gone: set[str]) -> tuple[set[int], set[int]]:
        """(furniture, judged): every fingerprint of the batch carried by two articles or more, stored or new,
        judged over its stored carriers (oldest first, at most furniture_sample) and the batch's."""
        carried = {f for sketch in sketches for f in carried_fingerprints(sketch.shingles, sketch.fingerprints)}
        if not carried:
            return set(), set()
        stored = self._carriers(carried, gone)
        in_batch: dict[int, int] = {}
        for sketch in sketches:
            for f in carried_fingerprints(sketch.shingles, sketch.fingerprints):
                in_batch[f] = in_batch.get(f, 0) + 1
        recurring = {f for f in carried if in_batch[f] + len(stored.get(f, ())) >= 2}
        if not recurring:
            return set(), set()
        involved = [s for s in sketches if not recurring.isdisjoint(s.fingerprints.tolist())]
        return self._learn(involved, {f: stored.get(f, []) for f in recurring}), recurring

    def _carriers(self, fingerprints: Iterable[int], gone: set[str]) -> dict[int, list[str]]:
        """Stored carriers (oldest furniture_sample) of each fingerprint, leaving out the articles in `gone`."""
        limit = self.config.furniture_sample
        found = self._store.carriers(sorted(fingerprints), limit + len(gone))
        return {f: kept[:limit] for f, ids in found.items() if (kept := [i for i in ids if i not in gone])}

    def _learn(self, sketches: list[ArticleSketch], carriers: dict[int, list[str]]) -> set[int]:
        """The fingerprints among `carriers` that the furniture rule calls furniture, given their stored
        carriers and the new `sketches` (stored ones first: the order a scan would see them in)."""
        own = {s.id for s in sketches}
        wanted = sorted({i for ids in carriers.values() for i in ids} - own)
        others = [_sketch_of(entry, self.config) for entry in self._store.load(wanted)]
        return learn_furniture([*others, *sketches], self.config) & carriers.keys()

    def _rejudge(self, fingerprints: set[int], gone: set[str]) -> set[int]:
        """The furniture among fingerprints whose carriers lost the articles in `gone`."""
        return self._learn([], self._carriers(fingerprints, gone)) if fingerprints else set()

    def _drop(self, entries: list[Entry], refresh: bool = True) -> None:
        """Remove stored entries (inside a write section); `refresh` re-judges the furniture they carried."""
        if not entries:
            return
        bands, rows = self.config.bands_rows
        for index, entry in enumerate(entries):
            signatures = self._hasher.signatures(entry.shingles.values, entry.shingles.offsets)[entry.banded]
            entries[index] = Entry(article=entry.article, shingles=entry.shingles, fingerprints=entry.fingerprints,
                                   banded=entry.banded, seq=entry.seq,
                                   buckets=bucket_keys(band_keys(signatures, bands, rows)))
        self._store.remove(entries)
        if refresh:
            gone = {entry.article.id for entry in entries}
            touched = {f for entry in entries for f in entry.carried_fingerprints()}
            self._store.set_furniture(touched, self._rejudge(touched, gone))

    def _assess(self, sketch: ArticleSketch) -> Verdict:
        """Furniture of the article (stored verdicts, and its other recurring paragraphs judged now),
        then its candidates, each verified exactly. Its stored namesake, if any, is no candidate."""
        carried = carried_fingerprints(sketch.shingles, sketch.fingerprints)
        known = self._store.furniture(carried)
        questions = [f for f in carried if f not in known]
        learned = self._learn([sketch], self._carriers(questions, {sketch.id})) if questions else set()
        furniture = known | learned
        sketch.evidence = build_evidence(sketch.shingles, furniture_mask(sketch, furniture))
        usable = np.flatnonzero(sketch.evidence.paragraph_sizes > 0)
        ids = [i for i in self._store.candidates(bucket_keys(sketch.band_keys[usable]), self.config.max_bucket)
               if i != sketch.id]
        candidates = self._store.load(ids)
        theirs = {f for entry in candidates for f in entry.carried_fingerprints()}
        their_furniture = self._store.furniture(theirs - set(questions)) | (learned & theirs)
        matches = []
        for entry in candidates:
            other = _sketch_of(entry, self.config)
            other.evidence = build_evidence(other.shingles, furniture_mask(other, their_furniture))
            link = verify(sketch.id, sketch.evidence, other.id, other.evidence, self.config)
            if link is not None:
                new_in_match, match_in_new = link_shares(link)
                stored = entry.article
                matches.append(Match(id=other.id, kind=link.kind, new_in_match=new_in_match,
                                     match_in_new=match_in_new, title=stored.title, outlet=stored.outlet,
                                     date=stored.date))
        matches.sort(key=lambda m: (m.kind not in DUPLICATE_KINDS, -max(m.new_in_match, m.match_in_new), m.id))
        return Verdict(id=sketch.id, matches=tuple(matches))


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


def _id_conflict(article_id: str) -> IdConflictError:
    return IdConflictError(f"id {article_id!r} is already indexed with different text; it is never replaced "
                           "implicitly (give --replace to replace it)")


def _unique_ids(articles: Iterable[Article]) -> Iterator[Article]:
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            raise InputError(article.id, "the same id twice in one input (ids must be unique)")
        seen.add(article.id)
        yield article


def _sketch_of(entry: Entry, config: ScanConfig) -> ArticleSketch:
    """A stored article in the shape the furniture and verification steps take."""
    article = entry.article
    return ArticleSketch(id=article.id, title=article.title, outlet=article.outlet, date=article.date,
                         url=article.url, credit=None, headlines=(), shingles=entry.shingles,
                         fingerprints=entry.fingerprints,
                         band_keys=np.empty((0, config.bands_rows[0]), dtype=np.uint64))


__all__ = ["AddReport", "IdConflictError", "Index", "IndexStoreError", "Match", "Verdict", "parameters"]
