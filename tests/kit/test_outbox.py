"""The outbox's contract, on SQLite and on a real PostgreSQL cluster alike: an event exists iff
its transaction committed; the relay delivers every event, retries failures after a backoff,
keeps each key's events in order, never lets two relays hold an event at once, and takes over
the events of a relay whose lease ran out; the consumer's deduplicator makes redelivery
harmless.

The Postgres cases run on a cluster the tests start (``initdb`` + ``pg_ctl``, see
``tests/servers/postgres_cluster.py``), each test in a schema of its own; they skip, saying
why, without psycopg or the PostgreSQL binaries."""

from __future__ import annotations

import collections
import contextlib
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from stormproof.kit.outbox import (
    Deduplicator,
    Event,
    Outbox,
    PostgresOutbox,
    Relay,
    SqliteOutbox,
)
from stormproof.kit.outbox._sql import execute
from tests.kit.outbox_apps.clock import FakeClock
from tests.servers.postgres_cluster import Unavailable, cluster

THREAD_DEADLINE_S = 30.0


class Boom(Exception):
    pass


@dataclass
class Database:
    """One database under test, and the service's ways into it."""

    kind: str
    target: str  # the SQLite file, or the Postgres connection string
    outboxes: list[Outbox] = field(default_factory=list)  # closed by the fixture

    def connect(self, *, autocommit: bool = False) -> Any:
        if self.kind == "sqlite":
            level = None if autocommit else "DEFERRED"
            return sqlite3.connect(self.target, isolation_level=level, check_same_thread=False)
        import psycopg

        return psycopg.connect(self.target, autocommit=autocommit)

    def outbox(self, **settings: Any) -> Outbox:
        kind = SqliteOutbox if self.kind == "sqlite" else PostgresOutbox
        self.outboxes.append(kind(self.target, **settings))
        return self.outboxes[-1]

    def deduplicator(self, **settings: Any) -> Deduplicator:
        # Both ways of naming the database: a path, and a function returning connections.
        return Deduplicator(self.target if self.kind == "sqlite" else self.connect, **settings)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Any]:
        """A connection of the service's with a transaction open: committed on success,
        rolled back on an error."""
        conn = self.connect()
        try:
            with conn if self.kind == "sqlite" else conn.transaction():
                yield conn
        finally:
            conn.close()

    def rows(self, sql: str, parameters: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with contextlib.closing(self.connect(autocommit=True)) as conn:
            return list(execute(conn, sql, parameters).fetchall())


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    pytest.importorskip(
        "psycopg", reason="psycopg 3 is not installed (pip install 'psycopg[binary]')"
    )
    try:
        with cluster() as dsn:
            yield dsn
    except Unavailable as why:
        pytest.skip(f"no PostgreSQL cluster: {why}")


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        database = Database("sqlite", str(tmp_path / "service.db"))
    else:
        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"test_{uuid.uuid4().hex[:16]}"
        database = Database("postgres", dsn)
        with contextlib.closing(database.connect(autocommit=True)) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        database = Database("postgres", f"{dsn} options='-c search_path={schema}'")
    with contextlib.closing(database.connect()) as conn:
        conn.execute("CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INTEGER NOT NULL)")
        conn.commit()
    yield database
    for outbox in database.outboxes:
        outbox.close()


def open_account(db: Database, outbox: Outbox, account: str, *, key: str | None = None) -> str:
    """The service's write: a state change and its event, in one transaction."""
    with db.transaction() as conn:
        execute(conn, "INSERT INTO accounts VALUES (?, 0)", (account,))
        return outbox.add(conn, "account.opened", {"account": account}, key=key)


def pending(db: Database) -> int:
    return int(db.rows("SELECT count(*) FROM stormproof_outbox WHERE delivered_at IS NULL")[0][0])


class Recorder:
    """A ``deliver`` that records each event, failing on demand; it also checks that no event
    is ever delivered by two relays at once."""

    def __init__(self, fail: Callable[[Event], bool] = lambda event: False) -> None:
        self.delivered: list[Event] = []
        self.attempts: list[Event] = []
        self.overlaps: list[str] = []
        self._fail = fail
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        with self._lock:
            self.attempts.append(event)
            if event.id in self._in_flight:
                self.overlaps.append(event.id)
            self._in_flight.add(event.id)
        try:
            time.sleep(random.random() / 1000)  # let another relay try to interleave
            if self._fail(event):
                raise Boom(f"broker refused {event.payload}")
            with self._lock:
                self.delivered.append(event)
        finally:
            with self._lock:
                self._in_flight.discard(event.id)

    def payloads(self) -> list[Any]:
        return [event.payload for event in self.delivered]


# -- writing ---------------------------------------------------------------------------------


def test_an_event_exists_iff_its_transaction_commits(db: Database) -> None:
    outbox = db.outbox()
    committed = open_account(db, outbox, "alice")
    with pytest.raises(Boom), db.transaction() as conn:
        execute(conn, "INSERT INTO accounts VALUES (?, 0)", ("bob",))
        outbox.add(conn, "account.opened", {"account": "bob"})
        raise Boom("the service's change fails after the event was added")

    assert db.rows("SELECT id FROM accounts") == [("alice",)]
    assert db.rows("SELECT id, topic, attempts FROM stormproof_outbox") == [
        (committed, "account.opened", 0)
    ]
    recorder = Recorder()
    assert len(Relay(db.outbox(), recorder).run_once().delivered) == 1
    assert recorder.payloads() == [{"account": "alice"}]


# On SQLite the question does not arise: the writer holds the lock a claim needs.
@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_an_uncommitted_event_is_invisible_to_the_relay(db: Database) -> None:
    outbox = db.outbox()
    recorder = Recorder()
    with db.transaction() as conn:
        outbox.add(conn, "account.opened", {"account": "alice"})
        assert Relay(outbox, recorder).run_once().claimed == 0
    assert Relay(outbox, recorder).run_once().claimed == 1


def test_add_refuses_a_connection_that_would_commit_the_event_on_its_own(db: Database) -> None:
    outbox = db.outbox()
    with contextlib.closing(db.connect(autocommit=True)) as conn:
        with pytest.raises(ValueError, match="caller's open transaction"):
            outbox.add(conn, "account.opened", {"account": "alice"})
        assert pending(db) == 0
        # An explicit transaction on that connection is fine.
        execute(conn, "BEGIN")
        outbox.add(conn, "account.opened", {"account": "alice"})
        execute(conn, "ROLLBACK")
    assert pending(db) == 0


# -- relaying --------------------------------------------------------------------------------


def test_the_relay_delivers_each_event_once_with_its_fields(db: Database) -> None:
    outbox = db.outbox()
    payload = {"text": "naïve ☃", "nested": [1, 2.5, None, True, {"deep": []}]}
    with db.transaction() as conn:
        ids = [outbox.add(conn, "t", {**payload, "n": n}, key=f"k{n}") for n in range(5)]
    recorder = Recorder()
    relay = Relay(outbox, recorder)

    result = relay.run_once()

    assert [event.id for event in result.delivered] == ids
    assert result.failed == () and result.abandoned == () and result.claimed == 5
    assert recorder.payloads() == [{**payload, "n": n} for n in range(5)]
    first = recorder.delivered[0]
    assert (first.topic, first.key, first.attempts) == ("t", "k0", 0)
    assert db.rows("SELECT count(*) FROM stormproof_outbox WHERE attempts = 1") == [(5,)]
    assert pending(db) == 0
    assert relay.run_once().claimed == 0


def test_a_failed_delivery_is_counted_and_retried_after_a_backoff(db: Database) -> None:
    clock = FakeClock()
    outbox = db.outbox(clock=clock)
    open_account(db, outbox, "alice")
    failures = iter([True, True, False])
    recorder = Recorder(fail=lambda event: next(failures))
    relay = Relay(outbox, recorder, backoff_initial=1.0, backoff_max=60.0, clock=clock)

    first = relay.run_once()
    assert [(event.attempts, str(error)) for event, error in first.failed] == [
        (0, "broker refused {'account': 'alice'}")
    ]
    row = db.rows("SELECT attempts, lease_owner, lease_until, last_error FROM stormproof_outbox")
    assert row == [(1, None, clock() + 1.0, "Boom: broker refused {'account': 'alice'}")]
    # Not before its backoff is over: no hot loop.
    assert relay.run_once().claimed == 0
    clock.advance(0.999)
    assert relay.run_once().claimed == 0
    clock.advance(0.001)
    assert len(relay.run_once().failed) == 1
    clock.advance(1.999)  # the second backoff is twice the first
    assert relay.run_once().claimed == 0
    clock.advance(0.001)

    assert [event.attempts for event in relay.run_once().delivered] == [2]
    assert len(recorder.attempts) == 3
    assert db.rows("SELECT attempts, last_error FROM stormproof_outbox") == [(3, None)]
    assert pending(db) == 0


def test_events_of_a_key_are_delivered_in_order_one_at_a_time(db: Database) -> None:
    clock = FakeClock()
    outbox = db.outbox(clock=clock)
    with db.transaction() as conn:
        for name, key in [
            ("a1", "a"), ("b1", "b"), ("n1", None), ("a2", "a"),
            ("n2", None), ("b2", "b"), ("a3", "a"),
        ]:  # fmt: skip
            outbox.add(conn, "t", name, key=key)
    refused = {"a1"}

    def fails_once(event: Event) -> bool:
        if event.payload not in refused:
            return False
        refused.remove(event.payload)
        return True

    recorder = Recorder(fail=fails_once)
    relay = Relay(outbox, recorder, backoff_initial=5.0, clock=clock)

    first = relay.run_once()
    # One event per key (its oldest undelivered), keyless events all at once.
    assert [event.payload for event, _ in first.failed] == ["a1"]
    assert [event.payload for event in first.delivered] == ["b1", "n1", "n2"]
    # a1 waits for its backoff, and a2, a3 wait for a1; b2 does not.
    assert [event.payload for event in relay.run_once().delivered] == ["b2"]
    assert relay.run_once().claimed == 0
    clock.advance(5.0)
    for expected in ["a1", "a2", "a3"]:
        assert [event.payload for event in relay.run_once().delivered] == [expected]
    assert relay.run_once().claimed == 0
    assert recorder.payloads() == ["b1", "n1", "n2", "b2", "a1", "a2", "a3"]


@pytest.mark.parametrize("shared", [False, True], ids=["outbox-per-relay", "shared-outbox"])
def test_relays_in_threads_deliver_each_event_exactly_once_in_key_order(
    db: Database, shared: bool
) -> None:
    seeder = db.outbox()
    keys = [f"k{n}" for n in range(8)] + [None]
    with db.transaction() as conn:
        added = [seeder.add(conn, "t", n, key=keys[n % len(keys)]) for n in range(180)]
    recorder = Recorder()
    # An outbox per relay, as relays in processes have, or one that the relays share, as
    # threads of one process may: on Postgres, a connection each from its pool.
    outboxes = [seeder] * 4 if shared else [db.outbox() for _ in range(4)]
    relays = [Relay(outbox, recorder, batch=7, name=f"r{n}") for n, outbox in enumerate(outboxes)]
    errors: list[BaseException] = []

    def work(relay: Relay) -> None:
        try:
            deadline = time.monotonic() + THREAD_DEADLINE_S
            while pending(db) and time.monotonic() < deadline:
                relay.run_once()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(THREAD_DEADLINE_S)

    assert errors == []
    assert recorder.overlaps == []
    assert collections.Counter(event.id for event in recorder.attempts) == dict.fromkeys(added, 1)
    for key in keys[:-1]:
        seqs = [event.seq for event in recorder.delivered if event.key == key]
        assert seqs == sorted(seqs), f"key {key} out of order"
    assert pending(db) == 0


def test_a_lease_run_out_is_taken_over_and_its_late_holder_stands_back(db: Database) -> None:
    clock = FakeClock()
    outbox = db.outbox(clock=clock)
    with db.transaction() as conn:
        slow = outbox.add(conn, "t", "slow", key="a")
        other = outbox.add(conn, "t", "other", key="b")
    inside, release = threading.Event(), threading.Event()

    def hangs_on_slow(event: Event) -> None:
        if event.payload == "slow":
            inside.set()
            assert release.wait(THREAD_DEADLINE_S)

    stuck = Relay(db.outbox(clock=clock), hangs_on_slow, lease=10.0, clock=clock, name="stuck")
    stuck_results: list[Any] = []
    thread = threading.Thread(target=lambda: stuck_results.append(stuck.run_once()))
    thread.start()
    try:
        assert inside.wait(THREAD_DEADLINE_S)
        recorder = Recorder()
        rescuer = Relay(db.outbox(clock=clock), recorder, lease=10.0, clock=clock, name="rescuer")
        clock.advance(9.999)
        assert rescuer.run_once().claimed == 0  # both events leased to the stuck relay
        clock.advance(0.001)
        assert [event.id for event in rescuer.run_once().delivered] == [slow, other]
    finally:
        release.set()
        thread.join(THREAD_DEADLINE_S)

    # The stuck relay finishes the delivery it was in, then finds its lease over and leaves
    # the rest: "other" was delivered once, "slow" twice (at least once), both counted.
    (result,) = stuck_results
    assert [event.id for event in result.delivered] == [slow]
    assert [event.id for event in result.abandoned] == [other]
    assert pending(db) == 0
    assert db.rows("SELECT attempts FROM stormproof_outbox ORDER BY seq") == [(2,), (1,)]


def test_only_the_lease_holder_records_a_failure(db: Database) -> None:
    outbox = db.outbox()
    open_account(db, outbox, "alice")
    (event,) = outbox.claim("first", now=100.0, until=110.0, limit=10)
    assert outbox.claim("second", now=109.0, until=119.0, limit=10) == []
    (again,) = outbox.claim("second", now=110.0, until=120.0, limit=10)
    assert again.id == event.id

    assert not outbox.retry_later(event, "first", at=500.0, error="late")
    assert db.rows("SELECT lease_owner, lease_until, attempts FROM stormproof_outbox") == [
        ("second", 120.0, 0)
    ]
    assert outbox.retry_later(again, "second", at=500.0, error="Boom: refused")
    assert db.rows("SELECT lease_owner, lease_until, attempts FROM stormproof_outbox") == [
        (None, 500.0, 1)
    ]


def test_purge_deletes_old_delivered_events_and_never_pending_ones(db: Database) -> None:
    clock = FakeClock()
    outbox = db.outbox(clock=clock)
    for account in ("alice", "bob"):
        open_account(db, outbox, account, key=account)
    Relay(outbox, lambda event: None, clock=clock).run_once()
    clock.advance(100.0)
    open_account(db, outbox, "carol")
    Relay(outbox, lambda event: None, clock=clock).run_once()
    never_delivered = open_account(db, outbox, "dave")
    clock.advance(1_000_000.0)

    assert outbox.purge(1_000_050.0) == 2
    assert outbox.purge(0) == 1
    assert db.rows("SELECT id FROM stormproof_outbox") == [(never_delivered,)]


# -- consuming -------------------------------------------------------------------------------


def credit(db: Database, dedup: Deduplicator, event: Event) -> None:
    """A consumer: the effect and the processed mark in one transaction."""
    with db.transaction() as conn:
        if dedup.first_time(conn, event.id):
            execute(
                conn,
                "UPDATE accounts SET balance = balance + ? WHERE id = ?",
                (event.payload["amount"], event.payload["account"]),
            )


def test_redelivery_is_harmless_to_a_deduplicating_consumer(db: Database) -> None:
    clock = FakeClock()
    outbox = db.outbox(clock=clock)
    open_account(db, outbox, "alice")
    Relay(outbox, lambda event: None, clock=clock).run_once()
    with db.transaction() as conn:
        outbox.add(conn, "account.credited", {"account": "alice", "amount": 10}, key="alice")
    dedup = db.deduplicator(clock=clock)
    acks = iter([False, True])

    def deliver(event: Event) -> None:
        credit(db, dedup, event)
        if not next(acks):
            raise ConnectionError("the acknowledgement was lost")  # so the relay retries

    relay = Relay(outbox, deliver, clock=clock)
    assert len(relay.run_once().failed) == 1
    clock.advance(1.0)
    assert len(relay.run_once().delivered) == 1

    assert db.rows("SELECT balance FROM accounts") == [(10,)]
    assert pending(db) == 0


def test_a_rolled_back_processing_leaves_no_mark(db: Database) -> None:
    dedup = db.deduplicator()
    with pytest.raises(Boom), db.transaction() as conn:
        assert dedup.first_time(conn, "event-1")
        raise Boom("the handler failed")
    with db.transaction() as conn:
        assert dedup.first_time(conn, "event-1")
        assert not dedup.first_time(conn, "event-1")
    with db.transaction() as conn:
        assert not dedup.first_time(conn, "event-1")


@pytest.mark.parametrize("first_commits", [True, False])
def test_concurrent_consumers_of_one_event_wait_for_each_other(
    db: Database, first_commits: bool
) -> None:
    dedup = db.deduplicator()
    second: list[bool] = []
    thread = threading.Thread(
        target=lambda: second.append(_first_time_in_own_transaction(db, dedup, "event-1"))
    )
    with contextlib.closing(db.connect()) as conn:  # its transaction opens implicitly
        assert dedup.first_time(conn, "event-1")
        thread.start()
        time.sleep(0.05)  # let the second consumer reach the database and wait there
        if first_commits:
            conn.commit()
        else:
            conn.rollback()
    thread.join(THREAD_DEADLINE_S)
    # The second consumer waited for the first's outcome, and decided by it.
    assert second == [not first_commits]


def _first_time_in_own_transaction(db: Database, dedup: Deduplicator, event_id: str) -> bool:
    with db.transaction() as conn:
        return dedup.first_time(conn, event_id)


def test_first_time_refuses_a_connection_that_would_commit_the_mark_on_its_own(
    db: Database,
) -> None:
    dedup = db.deduplicator()
    with (
        contextlib.closing(db.connect(autocommit=True)) as conn,
        pytest.raises(ValueError, match="caller's open transaction"),
    ):
        dedup.first_time(conn, "event-1")
    assert db.rows("SELECT count(*) FROM stormproof_processed_events") == [(0,)]


def test_purge_forgets_only_old_ids(db: Database) -> None:
    clock = FakeClock()
    dedup = db.deduplicator(clock=clock)
    with db.transaction() as conn:
        dedup.first_time(conn, "old")
    clock.advance(100.0)
    with db.transaction() as conn:
        dedup.first_time(conn, "new")
    clock.advance(20.0)

    assert dedup.purge(50.0) == 1
    with db.transaction() as conn:
        assert dedup.first_time(conn, "old")  # forgotten: processed again
        assert not dedup.first_time(conn, "new")
