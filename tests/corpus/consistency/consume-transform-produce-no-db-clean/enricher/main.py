"""Consume raw clicks, enrich, produce; commit the consumer offset (not a database)."""

import json
import os

from confluent_kafka import Consumer, Producer

consumer = Consumer(
    {
        "bootstrap.servers": os.environ["KAFKA_BROKERS"],
        "group.id": "enricher",
        "enable.auto.commit": False,
    }
)
producer = Producer({"bootstrap.servers": os.environ["KAFKA_BROKERS"]})


def run() -> None:
    consumer.subscribe(["clicks.raw"])
    while True:
        msg = consumer.poll(1.0)
        if msg is None or msg.error():
            continue
        click = json.loads(msg.value())
        click["country"] = click.get("geo", {}).get("country", "??")
        producer.produce("clicks.enriched", json.dumps(click).encode(), key=msg.key())
        producer.flush()
        consumer.commit(message=msg, asynchronous=False)
