"""The embedded backend: one SQLite file in WAL mode, one transaction per write section.

* **Ours before anything changes.** A file is recognised by ``PRAGMA application_id`` and
  ``user_version`` (read from its header) before the journal mode or any table is touched, so
  another application's database is refused as it was found.
* **Created atomically.** A new index is built in a private file beside the target (schema,
  parameters, WAL mode) and linked into place in one step (``os.link``), so a process killed
  while creating one leaves either nothing or a complete empty index, and processes creating
  the same index at once all end up opening the one that won.
* **Crash safety** comes from SQLite: every write section is one ``BEGIN IMMEDIATE`` … ``COMMIT``
  transaction in a write-ahead log with ``synchronous=FULL``. ``BEGIN IMMEDIATE`` takes the write
  lock before the first read, which makes ``check_and_add`` atomic across processes; other
  writers wait (busy timeout) and retry rather than fail.
* **Read-only.** Where the file or its directory cannot be written, it is opened read-only
  (``mode=ro``, or ``immutable=1`` when not even SQLite's shared-memory file can be made and the
  log is empty), and every read command works.
* Every SQLite error is an IndexStoreError naming the file: "disk full", "damaged", "locked",
  "read-only" are said as such, and a failed transaction is rolled back.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import numpy as np

from ..article import Article
from ..sorting import distinct
from .store import (
    FORMAT_VERSION,
    BackendBase,
    Entry,
    EntryCache,
    IndexDamagedError,
    IndexStoreError,
    SnapshotCache,
    entry_from_stored,
    recount_problems,
    signed,
    stored_article,
    term_counts,
    unsigned_one,
)

APPLICATION_ID = 0x53594E44  # "SYND"
BUSY_TIMEOUT_SECONDS = 30.0
PAGE_SIZE = 16384
"""Bytes per page of a new index file. Against SQLite's default of 4,096: an article's record and evidence
(about 5 KB) fit in one page instead of spilling to overflow pages, and the bucket table has fewer splits. On
30k synthetic articles the build took 29.7 s against 36.2 s and the file was 3 % smaller, with the same check
latency (benchmarks/RESULTS.md §17)."""
LOCK_RETRIES = 5
BULK_CACHE_KIB = 256 * 1024
"""Page cache for this connection: a bulk add's bucket inserts touch pages all over the table."""
_CHUNK = 500  # values per IN (...) list: well under SQLite's variable limit
ROWS_PER_INSERT = 200
"""Rows per multi-row INSERT (two or three values each: under SQLite's oldest variable limit, 999)."""

SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    arrays BLOB NOT NULL,
    checksum INTEGER NOT NULL
);
CREATE TABLE buckets (bucket INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (bucket, article)) WITHOUT ROWID;
CREATE TABLE carriers (
    fingerprint INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (fingerprint, article)) WITHOUT ROWID;
CREATE TABLE furniture (fingerprint INTEGER PRIMARY KEY);
CREATE TABLE terms (term INTEGER PRIMARY KEY, holders INTEGER NOT NULL);
"""


class SQLiteStore(BackendBase):
    def __init__(self, path: str | Path, *, create: bool, meta: dict[str, str]) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.read_only = False
        self._cache = EntryCache()
        self._count: tuple[int, int] | None = None
        """(data version, articles held), see :meth:`count`."""
        self._known = SnapshotCache()
        """Term counts and furniture verdicts read at one data version, see :meth:`_kept_or_read`."""
        if self.path.is_dir():
            raise IndexStoreError(f"{self.path}: is a directory, not an index file")
        if not self.path.exists():
            if not create:
                raise IndexStoreError(f"{self.path}: no such index (create one with `syndicate index add`)")
            self._create_file(meta)
        self._db = self._connect()
        try:
            with self._guard():
                self._recognise()
                if not self.read_only:
                    self._db.execute("PRAGMA synchronous=FULL")
                    if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        self._retry_locked(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
        except BaseException:
            self._db.close()
            raise

    # --- opening ------------------------------------------------------------------------------------

    def _create_file(self, meta: dict[str, str]) -> None:
        """Build the empty index privately, then link it into place (FileExistsError: someone else won)."""
        directory = self.path.parent
        if not directory.exists():
            raise IndexStoreError(f"{self.path}: no such directory {directory}")
        temporary = directory / f".{self.path.name}.{os.getpid()}.{time.monotonic_ns()}.creating"
        try:
            with self._guard():
                db = sqlite3.connect(temporary, isolation_level=None)
                try:
                    db.execute(f"PRAGMA page_size={PAGE_SIZE}")
                    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                    db.execute(f"PRAGMA user_version={int(FORMAT_VERSION)}")
                    db.execute("PRAGMA journal_mode=WAL")
                    db.execute("BEGIN")
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", sorted(meta.items()))
                    db.execute("COMMIT")
                finally:
                    db.close()  # the last connection checkpoints and removes the log: one self-contained file
            with suppress(FileExistsError):
                os.link(temporary, self.path)
        except OSError as error:
            raise IndexStoreError(f"{self.path}: cannot create the index: {error.strerror or error}") from error
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{temporary}{suffix}").unlink(missing_ok=True)

    def _connect(self) -> sqlite3.Connection:
        writable = os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
        self.read_only = not writable
        uri = self.path.resolve().as_uri()
        try:
            if writable:
                return self._configure(sqlite3.connect(uri + "?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS,
                                                       isolation_level=None, check_same_thread=False))
            db = self._configure(sqlite3.connect(uri + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS,
                                                 isolation_level=None, check_same_thread=False))
            try:
                db.execute("PRAGMA application_id").fetchone()
                return db
            except sqlite3.OperationalError:
                db.close()
                wal = Path(f"{self.path}-wal")
                if wal.exists() and wal.stat().st_size:
                    raise IndexStoreError(f"{self.path}: read-only, and its write-ahead log holds commits that "
                                          "cannot be read without write access to the directory") from None
                return self._configure(sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None,
                                                       check_same_thread=False))
        except sqlite3.Error as error:
            raise IndexStoreError(f"{self.path}: cannot open: {error}") from error

    @staticmethod
    def _configure(db: sqlite3.Connection) -> sqlite3.Connection:
        db.execute(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        return db

    def _recognise(self) -> None:
        """Refuse a file that is not a syndicate index of this format, before anything in it changes."""
        application_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if application_id != APPLICATION_ID:
            old = self._old_format()
            if old:
                raise IndexStoreError(f"{self.path}: an index of format {old} (an older syndicate); this version "
                                      f"reads format {FORMAT_VERSION}: rebuild it with `syndicate index add --db "
                                      "NEW.db ARCHIVE…` (or `syndicate scan --db` with the old version to export)")
            raise IndexStoreError(f"{self.path}: not a syndicate index (another application's file, left unchanged)")
        if str(version) != FORMAT_VERSION:
            raise IndexStoreError(f"{self.path}: index format {version}, this version of syndicate reads format "
                                  f"{FORMAT_VERSION}: rebuild it with `syndicate index add`")

    def _old_format(self) -> str | None:
        """The format of a pre-versioned index (meta table, no application id), or None."""
        with suppress(sqlite3.DatabaseError):
            row = self._db.execute("SELECT value FROM meta WHERE name = 'format'").fetchone()
            return row[0] if row else None
        return None

    # --- errors and transactions --------------------------------------------------------------------

    def _translate(self, error: Exception) -> IndexStoreError | None:
        if not isinstance(error, sqlite3.Error):
            return None
        text = str(error)
        code = getattr(error, "sqlite_errorname", "")
        if code == "SQLITE_FULL" or "disk is full" in text:
            return IndexStoreError(f"{self.path}: disk full ({text}); the index is left at its last commit")
        if code in {"SQLITE_CORRUPT", "SQLITE_NOTADB"} or "malformed" in text or "not a database" in text:
            return IndexDamagedError(f"{self.path}: the index is damaged ({text}); run `syndicate index check`")
        if code == "SQLITE_READONLY" or "readonly" in text:
            return IndexStoreError(f"{self.path}: the index is read-only here ({text})")
        if "locked" in text or "busy" in text:
            return IndexStoreError(f"{self.path}: locked by another writer ({text})")
        return IndexStoreError(f"{self.path}: {text}")

    def _begin_write(self) -> None:
        if self.read_only:
            raise IndexStoreError(f"{self.path}: the index is read-only here (no write access to it or its "
                                  "directory)")
        with self._guard():
            self._retry_locked(lambda: self._db.execute("BEGIN IMMEDIATE"))

    def _end_write(self, committed: bool) -> None:
        self._count = None  # this connection wrote (or rolled back): its data version does not show it
        self._known.forget()
        with self._guard():
            try:
                if committed:
                    self._db.execute("COMMIT")
            finally:
                # SQLite may have rolled back already (disk full, I/O error): never ROLLBACK twice.
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent snapshot for a check (WAL readers never block the writer)."""
        if self._write_depth:
            yield
            return
        with self._guard():
            self._db.execute("BEGIN")
        try:
            yield
        finally:
            with self._guard():
                if self._db.in_transaction:
                    self._db.execute("COMMIT")

    def _retry_locked(self, statement) -> None:
        """Run, retrying when the busy timeout ran out under heavy write contention."""
        for attempt in range(LOCK_RETRIES):
            try:
                statement()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if attempt == LOCK_RETRIES - 1:
                    raise IndexStoreError(f"{self.path}: still locked by another writer after "
                                          f"{LOCK_RETRIES} x {BUSY_TIMEOUT_SECONDS:.0f} s") from error
                time.sleep(0.05 * 2**attempt)

    # --- metadata -----------------------------------------------------------------------------------

    def read_meta(self) -> dict[str, str] | None:
        with self._guard():
            rows = self._db.execute("SELECT name, value FROM meta").fetchall()
        return dict(rows) or None

    def create(self, meta: dict[str, str]) -> None:
        """Nothing to do: the file was created with its parameters (see _create_file)."""

    # --- articles -----------------------------------------------------------------------------------

    def put(self, entries: list[Entry]) -> None:
        if not entries:
            return
        self._count = None
        with self._guard(), self.writing():
            row = self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
            first = (row[0] if row else 0) + 1
            seqs = range(first, first + len(entries))
            self._db.executemany("INSERT INTO articles (seq, id, record, arrays, checksum) VALUES (?, ?, ?, ?, ?)",
                                 ((seq, entry.article.id, *entry.record()) for seq, entry in zip(seqs, entries,
                                                                                                  strict=True)))
            self._pairs("INSERT OR IGNORE INTO buckets (bucket, article)", [entry.buckets for entry in entries], seqs)
            self._pairs("INSERT INTO carriers (fingerprint, article)", [_carried(entry) for entry in entries], seqs)
            terms, counts = term_counts(entry.held_terms() for entry in entries)
            self._insert_rows("INSERT INTO terms (term, holders)", (terms, counts),
                              " ON CONFLICT (term) DO UPDATE SET holders = holders + excluded.holders")

    def _pairs(self, insert: str, keys: list[np.ndarray | None], seqs: Iterable[int]) -> None:
        """(key, seq) rows sorted by key: inserting in key order keeps the B-tree writes local."""
        blocks = [k for k in keys if k is not None]
        if not blocks:
            return
        flat = np.concatenate([np.asarray(k, dtype=np.int64) for k in blocks])
        owners = np.repeat(np.flatnonzero([k is not None for k in keys]), [len(k) for k in blocks])
        flat, owners = _sorted_by_key(flat, owners)
        self._insert_rows(insert, (flat, np.fromiter(seqs, dtype=np.int64, count=len(keys))[owners]))

    def _insert_rows(self, insert: str, columns: tuple[np.ndarray, ...], conflict: str = "") -> None:
        """``insert VALUES (…), (…), … conflict`` for rows of integers (one value from each column), ROWS_PER_INSERT
        rows to a statement: SQLite then runs one statement per few hundred rows instead of one per row, which
        halves the time a bulk add spends inserting bucket rows."""
        count, width = len(columns[0]), len(columns)
        values = np.stack([np.asarray(column, dtype=np.int64) for column in columns], axis=1).ravel().tolist()
        row = f"({', '.join('?' * width)})"
        whole = count - count % ROWS_PER_INSERT
        if whole:
            grouped = iter(values[: whole * width])
            self._db.executemany(f"{insert} VALUES {', '.join([row] * ROWS_PER_INSERT)}{conflict}",
                                 zip(*[grouped] * (ROWS_PER_INSERT * width), strict=True))
        if whole < count:
            rest = iter(values[whole * width :])
            self._db.executemany(f"{insert} VALUES {row}{conflict}", zip(*[rest] * width, strict=True))

    def remove(self, entries: list[Entry]) -> None:
        if not entries:
            return
        self._count = None
        with self._guard(), self.writing():
            for entry in entries:
                seq = entry.seq
                self._db.executemany("DELETE FROM buckets WHERE bucket = ? AND article = ?",
                                     ((key, seq) for key in np.asarray(entry.buckets, dtype=np.int64).tolist()))
                self._db.executemany("DELETE FROM carriers WHERE fingerprint = ? AND article = ?",
                                     ((key, seq) for key in _carried(entry).tolist()))
                self._db.execute("DELETE FROM articles WHERE seq = ?", (seq,))
            terms, counts = term_counts(entry.held_terms() for entry in entries)
            self._db.executemany("UPDATE terms SET holders = holders - ? WHERE term = ?",
                                 zip(counts.tolist(), terms.tolist(), strict=True))
            self._db.executemany("DELETE FROM terms WHERE term = ? AND holders <= 0", ((t,) for t in terms.tolist()))

    def load(self, ids: Iterable[str]) -> list[Entry]:
        wanted = list(dict.fromkeys(ids))
        with self._guard():
            seqs: list[int] = []
            for chunk in _chunks(wanted):
                marks = ", ".join("?" * len(chunk))
                seqs += [row[0] for row in self._db.execute(f"SELECT seq FROM articles WHERE id IN ({marks})", chunk)]
            by_id = {entry.article.id: entry for entry in self._load_seqs(seqs)}
        return [by_id[i] for i in wanted if i in by_id]

    def _load_seqs(self, seqs: Iterable[int]) -> list[Entry]:
        """The stored entries with these seqs (cached ones from the cache), in no particular order."""
        found, missing = self._cache.pick(seqs)
        for chunk in _chunks(missing):
            rows = self._db.execute("SELECT seq, record, arrays, checksum FROM articles "
                                    f"WHERE seq IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
            found += [self._cache.keep(entry_from_stored(seq, record, arrays, stored, self.location))
                      for seq, record, arrays, stored in rows]
        return found

    # --- candidate search and furniture -------------------------------------------------------------

    def candidates(self, buckets: np.ndarray, max_bucket: int) -> list[Entry]:
        keys = distinct(np.asarray(buckets, dtype=np.int64)).tolist()
        seqs: set[int] = set()
        with self._guard():
            for chunk in _chunks(keys):
                # Each bucket's members come in primary-key order, oldest first: its first `max_bucket` are kept.
                # (A window function, row_number() over each bucket, did the same in SQL and took 2.4 times as
                # long at 1M articles: 4.3 against 1.8 ms a check, benchmarks/RESULTS.md section 18.)
                last, members = None, 0
                for bucket, seq in self._db.execute("SELECT bucket, article FROM buckets WHERE bucket IN "
                                                    f"({', '.join('?' * len(chunk))}) ORDER BY bucket, article",
                                                    chunk):
                    members = members + 1 if bucket == last else 1
                    last = bucket
                    if members <= max_bucket:
                        seqs.add(seq)
            return sorted(self._load_seqs(seqs), key=lambda entry: entry.seq)

    def _ids_of(self, seqs: Iterable[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(sorted(seqs)):
            found.update(self._db.execute(f"SELECT seq, id FROM articles WHERE seq IN ({', '.join('?' * len(chunk))})",
                                          chunk).fetchall())
        return found

    def carriers(self, fingerprints: Iterable[int], limit: int) -> dict[int, list[str]]:
        wanted = signed(np.fromiter(fingerprints, dtype=np.uint64))
        pairs: list[tuple[int, int]] = []
        with self._guard():
            for chunk in _chunks(wanted):
                pairs += self._db.execute(
                    "SELECT fingerprint, article FROM (SELECT fingerprint, article, row_number() OVER "
                    "(PARTITION BY fingerprint ORDER BY article) AS rank FROM carriers "
                    f"WHERE fingerprint IN ({', '.join('?' * len(chunk))})) WHERE rank <= ?",
                    (*chunk, limit)).fetchall()
            ids = self._ids_of({seq for _, seq in pairs})
        found: dict[int, list[str]] = {}
        for fingerprint, seq in sorted(pairs, key=lambda pair: pair[1]):
            if seq in ids:
                found.setdefault(unsigned_one(fingerprint), []).append(ids[seq])
        return found

    def furniture(self, fingerprints: Iterable[int]) -> set[int]:
        def read(keys: list[int]) -> dict[int, int]:
            return {unsigned_one(row[0]): 1 for chunk in _chunks(keys) for row in self._db.execute(
                f"SELECT fingerprint FROM furniture WHERE fingerprint IN ({', '.join('?' * len(chunk))})",
                signed(np.array(chunk, dtype=np.uint64)))}

        found = self._kept_or_read("furniture", np.fromiter(fingerprints, dtype=np.uint64).tolist(), read)
        return {fingerprint for fingerprint, marked in found.items() if marked}

    def term_holders(self, terms: np.ndarray) -> np.ndarray:
        """Each term's stored holders. A check reads about two thousand terms, mostly the same from one check to
        the next, so counts read at this data version are kept (see :meth:`_kept_or_read`)."""
        def read(keys: list[int]) -> dict[int, int]:
            return {term: holders for chunk in _chunks(keys) for term, holders in self._db.execute(
                f"SELECT term, holders FROM terms WHERE term IN ({', '.join('?' * len(chunk))})", chunk)}

        wanted = np.asarray(terms, dtype=np.int64).tolist()
        found = self._kept_or_read("terms", wanted, read)
        return np.array([found.get(term, 0) for term in wanted], dtype=np.int64)

    def _data_version(self) -> int:
        """SQLite's data version: it changes whenever another connection commits (this one forgets what it kept
        whenever it writes)."""
        return self._db.execute("PRAGMA data_version").fetchone()[0]

    def set_furniture(self, judged: Iterable[int], furniture: Iterable[int]) -> None:
        furniture = set(furniture)
        cleared = sorted(set(judged) - furniture)
        with self._guard(), self.writing():
            self._db.executemany("DELETE FROM furniture WHERE fingerprint = ?",
                                 ((f,) for f in signed(np.array(cleared, dtype=np.uint64))))
            self._db.executemany("INSERT OR IGNORE INTO furniture (fingerprint) VALUES (?)",
                                 ((f,) for f in signed(np.array(sorted(furniture), dtype=np.uint64))))

    # --- inspection ---------------------------------------------------------------------------------

    def seq_ranges(self, size: int) -> list[tuple[int, int]]:
        """The stored articles' seqs in runs of `size` numbers, (first, last) each, oldest first: at most `size`
        articles a run (fewer where articles were removed), found from the first and last seq alone."""
        with self._guard():
            low, high = self._db.execute("SELECT min(seq), max(seq) FROM articles").fetchone()
        if low is None:
            return []
        return [(first, min(first + size - 1, high)) for first in range(low, high + 1, size)]

    def ids(self) -> Iterator[str]:
        last = 0
        while True:
            with self._guard():
                rows = self._db.execute("SELECT seq, id FROM articles WHERE seq > ? ORDER BY seq LIMIT 4096",
                                        (last,)).fetchall()
            if not rows:
                return
            yield from (row[1] for row in rows)
            last = rows[-1][0]

    def count(self) -> int:
        """The articles held. ``count(*)`` walks the whole articles table (1 ms a call at 1M articles, and a check
        asks once its terms reach the template threshold), so it is kept with the database's data version: the
        version changes when another connection commits, and this connection forgets the count whenever it
        writes, so a kept count is never stale."""
        with self._guard():
            version = self._data_version()
            if self._count is None or self._count[0] != version:
                self._count = (version, self._db.execute("SELECT count(*) FROM articles").fetchone()[0])
            return self._count[1]

    def stats(self) -> dict[str, int | str]:
        with self._guard():
            one = lambda sql: self._db.execute(sql).fetchone()[0]  # noqa: E731
            return {
                "backend": "sqlite",
                "location": str(self.path),
                "read_only": int(self.read_only),
                "articles": one("SELECT count(*) FROM articles"),
                "bucket_rows": one("SELECT count(*) FROM buckets"),
                "carrier_rows": one("SELECT count(*) FROM carriers"),
                "furniture_fingerprints": one("SELECT count(*) FROM furniture"),
                "terms": one("SELECT count(*) FROM terms"),
                "bytes": one("PRAGMA page_count") * one("PRAGMA page_size"),
            }

    def integrity_problems(self, full: bool) -> list[str]:
        """SQLite's own integrity check (``full``), then the links between our tables, every checksum, and the term
        counts against a recount of the stored articles."""
        problems: list[str] = []
        with self._guard():
            if full:
                problems += [f"sqlite: {row[0]}" for row in self._db.execute("PRAGMA integrity_check")
                             if row[0] != "ok"]
            orphans = {
                "buckets": "SELECT count(*) FROM buckets WHERE article NOT IN (SELECT seq FROM articles)",
                "carriers": "SELECT count(*) FROM carriers WHERE article NOT IN (SELECT seq FROM articles)",
            }
            for table, sql in orphans.items():
                count = self._db.execute(sql).fetchone()[0]
                if count:
                    problems.append(f"{count} {table} rows point to no article")
            held = []
            for seq, record, arrays, stored in self._db.execute("SELECT seq, record, arrays, checksum FROM articles"):
                try:
                    held.append(entry_from_stored(seq, record, arrays, stored, self.location).held_terms())
                except IndexDamagedError as error:
                    problems.append(str(error.__cause__ or error).join((f"article #{seq}: ", "")))
            if not problems:
                problems += recount_problems(dict(self._db.execute("SELECT term, holders FROM terms")), held)
        return problems

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self._db.close()


def _carried(entry: Entry) -> np.ndarray:
    return np.array(signed(np.array(entry.carried_fingerprints(), dtype=np.uint64)), dtype=np.int64)


def read_stored(path: str, first: int, last: int) -> list[Article]:
    """The articles stored with seqs `first` to `last`, oldest first, through a read-only connection of their own
    (a worker process reads its share of an index this way: a connection never crosses a fork). Each row's
    checksum is verified, as :meth:`SQLiteStore.load` does, without decoding its evidence arrays."""
    try:
        db = sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as error:
        raise IndexStoreError(f"{path}: cannot open the index to read it: {error}") from error
    try:
        rows = db.execute("SELECT seq, record, arrays, checksum FROM articles WHERE seq BETWEEN ? AND ? ORDER BY seq",
                          (first, last)).fetchall()
    except sqlite3.DatabaseError as error:
        raise IndexDamagedError(f"{path}: cannot read stored articles #{first} to #{last} ({error}); run "
                                "`syndicate index check`") from error
    finally:
        db.close()
    return [stored_article(seq, record, arrays, stored, path) for seq, record, arrays, stored in rows]


def _sorted_by_key(keys: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, owner) rows sorted by key, the owners being small non-negative numbers. Where every key is non-negative
    and leaves room for an owner below it in 64 bits (bucket keys do: a band number and 32 bits), the two are sorted
    as one packed number (3.6 times as fast as an argsort of 1.25M rows); otherwise (carriers' fingerprints) by an
    argsort."""
    shift = max(1, int(owners.max(initial=0)).bit_length())
    if len(keys) and keys.min() >= 0 and int(keys.max()) < 1 << (64 - shift):
        packed = (keys.astype(np.uint64) << np.uint64(shift)) | owners.astype(np.uint64)
        packed.sort()
        return (packed >> np.uint64(shift)).astype(np.int64), (packed & np.uint64((1 << shift) - 1)).astype(np.int64)
    order = np.argsort(keys)
    return keys[order], owners[order]


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
