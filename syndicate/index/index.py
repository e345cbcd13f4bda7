"""A persistent index that answers "is this article a copy of one we hold?" one article at a time.

It runs the same steps as ``scan``, with the same functions and the same columnar sketches
(:class:`~syndicate.columns.SketchColumns`: the new article is a batch of one), on a small set of
articles pulled from a backend (:mod:`.sqlite_store` or :mod:`.redis_store`):

1. sketch the new article (``sign_batch``: units, fingerprints, chunk band keys);
2. furniture, learned incrementally: for each paragraph of the new article that other articles
   already carry, ``learn_furniture_columns`` runs on the new article plus those carriers (at most
   ``furniture_sample`` per paragraph, oldest first). The rule only ever looks at a paragraph's
   carriers, so this is the decision ``scan`` would make on the same articles. Verdicts are
   stored and re-judged whenever a paragraph's carriers change (an add, a replace, a remove);
   a check trusts the stored "furniture" verdicts and judges the other recurring paragraphs;
3. candidates: articles with an evidence chunk in one of the new article's LSH buckets
   (``band_keys``; at most ``max_bucket`` per bucket, oldest first);
4. ``verify`` of each candidate: the aligned passages of the two, the candidate's own furniture
   paragraphs left out.

An article whose id is already indexed is *replaced* by ``add``: its old rows go in the same
transaction, so adding the same article twice leaves one copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np

from ..article import Article
from ..columns import SketchColumns
from ..config import ScanConfig
from ..furniture import learn_furniture_columns
from ..sign import SCHEME, MinHasher
from ..sketch import SignedBatch, sign_batch
from ..verify import Link, verify
from .store import FORMAT_VERSION, Entry, IndexStoreError, Store, carried_fingerprints

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed article the checked one reuses (or that reuses it), with what their alignment shows."""

    id: str
    kind: str
    """'copy', 'excerpt' or 'rewrite', by the rules in syndicate.verify."""
    containment_new_in_match: float
    """Share of the checked article's words inside the passages aligned with the indexed one."""
    containment_match_in_new: float
    jaccard: float
    passages: int

    @classmethod
    def of(cls, link: Link) -> Match:
        """From the link verify made with the checked article as its first article."""
        return cls(id=link.b, kind=link.kind, containment_new_in_match=link.a_in_b,
                   containment_match_in_new=link.b_in_a, jaccard=link.jaccard, passages=link.passages)

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "jaccard": round(self.jaccard, 4),
                "containment_new_in_match": round(self.containment_new_in_match, 4),
                "containment_match_in_new": round(self.containment_match_in_new, 4),
                "passages": self.passages}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one article. ``duplicate`` is True when an indexed article holds most of it: a match of kind
    copy whose passages hold at least ``copy_threshold`` of the checked article. Excerpts and rewrites, and copies
    the checked article merely contains, are listed in ``matches`` but do not make it a duplicate."""

    id: str
    matches: tuple[Match, ...]
    copy_threshold: float = ScanConfig.copy_threshold

    @property
    def copies(self) -> tuple[Match, ...]:
        return tuple(m for m in self.matches if m.kind == "copy" and m.containment_new_in_match >= self.copy_threshold)

    @property
    def duplicate(self) -> bool:
        return bool(self.copies)

    def to_dict(self) -> dict:
        return {"duplicate": self.duplicate, "matches": [match.to_dict() for match in self.matches]}


@dataclass(frozen=True, slots=True)
class _Furniture:
    paragraphs: set[int]
    """Fingerprints of the article's paragraphs that are furniture."""
    judged: set[int]
    """Fingerprints judged afresh (the others were taken from the stored verdicts)."""
    found: set[int]
    """The judged fingerprints that are furniture."""


@dataclass(slots=True)
class _Prepared:
    """A new article sketched and signed, before it meets the index."""

    article: Article
    signed: SignedBatch
    columns: SketchColumns
    """The article as a batch of one."""
    furniture: _Furniture | None = None

    def carried(self) -> list[int]:
        return carried_fingerprints(self.signed.units.paragraph_shingles(), self.signed.units.fingerprints)


ProgressCallback = Callable[[int], None]


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
        bands, rows = config.bands_rows
        if str(target).startswith(REDIS_SCHEMES):
            from .redis_store import RedisStore

            store: Store = RedisStore(str(target), num_perm=config.num_perm, seed=config.seed, bands=bands, rows=rows,
                                      namespace=namespace, create=create)
        else:
            from .sqlite_store import SQLiteStore

            store = SQLiteStore(target, create=create, num_perm=config.num_perm, bands=bands)
        try:
            _agree_on_parameters(store, parameters(config), str(target), create)
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
        """What the index holds that this article copies or rewrites; the index is not changed."""
        prepared = self._prepare(article)
        with self._reading():
            return self._assess(prepared, recheck_known=False)

    def add(self, article: Article) -> None:
        """Index the article (replacing one with the same id), in one transaction."""
        prepared = self._prepare(article)
        with self._store.writing():
            self._put(prepared)

    def add_many(self, articles: Iterable[Article], batch_size: int = DEFAULT_BATCH,
                 progress: ProgressCallback | None = None) -> int:
        """Index a stream, one transaction per batch; returns how many were added.

        If the stream fails (bad input), the batches already committed stay and the open batch
        is dropped whole: the index never holds part of a batch.
        """
        added = 0
        batch: list[_Prepared] = []
        for article in articles:
            batch.append(self._prepare(article))
            if len(batch) >= batch_size:
                added += self._commit(batch)
                batch = []
                if progress:
                    progress(added)
        if batch:
            added += self._commit(batch)
            if progress:
                progress(added)
        return added

    def check_and_add(self, article: Article) -> Verdict:
        """Check, and add the article if it is not a duplicate, atomically: two workers checking the
        same new story at the same time cannot both be told it is new."""
        prepared = self._prepare(article)
        with self._store.writing():
            verdict = self._assess(prepared, recheck_known=True)
            if not verdict.duplicate:
                self._put(prepared)
        return verdict

    def remove(self, article_id: str) -> bool:
        """Drop an article; False if the index did not hold it."""
        with self._store.writing():
            found = self._store.load([article_id])
            if not found or not self._store.remove(article_id):
                return False
            self._refresh_furniture(set(found[0].carried_fingerprints()))
            return True

    def get(self, article_id: str) -> Article:
        """The stored article, with its paragraphs as the outlet wrote them (KeyError if absent)."""
        found = self._store.load([article_id])
        if not found:
            raise KeyError(article_id)
        return found[0].article

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
        return {**self._store.stats(), **(self._store.read_meta() or {})}

    def integrity_problems(self) -> list[str]:
        """Empty when the backend is sound and every row decodes."""
        return self._store.integrity_problems()

    # --- the steps ----------------------------------------------------------------------------------

    def _reading(self):
        reading = getattr(self._store, "reading", None)
        return reading() if reading else nullcontext()

    def _prepare(self, article: Article) -> _Prepared:
        signed = sign_batch([article], self.config, self._hasher)
        columns = SketchColumns()
        columns.add([article], signed)
        return _Prepared(article, signed, columns)

    def _commit(self, batch: list[_Prepared]) -> int:
        with self._store.writing():
            for prepared in batch:
                self._put(prepared)
        return len(batch)

    def _furniture_of(self, prepared: _Prepared, recheck_known: bool) -> _Furniture:
        """Judge the article's recurring paragraphs with learn_furniture_columns over it and their other carriers.

        Paragraphs stored as furniture are taken as such unless `recheck_known` (adds re-judge them,
        because the new carrier may change the verdict; checks trust the stored one, which is cheap).
        """
        carried = prepared.carried()
        known = self._store.furniture(carried)
        questions = set(carried) if recheck_known else {f for f in carried if f not in known}
        carriers = {f: [i for i in ids if i != prepared.article.id]
                    for f, ids in self._store.carriers(sorted(questions), self.config.furniture_sample).items()}
        learned = self._learn([prepared.article], carriers)
        return _Furniture(paragraphs=(known - questions) | learned, judged=questions, found=learned)

    def _learn(self, articles: list[Article], carriers: dict[int, list[str]]) -> set[int]:
        """The fingerprints among `carriers` that the furniture rule calls furniture, given their carriers."""
        wanted = {i for ids in carriers.values() for i in ids} - {a.id for a in articles}
        if not wanted:
            return set()
        others = [entry.article for entry in self._store.load(sorted(wanted))]
        return learn_furniture_columns(self._columns([*articles, *others]), self.config) & carriers.keys()

    def _columns(self, articles: list[Article]) -> SketchColumns:
        columns = SketchColumns()
        if articles:
            columns.add(articles, sign_batch(articles, self.config, self._hasher))
        return columns

    def _refresh_furniture(self, fingerprints: set[int]) -> None:
        """Re-judge fingerprints whose carriers changed (an article carrying them left the index)."""
        if fingerprints:
            carriers = self._store.carriers(sorted(fingerprints), self.config.furniture_sample)
            self._store.set_furniture(fingerprints, self._learn([], carriers))

    def _usable_chunks(self, prepared: _Prepared, furniture: set[int]) -> np.ndarray:
        """The new article's chunks with shingles outside furniture paragraphs: the ones it is bucketed under."""
        units = prepared.signed.units
        paragraph = units.sentence_paragraph[units.chunk_offsets[:-1]]
        is_furniture = np.isin(units.fingerprints, np.fromiter(furniture, np.uint64, len(furniture)))
        return np.flatnonzero((np.diff(units.chunk_shingle_offsets()) > 0) & ~is_furniture[paragraph])

    def _assess(self, prepared: _Prepared, recheck_known: bool) -> Verdict:
        article = prepared.article
        furniture = prepared.furniture = self._furniture_of(prepared, recheck_known)
        _settle(prepared.columns, furniture.paragraphs)
        usable = self._usable_chunks(prepared, furniture.paragraphs)
        candidates = [entry for entry in self._store.load(self._store.candidates(
            prepared.signed.keys[usable], self.config.max_bucket)) if entry.article.id != article.id]
        their_fingerprints = {f for entry in candidates for f in entry.carried_fingerprints()}
        their_furniture = (self._store.furniture(sorted(their_fingerprints - furniture.judged))
                           | (furniture.found & their_fingerprints))
        others = self._columns([entry.article for entry in candidates])
        _settle(others, their_furniture)
        new = prepared.columns.evidence(0)
        matches = []
        for index in range(len(others)):
            link = verify(*new, *others.evidence(index), self.config)
            if link is not None and link.kind != "quotes":
                matches.append(Match.of(link))
        matches.sort(key=lambda m: (m.kind != "copy", -max(m.containment_new_in_match, m.containment_match_in_new),
                                    m.id))
        return Verdict(id=article.id, matches=tuple(matches), copy_threshold=self.config.copy_threshold)

    def _put(self, prepared: _Prepared) -> None:
        """Store the article and the furniture verdicts its arrival changed (inside a write section)."""
        if prepared.furniture is None or not prepared.furniture.judged >= set(prepared.carried()):
            prepared.furniture = self._furniture_of(prepared, recheck_known=True)
        furniture = prepared.furniture
        replaced = self._store.load([prepared.article.id])
        self._store.set_furniture(furniture.judged, furniture.found)
        units = prepared.signed.units
        shingles = units.paragraph_shingles()
        banded = self._usable_chunks(prepared, furniture.paragraphs).astype(np.int64)
        self._store.put(Entry(article=prepared.article, shingles=shingles, fingerprints=units.fingerprints,
                              signatures=self._hasher.signatures(shingles.values, shingles.offsets), banded=banded,
                              band_keys=prepared.signed.keys[banded]))
        if replaced:
            self._refresh_furniture(set(replaced[0].carried_fingerprints()) - furniture.judged)


def _settle(columns: SketchColumns, furniture: set[int]) -> None:
    """Mark the columns' furniture paragraphs, given the furniture fingerprints."""
    columns.settle(np.isin(columns.column("fingerprints"), np.fromiter(furniture, np.uint64, len(furniture))))


def parameters(config: ScanConfig) -> dict[str, str]:
    """What must match between an index and the run that opens it."""
    bands, rows = config.bands_rows
    return {"format": FORMAT_VERSION, "scheme": SCHEME, "num_perm": str(config.num_perm), "seed": str(config.seed),
            "ngram": str(config.ngram), "bands": str(bands), "rows": str(rows)}


def _agree_on_parameters(store: Store, wanted: dict[str, str], where: str, create: bool) -> None:
    with store.writing() if create else nullcontext():
        meta = store.read_meta()
        if meta is None:
            if not create:
                raise IndexStoreError(f"{where}: not a syndicate index (no parameters stored)")
            store.write_meta(wanted)
            return
    differing = [f"{name}={meta.get(name)!r} (this run: {value!r})" for name, value in wanted.items()
                 if meta.get(name) != value]
    if differing:
        raise IndexStoreError(f"{where}: index was built with other parameters: {', '.join(differing)}; "
                              "rebuild it or run with the same settings")


__all__ = ["Index", "IndexStoreError", "Match", "Verdict", "parameters"]
