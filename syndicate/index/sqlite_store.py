"""The embedded backend: one SQLite file, written in WAL mode, one transaction per write section.

Crash safety comes from SQLite itself: every write section is one ``BEGIN IMMEDIATE`` …
``COMMIT`` transaction in a write-ahead log with ``synchronous=FULL``, so a process killed at
any instant leaves the file at its last commit. ``BEGIN IMMEDIATE`` takes the write lock
before the first read, which is what makes ``check_and_add`` atomic across processes; other
writers wait (busy timeout) and retry rather than fail.

Band keys and fingerprint carriers live in ``WITHOUT ROWID`` tables keyed by (key, article),
so a check reads only the buckets of its own paragraphs and the rows of its candidates.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .store import (
    BackendBase,
    Entry,
    IndexStoreError,
    article_from_json,
    article_json,
    entry_blobs,
    entry_from_blobs,
    signed,
)

BUSY_TIMEOUT_SECONDS = 30.0
LOCK_RETRIES = 5
_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit
_BLOBS = ("shingles", "offsets", "word_counts", "fingerprints", "signatures", "banded", "band_keys")

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    record TEXT NOT NULL,
    {", ".join(f"{name} BLOB NOT NULL" for name in _BLOBS)}
);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (key, article)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS carriers (
    fingerprint INTEGER NOT NULL, article INTEGER NOT NULL, PRIMARY KEY (fingerprint, article)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS furniture (fingerprint INTEGER PRIMARY KEY);
"""


class SQLiteStore(BackendBase):
    def __init__(self, path: str | Path, *, create: bool, num_perm: int, bands: int) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._backend_errors = (sqlite3.DatabaseError,)
        self._num_perm = num_perm
        self._bands = bands
        if not create and not self.path.exists():
            raise IndexStoreError(f"{self.path}: no such index (create one with `syndicate index add`)")
        if self.path.is_dir():
            raise IndexStoreError(f"{self.path}: is a directory, not an index file")
        try:
            self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as error:
            raise IndexStoreError(f"{self.path}: cannot open: {error}") from error
        try:
            with self._guard():
                if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                if create:
                    with self.writing():
                        self._create_schema()
                elif not self._has_schema():
                    raise IndexStoreError(f"{self.path}: not a syndicate index (no index tables)")
        except BaseException:
            self._db.close()
            raise

    # --- transactions -------------------------------------------------------------------------------

    def _begin_write(self) -> None:
        with self._guard():
            self._begin("BEGIN IMMEDIATE")

    def _end_write(self, committed: bool) -> None:
        with self._guard():
            self._db.execute("COMMIT" if committed else "ROLLBACK")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One consistent snapshot for a check (WAL readers never block the writer)."""
        if self._write_depth:
            yield
            return
        with self._guard():
            self._begin("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def _begin(self, statement: str) -> None:
        """Begin, retrying when the busy timeout ran out under heavy write contention."""
        for attempt in range(LOCK_RETRIES):
            try:
                self._db.execute(statement)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) and "busy" not in str(error):
                    raise
                if attempt == LOCK_RETRIES - 1:
                    raise IndexStoreError(f"{self.path}: still locked by another writer after "
                                          f"{LOCK_RETRIES} x {BUSY_TIMEOUT_SECONDS:.0f} s") from error
                time.sleep(0.05 * 2**attempt)

    def _create_schema(self) -> None:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)

    def _has_schema(self) -> bool:
        names = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {"meta", "articles", "bands", "carriers", "furniture"} <= names

    # --- metadata -----------------------------------------------------------------------------------

    def read_meta(self) -> dict[str, str] | None:
        with self._guard():
            rows = self._db.execute("SELECT name, value FROM meta").fetchall()
        return dict(rows) or None

    def write_meta(self, meta: dict[str, str]) -> None:
        with self._guard(), self.writing():
            self._db.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", sorted(meta.items()))

    # --- articles -----------------------------------------------------------------------------------

    def put(self, entry: Entry) -> None:
        with self._guard(), self.writing():
            self._remove(entry.article.id)
            blobs = entry_blobs(entry)
            cursor = self._db.execute(
                f"INSERT INTO articles (id, record, {', '.join(_BLOBS)}) VALUES (?, ?{', ?' * len(_BLOBS)})",
                (entry.article.id, article_json(entry.article), *(blobs[name] for name in _BLOBS)))
            seq = cursor.lastrowid
            self._db.executemany("INSERT OR IGNORE INTO bands (key, article) VALUES (?, ?)",
                                 ((key, seq) for key in sorted(set(signed(entry.band_keys)))))
            self._db.executemany("INSERT OR IGNORE INTO carriers (fingerprint, article) VALUES (?, ?)",
                                 ((fp, seq) for fp in signed(np.array(entry.carried_fingerprints(), np.uint64))))

    def remove(self, article_id: str) -> bool:
        with self._guard(), self.writing():
            return self._remove(article_id)

    def _remove(self, article_id: str) -> bool:
        row = self._db.execute("SELECT seq, record, " + ", ".join(_BLOBS) + " FROM articles WHERE id = ?",
                               (article_id,)).fetchone()
        if row is None:
            return False
        old = self._entry(row[1:])
        seq = row[0]
        self._db.executemany("DELETE FROM bands WHERE key = ? AND article = ?",
                             ((key, seq) for key in set(signed(old.band_keys))))
        self._db.executemany("DELETE FROM carriers WHERE fingerprint = ? AND article = ?",
                             ((fp, seq) for fp in signed(np.array(old.carried_fingerprints(), np.uint64))))
        self._db.execute("DELETE FROM articles WHERE seq = ?", (seq,))
        return True

    def load(self, ids: Iterable[str]) -> list[Entry]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Entry] = {}
        with self._guard():
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = self._db.execute(f"SELECT id, record, {', '.join(_BLOBS)} FROM articles "
                                        f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
                for row in rows:
                    found[row[0]] = self._entry(row[1:])
        return [found[i] for i in wanted if i in found]

    def _entry(self, row: tuple) -> Entry:
        return entry_from_blobs(article_from_json(row[0]), dict(zip(_BLOBS, row[1:], strict=True)),
                                self._num_perm, self._bands)

    # --- candidate search and furniture -------------------------------------------------------------

    def candidates(self, band_keys: np.ndarray, max_bucket: int) -> list[str]:
        keys = sorted(set(signed(band_keys)))
        seqs: set[int] = set()
        with self._guard():
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                # The oldest `max_bucket` members of each bucket, in one statement per chunk of keys.
                rows = self._db.execute(
                    "SELECT article FROM (SELECT article, row_number() OVER (PARTITION BY key ORDER BY article) "
                    f"AS rank FROM bands WHERE key IN ({', '.join('?' * len(chunk))})) WHERE rank <= ?",
                    (*chunk, max_bucket))
                seqs.update(row[0] for row in rows)
            return self._ids_of(sorted(seqs))

    def _ids_of(self, seqs: list[int]) -> list[str]:
        ids: list[str] = []
        for start in range(0, len(seqs), _CHUNK):
            chunk = seqs[start : start + _CHUNK]
            ids.extend(row[0] for row in self._db.execute(
                f"SELECT id FROM articles WHERE seq IN ({', '.join('?' * len(chunk))}) ORDER BY seq", chunk))
        return ids

    def carriers(self, fingerprints: Iterable[int], limit: int) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        with self._guard():
            for fingerprint in fingerprints:
                rows = self._db.execute(
                    "SELECT a.id FROM carriers AS c JOIN articles AS a ON a.seq = c.article "
                    "WHERE c.fingerprint = ? ORDER BY c.article LIMIT ?", (_signed_one(fingerprint), limit))
                ids = [row[0] for row in rows]
                if ids:
                    found[fingerprint] = ids
        return found

    def furniture(self, fingerprints: Iterable[int]) -> set[int]:
        wanted = list(fingerprints)
        marked: set[int] = set()
        with self._guard():
            for start in range(0, len(wanted), _CHUNK):
                chunk = [_signed_one(f) for f in wanted[start : start + _CHUNK]]
                rows = self._db.execute(
                    f"SELECT fingerprint FROM furniture WHERE fingerprint IN ({', '.join('?' * len(chunk))})", chunk)
                marked.update(row[0] & 0xFFFFFFFFFFFFFFFF for row in rows)
        return marked

    def set_furniture(self, judged: Iterable[int], furniture: Iterable[int]) -> None:
        furniture = set(furniture)
        with self._guard(), self.writing():
            self._db.executemany("DELETE FROM furniture WHERE fingerprint = ?",
                                 ((_signed_one(f),) for f in sorted(set(judged) - furniture)))
            self._db.executemany("INSERT OR IGNORE INTO furniture (fingerprint) VALUES (?)",
                                 ((_signed_one(f),) for f in sorted(furniture)))

    # --- inspection ---------------------------------------------------------------------------------

    def ids(self) -> Iterator[str]:
        with self._guard():
            rows = self._db.execute("SELECT id FROM articles ORDER BY seq").fetchall()
        return iter([row[0] for row in rows])

    def count(self) -> int:
        with self._guard():
            return self._db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def stats(self) -> dict[str, int | str]:
        with self._guard():
            one = lambda sql: self._db.execute(sql).fetchone()[0]  # noqa: E731
            return {
                "backend": "sqlite",
                "location": str(self.path),
                "articles": one("SELECT count(*) FROM articles"),
                "band_rows": one("SELECT count(*) FROM bands"),
                "fingerprint_rows": one("SELECT count(*) FROM carriers"),
                "furniture_fingerprints": one("SELECT count(*) FROM furniture"),
                "bytes": one("PRAGMA page_count") * one("PRAGMA page_size"),
            }

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity check, then the links between our tables."""
        with self._guard():
            problems = [row[0] for row in self._db.execute("PRAGMA integrity_check") if row[0] != "ok"]
            orphans = {
                "bands": "SELECT count(*) FROM bands WHERE article NOT IN (SELECT seq FROM articles)",
                "carriers": "SELECT count(*) FROM carriers WHERE article NOT IN (SELECT seq FROM articles)",
            }
            for table, sql in orphans.items():
                count = self._db.execute(sql).fetchone()[0]
                if count:
                    problems.append(f"{count} {table} rows point to no article")
            for seq, record, *blobs in self._db.execute(f"SELECT seq, record, {', '.join(_BLOBS)} FROM articles"):
                try:
                    self._entry((record, *blobs))
                except (ValueError, KeyError, TypeError) as error:
                    problems.append(f"article row {seq} cannot be decoded: {error}")
        return problems

    def close(self) -> None:
        self._db.close()


def _signed_one(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value
