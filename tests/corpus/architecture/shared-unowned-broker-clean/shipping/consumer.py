import json
import os

import redis
from kafka import KafkaConsumer

cache = redis.Redis.from_url(os.environ["SHARED_CACHE_URL"])
consumer = KafkaConsumer(
    "orders.placed",
    bootstrap_servers=os.environ["KAFKA_BOOTSTRAP_SERVERS"],
    group_id="shipping",
    value_deserializer=lambda b: json.loads(b),
)


def run() -> None:
    for message in consumer:
        order = message.value
        if cache.set(f"shipping:seen:{order['order_id']}", 1, nx=True, ex=86400):
            print("create shipment for", order["order_id"])
