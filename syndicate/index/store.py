"""The storage layout both index backends share, and the small interface each implements.

Layout (format version ``FORMAT_VERSION``), the same on SQLite and on Redis:

* **meta**: name → value (format, MinHash scheme, num_perm, seed, ngram, bands, rows);
* **articles**, by insertion sequence number ``seq`` (oldest first): the id, the record (metadata
  and paragraphs as JSON), the evidence arrays (the article's sketch columns: sentences, shingles,
  content terms, paragraph fingerprints; see :class:`Entry`) in the named-array codec below, and a
  checksum of both (damage found on read is an error, never a verdict);
* **buckets**: (bucket, seq) for every evidence chunk (LSH chunk outside furniture) and for the whole
  article, where a bucket is a band key with its band number, ``band << 32 | fold32(key)``
  (:func:`bucket_keys`; whole-article bands are numbered after the chunk bands): one integer, the
  same key on both backends, and the scan's 32-bit band keys;
* **carriers**: (paragraph fingerprint, seq) for every paragraph with shingles;
* **furniture**: the fingerprints judged furniture;
* **terms**: content term (numbers left out) → how many stored articles hold it, each article once
  (:func:`~syndicate.terms.held_terms` of its evidence), changed in the same write section as the
  articles that add or remove them: what the template vocabulary is learnt from.

Arrays are stored with :func:`encode_arrays`: each with its name, dtype and shape, in
little-endian bytes, so a new array (sentence units, quote flags…) needs no new codec.
Nothing is pickled. The backends decide nothing: what is a candidate, furniture or a copy is
decided once, in :mod:`syndicate.index.index`, with the functions ``scan`` uses.
"""

from __future__ import annotations

import json
import math
import struct
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np
import xxhash

from ..article import Article, article_from_record, article_record
from ..errors import SyndicateError
from ..sign import fold32
from ..sorting import distinct_counts
from ..terms import held_terms

FORMAT_VERSION = "4"
"""Bumped whenever the layout changes; an index of another version is refused with what to do."""


class IndexStoreError(SyndicateError):
    """An index that cannot be opened or used: missing, damaged, locked, full, or built with other parameters."""


class IndexDamagedError(IndexStoreError):
    """Stored data that does not decode or fails its checksum."""


# --- the named-array codec ------------------------------------------------------------------------

_HEADER = struct.Struct("<I")


def encode_arrays(arrays: Mapping[str, np.ndarray]) -> bytes:
    """Arrays as one blob: a JSON header [[name, dtype, shape], …], then each array's little-endian bytes."""
    return EncodedArrays.of(arrays).blob()


@dataclass(frozen=True, slots=True)
class EncodedArrays:
    """Some arrays of a blob encoded ahead of the rest (a bulk add encodes each article's evidence in the worker
    that signed it; the driver adds the arrays that depend on the whole index, then the blob is whole)."""

    header: str
    """Their header entries, comma-separated JSON: ``["name","<u8",[3]],…``."""
    payload: bytes

    @classmethod
    def of(cls, arrays: Mapping[str, np.ndarray]) -> EncodedArrays:
        header, payload = [], []
        for name, values in arrays.items():
            values = np.asarray(values)
            little = values.astype(values.dtype.newbyteorder("<"), copy=False)
            # Compact JSON, written out: json.dumps of the whole header took twice as long (a bulk add encodes
            # every article's `banded` on its own); a dtype's str ("<u8") needs no escaping.
            header.append(f'[{json.dumps(name)},"{little.dtype.str}",[{",".join(map(str, values.shape))}]]')
            payload.append(np.ascontiguousarray(little).tobytes())
        return cls(",".join(header), b"".join(payload))

    def blob(self, more: Mapping[str, np.ndarray] | None = None) -> bytes:
        """The blob of these arrays and then `more` (see :func:`encode_arrays`)."""
        parts = [self, EncodedArrays.of(more)] if more else [self]
        head = f"[{','.join(part.header for part in parts if part.header)}]".encode()
        return b"".join([_HEADER.pack(len(head)), head, *(part.payload for part in parts)])


def decode_arrays(blob: bytes) -> dict[str, np.ndarray]:
    """The arrays of :func:`encode_arrays`, in native byte order; ValueError if the blob is inconsistent.

    The arrays are views into one writable copy of the blob's payload (a check decodes about a hundred arrays:
    one copy each took half the time)."""
    view = memoryview(blob)
    if len(view) < _HEADER.size:
        raise ValueError("array blob too short")
    (size,) = _HEADER.unpack_from(view)
    header = json.loads(bytes(view[_HEADER.size : _HEADER.size + size]))
    payload = bytearray(view[_HEADER.size + size :])
    total, position = len(payload), 0
    arrays: dict[str, np.ndarray] = {}
    # Written for the common case, one dimension and a native byte order: a check that meets a few hundred
    # candidates decodes a few thousand arrays (40 -> 25 µs an article, benchmarks/RESULTS.md section 28).
    for name, dtype, shape in header:
        kind = _dtype(dtype)
        flat = len(shape) == 1
        if flat:
            count = shape[0]
            if type(count) is not int or count < 0:
                raise ValueError(f"array {name!r} has the shape {shape!r}")
        else:
            if not all(type(size) is int and size >= 0 for size in shape):
                raise ValueError(f"array {name!r} has the shape {shape!r}")
            count = math.prod(shape)  # not np.prod: it costs 15 µs a call
        end = position + count * kind.itemsize
        if end > total:
            raise ValueError(f"array {name!r} runs past the end of the blob")
        values = np.frombuffer(payload, dtype=kind, count=count, offset=position)
        if not kind.isnative:
            values = values.astype(kind.newbyteorder("="))
        arrays[name] = values if flat else values.reshape(shape)
        position = end
    if position != total:
        raise ValueError(f"{total - position} bytes after the last array")
    return arrays


@lru_cache(maxsize=64)
def _dtype(name: str) -> np.dtype:
    return np.dtype(name)


# --- records ----------------------------------------------------------------------------------------


def article_json(article: Article) -> str:
    return json.dumps(article_record(article), ensure_ascii=False)


def article_from_json(text: str | bytes) -> Article:
    return article_from_record(json.loads(text))


def checksum(record: str | bytes, arrays: bytes) -> int:
    """What a stored article must hash to (xxh3-64 of its record and arrays), as a signed 64-bit integer."""
    raw = record.encode() if isinstance(record, str) else record
    return _signed_one(xxhash.xxh3_64_intdigest(arrays, seed=len(raw)) ^ xxhash.xxh3_64_intdigest(raw))


@dataclass(frozen=True, slots=True)
class Entry:
    """One stored article with everything a check needs from it: its record and its evidence arrays."""

    article: Article
    evidence: Mapping[str, np.ndarray]
    """The article's sketch columns, as :meth:`syndicate.columns.SketchColumns.article_arrays` gives them and
    :meth:`~syndicate.columns.SketchColumns.add_stored` takes them: per paragraph its fingerprint and shingle
    count, per sentence its units, the distinct shingles and content terms. Verification and furniture learning
    read these; the text is never signed again for a check."""
    banded: np.ndarray
    """Indices of the article's LSH chunks whose buckets are stored (those outside furniture when it was added)."""
    seq: int = 0
    """Insertion sequence number (0 until stored)."""
    buckets: np.ndarray | None = field(default=None, compare=False)
    """int64 bucket keys: given when writing, recomputed from the text for removal (not stored)."""
    encoded: tuple[str, EncodedArrays] | None = field(default=None, compare=False)
    """The record JSON and evidence arrays already encoded (by the worker that signed the article), or None."""

    @property
    def fingerprints(self) -> np.ndarray:
        """uint64 per paragraph (see normalise.paragraph_fingerprint)."""
        return self.evidence["fingerprints"]

    def carried_fingerprints(self) -> list[int]:
        return carried_fingerprints(self.evidence["shingle_sizes"], self.fingerprints)

    def held_terms(self) -> np.ndarray:
        """Its distinct content terms, numbers left out (what the stored term counts count)."""
        return held_terms(self.evidence["terms"])

    def arrays(self) -> dict[str, np.ndarray]:
        return {**self.evidence, "banded": self.banded.astype(np.int32)}

    def record(self) -> tuple[str, bytes, int]:
        """(record JSON, arrays blob, checksum) as stored."""
        if self.encoded is None:
            record, arrays = article_json(self.article), encode_arrays(self.arrays())
        else:
            record, evidence = self.encoded
            arrays = evidence.blob({"banded": self.banded.astype(np.int32)})
        return record, arrays, checksum(record, arrays)


EVIDENCE_ARRAYS = ("fingerprints", "shingle_sizes", "sentence_paragraph", "sentence_words", "sentence_quoted",
                   "sentence_keys", "values", "owner", "term_offsets", "terms")


def entry_from_stored(seq: int, record: str | bytes, arrays: bytes, stored_checksum: int, where: str) -> Entry:
    """An Entry from its stored columns; IndexDamagedError naming the row if anything is off."""
    article = stored_article(seq, record, arrays, stored_checksum, where)
    try:
        data = decode_arrays(arrays)
        banded = data.pop("banded").astype(np.int64)
        if sorted(data) != sorted(EVIDENCE_ARRAYS):
            raise ValueError(f"arrays {sorted(data)}, expected {sorted(EVIDENCE_ARRAYS)}")
        sentences = len(data["sentence_words"])
        if (len(data["fingerprints"]) != len(article.paragraphs) or len(data["term_offsets"]) != sentences + 1
                or len(data["owner"]) != len(data["values"])):
            raise ValueError("arrays do not match the paragraphs")
        entry = Entry(article=article, evidence=data, banded=banded, seq=seq)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise IndexDamagedError(f"{where}: stored article #{seq} is damaged ({error}); "
                                "run `syndicate index check`") from error
    return entry


def stored_article(seq: int, record: str | bytes, arrays: bytes, stored_checksum: int, where: str) -> Article:
    """The article of a stored row, its checksum verified (its evidence arrays are not decoded); IndexDamagedError
    naming the row if anything is off."""
    try:
        if checksum(record, arrays) != stored_checksum:
            raise ValueError("checksum mismatch")
        return article_from_json(record)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise IndexDamagedError(f"{where}: stored article #{seq} is damaged ({error}); "
                                "run `syndicate index check`") from error


def carried_fingerprints(shingle_sizes: np.ndarray, fingerprints: np.ndarray) -> list[int]:
    """Distinct fingerprints of the paragraphs that have shingles (the ones furniture learning counts)."""
    return sorted({int(f) for f in fingerprints[np.asarray(shingle_sizes) > 0].tolist()})


def term_counts(held: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Every term of these articles' `held` terms (one sorted array each) and how many of them hold it: what a write
    section adds to (or takes from) the stored counts, one row per term."""
    blocks = list(held)
    if not blocks:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return distinct_counts(np.concatenate(blocks).astype(np.int64))


def recount_problems(stored: Mapping[int, int], entries_held: Iterable[np.ndarray]) -> list[str]:
    """How the `stored` term counts differ from a recount over every stored article's held terms (empty: none)."""
    terms, counts = term_counts(entries_held)
    expected = dict(zip(terms.tolist(), counts.tolist(), strict=True))
    wrong = sum(stored.get(term, 0) != count for term, count in expected.items())
    wrong += sum(term not in expected for term in stored)
    return [f"{wrong} term counts differ from a recount of the stored articles"] if wrong else []


def bucket_keys(band_keys: np.ndarray, first_band: int = 0) -> np.ndarray:
    """The int64 buckets ``band << 32 | fold32(key)`` of a (rows x bands) block of band keys, flat (two chunks of
    one article may share one: backends store it once); bands are numbered from `first_band`, so that chunk and
    whole-article bands stay apart in one key space.

    Folding to 32 bits is what the scan does (two keys share a bucket with odds 2^-32, a candidate
    that verify rejects); the band number keeps the bands apart in one key space.
    """
    keys = np.asarray(band_keys, dtype=np.uint64)
    if keys.size == 0:
        return np.empty(0, dtype=np.int64)
    bands = np.arange(first_band, first_band + keys.shape[1], dtype=np.int64)[None, :]
    return ((bands << 32) | fold32(keys).astype(np.int64)).ravel()


# --- the interface --------------------------------------------------------------------------------


class Store(Protocol):
    """What Index needs from a backend. Writes happen only inside ``writing()``; a backend may apply them
    at the end of the section, so code inside a section never reads its own writes."""

    location: str

    def read_meta(self) -> dict[str, str] | None: ...

    def create(self, meta: dict[str, str]) -> None:
        """Write the parameters of a new index (inside a write section)."""
        ...

    def writing(self) -> AbstractContextManager[None]:
        """An exclusive write section: one transaction (SQLite) or one fenced lease (Redis)."""
        ...

    def reading(self) -> AbstractContextManager[None]:
        """One consistent view for a check."""
        ...

    def put(self, entries: list[Entry]) -> None:
        """Store new entries (their ids are not stored: replacing is remove, then put), oldest first, and add their
        held terms to the term counts."""
        ...

    def remove(self, entries: list[Entry]) -> None:
        """Remove stored entries (as loaded, with their buckets filled in), and take their held terms from the term
        counts."""
        ...

    def load(self, ids: Iterable[str]) -> list[Entry]:
        """The stored entries among `ids` (missing ids are left out), in the order given."""
        ...

    def candidates(self, buckets: np.ndarray, max_bucket: int) -> list[Entry]:
        """The stored articles with a paragraph in any of these buckets (at most the oldest `max_bucket` of each
        bucket), oldest first: loaded as they are found, without looking their ids up."""
        ...

    def carriers(self, fingerprints: Iterable[int], limit: int) -> dict[int, list[str]]:
        """Per fingerprint, the ids of up to `limit` articles carrying it, oldest first."""
        ...

    def furniture(self, fingerprints: Iterable[int]) -> set[int]: ...

    def term_holders(self, terms: np.ndarray) -> np.ndarray:
        """Per term of `terms` (int64), how many stored articles hold it (0 for a term none holds)."""
        ...

    def set_furniture(self, judged: Iterable[int], furniture: Iterable[int]) -> None:
        """Record the verdicts on `judged`: those in `furniture` are furniture, the others are not."""
        ...

    def ids(self) -> Iterator[str]: ...

    def count(self) -> int: ...

    def stats(self) -> dict[str, int | str]: ...

    def integrity_problems(self, full: bool) -> list[str]: ...

    def close(self) -> None: ...


class BackendBase(ABC):
    """What both backends share: errors that name the index, and reentrant write sections (only the
    outermost one begins and ends the transaction or lease, so ``check_and_add`` and a batch can
    wrap calls that are write sections themselves)."""

    location = ""
    _write_depth = 0
    _known: SnapshotCache

    def _translate(self, error: Exception) -> IndexStoreError | None:
        """The IndexStoreError a backend error means, or None when it is not a backend error."""
        return None

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Backend errors become IndexStoreError naming the index (exit code 2 in the CLI)."""
        try:
            yield
        except IndexStoreError:
            raise
        except Exception as error:
            translated = self._translate(error)
            if translated is None:
                raise
            raise translated from error

    @abstractmethod
    def _data_version(self) -> int:
        """A number that changes whenever anyone commits a write to the index (see :meth:`_kept_or_read`)."""

    def _kept_or_read(self, kind: str, keys: list[int], read: Callable[[list[int]], dict[int, int]],
                      ) -> dict[int, int]:
        """The values of `keys` (those `read` finds), kept from earlier reads at the index's current data version
        where this store has them. The version changes whenever a write commits, and a store forgets what it kept
        whenever it writes; inside a write section, whose own changes the version does not show yet, everything
        is read."""
        with self._guard():
            known = None if self._write_depth else self._known
            if known is not None:
                known.at(self._data_version())
            found, missing = known.split(kind, keys) if known is not None else ({}, keys)
            if missing:
                values = read(missing)
                found.update(values)
                if known is not None:
                    known.keep(kind, missing, values)
        return found

    @abstractmethod
    def _begin_write(self) -> None:
        """Start the outermost write section (a transaction, or the writers' lease)."""

    @abstractmethod
    def _end_write(self, committed: bool) -> None:
        """Finish it: commit (apply) or roll back (discard), and release the lease."""

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


def signed(keys: np.ndarray) -> list[int]:
    """uint64 keys as the signed 64-bit integers SQLite stores."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64).ravel().tolist()


def _signed_one(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def unsigned_one(value: int) -> int:
    return value & 0xFFFFFFFFFFFFFFFF


class EntryCache:
    """Recently loaded entries by sequence number. A stored row never changes (a replaced article gets a
    new seq, and seqs are never reused), so a cached entry is right for as long as its seq is stored:
    a bulk add re-reads the same old carriers of recurring paragraphs batch after batch."""

    def __init__(self, size: int = 8192) -> None:
        self._size = size
        self._entries: OrderedDict[int, Entry] = OrderedDict()

    def pick(self, seqs: Iterable[int]) -> tuple[list[Entry], list[int]]:
        """The cached entries among `seqs`, and the seqs still to load."""
        found, missing = [], []
        for seq in seqs:
            entry = self._entries.get(seq)
            if entry is None:
                missing.append(seq)
            else:
                self._entries.move_to_end(seq)
                found.append(entry)
        return found, missing

    def keep(self, entry: Entry) -> Entry:
        self._entries[entry.seq] = entry
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return entry


class SnapshotCache:
    """Small values a store has read at one version of its data (term counts, furniture verdicts), by kind and key.
    The store says which version it reads (:meth:`at`): a new one forgets everything, and so does :meth:`forget`
    (the store wrote). A key read and not found is kept as 0."""

    def __init__(self, limit: int = 1 << 20) -> None:
        self._limit = limit
        self._version: int | None = None
        self._kept: dict[str, dict[int, int]] = {}

    def at(self, version: int) -> None:
        if version != self._version:
            self.forget()
            self._version = version

    def forget(self) -> None:
        self._kept.clear()

    def split(self, kind: str, keys: Iterable[int]) -> tuple[dict[int, int], list[int]]:
        """The kept values among `keys`, and the keys still to read."""
        keys = list(keys)
        values = list(map(self._kept.get(kind, {}).get, keys))  # a check asks for thousands: no loop in Python
        if None not in values:
            return dict(zip(keys, values, strict=True)), []
        found = {key: value for key, value in zip(keys, values, strict=True) if value is not None}
        return found, [key for key, value in zip(keys, values, strict=True) if value is None]

    def keep(self, kind: str, keys: list[int], values: Mapping[int, int]) -> None:
        """Keep what was read for `keys` (`values`; a key without one is kept as 0)."""
        kept = self._kept.setdefault(kind, {})
        if len(kept) + len(keys) > self._limit:
            kept.clear()
        kept.update((key, values.get(key, 0)) for key in keys)

