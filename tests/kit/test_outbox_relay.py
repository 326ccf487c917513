"""The relay's own behaviour, on an SQLite outbox (the database-side contract is in
test_outbox.py): settings refused at construction, bad events refused before anything is
written, bounded backoff that never drops an event, no hot loop, async ``deliver``, errors
that propagate, leases that run out mid-batch, and per-key order under random failures."""

from __future__ import annotations

import asyncio
import datetime
import logging
import math
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stormproof.kit.errors import ConfigurationError
from stormproof.kit.outbox import (
    Deduplicator,
    Event,
    Relay,
    RelayResult,
    SqliteOutbox,
)
from tests.kit.outbox_apps.clock import FakeClock

DEADLINE_S = 30.0


class Boom(Exception):
    pass


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "service.db")


@pytest.fixture
def conn(path: str) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, check_same_thread=False)
    yield connection
    connection.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(path: str, clock: FakeClock) -> SqliteOutbox:
    return SqliteOutbox(path, clock=clock)


def add(conn: sqlite3.Connection, outbox: SqliteOutbox, *payloads: Any, key: Any = None) -> None:
    """Add events with these payloads, in one committed transaction."""
    with conn:
        for payload in payloads:
            outbox.add(conn, "t", payload, key=key)


def row(conn: sqlite3.Connection, columns: str) -> tuple[Any, ...]:
    return tuple(conn.execute(f"SELECT {columns} FROM stormproof_outbox").fetchone())


def never(event: Event) -> None:
    raise Boom("broker down")


# -- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("batch", 0, "batch must be an integer >= 1, not 0"),
        ("batch", 2.5, "batch must be an integer >= 1"),
        ("batch", True, "batch must be an integer >= 1"),
        ("lease", 0, "lease must be a finite number of seconds > 0"),
        ("lease", -1.0, "lease must be a finite number of seconds > 0"),
        ("lease", math.inf, "lease must be a finite number of seconds > 0"),
        ("lease", math.nan, "lease must be a finite number of seconds > 0"),
        ("backoff_initial", 0, "backoff_initial must be a finite number of seconds > 0"),
        ("backoff_max", 0.5, "backoff_max must be a finite number of seconds >= backoff_initial"),
        ("backoff_max", math.inf, "backoff_max must be a finite number"),
        ("idle", 0, "idle must be a finite number of seconds > 0"),
        ("clock", 12.0, "clock must be a callable"),
        ("name", "", "name must be a non-empty string"),
    ],
)
def test_bad_relay_settings_are_refused(
    outbox: SqliteOutbox, setting: str, value: object, message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        Relay(outbox, never, **{setting: value})  # type: ignore[arg-type]


def test_a_relay_needs_an_outbox_and_a_callable(outbox: SqliteOutbox, path: str) -> None:
    with pytest.raises(ConfigurationError, match="outbox must be an Outbox"):
        Relay(path, never)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="deliver must be a callable"):
        Relay(outbox, "publish")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"path": ":memory:"}, "path must be the service's SQLite database file"),
        ({"path": ""}, "path must be the service's SQLite database file"),
        ({"busy_timeout": 0}, "busy_timeout must be a number of seconds > 0"),
        ({"clock": "now"}, "clock must be a callable"),
    ],
)
def test_bad_sqlite_outbox_settings_are_refused(
    path: str, settings_: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SqliteOutbox(**{"path": path, **settings_})


@pytest.mark.parametrize("database", [":memory:", "", 42])
def test_bad_deduplicator_databases_are_refused(database: object) -> None:
    with pytest.raises(ConfigurationError, match="database must be an SQLite file's path"):
        Deduplicator(database)  # type: ignore[arg-type]


def test_a_deduplicator_takes_a_connection_factory(path: str) -> None:
    dedup = Deduplicator(lambda: sqlite3.connect(path))
    with sqlite3.connect(path) as conn:
        assert dedup.first_time(conn, "event-1")
    with sqlite3.connect(path) as conn:
        assert not dedup.first_time(conn, "event-1")
        with pytest.raises(TypeError, match=r"event_id must be a non-empty string \(Event.id\)"):
            dedup.first_time(conn, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize("older_than", [-1.0, math.nan, math.inf, "1d", True])
def test_purge_refuses_a_bad_age(outbox: SqliteOutbox, path: str, older_than: object) -> None:
    for purger in (outbox, Deduplicator(path)):
        with pytest.raises((TypeError, ValueError), match="older_than must be"):
            purger.purge(older_than)  # type: ignore[arg-type]


# -- events ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("topic", "payload", "key", "error", "message"),
    [
        ("t", {1, 2}, None, TypeError, "not JSON-serialisable: Object of type set"),
        ("t", {"at": datetime.date(2025, 1, 1)}, None, TypeError, "type date"),
        ("t", [math.nan], None, TypeError, "not JSON-serialisable: Out of range float"),
        ("t", {"bytes": b"x"}, None, TypeError, "type bytes"),
        ("", {}, None, ValueError, "topic must be a non-empty string"),
        (None, {}, None, ValueError, "topic must be a non-empty string"),
        ("t", {}, 42, TypeError, r"key must be a string or None, not int 42 .*str\(key\)"),
    ],
)
def test_a_bad_event_is_refused_before_anything_is_written(
    conn: sqlite3.Connection,
    outbox: SqliteOutbox,
    topic: Any,
    payload: Any,
    key: Any,
    error: type[Exception],
    message: str,
) -> None:
    with conn:
        with pytest.raises(error, match=message):
            outbox.add(conn, topic, payload, key=key)
        outbox.add(conn, "t", "a good event in the same transaction")
    assert conn.execute("SELECT count(*) FROM stormproof_outbox").fetchone() == (1,)


def test_a_circular_payload_is_refused(conn: sqlite3.Connection, outbox: SqliteOutbox) -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(TypeError, match="Circular reference"):
        outbox.add(conn, "t", loop)


def test_only_sqlite3_and_psycopg_connections_are_accepted(outbox: SqliteOutbox) -> None:
    with pytest.raises(TypeError, match="expected a sqlite3 or psycopg"):
        outbox.add(object(), "t", {})  # type: ignore[arg-type]


# -- failures --------------------------------------------------------------------------------


def test_backoff_doubles_up_to_its_cap_and_the_event_is_never_dropped(
    conn: sqlite3.Connection, outbox: SqliteOutbox, clock: FakeClock
) -> None:
    add(conn, outbox, "e")
    calls: list[int] = []

    def fails_eight_times(event: Event) -> None:
        calls.append(event.attempts)
        if len(calls) <= 8:
            raise Boom("refused")

    relay = Relay(outbox, fails_eight_times, backoff_initial=1.0, backoff_max=5.0, clock=clock)
    waits = []
    for _ in range(8):
        assert len(relay.run_once().failed) == 1
        (lease_until,) = row(conn, "lease_until")
        waits.append(lease_until - clock())
        clock.advance(waits[-1])

    assert waits == [1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0, 5.0]
    assert [event.attempts for event in relay.run_once().delivered] == [8]
    assert calls == list(range(9))
    assert row(conn, "attempts, delivered_at IS NOT NULL") == (9, 1)


def test_a_failure_is_logged_with_its_error(
    conn: sqlite3.Connection,
    outbox: SqliteOutbox,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add(conn, outbox, "e")
    with caplog.at_level(logging.WARNING, logger="stormproof.kit.outbox"):
        ((event, error),) = Relay(outbox, never, clock=clock, name="r1").run_once().failed
    (record,) = caplog.records
    assert f"relay r1: delivery of event {event.id} (t, attempt 1) failed" in record.message
    assert record.exc_info is not None and record.exc_info[1] is error


def test_a_relay_that_fails_every_delivery_does_not_spin(
    conn: sqlite3.Connection, outbox: SqliteOutbox
) -> None:
    add(conn, outbox, "a", "b", "c")
    calls: list[str] = []

    def refuse(event: Event) -> None:
        calls.append(event.payload)
        raise Boom("broker down")

    stop = threading.Event()
    relay = Relay(outbox, refuse, backoff_initial=60.0, idle=0.01)
    thread = threading.Thread(target=relay.run_forever, args=(stop,))
    thread.start()
    time.sleep(0.3)  # thirty idle periods
    stop.set()
    thread.join(DEADLINE_S)
    assert not thread.is_alive()
    assert sorted(calls) == ["a", "b", "c"]  # each tried once, then left to its backoff


def test_a_base_exception_propagates_and_the_event_waits_for_its_lease(
    conn: sqlite3.Connection, outbox: SqliteOutbox, clock: FakeClock
) -> None:
    add(conn, outbox, "e")

    def interrupted(event: Event) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Relay(outbox, interrupted, lease=30.0, clock=clock).run_once()
    # Neither delivered nor failed: leased until the lease runs out, as after a crash.
    assert row(conn, "attempts, delivered_at, lease_until") == (0, None, clock() + 30.0)
    delivered: list[Event] = []
    relay = Relay(outbox, delivered.append, clock=clock)
    assert relay.run_once().claimed == 0
    clock.advance(30.0)
    assert relay.run_once().claimed == 1 and len(delivered) == 1


def test_errors_of_the_database_propagate(conn: sqlite3.Connection, outbox: SqliteOutbox) -> None:
    conn.execute("DROP TABLE stormproof_outbox")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        Relay(outbox, never).run_once()


def test_events_the_lease_has_no_time_left_for_are_abandoned_to_any_relay(
    conn: sqlite3.Connection,
    outbox: SqliteOutbox,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add(conn, outbox, "slow", "b", "c")

    def slow_first(event: Event) -> None:
        if event.payload == "slow":
            clock.advance(10.0)  # the whole lease

    relay = Relay(outbox, slow_first, lease=10.0, clock=clock, name="r1")
    with caplog.at_level(logging.WARNING, logger="stormproof.kit.outbox"):
        result = relay.run_once()

    assert [event.payload for event in result.delivered] == ["slow"]
    assert [event.payload for event in result.abandoned] == ["b", "c"]
    assert result.claimed == 3
    assert "lease ran out with 2 of 3 events untried" in caplog.text
    assert [event.payload for event in relay.run_once().delivered] == ["b", "c"]


# -- running ---------------------------------------------------------------------------------


def test_run_forever_delivers_events_as_they_come_and_stops(
    conn: sqlite3.Connection, path: str
) -> None:
    outbox = SqliteOutbox(path)
    delivered: list[Any] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=Relay(outbox, lambda event: delivered.append(event.payload), idle=0.01).run_forever,
        args=(stop,),
    )
    thread.start()
    try:
        for n in range(3):
            add(conn, outbox, n, key="k")
            deadline = time.monotonic() + DEADLINE_S
            while len(delivered) <= n and time.monotonic() < deadline:
                time.sleep(0.005)
    finally:
        stop.set()
        thread.join(DEADLINE_S)
    assert not thread.is_alive()
    assert delivered == [0, 1, 2]


def test_an_async_deliver_is_awaited(conn: sqlite3.Connection, outbox: SqliteOutbox) -> None:
    add(conn, outbox, "a", "b")
    delivered: list[Any] = []

    async def publish(event: Event) -> None:
        await asyncio.sleep(0)
        delivered.append(event.payload)

    class Publisher:
        async def __call__(self, event: Event) -> None:
            delivered.append(event.payload.upper())

    result = asyncio.run(Relay(outbox, publish).arun_once())
    assert [event.payload for event in result.delivered] == ["a", "b"] == delivered
    add(conn, outbox, "c")
    asyncio.run(Relay(outbox, Publisher()).arun_once())
    assert delivered == ["a", "b", "C"]


def test_arun_once_runs_a_sync_deliver_off_the_event_loop(
    conn: sqlite3.Connection, outbox: SqliteOutbox
) -> None:
    add(conn, outbox, "a")
    threads: list[int] = []

    async def main() -> RelayResult:
        threads.append(threading.get_ident())
        return await Relay(outbox, lambda event: threads.append(threading.get_ident())).arun_once()

    assert len(asyncio.run(main()).delivered) == 1
    loop_thread, deliver_thread = threads
    assert deliver_thread != loop_thread


def test_arun_forever_stops_on_its_event(conn: sqlite3.Connection, outbox: SqliteOutbox) -> None:
    add(conn, outbox, "a", "b")
    delivered: list[Any] = []

    async def main() -> None:
        stop = asyncio.Event()

        async def publish(event: Event) -> None:
            delivered.append(event.payload)
            if len(delivered) == 2:
                stop.set()

        await asyncio.wait_for(Relay(outbox, publish, idle=0.01).arun_forever(stop), DEADLINE_S)

    asyncio.run(main())
    assert delivered == ["a", "b"]


def test_cancelling_arun_once_leaves_the_event_leased(
    conn: sqlite3.Connection, outbox: SqliteOutbox, clock: FakeClock
) -> None:
    add(conn, outbox, "a")

    async def main() -> None:
        async def hangs(event: Event) -> None:
            await asyncio.sleep(DEADLINE_S)

        task = asyncio.create_task(Relay(outbox, hangs, lease=30.0, clock=clock).arun_once())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert row(conn, "attempts, delivered_at, lease_until") == (0, None, clock() + 30.0)


def test_run_once_refuses_an_async_deliver_before_claiming(
    conn: sqlite3.Connection, outbox: SqliteOutbox
) -> None:
    add(conn, outbox, "a")

    async def publish(event: Event) -> None:
        pass

    with pytest.raises(TypeError, match="is a coroutine function: use arun_once"):
        Relay(outbox, publish).run_once()
    assert row(conn, "lease_owner, attempts") == (None, 0)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # "coroutine ... was never awaited"
def test_a_sync_deliver_returning_a_coroutine_is_a_failed_delivery(
    conn: sqlite3.Connection, outbox: SqliteOutbox
) -> None:
    add(conn, outbox, "a")

    async def publish(event: Event) -> None:
        pass

    ((_, error),) = Relay(outbox, lambda event: publish(event)).run_once().failed
    assert isinstance(error, TypeError)
    assert "the event was not delivered; an async deliver needs arun_once" in str(error)
    assert row(conn, "delivered_at, attempts") == (None, 1)


# -- order, as a property --------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    keys=st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=12),
    failures=st.sets(st.tuples(st.integers(0, 11), st.integers(0, 2)), max_size=10),
    batches=st.lists(st.integers(1, 4), min_size=2, max_size=3),
    steps=st.lists(st.sampled_from([0.25, 0.5, 1.0, 3.0]), min_size=1, max_size=5),
)
def test_each_key_is_delivered_in_order_whatever_fails(
    keys: list[str | None],
    failures: set[tuple[int, int]],
    batches: list[int],
    steps: list[float],
) -> None:
    """Relays of several batch sizes take turns while deliveries fail at random (event n's
    attempt k fails if (n, k) is in ``failures``): every event is delivered exactly once,
    and no event is even attempted while an earlier event of its key is undelivered."""
    clock = FakeClock()
    attempts: list[tuple[Event, bool]] = []  # and whether it succeeded

    def deliver(event: Event) -> None:
        failed = (event.payload, event.attempts) in failures
        attempts.append((event, not failed))
        if failed:
            raise Boom("refused")

    with tempfile.TemporaryDirectory() as directory:
        path = str(Path(directory) / "service.db")
        outbox = SqliteOutbox(path, clock=clock)
        with sqlite3.connect(path) as conn:
            for n, key in enumerate(keys):
                outbox.add(conn, "t", n, key=key)
        relays = [
            Relay(outbox, deliver, batch=size, backoff_initial=0.25, backoff_max=1.0, clock=clock)
            for size in batches
        ]
        for turn in range(200):
            if sum(ok for _, ok in attempts) == len(keys):
                break
            relays[turn % len(relays)].run_once()
            clock.advance(steps[turn % len(steps)])
        conn.close()

    assert sorted(event.payload for event, ok in attempts if ok) == list(range(len(keys)))
    done: set[int] = set()
    for event, ok in attempts:
        earlier = [n for n, key in enumerate(keys[: event.payload]) if key == event.key]
        assert event.key is None or set(earlier) <= done, f"{event.payload} before {earlier}"
        if ok:
            done.add(event.payload)
