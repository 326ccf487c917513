"""Seat counts in Postgres; replicas serialise on a Redis lock per flight."""

import os

import psycopg2
import redis

r = redis.Redis.from_url(os.environ["LOCKS_REDIS_URL"])
pg = psycopg2.connect(os.environ["BOOKING_DSN"])


def hold_seats(flight_id: str, seats: int) -> int:
    with r.lock(f"lock:flight:{flight_id}", timeout=10, blocking_timeout=5):
        with pg.cursor() as cur:
            cur.execute("SELECT seats_free FROM flights WHERE id = %s", (flight_id,))
            free = cur.fetchone()[0]
            if free < seats:
                raise RuntimeError("not enough seats")
            cur.execute(
                "UPDATE flights SET seats_free = %s WHERE id = %s", (free - seats, flight_id)
            )
        pg.commit()
    return free - seats
