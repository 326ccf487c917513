"""Reads the bookings stream with a consumer group and writes audit rows."""

import os
import socket
import sqlite3

import redis

STREAM = "bookings"
GROUP = "audit"
r = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://redis:6379/0"), decode_responses=True)


def ensure_group() -> None:
    try:
        r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError:
        pass


def run() -> None:
    ensure_group()
    db = sqlite3.connect("audit.db")
    consumer = socket.gethostname()
    while True:  # expect: SP402
        batches = r.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=50, block=5000)
        for _stream, entries in batches:
            for entry_id, fields in entries:
                db.execute(
                    "INSERT INTO audit_log (booking_id, action) VALUES (?, ?)",
                    (fields["booking_id"], fields["action"]),
                )
                db.commit()
                r.xack(STREAM, GROUP, entry_id)


if __name__ == "__main__":
    run()
