"""Publishes order events to a redis stream; it reads nothing from a consumer group."""

import json
import sqlite3
import time

import redis

r = redis.Redis(host="redis", decode_responses=True)
db = sqlite3.connect("orders.db")


def publish_pending() -> int:
    rows = db.execute("SELECT id, payload FROM events WHERE published = 0 LIMIT 100").fetchall()
    for event_id, payload in rows:
        r.xadd("orders", {"event_id": event_id, "payload": payload})
        db.execute("UPDATE events SET published = 1 WHERE id = ?", (event_id,))
    db.commit()
    return len(rows)


if __name__ == "__main__":
    while True:
        if publish_pending() == 0:
            time.sleep(0.5)
        print(json.dumps({"tick": time.time()}))
