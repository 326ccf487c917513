"""Push notifications only go to users with a live session."""

import logging
import os

from redis import Redis

log = logging.getLogger(__name__)
sessions = Redis.from_url(os.getenv("SESSIONS_REDIS_URL", "redis://localhost:6379/0"))  # expect: SP803


def online(user_id: str) -> bool:
    return bool(sessions.exists(f"user:{user_id}:session"))


def push(user_id: str, text: str) -> None:
    if not online(user_id):
        log.info("user %s offline, skipping push", user_id)
        return
    log.info("push to %s: %s", user_id, text)
