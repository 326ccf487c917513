"""Keeps the latest prices in memory; replaying a message just overwrites the same entry."""

import json
import threading

from kafka import KafkaConsumer

prices: dict[str, int] = {}
lock = threading.Lock()


def consume_prices() -> None:
    consumer = KafkaConsumer("prices", bootstrap_servers="kafka:9092", group_id="pricing-cache")
    for record in consumer:
        update = json.loads(record.value)
        with lock:
            prices[update["sku"]] = update["price_cents"]


def start() -> threading.Thread:
    thread = threading.Thread(target=consume_prices, daemon=True)
    thread.start()
    return thread
