"""RedisIdempotencyStore beyond the contract (``test_idempotency_store.py``): its settings, the
time to live Redis gives each record, its key prefix, and what it does when the server stops
answering or goes away."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from stormproof.kit import ConfigurationError
from stormproof.kit.idempotency import Outcome, RedisIdempotencyStore, StoredResponse
from tests.kit import test_idempotency_store as contract
from tests.servers import redis_server

redis = pytest.importorskip(
    "redis", reason="redis is not installed (pip install 'stormproof[redis]')"
)
redis_url = contract.redis_url
DEADLINE_S = 30.0
GUARD_S = 3.0  # what a test that would hang waits (less than redis-py's own 5 s timeout)
RESPONSE = StoredResponse(200, ((b"content-type", b"text/plain"),), b"ok")


@pytest.fixture
def prefix() -> str:
    return f"test:{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def client(redis_url: str) -> Iterator[Any]:
    with redis.Redis.from_url(redis_url) as opened:
        yield opened


def begin(store: RedisIdempotencyStore, key: str = "k", now: float = 0, lock: float = 60) -> Any:
    return store.begin(key, "f", now=now, lock_until=now + lock)


# --- settings -------------------------------------------------------------------------------


def test_a_missing_redis_package_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis fails
    with pytest.raises(ConfigurationError, match=r"pip install 'stormproof\[redis\]'"):
        RedisIdempotencyStore("redis://127.0.0.1:1/0")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"redis": 42}, "redis must be a redis:// URL or a redis.Redis client"),
        ({"redis": "http://127.0.0.1/0"}, "redis is not a Redis URL"),
        ({"prefix": ""}, "prefix must be a non-empty string"),
        ({"prefix": b"keys:"}, "prefix must be a non-empty string"),
        ({"timeout": 0}, "timeout must be a number of seconds > 0"),
        ({"timeout": True}, "timeout must be a number of seconds > 0"),
        ({"timeout": math.inf}, "timeout must be a number of seconds > 0"),
        ({"connect_timeout": -1}, "connect_timeout must be a number of seconds > 0"),
    ],
)
def test_bad_settings_fail_at_construction(settings: dict[str, Any], message: str) -> None:
    settings = {"redis": "redis://127.0.0.1:1/0", **settings}  # nothing is sent: no server
    with pytest.raises(ConfigurationError, match=message):
        RedisIdempotencyStore(**settings)


def test_a_client_that_decodes_responses_is_refused() -> None:
    decoding = redis.Redis(host="127.0.0.1", port=1, decode_responses=True)
    with pytest.raises(ConfigurationError, match="decode_responses=False"):
        RedisIdempotencyStore(decoding)


def test_a_client_passed_in_is_used_and_left_open(client: Any, prefix: str) -> None:
    store = RedisIdempotencyStore(client, prefix=prefix)
    assert begin(store).outcome is Outcome.STARTED
    assert client.exists(prefix + "k") == 1
    store.close()
    assert client.ping()
    port = client.get_connection_kwargs()["port"]
    assert repr(store) == f"RedisIdempotencyStore('127.0.0.1:{port}', db=0, prefix={prefix!r})"


# --- expiry in Redis ------------------------------------------------------------------------


def test_redis_expires_each_record_at_its_deadline(
    client: Any, redis_url: str, prefix: str
) -> None:
    store = RedisIdempotencyStore(redis_url, prefix=prefix)
    token = begin(store, now=1_000, lock=60).token
    assert 55_000 < client.pttl(prefix + "k") <= 60_000
    # The caller's clock need not be Redis's: the time to live is what is left to its deadline.
    assert store.complete("k", token, RESPONSE, expires_at=1_000 + 3_600)
    assert 3_595_000 < client.pttl(prefix + "k") <= 3_600_000
    assert begin(store, now=1_000 + 3_599).outcome is Outcome.REPLAY

    begin(store, "brief", lock=0.05)
    deadline = time.monotonic() + DEADLINE_S
    while client.exists(prefix + "brief"):
        assert time.monotonic() < deadline, "Redis never expired the record"
        time.sleep(0.01)
    store.close()


def test_an_answer_already_past_its_deadline_is_not_kept(
    client: Any, redis_url: str, prefix: str
) -> None:
    store = RedisIdempotencyStore(redis_url, prefix=prefix)
    token = begin(store, now=1_000, lock=60).token
    assert store.complete("k", token, RESPONSE, expires_at=900)
    assert client.exists(prefix + "k") == 0
    assert begin(store, now=1_000).outcome is Outcome.STARTED
    store.close()


def test_stores_with_other_prefixes_never_see_or_purge_each_others_keys(
    client: Any, redis_url: str, prefix: str
) -> None:
    # A prefix with glob characters: purging "p*" must not match the keys of "pX".
    stars = RedisIdempotencyStore(redis_url, prefix=prefix + "p*")
    plain = RedisIdempotencyStore(redis_url, prefix=prefix + "pX")
    for store in (stars, plain):
        for key in ("a", "b", "[c]"):
            store.complete(key, begin(store, key).token, RESPONSE, expires_at=10)
    assert begin(plain, "a", now=0).outcome is Outcome.REPLAY
    assert begin(stars, "new", now=0).outcome is Outcome.STARTED
    assert stars.purge_expired(10) == 3
    assert sorted(client.scan_iter(match=prefix + "*")) == [
        f"{prefix}p*new".encode(),
        f"{prefix}pX[c]".encode(),
        f"{prefix}pXa".encode(),
        f"{prefix}pXb".encode(),
    ]
    assert plain.purge_expired(10) == 3
    stars.close()
    plain.close()


def test_purge_expired_goes_through_every_key(client: Any, redis_url: str, prefix: str) -> None:
    store = RedisIdempotencyStore(redis_url, prefix=prefix)
    for n in range(1_200):  # more than one SCAN step, and one batch of scripts
        store.complete(f"k{n}", begin(store, f"k{n}").token, RESPONSE, expires_at=10 + n % 2)
    assert store.purge_expired(10) == 600
    assert store.purge_expired(11) == 600
    assert list(client.scan_iter(match=prefix + "*")) == []
    store.close()


def test_scripts_the_server_forgot_are_loaded_again(
    client: Any, redis_url: str, prefix: str
) -> None:
    store = RedisIdempotencyStore(redis_url, prefix=prefix)
    token = begin(store).token
    client.script_flush()  # as after a restart of the server
    assert store.complete("k", token, RESPONSE, expires_at=100)
    assert begin(store).outcome is Outcome.REPLAY
    store.close()


# --- failures -------------------------------------------------------------------------------


@contextlib.contextmanager
def own_server() -> Iterator[str]:
    try:
        with redis_server.redis_server() as url:
            yield url
    except redis_server.Unavailable as why:
        pytest.skip(f"no Redis server: {why}")


def test_a_server_that_stops_answering_raises_a_timeout(prefix: str) -> None:
    with own_server() as url:
        store = RedisIdempotencyStore(url, prefix=prefix, timeout=0.2)
        assert begin(store, "before").outcome is Outcome.STARTED
        with redis.Redis.from_url(url) as client:
            pid = int(client.info("server")["process_id"])
        os.kill(pid, signal.SIGSTOP)
        # Should the store not time out, the server wakes up, and the test fails, not hangs.
        guard = threading.Timer(GUARD_S, os.kill, (pid, signal.SIGCONT))
        guard.start()
        try:
            with pytest.raises(redis.TimeoutError, match="Timeout reading from"):
                begin(store, "during")
        finally:
            guard.cancel()
            os.kill(pid, signal.SIGCONT)
        assert begin(store, "after").outcome is Outcome.STARTED
        store.close()


def test_a_server_that_went_away_raises_a_connection_error(prefix: str) -> None:
    with own_server() as url:
        store = RedisIdempotencyStore(url, prefix=prefix)
        assert begin(store, "before").outcome is Outcome.STARTED
    started = time.monotonic()
    for call in (
        lambda: begin(store, "after"),
        lambda: store.release("before", "token"),
        lambda: store.purge_expired(0),
    ):
        with pytest.raises(redis.ConnectionError, match="Connection refused"):
            call()
    assert time.monotonic() - started < DEADLINE_S
    store.close()
