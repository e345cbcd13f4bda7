"""The shared backend: one Redis server that several ingest machines read and write.

Paragraph buckets live in datasketch's ``MinHashLSH`` Redis storage (``prepickle=False``, bytes
keys). Its band hash is replaced by ``syndicate.lsh.band_keys``, so a bucket in Redis has the
same key as the row of the SQLite ``bands`` table: one candidate rule for both backends.
Articles are Redis hashes of JSON and raw little-endian arrays; nothing is pickled.

Keys, under a namespace (default ``syndicate``):
``NS:meta`` (hash), ``NS:ids`` (sorted set id → insertion sequence), ``NS:article:ID`` (hash),
``NS:fp:FINGERPRINT`` (sorted set of carriers by sequence), ``NS:furniture`` (set),
``NS:seq`` (counter), ``NS:pending:ID`` (an add in progress), ``NS:lock``, and datasketch's ``NS:lsh_*`` buckets.

Writers take ``NS:lock`` (a Redis lock with a timeout, so a crashed holder cannot block the
index for ever); that serialises adds and makes ``check_and_add`` atomic. Within an add the
buckets are written first and the article's hash and id last, in one MULTI: a crash in between
leaves bucket entries that point to no article, which checks ignore and a re-add replaces.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from ..lsh import band_keys
from ..sign import MinHasher
from .store import BackendBase, Entry, IndexStoreError, article_from_json, article_json, entry_blobs, entry_from_blobs

LOCK_TIMEOUT_SECONDS = 300
LOCK_WAIT_SECONDS = 120
_SEPARATOR = b"\x1f"  # between article id and paragraph number in an LSH key


def band_key_bytes(band: bytes) -> bytes:
    """datasketch's ``hashfunc``: a band's big-endian uint32 values → its syndicate band key."""
    values = np.frombuffer(band, dtype=">u4").astype(np.uint32)[None, :]
    return struct.pack(">Q", int(band_keys(values, 1, values.shape[1])[0, 0]))


class RedisStore(BackendBase):
    def __init__(self, url: str, *, num_perm: int, seed: int, bands: int, rows: int,
                 namespace: str = "syndicate", create: bool = True) -> None:
        try:
            import redis
            from datasketch import MinHashLSH
        except ImportError as error:  # pragma: no cover - depends on the install
            raise IndexStoreError("the Redis backend needs the redis package: pip install 'syndicate[redis]'") \
                from error
        self._backend_errors = (redis.RedisError,)
        url, namespace = _namespace_from(url, namespace)
        self.location = f"{_without_password(url)} (namespace {namespace})"
        self._num_perm = num_perm
        self._bands = bands
        self._hasher = MinHasher(num_perm, seed)
        self._ns = namespace.encode()
        try:
            self._redis = redis.Redis.from_url(url)
            self._redis.ping()
        except (redis.RedisError, ValueError) as error:
            raise IndexStoreError(f"{self.location}: cannot connect: {error}") from error
        if not create and not self._redis.exists(self._key(b"meta")):
            raise IndexStoreError(f"{self.location}: no such index (create one with `syndicate index add`)")
        kwargs = self._redis.connection_pool.connection_kwargs
        connection = {k: kwargs[k] for k in ("host", "port", "db", "username", "password") if kwargs.get(k)}
        self._lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows), prepickle=False, hashfunc=band_key_bytes,
                               storage_config={"type": "redis", "basename": self._key(b"lsh"), "redis": connection})
        self._lock = self._redis.lock(self._key(b"lock").decode(), timeout=LOCK_TIMEOUT_SECONDS,
                                      blocking_timeout=LOCK_WAIT_SECONDS)

    def _key(self, *parts: bytes) -> bytes:
        return b":".join((self._ns, *parts))

    def _article_key(self, article_id: str) -> bytes:
        return self._key(b"article", article_id.encode())

    def _pending_key(self, article_id: str) -> bytes:
        return self._key(b"pending", article_id.encode())

    def _fp_key(self, fingerprint: int) -> bytes:
        return self._key(b"fp", str(fingerprint).encode())

    # --- write sections -----------------------------------------------------------------------------

    def _begin_write(self) -> None:
        with self._guard():
            if not self._lock.acquire():
                raise IndexStoreError(f"{self.location}: index locked by another writer for {LOCK_WAIT_SECONDS} s")

    def _end_write(self, committed: bool) -> None:
        with self._guard():
            self._lock.release()

    # --- metadata -----------------------------------------------------------------------------------

    def read_meta(self) -> dict[str, str] | None:
        with self._guard():
            raw = self._redis.hgetall(self._key(b"meta"))
        return {k.decode(): v.decode() for k, v in raw.items()} or None

    def write_meta(self, meta: dict[str, str]) -> None:
        with self._guard():
            self._redis.hset(self._key(b"meta"), mapping=meta)

    # --- articles -----------------------------------------------------------------------------------

    def put(self, entry: Entry) -> None:
        article_id = entry.article.id
        with self._guard():
            self._remove(article_id)
            seq = self._redis.incr(self._key(b"seq"))
            self._redis.set(self._pending_key(article_id), json.dumps(entry.banded.tolist()))
            for paragraph in entry.banded.tolist():
                minhash = self._hasher.to_datasketch(entry.signatures[paragraph])
                self._lsh.insert(_lsh_key(article_id, paragraph), minhash, check_duplication=False)
            pipe = self._redis.pipeline(transaction=True)
            for fingerprint in entry.carried_fingerprints():
                pipe.zadd(self._fp_key(fingerprint), {article_id: seq})
            pipe.hset(self._article_key(article_id),
                      mapping={"record": article_json(entry.article), "seq": seq, **entry_blobs(entry)})
            pipe.zadd(self._key(b"ids"), {article_id: seq})
            pipe.delete(self._pending_key(article_id))
            pipe.execute()

    def remove(self, article_id: str) -> bool:
        with self._guard():
            return self._remove(article_id)

    def _remove(self, article_id: str) -> bool:
        old = self.load([article_id])
        # An add that crashed after writing buckets but before its article left a pending note.
        pending = self._redis.get(self._pending_key(article_id))
        paragraphs = set(old[0].banded.tolist()) if old else set()
        paragraphs.update(json.loads(pending) if pending else [])
        for paragraph in sorted(paragraphs):
            key = _lsh_key(article_id, paragraph)
            if key in self._lsh:
                self._lsh.remove(key)
        self._redis.delete(self._pending_key(article_id))
        if not old:
            return False
        pipe = self._redis.pipeline(transaction=True)
        for fingerprint in old[0].carried_fingerprints():
            pipe.zrem(self._fp_key(fingerprint), article_id)
        pipe.delete(self._article_key(article_id))
        pipe.zrem(self._key(b"ids"), article_id)
        pipe.execute()
        return True

    def load(self, ids: Iterable[str]) -> list[Entry]:
        wanted = list(dict.fromkeys(ids))
        with self._guard():
            pipe = self._redis.pipeline(transaction=False)
            for article_id in wanted:
                pipe.hgetall(self._article_key(article_id))
            rows = pipe.execute()
        entries = []
        for row in rows:
            if row:
                blobs = {k.decode(): v for k, v in row.items()}
                entries.append(entry_from_blobs(article_from_json(blobs.pop("record")), blobs, self._num_perm,
                                                self._bands))
        return entries

    # --- candidate search and furniture -------------------------------------------------------------

    def candidates(self, band_keys: np.ndarray, max_bucket: int) -> list[str]:
        """Every bucket of every band in one round trip, read through datasketch's storage key names."""
        buckets = [(band, struct.pack(">Q", key)) for band in range(band_keys.shape[1])
                   for key in sorted(set(band_keys[:, band].tolist()))]
        with self._guard():
            pipe = self._redis.pipeline(transaction=False)
            for band, key in buckets:
                table = self._lsh.hashtables[band]
                pipe.smembers(table.redis_key(key))
            members = pipe.execute()
            found: set[str] = set()
            for paragraph_keys in members:
                ids = {key.rpartition(_SEPARATOR)[0].decode() for key in paragraph_keys}
                found.update(ids if len(ids) <= max_bucket else self._oldest(ids, max_bucket))
            return self._by_age(found)

    def _by_age(self, ids: Iterable[str]) -> list[str]:
        """Ids that are stored (a crashed add's buckets are ignored), oldest first."""
        ids = sorted(ids)
        if not ids:
            return []
        scores = self._redis.zmscore(self._key(b"ids"), ids)
        return [i for _, i in sorted((s, i) for s, i in zip(scores, ids, strict=True) if s is not None)]

    def _oldest(self, ids: set[str], limit: int) -> list[str]:
        return self._by_age(ids)[:limit]

    def carriers(self, fingerprints: Iterable[int], limit: int) -> dict[int, list[str]]:
        wanted = list(fingerprints)
        with self._guard():
            pipe = self._redis.pipeline(transaction=False)
            for fingerprint in wanted:
                pipe.zrange(self._fp_key(fingerprint), 0, limit - 1)
            rows = pipe.execute()
        return {f: [i.decode() for i in ids] for f, ids in zip(wanted, rows, strict=True) if ids}

    def furniture(self, fingerprints: Iterable[int]) -> set[int]:
        wanted = list(fingerprints)
        if not wanted:
            return set()
        with self._guard():
            flags = self._redis.smismember(self._key(b"furniture"), [str(f) for f in wanted])
        return {f for f, flag in zip(wanted, flags, strict=True) if flag}

    def set_furniture(self, judged: Iterable[int], furniture: Iterable[int]) -> None:
        furniture = {str(f) for f in furniture}
        cleared = {str(f) for f in judged} - furniture
        with self._guard():
            pipe = self._redis.pipeline(transaction=True)
            if cleared:
                pipe.srem(self._key(b"furniture"), *sorted(cleared))
            if furniture:
                pipe.sadd(self._key(b"furniture"), *sorted(furniture))
            pipe.execute()

    # --- inspection ---------------------------------------------------------------------------------

    def ids(self) -> Iterator[str]:
        with self._guard():
            return iter([i.decode() for i in self._redis.zrange(self._key(b"ids"), 0, -1)])

    def count(self) -> int:
        with self._guard():
            return self._redis.zcard(self._key(b"ids"))

    def stats(self) -> dict[str, int | str]:
        with self._guard():
            return {
                "backend": "redis",
                "location": self.location,
                "articles": self._redis.zcard(self._key(b"ids")),
                "indexed_paragraphs": self._lsh.keys.size(),
                "furniture_fingerprints": self._redis.scard(self._key(b"furniture")),
                "server_used_memory_bytes": self._redis.info("memory").get("used_memory", 0),
            }

    def integrity_problems(self) -> list[str]:
        problems: list[str] = []
        with self._guard():
            ids = list(self.ids())
            for start in range(0, len(ids), 256):
                chunk = ids[start : start + 256]
                try:
                    loaded = {entry.article.id for entry in self.load(chunk)}
                except (ValueError, KeyError, TypeError) as error:
                    problems.append(f"articles {chunk[0]}…: cannot be decoded: {error}")
                    continue
                problems.extend(f"id {i!r} listed but its article is missing" for i in chunk if i not in loaded)
            prefix = self._pending_key("")
            for key in self._redis.scan_iter(match=prefix + b"*", count=1000):
                problems.append(f"an add of {key[len(prefix):].decode()!r} was interrupted: add it again")
        return problems

    def close(self) -> None:
        self._redis.close()


def _lsh_key(article_id: str, paragraph: int) -> bytes:
    return article_id.encode() + _SEPARATOR + str(paragraph).encode()


def _namespace_from(url: str, default: str) -> tuple[str, str]:
    """A ``namespace=`` query parameter is ours, not redis-py's: take it out of the URL."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    namespace = next((value for key, value in query if key == "namespace"), default)
    rest = urlencode([(key, value) for key, value in query if key != "namespace"])
    return urlunsplit(parts._replace(query=rest)), namespace


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))
