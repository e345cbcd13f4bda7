"""The small interface every index backend implements, and the record it stores.

A backend keeps articles (metadata, paragraph texts, shingles, fingerprints, signatures), the
LSH band buckets of their evidence paragraphs, the carriers of every paragraph fingerprint and
the fingerprints learned to be furniture. It decides nothing: what counts as a candidate, as
furniture or as a copy is decided once, in :mod:`syndicate.index.index`, with the same
functions ``scan`` uses. Arrays are stored as raw little-endian bytes (numpy ``tobytes``),
metadata as JSON: nothing is ever pickled.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..article import Article, article_from_record, article_record
from ..errors import SyndicateError
from ..shingle import Shingles

FORMAT_VERSION = "1"


class IndexStoreError(SyndicateError):
    """An index that cannot be opened or used: missing, corrupt, locked, or built with other parameters."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored article with everything a check needs from it."""

    article: Article
    shingles: Shingles
    fingerprints: np.ndarray
    """uint64 per paragraph (see normalise.paragraph_fingerprint)."""
    signatures: np.ndarray
    """uint32 (paragraphs x num_perm) MinHash rows, datasketch ``affine32``."""
    banded: np.ndarray
    """int64 indices of the paragraphs whose band keys are in the bucket tables."""
    band_keys: np.ndarray
    """uint64 (len(banded) x bands): the keys under which those paragraphs are bucketed."""

    def carried_fingerprints(self) -> list[int]:
        return carried_fingerprints(self.shingles, self.fingerprints)


def carried_fingerprints(shingles: Shingles, fingerprints: np.ndarray) -> list[int]:
    """Distinct fingerprints of the paragraphs that have shingles (the ones furniture learning counts)."""
    sizes = shingles.sizes().tolist()
    return sorted({int(f) for f, size in zip(fingerprints.tolist(), sizes, strict=True) if size})


class Store(Protocol):
    """What Index needs from a backend. Writes happen only inside ``writing()``."""

    def read_meta(self) -> dict[str, str] | None: ...

    def write_meta(self, meta: dict[str, str]) -> None: ...

    def writing(self) -> AbstractContextManager[None]:
        """An exclusive write section: one transaction (SQLite) or one held lock (Redis)."""
        ...

    def put(self, entry: Entry) -> None:
        """Store the entry, replacing any article with the same id."""
        ...

    def remove(self, article_id: str) -> bool: ...

    def load(self, ids: Iterable[str]) -> list[Entry]:
        """The stored entries among `ids` (missing ids are left out), in the order given."""
        ...

    def candidates(self, band_keys: np.ndarray, max_bucket: int) -> list[str]:
        """Ids of articles with a paragraph bucketed under any of these keys, at most `max_bucket` per key."""
        ...

    def carriers(self, fingerprints: Iterable[int], limit: int) -> dict[int, list[str]]:
        """Per fingerprint, the ids of up to `limit` articles carrying it, oldest first."""
        ...

    def furniture(self, fingerprints: Iterable[int]) -> set[int]: ...

    def set_furniture(self, judged: Iterable[int], furniture: Iterable[int]) -> None:
        """Record the verdicts on `judged`: those in `furniture` are furniture, the others are not."""
        ...

    def ids(self) -> Iterator[str]: ...

    def count(self) -> int: ...

    def stats(self) -> dict[str, int | str]: ...

    def integrity_problems(self) -> list[str]: ...

    def close(self) -> None: ...


class BackendBase(ABC):
    """What both backends share: errors that name the index, and reentrant write sections (only the
    outermost one begins and ends the transaction or lock, so ``check_and_add`` and a batch can
    wrap ``put`` calls that are write sections themselves)."""

    location = ""
    _backend_errors: tuple[type[Exception], ...] = ()
    _write_depth = 0

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Backend errors become IndexStoreError naming the index (exit code 2 in the CLI)."""
        try:
            yield
        except self._backend_errors as error:
            raise IndexStoreError(f"{self.location}: {error}") from error

    @abstractmethod
    def _begin_write(self) -> None:
        """Start the outermost write section (a transaction, or the writers' lock)."""

    @abstractmethod
    def _end_write(self, committed: bool) -> None:
        """Finish it: commit or roll back, release the lock."""

    @contextmanager
    def writing(self) -> Iterator[None]:
        if self._write_depth:
            self._write_depth += 1
            try:
                yield
            finally:
                self._write_depth -= 1
            return
        self._begin_write()
        self._write_depth = 1
        try:
            yield
        except BaseException:
            self._write_depth = 0
            self._end_write(committed=False)
            raise
        self._write_depth = 0
        self._end_write(committed=True)


# --- codecs shared by the backends ------------------------------------------------------------------


def article_json(article: Article) -> str:
    return json.dumps(article_record(article), ensure_ascii=False)


def article_from_json(text: str | bytes) -> Article:
    return article_from_record(json.loads(text))


def entry_blobs(entry: Entry) -> dict[str, bytes]:
    """The arrays of an entry as little-endian bytes, keyed by field name."""
    return {
        "shingles": _le(entry.shingles.values, "<u8"),
        "offsets": _le(entry.shingles.offsets, "<i8"),
        "word_counts": _le(entry.shingles.word_counts, "<i8"),
        "fingerprints": _le(entry.fingerprints, "<u8"),
        "signatures": _le(entry.signatures, "<u4"),
        "banded": _le(entry.banded, "<i8"),
        "band_keys": _le(entry.band_keys, "<u8"),
    }


def entry_from_blobs(article: Article, blobs: dict[str, bytes], num_perm: int, bands: int) -> Entry:
    paragraphs = len(article.paragraphs)
    shingles = Shingles(values=_array(blobs["shingles"], "<u8", np.uint64),
                        offsets=_array(blobs["offsets"], "<i8", np.int64),
                        word_counts=_array(blobs["word_counts"], "<i8", np.int64))
    banded = _array(blobs["banded"], "<i8", np.int64)
    return Entry(article=article, shingles=shingles,
                 fingerprints=_array(blobs["fingerprints"], "<u8", np.uint64),
                 signatures=_array(blobs["signatures"], "<u4", np.uint32).reshape(paragraphs, num_perm),
                 banded=banded,
                 band_keys=_array(blobs["band_keys"], "<u8", np.uint64).reshape(len(banded), bands))


def _le(values: np.ndarray, dtype: str) -> bytes:
    return np.ascontiguousarray(values, dtype=dtype).tobytes()


def _array(raw: bytes, dtype: str, native: type) -> np.ndarray:
    return np.frombuffer(raw, dtype=dtype).astype(native)


def signed(keys: np.ndarray) -> list[int]:
    """uint64 keys as the signed 64-bit integers SQLite stores."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).ravel().tolist()
