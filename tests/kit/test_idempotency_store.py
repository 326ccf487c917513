"""The idempotency store contract, on every store alike: SQLite (a file, and in memory),
PostgreSQL and Redis. The four outcomes of begin, owner tokens, expiry and purging, responses
kept byte for byte, and atomicity between threads and between real processes.

The Postgres and Redis cases run on servers the tests start (``tests/servers``), each test on
a table or key prefix of its own; they skip, saying why, when a server or its client package
is missing. The other store test modules build their stores with :func:`open_backend`."""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit import ConfigurationError
from stormproof.kit.idempotency import (
    Begin,
    IdempotencyStore,
    Outcome,
    PostgresIdempotencyStore,
    RedisIdempotencyStore,
    SqliteIdempotencyStore,
    StoredResponse,
)
from stormproof.kit.idempotency.store import PURGE_BATCH, TABLE
from tests.servers import postgres_cluster, redis_server

LOCK = 60.0
RESPONSE = StoredResponse(
    201,
    ((b"content-type", b"application/json"), (b"x-raw", bytes(range(0x20, 0x100)))),
    b'{"id": 1}\x00\xff',
)

ALL = ["sqlite-file", "sqlite-memory", "postgres", "redis"]
SHARED = ["sqlite-file", "postgres", "redis"]  # records that several stores and processes share
PURGING = ["sqlite-file", "postgres"]  # begin purges expired records (Redis expires its own)


# --- the stores under test --------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_dsn() -> Iterator[str]:
    pytest.importorskip(
        "psycopg", reason="psycopg 3 is not installed (pip install 'stormproof[postgres]')"
    )
    try:
        with postgres_cluster.cluster() as dsn:
            yield dsn
    except postgres_cluster.Unavailable as why:
        pytest.skip(f"no PostgreSQL cluster: {why}")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    try:
        with redis_server.redis_server() as url:
            yield url
    except redis_server.Unavailable as why:
        pytest.skip(f"no Redis server: {why}")


@dataclass
class Backend:
    """One kind of store, on records of this test's own."""

    name: str
    factory: Callable[..., IdempotencyStore]
    records: Callable[[], int]
    """How many records are stored, expired ones included."""
    racer: list[str]
    """How :data:`RACER` opens a store on the same records."""
    opened: list[IdempotencyStore] = field(default_factory=list)

    def open(self, **settings: Any) -> IdempotencyStore:
        """A new store on the test's records, with these settings; closed by :meth:`close`."""
        self.opened.append(self.factory(**settings))
        return self.opened[-1]

    def close(self) -> None:
        for store in self.opened:
            if isinstance(store, PostgresIdempotencyStore | RedisIdempotencyStore):
                store.close()


def open_backend(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The ``name`` backend (one of :data:`ALL`) for a test; its server fixture is asked for
    only now, so that a test on SQLite never starts (or skips for want of) a server."""
    if name == "sqlite-file":
        path = tmp_path / "keys.db"

        def rows() -> int:
            with contextlib.closing(sqlite3.connect(path)) as db:
                return int(db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])

        return Backend(name, partial(SqliteIdempotencyStore, path), rows, ["sqlite", str(path)])
    if name == "sqlite-memory":
        memory = SqliteIdempotencyStore(":memory:")

        def memory_rows() -> int:
            with memory._connection() as db:  # the one connection that holds its records
                return int(db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])

        return Backend(name, lambda: memory, memory_rows, [])
    suffix = uuid.uuid4().hex[:12]
    if name == "postgres":
        import psycopg

        dsn, table = request.getfixturevalue("postgres_dsn"), f"keys_{suffix}"

        def table_rows() -> int:
            with psycopg.connect(dsn) as conn:
                return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        return Backend(
            name,
            partial(PostgresIdempotencyStore, dsn, table=table),
            table_rows,
            ["postgres", dsn, table],
        )
    import redis

    url, prefix = request.getfixturevalue("redis_url"), f"test:{suffix}:"

    def keys() -> int:
        with redis.Redis.from_url(url) as client:
            return sum(1 for _ in client.scan_iter(match=prefix + "*"))

    return Backend(
        name, partial(RedisIdempotencyStore, url, prefix=prefix), keys, ["redis", url, prefix]
    )


@contextlib.contextmanager
def backend_for(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The backend that the fixture's parameter names, its stores closed on the way out."""
    backend = open_backend(request.param, request, tmp_path)
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture(params=ALL)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    with backend_for(request, tmp_path) as opened:
        yield opened


@pytest.fixture(params=SHARED)
def shared_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    with backend_for(request, tmp_path) as opened:
        yield opened


@pytest.fixture(params=PURGING)
def purging_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    with backend_for(request, tmp_path) as opened:
        yield opened


@pytest.fixture
def store(backend: Backend) -> IdempotencyStore:
    return backend.open()


def begin(store: IdempotencyStore, key: str = "k", fp: str = "f", now: float = 0) -> Begin:
    return store.begin(key, fp, now=now, lock_until=now + LOCK)


def started(store: IdempotencyStore, key: str = "k", now: float = 0) -> str:
    begun = begin(store, key, now=now)
    assert begun.outcome is Outcome.STARTED and begun.token
    return begun.token


# --- the contract -----------------------------------------------------------------------------


def test_it_is_an_idempotency_store(store: IdempotencyStore) -> None:
    assert isinstance(store, IdempotencyStore)


def test_the_first_begin_locks_the_key_and_the_next_ones_see_it(store: IdempotencyStore) -> None:
    started(store)
    assert begin(store) == Begin(Outcome.IN_PROGRESS)
    assert begin(store, fp="other") == Begin(Outcome.MISMATCH)


def test_a_completed_key_replays_its_response_exactly(store: IdempotencyStore) -> None:
    token = started(store)
    assert store.complete("k", token, RESPONSE, expires_at=100)
    assert begin(store) == Begin(Outcome.REPLAY, response=RESPONSE)
    assert begin(store, fp="other") == Begin(Outcome.MISMATCH)
    assert not store.release("k", token), "a complete answer is not released"
    assert begin(store).outcome is Outcome.REPLAY


def test_a_released_key_starts_again_with_a_new_token(store: IdempotencyStore) -> None:
    token = started(store)
    assert store.release("k", token)
    again = started(store)
    assert again != token
    assert not store.complete("k", token, RESPONSE, expires_at=100), "the old token lost the key"
    assert begin(store) == Begin(Outcome.IN_PROGRESS)


def test_only_the_owner_token_completes_or_releases(store: IdempotencyStore) -> None:
    token = started(store)
    assert not store.complete("k", "not-the-owner", RESPONSE, expires_at=100)
    assert not store.release("k", "not-the-owner")
    assert not store.complete("absent", token, RESPONSE, expires_at=100)
    assert not store.release("absent", token)
    assert begin(store) == Begin(Outcome.IN_PROGRESS)
    assert store.complete("k", token, RESPONSE, expires_at=100)
    assert not store.complete("k", token, RESPONSE, expires_at=100), "complete only once"


def test_a_lock_past_its_deadline_is_taken_over(store: IdempotencyStore) -> None:
    dead = started(store, now=0)
    assert begin(store, now=LOCK - 0.001).outcome is Outcome.IN_PROGRESS
    assert begin(store, fp="other", now=LOCK).outcome is Outcome.STARTED  # absent: any request
    assert not store.complete("k", dead, RESPONSE, expires_at=1000)
    assert not store.release("k", dead)
    assert begin(store, now=LOCK).outcome is Outcome.MISMATCH  # the new lock holds


def test_a_response_past_its_expiry_is_absent(store: IdempotencyStore) -> None:
    store.complete("k", started(store), RESPONSE, expires_at=100)
    assert begin(store, now=99.999).outcome is Outcome.REPLAY
    assert begin(store, fp="other", now=100).outcome is Outcome.STARTED


def test_keys_are_compared_exactly(store: IdempotencyStore) -> None:
    keys = ["k", "K", "k ", "k2", '["alice", "k"]', "caf\u00e9", "x" * 255]
    for key in keys:
        started(store, key)
    assert {begin(store, key).outcome for key in keys} == {Outcome.IN_PROGRESS}


@pytest.mark.parametrize(
    "response",
    [
        StoredResponse(204, (), b""),
        StoredResponse(200, ((b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")), bytes(range(256))),
        StoredResponse(
            202,
            ((b"x-empty", b""), (b"content-type", b"application/octet-stream")),
            random.Random(7).randbytes(1 << 20),
        ),
    ],
    ids=["empty", "every-byte", "one-mib"],
)
def test_any_response_round_trips_byte_for_byte(
    store: IdempotencyStore, response: StoredResponse
) -> None:
    assert store.complete("k", started(store), response, expires_at=100)
    assert begin(store) == Begin(Outcome.REPLAY, response=response)


def test_purge_expired_deletes_expired_records_only(backend: Backend) -> None:
    store = backend.open()
    for key, expires_at in (("a", 10), ("b", 20), ("c", 30)):
        store.complete(key, started(store, key), RESPONSE, expires_at=expires_at)
    started(store, "locked", now=0)  # locked until 60
    assert store.purge_expired(20) == 2
    assert backend.records() == 2
    assert begin(store, "c", now=20).outcome is Outcome.REPLAY
    assert store.purge_expired(60) == 2
    assert store.purge_expired(60) == 0
    assert backend.records() == 0


def test_begin_purges_a_batch_of_expired_records_as_it_goes(purging_backend: Backend) -> None:
    store = purging_backend.open()
    for n in range(40):
        store.complete(f"old-{n}", started(store, f"old-{n}"), RESPONSE, expires_at=10)
    started(store, "new-1", now=10)
    assert purging_backend.records() == 41 - PURGE_BATCH
    started(store, "new-2", now=10)
    started(store, "new-3", now=10)
    assert purging_backend.records() == 3


def test_stores_on_one_database_share_their_records(shared_backend: Backend) -> None:
    one, two = shared_backend.open(), shared_backend.open()
    one.complete("k", started(one), RESPONSE, expires_at=100)
    assert begin(two) == Begin(Outcome.REPLAY, response=RESPONSE)
    assert begin(two, "other").outcome is Outcome.STARTED
    assert begin(one, "other").outcome is Outcome.IN_PROGRESS


# --- atomicity --------------------------------------------------------------------------------


def race(threads: int, call: Callable[[int], Outcome]) -> Counter[Outcome]:
    """``call(i)`` in threads ``i = 0 ... threads - 1`` released at once; how often each
    outcome came."""
    barrier = threading.Barrier(threads)
    outcomes: list[Outcome] = []

    def run(i: int) -> None:
        barrier.wait()
        outcomes.append(call(i))

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Counter(outcomes)


ONE_WINNER = {Outcome.STARTED: 1, Outcome.IN_PROGRESS: 15}


def test_threads_racing_for_one_key_start_it_once(store: IdempotencyStore) -> None:
    for key in ("a", "b", "c"):
        assert race(16, lambda _, key=key: begin(store, key).outcome) == ONE_WINNER


def test_threads_racing_to_take_over_an_expired_lock_take_it_once(
    store: IdempotencyStore,
) -> None:
    dead = started(store, now=0)
    assert race(16, lambda _: begin(store, now=LOCK).outcome) == ONE_WINNER
    assert not store.release("k", dead)


def test_threads_on_stores_of_their_own_start_a_key_once(shared_backend: Backend) -> None:
    stores = [shared_backend.open() for _ in range(4)]
    assert race(16, lambda i: begin(stores[i % 4]).outcome) == ONE_WINNER


RACER = """
import json, sys, time
from pathlib import Path
from stormproof.kit.idempotency import (
    Outcome, PostgresIdempotencyStore, RedisIdempotencyStore, SqliteIdempotencyStore,
)

kind, target, *option = sys.argv[3:]
if kind == "sqlite":
    store = SqliteIdempotencyStore(target)
elif kind == "postgres":
    store = PostgresIdempotencyStore(target, table=option[0])
else:
    store = RedisIdempotencyStore(target, prefix=option[0])
go = Path(sys.argv[1])
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
won = [k for k in range(int(sys.argv[2]))
       if store.begin(f"key-{k}", "f", now=0, lock_until=60).outcome is Outcome.STARTED]
print(json.dumps(won))
"""


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.kill()
        process.wait()


def test_processes_racing_for_the_same_keys_start_each_once(
    shared_backend: Backend, tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    go, keys = tmp_path / "go", 100
    shared_backend.open()  # the schema, before the race
    for _ in range(4):
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(go), str(keys), *shared_backend.racer],
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    go.touch()
    won: list[int] = []
    for process in processes:
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        won += json.loads(out)
    assert sorted(won) == list(range(keys))


# --- SQLite only ------------------------------------------------------------------------------


def test_sqlite_puts_its_file_in_wal_mode(tmp_path: Path) -> None:
    SqliteIdempotencyStore(tmp_path / "k.db")
    with contextlib.closing(sqlite3.connect(tmp_path / "k.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_each_in_memory_store_is_its_own_database() -> None:
    one, two = SqliteIdempotencyStore(":memory:"), SqliteIdempotencyStore(":memory:")
    started(one)
    assert begin(two).outcome is Outcome.STARTED


def test_a_locked_database_raises_after_the_busy_timeout(tmp_path: Path) -> None:
    store = SqliteIdempotencyStore(tmp_path / "keys.db", busy_timeout=0.05)
    holder = sqlite3.connect(tmp_path / "keys.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            begin(store)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    started(store)


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        ("", {}, "path must name an SQLite file"),
        ("keys.db", {"busy_timeout": 0}, "busy_timeout must be > 0"),
    ],
)
def test_bad_sqlite_settings_fail_at_construction(
    tmp_path: Path, path: str, options: dict[str, float], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SqliteIdempotencyStore(path and tmp_path / path, **options)
