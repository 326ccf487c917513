"""PostgresOutbox beyond the contract (``test_outbox.py``): its settings, the pool of
connections its relay threads share, and what it does when the server ends its sessions or
goes away.

The calls held up on the server are held up for real, on a lock another session takes; that
session ends itself after ``GUARD_S`` should the outbox wait for it, so that a regression
fails the test rather than hangs it. The throwaway cluster cannot be restarted in place, so a
restart is played by what it does to the outbox's sessions: the server ends every one."""

from __future__ import annotations

import collections
import contextlib
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from stormproof.kit import ConfigurationError
from stormproof.kit.outbox import PostgresOutbox, Relay
from tests.kit import test_outbox as contract
from tests.servers import postgres_cluster

psycopg = pytest.importorskip(
    "psycopg", reason="psycopg 3 is not installed (pip install 'stormproof[postgres]')"
)
postgres_dsn = contract.postgres_dsn
DEADLINE_S = 30.0
GUARD_S = 10  # what a test that would hang waits before it fails


def query(dsn: str, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(sql, parameters)
        return cursor.fetchall() if cursor.description else []


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"still not {what} after {DEADLINE_S} s"
        time.sleep(0.01)


@dataclass
class Schema:
    """A schema of the test's own, where its outboxes make their table, and the name their
    sessions go by, to find them in ``pg_stat_activity``."""

    admin: str  # the cluster, for looking on from outside
    name: str

    @property
    def dsn(self) -> str:
        """The service's connections, and the test's own."""
        return f"{self.admin} options='-c search_path={self.name}'"

    @property
    def outbox_dsn(self) -> str:
        return f"{self.dsn} application_name={self.name}"

    def outbox(self, outboxes: list[PostgresOutbox], **settings: Any) -> PostgresOutbox:
        """An outbox on :attr:`outbox_dsn`, once the session that made its table is gone
        (a server process ends a moment after its client said goodbye)."""
        outboxes.append(PostgresOutbox(self.outbox_dsn, **settings))
        wait_until(lambda: not self.backends(), "the table's session gone")
        return outboxes[-1]

    def backends(self) -> set[int]:
        """The server processes of the outboxes' connections."""
        rows = query(
            self.admin,
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
            self.name,
        )
        return {pid for (pid,) in rows}

    def waiting_on_a_lock(self) -> int:
        """How many of the outboxes' statements wait for a lock another session holds."""
        rows = query(
            self.admin,
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE application_name = %s AND wait_event_type = 'Lock'",
            self.name,
        )
        return int(rows[0][0])

    def add(self, outbox: PostgresOutbox, *payloads: Any) -> list[str]:
        """Keyless events, added in one committed transaction of the service's."""
        with psycopg.connect(self.dsn) as conn:
            return [outbox.add(conn, "t", payload) for payload in payloads]

    @contextlib.contextmanager
    def holder(self) -> Iterator[Any]:
        """Another session's transaction, open until the block ends: for taking locks that
        hold up the outbox's statements. Should the outbox wait for it to end, the server
        ends it after ``GUARD_S``, and the test fails rather than hangs."""
        with psycopg.connect(self.dsn) as conn:
            conn.execute(f"SET idle_in_transaction_session_timeout = '{GUARD_S}s'")
            yield conn


@pytest.fixture
def schema(postgres_dsn: str) -> Schema:
    name = f"outbox_{uuid.uuid4().hex[:12]}"
    query(postgres_dsn, f"CREATE SCHEMA {name}")
    return Schema(postgres_dsn, name)


@pytest.fixture
def outboxes() -> Iterator[list[PostgresOutbox]]:
    """Outboxes to close at the end of the test (their pools hold connections)."""
    opened: list[PostgresOutbox] = []
    yield opened
    for outbox in opened:
        outbox.close()


@pytest.fixture
def outbox(schema: Schema, outboxes: list[PostgresOutbox]) -> PostgresOutbox:
    return schema.outbox(outboxes)


class Background:
    """A call run in a thread of its own, for the test to go on while it waits."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self._outcome: list[tuple[bool, Any]] = []
        self._thread = threading.Thread(target=self._run, args=(call,))
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._outcome.append((True, call()))
        except BaseException as error:
            self._outcome.append((False, error))

    def running(self) -> bool:
        return self._thread.is_alive()

    def result(self) -> Any:
        self._thread.join(DEADLINE_S)
        assert self._outcome, f"still running after {DEADLINE_S} s"
        [(returned, value)] = self._outcome
        if not returned:
            raise value
        return value


# --- settings -------------------------------------------------------------------------------


def test_a_missing_psycopg_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    with pytest.raises(
        ConfigurationError, match=r"psycopg package: pip install 'stormproof\[postgres\]'"
    ):
        PostgresOutbox("host=127.0.0.1")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"database": 42}, "database must be a libpq connection string .* not 42"),
        ({"database": None}, "database must be a libpq connection string"),
        ({"database": "nonsense"}, 'database is not a libpq connection string: missing "="'),
        ({"database": "host=127.0.0.1 port"}, "database is not a libpq connection string"),
        ({"max_connections": 0}, "max_connections must be an int >= 1, not 0"),
        ({"max_connections": 2.0}, "max_connections must be an int >= 1"),
        ({"max_connections": True}, "max_connections must be an int >= 1"),
        ({"max_connections": None}, "max_connections must be an int >= 1"),
        ({"connect_timeout": 0}, "connect_timeout must be a number of seconds > 0"),
        ({"connect_timeout": -1}, "connect_timeout must be a number of seconds > 0"),
        ({"connect_timeout": "10"}, "connect_timeout must be a number of seconds > 0"),
        ({"connect_timeout": float("nan")}, "connect_timeout must be a number of seconds > 0"),
        ({"connect_timeout": float("inf")}, "connect_timeout must be a number of seconds > 0"),
        ({"clock": "now"}, "clock must be a callable"),
    ],
)
def test_bad_settings_fail_at_construction_before_connecting(
    settings: dict[str, Any], message: str
) -> None:
    # Port 1 on loopback refuses connections: reaching it would fail otherwise, and later.
    settings = {"database": "host=127.0.0.1 port=1", **settings}
    with pytest.raises(ConfigurationError, match=message):
        PostgresOutbox(**settings)


def test_a_connection_string_is_still_taken_positionally(
    schema: Schema, outboxes: list[PostgresOutbox]
) -> None:
    outboxes.append(PostgresOutbox(schema.outbox_dsn, connect_timeout=2, clock=lambda: 42.0))
    [event_id] = schema.add(outboxes[-1], "hello")
    assert query(schema.dsn, "SELECT id, created_at FROM stormproof_outbox") == [(event_id, 42.0)]


def test_the_repr_names_the_database_but_never_its_password(
    schema: Schema, outboxes: list[PostgresOutbox]
) -> None:
    parts = psycopg.conninfo.conninfo_to_dict(schema.admin)
    url = f"postgresql://{parts['user']}:hunter2@{parts['host']}:{parts['port']}/postgres"
    # The cluster trusts every local connection: the password is sent, and never checked.
    for database in (f"{schema.outbox_dsn} password=hunter2", url):
        outboxes.append(PostgresOutbox(database))
        shown = repr(outboxes[-1])
        assert "hunter2" not in shown
        assert shown.startswith(f"PostgresOutbox('host=127.0.0.1 port={parts['port']}")
        assert "dbname=postgres" in shown


# --- connections ----------------------------------------------------------------------------


def test_a_connection_function_gives_the_outbox_its_connections(
    schema: Schema, outboxes: list[PostgresOutbox]
) -> None:
    opened: list[Any] = []

    def connect() -> Any:
        opened.append(psycopg.connect(schema.dsn))  # not in autocommit: the outbox sets it
        return opened[-1]

    outboxes.append(PostgresOutbox(connect))
    outbox = outboxes[-1]
    schema.add(outbox, "hello")
    recorder = contract.Recorder()
    assert [event.payload for event in Relay(outbox, recorder).run_once().delivered] == ["hello"]
    # The mark committed: another session sees it.
    assert query(
        schema.dsn, "SELECT attempts, delivered_at IS NOT NULL FROM stormproof_outbox"
    ) == [(1, True)]
    assert len(opened) == 2  # one to create the table, then closed; one for the pool
    assert opened[0].closed and not opened[1].closed
    assert "connect" in repr(outbox)
    outbox.close()
    assert opened[1].closed


def test_a_connection_function_returning_something_else_fails_clearly() -> None:
    with pytest.raises(TypeError, match="not a psycopg"):
        PostgresOutbox(lambda: sqlite3.connect(":memory:"))


def test_close_ends_the_outbox_sessions_and_a_later_call_opens_anew(
    schema: Schema, outbox: PostgresOutbox
) -> None:
    assert outbox.claim("r", now=0, until=60, limit=10) == []
    [first] = schema.backends()
    outbox.close()
    wait_until(lambda: not schema.backends(), "closed")
    schema.add(outbox, "after")
    assert [event.payload for event in outbox.claim("r", now=0, until=60, limit=10)] == ["after"]
    assert schema.backends() - {first}


def test_relay_threads_claim_at_the_same_time_on_one_outbox(
    schema: Schema, outbox: PostgresOutbox
) -> None:
    added = schema.add(outbox, *range(10))
    recorder = contract.Recorder()
    relays = [Relay(outbox, recorder, batch=5, name=f"r{n}") for n in range(2)]
    with schema.holder() as holder:
        # Every claim waits for this lock: both relays' claims reach the server and wait
        # there at once, each on a connection of its own, not one behind the other.
        holder.execute("LOCK TABLE stormproof_outbox IN EXCLUSIVE MODE")
        runs = [Background(relay.run_once) for relay in relays]
        wait_until(lambda: schema.waiting_on_a_lock() == 2, "both claims waiting")
        holder.rollback()
    results = [run.result() for run in runs]

    # Claimed at once, yet disjoint: each relay got a batch of its own, and together all.
    assert [len(result.delivered) for result in results] == [5, 5]
    assert recorder.overlaps == []
    assert collections.Counter(event.id for event in recorder.attempts) == dict.fromkeys(added, 1)
    assert query(schema.dsn, "SELECT count(*) FROM stormproof_outbox") == [(10,)]
    assert query(schema.dsn, "SELECT count(*) FROM stormproof_outbox WHERE attempts = 1") == [(10,)]
    assert len(schema.backends()) == 2


def test_a_call_held_up_on_the_server_holds_up_no_other(
    schema: Schema, outbox: PostgresOutbox
) -> None:
    schema.add(outbox, "a", "b", "c")
    a, b = outbox.claim("first", now=0, until=60, limit=2)
    with schema.holder() as holder:
        holder.execute("SELECT 1 FROM stormproof_outbox WHERE id = %s FOR UPDATE", (a.id,))
        marking = Background(partial(outbox.delivered, a, now=1.0))
        wait_until(lambda: schema.waiting_on_a_lock() == 1, "the mark waiting")
        # Meanwhile a claim and the marks of other events go through, on other connections.
        [c] = outbox.claim("second", now=0, until=60, limit=10)
        assert c.payload == "c"
        assert outbox.retry_later(b, "first", at=30.0, error="Boom: refused")
        outbox.delivered(c, now=2.0)
        assert marking.running()
        holder.execute("SELECT 1")  # still open: nothing above waited for it to end
        holder.rollback()
    assert marking.result() is None
    assert query(
        schema.dsn, "SELECT payload, attempts, delivered_at FROM stormproof_outbox ORDER BY seq"
    ) == [("a", 1, 1.0), ("b", 1, None), ("c", 1, 2.0)]


def test_a_call_waits_for_a_connection_when_max_connections_are_in_use(
    schema: Schema, outboxes: list[PostgresOutbox]
) -> None:
    outbox = schema.outbox(outboxes, max_connections=1)
    schema.add(outbox, "a", "b")
    a, b = outbox.claim("first", now=0, until=60, limit=10)
    [only] = schema.backends()
    with schema.holder() as holder:
        holder.execute("SELECT 1 FROM stormproof_outbox WHERE id = %s FOR UPDATE", (a.id,))
        marking = Background(partial(outbox.delivered, a, now=1.0))
        wait_until(lambda: schema.waiting_on_a_lock() == 1, "the mark waiting")
        # The only connection is in use: this call waits for it rather than open another
        # (with one, its statement would not wait for anything and be done by now).
        retrying = Background(partial(outbox.retry_later, b, "first", at=30.0, error="x"))
        time.sleep(0.2)
        assert retrying.running() and marking.running()
        holder.rollback()
    assert marking.result() is None
    assert retrying.result() is True
    assert schema.backends() == {only}


# --- failures -------------------------------------------------------------------------------


def test_sessions_the_server_ended_are_replaced_without_an_error(
    schema: Schema, outbox: PostgresOutbox
) -> None:
    schema.add(outbox, "before")
    assert len(outbox.claim("r", now=0, until=60, limit=10)) == 1
    [ended] = schema.backends()
    query(schema.admin, "SELECT pg_terminate_backend(%s)", ended)
    wait_until(lambda: not schema.backends(), "ended")
    schema.add(outbox, "after")
    # No error: the first call after the sessions ended (as a restart ends them) opens anew.
    [event] = outbox.claim("r", now=0, until=60, limit=10)
    assert event.payload == "after"
    outbox.delivered(event, now=1.0)
    assert schema.backends() and ended not in schema.backends()


def test_a_server_that_went_away_raises_a_clear_error() -> None:
    with contextlib.ExitStack() as running:
        try:
            dsn = running.enter_context(postgres_cluster.cluster())
        except postgres_cluster.Unavailable as why:
            pytest.skip(f"no PostgreSQL cluster: {why}")
        outbox = PostgresOutbox(dsn, connect_timeout=2)
        assert outbox.claim("r", now=0, until=60, limit=10) == []
    # The cluster is stopped; the outbox's idle connection went with it. Each call tries
    # anew, and fails rather than hangs.
    for _ in range(2):
        with pytest.raises(psycopg.OperationalError, match="Connection refused"):
            outbox.claim("r", now=0, until=60, limit=10)
    outbox.close()
