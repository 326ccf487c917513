"""The outbox table and what every database does with it alike; :mod:`.sqlite` and
:mod:`.postgres` add how each claims events and opens its own connections.

Writing is the service's business: :meth:`Outbox.add` runs on the service's connection, in
its transaction. Everything else is the relay's, on connections of the outbox's own, each
statement committing on its own.

Rows are never shared between relays by accident: a relay leases the events it claims
(``lease_owner``, ``lease_until``) and an event whose lease has run out is claimable again,
which is how the events of a relay that died are taken over. A failed delivery leaves the
event unowned with ``lease_until`` at the time of its next attempt, so that backing off and
being leased are one rule for the claim. Times are wall-clock seconds (``time.time()``),
comparable between processes and hosts."""

from __future__ import annotations

import abc
import contextlib
import uuid
from collections.abc import Callable, Sequence

from stormproof.kit._checks import age, check
from stormproof.kit.outbox import _sql
from stormproof.kit.outbox._sql import Connection
from stormproof.kit.outbox.event import Event, encode

TABLE = "stormproof_outbox"

COLUMNS = "seq, id, topic, key, payload, created_at, attempts"
"""The columns an :class:`Event` is read from, in :func:`~.event.decode`'s order."""

HEAD_OF_KEY = f"""NOT EXISTS (
    SELECT 1 FROM {TABLE} AS earlier
    WHERE earlier.key = e.key AND earlier.seq < e.seq AND earlier.delivered_at IS NULL)"""
"""Claims take an event only when no earlier event of its key is undelivered (a NULL key
equals nothing, so keyless events are unordered). A batch so holds at most one event per key
and a key's events go out one at a time, in order, whichever relay holds which.

That costs a hot key one event per relay cycle; it buys order without any lock across
claims, which is what lets Postgres relays claim side by side with SKIP LOCKED: a relay that
skips a key's head, locked by another, sees the key's next event as not the head and skips it
too."""

_INSERT = f"INSERT INTO {TABLE} (id, topic, key, payload, created_at) VALUES (?, ?, ?, ?, ?)"
# A late mark, by a relay whose lease ran out while it delivered, still counts the attempt
# but keeps the first delivery's time.
_DELIVERED = (
    f"UPDATE {TABLE} SET delivered_at = COALESCE(delivered_at, ?), attempts = attempts + 1,"
    " lease_owner = NULL, last_error = NULL WHERE id = ?"
)
# Only the lease's owner records a failure: a relay whose lease ran out while it tried must
# not push back an event another relay has taken over since.
_RETRY_LATER = (
    f"UPDATE {TABLE} SET attempts = attempts + 1, lease_owner = NULL, lease_until = ?,"
    " last_error = ? WHERE id = ? AND lease_owner = ? AND delivered_at IS NULL"
)
_PURGE = f"DELETE FROM {TABLE} WHERE delivered_at < ?"

_ERROR_LIMIT = 2000
"""Characters of a failure's description kept in ``last_error``."""


class Outbox(abc.ABC):
    """A transactional outbox: events written in the same transaction as the state change
    they announce, so that an event exists if and only if that change committed, and
    delivered afterwards, at least once, by a :class:`~stormproof.kit.outbox.Relay`.

    Build a :class:`~stormproof.kit.outbox.SqliteOutbox` or a
    :class:`~stormproof.kit.outbox.PostgresOutbox` on the service's own database; either
    creates its table (``stormproof_outbox``) if it is missing. ``clock`` stamps
    ``created_at`` and ages events for :meth:`purge`."""

    def __init__(self, *, clock: Callable[[], float]) -> None:
        check("clock", clock, callable(clock), "a callable returning wall-clock seconds")
        self._clock = clock

    def add(self, conn: Connection, topic: str, payload: object, *, key: str | None = None) -> str:
        """Write an event on ``conn``, inside the transaction open there, and return its id.

        Nothing is committed here: the event commits or rolls back with the caller's
        transaction. ``payload`` must be JSON-serialisable (a TypeError otherwise, before
        anything is written). Events with the same ``key`` are delivered in the order they
        were added, one at a time; events with no key in any order.

        On Postgres, add the event after the statement that locks the row it is about (the
        UPDATE of the booking): that lock orders two transactions on one key, and so the
        order in which their events are numbered."""
        text = encode(topic, payload, key)
        _sql.require_transaction(conn, "outbox.add")
        event_id = str(uuid.uuid4())
        _sql.execute(conn, _INSERT, (event_id, topic, key, text, self._clock()))
        return event_id

    @abc.abstractmethod
    def claim(self, owner: str, *, now: float, until: float, limit: int) -> list[Event]:
        """Lease up to ``limit`` deliverable events to ``owner`` until ``until``, oldest first.

        Deliverable at ``now``: undelivered, ``lease_until <= now`` (never leased, lease run
        out, or backoff over), and the head of its key. Of any number of concurrent claims,
        each event goes to one."""

    def delivered(self, event: Event, *, now: float) -> None:
        """Mark the event delivered at ``now``.

        Whoever holds the lease: the event did go out, even if a relay whose lease ran out
        took it over meanwhile (that relay's delivery is a duplicate consumers drop)."""
        with self._connection() as conn:
            _sql.execute(conn, _DELIVERED, (now, event.id))

    def retry_later(self, event: Event, owner: str, *, at: float, error: str) -> bool:
        """Record a failed attempt by ``owner`` and leave the event for another at ``at``;
        False, and nothing recorded, when ``owner`` no longer holds its lease."""
        with self._connection() as conn:
            cursor = _sql.execute(conn, _RETRY_LATER, (at, error[:_ERROR_LIMIT], event.id, owner))
            return bool(cursor.rowcount == 1)

    def purge(self, older_than: float) -> int:
        """Delete the events delivered more than ``older_than`` seconds ago; return how many.
        Undelivered events are never deleted."""
        cutoff = self._clock() - age(older_than)
        with self._connection() as conn:
            return int(_sql.execute(conn, _PURGE, (cutoff,)).rowcount)

    @abc.abstractmethod
    def close(self) -> None:
        """Close the connections the outbox holds for the relay, if any (the next call opens
        another)."""

    @abc.abstractmethod
    def _connection(self) -> contextlib.AbstractContextManager[Connection]:
        """A connection of the outbox's own in autocommit mode: each statement commits."""


def schema(types: dict[str, str]) -> Sequence[str]:
    """The table and its indexes, in a dialect's ``types`` (``seq``: an auto-numbered
    primary key; ``payload``: JSON; ``time``: seconds as a float).

    The partial indexes cover undelivered events only, so that claims stay fast while
    delivered ones pile up until :meth:`Outbox.purge`."""
    return (
        f"CREATE TABLE IF NOT EXISTS {TABLE} ("
        f" seq {types['seq']},"
        " id TEXT NOT NULL UNIQUE,"
        " topic TEXT NOT NULL,"
        " key TEXT,"
        f" payload {types['payload']} NOT NULL,"
        f" created_at {types['time']} NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        f" lease_until {types['time']} NOT NULL DEFAULT 0,"
        " lease_owner TEXT,"
        f" delivered_at {types['time']},"
        " last_error TEXT)",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_pending ON {TABLE} (seq) WHERE delivered_at IS NULL",
        f"CREATE INDEX IF NOT EXISTS {TABLE}_pending_key ON {TABLE} (key, seq)"
        " WHERE delivered_at IS NULL",
    )
