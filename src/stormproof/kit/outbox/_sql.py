"""The little that differs between the two drivers the outbox accepts on a caller's
connection, sqlite3 and psycopg (v3): how a statement writes its parameters, and how to tell
that a statement run now would join a transaction rather than commit on its own.

The outbox's statements are written once, with ``?`` parameters, and rewritten to psycopg's
``%s`` for a Postgres connection; none of them holds a literal ``?`` or ``%``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol


class Connection(Protocol):
    """A DB-API connection of sqlite3 or psycopg: what the outbox calls on one."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


def is_sqlite(conn: Connection) -> bool:
    """True for sqlite3, False for psycopg; a TypeError for any other driver, whose
    parameter style and transaction state the outbox cannot know."""
    if isinstance(conn, sqlite3.Connection):
        return True
    if type(conn).__module__.partition(".")[0] == "psycopg":
        return False
    raise TypeError(f"expected a sqlite3 or psycopg (v3) connection, not {type(conn).__name__}")


def execute(conn: Connection, sql: str, parameters: Sequence[Any] = ()) -> Any:
    """``conn.execute`` with the statement's ``?`` written in the driver's style."""
    return conn.execute(sql if is_sqlite(conn) else sql.replace("?", "%s"), parameters)


def require_transaction(conn: Connection, action: str) -> None:
    """Refuse a connection on which a statement would commit by itself: an outbox event or a
    processed-event mark written that way could outlive a rollback of the caller's change.

    A connection outside autocommit mode is fine even with no transaction open yet: the
    driver opens one before the statement (sqlite3's default mode, psycopg's default)."""
    driver: Any = conn  # the attributes below are sqlite3's or psycopg's, not the protocol's
    if is_sqlite(conn):
        # Python 3.12's ``autocommit=True`` and the older ``isolation_level=None`` both mean
        # that each statement outside an explicit BEGIN commits on its own.
        autocommit = getattr(driver, "autocommit", None) is True or driver.isolation_level is None
        in_transaction = driver.in_transaction
    else:
        from psycopg.pq import TransactionStatus

        autocommit = driver.autocommit
        in_transaction = driver.info.transaction_status != TransactionStatus.IDLE
    if autocommit and not in_transaction:
        raise ValueError(
            f"{action} must run in the caller's open transaction, but the connection is in"
            " autocommit mode with none open, so it would commit on its own: run the state"
            " change and this call in one transaction (sqlite3: BEGIN ... COMMIT, or a"
            " connection outside autocommit; psycopg: `with conn.transaction():`)"
        )


def create_tables(conn: Connection, lock_name: str, statements: Sequence[str]) -> None:
    """Run ``CREATE ... IF NOT EXISTS`` statements in one transaction and commit it: the
    transaction already open on ``conn``, or the one its driver opens (outside autocommit).

    Postgres's ``IF NOT EXISTS`` is not safe against a concurrent twin (two processes
    starting at once can both try, and one fails on a unique index of the catalog), so there
    the statements run under a transaction-level advisory lock named after the table."""
    if not is_sqlite(conn):
        execute(conn, "SELECT pg_advisory_xact_lock(hashtext(?))", (lock_name,))
    for statement in statements:
        conn.execute(statement)
    conn.commit()
