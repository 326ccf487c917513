"""PostgresIdempotencyStore beyond the contract (``test_idempotency_store.py``): its settings,
its table, the pool its threads share, and what it does when the server ends its sessions,
holds a lock too long, or goes away."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from stormproof.kit import ConfigurationError
from stormproof.kit._postgres import Pool
from stormproof.kit.idempotency import Outcome, PostgresIdempotencyStore, StoredResponse
from tests.kit import test_idempotency_store as contract
from tests.servers import postgres_cluster

psycopg = pytest.importorskip(
    "psycopg", reason="psycopg 3 is not installed (pip install 'stormproof[postgres]')"
)
postgres_dsn = contract.postgres_dsn
DEADLINE_S = 30.0
GUARD_S = 10  # what a test that would hang waits before it fails


@pytest.fixture
def table() -> str:
    return f"keys_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def stores() -> Iterator[list[PostgresIdempotencyStore]]:
    """Stores to close at the end of the test (their pools hold connections)."""
    opened: list[PostgresIdempotencyStore] = []
    yield opened
    for store in opened:
        store.close()


def query(dsn: str, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(sql, parameters)
        return cursor.fetchall() if cursor.description else []


def backends(dsn: str, application: str) -> set[int]:
    """The server processes of the connections that name themselves ``application``."""
    rows = query(dsn, "SELECT pid FROM pg_stat_activity WHERE application_name = %s", application)
    return {pid for (pid,) in rows}


def wait_for_no_backends(dsn: str, application: str) -> None:
    """Until the sessions named ``application`` are gone: a server process ends a moment
    after its client said goodbye."""
    deadline = time.monotonic() + DEADLINE_S
    while backends(dsn, application):
        assert time.monotonic() < deadline, f"sessions linger: {backends(dsn, application)}"
        time.sleep(0.01)


def begin(store: PostgresIdempotencyStore, key: str = "k") -> Outcome:
    return store.begin(key, "f", now=0, lock_until=60).outcome


# --- settings -------------------------------------------------------------------------------


def test_a_missing_psycopg_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg fails
    with pytest.raises(ConfigurationError, match=r"pip install 'stormproof\[postgres\]'"):
        PostgresIdempotencyStore("host=127.0.0.1")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"database": 42}, "database must be a libpq connection string"),
        ({"database": "host=127.0.0.1 port"}, "database is not a libpq connection string"),
        ({"table": ""}, "table must be a table name"),
        ({"table": "1keys"}, "table must be a table name"),
        ({"table": "keys; DROP TABLE accounts"}, "table must be a table name"),
        ({"table": 'keys"'}, "table must be a table name"),
        ({"table": "Keys"}, "lower-case"),
        ({"table": "a.b.c"}, "table must be a table name"),
        ({"table": "app."}, "table must be a table name"),
        ({"table": "k" * 57}, "at most 56 characters"),
        ({"table": "s" * 64 + ".keys"}, "table must be a table name"),
        ({"table": None}, "table must be a table name"),
        ({"max_connections": 0}, "max_connections must be an int >= 1"),
        ({"max_connections": 2.0}, "max_connections must be an int >= 1"),
        ({"max_connections": True}, "max_connections must be an int >= 1"),
        ({"connect_timeout": 0}, "connect_timeout must be a number of seconds > 0"),
        ({"connect_timeout": "10"}, "connect_timeout must be a number of seconds > 0"),
        ({"connect_timeout": float("nan")}, "connect_timeout must be a number of seconds > 0"),
        ({"statement_timeout": float("nan")}, "statement_timeout must be a number of seconds"),
        ({"statement_timeout": float("inf")}, "statement_timeout must be a number of seconds"),
        ({"statement_timeout": "5"}, "statement_timeout must be a number of seconds"),
    ],
)
def test_bad_settings_fail_at_construction_before_connecting(
    settings: dict[str, Any], message: str
) -> None:
    # Port 1 on loopback refuses connections: reaching it would fail otherwise, and later.
    settings = {"database": "host=127.0.0.1 port=1", **settings}
    with pytest.raises(ConfigurationError, match=message):
        PostgresIdempotencyStore(**settings)


def test_the_longest_table_names_are_accepted(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore]
) -> None:
    schema = "s" * 63
    query(postgres_dsn, f"CREATE SCHEMA {schema}")
    table = f"{schema}.{'k' * 56}"
    stores.append(PostgresIdempotencyStore(postgres_dsn, table=table))
    assert begin(stores[-1]) is Outcome.STARTED
    assert query(postgres_dsn, f"SELECT count(*) FROM {table}") == [(1,)]


def test_the_repr_names_the_database_but_never_its_password(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore], table: str
) -> None:
    stores.append(PostgresIdempotencyStore(f"{postgres_dsn} password=hunter2", table=table))
    shown = repr(stores[-1])
    assert "hunter2" not in shown
    assert "host=127.0.0.1" in shown and "dbname=postgres" in shown and table in shown


# --- the table ------------------------------------------------------------------------------


def test_the_table_and_its_index_are_created_at_construction(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore]
) -> None:
    query(postgres_dsn, "CREATE SCHEMA app")
    stores.append(PostgresIdempotencyStore(postgres_dsn, table="app.user"))  # a reserved word
    assert query(postgres_dsn, 'SELECT count(*) FROM app."user"') == [(0,)]
    assert query(
        postgres_dsn, "SELECT indexname FROM pg_indexes WHERE schemaname = 'app' ORDER BY 1"
    ) == [("user_expiry",), ("user_pkey",)]
    assert begin(stores[-1]) is Outcome.STARTED
    assert query(postgres_dsn, 'SELECT key FROM app."user"') == [("k",)]


def test_stores_starting_at_once_create_the_table_once(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore], table: str
) -> None:
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def construct() -> None:
        barrier.wait()
        try:
            stores.append(PostgresIdempotencyStore(postgres_dsn, table=table))
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=construct) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(stores) == 8


def test_a_missing_schema_fails_at_construction(postgres_dsn: str) -> None:
    with pytest.raises(psycopg.errors.InvalidSchemaName, match="nowhere"):
        PostgresIdempotencyStore(postgres_dsn, table="nowhere.keys")


# --- connections ----------------------------------------------------------------------------


def test_a_connection_function_gives_the_store_its_connections(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore], table: str
) -> None:
    opened: list[Any] = []

    def connect() -> Any:
        opened.append(psycopg.connect(postgres_dsn))  # not in autocommit: the store sets it
        return opened[-1]

    stores.append(PostgresIdempotencyStore(connect, table=table))
    token = stores[-1].begin("k", "f", now=0, lock_until=60).token
    assert token is not None
    assert stores[-1].complete("k", token, StoredResponse(200, (), b"ok"), expires_at=100)
    # Committed: another session sees the answer.
    assert query(postgres_dsn, f"SELECT status, body FROM {table}") == [(200, b"ok")]
    assert len(opened) == 2  # one to create the table, one for the pool
    assert "connect" in repr(stores[-1])


def test_a_connection_function_returning_something_else_fails_clearly() -> None:
    with pytest.raises(TypeError, match="not a psycopg"):
        PostgresIdempotencyStore(lambda: sqlite3.connect(":memory:"))


def test_threads_share_at_most_max_connections(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore], table: str
) -> None:
    application = f"pool_{uuid.uuid4().hex[:8]}"
    dsn = f"{postgres_dsn} application_name={application}"
    stores.append(PostgresIdempotencyStore(dsn, table=table, max_connections=3))
    store = stores[-1]

    def work(worker: int) -> None:
        for n in range(10):
            begin(store, f"{worker}-{n}")

    workers = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert query(postgres_dsn, f"SELECT count(*) FROM {table}") == [(120,)]
    assert 1 <= len(backends(postgres_dsn, application)) <= 3
    store.close()
    wait_for_no_backends(postgres_dsn, application)


def test_a_call_waits_for_a_connection_to_come_free(postgres_dsn: str) -> None:
    pool = Pool(lambda: psycopg.connect(postgres_dsn, autocommit=True), size=1, wait=DEADLINE_S)
    taken, free = threading.Event(), threading.Event()
    backend: list[int] = []

    def hold() -> None:
        with pool.connection() as conn:
            backend.append(conn.execute("SELECT pg_backend_pid()").fetchone()[0])
            taken.set()
            free.wait(DEADLINE_S)

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(DEADLINE_S)
    threading.Timer(0.05, free.set).start()
    with pool.connection() as conn:  # waits for the holder's, the only one
        assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] == backend[0]
    holder.join()
    pool.close()


def test_a_call_that_finds_every_connection_in_use_past_its_wait_raises(
    postgres_dsn: str,
) -> None:
    pool = Pool(lambda: psycopg.connect(postgres_dsn, autocommit=True), size=1, wait=0.1)
    with pool.connection() as held:
        with pytest.raises(TimeoutError, match="all 1 of the pool are in use"), pool.connection():
            pass
        assert held.execute("SELECT 1").fetchone() == (1,)
    pool.close()


def test_a_call_that_failed_does_not_give_its_connection_back(postgres_dsn: str) -> None:
    pool = Pool(lambda: psycopg.connect(postgres_dsn, autocommit=True), size=1, wait=1)
    with pytest.raises(psycopg.errors.UndefinedTable), pool.connection() as conn:
        first = conn
        conn.execute("SELECT * FROM no_such_table")
    assert first.closed
    with pool.connection() as conn:
        assert conn is not first and conn.execute("SELECT 1").fetchone() == (1,)
    pool.close()


def test_a_forked_child_opens_connections_of_its_own(postgres_dsn: str) -> None:
    pool = Pool(lambda: psycopg.connect(postgres_dsn, autocommit=True), size=1, wait=1)
    with pool.connection() as conn:
        parent_backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe
        code = 1
        try:
            with pool.connection() as conn:
                os.write(write, str(conn.execute("SELECT pg_backend_pid()").fetchone()[0]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read) as report:
        child_backend = int(report.read())
    assert os.waitpid(child, 0)[1] == 0
    assert child_backend != parent_backend
    # The child neither used nor closed the parent's connection, which still works.
    with pool.connection() as conn:
        assert conn.execute("SELECT pg_backend_pid()").fetchone()[0] == parent_backend
    pool.close()


# --- failures -------------------------------------------------------------------------------


def test_connections_the_server_ended_are_replaced_without_an_error(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore], table: str
) -> None:
    application = f"ended_{uuid.uuid4().hex[:8]}"
    dsn = f"{postgres_dsn} application_name={application}"
    stores.append(PostgresIdempotencyStore(dsn, table=table))
    assert begin(stores[-1], "a") is Outcome.STARTED
    [ended] = backends(postgres_dsn, application)
    query(postgres_dsn, "SELECT pg_terminate_backend(%s)", ended)
    wait_for_no_backends(postgres_dsn, application)
    assert begin(stores[-1], "b") is Outcome.STARTED  # no error: a new connection
    assert backends(postgres_dsn, application) - {ended}


def test_a_row_lock_held_past_the_statement_timeout_cancels_the_call(
    postgres_dsn: str, stores: list[PostgresIdempotencyStore], table: str
) -> None:
    stores.append(PostgresIdempotencyStore(postgres_dsn, table=table, statement_timeout=0.2))
    store = stores[-1]
    assert begin(store) is Outcome.STARTED
    with psycopg.connect(postgres_dsn) as holder:  # a transaction, open until the block ends
        # Should the store not time out, the server ends this lock's session, and the test
        # fails rather than hangs.
        holder.execute(f"SET idle_in_transaction_session_timeout = '{GUARD_S}s'")
        holder.execute(f"SELECT * FROM {table} WHERE key = 'k' FOR UPDATE")
        with pytest.raises(psycopg.errors.QueryCanceled, match="statement timeout"):
            begin(store)
        assert begin(store, "other") is Outcome.STARTED  # other keys are not held up
        holder.rollback()
    assert begin(store) is Outcome.IN_PROGRESS


def test_a_server_that_went_away_raises_a_clear_error(table: str) -> None:
    with contextlib.ExitStack() as running:
        try:
            dsn = running.enter_context(postgres_cluster.cluster())
        except postgres_cluster.Unavailable as why:
            pytest.skip(f"no PostgreSQL cluster: {why}")
        store = PostgresIdempotencyStore(dsn, table=table, connect_timeout=2)
        assert begin(store, "before") is Outcome.STARTED
    # The cluster is stopped; the store's idle connection went with it.
    started = time.monotonic()
    for _ in range(2):
        with pytest.raises(psycopg.OperationalError, match="Connection refused"):
            begin(store, "after")
    assert time.monotonic() - started < DEADLINE_S
    store.close()
