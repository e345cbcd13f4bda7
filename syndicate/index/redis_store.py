"""The shared backend: one Redis server that several ingest machines read and write.

The layout is :mod:`.store`'s, in Redis types, under a namespace ``NS`` (default ``syndicate``):
``NS:meta`` (hash), ``NS:seq`` (counter), ``NS:ids`` (sorted set: id → seq, oldest first),
``NS:a:SEQ`` (hash: id, record, arrays, checksum), ``NS:z:SHARD`` (the buckets: sorted sets, all
scores 0, of 12-byte members BUCKET + SEQ, so one bucket's members are a lexicographic range in seq
order; SHARD is the bucket's low 16 bits, 2 bytes), ``NS:fp:FINGERPRINT`` (sets of seqs; BUCKET and
FINGERPRINT are the 8 big-endian bytes of the same integers SQLite stores, SEQ 4 big-endian bytes),
``NS:furniture`` (set), ``NS:terms`` (hash: the 4 big-endian bytes of a content term → how many
stored articles hold it; a term none holds is no field) and ``NS:lock``.

**Writes are fenced and atomic.** A writer holds a short lease (``NS:lock`` = a random token,
``LEASE_MS``), renewed by a thread while it works, so a crashed writer blocks others for
seconds, not minutes. Everything a write section changes is buffered and applied at its end
by one Lua script, which first checks that the lease still holds this writer's token and that
the index's settings still exist; Redis runs a script whole, so a batch of a thousand
articles is one round trip, and a writer that dies, or loses its lease, changes nothing.
A batch's bucket rows go in one ZADD per shard it touches (65,536 shards), not one command per
row: a bulk add of 4,096 articles runs at most 65,536 commands for them instead of 1.3 million,
and small sorted sets are stored packed (listpack), a few bytes per entry.
A writer that finds the settings gone (a restart without persistence) stops with an error
instead of writing into an empty server. Reads are pipelined, a round trip per step.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from itertools import islice
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from .store import (
    BackendBase,
    Entry,
    EntryCache,
    IndexDamagedError,
    IndexStoreError,
    entry_from_stored,
    recount_problems,
    signed,
    term_counts,
)

LAYOUT = "2"
"""How the buckets are spelt in Redis (1: a set per bucket; 2: sorted sets per shard). An index of another
layout is refused with what to do (the shared format version says what is stored, this how Redis holds it)."""
SHARD_BITS = 16
_MEMBER = np.dtype([("bucket", ">i8"), ("seq", ">u4")])
LEASE_MS = 10_000
"""A writer's lease. Renewed every third of it while the writer works; a dead writer's expires."""
LOCK_WAIT_SECONDS = 60.0
_FENCED = "SYNDICATE_FENCED"
_NO_META = "SYNDICATE_NO_META"

APPLY = f"""
local ns, token, need_meta = ARGV[1], ARGV[2], ARGV[3]
if redis.call('GET', ns .. 'lock') ~= token then return redis.error_reply('{_FENCED}') end
if need_meta == '1' and redis.call('EXISTS', ns .. 'meta') == 0 then return redis.error_reply('{_NO_META}') end
local i = 4
while i <= #ARGV do
  local op = ARGV[i]
  if op == 'F' then
    local cmd, prefix, keys, members = ARGV[i + 1], ns .. ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
    for k = 0, #keys / 8 - 1 do
      local member = struct.unpack('>I4', members, k * 4 + 1)
      redis.call(cmd, prefix .. string.sub(keys, k * 8 + 1, k * 8 + 8), member)
    end
    i = i + 5
  elseif op == 'M' then
    local cmd, key, members = ARGV[i + 1], ns .. ARGV[i + 2], ARGV[i + 3]
    local batch = {{}}
    for k = 0, #members / 8 - 1 do
      batch[#batch + 1] = string.sub(members, k * 8 + 1, k * 8 + 8)
      if #batch == 512 then redis.call(cmd, key, unpack(batch)); batch = {{}} end
    end
    if #batch > 0 then redis.call(cmd, key, unpack(batch)) end
    i = i + 4
  elseif op == 'Z' then
    local cmd, prefix, shards, counts, members = ARGV[i + 1], ns .. ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5]
    local at = 0
    for g = 0, #shards / 2 - 1 do
      local key = prefix .. string.sub(shards, g * 2 + 1, g * 2 + 2)
      local args = {{}}
      for k = at, at + struct.unpack('>I4', counts, g * 4 + 1) - 1 do
        if cmd == 'ZADD' then args[#args + 1] = '0' end
        args[#args + 1] = string.sub(members, k * 12 + 1, k * 12 + 12)
        if #args >= 1000 then redis.call(cmd, key, unpack(args)); args = {{}} end
      end
      if #args > 0 then redis.call(cmd, key, unpack(args)) end
      at = at + struct.unpack('>I4', counts, g * 4 + 1)
    end
    i = i + 6
  elseif op == 'H' then
    local key, fields, counts = ns .. ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    for k = 0, #fields / 4 - 1 do
      local field = string.sub(fields, k * 4 + 1, k * 4 + 4)
      local by = struct.unpack('>i4', counts, k * 4 + 1)
      if redis.call('HINCRBY', key, field, by) <= 0 then redis.call('HDEL', key, field) end
    end
    i = i + 4
  else
    local argc = tonumber(ARGV[i + 1])
    local args = {{}}
    for k = 1, argc do args[k] = ARGV[i + 1 + k] end
    args[2] = ns .. args[2]
    redis.call(unpack(args))
    i = i + 2 + argc
  end
end
return 1
"""
"""Apply a write section's operations, fenced: F = one command per (key, seq) pair, Z = ZADD/ZREM of 12-byte
members to sorted sets, one command per shard (2-byte shard names, a 4-byte count each), M = one command on
one key with many 8-byte members, H = HINCRBY on one hash, a field (4 bytes) by a count (4 bytes, signed) at a
time, a field that reaches 0 deleted, C = one command (ARGC, NAME, KEY, ARGS…)."""

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class RedisStore(BackendBase):
    def __init__(self, url: str, *, create: bool, namespace: str = "syndicate") -> None:
        try:
            import redis
        except ImportError as error:  # pragma: no cover - depends on the install
            raise IndexStoreError("the Redis backend needs the redis package: pip install 'syndicate[redis]'") \
                from error
        self._redis_errors = (redis.RedisError,)
        url, namespace = _namespace_from(url, namespace)
        self.location = f"{_without_password(url)} (namespace {namespace})"
        self.read_only = False
        self._cache = EntryCache()
        self._ns = namespace.encode() + b":"
        try:
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=120)
            self._redis.ping()
        except (redis.RedisError, ValueError) as error:
            raise IndexStoreError(f"{self.location}: cannot connect: {error}") from error
        with self._guard():
            exists = self._redis.exists(self._key(b"meta"))
        if not create and not exists:
            raise IndexStoreError(f"{self.location}: no such index (create one with `syndicate index add`)")
        self._apply = self._redis.register_script(APPLY)
        self._renew = self._redis.register_script(RENEW)
        self._release = self._redis.register_script(RELEASE)
        self._ops: list[bytes | str | int] = []
        self._token = b""
        self._lease_lost = threading.Event()
        self._stop_renewing = threading.Event()
        self._renewer: threading.Thread | None = None
        self._require_meta = bool(exists)

    def _key(self, *parts: bytes) -> bytes:
        return self._ns + b":".join(parts)

    def _translate(self, error: Exception) -> IndexStoreError | None:
        if not isinstance(error, self._redis_errors):
            return None
        if _FENCED in str(error):
            return IndexStoreError(f"{self.location}: this writer lost its lease (another writer may hold it): "
                                   "nothing of this write section was applied")
        if _NO_META in str(error):
            return self._settings_gone()
        return IndexStoreError(f"{self.location}: {error}")

    def _settings_gone(self) -> IndexStoreError:
        return IndexStoreError(f"{self.location}: the server no longer holds this index's settings (restarted "
                               "without persistence, or flushed?): stopped without writing; rebuild the index")

    # --- write sections: a renewed lease, and operations applied at the end -------------------------

    def _begin_write(self) -> None:
        token = secrets.token_hex(16).encode()
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        pause = 0.005
        with self._guard():
            while not self._redis.set(self._key(b"lock"), token, nx=True, px=LEASE_MS):
                if time.monotonic() > deadline:
                    raise IndexStoreError(f"{self.location}: index locked by another writer for "
                                          f"{LOCK_WAIT_SECONDS:.0f} s")
                time.sleep(pause)  # polling a lock held by another machine
                pause = min(pause * 2, 0.1)
            if self._require_meta and not self._redis.exists(self._key(b"meta")):
                self._release(keys=[self._key(b"lock")], args=[token])
                raise self._settings_gone()
        self._token = token
        self._ops = []
        self._lease_lost.clear()
        self._stop_renewing.clear()
        self._renewer = threading.Thread(target=self._keep_lease, name="syndicate-lease", daemon=True)
        self._renewer.start()

    def _keep_lease(self) -> None:
        while not self._stop_renewing.wait(LEASE_MS / 3000):
            try:
                if not self._renew(keys=[self._key(b"lock")], args=[self._token, LEASE_MS]):
                    self._lease_lost.set()
                    return
            except self._redis_errors:
                self._lease_lost.set()
                return

    def _end_write(self, committed: bool) -> None:
        try:
            if committed and self._ops:
                with self._guard():
                    self._apply(args=[self._ns, self._token, "1" if self._require_meta else "0", *self._ops])
                self._require_meta = True
        finally:
            self._ops = []
            self._stop_renewing.set()
            if self._renewer is not None:
                self._renewer.join()
            with suppress(*self._redis_errors):
                self._release(keys=[self._key(b"lock")], args=[self._token])

    def _command(self, name: str, key: bytes, *args: bytes | str | int) -> None:
        self._ops += ["C", 2 + len(args), name, key, *args]

    def _fanout(self, name: str, prefix: bytes, keys: np.ndarray, seqs: np.ndarray) -> None:
        if len(keys):
            self._ops += ["F", name, prefix, np.asarray(keys, dtype=">i8").tobytes(),
                          np.asarray(seqs, dtype=">u4").tobytes()]

    def _members(self, name: str, key: bytes, members: np.ndarray) -> None:
        if len(members):
            self._ops += ["M", name, key, np.asarray(members, dtype=">i8").tobytes()]

    def _count_terms(self, entries: list[Entry], sign: int) -> None:
        """Add (`sign` 1) or take (-1) the entries' held terms to or from the term counts."""
        terms, counts = term_counts(entry.held_terms() for entry in entries)
        if len(terms):
            self._ops += ["H", b"terms", terms.astype(">u4").tobytes(), (sign * counts).astype(">i4").tobytes()]

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Checks take no lock; they stop if the index's settings vanished from the server."""
        if not self._write_depth:
            with self._guard():
                if not self._redis.exists(self._key(b"meta")):
                    raise self._settings_gone()
        yield

    # --- metadata -----------------------------------------------------------------------------------

    def read_meta(self) -> dict[str, str] | None:
        with self._guard():
            raw = self._redis.hgetall(self._key(b"meta"))
        meta = {k.decode(): v.decode() for k, v in raw.items()}
        if meta and meta.get("redis_layout") != LAYOUT:
            raise IndexStoreError(f"{self.location}: an index of an older Redis layout (a set per bucket); this "
                                  "version reads the layout of sorted sets per shard: rebuild it with "
                                  "`syndicate index add` into a new namespace")
        return meta or None

    def create(self, meta: dict[str, str]) -> None:
        fields = [item for pair in sorted({**meta, "redis_layout": LAYOUT}.items()) for item in pair]
        self._command("HSET", b"meta", *fields)

    # --- articles -----------------------------------------------------------------------------------

    def put(self, entries: list[Entry]) -> None:
        if not entries:
            return
        with self._guard(), self.writing():
            last = self._redis.incrby(self._key(b"seq"), len(entries))
            seqs = np.arange(last - len(entries) + 1, last + 1, dtype=np.int64)
            for seq, entry in zip(seqs.tolist(), entries, strict=True):
                record, arrays, checksum = entry.record()
                self._command("HSET", b"a:" + str(seq).encode(), "id", entry.article.id, "record", record,
                              "arrays", arrays, "checksum", checksum)
                self._command("ZADD", b"ids", seq, entry.article.id)
            self._pairs(adding=True, buckets=[e.buckets for e in entries], carried=[_carried(e) for e in entries],
                        seqs=seqs)
            self._count_terms(entries, 1)

    def _pairs(self, *, adding: bool, buckets: list, carried: list, seqs: np.ndarray) -> None:
        """Add or remove the (bucket, seq) rows (sorted sets by shard) and the (fingerprint, seq) rows (a set per
        fingerprint) of the entries with these seqs."""
        bucket_keys, bucket_seqs = _rows(buckets, seqs)
        if len(bucket_keys):
            shard = (bucket_keys & ((1 << SHARD_BITS) - 1)).astype(np.int64)
            order = np.argsort(shard, kind="stable")
            shards, counts = np.unique(shard[order], return_counts=True)
            members = np.empty(len(order), dtype=_MEMBER)
            members["bucket"], members["seq"] = bucket_keys[order], bucket_seqs[order]
            self._ops += ["Z", "ZADD" if adding else "ZREM", b"z:", shards.astype(">u2").tobytes(),
                          counts.astype(">u4").tobytes(), members.tobytes()]
        fingerprints, carrier_seqs = _rows(carried, seqs)
        self._fanout("SADD" if adding else "SREM", b"fp:", fingerprints, carrier_seqs)

    def remove(self, entries: list[Entry]) -> None:
        if not entries:
            return
        with self.writing():
            seqs = np.array([entry.seq for entry in entries], dtype=np.int64)
            self._pairs(adding=False, buckets=[e.buckets for e in entries], carried=[_carried(e) for e in entries],
                        seqs=seqs)
            for entry in entries:
                self._command("DEL", b"a:" + str(entry.seq).encode())
                self._command("ZREM", b"ids", entry.article.id)
            self._count_terms(entries, -1)

    def load(self, ids: Iterable[str]) -> list[Entry]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        with self._guard():
            scores = self._redis.zmscore(self._key(b"ids"), wanted)
            found = {article_id: int(score) for article_id, score in zip(wanted, scores, strict=True)
                     if score is not None}
            entries = self._load_seqs(list(found.values()))
        by_id = {entry.article.id: entry for entry in entries}
        return [by_id[i] for i in wanted if i in by_id]

    def _load_seqs(self, seqs: list[int]) -> list[Entry]:
        entries, missing = self._cache.pick(seqs)
        pipe = self._redis.pipeline(transaction=False)
        for seq in missing:
            pipe.hmget(self._key(b"a:" + str(seq).encode()), "record", "arrays", "checksum")
        for seq, (record, arrays, checksum) in zip(missing, pipe.execute() if missing else [], strict=True):
            if record is None:
                continue  # removed since the id was looked up
            if arrays is None or checksum is None:
                raise IndexDamagedError(f"{self.location}: stored article #{seq} is incomplete; run "
                                        "`syndicate index check`")
            entries.append(self._cache.keep(entry_from_stored(seq, record, arrays, int(checksum), self.location)))
        return entries

    # --- candidate search and furniture -------------------------------------------------------------

    def candidates(self, buckets: np.ndarray, max_bucket: int) -> list[Entry]:
        keys = np.unique(np.asarray(buckets, dtype=np.int64))
        with self._guard():
            pipe = self._redis.pipeline(transaction=False)
            for key, shard in zip(_as_bytes(keys), _shard_names(keys), strict=True):
                # the bucket's oldest members: its range of the shard, in seq order
                pipe.zrangebylex(self._key(b"z:" + shard), b"[" + key, b"[" + key + b"\xff" * 4, start=0,
                                 num=max_bucket)
            seqs = {int.from_bytes(member[8:], "big") for members in pipe.execute() for member in members}
            return sorted(self._load_seqs(list(seqs)), key=lambda entry: entry.seq)

    def _ids_of(self, seqs: Iterable[int]) -> dict[int, str]:
        """Ids of the stored articles among `seqs`."""
        wanted = sorted(seqs)
        pipe = self._redis.pipeline(transaction=False)
        for seq in wanted:
            pipe.hget(self._key(b"a:" + str(seq).encode()), "id")
        return {seq: article_id.decode() for seq, article_id in zip(wanted, pipe.execute(), strict=True)
                if article_id is not None}

    def carriers(self, fingerprints: Iterable[int], limit: int) -> dict[int, list[str]]:
        wanted = list(fingerprints)
        if not wanted:
            return {}
        with self._guard():
            pipe = self._redis.pipeline(transaction=False)
            for key in _as_bytes(np.array(signed(np.array(wanted, dtype=np.uint64)), dtype=np.int64)):
                pipe.smembers(self._key(b"fp:" + key))
            oldest = {f: sorted(map(int, members))[:limit] for f, members in zip(wanted, pipe.execute(), strict=True)
                      if members}
            ids = self._ids_of({seq for seqs in oldest.values() for seq in seqs})
        found = {f: [ids[seq] for seq in seqs if seq in ids] for f, seqs in oldest.items()}
        return {f: carriers for f, carriers in found.items() if carriers}

    def furniture(self, fingerprints: Iterable[int]) -> set[int]:
        wanted = list(fingerprints)
        if not wanted:
            return set()
        with self._guard():
            flags = self._redis.smismember(self._key(b"furniture"),
                                           _as_bytes(np.array(signed(np.array(wanted, dtype=np.uint64)))))
        return {f for f, flag in zip(wanted, flags, strict=True) if flag}

    def term_holders(self, terms: np.ndarray) -> np.ndarray:
        wanted = np.asarray(terms, dtype=np.int64)
        if not len(wanted):
            return np.empty(0, dtype=np.int64)
        raw = wanted.astype(">u4").tobytes()
        with self._guard():
            counts = self._redis.hmget(self._key(b"terms"), [raw[i : i + 4] for i in range(0, len(raw), 4)])
        return np.array([int(count) if count is not None else 0 for count in counts], dtype=np.int64)

    def set_furniture(self, judged: Iterable[int], furniture: Iterable[int]) -> None:
        furniture = set(furniture)
        cleared = sorted(set(judged) - furniture)
        with self.writing():
            self._members("SREM", b"furniture", np.array(signed(np.array(cleared, dtype=np.uint64)), dtype=np.int64))
            self._members("SADD", b"furniture",
                          np.array(signed(np.array(sorted(furniture), dtype=np.uint64)), dtype=np.int64))

    # --- inspection ---------------------------------------------------------------------------------

    def ids(self) -> Iterator[str]:
        start = 0
        while True:
            with self._guard():
                chunk = self._redis.zrange(self._key(b"ids"), start, start + 4095)
            if not chunk:
                return
            yield from (i.decode() for i in chunk)
            start += len(chunk)

    def count(self) -> int:
        with self._guard():
            return self._redis.zcard(self._key(b"ids"))

    def stats(self) -> dict[str, int | str]:
        with self._guard():
            return {
                "backend": "redis",
                "location": self.location,
                "read_only": 0,
                "articles": self._redis.zcard(self._key(b"ids")),
                "furniture_fingerprints": self._redis.scard(self._key(b"furniture")),
                "terms": self._redis.hlen(self._key(b"terms")),
                "server_used_memory_bytes": self._redis.info("memory").get("used_memory", 0),
            }

    def integrity_problems(self, full: bool) -> list[str]:
        """Every listed article loads and passes its checksum, and the term counts equal a recount of them; with
        ``full``, every bucket and carrier entry points to a stored article (a scan of the namespace's keys)."""
        problems: list[str] = []
        with self._guard():
            ids = list(self.ids())
            held = []
            for start in range(0, len(ids), 256):
                chunk = ids[start : start + 256]
                try:
                    entries = self.load(chunk)
                except IndexDamagedError as error:
                    problems.append(str(error))
                    continue
                held += [entry.held_terms() for entry in entries]
                loaded = {entry.article.id for entry in entries}
                problems.extend(f"id {i!r} listed but its article is missing" for i in chunk if i not in loaded)
            if not problems:
                stored = self._redis.hgetall(self._key(b"terms"))
                counts = {int.from_bytes(term, "big"): int(count) for term, count in stored.items()}
                problems += recount_problems(counts, held)
            if full:
                stored = {int(seq) for _, seq in self._redis.zrange(self._key(b"ids"), 0, -1, withscores=True)}
                for prefix, name in ((b"z:", "bucket"), (b"fp:", "fp")):
                    orphans = 0
                    keys = self._redis.scan_iter(match=self._key(prefix) + b"*", count=1000)
                    while chunk := list(islice(keys, 1000)):
                        pipe = self._redis.pipeline(transaction=False)
                        for key in chunk:
                            pipe.zrange(key, 0, -1) if prefix == b"z:" else pipe.smembers(key)
                        seqs = ([int.from_bytes(member[8:], "big") for members in pipe.execute() for member in members]
                                if prefix == b"z:" else [int(seq) for members in pipe.execute() for seq in members])
                        orphans += sum(seq not in stored for seq in seqs)
                    if orphans:
                        problems.append(f"{orphans} {name} entries point to no article")
        return problems

    def close(self) -> None:
        with suppress(*self._redis_errors):
            self._redis.close()


def _as_bytes(keys: np.ndarray) -> list[bytes]:
    """Each int64 key as its 8 big-endian bytes (the Redis spelling of a SQLite integer key)."""
    raw = np.asarray(keys, dtype=">i8").tobytes()
    return [raw[i : i + 8] for i in range(0, len(raw), 8)]


def _shard_names(keys: np.ndarray) -> list[bytes]:
    """Each bucket's shard: its low SHARD_BITS bits, 2 big-endian bytes."""
    raw = (np.asarray(keys, dtype=np.int64) & ((1 << SHARD_BITS) - 1)).astype(">u2").tobytes()
    return [raw[i : i + 2] for i in range(0, len(raw), 2)]


def _rows(blocks: list[np.ndarray | None], seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, seq) rows: each entry's keys with its seq."""
    keys = [np.asarray(b if b is not None else [], dtype=np.int64) for b in blocks]
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(keys), np.repeat(seqs, [len(k) for k in keys])


def _carried(entry: Entry) -> np.ndarray:
    return np.array(signed(np.array(entry.carried_fingerprints(), dtype=np.uint64)), dtype=np.int64)


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

