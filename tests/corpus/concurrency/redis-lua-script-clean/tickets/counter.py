"""Decrement remaining tickets atomically with a Lua script."""

import redis

r = redis.Redis(host="redis", port=6379, db=2, decode_responses=True)

TAKE = r.register_script(
    """
    local left = tonumber(redis.call('GET', KEYS[1]) or '0')
    local want = tonumber(ARGV[1])
    if left < want then return -1 end
    redis.call('SET', KEYS[1], left - want)
    return left - want
    """
)


def take_tickets(event_id: str, count: int) -> int:
    left = TAKE(keys=[f"event:{event_id}:left"], args=[count])
    if left < 0:
        raise ValueError("sold out")
    return left


def remaining(event_id: str) -> int:
    return int(r.get(f"event:{event_id}:left") or 0)


def open_sales(event_id: str, capacity: int) -> None:
    r.set(f"event:{event_id}:left", capacity, nx=True)
