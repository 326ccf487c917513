"""Idempotency records in Redis (``pip install 'stormproof[redis]'``), for a service whose
instances share a Redis rather than a database.

Each record is a hash under ``prefix + key``: ``fingerprint``, ``token``, ``expires_at`` and,
once complete, ``status``, ``headers`` and ``body`` (hash values are bytes, so any body is kept
as it is). Each operation is one Lua script, which Redis runs atomically, so the rules are the
SQLite store's: a record whose ``expires_at`` is at or before ``now`` is absent, and only the
lock's owner token completes or releases it.

Redis also expires each record by itself (``PEXPIRE``), which is the lazy purge: nothing else
has to delete old keys. The deadlines are the caller's clock, Redis expires by its own, so a
record's time to live is the time left until its deadline, as the caller reckons it: ``begin``
knows ``now``; ``complete`` carries over the lock's remaining time to live."""

from __future__ import annotations

import math
from typing import Any

from stormproof.kit._checks import check, is_seconds
from stormproof.kit._optional import require
from stormproof.kit.errors import ConfigurationError
from stormproof.kit.idempotency.store import (
    Begin,
    Outcome,
    StoredResponse,
    encode_headers,
    existing,
    new_token,
)

PREFIX = "stormproof:idempotency:"
_PURGE_SCAN = 500  # keys asked of each SCAN step, and purged per round trip

# KEYS[1]: the record. ARGV: fingerprint, token, now, lock_until, the lock's time to live (ms).
# A live record comes back for the caller to judge (MISMATCH, IN_PROGRESS or REPLAY); an
# absent or expired one is replaced by the caller's lock, and nil comes back.
_BEGIN = """
local record = redis.call('HMGET', KEYS[1], 'expires_at', 'fingerprint', 'status', 'headers',
                          'body')
if record[1] and tonumber(record[1]) > tonumber(ARGV[3]) then
    return record
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'token', ARGV[2], 'expires_at', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return false
"""

# KEYS[1]: the record. ARGV: token, expires_at, status, headers, body. 1 if stored.
# The new time to live is the lock's remaining one plus how much later the new deadline is
# than the lock's: both deadlines are the caller's clock, and so is the difference.
_COMPLETE = """
local owner, lock_until, status = unpack(redis.call('HMGET', KEYS[1], 'token', 'expires_at',
                                                    'status'))
if owner ~= ARGV[1] or status then
    return 0
end
local ttl = redis.call('PTTL', KEYS[1]) + math.ceil((tonumber(ARGV[2]) - tonumber(lock_until))
                                                     * 1000)
redis.call('HSET', KEYS[1], 'status', ARGV[3], 'headers', ARGV[4], 'body', ARGV[5],
           'expires_at', ARGV[2])
redis.call('PEXPIRE', KEYS[1], string.format('%.0f', ttl))
return 1
"""

# KEYS[1]: the record. ARGV: token. 1 if released.
_RELEASE = """
local owner, status = unpack(redis.call('HMGET', KEYS[1], 'token', 'status'))
if owner ~= ARGV[1] or status then
    return 0
end
redis.call('DEL', KEYS[1])
return 1
"""

# KEYS[1]: the record. ARGV: now. 1 if it had expired and was deleted.
_PURGE = """
local expires_at = redis.call('HGET', KEYS[1], 'expires_at')
if expires_at and tonumber(expires_at) <= tonumber(ARGV[1]) then
    redis.call('DEL', KEYS[1])
    return 1
end
return 0
"""


class RedisIdempotencyStore:
    """Idempotency records in Redis, under keys that start with ``prefix``; everything under
    that prefix belongs to the store.

    ``redis`` is a ``redis://`` (or ``rediss://``, ``unix://``) URL, or a ``redis.Redis``
    client built with ``decode_responses=False`` (bodies are bytes). A client built from a
    URL waits ``connect_timeout`` seconds for a connection and ``timeout`` seconds for each
    answer, and never retries: a script whose answer was lost may have run, and running
    ``begin`` twice would answer the request that locked the key 409 about its own lock. A
    client passed in keeps its own settings. Nothing is sent until the first call.

    Errors from Redis (``redis.ConnectionError`` for a server that is down,
    ``redis.TimeoutError`` for one that does not answer) reach the caller unchanged, and the
    middleware lets them through: a request whose ``begin`` failed gets a 500 and runs
    nothing; one whose answer could not be stored is cut off, never answered as if it were.

    A lock past its deadline that nobody took over is gone from Redis, so its owner can no
    longer complete it (the SQLite store would let it): the answer of a handler slower than
    the lock timeout is sent but not stored, which the middleware logs."""

    def __init__(
        self,
        redis: str | Any,
        *,
        prefix: str = PREFIX,
        timeout: float = 1.0,
        connect_timeout: float = 1.0,
    ) -> None:
        module = require("redis", extra="redis", needed_by="RedisIdempotencyStore")
        for setting, seconds in (("timeout", timeout), ("connect_timeout", connect_timeout)):
            check(setting, seconds, is_seconds(seconds), "a number of seconds > 0")
        check("prefix", prefix, isinstance(prefix, str) and prefix != "", "a non-empty string")
        self._client = _client(module, redis, timeout=timeout, connect_timeout=connect_timeout)
        self._owns_client = isinstance(redis, str)
        self._prefix = prefix
        self._begin = self._client.register_script(_BEGIN)
        self._complete = self._client.register_script(_COMPLETE)
        self._release = self._client.register_script(_RELEASE)
        self._purge = self._client.register_script(_PURGE)

    def __repr__(self) -> str:
        kwargs = self._client.get_connection_kwargs()
        where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
        return f"RedisIdempotencyStore({where!r}, db={kwargs.get('db')}, prefix={self._prefix!r})"

    def begin(self, key: str, fingerprint: str, *, now: float, lock_until: float) -> Begin:
        token = new_token()
        ttl_ms = max(1, math.ceil((lock_until - now) * 1000))
        record = self._begin(
            keys=[self._prefix + key],
            args=[fingerprint, token, repr(float(now)), repr(float(lock_until)), ttl_ms],
        )
        if record is None:
            return Begin(Outcome.STARTED, token=token)
        _, stored_fingerprint, status, headers, body = record
        return existing(
            fingerprint,
            stored_fingerprint.decode(),
            None if status is None else int(status),
            None if headers is None else headers.decode(),
            body,
        )

    def complete(
        self, key: str, token: str, response: StoredResponse, *, expires_at: float
    ) -> bool:
        args = [
            token,
            repr(float(expires_at)),
            response.status,
            encode_headers(response.headers),
            response.body,
        ]
        return bool(self._complete(keys=[self._prefix + key], args=args))

    def release(self, key: str, token: str) -> bool:
        return bool(self._release(keys=[self._prefix + key], args=[token]))

    def purge_expired(self, now: float) -> int:
        """Delete the records expired at ``now``, which Redis has not expired yet (its clock
        is behind the caller's). Scans every key under the prefix: for tests and tools, not
        for each request."""
        pattern = _glob_escape(self._prefix) + "*"
        keys = self._client.scan_iter(match=pattern, count=_PURGE_SCAN)
        purged = 0
        batch: list[bytes] = []
        for key in keys:
            batch.append(key)
            if len(batch) == _PURGE_SCAN:
                purged += self._purge_batch(batch, now)
                batch = []
        return purged + self._purge_batch(batch, now)

    def close(self) -> None:
        """Close the connections of a client built from a URL (one passed in is the
        caller's to close)."""
        if self._owns_client:
            self._client.close()

    def _purge_batch(self, keys: list[bytes], now: float) -> int:
        pipeline = self._client.pipeline(transaction=False)
        for key in keys:
            self._purge(keys=[key], args=[repr(float(now))], client=pipeline)
        return sum(pipeline.execute())


def _client(module: Any, redis: object, *, timeout: float, connect_timeout: float) -> Any:
    if isinstance(redis, str):
        try:
            return module.Redis.from_url(
                redis,
                socket_timeout=timeout,
                socket_connect_timeout=connect_timeout,
                retry=module.retry.Retry(module.backoff.NoBackoff(), 0),
            )
        except ValueError as exc:
            raise ConfigurationError(f"redis is not a Redis URL: {exc}") from exc
    if not isinstance(redis, module.Redis):
        raise ConfigurationError(
            f"redis must be a redis:// URL or a redis.Redis client, not {redis!r}"
        )
    if redis.get_connection_kwargs().get("decode_responses"):
        raise ConfigurationError(
            "redis must be a client built with decode_responses=False: response bodies are"
            " bytes, which decoding would corrupt"
        )
    return redis


def _glob_escape(text: str) -> str:
    """``text`` matched literally by a Redis glob pattern."""
    return "".join("\\" + char if char in "\\*?[]" else char for char in text)
