"""A transactional outbox: an event is written in the same transaction as the state change it
announces, so it exists if and only if that change committed; a relay delivers it afterwards,
at least once; consumers drop the duplicates.

    outbox = SqliteOutbox("data/booking.db")               # the service's own database

    with conn:                                             # the service's transaction
        conn.execute("UPDATE bookings SET status = 'confirmed' WHERE id = ?", (booking,))
        outbox.add(conn, "booking.confirmed", {"booking": booking}, key=booking)

    relay = Relay(outbox, publish)                         # publish(event) raises on failure
    relay.run_forever(stop)                                # in a thread or a process of its own

    dedup = Deduplicator("data/invoicing.db")              # the consumer's own database
    with conn:
        if dedup.first_time(conn, event.id):               # marked in the same transaction
            conn.execute("INSERT INTO invoices ...")       # as the effect
"""

from stormproof.kit.outbox.dedup import Deduplicator
from stormproof.kit.outbox.event import Event
from stormproof.kit.outbox.postgres import PostgresOutbox
from stormproof.kit.outbox.relay import Relay, RelayResult
from stormproof.kit.outbox.sqlite import SqliteOutbox
from stormproof.kit.outbox.store import Outbox

__all__ = [
    "Deduplicator",
    "Event",
    "Outbox",
    "PostgresOutbox",
    "Relay",
    "RelayResult",
    "SqliteOutbox",
]
