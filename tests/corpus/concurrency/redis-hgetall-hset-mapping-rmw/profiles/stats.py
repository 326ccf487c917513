"""Per-player match statistics kept in a Redis hash."""

import redis


class PlayerStats:
    def __init__(self, host: str = "stats-redis") -> None:
        self.r = redis.StrictRedis(host=host, port=6379, decode_responses=True)

    def record_match(self, player_id: str, won: bool, score: int) -> dict:
        key = f"player:{player_id}"
        stats = self.r.hgetall(key)
        played = int(stats.get("played", 0)) + 1
        wins = int(stats.get("wins", 0)) + (1 if won else 0)
        best = max(int(stats.get("best", 0)), score)
        self.r.hset(key, mapping={"played": played, "wins": wins, "best": best})  # expect: SP702
        return {"played": played, "wins": wins, "best": best}

    def reset(self, player_id: str) -> None:
        self.r.hset(f"player:{player_id}", mapping={"played": 0, "wins": 0, "best": 0})
