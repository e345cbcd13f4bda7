"""The shared backend: one Redis server that several ingest machines read and write.

The layout is :mod:`.store`'s, in Redis types, under a namespace ``NS`` (default ``syndicate``):
``NS:meta`` (hash), ``NS:seq`` (counter), ``NS:ids`` (sorted set: id → seq, oldest first),
``NS:a:SEQ`` (hash: id, record, arrays, checksum), ``NS:b:SHARD`` (the buckets, see below),
``NS:shards`` and ``NS:rows`` (the shards' state and how many bucket rows they hold),
``NS:fp:FINGERPRINT`` (sets of seqs; FINGERPRINT is the 8 big-endian bytes of the integer SQLite stores),
``NS:furniture`` (set), ``NS:terms`` (hash: the 4 big-endian bytes of a content term → how many
stored articles hold it; a term none holds is no field) and ``NS:lock``.

**The buckets are appended, never inserted.** A bucket row is a 12-byte record (the bucket's 8
big-endian bytes, then the seq's 4), and each shard is one string of records that a write extends
with ``APPEND``: no comparisons, no per-row command, a few bytes a row, and a shard's records of one
bucket stay in seq order, which is the "oldest first" the bucket limit needs. Which shard holds a
bucket is linear hashing (:class:`ShardMap`) on the bucket's low 32 bits, its hashed part: the
shards split one at a time, in order, as the rows grow, so a shard holds about ``SHARD_ROWS`` rows
whatever the index's size. A check's one script reads the shards of its buckets (a few hundred
strings of about 3 KB), searches them for its buckets' records and returns their seqs; a batch of
4,096 articles is one ``APPEND`` per shard it touches. Removal sends the removed records, and the
script finds each in its shard by the same search and cuts it out.

**Writes are fenced and atomic.** A writer holds a short lease (``NS:lock`` = a random token,
``LEASE_MS``), renewed by a thread while it works, so a crashed writer blocks others for
seconds, not minutes. Everything a write section changes is buffered and applied at its end
by one Lua script, which first checks that the lease still holds this writer's token, that
the index's settings still exist and that the shards are as the writer read them; Redis runs a
script whole, so a batch of a thousand articles is one round trip, and a writer that dies, or
loses its lease, changes nothing. Splits run when a write section starts, before it buffers
anything, as scripts of their own (a few thousand shards each), so a reader sees the shards
either before a split or after it, never half-split.
A writer that finds the settings gone (a restart without persistence) stops with an error
instead of writing into an empty server. Reads are pipelined, a round trip per step; a check's
bucket read is one script, which finds the shards by the state it reads in the same step.
"""

from __future__ import annotations

import secrets
import struct
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from ..sorting import distinct
from ..terms import first_of_runs
from .store import (
    BackendBase,
    Entry,
    EntryCache,
    IndexDamagedError,
    IndexStoreError,
    SnapshotCache,
    entry_from_stored,
    recount_problems,
    signed,
    term_counts,
)

LAYOUT = "3"
"""How the buckets are spelt in Redis (1: a set per bucket; 2: sorted sets per 16-bit shard; 3: appended
records in linearly hashed shards). An index of another layout is refused with what to do (the shared
format version says what is stored, this how Redis holds it)."""
BASE_BITS = 14
"""An empty index has 2^BASE_BITS shards: a first batch of 4,096 articles (about 1.2 million rows) fills them to
about 75 rows each, so a growing index's first batches are not rewritten level after level."""
SHARD_ROWS = 256
"""The shards split until they hold this many bucket rows on average (records of 12 bytes: about 3 KB)."""
SPLITS_PER_SCRIPT = 4096
_RECORD = np.dtype([("bucket", ">i8"), ("seq", ">u4")])
LEASE_MS = 10_000
"""A writer's lease. Renewed every third of it while the writer works; a dead writer's expires."""
LOCK_WAIT_SECONDS = 60.0
_FENCED = "SYNDICATE_FENCED"
_NO_META = "SYNDICATE_NO_META"
_RESHARDED = "SYNDICATE_RESHARDED"

RECORD_AT = """
local function record_at(held, probe, head, from)
  -- the next record from `from` on whose bytes 5.. begin with `probe` and whose first 4 are `head`: a plain search
  -- for the probe (bytes of the bucket's hashed half: few false starts), kept where it falls in a record's place
  while true do
    local start = string.find(held, probe, from, true)
    if not start then return nil end
    if (start - 5) % 12 == 0 and string.sub(held, start - 4, start - 1) == head then return start - 4 end
    from = start + 1
  end
end
"""
"""Where a record stands in a shard, found by substring search: the check's bucket read and removal both use it."""

APPLY = RECORD_AT + f"""
local ns, token, need_meta = ARGV[1], ARGV[2], ARGV[3]
if redis.call('GET', ns .. 'lock') ~= token then return redis.error_reply('{_FENCED}') end
if need_meta == '1' and redis.call('EXISTS', ns .. 'meta') == 0 then return redis.error_reply('{_NO_META}') end
local shards = redis.call('GET', ns .. 'shards')
if shards and shards ~= ARGV[4] then return redis.error_reply('{_RESHARDED}') end
local i = 5
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
  elseif op == 'A' then
    local shards, counts, records = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    local at = 1
    for g = 0, #shards / 4 - 1 do
      local size = struct.unpack('>I4', counts, g * 4 + 1) * 12
      local key = ns .. 'b:' .. string.sub(shards, g * 4 + 1, g * 4 + 4)
      redis.call('APPEND', key, string.sub(records, at, at + size - 1))
      at = at + size
    end
    redis.call('INCRBY', ns .. 'rows', #records / 12)
    i = i + 4
  elseif op == 'R' then
    local shards, counts, records = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
    local at, dropped = 1, 0
    for g = 0, #shards / 4 - 1 do
      local key = ns .. 'b:' .. string.sub(shards, g * 4 + 1, g * 4 + 4)
      local held = redis.call('GET', key) or ''
      for k = 1, struct.unpack('>I4', counts, g * 4 + 1) do
        -- the record, found by its hashed half and seq
        local place = record_at(held, string.sub(records, at + 4, at + 11), string.sub(records, at, at + 3), 5)
        if place then
          held = string.sub(held, 1, place - 1) .. string.sub(held, place + 12)
          dropped = dropped + 1
        end
        at = at + 12
      end
      if #held == 0 then redis.call('DEL', key) else redis.call('SET', key, held) end
    end
    redis.call('DECRBY', ns .. 'rows', dropped)
    i = i + 4
  elseif op == 'S' then
    local after, shards, sizes, contents = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
    local at = 1
    for g = 0, #shards / 4 - 1 do
      local key, size = ns .. 'b:' .. string.sub(shards, g * 4 + 1, g * 4 + 4), struct.unpack('>I4', sizes, g * 4 + 1)
      if size == 0 then redis.call('DEL', key) else redis.call('SET', key, string.sub(contents, at, at + size - 1)) end
      at = at + size
    end
    redis.call('SET', ns .. 'shards', after)
    i = i + 5
  elseif op == 'P' then
    local articles, at = ARGV[i + 1], 1
    while at <= #articles do
      local seq, id_size, record_size, arrays_size, checksum_size = struct.unpack('>I4I4I4I4I4', articles, at)
      at = at + 20
      local id = string.sub(articles, at, at + id_size - 1)
      local record = string.sub(articles, at + id_size, at + id_size + record_size - 1)
      at = at + id_size + record_size
      local arrays = string.sub(articles, at, at + arrays_size - 1)
      local checksum = string.sub(articles, at + arrays_size, at + arrays_size + checksum_size - 1)
      at = at + arrays_size + checksum_size
      redis.call('HSET', ns .. 'a:' .. string.format('%d', seq), 'id', id, 'record', record, 'arrays', arrays,
                 'checksum', checksum)
      redis.call('ZADD', ns .. 'ids', seq, id)
    end
    i = i + 2
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
redis.call('INCR', ns .. 'version')
return 1
"""
"""Apply a write section's operations, fenced (the lease holds the writer's token, the settings exist, the shards'
state is ARGV[4], the one the writer read):

- A = append 12-byte bucket records to shards (4-byte shard numbers, a 4-byte record count each, the records);
- R = take records out of shards (spelt as for A; each is found by a substring search in its shard, so the work
  grows with the records removed, not with the index);
- S = split shards: set each (4-byte number, 4-byte size, contents; size 0 deletes it), then the shards' state;
- P = store articles (per article a 4-byte seq, the 4-byte sizes of its id, record, arrays and checksum, then
  those: a hash each and its place in the ids);
- F = one command per (key, seq) pair; M = one command on one key with many 8-byte members;
- H = HINCRBY on one hash, a field (4 bytes) by a count (4 bytes, signed) at a time, a field that reaches 0
  deleted;
- C = one command (ARGC, NAME, KEY, ARGS…)."""

RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
CARRIERS = """
local ns, limit, fingerprints = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local out, names = {}, {}
for k = 0, #fingerprints / 8 - 1 do
  local members = redis.call('SMEMBERS', ns .. 'fp:' .. string.sub(fingerprints, k * 8 + 1, k * 8 + 8))
  if #members > 0 then
    local seqs = {}
    for m = 1, #members do seqs[m] = tonumber(members[m]) end
    table.sort(seqs)
    local kept = {}
    for m = 1, math.min(limit, #seqs) do
      local id = names[seqs[m]]
      if id == nil then
        id = redis.call('HGET', ns .. 'a:' .. string.format('%d', seqs[m]), 'id') or false
        names[seqs[m]] = id
      end
      if id then kept[#kept + 1] = id end
    end
    if #kept > 0 then
      out[#out + 1] = struct.pack('>I4I4', k, #kept)
      for _, id in ipairs(kept) do out[#out + 1] = struct.pack('>I4', #id) .. id end
    end
  end
end
return table.concat(out)
"""
"""Per fingerprint asked about (8 bytes each) that has carriers: its place in the question and how many, then the
ids (4-byte length, bytes) of its `limit` oldest carriers, less any whose article is gone. One command for the
thousands of paragraphs a batch asks about, instead of a command per fingerprint and one per carrier."""
GATHER = """
local ns, first, stop = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local held = {}
for shard = first, stop - 1 do
  held[#held + 1] = redis.call('GET', ns .. 'b:' .. struct.pack('>I4', shard)) or ''
end
return table.concat(held)
"""
"""The records of the shards from ARGV[2] up to ARGV[3], one string (a split needs them together, not by shard)."""
FETCH = RECORD_AT + """
local ns, buckets, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local state = redis.call('GET', ns .. 'shards')
if not state then return '' end
local base, level, split = string.match(state, '^(%d+):(%d+):(%d+)$')
local size = 2 ^ (tonumber(base) + tonumber(level))
split = tonumber(split)
local shards, out = {}, {}
for k = 0, #buckets / 8 - 1 do
  local bucket = string.sub(buckets, k * 8 + 1, k * 8 + 8)
  local hash = struct.unpack('>I4', bucket, 5)
  local shard = hash % size
  if shard < split then shard = hash % (size * 2) end
  local records = shards[shard]
  if records == nil then
    records = redis.call('GET', ns .. 'b:' .. struct.pack('>I4', shard)) or ''
    shards[shard] = records
  end
  local hashed, banded = string.sub(bucket, 5, 8), string.sub(bucket, 1, 4)
  local found, at = 0, 5
  while found < limit do
    local place = record_at(records, hashed, banded, at)
    if not place then break end
    out[#out + 1] = string.sub(records, place + 8, place + 11)
    found = found + 1
    at = place + 16
  end
end
return table.concat(out)
"""
"""The seqs (4 bytes each) of the first ARGV[3] records of each bucket (8 bytes each) in its shard, which are its
oldest: the shards are found by the state read in the same step, so a split between finding a shard and reading
it cannot happen, and searched by a plain substring search for the bucket's hashed half (its low 4 bytes),
keeping the matches in the place of a record's bucket whose band half matches too."""


@dataclass(frozen=True)
class ShardMap:
    """Linear hashing of buckets to shards. With ``level`` L and ``split`` p there are 2^(B+L) + p shards
    (B = ``base_bits``): a bucket's shard is its hash (the low 32 bits) modulo 2^(B+L), or modulo 2^(B+L+1)
    when that falls below p, whose shards have already split. Splitting shard p moves the records whose
    hash has bit B+L set to shard p + 2^(B+L), the rest stay, each side in its order; then p moves on (and
    at 2^(B+L) wraps to 0 with L one higher). Only ever one shard splits at a time, so growth costs a
    shard's rewrite per SHARD_ROWS rows added, and a shard not yet split at this level holds about twice
    what a split one does, never more.
    Stored as ``B:L:p`` in ``NS:shards``, written when the index is created."""

    base_bits: int
    level: int = 0
    split: int = 0

    @classmethod
    def parse(cls, state: bytes | None) -> ShardMap:
        """The stored state; none yet (an index being created) is the empty map of today's BASE_BITS."""
        if state is None:
            return cls(BASE_BITS)
        base_bits, level, split = (int(part) for part in state.split(b":"))
        return cls(base_bits, level, split)

    def spelt(self) -> bytes:
        return b"%d:%d:%d" % (self.base_bits, self.level, self.split)

    @property
    def low(self) -> int:
        """Shards before any split of this level: 2^(B+L)."""
        return 1 << (self.base_bits + self.level)

    @property
    def count(self) -> int:
        return self.low + self.split

    def shards(self, buckets: np.ndarray) -> np.ndarray:
        """Each bucket's shard number (int64)."""
        hashes = np.asarray(buckets, dtype=np.int64) & 0xFFFFFFFF
        shard = hashes & (self.low - 1)
        return np.where(shard < self.split, hashes & (2 * self.low - 1), shard)

    def splits(self, rows: int) -> Iterator[tuple[ShardMap, range]]:
        """The splits that bring the shards to ``rows / SHARD_ROWS``: runs of consecutive shards to split
        (at most SPLITS_PER_SCRIPT, within one level), each with the map after it."""
        wanted, current = -(-rows // SHARD_ROWS), self
        while current.count < wanted:
            stop = min(current.low, current.split + SPLITS_PER_SCRIPT, current.split + wanted - current.count)
            after = (ShardMap(current.base_bits, current.level, stop) if stop < current.low
                     else ShardMap(current.base_bits, current.level + 1, 0))
            yield after, range(current.split, stop)
            current = after


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
        self._known = SnapshotCache()
        self._reading_version: int | None = None
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
        self._fetch = self._redis.register_script(FETCH)
        self._gather = self._redis.register_script(GATHER)
        self._carriers = self._redis.register_script(CARRIERS)
        self._shard_map = ShardMap(BASE_BITS)
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
        if _RESHARDED in str(error):
            return IndexStoreError(f"{self.location}: the buckets' shards changed under this writer (its lease must "
                                   "have lapsed): nothing of this write section was applied")
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
        try:
            self._grow_shards()
        except BaseException:
            self._end_write(committed=False)
            raise

    def _grow_shards(self) -> None:
        """Split shards until they hold SHARD_ROWS rows on average, before this section buffers anything (the
        lease is held, so the shards read here are the ones the split scripts replace)."""
        with self._guard():
            state, rows = self._redis.mget([self._key(b"shards"), self._key(b"rows")])
            self._shard_map = ShardMap.parse(state)
            for after, splitting in self._shard_map.splits(int(rows or 0)):
                before = self._shard_map
                records = np.frombuffer(self._gather(args=[self._ns, splitting.start, splitting.stop]), dtype=_RECORD)
                # each record either stays or moves up by `low`; a stable sort by the new shard keeps each
                # shard's records in their order, and the stays (all below `low`) before the moves
                shard = after.shards(records["bucket"])
                order = np.argsort(shard, kind="stable")
                targets = np.concatenate([np.array(splitting), np.array(splitting) + before.low])
                bounds = np.searchsorted(shard[order], np.append(targets, targets[-1] + 1))
                sizes = np.diff(bounds) * _RECORD.itemsize
                self._apply(args=[self._ns, self._token, "1" if self._require_meta else "0", before.spelt(), "S",
                                  after.spelt(), targets.astype(">u4").tobytes(), sizes.astype(">u4").tobytes(),
                                  records[order].tobytes()])
                self._shard_map = after

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
        self._known.forget()  # this store wrote (or gave up): what it kept may be what it changed
        try:
            if committed and self._ops:
                with self._guard():
                    self._apply(args=[self._ns, self._token, "1" if self._require_meta else "0",
                                      self._shard_map.spelt(), *self._ops])
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
        """Checks take no lock; they stop if the index's settings vanished from the server. The data version read
        in the same round trip keys what the check keeps of the term counts and furniture verdicts."""
        if self._write_depth or self._reading_version is not None:
            yield
            return
        with self._guard():
            exists, version = self._redis.pipeline(transaction=False).exists(self._key(b"meta")).get(
                self._key(b"version")).execute()
            if not exists:
                raise self._settings_gone()
        self._reading_version = int(version or 0)
        try:
            yield
        finally:
            self._reading_version = None

    def _data_version(self) -> int:
        """Every write script counts itself in ``NS:version``; a check reads it once (see :meth:`reading`)."""
        if self._reading_version is not None:
            return self._reading_version
        return int(self._redis.get(self._key(b"version")) or 0)

    # --- metadata -----------------------------------------------------------------------------------

    def read_meta(self) -> dict[str, str] | None:
        with self._guard():
            raw = self._redis.hgetall(self._key(b"meta"))
        meta = {k.decode(): v.decode() for k, v in raw.items()}
        if meta and meta.get("redis_layout") != LAYOUT:
            raise IndexStoreError(f"{self.location}: an index of an older Redis layout "
                                  f"({meta.get('redis_layout', '1')}); this version reads layout {LAYOUT} (bucket "
                                  "records appended to shards): rebuild it with `syndicate index add` into a new "
                                  "namespace")
        return meta or None

    def create(self, meta: dict[str, str]) -> None:
        fields = [item for pair in sorted({**meta, "redis_layout": LAYOUT}.items()) for item in pair]
        self._command("HSET", b"meta", *fields)
        self._command("SET", b"shards", self._shard_map.spelt())

    # --- articles -----------------------------------------------------------------------------------

    def put(self, entries: list[Entry]) -> None:
        if not entries:
            return
        with self._guard(), self.writing():
            last = self._redis.incrby(self._key(b"seq"), len(entries))
            seqs = np.arange(last - len(entries) + 1, last + 1, dtype=np.int64)
            parts: list[bytes] = []
            for seq, entry in zip(seqs.tolist(), entries, strict=True):
                record, arrays, checksum = entry.record()
                fields = (entry.article.id.encode(), record.encode(), arrays, str(checksum).encode())
                parts += [struct.pack(">IIIII", seq, *map(len, fields)), *fields]
            self._ops += ["P", b"".join(parts)]
            self._pairs(adding=True, buckets=[e.buckets for e in entries], carried=[_carried(e) for e in entries],
                        seqs=seqs)
            self._count_terms(entries, 1)

    def _pairs(self, *, adding: bool, buckets: list, carried: list, seqs: np.ndarray) -> None:
        """Add or remove the (bucket, seq) rows (records appended to shards) and the (fingerprint, seq) rows (a set
        per fingerprint) of the entries with these seqs."""
        bucket_keys, bucket_seqs = _rows(buckets, seqs)
        if len(bucket_keys):
            order_seqs = np.sort(seqs)  # a removal's entries come in any order
            bucket_keys, bucket_seqs = _each_once(bucket_keys, bucket_seqs, order_seqs)
            shard = self._shard_map.shards(bucket_keys)
            order = _stable_order(shard)  # by shard, each bucket's records in seq order
            records = np.empty(len(order), dtype=_RECORD)
            records["bucket"], records["seq"] = bucket_keys[order], bucket_seqs[order]
            starts = np.flatnonzero(first_of_runs(shard[order]))
            shards, counts = shard[order][starts], np.diff(np.append(starts, len(order)))
            self._ops += ["A" if adding else "R", shards.astype(">u4").tobytes(), counts.astype(">u4").tobytes(),
                          records.tobytes()]
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
        keys = distinct(np.asarray(buckets, dtype=np.int64))
        if not len(keys):
            return []
        with self._guard():
            found = self._fetch(args=[self._ns, keys.astype(">i8").tobytes(), max_bucket])
            seqs = distinct(np.frombuffer(found, dtype=">u4")).tolist()
            return sorted(self._load_seqs(seqs), key=lambda entry: entry.seq)

    def carriers(self, fingerprints: Iterable[int], limit: int) -> dict[int, list[str]]:
        wanted = list(fingerprints)
        if not wanted:
            return {}
        with self._guard():
            packed = self._carriers(args=[self._ns, limit, np.array(wanted, dtype=np.uint64).astype(">u8").tobytes()])
        found: dict[int, list[str]] = {}
        at = 0
        while at < len(packed):
            place, count = struct.unpack_from(">II", packed, at)
            at += 8
            ids = found[wanted[place]] = []
            for _ in range(count):
                (size,) = struct.unpack_from(">I", packed, at)
                ids.append(packed[at + 4 : at + 4 + size].decode())
                at += 4 + size
        return found

    def furniture(self, fingerprints: Iterable[int]) -> set[int]:
        def read(keys: list[int]) -> dict[int, int]:
            flags = self._redis.smismember(self._key(b"furniture"),
                                           _as_bytes(np.array(signed(np.array(keys, dtype=np.uint64)))))
            return {key: 1 for key, flag in zip(keys, flags, strict=True) if flag}

        found = self._kept_or_read("furniture", np.fromiter(fingerprints, dtype=np.uint64).tolist(), read)
        return {fingerprint for fingerprint, marked in found.items() if marked}

    def term_holders(self, terms: np.ndarray) -> np.ndarray:
        """Each term's stored holders; counts read at this data version are kept (see BackendBase._kept_or_read)."""
        def read(keys: list[int]) -> dict[int, int]:
            raw = np.array(keys, dtype=np.int64).astype(">u4").tobytes()
            counts = self._redis.hmget(self._key(b"terms"), [raw[i : i + 4] for i in range(0, len(raw), 4)])
            return {key: int(count) for key, count in zip(keys, counts, strict=True) if count is not None}

        wanted = np.asarray(terms, dtype=np.int64).tolist()
        found = self._kept_or_read("terms", wanted, read)
        return np.array([found.get(term, 0) for term in wanted], dtype=np.int64)

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
                "bucket_rows": int(self._redis.get(self._key(b"rows")) or 0),
                "shards": ShardMap.parse(self._redis.get(self._key(b"shards"))).count,
                "server_used_memory_bytes": self._redis.info("memory").get("used_memory", 0),
            }

    def integrity_problems(self, full: bool) -> list[str]:
        """Every listed article loads and passes its checksum, and the term counts equal a recount of them; with
        ``full``, every bucket and carrier entry points to a stored article and every bucket record sits in its shard (a
        scan of the namespace's keys)."""
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
                listed = self._redis.zrange(self._key(b"ids"), 0, -1, withscores=True)
                stored = np.array([int(seq) for _, seq in listed], dtype=np.int64)
                problems += self._bucket_problems(stored)
                orphans = 0
                keys = self._redis.scan_iter(match=self._key(b"fp:") + b"*", count=1000)
                while chunk := list(islice(keys, 1000)):
                    pipe = self._redis.pipeline(transaction=False)
                    for key in chunk:
                        pipe.smembers(key)
                    seqs = np.array([int(seq) for members in pipe.execute() for seq in members], dtype=np.int64)
                    orphans += int(np.count_nonzero(~np.isin(seqs, stored)))
                if orphans:
                    problems.append(f"{orphans} fp entries point to no article")
        return problems

    def _bucket_problems(self, stored: np.ndarray) -> list[str]:
        """Every shard holds whole records, each in the shard its bucket maps to, of a stored article, and the
        rows counter is their number."""
        shard_map = ShardMap.parse(self._redis.get(self._key(b"shards")))
        prefix = self._key(b"b:")
        problems, orphans, misplaced, rows = [], 0, 0, 0
        keys = self._redis.scan_iter(match=prefix + b"*", count=1000)
        while chunk := list(islice(keys, 1000)):
            for key, held in zip(chunk, self._redis.mget(chunk), strict=True):
                held = held or b""
                if len(key) != len(prefix) + 4 or len(held) % _RECORD.itemsize:
                    problems.append(f"shard {key!r} is not whole records")
                    continue
                records = np.frombuffer(held, dtype=_RECORD)
                rows += len(records)
                misplaced += int(np.count_nonzero(shard_map.shards(records["bucket"])
                                                  != int.from_bytes(key[len(prefix):], "big")))
                seqs = records["seq"].astype(np.int64)
                orphans += int(np.count_nonzero(~np.isin(seqs, stored)))
        if orphans:
            problems.append(f"{orphans} bucket entries point to no article")
        if misplaced:
            problems.append(f"{misplaced} bucket entries are in the wrong shard")
        counted = int(self._redis.get(self._key(b"rows")) or 0)
        if counted != rows:
            problems.append(f"the shards hold {rows} bucket rows, the counter says {counted}")
        return problems

    def close(self) -> None:
        with suppress(*self._redis_errors):
            self._redis.close()


def _as_bytes(keys: np.ndarray) -> list[bytes]:
    """Each int64 key as its 8 big-endian bytes (the Redis spelling of a SQLite integer key)."""
    raw = np.asarray(keys, dtype=">i8").tobytes()
    return [raw[i : i + 8] for i in range(0, len(raw), 8)]


def _rows(blocks: list[np.ndarray | None], seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(key, seq) rows: each entry's keys with its seq."""
    keys = [np.asarray(b if b is not None else [], dtype=np.int64) for b in blocks]
    if not keys:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    return np.concatenate(keys), np.repeat(seqs, [len(k) for k in keys])


def _stable_order(shards: np.ndarray) -> np.ndarray:
    """``np.argsort(shards, kind="stable")`` for shard numbers below 2^32, as one or two stable sorts of 16-bit
    digits, which numpy sorts by radix (2-3 times faster on a batch's million rows)."""
    order = np.argsort((shards & 0xFFFF).astype(np.uint16), kind="stable")
    if len(shards) and int(shards.max()) >= 1 << 16:
        order = order[np.argsort((shards[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def _each_once(keys: np.ndarray, owners: np.ndarray, seqs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (key, owner) rows without repeats (two chunks of one article may share a bucket), in owner order, each
    owner's keys ascending. The rows sort as one number, the owner's place in the sorted `seqs` above the key's
    bits (keys are not negative; buckets take about 40 bits), or as two keys where that would not fit."""
    place = np.searchsorted(seqs, owners)
    key_bits = max(int(keys.max()).bit_length(), 1)
    if key_bits + max(len(seqs) - 1, 1).bit_length() <= 63:
        packed = np.sort((place << key_bits) | keys)
        packed = packed[first_of_runs(packed)]
        return packed & ((1 << key_bits) - 1), seqs[packed >> key_bits]
    order = np.lexsort((keys, place))
    keys, owners = keys[order], owners[order]
    first = first_of_runs(keys) | first_of_runs(owners)
    return keys[first], owners[first]


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

