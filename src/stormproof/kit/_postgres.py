"""PostgreSQL plumbing for the kit's stores, through psycopg 3 (``stormproof[postgres]``): a
database named by a connection string or by a function returning connections, a small pool of
connections that threads share, and table names checked before they reach SQL."""

from __future__ import annotations

import contextlib
import functools
import os
import re
import select
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from stormproof.kit._optional import require
from stormproof.kit.errors import ConfigurationError

# Lower case only: the name is quoted in SQL (so that a reserved word works), and a quoted
# name is case-sensitive, so "Keys" would be a table that psql's `\d keys` does not find.
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_LONGEST_NAME = 63  # PostgreSQL's NAMEDATALEN - 1: a longer name is silently cut


def table_name(setting: str, value: object, *, suffix: str = "") -> tuple[str, str]:
    """A table name, optionally schema-qualified (``schema.table``), checked so that nothing
    but a name can reach SQL; returned quoted, with the bare name of the table (to derive the
    names of its indexes, which ``suffix`` must leave within PostgreSQL's 63 bytes)."""
    parts = value.split(".") if isinstance(value, str) else []
    named = 1 <= len(parts) <= 2 and all(_NAME.fullmatch(part) for part in parts)
    limits = [_LONGEST_NAME] * (len(parts) - 1) + [_LONGEST_NAME - len(suffix)]
    if not named or any(len(part) > most for part, most in zip(parts, limits, strict=True)):
        raise ConfigurationError(
            f"{setting} must be a table name, optionally schema-qualified (schema.table):"
            " lower-case letters, digits and underscores, not starting with a digit, at most"
            f" {_LONGEST_NAME - len(suffix)} characters for the table, not {value!r}"
        )
    return ".".join(f'"{part}"' for part in parts), parts[-1]


class Database:
    """Where new connections come from: a libpq connection string (``postgresql://...`` or
    ``key=value ...``), or a function returning a new psycopg connection (for what a string
    cannot carry, such as a password fetched from a secret store).

    ``where`` describes it for a ``repr``: host, port and database, never the password a
    connection string may hold."""

    def __init__(
        self,
        database: str | Callable[[], Any],
        *,
        needed_by: str,
        connect_timeout: float,
    ) -> None:
        self.psycopg = require("psycopg", extra="postgres", needed_by=needed_by)
        if isinstance(database, str):
            try:
                parts = self.psycopg.conninfo.conninfo_to_dict(database)
            except self.psycopg.ProgrammingError as exc:
                raise ConfigurationError(
                    f"database is not a libpq connection string: {exc}"
                ) from exc
            # libpq takes whole seconds, and 0 would mean no timeout at all.
            self._connect: Callable[[], Any] = functools.partial(
                self.psycopg.connect, database, connect_timeout=max(1, round(connect_timeout))
            )
            self.where = " ".join(
                f"{name}={parts[name]}" for name in ("host", "port", "dbname") if name in parts
            )
        elif callable(database):
            self._connect = database
            self.where = getattr(database, "__qualname__", type(database).__name__)
        else:
            raise ConfigurationError(
                "database must be a libpq connection string (postgresql://... or key=value ...)"
                f" or a function returning a new psycopg connection, not {database!r}"
            )

    def connect(self, *, autocommit: bool) -> Any:
        conn = self._connect()
        if not isinstance(conn, self.psycopg.Connection):
            raise TypeError(
                f"the database function returned {conn!r}, not a psycopg (v3) Connection"
            )
        conn.autocommit = autocommit
        return conn


class Pool:
    """Up to ``size`` connections shared by the threads of a process, each call holding one
    of its own for as long as it runs; a call that finds all ``size`` in use waits up to
    ``wait`` seconds for one, then raises TimeoutError, or with ``wait=None`` as long as it
    takes (for callers whose statements are not bounded either, so that no wait would be too
    long). Connections open when first needed.

    A connection returns to the pool only after a call that succeeded: one whose call raised
    may be broken or inside a transaction, and is closed. An idle connection that the server
    ended meanwhile (a restart, ``pg_terminate_backend``, an idle timeout) is dropped before it
    is handed out, so the first call after a restart does not fail for it. After a fork, the
    child forgets the connections it inherited, whose sockets are its parent's (psycopg does
    not close a connection that it garbage-collects in another process), and opens its own."""

    def __init__(self, connect: Callable[[], Any], *, size: int, wait: float | None) -> None:
        self._connect = connect
        self._size = size
        self._wait = wait
        self._idle: list[Any] = []
        self._open = 0  # connections counted against size: idle, in use, or being opened
        self._pid = os.getpid()
        self._changed = threading.Condition()

    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        pid = os.getpid()
        conn = self._take()
        try:
            yield conn
        except BaseException:
            self._put_back(conn, pid, usable=False)
            raise
        self._put_back(conn, pid, usable=True)

    def close(self) -> None:
        """Close the connections not in use (at shutdown, none is); a later call opens new
        ones."""
        with self._changed:
            self._forget_if_forked()
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._changed.notify_all()
        for conn in idle:
            conn.close()

    def _take(self) -> Any:
        deadline = None if self._wait is None else time.monotonic() + self._wait
        with self._changed:
            self._forget_if_forked()
            while True:
                while self._idle:
                    conn = self._idle.pop()  # the most recently used: the likeliest alive
                    if _alive(conn):
                        return conn
                    self._open -= 1
                    conn.close()
                if self._open < self._size:
                    self._open += 1
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise TimeoutError(
                        f"no PostgreSQL connection came free in {self._wait:g} s:"
                        f" all {self._size} of the pool are in use"
                    )
                self._changed.wait(remaining)
        try:
            return self._connect()
        except BaseException:
            self._put_back(None, os.getpid(), usable=False)
            raise

    def _put_back(self, conn: Any, pid: int, *, usable: bool) -> None:
        if pid != os.getpid():
            return  # taken before a fork: the child's pool never counted it
        with self._changed:
            if usable and not conn.closed:
                self._idle.append(conn)
                conn = None
            else:
                self._open -= 1
            self._changed.notify()
        if conn is not None:
            conn.close()

    def _forget_if_forked(self) -> None:
        if self._pid != os.getpid():
            self._idle, self._open, self._pid = [], 0, os.getpid()


def _alive(conn: Any) -> bool:
    """False for a connection that is closed, or that the server wrote to while it was idle:
    a server says nothing unasked to an idle session but that it is ending it. Polled, not
    asked (no round trip); ``poll`` rather than ``select``, which fails on descriptors past
    1024, common in a busy server."""
    if conn.closed:
        return False
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return not poller.poll(0)
