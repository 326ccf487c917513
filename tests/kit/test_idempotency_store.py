"""SqliteIdempotencyStore: the four outcomes of begin, owner tokens, expiry and purging, and
atomicity between threads and between real processes."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from stormproof.kit import ConfigurationError
from stormproof.kit.idempotency import (
    Begin,
    IdempotencyStore,
    Outcome,
    SqliteIdempotencyStore,
    StoredResponse,
)
from stormproof.kit.idempotency.store import TABLE

LOCK = 60.0
RESPONSE = StoredResponse(
    201,
    ((b"content-type", b"application/json"), (b"x-raw", bytes(range(0x20, 0x100)))),
    b'{"id": 1}\x00\xff',
)


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SqliteIdempotencyStore:
    path = tmp_path / "keys.db" if request.param == "file" else ":memory:"
    return SqliteIdempotencyStore(path)


def begin(store: SqliteIdempotencyStore, key: str = "k", fp: str = "f", now: float = 0) -> Begin:
    return store.begin(key, fp, now=now, lock_until=now + LOCK)


def started(store: SqliteIdempotencyStore, key: str = "k", now: float = 0) -> str:
    begun = begin(store, key, now=now)
    assert begun.outcome is Outcome.STARTED and begun.token
    return begun.token


def rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]


def test_it_is_an_idempotency_store(store: SqliteIdempotencyStore) -> None:
    assert isinstance(store, IdempotencyStore)


def test_the_first_begin_locks_the_key_and_the_next_ones_see_it(
    store: SqliteIdempotencyStore,
) -> None:
    started(store)
    assert begin(store) == Begin(Outcome.IN_PROGRESS)
    assert begin(store, fp="other") == Begin(Outcome.MISMATCH)


def test_a_completed_key_replays_its_response_exactly(store: SqliteIdempotencyStore) -> None:
    token = started(store)
    assert store.complete("k", token, RESPONSE, expires_at=100)
    assert begin(store) == Begin(Outcome.REPLAY, response=RESPONSE)
    assert begin(store, fp="other") == Begin(Outcome.MISMATCH)
    assert not store.release("k", token), "a complete answer is not released"
    assert begin(store).outcome is Outcome.REPLAY


def test_a_released_key_starts_again_with_a_new_token(store: SqliteIdempotencyStore) -> None:
    token = started(store)
    assert store.release("k", token)
    again = started(store)
    assert again != token
    assert not store.complete("k", token, RESPONSE, expires_at=100), "the old token lost the key"
    assert begin(store) == Begin(Outcome.IN_PROGRESS)


def test_only_the_owner_token_completes_or_releases(store: SqliteIdempotencyStore) -> None:
    token = started(store)
    assert not store.complete("k", "not-the-owner", RESPONSE, expires_at=100)
    assert not store.release("k", "not-the-owner")
    assert begin(store) == Begin(Outcome.IN_PROGRESS)
    assert store.complete("k", token, RESPONSE, expires_at=100)
    assert not store.complete("k", token, RESPONSE, expires_at=100), "complete only once"


def test_a_lock_past_its_deadline_is_taken_over(store: SqliteIdempotencyStore) -> None:
    dead = started(store, now=0)
    assert begin(store, now=LOCK - 0.001).outcome is Outcome.IN_PROGRESS
    assert begin(store, fp="other", now=LOCK).outcome is Outcome.STARTED  # absent: any request
    assert not store.complete("k", dead, RESPONSE, expires_at=1000)
    assert not store.release("k", dead)
    assert begin(store, now=LOCK).outcome is Outcome.MISMATCH  # the new lock holds


def test_a_response_past_its_expiry_is_absent(store: SqliteIdempotencyStore) -> None:
    store.complete("k", started(store), RESPONSE, expires_at=100)
    assert begin(store, now=99.999).outcome is Outcome.REPLAY
    assert begin(store, fp="other", now=100).outcome is Outcome.STARTED


def test_purge_expired_deletes_expired_records_only(tmp_path: Path) -> None:
    store = SqliteIdempotencyStore(tmp_path / "keys.db")
    for key, expires_at in (("a", 10), ("b", 20), ("c", 30)):
        store.complete(key, started(store, key), RESPONSE, expires_at=expires_at)
    started(store, "locked", now=0)  # locked until 60
    assert store.purge_expired(20) == 2
    assert rows(tmp_path / "keys.db") == 2
    assert begin(store, "c", now=20).outcome is Outcome.REPLAY
    assert store.purge_expired(60) == 2
    assert store.purge_expired(60) == 0


def test_begin_purges_a_batch_of_expired_records_as_it_goes(tmp_path: Path) -> None:
    store = SqliteIdempotencyStore(tmp_path / "keys.db")
    for n in range(40):
        store.complete(f"old-{n}", started(store, f"old-{n}"), RESPONSE, expires_at=10)
    started(store, "new-1", now=10)
    assert rows(tmp_path / "keys.db") == 41 - 16
    started(store, "new-2", now=10)
    started(store, "new-3", now=10)
    assert rows(tmp_path / "keys.db") == 3


def test_stores_on_one_file_share_their_records(tmp_path: Path) -> None:
    one, two = SqliteIdempotencyStore(tmp_path / "k.db"), SqliteIdempotencyStore(tmp_path / "k.db")
    one.complete("k", started(one), RESPONSE, expires_at=100)
    assert begin(two) == Begin(Outcome.REPLAY, response=RESPONSE)
    with sqlite3.connect(tmp_path / "k.db") as db:
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
def test_bad_settings_fail_at_construction(
    tmp_path: Path, path: str, options: dict[str, float], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SqliteIdempotencyStore(path and tmp_path / path, **options)


# --- atomicity --------------------------------------------------------------------------------


def test_threads_racing_for_one_key_start_it_once(store: SqliteIdempotencyStore) -> None:
    threads = 16
    barrier = threading.Barrier(threads)
    outcomes: list[Outcome] = []

    def race() -> None:
        barrier.wait()
        outcomes.append(begin(store).outcome)

    workers = [threading.Thread(target=race) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert Counter(outcomes) == {Outcome.STARTED: 1, Outcome.IN_PROGRESS: threads - 1}


RACER = """
import json, sys, time
from pathlib import Path
from stormproof.kit.idempotency import Outcome, SqliteIdempotencyStore

store = SqliteIdempotencyStore(sys.argv[1])
go = Path(sys.argv[2])
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.001)
won = [k for k in range(int(sys.argv[3]))
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
    tmp_path: Path, processes: list[subprocess.Popen[str]]
) -> None:
    db, go, keys = tmp_path / "keys.db", tmp_path / "go", 100
    SqliteIdempotencyStore(db)  # the schema, before the race
    for _ in range(4):
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", RACER, str(db), str(go), str(keys)],
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
