import os
from datetime import datetime, timezone

from redis import Redis

client = Redis.from_url(os.environ["LOYALTY_REDIS_URL"], decode_responses=True)


def award(member_id: str, points: int) -> int:
    key = f"member:{member_id}"
    current = int(client.hget(key, "points") or 0)
    total = current + points
    client.hset(key, "points", total)  # expect: SP702
    client.hset(key, "updated_at", datetime.now(timezone.utc).isoformat())
    return total


def profile(member_id: str) -> dict:
    return client.hgetall(f"member:{member_id}")


def touch(member_id: str) -> None:
    key = f"member:{member_id}"
    if client.hget(key, "points") is None:
        client.hset(key, mapping={"points": 0})
    client.hset(key, "last_seen", datetime.now(timezone.utc).isoformat())
