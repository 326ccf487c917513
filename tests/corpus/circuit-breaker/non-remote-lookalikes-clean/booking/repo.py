"""Local data access: dict.get, ORM session.get, redis get -- none of them remote calls."""

import json
import os
import queue

import redis
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from booking.models import Booking

engine = create_engine(os.environ["BOOKINGS_DSN"], pool_pre_ping=True)
cache = redis.Redis.from_url(os.environ["REDIS_URL"])
work: queue.Queue[str] = queue.Queue()
DEFAULTS = {"currency": "EUR", "seats": 1}


def get_booking(booking_id: int) -> dict | None:
    cached = cache.get(f"booking:{booking_id}")
    if cached:
        return json.loads(cached)
    with Session(engine) as session:
        booking = session.get(Booking, booking_id)
        if booking is None:
            return None
        data = {"id": booking.id, "status": booking.status}
    cache.set(f"booking:{booking_id}", json.dumps(data), ex=60)
    return data


def list_for_user(user_id: str) -> list[int]:
    with Session(engine) as session:
        rows = session.execute(select(Booking.id).where(Booking.user_id == user_id))
        return [row.id for row in rows]


def next_job(timeout: float = 1.0) -> str | None:
    try:
        return work.get(timeout=timeout)
    except queue.Empty:
        return DEFAULTS.get("fallback")
