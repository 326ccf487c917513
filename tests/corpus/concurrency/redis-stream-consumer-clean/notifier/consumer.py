"""Reads order events from a Redis stream and stores the latest status per order."""

import redis

r = redis.Redis(host="events", port=6379, decode_responses=True)
STREAM, GROUP, CONSUMER = "orders", "notifier", "notifier-1"


def run_once() -> int:
    handled = 0
    batches = r.xreadgroup(GROUP, CONSUMER, {STREAM: ">"}, count=50, block=5000)
    for _stream, messages in batches or []:
        for message_id, fields in messages:
            status = fields.get("status", "unknown")
            r.set(f"order:{fields['order_id']}:status", status.upper())
            r.xack(STREAM, GROUP, message_id)
            handled += 1
    return handled


def latest_status(order_id: str) -> str | None:
    return r.get(f"order:{order_id}:status")
