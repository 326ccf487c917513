import os
from datetime import datetime, timezone

from redis import Redis

client = Redis.from_url(os.environ["LOYALTY_REDIS_URL"], decode_responses=True)


def award(member_id: str, points: int) -> int:
    key = f"member:{member_id}"
    total = client.hincrby(key, "points", points)
    client.hset(key, "updated_at", datetime.now(timezone.utc).isoformat())
    return total


def redeem(member_id: str, points: int) -> int:
    key = f"member:{member_id}"
    balance = int(client.hget(key, "points") or 0)
    if balance < points:
        raise ValueError("not enough points")
    return client.hincrby(key, "points", -points)
