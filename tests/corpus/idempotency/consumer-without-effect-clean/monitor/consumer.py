"""Watches the bookings topic: logs, metrics and a read-only lookup, no writes."""

import json
import logging
import os

import requests
from kafka import KafkaConsumer
from prometheus_client import Counter

log = logging.getLogger("monitor")
SEEN = Counter("bookings_seen_total", "bookings observed")
CATALOG_URL = os.environ.get("CATALOG_URL", "http://catalog:8000")


def main() -> None:
    consumer = KafkaConsumer("bookings", bootstrap_servers="kafka:9092", group_id="monitor")
    for msg in consumer:
        booking = json.loads(msg.value)
        SEEN.inc()
        flight = requests.get(f"{CATALOG_URL}/flights/{booking['flight_id']}", timeout=3).json()
        if flight.get("status") == "cancelled":
            log.warning("booking %s is on a cancelled flight", booking["id"])


if __name__ == "__main__":
    main()
