"""A persistent index that answers "is this article a copy of one we hold?" one article at a time.

It runs the same steps as ``scan``, with the same functions, on a small set of articles pulled
from a backend (:mod:`.sqlite_store` or :mod:`.redis_store`):

1. sketch the new article (``sketch_article``: shingles, fingerprints, paragraph band keys);
2. furniture, learned incrementally: for each paragraph of the new article that other articles
   already carry, ``learn_furniture`` runs on the new article plus those carriers (at most
   ``furniture_sample`` per paragraph, oldest first). The rule only ever looks at a paragraph's
   carriers, so this is the decision ``scan`` would make on the same articles. Verdicts are
   stored and re-judged whenever a paragraph's carriers change (an add, a replace, a remove);
   a check trusts the stored "furniture" verdicts and judges the other recurring paragraphs;
3. candidates: articles with an evidence paragraph in one of the new article's LSH buckets
   (``band_keys``; at most ``max_bucket`` per bucket, oldest first);
4. exact verification of each candidate with ``verify``, after leaving out the candidate's own
   furniture paragraphs (``build_evidence``).

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
from ..config import ScanConfig
from ..furniture import furniture_mask, learn_furniture
from ..sign import SCHEME, MinHasher
from ..sketch import ArticleSketch, build_evidence, sketch_article
from ..verify import verify
from .store import FORMAT_VERSION, Entry, IndexStoreError, Store, carried_fingerprints

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class Match:
    """An indexed article the checked one reuses (or that reuses it), with the exact overlap."""

    id: str
    kind: str
    """'copy' or 'rewrite', by the rule in syndicate.verify."""
    jaccard: float
    containment_new_in_match: float
    """Share of the checked article's evidence shingles found in the indexed one."""
    containment_match_in_new: float
    shared_paragraphs: int

    def to_dict(self) -> dict:
        return {"id": self.id, "kind": self.kind, "jaccard": round(self.jaccard, 4),
                "containment_new_in_match": round(self.containment_new_in_match, 4),
                "containment_match_in_new": round(self.containment_match_in_new, 4),
                "shared_paragraphs": self.shared_paragraphs}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one article. ``duplicate`` is True when some indexed article is a *copy*;
    rewrites are listed in ``matches`` but do not make an article a duplicate."""

    id: str
    matches: tuple[Match, ...]

    @property
    def duplicate(self) -> bool:
        return any(match.kind == "copy" for match in self.matches)

    @property
    def copies(self) -> tuple[Match, ...]:
        return tuple(match for match in self.matches if match.kind == "copy")

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

    def rechecked_all(self, sketch: ArticleSketch) -> bool:
        return self.judged >= set(carried_fingerprints(sketch.shingles, sketch.fingerprints))


@dataclass(slots=True)
class _Prepared:
    """A new article sketched and signed, before it meets the index."""

    article: Article
    sketch: ArticleSketch
    signatures: np.ndarray
    furniture: _Furniture | None = None


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
        sketch = sketch_article(article, self.config, self._hasher)
        signatures = self._hasher.signatures(sketch.shingles.values, sketch.shingles.offsets)
        return _Prepared(article, sketch, signatures)

    def _commit(self, batch: list[_Prepared]) -> int:
        with self._store.writing():
            for prepared in batch:
                self._put(prepared)
        return len(batch)

    def _furniture_of(self, sketch: ArticleSketch, recheck_known: bool) -> _Furniture:
        """Judge the article's recurring paragraphs with learn_furniture over it and their other carriers.

        Paragraphs stored as furniture are taken as such unless `recheck_known` (adds re-judge them,
        because the new carrier may change the verdict; checks trust the stored one, which is cheap).
        """
        carried = carried_fingerprints(sketch.shingles, sketch.fingerprints)
        known = self._store.furniture(carried)
        questions = set(carried) if recheck_known else {f for f in carried if f not in known}
        carriers = {f: [i for i in ids if i != sketch.id]
                    for f, ids in self._store.carriers(sorted(questions), self.config.furniture_sample).items()}
        learned = self._learn([sketch], carriers)
        return _Furniture(paragraphs=(known - questions) | learned, judged=questions, found=learned)

    def _learn(self, sketches: list[ArticleSketch], carriers: dict[int, list[str]]) -> set[int]:
        """The fingerprints among `carriers` that the furniture rule calls furniture, given their carriers."""
        wanted = {i for ids in carriers.values() for i in ids} - {s.id for s in sketches}
        if not wanted:
            return set()
        others = [_sketch_of(entry) for entry in self._store.load(sorted(wanted))]
        return learn_furniture([*sketches, *others], self.config) & carriers.keys()

    def _refresh_furniture(self, fingerprints: set[int]) -> None:
        """Re-judge fingerprints whose carriers changed (an article carrying them left the index)."""
        if fingerprints:
            carriers = self._store.carriers(sorted(fingerprints), self.config.furniture_sample)
            self._store.set_furniture(fingerprints, self._learn([], carriers))

    def _evidence_of(self, sketch: ArticleSketch, furniture: set[int]) -> ArticleSketch:
        sketch.evidence = build_evidence(sketch.shingles, furniture_mask(sketch, furniture))
        return sketch

    def _assess(self, prepared: _Prepared, recheck_known: bool) -> Verdict:
        sketch = prepared.sketch
        furniture = prepared.furniture = self._furniture_of(sketch, recheck_known)
        self._evidence_of(sketch, furniture.paragraphs)
        usable = np.flatnonzero(sketch.evidence.paragraph_sizes > 0)
        candidates = self._store.load(self._store.candidates(sketch.band_keys[usable], self.config.max_bucket))
        their_fingerprints = {f for entry in candidates for f in entry.carried_fingerprints()}
        their_furniture = (self._store.furniture(sorted(their_fingerprints - furniture.judged))
                           | (furniture.found & their_fingerprints))
        matches = []
        for entry in candidates:
            other = self._evidence_of(_sketch_of(entry), their_furniture)
            link = verify(sketch.id, sketch.evidence, other.id, other.evidence, self.config)
            if link is not None:
                matches.append(Match(id=other.id, kind=link.kind, jaccard=link.jaccard,
                                     containment_new_in_match=link.containment_a_in_b,
                                     containment_match_in_new=link.containment_b_in_a,
                                     shared_paragraphs=link.shared_paragraphs))
        matches.sort(key=lambda m: (m.kind != "copy", -max(m.containment_new_in_match, m.containment_match_in_new),
                                    m.id))
        return Verdict(id=sketch.id, matches=tuple(matches))

    def _put(self, prepared: _Prepared) -> None:
        """Store the article and the furniture verdicts its arrival changed (inside a write section)."""
        sketch = prepared.sketch
        if prepared.furniture is None or not prepared.furniture.rechecked_all(sketch):
            prepared.furniture = self._furniture_of(sketch, recheck_known=True)
        furniture = prepared.furniture
        self._evidence_of(sketch, furniture.paragraphs)
        replaced = self._store.load([sketch.id])
        self._store.set_furniture(furniture.judged, furniture.found)
        banded = np.flatnonzero(sketch.evidence.paragraph_sizes > 0).astype(np.int64)
        self._store.put(Entry(article=prepared.article, shingles=sketch.shingles, fingerprints=sketch.fingerprints,
                              signatures=prepared.signatures, banded=banded, band_keys=sketch.band_keys[banded]))
        if replaced:
            self._refresh_furniture(set(replaced[0].carried_fingerprints()) - furniture.judged)


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


def _sketch_of(entry: Entry) -> ArticleSketch:
    """A stored article in the shape the furniture and verification steps take."""
    article = entry.article
    return ArticleSketch(id=article.id, outlet=article.outlet, credit=None, headlines=(), shingles=entry.shingles,
                         fingerprints=entry.fingerprints, band_keys=entry.band_keys)


__all__ = ["Index", "IndexStoreError", "Match", "Verdict", "parameters"]
