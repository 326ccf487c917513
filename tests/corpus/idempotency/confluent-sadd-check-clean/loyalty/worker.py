"""Loyalty worker: SADD returns 0 for an id already processed."""

import json

import redis
from confluent_kafka import Consumer

r = redis.Redis(host="redis", decode_responses=True)


def run() -> None:
    consumer = Consumer({"bootstrap.servers": "kafka:9092", "group.id": "loyalty"})
    consumer.subscribe(["payments.captured"])
    while True:
        msg = consumer.poll(timeout=1.0)
        if msg is None or msg.error():
            continue
        payment = json.loads(msg.value())
        if r.sadd("loyalty:processed", payment["payment_id"]) == 0:
            continue
        r.hincrby("loyalty:points", payment["user_id"], payment["amount_cents"] // 100)


if __name__ == "__main__":
    run()
