"""Ticket sequence per event. A plain pipeline batches commands; it does not isolate them."""

import redis

pool = redis.ConnectionPool(host="redis", port=6379, db=2)
r = redis.Redis(connection_pool=pool)


def next_ticket(event_id: str) -> int:
    key = f"event:{event_id}:last_ticket"
    last = r.get(key)
    number = int(last or 0) + 1
    pipe = r.pipeline()
    pipe.set(key, number)  # expect: SP702
    pipe.sadd(f"event:{event_id}:tickets", number)
    pipe.execute()
    return number


def issued(event_id: str) -> set[bytes]:
    return r.smembers(f"event:{event_id}:tickets")
